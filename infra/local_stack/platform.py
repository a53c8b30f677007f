"""The platform's own data stores, which this service does not own: locally they are created
from the data map's description of them, and their names passed to the stack as parameters."""

from __future__ import annotations

from typing import Any

import boto3

from local_stack.template import REGION
from privacy_rights.core.data_map import DataMap, Store


def local_name(store: Store) -> str:
    return "platform-" + store.name.replace("_", "-")


def platform_parameters(data_map: DataMap) -> dict[str, str]:
    """Stack parameter overrides naming the local platform stores."""
    return {store.parameter: local_name(store) for store in data_map.stores if store.parameter}


def create_platform_stores(session: boto3.Session, data_map: DataMap) -> dict[str, str]:
    """Creates every platform store of the map; returns store name -> physical name."""
    ddb: Any = session.client("dynamodb", region_name=REGION)
    s3: Any = session.client("s3", region_name=REGION)
    names = {}
    for store in data_map.stores:
        if store.owned_by_this_service:
            continue
        name = local_name(store)
        if store.kind == "dynamodb":
            _create_table(ddb, name, store)
        else:
            s3.create_bucket(Bucket=name)
            # Recordings are versioned in the platform: a deletion must remove every version.
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        names[store.name] = name
    return names


def _create_table(ddb: Any, name: str, store: Store) -> None:
    assert store.table is not None
    attributes = set(store.table.key) | {a for keys in store.table.indexes.values() for a in keys}
    key_types = ("HASH", "RANGE")
    kwargs: dict[str, Any] = {
        "TableName": name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [
            {"AttributeName": a, "KeyType": t} for a, t in zip(store.table.key, key_types, strict=False)
        ],
    }
    if store.table.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": a, "KeyType": t} for a, t in zip(keys, key_types, strict=False)
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, keys in store.table.indexes.items()
        ]
    ddb.create_table(**kwargs)
