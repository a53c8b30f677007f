"""The platform's marketing consent store (DynamoDB, keyed by email): a withdrawal is one
conditional UpdateItem, never a new contact for an address the store does not hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.core.data_map import Store


class MarketingConsentTable:
    def __init__(self, dynamodb: Any, physical_names: Mapping[str, str]) -> None:
        self._ddb = dynamodb
        self._names = physical_names

    def withdraw(self, store: Store, email: str, at: datetime, reference: str) -> bool:
        if store.name not in self._names:
            raise UnknownStore(store.name)
        try:
            self._ddb.update_item(
                TableName=self._names[store.name],
                Key={"email": {"S": email}},
                UpdateExpression="SET consent = :no, withdrawn_at = :at, withdrawn_by = :ref",
                ConditionExpression="attribute_exists(email)",
                ExpressionAttributeValues={
                    ":no": {"BOOL": False},
                    ":at": {"S": at.isoformat()},
                    ":ref": {"S": reference},
                },
            )
        except self._ddb.exceptions.ConditionalCheckFailedException:
            return False
        return True
