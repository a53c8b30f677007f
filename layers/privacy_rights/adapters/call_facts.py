"""What identity verification may look up about the platform's calls: the calls a number made
(month and business only) and a business's name. Read-only, two queries."""

from __future__ import annotations

from typing import Any


class CallFacts:
    def __init__(self, dynamodb: Any, calls_table: str, customers_table: str) -> None:
        self._ddb = dynamodb
        self._calls_table = calls_table
        self._customers_table = customers_table

    def calls_from(self, phone: str) -> list[dict[str, Any]]:
        pages = self._ddb.get_paginator("query").paginate(
            TableName=self._calls_table,
            IndexName="by_caller",
            KeyConditionExpression="caller_phone = :p",
            ExpressionAttributeValues={":p": {"S": phone}},
            ProjectionExpression="started_at, tenant_id",
        )
        return [{k: v["S"] for k, v in item.items()} for page in pages for item in page["Items"]]

    def tenant_name(self, tenant_id: str) -> str:
        item = self._ddb.get_item(TableName=self._customers_table, Key={"tenant_id": {"S": tenant_id}})
        return str(item.get("Item", {}).get("name", {}).get("S", ""))
