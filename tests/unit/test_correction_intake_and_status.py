"""What the public form and status page rely on for a correction (issue 17), on in-memory fakes:
several changes in one request, each {field, held, corrected}, refused field by field; a document
supporting a correction signed for only on an open correction and never filed as a permission;
the status page offered a statement only where a correction was denied and no statement kept."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import FakeKeys, FakePreferenceMarks, FakeRequests, FakeStarter
from pydantic import ValidationError

from conftest import make_request
from privacy_rights.core.errors import ValidationFailed
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import Channel, RequestType, RightsRequest, Status
from privacy_rights.core.request_results import CorrectionResult, CorrectionStatement
from privacy_rights.core.tokens import status_token
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.rights_requests.intake import CORRECTION_EVIDENCE, IntakeService
from privacy_rights.rights_requests.submission import SubmitRequest

EMAIL = "jane@example.com"


class FakeDocuments:
    """The upload forms signed, by kind of document; nothing uploaded."""

    def __init__(self) -> None:
        self.forms: list[tuple[str, str, str]] = []

    def upload_form(self, request_id: str, content_type: str, document: str = "permission") -> dict[str, Any]:
        self.forms.append((request_id, content_type, document))
        return {"url": "https://uploads.example/", "fields": {"key": f"{document}/{request_id}/1"}}

    def copy_from(self, bucket: str, key: str, request_id: str) -> Any:
        raise AssertionError("not used")

    def documents(self, request_id: str) -> list[Any]:
        return []

    def present(self, request_id: str) -> bool:
        return False

    def view_url(self, key: str, seconds: int) -> str:
        raise AssertionError("not used")


def _intake(ring: KeyRing, documents: FakeDocuments | None = None) -> tuple[IntakeService, FakeRequests]:
    store = FakeRequests()
    keys = FakeKeys(ring)
    preferences = PreferenceService(FakePreferenceMarks(), keys)
    return IntakeService(store, keys, FakeStarter(), preferences, permissions=documents), store


def _correction(changes: list[dict[str, Any]]) -> SubmitRequest:
    return SubmitRequest.model_validate(
        {"type": "correction", "jurisdiction": "gdpr", "email": EMAIL, "corrections": changes}
    )


def test_one_request_takes_several_changes_each_with_the_value_held(ring: KeyRing) -> None:
    intake, store = _intake(ring)
    body = _correction(
        [
            {"field": "name", "held": "Jane Doe", "corrected": "Janet Doe", "why": "married"},
            {"field": "email", "held": "old@example.com", "corrected": "new@example.com"},
            {"field": "notes", "corrected": "no longer interested"},
        ]
    )
    acknowledged = intake.submit(body, Channel.WEB, actor="requester")
    asked = store.get(acknowledged.request_id).corrections
    assert [(c.field, c.held, c.corrected) for c in asked] == [
        ("name", "Jane Doe", "Janet Doe"),
        ("email", "old@example.com", "new@example.com"),
        ("notes", "", "no longer interested"),
    ]
    assert asked[0].why == "married"


@pytest.mark.parametrize(
    ("changes", "where", "words"),
    [
        # each reason names the change (its index) and, where it can, the part of it
        (
            [
                {"field": "name", "corrected": "A"},
                {"field": "email", "held": "nope", "corrected": "a@example.com"},
            ],
            ("corrections", 1),
            "held:",
        ),
        (
            [{"field": "name", "corrected": "A"}, {"field": "name", "held": "B", "corrected": "B"}],
            ("corrections", 1),
            "same value",
        ),
        ([{"field": "name", "corrected": ""}], ("corrections", 0, "corrected"), ""),
        ([{"field": "shoe_size", "corrected": "42"}], ("corrections", 0, "field"), ""),
        ([{"field": "name", "held": "x" * 501, "corrected": "A"}], ("corrections", 0, "held"), ""),
        ([{"field": "name", "corrected": f"N{i}"} for i in range(21)], ("corrections",), ""),
    ],
)
def test_a_bad_change_is_refused_with_its_place(
    changes: list[dict[str, Any]], where: tuple[Any, ...], words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _correction(changes)
    (error,) = refused.value.errors()
    assert error["loc"] == where
    assert words in error["msg"]


def _stored(store: FakeRequests, request: RightsRequest) -> str:
    store.requests[request.request_id] = request
    return request.request_id


def test_a_supporting_document_is_signed_for_only_on_an_open_correction(ring: KeyRing) -> None:
    documents = FakeDocuments()
    intake, store = _intake(ring, documents)
    correction = make_request(request_id="req_correction00000000001", type=RequestType.CORRECTION)
    token = status_token(ring, _stored(store, correction), correction.status_nonce)
    form = intake.permission_upload(correction.request_id, token, "application/pdf", CORRECTION_EVIDENCE)
    assert form["url"] == "https://uploads.example/"
    assert documents.forms == [(correction.request_id, "application/pdf", CORRECTION_EVIDENCE)]
    assert [a for _, _, a, _ in store.audit] == ["correction.evidence_upload_offered"]

    # the person's own request takes no permission; a document goes with a correction only
    with pytest.raises(ValidationFailed) as refused:
        intake.permission_upload(correction.request_id, token, "application/pdf")
    assert "request" in refused.value.errors
    access = make_request(request_id="req_access000000000000001", type=RequestType.ACCESS)
    access_token = status_token(ring, _stored(store, access), access.status_nonce)
    with pytest.raises(ValidationFailed) as refused:
        intake.permission_upload(access.request_id, access_token, "image/png", CORRECTION_EVIDENCE)
    assert "correction" in refused.value.errors["document"]
    closed = correction.model_copy(
        update={"request_id": "req_correction00000000002", "status": Status.COMPLETED}
    )
    closed_token = status_token(ring, _stored(store, closed), closed.status_nonce)
    with pytest.raises(ValidationFailed) as refused:
        intake.permission_upload(closed.request_id, closed_token, "image/png", CORRECTION_EVIDENCE)
    assert "closed" in refused.value.errors["document"]
    assert len(documents.forms) == 1


DENIED = CorrectionResult(
    completed_at="2026-03-10T09:00:00+00:00",
    changes=[
        {
            "field": "name",
            "store": "crm_leads",
            "outcome": "denied",
            "records": 1,
            "why": "the contract",
            "where": "CRM",
        },
        {"field": "email", "store": "crm_leads", "outcome": "applied", "records": 1, "where": "CRM"},
    ],
)
APPLIED = CorrectionResult(
    changes=[{"field": "email", "store": "crm_leads", "outcome": "applied", "records": 1, "where": "CRM"}]
)


def test_the_status_page_takes_documents_only_for_an_open_correction(ring: KeyRing) -> None:
    intake, store = _intake(ring, FakeDocuments())
    for kind, status, welcome in (
        (RequestType.CORRECTION, Status.AWAITING_VERIFICATION, True),
        (RequestType.CORRECTION, Status.DENIED, False),
        (RequestType.DELETION, Status.AWAITING_VERIFICATION, False),
    ):
        request = make_request(
            request_id=f"req_documents{kind.value[:4]}{status.value[:4]}0001", type=kind, status=status
        )
        token = status_token(ring, _stored(store, request), request.status_nonce)
        assert intake.status(request.request_id, token).documents_welcome is welcome, (kind, status)


def test_the_status_page_is_offered_a_statement_only_after_a_denial_and_until_one_is_kept(
    ring: KeyRing,
) -> None:
    intake, store = _intake(ring)
    base = make_request(
        request_id="req_correction00000000003", type=RequestType.CORRECTION, status=Status.COMPLETED
    )
    token = status_token(ring, base.request_id, base.status_nonce)

    _stored(store, base)
    view = intake.status(base.request_id, token)
    assert (view.statement_possible, view.statement_added_at) == (False, None)
    assert view.documents_welcome is False  # closed: no documents either

    _stored(store, base.with_correction_result(APPLIED))
    assert intake.status(base.request_id, token).statement_possible is False

    _stored(store, base.with_correction_result(DENIED))
    assert intake.status(base.request_id, token).statement_possible is True

    kept = CorrectionStatement(text="See my passport.", added_at="2026-03-11T10:00:00+00:00")
    _stored(store, base.with_correction_result(DENIED).with_correction_statement(kept))
    view = intake.status(base.request_id, token)
    assert view.statement_possible is False
    assert view.statement_added_at == datetime(2026, 3, 11, 10, 0, tzinfo=UTC)
