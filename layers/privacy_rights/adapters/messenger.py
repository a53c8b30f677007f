"""Email through SES (v2) and SMS through SNS."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sns import SNSClient


class AwsMessenger:
    def __init__(self, ses: SESV2Client, sns: SNSClient, sender: str) -> None:
        self._ses = ses
        self._sns = sns
        self._sender = sender

    def send_email(self, to: str, subject: str, text: str) -> str:
        response = self._ses.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
        )
        return response["MessageId"]

    def send_sms(self, to: str, text: str) -> str:
        response = self._sns.publish(
            PhoneNumber=to,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return response["MessageId"]
