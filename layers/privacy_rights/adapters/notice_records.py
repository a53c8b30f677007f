"""Notices in DynamoDB: the provider's record of each notice sent (its SES or SNS message id,
in NoticesTable under ``notice:<request id>:<notice>``, written as soon as the provider accepted
it) and the notices not delivered yet (OutstandingNoticesTable; the sparse index ``by_queue``
lists them without a Scan). References, names, times and error codes only: never content."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from privacy_rights.adapters.sent_mail import KEEP_SECONDS
from privacy_rights.core.ports import OutstandingNotice

QUEUE_INDEX = "by_queue"
QUEUE = "outstanding"


def _notice_key(request_id: str, name: str) -> str:
    return f"notice:{request_id}:{name}"


def _at(seconds: str) -> datetime:
    return datetime.fromtimestamp(int(seconds), UTC)


class DynamoNoticeRecords:
    def __init__(self, client: Any, notices_table: str, outstanding_table: str) -> None:
        self._ddb = client
        self._notices = notices_table
        self._outstanding = outstanding_table

    def log_sent(self, request_id: str, name: str, message_id: str, channel: str) -> None:
        now = int(time.time())
        self._ddb.put_item(
            TableName=self._notices,
            Item={
                "message_id": {"S": _notice_key(request_id, name)},
                "reference": {"S": request_id},
                "provider_message_id": {"S": message_id},
                "channel": {"S": channel},
                "sent_at": {"N": str(now)},
                "expire_at": {"N": str(now + KEEP_SECONDS)},
            },
        )

    def sent_record(self, request_id: str, name: str) -> dict[str, str] | None:
        item = self._ddb.get_item(
            TableName=self._notices,
            Key={"message_id": {"S": _notice_key(request_id, name)}},
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return None
        return {
            "channel": item["channel"]["S"],
            "message_id": item["provider_message_id"]["S"],
            "sent_at": _at(item["sent_at"]["N"]).isoformat(),
        }

    def hold(self, notice: OutstandingNotice) -> None:
        self._ddb.put_item(
            TableName=self._outstanding,
            Item={
                "request_id": {"S": notice.request_id},
                "notice": {"S": notice.name},
                "queue": {"S": QUEUE},
                "state": {"S": notice.state},
                "since": {"N": str(int(notice.since.timestamp()))},
                "attempts": {"N": str(notice.attempts)},
                "next_at": {"N": str(int(notice.next_at.timestamp()))},
                "last_error": {"S": notice.last_error or "-"},
            },
        )

    def held(self, request_id: str, name: str) -> OutstandingNotice | None:
        item = self._ddb.get_item(
            TableName=self._outstanding,
            Key={"request_id": {"S": request_id}, "notice": {"S": name}},
            ConsistentRead=True,
        ).get("Item")
        return _notice(item) if item else None

    def outstanding(self) -> list[OutstandingNotice]:
        found: list[OutstandingNotice] = []
        paginator = self._ddb.get_paginator("query")
        pages = paginator.paginate(
            TableName=self._outstanding,
            IndexName=QUEUE_INDEX,
            KeyConditionExpression="#q = :q",
            ExpressionAttributeNames={"#q": "queue"},
            ExpressionAttributeValues={":q": {"S": QUEUE}},
        )
        for page in pages:
            found += [_notice(item) for item in page["Items"]]
        return found

    def settle(self, request_id: str, name: str) -> None:
        self._ddb.delete_item(
            TableName=self._outstanding, Key={"request_id": {"S": request_id}, "notice": {"S": name}}
        )


def _notice(item: dict[str, Any]) -> OutstandingNotice:
    error = item.get("last_error", {}).get("S", "")
    return OutstandingNotice(
        request_id=item["request_id"]["S"],
        name=item["notice"]["S"],
        state=item["state"]["S"],
        since=_at(item["since"]["N"]),
        attempts=int(item["attempts"]["N"]),
        next_at=_at(item["next_at"]["N"]),
        last_error="" if error == "-" else error,
    )
