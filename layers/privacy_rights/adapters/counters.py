"""Fixed-window counters for rate limits (codes per identifier, submissions per source IP).
One atomic conditional ADD per hit: no read-modify-write race between concurrent callers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError


class Counters:
    def __init__(self, client: Any, table: str, clock: Callable[[], float] = time.time) -> None:
        self._ddb = client
        self._table = table
        self._clock = clock

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        """Count one hit of ``key``; False (and nothing counted) once ``limit`` is reached."""
        now = int(self._clock())
        window = now - now % window_seconds
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"counter_key": {"S": f"{key}#{window}"}},
                UpdateExpression="ADD hits :one SET expire_at = :expire",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":limit": {"N": str(limit)},
                    ":expire": {"N": str(window + 2 * window_seconds)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
