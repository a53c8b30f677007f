"""Issue 16: what a person is told is what happened. Each request is ended through the workflow
on the fakes, and the message it sent (email, SMS, call) and the status page are read and every
claim checked against what the request, its ledger and the stores hold: the denial's reason and
ops' detail on every channel, the remedies of the person's jurisdiction, a phone line only when
one is configured, the opt-out recorded, the hold kept, the business answering."""

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

from privacy_rights.core import audit, notices
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    Channel,
    DenialReason,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.core.ports import OBJECTION, OPT_OUT
from privacy_rights.core.remedies import ContactPoints
from privacy_rights.core.request_results import ErasureReceipt, ExportResult
from privacy_rights.core.tokens import status_token
from privacy_rights.ops.ops import DecisionCommand
from privacy_rights.orchestration.workflow import Verdict, Workflow
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.rights_requests.intake import IntakeService, subject_keys
from privacy_rights.rights_requests.submission import SubmitRequest

EMAIL = "jane@example.com"
MOBILE = "+14155550123"
LANDLINE = "+442079460000"  # a UK fixed line: it gets a call, never an SMS
CONTACTS = ContactPoints(
    privacy_address="info@privacy.callx.com",
    toll_free_number="+18885550199",
    lead_authority="the Irish Data Protection Commission (dataprotection.ie)",
)
NO_LINE = ContactPoints(privacy_address="info@privacy.callx.com")
DETAIL = "You asked us the same question four times since March; we answered it on 3 March."
WEB = Path(__file__).resolve().parents[2] / "web"


class Stack:
    """The workflow and the status page on fakes, for one request."""

    def __init__(self, ring: KeyRing, request: RightsRequest, contacts: ContactPoints = CONTACTS) -> None:
        self.ring = ring
        request = request.model_copy(update={"subject_keys": subject_keys(ring, request.subject)})
        self.store = FakeRequests(request)
        self.messenger = FakeMessenger(can_call=True)
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
            contacts=contacts,
        )
        self.intake = IntakeService(
            self.store, FakeKeys(ring), FakeStarter(), self.preferences, contacts=contacts
        )
        self.request_id = request.request_id

    def finalize(self, verdict: Verdict) -> RightsRequest:
        self.workflow.finalize(self.request_id, verdict)
        return self.store.get(self.request_id)

    def sent(self) -> list[dict[str, str]]:
        return list(self.messenger.sent)

    def status_page(self) -> dict[str, Any]:
        request = self.store.get(self.request_id)
        token = status_token(self.ring, request.request_id, request.status_nonce)
        return self.intake.status(self.request_id, token).model_dump(mode="json")


def request_of(**fields: Any) -> RightsRequest:
    base: dict[str, Any] = {
        "request_id": "req_truth000000000000001",
        "type": RequestType.DELETION,
        "jurisdiction": Jurisdiction.GDPR,
        "subject": SubjectIdentifiers(email=EMAIL),
        "channel": Channel.WEB,
        "due": date(2027, 1, 5),
        "status": Status.IN_PROGRESS,
    }
    return RightsRequest(**(base | fields))


def deny(reason: DenialReason, detail: str = DETAIL) -> Verdict:
    """What ``privacy-ops decide … deny --denial-reason … --detail …`` sends the workflow."""
    command = DecisionCommand(
        decision="deny",
        reason="read the file",
        denial_reason=reason,
        exemption="legal claims (CCPA 1798.105(d)(1))" if reason is DenialReason.EXEMPT else None,
        detail=detail,
    )
    verdict = command.verdict()
    assert verdict is not None
    return verdict


# -- denials: the reason and ops' detail on every channel ------------------------------------------


@pytest.mark.parametrize("reason", list(DenialReason))
def test_a_denial_gives_its_reason_and_detail_by_email_sms_call_and_status_page(
    ring: KeyRing, reason: DenialReason
) -> None:
    by_email = Stack(ring, request_of())
    denied = by_email.finalize(deny(reason))
    assert denied.denial is not None
    assert denied.denial.detail == DETAIL
    [email] = by_email.sent()
    sentence = notices.DENIAL_TEXT[reason]
    assert email["channel"] == "email"
    assert sentence in email["text"]
    assert DETAIL in email["text"]
    page = by_email.status_page()
    assert page["status"] == "denied"
    assert sentence in page["answer"]
    assert DETAIL in page["answer"]
    assert "supervisory authority" in page["answer"]
    assert page["contact_phone"] == "+1 888-555-0199"

    by_sms = Stack(ring, request_of(subject=SubjectIdentifiers(phone=MOBILE)))
    by_sms.finalize(deny(reason))
    [sms] = by_sms.sent()
    assert sms["channel"] == "sms"
    assert notices.DENIAL_SMS[reason] in sms["text"]
    assert "/status.html#request=req_truth000000000000001&token=" in sms["text"]
    assert len(sms["text"]) <= 306  # two SMS segments at most

    by_call = Stack(ring, request_of(subject=SubjectIdentifiers(phone=LANDLINE)))
    by_call.finalize(deny(reason))
    [call] = by_call.sent()
    assert call["channel"] == "voice"
    assert sentence.rstrip(".") in call["text"]
    assert DETAIL in call["text"]
    assert "1, 8 8 8, 5 5 5, 0 1 9 9" in call["text"]  # a real number, read out
    assert "http" not in call["text"]


def test_the_exemption_is_named_and_the_reason_is_not_a_fixed_sentence_alone(ring: KeyRing) -> None:
    stack = Stack(ring, request_of(jurisdiction=Jurisdiction.CCPA))
    stack.finalize(deny(DenialReason.EXEMPT))
    [email] = stack.sent()
    assert (
        "An exception in the law applies to this request: legal claims (CCPA 1798.105(d)(1))."
        in email["text"]
    )
    assert f"What our privacy team found: {DETAIL}" in email["text"]


@pytest.mark.parametrize(
    "detail",
    [
        "Your brother jane.doe@example.org asked first.",
        "Call the other caller on +1 415 555 0188.",
        "See <b>our policy</b>.",
        "See https://callx.com/policy for more.",
        "See [our policy](policy.html).",
        "x" * 601,
        "a line\x07with a bell",
    ],
    ids=["email", "phone", "html", "link", "markdown-link", "too-long", "control"],
)
def test_ops_detail_is_plain_text_without_anyones_contact_details(detail: str) -> None:
    with pytest.raises(ValidationError):
        DecisionCommand(
            decision="deny", reason="read the file", denial_reason=DenialReason.EXCESSIVE, detail=detail
        )
    with pytest.raises(ValidationError):
        Verdict(result="denied", reason=DenialReason.EXCESSIVE, detail=detail)


def test_a_detail_goes_with_a_denial_only() -> None:
    with pytest.raises(ValidationError, match="goes with a denial"):
        DecisionCommand(decision="approve", reason="read the file", detail=DETAIL)
    multi_line = "First, this.\nThen, that."
    assert (
        DecisionCommand(
            decision="deny", reason="read it", denial_reason=DenialReason.EXCESSIVE, detail=multi_line
        ).detail
        == multi_line
    )


# -- remedies by jurisdiction --------------------------------------------------------------------

GDPR_CLAIMS = ("the Irish Data Protection Commission", "where you live, where you work", "judicial remedy")
CALIFORNIA_CLAIMS = ("California Privacy Protection Agency", "California Attorney General")


def _denial_text(ring: KeyRing, **fields: Any) -> str:
    stack = Stack(ring, request_of(**fields))
    denied = stack.finalize(deny(DenialReason.MANIFESTLY_UNFOUNDED))
    [email] = stack.sent()
    page = stack.status_page()
    assert page["answer"] in email["text"].replace("\n\nReference: " + denied.request_id + ". ", "\n\n")
    return email["text"]


def test_gdpr_denials_name_the_lead_authority_the_persons_own_and_the_courts(ring: KeyRing) -> None:
    text = _denial_text(ring, jurisdiction=Jurisdiction.GDPR)
    assert all(claim in text for claim in GDPR_CLAIMS)
    assert not any(claim in text for claim in CALIFORNIA_CLAIMS)
    assert "appeal" not in text


def test_california_denials_name_the_agency_and_the_attorney_general(ring: KeyRing) -> None:
    text = _denial_text(ring, jurisdiction=Jurisdiction.CCPA, us_state="CA")
    assert all(claim in text for claim in CALIFORNIA_CLAIMS)
    assert "supervisory authority" not in text


@pytest.mark.parametrize(
    ("state", "days", "attorney_general"), [("VA", 60, "Virginia"), ("CO", 45, "Colorado")]
)
def test_us_state_denials_say_how_to_appeal_and_by_when(
    ring: KeyRing, state: str, days: int, attorney_general: str
) -> None:
    text = _denial_text(ring, jurisdiction=Jurisdiction.US_STATE, us_state=state)
    answered = datetime.now(UTC).date()
    by = (answered + timedelta(days=60)).isoformat()
    assert (
        "You may appeal this decision: write to info@privacy.callx.com or call us free of charge on "
        "+1 888-555-0199, give your reference req_truth000000000000001 and say that you appeal, "
        f"by {by}." in text
    )
    assert f"within {days} days" in text
    assert f"the {attorney_general} Attorney General" in text


def test_requests_under_other_get_every_remedy_that_could_apply(ring: KeyRing) -> None:
    text = _denial_text(ring, jurisdiction=Jurisdiction.OTHER)
    assert all(claim in text for claim in (*GDPR_CLAIMS, *CALIFORNIA_CLAIMS, "appeal this decision"))
    assert "within 45 days" in text  # the strictest appeal clock until the state is known


def test_without_a_lead_authority_configured_the_persons_own_is_named(ring: KeyRing) -> None:
    stack = Stack(ring, request_of(), contacts=NO_LINE)
    stack.finalize(deny(DenialReason.EXCESSIVE))
    [email] = stack.sent()
    assert "lead supervisory authority" not in email["text"]
    assert "the authority of the EU or EEA country where you live" in email["text"]


# -- a phone line only when there is one -----------------------------------------------------------

PHONE_LINE = re.compile(r"(?i)toll[- ]free|call us|phone line|\+1 888")


def _every_message(ring: KeyRing, contacts: ContactPoints) -> list[str]:
    texts = []
    for subject in (SubjectIdentifiers(email=EMAIL), SubjectIdentifiers(phone=LANDLINE)):
        for verdict in (deny(DenialReason.EXCESSIVE), Verdict(result="completed", outcome=Outcome.COMPLIED)):
            stack = Stack(ring, request_of(subject=subject, status=Status.RECEIVED), contacts=contacts)
            stack.workflow.acknowledge(stack.request_id)
            stack.store.request = stack.store.get(stack.request_id).model_copy(
                update={"status": Status.IN_PROGRESS}
            )
            stack.finalize(verdict)
            texts += [m["text"] for m in stack.sent()]
            page = stack.status_page()
            texts.append(f"{page['answer']} {page['contact_address'] or ''} {page['contact_phone'] or ''}")
    return texts


def test_no_message_mentions_a_phone_line_when_none_is_configured(ring: KeyRing) -> None:
    texts = _every_message(ring, NO_LINE)
    assert len(texts) == 12
    assert [t for t in texts if PHONE_LINE.search(t)] == []
    assert all("info@privacy.callx.com" in t or "info at privacy dot callx dot com" in t for t in texts)


def test_the_toll_free_number_is_in_the_notices_the_calls_and_the_status_page(ring: KeyRing) -> None:
    texts = _every_message(ring, CONTACTS)
    with_number = [t for t in texts if "+1 888-555-0199" in t or "1, 8 8 8, 5 5 5, 0 1 9 9" in t]
    assert len(with_number) == len(texts)


# -- every message says only what happened ---------------------------------------------------------


def test_an_opt_out_says_what_is_recorded_and_the_preference_store_holds_it(ring: KeyRing) -> None:
    purposes = (OptOutPurpose.MARKETING, OptOutPurpose.AI_TRAINING)
    stack = Stack(ring, request_of(type=RequestType.OPT_OUT, opt_out_of=purposes, status=Status.IN_PROGRESS))
    stack.workflow.apply_preferences(stack.request_id)
    stack.finalize(Verdict(result="completed", outcome=Outcome.COMPLIED))
    [email] = stack.sent()
    said = "We recorded your opt-out of marketing and of the use of your personal data to train AI"
    assert said in email["text"]
    held = _marks(stack)
    assert {OPT_OUT + p.value for p in purposes} <= held
    assert "everywhere" not in email["text"]
    assert "done what you asked" not in email["text"]


def test_the_web_forms_opt_out_promise_is_what_intake_does(ring: KeyRing) -> None:
    """The form says the opt-out was recorded when it arrived: intake marks it before any workflow."""
    page = (WEB / "index.html").read_text()
    promise = re.search(r'id="result-opt-out"[^>]*>(.*?)</p>', page, re.S)
    assert promise is not None
    said = " ".join(promise.group(1).split())
    assert "everywhere" not in said
    assert "We recorded it when it arrived" in said
    marks = FakePreferenceMarks()
    store = FakeRequests()
    intake = IntakeService(store, FakeKeys(ring), FakeStarter(), PreferenceService(marks, FakeKeys(ring)))
    body = SubmitRequest(
        type=RequestType.OPT_OUT, jurisdiction=Jurisdiction.CCPA, email=EMAIL, opt_out_of=["marketing"]
    )
    intake.submit(body, Channel.WEB, actor="requester", source="198.51.100.7")
    [key] = subject_keys(ring, SubjectIdentifiers(email=EMAIL)).values()
    assert OPT_OUT + "marketing" in marks.marks[key]


def test_an_objection_names_exactly_the_purposes_it_stopped(ring: KeyRing) -> None:
    named = ["analytics", "marketing"]
    stack = Stack(ring, request_of(type=RequestType.OBJECTION, extra={"objected_to": named}))
    applied = stack.workflow.apply_preferences(stack.request_id)
    stack.finalize(Verdict(result="completed", outcome=Outcome(applied["outcome"])))
    [email] = stack.sent()
    held = {a.removeprefix(OBJECTION) for a in _marks(stack)}
    assert held == set(named)
    for purpose in named:
        assert f"- {notices.objection_words(purpose)}: stopped." in email["text"]
    assert notices.objection_words("ai_training") not in email["text"]


def test_a_restriction_says_what_the_systems_now_refuse(ring: KeyRing) -> None:
    stack = Stack(ring, request_of(type=RequestType.RESTRICTION))
    stack.workflow.apply_preferences(stack.request_id)
    stack.finalize(Verdict(result="completed", outcome=Outcome.COMPLIED))
    [email] = stack.sent()
    assert _marks(stack) == {"restriction"}
    assert "CallX's systems now only keep it, and use it for nothing but legal claims" in email["text"]


def _marks(stack: Stack) -> set[str]:
    """The preference attributes the store holds under every keyed hash of the subject."""
    keys = stack.store.get(stack.request_id).subject_keys.values()
    per_key = [set(stack.marks.marks.get(key, {})) for key in keys]
    return set.intersection(*per_key)


def _receipt(held: bool = False, business: bool = False) -> ErasureReceipt:
    return ErasureReceipt(
        stores={"crm_leads": {"deleted": 2}, "calls": {"deleted": 5}},
        held=[{"store": "calls", "hold_id": "hold_1", "matter": "M-1", "records": 3}] if held else [],
        answered_by_the_business=[{"business": "Northwind Legal", "records": 4}] if business else [],
        backups_expire_by="2027-01-31",
    )


def test_records_under_a_hold_are_said_to_be_kept_and_what_ends_them(ring: KeyRing) -> None:
    receipt = _receipt(held=True)
    request = request_of().with_erasure_receipt(receipt)
    stack = Stack(ring, request)
    done = stack.finalize(Verdict(result="completed", outcome=Outcome.PARTIALLY_COMPLIED))
    [email] = stack.sent()
    text = email["text"]
    assert done.outcome is Outcome.PARTIALLY_COMPLIED
    assert "3 records in calls are under a legal hold and are kept while it lasts" in text
    assert "will then be erased" not in text
    assert "Its end does not erase them by itself" in text
    assert "- calls: 5 deleted" in text
    assert "- crm leads: 2 deleted" in text
    assert "judicial remedy" in text  # the part not carried out has its remedies too
    assert "done what you asked" not in text


def test_data_a_business_answers_for_is_said_to_be_answered_by_that_business(ring: KeyRing) -> None:
    export = ExportResult(
        key="exports/x.zip",
        expires_at="2027-01-10T00:00:00+00:00",
        records=9,
        answered_by=["Northwind Legal"],
    )
    request = request_of(
        type=RequestType.ACCESS, subject=SubjectIdentifiers(phone=MOBILE)
    ).with_export_result(export)
    stack = Stack(ring, request)
    stack.finalize(Verdict(result="completed", outcome=Outcome.PARTIALLY_COMPLIED))
    [sms] = stack.sent()
    assert "Also answering you directly: Northwind Legal." in sms["text"]
    assert "Your data is ready to download." in sms["text"]
    page = stack.status_page()
    assert "they decide about it and will answer you directly: Northwind Legal." in page["answer"]
    assert "available until 2027-01-10" in page["answer"]


def test_a_completion_ops_recorded_says_only_that_ops_carried_it_out(ring: KeyRing) -> None:
    stack = Stack(ring, request_of(type=RequestType.CORRECTION))
    stack.finalize(Verdict(result="completed", outcome=Outcome.COMPLIED))
    [email] = stack.sent()
    assert "Our privacy team carried out your request to have your personal data corrected." in email["text"]
    assert "done what you asked" not in email["text"]


def test_nothing_held_says_nothing_was_found(ring: KeyRing) -> None:
    stack = Stack(ring, request_of(type=RequestType.ACCESS))
    stack.finalize(Verdict(result="completed", outcome=Outcome.NOTHING_HELD))
    [email] = stack.sent()
    assert "We found no personal data about you in CallX's systems" in email["text"]
    assert "Your data is ready" not in email["text"]


def test_the_record_of_the_request_is_kept_as_long_as_the_notices_say(ring: KeyRing) -> None:
    stack = Stack(ring, request_of())
    stack.finalize(deny(DenialReason.EXCESSIVE))
    [email] = stack.sent()
    assert "for at least 24 months" in email["text"]
    assert "for 24 months," not in email["text"]
    assert timedelta(days=731) <= audit.RETENTION  # the audit trail expires no sooner than 24 months


def test_a_categories_answer_says_it_is_the_list_of_categories_not_the_data() -> None:
    from privacy_rights.core import notices
    from privacy_rights.core.models import AccessScope
    from privacy_rights.core.request_results import ExportResult

    export = ExportResult(key="exports/req/x.zip", expires_at="2027-01-30T00:00:00+00:00")
    done = {"type": RequestType.ACCESS, "status": Status.COMPLETED, "outcome": Outcome.COMPLIED}
    categories = request_of(jurisdiction=Jurisdiction.CCPA, scope=AccessScope.CATEGORIES, **done)
    pieces = request_of(jurisdiction=Jurisdiction.CCPA, scope=AccessScope.SPECIFIC_PIECES, **done)

    told = notices.final(categories.with_export_result(export), "https://privacy.example/s")
    assert "list of the categories of personal information we hold about you is ready" in told.text
    assert "Your data is ready" not in told.text + told.sms
    assert (
        "Your data is ready"
        in notices.final(pieces.with_export_result(export), "https://privacy.example/s").text
    )
