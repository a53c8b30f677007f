"""Closed requests and their audit chains in DynamoDB, as record retention removes them
(``ops.record_retention``).

Requests closed before a time come from the sparse ``by_closed_at`` index (``closed`` = a
constant, ``closed_at`` = epoch seconds of the closing; the request store writes both while a
request is final and removes them when an appeal re-opens it). The index is eventually
consistent and projects keys only: every candidate is read again with a consistent GetItem.

The audit table's resource policy lets only this adapter's function delete entries; nothing here
puts, updates or batch-writes them (a BatchWriteItem could also overwrite an entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.items import from_item, plain
from privacy_rights.adapters.request_store import CLOSED, CLOSED_INDEX
from privacy_rights.core.ports import RecordState

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class DynamoExpiringRecords:
    def __init__(self, client: DynamoDBClient, requests_table: str, audit_table: str) -> None:
        self._ddb = client
        self._requests = requests_table
        self._audit = audit_table

    def closed_before(self, cutoff: datetime) -> Iterator[str]:
        """Ids of requests closed at or before ``cutoff``, oldest first (index: may be stale)."""
        paginator = self._ddb.get_paginator("query")
        for page in paginator.paginate(
            TableName=self._requests,
            IndexName=CLOSED_INDEX,
            KeyConditionExpression="#c = :closed AND closed_at <= :cutoff",
            ExpressionAttributeNames={"#c": "closed"},
            ExpressionAttributeValues={
                ":closed": {"S": CLOSED},
                ":cutoff": {"N": str(int(cutoff.timestamp()))},
            },
        ):
            for item in page["Items"]:
                yield item["request_id"]["S"]

    def state(self, request_id: str) -> RecordState | None:
        response = self._ddb.get_item(
            TableName=self._requests,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
            ProjectionExpression="request_id, version, closed_at, expiring, audit_seq",
        )
        if "Item" not in response:
            return None
        values: dict[str, Any] = plain(from_item(response["Item"]))
        return RecordState(
            request_id=request_id,
            version=values.get("version", 0),
            closed_at=_at(values["closed_at"]) if "closed_at" in values else None,
            expiring=_at(values["expiring"]) if "expiring" in values else None,
            audit_seq=values.get("audit_seq", 0),
        )

    def mark_expiring(self, request_id: str, version: int, at: datetime) -> bool:
        """One conditional write: only a closed request still at ``version``, not marked yet."""
        try:
            self._ddb.update_item(
                TableName=self._requests,
                Key={"request_id": {"S": request_id}},
                UpdateExpression="SET expiring = :at",
                ConditionExpression=(
                    "#v = :version AND attribute_exists(closed_at) AND attribute_not_exists(expiring)"
                ),
                ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues={
                    ":at": {"N": str(int(at.timestamp()))},
                    ":version": {"N": str(version)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def audit_seqs(self, request_id: str) -> list[int]:
        """The sequence numbers of the request's entries, oldest first (keys only)."""
        paginator = self._ddb.get_paginator("query")
        seqs: list[int] = []
        for page in paginator.paginate(
            TableName=self._audit,
            KeyConditionExpression="request_id = :r",
            ExpressionAttributeValues={":r": {"S": request_id}},
            ProjectionExpression="seq",
            ConsistentRead=True,
        ):
            seqs += [int(item["seq"]["N"]) for item in page["Items"]]
        return seqs

    def delete_audit_entry(self, request_id: str, seq: int) -> None:
        self._ddb.delete_item(
            TableName=self._audit,
            Key={"request_id": {"S": request_id}, "seq": {"N": str(seq)}},
        )

    def index_closed(self, request_id: str, version: int, closed_at: datetime) -> bool:
        """Put a request closed before the index existed into it, as the request store writes
        it on a save (only at ``version``, only if it is not indexed yet)."""
        try:
            self._ddb.update_item(
                TableName=self._requests,
                Key={"request_id": {"S": request_id}},
                UpdateExpression="SET #c = :closed, closed_at = :at",
                ConditionExpression="#v = :version AND attribute_not_exists(closed_at)",
                ExpressionAttributeNames={"#c": "closed", "#v": "version"},
                ExpressionAttributeValues={
                    ":closed": {"S": CLOSED},
                    ":at": {"N": str(int(closed_at.timestamp()))},
                    ":version": {"N": str(version)},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete_request(self, request_id: str, head_seq: int) -> bool:
        """The request item (its ledger with it), only if it is marked and its chain head is
        ``head_seq``, the last entry deleted; False otherwise (nothing deleted)."""
        try:
            self._ddb.delete_item(
                TableName=self._requests,
                Key={"request_id": {"S": request_id}},
                ConditionExpression="attribute_exists(expiring) AND audit_seq = :head",
                ExpressionAttributeValues={":head": {"N": str(head_seq)}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
