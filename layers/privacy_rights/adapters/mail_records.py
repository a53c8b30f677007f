"""Inbound mail records (MailTable): one item per message, keyed by an id derived from its
Message-ID, so a message delivered twice is claimed once. Items waiting for a person carry a
``queue`` attribute (sparse index ``by_queue``), removed when someone deals with them."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.items import from_item, plain, to_item
from privacy_rights.core.errors import NotFound, NotInQueue
from privacy_rights.core.ports import MailRecord

__all__ = ["MailRecord", "MailRecords"]


class MailRecords:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table

    def claim(self, record: MailRecord) -> MailRecord:
        """The stored record for this mail: ``record`` itself if it is new, else the earlier one."""
        try:
            self._ddb.put_item(
                TableName=self._table,
                Item=to_item(record.model_dump()),
                ConditionExpression="attribute_not_exists(mail_id)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return self.get(record.mail_id)
        return record

    def get(self, mail_id: str) -> MailRecord:
        item = self._ddb.get_item(
            TableName=self._table, Key={"mail_id": {"S": mail_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            raise NotFound(mail_id)
        return MailRecord.model_validate(plain(from_item(item)))

    def put(self, record: MailRecord) -> None:
        self._ddb.put_item(TableName=self._table, Item=to_item(record.model_dump()))

    def mark_reply_intent(self, mail_id: str) -> bool:
        """True for the one caller that may send the reply; a reply once intended is never resent."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"mail_id": {"S": mail_id}},
                UpdateExpression="SET reply = :intent",
                ConditionExpression="attribute_exists(mail_id) AND attribute_not_exists(reply)",
                ExpressionAttributeValues={":intent": {"S": "intent"}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_reply_sent(self, mail_id: str) -> None:
        self._ddb.update_item(
            TableName=self._table,
            Key={"mail_id": {"S": mail_id}},
            UpdateExpression="SET reply = :sent",
            ExpressionAttributeValues={":sent": {"S": "sent"}},
        )

    def close(self, mail_id: str, queue: str, by: str, reason: str, request_ids: list[str]) -> MailRecord:
        """Take the record off ``queue``; only one caller can (the condition is the queue)."""
        try:
            self._ddb.update_item(
                TableName=self._table,
                Key={"mail_id": {"S": mail_id}},
                UpdateExpression="REMOVE #q SET closed_by = :by, closed_reason = :why, "
                "request_ids = list_append(if_not_exists(request_ids, :none), :ids)",
                ConditionExpression="#q = :queue",
                ExpressionAttributeNames={"#q": "queue"},
                ExpressionAttributeValues={
                    ":queue": {"S": queue},
                    ":by": {"S": by},
                    ":why": {"S": reason},
                    ":ids": {"L": [{"S": i} for i in request_ids]},
                    ":none": {"L": []},
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise NotInQueue(mail_id) from None
            raise
        return self.get(mail_id)

    def in_queue(self, queue: str, limit: int = 100) -> list[MailRecord]:
        response = self._ddb.query(
            TableName=self._table,
            IndexName="by_queue",
            KeyConditionExpression="#q = :queue",
            ExpressionAttributeNames={"#q": "queue"},
            ExpressionAttributeValues={":queue": {"S": queue}},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [self.get(item["mail_id"]["S"]) for item in response["Items"]]
