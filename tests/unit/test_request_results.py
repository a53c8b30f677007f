"""The typed results kept in ``RightsRequest.extra`` read and write back the JSON already stored,
and the ledger's vocabulary produces the step names already stored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from privacy_rights.core import ledger_steps
from privacy_rights.core.request_results import (
    ErasureReceipt,
    ExportResult,
    erasure_receipt_of,
    export_result_of,
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
