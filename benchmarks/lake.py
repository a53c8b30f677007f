"""The analytics lake (issue 19): find one subject in a lake of call events with DuckDB (what the
local stack plays Athena with), and erase them by rewriting only the files that hold them.

* The lake: Parquet (snappy, the data map's ``call_events_lake`` schema), partitioned
  ``dt=``/``tenant_id=`` over 365 days and 5 businesses, ``--files-per-partition`` files in each
  (4 for the full lake). One subject's rows (3 per file) are in 500 files: file 0 of each
  partition of 100 consecutive days x 5 businesses. Generated once into ``--cache`` (the marker
  ``lake.json`` says how), reused by later runs.
* Cost growth: the lakes of about 0.5, 1 and 2 GiB are the first 1, 2 and 4 files of every
  partition: the same 500 files hold the subject in each, so a find grows with the bytes it
  scans and a rewrite with the files holding the subject only.
* Find: the adapter's query (``SELECT event_id, "$path" ... WHERE caller_phone = ?``, the number a
  bound parameter), without and with partition pruning (the request's 100 days and its
  businesses), in DuckDB over the files (``read_parquet``, hive partitioning, as
  ``local_stack.athena``); bytes scanned is DuckDB's bytes read, and Athena's bill for the same
  scan at $5 per TB (10 MB minimum per query).
* Erase: the 500 files (and 100 other files of the same partitions, which must not change) in
  in-process moto S3 (versioned), each rewritten by the service's own ``LakeFiles.rewrite``
  (If-Match, row group by row group), in a fresh process so pyarrow's memory pool peak is the
  rewrite's; a plain copy (GetObject + PutObject) of each file just before its rewrite, in the
  same process, for the ratio: interleaved file by file so that both see the same load on a
  shared machine, in wall seconds and in the process's CPU seconds. The peak is the pool's: the
  object's bytes in and out are Python buffers (or /tmp for a big file), not counted, as a
  copy holds them too. Checked: every subject row gone, every other row kept, the control files
  untouched. Once more over the full lake with S3 a moto server in another process (as the
  export and erasure benches have it): in process, a GetObject + PutObject of 0.3 MB costs
  about 6 ms of CPU, less than decoding and encoding the file; across a socket the copy pays
  what it would pay against S3, a request and a response on the wire.

Usage: ``python benchmarks/lake.py [--gib 2] [--cache build/bench-lake] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "infra"))

DAYS = 365
TENANTS = ("acme", "brightside", "northwind", "crescent", "harbor")
SUBJECT_DAYS = 100  # the subject's rows are in file 0 of these days' partitions, every tenant
SUBJECT_FILES = SUBJECT_DAYS * len(TENANTS)  # 500
SUBJECT_PHONE = "+14155550188"
ROWS_PER_SUBJECT_FILE = 3
FIRST_DAY = date(2025, 11, 1)
SUBJECT_FIRST_DAY = FIRST_DAY + timedelta(days=120)
ROW_GROUP_ROWS = 2_000
ATHENA_USD_PER_TB = 5.0
ATHENA_MIN_BYTES = 10 * 1024**2
GIB = 1024**3


def _lake() -> Any:
    from privacy_rights.core.data_map import load_data_map

    lake = load_data_map().store("call_events_lake").lake
    assert lake is not None
    return lake


def _file_rows(day: date, tenant: str, index: int, rows: int) -> Any:
    """One file's rows as an Arrow table (vectorized: random columns from a seeded generator)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from local_stack.lake_data import schema

    seed = int(hashlib.sha256(f"{day}{tenant}{index}".encode()).hexdigest()[:8], 16)
    rng = np.random.default_rng(seed)
    ids = pa.array(rng.integers(0, 2**62, rows, dtype=np.int64))
    hexed = pc.cast(ids, pa.string())
    phones = pc.binary_join_element_wise(
        "+1", pc.cast(pa.array(rng.integers(2_002_000_000, 9_899_999_999, rows)), pa.string()), ""
    )
    seconds = rng.integers(0, 86_400, rows)
    started = [f"{day}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in seconds.tolist()]
    kinds = pa.array(
        np.array(["call.completed", "attribution.touch", "call.scored"])[rng.integers(0, 3, rows)]
    )
    sources = pa.array(
        np.array(["google_ads", "organic", "direct", "facebook_ads", "bing_ads"])[rng.integers(0, 5, rows)]
    )
    has_email = rng.random(rows) < 0.3
    emails = pc.if_else(
        pa.array(has_email),
        pc.binary_join_element_wise("caller", pc.cast(ids, pa.string()), "@example.com", ""),
        pa.nulls(rows, pa.string()),
    )
    columns = {
        "event_id": pc.binary_join_element_wise("EV", hexed, ""),
        "call_id": pc.binary_join_element_wise(
            "CA", pc.cast(pa.array(rng.integers(0, 2**62, rows, dtype=np.int64)), pa.string()), ""
        ),
        "event_type": kinds,
        "started_at": pa.array(started),
        "caller_phone": phones,
        "caller_email": emails,
        "caller_name": pa.array(
            np.array(["Avery Lee", "Blake Kim", "Camila Cruz", "WIRELESS CALLER", "Diego Ruiz"])[
                rng.integers(0, 5, rows)
            ]
        ),
        "lead_id": pc.if_else(
            pa.array(has_email), pc.binary_join_element_wise("LD", hexed, ""), pa.nulls(rows, pa.string())
        ),
        "tracking_number": pa.array([f"+1415555{TENANTS.index(tenant):04d}"] * rows),
        "source": sources,
        "campaign": pc.binary_join_element_wise(sources, pa.array([str(day)[:7]] * rows), "-"),
        "duration_seconds": pa.array(rng.integers(5, 1800, rows)),
        "score": pa.array(np.round(rng.random(rows) * 100, 2)),
    }
    table = pa.table(columns).cast(schema(_lake()))
    if index == 0 and SUBJECT_FIRST_DAY <= day < SUBJECT_FIRST_DAY + timedelta(days=SUBJECT_DAYS):
        positions = sorted(rng.choice(rows, ROWS_PER_SUBJECT_FILE, replace=False).tolist())
        phones_list = table.column("caller_phone").to_pylist()
        for p in positions:
            phones_list[p] = SUBJECT_PHONE
        table = table.set_column(
            table.schema.get_field_index("caller_phone"), "caller_phone", pa.array(phones_list)
        )
    return table


def partitions() -> list[tuple[date, str]]:
    return [(FIRST_DAY + timedelta(days=d), t) for d in range(DAYS) for t in TENANTS]


def file_path(cache: Path, day: date, tenant: str, index: int) -> Path:
    return cache / "call_events" / f"dt={day}" / f"tenant_id={tenant}" / f"part-{index}.parquet"


def generate(cache: Path, gib: float, files_per_partition: int = 4) -> dict[str, Any]:
    """The lake, once: rows per file chosen from a trial file so the whole is at least ``gib``."""
    import pyarrow.parquet as pq

    marker = cache / "lake.json"
    if marker.exists():
        made = json.loads(marker.read_text())
        if made["target_gib"] == gib and made["files_per_partition"] == files_per_partition:
            return dict(made)
    started = time.perf_counter()
    trial = _file_rows(FIRST_DAY, "acme", 1, 20_000)
    probe = cache / "probe.parquet"
    probe.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(trial, probe, row_group_size=ROW_GROUP_ROWS, compression="snappy")
    bytes_per_row = probe.stat().st_size / 20_000
    probe.unlink()
    files = len(partitions()) * files_per_partition
    rows = max(int(gib * GIB / files / bytes_per_row * 1.03), 20_000_000 // files + 1)
    total_rows = total_bytes = 0
    for day, tenant in partitions():
        for index in range(files_per_partition):
            path = file_path(cache, day, tenant, index)
            path.parent.mkdir(parents=True, exist_ok=True)
            table = _file_rows(day, tenant, index, rows)
            pq.write_table(table, path, row_group_size=ROW_GROUP_ROWS, compression="snappy")
            total_rows += table.num_rows
            total_bytes += path.stat().st_size
    made = {
        "target_gib": gib,
        "files_per_partition": files_per_partition,
        "rows_per_file": rows,
        "rows": total_rows,
        "bytes": total_bytes,
        "files": files,
        "generated_in_seconds": round(time.perf_counter() - started, 1),
    }
    marker.write_text(json.dumps(made, indent=2))
    return made


def lake_files(cache: Path, files_per_partition: int) -> list[Path]:
    return [file_path(cache, d, t, i) for d, t in partitions() for i in range(files_per_partition)]


def subject_files(cache: Path) -> list[Path]:
    return [
        file_path(cache, SUBJECT_FIRST_DAY + timedelta(days=d), t, 0)
        for d in range(SUBJECT_DAYS)
        for t in TENANTS
    ]


# -- find ---------------------------------------------------------------------------------------


def find(files: list[Path], pruned: bool) -> dict[str, Any]:
    """The adapter's query in DuckDB over the files (as local_stack.athena reads them)."""
    import tempfile

    import duckdb

    listed = "[" + ", ".join(f"'{p}'" for p in files) + "]"
    options = (
        "filename = true, hive_partitioning = true, "
        "hive_types = {'dt': 'VARCHAR', 'tenant_id': 'VARCHAR'}, hive_types_autocast = false"
    )
    query = 'SELECT "event_id", filename AS "$path" FROM lake WHERE "caller_phone" IN (?)'
    parameters: list[Any] = [SUBJECT_PHONE]
    if pruned:
        last = SUBJECT_FIRST_DAY + timedelta(days=SUBJECT_DAYS - 1)
        query += ' AND "dt" >= ? AND "dt" <= ? AND "tenant_id" IN (?, ?, ?, ?, ?)'
        parameters += [str(SUBJECT_FIRST_DAY), str(last), *TENANTS]
    with tempfile.TemporaryDirectory() as scratch:
        profile = Path(scratch) / "profile.json"
        connection = duckdb.connect(config={"threads": 2})
        # local file names only: the subject's number is a bound parameter of the query below
        connection.execute(f"CREATE VIEW lake AS SELECT * FROM read_parquet({listed}, {options})")  # noqa: S608
        connection.execute("PRAGMA enable_profiling='json'")
        connection.execute(f"PRAGMA profiling_output='{profile}'")
        started = time.perf_counter()
        rows = connection.execute(query, parameters).fetchall()
        seconds = time.perf_counter() - started
        connection.execute("PRAGMA disable_profiling")
        connection.close()
        scanned = int(json.loads(profile.read_text())["io"]["total_bytes_read"])
    holding = sorted({path for _, path in rows})
    billed = max(scanned, ATHENA_MIN_BYTES)
    return {
        "pruned": pruned,
        "seconds": round(seconds, 2),
        "bytes_scanned": scanned,
        "gib_scanned": round(scanned / GIB, 3),
        "athena_usd": round(billed / 1024**4 * ATHENA_USD_PER_TB, 5),
        "rows_found": len(rows),
        "files_holding": len(holding),
        "matches": {path: sorted(i for i, p in rows if p == path) for path in holding},
    }


# -- erase (in a child process: its own pyarrow memory pool) ----------------------------------------


@contextmanager
def _timed(clock: list[float]) -> Iterator[None]:
    """Adds the block's wall and CPU (this process) seconds to ``clock``."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    clock[0] += time.perf_counter() - wall
    clock[1] += time.process_time() - cpu


def _copy(s3: Any, key: str) -> None:
    """The baseline: a plain copy of the object (GetObject, then PutObject of its bytes)."""
    body = s3.get_object(Bucket="lake", Key=key)["Body"].read()
    s3.put_object(Bucket="lake", Key=key + ".copy", Body=body)


def _erase_child(
    cache: str, matches: dict[str, list[str]], controls: list[str], out: Any, endpoint: str | None = None
) -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    import boto3
    import pyarrow as pa
    import pyarrow.parquet as pq
    from moto import mock_aws

    from privacy_rights.adapters.lake import LakeFiles
    from privacy_rights.core.data_map import load_data_map

    store = load_data_map().store("call_events_lake")
    root = Path(cache)
    # in process, or a moto server in the parent process (S3 on the other side of a socket)
    with mock_aws() if endpoint is None else nullcontext():
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=endpoint)
        s3.create_bucket(Bucket="lake")
        s3.put_bucket_versioning(Bucket="lake", VersioningConfiguration={"Status": "Enabled"})
        keys = {}
        for path in [*matches, *controls]:
            key = Path(path).relative_to(root).as_posix()
            s3.put_object(Bucket="lake", Key=key, Body=Path(path).read_bytes())
            keys[path] = key
        control_versions = {
            keys[p]: s3.head_object(Bucket="lake", Key=keys[p])["VersionId"] for p in controls
        }
        largest_group = max(
            pq.ParquetFile(p).metadata.row_group(i).total_byte_size
            for p in matches
            for i in range(pq.ParquetFile(p).metadata.num_row_groups)
        )
        files = LakeFiles(s3, {"call_events_lake": "lake"})
        pool = pa.default_memory_pool()
        # what the pool holds now, not its high-water mark so far (reading the footers above
        # reached one, since freed: subtracting it would leave that much of the rewrite out)
        baseline = pool.bytes_allocated()
        # file by file, the plain copy then the rewrite of the same object: both under the same
        # load (a machine shared with other work slows one phase and not the other when all the
        # rewrites run first and all the copies after); wall and CPU seconds of this process
        rewritten = []
        clocks = {"rewrite": [0.0, 0.0], "copy": [0.0, 0.0]}
        for path, ids in matches.items():
            with _timed(clocks["copy"]):
                _copy(s3, keys[path])
            with _timed(clocks["rewrite"]):
                rewritten.append(files.rewrite(store, keys[path], ids))
        peak = (pool.max_memory() or 0) - baseline
        (rewrite_seconds, rewrite_cpu), (copy_seconds, copy_cpu) = clocks["rewrite"], clocks["copy"]
        left = sum(
            1
            for path in matches
            for row in pq.read_table(
                __import__("io").BytesIO(s3.get_object(Bucket="lake", Key=keys[path])["Body"].read())
            )
            .column("caller_phone")
            .to_pylist()
            if row == SUBJECT_PHONE
        )
        untouched = all(
            s3.head_object(Bucket="lake", Key=k)["VersionId"] == v for k, v in control_versions.items()
        )
        rewritten_bytes = sum(r.bytes_before for r in rewritten)
        out.put(
            {
                "files_rewritten": sum(1 for r in rewritten if r.new_version),
                "rows_removed": sum(r.rows_changed for r in rewritten),
                "row_groups_copied": sum(r.row_groups_copied for r in rewritten),
                "rows_kept": sum(r.rows_after for r in rewritten),
                "subject_rows_left": left,
                "control_files_untouched": untouched,
                "bytes_rewritten": rewritten_bytes,
                "largest_file_bytes": max(r.bytes_before for r in rewritten),
                "largest_row_group_bytes": largest_group,
                "peak_arrow_memory_bytes": peak,
                "peak_over_row_group": round(peak / largest_group, 2),
                "rewrite_seconds": round(rewrite_seconds, 2),
                "seconds_per_gib": round(rewrite_seconds / (rewritten_bytes / GIB), 1),
                "copy_seconds": round(copy_seconds, 2),
                "rewrite_over_copy": round(rewrite_seconds / copy_seconds, 2),
                "rewrite_cpu_seconds": round(rewrite_cpu, 2),
                "copy_cpu_seconds": round(copy_cpu, 2),
                "rewrite_over_copy_cpu": round(rewrite_cpu / copy_cpu, 2),
            }
        )


BIG_ROWS = 1_600_000
BIG_GROUP_ROWS = 400_000


def big_file(cache: Path) -> tuple[Path, list[str]]:
    """One file far bigger than the lake's (above the in-memory limit: streamed through /tmp),
    four row groups, three rows of it to erase: what the rewrite's memory is compared with."""
    import pyarrow.parquet as pq

    path = cache / "big" / "part-big.parquet"
    table = None
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        table = _file_rows(FIRST_DAY, "acme", 9, BIG_ROWS)
        pq.write_table(table, path, row_group_size=BIG_GROUP_ROWS, compression="snappy")
    ids = pq.read_table(path, columns=["event_id"]).column("event_id").to_pylist()
    return path, [ids[10], ids[BIG_ROWS // 2], ids[-10]]


def _big_child(path: str, ids: list[str], out: Any) -> None:
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    import boto3
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from moto import mock_aws

    from privacy_rights.adapters.lake import IN_MEMORY_BYTES, LakeFiles
    from privacy_rights.core.data_map import load_data_map

    store = load_data_map().store("call_events_lake")
    meta = pq.ParquetFile(path).metadata
    largest_group = max(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        s3.put_bucket_versioning(Bucket="lake", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="lake", Key="call_events/big.parquet", Body=Path(path).read_bytes())
        baseline = pa.default_memory_pool().bytes_allocated()  # held now (see _erase_child)
        copy_clock, rewrite_clock = [0.0, 0.0], [0.0, 0.0]
        with _timed(copy_clock):  # the copy first, of the same object the rewrite reads
            _copy(s3, "call_events/big.parquet")
        with _timed(rewrite_clock):
            done = LakeFiles(s3, {"call_events_lake": "lake"}).rewrite(store, "call_events/big.parquet", ids)
        peak = (pa.default_memory_pool().max_memory() or 0) - baseline
        (seconds, cpu), (copy_seconds, copy_cpu) = rewrite_clock, copy_clock
        # checked after the clocks: the file is the source less the three rows, row for row
        rewritten = pq.read_table(
            pa.BufferReader(s3.get_object(Bucket="lake", Key="call_events/big.parquet")["Body"].read())
        )
        source = pq.read_table(path)
        exact = rewritten.equals(source.filter(pc.invert(pc.is_in(source["event_id"], pa.array(ids)))))
        rewritten = source = None
    out.put(
        {
            "file_bytes": Path(path).stat().st_size,
            "streamed_through_tmp": Path(path).stat().st_size > IN_MEMORY_BYTES,
            "row_groups": meta.num_row_groups,
            "largest_row_group_bytes": largest_group,
            "rows_removed": done.rows_changed,
            "row_groups_copied": done.row_groups_copied,
            "rows_exactly_the_source_less_the_subject": exact,
            "peak_arrow_memory_bytes": peak,
            "peak_over_row_group": round(peak / largest_group, 2),
            "rewrite_seconds": round(seconds, 2),
            "copy_seconds": round(copy_seconds, 2),
            "rewrite_over_copy": round(seconds / copy_seconds, 2),
            "rewrite_cpu_seconds": round(cpu, 2),
            "copy_cpu_seconds": round(copy_cpu, 2),
            "rewrite_over_copy_cpu": round(cpu / copy_cpu, 2),
        }
    )


def big_rewrite(cache: Path) -> dict[str, Any]:
    path, ids = big_file(cache)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_big_child, args=(str(path), ids, out))
    child.start()
    result = out.get()
    child.join()
    return dict(result)


def erase(cache: Path, matches: dict[str, list[str]], served: bool = False) -> dict[str, Any]:
    """The rewrite and the plain copy of each file holding the subject, in a fresh process,
    against moto in that process, or (``served``) against a moto server in this one, as the
    export and erasure benches do: S3 on the other side of a socket, its work not the child's."""
    holding = set(matches)
    controls = [str(p) for p in lake_files(cache, 2) if str(p) not in holding][:100]
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    with ExitStack() as server:
        endpoint = None
        if served:
            import logging

            from moto.server import ThreadedMotoServer

            from local_stack.aws import free_port

            logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
            port = free_port("127.0.0.1")
            moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
            moto.start()
            server.callback(moto.stop)
            endpoint = f"http://127.0.0.1:{port}"
        child = context.Process(target=_erase_child, args=(str(cache), matches, controls, out, endpoint))
        child.start()
        result = out.get()
        child.join()
    return dict(result) | {"s3": "moto server in another process" if served else "moto in process"}


def _erased_exactly(erased: dict[str, Any]) -> bool:
    """Every file holding the subject rewritten, none of their rows left, no other file touched."""
    return (
        erased["files_rewritten"] == SUBJECT_FILES
        and not erased["subject_rows_left"]
        and erased["control_files_untouched"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=2.0, help="the full lake's size (4 files per partition)")
    parser.add_argument("--cache", type=Path, default=REPO_ROOT / "build" / "bench-lake")
    parser.add_argument("--json", type=Path, default=REPO_ROOT / "bench-results" / "lake.json")
    args = parser.parse_args(argv)

    made = generate(args.cache, args.gib)
    print(
        f"lake: {made['rows']:,} call events, {made['bytes'] / GIB:.2f} GiB in {made['files']:,} files "
        f"({DAYS} days x {len(TENANTS)} businesses x {made['files_per_partition']}; generated in "
        f"{made['generated_in_seconds']} s, cached in {args.cache})"
    )
    expected_holding = {str(p) for p in subject_files(args.cache)}
    results: dict[str, Any] = {"lake": made, "find": [], "growth": []}
    failures = []
    for files_per_partition in (1, 2, 4):
        files = lake_files(args.cache, files_per_partition)
        size = sum(p.stat().st_size for p in files)
        for pruned in (False, True):
            found = find(files, pruned)
            if set(found["matches"]) != expected_holding:
                failures.append(
                    f"find over {size / GIB:.2f} GiB (pruned={pruned}) found {found['files_holding']} files"
                )
            row = {k: v for k, v in found.items() if k != "matches"} | {"lake_gib": round(size / GIB, 2)}
            results["find"].append(row)
            print(
                f"find  {size / GIB:4.2f} GiB lake, {'pruned  ' if pruned else 'no prune'}: "
                f"{found['seconds']:6.2f} s, "
                f"{found['gib_scanned']:6.3f} GiB scanned (Athena: ${found['athena_usd']:.4f}), "
                f"{found['rows_found']} rows in {found['files_holding']} files"
            )
        erased = erase(args.cache, find(files, True)["matches"])
        erased["lake_gib"] = round(size / GIB, 2)
        results["growth"].append(erased)
        print(
            f"erase {size / GIB:4.2f} GiB lake: {erased['files_rewritten']} files rewritten "
            f"({erased['bytes_rewritten'] / GIB:.3f} GiB) in {erased['rewrite_seconds']} s = "
            f"{erased['seconds_per_gib']} s/GiB; plain copy {erased['copy_seconds']} s "
            f"(ratio {erased['rewrite_over_copy']}x, goal <= 2x; CPU seconds "
            f"{erased['rewrite_cpu_seconds']} / {erased['copy_cpu_seconds']} = "
            f"{erased['rewrite_over_copy_cpu']}x); peak arrow memory "
            f"{erased['peak_arrow_memory_bytes'] / 1024**2:.1f} MiB = "
            f"{erased['peak_over_row_group']}x the largest row group "
            f"({erased['largest_row_group_bytes'] / 1024**2:.2f} MiB; goal < 2x), largest file "
            f"{erased['largest_file_bytes'] / 1024**2:.2f} MiB; "
            f"subject rows left {erased['subject_rows_left']}, "
            f"other files untouched: {erased['control_files_untouched']}"
        )
        if not _erased_exactly(erased):
            failures.append(f"erase over {size / GIB:.2f} GiB: {erased}")
    served = erase(args.cache, find(files, True)["matches"], served=True)
    results["erase_over_a_socket"] = served
    print(
        f"erase {size / GIB:4.2f} GiB lake, S3 a moto server in another process (as the export and "
        f"erasure benches): {served['files_rewritten']} files rewritten in {served['rewrite_seconds']} s; "
        f"plain copy {served['copy_seconds']} s (ratio {served['rewrite_over_copy']}x; this process's "
        f"CPU seconds {served['rewrite_cpu_seconds']} / {served['copy_cpu_seconds']} = "
        f"{served['rewrite_over_copy_cpu']}x); peak arrow memory {served['peak_over_row_group']}x the "
        f"largest row group; subject rows left {served['subject_rows_left']}, other files untouched: "
        f"{served['control_files_untouched']}"
    )
    if not _erased_exactly(served):
        failures.append(f"erase over a socket: {served}")
    big = big_rewrite(args.cache)
    results["big_file"] = big
    print(
        f"erase one {big['file_bytes'] / 1024**2:.0f} MiB file ({big['row_groups']} row groups of up to "
        f"{big['largest_row_group_bytes'] / 1024**2:.0f} MiB uncompressed, "
        f"through /tmp: {big['streamed_through_tmp']}; {big['row_groups_copied']} copied byte for byte, "
        f"the rest less the subject's {big['rows_removed']} rows; rows exact: "
        f"{big['rows_exactly_the_source_less_the_subject']}): {big['rewrite_seconds']} s, "
        f"plain copy {big['copy_seconds']} s (ratio {big['rewrite_over_copy']}x, "
        f"CPU {big['rewrite_over_copy_cpu']}x); "
        f"peak arrow memory {big['peak_arrow_memory_bytes'] / 1024**2:.0f} MiB = "
        f"{big['peak_over_row_group']}x "
        "the largest row group (goal < 2x)"
    )
    if not big["rows_exactly_the_source_less_the_subject"] or big["rows_removed"] != 3:
        failures.append(f"the big file's rewrite: {big}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
