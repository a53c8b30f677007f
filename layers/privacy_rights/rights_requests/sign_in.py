"""Verification of account holders (CCPA 7061): people with a platform account (business users,
agents) prove who they are by signing in again with their account, not with codes.

The identity provider is configuration: its issuer, the audience of its ID tokens and where its
signing keys (JWKS) are published. Only RS256/ES256 tokens are accepted, and only if the sign-in
is recent (re-authentication before data is disclosed or deleted).

The keys come through PyJWT's ``PyJWKClient`` (its JWK Set cache). A token signed with a key id
the cached set does not know fetches the set again at once, so a key the provider has just
rotated in is accepted at its first use; a flood of made-up key ids costs at most one fetch per
``UNKNOWN_KID_REFETCH_SECONDS`` (PyJWKClient's own cooldown also counts the ordinary fetches,
which would reject a freshly rotated key for up to that long after any fetch).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jwt

from privacy_rights.core.errors import CodeRejected, TransientDependencyError

RECENT_SIGN_IN_SECONDS = 600
ALGORITHMS = ["RS256", "ES256"]
#: How long the fetched key set is used before it is fetched again (PyJWKClient ``lifespan``).
KEYS_LIFESPAN_SECONDS = 300
#: A token whose key id the cached set lacks fetches the set again, at most once per this long.
UNKNOWN_KID_REFETCH_SECONDS = 30
_MAX_KID_LENGTH = 256


class _FileJwksClient(jwt.PyJWKClient):
    """PyJWKClient for a ``file://`` key set (the local stack's identity provider).

    PyJWKClient refuses every scheme but http(s) in its constructor, so it is built for a
    placeholder https URL and only ``fetch_data`` (the documented point to override) reads the
    file; caching and key lookup are PyJWKClient's own."""

    def __init__(self, url: str, **options: Any) -> None:
        super().__init__("https://jwks.local.invalid/", **options)
        self.uri = url
        self._path = Path(url2pathname(urlsplit(url).path))

    def fetch_data(self) -> Any:
        try:
            return json.loads(self._path.read_text())
        except (OSError, ValueError) as exc:
            raise jwt.PyJWKClientConnectionError(f"cannot read the local JWKS: {exc}") from exc


class ProviderKeys:
    """The identity provider's signing keys by key id: https (or a local file for the local
    stack), cached ``lifespan_seconds``, fetched again early for an unknown key id (a rotation)
    at most once per ``refetch_interval_seconds``."""

    def __init__(
        self,
        url: str,
        lifespan_seconds: float = KEYS_LIFESPAN_SECONDS,
        refetch_interval_seconds: float = UNKNOWN_KID_REFETCH_SECONDS,
        timeout_seconds: float = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        scheme = urlsplit(url).scheme
        # PyJWKClient's own cooldown is off (0): the refetch limit below counts only refetches
        # for unknown key ids, so a rotation right after an ordinary fetch is not rejected.
        options: dict[str, Any] = {"lifespan": lifespan_seconds, "cooldown_duration": 0}
        self._client: jwt.PyJWKClient
        if scheme == "https":
            self._client = jwt.PyJWKClient(url, timeout=timeout_seconds, **options)
        elif scheme == "file":
            self._client = _FileJwksClient(url, **options)
        else:
            raise ValueError("the JWKS URL must be https (or file for a local identity provider)")
        self._refetch_interval = refetch_interval_seconds
        self._clock = clock
        self._last_refetch: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK:
        """The signing key with that id; KeyError if the provider publishes none (after at most
        one early refetch); PyJWKClientConnectionError if the key set cannot be fetched."""
        with self._lock:
            key = self._client.match_kid(self._client.get_signing_keys(), kid)
            if key is None and self._may_refetch():
                key = self._client.match_kid(self._client.get_signing_keys(refresh=True), kid)
        if key is None:
            raise KeyError(kid)
        return key

    def _may_refetch(self) -> bool:
        now = self._clock()
        if self._last_refetch is not None and now - self._last_refetch < self._refetch_interval:
            return False
        self._last_refetch = now
        return True


class AccountSignIn:
    def __init__(
        self,
        issuer: str,
        audience: str,
        keys: ProviderKeys,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._keys = keys
        self._clock = clock

    def claims(self, id_token: str) -> dict[str, Any]:
        """The token's claims if it is genuine, meant for us, unexpired and from a recent
        sign-in; CodeRejected otherwise (the reason is not echoed to the client), and
        TransientDependencyError when the provider's keys cannot be fetched.

        ``claims["email_verified"]`` is always a bool: True only when the provider says so
        (``true``, or the string ``"true"`` some providers send); absent means False."""
        try:
            header = jwt.get_unverified_header(id_token)
            kid, alg = header.get("kid"), header.get("alg")
            # Checked before any key lookup: alg none/HS256 or a missing kid never cause a fetch.
            if alg not in ALGORITHMS or not isinstance(kid, str) or not 0 < len(kid) <= _MAX_KID_LENGTH:
                raise CodeRejected("id_token")
            key = self._keys.key(kid)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "auth_time"], "enforce_minimum_key_length": True},
                leeway=30,
            )
        except jwt.PyJWKClientConnectionError:
            raise TransientDependencyError("identity provider keys") from None
        except (jwt.PyJWTError, KeyError, ValueError, TypeError):
            raise CodeRejected("id_token") from None
        try:
            auth_time = float(claims["auth_time"])
        except (TypeError, ValueError):
            raise CodeRejected("id_token") from None
        if self._clock() - auth_time > RECENT_SIGN_IN_SECONDS:
            raise CodeRejected("stale sign-in")
        verified = claims.get("email_verified")
        claims["email_verified"] = verified is True or (
            isinstance(verified, str) and verified.lower() == "true"
        )
        return claims
