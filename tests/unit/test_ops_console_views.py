"""What the ops API gives the console's views (issue 18), on fakes: a request's appeal (filed,
due, the person's statement, the decision) is part of the request the console shows, so ops read
it before they decide the appeal; the queue lists open appeals with their own deadline, and the
requests parked for a business customer's instruction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from fakes import FakeHistory, FakeRequests, FakeStarter

from privacy_rights.core import ledger_steps
from privacy_rights.core.documents import DocumentKind, Refusal
from privacy_rights.core.errors import NotFound
from privacy_rights.core.models import (
    Appeal,
    AppealDecision,
    Denial,
    DenialReason,
    Jurisdiction,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.core.ports import PermissionDocument
from privacy_rights.ops.ops import DocumentLinkCommand, ListQuery, OpsService

STATEMENT = "I did call you from this number last spring, twice."


def _ops(request: RightsRequest) -> OpsService:
    return OpsService(FakeRequests(request), None, None, FakeHistory(), FakeStarter(), None)  # type: ignore[arg-type]


def test_an_appealed_request_shows_its_appeal_for_ops_to_decide(
    make_request: Callable[..., RightsRequest], now: datetime
) -> None:
    appeal = Appeal(filed_at=now, due=date(2026, 5, 1), statement=STATEMENT, via="status_page")
    request = make_request(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.US_STATE,
        us_state="CO",
        status=Status.APPEALED,
        denial=Denial(reason=DenialReason.UNVERIFIABLE),
        appeal=appeal,
    )

    shown = _ops(request).show(request.request_id).model_dump(mode="json")

    assert shown["appeal"] == {
        "filed_at": now.isoformat().replace("+00:00", "Z"),
        "due": "2026-05-01",
        "decision": None,
        "decided_at": None,
        "explanation": "",
        "statement": STATEMENT,
        "via": "status_page",
    }
    assert shown["denial"]["reason"] == "unverifiable"


def test_a_decided_appeal_shows_the_decision_and_a_request_never_appealed_shows_none(
    make_request: Callable[..., RightsRequest], now: datetime
) -> None:
    decided = Appeal(
        filed_at=now,
        due=date(2026, 5, 1),
        decision=AppealDecision.DENIED,
        decided_at=now + timedelta(days=3),
        explanation="We checked the call records again.",
    )
    appealed = make_request(
        jurisdiction=Jurisdiction.US_STATE, us_state="VA", status=Status.APPEAL_DENIED, appeal=decided
    )
    assert _ops(appealed).show(appealed.request_id).appeal == decided

    plain = make_request()
    assert _ops(plain).show(plain.request_id).appeal is None


def test_the_appeals_queue_lists_each_open_appeal_with_its_own_deadline(
    make_request: Callable[..., RightsRequest], now: datetime
) -> None:
    appeal = Appeal(filed_at=now, due=date(2026, 5, 1), statement=STATEMENT)
    request = make_request(
        jurisdiction=Jurisdiction.US_STATE, us_state="CO", status=Status.APPEALED, appeal=appeal
    )

    (row,) = _ops(request).list_requests(ListQuery(status=Status.APPEALED))

    assert (row.request_id, row.status, row.appeal_due) == (
        request.request_id,
        Status.APPEALED,
        date(2026, 5, 1),
    )
    assert _ops(make_request()).list_requests(ListQuery(status=Status.RECEIVED))[0].appeal_due is None


def test_the_queue_filters_the_requests_waiting_for_a_business_customer(
    make_request: Callable[..., RightsRequest],
) -> None:
    asked = make_request(request_id="req_asked000000000000001", status=Status.IN_PROGRESS)
    other = make_request(request_id="req_other000000000000001", status=Status.IN_PROGRESS)
    store = FakeRequests(asked)
    store.requests[other.request_id] = other
    store.waiting[asked.request_id] = {"customer": "token"}
    ops = OpsService(store, None, None, FakeHistory(), FakeStarter(), None)  # type: ignore[arg-type]

    waiting = ops.list_requests(ListQuery(status=Status.IN_PROGRESS, waiting_for="customer"))

    assert [row.request_id for row in waiting] == [asked.request_id]
    assert len(ops.list_requests(ListQuery(status=Status.IN_PROGRESS))) == 2


class Documents:
    """An agent's documents under one request: a PDF that counts and an HTML page refused."""

    def __init__(self, request_id: str) -> None:
        self.stored = [
            PermissionDocument(f"permissions/{request_id}/signed", 40_000, DocumentKind.PDF, None),
            PermissionDocument(f"permissions/{request_id}/page", 9_000, None, Refusal.UNKNOWN_TYPE),
        ]
        self.linked: list[tuple[str, int]] = []

    def documents(self, request_id: str) -> list[PermissionDocument]:
        return [d for d in self.stored if d.key.startswith(f"permissions/{request_id}/")]

    def view_url(self, key: str, seconds: int) -> str:
        self.linked.append((key, seconds))
        return f"https://permissions.example/{key}?expires={seconds}"


def test_a_permission_document_is_opened_through_a_short_link_and_the_audit_keeps_why(
    make_request: Callable[..., RightsRequest],
) -> None:
    request = make_request()
    store, documents = FakeRequests(request), Documents(request.request_id)
    ops = OpsService(store, None, None, FakeHistory(), FakeStarter(), None, documents)  # type: ignore[arg-type]
    key = f"permissions/{request.request_id}/signed"

    link = ops.document_link(
        request.request_id, DocumentLinkCommand(key=key, reason="review the signature"), "ops@x"
    )

    assert (link.key, link.kind, link.expires_in) == (key, "pdf", 300)
    assert link.url == f"https://permissions.example/{key}?expires=300"
    assert store.audit[-1] == (
        request.request_id,
        "ops@x",
        "ops.document_opened",
        {"key": key, "reason": "review the signature"},
    )


@pytest.mark.parametrize(
    "key",
    [
        "permissions/req_test0000000000000001/page",  # refused: not a document
        "permissions/req_other/signed",  # another request's
        "inbound/raw-mail",  # not a permission at all
    ],
)
def test_only_the_requests_own_documents_that_count_are_opened(
    make_request: Callable[..., RightsRequest], key: str
) -> None:
    request = make_request()
    store, documents = FakeRequests(request), Documents(request.request_id)
    documents.stored.append(
        PermissionDocument("permissions/req_other/signed", 40_000, DocumentKind.PDF, None)
    )
    ops = OpsService(store, None, None, FakeHistory(), FakeStarter(), None, documents)  # type: ignore[arg-type]

    with pytest.raises(NotFound):
        ops.document_link(
            request.request_id, DocumentLinkCommand(key=key, reason="review the signature"), "ops@x"
        )
    assert documents.linked == []
    assert "ops.document_opened" not in store.actions()


class Recordings:
    def __init__(self) -> None:
        self.linked: list[tuple[str, int]] = []

    def link(self, key: str, seconds: int) -> str:
        self.linked.append((key, seconds))
        return f"https://recordings.example/{key}?expires={seconds}"


REVIEWED = "recordings/acme/call_transferred.wav"


def _review_desk(
    make_request: Callable[..., RightsRequest],
) -> tuple[RightsRequest, FakeRequests, Recordings, OpsService]:
    request = make_request()
    review = {"recordings": [{"call_id": "call_transferred", "key": REVIEWED, "other_turns": [[3.0, 9.5]]}]}
    store, recordings = (
        FakeRequests(request, ledger={ledger_steps.EXPORT_REVIEW_NEEDED: review}),
        Recordings(),
    )
    ops = OpsService(store, None, None, FakeHistory(), FakeStarter(), None, None, recordings)  # type: ignore[arg-type]
    return request, store, recordings, ops


def test_a_recording_under_review_is_opened_through_a_short_link_and_the_audit_keeps_why(
    make_request: Callable[..., RightsRequest],
) -> None:
    request, store, recordings, ops = _review_desk(make_request)

    link = ops.recording_link(
        request.request_id, DocumentLinkCommand(key=REVIEWED, reason="listen to the transfer"), "ops@x"
    )

    assert (link.key, link.kind, link.expires_in) == (REVIEWED, "recording", 300)
    assert recordings.linked == [(REVIEWED, 300)]
    assert store.audit[-1] == (
        request.request_id,
        "ops@x",
        "ops.recording_opened",
        {"key": REVIEWED, "reason": "listen to the transfer"},
    )


def test_only_a_recording_the_requests_review_lists_is_opened(
    make_request: Callable[..., RightsRequest],
) -> None:
    request, store, recordings, ops = _review_desk(make_request)

    with pytest.raises(NotFound):
        ops.recording_link(
            request.request_id,
            DocumentLinkCommand(key="recordings/acme/someone_else.wav", reason="curious about it"),
            "ops@x",
        )
    assert recordings.linked == []
    assert "ops.recording_opened" not in store.actions()
