"""A document supporting a correction is uploaded like an agent's signed permission: the request's
status token gets a presigned POST (type and size fixed by its policy). A stranger who knows the
request id gets nothing (answered as an unknown id); the holder gets a form only for an open
correction, under a prefix of its own, so a document sent "as evidence" never counts as the
signed permission an agent's request waits for."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from harness import Actor, Answer, Service

pytestmark = pytest.mark.security


def _evidence(
    actor: Actor, request_id: str, token: str | None, content_type: str = "application/pdf"
) -> Answer:
    body = {"content_type": content_type, "document": "correction_evidence"}
    return actor.http.call("POST", f"/requests/{request_id}/permission-upload", body, token=token)


def test_only_the_holder_of_an_open_correction_gets_an_upload_form(service: Service, attacker: Actor) -> None:
    person = Actor(service)
    submitted = person.submit(
        {
            "type": "correction",
            "jurisdiction": "gdpr",
            "email": person.email,
            "corrections": [{"field": "name", "held": "Jo Example", "corrected": "Joanna Example"}],
        },
        person.email,
    )
    request_id, token = submitted.request_id, submitted.token
    assert token
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
        answer = _evidence(attacker, request_id, presented)
        nowhere = _evidence(attacker, unknown, presented)
        if answer.status != 404 or (answer.status, answer.body) != (nowhere.status, nowhere.body):
            problems.append(f"{label}: {answer.status} {answer.body} (unknown id: {nowhere.status})")
    # the attacker's own access request takes no "evidence", and no permission either
    for document in ("correction_evidence", "permission"):
        body = {"content_type": "image/png", "document": document}
        answer = attacker.http.call(
            "POST", f"/requests/{own.request_id}/permission-upload", body, token=own.token
        )
        if answer.status != 422:
            problems.append(f"{document} on an access request: {answer.status} {answer.body}")
    # a kind of document the API does not know, or a type outside the policy
    for body in ({"content_type": "application/pdf", "document": "passport"}, {"content_type": "text/html"}):
        answer = person.http.call("POST", f"/requests/{request_id}/permission-upload", body, token=token)
        if answer.status != 422:
            problems.append(f"{body}: {answer.status} {answer.body}")
    assert not problems, problems

    form = _evidence(person, request_id, token)
    assert form.status == 200, form
    fields: dict[str, Any] = form.body["fields"]
    assert fields["key"].startswith(f"permissions/correction-evidence/{request_id}/")
    assert fields["Content-Type"] == "application/pdf"
