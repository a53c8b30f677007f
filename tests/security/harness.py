"""The security tier's harness: the local stack seen from outside, as an attacker and as the
service's owner who checks afterwards that nothing of the victim left or changed.

Everything an attacker does goes over HTTP on 127.0.0.1 with the standard library, from a source
address of its own (the whole 127.0.0.0/8 is loopback on Linux): a real attacker has many
addresses, and the service's per-address limits must not be what stops an attack here, nor let
one test's requests spend another's allowance. The owner's checks read the outbox
(``/_local/outbox``), the ops API (``X-Local-Operator``) and the platform's stores through the
stack's AWS endpoint with boto3.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.client
import io
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import boto3

from local_stack import demo, synthetic
from local_stack.runtime import RunningStack
from privacy_rights.core.data_map import load_data_map

OPERATOR = "security-tier"
SHORT = 30.0  # seconds: a message to arrive, a workflow to reach a wait (the CPUs are shared)
LONG = 45.0  # seconds: an export or an erasure to finish (only reached when an attack works)
POLL = 0.05

T = TypeVar("T")

_BUCKETS = ("recordings", "transcripts")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = SHORT) -> T:
    """Poll ``probe`` until it returns something truthy (every 50 ms at first, then less often:
    the stack shares the CPUs with the test); fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    pause = POLL
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(pause)
        pause = min(pause * 1.5, 0.1)


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return sorted(self.body) if isinstance(self.body, dict) else []


class _FromAddress(urllib.request.HTTPHandler):
    """urllib's HTTP handler, connecting from a given loopback address."""

    def __init__(self, source: str) -> None:
        super().__init__()
        self._source = source

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(http.client.HTTPConnection, source_address=(self._source, 0))
        return self.do_open(connection, req)  # type: ignore[arg-type]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_addresses = itertools.count(1)
_address_lock = threading.Lock()


def new_address() -> str:
    """A loopback address no other actor of this session uses."""
    with _address_lock:
        n = next(_addresses)
    return f"127.{64 + n // 62500}.{(n // 250) % 250}.{n % 250 + 2}"


class Http:
    def __init__(self, base_url: str, source: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.source = source or new_address()
        self._opener = urllib.request.build_opener(_FromAddress(self.source), _NoRedirect())

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> Answer:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} | (headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=sent)
        for attempt in range(5):
            try:
                with self._opener.open(request, timeout=30) as response:
                    return Answer(response.status, _decode(response.read()), dict(response.headers))
            except urllib.error.HTTPError as error:
                return Answer(error.code, _decode(error.read()), dict(error.headers or {}))
            except (ConnectionResetError, ConnectionRefusedError, http.client.RemoteDisconnected):
                # The local API's listen backlog is small: a burst of connections is reset
                # before the server reads them (nothing was processed); a client connects again.
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError(f"{method} {path}: the local API kept resetting the connection")


def _decode(payload: bytes) -> Any:
    text = payload.decode("utf-8", "replace")
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return text


def multipart_upload(url: str, fields: dict[str, str], content: bytes, content_type: str) -> int:
    """A browser's upload to an S3 presigned POST: the form's fields, then the file."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    body.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="permission"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode()
    )
    body.write(content)
    body.write(f"\r\n--{boundary}--\r\n".encode())
    request = urllib.request.Request(
        url,
        data=body.getvalue(),
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


# --- the victim ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Victim:
    """Someone whose data an attacker is after. ``secrets`` are strings of theirs an attacker
    does not know (names, call ids, the businesses they called): none may reach the attacker."""

    name: str
    phone: str | None
    email: str | None
    call_ids: frozenset[str]
    secrets: tuple[str, ...]
    calls: tuple[demo.Call, ...] = ()

    def fact(self, right: bool = True) -> dict[str, str]:
        """A claim about a recent call: the real month and business, or the month with a business
        this number never called."""
        call = max(self.calls, key=lambda c: c.started_at)
        business = demo.TENANTS_BY_ID[call.tenant_id].name if right else "Harbor Freight Brokers"
        assert right or all(c.tenant_id != "harbor" for c in self.calls)
        return {"recent_call_month": call.started_at[:7], "business": business}


Footprint = dict[str, list[str]]


# --- the service, seen by its owner --------------------------------------------------------------


class Service:
    def __init__(self, running: RunningStack) -> None:
        self.running = running
        self.api_url = running.api_url
        self.stores = dict(running.stack.platform_stores)
        session = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
        self.ddb: Any = session.client("dynamodb", endpoint_url=running.aws_endpoint)
        self.s3: Any = session.client("s3", endpoint_url=running.aws_endpoint)
        self.exports_bucket = running.stack.ref("ExportsBucket")
        self.verification_table = running.stack.ref("VerificationTable")
        self.requests_table = running.stack.ref("RequestsTable")
        self.owner = Http(self.api_url, "127.0.0.1")
        self._phones = itertools.count(2000)
        self._seed_lock = threading.Lock()

    # -- what was sent ---------------------------------------------------------------------

    def outbox(self, to: str | None = None) -> list[dict[str, Any]]:
        answer = self.owner.call("GET", "/_local/outbox")
        assert answer.status == 200, answer
        return [m for m in answer.body if to is None or to in m["to"]]

    def message(self, to: str, contains: str = "", timeout: float = SHORT) -> dict[str, Any]:
        return wait_for(
            f"a message to {to} containing {contains!r}",
            lambda: next((m for m in self.outbox(to) if contains in m["subject"] + m["body"]), None),
            timeout,
        )

    def code(self, request_id: str, to: str, timeout: float = SHORT) -> str:
        """The code we sent ``to`` for this request (a call reads the digits out, without the id)."""

        def find() -> str | None:
            for message in self.outbox(to):
                text = message["subject"] + message["body"]
                if message["channel"] == "voice":
                    spoken = re.search(r"code is: ((?:\d, ){5}\d)", text)
                    if spoken:
                        return spoken.group(1).replace(", ", "")
                found = re.search(r"code is (\d{6})", text)
                if found and request_id in text:
                    return found.group(1)
            return None

        return wait_for(f"a code for {request_id} sent to {to}", find, timeout)

    def acknowledged_token(self, request_id: str, to: str | None) -> str | None:
        """The status token from the acknowledgement's link (how it reached requesters before the
        intake answer carried it)."""
        if not to:
            return None
        try:
            message = self.message(to, request_id, timeout=5)
        except AssertionError:
            return None
        found = re.search(r"token=([\w.-]+)", message["body"])
        return found.group(1) if found else None

    # -- the ops API (the owner's view of a request) ----------------------------------------

    def ops(self, method: str, path: str, body: Any = None) -> Answer:
        return self.owner.call(method, path, body, headers={"X-Local-Operator": OPERATOR})

    def detail(self, request_id: str) -> dict[str, Any]:
        answer = self.ops("GET", f"/ops/requests/{request_id}")
        assert answer.status == 200, answer
        return dict(answer.body)

    def state(self, request_id: str) -> tuple[str, list[str]]:
        """The request's status and what its workflow waits for, read from the requests table
        (cheaper to poll than the ops API, which also reads the execution history)."""
        item = self.ddb.get_item(
            TableName=self.requests_table,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
            ProjectionExpression="#s, waiting",
            ExpressionAttributeNames={"#s": "status"},
        ).get("Item", {})
        return item.get("status", {}).get("S", ""), sorted(item.get("waiting", {}).get("M", {}))

    def settle(self, request_id: str, timeout: float = LONG) -> dict[str, Any]:
        """The request (as ops see it) once its workflow rests: closed, or waiting for someone
        (the requester's codes, ops, a business). Whatever an attack set in motion has happened."""

        def resting() -> bool:
            status, waiting = self.state(request_id)
            return status in ("completed", "denied", "canceled", "failed", "appeal_denied") or bool(waiting)

        wait_for(f"request {request_id} to rest", resting, timeout)
        return self.detail(request_id)

    def awaiting_verification(self, request_id: str) -> None:
        """Codes are out and the workflow waits for them (before that, /verify answers 409)."""
        wait_for(
            f"{request_id} to wait for verification",
            lambda: "verification" in self.state(request_id)[1],
            SHORT,
        )

    # -- what the service holds -------------------------------------------------------------

    def export_objects(self, request_id: str) -> list[str]:
        """Every object of the exports bucket that belongs to this request."""
        keys = []
        for page in self.s3.get_paginator("list_object_versions").paginate(Bucket=self.exports_bucket):
            for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if request_id in version["Key"]:
                    keys.append(version["Key"])
        return keys

    def attempts_counted(self, request_id: str) -> int:
        """Wrong attempts recorded against a request, in the verification table."""
        items = self.ddb.query(
            TableName=self.verification_table,
            KeyConditionExpression="request_id = :r",
            ExpressionAttributeValues={":r": {"S": request_id}},
            ConsistentRead=True,
        )["Items"]
        return sum(int(item.get("attempts", {}).get("N", "0")) for item in items)

    def footprint(self, victim: Victim) -> Footprint:
        """Every platform record of the victim, each fingerprinted whole (a changed attribute
        changes its fingerprint), found the way the data map links them: accounts, CRM leads and
        marketing preferences by phone and email; calls by the victim's call ids and by their
        number as caller; insights, training entries, and every version and delete marker of
        recordings and transcripts by call id; agent metrics and telemetry by their accounts."""
        found: Footprint = {}

        def query(store: str, index: str | None, attribute: str, value: str) -> list[dict[str, Any]]:
            arguments: dict[str, Any] = {
                "TableName": self.stores[store],
                "KeyConditionExpression": "#a = :v",
                "ExpressionAttributeNames": {"#a": attribute},
                "ExpressionAttributeValues": {":v": {"S": value}},
            }
            if index:
                arguments["IndexName"] = index
            return [
                i for page in self.ddb.get_paginator("query").paginate(**arguments) for i in page["Items"]
            ]

        def keep(store: str, items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
            kept = list(items)
            found[store] = sorted({_fingerprint(item) for item in kept})
            return kept

        by_contact = [("phone", victim.phone), ("email", victim.email)]
        accounts = keep(
            "accounts", [i for kind, v in by_contact if v for i in query("accounts", f"by_{kind}", kind, v)]
        )
        keep(
            "crm_leads", [i for kind, v in by_contact if v for i in query("crm_leads", f"by_{kind}", kind, v)]
        )
        keep(
            "marketing_preferences",
            query("marketing_preferences", None, "email", victim.email) if victim.email else [],
        )
        keep(
            "usage_telemetry",
            [i for a in accounts for i in query("usage_telemetry", None, "account_id", a["account_id"]["S"])],
        )
        agents = [a["agent_id"]["S"] for a in accounts if "agent_id" in a]
        keep(
            "agent_metrics", [i for agent in agents for i in query("agent_metrics", None, "agent_id", agent)]
        )
        calls = {}
        for call_id in victim.call_ids:
            item = self.ddb.get_item(
                TableName=self.stores["calls"], Key={"call_id": {"S": call_id}}, ConsistentRead=True
            ).get("Item")
            if item:
                calls[call_id] = item
        if victim.phone:
            calls |= {i["call_id"]["S"]: i for i in query("calls", "by_caller", "caller_phone", victim.phone)}
        keep("calls", calls.values())
        call_ids = sorted(set(calls) | victim.call_ids)
        keep("call_insights", [i for c in call_ids for i in query("call_insights", None, "call_id", c)])
        keep(
            "training_manifests",
            [i for c in call_ids for i in query("training_manifests", "by_call", "call_id", c)],
        )
        tenants = {c: calls[c]["tenant_id"]["S"] if c in calls else None for c in call_ids}
        tenants |= {c.call_id: c.tenant_id for c in victim.calls}
        for store in _BUCKETS:
            versions = []
            for call_id, tenant in sorted(tenants.items()):
                prefix = f"{store}/{tenant}/{call_id}"
                pages = self.s3.get_paginator("list_object_versions").paginate(
                    Bucket=self.stores[store], Prefix=prefix
                )
                for page in pages:
                    versions += [
                        f"deleted {m['Key']} {m['VersionId']}" for m in page.get("DeleteMarkers", [])
                    ]
                    versions += [f"{v['Key']} {v['VersionId']} {v['ETag']}" for v in page.get("Versions", [])]
            found[store] = sorted(versions)
        return found

    # -- victims and account holders ------------------------------------------------------

    def seed_account_holder(self) -> AccountHolder:
        """A new agent account at Acme, who signs in on the local identity provider like any
        account holder: an attacker with a platform login of their own."""
        tag = uuid.uuid4().hex[:8]
        with self._seed_lock:
            phone = f"+1707555{next(self._phones):04d}"
        account = demo.Account(
            demo.opaque_id("AC", f"account:security-{tag}"),
            "acme",
            f"Mallory {tag}",
            f"mallory-{tag}@acme-plumbing.example",
            phone,
            "agent",
            agent_id=demo.opaque_id("AG", f"agent:security-{tag}"),
        )
        writer = synthetic._Writer(self.running.session, self.stores, None, load_data_map())
        writer.put(synthetic.Row("accounts", synthetic._account_item(account)))
        writer.flush()
        return AccountHolder(account.account_id, account.email, account.phone)

    def dana(self) -> Victim:
        subject = demo.DANA
        calls = tuple(c for c in demo.DEMO_CALLS if c.caller_phone == subject.phone)
        return _victim(subject.name, subject.phone, subject.email, calls)

    def seed_stranger(self, like: str = "dana", with_email: bool = False) -> Victim:
        """A person of the platform nobody else in the session touches, shaped like a demo
        subject (``dana``: four calls to Acme, two recorded on two channels, one in a training
        set; ``marcus``: a CRM lead and three calls at Brightside, one recorded), with a fresh
        mobile number (exchange 555, lines 2000 up: no demo or background number) and name."""
        tag = uuid.uuid4().hex[:8]
        letters = "".join(chr(ord("a") + int(ch, 16) + 4 * (n % 3)) for n, ch in enumerate(tag))
        first, name = "Zor" + letters[:4], f"Zor{letters[:4]} Quill{letters[4:]}"
        with self._seed_lock:
            phone = f"+1707555{next(self._phones):04d}"
        email = f"stranger-{tag}@example.org" if with_email or like == "marcus" else None
        source = demo.SUBJECTS[like]
        calls = tuple(
            dataclasses.replace(c, label=f"{c.label}-{tag}", caller_phone=phone, caller_name=name)
            for c in demo.DEMO_CALLS
            if c.caller_phone == source.phone
        )
        writer = synthetic._Writer(self.running.session, self.stores, None, load_data_map())
        context = synthetic._CallContext(
            tenants=demo.TENANTS_BY_ID,
            agent_names={agent.agent_id: agent.name for agent in demo.AGENTS},
            names_by_phone={s.phone: s.name for s in demo.SUBJECTS.values() if s.phone},
            recording_seconds=1,
        )
        for call in calls:
            for record in synthetic._call_records(call, context):
                writer.put(record)
        if email:
            lead = demo.Lead(
                calls[0].tenant_id if calls else "brightside",
                demo.opaque_id("LD", f"lead:{tag}"),
                name,
                email,
                phone,
                f"{first} Holdings",
                f"Private note about {first}: wants a quote before the move.",
            )
            writer.put(synthetic.Row("crm_leads", synthetic._lead_item(lead)))
        writer.flush()
        return _victim(name, phone, email, calls)


@dataclass(frozen=True)
class AccountHolder:
    """A platform account (a business customer's staff member) who can sign in."""

    account_id: str
    email: str
    phone: str


def _victim(name: str, phone: str | None, email: str | None, calls: tuple[demo.Call, ...]) -> Victim:
    call_ids = frozenset(c.call_id for c in calls)
    businesses = {demo.TENANTS_BY_ID[c.tenant_id].name for c in calls}
    secrets = (*name.split(), *sorted(call_ids), *sorted(businesses))
    return Victim(name, phone, email, call_ids, secrets, calls)


def _fingerprint(item: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()


def present(footprint: Footprint) -> int:
    return sum(len(v) for v in footprint.values())


# --- actors -------------------------------------------------------------------------------------


@dataclass
class Submitted:
    answer: Answer
    token: str | None

    @property
    def request_id(self) -> str:
        return str(self.answer.body["request_id"])


class Actor:
    """Someone on the internet: their own address(es), their own source address."""

    def __init__(self, service: Service, email: str | None = None, phone: str | None = None) -> None:
        self.service = service
        self.email = email or f"attacker-{uuid.uuid4().hex[:12]}@example.net"
        self.phone = phone
        self.http = Http(service.api_url)

    @property
    def addresses(self) -> list[str]:
        return [a for a in (self.email, self.phone) if a]

    def submit(self, body: dict[str, Any], token_from: str | None = None) -> Submitted:
        answer = self.http.call("POST", "/requests", body)
        assert answer.status == 202, answer
        token = answer.body.get("status_token")
        if token is None:  # before the intake answer carried it: from the acknowledgement
            token = self.service.acknowledged_token(answer.body["request_id"], token_from)
        return Submitted(answer, token)

    def verify(self, request_id: str, attempt: dict[str, Any], token: str | None) -> Answer:
        return self.http.call("POST", f"/requests/{request_id}/verify", attempt, token=token)

    def status(self, request_id: str, token: str | None) -> Answer:
        return self.http.call("GET", f"/requests/{request_id}", token=token)

    def download(self, request_id: str, token: str | None) -> Answer:
        return self.http.call(
            "GET", f"/requests/{request_id}/download", headers={"Accept": "application/json"}, token=token
        )

    def permission_upload(
        self, request_id: str, token: str | None, content_type: str = "image/png"
    ) -> Answer:
        return self.http.call(
            "POST", f"/requests/{request_id}/permission-upload", {"content_type": content_type}, token=token
        )

    def sign_in(self, email: str) -> str:
        answer = self.http.call(
            "POST", "/_local/idp/sign-in", {"email": email, "password": "local-demo-password"}
        )
        assert answer.status == 200, answer
        return str(answer.body["id_token"])

    def messages(self) -> list[dict[str, Any]]:
        return [m for m in self.service.outbox() if set(m["to"]) & set(self.addresses)]


def leaked(victim: Victim, messages: Iterable[dict[str, Any]]) -> list[str]:
    """The victim's secrets found in these messages (whole words)."""
    text = "\n".join(m["subject"] + "\n" + m["body"] for m in messages)
    return [secret for secret in victim.secrets if re.search(rf"\b{re.escape(secret)}\b", text)]


def damage(
    service: Service, victim: Victim, before: Footprint, request_id: str, attacker: Actor
) -> list[str]:
    """What an attack took or changed: the victim's records, the exports bucket, the attacker's
    mail and texts. Empty when the attack got nothing."""
    problems = []
    after = service.footprint(victim)
    for store in sorted(set(before) | set(after)):
        was, now = before.get(store, []), after.get(store, [])
        if was != now:
            gone = len(set(was) - set(now))
            problems.append(f"{store}: {len(was)} records before, {len(now)} after ({gone} gone or changed)")
    exported = service.export_objects(request_id)
    if exported:
        problems.append(f"the exports bucket holds {exported}")
    leaks = leaked(victim, attacker.messages())
    if leaks:
        problems.append(f"the attacker's messages carry the victim's {leaks}")
    return problems


def victim_of_agent(agent: demo.Agent) -> Victim:
    """An account holder as a victim: their contacts and the calls they took."""
    calls = tuple(c for c in demo.DEMO_CALLS if c.agent_id == agent.agent_id)
    return _victim(agent.name, agent.phone, agent.email, calls)


def archive_names(url: str) -> tuple[list[str], zipfile.ZipFile]:
    with urllib.request.urlopen(url, timeout=30) as response:
        archive = zipfile.ZipFile(io.BytesIO(response.read()))
    return archive.namelist(), archive
