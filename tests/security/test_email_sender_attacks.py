"""Email intake: a request by email is made in the name of its From address (codes then go
there). A message whose sender is ambiguous is read by a person, never by its first address."""

from __future__ import annotations

import smtplib
import uuid
from typing import Any

import pytest
from harness import Service, wait_for

pytestmark = pytest.mark.security

QUEUES = ("human_review", "needs_clarification", "quarantined")


def _raw(from_headers: list[str], tag: str) -> bytes:
    lines = [f"From: {value}" for value in from_headers] + [
        "To: info@callx.com",
        f"Subject: Delete my data {tag}",
        f"Message-ID: <{tag}@example.net>",
        "Date: Mon, 30 Nov 2026 10:00:00 +0000",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Please erase all the personal data you hold about me, including my call recordings.",
        "",
    ]
    return "\r\n".join(lines).encode()


def _where(service: Service, tag: str, addresses: list[str]) -> dict[str, Any] | None:
    """Where the message ended up: a queue (with its row), or a reply to one of its addresses."""
    for queue in QUEUES:
        rows = service.ops("GET", f"/ops/mail?queue={queue}").body or []
        for row in rows:
            shown = service.ops("GET", f"/ops/mail/{row['mail_id']}").body
            if tag in (shown or {}).get("subject", ""):
                return {"queue": queue, "row": row}
    sent = [m for m in service.outbox() if set(m["to"]) & set(addresses)]
    return {"queue": None, "sent": sent} if sent else None


@pytest.mark.parametrize("layout", ["two From headers", "two addresses in one From"])
def test_an_email_with_an_ambiguous_sender_goes_to_a_person(service: Service, layout: str) -> None:
    """A stranger writes in the victim's name: the victim's address first, their own second (as
    a second From header, or as a second address of the one From). Read by its first address,
    the request would be the victim's; it must wait for a person instead, and nobody is written to."""
    tag = uuid.uuid4().hex[:10]
    victim = f"victim-{tag}@example.org"
    attacker = f"attacker-{tag}@example.net"
    froms = [victim, attacker] if layout == "two From headers" else [f"{victim}, {attacker}"]
    assert service.running.smtp is not None
    with smtplib.SMTP("127.0.0.1", service.running.smtp.port, timeout=10) as smtp:
        smtp.sendmail(attacker, ["info@callx.com"], _raw(froms, tag))

    outcome = wait_for(f"the mail {tag} to be handled", lambda: _where(service, tag, [victim, attacker]))

    assert outcome["queue"] == "human_review", outcome
    assert outcome["row"]["request_ids"] == [], outcome
    assert not [m for m in service.outbox() if {victim, attacker} & set(m["to"])]


def test_codes_for_an_emailed_request_go_to_its_from_address_never_to_reply_to(service: Service) -> None:
    """A stranger forges the victim's address as the one From and puts their own in Reply-To.
    The From address proves nothing by itself: it is only where the acknowledgement and the code
    go, so they reach the victim (who did not ask), never the stranger's Reply-To."""
    tag = uuid.uuid4().hex[:10]
    victim = f"victim-{tag}@example.org"
    attacker = f"attacker-{tag}@example.net"
    raw = _raw([victim], tag).replace(
        b"To: info@callx.com", f"Reply-To: {attacker}\r\nTo: info@callx.com".encode()
    )
    assert service.running.smtp is not None
    with smtplib.SMTP("127.0.0.1", service.running.smtp.port, timeout=10) as smtp:
        smtp.sendmail(attacker, ["info@callx.com"], raw)

    code = service.message(victim, "code is")

    assert service.outbox(attacker) == [], code
