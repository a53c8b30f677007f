"""What the ops API's request detail gives the console for the actions that follow a request's
answer (issue 18 on issue 17's rights), on fakes: a correction's asked and planned changes and its
supporting documents, which ops open through a short link audited with the reason (only the
request's own, only documents that count); an objection's purposes grounds may still be recorded
for (never direct marketing); a restriction's lift announced and scheduled; what a deletion kept
back under a hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fakes import FakeHistory, FakeRequests, FakeStarter, FakeWork

from privacy_rights.core import ledger_steps
from privacy_rights.core.audit import AuditEntry
from privacy_rights.core.documents import DocumentKind, Refusal
from privacy_rights.core.errors import NotFound
from privacy_rights.core.models import RequestType, RightsRequest, Status
from privacy_rights.core.ports import PermissionDocument
from privacy_rights.core.request_results import (
    CORRECTIONS,
    ErasureReceipt,
    ObjectionGrounds,
    RequestedCorrection,
    RestrictionLift,
)
from privacy_rights.correction.review import CorrectionReview, FieldDenial, ReviewCorrection
from privacy_rights.ops.ops import DocumentLinkCommand, OpsService
from privacy_rights.ops.request_actions import restriction_view

OWN = "req_test0000000000000001"
OTHER = "req_other000000000000001"
EVIDENCE = "permissions/correction-evidence"


class Documents:
    """A correction's supporting documents (a PDF that counts, a page refused), another
    request's, and an agent's permission."""

    def __init__(self) -> None:
        self.stored = [
            PermissionDocument(f"{EVIDENCE}/{OWN}/bill", 40_000, DocumentKind.PDF, None),
            PermissionDocument(f"{EVIDENCE}/{OWN}/page", 9_000, None, Refusal.UNKNOWN_TYPE),
            PermissionDocument(f"{EVIDENCE}/{OTHER}/bill", 40_000, DocumentKind.PDF, None),
            PermissionDocument(f"permissions/{OWN}/signed", 40_000, DocumentKind.PDF, None),
        ]
        self.linked: list[tuple[str, int]] = []

    def documents(self, request_id: str) -> list[PermissionDocument]:
        return [d for d in self.stored if d.key.startswith(f"permissions/{request_id}/")]

    def evidence(self, request_id: str) -> list[PermissionDocument]:
        return [d for d in self.stored if d.key.startswith(f"{EVIDENCE}/{request_id}/")]

    def view_url(self, key: str, seconds: int) -> str:
        self.linked.append((key, seconds))
        return f"https://permissions.example/{key}?expires={seconds}"


def _correction(make_request: Callable[..., RightsRequest]) -> RightsRequest:
    asked = [
        RequestedCorrection(field="name", held="Jo Exampel", corrected="Jo Example", why="a typo"),
        RequestedCorrection(field="email", held="old.jo@example.net", corrected="jo@example.org"),
    ]
    return make_request(
        type=RequestType.CORRECTION,
        status=Status.IN_PROGRESS,
        extra={CORRECTIONS: [c.stored() for c in asked]},
    )


def _ops(store: FakeRequests, work: FakeWork | None = None, documents: Documents | None = None) -> OpsService:
    return OpsService(store, None, None, FakeHistory(), FakeStarter(), work, documents)  # type: ignore[arg-type]


def test_a_correction_shows_the_changes_asked_the_plan_and_its_supporting_documents(
    make_request: Callable[..., RightsRequest],
) -> None:
    request = _correction(make_request)
    plan = {"by_hand": False, "ask": [], "changes": 3, "fields": ["crm_leads.email", "crm_leads.name"]}
    store, work = FakeRequests(request, ledger={ledger_steps.CORRECTION_PLAN: plan}), FakeWork()
    store.waiting[OWN] = {"correction": "token"}
    key = {"tenant_id": "acme", "lead_id": "L1"}
    work.put_json(
        f"corrections/{OWN}/plan.json",
        {
            "changes": [
                {"index": 0, "field": "name", "store": "crm_leads", "attribute": "name", "key": key},
                {"index": 0, "field": "name", "store": "crm_leads", "attribute": "name", "key": key},
                {"index": 1, "field": "email", "store": "crm_leads", "attribute": "email", "key": key},
            ],
            "rows": [
                {
                    "field": "name",
                    "store": "calls",
                    "outcome": "not_correctable",
                    "records": 2,
                    "why": "It happened.",
                }
            ],
        },
    )

    shown = _ops(store, work, Documents()).show(OWN).model_dump(mode="json")

    assert shown["waiting_for"] == ["correction"]
    correction = shown["correction"]
    assert correction["asked"] == [
        {"field": "name", "held": "Jo Exampel", "corrected": "Jo Example", "why": "a typo"},
        # contact details masked, as the request's subject is
        {"field": "email", "held": "o***@example.net", "corrected": "j***@example.org", "why": ""},
    ]
    assert correction["planned"] == [
        {"field": "email", "store": "crm_leads", "records": 1},
        {"field": "name", "store": "crm_leads", "records": 2},
    ]
    assert correction["not_planned"] == [
        {"field": "name", "store": "calls", "outcome": "not_correctable", "why": "It happened."}
    ]
    assert [(d["key"], d["kind"], d["refused"]) for d in correction["evidence"]] == [
        (f"{EVIDENCE}/{OWN}/bill", "pdf", None),
        (f"{EVIDENCE}/{OWN}/page", None, "unknown_type"),
    ]
    assert shown["objection"] is None
    assert shown["restriction"] is None
    assert shown["held_back"] == []


def test_a_correction_not_planned_yet_shows_what_was_asked_only(
    make_request: Callable[..., RightsRequest],
) -> None:
    request = _correction(make_request)

    correction = _ops(FakeRequests(request), FakeWork(), None).show(OWN).correction

    assert correction is not None
    assert [c.field for c in correction.asked] == ["name", "email"]
    assert (correction.planned, correction.evidence) == (None, [])
    assert _ops(FakeRequests(make_request())).show(OWN).correction is None  # not a correction


def test_a_supporting_document_is_opened_through_a_short_link_and_the_audit_keeps_why(
    make_request: Callable[..., RightsRequest],
) -> None:
    store, documents = FakeRequests(_correction(make_request)), Documents()
    key = f"{EVIDENCE}/{OWN}/bill"

    link = _ops(store, None, documents).document_link(
        OWN, DocumentLinkCommand(key=key, reason="compare the bill with the lead"), "ops@x"
    )

    assert (link.key, link.kind, link.expires_in) == (key, "pdf", 300)
    assert documents.linked == [(key, 300)]
    assert store.audit[-1] == (
        OWN,
        "ops@x",
        "ops.document_opened",
        {"key": key, "reason": "compare the bill with the lead", "document": "correction_evidence"},
    )


@pytest.mark.parametrize(
    "key",
    [
        f"{EVIDENCE}/{OTHER}/bill",  # another request's supporting document
        f"{EVIDENCE}/{OWN}/page",  # refused: not a document
        f"{EVIDENCE}/{OWN}/../{OTHER}/bill",  # a path that leaves the request's folder
        f"{EVIDENCE}/{OWN}/missing",
    ],
)
def test_only_the_corrections_own_documents_that_count_are_opened(
    make_request: Callable[..., RightsRequest], key: str
) -> None:
    store, documents = FakeRequests(_correction(make_request)), Documents()

    with pytest.raises(NotFound):
        _ops(store, None, documents).document_link(
            OWN, DocumentLinkCommand(key=key, reason="compare the bill"), "ops@x"
        )
    assert documents.linked == []
    assert "ops.document_opened" not in store.actions()


def test_a_request_that_is_no_correction_opens_no_supporting_document(
    make_request: Callable[..., RightsRequest],
) -> None:
    """An access request's id with a correction's key layout is refused: evidence is looked for
    only on a correction (whose own folder it must be in)."""
    store, documents = FakeRequests(make_request()), Documents()

    with pytest.raises(NotFound):
        _ops(store, None, documents).document_link(
            OWN, DocumentLinkCommand(key=f"{EVIDENCE}/{OWN}/bill", reason="compare the bill"), "ops@x"
        )
    assert documents.linked == []


def test_an_objection_offers_grounds_for_each_purpose_but_marketing_and_those_recorded(
    make_request: Callable[..., RightsRequest],
) -> None:
    grounds = ObjectionGrounds(
        grounds="Fraud detection.", operator="ops@x", recorded_at="2026-03-01T10:00:00+00:00"
    )
    request = (
        make_request(type=RequestType.OBJECTION, status=Status.COMPLETED)
        .with_objected_to(["analytics", "marketing", "ai_training"])
        .with_objection_grounds("ai_training", grounds)
    )

    objection = _ops(FakeRequests(request)).show(OWN).objection

    assert objection is not None
    assert objection.objected_to == ["analytics", "marketing", "ai_training"]
    assert objection.grounds_possible == ["analytics"]
    assert objection.grounds == {"ai_training": grounds}


def _entry(action: str, detail: dict[str, str], at: datetime) -> AuditEntry:
    return AuditEntry(request_id=OWN, seq=1, at=at, actor="ops@x", action=action, detail=detail, prev_hash="")


def test_a_restriction_shows_its_lift_announced_then_scheduled(
    make_request: Callable[..., RightsRequest], now: datetime
) -> None:
    lift_at = now + timedelta(days=14)
    lift = RestrictionLift(
        reason="We checked the accuracy.",
        operator="ops@x",
        announced_at=now.isoformat(),
        lift_at=lift_at.isoformat(),
    )
    request = make_request(type=RequestType.RESTRICTION, status=Status.COMPLETED).with_restriction_lift(lift)
    announced = [_entry("restriction.lift_announced", {"lift_at": lift.lift_at}, now)]
    later = lift_at + timedelta(hours=1)

    told = restriction_view(request, announced)
    scheduled = restriction_view(
        request, [*announced, _entry("restriction.lift_scheduled", {"lift_at": later.isoformat()}, now)]
    )

    assert told is not None
    assert scheduled is not None
    assert (told.lift, told.lift_scheduled_at) == (lift, None)
    assert scheduled.lift_scheduled_at == later.astimezone(UTC)
    assert restriction_view(make_request(), []) is None
    plain = restriction_view(make_request(type=RequestType.RESTRICTION), [])
    assert plain is not None
    assert (plain.lift, plain.lift_scheduled_at) == (None, None)


def test_a_deletion_shows_what_a_hold_kept_back(make_request: Callable[..., RightsRequest]) -> None:
    held = [{"store": "calls", "hold_id": "hold_1", "matter": "Acme v. Roofco", "records": 4}]
    receipt = ErasureReceipt(stores={}, held=held)
    request = make_request(type=RequestType.DELETION, status=Status.COMPLETED).with_erasure_receipt(receipt)

    assert _ops(FakeRequests(request)).show(OWN).held_back == held
    erased = make_request(type=RequestType.DELETION).with_erasure_receipt(ErasureReceipt(stores={}))
    assert _ops(FakeRequests(erased)).show(OWN).held_back == []


def test_a_correction_review_keeps_ops_reason_and_the_denied_fields_in_the_audit(
    make_request: Callable[..., RightsRequest],
) -> None:
    """The console asks why ops decided so (the CLI may leave it out); the audit keeps it with
    the fields denied, never the words the person reads (kept in the ledger's answer)."""
    store = FakeRequests(_correction(make_request))
    store.waiting[OWN] = {"correction": "token"}
    answers: list[tuple[str, str, dict[str, Any]]] = []
    review = CorrectionReview(
        store, lambda rid, kind, answer, actor: answers.append((rid, kind, dict(answer)))
    )
    denial = FieldDenial(field="email", reason="The address you gave us before is the one we use.")

    reviewed = review.review(
        OWN, ReviewCorrection(deny=[denial], reason="checked the sign-up record"), "ops@x"
    )

    assert reviewed.denied == ["email"]
    assert store.audit[-1] == (
        OWN,
        "ops@x",
        "ops.correction_review",
        {"denied": ["email"], "reason": "checked the sign-up record"},
    )
    assert answers == [(OWN, "correction", {"decision": "reviewed", "denied": {"email": denial.reason}})]
    store.waiting[OWN] = {"correction": "token"}
    review.review(OWN, ReviewCorrection(), "ops@x")  # as the CLI sends it: no reason
    assert store.audit[-1][3] == {"denied": []}
