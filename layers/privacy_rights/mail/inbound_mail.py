"""Reading one raw email as SES stored it: who sent it, what SES thought of it, and what the
person wrote (their new text, without the quoted conversation below it).

Everything here is standard library (``email`` with ``policy.default``). Mail is hostile input:
no header access, charset or MIME structure may raise out of ``parse_mail``; whatever cannot be
read becomes ``None`` and a defect, and a message with no headers at all is ``MailUnparseable``.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage, Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, TypeVar

from privacy_rights.core.identifiers import normalize_email

#: SES writes these above everything the sender wrote: only the first occurrence is SES's own.
SPAM_VERDICT = "X-SES-Spam-Verdict"
VIRUS_VERDICT = "X-SES-Virus-Verdict"
SES_AUTHSERV_ID = "amazonses.com"

_MESSAGE_ID = re.compile(r"<([^<>\s]{1,500})>")
_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")

#: Lines where a quoted earlier message begins in the common clients, in the languages we read.
_REPLY_HEADER = re.compile(
    r"^\s*("
    r"on\b.{0,300}\bwrote:"
    r"|el\b.{0,300}\bescribi[oó]:"
    r"|le\b.{0,300}\ba [ée]crit\s?:"
    r"|am\b.{0,300}\bschrieb\b.{0,100}:"
    r"|em\b.{0,300}\bescreveu:"
    r"|-{2,}\s*(original message|mensaje original|message d'origine|urspr[üu]ngliche nachricht)\s*-{2,}"
    r"|_{10,}"
    r")\s*$",
    re.IGNORECASE,
)
_OUTLOOK_QUOTE_FROM = re.compile(r"^\s*\**(from|de|von)\s*:\**\s", re.IGNORECASE)
_OUTLOOK_QUOTE_NEXT = re.compile(
    r"^\s*\**(sent|date|enviado( el)?|fecha|gesendet|envoy[ée])\s*:", re.IGNORECASE
)
_SIGNATURE = "-- "
_FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|tr|wg|rv|enc|i)\s*:", re.IGNORECASE)
_FORWARD_MARKER = re.compile(
    r"^\s*(-+\s*forwarded message\s*-+|begin forwarded message:|-+\s*mensaje reenviado\s*-+"
    r"|-+\s*message transf[ée]r[ée]\s*-+|-+\s*weitergeleitete nachricht\s*-+|-+\s*mensagem encaminhada\s*-+)",
    re.IGNORECASE,
)


class MailUnparseable(Exception):
    """Not an email message at all (no header could be read)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class Authentication:
    """SES's verdicts (the topmost headers only); ``None`` where SES said nothing."""

    spam: str | None = None
    virus: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None


@dataclass(frozen=True)
class ParsedMail:
    message_id: str | None
    sender: str | None  # the From address, normalized; None when there is no usable one
    sender_name: str | None
    recipients: tuple[str, ...]  # To, Cc and Delivered-To, as written
    subject: str
    sent_at: datetime | None
    in_reply_to: tuple[str, ...]  # message ids from In-Reply-To and References
    return_path: str | None
    text: str  # the whole readable body
    new_text: str  # the body without the quoted conversation
    authentication: Authentication
    attachments: tuple[Attachment, ...]
    content_type: str
    headers: dict[str, tuple[str, ...]] = field(repr=False)
    defects: tuple[str, ...] = ()
    #: Every address of every From header, as written (at most 10). A message must have one
    #: From header with one address; otherwise ``sender`` is None and ``ambiguous_sender`` says why.
    from_addresses: tuple[str, ...] = ()
    from_headers: int = 0

    @property
    def ambiguous_sender(self) -> bool:
        """Two From headers, or a From with several addresses: who wrote it is unclear, and
        reading its first address would let anyone name the person the mail is about."""
        return self.from_headers > 1 or len(self.from_addresses) > 1

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def has_header(self, name: str) -> bool:
        return name.lower() in self.headers


def parse_mail(raw: bytes) -> ParsedMail:
    if not raw.strip():
        raise MailUnparseable("empty")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    defects: list[str] = [type(d).__name__ for d in message.defects]
    headers = _headers(message, defects)
    if not headers:
        raise MailUnparseable("no headers")
    sender_name, sender = _sender(headers, defects)
    from_addresses = _safe(functools.partial(_from_addresses, headers.get("from", ())), (), defects)
    text = _body_text(message, defects)
    subject = _clean(headers.get("subject", ("",))[0])[:998]
    return ParsedMail(
        message_id=_first_message_id(headers.get("message-id", ())),
        sender=sender,
        sender_name=sender_name,
        recipients=tuple(
            _addresses(headers.get("to", ()) + headers.get("cc", ()) + headers.get("delivered-to", ()))
        ),
        subject=subject,
        sent_at=_date(headers.get("date", ())),
        in_reply_to=tuple(
            _MESSAGE_ID.findall(" ".join(headers.get("in-reply-to", ()) + headers.get("references", ())))
        ),
        return_path=headers["return-path"][0].strip() if "return-path" in headers else None,
        text=text,
        new_text=without_quoted_reply(text, forwarded=bool(_FORWARD_SUBJECT.match(subject))),
        authentication=_authentication(headers),
        attachments=tuple(_attachments(message, defects)),
        content_type=_safe(message.get_content_type, "text/plain", defects),
        headers=headers,
        defects=tuple(defects[:50]),
        from_addresses=from_addresses,
        from_headers=len(headers.get("from", ())),
    )


T = TypeVar("T")
D = TypeVar("D")


def _safe(read: Callable[[], T], default: D, defects: list[str]) -> T | D:
    """One read of hostile structure: a failure is a defect, never an exception."""
    try:
        return read()
    except Exception as exc:  # the email package raises many kinds on broken input
        defects.append(type(exc).__name__)
        return default


def _headers(message: Message, defects: list[str]) -> dict[str, tuple[str, ...]]:
    """Header values in their order of appearance (topmost first), decoded, by lower-case name."""
    headers: dict[str, list[str]] = {}
    for name, _ in _safe(message.raw_items, [], defects):
        if not isinstance(name, str) or not name.strip():
            continue
        key = name.strip().lower()
        if key in headers:
            continue
        values = _safe(functools.partial(message.get_all, name, []), [], defects) or []
        headers[key] = [_safe(functools.partial(str, v), "", defects) for v in values]
    return {k: tuple(v) for k, v in headers.items()}


def _clean(value: str) -> str:
    return _SPACES.sub(" ", _CONTROL.sub("", value.replace("\r", " ").replace("\n", " "))).strip()


def _addresses(values: tuple[str, ...]) -> Iterator[str]:
    for _, address in getaddresses(list(values)):
        if "@" in address:
            yield address.strip()


def _from_addresses(values: tuple[str, ...]) -> tuple[str, ...]:
    found = (_clean(address)[:320] for _, address in getaddresses(list(values)))
    return tuple(address for address in found if address)[:10]


def _sender(headers: dict[str, tuple[str, ...]], defects: list[str]) -> tuple[str | None, str | None]:
    values = headers.get("from", ())
    if not values:
        return None, None
    if len(values) > 1:
        defects.append("SeveralFromHeaders")
        return None, None
    parsed = getaddresses([values[0]])
    if len(parsed) != 1:
        defects.append("FromNotOneAddress")
        return None, None
    name, address = parsed[0]
    try:
        normalized = normalize_email(address)
    except ValueError:
        defects.append("FromNotAnAddress")
        return None, None
    return (_clean(name)[:200] or None), normalized


def _first_message_id(values: tuple[str, ...]) -> str | None:
    found = _MESSAGE_ID.findall(values[0]) if values else []
    return found[0] if found else (values[0].strip()[:500] or None if values else None)


def _date(values: tuple[str, ...]) -> datetime | None:
    if not values:
        return None
    try:
        return parsedate_to_datetime(values[0])
    except (TypeError, ValueError, IndexError):
        return None


def _authentication(headers: dict[str, tuple[str, ...]]) -> Authentication:
    def verdict(name: str) -> str | None:
        values = headers.get(name.lower(), ())
        return values[0].strip().upper()[:30] or None if values else None

    results: dict[str, str] = {}
    # The topmost Authentication-Results is SES's; any lower one came with the message.
    first = headers.get("authentication-results", ("",))[0]
    if first.strip().lower().startswith(SES_AUTHSERV_ID):
        for method, result in _AUTH_RESULT.findall(first):
            results.setdefault(method.lower(), result.lower())
    return Authentication(
        spam=verdict(SPAM_VERDICT),
        virus=verdict(VIRUS_VERDICT),
        spf=results.get("spf"),
        dkim=results.get("dkim"),
        dmarc=results.get("dmarc"),
    )


def _body_text(message: EmailMessage, defects: list[str]) -> str:
    part = _safe(lambda: message.get_body(preferencelist=("plain", "html")), None, defects)
    if part is None:
        if message.is_multipart() or message.get_content_maintype() not in ("text", ""):
            return ""
        part = message
    content = _decoded(part, defects)
    if part.get_content_subtype() == "html":
        content = html_to_text(content)
    content = _CONTROL.sub("", content.replace("\r\n", "\n").replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", content).strip()


def _decoded(part: Any, defects: list[str]) -> str:
    content = _safe(part.get_content, None, defects)
    if isinstance(content, str):
        return content
    # Unknown charsets and broken transfer encodings: read the bytes as best we can.
    payload = _safe(lambda: part.get_payload(decode=True), b"", defects)
    if not isinstance(payload, bytes):
        return ""
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return payload.decode("cp1252", errors="replace")


def _attachments(message: Message, defects: list[str]) -> Iterator[Attachment]:
    if not isinstance(message, EmailMessage):
        return
    for part in _safe(lambda: list(message.iter_attachments()), [], defects):
        if part.is_multipart():
            continue
        # Apple Mail splits a body around inline images: its text parts are text, not files.
        disposition = _safe(part.get_content_disposition, None, defects)
        if part.get_content_maintype() == "text" and disposition != "attachment":
            continue
        content = _safe(functools.partial(part.get_payload, decode=True), b"", defects)
        filename = _safe(part.get_filename, None, defects) or ""
        yield Attachment(
            filename=_clean(str(filename))[:200],
            content_type=_safe(part.get_content_type, "application/octet-stream", defects),
            content=content if isinstance(content, bytes) else b"",
        )


def without_quoted_reply(text: str, forwarded: bool = False) -> str:
    """The person's new text: stops where a quoted earlier message begins (a reply header, an
    Outlook header block, a signature) and drops ``>`` lines. Forwarded messages are kept:
    people forward the request they meant to send, under a header block that looks like a
    quoted one, so after a forward marker (or in a mail forwarded as a whole) nothing is cut."""
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        forwarded = forwarded or bool(_FORWARD_MARKER.match(line))
        if forwarded:
            if not line.lstrip().startswith(">"):
                kept.append(line)
            continue
        if line == _SIGNATURE or _REPLY_HEADER.match(line) or _wrapped_reply_header(lines, index):
            break
        if _OUTLOOK_QUOTE_FROM.match(line) and any(
            _OUTLOOK_QUOTE_NEXT.match(following) for following in lines[index + 1 : index + 4]
        ):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return _BLANK_LINES.sub("\n\n", "\n".join(kept)).strip()


def _wrapped_reply_header(lines: list[str], index: int) -> bool:
    """Gmail wraps long "On <date>, <name> <address> wrote:" lines in two."""
    if index + 1 >= len(lines):
        return False
    return bool(_REPLY_HEADER.match(lines[index] + " " + lines[index + 1]))


class _TextExtractor(HTMLParser):
    _SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})
    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._quoting = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "blockquote":
            self._quoting += 1
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "blockquote":
            self._quoting = max(0, self._quoting - 1)
            self.parts.append("\n")
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skipping:
            return
        if self._quoting:
            # Quoted text keeps a ">" per line, so reply stripping treats it as plain text does.
            data = "\n".join("> " + line if line.strip() else line for line in data.split("\n"))
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from HTML mail: scripts and styles dropped, never rendered or run."""
    extractor = _TextExtractor()
    # HTMLParser is lenient; whatever it still chokes on is unreadable markup, left out.
    with contextlib.suppress(Exception):
        extractor.feed(html)
        extractor.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(extractor.parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
