"""One subject, one writer: a conditional item per subject with an expiry.

An export, a deletion, a correction or a replay for the same person never run at once. The
lock is keyed by the subject's keyed hashes (all of them, so a request naming only the phone
and one naming phone and email still meet) and expires on its own if its holder dies.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.errors import SubjectBusy


class SubjectLocks:
    def __init__(self, client: Any, table: str, lease_seconds: int = 900, clock: Any = time.time) -> None:
        self._ddb = client
        self._table = table
        self._lease = lease_seconds
        self._clock = clock

    def acquire(self, subject_keys: list[str], owner: str) -> None:
        """All or nothing: a lock on every key, or none (and SubjectBusy)."""
        taken: list[str] = []
        for key in sorted(set(subject_keys)):
            if not self._take(key, owner):
                for held in taken:
                    self._release_one(held, owner)
                raise SubjectBusy(owner)
            taken.append(key)

    def release(self, subject_keys: list[str], owner: str) -> None:
        for key in set(subject_keys):
            self._release_one(key, owner)

    def _take(self, key: str, owner: str) -> bool:
        now = int(self._clock())
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item={
                    "lock_key": {"S": key},
                    "owner": {"S": owner},
                    "expire_at": {"N": str(now + self._lease)},
                },
                # Free, expired (TTL deletes late), or already ours (a retried step).
                ConditionExpression="attribute_not_exists(lock_key) OR expire_at < :now OR #o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":now": {"N": str(now)}, ":me": {"S": owner}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def _release_one(self, key: str, owner: str) -> None:
        try:
            self._ddb.delete_item(
                TableName=self._table,
                Key={"lock_key": {"S": key}},
                ConditionExpression="#o = :me",
                ExpressionAttributeNames={"#o": "owner"},
                ExpressionAttributeValues={":me": {"S": owner}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
