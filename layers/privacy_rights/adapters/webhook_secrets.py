"""The webhooks' master secret, from Secrets Manager through Powertools parameters (cached)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from privacy_rights.businesses.webhooks import receiver_secrets


class SecretsManagerWebhookSecrets:
    def __init__(self, provider: SecretsProvider, secret_name: str, max_age_seconds: int = 300) -> None:
        self._provider = provider
        self._name = secret_name
        self._max_age = max_age_seconds

    def for_receiver(self, receiver_id: str) -> tuple[bytes, tuple[bytes, ...]]:
        document: Any = self._provider.get(self._name, transform="json", max_age=self._max_age)
        return receiver_secrets(document, receiver_id)
