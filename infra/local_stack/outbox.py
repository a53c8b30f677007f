"""What the system sent: every email (SES), SMS (SNS), voice message and webhook, newest first.

moto records sent mail and SMS without a time; the outbox wraps the backends' send methods
so each message is stamped when it was accepted. moto has no voice service at all (AWS End User
Messaging SMS and Voice, ``SendVoiceMessage``): the outbox answers those calls itself with a
botocore ``before-send`` handler (the handlers run in this process; in-process moto's stubber is
told to let them through), and records what the call would have read out.
"""

from __future__ import annotations

import email
import email.policy
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSResponse
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from moto.ses.models import SESBackend
from moto.sns.models import SNSBackend

VOICE_EVENT = "before-send.pinpoint-sms-voice-v2.SendVoiceMessage"


@dataclass(frozen=True)
class OutboxMessage:
    channel: str  # email, sms, voice, webhook
    to: list[str]
    subject: str
    body: str
    sent_at: str
    message_id: str
    #: webhooks only: whether the receiver found the signature valid, and what it answered
    signature: str | None = None
    answered: int | None = None
    signature_header: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class Outbox:
    def __init__(self) -> None:
        self._messages: list[OutboxMessage] = []
        self._lock = threading.Lock()

    def add(self, message: OutboxMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self, to: str | None = None) -> list[OutboxMessage]:
        with self._lock:
            newest_first = list(reversed(self._messages))
        return [m for m in newest_first if to is None or to in m.to]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    @contextmanager
    def recording(self) -> Iterator[Outbox]:
        original_email = SESBackend.send_email
        original_raw = SESBackend.send_raw_email
        original_publish = SNSBackend.publish
        outbox = self

        def send_email(backend: Any, source: str, subject: str, body: str, destinations: Any) -> Any:
            message = original_email(backend, source, subject, body, destinations)
            recipients = [a for addresses in destinations.values() for a in addresses]
            outbox.add(OutboxMessage("email", recipients, subject, body, now_stamp(), message.id))
            return message

        def send_raw_email(backend: Any, source: str, destinations: list[str], raw_data: str) -> Any:
            message = original_raw(backend, source, destinations, raw_data)
            parsed = email.message_from_string(raw_data, policy=email.policy.default)
            part = parsed.get_body(preferencelist=("plain", "html"))
            text = part.get_content() if part is not None else ""
            recipients = destinations or [str(parsed.get("To", ""))]
            outbox.add(
                OutboxMessage(
                    "email", recipients, str(parsed.get("Subject", "")), text, now_stamp(), message.id
                )
            )
            return message

        def publish(
            backend: Any, message: str, arn: str | None, phone_number: str | None = None, **kw: Any
        ) -> str:
            message_id = original_publish(backend, message, arn, phone_number, **kw)
            if phone_number:
                outbox.add(OutboxMessage("sms", [phone_number], "", message, now_stamp(), message_id))
            return message_id

        original_stub = BotocoreStubber.process_request

        def stub(stubber: Any, request: Any) -> Any:
            target = request.headers.get("X-Amz-Target") or ""
            target = target.decode() if isinstance(target, bytes) else str(target)
            if urlsplit(request.url).netloc.startswith("sms-voice.") and target.endswith("SendVoiceMessage"):
                return None  # not moto's: the next before-send handler (voice_handler) answers it
            return original_stub(stubber, request)

        def voice_handler(request: Any, **_: Any) -> AWSResponse:
            status, headers, body = outbox.voice_call(request.body)
            return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]

        with (
            mock.patch.object(SESBackend, "send_email", send_email),
            mock.patch.object(SESBackend, "send_raw_email", send_raw_email),
            mock.patch.object(SNSBackend, "publish", publish),
            mock.patch.object(BotocoreStubber, "process_request", stub),
            mock.patch.object(
                botocore.handlers,
                "BUILTIN_HANDLERS",
                [*botocore.handlers.BUILTIN_HANDLERS, (VOICE_EVENT, voice_handler)],
            ),
        ):
            yield self

    def voice_call(self, body: bytes | str | None) -> tuple[int, dict[str, str], str]:
        """What End User Messaging would answer to SendVoiceMessage, the call recorded."""
        payload = json.loads(body or b"{}")
        message_id = str(uuid.uuid4())
        self.add(
            OutboxMessage(
                "voice",
                [payload.get("DestinationPhoneNumber", "")],
                "",
                payload.get("MessageBody", ""),
                now_stamp(),
                message_id,
            )
        )
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps({"MessageId": message_id})


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
