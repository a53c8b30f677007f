"""Reading the platform's records by the keys resolution found: BatchGetItem (100 keys a call,
unprocessed keys asked again) and S3 by object key. Never a Scan."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, BinaryIO

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.adapters.items import from_item, plain, serialize
from privacy_rights.data_map import Store

BATCH = 100


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
        table = self._name(store)
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH):
            request: dict[str, Any] = {
                table: {
                    "Keys": [{k: serialize(v) for k, v in key.items()} for key in keys[start : start + BATCH]]
                }
            }
            for attempt in range(8):
                response = self._ddb.batch_get_item(RequestItems=request)
                found += [plain(from_item(item)) for item in response["Responses"].get(table, [])]
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(2.0, 0.05 * 2**attempt))
            if request:
                raise RuntimeError("DynamoDB left keys unprocessed after retries")
        return found

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
