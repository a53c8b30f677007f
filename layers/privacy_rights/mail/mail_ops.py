"""What ops staff do with inbound mail: read the human-review queue (bulk-looking mail such as
data-removal services, spam verdicts, replies from a stranger), accept an item as the request
it is or dismiss it with a reason, see what was quarantined and why, and send dead-lettered
messages back through intake. Every action is audited with the operator's identity."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights.core.errors import NotInQueue, ValidationFailed
from privacy_rights.core.models import Jurisdiction, OptOutPurpose, RequestType, UsState
from privacy_rights.core.ports import DeadLetters, Mailbox, MailRecord, MailRecords, Requests
from privacy_rights.mail.inbound_mail import MailUnparseable, parse_mail
from privacy_rights.mail.mail_origin import MAIL_STREAM_PREFIX, origin_of

if TYPE_CHECKING:
    from privacy_rights.mail.email_intake import EmailIntakeService

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]
Queue = Literal["human_review", "needs_clarification", "quarantined"]
DEAD_LETTER_STREAM = "audit:mail-dead-letters"


class MailRow(BaseModel):
    mail_id: str
    received_at: datetime
    outcome: str | None
    reason: str | None
    flags: list[str]
    attachments: int
    request_ids: list[str]


class MailDetail(MailRow):
    sender: str | None
    sender_name: str | None
    subject: str
    text: str
    attachment_keys: list[str]
    refused_attachments: list[dict[str, Any]]
    queue: str | None
    closed_by: str | None
    closed_reason: str | None
    trail: list[dict[str, Any]]


class AcceptCommand(BaseModel):
    """The request(s) a reviewed email really is; the clock still runs from its receipt."""

    model_config = ConfigDict(extra="forbid")

    types: list[RequestType] = Field(min_length=1, max_length=len(RequestType))
    jurisdiction: Jurisdiction = Jurisdiction.OTHER
    us_state: UsState | None = None
    opt_out_of: list[OptOutPurpose] = Field(default_factory=list)
    #: what a withdrawal of consent names: ops read it in the mail, so it is never "all of them"
    consent_to_withdraw: list[OptOutPurpose] = Field(default_factory=list)
    reason: Reason

    @model_validator(mode="after")
    def _consistent(self) -> AcceptCommand:
        if (RequestType.OPT_OUT in self.types) != bool(self.opt_out_of):
            raise ValueError("opt_out_of goes with, and only with, type opt_out")
        if (RequestType.WITHDRAW_CONSENT in self.types) != bool(self.consent_to_withdraw):
            raise ValueError("consent_to_withdraw goes with, and only with, type withdraw_consent")
        if self.jurisdiction is Jurisdiction.US_STATE and self.us_state is None:
            raise ValueError("a us_state request names the state (us_state, e.g. VA)")
        return self


class DismissCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class ReplayDeadLettersCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
    limit: int = Field(default=100, ge=1, le=1000)


def _row(record: MailRecord) -> dict[str, Any]:
    return {
        "mail_id": record.mail_id,
        "received_at": record.received_at,
        "outcome": record.outcome,
        "reason": record.reason,
        "flags": record.flags,
        "attachments": len(record.attachment_keys),
        "request_ids": record.request_ids,
    }


class MailOpsService:
    def __init__(
        self,
        records: MailRecords,
        mailbox: Mailbox,
        intake: EmailIntakeService,
        store: Requests,
        dead_letters: DeadLetters,
    ) -> None:
        self._records = records
        self._mailbox = mailbox
        self._intake = intake
        self._store = store
        self._dead_letters = dead_letters

    def list(self, queue: Queue) -> list[MailRow]:
        return [MailRow.model_validate(_row(r)) for r in self._records.in_queue(queue)]

    def show(self, mail_id: str) -> MailDetail:
        record = self._records.get(mail_id)
        facts: dict[str, Any] = {"sender": None, "sender_name": None, "subject": "", "text": ""}
        if record.stored_key and record.reason not in ("too_large", "virus"):
            try:
                mail = parse_mail(self._mailbox.read(record.stored_key))
            except MailUnparseable:
                pass
            else:
                facts = {
                    "sender": mail.sender,
                    "sender_name": mail.sender_name,
                    "subject": mail.subject,
                    "text": mail.new_text[:4000],
                }
        trail = [
            {"at": e.at, "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in self._store.audit_entries(MAIL_STREAM_PREFIX + mail_id)
        ]
        return MailDetail.model_validate(
            _row(record)
            | facts
            | {
                "attachment_keys": record.attachment_keys,
                "refused_attachments": record.refused_attachments,
                "queue": record.queue,
                "closed_by": record.closed_by,
                "closed_reason": record.closed_reason,
                "trail": trail,
            }
        )

    def accept(self, mail_id: str, command: AcceptCommand, operator: str) -> dict[str, Any]:
        record = self._records.get(mail_id)
        if record.queue != "human_review" or not record.stored_key:
            raise NotInQueue(mail_id)
        mail = parse_mail(self._mailbox.read(record.stored_key))
        if mail.sender is None:
            raise ValidationFailed({"mail_id": "the email has no sender to verify"})
        origin = origin_of(record, mail)
        ids = [
            self._intake.create_request(
                origin,
                kind,
                command.jurisdiction,
                command.us_state,
                tuple(
                    command.consent_to_withdraw
                    if kind is RequestType.WITHDRAW_CONSENT
                    else command.opt_out_of
                ),
                actor=operator,
                extra={"accepted_from_review": True},
            )
            for kind in command.types
        ]
        closed = self._records.close(mail_id, "human_review", operator, command.reason, ids)
        self._audit(closed, operator, "mail.accepted", command.reason)
        return {"mail_id": mail_id, "request_ids": ids}

    def dismiss(self, mail_id: str, command: DismissCommand, operator: str) -> dict[str, Any]:
        record = self._records.get(mail_id)
        if record.queue is None:
            raise NotInQueue(mail_id)
        closed = self._records.close(mail_id, record.queue, operator, command.reason, [])
        self._audit(closed, operator, "mail.dismissed", command.reason)
        return {"mail_id": mail_id, "dismissed_from": record.queue}

    def dead_letters(self) -> dict[str, Any]:
        return {"count": self._dead_letters.count(), "sample": self._dead_letters.peek()}

    def replay_dead_letters(self, command: ReplayDeadLettersCommand, operator: str) -> dict[str, Any]:
        moved = self._dead_letters.replay(command.limit)
        self._store.ensure_stream(DEAD_LETTER_STREAM)
        self._store.record(
            DEAD_LETTER_STREAM,
            operator,
            "mail.dead_letters_replayed",
            {"moved": moved, "reason": command.reason},
        )
        return {"replayed": moved}

    def _audit(self, record: MailRecord, operator: str, action: str, reason: str) -> None:
        stream = MAIL_STREAM_PREFIX + record.mail_id
        self._store.ensure_stream(stream)
        self._store.record(stream, operator, action, {"reason": reason, "request_ids": record.request_ids})
