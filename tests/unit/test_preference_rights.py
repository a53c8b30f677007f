"""Issue 17's preference rights on the fakes: the "may I process?" check for every preference x
purpose; objection per purpose (GDPR Art. 21) with and without compelling grounds, marketing
never overridable; a restriction lifted only after the person was told and the notice period
passed (Art. 18(3))."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakes import (
    FakeKeys,
    FakeLocks,
    FakeMessenger,
    FakePreferenceMarks,
    FakeRequests,
    FakeStarter,
    FakeTokens,
)
from pydantic import ValidationError

from privacy_rights.core import errors, notices
from privacy_rights.core.data_map import load_data_map, parse_data_map
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    Channel,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.core.ports import OBJECTION, OPT_OUT
from privacy_rights.core.remedies import ContactPoints, gdpr_remedies
from privacy_rights.core.tokens import status_token
from privacy_rights.orchestration.workflow import Verdict, Workflow
from privacy_rights.preferences.objections import consent_purposes, named_purposes, objectable_purposes
from privacy_rights.preferences.preference_decisions import (
    GroundsCommand,
    LiftCommand,
    PreferenceDecisionService,
)
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.preferences.preferences import (
    IMPLIED_OPT_OUTS,
    RESTRICTION_ALLOWS,
    SUPPRESSED_PURPOSES,
    Mark,
    PreferenceRecord,
    Purpose,
    decide,
)
from privacy_rights.rights_requests.intake import IntakeService, subject_keys
from privacy_rights.rights_requests.submission import SubmitRequest

EMAIL = "jane@example.com"
MOBILE = "+14155550123"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
CONTACTS = ContactPoints(privacy_address="info@privacy.callx.com")
GROUNDS = "Fraud patterns in call analytics protect every caller; your calls stay in aggregate counts only."
MAP_FILE = Path(__file__).resolve().parents[2] / "layers/privacy_rights/core/data_map.yaml"

# -- the "may I process?" check, every preference x purpose -----------------------------------------

MARK = Mark(at=NOW - timedelta(days=1), request_id="req_pref00000000000000001")


def _record(**fields: Any) -> PreferenceRecord:
    return PreferenceRecord(subject_key="k", **fields)


def _expected_no(kind: str, value: str, purpose: Purpose) -> bool:
    if kind == "opt_out":
        return purpose in IMPLIED_OPT_OUTS[OptOutPurpose(value)]
    if kind == "objection":
        return purpose.value == value
    if kind == "objection_with_grounds":
        return purpose.value == value == Purpose.MARKETING.value  # marketing: grounds never count
    if kind in ("restriction", "restriction_lift_pending"):
        return purpose not in RESTRICTION_ALLOWS
    if kind == "restriction_lifted":
        return False
    assert kind == "suppression"
    return purpose in SUPPRESSED_PURPOSES


def _preference(kind: str, value: str) -> PreferenceRecord:
    grounded = MARK.model_copy(update={"grounds_request_id": "req_grounds000000000001", "grounds_at": NOW})
    return {
        "opt_out": lambda: _record(opt_outs={value: MARK}),
        "objection": lambda: _record(objections={value: MARK}),
        "objection_with_grounds": lambda: _record(objections={value: grounded}),
        "restriction": lambda: _record(restriction=MARK),
        "restriction_lift_pending": lambda: _record(
            restriction=MARK.model_copy(update={"lift_at": NOW + timedelta(seconds=1)})
        ),
        "restriction_lifted": lambda: _record(restriction=MARK.model_copy(update={"lift_at": NOW})),
        "suppression": lambda: _record(suppression=MARK),
    }[kind]()


PREFERENCES = (
    [("opt_out", p.value) for p in OptOutPurpose]
    + [("objection", p.value) for p in objectable_purposes(load_data_map())]
    + [("objection_with_grounds", p.value) for p in objectable_purposes(load_data_map())]
    + [("restriction", ""), ("restriction_lift_pending", ""), ("restriction_lifted", ""), ("suppression", "")]
)


@pytest.mark.parametrize("purpose", list(Purpose))
@pytest.mark.parametrize(("kind", "value"), PREFERENCES)
def test_may_process_answers_for_every_preference_and_purpose(
    kind: str, value: str, purpose: Purpose
) -> None:
    decision = decide([_preference(kind, value)], purpose, now=NOW)
    assert decision.allowed is not _expected_no(kind, value, purpose)
    assert decision.purpose is purpose
    if not decision.allowed:
        assert MARK.request_id in decision.reason


def test_with_nothing_recorded_every_purpose_is_allowed() -> None:
    assert all(decide([], purpose, now=NOW).allowed for purpose in Purpose)


def test_a_no_under_any_key_wins_over_grounds_under_another() -> None:
    grounded = MARK.model_copy(update={"grounds_request_id": "req_grounds000000000001"})
    records = [_record(objections={"analytics": grounded}), _record(objections={"analytics": MARK})]
    assert not decide(records, Purpose.ANALYTICS, now=NOW).allowed
    assert decide(records[:1], Purpose.ANALYTICS, now=NOW).allowed


# -- which purposes an objection may name: the data map's legitimate interests ----------------------


def test_objectable_purposes_come_from_the_data_map() -> None:
    assert {p.value for p in objectable_purposes(load_data_map())} == {
        "analytics",
        "ai_training",
        "agent_scoring",
        "marketing",
    }
    text = MAP_FILE.read_text().replace("  analytics: [legitimate_interests]", "  analytics: [contract]")
    assert "analytics" not in {p.value for p in objectable_purposes(parse_data_map(text))}


def test_a_purpose_on_legitimate_interests_the_check_does_not_know_is_refused() -> None:
    text = MAP_FILE.read_text().replace("  quality: [contract]", "  quality: [legitimate_interests]")
    with pytest.raises(ValueError, match="quality"):
        objectable_purposes(parse_data_map(text))


def test_every_purpose_needs_a_legal_basis() -> None:
    text = MAP_FILE.read_text().replace("  quality: [contract]\n", "")
    with pytest.raises(ValidationError, match="quality"):
        parse_data_map(text)


def test_the_named_purposes_are_checked_one_by_one() -> None:
    data_map = load_data_map()
    with pytest.raises(errors.ValidationFailed) as refused:
        named_purposes(["analytics", "service", "astrology", "analytics"], data_map)
    assert set(refused.value.errors) == {"object_to[1]", "object_to[2]", "object_to[3]"}
    assert "contract" in refused.value.errors["object_to[1]"]
    assert "not a purpose" in refused.value.errors["object_to[2]"]
    assert "twice" in refused.value.errors["object_to[3]"]
    with pytest.raises(errors.ValidationFailed, match="object_to"):
        named_purposes([], data_map)
    assert set(named_purposes([], data_map, everything_if_none=True)) == {
        p.value for p in objectable_purposes(data_map)
    }


def _intake(ring: KeyRing) -> tuple[IntakeService, FakeRequests]:
    store = FakeRequests()
    marks = FakePreferenceMarks()
    return IntakeService(
        store, FakeKeys(ring), FakeStarter(), PreferenceService(marks, FakeKeys(ring))
    ), store


def test_intake_keeps_the_purposes_objected_to(ring: KeyRing) -> None:
    intake, store = _intake(ring)
    body = SubmitRequest(
        type=RequestType.OBJECTION, jurisdiction=Jurisdiction.GDPR, email=EMAIL, object_to=["agent_scoring"]
    )
    acknowledged = intake.submit(body, Channel.WEB, actor="requester")
    assert store.get(acknowledged.request_id).objected_to == ("agent_scoring",)


def test_intake_refuses_an_objection_naming_nothing_or_what_cannot_be_objected_to(ring: KeyRing) -> None:
    intake, store = _intake(ring)
    for named, field in (([], "object_to"), (["billing"], "object_to[0]")):
        body = SubmitRequest(
            type=RequestType.OBJECTION, jurisdiction=Jurisdiction.GDPR, email=EMAIL, object_to=named
        )
        with pytest.raises(errors.ValidationFailed) as refused:
            intake.submit(body, Channel.WEB, actor="requester")
        assert list(refused.value.errors) == [field]
    with pytest.raises(ValidationError, match="object_to goes with type objection"):
        SubmitRequest(
            type=RequestType.ACCESS, jurisdiction=Jurisdiction.GDPR, email=EMAIL, object_to=["analytics"]
        )
    # an email that objects without naming a use objects to every use it may name
    body = SubmitRequest(type=RequestType.OBJECTION, jurisdiction=Jurisdiction.GDPR, email=EMAIL)
    acknowledged = intake.submit(body, Channel.EMAIL, actor="mail")
    assert set(store.get(acknowledged.request_id).objected_to) == {
        p.value for p in objectable_purposes(load_data_map())
    }


# -- objection with and without compelling grounds ---------------------------------------------------


class Stack:
    def __init__(self, ring: KeyRing, request: RightsRequest, messenger: FakeMessenger | None = None) -> None:
        request = request.model_copy(update={"subject_keys": subject_keys(ring, request.subject)})
        self.store = FakeRequests(request)
        self.messenger = messenger or FakeMessenger()
        self.marks = FakePreferenceMarks()
        self.preferences = PreferenceService(self.marks, FakeKeys(ring))
        self.workflow = Workflow(
            self.store,
            FakeKeys(ring),
            self.messenger,
            "https://privacy.example",
            None,  # type: ignore[arg-type]  # resolution is not reached here
            self.preferences,
            FakeLocks(),
            FakeTokens(),
            contacts=CONTACTS,
        )
        self.now = NOW
        self.decisions = PreferenceDecisionService(
            self.store, self.preferences, self.workflow, lift_notice_days=14, clock=lambda: self.now
        )
        self.request_id = request.request_id
        self.keys = list(request.subject_keys.values())

    def carry_out(self) -> RightsRequest:
        """ApplyPreferences then Finalize, with the verdict the state machine passes."""
        applied = self.workflow.apply_preferences(self.request_id)
        self.workflow.finalize(
            self.request_id, Verdict(result="completed", outcome=Outcome(applied["outcome"]))
        )
        return self.store.get(self.request_id)

    def allowed(self, purpose: Purpose, at: datetime | None = None) -> bool:
        return decide(self.marks_records(), purpose, now=at or self.now).allowed

    def marks_records(self) -> list[PreferenceRecord]:
        return self.marks.records(self.keys)


def _request(type_: RequestType, **fields: Any) -> RightsRequest:
    base: dict[str, Any] = {
        "request_id": "req_pref00000000000000001",
        "type": type_,
        "jurisdiction": Jurisdiction.GDPR,
        "subject": SubjectIdentifiers(email=EMAIL),
        "channel": Channel.WEB,
        "due": date(2027, 1, 5),
        "status": Status.IN_PROGRESS,
    }
    return RightsRequest(**(base | fields))


def _objection(*purposes: str, **fields: Any) -> RightsRequest:
    return _request(RequestType.OBJECTION, extra={"objected_to": list(purposes)}, **fields)


def test_an_objection_without_grounds_stops_each_purpose_named_and_nothing_else(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("analytics", "agent_scoring"))
    done = stack.carry_out()
    assert done.outcome is Outcome.COMPLIED
    assert not stack.allowed(Purpose.ANALYTICS)
    assert not stack.allowed(Purpose.AGENT_SCORING)
    assert stack.allowed(Purpose.AI_TRAINING)
    assert stack.allowed(Purpose.MARKETING)
    [email] = stack.messenger.sent
    assert "- analytics and reporting: stopped." in email["text"]
    assert "- scoring agents' calls: stopped." in email["text"]
    assert "continues" not in email["text"]


def test_grounds_recorded_before_the_answer_are_in_it_and_the_purpose_goes_on(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("analytics", "marketing"))
    recorded = stack.decisions.record_grounds(
        stack.request_id, GroundsCommand(purpose="analytics", grounds=GROUNDS), "ops:alice"
    )
    assert recorded.notice == "in_final_answer"
    assert recorded.marks == 0  # nothing carried out yet
    done = stack.carry_out()
    assert done.outcome is Outcome.PARTIALLY_COMPLIED
    assert stack.allowed(Purpose.ANALYTICS)
    assert not stack.allowed(Purpose.MARKETING)
    [email] = stack.messenger.sent
    assert (
        "- analytics and reporting: continues. Our privacy team found compelling legitimate grounds "
        in email["text"]
    )
    assert GROUNDS in email["text"]
    assert (
        "- CallX's own marketing: stopped. An objection to direct marketing always stops it." in email["text"]
    )
    assert gdpr_remedies(CONTACTS) in email["text"]  # the right to complain
    assert "objection.grounds_recorded" in stack.store.actions(stack.request_id)


def test_grounds_recorded_after_the_answer_are_told_with_the_right_to_complain(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("analytics", "ai_training"))
    stack.carry_out()
    assert not stack.allowed(Purpose.AI_TRAINING)
    recorded = stack.decisions.record_grounds(
        stack.request_id, GroundsCommand(purpose="ai_training", grounds=GROUNDS), "ops:alice"
    )
    assert (recorded.marks, recorded.notice) == (1, "email")
    assert stack.allowed(Purpose.AI_TRAINING)
    assert not stack.allowed(Purpose.ANALYTICS)
    _final, told = stack.messenger.sent
    assert "training CallX's AI models" in told["text"]
    assert GROUNDS in told["text"]
    assert gdpr_remedies(CONTACTS) in told["text"]
    # the same command again: nothing recorded or sent twice; different grounds: refused
    again = stack.decisions.record_grounds(
        stack.request_id, GroundsCommand(purpose="ai_training", grounds=GROUNDS), "ops:alice"
    )
    assert again.notice == "already_sent"
    assert len(stack.messenger.sent) == 2
    with pytest.raises(errors.CannotMove):
        stack.decisions.record_grounds(
            stack.request_id,
            GroundsCommand(purpose="ai_training", grounds="Other grounds entirely."),
            "ops:bob",
        )


def test_direct_marketing_can_never_have_grounds(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("marketing"))
    stack.carry_out()
    with pytest.raises(errors.ValidationFailed) as refused:
        stack.decisions.record_grounds(
            stack.request_id, GroundsCommand(purpose="marketing", grounds=GROUNDS), "ops:alice"
        )
    assert "always stops it" in refused.value.errors["purpose"]
    assert not stack.allowed(Purpose.MARKETING)
    assert stack.store.get(stack.request_id).objection_grounds == {}


def test_grounds_only_for_a_purpose_the_request_objected_to(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("analytics"))
    with pytest.raises(errors.ValidationFailed, match="purpose"):
        stack.decisions.record_grounds(
            stack.request_id, GroundsCommand(purpose="agent_scoring", grounds=GROUNDS), "ops:alice"
        )
    restriction = Stack(ring, _request(RequestType.RESTRICTION))
    with pytest.raises(errors.CannotMove):
        restriction.decisions.record_grounds(
            restriction.request_id, GroundsCommand(purpose="analytics", grounds=GROUNDS), "ops:alice"
        )


# -- a restriction lifted only after the person was told ----------------------------------------------

REASON = "We checked the accuracy of your data, which you contested, and found it correct."


def test_a_restriction_is_lifted_only_after_the_notice_and_its_period(ring: KeyRing) -> None:
    stack = Stack(ring, _request(RequestType.RESTRICTION))
    stack.carry_out()
    assert not stack.allowed(Purpose.ANALYTICS)
    assert stack.allowed(Purpose.LEGAL_CLAIMS)
    lifted = stack.decisions.lift_restriction(stack.request_id, LiftCommand(reason=REASON), "ops:alice")
    assert lifted.notice == "email"
    assert lifted.marks == 1
    assert lifted.lift_at == NOW + timedelta(days=14)
    _final, told = stack.messenger.sent
    assert f"We will lift that restriction on {(NOW + timedelta(days=14)).date().isoformat()}" in told["text"]
    assert REASON in told["text"]
    # told, but not yet lifted: every use but legal claims still refused, up to the last second
    for purpose in Purpose:
        assert stack.allowed(purpose, NOW + timedelta(days=14) - timedelta(seconds=1)) is (
            purpose in RESTRICTION_ALLOWS
        )
    assert all(stack.allowed(purpose, NOW + timedelta(days=14)) for purpose in Purpose)
    actions = stack.store.actions(stack.request_id)
    assert actions.index("restriction.lift_announced") < actions.index("notice.restriction_lift.sent")
    assert actions.index("notice.restriction_lift.sent") < actions.index("restriction.lift_scheduled")


def test_a_lift_whose_notice_did_not_go_is_not_scheduled(ring: KeyRing) -> None:
    refused = FakeMessenger(refuse={MOBILE: "the number cannot receive messages"})
    request = _request(RequestType.RESTRICTION, subject=SubjectIdentifiers(phone=MOBILE))
    stack = Stack(ring, request, messenger=refused)
    stack.carry_out()
    lifted = stack.decisions.lift_restriction(stack.request_id, LiftCommand(reason=REASON), "ops:alice")
    assert (lifted.notice, lifted.lift_at, lifted.marks) == ("withheld", None, 0)
    assert not stack.allowed(Purpose.ANALYTICS, NOW + timedelta(days=400))


def test_a_retried_lift_keeps_its_time_and_a_new_restriction_undoes_a_lift(ring: KeyRing) -> None:
    stack = Stack(ring, _request(RequestType.RESTRICTION))
    stack.carry_out()
    first = stack.decisions.lift_restriction(stack.request_id, LiftCommand(reason=REASON), "ops:alice")
    stack.now = NOW + timedelta(days=3)
    again = stack.decisions.lift_restriction(stack.request_id, LiftCommand(reason=REASON), "ops:alice")
    assert again.notice == "already_sent"
    assert again.marks == 0
    assert stack.marks_records()[0].restriction.lift_at == first.lift_at  # type: ignore[union-attr]
    with pytest.raises(errors.CannotMove):
        stack.decisions.lift_restriction(
            stack.request_id, LiftCommand(reason="Another reason, changed."), "ops:bob"
        )
    later = _request(RequestType.RESTRICTION, request_id="req_pref00000000000000002")
    stack.store.requests[later.request_id] = later.model_copy(
        update={"subject_keys": {"email": stack.keys[0]}}
    )
    stack.preferences.restrict(stack.store.get(later.request_id))
    assert not stack.allowed(Purpose.ANALYTICS, NOW + timedelta(days=400))


def test_only_a_restriction_in_force_can_be_lifted(ring: KeyRing) -> None:
    open_restriction = Stack(ring, _request(RequestType.RESTRICTION))
    with pytest.raises(errors.CannotMove, match="in force"):
        open_restriction.decisions.lift_restriction(
            open_restriction.request_id, LiftCommand(reason=REASON), "ops:alice"
        )
    objection = Stack(ring, _objection("analytics"))
    objection.carry_out()
    with pytest.raises(errors.CannotMove, match="not a restriction"):
        objection.decisions.lift_restriction(objection.request_id, LiftCommand(reason=REASON), "ops:alice")
    with pytest.raises(ValidationError):
        LiftCommand(reason="short")


def test_the_objection_notice_words_cover_every_objectable_purpose() -> None:
    for purpose in objectable_purposes(load_data_map()):
        assert purpose.value in notices.OBJECTION_WORDS


def test_the_marks_are_stored_where_the_store_reads_them(ring: KeyRing) -> None:
    stack = Stack(ring, _objection("analytics"))
    stack.carry_out()
    assert set(stack.marks.marks[stack.keys[0]]) == {OBJECTION + "analytics"}
    assert not any(attribute.startswith(OPT_OUT) for attribute in stack.marks.marks[stack.keys[0]])


def test_an_objection_taken_in_before_purposes_were_named_objects_to_every_one(ring: KeyRing) -> None:
    stack = Stack(ring, _request(RequestType.OBJECTION))
    stack.carry_out()
    everything = {p.value for p in objectable_purposes(load_data_map())}
    assert set(stack.store.get(stack.request_id).objected_to) == everything
    assert not any(stack.allowed(Purpose(purpose)) for purpose in everything)
    [email] = stack.messenger.sent
    for purpose in everything:
        assert f"- {notices.objection_words(purpose)}: stopped." in email["text"]


def test_the_forms_objection_choices_are_the_data_maps() -> None:
    page = (Path(__file__).resolve().parents[2] / "web" / "index.html").read_text()
    offered = set(re.findall(r'name="object_to" value="([a-z_]+)"', page))
    assert offered == {p.value for p in objectable_purposes(load_data_map())}


# -- withdrawal of consent (GDPR Art. 7(3)) -----------------------------------------------------------


def test_consent_purposes_come_from_the_data_map() -> None:
    assert {p.value for p in consent_purposes(load_data_map())} == {
        "marketing",
        "sale_share",
        "targeted_ads",
        "recording",
    }
    text = MAP_FILE.read_text().replace("  analytics: [legitimate_interests]", "  analytics: [consent]")
    with pytest.raises(ValueError, match="analytics"):
        consent_purposes(parse_data_map(text))  # no opt-out could stop it: refused, not ignored


def test_a_withdrawal_is_honoured_at_intake_without_verification(ring: KeyRing) -> None:
    store = FakeRequests()
    marks = FakePreferenceMarks()
    intake = IntakeService(store, FakeKeys(ring), FakeStarter(), PreferenceService(marks, FakeKeys(ring)))
    body = SubmitRequest(
        type=RequestType.WITHDRAW_CONSENT,
        jurisdiction=Jurisdiction.GDPR,
        email=EMAIL,
        consent_to_withdraw=["marketing", "targeted_ads"],
    )
    acknowledged = intake.submit(body, Channel.WEB, actor="requester")
    request = store.get(acknowledged.request_id)
    assert request.opt_out_of == (OptOutPurpose.MARKETING, OptOutPurpose.TARGETED_ADS)
    records = marks.records(request.subject_keys.values())
    assert not decide(records, Purpose.MARKETING, now=NOW).allowed
    assert not decide(records, Purpose.TARGETED_ADS, now=NOW).allowed
    assert decide(records, Purpose.SALE_SHARE, now=NOW).allowed
    assert "preferences.opted_out" in store.actions(request.request_id)


def test_a_withdrawal_names_only_what_rests_on_consent(ring: KeyRing) -> None:
    intake, _ = _intake(ring)
    for named, field, words in (
        ([], "consent_to_withdraw", "name what you withdraw"),
        (["analytics"], "consent_to_withdraw[0]", "legitimate_interests"),
        (["marketing", "marketing"], "consent_to_withdraw[1]", "twice"),
    ):
        body = SubmitRequest(
            type=RequestType.WITHDRAW_CONSENT,
            jurisdiction=Jurisdiction.GDPR,
            email=EMAIL,
            consent_to_withdraw=named,
        )
        with pytest.raises(errors.ValidationFailed) as refused:
            intake.submit(body, Channel.WEB, actor="requester")
        assert list(refused.value.errors) == [field]
        assert words in refused.value.errors[field]
    with pytest.raises(ValidationError, match="consent_to_withdraw goes with type withdraw_consent"):
        SubmitRequest(
            type=RequestType.OPT_OUT,
            jurisdiction=Jurisdiction.CCPA,
            email=EMAIL,
            opt_out_of=["marketing"],
            consent_to_withdraw=["marketing"],
        )


def test_a_withdrawal_is_carried_out_like_an_opt_out_and_says_earlier_processing_stays_lawful(
    ring: KeyRing,
) -> None:
    request = _request(RequestType.WITHDRAW_CONSENT, opt_out_of=(OptOutPurpose.MARKETING,))
    stack = Stack(ring, request)
    done = stack.carry_out()
    assert done.outcome is Outcome.COMPLIED
    assert not stack.allowed(Purpose.MARKETING)
    assert stack.allowed(Purpose.ANALYTICS)
    [email] = stack.messenger.sent
    assert "withdraw your consent to marketing" in email["text"]
    assert (
        "does not make unlawful what was done with your data, on your consent, before you withdrew it"
        in (email["text"])
    )


def test_the_forms_withdrawal_choices_are_the_data_maps() -> None:
    page = (Path(__file__).resolve().parents[2] / "web" / "index.html").read_text()
    offered = set(re.findall(r'name="consent_to_withdraw" value="([a-z_]+)"', page))
    assert offered == {p.value for p in consent_purposes(load_data_map())}
    assert 'value="withdraw_consent"' in page


def test_the_status_page_answer_says_when_and_why_the_restriction_is_lifted(ring: KeyRing) -> None:
    stack = Stack(ring, _request(RequestType.RESTRICTION))
    stack.carry_out()
    stack.decisions.lift_restriction(stack.request_id, LiftCommand(reason=REASON), "ops:alice")
    intake = IntakeService(stack.store, FakeKeys(ring), FakeStarter(), stack.preferences)
    request = stack.store.get(stack.request_id)
    view = intake.status(stack.request_id, status_token(ring, request.request_id, request.status_nonce))
    lift_day = (NOW + timedelta(days=14)).date().isoformat()
    assert f"we told you that we lift it on {lift_day}. Why: {REASON}" in (view.answer or "")
