"""The remaining doors: ops entering a request taken on the toll-free line, and the one-time code
itself (by email, SMS or voice), which proves one identifier of one request."""

from __future__ import annotations

import pytest
from harness import Actor, Http, Service, damage, present

pytestmark = pytest.mark.security


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/ops/requests"),
        ("GET", "/ops/requests"),
        ("GET", "/ops/requests/req_AAAAAAAAAAAAAAAAAAAAAA"),
        ("POST", "/ops/requests/req_AAAAAAAAAAAAAAAAAAAAAA/decision"),
        ("POST", "/ops/lookups"),
        ("GET", "/ops/mail"),
    ],
)
def test_the_ops_api_is_closed_to_callers_without_an_iam_identity(
    service: Service, attacker: Actor, method: str, path: str
) -> None:
    """Only IAM principals reach the ops API (locally, the X-Local-Operator header stands for API
    Gateway's SigV4 check): an anonymous caller cannot enter a request as ops, approve a
    permission or decide a waiting request."""
    body = {"type": "deletion", "jurisdiction": "ccpa", "phone": "+14155550132"} if method == "POST" else None
    answer = attacker.http.call(method, path, body)

    assert answer.status == 403, answer


def test_a_request_taken_by_phone_still_needs_the_persons_own_code(service: Service) -> None:
    """A caller on the toll-free line says they are the person and asks for deletion; ops enter
    it. The channel proves nothing: the code goes to the person's number, and nothing of theirs
    is touched while it is not proven (whoever was on the line holds the status token at most)."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    assert present(before) > 10
    entered = service.ops(
        "POST", "/ops/requests", {"type": "deletion", "jurisdiction": "ccpa", "phone": victim.phone}
    )
    assert entered.status == 202, entered
    request_id = entered.body["request_id"]
    caller = Actor(service)  # the voice on the line: told the status token, at most
    token = entered.body.get("status_token")
    service.awaiting_verification(request_id)

    service.code(request_id, victim.phone or "")
    guess = caller.verify(request_id, {"code": "000000"}, token)
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, caller)
    if guess.status == 200:
        problems.append(f"a guessed code was accepted: {guess}")
    if detail["status"] != "awaiting_verification" or detail["proven_identifiers"]:
        problems.append(f"the request is {detail['status']}, proven {detail['proven_identifiers']}")
    assert not problems, problems


def test_a_code_proves_only_its_own_request_and_identifier(service: Service, attacker: Actor) -> None:
    """The attacker receives genuine codes for a request of their own and plays them on a
    request naming the victim's email: a code is bound to its request and identifier."""
    victim = Actor(service)
    own = attacker.submit(
        {"type": "objection", "jurisdiction": "gdpr", "email": attacker.email, "object_to": ["marketing"]}
    )
    other = attacker.submit({"type": "access", "jurisdiction": "gdpr", "email": victim.email})
    service.awaiting_verification(own.request_id)
    service.awaiting_verification(other.request_id)
    code = service.code(own.request_id, attacker.email)

    replayed = attacker.verify(other.request_id, {"code": code}, other.token)
    detail = service.settle(other.request_id)

    assert replayed.status == 400, replayed
    assert detail["status"] == "awaiting_verification", detail
    assert not detail["proven_identifiers"], detail
    assert service.export_objects(other.request_id) == []
    assert Http(service.api_url).call("GET", f"/requests/{other.request_id}/download").status == 404
