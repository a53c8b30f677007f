"""Where a request made from an email comes from: what it carries over from the mail and the
mail's audit stream. Apart from the intake service so that the mail review API can say it
without importing the whole intake at cold start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from privacy_rights.core.ports import MailRecord
from privacy_rights.mail.inbound_mail import ParsedMail

MAIL_STREAM_PREFIX = "audit:mail:"


@dataclass(frozen=True)
class CreatedFrom:
    """What a request made from an email carries over from it."""

    mail_id: str
    received_at: datetime
    sender: str
    sender_name: str | None
    text: str
    flags: tuple[str, ...]


def origin_of(record: MailRecord, mail: ParsedMail) -> CreatedFrom:
    assert mail.sender is not None
    return CreatedFrom(
        mail_id=record.mail_id,
        received_at=datetime.fromisoformat(record.received_at),
        sender=mail.sender,
        sender_name=mail.sender_name,
        text=mail.new_text or mail.subject,
        flags=tuple(record.flags),
    )
