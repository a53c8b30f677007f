"""Sign-in (CCPA 7061): an ID token from the platform's identity provider proves what the provider
asserts about that account, its ``sub`` and its verified email, and nothing else on the request."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from harness import AccountHolder, Actor, Service, Victim, damage, present, victim_of_agent

from local_stack import demo
from local_stack.idp import AUDIENCE, ISSUER

pytestmark = pytest.mark.security

SAM = demo.SAM


def _sam(service: Service) -> Actor:
    """Sam Okafor, an agent at Acme with a platform account, from an address of his own."""
    return Actor(service, email=SAM.email)


@pytest.mark.parametrize("names", ["account_id", "email"])
@pytest.mark.parametrize("right", ["access", "deletion"])
def test_signing_in_proves_nothing_about_a_strangers_phone(service: Service, right: str, names: str) -> None:
    """Signed in as himself, Sam (a platform user) asks for a stranger's data: his own account
    (or his own email) and the stranger's phone on one request. The token proves his account;
    the phone is not his and still needs its own code, which goes to the stranger's phone."""
    # Sam and Dana for access, as reproduced. For deletion, a stranger shaped like Dana and an
    # account holder of the test's own: a deletion that goes through erases the victim and the
    # attacker's own account (as it did), and neither may be one another test needs.
    if right == "access":
        victim: Victim = service.dana()
        account = AccountHolder(SAM.account_id, SAM.email, SAM.phone)
    else:
        victim, account = service.seed_stranger("dana"), service.seed_account_holder()
    before = service.footprint(victim)
    assert present(before) > 10
    sam = Actor(service, email=account.email)
    mine = {"account_id": account.account_id} if names == "account_id" else {"email": account.email}

    submitted = sam.submit(
        {"type": right, "jurisdiction": "ccpa", "phone": victim.phone, **mine}, account.email
    )
    request_id = submitted.request_id
    service.awaiting_verification(request_id)
    answer = sam.verify(request_id, {"id_token": sam.sign_in(account.email)}, submitted.token)
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, sam)
    if answer.status != 200 or answer.body.get("verified") is not False:
        problems.append(f"/verify with the token alone answered {answer.status} {answer.body}")
    elif "phone" not in answer.body["pending"] or "phone" in answer.body["proven"]:
        problems.append(f"the stranger's phone is not pending: {answer.body}")
    if "phone" in detail["proven_identifiers"]:
        problems.append(f"the request records the phone as proven: {detail['proven_identifiers']}")
    if detail["status"] != "awaiting_verification":
        problems.append(f"the request went on to {detail['status']} (waiting for {detail['waiting_for']})")
    download = sam.download(request_id, submitted.token)
    if download.status == 200:
        problems.append("Sam got a download link")
    assert not problems, problems


def test_a_token_signed_with_a_key_rotated_minutes_ago_is_accepted(service: Service) -> None:
    """The provider rotates its signing key; Sam signs in right after. His token, signed with a
    key our cached JWKS has never seen, must be checked against the provider's new keys rather
    than refused (a key cache that only refreshes every ten minutes locks every account holder
    out after each rotation).

    Runs before the forged tokens below: their made-up key ids make the service fetch the keys
    again, which it does at most once per 30 seconds, and a rotation inside that window waits
    for the next fetch."""
    sam = _sam(service)
    body = {"type": "restriction", "jurisdiction": "gdpr", "email": SAM.email, "account_id": SAM.account_id}
    # A first sign-in, so that the service has fetched (and cached) the provider's keys.
    first = sam.submit(body, SAM.email)
    service.awaiting_verification(first.request_id)
    warm = sam.verify(first.request_id, {"id_token": sam.sign_in(SAM.email)}, first.token)
    assert warm.status == 200, warm

    service.running.stack.idp.rotate()
    second = sam.submit(
        body | {"type": "objection", "object_to": ["marketing"]}, SAM.email
    )  # not a duplicate of the first
    service.awaiting_verification(second.request_id)
    answer = sam.verify(second.request_id, {"id_token": sam.sign_in(SAM.email)}, second.token)

    assert answer.status == 200, answer
    assert {"account_id", "email"} <= set(answer.body["proven"]), answer.body


def _forged_tokens(service: Service) -> dict[str, str]:
    """ID tokens an attacker can make without the provider's key, claiming Sam's account."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": SAM.account_id,
        "email": SAM.email,
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }
    published = service.running.stack.idp.jwks["keys"][-1]
    kid = published["kid"]
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def unsigned(header: dict[str, str]) -> str:
        def part(value: dict[str, object]) -> str:
            return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

        return f"{part(header)}.{part(claims)}."

    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(published))
    public_pem = public_key.public_bytes(  # type: ignore[union-attr]
        encoding=serialization.Encoding.PEM, format=serialization.PublicFormat.SubjectPublicKeyInfo
    )

    def hs256_with_public_key() -> str:
        header = {"alg": "HS256", "typ": "JWT", "kid": kid}
        signing_input = unsigned(header)[:-1]
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")

    return {
        "alg none": unsigned({"alg": "none", "typ": "JWT", "kid": kid}),
        "own key, the provider's kid": jwt.encode(claims, own_key, algorithm="RS256", headers={"kid": kid}),
        "own key, a new kid": jwt.encode(
            claims, own_key, algorithm="RS256", headers={"kid": uuid.uuid4().hex[:16]}
        ),
        "HS256 keyed with the public key": hs256_with_public_key(),
    }


def test_a_forged_or_stale_id_token_proves_nothing(service: Service, attacker: Actor) -> None:
    """Someone without Sam's password asks for Sam's data and presents tokens made without the
    provider's key (no signature, their own key, the public key as an HMAC secret) and a genuine
    token from a sign-in twenty minutes old (a stolen one)."""
    victim = victim_of_agent(SAM)
    before = service.footprint(victim)
    assert present(before) > 10
    submitted = attacker.submit(
        {"type": "access", "jurisdiction": "ccpa", "email": SAM.email, "account_id": SAM.account_id}
    )
    request_id = submitted.request_id
    service.awaiting_verification(request_id)
    stolen = service.running.stack.idp.id_token(SAM.account_id, SAM.email, auth_time=time.time() - 1200)

    answers = {
        name: attacker.verify(request_id, {"id_token": token}, submitted.token)
        for name, token in {**_forged_tokens(service), "stale sign-in": stolen}.items()
    }
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, attacker)
    problems += [f"{name}: {a.status} {a.body}" for name, a in answers.items() if a.status not in (400, 429)]
    if detail["proven_identifiers"] or detail["status"] != "awaiting_verification":
        problems.append(f"the request is {detail['status']}, proven {detail['proven_identifiers']}")
    assert not problems, problems
