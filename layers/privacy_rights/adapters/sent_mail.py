"""What the service sent, by provider message id (NoticesTable): how a reply's In-Reply-To
finds the request or mail it answers. Only references and times are kept, never content."""

from __future__ import annotations

import time
from typing import Any

#: as long as the audit trail: a reply may come months later (an appeal, a late permission)
KEEP_SECONDS = 25 * 31 * 24 * 3600


class SentMail:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table

    def record(self, message_id: str, reference: str, channel: str) -> None:
        now = int(time.time())
        self._ddb.put_item(
            TableName=self._table,
            Item={
                "message_id": {"S": message_id},
                "reference": {"S": reference},
                "channel": {"S": channel},
                "sent_at": {"N": str(now)},
                "expire_at": {"N": str(now + KEEP_SECONDS)},
            },
        )

    def reference_of(self, message_id: str) -> str | None:
        item = self._ddb.get_item(TableName=self._table, Key={"message_id": {"S": message_id}}).get("Item")
        return item["reference"]["S"] if item else None
