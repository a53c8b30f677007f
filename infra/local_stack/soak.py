"""``make soak``: a day's mixed load on the local stack, with AWS faults and crashes, then the
failed requests replayed, then checks that nothing was lost, stuck, sent twice or broken.

Everything runs in this process on 127.0.0.1 (``served_stack``): the requests go over HTTP
(``POST /requests``, ``/verify``, the ops API as ``privacy-ops`` calls it) and SMTP (email
intake), the checks read the stack's stores. It is bounded: N requests (default 300) and a
deadline (``--max-seconds``); it stops by itself and exits non-zero when a check fails.

- **AWS faults** (``--fault-rate``): that share of every AWS API call the handlers (and Step
  Functions' own Lambda client) make fails the way AWS fails it, in the protocol's own shape:
  a JSON ``ThrottlingException`` for JSON services, Lambda's 429 ``TooManyRequestsException``,
  S3's 503 ``SlowDown`` and the query services' ``Throttling`` (XML), each with a request id.
  Injected at botocore's ``before-send``, so the SDK's retries and the state machine's Retry
  see what they would see on AWS.
- **Crashes** (``--crash-rate``): the local fault switch (``InProcessLambdas.crash``, also
  ``POST /_local/faults {"crash_rate": ...}``) kills that share of every invocation, before the
  handler runs or after it ran (its answer lost).
- Step Functions' Retry intervals are slept at a twentieth (at most 2 s; moto sleeps them in
  real time: ``SubjectBusy`` waits 30 s between attempts).
- After the run, faults and crashes are switched off and every failed request is replayed
  through the ops API; requests waiting for their codes (a code lost with a failed step) are
  verified again.

The population: demo subjects (``local_stack.demo``), seeded callers of the synthetic platform,
and people the platform does not know; seven request types; CCPA and GDPR; web form and email.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import gc
import http.client
import json
import random
import re
import smtplib
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import MockRawResponse

from local_stack import demo
from local_stack.runtime import RunningStack, served_stack
from local_stack.synthetic import Scale

TYPES = ("access", "deletion", "portability", "opt_out", "correction", "restriction", "objection")
JURISDICTIONS = ("ccpa", "gdpr")
TERMINAL = {"completed", "denied", "canceled", "appeal_denied"}
#: the waits a request may be left in at the end: each is a person's move (ops, a business, the
#: requester), parked on the request with the execution running
EXPECTED_WAITS = {"verification", "permission", "decision", "customer", "review", "fulfilment"}
OPERATOR = "soak"
CODE = re.compile(r"code is (\d{6})")
SPOKEN_CODE = re.compile(r"code is: ((?:\d, ){5}\d)")
#: how long the soak lets the notice sweep send what faults held back (backoff 1, 2, 4 minutes)
NOTICE_PATIENCE = 8 * 60
EMAIL_TEXT = {
    "access": "Please send me a copy of all the personal data you hold about me.",
    "deletion": "Please delete all my personal data, including my call recordings.",
    "portability": "Please send me my personal data in a portable, machine-readable format.",
    "opt_out": "Do not sell or share my personal information.",
    "correction": "Please correct my name in your records: it is misspelled.",
    "restriction": "Please restrict the processing of my personal data.",
    "objection": "I object to the processing of my personal data for marketing.",
}


# -- AWS faults in the protocol's own shape ---------------------------------------------------


class AwsFaults:
    """A botocore ``before-send`` handler that fails ``rate`` of the calls as AWS does."""

    def __init__(self, seed: int) -> None:
        self.rate = 0.0
        self._rng = random.Random(seed)  # noqa: S311 - fault injection, reproducibility is the point
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()

    def __call__(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
        with self._lock:
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None
            service = event_name.split(".")[1] if event_name.count(".") >= 2 else "?"
            self.injected[service] += 1
        status, headers, body = self.answer(service, request)
        return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]

    @staticmethod
    def answer(service: str, request: Any) -> tuple[int, dict[str, str], str]:
        request_id = str(uuid.uuid4())
        target = request.headers.get("X-Amz-Target")
        body = request.body or b""
        body = body if isinstance(body, bytes) else str(body).encode()
        if service == "s3":
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
                "<Message>Please reduce your request rate.</Message>"
                f"<RequestId>{request_id}</RequestId><HostId>soak</HostId></Error>"
            )
            return 503, {"x-amz-request-id": request_id, "Content-Type": "application/xml"}, xml
        if service == "lambda":
            return (
                429,
                {
                    "x-amzn-RequestId": request_id,
                    "x-amzn-ErrorType": "TooManyRequestsException",
                    "Content-Type": "application/json",
                },
                json.dumps({"Type": "User", "message": "Rate exceeded"}),
            )
        if target:  # the JSON protocols
            return (
                400,
                {"x-amzn-RequestId": request_id, "Content-Type": "application/x-amz-json-1.0"},
                json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}),
            )
        if body.startswith(b"Action=") or b"&Action=" in body:  # the query protocol
            xml = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
                f"<Message>Rate exceeded</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
            return 400, {"x-amzn-RequestId": request_id, "Content-Type": "text/xml"}, xml
        return (  # REST-JSON
            429,
            {
                "x-amzn-RequestId": request_id,
                "x-amzn-ErrorType": "TooManyRequestsException",
                "Content-Type": "application/json",
            },
            json.dumps({"message": "Rate exceeded"}),
        )

    @contextmanager
    def installed(self) -> Iterator[AwsFaults]:
        """For every botocore session made while open (the handlers' and Step Functions')."""
        with mock.patch.object(
            botocore.handlers,
            "BUILTIN_HANDLERS",
            [*botocore.handlers.BUILTIN_HANDLERS, ("before-send", self)],
        ):
            yield self


@contextmanager
def quicker_retries(factor: float = 20.0, cap: float = 2.0) -> Iterator[None]:
    """Step Functions' Retry intervals slept at ``1/factor`` (at most ``cap`` seconds)."""
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    class Quicker:
        @staticmethod
        def sleep(seconds: float) -> None:
            time.sleep(min(seconds / factor, cap))

    with mock.patch.object(retrier_decl, "time", Quicker):
        yield


# -- memory -------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """The process's resident memory now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return rss_bytes()


class MemoryWatch:
    """Samples resident memory every second; keeps the peak."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-memory", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, rss_bytes())

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self.peak = max(self.peak, rss_bytes())


def dynamo_objects() -> dict[str, int]:
    """moto's DynamoDB values alive in the process (what grew without bound before the fix)."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        if isinstance(obj, DynamoType):
            counts["DynamoType"] += 1
        elif isinstance(obj, Item):
            counts["Item"] += 1
    return dict(counts)


def table_items() -> int:
    from moto.dynamodb.models import dynamodb_backends

    from local_stack.template import ACCOUNT_ID, REGION

    return sum(len(t.items) for t in dynamodb_backends[ACCOUNT_ID][REGION].tables.values())


# -- the population ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    kind: str  # demo, caller, unknown
    email: str | None
    phone: str | None


def population(running: RunningStack, seed: int) -> dict[str, list[Person]]:
    demo_people = [
        Person("demo", s.email, s.phone)
        for s in demo.README_SUBJECTS
        if s.special is None and (s.email or s.phone)
    ]
    ddb: Any = running.client("dynamodb")
    phones: set[str] = set()
    table = running.stack.platform_stores["calls"]
    for page in ddb.get_paginator("scan").paginate(TableName=table, ProjectionExpression="caller_phone"):
        phones.update(item["caller_phone"]["S"] for item in page["Items"] if "caller_phone" in item)
    demo_phones = {s.phone for s in demo.SUBJECTS.values() if s.phone}
    callers = [
        Person("caller", f"caller{n}.soak{seed}@example.org", phone)
        for n, phone in enumerate(sorted(phones - demo_phones))
    ]
    unknown = [Person("unknown", f"nobody{n}.soak{seed}@example.org", None) for n in range(1000)]
    return {"demo": demo_people, "caller": callers, "unknown": unknown}


# -- one request's life, as its requester lives it ------------------------------------------------


@dataclass
class Submitted:
    index: int
    type: str
    channel: str  # web, email
    person: Person
    request_id: str | None = None
    status_token: str | None = None
    accepted: bool = False
    error: str | None = None
    tried: set[str] = field(default_factory=set)
    #: the request answered ``verified: true`` to a code the requester typed in
    verified: bool = False

    @property
    def source(self) -> str:
        """The requester's own (loopback) address."""
        return f"127.1.{self.index // 250}.{self.index % 250 + 1}"


@dataclass
class Client:
    """The requester's and the operator's HTTP side: counts every 5xx answer it was given, and
    retries as a client would (the same Idempotency-Key, backoff)."""

    api_url: str
    server_errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        attempts: int = 6,
        source: str = "127.0.0.1",
    ) -> tuple[int, Any]:
        """``source``: the loopback address the call comes from (the 127.0.0.0/8 block is all
        loopback), so a day's requesters are as many sources as on the Internet, and intake's
        per-source limit (20 an hour) counts each of them, not the soak as one."""
        data = json.dumps(body).encode() if body is not None else None
        split = urlsplit(self.api_url)
        status, answer = 0, None
        for attempt in range(attempts):
            connection = http.client.HTTPConnection(
                split.hostname or "127.0.0.1", split.port, timeout=60, source_address=(source, 0)
            )
            try:
                connection.request(
                    method, path, body=data, headers={"Content-Type": "application/json"} | (headers or {})
                )
                response = connection.getresponse()
                status, text = response.status, response.read().decode()
                answer = json.loads(text) if text[:1] in "{[" and text else text
            except OSError as error:
                status, answer = 0, str(error)
            finally:
                connection.close()
            in_progress = status == 409 and "in progress" in str(answer)  # Idempotency-Key: later
            if status and status < 500 and not in_progress:
                return status, answer
            with self.lock:
                self.server_errors[path.split("/")[1] + " " + str(status)] += 1
            time.sleep(min(0.5 * 2**attempt, 20))
        return status, answer

    def ops(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        return self.call(method, path, body, headers={"X-Local-Operator": OPERATOR})


def codes_for(running: RunningStack, item: Submitted) -> dict[str, str]:
    """The newest code sent to each recipient for this request, as the person reads (or hears)
    them: a landline gets a call that reads the digits out and names no request."""
    codes: dict[str, str] = {}
    for message in running.outbox.messages():  # newest first
        if item.request_id and item.request_id in message.body:
            found = CODE.search(message.body)
            if found:
                for recipient in message.to:
                    codes.setdefault(recipient, found.group(1))
        elif message.channel == "voice" and item.person.phone in message.to:
            spoken = SPOKEN_CODE.search(message.body)
            if spoken:
                codes.setdefault(message.to[0], re.sub(r"\D", "", spoken.group(1)))
    return codes


def enter_codes(running: RunningStack, client: Client, item: Submitted, patience: float) -> bool:
    """Wait for the codes and type them in; True once the request says it is verified."""
    assert item.request_id
    assert item.status_token
    auth = {"Authorization": f"Bearer {item.status_token}"}
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        fresh = [c for c in codes_for(running, item).values() if c not in item.tried]
        for code in fresh:
            item.tried.add(code)
            status, answer = client.call(
                "POST", f"/requests/{item.request_id}/verify", {"code": code}, auth, source=item.source
            )
            if status == 200 and isinstance(answer, dict) and answer.get("verified"):
                item.verified = True
                return True
        time.sleep(0.3)
    return False


def body_for(item: Submitted, rng: random.Random) -> dict[str, Any]:
    body: dict[str, Any] = {"type": item.type, "jurisdiction": rng.choice(JURISDICTIONS)}
    if item.person.email:
        body["email"] = item.person.email
    if item.person.phone:
        body["phone"] = item.person.phone
    if item.type == "opt_out":
        body["opt_out_of"] = rng.sample(["sale_share", "targeted_ads", "ai_training", "marketing"], 2)
    if item.type == "objection":
        body["object_to"] = rng.sample(["analytics", "ai_training", "agent_scoring", "marketing"], 2)
    if item.type == "correction":
        body["corrections"] = [{"field": "name", "corrected": "A. N. Other", "why": "misspelled"}]
    return body


def send_mail(running: RunningStack, item: Submitted) -> None:
    assert running.smtp is not None
    assert item.person.email
    message = EmailMessage()
    message["From"] = item.person.email
    message["To"] = running.smtp.privacy_address
    message["Subject"] = "Privacy request"
    message["Message-ID"] = make_msgid(domain="soak.example.org")
    message.set_content(EMAIL_TEXT[item.type])
    host, port = running.smtp.url.removeprefix("smtp://").rsplit(":", 1)
    for attempt in range(5):
        try:
            with smtplib.SMTP(host, int(port), timeout=30) as smtp:
                smtp.send_message(message)
            item.accepted = True
            return
        except (OSError, smtplib.SMTPException) as error:
            item.error = type(error).__name__
            time.sleep(0.5 * 2**attempt)


def request_of_mail(running: RunningStack, item: Submitted, patience: float) -> None:
    """The request email intake made of this message (its acknowledgement names it)."""
    assert item.person.email
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        for message in reversed(running.outbox.messages(item.person.email)):  # oldest first
            found = re.search(r"privacy request (req_[A-Za-z0-9_-]+)", message.subject)
            if found and _claim_mail_request(running, found.group(1)):
                item.request_id = found.group(1)
                return
        time.sleep(0.5)


_claimed: set[str] = set()
_claimed_lock = threading.Lock()


def _claim_mail_request(running: RunningStack, request_id: str) -> bool:
    """One email-born request per message: the same person may send several, and make web
    requests too (their acknowledgements go to the same address)."""
    ddb: Any = running.client("dynamodb")
    item = ddb.get_item(
        TableName=running.stack.ref("RequestsTable"),
        Key={"request_id": {"S": request_id}},
        ProjectionExpression="channel",
    ).get("Item")
    if not item or item.get("channel", {}).get("S") != "email":
        return False
    with _claimed_lock:
        if request_id in _claimed:
            return False
        _claimed.add(request_id)
        return True


def live(running: RunningStack, client: Client, item: Submitted, seed: int, patience: float) -> Submitted:
    try:
        return _live(running, client, item, seed, patience)
    except Exception as error:  # the driver's own failure, reported by the checks
        item.error = f"driver: {type(error).__name__}: {error}"[:300]
        return item


def _live(running: RunningStack, client: Client, item: Submitted, seed: int, patience: float) -> Submitted:
    rng = random.Random(seed * 1_000_003 + item.index)  # noqa: S311
    if item.channel == "email":
        send_mail(running, item)
        if item.accepted:
            request_of_mail(running, item, patience)
        return item  # codes for email-born requests are entered after the run (status token by mail)
    status, answer = client.call(
        "POST",
        "/requests",
        body_for(item, rng),
        headers={"Idempotency-Key": f"soak-{seed}-{item.index}"},
        source=item.source,
    )
    if status != 202 or not isinstance(answer, dict):
        item.error = f"POST /requests answered {status} {json.dumps(answer)[:200]}"
        return item
    item.accepted = True
    item.request_id, item.status_token = answer["request_id"], answer["status_token"]
    if item.type != "opt_out":
        enter_codes(running, client, item, patience)
    return item


# -- the run -------------------------------------------------------------------------------------


@dataclass
class Options:
    requests: int = 300
    fault_rate: float = 0.05
    crash_rate: float = 0.015
    seed: int = 7
    max_seconds: float = 1800.0
    workers: int = 4
    callers: int = 40
    email_share: float = 0.2
    patience: float = 90.0


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    #: what made it fail, one entry per request (``request:status:execution:waits:step:error``)
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    options: Options
    checks: list[Check] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def text(self) -> str:
        lines = [f"{'ok ' if c.ok else 'FAIL'} {c.name:<28} {c.detail}" for c in self.checks]
        return "\n".join(lines)


def plan(options: Options, people: dict[str, list[Person]]) -> list[Submitted]:
    rng = random.Random(options.seed)  # noqa: S311
    items = []
    for index in range(options.requests):
        kind = rng.choices(["demo", "caller", "unknown"], weights=[2, 5, 3])[0]
        person = rng.choice(people[kind] or people["unknown"])
        channel = "email" if person.email and rng.random() < options.email_share else "web"
        items.append(Submitted(index, TYPES[index % len(TYPES)], channel, person))
    rng.shuffle(items)
    return items


def request_state(running: RunningStack, request_id: str) -> dict[str, Any] | None:
    ddb: Any = running.client("dynamodb")
    item = ddb.get_item(
        TableName=running.stack.ref("RequestsTable"),
        Key={"request_id": {"S": request_id}},
        ConsistentRead=True,
        ProjectionExpression="#s, waiting",
        ExpressionAttributeNames={"#s": "status"},
    ).get("Item")
    if item is None:
        return None
    return {"status": item["status"]["S"], "waiting": sorted(item.get("waiting", {}).get("M", {}))}


def settled(running: RunningStack, request_id: str) -> bool:
    state = request_state(running, request_id)
    if state is None:
        return False
    return state["status"] in TERMINAL | {"failed"} or bool(state["waiting"])


def wait_settled(running: RunningStack, ids: list[str], deadline: float) -> list[str]:
    """Until every request is terminal, failed or parked in a wait; returns those that are not."""
    pending = list(ids)
    while pending and time.monotonic() < deadline:
        pending = [r for r in pending if not settled(running, r)]
        if pending:
            time.sleep(1.0)
    running.events.drain()
    return pending


def run(options: Options, out: Callable[[str], None] = print) -> Report:
    report = Report(options)
    started = time.monotonic()
    deadline = started + options.max_seconds
    faults = AwsFaults(options.seed)
    with ExitStack() as exits:
        exits.enter_context(faults.installed())
        exits.enter_context(quicker_retries())
        running = exits.enter_context(served_stack(api_port=0, moto_port=0, smtp_port=0))
        running.seed(Scale(callers=options.callers, seed=options.seed))
        people = population(running, options.seed)
        items = plan(options, people)
        client = Client(running.api_url)
        gc.collect()
        before = {"rss": rss_bytes(), "table_items": table_items()} | dynamo_objects()
        out(
            f"stack up with {before['table_items']} items; {len(items)} requests, {options.workers} at a time"
        )
        watch = exits.enter_context(MemoryWatch())

        faults.rate = options.fault_rate
        running.lambdas.crash(options.crash_rate, options.seed)
        with concurrent.futures.ThreadPoolExecutor(options.workers, thread_name_prefix="soak") as pool:
            futures = [
                pool.submit(live, running, client, item, options.seed, options.patience) for item in items
            ]
            for done, _ in enumerate(concurrent.futures.as_completed(futures), 1):
                if done % 10 == 0:
                    out(f"  {done}/{len(items)} submitted, RSS {rss_bytes() / 2**20:.0f} MiB")
                if time.monotonic() > deadline:
                    break
        # with the requests of every mail record: an email whose acknowledgement a crash stopped
        # is found there (as ops find it), not through the outbox
        ids = sorted({i.request_id for i in items if i.request_id} | set(mail_request_ids(running)))
        unsettled = wait_settled(running, ids, min(deadline, time.monotonic() + options.patience * 2))
        faults.rate = 0.0
        crashed = running.lambdas.crashes.crashed if running.lambdas.crashes else 0
        running.lambdas.crash(0)
        out(f"run done in {time.monotonic() - started:.0f} s; {len(unsettled)} not settled yet; replaying")

        replayed, refused = replay_failed(running, client, ids)
        unsettled = wait_settled(running, ids, min(deadline, time.monotonic() + options.patience * 2))
        reverified = verify_again(running, client, items, options.patience)
        unsettled = wait_settled(running, ids, min(deadline, time.monotonic() + options.patience * 2))
        resent = settle_notices(running, client, min(deadline, time.monotonic() + NOTICE_PATIENCE))
        for item in items:
            if item.channel == "email" and item.accepted and not item.request_id:
                # its acknowledgement (which names the request) was held by a fault until now
                request_of_mail(running, item, patience=5)
        out(
            f"replayed {replayed} ({refused} refused), verified {reverified} again, "
            f"{resent} held notices swept; checking"
        )

        gc.collect()
        after = {"rss": rss_bytes(), "table_items": table_items()} | dynamo_objects()
        report.checks = checks(running, client, items, unsettled)
        report.checks.append(
            Check(
                "5xx answers to clients",
                True,
                f"{sum(client.server_errors.values())} ({dict(client.server_errors) or 'none'})",
            )
        )
        peak = max(watch.peak, peak_rss_bytes())
        report.checks.append(
            Check("stack peak memory", peak < 2 * 2**30, f"{peak / 2**20:.0f} MiB (bound 2048 MiB)")
        )
        report.checks += latency_checks(running, items)
        report.figures = {
            "seconds": round(time.monotonic() - started, 1),
            "requests": len(items),
            "accepted": sum(i.accepted for i in items),
            "aws_faults_injected": dict(faults.injected),
            "crashes": crashed,
            "replayed": replayed,
            "memory_before": before,
            "memory_after": after,
            "peak_rss_mib": round(peak / 2**20),
            "requests_per_gib": round(len(items) / (peak / 2**30), 1),
        }
    return report


def replay_failed(running: RunningStack, client: Client, ids: list[str]) -> tuple[int, int]:
    """``privacy-ops replay`` for every failed request, as ops would after the incident."""
    replayed = refused = 0
    for request_id in ids:
        state = request_state(running, request_id)
        if state and state["status"] == "failed":
            status, _ = client.ops(
                "POST", f"/ops/requests/{request_id}/replay", {"reason": "soak: faults over"}
            )
            replayed += status == 200
            refused += status != 200
    return replayed, refused


def settle_notices(running: RunningStack, client: Client, until: float) -> int:
    """The notice sweep (``RetryNoticesSchedule``, every five minutes on AWS) as the hours after
    the incident would run it: each held notice is sent again once its backoff has passed (1, 2,
    4 ... minutes, real time here), and a possibly-sent one is settled against the outbox. What
    is still held at ``until`` stays for the checks to report. The number of sweeps run."""
    sweeps = 0
    while time.monotonic() < until:
        status, held = client.ops("GET", "/ops/notices")
        retrying = [h for h in held if h["needs"] == "retry"] if status == 200 else []
        if status == 200 and not held:
            return sweeps
        if retrying:
            wait = min(
                (datetime.fromisoformat(h["next_at"]) - datetime.now(UTC)).total_seconds() for h in retrying
            )
            time.sleep(max(0.0, min(wait, until - time.monotonic())) + 0.5)
        running.events.fire("RetryNoticesSchedule")
        sweeps += 1
        if not retrying:
            return sweeps  # only a person can settle what is left: the checks show it
    return sweeps


def verify_again(running: RunningStack, client: Client, items: list[Submitted], patience: float) -> int:
    """Requests still waiting for their codes (lost with a failed step, or email-born) get them."""
    count = 0
    for item in items:
        if not item.request_id:
            continue
        state = request_state(running, item.request_id)
        if not state or "verification" not in state["waiting"]:
            continue
        if item.status_token is None:
            item.status_token = status_token_from_mail(running, item)
        fresh = [c for c in codes_for(running, item).values() if c not in item.tried]
        if item.status_token and fresh and enter_codes(running, client, item, min(patience, 20)):
            count += 1
    return count


def status_token_from_mail(running: RunningStack, item: Submitted) -> str | None:
    for message in running.outbox.messages():
        if item.request_id and item.request_id in message.body:
            found = re.search(r"token=([A-Za-z0-9._~-]+)", message.body)
            if found:
                return found.group(1)
    return None


# -- the checks ----------------------------------------------------------------------------------


def checks(
    running: RunningStack, client: Client, items: list[Submitted], unsettled: list[str]
) -> list[Check]:
    from privacy_rights.adapters.request_store import RequestStore

    store = RequestStore(
        running.client("dynamodb"),  # type: ignore[arg-type]
        running.stack.ref("RequestsTable"),
        running.stack.ref("AuditTable"),
    )
    results: list[Check] = []
    accepted = [i for i in items if i.accepted]
    refused = Counter(i.error or "?" for i in items if not i.accepted)
    results.append(
        Check(
            "every submission accepted",
            not refused,
            f"{len(accepted)}/{len(items)}" + (f"; {dict(refused.most_common(3))}" if refused else ""),
        )
    )
    shown: dict[str, dict[str, Any]] = {}
    lost: list[str] = []
    for item in accepted:
        if item.request_id:
            status, detail = client.ops("GET", f"/ops/requests/{item.request_id}")
            if status == 200:
                shown[item.request_id] = detail
            else:
                lost.append(f"{item.index} {item.channel} {item.type}: ops answered {status}")
    # An email is accounted for by its mail record, not by the driver finding its acknowledgement:
    # every record led to requests ops can show, or waits in ops' mail queue.
    mail_records = _mail_records(running)
    queued = 0
    for record in mail_records:
        request_ids = [v["S"] for v in record.get("request_ids", {}).get("L", [])]
        if not request_ids and "queue" in record:
            queued += 1
        elif not request_ids:
            lost.append(f"mail {record['mail_id']['S']}: {record.get('outcome', {}).get('S')}, no request")
        for request_id in request_ids:
            if request_id not in shown:
                status, detail = client.ops("GET", f"/ops/requests/{request_id}")
                if status == 200:
                    shown[request_id] = detail
                else:
                    lost.append(f"mail {record['mail_id']['S']} -> {request_id}: ops answered {status}")
    emails = sum(1 for i in accepted if i.channel == "email")
    unmapped = sum(1 for i in accepted if i.channel == "email" and not i.request_id)
    results.append(
        Check(
            "none lost",
            not lost and len(mail_records) >= emails,
            f"{len(accepted)} accepted ({emails} by email, {len(mail_records)} mail records, "
            f"{queued} in ops' mail queue), {len(shown)} requests shown by ops, {len(lost)} lost"
            + (f" ({unmapped} emails found through their mail record only)" if unmapped else "")
            + (f": {lost[:5]}" if lost else ""),
        )
    )

    by_id = {i.request_id: i for i in items if i.request_id}
    not_ended: list[str] = []
    waits: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for request_id, detail in shown.items():
        statuses[detail["status"]] += 1
        if detail["status"] in TERMINAL:
            continue
        waiting = set(detail.get("waiting_for") or [])
        # a request told it is verified must not wait for its verification (issue 20's deadlock)
        told = by_id.get(request_id)  # None: an email the driver found through its mail record only
        deadlocked = "verification" in waiting and told is not None and told.verified
        if (
            waiting
            and waiting <= EXPECTED_WAITS
            and detail.get("execution_status") == "RUNNING"
            and not deadlocked
        ):
            waits.update(waiting)
        else:
            failure = detail.get("failure") or {}
            not_ended.append(
                ":".join(
                    str(part)
                    for part in (
                        request_id,
                        detail["status"],
                        detail.get("execution_status"),
                        ",".join(sorted(waiting)),
                        failure.get("step"),
                        failure.get("error"),
                    )
                    if part
                )
            )
    results.append(
        Check(
            "terminal or expected wait",
            not not_ended,
            f"{dict(statuses)}; waits {dict(waits)}" + (f"; stuck {not_ended[:5]}" if not_ended else ""),
            not_ended,
        )
    )

    results += _side_effect_checks(running, store, shown)
    results += _store_checks(store, shown)
    return results


def _store_checks(store: Any, shown: dict[str, dict[str, Any]]) -> list[Check]:
    """Completed deletions have their receipt; every audit chain verifies to its recorded head."""
    from privacy_rights.core.audit import AuditChainBroken

    results: list[Check] = []
    incomplete: list[str] = []
    deletions = 0
    for request_id, detail in shown.items():
        if detail["type"] != "deletion" or detail["status"] != "completed":
            continue
        deletions += 1
        request = store.get(request_id)
        receipt = request.erasure_receipt
        if request.outcome in ("complied", "partially_complied") and (
            receipt is None or not receipt.completed_at
        ):
            incomplete.append(request_id)
    results.append(
        Check(
            "deletions complete",
            not incomplete,
            f"{deletions} completed deletions, {len(incomplete)} without a completed erasure receipt",
        )
    )

    broken: list[str] = []
    entries = 0
    for request_id in shown:
        try:
            entries += store.verify_audit(request_id)
        except AuditChainBroken as error:
            broken.append(f"{request_id}: {error}")
    results.append(
        Check(
            "audit chains verify",
            not broken,
            f"{len(shown) - len(broken)}/{len(shown)} chains, {entries} entries"
            + (f"; {broken[:3]}" if broken else ""),
        )
    )
    return results


def detail_of(shown: dict[str, dict[str, Any]], request_id: str) -> dict[str, Any]:
    return shown.get(request_id) or {}


def _side_effect_checks(running: RunningStack, store: Any, shown: dict[str, dict[str, Any]]) -> list[Check]:
    """Acknowledgements, final notices and exports: each at most once, and every request acknowledged."""
    results: list[Check] = []
    outbox = running.outbox.messages()
    duplicated: list[str] = []
    unacknowledged: list[str] = []
    withheld_acks = 0
    exports = _exports_per_request(running)
    for request_id in shown:
        acks = [m for m in outbox if _is_ack(m, request_id)]
        trail = [e.action for e in store.audit_entries(request_id)]
        recorded = trail.count("notice.acknowledgement.sent")
        if (
            not acks
            and detail_of(shown, request_id).get("channel") == "web"
            and "notice.acknowledgement.withheld" in trail
        ):
            # The phone guard refused the number (its type, its country, today's cap for it),
            # recorded with the reason: the form's answer (reference, status link) acknowledged it.
            acks = ["form"]
            withheld_acks += 1
        if not acks and recorded == 1 and detail_of(shown, request_id).get("channel") != "email":
            # a landline's acknowledgement is a call, which reads out no reference: the
            # request's trail records it once
            acks = ["call"]
        if recorded > 1:
            duplicated.append(f"{request_id}: acknowledgement recorded {recorded} times")
        finals = [
            m
            for m in outbox
            if m.channel == "email" and m.subject.startswith(f"Your privacy request {request_id} ")
        ]
        if not acks:
            unacknowledged.append(_why_unacknowledged(store, request_id, detail_of(shown, request_id)))
        if (
            len({getattr(m, "channel", m) for m in acks}) < len(acks)
            or len(finals) > 1
            or exports.get(request_id, 0) > 1
        ):
            duplicated.append(
                f"{request_id}: acks {len(acks)}, finals {len(finals)}, exports {exports.get(request_id, 0)}"
            )
    results.append(
        Check(
            "no side effect duplicated",
            not duplicated,
            f"acknowledgements, final notices, exports per request at most one; {len(duplicated)} over"
            + (f": {duplicated[:3]}" if duplicated else ""),
        )
    )
    results.append(
        Check(
            "every acknowledgement sent",
            not unacknowledged,
            f"{len(shown) - len(unacknowledged)}/{len(shown)}"
            + (
                f" ({withheld_acks} by the form's answer: text withheld by the phone guard)"
                if withheld_acks
                else ""
            )
            + (f"; missing {unacknowledged[:5]}" if unacknowledged else ""),
        )
    )

    return results


def _why_unacknowledged(store: Any, request_id: str, detail: dict[str, Any]) -> str:
    """The request and what its trail says of its notices, for the check's line."""
    notices = ("notice.", "ops.notice")
    trail = [e.action for e in store.audit_entries(request_id) if e.action.startswith(notices)]
    return f"{request_id} ({detail.get('channel')}: {', '.join(trail) or 'no notice recorded'})"


def _is_ack(message: Any, request_id: str) -> bool:
    if message.channel == "email":
        return bool(message.subject.startswith(f"We received your privacy request {request_id}"))
    return message.channel in ("sms", "voice") and request_id in message.body and "received" in message.body


def mail_request_ids(running: RunningStack) -> list[str]:
    """Every request email intake made, from the mail records."""
    return [v["S"] for record in _mail_records(running) for v in record.get("request_ids", {}).get("L", [])]


def _mail_records(running: RunningStack) -> list[dict[str, Any]]:
    ddb: Any = running.client("dynamodb")
    rows: list[dict[str, Any]] = []
    for page in ddb.get_paginator("scan").paginate(TableName=running.stack.ref("MailTable")):
        rows += page["Items"]
    return rows


def _exports_per_request(running: RunningStack) -> Counter[str]:
    s3: Any = running.client("s3")
    counts: Counter[str] = Counter()
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=running.stack.ref("ExportsBucket"), Prefix="exports/"
    ):
        for obj in page.get("Contents", []):
            parts = obj["Key"].split("/")
            if len(parts) >= 3 and obj["Key"].endswith(".zip"):
                counts[parts[1]] += 1
    return counts


def latency_checks(running: RunningStack, items: list[Submitted]) -> list[Check]:
    """Verified (received, for opt-outs) to terminal, per type, from the audit trail."""
    from privacy_rights.adapters.request_store import RequestStore

    store = RequestStore(
        running.client("dynamodb"),  # type: ignore[arg-type]
        running.stack.ref("RequestsTable"),
        running.stack.ref("AuditTable"),
    )
    by_type: dict[str, list[float]] = {}
    for item in items:
        if not item.request_id:
            continue
        trail = store.audit_entries(item.request_id)
        start = next((e.at for e in trail if e.action == "status.verified"), None)
        if start is None and item.type == "opt_out" and trail:
            start = trail[0].at
        end = next((e.at for e in trail if e.action.removeprefix("status.") in TERMINAL), None)
        if start is not None and end is not None:
            by_type.setdefault(item.type, []).append((end - start).total_seconds())
    rows = []
    for kind in TYPES:
        values = sorted(by_type.get(kind, []))
        if values:
            p50 = statistics.median(values)
            p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
            rows.append(
                Check(
                    f"verified->terminal {kind}", True, f"p50 {p50:.1f} s, p95 {p95:.1f} s (n={len(values)})"
                )
            )
        else:
            rows.append(Check(f"verified->terminal {kind}", True, "none reached a terminal status"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_stack.soak", description=__doc__.split("\n\n")[0])
    defaults = Options()
    parser.add_argument("--requests", "-n", type=int, default=defaults.requests)
    parser.add_argument(
        "--fault-rate", type=float, default=defaults.fault_rate, help="share of AWS calls failed"
    )
    parser.add_argument(
        "--crash-rate", type=float, default=defaults.crash_rate, help="share of invocations crashed"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--max-seconds", type=float, default=defaults.max_seconds, help="the run's time bound"
    )
    parser.add_argument("--workers", type=int, default=defaults.workers, help="requesters at a time")
    parser.add_argument(
        "--callers", type=int, default=defaults.callers, help="seeded callers of the platform"
    )
    parser.add_argument(
        "--patience", type=float, default=defaults.patience, help="seconds a requester waits for a code"
    )
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument(
        "--measure", action="store_true", help="bench mode: print requests per GiB of resident memory only"
    )
    args = parser.parse_args(argv)
    options = Options(
        requests=args.requests,
        fault_rate=args.fault_rate,
        crash_rate=args.crash_rate,
        seed=args.seed,
        max_seconds=args.max_seconds,
        workers=args.workers,
        callers=args.callers,
        patience=args.patience,
    )
    report = run(options, out=(lambda _: None) if args.measure else print)
    if args.json:
        args.json.write_text(
            json.dumps({"checks": [c.__dict__ for c in report.checks], "figures": report.figures}, indent=2)
        )
    figures = report.figures
    if args.measure:
        print(
            f"soak: {figures['requests']} requests, peak RSS {figures['peak_rss_mib']} MiB: "
            f"{figures['requests_per_gib']} requests per GiB of resident memory"
            f" ({'all checks pass' if report.ok else 'SOME CHECKS FAIL'})"
        )
    else:
        print(report.text())
        print(json.dumps(figures, indent=2, default=str))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
