"""The platform's business customers (CustomersTable): name, contacts and the standing
instruction each gave for rights requests about its callers (fulfil, forward or ask)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


class Customers:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table
        self.customer = lru_cache(maxsize=256)(self._customer)

    def _customer(self, tenant_id: str) -> dict[str, str]:
        item = self._ddb.get_item(TableName=self._table, Key={"tenant_id": {"S": tenant_id}}).get("Item", {})
        return {k: v["S"] for k, v in item.items() if "S" in v}

    def tenant_of(self, principal_arn: str) -> str | None:
        """The business an IAM principal speaks for, or None."""
        response = self._ddb.query(
            TableName=self._table,
            IndexName="by_principal",
            KeyConditionExpression="principal_arn = :p",
            ExpressionAttributeValues={":p": {"S": principal_arn}},
            Limit=2,
        )
        items = response.get("Items", [])
        return items[0]["tenant_id"]["S"] if len(items) == 1 else None
