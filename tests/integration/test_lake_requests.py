"""The analytics lake through the real state machine (issue 19): a demo subject's lake rows in
their export (CSV and JSON, redacted as the other stores), gone after their deletion — each file
that held them rewritten (schema, compression, row-group size kept), older versions deleted, the
other people's rows in those files intact row for row, files without them untouched, Athena's
query finding nothing — and a concurrent writer's version never overwritten."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pyarrow.parquet as pq
import pytest

from local_stack import demo, lake_data
from local_stack.runtime import RunningStack
from privacy_rights.adapters.lake import LakeFiles, partition_of
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.data_map import load_data_map
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration
Submit = Callable[[dict[str, Any], list[str]], str]

DATA_MAP = load_data_map()
STORE = DATA_MAP.store("call_events_lake")
LAKE = STORE.lake
assert LAKE is not None
CARD = "4111 1111 1111 1111"


def _files(stack: RunningStack) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Every current lake file: key -> (version id, rows)."""
    s3: Any = stack.client("s3")
    bucket = stack.stack.platform_stores[STORE.name]
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=LAKE.location):
        for entry in page.get("Contents", []):
            answer = s3.get_object(Bucket=bucket, Key=entry["Key"])
            rows = pq.read_table(io.BytesIO(answer["Body"].read())).to_pylist()
            found[entry["Key"]] = (answer["VersionId"], rows)
    return found


def _versions(stack: RunningStack, key: str) -> list[str]:
    s3: Any = stack.client("s3")
    bucket = stack.stack.platform_stores[STORE.name]
    listed = s3.list_object_versions(Bucket=bucket, Prefix=key)
    return [v["VersionId"] for v in listed.get("Versions", []) if v["Key"] == key]


def _neighbour(dt: str, tenant: str, n: int) -> dict[str, Any]:
    """Another caller's event in the same partition (what a busy line's files hold)."""
    call = {
        "call_id": f"CA-neighbour-{n}",
        "tenant_id": tenant,
        "caller_phone": "+16505550999",
        "caller_name": "Pat Neighbour",
        "started_at": f"{dt}T12:00:00Z",
        "duration_seconds": 30 + n,
        "routing_outcome": "answered",
        "source": "organic",
        "tracking_number": "+14155550101",
    }
    return lake_data.call_events(call)[0]


def _share_danas_files(stack: RunningStack) -> list[str]:
    """The platform's writer appends a neighbour's event to each file of Dana's: her files now
    hold another person's rows (and an older version that does not)."""
    s3: Any = stack.client("s3")
    bucket = stack.stack.platform_stores[STORE.name]
    shared = []
    for n, (key, (_, rows)) in enumerate(sorted(_files(stack).items())):
        if not any(r["caller_phone"] == demo.DANA_PHONE for r in rows):
            continue
        partition = partition_of(key)
        extra = {**_neighbour(partition["dt"], partition["tenant_id"], n)}
        full = [{**r, **partition} for r in rows] + [extra]
        s3.put_object(Bucket=bucket, Key=key, Body=lake_data.parquet_file(LAKE, full, row_group_rows=2))
        shared.append(key)
    assert shared
    return shared


def test_a_callers_export_includes_their_lake_rows_as_csv_and_json_redacted(
    seeded: RunningStack, store: RequestStore, run_to_end: Submit
) -> None:
    s3: Any = seeded.client("s3")
    bucket = seeded.stack.platform_stores[STORE.name]
    dana_call = next(c for c in demo.DEMO_CALLS if c.label == "dana-1")
    said = {
        **lake_data.call_events(
            {
                "call_id": dana_call.call_id,
                "tenant_id": dana_call.tenant_id,
                "caller_phone": demo.DANA_PHONE,
                "caller_name": dana_call.caller_name,
                "started_at": dana_call.started_at,
                "source": "web_form",
                "routing_outcome": "voicemail",
            }
        )[0],
        "event_id": "EV-form-note",
        "campaign": f"=HYPERLINK() card {CARD}",
    }
    key = f"{LAKE.location}dt={said['dt']}/tenant_id={said['tenant_id']}/part-form.parquet"
    s3.put_object(Bucket=bucket, Key=key, Body=lake_data.parquet_file(LAKE, [said]))

    request_id = run_to_end({"type": "access", "phone": demo.DANA_PHONE}, ["phone"])

    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    body = s3.get_object(Bucket=seeded.stack.ref("ExportsBucket"), Key=request.extra["export"]["key"])["Body"]
    archive = zipfile.ZipFile(io.BytesIO(body.read()))
    rows = json.loads(archive.read("call_events_lake/call_events_lake.json"))
    table = list(csv.DictReader(io.StringIO(archive.read("call_events_lake/call_events_lake.csv").decode())))
    expected = demo.expected_counts("dana")["call_events_lake"] + 1
    assert len(rows) == len(table) == expected
    assert all(r["caller_phone"] == demo.DANA_PHONE for r in rows)
    assert {r["tenant_id"] for r in rows} == {
        c.tenant_id for c in demo.DEMO_CALLS if c.caller_phone == demo.DANA_PHONE
    }
    assert set(rows[0]) <= set(STORE.fields) | {"tenant_id"}  # the data map's fields, no row ids
    form = next(r for r in rows if r["source"] == "web_form")
    assert "4111" not in form["campaign"]
    assert "[withheld]" in form["campaign"]
    assert next(r for r in table if r["source"] == "web_form")["campaign"].startswith("'=")  # no formula
    manifest = json.loads(archive.read("manifest.json"))
    lake_source = next(s for s in manifest["sources"] if s["source"] == STORE.name)
    assert lake_source["records_included"] == expected
    assert manifest["withheld"]["financial_account_number"] >= 1


def test_a_callers_deletion_rewrites_only_their_files_and_keeps_everyone_elses_rows(
    seeded: RunningStack, store: RequestStore, container: Container, run_to_end: Submit
) -> None:
    shared = _share_danas_files(seeded)
    before = _files(seeded)
    dana_before = [r for _, rows in before.values() for r in rows if r["caller_phone"] == demo.DANA_PHONE]
    assert len(dana_before) == demo.expected_counts("dana")["call_events_lake"]
    original_meta = pq.ParquetFile(io.BytesIO(_raw(seeded, shared[0]))).metadata

    request_id = run_to_end({"type": "deletion", "phone": demo.DANA_PHONE}, ["phone"])

    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    after = _files(seeded)
    assert set(after) == set(before)  # no file made or lost
    for key, (version, rows) in before.items():
        kept = [r for r in rows if r["caller_phone"] != demo.DANA_PHONE]
        assert after[key][1] == kept, key  # the others' rows, row for row, in order
        if key in shared:
            assert after[key][0] != version
            assert _versions(seeded, key) == [after[key][0]]  # the older versions held Dana's rows
        else:
            assert after[key][0] == version  # a file without Dana is not touched
    rewritten = pq.ParquetFile(io.BytesIO(_raw(seeded, shared[0]))).metadata
    assert rewritten.schema.to_arrow_schema() == original_meta.schema.to_arrow_schema()
    assert rewritten.row_group(0).column(0).compression == original_meta.row_group(0).column(0).compression
    assert max(rewritten.row_group(i).num_rows for i in range(rewritten.num_row_groups)) <= 2

    # Athena's query, run again, finds nothing of Dana's
    lookup = next(lookup for lookup in STORE.lookups if lookup.by == "phone")
    assert list(container.lake.find(STORE, lookup, demo.DANA_PHONE, {})) == []
    receipt = request.extra["erasure"]["stores"][STORE.name]
    assert receipt["rows_deleted"] == len(dana_before)
    assert receipt["files_rewritten"] == len(shared)
    assert receipt["files_for_ops"] == []


def _raw(stack: RunningStack, key: str) -> bytes:
    s3: Any = stack.client("s3")
    body: bytes = s3.get_object(Bucket=stack.stack.platform_stores[STORE.name], Key=key)["Body"].read()
    return body


def test_a_concurrent_writers_version_is_refused_retried_and_never_lost(
    seeded: RunningStack, store: RequestStore, run_to_end: Submit, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3: Any = seeded.client("s3")
    bucket = seeded.stack.platform_stores[STORE.name]
    target = sorted(
        k
        for k, (_, rows) in _files(seeded).items()
        if any(r["caller_phone"] == demo.DANA_PHONE for r in rows)
    )[0]
    partition = partition_of(target)
    late = _neighbour(partition["dt"], partition["tenant_id"], 99)
    attempts: list[str] = []

    def concurrent_writer(key: str) -> None:
        """Between the rewrite's read and its write, the platform appends an event to the file."""
        attempts.append(key)
        if key == target and attempts.count(key) == 1:
            rows = [{**r, **partition} for r in pq.read_table(io.BytesIO(_raw(seeded, key))).to_pylist()]
            s3.put_object(Bucket=bucket, Key=key, Body=lake_data.parquet_file(LAKE, [*rows, late]))

    monkeypatch.setattr(LakeFiles, "before_write", staticmethod(concurrent_writer))

    request_id = run_to_end({"type": "deletion", "phone": demo.DANA_PHONE}, ["phone"])

    assert store.get(request_id).outcome == "complied"
    assert attempts.count(target) == 2  # refused once (LakeObjectChanged), retried by the state machine
    rows = pq.read_table(io.BytesIO(_raw(seeded, target))).to_pylist()
    assert late["event_id"] in [r["event_id"] for r in rows]  # the concurrent write is not lost
    assert not [r for r in rows if r["caller_phone"] == demo.DANA_PHONE]
    assert len(_versions(seeded, target)) == 1
    history: Any = seeded.client("stepfunctions")
    machine = seeded.stack.ref("RightsRequestStateMachine")
    execution = f"{machine.replace(':stateMachine:', ':execution:')}:{request_id}"
    events = history.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    failures = [e for e in events if e["type"] == "LambdaFunctionFailed"]
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failures] == ["LakeObjectChanged"]
