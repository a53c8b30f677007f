"""Deletion of one subject with 10,000 call records and 2,000 recordings of 3 versions each (issue
8): the AWS API calls made, by kind, against the minimum for the strategies used, and the time.

* The whole local stack (moto and every resource of template.yaml) runs in a child process. Two
  of moto's costs that grow with the whole bucket or table are narrowed there, answers unchanged
  (``_narrow_version_listing``, ``_narrow_table_query``): without them the run takes over an hour
  and more memory than the machine has.
* This process seeds the platform stores (not measured): the subject's calls (``caller_phone`` =
  the subject's number) spread over three ``fulfil`` businesses, evenly ``--recordings`` of them
  with a recording (``--versions`` versions: the object put that many times), a transcript, two AI
  insights (summary, score) and, for some, a training-manifest row (half of them in a set already
  used for training, which keeps them); and neighbours: other callers' calls at the same
  businesses with recordings, transcripts and insights, some whose object keys start with the
  subject's call ids (``CAsubj00010`` vs ``CAsubj000100``). Then the deletion request itself,
  verified by phone.
* The workflow's steps run in a fresh interpreter, directly and one after the other, as the state
  machine runs them: resolve (phase ``brake``: the footprint is past the data map's
  ``max_records_per_subject``, so resolution stops following links and flags it for ops), then,
  as once ops approve (``Decided`` -> ``ResolveApproved``), resolve again following every link
  (phase ``resolution``), plan, erase (one store at a time; the Map runs them 4 at a time),
  verify. AWS calls are counted there by operation and by the table or bucket
  they name, with botocore's ``before-parameter-build`` event; webhooks (the processors told)
  are counted too. The ops decision is not a step of this run: it costs one answer, no lookup.
* Minimums come from what was seeded, not from what the service found, per the issue: Query one
  per index page (a lookup's answer in 1 MiB pages), ListObjectsV2 one per lookup prefix,
  BatchGetItem ceil(items/100), BatchWriteItem ceil(deleted/25) + ceil(tombstones/25) per store,
  ListObjectVersions one per object stem, DeleteObjects ceil(versions/1,000), Scan none. Calls
  against this service's own tables and buckets (request, ledger, audit, work files, keys) are
  listed apart, with no minimum.
* Afterwards every item and object version of the platform is read (Scan allowed here): the
  subject's must be gone (no version or delete marker left, calls tombstoned, unused training
  rows deleted), the neighbours' unchanged. The exit status is 1 if not.

Usage: ``python benchmarks/erasure.py [--calls 10000] [--recordings 2000] [--versions 3]
[--neighbours 300] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "infra"))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from separate_process import run_child, service_environment  # noqa: E402 - after the path

PHONE = "+14155550188"
TENANTS = ("bench-a", "bench-b", "bench-c")
USED_SET, UNUSED_SET = "ts-2026-06", "ts-2026-10"
MODEL = "callx-scorer-3"
INSIGHT_KINDS = ("summary", "score")
PAGE_BYTES = 1024 * 1024  # a Query page (moto: 1,000,000 bytes)
GET_BATCH, WRITE_BATCH, DELETE_BATCH = 100, 25, 1000
SERVICE = "(service)"


# -- the stack ---------------------------------------------------------------------------------


def _stack(conn: Any) -> None:
    """Child: the local stack, until told to stop."""
    from local_stack.runtime import served_stack

    _narrow_version_listing()
    _narrow_table_query()
    with served_stack(api_port=0, moto_port=0, smtp_port=0) as running:
        assert running.webhooks is not None
        conn.send(
            {
                "endpoint": running.aws_endpoint,
                "environment": running.lambdas.merged_environment(),
                "stores": running.stack.platform_stores,
                "customers_table": running.stack.ref("CustomersTable"),
                "webhooks": running.webhooks.address,
            }
        )
        conn.recv()


def _narrow_version_listing() -> None:
    """moto 5.2's ListObjectVersions deep-copies every version of the bucket on each call, prefix
    or not (0.3 s and some 30 MiB never freed per call at this scale: the erasure's 8,000 listings
    would take 45 minutes and more memory than the machine has). Here it is given only the keys
    under the prefix, which it would keep anyway: same answers, same pages; a cost of moto's only."""
    import inspect
    from types import SimpleNamespace

    from moto.s3.models import S3Backend

    original = S3Backend.list_object_versions
    signature = inspect.signature(original)

    def listed(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        prefix = bound.arguments.get("prefix") or ""
        if not prefix:
            return original(self, *args, **kwargs)
        keys = self.get_bucket(bound.arguments["bucket_name"]).keys
        lists = [(name, keys.getlist(name)) for name in list(keys) if name.startswith(prefix)]
        narrowed = SimpleNamespace(keys=SimpleNamespace(iterlists=lambda: iter(lists)))
        bound.arguments["self"] = SimpleNamespace(get_bucket=lambda _name: narrowed)
        return original(*bound.args, **bound.kwargs)

    S3Backend.list_object_versions = listed  # type: ignore[method-assign]


class _OneHashKey:
    """A moto table seen through one hash key: what a base-table Query keeps anyway."""

    def __init__(self, table: Any, hash_key: Any) -> None:
        self._table, self._hash_key = table, hash_key

    def __getattr__(self, name: str) -> Any:
        return getattr(self._table, name)

    def all_items(self) -> list[Any]:
        found = self._table.items.get(self._hash_key)
        if found is None:
            return []
        return list(found.values()) if self._table.range_key_attr else [found]


def _narrow_table_query() -> None:
    """moto 5.2 answers a base-table Query by sorting the whole table (15 ms a call over 4,000
    items: the resolution's 10,000 insight lookups alone would take minutes). Here it is given
    the items of the queried hash key, which it would keep anyway; index queries are unchanged."""
    import inspect

    from moto.dynamodb.models.table import Table

    original = Table.query
    signature = inspect.signature(original)

    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        if bound.arguments.get("index_name") or bound.arguments.get("hash_key") is None:
            return original(self, *args, **kwargs)
        bound.arguments["self"] = _OneHashKey(self, bound.arguments["hash_key"])
        return original(*bound.args, **bound.kwargs)

    Table.query = query  # type: ignore[method-assign]


# -- what is seeded ----------------------------------------------------------------------------


def _subject_call(n: int) -> str:
    return f"CAsubj{n:05d}"


def _tenant(n: int) -> str:
    return TENANTS[n % len(TENANTS)]


class Footprint:
    """The seeded platform, as the benchmark knows it: whose each record is."""

    def __init__(self, calls: int, recordings: int, versions: int, neighbours: int) -> None:
        self.calls, self.versions = calls, versions
        self.every = max(1, calls // recordings) if recordings else 0
        self.recorded = [n for n in range(calls) if self.every and n % self.every == 0][:recordings]
        self.used = [n for i, n in enumerate(self.recorded) if i % 4 == 0]
        self.unused = [n for i, n in enumerate(self.recorded) if i % 4 == 2]
        self.subject_calls = {_subject_call(n) for n in range(calls)}
        # neighbours: other callers at the same businesses; the first ones' call ids start with
        # a recorded call id of the subject's (same business, so the object keys share a prefix)
        self.neighbour_calls: dict[str, tuple[str, str]] = {}
        for i in range(neighbours):
            if i < min(50, len(self.recorded)):
                n = self.recorded[i]
                call_id, tenant = f"{_subject_call(n)}{i % 10}", _tenant(n)
            else:
                call_id, tenant = f"CAnbr{i:05d}", _tenant(i)
            self.neighbour_calls[call_id] = (tenant, f"+1650555{2000 + i % 150:04d}")

    def stems(self) -> dict[str, set[str]]:
        subject = {_subject_call(n): _tenant(n) for n in self.recorded}
        return {
            "recordings": {f"recordings/{t}/{c}" for c, t in subject.items()},
            "transcripts": {f"transcripts/{t}/{c}" for c, t in subject.items()},
        }

    def minimums(self, data_map: Any, calls_bytes: int, digests: int) -> dict[str, Counter[tuple[str, str]]]:
        """Per phase, (store, operation) -> the fewest calls the strategies allow."""
        resolution: Counter[tuple[str, str]] = Counter()
        relookup: Counter[tuple[str, str]] = Counter()
        operation = {"dynamodb": "Query", "s3": "ListObjectsV2"}
        for store, lookup in data_map.lookups_by("phone"):
            if store.kind not in operation:  # the lake: an Athena query, benchmarks/lake.py's
                continue
            pages = math.ceil(calls_bytes / PAGE_BYTES) if store.name == "calls" else 1
            count = (digests if lookup.keyed_hash else 1) * max(1, pages)
            resolution[(store.name, operation[store.kind])] += count
            # after the erasure the tombstones no longer carry the number: each lookup one page
            relookup[(store.name, operation[store.kind])] += digests if lookup.keyed_hash else 1
        for store, _ in data_map.lookups_by("call_id"):  # one lookup per call, linked or not
            if store.kind not in operation:
                continue
            resolution[(store.name, operation[store.kind])] += self.calls
        erase: Counter[tuple[str, str]] = Counter()
        verify: Counter[tuple[str, str]] = Counter(relookup)
        recorded, stems = len(self.recorded), len(self.recorded)
        erase[("calls", "BatchGetItem")] = _ceil(self.calls, GET_BATCH)  # read to build tombstones
        erase[("calls", "BatchWriteItem")] = _ceil(self.calls, WRITE_BATCH)  # tombstones (PutRequest)
        erase[("call_insights", "BatchWriteItem")] = _ceil(recorded * len(INSIGHT_KINDS), WRITE_BATCH)
        manifests = len(self.used) + len(self.unused)
        erase[("training_manifests", "BatchGetItem")] = _ceil(manifests, GET_BATCH)
        erase[("training_manifests", "BatchWriteItem")] = _ceil(len(self.unused), WRITE_BATCH)
        for store, versions in (("recordings", self.versions), ("transcripts", 1)):
            erase[(store, "ListObjectVersions")] = stems
            erase[(store, "DeleteObjects")] = _ceil(recorded * versions, DELETE_BATCH)
            verify[(store, "ListObjectVersions")] += stems
        verify[("calls", "BatchGetItem")] += _ceil(self.calls, GET_BATCH)
        verify[("call_insights", "BatchGetItem")] += _ceil(recorded * len(INSIGHT_KINDS), GET_BATCH)
        verify[("training_manifests", "BatchGetItem")] += _ceil(manifests, GET_BATCH)
        return {"resolution": resolution, "plan": Counter(), "erasure": erase, "verification": verify}


def _ceil(items: int, per_call: int) -> int:
    return math.ceil(items / per_call)


def _call_item(call_id: str, tenant: str, phone: str, n: int) -> dict[str, Any]:
    return {
        "call_id": {"S": call_id},
        "tenant_id": {"S": tenant},
        "caller_phone": {"S": phone},
        "caller_name": {"S": "Casey Bench"},
        "started_at": {"S": f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z"},
        "duration_seconds": {"N": str(30 + n % 600)},
        "routing_outcome": {"S": "answered"},
        "tracking_number": {"S": f"+1628555{1100 + TENANTS.index(tenant):04d}"},
        "source": {"S": "google_ads"},
        "ip_address": {"S": f"203.0.113.{n % 250}"},
        "device": {"S": "pstn"},
    }


def _item_bytes(item: dict[str, Any]) -> int:
    """DynamoDB's item size: attribute names and values (strings and numbers as text)."""
    return sum(len(name.encode()) + len(str(next(iter(v.values()))).encode()) for name, v in item.items())


def _seed(stack: dict[str, Any], footprint: Footprint) -> dict[str, Any]:
    os.environ.update(service_environment(stack))
    import boto3

    from privacy_rights.adapters.dynamodb_batches import batch_write

    stores = stack["stores"]
    ddb = boto3.client("dynamodb")
    s3 = boto3.client("s3")
    for tenant in TENANTS:
        ddb.put_item(
            TableName=stack["customers_table"],
            Item={
                "tenant_id": {"S": tenant},
                "name": {"S": f"Bench {tenant[-1].upper()} Services"},
                "privacy_email": {"S": f"privacy@{tenant}.example"},
                "webhook_url": {"S": f"https://hooks.{tenant}.example/callx/privacy/{tenant}"},
                "instruction": {"S": "fulfil"},
                "tracking_number": {"S": f"+1628555{1100 + TENANTS.index(tenant):04d}"},
            },
        )
    rows: dict[str, list[dict[str, Any]]] = {"calls": [], "call_insights": [], "training_manifests": []}
    objects: list[tuple[str, str, int]] = []  # (store, key, versions)
    calls_bytes = 0
    for n in range(footprint.calls):
        call_id, tenant = _subject_call(n), _tenant(n)
        item = _call_item(call_id, tenant, PHONE, n)
        calls_bytes += _item_bytes(item)
        rows["calls"].append(item)
    recorded = [(_subject_call(n), _tenant(n)) for n in footprint.recorded]
    neighbours = [(c, t) for c, (t, _) in footprint.neighbour_calls.items()]
    for i, (call_id, (tenant, phone)) in enumerate(footprint.neighbour_calls.items()):
        rows["calls"].append(_call_item(call_id, tenant, phone, i))
    for call_id, tenant in [*recorded, *neighbours[: max(1, len(neighbours) // 2)]]:
        objects.append(("recordings", f"recordings/{tenant}/{call_id}.wav", footprint.versions))
        objects.append(("transcripts", f"transcripts/{tenant}/{call_id}.json", 1))
        for kind in INSIGHT_KINDS:
            rows["call_insights"].append(
                {
                    "call_id": {"S": call_id},
                    "kind": {"S": kind},
                    "tenant_id": {"S": tenant},
                    kind: {"S": "Asked for a quote; booked a visit."} if kind == "summary" else {"N": "72"},
                }
            )
    for numbers, set_id in ((footprint.used, USED_SET), (footprint.unused, UNUSED_SET)):
        for n in numbers:
            row = {"set_id": {"S": set_id}, "call_id": {"S": _subject_call(n)}}
            if set_id == USED_SET:
                row["trained_models"] = {"L": [{"S": MODEL}]}
            rows["training_manifests"].append(row)
    for call_id, _ in neighbours[:20]:  # neighbours in both sets
        for set_id in (USED_SET, UNUSED_SET):
            rows["training_manifests"].append({"set_id": {"S": set_id}, "call_id": {"S": call_id}})

    def write(store: str, chunk: list[dict[str, Any]]) -> None:
        batch_write(ddb, {stores[store]: [{"PutRequest": {"Item": item}} for item in chunk]})

    def put(store: str, key: str, versions: int) -> None:
        for version in range(versions):
            body = f"{key} version {version} ".encode() * 64
            s3.put_object(Bucket=stores[store], Key=key, Body=body)

    with ThreadPoolExecutor(8) as pool:
        jobs = [
            pool.submit(write, store, items[start : start + WRITE_BATCH])
            for store, items in rows.items()
            for start in range(0, len(items), WRITE_BATCH)
        ]
        jobs += [pool.submit(put, store, key, versions) for store, key, versions in objects]
        for job in jobs:
            job.result()
    return {"request_id": _request(), "calls_bytes": calls_bytes}


def _request() -> str:
    from privacy_rights.core.models import (
        Channel,
        Jurisdiction,
        RequestType,
        RightsRequest,
        Status,
        SubjectIdentifiers,
        utc_now,
    )
    from privacy_rights.rights_requests.intake import subject_keys
    from privacy_rights.runtime.composition import Container
    from privacy_rights.runtime.settings import Settings

    container = Container(Settings.from_environment())
    subject = SubjectIdentifiers(phone=PHONE)
    request = RightsRequest(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.GDPR,
        channel=Channel.WEB,
        subject=subject,
        due=utc_now().date(),
        proven_identifiers=("phone",),
        status=Status.VERIFIED,
        subject_keys=subject_keys(container.keys.key_ring(), subject),
    )
    container.store.create(request, actor="bench")
    return request.request_id


# -- the measured run --------------------------------------------------------------------------


def _measure(stack: dict[str, Any], request_id: str, conn: Any) -> None:
    """Child: the workflow's steps in a fresh interpreter, calls counted per phase."""
    with ExitStack() as exits:
        _measured(stack, request_id, conn, exits)


def _measured(stack: dict[str, Any], request_id: str, conn: Any, exits: ExitStack) -> None:
    os.environ.update(service_environment(stack))
    from privacy_rights.runtime.settings import Settings

    settings = Settings.from_environment()
    phase = ["setup"]
    calls: dict[str, Counter[tuple[str, str]]] = {}
    webhooks: Counter[str] = Counter()
    # the data map's stores, the service outbox (NoticesTable) included
    _count_calls({name: store for store, name in settings.stores.items()}, phase, calls)
    # the stack's receiver, as in its own process (the transport's checks kept); the process
    # ends with the run, and the patch with it
    from local_stack.webhooks import example_hosts_at

    exits.enter_context(example_hosts_at(stack["webhooks"], lambda host: webhooks.update([host])))
    from privacy_rights.runtime.composition import Container

    container = Container(settings)
    lookups: Counter[str] = Counter()
    new_resolver = container.new_resolver

    def counted_resolver() -> Any:
        resolver = new_resolver()
        for connector in resolver._connectors.values():  # the benchmark's window on them
            _count_finds(connector, lookups, phase)
        return resolver

    container.new_resolver = counted_resolver  # type: ignore[method-assign]
    digests = len(container.keys.key_ring().all_digests(_phone_kind(), PHONE))
    seconds: dict[str, float] = {}

    def timed(name: str, step: Any, *args: Any) -> Any:
        phase[0] = name
        start = time.perf_counter()
        result = step(*args)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
        return result

    workflow, erasure = container.workflow, container.erasure
    from privacy_rights.resolution.resolution import STOPPED_FOLLOWING

    resolved = timed("brake", workflow.resolve, request_id)
    flags = list(container.store.get(request_id).resolution.flags)  # type: ignore[union-attr]
    if any(flag.startswith(STOPPED_FOLLOWING) for flag in flags):
        # ops approve the flagged footprint (one answer, no lookup); ResolveApproved follows every link
        timed("resolution", workflow.resolve, request_id, True)
    else:
        # under the ceiling (a smaller --calls): the first resolution was already complete
        calls["resolution"] = calls.pop("brake", Counter())
        seconds["resolution"] = seconds.pop("brake")
        for key in [k for k in lookups if k.startswith("brake:")]:
            lookups["resolution:" + key.partition(":")[2]] += lookups.pop(key)
    summary = container.store.get(request_id).resolution
    assert summary is not None
    plan = timed("plan", erasure.plan, request_id)
    per_store: dict[str, float] = {}
    for source in plan["sources"]:
        start = time.perf_counter()
        timed("erasure", erasure.erase, request_id, source["store"])
        per_store[source["store"]] = time.perf_counter() - start
    verdict: Any
    try:
        verdict = timed("verification", erasure.verify, request_id)
    except Exception as error:  # reported, and the run fails
        verdict = {"error": f"{type(error).__name__}: {error}"}
    receipt = container.store.get(request_id).extra.get("erasure", {})
    conn.send(
        {
            "calls": {p: [[s, op, n] for (s, op), n in c.items()] for p, c in calls.items()},
            "seconds": seconds,
            "per_store_seconds": per_store,
            "lookups": dict(lookups),
            "digests": digests,
            "needs_decision": resolved.get("needs_decision"),
            "flags": flags,
            "total_records": summary.total_records,
            "ask": plan["ask"],
            "verdict": verdict,
            "receipt_stores": receipt.get("stores", {}),
            "webhooks": dict(webhooks),
        }
    )


def _count_calls(
    tables: dict[str, str], phase: list[str], calls: dict[str, Counter[tuple[str, str]]]
) -> None:
    """Every client made from now on counts its calls by phase, store (or the service's own
    resources) and operation."""
    from botocore.session import Session

    def target(params: dict[str, Any]) -> str:
        names = [params.get("TableName"), params.get("Bucket"), *(params.get("RequestItems") or {})]
        for item in params.get("TransactItems") or []:
            names += [body.get("TableName") for body in item.values()]
        found = {tables[n] for n in names if n in tables}
        return found.pop() if len(found) == 1 else SERVICE

    def count(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.setdefault(phase[0], Counter())[(target(params), model.name)] += 1

    original = Session.create_client

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build.*.*", count)
        return client

    Session.create_client = counting  # type: ignore[method-assign]


def _phone_kind() -> Any:
    from privacy_rights.core.keyed_hash import IdentifierKind

    return IdentifierKind.PHONE


def _count_finds(connector: Any, lookups: Counter[str], phase: list[str]) -> None:
    find = connector.find

    def counted(store: Any, lookup: Any, value: str, context: Any) -> Iterator[Any]:
        lookups[f"{phase[0]}:{store.name}"] += 1
        return find(store, lookup, value, context)  # type: ignore[no-any-return]

    connector.find = counted


# -- what is left ------------------------------------------------------------------------------

Snapshot = dict[tuple[str, str], str]


def _snapshot(stack: dict[str, Any], data_map: Any) -> Snapshot:
    """Every item and every object version of the platform's stores (the benchmark may Scan)."""
    import boto3

    ddb, s3 = boto3.client("dynamodb"), boto3.client("s3")
    seen: Snapshot = {}
    for store in data_map.stores:
        name = stack["stores"].get(store.name)
        if name is None:
            continue
        if store.kind == "dynamodb":
            for page in ddb.get_paginator("scan").paginate(TableName=name):
                for item in page["Items"]:
                    key = "|".join(str(next(iter(item[k].values()))) for k in store.table.key)
                    seen[(store.name, key)] = json.dumps(item, sort_keys=True)
        else:
            for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
                for entry in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
                    seen[(store.name, f"{entry['Key']}@{entry['VersionId']}")] = entry["Key"]
    return seen


def _check(before: Snapshot, after: Snapshot, footprint: Footprint, keep: set[str]) -> list[str]:
    subject_stems = footprint.stems()
    used = {_subject_call(n) for n in footprint.used}
    problems: Counter[str] = Counter()
    kept: Counter[str] = Counter()

    def subjects(store: str, key: str) -> bool:
        if store in subject_stems:
            return key.split("@", 1)[0].rsplit(".", 1)[0] in subject_stems[store]
        if store not in ("calls", "call_insights", "training_manifests"):
            return False
        parts = key.split("|")
        return (parts[-1] if store == "training_manifests" else parts[0]) in footprint.subject_calls

    for entry in after.keys() - before.keys():
        problems[f"{entry[0]}: new entries (delete markers?)"] += 1
    for (store, key), value in before.items():
        left = after.get((store, key))
        if not subjects(store, key):
            if left != value:
                problems[f"{store}: neighbours' records changed or gone"] += 1
        elif store == "calls":
            fields = set(json.loads(left)) if left else set()
            if not left or fields - keep or PHONE in left:
                problems["calls: subject's calls not tombstoned"] += 1
            else:
                kept["calls tombstoned"] += 1
        elif store == "training_manifests" and key.split("|")[-1] in used and key.startswith(USED_SET):
            if left != value:
                problems["training_manifests: rows of a used set changed"] += 1
            else:
                kept["training rows kept (set used)"] += 1
        elif left is not None:
            problems[f"{store}: subject's records left"] += 1
        else:
            kept[f"{store} gone"] += 1
    print("  after: " + ", ".join(f"{name} {n:,}" for name, n in sorted(kept.items())))
    return [f"{what}: {n:,}" for what, n in sorted(problems.items())]


# -- the report --------------------------------------------------------------------------------


def _table(run: dict[str, Any], minimums: dict[str, Counter[tuple[str, str]]]) -> tuple[list[str], int]:
    lines = [f"  {'phase':<13}{'store':<20}{'operation':<20}{'calls':>9}{'minimum':>9}  ratio      time"]
    short = 0
    scans = 0
    for phase in ("brake", "resolution", "plan", "erasure", "verification"):
        actual = Counter({(s, op): n for s, op, n in run["calls"].get(phase, [])})
        scans += sum(n for (_, op), n in actual.items() if op == "Scan")
        wanted = minimums.get(phase, Counter())
        rows = sorted(set(actual) | set(wanted), key=lambda k: (k[0] == SERVICE, k))
        for store, op in rows:
            made, least = actual[(store, op)], wanted.get((store, op))
            if store == SERVICE or phase == "brake":
                figure, ratio = "-", ""
            else:
                figure = f"{least or 0:,}"
                ratio = f"{made / least:.2f}" if least else ("-" if not made else "extra")
                if least and made < least:
                    ratio += " short"
                    short += 1
            lines.append(f"  {phase:<13}{store:<20}{op:<20}{made:>9,}{figure:>9}  {ratio:<11}".rstrip())
        own = sum(n for (s, _), n in actual.items() if s != SERVICE)
        least_total = sum(wanted.values())
        total_ratio = f"{own / least_total:.2f}" if least_total else "-"
        if phase == "brake":
            label = "= platform stores (stops at the ceiling: no minimum)"
            lines.append(f"  {phase:<13}{label:<58}{own:>9,}")
            continue
        lines.append(
            f"  {phase:<13}{'= platform stores':<40}{own:>9,}{least_total:>9,}"
            f"  {total_ratio:<11}{run['seconds'].get(phase, 0):.1f} s"
        )
    lines.append(f"  Scans: {scans} (minimum 0)")
    return lines, short + scans


def _report(
    args: argparse.Namespace,
    footprint: Footprint,
    run: dict[str, Any],
    minimums: dict[str, Counter[tuple[str, str]]],
    data_map: Any,
    seed_seconds: float,
) -> list[str]:
    recorded = len(footprint.recorded)
    print(
        f"Deletion of one subject: {args.calls:,} calls at {len(TENANTS)} businesses (fulfil), "
        f"{recorded:,} recordings x {args.versions} versions, {recorded:,} transcripts, "
        f"{recorded * len(INSIGHT_KINDS):,} insights, {len(footprint.used) + len(footprint.unused):,} "
        f"training rows ({len(footprint.used):,} in a used set); {len(footprint.neighbour_calls)} "
        f"neighbours' calls. moto in another process; seeded in {seed_seconds:.0f} s"
    )
    ceiling = data_map.resolution.max_records_per_subject
    print(
        f"  brake: needs an ops decision: {run['needs_decision']} (ceiling {ceiling:,}; "
        f"{'; '.join(run['flags']) or '-'}); after ops approve, resolution following every link: "
        f"{run['total_records']:,} records"
    )
    lookups = Counter(run["lookups"])
    for phase in ("brake", "resolution", "verification"):
        made = sum(v for k, v in lookups.items() if k.startswith(f"{phase}:"))
        print(f"  {phase} lookups made: {made:,}")
    lines, short = _table(run, minimums)
    print("\n".join(lines))
    stores = ", ".join(f"{s} {t:.1f} s" for s, t in run["per_store_seconds"].items())
    print(f"  erasure per store (one after the other here; the Map runs 4 at a time): {stores}")
    print(f"  total {sum(run['seconds'].values()):.1f} s; webhooks: {run['webhooks'] or 'none'}")
    print(f"  verdict: {run['verdict']}")
    receipt = {
        store: {k: v for k, v in result.items() if k not in ("store", "kept_fields", "basis")}
        for store, result in run["receipt_stores"].items()
    }
    print(f"  receipt: {receipt}")
    problems = []
    if "error" in run["verdict"]:
        problems.append(f"verification failed: {run['verdict']['error']}")
    if short:
        problems.append(f"{short} rows below the minimum (work not done) or Scans made")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--recordings", type=int, default=2_000)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--neighbours", type=int, default=300)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    footprint = Footprint(args.calls, args.recordings, args.versions, args.neighbours)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    stack_process = context.Process(target=_stack, args=(child,), daemon=True)
    stack_process.start()
    stack = parent.recv()
    try:
        started = time.perf_counter()
        seeded = _seed(stack, footprint)
        from privacy_rights.core.data_map import load_data_map

        data_map = load_data_map()
        before = _snapshot(stack, data_map)
        seed_seconds = time.perf_counter() - started
        run = run_child(_measure, stack, seeded["request_id"])
        after = _snapshot(stack, data_map)
    finally:
        parent.send("stop")
        stack_process.join(timeout=30)
    minimums = footprint.minimums(data_map, seeded["calls_bytes"], run["digests"])
    problems = _report(args, footprint, run, minimums, data_map, seed_seconds)
    problems += _check(before, after, footprint, set(data_map.store("calls").erasure.keep))
    for problem in problems:
        print(f"  FAIL {problem}")
    if args.json:
        report = {"args": vars(args) | {"json": str(args.json)}, "run": run, "problems": problems}
        report["minimums"] = {p: [[s, op, n] for (s, op), n in c.items()] for p, c in minimums.items()}
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
