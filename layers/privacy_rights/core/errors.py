"""Domain errors. Each maps to one HTTP answer in ``http_errors`` and, for
state machine tasks, is raised by name so Retry/Catch can match it."""

from __future__ import annotations

from typing import Literal


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    #: A sentence safe to show a client or an operator: never exception text, never personal data.
    public_message = "The request could not be processed."


class ValidationFailed(DomainError):
    public_message = "The input is not valid."

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(sorted(errors)))
        self.errors = errors


class NotFound(DomainError):
    public_message = "Not found."


class IllegalTransition(DomainError):
    public_message = "The request cannot move to that state."

    def __init__(self, current: str, target: str, why: str = "") -> None:
        super().__init__(f"{current} -> {target}{': ' + why if why else ''}")
        self.current = current
        self.target = target


class CannotMove(IllegalTransition):
    """An ops action (a replay) that would not move the request. ``why`` is a sentence of ours
    (statuses, wait kinds, execution names; never input), answered beside the message."""

    public_message = "This action cannot move the request."

    def __init__(self, current: str, why: str) -> None:
        super().__init__(current, current, why)
        self.why = why


class Unauthenticated(DomainError):
    public_message = "Authentication required."


class ConcurrentModification(DomainError):
    """Somebody else changed the item since it was read; re-read and try again."""

    public_message = "The request changed while it was being updated; try again."


class ExtensionNotAllowed(DomainError):
    public_message = "The deadline cannot be extended."


class AuditChainBroken(DomainError):
    public_message = "The audit trail failed verification."


class PersonalDataInAudit(DomainError):
    """An audit entry would have carried a raw identifier; audit entries hold references only."""

    public_message = "Text kept in the audit trail must not contain an email address or phone number."


class SubjectBusy(DomainError):
    """Another request is acting on the same person; the step is retried later."""

    public_message = "Another request for the same person is being processed."


class WaitNotPending(DomainError):
    """No execution is waiting for that callback (already answered, or never asked)."""

    public_message = "The request is not waiting for that."


class CodeRejected(DomainError):
    public_message = "That code is not right."


class FactNotYet(DomainError):
    """A fact about a number's calls is looked at only once that number's code is proven."""

    public_message = (
        "Enter the code we sent to your phone number first; a fact about your calls then counts as one "
        "more proof."
    )


class CodeExpired(DomainError):
    public_message = "That code has expired; we have sent a new one."


class VerificationLocked(DomainError):
    public_message = "Too many wrong attempts: verification of this request is locked."


class TooManyCodes(DomainError):
    public_message = "Too many codes were asked for this address or number; try again tomorrow."


class RateLimited(DomainError):
    public_message = "Too many requests from here; try again later."


#: Why a text or call was not sent (``phone_messaging.GuardedMessenger``).
PhoneRefusal = Literal["number_type", "country", "number_daily_cap", "daily_budget"]


class PhoneMessageRefused(DomainError):
    """No SMS or call to this number: its type (premium rate, toll-free, VoIP, ...) or country
    takes none, it has had today's messages, or today's SMS and voice budget is spent. Callers
    record the message as withheld; nothing retries it."""

    public_message = "We cannot send a text message or call to this phone number now."

    def __init__(self, reason: PhoneRefusal) -> None:
        super().__init__(reason)
        self.reason: PhoneRefusal = reason


class PayloadTooLarge(DomainError):
    public_message = "The request body is too large."


class MessageNotSent(DomainError):
    """The provider answered a send with an error (throttled, rejected): nothing was sent, so
    the message may be sent again. Its code is the provider's error code, never the text."""

    public_message = "The message provider refused the message; nothing was sent."

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class TransientDependencyError(DomainError):
    """A dependency was throttled, timed out or answered 5xx: the step may be retried."""

    public_message = "A dependency is temporarily unavailable."


class NotInQueue(DomainError):
    """An inbound email someone already dealt with (accepted, dismissed, clarified)."""

    public_message = "That email is no longer waiting in that queue."


class ExportExpired(DomainError):
    """The export's download period is over (the service checks, whatever S3 still holds)."""

    public_message = "This download has expired. Ask again and we will prepare a new one."


class ErasureIncomplete(DomainError):
    """After erasing, a store still holds what it should not: the step fails, ops replay it."""

    public_message = "The erasure could not be confirmed yet."


class HeldSincePlanned(DomainError):
    """A legal hold was placed after the erasure was planned: nothing more is erased until ops
    plan it again, so that the held records are set aside."""

    public_message = "A legal hold now covers part of this erasure; plan it again."


class LakeObjectChanged(DomainError):
    """A lake file changed between the rewrite's read and its write (a concurrent writer): the
    write was refused (If-Match on the ETag read), nothing was lost; the state machine retries
    the file, which reads the new version."""

    public_message = "A file changed while it was being rewritten; it is tried again."


class LakeQueryFailed(TransientDependencyError):
    """Athena did not finish a query over the analytics lake (failed or cancelled)."""

    public_message = "The analytics lake could not be searched."
