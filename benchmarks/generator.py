"""Throughput of the synthetic data generator against in-process moto.

Creates the platform stores from the data map on a fresh in-process moto, runs
``local_stack.synthetic.generate`` at the requested number of background calls (the demo's
~2,500 calls come on top) and prints, per store and per store kind (DynamoDB, S3), records
written and records per second of time spent in AWS calls, then the total wall time (record
generation included), overall records/s and the peak RSS of the process.

What the figures mean: moto keeps everything in this process's memory, so the peak RSS is
mostly moto's copy of the data, and per-item costs are moto's (it recomputes an item's size on
every attribute), not DynamoDB's. Compare runs with each other, not with AWS.

Usage: ``python benchmarks/generator.py [--calls 100000] [--recording-ratio 0.02] [--seed 7]``
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from collections import defaultdict

from local_stack.aws import in_process_aws
from local_stack.platform import create_platform_stores
from local_stack.synthetic import CUSTOMERS, Report, Scale, generate
from privacy_rights.core.data_map import load_data_map

CALLS_PER_CALLER = 4


def peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(scale: Scale) -> Report:
    data_map = load_data_map()
    with in_process_aws() as session:
        stores = create_platform_stores(session, data_map)
        return generate(session, stores, None, scale)


def print_report(report: Report, scale: Scale) -> None:
    data_map = load_data_map()
    kinds: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def rate(count: float, seconds: float) -> str:
        return f"{count / seconds:>12,.0f}" if seconds > 0 else f"{'-':>12}"

    print(f"{'store':<22} {'kind':<9} {'records':>9} {'write s':>8} {'records/s':>12}")
    for name, count in report.records.items():
        kind = "dynamodb" if name == CUSTOMERS else data_map.store(name).kind
        seconds = report.write_seconds.get(name, 0.0)
        kinds[kind][0] += count
        kinds[kind][1] += seconds
        print(f"{name:<22} {kind:<9} {count:>9,} {seconds:>8.2f} {rate(count, seconds)}")
    print()
    for kind, (count, seconds) in sorted(kinds.items()):
        print(f"{'all ' + kind:<32} {count:>9,.0f} {seconds:>8.2f} {rate(count, seconds)}")
    writing = sum(report.write_seconds.values())
    print(
        f"\nbackground calls      {scale.callers * scale.calls_per_caller:,} "
        f"({scale.callers:,} callers x {scale.calls_per_caller}), recording ratio {scale.recording_ratio}, "
        f"{scale.recording_seconds} s WAVs"
    )
    print(f"total records         {report.total_records:,}")
    print(f"wall time             {report.seconds:.1f} s ({writing:.1f} s in AWS calls, the rest generating)")
    print(f"throughput            {report.records_per_second:,.0f} records/s overall")
    print(f"peak RSS              {peak_rss_mib():,.0f} MiB")
    print(f"python                {platform.python_version()} on {platform.machine()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=100_000, help="background calls (4 per caller)")
    parser.add_argument("--recording-ratio", type=float, default=0.02)
    parser.add_argument("--recording-seconds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    scale = Scale(
        callers=max(1, args.calls // CALLS_PER_CALLER),
        calls_per_caller=CALLS_PER_CALLER,
        recording_ratio=args.recording_ratio,
        recording_seconds=args.recording_seconds,
        seed=args.seed,
    )
    started = time.perf_counter()
    report = run(scale)
    print_report(report, scale)
    print(f"process time          {time.perf_counter() - started:.1f} s (moto set-up and tear-down included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
