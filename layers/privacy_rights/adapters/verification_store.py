"""One-time codes, stored only as keyed hashes, one item per (request, identifier kind)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass(frozen=True)
class CodeRecord:
    request_id: str
    kind: str
    code_hash: str
    expires_at: int
    attempts: int
    proven: bool


class VerificationStore:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table

    def put_code(self, request_id: str, kind: str, code_hash: str, expires_at: int, keep_until: int) -> None:
        """A new code replaces the previous one for that identifier (never once proven)."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
                UpdateExpression="SET code_hash = :h, expires_at = :e, keep_until = :k, proven = :f "
                "ADD sent :one",
                ConditionExpression="attribute_not_exists(proven) OR proven = :f",
                ExpressionAttributeValues={
                    ":h": {"S": code_hash},
                    ":e": {"N": str(expires_at)},
                    ":k": {"N": str(keep_until)},
                    ":f": {"BOOL": False},
                    ":one": {"N": "1"},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def records(self, request_id: str) -> list[CodeRecord]:
        response = self._ddb.query(
            TableName=self._table,
            KeyConditionExpression="request_id = :r",
            ExpressionAttributeValues={":r": {"S": request_id}},
            ConsistentRead=True,
        )
        return [
            CodeRecord(
                request_id=request_id,
                kind=item["kind"]["S"],
                code_hash=item.get("code_hash", {}).get("S", ""),
                expires_at=int(item.get("expires_at", {}).get("N", "0")),
                attempts=int(item.get("attempts", {}).get("N", "0")),
                proven=item.get("proven", {}).get("BOOL", False),
            )
            for item in response["Items"]
        ]

    def count_failure(self, request_id: str, kind: str) -> None:
        self._ddb.update_item(
            TableName=self._table,
            Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
            UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    def mark_proven(self, request_id: str, kind: str, code_hash: str) -> bool:
        """Single use: only the holder of the current, unused code flips it."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
                UpdateExpression="SET proven = :t REMOVE code_hash",
                ConditionExpression="code_hash = :h AND proven = :f",
                ExpressionAttributeValues={
                    ":t": {"BOOL": True},
                    ":f": {"BOOL": False},
                    ":h": {"S": code_hash},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
