"""One-time codes, stored only as keyed hashes, one item per (request, identifier kind)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.ports import CodeRecord

__all__ = ["CodeRecord", "VerificationStore"]


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

    def reserve_attempt(self, request_id: str, kind: str, limit: int) -> int | None:
        """Take one of ``limit`` attempts before a guess is compared: a conditional ADD, so
        concurrent guesses can never compare more than ``limit``. The attempts now used, or None
        when none were left."""
        try:
            response = self._ddb.update_item(
                TableName=self._table,
                Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
                UpdateExpression="ADD attempts :one",
                ConditionExpression="attribute_not_exists(attempts) OR attempts < :limit",
                ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)}},
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return int(response["Attributes"]["attempts"]["N"])

    def refund_attempt(self, request_id: str, kind: str) -> None:
        """A right guess gives its attempt back: only wrong ones count towards the lock."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
                UpdateExpression="ADD attempts :minus",
                ConditionExpression="attempts > :zero",
                ExpressionAttributeValues={":minus": {"N": "-1"}, ":zero": {"N": "0"}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def record_proof(self, request_id: str, kind: str, how: str, keep_until: int) -> None:
        """A proof that is not a code (a sign-in, a fact): the identifier is proven, and any
        code still out for it can no longer be used."""
        self._ddb.update_item(
            TableName=self._table,
            Key={"request_id": {"S": request_id}, "kind": {"S": kind}},
            UpdateExpression="SET proven = :t, proven_by = :how, keep_until = :k REMOVE code_hash",
            ExpressionAttributeValues={
                ":t": {"BOOL": True},
                ":how": {"S": how},
                ":k": {"N": str(keep_until)},
            },
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
