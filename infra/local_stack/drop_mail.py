"""Drop .eml files into a running local stack's inbound mail, as SES would store them
(``make run`` must be up; its poller picks them up within a second or two).

    python -m local_stack.drop_mail message.eml [more.eml ...] [--aws-endpoint URL] [--as-is]

``--as-is`` stores the file without the SES header block (to test verdict headers you wrote).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import boto3

from local_stack.mail import SesInbound
from local_stack.seed import default_endpoint
from local_stack.template import REGION

BUCKET_PREFIX = "privacy-inbound-mail-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m local_stack.drop_mail", description=__doc__.split("\n")[0]
    )
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument(
        "--aws-endpoint",
        default=default_endpoint(),
        help="the local stack's AWS endpoint (default http://127.0.0.1:$AWS_PORT, port 5000 unset)",
    )
    parser.add_argument("--as-is", action="store_true", help="store without SES's header block")
    args = parser.parse_args(argv)
    s3 = boto3.client(
        "s3",
        endpoint_url=args.aws_endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto takes any key
    )
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(BUCKET_PREFIX)]
    if len(buckets) != 1:
        parser.error(f"expected one inbound mail bucket at {args.aws_endpoint}, found {len(buckets)}")
    inbound = SesInbound(s3, buckets[0])
    for path in args.files:
        key = inbound.receive(path.read_bytes(), as_is=args.as_is)
        print(f"{path} -> s3://{buckets[0]}/{key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
