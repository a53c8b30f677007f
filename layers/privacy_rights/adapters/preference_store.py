"""The preference store (DynamoDB): one item per keyed hash of an identifier.

Marks are top-level attributes (``opt_out_<purpose>``, ``objection_<purpose>``, ``restriction``,
``suppression``) so that each is set by one UpdateItem without reading first, and concurrent
requests for the same person never overwrite each other's marks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from privacy_rights.adapters.dynamodb_batches import get_items
from privacy_rights.core.ports import OBJECTION, OPT_OUT
from privacy_rights.preferences.preferences import Mark, PreferenceRecord


class PreferenceStore:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table

    def records(self, digests: Iterable[str]) -> list[PreferenceRecord]:
        keys = [{"subject_key": {"S": digest}} for digest in dict.fromkeys(digests)]
        items = get_items(self._ddb, self._table, keys, consistent_read=True)
        return [self._record(item) for item in items]

    def mark(self, digests: Iterable[str], attribute: str, mark: Mark) -> None:
        """Set one mark on every digest; the earliest mark of a kind is kept."""
        value = {"S": mark.model_dump_json()}
        for digest in dict.fromkeys(digests):
            self._ddb.update_item(
                TableName=self._table,
                Key={"subject_key": {"S": digest}},
                UpdateExpression="SET #m = if_not_exists(#m, :mark)",
                ExpressionAttributeNames={"#m": attribute},
                ExpressionAttributeValues={":mark": value},
            )

    def amend(self, digests: Iterable[str], attribute: str, mark: Mark) -> None:
        """Replace a mark where it is set (grounds on an objection, a restriction's lift time);
        a digest without one is left without."""
        value = {"S": mark.model_dump_json(exclude_none=True)}
        for digest in dict.fromkeys(digests):
            try:
                self._ddb.update_item(
                    TableName=self._table,
                    Key={"subject_key": {"S": digest}},
                    UpdateExpression="SET #m = :mark",
                    ConditionExpression="attribute_exists(#m)",
                    ExpressionAttributeNames={"#m": attribute},
                    ExpressionAttributeValues={":mark": value},
                )
            except self._ddb.exceptions.ConditionalCheckFailedException:
                continue

    def clear(self, digests: Iterable[str], attribute: str) -> None:
        for digest in dict.fromkeys(digests):
            self._ddb.update_item(
                TableName=self._table,
                Key={"subject_key": {"S": digest}},
                UpdateExpression="REMOVE #m",
                ExpressionAttributeNames={"#m": attribute},
            )

    @staticmethod
    def _record(item: dict[str, Any]) -> PreferenceRecord:
        def mark(attribute: str) -> Mark:
            return Mark.model_validate(json.loads(item[attribute]["S"]))

        return PreferenceRecord(
            subject_key=item["subject_key"]["S"],
            opt_outs={name.removeprefix(OPT_OUT): mark(name) for name in item if name.startswith(OPT_OUT)},
            objections={
                name.removeprefix(OBJECTION): mark(name) for name in item if name.startswith(OBJECTION)
            },
            restriction=mark("restriction") if "restriction" in item else None,
            suppression=mark("suppression") if "suppression" in item else None,
        )
