"""The typed results kept in ``RightsRequest.extra`` read and write back the JSON already stored,
and the ledger's vocabulary produces the step names already stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from privacy_rights.core import ledger_steps
from privacy_rights.core.models import RightsRequest
from privacy_rights.core.request_results import (
    ErasureReceipt,
    ExportResult,
    RequestedCorrection,
    erasure_receipt_of,
    export_result_of,
    intake_statement,
)

STORED_RECEIPT: dict[str, Any] = {
    "request_id": "req_1",
    "run": 0,
    "completed_at": "2026-11-27T10:00:00+00:00",
    "data_map_version": "2026-11-01",
    "stores": {"recordings": {"deleted": 3, "versions_deleted": 9}},
    "held": [{"store": "crm_leads", "hold_id": "hold_1", "matter": "A v. B", "records": 2}],
    "answered_by_the_business": [{"business": "Northwind Legal", "store": "calls", "records": 3}],
    "earlier_exports_deleted": 1,
    "recipients": {},
    "suppressed": True,
    "backups_expire_by": "2027-01-02",
}


def test_a_stored_receipt_reads_and_writes_back_unchanged() -> None:
    receipt = erasure_receipt_of({"erasure": STORED_RECEIPT})
    assert receipt is not None
    assert receipt.stored() == STORED_RECEIPT
    assert list(receipt.stored()) == list(STORED_RECEIPT)  # same order as before
    assert receipt.follow_up is None
    assert "follow_up" not in receipt.stored()  # a first run has none
    assert receipt.businesses == ["Northwind Legal"]


def test_fields_the_model_does_not_know_are_kept() -> None:
    raw = STORED_RECEIPT | {"follow_up": 2, "first_completed_at": "x", "something_new": {"a": 1}}
    receipt = ErasureReceipt.model_validate(raw)
    assert receipt.follow_up == 2
    assert receipt.stored() == raw


def test_no_receipt_and_no_export_read_as_none() -> None:
    assert erasure_receipt_of({}) is None
    assert export_result_of({"erasure": STORED_RECEIPT}) is None


def test_an_export_reads_and_writes_back_unchanged() -> None:
    raw = {"key": "exports/req_1/x.zip", "expires_at": "2026-12-04T10:00:00+00:00", "records": 5}
    export = ExportResult.model_validate(raw)
    assert export.stored() == raw
    assert export.answered_by == []
    assert export.expires == datetime(2026, 12, 4, 10, tzinfo=UTC)


def test_the_ledger_vocabulary_makes_the_stored_names() -> None:
    assert ledger_steps.ERASURE_PLAN == "erasure.plan"
    assert ledger_steps.ERASURE_RECEIPT == "erasure.receipt"
    assert ledger_steps.EXPORT_PACKAGE == "export.package"
    assert ledger_steps.EXPORT_REVIEW_NEEDED == "export.review_needed"
    assert ledger_steps.erase("calls") == "erase:calls"
    assert ledger_steps.customer_answer("acme") == "customer:acme"
    assert ledger_steps.customer_told("acme") == "customer_told:acme"
    assert ledger_steps.notice("final") == "notice:final"
    assert ledger_steps.notice_intent("final") == "notice:final:intent"
    assert ledger_steps.follow_up_notice(1) == "final:follow_up:1"
    assert ledger_steps.is_customer_told("customer_told:acme")
    assert not ledger_steps.is_customer_told("customer:acme")
    erasure_steps = ["erase:calls", "erasure.plan", "erasure.receipt"]
    assert all(ledger_steps.is_erasure_step(s) for s in erasure_steps)
    others = ["export.package", "customer:acme", "notice:final", "resolve", "erasure"]
    assert not any(ledger_steps.is_erasure_step(s) for s in others)


#: ``extra`` as intake, verification and the workflow wrote it before these models
STORED_EXTRA: dict[str, Any] = {
    "declaration": True,
    "corrections": [{"field": "name", "corrected": "G. Example", "why": ""}],
    "scope_decision": {
        "scope": "categories",
        "why": "the specific pieces need three of your details verified, and 2 were.",
    },
    "merged_into": "req_earlier0000000000001",
    "requester_proven": ["email"],
    "mail_id": "m_1",
    "mail_flags": ["dkim_fail"],
}


def test_the_other_stored_values_in_extra_read_back_typed(make_request: Callable[..., RightsRequest]) -> None:
    request = make_request(extra=dict(STORED_EXTRA))
    assert request.declaration is True
    assert request.corrections == (RequestedCorrection(field="name", corrected="G. Example"),)
    decision = request.scope_decision
    assert decision is not None
    assert (decision.scope, decision.why) == ("categories", STORED_EXTRA["scope_decision"]["why"])
    assert request.merged_into == "req_earlier0000000000001"
    assert request.requester_proven == ("email",)


def test_writing_them_back_keeps_the_stored_json(make_request: Callable[..., RightsRequest]) -> None:
    stored = make_request(extra=dict(STORED_EXTRA))
    assert stored.scope_decision is not None
    mail = {"mail_id": "m_1", "mail_flags": ["dkim_fail"]}
    again = (
        make_request(extra={**intake_statement(True, list(stored.corrections)), **mail})
        .with_scope_decision(stored.scope_decision)
        .with_merged_into("req_earlier0000000000001")
        .with_requester_proven({"email"})
    )
    assert again.extra == STORED_EXTRA
    assert json.dumps(again.extra, sort_keys=True) == json.dumps(STORED_EXTRA, sort_keys=True)
    # through the table's JSON and back, unchanged
    reread = RightsRequest.model_validate(json.loads(again.model_dump_json()))
    assert reread.extra == STORED_EXTRA
    assert reread.scope_decision == stored.scope_decision


def test_intake_stores_the_statement_as_before() -> None:
    from privacy_rights.rights_requests.submission import Correction

    asked = [Correction(field="phone", corrected="+14155550100", why="new number")]
    before = {"declaration": False, "corrections": [c.model_dump() for c in asked]}
    assert intake_statement(False, [RequestedCorrection(**c.model_dump()) for c in asked]) == before


def test_a_request_without_them_reads_as_nothing(make_request: Callable[..., RightsRequest]) -> None:
    request = make_request()
    assert request.scope_decision is None
    assert request.merged_into is None
    assert request.requester_proven == ()
    assert request.corrections == ()
    assert request.declaration is False


def test_a_stored_value_of_the_wrong_shape_is_refused_not_guessed(
    make_request: Callable[..., RightsRequest],
) -> None:
    with pytest.raises(ValidationError):
        _ = make_request(extra={"scope_decision": {"scope": "everything", "why": "x"}}).scope_decision
    with pytest.raises(ValidationError):
        _ = make_request(extra={"merged_into": {"request_id": "req_x"}}).merged_into
    with pytest.raises(ValidationError):
        _ = make_request(extra={"corrections": [{"field": "name"}]}).corrections
