"""Legal holds (HoldsTable), keyed ``pk``/``sk``, never scanned:

- the hold: ``pk = hold#<hold_id>``, ``sk = hold``, every field of the hold, and ``hold_state``
  (``active`` | ``released``) with ``placed_at`` for the index ``by_state``, which only hold
  items carry (cover items have no ``hold_state``);
- one cover item per thing it covers: ``pk = cover#<subject key hash>`` or
  ``cover#tenant#<tenant_id>``, ``sk = hold#<hold_id>``, written with the hold in one transaction.

So "which holds cover these keys or tenants?" is one strongly consistent Query per key or tenant
(a hold placed a moment ago is seen) and one BatchGetItem of the holds found; the list is a
Query of ``by_state``. A release is one conditional update of the hold item.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.dynamodb_batches import get_items
from privacy_rights.adapters.items import from_item, plain, to_item
from privacy_rights.core.errors import NotFound
from privacy_rights.erasure.legal_holds import Hold, HoldAlreadyReleased

STATE_INDEX = "by_state"
HOLD_PREFIX = "hold#"
COVER_PREFIX = "cover#"
HOLD_SK = "hold"
ACTIVE = "active"
RELEASED = "released"
_KEY_ATTRIBUTES = ("pk", "sk", "hold_state")


class HoldStore:
    def __init__(self, client: Any, table_name: str) -> None:
        self._ddb = client
        self._table = table_name

    def add(self, hold: Hold) -> None:
        values = hold.model_dump(mode="json") | {
            "pk": HOLD_PREFIX + hold.hold_id,
            "sk": HOLD_SK,
            "hold_state": RELEASED if hold.released_at else ACTIVE,
        }
        writes: list[Any] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(values),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
        writes += [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {
                            "pk": COVER_PREFIX + cover,
                            "sk": HOLD_PREFIX + hold.hold_id,
                            "hold_id": hold.hold_id,
                        }
                    ),
                }
            }
            for cover in dict.fromkeys(hold.covers)
        ]
        self._ddb.transact_write_items(TransactItems=writes)

    def get(self, hold_id: str) -> Hold:
        item = self._ddb.get_item(TableName=self._table, Key=self._key(hold_id), ConsistentRead=True).get(
            "Item"
        )
        if item is None:
            raise NotFound(hold_id)
        return self._hold(item)

    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> Hold:
        """Only one release succeeds: the condition is that the hold is not released yet."""
        try:
            response = self._ddb.update_item(
                TableName=self._table,
                Key=self._key(hold_id),
                UpdateExpression="SET released_at = :at, released_by = :by, release_reason = :why, "
                "hold_state = :released",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(released_at)",
                ExpressionAttributeValues={
                    ":at": {"S": at.isoformat()},
                    ":by": {"S": by},
                    ":why": {"S": reason},
                    ":released": {"S": RELEASED},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            self.get(hold_id)  # NotFound if there is no such hold
            raise HoldAlreadyReleased(hold_id) from None
        return self._hold(response["Attributes"])

    def covering(self, covers: Iterable[str]) -> list[Hold]:
        """Every hold (active or not) covering any of ``covers``: a Query per cover."""
        hold_ids: dict[str, None] = {}
        for cover in dict.fromkeys(covers):
            for item in self._query(
                KeyConditionExpression="pk = :cover",
                ExpressionAttributeValues={":cover": {"S": COVER_PREFIX + cover}},
                ProjectionExpression="hold_id",
                ConsistentRead=True,
            ):
                hold_ids[item["hold_id"]["S"]] = None
        return self._holds(hold_ids)

    def listed(self, include_released: bool = False) -> list[Hold]:
        """Holds newest first: active ones, then (``include_released``) released ones."""
        states = [ACTIVE, RELEASED] if include_released else [ACTIVE]
        hold_ids: dict[str, None] = {}
        for state in states:
            for item in self._query(
                IndexName=STATE_INDEX,
                KeyConditionExpression="hold_state = :state",
                ExpressionAttributeValues={":state": {"S": state}},
                ScanIndexForward=False,
            ):
                hold_ids[item["pk"]["S"].removeprefix(HOLD_PREFIX)] = None
        # the index is eventually consistent: the holds themselves are read consistently
        wanted = set(states)
        return [
            hold for hold in self._holds(hold_ids) if (RELEASED if hold.released_at else ACTIVE) in wanted
        ]

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _key(hold_id: str) -> dict[str, Any]:
        return {"pk": {"S": HOLD_PREFIX + hold_id}, "sk": {"S": HOLD_SK}}

    @staticmethod
    def _hold(item: dict[str, Any]) -> Hold:
        values = plain(from_item(item))
        return Hold.model_validate({k: v for k, v in values.items() if k not in _KEY_ATTRIBUTES})

    def _query(self, **query: Any) -> Iterator[dict[str, Any]]:
        for page in self._ddb.get_paginator("query").paginate(TableName=self._table, **query):
            yield from page["Items"]

    def _holds(self, hold_ids: Iterable[str]) -> list[Hold]:
        """The holds, in the order of ``hold_ids``, read consistently by BatchGetItem."""
        order = list(dict.fromkeys(hold_ids))
        items = get_items(
            self._ddb, self._table, [self._key(hold_id) for hold_id in order], consistent_read=True
        )
        found = {hold.hold_id: hold for hold in map(self._hold, items)}
        return [found[hold_id] for hold_id in order if hold_id in found]
