"""What becomes of one inbound email before anyone reads its words: the decisions that keep
the service from answering machines, looping with itself, or trusting what a sender claims.

Pure functions over a ``ParsedMail``; the order of the checks is the policy (see README,
"Email intake").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from privacy_rights.mail.inbound_mail import Attachment, ParsedMail


class MailOutcome(StrEnum):
    REQUEST_CREATED = "request_created"
    ATTACHED = "attached_to_request"
    NEEDS_CLARIFICATION = "needs_clarification"
    HUMAN_REVIEW = "human_review"
    IGNORED = "ignored"
    QUARANTINED = "quarantined"


class QuarantineReason(StrEnum):
    UNPARSEABLE = "unparseable"
    NO_SENDER = "no_sender"
    VIRUS = "virus"
    TOO_LARGE = "too_large"


class IgnoreReason(StrEnum):
    OWN_ADDRESS = "own_address"
    DELIVERY_REPORT = "delivery_report"
    AUTO_REPLY = "auto_reply"


class ReviewReason(StrEnum):
    AMBIGUOUS_SENDER = "ambiguous_sender"
    BULK = "bulk"
    SPAM = "spam"
    SENDER_MISMATCH = "sender_mismatch"
    REPLY_LIMIT = "reply_limit"
    STILL_UNCLEAR = "still_unclear"


@dataclass(frozen=True)
class Verdict:
    outcome: MailOutcome
    reason: str


_DAEMON_SENDERS = ("mailer-daemon@", "postmaster@")
_BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
_LIST_HEADERS = ("list-id", "list-unsubscribe", "list-post", "list-help")


def triage(mail: ParsedMail, own_addresses: frozenset[str]) -> Verdict | None:
    """The verdict that stops ordinary handling, or None: read the mail and classify it."""
    if mail.sender is None and not mail.ambiguous_sender:
        return Verdict(MailOutcome.QUARANTINED, QuarantineReason.NO_SENDER)
    if mail.authentication.virus == "FAIL":
        return Verdict(MailOutcome.QUARANTINED, QuarantineReason.VIRUS)
    # Two From headers, or several addresses in one: never read as its first address (a
    # stranger could name the person first and themselves second): a person decides.
    if mail.ambiguous_sender:
        return Verdict(MailOutcome.HUMAN_REVIEW, ReviewReason.AMBIGUOUS_SENDER)
    if mail.sender in own_addresses or _is_own_plus_address(mail.sender, own_addresses):
        return Verdict(MailOutcome.IGNORED, IgnoreReason.OWN_ADDRESS)
    if is_delivery_report(mail):
        return Verdict(MailOutcome.IGNORED, IgnoreReason.DELIVERY_REPORT)
    if is_auto_reply(mail):
        return Verdict(MailOutcome.IGNORED, IgnoreReason.AUTO_REPLY)
    # Data-removal services send genuine requests that look like bulk mail: a person decides.
    if _looks_bulk(mail):
        return Verdict(MailOutcome.HUMAN_REVIEW, ReviewReason.BULK)
    if mail.authentication.spam == "FAIL":
        return Verdict(MailOutcome.HUMAN_REVIEW, ReviewReason.SPAM)
    return None


def is_delivery_report(mail: ParsedMail) -> bool:
    return (
        mail.content_type == "multipart/report"
        or (mail.sender or "").startswith(_DAEMON_SENDERS)
        or (mail.return_path is not None and mail.return_path.strip() in ("<>", ""))
    )


def is_auto_reply(mail: ParsedMail) -> bool:
    """RFC 3834 and the de-facto headers of the common autoresponders."""
    auto_submitted = (mail.header("Auto-Submitted") or "no").strip().lower()
    if auto_submitted and auto_submitted.split(";")[0].strip() != "no":
        return True
    if mail.has_header("X-Autoreply") or mail.has_header("X-Autorespond"):
        return True
    return (mail.header("Precedence") or "").strip().lower() == "auto_reply"


def _looks_bulk(mail: ParsedMail) -> bool:
    if (mail.header("Precedence") or "").strip().lower() in _BULK_PRECEDENCE:
        return True
    return any(mail.has_header(name) for name in _LIST_HEADERS)


def _is_own_plus_address(sender: str, own_addresses: frozenset[str]) -> bool:
    local, _, domain = sender.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" in own_addresses


# -- attachments ---------------------------------------------------------------------------

#: Permission documents arrive as scans and PDFs; anything else is refused, never opened.
ATTACHMENT_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5


@dataclass(frozen=True)
class RefusedAttachment:
    content_type: str
    size: int
    reason: str


def screen_attachments(
    attachments: tuple[Attachment, ...],
) -> tuple[list[Attachment], list[RefusedAttachment]]:
    """Kept: allowed type, content that really is that type, within size and number."""
    kept: list[Attachment] = []
    refused: list[RefusedAttachment] = []
    for attachment in attachments:
        signatures = ATTACHMENT_SIGNATURES.get(attachment.content_type)
        reason = None
        if signatures is None:
            reason = "type_not_allowed"
        elif not attachment.content.startswith(signatures):
            reason = "content_not_of_declared_type"
        elif attachment.size > MAX_ATTACHMENT_BYTES:
            reason = "too_large"
        elif not attachment.size:
            reason = "empty"
        elif len(kept) >= MAX_ATTACHMENTS:
            reason = "too_many"
        if reason:
            refused.append(RefusedAttachment(attachment.content_type[:100], attachment.size, reason))
        else:
            kept.append(attachment)
    return kept, refused
