"""The synthetic data generator: the demo subjects land exactly where the data map says the
service will look for them, in exactly the numbers ``demo.expected_counts`` gives; audio is
real WAV; the stream is deterministic; the background never borrows a demo identifier.

The counting below is a small resolver of its own, driven by the data map (lookups, indexes,
``yields``) rather than by the demo constants, so it checks the generator against the map and
not against itself.
"""

from __future__ import annotations

import array
import io
import json
import sys
import wave
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from local_stack import demo
from local_stack.aws import stored_body
from local_stack.runtime import RunningStack
from local_stack.synthetic import (
    CUSTOMERS,
    SAMPLE_RATE,
    Blob,
    Row,
    Scale,
    background_records,
    demo_records,
    digest,
    records,
)
from privacy_rights.core.data_map import DataMap, Store, load_data_map
from privacy_rights.core.identifiers import normalize_email, normalize_phone

pytestmark = pytest.mark.integration

#: Six customers, so one generic tenant (t006) is generated too; half the answered calls recorded.
SMALL = Scale(customers=6, callers=40, calls_per_caller=2, recording_seconds=1, recording_ratio=0.5, seed=11)
#: Phones of people; tracking numbers are the customers' own and sit on every call to them.
PERSON_PHONE_FIELDS = ("caller_phone", "phone")
EMAIL_FIELDS = ("email", "privacy_email")


# --- the stream, without AWS ------------------------------------------------------------------


def test_the_demo_knows_every_platform_store_of_the_data_map() -> None:
    """A store added to the map must be added to the generator and to expected_counts too."""
    platform = {s.name for s in load_data_map().stores if not s.owned_by_this_service}
    assert set(demo.PLATFORM_STORES) == platform


def test_same_seed_same_records_and_the_demo_does_not_depend_on_the_seed() -> None:
    other_seed = replace(SMALL, seed=12)
    assert digest(records(SMALL)) == digest(records(SMALL))
    assert digest(background_records(SMALL)) != digest(background_records(other_seed))
    # Re-seeding with another seed must not move the demo subjects' records.
    assert digest(demo_records(SMALL)) == digest(demo_records(other_seed))


@cache
def _normal_phone(value: str) -> str:
    normal: str = normalize_phone(value)
    return normal


def _phones(item: dict[str, Any]) -> list[str]:
    """The people's phones in an item."""
    found = [item[f] for f in PERSON_PHONE_FIELDS if f in item]
    return found + list(item.get("participants", []))


def test_every_phone_is_e164_and_every_email_normal() -> None:
    phones = emails = 0
    for record in records(SMALL):
        if not isinstance(record, Row):
            continue
        for phone in [
            *_phones(record.item),
            *([record.item["tracking_number"]] if "tracking_number" in record.item else []),
        ]:
            assert _normal_phone(phone) == phone, (record.store, phone)
            phones += 1
        for email in (record.item[f] for f in EMAIL_FIELDS if f in record.item):
            assert normalize_email(email) == email, (record.store, email)
            emails += 1
    assert phones > 5_000
    assert emails > 30


def test_the_background_never_uses_a_demo_phone_email_or_id() -> None:
    scale = Scale(callers=3_000, calls_per_caller=1, recording_ratio=0.0, seed=5)
    demo_rows = [r.item for r in demo_records(scale) if isinstance(r, Row)]
    background_rows = [r.item for r in background_records(scale) if isinstance(r, Row)]
    # From the stream as well as from the constants: a demo record the constants forgot counts.
    demo_phones = demo.DEMO_PHONES | {p for item in demo_rows for p in _phones(item)}
    demo_emails = demo.DEMO_EMAILS | {item["email"] for item in demo_rows if "email" in item}
    demo_ids = {
        item[k] for item in demo_rows for k in ("call_id", "account_id", "agent_id", "lead_id") if k in item
    }

    background_phones = {p for item in background_rows for p in _phones(item)}
    background_emails = {item["email"] for item in background_rows if "email" in item}
    background_ids = {
        item[k]
        for item in background_rows
        for k in ("call_id", "account_id", "agent_id", "lead_id")
        if k in item
    }
    assert len(background_phones) > 3_000
    assert background_phones.isdisjoint(demo_phones)
    assert background_emails.isdisjoint(demo_emails)
    assert background_ids.isdisjoint(demo_ids)


def test_a_tracking_number_is_on_every_call_to_its_customer_and_never_a_caller() -> None:
    calls = [r.item for r in records(SMALL) if isinstance(r, Row) and r.store == "calls"]
    tracking = {t.tenant_id: t.tracking_number for t in demo.TENANTS}
    acme_calls = [c for c in calls if c["tenant_id"] == "acme"]
    assert len(acme_calls) > 700
    assert all(c["tracking_number"] == demo.ACME.tracking_number for c in acme_calls)
    assert all(c["tracking_number"] == tracking[c["tenant_id"]] for c in calls if c["tenant_id"] in tracking)
    assert {c["caller_phone"] for c in calls}.isdisjoint(c["tracking_number"] for c in calls)


def test_transcripts_follow_their_calls() -> None:
    calls: dict[str, dict[str, Any]] = {}
    transcripts: dict[str, dict[str, Any]] = {}
    for record in records(SMALL):
        if isinstance(record, Row) and record.store == "calls":
            calls[record.item["call_id"]] = record.item
        elif isinstance(record, Blob) and record.store == "transcripts":
            body = json.loads(record.body)
            transcripts[body["call_id"]] = body
    assert {c for c, item in calls.items() if item["recorded"]} == set(transcripts)
    spoken_numbers = 0
    for call_id, transcript in transcripts.items():
        call = calls[call_id]
        speakers = {turn["speaker"] for turn in transcript["turns"]}
        assert transcript["channels"] == call["channels"]
        assert transcript["tenant_id"] == call["tenant_id"]
        assert ("third_party" in speakers) == bool(call["participants"]), call_id
        assert all(0 <= t["start"] < t["end"] <= SMALL.recording_seconds for t in transcript["turns"])
        caller_text = " ".join(t["text"] for t in transcript["turns"] if t["speaker"] == "caller")
        spoken_numbers += "4111 1111 1111 1111" in caller_text or "123-45-6789" in caller_text
    assert spoken_numbers >= 3  # Dana's card, Marcus's SSN, one of Sam's callers, plus background


# --- written to the stack's stores -----------------------------------------------------------


def test_from_another_process_objects_go_through_s3_s_api() -> None:
    """``make seed`` talks to a moto in another process: without a store to write into, the
    recordings and the lake's files are put through PutObject, with their type and metadata."""
    from local_stack.aws import in_process_aws
    from local_stack.platform import create_platform_stores
    from local_stack.synthetic import _Writer

    data_map = load_data_map()
    with in_process_aws() as session:
        stores = create_platform_stores(session, data_map)
        writer = _Writer(session, stores, None, data_map)
        first_call = next(r for r in demo_records(SMALL) if isinstance(r, Row) and r.store == "calls")
        call_id = first_call.item["call_id"]
        recordings = [
            r
            for r in demo_records(SMALL)
            if isinstance(r, Blob) and r.store == "recordings" and call_id in r.key
        ]
        assert recordings
        for record in [first_call, *recordings]:
            writer.put(record)
        writer.flush()

        s3: Any = session.client("s3")
        for recording in recordings:
            head = s3.head_object(Bucket=stores["recordings"], Key=recording.key)
            assert (head["ContentType"], head["Metadata"]) == (recording.content_type, recording.metadata)
        (lake_file,) = s3.list_objects_v2(Bucket=stores["call_events_lake"])["Contents"]
        head = s3.head_object(Bucket=stores["call_events_lake"], Key=lake_file["Key"])
        assert head["ContentType"] == "application/vnd.apache.parquet"


@pytest.fixture(scope="module")
def seeding(session_stack: Any) -> Iterator[tuple[RunningStack, Any]]:
    """The platform seeded once for this module's tests, which only read it (none asks for
    ``running``, which would empty it after each test), and what ``generate`` reported;
    emptied for the tests after them."""
    running = session_stack.open()
    report = running.seed(SMALL)
    assert report.records["calls"] == len(demo.DEMO_CALLS) + SMALL.callers * SMALL.calls_per_caller
    yield running, report
    session_stack.reset()


@pytest.fixture
def seeded(seeding: tuple[RunningStack, Any]) -> RunningStack:
    return seeding[0]


@pytest.fixture(scope="module")
def lake_rows(seeding: tuple[RunningStack, Any]) -> dict[str, list[dict[str, Any]]]:
    """The lake stores' rows, read once for the module's tests (each read parses every Parquet
    file, over a thousand of them: seconds each time, issue 15); none of the tests writes."""
    running, _ = seeding
    s3: Any = running.client("s3")
    names = running.stack.platform_stores
    lakes = [store for store in load_data_map().stores if store.kind == "lake" and store.name in names]
    return {store.name: _lake_rows(s3, names[store.name], store) for store in lakes}


def _query(
    ddb: Any, table: str, store: Store, index: str | None, attribute: str, value: str, since: str | None
) -> list[dict[str, Any]]:
    condition, names, values = "#a = :v", {"#a": attribute}, {":v": {"S": value}}
    if since is not None:
        assert store.table is not None
        assert index is not None
        sort_key = store.table.indexes[index][1]
        assert sort_key == store.time_attribute
        condition += " AND #t >= :since"
        names["#t"], values[":since"] = sort_key, {"S": since}
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    if index:
        kwargs["IndexName"] = index
    items: list[dict[str, Any]] = []
    for page in ddb.get_paginator("query").paginate(**kwargs):
        items += page["Items"]
    return items


def _list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for page in pages for o in page.get("Contents", [])]


def reach(
    running: RunningStack,
    data_map: DataMap,
    subject: demo.Subject,
    *,
    since: str | None,
    follow_calls: bool = True,
    lake_rows: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, dict[Any, dict[str, Any]]]:
    """Everything the subject's identifiers reach, store by store, following the map's
    ``yields`` from one store's items to the next store's lookups. ``lake_rows``: the lake's
    rows read once for many subjects (each read parses every Parquet file)."""
    lake_rows = {} if lake_rows is None else lake_rows
    ddb: Any = running.client("dynamodb")
    s3: Any = running.client("s3")
    names = running.stack.platform_stores
    found: dict[str, dict[Any, dict[str, Any]]] = {name: {} for name in demo.PLATFORM_STORES}
    roots = [("phone", subject.phone), ("email", subject.email), ("account_id", subject.account_id)]
    queue = deque((kind, value, None) for kind, value in roots if value)
    seen: set[tuple[str, str]] = set()
    while queue:
        kind, value, tenant_id = queue.popleft()
        if (kind, value) in seen or (kind == "call_id" and not follow_calls):
            continue
        seen.add((kind, value))
        for store, lookup in data_map.lookups_by(kind):
            if store.owned_by_this_service:
                continue
            if store.kind == "lake":
                window = since if lookup.role == "caller" else None
                if store.name not in lake_rows:
                    lake_rows[store.name] = _lake_rows(s3, names[store.name], store)
                for row in lake_rows[store.name]:
                    matches = row.get(lookup.attribute or "") == value
                    if matches and (window is None or str(row.get(store.time_attribute or "")) >= window):
                        found[store.name][row["event_id"]] = row
                continue
            if store.kind == "s3":
                assert lookup.prefix is not None
                prefix = lookup.prefix.format(tenant_id=tenant_id, call_id=value)
                for key in _list_keys(s3, names[store.name], prefix):
                    found[store.name][key] = {"key": key}
                continue
            assert store.table is not None
            assert lookup.attribute is not None
            window = since if kind == "phone" and store.time_attribute else None
            for item in _query(ddb, names[store.name], store, lookup.index, lookup.attribute, value, window):
                found[store.name][tuple(item[k]["S"] for k in store.table.key)] = item
                tenant = item.get(store.tenant_attribute or "", {}).get("S")
                for yielded, attribute in store.yields.items():
                    if attribute in item:
                        queue.append((yielded, item[attribute]["S"], tenant))
    return found


def _lake_rows(s3: Any, bucket: str, store: Any) -> list[dict[str, Any]]:
    """Every row of the lake's Parquet files (read whole: the demo lake is small). The files
    S3 lists are read from moto's store (the bytes GetObject returns): a GetObject for each of
    the 1,367 files took 13 s on a busy two-core machine, against 2 s this way (issue 15)."""
    import io

    import pyarrow.parquet as pq

    rows = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=store.lake.location):
        for entry in page.get("Contents", []):
            rows += pq.read_table(io.BytesIO(stored_body(bucket, entry["Key"]))).to_pylist()
    return rows


def _counts(found: dict[str, dict[Any, dict[str, Any]]]) -> dict[str, int]:
    return {name: len(items) for name, items in found.items()}


def test_demo_subjects_land_exactly_as_expected(
    seeded: RunningStack, lake_rows: dict[str, list[dict[str, Any]]]
) -> None:
    data_map = load_data_map()
    cases = [
        (key, subject, subject.phone_held_since, demo.expected_counts(key))
        for key, subject in demo.SUBJECTS.items()
        if key != "switchboard"  # 2,500 calls: checked below without a query per call
    ]
    cases.append(
        ("recycled (no date)", demo.LEO, None, demo.expected_counts("recycled", use_held_since=False))
    )
    mismatches = {}
    for name, subject, held_since, expected in cases:
        since = held_since.isoformat() if held_since else None
        counts = _counts(reach(seeded, data_map, subject, since=since, lake_rows=lake_rows))
        differing = {store: (counts[store], n) for store, n in expected.items() if counts[store] != n}
        if differing:
            mismatches[name] = differing  # store: (found, expected)
    assert not mismatches, mismatches
    # The counts differ where they should, or the comparisons above prove little.
    assert (
        demo.expected_counts("recycled")["calls"]
        < demo.expected_counts("recycled", use_held_since=False)["calls"]
    )
    assert demo.expected_counts("dana")["recordings"] == 3
    assert demo.expected_counts("jordan")["calls"] == 1  # in Dana's participants, not reached by them

    # The switchboard: 2,500 calls at 4 customers, and nothing derived from them.
    found = reach(seeded, data_map, demo.SWITCHBOARD, since=None, follow_calls=False, lake_rows=lake_rows)
    calls = found["calls"].values()
    assert len(calls) == 2_500 == demo.expected_counts("switchboard")["calls"]
    assert {c["tenant_id"]["S"] for c in calls} == {"acme", "brightside", "crescent", "harbor"}
    assert len({c["caller_name"]["S"] for c in calls}) > 1  # many people behind one number
    # Nothing anywhere refers to its calls: one scan per table, one listing per bucket.
    call_ids = {c["call_id"]["S"] for c in calls}
    ddb: Any = seeded.client("dynamodb")
    s3: Any = seeded.client("s3")
    names = seeded.stack.platform_stores
    for store in ("call_insights", "training_manifests"):
        pages = ddb.get_paginator("scan").paginate(TableName=names[store])
        assert call_ids.isdisjoint(i["call_id"]["S"] for page in pages for i in page["Items"])
    for store in ("recordings", "transcripts"):
        keys = _list_keys(s3, names[store], "")
        assert call_ids.isdisjoint(key.rsplit("/", 1)[1].split(".")[0] for key in keys)


def test_what_generate_reports_is_what_the_stores_hold(
    seeding: tuple[RunningStack, Any], lake_rows: dict[str, list[dict[str, Any]]]
) -> None:
    running, report = seeding
    customers_table = running.stack.ref("CustomersTable")
    ddb: Any = running.client("dynamodb")
    s3: Any = running.client("s3")
    held = {CUSTOMERS: ddb.scan(TableName=customers_table, Select="COUNT")["Count"]}
    for name, physical in running.stack.platform_stores.items():
        if load_data_map().store(name).kind == "s3":
            held[name] = len(_list_keys(s3, physical, ""))
        elif load_data_map().store(name).kind == "lake":
            held[name] = len(lake_rows[name])
        else:
            held[name] = sum(
                p["Count"] for p in ddb.get_paginator("scan").paginate(TableName=physical, Select="COUNT")
            )
    assert held == report.records
    tenants = {i["tenant_id"]["S"]: i for i in ddb.scan(TableName=customers_table)["Items"]}
    assert set(tenants) == {"acme", "brightside", "northwind", "crescent", "harbor", "t006"}
    assert tenants["northwind"]["instruction"]["S"] == "ask"
    assert tenants["crescent"]["instruction"]["S"] == "forward"
    assert tenants["acme"]["tracking_number"]["S"] == demo.ACME.tracking_number


# --- audio -----------------------------------------------------------------------------------


def _channels(body: bytes) -> tuple[Any, list[array.array[int]]]:
    with wave.open(io.BytesIO(body)) as reader:
        params = reader.getparams()
        samples = array.array("h", reader.readframes(params.nframes))
    if sys.byteorder == "big":
        samples.byteswap()
    return params, [samples[c :: params.nchannels] for c in range(params.nchannels)]


def test_recordings_are_valid_wav_and_the_redacted_copy_is_silenced_where_the_card_was_said(
    seeded: RunningStack,
) -> None:
    s3: Any = seeded.client("s3")
    bucket = seeded.stack.platform_stores["recordings"]
    keys = _list_keys(s3, bucket, "")
    assert len(keys) > 10
    two_channel = 0
    for key in keys:
        obj = s3.get_object(Bucket=bucket, Key=key)
        params, channels = _channels(obj["Body"].read())
        assert (params.framerate, params.sampwidth) == (SAMPLE_RATE, 2), key
        assert params.nframes == SMALL.recording_seconds * SAMPLE_RATE
        assert obj["Metadata"]["channels"] == str(params.nchannels), key
        assert all(any(channel) for channel in channels), f"{key}: a silent channel"
        if params.nchannels == 2:
            two_channel += 1
            assert obj["Metadata"]["channel-roles"] == "caller,agent"
            assert channels[0] != channels[1], key
        else:
            assert (params.nchannels, obj["Metadata"]["channel-roles"]) == (1, "mixed")
    assert two_channel > 3

    # Dana's redacted copy silences the spoken card number, on the caller's side only.
    names = seeded.stack.platform_stores
    call = next(c for c in demo.DEMO_CALLS if c.label == "dana-1")
    base = f"{call.tenant_id}/{call.call_id}"
    _, original = _channels(
        s3.get_object(Bucket=names["recordings"], Key=f"recordings/{base}.wav")["Body"].read()
    )
    _, redacted = _channels(
        s3.get_object(Bucket=names["recordings"], Key=f"recordings/{base}.redacted.wav")["Body"].read()
    )
    transcript = json.loads(
        s3.get_object(Bucket=names["transcripts"], Key=f"transcripts/{base}.json")["Body"].read()
    )
    card_turn = next(t for t in transcript["turns"] if "4111" in t["text"])
    assert card_turn["speaker"] == "caller"
    window = slice(int(card_turn["start"] * SAMPLE_RATE), int(card_turn["end"] * SAMPLE_RATE))
    assert any(original[0][window]), "the caller's channel carries the card number"
    assert not any(redacted[0][window]), "and the redacted copy silences it"
    assert redacted[1] == original[1]  # the agent's side is untouched
    jordan_call = next(c for c in demo.DEMO_CALLS if c.label == "dana-2")
    key = f"transcripts/{jordan_call.tenant_id}/{jordan_call.call_id}.json"
    turns = json.loads(s3.get_object(Bucket=names["transcripts"], Key=key)["Body"].read())["turns"]
    assert any(t["speaker"] == "third_party" and "Jordan" in t["text"] for t in turns)
