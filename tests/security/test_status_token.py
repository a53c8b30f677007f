"""The status token: the bearer secret of one request. Without it a request does not exist to the
caller; with it, guessing codes is still limited to five per request, counted atomically."""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from harness import Actor, Answer, Http, Service

pytestmark = pytest.mark.security

GUESSES = 40
LIMIT = 5


def _own_request(service: Service, person: Actor) -> tuple[str, str]:
    """A request of the person's own (an objection: verified, it only sets a preference)."""
    submitted = person.submit(
        {"type": "objection", "jurisdiction": "gdpr", "email": person.email, "object_to": ["marketing"]},
        person.email,
    )
    assert submitted.token, "the requester has no status token"
    service.awaiting_verification(submitted.request_id)
    return submitted.request_id, submitted.token


def _wrong_code(right: str, n: int = 0) -> str:
    return f"{(int(right) + 1 + n) % 10**6:06d}"


def _all_doors(actor: Actor, request_id: str, token: str | None) -> dict[str, Answer]:
    return {
        "status": actor.status(request_id, token),
        "verify": actor.verify(request_id, {"code": "123456"}, token),
        "download": actor.download(request_id, token),
        "permission-upload": actor.permission_upload(request_id, token),
    }


def test_a_request_is_not_there_for_anyone_without_its_token(service: Service, attacker: Actor) -> None:
    """The attacker knows a request id (a forwarded email, a screenshot) and holds a token of
    their own. No token, their own token, or a token made up in the right format opens nothing:
    every door answers exactly what it answers for an id that does not exist."""
    victim = Actor(service)
    request_id, _ = _own_request(service, victim)
    _, own_token = _own_request(service, attacker)
    key_id = own_token.partition(".")[0]
    made_up = f"{key_id}.{secrets.token_urlsafe(32)}"
    unknown = "req_" + secrets.token_urlsafe(16)

    problems = []
    for label, token in (("no token", None), ("another request's token", own_token), ("made up", made_up)):
        doors = _all_doors(attacker, request_id, token)
        nowhere = _all_doors(attacker, unknown, token)
        for door, answer in doors.items():
            if answer.status != 404:
                problems.append(f"{door} with {label}: {answer.status} {answer.body}")
            if (answer.status, answer.body) != (nowhere[door].status, nowhere[door].body):
                problems.append(f"{door} with {label} tells the request exists: {answer} vs {nowhere[door]}")
    counted = service.attempts_counted(request_id)
    if counted:
        problems.append(f"{counted} attempts counted against the requester")
    assert not problems, problems


def test_a_stranger_cannot_lock_the_requester_out(service: Service, attacker: Actor) -> None:
    """Six wrong codes from a stranger who has the request id but not the token (before: five
    locked the request, and the real requester's right code then answered 429)."""
    victim = Actor(service)
    request_id, token = _own_request(service, victim)
    _, own_token = _own_request(service, attacker)

    refused = [attacker.verify(request_id, {"code": f"{n:06d}"}, None) for n in range(3)]
    refused += [attacker.verify(request_id, {"code": f"{n:06d}"}, own_token) for n in range(3, 6)]
    code = service.code(request_id, victim.email)
    answer = victim.verify(request_id, {"code": code}, token)

    assert [a.status for a in refused] == [404] * 6, refused
    assert answer.status == 200, answer
    assert answer.body["verified"] is True, answer


def test_forty_concurrent_wrong_codes_are_counted_as_five(service: Service) -> None:
    """Someone holding a request's link (a forwarded email) fires forty wrong codes at once from
    forty addresses. The attempt counter is one conditional update: exactly five are counted,
    never more than five compared, and the request is then locked, even for the right code."""
    holder = Actor(service)
    request_id, token = _own_request(service, holder)
    right = service.code(request_id, holder.email)
    clients = [Http(service.api_url) for _ in range(GUESSES)]
    start = threading.Barrier(GUESSES)

    def guess(n: int) -> int:
        start.wait(timeout=30)
        answer = clients[n].call(
            "POST", f"/requests/{request_id}/verify", {"code": _wrong_code(right, n)}, token=token
        )
        return answer.status

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        statuses = list(pool.map(guess, range(GUESSES)))
    counted = service.attempts_counted(request_id)
    after = holder.verify(request_id, {"code": right}, token)

    compared = statuses.count(400)
    assert statuses.count(400) + statuses.count(429) == GUESSES, Counter(statuses)
    # The fifth wrong code may itself answer 429 (it is the one that locks): 4 or 5 answered 400.
    assert LIMIT - 1 <= compared <= LIMIT, f"{compared} wrong codes compared: {sorted(statuses)}"
    assert counted == LIMIT, f"{counted} attempts counted"
    assert after.status == 429, after
