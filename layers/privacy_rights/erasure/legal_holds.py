"""Legal holds: ops keep a subject's data, or a business customer's, from erasure while a legal
matter needs it (litigation, a regulator's inquiry). Deletion asks :meth:`HoldService.active_for`
and skips what a hold covers; releasing a hold lets ops replay the deletion step.

A subject is held by the keyed hashes of their identifiers only (every key of the ring, so a
rotation on either side still matches); the identifiers themselves are never stored. Every
placement and release is audited in the ``audit:legal-holds`` stream with the operator's identity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Annotated, Literal
from uuid import uuid4

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from privacy_rights.core.audit import DetailValue, _looks_like_a_raw_identifier
from privacy_rights.core.errors import IllegalTransition, ValidationFailed
from privacy_rights.core.identifiers import Email, Phone, normalize_email, normalize_phone
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.models import utc_now
from privacy_rights.core.ports import HoldRecords, KeyRingSource, Requests

HOLD_STREAM = "audit:legal-holds"
TENANT_COVER_PREFIX = "tenant#"
HOLD_ID_PATTERN = r"^hold_[0-9a-f]{32}$"

Scope = Literal["subject", "customer"]
HoldState = Literal["active", "expired", "released"]


def _no_raw_identifier(text: str) -> str:
    """Reasons and matters go to the audit trail, which holds references only."""
    if _looks_like_a_raw_identifier(text):
        raise ValueError("must not contain an email address or phone number")
    return text


Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=5, max_length=300),
    AfterValidator(_no_raw_identifier),
]
Matter = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_raw_identifier),
]
TenantId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class HoldAlreadyReleased(IllegalTransition):  # type: ignore[misc]  # mypy sees the package as Any
    """A second release of the same hold (409, as every illegal transition)."""

    public_message = "That hold was already released."

    def __init__(self, hold_id: str) -> None:
        super().__init__("released", "released", hold_id)


class PlaceHold(BaseModel):
    """Hold a subject (``email`` and/or ``phone``) or a business customer (``tenant_id``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email | None = None
    phone: Phone | None = None
    tenant_id: TenantId | None = Field(default=None, description="A business customer to hold whole.")
    reason: Reason = Field(description="Why the data must be kept; kept in the audit trail.")
    matter: Matter = Field(description="The case or inquiry reference.")
    until: date | None = Field(default=None, description="The last day of the hold, if it has one.")

    @model_validator(mode="after")
    def _one_scope(self) -> PlaceHold:
        subject = self.email is not None or self.phone is not None
        if subject == (self.tenant_id is not None):
            raise ValueError("hold either a subject (email and/or phone) or a customer (tenant_id)")
        if self.until is not None and self.until < utc_now().date():
            raise ValueError("until is in the past")
        return self


class ReleaseHold(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the hold ends; kept in the audit trail.")


class Hold(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    hold_id: str
    scope: Scope
    subject_keys: list[str] = Field(default_factory=list)  # keyed hashes, never identifiers
    tenant_id: str | None = None
    reason: str
    matter: str
    placed_by: str
    placed_at: datetime
    until: date | None = None
    released_at: datetime | None = None
    released_by: str | None = None
    release_reason: str | None = None

    @property
    def covers(self) -> list[str]:
        """What the hold covers, as the store indexes it: subject key hashes or ``tenant#<id>``."""
        if self.scope == "customer":
            return [TENANT_COVER_PREFIX + str(self.tenant_id)]
        return list(self.subject_keys)

    def state(self, today: date) -> HoldState:
        if self.released_at is not None:
            return "released"
        if self.until is not None and today > self.until:
            return "expired"
        return "active"

    def is_active(self, today: date) -> bool:
        return self.state(today) == "active"


class HoldService:
    def __init__(
        self,
        store: HoldRecords,
        keys: KeyRingSource,
        audit: Requests,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._keys = keys
        self._audit = audit
        self._clock = clock

    def subject_keys(self, email: str | None = None, phone: str | None = None) -> list[str]:
        """Every keyed hash (each key of the ring) of a subject's identifiers: what a hold stores
        and what :meth:`active_for` can be asked about. Raises ValueError on a bad identifier."""
        ring = self._keys.key_ring()
        found: list[str] = []
        if email:
            found += ring.all_digests(IdentifierKind.EMAIL, normalize_email(email))
        if phone:
            found += ring.all_digests(IdentifierKind.PHONE, normalize_phone(phone))
        return list(dict.fromkeys(found))

    def place(self, command: PlaceHold, operator: str) -> Hold:
        subject = command.tenant_id is None
        hold = Hold(
            hold_id="hold_" + uuid4().hex,
            scope="subject" if subject else "customer",
            subject_keys=self.subject_keys(command.email, command.phone) if subject else [],
            tenant_id=command.tenant_id,
            reason=command.reason,
            matter=command.matter,
            placed_by=operator,
            placed_at=self._clock(),
            until=command.until,
        )
        detail: dict[str, DetailValue] = {
            "hold_id": hold.hold_id,
            "scope": hold.scope,
            "matter": hold.matter,
            "reason": hold.reason,
            "until": hold.until.isoformat() if hold.until else None,
        }
        detail |= {"subject_keys": hold.subject_keys} if subject else {"tenant_id": hold.tenant_id}
        # Audited first: there is never a hold without its entry (nor one the audit refused).
        self._audit.ensure_stream(HOLD_STREAM)
        self._audit.record(HOLD_STREAM, operator, "hold.placed", detail)
        self._store.add(hold)
        return hold

    def release(self, hold_id: str, reason: str, operator: str) -> Hold:
        """Raises NotFound for an unknown hold, HoldAlreadyReleased for a second release."""
        try:
            command = ReleaseHold(reason=reason)
        except ValidationError as exc:
            raise ValidationFailed({"reason": str(exc.errors()[0]["msg"])}) from None
        hold = self._store.release(hold_id, self._clock(), operator, command.reason)
        self._audit.ensure_stream(HOLD_STREAM)
        self._audit.record(
            HOLD_STREAM,
            operator,
            "hold.released",
            {"hold_id": hold.hold_id, "scope": hold.scope, "matter": hold.matter, "reason": command.reason},
        )
        return hold

    def get(self, hold_id: str) -> Hold:
        return self._store.get(hold_id)

    def active_for(self, subject_keys: Iterable[str], tenant_ids: Iterable[str]) -> list[Hold]:
        """Active holds covering any of these subject key hashes or any of these tenants, oldest
        first. Pass :meth:`subject_keys` of the identifiers, or stored hashes (a request's
        ``subject_keys``): a hold carries the hashes of every key its ring had."""
        covers = [*subject_keys, *(TENANT_COVER_PREFIX + tenant for tenant in tenant_ids)]
        if not covers:
            return []
        today = self._clock().date()
        found = {hold.hold_id: hold for hold in self._store.covering(dict.fromkeys(covers))}
        return sorted(
            (hold for hold in found.values() if hold.is_active(today)), key=lambda hold: hold.placed_at
        )

    def list(self, active_only: bool = True) -> list[Hold]:
        """Newest first; ``active_only`` leaves out released holds and those past ``until``."""
        today = self._clock().date()
        holds = self._store.listed(include_released=not active_only)
        return [hold for hold in holds if not active_only or hold.is_active(today)]
