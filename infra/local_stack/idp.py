"""The local stack's built-in identity provider, standing in for the platform's: it signs ID
tokens (RS256) for the synthetic platform's account holders and publishes its keys as a JWKS
file, which the functions read exactly as they read the real provider's JWKS URL.

``rotate()`` plays a provider's key rotation: a new signing key with a new key id signs from then
on, and the JWKS publishes it next to the previous ones (as real providers do while tokens signed
with the old key are still valid)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://idp.callx.local"
AUDIENCE = "privacy-rights"
#: Every synthetic account holder signs in with this password on the local stack only.
LOCAL_PASSWORD = "local-demo-password"  # noqa: S105 - a documented local-only demo credential


class LocalIdentityProvider:
    def __init__(self) -> None:
        self.jwks: dict[str, Any] = {"keys": []}
        directory = Path(tempfile.mkdtemp(prefix="privacy-idp-"))
        self.jwks_path = directory / "jwks.json"
        self.rotate()

    def close(self) -> None:
        """Removes the key set's folder (the stack's exit calls it: a test run makes many)."""
        shutil.rmtree(self.jwks_path.parent, ignore_errors=True)

    @property
    def kid(self) -> str:
        """The key id of the key that signs now."""
        return self._kid

    def rotate(self) -> str:
        """A new signing key with a new key id, published in the JWKS next to the earlier keys;
        tokens are signed with it from now on. Returns its key id."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = uuid.uuid4().hex[:16]
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
        jwks = {"keys": [*self.jwks["keys"], public | {"kid": kid, "use": "sig", "alg": "RS256"}]}
        # Written whole, then renamed: a reader never sees half a file.
        partial = self.jwks_path.with_suffix(".partial")
        partial.write_text(json.dumps(jwks))
        partial.replace(self.jwks_path)
        self._key, self._kid, self.jwks = key, kid, jwks
        return kid

    @property
    def jwks_url(self) -> str:
        return self.jwks_path.as_uri()

    def parameters(self) -> dict[str, str]:
        return {"IdentityIssuer": ISSUER, "IdentityAudience": AUDIENCE, "IdentityJwksUrl": self.jwks_url}

    def id_token(
        self, account_id: str, email: str, auth_time: float | None = None, email_verified: bool = True
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": account_id,
            "email": email,
            "email_verified": email_verified,
            "iat": now,
            "exp": now + 3600,
            "auth_time": int(auth_time if auth_time is not None else now),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
