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
