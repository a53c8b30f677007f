"""A fact about the platform's records ("I called Acme Plumbing in October") as a data point:
never an oracle of whom a number called (a law firm, a clinic)."""

from __future__ import annotations

import pytest
from harness import Actor, Service, damage, present

pytestmark = pytest.mark.security


def test_a_fact_about_a_strangers_number_gets_the_same_answer_right_or_wrong(
    service: Service, attacker: Actor
) -> None:
    """The attacker names a stranger's phone and their own email, proves the email, and tries
    the business the number really called and one it never called (before: 200 for the right
    one, which with the email made two points and released the stranger's calls; 400 for the
    wrong one: five guesses a request told whom the number called)."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    assert present(before) > 10
    submitted = attacker.submit(
        {"type": "access", "jurisdiction": "ccpa", "email": attacker.email, "phone": victim.phone},
        attacker.email,
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)
    proved = attacker.verify(request_id, {"code": service.code(request_id, attacker.email)}, token)
    assert proved.status == 200, proved

    wrong = attacker.verify(request_id, {"fact": victim.fact(right=False)}, token)
    right = attacker.verify(request_id, {"fact": victim.fact(right=True)}, token)
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, attacker)
    if (wrong.status, wrong.body) != (right.status, right.body):
        problems.append(f"wrong fact: {wrong.status} {wrong.body}; right fact: {right.status} {right.body}")
    if right.status == 200 and right.body.get("verified"):
        problems.append("the right fact verified the request")
    if detail["status"] != "awaiting_verification" or "phone" in detail["proven_identifiers"]:
        problems.append(f"the request is {detail['status']}, proven {detail['proven_identifiers']}")
    assert not problems, problems


def test_after_the_phone_a_right_fact_that_does_not_verify_looks_like_a_wrong_one(service: Service) -> None:
    """Whoever holds a number now (a recycled number, a borrowed phone) proves it and probes whom
    it called. A deletion reaching recordings needs three points: the phone and a right fact make
    two, so the right fact completes nothing and must answer exactly like a wrong one."""
    victim = service.seed_stranger("dana")
    holder = Actor(service, phone=victim.phone)
    submitted = holder.submit({"type": "deletion", "jurisdiction": "ccpa", "phone": victim.phone})
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)
    proved = holder.verify(request_id, {"code": service.code(request_id, victim.phone or "")}, token)
    assert proved.status == 200, proved

    wrong = holder.verify(request_id, {"fact": victim.fact(right=False)}, token)
    right = holder.verify(request_id, {"fact": victim.fact(right=True)}, token)

    assert (wrong.status, wrong.body) == (right.status, right.body), (wrong, right)
    assert not (right.status == 200 and right.body.get("verified")), right


def test_fact_attempts_are_capped_per_phone_across_requests(service: Service) -> None:
    """The holder of a number opens request after request for it, each allowed a few wrong
    attempts of its own, and tries a business per attempt. The cap is the number's, not the
    request's: once reached, a brand-new request for the same number gets 429 at its first fact
    (before: each request had five fresh attempts)."""
    victim = service.seed_stranger("dana")
    holder = Actor(service, phone=victim.phone)
    businesses = ["Northwind Legal", "Brightside Dental", "Crescent Realty", "Harbor Freight Brokers"]
    month = victim.fact()["recent_call_month"]

    def proven_request(right: str) -> tuple[str, str | None]:
        # each of another right: no request is a duplicate of an open one, whatever that means
        submitted = holder.submit({"type": right, "jurisdiction": "ccpa", "phone": victim.phone})
        request_id, token = submitted.request_id, submitted.token
        service.awaiting_verification(request_id)
        proved = holder.verify(request_id, {"code": service.code(request_id, victim.phone or "")}, token)
        assert proved.status == 200, proved
        return request_id, token

    statuses = []
    for right in ("deletion", "access"):
        request_id, token = proven_request(right)
        for business in businesses[:2] if not statuses else businesses[2:]:
            fact = {"recent_call_month": month, "business": business}
            statuses.append(holder.verify(request_id, {"fact": fact}, token).status)
    request_id, token = proven_request("portability")
    fresh = holder.verify(
        request_id, {"fact": {"recent_call_month": month, "business": "Acme Plumbing"}}, token
    )

    assert 429 in statuses, f"four fact attempts for one number over two requests: {statuses}"
    assert fresh.status == 429, f"a new request for the same number: {fresh.status} {fresh.body}"
