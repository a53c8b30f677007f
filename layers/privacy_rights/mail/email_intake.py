"""Email intake: every message to the privacy address becomes a request, a reply attached to
one, a question back to the sender, an item for a person to review, or a recorded reason why
not (ignored, quarantined). Nothing is lost: the raw message stays where SES put it until its
record says what became of it, and every step is safe to run again (SQS delivers at least once).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from privacy_rights.core import notices
from privacy_rights.core.errors import NotFound
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import (
    Channel,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    utc_now,
)
from privacy_rights.core.ports import (
    Counters,
    KeyRingSource,
    Mailbox,
    MailRecord,
    MailRecords,
    Messenger,
    PermissionDocuments,
    Requests,
    SentMailLog,
)
from privacy_rights.core.tokens import derived_id
from privacy_rights.mail.inbound_mail import MailUnparseable, ParsedMail, parse_mail
from privacy_rights.mail.mail_classifier import Classification, classify
from privacy_rights.mail.mail_origin import MAIL_STREAM_PREFIX, CreatedFrom, origin_of
from privacy_rights.mail.mail_triage import (
    MailOutcome,
    QuarantineReason,
    ReviewReason,
    Verdict,
    screen_attachments,
    triage,
)
from privacy_rights.rights_requests.appeals import STATEMENT_MAX_CHARS, AppealService, FiledVia
from privacy_rights.rights_requests.intake import IntakeService
from privacy_rights.rights_requests.submission import Correction, SubmitRequest

ACTOR = "email-intake"
#: SES accepts messages up to 40 MB; beyond this we don't read them into memory at all.
MAX_RAW_BYTES = 40 * 1024 * 1024
_REFERENCE = re.compile(r"^(req|mail)_[A-Za-z0-9_-]{10,64}$")
#: a request's reference written in a mail (``req_`` and the id: 22 characters today)
_REFERENCE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_-])(req_[A-Za-z0-9_-]{10,64})(?![A-Za-z0-9_-])")
#: a mail that says it appeals (English, Spanish): "appeal", "reconsider", "apelar", "apelación"
_APPEAL_CUE = re.compile(r"(?i)\b(appeal(s|ed|ing)?|reconsider|apel(ar|o|amos|aci[oó]n))\b")
_QUEUES = {
    MailOutcome.HUMAN_REVIEW: "human_review",
    MailOutcome.NEEDS_CLARIFICATION: "needs_clarification",
    MailOutcome.QUARANTINED: "quarantined",
}


class EmailIntakeService:
    def __init__(
        self,
        mailbox: Mailbox,
        records: MailRecords,
        store: Requests,
        intake: IntakeService,
        keys: KeyRingSource,
        messenger: Messenger,
        counters: Counters,
        sent: SentMailLog,
        own_addresses: frozenset[str],
        privacy_address: str,
        base_url: str,
        permissions: PermissionDocuments | None = None,
        replies_per_sender_per_day: int = 3,
        max_raw_bytes: int = MAX_RAW_BYTES,
        appeals: AppealService | None = None,
    ) -> None:
        self._mailbox = mailbox
        self._records = records
        self._store = store
        self._intake = intake
        self._keys = keys
        self._messenger = messenger
        self._counters = counters
        self._sent = sent
        self._own = frozenset(a.lower() for a in own_addresses)
        self._privacy_local, _, self._privacy_domain = privacy_address.lower().partition("@")
        self._base_url = base_url
        self._permissions = permissions
        self._replies_per_day = replies_per_sender_per_day
        self._max_raw_bytes = max_raw_bytes
        self._appeals = appeals

    # -- one message ---------------------------------------------------------------------

    def process(self, object_key: str, received_at: datetime) -> MailRecord | None:
        """Handle the message SES stored at ``object_key``; None when it is already gone (a
        redelivery after it was processed and moved)."""
        size = self._mailbox.size(object_key)
        if size is None:
            return None
        ring = self._keys.key_ring()
        parsed: ParsedMail | None = None
        verdict: Verdict | None = None
        if size > self._max_raw_bytes:
            verdict = Verdict(MailOutcome.QUARANTINED, QuarantineReason.TOO_LARGE)
        else:
            try:
                parsed = parse_mail(self._mailbox.read(object_key))
            except MailUnparseable:
                verdict = Verdict(MailOutcome.QUARANTINED, QuarantineReason.UNPARSEABLE)
        identity = (
            f"message-id:{parsed.message_id}" if parsed and parsed.message_id else f"object:{object_key}"
        )
        record = self._records.claim(
            MailRecord(
                mail_id=derived_id(ring, "mail_", identity),
                object_key=object_key,
                received_at=received_at.isoformat(),
            )
        )
        if record.state == "done":
            # The same message again (a second SES object or an SQS redelivery): one record.
            self._mailbox.move(object_key, record.stored_key or object_key)
            return record
        if parsed is not None:
            verdict = triage(parsed, self._own)
            # Attachments of mail nobody will act on (a virus, a bounce) are never stored.
            keeps_attachments = verdict is None or verdict.outcome is MailOutcome.HUMAN_REVIEW
            record = self._with_mail_facts(record, parsed, ring, keeps_attachments)
        if verdict is None:
            assert parsed is not None
            record = self._handle(record, parsed, ring)
        else:
            record = record.model_copy(update={"outcome": verdict.outcome.value, "reason": verdict.reason})
        return self._finish(record)

    def _with_mail_facts(
        self, record: MailRecord, mail: ParsedMail, ring: KeyRing, keeps_attachments: bool
    ) -> MailRecord:
        flags = [f"dmarc_{mail.authentication.dmarc}"] if mail.authentication.dmarc == "fail" else []
        kept, refused = screen_attachments(mail.attachments) if keeps_attachments else ([], [])
        if refused:
            flags.append("attachment_refused")
        keys = [
            self._mailbox.keep_attachment(record.mail_id, index, a.filename, a.content_type, a.content)
            for index, a in enumerate(kept)
        ]
        return record.model_copy(
            update={
                "sender_key": ring.digest(IdentifierKind.EMAIL, mail.sender) if mail.sender else None,
                "flags": flags,
                "attachment_keys": keys,
                "refused_attachments": [vars(r) for r in refused],
            }
        )

    def _handle(self, record: MailRecord, mail: ParsedMail, ring: KeyRing) -> MailRecord:
        reference = self._reference(mail)
        if reference is not None:
            return self._reply(record, mail, reference)
        appealed = self._appealed_reference(mail)
        if appealed is not None:
            return self._appeal_by_mail(record, mail, appealed)
        classification = classify(mail.subject, mail.new_text)
        record = record.model_copy(
            update={"cues": list(classification.cues), "language": classification.language}
        )
        if classification.clear:
            ids = self._create_requests(record, mail, classification, origin_of(record, mail))
            return record.model_copy(
                update={"outcome": MailOutcome.REQUEST_CREATED.value, "request_ids": ids}
            )
        return self._ask_for_clarification(record, mail)

    def _finish(self, record: MailRecord) -> MailRecord:
        outcome = MailOutcome(record.outcome)
        if outcome is MailOutcome.QUARANTINED:
            stored = f"quarantine/{record.reason}/{record.mail_id}.eml"
        elif outcome is MailOutcome.HUMAN_REVIEW:
            stored = f"review/{record.mail_id}.eml"
        else:
            stored = f"processed/{record.received_at[:10].replace('-', '/')}/{record.mail_id}.eml"
        done = record.model_copy(
            update={
                "state": "done",
                "queue": _QUEUES.get(outcome),
                "stored_key": stored,
                "processed_at": utc_now().isoformat(),
            }
        )
        # Copy first, then the record, then delete the original: a crash leaves a copy too many.
        self._mailbox.copy(record.object_key, stored)
        self._records.put(done)
        self._audit(done, "mail.processed")
        self._mailbox.delete(record.object_key)
        return done

    def _audit(self, record: MailRecord, action: str, actor: str = ACTOR, **extra: Any) -> None:
        stream = MAIL_STREAM_PREFIX + record.mail_id
        self._store.ensure_stream(stream)
        detail = {
            "outcome": record.outcome,
            "reason": record.reason,
            "request_ids": record.request_ids,
            "flags": record.flags,
            "attachments_kept": len(record.attachment_keys),
            "attachments_refused": [r["reason"] for r in record.refused_attachments],
            **extra,
        }
        self._store.record(stream, actor, action, {k: v for k, v in detail.items() if v not in (None, [])})

    # -- replies to our own messages -----------------------------------------------------

    def _reference(self, mail: ParsedMail) -> str | None:
        """The request or mail this message answers: by the plus-addressed recipient, or by
        an In-Reply-To / References id of a message we sent."""
        for address in mail.recipients:
            local, _, domain = address.partition("@")
            base, plus, tag = local.partition("+")
            # The address compares without case; the tag keeps it (references are case-sensitive).
            ours = (base.lower(), domain.lower()) == (self._privacy_local, self._privacy_domain)
            if plus and ours and _REFERENCE.match(tag):
                return tag
        for message_id in mail.in_reply_to:
            local, _, domain = message_id.partition("@")
            if domain.endswith("amazonses.com"):
                reference = self._sent.reference_of(local)
                if reference:
                    return reference
        return None

    def _reply(self, record: MailRecord, mail: ParsedMail, reference: str) -> MailRecord:
        record = record.model_copy(update={"reply_to_reference": reference})
        if reference.startswith("mail_"):
            return self._clarified(record, mail, reference)
        try:
            request = self._store.get(reference)
        except NotFound:
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        # Only the person (or their agent) may add to a request, whatever address they reply to.
        if mail.sender not in (request.subject.email, request.requester.email if request.requester else None):
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        if self._appeals is not None and _appeals_the_answer(request, mail):
            return self._appeal(record, mail, request, "email_reply")
        if request.requester is not None and self._permissions is not None:
            # The agent's signed permission: it counts only if it really is a document.
            for key in record.attachment_keys:
                document = self._permissions.copy_from(self._mailbox.bucket, key, request.request_id)
                if document.acceptable:
                    action, detail = "permission.received_by_email", {"kind": str(document.kind)}
                else:
                    action, detail = "permission.refused", {"reason": str(document.refusal)}
                self._store.record(
                    request.request_id,
                    ACTOR,
                    action,
                    {"mail_id": record.mail_id, "size": document.size} | detail,
                )
        self._store.record(
            request.request_id,
            ACTOR,
            "email.reply_received",
            {"mail_id": record.mail_id, "attachments": len(record.attachment_keys)},
        )
        return record.model_copy(
            update={"outcome": MailOutcome.ATTACHED.value, "request_ids": [request.request_id]}
        )

    # -- appeals (US state laws) ----------------------------------------------------------

    def _appealed_reference(self, mail: ParsedMail) -> str | None:
        """A new mail that says it appeals a request and names it: its one reference."""
        if self._appeals is None or not _APPEAL_CUE.search(f"{mail.subject}\n{mail.new_text}"):
            return None
        references = set(_REFERENCE_IN_TEXT.findall(f"{mail.subject}\n{mail.new_text}"))
        return references.pop() if len(references) == 1 else None

    def _appeal_by_mail(self, record: MailRecord, mail: ParsedMail, reference: str) -> MailRecord:
        record = record.model_copy(update={"reply_to_reference": reference})
        try:
            request = self._store.get(reference)
        except NotFound:
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        if mail.sender not in (request.subject.email, request.requester.email if request.requester else None):
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        return self._appeal(record, mail, request, "email")

    def _appeal(
        self, record: MailRecord, mail: ParsedMail, request: RightsRequest, via: FiledVia
    ) -> MailRecord:
        """Open the appeal, or answer why not. The sender is the request's own address (checked
        before); a mail whose sender failed DMARC may be forged, so a person looks at it."""
        assert self._appeals is not None
        if "dmarc_fail" in record.flags:
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        attached = {"outcome": MailOutcome.ATTACHED.value, "request_ids": [request.request_id]}
        why = self._appeals.refusal(request)
        if why is None:
            statement = (mail.new_text or mail.subject)[:STATEMENT_MAX_CHARS]
            self._appeals.file(request, statement, via, {"mail_id": record.mail_id})
            return record.model_copy(update={**attached, "reason": "appeal_filed"})
        self._store.record(
            request.request_id, ACTOR, "appeal.refused", {"via": via, "why": why, "mail_id": record.mail_id}
        )
        assert mail.sender is not None
        assert record.sender_key is not None
        if not self._counters.hit("mail-reply:" + record.sender_key, self._replies_per_day, 86400):
            return self._review(record, ReviewReason.REPLY_LIMIT)
        self._records.put(record)  # the reply's intent is recorded on this item
        if self._records.mark_reply_intent(record.mail_id):
            notice = notices.appeal_refused(request.request_id, why)
            self._messenger.send_email(mail.sender, notice.subject, notice.text, request.request_id)
            self._records.mark_reply_sent(record.mail_id)
        return self._records.get(record.mail_id).model_copy(update={**attached, "reason": "appeal_refused"})

    def _clarified(self, record: MailRecord, mail: ParsedMail, mail_id: str) -> MailRecord:
        """An answer to our question: classified with the original's clock."""
        try:
            original = self._records.get(mail_id)
        except NotFound:
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        if original.sender_key is None or original.sender_key != record.sender_key:
            return self._review(record, ReviewReason.SENDER_MISMATCH)
        classification = classify("", mail.new_text)
        record = record.model_copy(
            update={"cues": list(classification.cues), "language": classification.language}
        )
        if not classification.clear:
            return self._review(record, ReviewReason.STILL_UNCLEAR)
        origin = origin_of(original, mail)
        ids = self._create_requests(record, mail, classification, origin)
        if original.queue == _QUEUES[MailOutcome.NEEDS_CLARIFICATION]:
            self._records.close(original.mail_id, original.queue, ACTOR, "clarified by email", ids)
        return record.model_copy(update={"outcome": MailOutcome.REQUEST_CREATED.value, "request_ids": ids})

    # -- new requests and questions back -------------------------------------------------

    def _create_requests(
        self, record: MailRecord, mail: ParsedMail, classification: Classification, origin: CreatedFrom
    ) -> list[str]:
        jurisdiction = classification.jurisdiction or Jurisdiction.OTHER
        us_state = classification.us_state if jurisdiction is Jurisdiction.US_STATE else None
        if jurisdiction is Jurisdiction.US_STATE and us_state is None:
            jurisdiction = Jurisdiction.OTHER
        return [
            self.create_request(
                origin,
                kind,
                jurisdiction,
                us_state,
                classification.consent_withdrawn
                if kind is RequestType.WITHDRAW_CONSENT
                else classification.opt_out_of,
                actor=ACTOR,
                extra={"language": classification.language},
            )
            for kind in classification.types
        ]

    def create_request(
        self,
        origin: CreatedFrom,
        kind: RequestType,
        jurisdiction: Jurisdiction,
        us_state: str | None,
        opt_out_of: tuple[OptOutPurpose, ...],
        actor: str,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """One request from one email; the same email and type always make the same id, so a
        second run finds the first one's request instead of making another."""
        ring = self._keys.key_ring()
        request_id = derived_id(ring, "req_", f"{origin.mail_id}:{kind.value}")
        details = origin.text[:4000]
        fields: dict[str, Any] = {
            "type": kind,
            "jurisdiction": jurisdiction,
            "us_state": us_state,
            "email": origin.sender,
            "details": details,
            "opt_out_of": list(opt_out_of) if kind is RequestType.OPT_OUT else [],
            # a withdrawal that names nothing withdraws every consent (intake reads it so for email)
            "consent_to_withdraw": [p.value for p in opt_out_of]
            if kind is RequestType.WITHDRAW_CONSENT
            else [],
            "corrections": [Correction(field="other", corrected=details[:500] or "see the email")]
            if kind is RequestType.CORRECTION
            else [],
        }
        try:
            body = SubmitRequest(**fields, name=origin.sender_name)
        except ValidationError:
            body = SubmitRequest(**fields)  # a display name we can't take is not a reason to drop mail
        self._intake.submit(
            body,
            Channel.EMAIL,
            actor=actor,
            request_id=request_id,
            received_at=origin.received_at,
            extra={"mail_id": origin.mail_id, "mail_flags": list(origin.flags), **(extra or {})},
        )
        return request_id

    def _ask_for_clarification(self, record: MailRecord, mail: ParsedMail) -> MailRecord:
        assert mail.sender is not None
        assert record.sender_key is not None
        # Never an unbounded conversation with a robot that isn't marked as one.
        if not self._counters.hit("mail-reply:" + record.sender_key, self._replies_per_day, 86400):
            return self._review(record, ReviewReason.REPLY_LIMIT)
        self._records.put(record)  # the reply's intent is recorded on this item
        if self._records.mark_reply_intent(record.mail_id):
            notice = notices.clarification(notices.form_link(self._base_url, mail.sender, record.mail_id))
            self._messenger.send_email(mail.sender, notice.subject, notice.text, record.mail_id)
            self._records.mark_reply_sent(record.mail_id)
        return self._records.get(record.mail_id).model_copy(
            update={"outcome": MailOutcome.NEEDS_CLARIFICATION.value, "reason": "no_clear_request"}
        )

    @staticmethod
    def _review(record: MailRecord, reason: ReviewReason) -> MailRecord:
        return record.model_copy(update={"outcome": MailOutcome.HUMAN_REVIEW.value, "reason": reason.value})


def _appeals_the_answer(request: RightsRequest, mail: ParsedMail) -> bool:
    """A reply to our answer under a law with appeals (a denial, a partial answer, an appeal),
    or any reply that says it appeals: an appeal, never silently filed with the request."""
    if request.status not in (Status.DENIED, Status.COMPLETED, Status.APPEALED, Status.APPEAL_DENIED):
        return False  # not answered yet: a reply adds to the request (a permission, a question)
    if _APPEAL_CUE.search(f"{mail.subject}\n{mail.new_text}"):
        return True
    if request.jurisdiction not in (Jurisdiction.US_STATE, Jurisdiction.OTHER):
        return False
    return request.status is not Status.COMPLETED or request.outcome is not Outcome.COMPLIED
