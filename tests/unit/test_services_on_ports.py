"""Services typed against ``privacy_rights.core.ports`` run on in-memory fakes: no moto, no stack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from fakes import FakeHistory, FakeMessenger, FakeRequests, FakeStarter, notices_workflow

from privacy_rights.core import ledger_steps
from privacy_rights.core.errors import ExportExpired, IllegalTransition, NotFound, ValidationFailed
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import RequestType, RightsRequest, Status
from privacy_rights.core.request_results import ErasureReceipt, ExportResult
from privacy_rights.export.export_service import ExportService
from privacy_rights.ops.ops import DecisionCommand, EraseHeldCommand, OpsService
from privacy_rights.runtime.http_errors import STATUS_BY_ERROR


class FakeArchive:
    def download_url(self, key: str, seconds: int) -> str:
        return f"https://exports.example/{key}?expires={seconds}"


def _export_service(store: FakeRequests, now: datetime) -> ExportService:
    return ExportService(store, None, None, None, FakeArchive(), None, clock=lambda: now)  # type: ignore[arg-type]


def test_an_export_is_downloaded_through_the_ports_until_it_expires(
    make_request: Callable[..., RightsRequest], now: datetime
) -> None:
    export = ExportResult(key="exports/r/x.zip", expires_at=(now + timedelta(days=7)).isoformat(), records=3)
    store = FakeRequests(make_request().with_export_result(export))
    url = _export_service(store, now).download_url(store.request, "subject")
    assert url.startswith("https://exports.example/exports/r/x.zip")
    assert store.audit == [
        (store.request.request_id, "subject", "export.downloaded", {"key": "exports/r/x.zip"})
    ]

    expired = export.model_copy(update={"expires_at": (now - timedelta(seconds=1)).isoformat()})
    store.request = make_request().with_export_result(expired)
    with pytest.raises(ExportExpired):
        _export_service(store, now).download_url(store.request, "subject")
    assert STATUS_BY_ERROR[ExportExpired] == 410  # refused whatever S3 still holds
    with pytest.raises(NotFound):
        _export_service(store, now).download_url(make_request(), "subject")


def test_erasing_held_records_clears_only_the_erasure_steps_and_starts_a_new_run(
    make_request: Callable[..., RightsRequest],
) -> None:
    receipt = ErasureReceipt(
        stores={"calls": {"deleted": 1}},
        held=[{"store": "crm_leads", "hold_id": "hold_1", "matter": "A v. B", "records": 2}],
    )
    request = make_request(type=RequestType.DELETION, status=Status.COMPLETED).with_erasure_receipt(receipt)
    ledger = {
        ledger_steps.ERASURE_PLAN: {},
        ledger_steps.erase("calls"): {},
        ledger_steps.ERASURE_RECEIPT: {},
        ledger_steps.RESOLVE: {},
        ledger_steps.notice("final"): {},
    }
    store, starter = FakeRequests(request, ledger=ledger), FakeStarter()
    ops = OpsService(store, None, None, FakeHistory(), starter, None)  # type: ignore[arg-type]
    answer = ops.erase_held(request.request_id, EraseHeldCommand(reason="the hold was released"), "ops@x")
    assert sorted(store.cleared) == sorted(["erasure.plan", "erase:calls", "erasure.receipt"])
    assert set(store.steps) == {"resolve", "notice:final"}
    assert starter.started == [f"{request.request_id}-r1"] == [answer["execution"]]


def test_a_deletion_that_held_nothing_back_has_nothing_to_erase_later(
    make_request: Callable[..., RightsRequest],
) -> None:
    receipt = ErasureReceipt(stores={"calls": {"deleted": 1}})
    request = make_request(type=RequestType.DELETION, status=Status.COMPLETED).with_erasure_receipt(receipt)
    ops = OpsService(FakeRequests(request), None, None, FakeHistory(), FakeStarter(), None)  # type: ignore[arg-type]
    with pytest.raises(IllegalTransition):
        ops.erase_held(request.request_id, EraseHeldCommand(reason="the hold was released"), "ops@x")


def test_ops_go_on_without_a_business_that_does_not_answer(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """An export waits for a business's instruction that does not come: ops approve going on;
    the silent business is recorded as answering the person itself, and the wait is answered."""
    request = make_request(status=Status.IN_PROGRESS)
    ledger = {ledger_steps.customer_told("northwind"): {"kind": "ask"}}
    store = FakeRequests(request, ledger=ledger)
    store.set_waiting(request.request_id, "customer", "tok-customer")
    workflow = notices_workflow(store, ring, FakeMessenger())
    ops = OpsService(store, workflow, None, FakeHistory(), FakeStarter(), None)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed):
        ops.decide(request.request_id, DecisionCommand(decision="narrow", reason="only some of it"), "olivia")

    reason = "Northwind silent for ten days; the deadline nears"
    ops.decide(request.request_id, DecisionCommand(decision="approve", reason=reason), "olivia")

    answer = store.ledger(request.request_id)[ledger_steps.customer_answer("northwind")]
    assert answer["decision"] == "answer_ourselves"
    assert "ops.customer" in store.actions(request.request_id)
    assert store.waiting_for(request.request_id) == []
    assert store.ledger(request.request_id)["customer"]["by_ops"] == ["northwind"]
