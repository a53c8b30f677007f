"""Verification of account holders (CCPA 7061): people with a platform account (business users,
agents) prove who they are by signing in again with their account, not with codes.

The identity provider is configuration: its issuer, the audience of its ID tokens and where its
signing keys (JWKS) are published. Only RS256/ES256 tokens are accepted, and only if the sign-in
is recent (re-authentication before data is disclosed or deleted).
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import jwt

from privacy_rights.errors import CodeRejected

RECENT_SIGN_IN_SECONDS = 600
ALGORITHMS = ["RS256", "ES256"]


class JwksFromUrl:
    """The provider's published keys, cached; https (or a local file for the local stack)."""

    def __init__(self, url: str, max_age_seconds: int = 600, clock: Callable[[], float] = time.time) -> None:
        if urlsplit(url).scheme not in ("https", "file"):
            raise ValueError("the JWKS URL must be https (or file for a local identity provider)")
        self._url = url
        self._max_age = max_age_seconds
        self._clock = clock
        self._cached: tuple[float, dict[str, Any]] | None = None

    def __call__(self) -> dict[str, Any]:
        if self._cached is None or self._clock() - self._cached[0] > self._max_age:
            with urllib.request.urlopen(self._url, timeout=5) as response:  # noqa: S310 - scheme checked above
                self._cached = (self._clock(), json.loads(response.read()))
        return self._cached[1]


class AccountSignIn:
    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks: Callable[[], dict[str, Any]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwks
        self._clock = clock

    def claims(self, id_token: str) -> dict[str, Any]:
        """The token's claims if it is genuine, meant for us, unexpired and from a recent
        sign-in; CodeRejected otherwise (the reason is not echoed to the client)."""
        try:
            header = jwt.get_unverified_header(id_token)
            key = jwt.PyJWKSet.from_dict(self._jwks())[str(header.get("kid"))]
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key.key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "auth_time"]},
                leeway=30,
            )
        except (jwt.PyJWTError, KeyError, ValueError):
            raise CodeRejected("id_token") from None
        if self._clock() - float(claims["auth_time"]) > RECENT_SIGN_IN_SECONDS:
            raise CodeRejected("stale sign-in")
        return claims
