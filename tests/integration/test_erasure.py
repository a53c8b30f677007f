"""Deletion requests end in an erasure: the real state machine (a Map over the stores), each store
by its strategy, every object version, neighbours untouched, verified, receipted.

Which records a deletion takes and which it leaves (an agent's calls, a recycled number's earlier
holder, a billing contact, what is kept with its basis, a business asked that answers itself,
recipients told, the suppression that refuses a re-import) are rules of the erasure service,
tested on fakes in tests/unit/test_erasure_on_fakes.py; here what needs the real stores and the
state machine: every version on S3, muting in place, the brake's decision wait, a hold's
follow-up run, faults and replays."""

from __future__ import annotations

import io
import json
import wave
from array import array
from collections.abc import Callable
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.data_map import load_data_map
from privacy_rights.resolution.resolution import pointer_text
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration
Submit = Callable[[dict[str, Any], list[str]], str]
Snapshot = dict[tuple[str, str], str]

DATA_MAP = load_data_map()


def _snapshot(stack: RunningStack) -> Snapshot:
    """Every item and every object version of the platform's stores (tests may Scan)."""
    ddb: Any = stack.client("dynamodb")
    s3: Any = stack.client("s3")
    seen: Snapshot = {}
    for store in DATA_MAP.stores:
        if store.owned_by_this_service:
            continue
        name = stack.stack.platform_stores[store.name]
        if store.kind == "dynamodb":
            for page in ddb.get_paginator("scan").paginate(TableName=name):
                for item in page["Items"]:
                    assert store.table is not None
                    key = "|".join(f"{k}={next(iter(item[k].values()))}" for k in sorted(store.table.key))
                    seen[(store.name, key)] = json.dumps(item, sort_keys=True)
        else:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                    seen[(store.name, f"{entry['Key']}@{entry['VersionId']}")] = entry["Key"]
    return seen


def _counts(stack: RunningStack) -> dict[str, int]:
    """How many items (or object versions) each platform store holds: what ``_snapshot`` tells
    for a platform too big to read whole (the switchboard's 2,500 calls)."""
    ddb: Any = stack.client("dynamodb")
    s3: Any = stack.client("s3")
    counts = {}
    for store in DATA_MAP.stores:
        if store.owned_by_this_service:
            continue
        name = stack.stack.platform_stores[store.name]
        if store.kind == "dynamodb":
            pages = ddb.get_paginator("scan").paginate(TableName=name, Select="COUNT")
            counts[store.name] = sum(page["Count"] for page in pages)
        else:
            pages = s3.get_paginator("list_object_versions").paginate(Bucket=name)
            counts[store.name] = sum(
                len(p.get("Versions", [])) + len(p.get("DeleteMarkers", [])) for p in pages
            )
    return counts


def _released(container: Container, store: RequestStore, request_id: str) -> set[tuple[str, str]]:
    request = store.get(request_id)
    assert request.resolution is not None
    assert request.resolution.pointers_key
    pointers = container.work.get_json(request.resolution.pointers_key)
    keys = set()
    for p in pointers:
        if not p["released"]:
            continue
        keys.add((p["store"], pointer_text(p["pointer"])))
        if DATA_MAP.store(p["store"]).kind == "lake":
            keys.add((p["store"], p["pointer"]["file"]))  # a lake row's file is rewritten
    return keys


def _belongs(entry: tuple[str, str], released: set[tuple[str, str]]) -> bool:
    store, key = entry
    return (store, key.split("@", 1)[0]) in released


@pytest.fixture
def deleted(run_to_end: Submit) -> Callable[[dict[str, Any], list[str]], str]:
    return lambda body, proven: run_to_end({"type": "deletion"} | body, proven)


def _dana_call(label: str) -> str:
    return next(c.call_id for c in demo.DEMO_CALLS if c.label == label)


def _older_versions_and_a_hidden_copy(stack: RunningStack) -> int:
    """Dana's recordings get a second and third version, and one copy whose current version is
    a delete marker (a plain listing no longer shows it): every one of them must go."""
    s3: Any = stack.client("s3")
    bucket = stack.stack.platform_stores["recordings"]
    call_id = _dana_call("dana-1")
    keys = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=bucket, Prefix="recordings/")["Contents"]
        if call_id in o["Key"]
    ]
    assert keys
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"RIFF-older-take")
        s3.put_object(Bucket=bucket, Key=key, Body=b"RIFF-newest-take")
    hidden = keys[0].replace(".wav", ".backup.wav")
    s3.put_object(Bucket=bucket, Key=hidden, Body=b"RIFF-copy")
    s3.delete_object(Bucket=bucket, Key=hidden)
    return len(keys)


def _used_training_set(stack: RunningStack) -> None:
    """Dana's first call was also in a set that already trained two models."""
    ddb: Any = stack.client("dynamodb")
    ddb.put_item(
        TableName=stack.stack.platform_stores["training_manifests"],
        Item={
            "set_id": {"S": "ts-2026-09"},
            "call_id": {"S": _dana_call("dana-1")},
            "trained_models": {"L": [{"S": "callx-score-v3"}, {"S": "callx-summary-v2"}]},
        },
    )


def test_a_callers_deletion_leaves_nothing_of_theirs_but_the_billing_tombstones(
    seeded: RunningStack,
    container: Container,
    store: RequestStore,
    deleted: Submit,
) -> None:
    versioned = _older_versions_and_a_hidden_copy(seeded)
    _used_training_set(seeded)
    before = _snapshot(seeded)
    request_id = deleted({"phone": demo.DANA_PHONE}, ["phone"])
    after = _snapshot(seeded)
    released = _released(container, store, request_id)
    assert released

    # Neighbours untouched: whatever changed was this request's own released records.
    changed = {k for k in before if before[k] != after.get(k)} | (after.keys() - before.keys())
    assert changed
    hidden_copy = _dana_call("dana-1") + ".redacted.backup.wav"
    assert not [e for e in changed if not _belongs(e, released) and hidden_copy not in e[1]]

    # Nothing of Dana's is left: no object version, no item with her number or name.
    for entry, value in after.items():
        if _belongs(entry, released) or _dana_call("dana-1") in entry[1]:
            store_name = entry[0]
            if DATA_MAP.store(store_name).kind == "lake":
                continue  # rewritten without her rows (tests/integration/test_lake_requests.py)
            assert DATA_MAP.store(store_name).kind == "dynamodb", entry  # no object version left
            spec = DATA_MAP.store(store_name).erasure
            assert spec.strategy in ("tombstone", "retain") or spec.unless_used, entry
        assert demo.DANA_PHONE not in value
        assert "Dana Whitfield" not in value
    calls = [json.loads(v) for (s, _), v in after.items() if s == "calls" and _belongs((s, _), released)]
    assert calls
    assert all(set(c) <= set(DATA_MAP.store("calls").erasure.keep) for c in calls)

    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    receipt = request.extra["erasure"]
    assert receipt["stores"]["calls"]["tombstoned"] == 4
    recordings = receipt["stores"]["recordings"]
    # three versions of each of dana-1's objects, one of the other recorded call, two of the copy
    assert recordings["versions_deleted"] == 3 * versioned + (recordings["deleted"] - versioned - 1) + 2
    manifests = receipt["stores"]["training_manifests"]
    assert (manifests["deleted"], manifests["retained"]) == (1, 1)
    assert manifests["models"] == ["callx-score-v3", "callx-summary-v2"]
    assert receipt["suppressed"] is True
    assert receipt["backups_expire_by"]
    final = seeded.outbox.messages(demo.DANA_PHONE)[0]
    assert request_id in final.body

    # Idempotent: the verification again reports the same final state and changes nothing.
    assert container.erasure.verify(request_id) == {"verdict": {"result": "completed", "outcome": "complied"}}
    assert _snapshot(seeded) == after


def test_the_switchboard_waits_for_ops_instead_of_deleting(
    switchboard: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    """The brake on mass deletion through the state machine (the flagged footprint's decision
    wait, then ops' denial); which footprints are flagged is the resolver's (test_resolution, on
    all 2,500 calls: here 100 of them, at the same four customers, pull the same brake)."""
    before = _counts(switchboard)
    request_id = verified({"type": "deletion", "phone": demo.SWITCHBOARD_PHONE}, ["phone"])
    waiting_for(request_id, "decision")
    request = store.get(request_id)
    assert request.status == "awaiting_decision"
    assert request.resolution is not None
    assert any("spread over 4 business customers" in flag for flag in request.resolution.flags)
    assert request.resolution.flagged
    # Nothing erased: the eraser never ran, and every store holds what it held.
    assert "EraseSourceFunction" not in {function for function, _ in switchboard.lambdas.invocations}
    assert not [step for step in store.ledger(request_id) if step.startswith(("erase", "erasure"))]
    assert _counts(switchboard) == before
    assert before["calls"] > 100
    status, _, detail = call_api("GET", f"/ops/requests/{request_id}", operator="olivia")
    assert status == 200
    assert sum(c["released"] for c in detail["resolution"]["counts"] if c["store"] == "calls") >= 100
    sample = [row for row in detail["footprint_sample"] if row["store"] == "calls"]
    assert len(sample) == 3
    assert len({row["tenant_id"] for row in detail["footprint_sample"]}) > 1  # not one person's business
    assert demo.SWITCHBOARD_PHONE not in json.dumps(detail)

    status, _, answer = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "deny", "denial_reason": "excessive", "reason": "a company switchboard, not one person"},
        operator="olivia",
    )
    assert status == 200, answer
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    assert store.get(request_id).status == "denied"
    decided = [e for e in store.audit_entries(request_id) if e.action == "ops.decision"]
    assert decided[0].actor.endswith(":assumed-role/callx-privacy-ops/olivia")
    assert _counts(switchboard) == before


def test_a_hold_keeps_the_business_records_until_it_is_released_and_ops_erase_them(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    deleted: Submit,
) -> None:
    status, _, hold = call_api(
        "POST",
        "/ops/holds",
        {"tenant_id": "acme", "matter": "Acme v. Roofco", "reason": "litigation hold on Acme's calls"},
        operator="olivia",
    )
    assert status in (200, 201), hold
    before = _snapshot(seeded)
    request_id = deleted({"phone": demo.DANA_PHONE}, ["phone"])
    after = _snapshot(seeded)
    # Acme's records of Dana are all kept; CallX's own use of her call (a training set) is not Acme's.
    changed = {k for k in before if before[k] != after.get(k)}
    assert {k[0] for k in changed} == {"training_manifests"}
    request = store.get(request_id)
    assert request.outcome == "partially_complied"
    held = request.extra["erasure"]["held"]
    assert {row["hold_id"] for row in held} == {hold["hold_id"]}
    assert sum(row["records"] for row in held) >= 4
    assert request_id in seeded.outbox.messages(demo.DANA_PHONE)[0].body

    status, _, refused = call_api(
        "POST", f"/ops/requests/{request_id}/erase-held", {"reason": "hold still on"}, operator="olivia"
    )
    assert status == 200, refused  # allowed, but what is still held stays held
    assert wait_for_execution(refused["execution"])["status"] == "SUCCEEDED"
    assert store.get(request_id).extra["erasure"]["held"]
    assert _snapshot(seeded) == after

    status, _, _ = call_api(
        "POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "matter settled"}, operator="olivia"
    )
    assert status == 200
    status, _, follow_up = call_api(
        "POST", f"/ops/requests/{request_id}/erase-held", {"reason": "hold released"}, operator="olivia"
    )
    assert status == 200, follow_up
    assert wait_for_execution(follow_up["execution"])["status"] == "SUCCEEDED"
    request = store.get(request_id)
    receipt = request.extra["erasure"]
    assert (request.status, request.outcome) == ("completed", "complied")
    assert receipt["held"] == []
    assert receipt["follow_up"] == 2
    assert receipt["stores"]["calls"]["tombstoned"] == 4
    assert receipt["stores"]["training_manifests"]["deleted"] == 1  # counted once, in the first run
    final = _snapshot(seeded)
    assert not [v for v in final.values() if demo.DANA_PHONE in v]
    assert not [k for k in final if k[0] == "recordings" and _dana_call("dana-1") in k[1]]
    receipts = [m for m in seeded.outbox.messages(demo.DANA_PHONE) if f"{request_id} is complete" in m.body]
    assert len(receipts) == 3  # the first answer and one per follow-up


def test_a_crash_halfway_is_replayed_to_the_end(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from privacy_rights.adapters import platform_eraser

    real = platform_eraser.delete_versions

    def half_then_crash(s3: Any, bucket: str, versions: list[dict[str, str]]) -> int:
        real(s3, bucket, versions[: len(versions) // 2])
        raise ConnectionAbortedError("the process died here")

    monkeypatch.setattr(platform_eraser, "delete_versions", half_then_crash)
    request_id = verified({"type": "deletion", "phone": demo.DANA_PHONE}, ["phone"])
    assert wait_for_execution(request_id)["status"] == "FAILED"
    failed = store.get(request_id)
    assert failed.failure is not None
    # the lake's files go first (their older versions are deleted the same way), then the stores
    assert failed.failure.step in ("RewriteLakeFiles", "EraseSources")
    done_before = {k for k in store.ledger(request_id) if k.startswith("erase:")}

    monkeypatch.setattr(platform_eraser, "delete_versions", real)
    status, _, replay = call_api(
        "POST", f"/ops/requests/{request_id}/replay", {"reason": "S3 back"}, operator="olivia"
    )
    assert status == 200, replay
    assert wait_for_execution(replay["execution"])["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    assert done_before < {k for k in store.ledger(request_id) if k.startswith("erase:")}
    after = _snapshot(seeded)
    assert not [k for k in after if k[0] in ("recordings", "transcripts") and _dana_call("dana-1") in k[1]]


def test_verification_catches_a_store_that_silently_kept_its_objects(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from privacy_rights.adapters import platform_eraser

    real = platform_eraser.delete_versions
    # the recordings' and transcripts' buckets say they deleted what they kept (the lake's files,
    # rewritten first, delete their older versions for real: test_lake_requests.py)
    liars = {seeded.stack.platform_stores[name] for name in ("recordings", "transcripts")}

    def lying(s3: Any, bucket: str, versions: list[Any]) -> int:
        return len(versions) if bucket in liars else real(s3, bucket, versions)

    monkeypatch.setattr(platform_eraser, "delete_versions", lying)
    request_id = verified({"type": "deletion", "phone": demo.DANA_PHONE}, ["phone"])
    assert wait_for_execution(request_id)["status"] == "FAILED"
    failed = store.get(request_id)
    assert failed.failure is not None
    assert (failed.failure.step, failed.failure.error) == ("VerifyErasure", "ErasureIncomplete")
    assert "erasure" not in failed.extra  # no receipt for an erasure that did not happen

    monkeypatch.setattr(platform_eraser, "delete_versions", real)
    for step in ("erase:recordings", "erase:transcripts"):
        status, _, replay = call_api(
            "POST", f"/ops/requests/{request_id}/replay", {"reason": "fixed", "step": step}, operator="olivia"
        )
        assert status == 200, replay
        if step == "erase:recordings":
            wait_for_execution(replay["execution"])
    assert wait_for_execution(replay["execution"])["status"] == "SUCCEEDED"
    assert store.get(request_id).outcome == "complied"


def test_a_business_that_keeps_its_agents_side_gets_the_callers_channel_muted(
    seeded: RunningStack, store: RequestStore, deleted: Submit
) -> None:
    ddb: Any = seeded.client("dynamodb")
    ddb.update_item(
        TableName=seeded.stack.ref("CustomersTable"),
        Key={"tenant_id": {"S": "acme"}},
        UpdateExpression="SET erasure_of_recordings = :m",
        ExpressionAttributeValues={":m": {"S": "mute_channel"}},
    )
    request_id = deleted({"phone": demo.DANA_PHONE}, ["phone"])
    receipt = store.get(request_id).extra["erasure"]
    assert receipt["stores"]["recordings"]["muted"] == 3  # dana-1 (and its redacted copy), dana-2
    assert receipt["stores"]["transcripts"]["muted"] == 2

    s3: Any = seeded.client("s3")
    bucket = seeded.stack.platform_stores["recordings"]
    call_id = _dana_call("dana-2")
    (key,) = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=bucket, Prefix="recordings/")["Contents"]
        if call_id in o["Key"]
    ]
    versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
    assert len(versions.get("Versions", [])) == 1
    assert not versions.get("DeleteMarkers")
    with wave.open(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read())) as recording:
        assert recording.getnchannels() == 2
        samples = array("h", recording.readframes(recording.getnframes()))
    assert not any(samples[0::2])  # the caller's side, silent
    assert any(samples[1::2])  # the agent's side, kept

    transcripts = seeded.stack.platform_stores["transcripts"]
    (tkey,) = [
        o["Key"]
        for o in s3.list_objects_v2(Bucket=transcripts, Prefix="transcripts/")["Contents"]
        if call_id in o["Key"]
    ]
    turns = json.loads(s3.get_object(Bucket=transcripts, Key=tkey)["Body"].read())["turns"]
    assert all(t["text"] == "[erased at the caller's request]" for t in turns if t["speaker"] == "caller")
    assert any(t["speaker"] == "agent" and "erased" not in t["text"] for t in turns)
    assert len(s3.list_object_versions(Bucket=transcripts, Prefix=tkey).get("Versions", [])) == 1


def test_a_hold_placed_after_the_plan_stops_a_replay_until_ops_plan_again(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    seeded.lambdas.inject("EraseSourceFunction", "ConnectorTimeout")
    request_id = verified({"type": "deletion", "phone": demo.DANA_PHONE}, ["phone"])
    assert wait_for_execution(request_id)["status"] == "FAILED"
    seeded.lambdas.clear("EraseSourceFunction")
    before = _snapshot(seeded)
    status, _, _ = call_api(
        "POST",
        "/ops/holds",
        {"phone": demo.DANA_PHONE, "matter": "Whitfield v. Acme", "reason": "she is suing Acme"},
        operator="olivia",
    )
    assert status == 201

    status, _, replay = call_api(
        "POST", f"/ops/requests/{request_id}/replay", {"reason": "connector back"}, operator="olivia"
    )
    assert status == 200, replay
    assert wait_for_execution(replay["execution"])["status"] == "FAILED"
    failure = store.get(request_id).failure
    assert failure is not None
    assert failure.error == "HeldSincePlanned"
    assert _snapshot(seeded) == before

    status, _, replay = call_api(
        "POST",
        f"/ops/requests/{request_id}/replay",
        {"reason": "plan again under the hold", "step": "erasure.plan"},
        operator="olivia",
    )
    assert status == 200, replay
    assert wait_for_execution(replay["execution"])["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert request.outcome == "partially_complied"
    assert sum(row["records"] for row in request.extra["erasure"]["held"]) >= 4
    assert _snapshot(seeded) == before
