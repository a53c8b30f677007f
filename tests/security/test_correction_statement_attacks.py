"""A statement about a denied correction (CCPA 7023(f)) is written onto the request's record and
kept with it: an action on a request from outside, so it needs the request's own proof, the
status token. A stranger who knows the request id writes nothing: the route answers like an
unknown id. The holder adds one statement, once."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from harness import Actor, Service

from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import Outcome, Status
from privacy_rights.core.request_results import CorrectionResult

pytestmark = pytest.mark.security

DENIED = CorrectionResult(
    changes=[
        {
            "field": "name",
            "store": "accounts",
            "outcome": "denied",
            "where": "Your account",
            "records": 1,
            "why": "The signed contract on file gives the name as it is.",
        }
    ]
)


def _store(service: Service) -> RequestStore:
    running = service.running
    return RequestStore(
        running.client("dynamodb"), running.stack.ref("RequestsTable"), running.stack.ref("AuditTable")
    )


def _denied_correction(service: Service, person: Actor) -> tuple[str, str]:
    """The person's own correction, submitted over HTTP, then answered with its one field denied
    (written by the owner, as ApplyCorrections and Finalize would)."""
    submitted = person.submit(
        {
            "type": "correction",
            "jurisdiction": "ccpa",
            "email": person.email,
            "corrections": [{"field": "name", "held": "Jo Example", "corrected": "Joanna Example"}],
        },
        person.email,
    )
    request_id, token = submitted.request_id, submitted.token
    assert token
    service.awaiting_verification(request_id)
    store = _store(service)
    request = store.get(request_id)
    for status in (Status.VERIFIED, Status.IN_PROGRESS):
        request = store.save(transition(request, status), "test-owner", f"status.{status.value}")
    answered = transition(request, Status.COMPLETED, outcome=Outcome.PARTIALLY_COMPLIED)
    store.save(answered.with_correction_result(DENIED), "test-owner", "status.completed")
    return request_id, token


def _statement(actor: Actor, request_id: str, token: str | None, text: str = "The name is mine.") -> Any:
    return actor.http.call("POST", f"/requests/{request_id}/statement", {"statement": text}, token=token)


def test_without_the_status_token_nobody_adds_a_statement(service: Service, attacker: Actor) -> None:
    """No token, the stranger's own request's token, a made-up one: each answers as an unknown id
    does and nothing is kept. The holder adds one; a second is refused and the first kept."""
    person = Actor(service)
    request_id, token = _denied_correction(service, person)
    own = attacker.submit({"type": "access", "jurisdiction": "gdpr", "email": attacker.email}, attacker.email)
    assert own.token
    made_up = f"{own.token.partition('.')[0]}.{secrets.token_urlsafe(32)}"
    unknown = "req_" + secrets.token_urlsafe(16)

    problems = []
    for label, presented in (
        ("no token", None),
        ("another request's token", own.token),
        ("made up", made_up),
    ):
        answer = _statement(attacker, request_id, presented, "Written by a stranger.")
        nowhere = _statement(attacker, unknown, presented, "Written by a stranger.")
        if answer.status != 404 or (answer.status, answer.body) != (nowhere.status, nowhere.body):
            problems.append(f"{label}: {answer.status} {answer.body} (unknown id: {nowhere.status})")
    if _store(service).get(request_id).correction_statement is not None:
        problems.append("a statement was kept")
    assert not problems, problems

    kept = _statement(person, request_id, token)
    assert kept.status == 200, kept
    again = _statement(person, request_id, token, "Replaced.")
    assert again.status == 409, again
    statement = _store(service).get(request_id).correction_statement
    assert statement is not None
    assert statement.text == "The name is mine."
