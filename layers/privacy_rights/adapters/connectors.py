"""Connectors: how resolution reads each kind of platform store. They page through results,
project only keys and link attributes (never the data), and never Scan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from privacy_rights.adapters.items import from_item, plain
from privacy_rights.core.data_map import Lookup, Store
from privacy_rights.resolution.resolution import Found


class UnknownStore(Exception):
    """The data map names a store this function was not given a physical name for."""


class DynamoDBConnector:
    def __init__(self, client: Any, physical_names: Mapping[str, str], page_size: int | None = None) -> None:
        self._ddb = client
        self._names = physical_names
        # DynamoDB pages at 1 MB; a smaller page size only serves to exercise paging.
        self._page_size = page_size
        self._calls: Counter[str] = Counter()

    def calls_made(self) -> Counter[str]:
        return Counter(self._calls)

    def find(self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]) -> Iterator[Found]:
        assert store.table is not None
        assert lookup.attribute is not None
        if store.name not in self._names:
            raise UnknownStore(store.name)
        wanted = {*store.table.key, *store.yields.values()}
        if store.tenant_attribute:
            wanted.add(store.tenant_attribute)
        if store.time_attribute:
            wanted.add(store.time_attribute)
        names = {f"#p{i}": attribute for i, attribute in enumerate(sorted(wanted))}
        names["#k"] = lookup.attribute
        query: dict[str, Any] = {
            "TableName": self._names[store.name],
            "KeyConditionExpression": "#k = :v",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":v": {"S": value}},
            "ProjectionExpression": ", ".join(k for k in names if k != "#k"),
        }
        if lookup.index:
            query["IndexName"] = lookup.index
        if self._page_size:
            query["PaginationConfig"] = {"PageSize": self._page_size}
        for page in self._ddb.get_paginator("query").paginate(**query):
            self._calls[f"{store.name}:Query"] += 1
            for item in page["Items"]:
                values = plain(from_item(item))
                pointer = {k: values[k] for k in store.table.key if k in values}
                yield Found(pointer=pointer, attributes=values)


class S3PrefixConnector:
    def __init__(self, client: Any, physical_names: Mapping[str, str]) -> None:
        self._s3 = client
        self._names = physical_names
        self._calls: Counter[str] = Counter()

    def calls_made(self) -> Counter[str]:
        return Counter(self._calls)

    def find(self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]) -> Iterator[Found]:
        assert lookup.prefix is not None
        if store.name not in self._names:
            raise UnknownStore(store.name)
        try:
            prefix = lookup.prefix.format(**{**context, lookup.by: value})
        except KeyError:
            return  # the link did not carry what this store's keys are built from
        for page in self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._names[store.name], Prefix=prefix
        ):
            self._calls[f"{store.name}:ListObjectsV2"] += 1
            for item in page.get("Contents", []):
                # `prefix` names a call; keys must not merely start alike (call c1 vs c10).
                rest = item["Key"][len(prefix) :]
                if rest and rest[0] not in "./":
                    continue
                yield Found(pointer=item["Key"], attributes=dict(context))
