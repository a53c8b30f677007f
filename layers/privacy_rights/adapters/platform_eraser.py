"""Erasing the platform's records by the keys resolution found: BatchWriteItem (25 requests a
call, unprocessed items sent again), ListObjectVersions per object and DeleteObjects (1,000
versions a call), every version and delete marker included. Never a Scan."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.adapters.dynamodb_batches import write_items
from privacy_rights.adapters.items import serialize
from privacy_rights.core.data_map import Store
from privacy_rights.core.errors import TransientDependencyError

DELETE_BATCH = 1000


class PlatformEraser:
    def __init__(
        self, dynamodb: Any, s3: Any, physical_names: Mapping[str, str], sleep: Any = time.sleep
    ) -> None:
        self._ddb = dynamodb
        self._s3 = s3
        self._names = physical_names
        self._sleep = sleep

    def _name(self, store: Store) -> str:
        if store.name not in self._names:
            raise UnknownStore(store.name)
        return self._names[store.name]

    def delete_items(self, store: Store, keys: list[dict[str, Any]]) -> int:
        requests = [{"DeleteRequest": {"Key": _serialized(key)}} for key in keys]
        return self._write(store, requests)

    def put_items(self, store: Store, items: list[dict[str, Any]]) -> int:
        """Whole items replaced: what a tombstone keeps is all that is left of the record."""
        requests = [{"PutRequest": {"Item": _serialized(item)}} for item in items]
        return self._write(store, requests)

    def _write(self, store: Store, requests: list[dict[str, Any]]) -> int:
        return write_items(self._ddb, self._name(store), requests, sleep=self._sleep)

    def put_object(self, store: Store, key: str, body: bytes) -> None:
        self._s3.put_object(Bucket=self._name(store), Key=key, Body=body)

    def versions(self, store: Store, keys: Iterable[str]) -> list[dict[str, str]]:
        return object_versions(self._s3, self._name(store), keys)

    def delete_versions(self, store: Store, versions: list[dict[str, str]]) -> int:
        return delete_versions(self._s3, self._name(store), versions)


def object_versions(s3: Any, bucket: str, keys: Iterable[str]) -> list[dict[str, str]]:
    """Every version and delete marker of these objects and of their siblings: each key is
    listed by its stem (``recordings/acme/CA1`` for ``recordings/acme/CA1.wav``), so a copy
    whose current version is a delete marker — invisible to a plain listing — is found too.
    Only keys with exactly that stem count: ``CA12`` never touches ``CA123``."""
    found: list[dict[str, str]] = []
    for stem in sorted({_stem(key) for key in keys}):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=stem):
            for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                if _stem(entry["Key"]) == stem:
                    found.append({"Key": entry["Key"], "VersionId": entry["VersionId"]})
    return found


def _stem(key: str) -> str:
    folder, _, name = key.rpartition("/")
    return f"{folder}/{name.split('.', 1)[0]}" if folder else name.split(".", 1)[0]


def delete_versions(s3: Any, bucket: str, versions: list[dict[str, str]]) -> int:
    for start in range(0, len(versions), DELETE_BATCH):
        chunk = versions[start : start + DELETE_BATCH]
        answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": chunk, "Quiet": True})
        if answer.get("Errors"):
            # what is left is found again by the verification, and a replay deletes it
            raise TransientDependencyError(f"S3 refused {len(answer['Errors'])} deletions")
    return len(versions)


def _serialized(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: serialize(value) for name, value in item.items()}
