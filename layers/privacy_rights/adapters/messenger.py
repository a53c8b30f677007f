"""Email through SES (v2) and SMS through SNS.

Mail about a request carries a plus-addressed Reply-To (``info+<reference>@``) and is logged by
its SES message id, so a reply finds its request through either In-Reply-To or the address.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from privacy_rights.core.errors import MessageNotSent

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient

    from privacy_rights.adapters.sent_mail import SentMail


def plus_address(address: str, reference: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local}+{reference}@{domain}"


@contextmanager
def _provider_answer() -> Iterator[None]:
    """An error answer from the provider means it refused the message: nothing was sent
    (``MessageNotSent``, with the provider's error code). Anything else (a timeout, an answer
    that does not parse) leaves it unknown and propagates as it is."""
    try:
        yield
    except ClientError as exc:
        raise MessageNotSent(str(exc.response.get("Error", {}).get("Code", "Unknown"))) from None


class AwsMessenger:
    def __init__(
        self,
        ses: SESV2Client,
        sns: SNSClient,
        sender: str,
        reply_address: str | None = None,
        sent: SentMail | None = None,
        voice: Any = None,
        voice_origin: str = "",
        configuration_set: str = "",
    ) -> None:
        self._ses = ses
        self._sns = sns
        self._sender = sender
        self._reply_address = reply_address
        self._sent = sent
        self._voice = voice
        self._voice_origin = voice_origin
        self._configuration_set = configuration_set

    @property
    def can_call(self) -> bool:
        """A voice line is configured (VoiceOriginationIdentity): landlines get their codes read out."""
        return bool(self._voice is not None and self._voice_origin)

    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str:
        reply_to = (
            {"ReplyToAddresses": [plus_address(self._reply_address, reference)]}
            if reference and self._reply_address
            else {}
        )
        # bounces and complaints are counted per configuration set (the template's alarms)
        configuration = {"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}
        with _provider_answer():
            response = self._ses.send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [to]},
                Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
                **reply_to,  # type: ignore[arg-type]
                **configuration,  # type: ignore[arg-type]
            )
        message_id = response["MessageId"]
        if reference and self._sent is not None:
            self._sent.record(message_id, reference, "email")
        return message_id

    def send_sms(self, to: str, text: str) -> str:
        with _provider_answer():
            response = self._sns.publish(
                PhoneNumber=to,
                Message=text,
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        return response["MessageId"]

    def send_voice(self, to: str, text: str) -> str:
        """An automated call that reads ``text`` out (AWS End User Messaging SMS and Voice)."""
        if not self.can_call:
            raise RuntimeError("no voice origination identity is configured")
        with _provider_answer():
            response = self._voice.send_voice_message(
                DestinationPhoneNumber=to,
                OriginationIdentity=self._voice_origin,
                MessageBody=text,
                MessageBodyTextType="TEXT",
            )
        message_id: str = response["MessageId"]
        return message_id
