"""The HMAC key ring, from Secrets Manager through Powertools parameters (cached)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from privacy_rights.core.keyed_hash import KeyRing


class SecretsManagerKeyRing:
    def __init__(self, provider: SecretsProvider, secret_name: str, max_age_seconds: int = 300) -> None:
        self._provider = provider
        self._name = secret_name
        self._max_age = max_age_seconds

    def key_ring(self) -> KeyRing:
        secret: Any = self._provider.get(self._name, transform="json", max_age=self._max_age)
        return KeyRing.from_secret(secret)
