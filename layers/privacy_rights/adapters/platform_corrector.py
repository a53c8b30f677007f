"""Correcting one field of a platform record through DynamoDB's own write: UpdateItem with a
condition that the record exists and still holds the value the correction was planned against,
so a record changed in between (by its business, by a sync) is never overwritten. Never a Scan,
never a whole-item put."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.adapters.items import serialize
from privacy_rights.core.data_map import Store


class PlatformCorrector:
    def __init__(self, dynamodb: Any, physical_names: Mapping[str, str]) -> None:
        self._ddb = dynamodb
        self._names = physical_names

    def update_field(
        self, store: Store, key: Mapping[str, Any], attribute: str, held: Any, wanted: str
    ) -> bool:
        if store.kind != "dynamodb" or store.table is None:
            raise UnknownStore(store.name)
        if store.name not in self._names:
            raise UnknownStore(store.name)
        partition = store.table.key[0]
        try:
            self._ddb.update_item(
                TableName=self._names[store.name],
                Key={name: serialize(value) for name, value in key.items()},
                UpdateExpression="SET #field = :wanted",
                ConditionExpression="attribute_exists(#key) AND #field = :held",
                ExpressionAttributeNames={"#field": attribute, "#key": partition},
                ExpressionAttributeValues={":wanted": serialize(wanted), ":held": serialize(held)},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True
