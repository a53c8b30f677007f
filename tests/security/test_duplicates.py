"""A request for someone who already has one open must look, from outside, exactly like a first
request: otherwise a stranger learns that a person is exercising their rights."""

from __future__ import annotations

import re
from typing import Any

import pytest
from harness import Actor, Answer, Service

pytestmark = pytest.mark.security


def _shape(answer: Answer) -> tuple[int, list[str]]:
    return answer.status, answer.keys


def _messages_for(service: Service, request_id: str, address: str) -> list[tuple[str, str]]:
    """What was sent to ``address`` about this request, with the request's own details taken out."""
    found = []
    for message in service.outbox(address):
        text = message["subject"] + message["body"]
        if request_id in text:
            subject = message["subject"].replace(request_id, "ID")
            found.append((message["channel"], re.sub(r"\d{6}", "CODE", subject)))
    return sorted(found)


def _probe(service: Service, attacker: Actor, email: str) -> dict[str, Any]:
    """Everything the attacker can observe of a request they make for ``email``."""
    submitted = attacker.submit({"type": "access", "jurisdiction": "gdpr", "email": email})
    request_id, token = submitted.request_id, submitted.token
    service.settle(request_id, timeout=20)
    verify = attacker.verify(request_id, {"code": "000000"}, token)
    status = attacker.status(request_id, token)
    return {
        "request_id": request_id,
        "submit": _shape(submitted.answer),
        "submit status": submitted.answer.body.get("status"),
        "verify": _shape(verify),
        "verify body": verify.body,
        "status page": _shape(status),
        "status field": status.body.get("status") if isinstance(status.body, dict) else None,
        "messages": _messages_for(service, request_id, email),
    }


def test_a_duplicate_of_an_open_request_answers_like_a_fresh_one(service: Service, attacker: Actor) -> None:
    """The victim has an access request open; the attacker makes the same request for the
    victim's address, and one for an address nobody uses (before: the duplicate answered /verify
    200 {"verified": true, "proven": [], "pending": []} where a fresh one answered 400, and its
    address got no acknowledgement)."""
    victim = Actor(service)
    open_request = victim.submit({"type": "access", "jurisdiction": "gdpr", "email": victim.email})
    service.awaiting_verification(open_request.request_id)

    duplicate = _probe(service, attacker, victim.email)
    fresh = _probe(service, attacker, f"nobody-{duplicate['request_id'][-8:].lower()}@example.net")

    for what in (
        "submit",
        "submit status",
        "verify",
        "verify body",
        "status page",
        "status field",
        "messages",
    ):
        assert duplicate[what] == fresh[what], f"{what}: duplicate {duplicate[what]} vs fresh {fresh[what]}"
    assert duplicate["verify"][0] == 400, duplicate
    assert duplicate["messages"], "the duplicate's address was told nothing"
