"""Appeals: filing one reopens a closed request's answer for ops (and, granted, the request), so
it is an action on a request from outside and needs the request's own proof: its status token
on the status page's route, its own address by mail. A stranger who knows the request id opens
nothing: the route answers like an unknown id, and mail from another address goes to a person."""

from __future__ import annotations

import secrets
import smtplib
import uuid
from email.message import EmailMessage
from typing import Any

import pytest
from harness import Actor, Service, wait_for

from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import Denial, DenialReason, Status

pytestmark = pytest.mark.security


def _denied_us_state_request(service: Service, person: Actor) -> tuple[str, str]:
    """The person's own deletion request under Virginia's law, submitted over HTTP and denied as
    unverifiable (written by the owner, as the workflow's verification timeout would)."""
    submitted = person.submit(
        {"type": "deletion", "jurisdiction": "us_state", "us_state": "VA", "email": person.email},
        person.email,
    )
    request_id, token = submitted.request_id, submitted.token
    assert token
    service.awaiting_verification(request_id)
    running = service.running
    store = RequestStore(
        running.client("dynamodb"), running.stack.ref("RequestsTable"), running.stack.ref("AuditTable")
    )
    denied = transition(store.get(request_id), Status.DENIED, denial=Denial(reason=DenialReason.UNVERIFIABLE))
    store.save(denied, "test-owner", "status.denied")
    return request_id, token


def _appeal(actor: Actor, request_id: str, token: str | None) -> Any:
    return actor.http.call("POST", f"/requests/{request_id}/appeal", {"statement": "I appeal"}, token=token)


def _send(service: Service, sender: str, to: str, subject: str, text: str) -> str:
    tag = uuid.uuid4().hex
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{tag}@example.net>"
    message.set_content(text)
    assert service.running.smtp is not None
    with smtplib.SMTP("127.0.0.1", service.running.smtp.port, timeout=10) as smtp:
        smtp.send_message(message)
    return tag


def _reviewed(service: Service, subject: str) -> dict[str, Any] | None:
    for row in service.ops("GET", "/ops/mail?queue=human_review").body or []:
        shown = service.ops("GET", f"/ops/mail/{row['mail_id']}").body or {}
        if shown.get("subject") == subject:
            return dict(row)
    return None


def test_without_the_status_token_nobody_appeals(service: Service, attacker: Actor) -> None:
    """The stranger knows the request id and holds a token of a request of their own: no token,
    their token, a made-up one: each answers as an unknown id does, and the request stays denied.
    The token's holder appeals."""
    person = Actor(service)
    request_id, token = _denied_us_state_request(service, person)
    own = attacker.submit(
        {"type": "objection", "jurisdiction": "gdpr", "email": attacker.email, "object_to": ["marketing"]},
        attacker.email,
    )
    assert own.token
    made_up = f"{own.token.partition('.')[0]}.{secrets.token_urlsafe(32)}"
    unknown = "req_" + secrets.token_urlsafe(16)

    problems = []
    for label, presented in (
        ("no token", None),
        ("another request's token", own.token),
        ("made up", made_up),
    ):
        answer, nowhere = _appeal(attacker, request_id, presented), _appeal(attacker, unknown, presented)
        if answer.status != 404 or (answer.status, answer.body) != (nowhere.status, nowhere.body):
            problems.append(f"{label}: {answer.status} {answer.body} (unknown id: {nowhere.status})")
    if service.state(request_id)[0] != "denied":
        problems.append(f"the request is {service.state(request_id)[0]}")
    assert not problems, problems

    filed = _appeal(person, request_id, token)
    assert (filed.status, filed.body["status"]) == (200, "appealed"), filed


@pytest.mark.parametrize("how", ["a reply to the request's address", "a new mail naming the request"])
def test_mail_from_another_address_opens_no_appeal(service: Service, attacker: Actor, how: str) -> None:
    """The stranger writes that they appeal, from their own address: a person reads it, the
    request stays denied, and nothing is sent to the stranger."""
    person = Actor(service)
    request_id, _ = _denied_us_state_request(service, person)
    subject = f"I appeal {uuid.uuid4().hex[:8]}"
    to = f"info+{request_id}@callx.com" if how.startswith("a reply") else "info@callx.com"

    _send(service, attacker.email, to, subject, f"I appeal the decision on request {request_id}.")

    row = wait_for(f"the mail {subject!r} to reach a person", lambda: _reviewed(service, subject))
    assert row["request_ids"] == [], row
    assert service.state(request_id)[0] == "denied"
    assert not [m for m in service.outbox(attacker.email) if request_id in m["subject"] + m["body"]]
