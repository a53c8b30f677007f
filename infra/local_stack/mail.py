"""Inbound mail on the local stack: what SES receiving and Lambda's SQS poller do on AWS.

- ``SesInbound`` writes a raw message to the inbound bucket under ``inbound/`` with the
  headers SES would prepend (its verdicts, ``Received-SPF``, ``Authentication-Results``),
  as the template's receipt rule does on AWS (moto stores receipt rules but never runs them).
- ``LocalSmtp`` (aiosmtpd) accepts mail for the privacy address on 127.0.0.1 and hands it to
  ``SesInbound``; anything for other addresses is refused at RCPT, as SES would.
- ``QueuePoller`` plays Lambda's event source mapping: it receives from the intake queue, calls
  the function with an SQS event, deletes what succeeded and leaves failures to be received
  again, so moto's redrive policy moves a poison message to the dead-letter queue.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parseaddr
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from local_stack.lambdas import InProcessLambdas
from local_stack.template import ACCOUNT_ID, REGION

#: The EICAR test string: what every virus scanner flags, so a local "virus" can be sent.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def ses_headers(raw: bytes, envelope_from: str, recipients: Iterable[str], now: datetime) -> bytes:
    """The header block SES writes above a received message. Locally nothing checks SPF, DKIM
    or DMARC (no DNS), so they read ``none``; the virus verdict fails on the EICAR string."""
    domain = envelope_from.rpartition("@")[2] or "unknown"
    virus = "FAIL" if EICAR in raw else "PASS"
    recipient_list = ", ".join(recipients)
    lines = [
        f"Return-Path: <{envelope_from}>",
        "Received: from localhost (localhost [127.0.0.1])",
        f" by inbound-smtp.{REGION}.amazonaws.com with SMTP id {secrets.token_hex(10)}",
        f" for {recipient_list};",
        f" {format_datetime(now)}",
        "X-SES-Spam-Verdict: PASS",
        f"X-SES-Virus-Verdict: {virus}",
        f"Received-SPF: none (spf=none) client-ip=127.0.0.1; envelope-from={envelope_from}; helo=localhost;",
        "Authentication-Results: amazonses.com;",
        f" spf=none (spf=none) client-ip=127.0.0.1; envelope-from={envelope_from}; helo=localhost;",
        " dkim=none;",
        f" dmarc=none header.from={domain};",
        f"X-SES-RECEIPT: {secrets.token_urlsafe(48)}",
    ]
    # The block takes the message's own line ending, so the header section stays one style.
    newline = "\r\n" if b"\r\n" in raw[:2000] else "\n"
    return (newline.join(lines) + newline).encode() + raw


class SesInbound:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self.bucket = bucket

    def receive(
        self,
        raw: bytes,
        envelope_from: str | None = None,
        recipients: Iterable[str] = (),
        as_is: bool = False,
    ) -> str:
        """Store one message as SES would; returns its object key."""
        if not as_is:
            sender = envelope_from or parseaddr(_header(raw, b"From"))[1] or "unknown@localhost"
            raw = ses_headers(raw, sender, list(recipients) or ["(local drop)"], datetime.now(UTC))
        key = "inbound/" + secrets.token_hex(16)
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=raw)
        return key


def _header(raw: bytes, name: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].decode("utf-8", "replace").strip()
    return ""


class _SesLikeHandler:
    def __init__(self, inbound: SesInbound, privacy_address: str) -> None:
        self._inbound = inbound
        self._local, _, self._domain = privacy_address.lower().partition("@")

    def accepts(self, address: str) -> bool:
        local, _, domain = address.lower().partition("@")
        return domain == self._domain and local.split("+", 1)[0] == self._local

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if not self.accepts(address):
            return "550 5.1.1 Mailbox does not exist"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self._inbound.receive(content, envelope.mail_from or "", envelope.rcpt_tos)
        return "250 OK"


class LocalSmtp:
    def __init__(self, inbound: SesInbound, privacy_address: str, host: str = "127.0.0.1", port: int = 0):
        self.privacy_address = privacy_address
        self._controller = Controller(
            _SesLikeHandler(inbound, privacy_address),
            hostname=host,
            port=port or _free_port(host),
            data_size_limit=40 * 1024 * 1024,
        )

    @property
    def url(self) -> str:
        return f"smtp://{self._controller.hostname}:{self._controller.port}"

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()


def _free_port(host: str) -> int:
    from local_stack.aws import free_port

    return free_port(host)


@dataclass
class PollResult:
    received: int = 0
    succeeded: int = 0
    failed: int = 0


class QueuePoller:
    def __init__(
        self,
        sqs: Any,
        lambdas: InProcessLambdas,
        queue_url: str,
        function: str,
        batch_size: int = 10,
        retry_after_seconds: int = 1,
    ) -> None:
        self._sqs = sqs
        self._lambdas = lambdas
        self._queue_url = queue_url
        self._function = function
        self._batch_size = batch_size
        self._retry_after = retry_after_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._arn = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue_url.rsplit('/', 1)[-1]}"

    def poll_once(self, wait_seconds: int = 0) -> PollResult:
        response = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return PollResult()
        event = {"Records": [self._record(m) for m in messages]}
        result, errored = self._lambdas.invoke(self._function, event)
        failed_ids = (
            {m["MessageId"] for m in messages}
            if errored
            else {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        )
        for message in messages:
            if message["MessageId"] in failed_ids:
                # Visible again soon (on AWS: after the visibility timeout) for another try.
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self._retry_after,
                )
            else:
                self._sqs.delete_message(QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"])
        return PollResult(len(messages), len(messages) - len(failed_ids), len(failed_ids))

    def drain(self, max_rounds: int = 50) -> PollResult:
        """Poll until the queue has nothing visible (tests and ``drop_mail`` use this)."""
        total = PollResult()
        for _ in range(max_rounds):
            result = self.poll_once()
            if not result.received:
                break
            total = PollResult(
                total.received + result.received,
                total.succeeded + result.succeeded,
                total.failed + result.failed,
            )
        return total

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": REGION,
        }

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="mail-queue-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(wait_seconds=1)
            except Exception:  # keep polling, as Lambda's poller does, whatever one batch did
                time.sleep(1)
