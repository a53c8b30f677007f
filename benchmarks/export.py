"""Export of one subject with many recordings (1 GiB by default), against a plain streaming copy of
the same bytes, in the same run.

* The whole local stack (moto and every resource of template.yaml) runs in a child process, so
  moto's memory (it joins multipart uploads in memory) is not the export's.
* This process seeds the subject: one call, one transcript and one two-channel recording per
  ``--recording-mib`` of audio, and a resolution that released them all.
* The export (plan, collect per source, package) and the baseline copy (every recording streamed
  into one multipart object, same part size) each run in a fresh interpreter: its peak RSS is its
  own, and its baseline RSS (after imports, before work) is reported beside it.
* AWS API calls are counted by operation with botocore's ``before-call`` event.

Usage: ``python benchmarks/export.py [--gib 1.0] [--recording-mib 16] [--json FILE]``
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import sys
import time
import wave
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "infra"))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from separate_process import run_child, service_environment  # noqa: E402 - after the path

PHONE = "+14155550199"
RATE = 8000
LAMBDA_SECONDS = 15 * 60


def _stack(conn: Any) -> None:
    """Child: the local stack, until told to stop."""
    from local_stack.runtime import served_stack

    with served_stack(api_port=0, moto_port=0, smtp_port=0) as running:
        conn.send(
            {
                "endpoint": running.aws_endpoint,
                "environment": running.lambdas.merged_environment(),
                "stores": running.stack.platform_stores,
            }
        )
        conn.recv()


def _recording(mib: int) -> bytes:
    frames = mib * 1024 * 1024 // 4
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        # Noise, as far as DEFLATE can tell (its window is 32 KiB): real speech barely compresses.
        pattern = os.urandom(1024 * 1024)
        written = 0
        while written < frames:
            chunk = pattern[: 4 * min(len(pattern) // 4, frames - written)]
            writer.writeframesraw(chunk)
            written += len(chunk) // 4
    return out.getvalue()


def _seed(stack: dict[str, Any], count: int, mib: int) -> str:
    os.environ.update(service_environment(stack))
    import boto3

    from privacy_rights.core.models import (
        Channel,
        Jurisdiction,
        RequestType,
        ResolutionSummary,
        RightsRequest,
        SubjectIdentifiers,
        utc_now,
    )
    from privacy_rights.runtime.composition import Container
    from privacy_rights.runtime.settings import Settings

    container = Container(Settings.from_environment())
    stores = stack["stores"]
    s3 = boto3.client("s3")
    ddb = boto3.client("dynamodb")
    audio = _recording(mib)
    seconds = (len(audio) - 44) / 4 / RATE
    pointers = []
    for n in range(count):
        call_id = f"CAbench{n:05d}"
        ddb.put_item(
            TableName=stores["calls"],
            Item={
                "call_id": {"S": call_id},
                "tenant_id": {"S": "bench"},
                "caller_phone": {"S": PHONE},
                "started_at": {"S": "2026-10-01T10:00:00Z"},
                "duration_seconds": {"N": str(int(seconds))},
            },
        )
        s3.put_object(
            Bucket=stores["recordings"],
            Key=f"recordings/bench/{call_id}.wav",
            Body=audio,
            Metadata={"channels": "2"},
        )
        turns = [
            {"speaker": "agent", "start": 0, "end": seconds / 3, "text": "How can I help?"},
            {
                "speaker": "caller",
                "start": seconds / 3,
                "end": 2 * seconds / 3,
                "text": "My card is 4111 1111 1111 1111",
            },
            {
                "speaker": "third_party",
                "start": 2 * seconds / 3,
                "end": seconds,
                "text": "Hi, it's a colleague.",
            },
        ]
        s3.put_object(
            Bucket=stores["transcripts"],
            Key=f"transcripts/bench/{call_id}.json",
            Body=json.dumps({"call_id": call_id, "channels": 2, "turns": turns}).encode(),
        )
        pointers += [
            {
                "store": "calls",
                "controller": "platform",
                "tenant_id": None,
                "pointer": {"call_id": call_id},
                "released": True,
                "reason": None,
            },
            {
                "store": "recordings",
                "controller": "platform",
                "tenant_id": None,
                "pointer": f"recordings/bench/{call_id}.wav",
                "released": True,
                "reason": None,
            },
            {
                "store": "transcripts",
                "controller": "platform",
                "tenant_id": None,
                "pointer": f"transcripts/bench/{call_id}.json",
                "released": True,
                "reason": None,
            },
        ]
    request = RightsRequest(
        type=RequestType.ACCESS,
        jurisdiction=Jurisdiction.GDPR,
        channel=Channel.WEB,
        subject=SubjectIdentifiers(phone=PHONE),
        due=utc_now().date(),
    )
    key = container.work.put_json(f"resolutions/{request.request_id}/bench.json", pointers)
    summary = ResolutionSummary(
        data_map_version="bench",
        resolved_at=utc_now(),
        identifiers=[],
        counts=[],
        total_records=len(pointers),
        released_records=len(pointers),
        tenants=[],
        pointers_key=key,
    )
    container.store.create(request.model_copy(update={"resolution": summary}), actor="bench")
    return request.request_id


def _measure(stack: dict[str, Any], kind: str, request_id: str, conn: Any) -> None:
    """Child: one measured run in a fresh interpreter."""
    os.environ.update(service_environment(stack))
    import boto3
    from botocore.session import Session

    calls: Counter[str] = Counter()
    original = Session.create_client

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
        return client

    Session.create_client = counting  # type: ignore[method-assign]
    from privacy_rights.adapters.export_archive import MultipartWriter
    from privacy_rights.runtime.composition import Container
    from privacy_rights.runtime.settings import Settings

    container = Container(Settings.from_environment())
    s3 = boto3.client("s3")
    export = container.export
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if kind == "export":
        plan = export.plan(request_id)
        for source in plan["sources"]:
            export.collect(request_id, source["store"])
        result = export.package(request_id)
        size = s3.head_object(
            Bucket=container.settings.exports_bucket,
            Key=container.store.get(request_id).extra["export"]["key"],
        )["ContentLength"]
    else:
        stores = stack["stores"]
        keys = [
            o["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stores["recordings"])
            for o in page.get("Contents", [])
        ]
        with MultipartWriter(s3, container.settings.exports_bucket, f"bench/copy-{request_id}.bin") as sink:
            for key in keys:
                body = s3.get_object(Bucket=stores["recordings"], Key=key)["Body"]
                for chunk in body.iter_chunks(256 * 1024):
                    sink.write(chunk)
        result = {}
        size = s3.head_object(Bucket=container.settings.exports_bucket, Key=f"bench/copy-{request_id}.bin")[
            "ContentLength"
        ]
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send(
        {
            "kind": kind,
            "seconds": seconds,
            "rss_before_mib": rss_before / 1024,
            "peak_rss_mib": peak / 1024,
            "bytes_out": size,
            "api_calls": dict(calls),
            "result": result,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--recording-mib", type=int, default=16)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    stack_process = context.Process(target=_stack, args=(child,), daemon=True)
    stack_process.start()
    stack = parent.recv()
    try:
        count = max(1, round(args.gib * 1024 / args.recording_mib))
        started = time.perf_counter()
        request_id = _seed(stack, count, args.recording_mib)
        seeded = time.perf_counter() - started
        copy = run_child(_measure, stack, "copy", request_id)
        export = run_child(_measure, stack, "export", request_id)
    finally:
        parent.send("stop")
        stack_process.join(timeout=30)
    audio_bytes = count * args.recording_mib * 1024 * 1024
    rate = audio_bytes / export["seconds"]
    report = {
        "recordings": count,
        "audio_mib": audio_bytes / 2**20,
        "seed_seconds": round(seeded, 1),
        "export": export,
        "copy": copy,
        "export_vs_copy": round(export["seconds"] / copy["seconds"], 2),
        "export_mib_per_second": round(rate / 2**20, 1),
        "largest_export_in_one_lambda_gib": round(rate * LAMBDA_SECONDS / 2**30, 1),
    }
    print(f"Export of {count} recordings ({audio_bytes / 2**30:.2f} GiB of audio), moto in another process")
    for row in (export, copy):
        print(
            f"  {row['kind']:<7} {row['seconds']:7.1f} s   peak RSS {row['peak_rss_mib']:6.1f} MiB "
            f"(after imports {row['rss_before_mib']:6.1f} MiB)   out {row['bytes_out'] / 2**20:8.1f} MiB"
        )
        print(f"          API calls: {', '.join(f'{k} {v}' for k, v in sorted(row['api_calls'].items()))}")
    print(
        f"  export / plain copy: {report['export_vs_copy']}x;  {report['export_mib_per_second']} MiB/s;"
        "  largest export in one 15-minute Lambda at this speed: "
        f"{report['largest_export_in_one_lambda_gib']} GiB"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
