"""Signing in again (CCPA 7061): only a genuine, recent ID token for us from our provider passes;
a key the provider has just rotated in is accepted at once; made-up key ids cannot force a fetch
per token."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.utils import base64url_encode

from local_stack.idp import AUDIENCE, ISSUER, LocalIdentityProvider
from privacy_rights.core.errors import CodeRejected, TransientDependencyError
from privacy_rights.rights_requests.sign_in import AccountSignIn, ProviderKeys


class CountingKeys(ProviderKeys):
    """ProviderKeys whose clock the test moves and whose fetches it counts."""

    def __init__(self, url: str, **options: Any) -> None:
        self.now = 1000.0
        super().__init__(url, clock=lambda: self.now, **options)
        self.fetches = 0
        fetch = self._client.fetch_data

        def counted() -> Any:
            self.fetches += 1
            return fetch()

        self._client.fetch_data = counted  # type: ignore[method-assign]


@pytest.fixture
def keys(idp: LocalIdentityProvider) -> CountingKeys:
    return CountingKeys(idp.jwks_url)


@pytest.fixture
def sign_in(keys: CountingKeys) -> AccountSignIn:
    return AccountSignIn(ISSUER, AUDIENCE, keys)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "acct_sam",
        "email": "sam@acme.example",
        "email_verified": True,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    } | overrides


def _signed(idp: LocalIdentityProvider, **overrides: Any) -> str:
    return jwt.encode(_claims(**overrides), idp._key, algorithm="RS256", headers={"kid": idp.kid})


def test_a_genuine_recent_token_gives_its_claims(idp: LocalIdentityProvider, sign_in: AccountSignIn) -> None:
    claims = sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))

    assert (claims["sub"], claims["email"], claims["email_verified"]) == (
        "acct_sam",
        "sam@acme.example",
        True,
    )


@pytest.mark.parametrize(
    ("given", "verified"), [(False, False), ("true", True), ("false", False), (1, False)]
)
def test_email_verified_is_always_a_bool(
    idp: LocalIdentityProvider, sign_in: AccountSignIn, given: Any, verified: bool
) -> None:
    assert sign_in.claims(_signed(idp, email_verified=given))["email_verified"] is verified


def test_a_token_without_email_verified_has_an_unverified_email(
    idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    claims = _claims()
    del claims["email_verified"]
    token = jwt.encode(claims, idp._key, algorithm="RS256", headers={"kid": idp.kid})

    assert sign_in.claims(token)["email_verified"] is False


def test_the_local_provider_can_say_the_email_is_not_verified(
    idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    token = idp.id_token("acct_sam", "sam@acme.example", email_verified=False)

    assert sign_in.claims(token)["email_verified"] is False


def test_a_key_rotated_in_after_the_keys_were_cached_is_accepted_at_once(
    idp: LocalIdentityProvider, keys: CountingKeys, sign_in: AccountSignIn
) -> None:
    old_token = idp.id_token("acct_sam", "sam@acme.example")
    sign_in.claims(old_token)
    assert keys.fetches == 1

    new_kid = idp.rotate()
    claims = sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))  # no time has passed

    assert claims["sub"] == "acct_sam"
    assert keys.fetches == 2
    assert [k["kid"] for k in json.loads(idp.jwks_path.read_text())["keys"]][-1] == new_kid
    sign_in.claims(old_token)  # the old key is still published during the rotation
    sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))
    assert keys.fetches == 2  # both served from the cache


def test_made_up_key_ids_force_at_most_one_fetch_per_interval(
    idp: LocalIdentityProvider, keys: CountingKeys, sign_in: AccountSignIn
) -> None:
    sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))
    for n in range(50):
        forged = jwt.encode(_claims(), idp._key, algorithm="RS256", headers={"kid": f"made-up-{n}"})
        with pytest.raises(CodeRejected):
            sign_in.claims(forged)
    assert keys.fetches == 2  # the first fetch, and one refetch for the first unknown kid

    keys.now += 31
    idp.rotate()
    assert sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))["sub"] == "acct_sam"
    assert keys.fetches == 3


def test_a_rotation_inside_the_refetch_interval_waits_for_it(
    idp: LocalIdentityProvider, keys: CountingKeys, sign_in: AccountSignIn
) -> None:
    sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))
    with pytest.raises(CodeRejected):
        sign_in.claims(jwt.encode(_claims(), idp._key, algorithm="RS256", headers={"kid": "made-up"}))
    idp.rotate()

    with pytest.raises(CodeRejected):
        sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))
    keys.now += 30
    assert sign_in.claims(idp.id_token("acct_sam", "sam@acme.example"))["sub"] == "acct_sam"


def test_a_stale_sign_in_is_rejected(idp: LocalIdentityProvider, sign_in: AccountSignIn) -> None:
    with pytest.raises(CodeRejected):
        sign_in.claims(idp.id_token("acct_sam", "sam@acme.example", auth_time=time.time() - 601 - 30))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "https://idp.example.net"},
        {"exp": int(time.time()) - 3600},
        {"auth_time": "yesterday"},
    ],
    ids=["audience", "issuer", "expired", "auth_time_not_a_time"],
)
def test_a_token_not_for_us_is_rejected(
    idp: LocalIdentityProvider, sign_in: AccountSignIn, overrides: dict[str, Any]
) -> None:
    with pytest.raises(CodeRejected):
        sign_in.claims(_signed(idp, **overrides))


def test_a_token_without_auth_time_is_rejected(idp: LocalIdentityProvider, sign_in: AccountSignIn) -> None:
    claims = _claims()
    del claims["auth_time"]
    with pytest.raises(CodeRejected):
        sign_in.claims(jwt.encode(claims, idp._key, algorithm="RS256", headers={"kid": idp.kid}))


def test_alg_none_and_hs256_are_rejected_without_fetching(
    idp: LocalIdentityProvider, keys: CountingKeys, sign_in: AccountSignIn
) -> None:
    unsigned = jwt.encode(_claims(), None, algorithm="none", headers={"kid": idp.kid})
    # The classic confusion: the provider's public key used as an HMAC secret (made by hand,
    # since PyJWT refuses to sign with a public key as the secret).
    public_jwk = json.dumps(idp.jwks["keys"][0]).encode()
    signing_input = b".".join(
        base64url_encode(json.dumps(part).encode())
        for part in ({"alg": "HS256", "typ": "JWT", "kid": idp.kid}, _claims())
    )
    mac = base64url_encode(hmac.new(public_jwk, signing_input, hashlib.sha256).digest())
    hs256 = (signing_input + b"." + mac).decode()

    for token in (unsigned, hs256):
        with pytest.raises(CodeRejected):
            sign_in.claims(token)
    assert keys.fetches == 0


def test_a_token_signed_with_another_key_under_the_providers_kid_is_rejected(
    idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(_claims(), stranger, algorithm="RS256", headers={"kid": idp.kid})

    with pytest.raises(CodeRejected):
        sign_in.claims(forged)


def test_an_es256_token_under_an_rsa_kid_is_rejected(
    idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(_claims(), other, algorithm="ES256", headers={"kid": idp.kid})

    with pytest.raises(CodeRejected):
        sign_in.claims(forged)


@pytest.mark.parametrize("token", ["", "not.a.token", "a.b", "x" * 5000])
def test_garbage_is_rejected(sign_in: AccountSignIn, token: str) -> None:
    with pytest.raises(CodeRejected):
        sign_in.claims(token)


def test_keys_that_cannot_be_read_are_a_transient_error_not_a_wrong_code(
    idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    token = idp.id_token("acct_sam", "sam@acme.example")
    idp.jwks_path.unlink()

    with pytest.raises(TransientDependencyError):
        sign_in.claims(token)


@pytest.mark.parametrize("url", ["http://idp.example.net/jwks.json", "ftp://x/y", "/etc/jwks.json"])
def test_the_keys_come_only_over_https_or_from_a_local_file(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        ProviderKeys(url)


def test_an_https_url_is_fetched_by_pyjwkclient() -> None:
    keys = ProviderKeys("https://idp.example.net/.well-known/jwks.json")
    assert type(keys._client) is jwt.PyJWKClient
    assert keys._client.uri == "https://idp.example.net/.well-known/jwks.json"
