"""Appeals (US state laws) on fakes: who may appeal, until when, the 60-day (Colorado 45)
deadline, the written decision, and a denied appeal's attorney general."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fakes import (
    FakeKeys,
    FakeMessenger,
    FakeRequests,
    notices_workflow,
)

from privacy_rights.core import ledger_steps, notices
from privacy_rights.core.attorneys_general import ATTORNEYS_GENERAL, contact_sentence
from privacy_rights.core.errors import CannotMove, NotFound
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    AppealDecision,
    Denial,
    DenialReason,
    Jurisdiction,
    Outcome,
    RightsRequest,
    Status,
)
from privacy_rights.core.remedies import US_STATE_NAMES
from privacy_rights.core.tokens import status_token
from privacy_rights.orchestration.workflow import Verdict
from privacy_rights.rights_requests.appeal_rules import appealable_until
from privacy_rights.rights_requests.appeals import AppealService, DecideAppeal, FileAppeal

ANSWERED = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
DENIAL = Denial(reason=DenialReason.UNVERIFIABLE)
EXPLANATION = "We checked the call records again: none of them came from the number you gave."
STATEMENT = "I did call you from this number last spring, twice."


class Desk:
    def __init__(self, ring: KeyRing, request: RightsRequest, today: datetime) -> None:
        self.ring = ring
        self.today = today
        self.store = FakeRequests(request)
        self.messenger = FakeMessenger()
        workflow = notices_workflow(self.store, ring, self.messenger)
        self.service = AppealService(self.store, FakeKeys(ring), workflow, clock=lambda: self.today)

    def token(self, request_id: str) -> str:
        return status_token(self.ring, request_id, self.store.get(request_id).status_nonce)

    def file(self, request_id: str, statement: str = STATEMENT) -> Any:
        return self.service.file_with_token(
            request_id, self.token(request_id), FileAppeal(statement=statement)
        )


def _denied(make_request: Callable[..., RightsRequest], **fields: Any) -> RightsRequest:
    values: dict[str, Any] = {
        "jurisdiction": Jurisdiction.US_STATE,
        "us_state": "VA",
        "status": Status.DENIED,
        "denial": DENIAL,
        "status_changed_at": ANSWERED,
    }
    values.update(fields)
    return make_request(**values)


@pytest.mark.parametrize(("us_state", "days"), [("VA", 60), ("TX", 60), ("CO", 45)])
def test_an_appeal_from_the_status_page_is_decided_within_the_states_days(
    make_request: Callable[..., RightsRequest], ring: KeyRing, us_state: str, days: int
) -> None:
    request = _denied(make_request, us_state=us_state)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))

    filed = desk.file(request.request_id)

    stored = desk.store.get(request.request_id)
    assert stored.status is Status.APPEALED
    assert stored.appeal is not None
    assert stored.appeal.due == date(2026, 3, 15) + timedelta(days=days) == filed.appeal_due
    assert (stored.appeal.statement, stored.appeal.via) == (STATEMENT, "status_page")
    assert filed.notice == "email"
    (email,) = desk.messenger.sent
    assert f"by {filed.appeal_due.isoformat()}" in email["text"]
    assert "appeal.filed" in desk.store.actions(request.request_id)
    assert ledger_steps.notice("appeal_received") in desk.store.ledger(request.request_id)
    # a second click finds the same appeal: one appeal, one acknowledgement
    again = desk.file(request.request_id)
    assert (again.appeal_due, len(desk.messenger.sent)) == (filed.appeal_due, 1)


def test_without_the_status_token_nobody_appeals(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _denied(make_request)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))
    forged = status_token(ring, request.request_id, "another-nonce")

    with pytest.raises(NotFound):
        desk.service.file_with_token(request.request_id, forged, FileAppeal())
    with pytest.raises(NotFound):
        desk.service.file_with_token(request.request_id, "", FileAppeal())

    assert desk.store.get(request.request_id).status is Status.DENIED
    assert desk.messenger.sent == []


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"jurisdiction": Jurisdiction.GDPR, "us_state": None}, "supervisory authority"),
        ({"jurisdiction": Jurisdiction.CCPA, "us_state": None}, "under the CCPA"),
        ({"status": Status.COMPLETED, "denial": None, "outcome": Outcome.COMPLIED}, "complied with in full"),
        ({"status": Status.IN_PROGRESS, "denial": None}, "no answer to appeal yet"),
    ],
)
def test_only_an_answer_under_a_law_with_appeals_that_did_not_give_everything_is_appealed(
    make_request: Callable[..., RightsRequest], ring: KeyRing, fields: dict[str, Any], why: str
) -> None:
    request = _denied(make_request, **fields)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))

    with pytest.raises(CannotMove) as refused:
        desk.file(request.request_id)

    assert why in refused.value.why
    assert desk.store.get(request.request_id).status is request.status
    assert desk.messenger.sent == []
    assert "appeal.refused" in desk.store.actions(request.request_id)
    assert appealable_until(request) is None


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Status.COMPLETED, "denial": None, "outcome": Outcome.PARTIALLY_COMPLIED},
        {"jurisdiction": Jurisdiction.OTHER, "us_state": None},  # told it may appeal: it may
    ],
)
def test_a_partial_answer_and_an_answer_under_other_may_be_appealed(
    make_request: Callable[..., RightsRequest], ring: KeyRing, fields: dict[str, Any]
) -> None:
    request = _denied(make_request, **fields)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))

    assert desk.file(request.request_id).status is Status.APPEALED
    assert appealable_until(request) == date(2026, 5, 9)


def test_the_window_to_appeal_closes_60_days_after_the_answer(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _denied(make_request)
    last_day = Desk(ring, request, today=datetime(2026, 5, 9, 23, 0, tzinfo=UTC))  # 16:00 in California
    assert last_day.file(request.request_id).status is Status.APPEALED

    late = Desk(ring, request, today=datetime(2026, 5, 10, 18, 0, tzinfo=UTC))
    with pytest.raises(CannotMove, match="ended on 2026-05-09"):
        late.file(request.request_id)
    assert late.store.get(request.request_id).status is Status.DENIED


def _appealed(make_request: Callable[..., RightsRequest], ring: KeyRing, **fields: Any) -> Desk:
    request = _denied(make_request, **fields)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))
    desk.file(request.request_id)
    desk.messenger.sent.clear()
    desk.today = ANSWERED + timedelta(days=20)
    return desk


def test_a_denied_appeal_is_final_and_names_the_states_attorney_general(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    desk = _appealed(make_request, ring, us_state="CO")
    request_id = "req_test0000000000000001"

    decided = desk.service.decide(
        request_id,
        DecideAppeal(decision=AppealDecision.DENIED, explanation=EXPLANATION, reason="rechecked"),
        "ana",
    )

    stored = desk.store.get(request_id)
    assert (decided.status, stored.status) == (Status.APPEAL_DENIED, Status.APPEAL_DENIED)
    assert stored.appeal is not None
    assert stored.appeal.explanation == EXPLANATION
    assert decided.late is False
    (email,) = desk.messenger.sent
    assert EXPLANATION in email["text"]
    assert "We denied your appeal" in email["text"]
    assert "the Colorado Attorney General" in email["text"]
    assert "coag.gov/file-complaint" in email["text"]
    assert "reopened" not in email["text"]
    assert "appeal.denied" in desk.store.actions(request_id)
    # a retry of the same decision sends nothing more; a different one is refused
    again = desk.service.decide(
        request_id,
        DecideAppeal(decision=AppealDecision.DENIED, explanation=EXPLANATION, reason="rechecked"),
        "ana",
    )
    assert (again.notice, len(desk.messenger.sent)) == ("already_sent", 1)
    with pytest.raises(CannotMove, match="decided once"):
        desk.service.decide(
            request_id,
            DecideAppeal(decision=AppealDecision.GRANTED, explanation=EXPLANATION, reason="x"),
            "ana",
        )


def test_a_granted_appeal_reopens_the_request_and_says_only_that(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    desk = _appealed(make_request, ring)
    request_id = "req_test0000000000000001"

    decided = desk.service.decide(
        request_id,
        DecideAppeal(decision=AppealDecision.GRANTED, explanation="We found your calls.", reason="found"),
        "ana",
    )

    stored = desk.store.get(request_id)
    assert stored.status is Status.IN_PROGRESS
    assert stored.denial is None
    assert stored.appeal is not None
    assert stored.appeal.decision is AppealDecision.GRANTED
    assert "replay" in decided.next
    (email,) = desk.messenger.sent
    assert "We granted your appeal" in email["text"]
    assert "We found your calls." in email["text"]
    assert "Attorney General" not in email["text"]
    assert "attorney general" not in email["text"]


def test_a_granted_appeal_carried_out_sends_the_new_answer_once(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """The first answer's notice went before the appeal; the answer after it is a notice of its
    own (it used to be refused as already sent, so the person never heard the appeal's end)."""
    desk = _appealed(make_request, ring)
    request_id = "req_test0000000000000001"
    desk.store.complete_step(request_id, ledger_steps.notice("final"), {"channel": "email"}, "workflow")
    desk.service.decide(
        request_id,
        DecideAppeal(decision=AppealDecision.GRANTED, explanation="We found your calls.", reason="found"),
        "ana",
    )
    workflow = notices_workflow(desk.store, ring, desk.messenger)
    verdict = Verdict(result="completed", outcome=Outcome.COMPLIED)

    workflow.finalize(request_id, verdict)
    workflow.finalize(request_id, verdict)  # a retried Finalize

    granted, answer = desk.messenger.sent
    assert "We granted your appeal" in granted["text"]
    assert answer["subject"].startswith(f"Your privacy request {request_id} ")
    assert ledger_steps.notice(ledger_steps.FINAL_AFTER_APPEAL) in desk.store.ledger(request_id)
    assert desk.store.get(request_id).status is Status.COMPLETED


def test_a_decision_after_the_due_date_is_flagged_late(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    desk = _appealed(make_request, ring)
    desk.today = ANSWERED + timedelta(days=70)

    decided = desk.service.decide(
        "req_test0000000000000001",
        DecideAppeal(decision=AppealDecision.DENIED, explanation=EXPLANATION, reason="late"),
        "ana",
    )

    assert decided.late is True


def test_an_appeal_is_decided_only_when_one_is_open(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _denied(make_request)
    desk = Desk(ring, request, today=ANSWERED + timedelta(days=5))

    with pytest.raises(CannotMove, match="no appeal to decide"):
        desk.service.decide(
            request.request_id,
            DecideAppeal(decision=AppealDecision.DENIED, explanation=EXPLANATION, reason="x"),
            "ana",
        )


def test_the_written_explanation_is_plain_text_without_contact_details() -> None:
    with pytest.raises(ValueError, match="no email addresses"):
        DecideAppeal(decision=AppealDecision.DENIED, explanation="Write to someone@example.com", reason="x")
    with pytest.raises(ValueError, match="no links"):
        DecideAppeal(decision=AppealDecision.DENIED, explanation="See https://example.com", reason="x")


def test_every_state_named_has_an_attorney_general_with_a_source() -> None:
    assert ATTORNEYS_GENERAL.keys() == US_STATE_NAMES.keys()
    for state, office in ATTORNEYS_GENERAL.items():
        assert US_STATE_NAMES[state] in office.office
        assert office.contact
        assert office.source
    assert "1-800-552-9963" in contact_sentence("VA")
    assert "attorney general of the state where you live" in contact_sentence(None)


def test_the_status_page_answer_after_a_denied_appeal_says_what_happened(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    desk = _appealed(make_request, ring, us_state="CO")
    request_id = "req_test0000000000000001"
    assert notices.appeal_denied_answer(desk.store.get(request_id), contact_sentence("CO")) is None  # open

    desk.service.decide(
        request_id, DecideAppeal(decision=AppealDecision.DENIED, explanation=EXPLANATION, reason="x"), "ana"
    )

    answer = notices.appeal_denied_answer(desk.store.get(request_id), contact_sentence("CO"))
    assert answer is not None
    assert answer.startswith(
        "We could not act on your request to get a copy of your personal data. We could not verify your "
        "identity within the time allowed."
    )
    assert f"We denied your appeal: our answer stands. Our reasons: {EXPLANATION}" in answer
    assert "coag.gov/file-complaint" in answer
    assert "You may appeal" not in answer  # appealed once: no second appeal is offered


def test_the_statement_is_optional_plain_text_of_up_to_2000_characters() -> None:
    assert FileAppeal().statement == ""
    assert len(FileAppeal(statement="x" * 2000).statement) == 2000
    with pytest.raises(ValueError, match="2000"):
        FileAppeal(statement="x" * 2001)
    with pytest.raises(ValueError, match="control characters"):
        FileAppeal(statement="a\x00b")
