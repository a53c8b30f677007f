"""The email-intake dead-letter queue: messages SQS gave up on after maxReceiveCount tries.
Replaying sends each back to the intake queue and only then deletes it from the DLQ."""

from __future__ import annotations

import json
from typing import Any


class DeadLetters:
    def __init__(self, client: Any, queue_url: str, dead_letter_url: str) -> None:
        self._sqs = client
        self._queue = queue_url
        self._dead = dead_letter_url

    def count(self) -> int:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self._dead,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0))

    def peek(self, limit: int = 10) -> list[dict[str, Any]]:
        """Object keys of dead-lettered mail; the messages stay (visible again at once)."""
        response = self._sqs.receive_message(
            QueueUrl=self._dead,
            MaxNumberOfMessages=min(limit, 10),
            VisibilityTimeout=0,
            AttributeNames=["ApproximateReceiveCount", "SentTimestamp"],
        )
        return [
            {
                "message_id": message["MessageId"],
                "objects": object_keys(message["Body"]),
                "receive_count": int(message.get("Attributes", {}).get("ApproximateReceiveCount", 0)),
            }
            for message in response.get("Messages", [])
        ]

    def replay(self, limit: int = 100) -> int:
        moved = 0
        while moved < limit:
            response = self._sqs.receive_message(
                QueueUrl=self._dead, MaxNumberOfMessages=min(10, limit - moved), VisibilityTimeout=60
            )
            messages = response.get("Messages", [])
            if not messages:
                break
            for message in messages:
                self._sqs.send_message(QueueUrl=self._queue, MessageBody=message["Body"])
                self._sqs.delete_message(QueueUrl=self._dead, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        return moved


def object_keys(body: str) -> list[str]:
    """The S3 object keys an S3 event notification names (none for anything else)."""
    from urllib.parse import unquote_plus

    try:
        event = json.loads(body)
    except ValueError:
        return []
    if not isinstance(event, dict):
        return []
    return [
        unquote_plus(record["s3"]["object"]["key"])
        for record in event.get("Records", [])
        if isinstance(record, dict) and isinstance(record.get("s3"), dict)
    ]
