"""Reading the platform's records by the keys resolution found: BatchGetItem (100 keys a call,
unprocessed keys asked again) and S3 by object key. Never a Scan."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, BinaryIO

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.adapters.dynamodb_batches import get_items
from privacy_rights.adapters.items import from_item, plain, serialize
from privacy_rights.core.data_map import Store


class PlatformRecords:
    def __init__(self, dynamodb: Any, s3: Any, physical_names: Mapping[str, str]) -> None:
        self._ddb = dynamodb
        self._s3 = s3
        self._names = physical_names

    def _name(self, store: Store) -> str:
        if store.name not in self._names:
            raise UnknownStore(store.name)
        return self._names[store.name]

    def items(self, store: Store, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        serialized = [{k: serialize(v) for k, v in key.items()} for key in keys]
        return [plain(from_item(item)) for item in get_items(self._ddb, self._name(store), serialized)]

    def read_object(self, store: Store, key: str) -> bytes:
        body: bytes = self._s3.get_object(Bucket=self._name(store), Key=key)["Body"].read()
        return body

    @contextmanager
    def open_object(self, store: Store, key: str) -> Iterator[BinaryIO]:
        """The object as a stream: read a block at a time, never whole."""
        body = self._s3.get_object(Bucket=self._name(store), Key=key)["Body"]
        try:
            yield body
        finally:
            body.close()
