"""Appeals by email on in-memory fakes (the real email intake, appeal service and workflow's
notices): a reply to a denial opens the appeal only from the request's own address (anyone
else's goes to a person); a new mail that says it appeals a request by its reference opens the
appeal, or says why not where the law gives none. Every mail here is synthetic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from fakes import (
    FakeCounters,
    FakeKeys,
    FakeMailbox,
    FakeMailRecords,
    FakeMessenger,
    FakePreferenceMarks,
    FakeRequests,
    FakeSentMail,
    FakeStarter,
    notices_workflow,
)

from local_stack.mail import ses_headers
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import Denial, DenialReason, Jurisdiction, RightsRequest, Status
from privacy_rights.mail.email_intake import EmailIntakeService
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.rights_requests.appeals import AppealService
from privacy_rights.rights_requests.intake import IntakeService

ANSWERED = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
TODAY = ANSWERED + timedelta(days=5)
PRIVACY = "info@callx.com"


class PostRoom:
    """Denied requests, and mail arriving at the privacy address as SES stores it."""

    def __init__(self, ring: KeyRing, *requests: RightsRequest) -> None:
        self.store = FakeRequests(*requests)
        self.messenger = FakeMessenger()
        self.mailbox = FakeMailbox()
        self.records = FakeMailRecords()
        keys = FakeKeys(ring)
        workflow = notices_workflow(self.store, ring, self.messenger)
        preferences = PreferenceService(FakePreferenceMarks(), keys)
        intake = IntakeService(self.store, keys, FakeStarter(), preferences)  # type: ignore[arg-type]
        self.service = EmailIntakeService(
            self.mailbox,
            self.records,  # type: ignore[arg-type]
            self.store,  # type: ignore[arg-type]
            intake,
            keys,
            self.messenger,
            FakeCounters(),
            FakeSentMail(),
            own_addresses=frozenset({"privacy@callx.com", PRIVACY}),
            privacy_address=PRIVACY,
            base_url="https://privacy.example",
            appeals=AppealService(self.store, keys, workflow, clock=lambda: TODAY),  # type: ignore[arg-type]
        )

    def receive(self, sender: str, to: str, subject: str, body: str) -> Any:
        message = EmailMessage()
        message["From"] = sender
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(domain="mail.example.com")
        message["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
        message.set_content(body)
        key = f"inbound/{len(self.mailbox.objects)}"
        self.mailbox.objects[key] = ses_headers(bytes(message), sender, [to], TODAY)
        return self.service.process(key, TODAY)


def _denied(make_request: Callable[..., RightsRequest], request_id: str, **fields: Any) -> RightsRequest:
    values: dict[str, Any] = {
        "request_id": request_id,
        "jurisdiction": Jurisdiction.US_STATE,
        "us_state": "VA",
        "subject": {"email": "appellant@example.org"},
        "status": Status.DENIED,
        "denial": Denial(reason=DenialReason.AGENT_NOT_AUTHORIZED),
        "status_changed_at": ANSWERED,
    }
    return make_request(**(values | fields))


def test_a_reply_to_the_denial_opens_an_appeal_only_from_the_requests_own_address(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _denied(make_request, "req_denied00000000000001")
    room = PostRoom(ring, request)
    plus = f"info+{request.request_id}@callx.com"

    stranger = room.receive("intruder@example.net", plus, "Re: denied", "I disagree, reopen it")

    assert (stranger.outcome, stranger.reason, stranger.queue) == (
        "human_review",
        "sender_mismatch",
        "human_review",
    )
    assert stranger.reply_to_reference == request.request_id
    assert room.store.get(request.request_id).status is Status.DENIED

    filed = room.receive(
        "appellant@example.org", plus, "Re: your request was denied", "That is wrong, the permission is mine."
    )

    stored = room.store.get(request.request_id)
    assert stored.status is Status.APPEALED
    assert stored.appeal is not None
    assert (stored.appeal.via, stored.appeal.statement) == (
        "email_reply",
        "That is wrong, the permission is mine.",
    )
    assert (filed.reason, filed.outcome, filed.request_ids) == (
        "appeal_filed",
        "attached_to_request",
        [request.request_id],
    )
    assert [m for m in room.messenger.to("appellant@example.org") if "is received" in m["subject"]]


def test_a_mail_that_appeals_a_request_by_its_reference_opens_the_appeal_or_says_why_not(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    appealable = _denied(
        make_request, "req_appealable000000001", jurisdiction=Jurisdiction.OTHER, us_state=None
    )
    gdpr = _denied(make_request, "req_gdprdenied000000001", jurisdiction=Jurisdiction.GDPR, us_state=None)
    room = PostRoom(ring, appealable, gdpr)
    person = "appellant@example.org"

    room.receive(person, PRIVACY, "Appeal", f"I appeal your decision on my request {appealable.request_id}.")
    refused = room.receive(person, PRIVACY, "Appeal", f"I appeal request {gdpr.request_id}, please.")

    stored = room.store.get(appealable.request_id)
    assert stored.status is Status.APPEALED
    assert stored.appeal is not None
    assert stored.appeal.via == "email"
    assert room.store.get(gdpr.request_id).status is Status.DENIED
    assert refused.reason == "appeal_refused"
    [why] = [
        m
        for m in room.messenger.to(person)
        if m["subject"] == f"About your appeal of privacy request {gdpr.request_id}"
    ]
    assert "supervisory authority" in why["text"]
    assert "appeal.refused" in room.store.actions(gdpr.request_id)
    # from another address, a mail naming the request goes to a person
    other = room.receive("someone@example.net", PRIVACY, "Appeal", f"I appeal {gdpr.request_id}.")
    assert (other.outcome, other.reason) == ("human_review", "sender_mismatch")
