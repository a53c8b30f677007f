"""The smoke test: a canary subject walks through the service end to end, one line per step.

1. plant the canary: an account holder (``accounts``, a platform store that a deletion erases)
   with a fresh email, phone and account id (random: in no store before), and see the scan find it;
2. an opt-out (marketing) by the canary's email, then the internal API's "may I process?" says no;
3. an access request by the email, verified with the code we send (locally read from the
   outbox; on a deployed stack typed in by the operator from the test inbox), until completed;
4. its download: the export's link, the ZIP, and the canary's account in it;
5. a deletion, verified the same way, until completed;
6. the re-scan: the canary's email, phone and account id are in none of the stores the data map
   names (locally every item and object version; deployed, every look-up the data map declares
   for email, phone and account id), except stores whose erasure strategy is ``retain``.

``python -m privacy_ops.smoke --local`` starts the local stack in this process (loopback, free
ports); ``--local --api-url URL --aws-endpoint URL`` uses one already running (``make run``);
``--stack NAME`` reads a deployed stack's outputs and parameters with CloudFormation. Exit status
0 when every step passed, 1 at the first that failed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from privacy_ops.cli import OpsApiError, OpsClient

#: how long one step waits for the service (a deployed stack's cold starts; a busy CI runner)
PATIENCE = float(os.environ.get("SMOKE_PATIENCE_SECONDS", "120"))
LOCAL_OPERATOR = "smoke-test"


class SmokeFailed(Exception):
    """A step did not do what it should; the message says what was seen (ids, never data)."""


@dataclass(frozen=True)
class Canary:
    run: str
    email: str
    phone: str
    account_id: str

    @classmethod
    def fresh(cls, email: str | None = None) -> Canary:
        run = uuid.uuid4().hex[:12]
        # +1 628 555 01xx is reserved for fiction; the run picks the last digits
        phone = f"+1628555{int(run[:6], 16) % 10000:04d}"
        return cls(run, email or f"smoke-canary-{run}@example.com", phone, f"smoke-canary-{run}")

    @property
    def markers(self) -> tuple[str, ...]:
        return (self.email, self.phone, self.account_id)


@dataclass
class Target:
    """Where the smoke runs: the APIs, how to call the IAM ones, the platform's stores."""

    public_url: str
    internal: OpsClient
    ops: OpsClient
    #: data map store name -> physical table or bucket
    stores: dict[str, str]
    aws: Any  # a boto3 Session on the stack's account (or the local endpoint)
    aws_endpoint: str | None
    #: the code sent to ``recipient`` for ``request_id``
    code_for: Callable[[str, str], str]
    full_scan: bool
    description: str
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return self.aws.client(service, endpoint_url=self.aws_endpoint)


# -- HTTP -----------------------------------------------------------------------------------------


def _http(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    if urlsplit(url).scheme not in ("http", "https"):
        raise SmokeFailed(f"not an http(s) URL: {url}")
    data = json.dumps(body).encode() if body is not None else None
    sent = {"Content-Type": "application/json", "Accept": "application/json"} | (headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - checked above
            text = response.read()
            return response.status, json.loads(text) if text[:1] in (b"{", b"[") else text
    except urllib.error.HTTPError as error:
        text = error.read()
        return error.code, json.loads(text) if text[:1] in (b"{", b"[") else text


def _until(what: str, probe: Callable[[], Any], timeout: float = PATIENCE) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise SmokeFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.2)


# -- the steps ------------------------------------------------------------------------------------


class Smoke:
    def __init__(self, target: Target, canary: Canary, out: Callable[[str], None] = print) -> None:
        self.target = target
        self.canary = canary
        self.out = out
        self.access: dict[str, Any] = {}
        self.deletion: dict[str, Any] = {}

    def steps(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("plant canary", self.plant),
            ("opt-out", self.opt_out),
            ("access request", self.request_access),
            ("download", self.download),
            ("deletion", self.delete),
            ("re-scan", self.rescan),
        ]

    def run(self) -> bool:
        self.out(f"smoke: {self.target.description}, canary run {self.canary.run}")
        for number, (name, step) in enumerate(self.steps(), start=1):
            started = time.monotonic()
            try:
                said = step()
            except (SmokeFailed, OpsApiError) as failure:
                self.out(f"[{number}] {name}: FAILED ({time.monotonic() - started:.1f} s): {failure}")
                return False
            self.out(f"[{number}] {name}: ok ({time.monotonic() - started:.1f} s) {said}".rstrip())
        return True

    # 1
    def plant(self) -> str:
        table = self.target.stores["accounts"]
        self.target.client("dynamodb").put_item(
            TableName=table,
            Item={
                "account_id": {"S": self.canary.account_id},
                "tenant_id": {"S": "smoke-test"},
                "name": {"S": "Smoke Canary"},
                "email": {"S": self.canary.email},
                "phone": {"S": self.canary.phone},
                "role": {"S": "admin"},
            },
            ConditionExpression="attribute_not_exists(account_id)",
        )
        # the re-scan must see what it looks for, or a clean re-scan proves nothing
        if self._find_canary(only="accounts") != ["accounts"]:
            raise SmokeFailed("the scan does not find the planted canary in accounts")
        return f"account {self.canary.account_id}, found by the scan"

    # 2
    def opt_out(self) -> str:
        created = self._submit({"type": "opt_out", "jurisdiction": "ccpa", "opt_out_of": ["marketing"]})

        def refused() -> bool:
            answer = self.target.internal.call(
                "POST",
                "/internal/may-process",
                {"identifier": {"kind": "email", "value": self.canary.email}, "purpose": "marketing"},
            )
            return answer.get("allowed") is False

        _until("may-process to refuse marketing to the canary", refused)
        return f"request {created['request_id']}; may-process refuses marketing"

    # 3
    def request_access(self) -> str:
        self.access = self._submit({"type": "access", "jurisdiction": "gdpr"})
        self._verify(self.access)
        self._completed(self.access)
        return f"request {self.access['request_id']} verified and completed"

    # 4
    def download(self) -> str:
        request_id, token = self.access["request_id"], self.access["status_token"]
        status, link = _http(
            "GET",
            f"{self.target.public_url}/requests/{request_id}/download",
            headers={"Authorization": f"Bearer {token}"},
        )
        if status != 200 or not isinstance(link, dict) or "url" not in link:
            raise SmokeFailed(f"the download link answered HTTP {status}: {_short(link)}")
        status, archive = self._fetch(link["url"])
        if status != 200:
            raise SmokeFailed(f"the export answered HTTP {status}")
        try:
            names, text = _zip_text(archive)
        except zipfile.BadZipFile:
            raise SmokeFailed("the export is not a ZIP archive") from None
        if self.canary.account_id not in text or self.canary.email not in text:
            raise SmokeFailed(f"the export ({len(names)} files) does not hold the canary's account")
        return f"{len(archive)} bytes, {len(names)} files, the canary's account in it"

    # 5
    def delete(self) -> str:
        self.deletion = self._submit({"type": "deletion", "jurisdiction": "gdpr"})
        self._verify(self.deletion)
        self._completed(self.deletion)
        return f"request {self.deletion['request_id']} verified and completed"

    # 6
    def rescan(self) -> str:
        found = self._find_canary()
        if found:
            raise SmokeFailed(f"the canary is still in {', '.join(found)} after the deletion")
        from privacy_rights.core.data_map import load_data_map

        kept = [
            s.name
            for s in load_data_map().stores
            if s.erasure.strategy == "retain" and s.name in self.target.stores
        ]
        how = "every item and object version" if self.target.full_scan else "every look-up of the data map"
        return (
            f"{len(self.target.stores) - len(kept)} stores clean ({how}); "
            f"not scanned, kept by design (erasure: retain): {', '.join(kept) or 'none'}"
        )

    # -- helpers ---------------------------------------------------------------------------

    def _submit(self, body: dict[str, Any]) -> dict[str, Any]:
        status, created = _http(
            "POST", f"{self.target.public_url}/requests", body | {"email": self.canary.email}
        )
        if status != 202 or not isinstance(created, dict):
            raise SmokeFailed(f"POST /requests answered HTTP {status}: {_short(created)}")
        return created

    def _verify(self, created: dict[str, Any]) -> None:
        request_id = created["request_id"]
        code = self.target.code_for(request_id, self.canary.email)
        status, answer = _http(
            "POST",
            f"{self.target.public_url}/requests/{request_id}/verify",
            {"code": code},
            headers={"Authorization": f"Bearer {created['status_token']}"},
        )
        if status != 200:
            raise SmokeFailed(f"verifying {request_id} answered HTTP {status}: {_short(answer)}")

    def _completed(self, created: dict[str, Any]) -> None:
        request_id = created["request_id"]
        seen: list[str] = []

        def done() -> bool:
            status, view = _http(
                "GET",
                f"{self.target.public_url}/requests/{request_id}",
                headers={"Authorization": f"Bearer {created['status_token']}"},
            )
            current = view.get("status", f"HTTP {status}") if isinstance(view, dict) else f"HTTP {status}"
            seen.append(str(current))
            if current in ("failed", "denied", "cancelled"):
                raise SmokeFailed(f"request {request_id} ended {current}")
            return current == "completed"

        try:
            _until(f"request {request_id} to complete", done)
        except SmokeFailed as failure:
            raise SmokeFailed(f"{failure} (last status: {seen[-1] if seen else 'none'})") from None

    def _fetch(self, url: str) -> tuple[int, bytes]:
        if urlsplit(url).scheme not in ("http", "https"):
            raise SmokeFailed("the download link is not an http(s) URL")
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - checked above
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""

    def _find_canary(self, only: str | None = None) -> list[str]:
        """The stores (by data map name) where a canary marker is found."""
        from privacy_rights.core.data_map import load_data_map

        data_map = load_data_map()
        found = []
        for store in data_map.stores:
            physical = self.target.stores.get(store.name)
            if physical is None or store.erasure.strategy == "retain" or only not in (None, store.name):
                continue
            if store.kind == "dynamodb":
                hit = (
                    self._in_table(physical, store)
                    if not self.target.full_scan
                    else self._scan_table(physical)
                )
            else:
                hit = self._scan_bucket(physical) if self.target.full_scan else False
            if hit:
                found.append(store.name)
        return found

    def _scan_table(self, table: str) -> bool:
        pages = self.target.client("dynamodb").get_paginator("scan").paginate(TableName=table)
        return any(self._holds_marker(json.dumps(page["Items"])) for page in pages)

    def _in_table(self, table: str, store: Any) -> bool:
        ddb = self.target.client("dynamodb")
        values = {
            "email": self.canary.email,
            "phone": self.canary.phone,
            "account_id": self.canary.account_id,
        }
        for lookup in store.lookups:
            value = values.get(lookup.by)
            if value is None or lookup.keyed_hash or not lookup.attribute:
                continue
            query: dict[str, Any] = {
                "TableName": table,
                "KeyConditionExpression": "#a = :v",
                "ExpressionAttributeNames": {"#a": lookup.attribute},
                "ExpressionAttributeValues": {":v": {"S": value}},
                "Limit": 1,
            }
            if lookup.index:
                query["IndexName"] = lookup.index
            elif store.table is not None and store.table.key != [lookup.attribute]:
                continue  # not the whole key: no cheap look-up
            if ddb.query(**query).get("Items"):
                return True
        return False

    def _scan_bucket(self, bucket: str) -> bool:
        s3 = self.target.client("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for version in page.get("Versions", []):
                body = s3.get_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])[
                    "Body"
                ]
                if self._holds_marker(body.read().decode(errors="replace")):
                    return True
        return False

    def _holds_marker(self, text: str) -> bool:
        return any(marker in text for marker in self.canary.markers)


def _zip_text(archive: bytes) -> tuple[list[str], str]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = opened.namelist()
        text = "\n".join(
            opened.read(name).decode(errors="replace") for name in names if name.endswith((".json", ".html"))
        )
    return names, text


def _short(body: Any) -> str:
    text = json.dumps(body) if not isinstance(body, str | bytes) else str(body)
    return text[:200]


# -- targets --------------------------------------------------------------------------------------


def outbox_codes(api_url: str) -> Callable[[str, str], str]:
    """Codes read from the local stack's outbox (``GET /_local/outbox``)."""

    def code_for(request_id: str, recipient: str) -> str:
        def find() -> str | None:
            status, messages = _http("GET", f"{api_url}/_local/outbox")
            if status != 200:
                raise SmokeFailed(f"the local outbox answered HTTP {status}")
            for message in messages:
                found = re.search(r"code is (\d{6})", message["body"])
                if recipient in message["to"] and request_id in message["body"] and found:
                    return found.group(1)
            return None

        return str(_until(f"a code for {request_id} in the outbox", find))

    return code_for


def prompted_codes(ask: Callable[[str], str] = input) -> Callable[[str, str], str]:
    """Codes typed in by the operator, who reads the test inbox."""

    def code_for(request_id: str, recipient: str) -> str:
        code = ask(f"The 6-digit code sent to {recipient} for {request_id}: ").strip()
        if not re.fullmatch(r"\d{6}", code):
            raise SmokeFailed("no 6-digit code was entered")
        return code

    return code_for


def local_target(
    api_url: str, aws: Any, aws_endpoint: str | None, stores: dict[str, str], how: str
) -> Target:
    return Target(
        public_url=api_url,
        internal=OpsClient(api_url, operator=LOCAL_OPERATOR),
        ops=OpsClient(api_url, operator=LOCAL_OPERATOR),
        stores=stores,
        aws=aws,
        aws_endpoint=aws_endpoint,
        code_for=outbox_codes(api_url),
        full_scan=True,
        description=f"local stack at {api_url} ({how})",
    )


@contextmanager
def started_local_stack() -> Iterator[Target]:
    """The local stack started in this process, on loopback and free ports."""
    from local_stack.runtime import served_stack

    with served_stack(api_port=0, moto_port=0, smtp_port=0) as running:
        yield local_target(
            running.api_url,
            running.session,
            None,
            dict(running.stack.platform_stores),
            "started for the smoke",
        )


def running_local_target(api_url: str, aws_endpoint: str, stack_name: str = "privacy-local") -> Target:
    """A local stack already running (``make run``): its stores from a function's environment."""
    import boto3

    session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name="us-east-1")  # noqa: S106 - moto's
    environment = session.client("lambda", endpoint_url=aws_endpoint).get_function_configuration(
        FunctionName=f"{stack_name}-ResolveSubjectFunction"
    )["Environment"]["Variables"]
    return local_target(
        api_url.rstrip("/"), session, aws_endpoint, _stores_from(environment), "already running"
    )


def _stores_from(environment: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("STORE_").lower(): v for k, v in environment.items() if k.startswith("STORE_")}


def deployed_target(stack_name: str, region: str | None, ask: Callable[[str], str] = input) -> Target:
    """A deployed stack: URLs from its outputs, the platform's stores from its parameters."""
    import boto3

    from privacy_rights.core.data_map import load_data_map

    session = boto3.Session(region_name=region)
    (stack,) = session.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
    stores = {
        store.name: parameters[store.parameter]
        for store in load_data_map().stores
        if store.parameter and parameters.get(store.parameter)
    }
    region_name = session.region_name
    return Target(
        public_url=outputs["PublicApiUrl"].rstrip("/"),
        internal=OpsClient(outputs["InternalApiUrl"], region=region_name),
        ops=OpsClient(outputs["OpsApiUrl"], region=region_name),
        stores=stores,
        aws=session,
        aws_endpoint=None,
        code_for=prompted_codes(ask),
        full_scan=False,
        description=f"stack {stack_name} in {region_name}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privacy-smoke", description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="a deployed stack's name (CloudFormation)")
    where.add_argument("--local", action="store_true", help="the local stack")
    parser.add_argument("--region", help="the deployed stack's region")
    parser.add_argument("--canary-email", help="deployed: the test inbox the codes go to (you type them in)")
    parser.add_argument("--api-url", help="local: a running stack's API (make run: http://127.0.0.1:8080)")
    parser.add_argument(
        "--aws-endpoint", help="local: a running stack's AWS endpoint (http://127.0.0.1:5000)"
    )
    args = parser.parse_args(argv)

    with ExitStack() as exits:
        if args.stack:
            if not args.canary_email:
                parser.error("--stack needs --canary-email (a test inbox you can read)")
            target = deployed_target(args.stack, args.region)
        elif args.api_url:
            target = running_local_target(args.api_url, args.aws_endpoint or "http://127.0.0.1:5000")
        else:
            target = exits.enter_context(started_local_stack())
        passed = Smoke(target, Canary.fresh(args.canary_email)).run()
    print("smoke: passed" if passed else "smoke: FAILED", file=sys.stdout if passed else sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
