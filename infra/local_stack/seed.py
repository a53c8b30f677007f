"""``python -m local_stack.seed``: fill a running local stack's platform stores with the demo
subjects and a synthetic background population.

It talks to the stack's moto endpoint (``make run`` serves it on 127.0.0.1:5000) the way the
AWS CLI does, so it works from another terminal while the stack is up. The platform stores are
named as the local stack names them (``local_stack.platform.local_name``), the tenants go into
``{stack}-CustomersTable``. Running it twice with the same arguments writes the same keys again;
the demo records do not depend on the seed, so another seed only adds background data.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

from local_stack.aws import FAKE_CREDENTIALS
from local_stack.platform import local_name
from local_stack.synthetic import Report, Scale, generate
from local_stack.template import REGION
from privacy_rights.core.data_map import DataMap, load_data_map

DEFAULT_AWS_PORT = 5000


def default_endpoint() -> str:
    """The local stack's AWS endpoint: on ``$AWS_PORT`` when set, as ``make run`` serves it."""
    return f"http://127.0.0.1:{os.environ.get('AWS_PORT') or DEFAULT_AWS_PORT}"


DEFAULT_ENDPOINT = default_endpoint()
DEFAULT_STACK = "privacy-local"


def main(argv: list[str] | None = None) -> int:
    defaults = Scale()
    parser = argparse.ArgumentParser(prog="python -m local_stack.seed", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--customers", type=int, default=defaults.customers, help="tenants, the 5 demo ones included"
    )
    parser.add_argument("--callers", type=int, default=defaults.callers, help="background callers")
    parser.add_argument("--calls-per-caller", type=int, default=defaults.calls_per_caller)
    parser.add_argument(
        "--recording-seconds", type=int, default=defaults.recording_seconds, help="length of each WAV"
    )
    parser.add_argument(
        "--recording-ratio",
        type=float,
        default=defaults.recording_ratio,
        help="share of answered background calls that are recorded",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--endpoint-url",
        default=default_endpoint(),
        help="the local stack's AWS endpoint (moto; default http://127.0.0.1:$AWS_PORT, port 5000 unset)",
    )
    parser.add_argument(
        "--stack", default=DEFAULT_STACK, help="stack name; the tenants go into {stack}-CustomersTable"
    )
    args = parser.parse_args(argv)
    try:
        scale = Scale(
            customers=args.customers,
            callers=args.callers,
            calls_per_caller=args.calls_per_caller,
            recording_seconds=args.recording_seconds,
            recording_ratio=args.recording_ratio,
            seed=args.seed,
        )
    except ValueError as exc:
        parser.error(str(exc))

    # boto3 reads the endpoint from the environment, as with `make run`'s own clients; moto
    # accepts any credentials, and fake ones keep real ones from ever being sent to it.
    os.environ.update(FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": args.endpoint_url})
    session = boto3.Session(region_name=REGION)
    data_map = load_data_map()
    stores = {store.name: local_name(store) for store in data_map.stores if not store.owned_by_this_service}
    customers_table = f"{args.stack}-CustomersTable"
    try:
        _check_destinations(session, data_map, stores, customers_table)
        report = generate(session, stores, customers_table, scale)
    except EndpointConnectionError:
        print(
            f"Nothing answers at {args.endpoint_url}: start the local stack first (make run).",
            file=sys.stderr,
        )
        return 2
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("ResourceNotFoundException", "NoSuchBucket", "404"):
            print(
                f"A table or bucket is missing at {args.endpoint_url} ({exc}). "
                f"Is the stack there named {args.stack!r}?",
                file=sys.stderr,
            )
            return 2
        raise
    print(format_report(report))
    return 0


def _check_destinations(
    session: boto3.Session, data_map: DataMap, stores: dict[str, str], customers_table: str
) -> None:
    """Every table and bucket must exist before the first write: finding a missing one
    halfway would leave a half-seeded stack."""
    ddb: Any = session.client("dynamodb", region_name=REGION)
    s3: Any = session.client("s3", region_name=REGION)
    ddb.describe_table(TableName=customers_table)
    for name, physical in stores.items():
        if data_map.store(name).kind == "dynamodb":
            ddb.describe_table(TableName=physical)
        else:
            s3.head_bucket(Bucket=physical)


def format_report(report: Report) -> str:
    width = max(len(name) for name in [*report.records, "total"])
    lines = [f"{'store':<{width}}  {'records':>9}", f"{'-' * width}  {'-' * 9}"]
    lines += [f"{name:<{width}}  {count:>9,}" for name, count in report.records.items()]
    lines += [
        f"{'-' * width}  {'-' * 9}",
        f"{'total':<{width}}  {report.total_records:>9,}",
        f"{report.seconds:.1f} s, {report.records_per_second:,.0f} records/s",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
