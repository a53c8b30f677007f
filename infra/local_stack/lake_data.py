"""The synthetic platform's analytics lake (the data map's ``call_events_lake``): the events of
every call the generator writes, as Parquet files on S3, partitioned ``dt=``/``tenant_id=``.

Derived from the same records as the rest of the platform: each call item the generator
writes becomes its events (``demo.lake_events``), with the caller's lead (email, lead id) where
the business has the caller as one. Files are named after their rows, so a second batch (the
demo switchboard, seeded later) adds files beside the first and never overwrites them.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local_stack.demo import lake_events
from privacy_rights.core.data_map import Lake, Store

LAKE_STORE = "call_events_lake"
PARQUET_TYPE = "application/vnd.apache.parquet"
#: writes one S3 object: bucket, key, body, Content-Type, user metadata (through S3's API, or,
#: when moto runs in this process, straight into its store: ``local_stack.aws.put_stored_object``)
ObjectPut = Callable[[str, str, bytes, str, Mapping[str, str]], None]
#: rows per row group: small for the demo (many row groups per file are the bench's business)
ROW_GROUP_ROWS = 10_000
_ARROW_TYPES = {"string": "string", "bigint": "int64", "double": "float64"}


def event_id(call_id: str, event_type: str) -> str:
    return "EV" + hashlib.sha256(f"{call_id}:{event_type}".encode()).hexdigest()[:24]


def _score(call_id: str) -> float:
    return round(int(hashlib.sha256(call_id.encode()).hexdigest()[:4], 16) / 0xFFFF * 100, 1)


def call_events(call: Mapping[str, Any], lead: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """One call item (as the calls table holds it) as the lake's rows."""
    started_at = str(call["started_at"])
    source = str(call.get("source", "direct"))
    rows = []
    for kind in lake_events(source, str(call.get("routing_outcome", "answered"))):
        rows.append(
            {
                "event_id": event_id(str(call["call_id"]), kind),
                "call_id": call["call_id"],
                "event_type": kind,
                "started_at": started_at,
                "caller_phone": call.get("caller_phone"),
                "caller_email": (lead or {}).get("email"),
                "caller_name": call.get("caller_name"),
                "lead_id": (lead or {}).get("lead_id"),
                "tracking_number": call.get("tracking_number"),
                "source": source,
                "campaign": f"{source}-{started_at[:7]}" if kind == "attribution.touch" else None,
                "duration_seconds": int(call.get("duration_seconds", 0)),
                "score": _score(str(call["call_id"])) if kind == "call.scored" else None,
                "dt": started_at[:10],
                "tenant_id": call["tenant_id"],
            }
        )
    return rows


def schema(lake: Lake) -> Any:
    """The files' schema: the lake's columns less its partition keys (they are in the path)."""
    import pyarrow as pa

    return pa.schema(
        [
            pa.field(name, _ARROW_TYPES.get(kind, "string"))
            for name, kind in lake.columns.items()
            if name not in lake.partition_keys
        ]
    )


def parquet_file(lake: Lake, rows: list[dict[str, Any]], row_group_rows: int = ROW_GROUP_ROWS) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist(
        [{k: v for k, v in row.items() if k not in lake.partition_keys} for row in rows], schema=schema(lake)
    )
    out = io.BytesIO()
    pq.write_table(table, out, row_group_size=row_group_rows, compression="snappy")
    return out.getvalue()


def object_key(lake: Lake, partition: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> str:
    digest = hashlib.sha256("".join(sorted(r[lake.row_id] for r in rows)).encode()).hexdigest()[:16]
    folders = "/".join(f"{k}={v}" for k, v in zip(lake.partition_keys, partition, strict=True))
    return f"{lake.location}{folders}/part-{digest}.parquet"


@dataclass
class LakeWriter:
    """Collects the calls (and leads) the generator writes; ``flush`` writes their events, one
    file per partition."""

    store: Store
    leads: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)

    def add(self, store_name: str, item: Mapping[str, Any]) -> None:
        if store_name == "crm_leads" and item.get("phone"):
            self.leads[(str(item["tenant_id"]), str(item["phone"]))] = dict(item)
        elif store_name == "calls":
            self.calls.append(dict(item))

    def flush(self, put_object: ObjectPut, bucket: str) -> int:
        """Writes the collected calls' events; returns how many rows."""
        lake = self.store.lake
        assert lake is not None
        partitions: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for call in self.calls:
            lead = self.leads.get((str(call["tenant_id"]), str(call.get("caller_phone"))))
            for row in call_events(call, lead):
                partitions[tuple(str(row[k]) for k in lake.partition_keys)].append(row)
        written = 0
        for partition, rows in sorted(partitions.items()):
            put_object(bucket, object_key(lake, partition, rows), parquet_file(lake, rows), PARQUET_TYPE, {})
            written += len(rows)
        self.calls.clear()
        return written


#: the most businesses the synthetic platform makes (``synthetic.Scale.customers``)
MOST_CUSTOMERS = 8_999


def tenants_parameter() -> dict[str, str]:
    """``PlatformLakeTenantIds`` for the local stack: every business the synthetic platform can
    write lake files for (the demo's five and the generic t006 ... t8999), as a deployment lists
    the platform's businesses, so the lake's partition projection leaves none of them out."""
    from local_stack.synthetic import Scale, tenants

    return {"PlatformLakeTenantIds": ",".join(t.tenant_id for t in tenants(Scale(customers=MOST_CUSTOMERS)))}
