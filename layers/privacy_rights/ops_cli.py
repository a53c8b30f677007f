"""``privacy-ops``: the privacy operations team's command line, over the ops API.

Against the deployed stack, requests are signed with SigV4 from your AWS credentials (the API
is IAM-authorized, and every action is audited with your IAM identity). Against the local
stack (``make run``), ``--operator NAME`` stands in for that identity.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

LOCAL_API = "http://127.0.0.1:8080"


class OpsApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class OpsClient:
    def __init__(self, api_url: str, operator: str | None = None, region: str | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self.operator = operator
        self.region = (
            region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        )

    def call(self, method: str, path: str, body: Any = None) -> Any:
        url = self.api_url + path
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("the ops API URL must be http(s)")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.operator:
            headers["X-Local-Operator"] = self.operator
        else:
            headers = self._signed(method, url, data, headers)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - checked above
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - checked above
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                payload = json.loads(text or b"null")
            except ValueError:
                payload = text.decode(errors="replace")
            raise OpsApiError(error.code, payload) from None

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise OpsApiError(
                0, "no AWS credentials: configure them, or use --operator against the local stack"
            )
        request = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", self.region).add_auth(request)
        return dict(request.headers.items())


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    widths = [max(len(str(value)) for value in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(value).ljust(width) for value, width in zip(header, widths, strict=False))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=False)) for row in rows
    ]
    return "\n".join(lines)


def render_summary(summary: dict[str, Any]) -> str:
    rows = [
        (
            count["store"],
            count["controller"] if not count.get("tenant_id") else f"customer {count['tenant_id']}",
            count["released"],
            count["not_released"],
            ", ".join(f"{k}: {v}" for k, v in sorted(count["not_released_reasons"].items())) or "",
        )
        for count in summary["counts"]
    ]
    lines = [
        f"Data map version {summary['data_map_version']}, resolved {summary['resolved_at']}",
        _table(rows, ("store", "controller", "reached", "not released", "why not"))
        if rows
        else "Nothing found.",
        f"Total: {summary['total_records']} records, {summary['released_records']} reachable through the "
        f"identifiers given; customers: {', '.join(summary['tenants']) or 'none'}",
    ]
    if summary.get("flags"):
        lines.append("FLAGGED (needs an ops decision before any release or erasure):")
        lines += [f"  - {flag}" for flag in summary["flags"]]
    return "\n".join(lines)


def _lookup(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = {
        key: value
        for key, value in {
            "email": args.email,
            "phone": args.phone,
            "account_id": args.account_id,
            "phone_held_since": args.held_since,
            "reason": args.reason,
        }.items()
        if value
    }
    summary = client.call("POST", "/ops/lookups", body)
    return summary, render_summary(summary)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-ops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--api-url",
        default=os.environ.get("PRIVACY_OPS_API_URL", LOCAL_API),
        help=f"base URL of the ops API (default $PRIVACY_OPS_API_URL or {LOCAL_API})",
    )
    parser.add_argument(
        "--operator",
        default=os.environ.get("PRIVACY_OPERATOR"),
        help="local stack only: who you are (deployed stacks use your signed AWS identity)",
    )
    parser.add_argument("--region", help="AWS region of the deployed ops API")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    commands = parser.add_subparsers(dest="command", required=True)

    lookup = commands.add_parser(
        "lookup", help="what the platform holds for identifiers (counts only; audited)"
    )
    lookup.add_argument("--phone")
    lookup.add_argument("--email")
    lookup.add_argument("--account-id")
    lookup.add_argument("--held-since", help="YYYY-MM-DD: calls before it belong to an earlier holder")
    lookup.add_argument(
        "--reason", required=True, help="why you look this person up (kept in the audit trail)"
    )
    lookup.set_defaults(run=_lookup)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    client = OpsClient(args.api_url, operator=args.operator, region=args.region)
    try:
        payload, text = args.run(client, args)
    except OpsApiError as error:
        print(
            json.dumps({"status": error.status, "error": error.body})
            if args.json
            else f"Error {error.status}: {error.body}",
            file=sys.stderr,
        )
        return 1
    except urllib.error.URLError as error:
        print(f"Cannot reach the ops API at {args.api_url}: {error.reason}", file=sys.stderr)
        return 2
    print(json.dumps(payload, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
