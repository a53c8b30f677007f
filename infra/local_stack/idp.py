"""The local stack's built-in identity provider, standing in for the platform's: it signs ID
tokens (RS256) for the synthetic platform's account holders and publishes its keys as a JWKS
file, which the functions read exactly as they read the real provider's JWKS URL."""

from __future__ import annotations

import json
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
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = uuid.uuid4().hex[:16]
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        self.jwks: dict[str, Any] = {"keys": [public | {"kid": self._kid, "use": "sig", "alg": "RS256"}]}
        directory = Path(tempfile.mkdtemp(prefix="privacy-idp-"))
        self.jwks_path = directory / "jwks.json"
        self.jwks_path.write_text(json.dumps(self.jwks))

    @property
    def jwks_url(self) -> str:
        return self.jwks_path.as_uri()

    def parameters(self) -> dict[str, str]:
        return {"IdentityIssuer": ISSUER, "IdentityAudience": AUDIENCE, "IdentityJwksUrl": self.jwks_url}

    def id_token(self, account_id: str, email: str, auth_time: float | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": account_id,
            "email": email,
            "iat": now,
            "exp": now + 3600,
            "auth_time": int(auth_time if auth_time is not None else now),
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})
