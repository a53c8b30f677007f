"""The rights request and the vocabulary around it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from privacy_rights.core.identifiers import Email, Phone
from privacy_rights.core.request_results import (
    CORRECTION,
    CORRECTION_STATEMENT,
    ERASURE,
    EXPORT,
    MERGED_INTO,
    NARROWED_TO,
    OBJECTED_TO,
    OBJECTION_GROUNDS,
    OPT_OUT_EFFECTS,
    REQUESTER_PROVEN,
    RESTRICTION_LIFT,
    SCOPE_DECISION,
    CorrectionResult,
    CorrectionStatement,
    ErasureReceipt,
    ExportResult,
    NarrowedScope,
    ObjectionGrounds,
    RequestedCorrection,
    RestrictionLift,
    ScopeDecision,
    correction_result_of,
    correction_statement_of,
    corrections_of,
    declaration_of,
    erasure_receipt_of,
    export_result_of,
    merged_into_of,
    narrowed_to_of,
    objected_to_of,
    objection_grounds_of,
    opt_out_effects_of,
    requester_proven_of,
    restriction_lift_of,
    scope_decision_of,
)
from privacy_rights.core.tokens import new_nonce


class RequestType(StrEnum):
    ACCESS = "access"
    PORTABILITY = "portability"
    DELETION = "deletion"
    CORRECTION = "correction"
    RESTRICTION = "restriction"
    OBJECTION = "objection"
    OPT_OUT = "opt_out"
    #: GDPR Art. 7(3): consent withdrawn for purposes the data map bases on consent
    WITHDRAW_CONSENT = "withdraw_consent"


class Jurisdiction(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"
    US_STATE = "us_state"
    OTHER = "other"


class Channel(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    OPS = "ops"
    CUSTOMER = "customer"


class RequesterRole(StrEnum):
    SUBJECT = "subject"
    AUTHORIZED_AGENT = "authorized_agent"
    PARENT_OR_GUARDIAN = "parent_or_guardian"


class Status(StrEnum):
    RECEIVED = "received"
    AWAITING_VERIFICATION = "awaiting_verification"
    NEEDS_CLARIFICATION = "needs_clarification"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    AWAITING_DECISION = "awaiting_decision"
    COMPLETED = "completed"
    DENIED = "denied"
    CANCELED = "canceled"
    FAILED = "failed"
    APPEALED = "appealed"
    APPEAL_DENIED = "appeal_denied"


class Outcome(StrEnum):
    COMPLIED = "complied"
    PARTIALLY_COMPLIED = "partially_complied"
    NOTHING_HELD = "nothing_held"


class DenialReason(StrEnum):
    UNVERIFIABLE = "unverifiable"
    EXEMPT = "exempt"
    NOT_A_CONSUMER = "not_a_consumer"
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    EXCESSIVE = "excessive"
    AGENT_NOT_AUTHORIZED = "agent_not_authorized"
    CUSTOMER_INSTRUCTION = "customer_instruction"


class AppealDecision(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"


class AccessScope(StrEnum):
    """CCPA distinguishes a request to know categories from one for specific pieces (§7024)."""

    CATEGORIES = "categories"
    SPECIFIC_PIECES = "specific_pieces"


class OptOutPurpose(StrEnum):
    SALE_SHARE = "sale_share"
    TARGETED_ADS = "targeted_ads"
    AI_TRAINING = "ai_training"
    MARKETING = "marketing"
    SENSITIVE_PI = "sensitive_pi"
    #: a call recorded on the caller's consent: withdrawn, new calls are not recorded (issue 17)
    RECORDING = "recording"


#: US states, DC and territories: where a ``us_state`` request may come from.
US_STATES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
        "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
        "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
        "VT", "VA", "WA", "WV", "WI", "WY", "AS", "GU", "MP", "PR", "UM", "VI",
    }
)  # fmt: skip


def _us_state(value: str) -> str:
    if value not in US_STATES:
        raise ValueError("not a US state or territory code (two letters, e.g. VA)")
    return value


UsState = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_us_state)]

#: The actor named in the audit trail for what the state machine's steps do.
WORKFLOW_ACTOR = "workflow"

FINAL_STATUSES = frozenset({Status.COMPLETED, Status.DENIED, Status.CANCELED, Status.APPEAL_DENIED})

_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _single_line(value: str) -> str:
    if _ANY_CONTROL.search(value):
        raise ValueError("contains control characters")
    return value


def _printable(value: str) -> str:
    if _CONTROL_BUT_LINE_BREAKS.search(value):
        raise ValueError("contains control characters")
    return value


#: A name or label: one line, no control characters.
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_single_line)
]
#: Free text from a person: line breaks and tabs allowed, other control characters refused.
FreeText = Annotated[str, StringConstraints(max_length=4000), AfterValidator(_printable)]


def new_request_id() -> str:
    """128 bits from ``secrets``: an id nobody can guess or enumerate."""
    return "req_" + secrets.token_urlsafe(16)


def utc_now() -> datetime:
    return datetime.now(UTC)


class SubjectIdentifiers(BaseModel):
    """Who the request is about. Email and phone are stored normalized, so every
    comparison and every keyed hash sees one spelling of each identifier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email: Email | None = None
    phone: Phone | None = None
    name: ShortText | None = None
    account_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    phone_held_since: date | None = None

    @model_validator(mode="after")
    def _at_least_one_contact(self) -> SubjectIdentifiers:
        if not self.email and not self.phone:
            raise ValueError("give at least one of email or phone")
        if self.phone_held_since is not None and not self.phone:
            raise ValueError("phone_held_since needs a phone number")
        return self


class Requester(BaseModel):
    """Someone asking on the subject's behalf; absent when the subject asks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: RequesterRole
    name: ShortText
    email: Email | None = None
    phone: Phone | None = None
    power_of_attorney: bool = False

    @model_validator(mode="after")
    def _reachable(self) -> Requester:
        if self.role is RequesterRole.SUBJECT:
            raise ValueError("a requester block is for an agent or a guardian, not the subject")
        if not self.email and not self.phone:
            raise ValueError("give the requester's email or phone")
        return self


class Extension(BaseModel):
    model_config = ConfigDict(frozen=True)

    extended_at: datetime
    reason: ShortText
    new_due: date


class Denial(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: DenialReason
    exemption: ShortText | None = None
    detail: Annotated[str, StringConstraints(max_length=1000)] = ""

    @model_validator(mode="after")
    def _exemption_named(self) -> Denial:
        if self.reason is DenialReason.EXEMPT and not self.exemption:
            raise ValueError("an exempt denial names the exception")
        return self


class Appeal(BaseModel):
    model_config = ConfigDict(frozen=True)

    filed_at: datetime
    due: date
    decision: AppealDecision | None = None
    decided_at: datetime | None = None
    explanation: str = ""
    #: what the person wrote with the appeal (status page or mail), for ops to read
    statement: str = ""
    #: how it was filed: ``status_page``, ``email_reply`` or ``email``
    via: str = ""


class StoreCount(BaseModel):
    """What resolution found in one store for one controller: counts, never data."""

    model_config = ConfigDict(frozen=True)

    store: str
    controller: str
    tenant_id: str | None = None
    released: int = 0
    not_released: int = 0
    not_released_reasons: dict[str, int] = Field(default_factory=dict)


class ResolutionSummary(BaseModel):
    """The subject's footprint across the data map, recorded on the request before anything is
    released, changed or erased. The record pointers themselves are in the work bucket."""

    model_config = ConfigDict(frozen=True)

    data_map_version: str
    resolved_at: datetime
    identifiers: list[dict[str, Any]]
    counts: list[StoreCount]
    total_records: int
    released_records: int
    tenants: list[str]
    flags: list[str] = Field(default_factory=list)
    pointers_key: str | None = None
    api_calls: dict[str, int] = Field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


class FailureRecord(BaseModel):
    """Which step failed and why, in words safe to show ops (never exception text with data)."""

    model_config = ConfigDict(frozen=True)

    step: str
    error: str
    cause: str = ""
    at: datetime
    #: where a replay puts the request back
    status_before: Status | None = None


class RightsRequest(BaseModel):
    """One request, as stored. ``version`` guards every write (optimistic locking)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    request_id: str = Field(default_factory=new_request_id)
    type: RequestType
    jurisdiction: Jurisdiction
    us_state: UsState | None = None
    subject: SubjectIdentifiers
    channel: Channel
    requester: Requester | None = None
    scope: AccessScope | None = None
    opt_out_of: tuple[OptOutPurpose, ...] = ()
    details: FreeText = ""
    failure: FailureRecord | None = None
    #: identifier kinds the requester has proven control of (``email``, ``phone``, ``account_id``)
    proven_identifiers: tuple[str, ...] = ()
    resolution: ResolutionSummary | None = None
    #: how many times ops replayed the workflow (executions are named ``{request_id}-r{n}``)
    replays: int = 0
    received_at: datetime = Field(default_factory=utc_now)
    acknowledge_by: date | None = None
    due: date
    extension: Extension | None = None
    status: Status = Status.RECEIVED
    outcome: Outcome | None = None
    denial: Denial | None = None
    appeal: Appeal | None = None
    status_changed_at: datetime = Field(default_factory=utc_now)
    #: with the key ring, makes the status token (see ``tokens``); changing it revokes links
    status_nonce: str = Field(default_factory=new_nonce)
    #: keyed hashes of the subject's identifiers by kind (``email``, ``phone``), never the values
    subject_keys: dict[str, str] = Field(default_factory=dict)
    version: int = 0
    extra: dict[str, Any] = Field(default_factory=dict)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def current_due(self) -> date:
        return self.extension.new_due if self.extension else self.due

    @property
    def requester_role(self) -> RequesterRole:
        return self.requester.role if self.requester else RequesterRole.SUBJECT

    @property
    def erasure_receipt(self) -> ErasureReceipt | None:
        """The deletion receipt (``extra["erasure"]``), once a deletion was verified."""
        return erasure_receipt_of(self.extra)

    @property
    def export_result(self) -> ExportResult | None:
        """The packaged export (``extra["export"]``)."""
        return export_result_of(self.extra)

    def with_erasure_receipt(self, receipt: ErasureReceipt) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, ERASURE: receipt.stored()}})

    def with_export_result(self, export: ExportResult) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, EXPORT: export.stored()}})

    @property
    def scope_decision(self) -> ScopeDecision | None:
        """Which answer a request to know gets, and why (``extra["scope_decision"]``)."""
        return scope_decision_of(self.extra)

    def with_scope_decision(self, decision: ScopeDecision) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, SCOPE_DECISION: decision.stored()}})

    @property
    def narrowed_to(self) -> NarrowedScope | None:
        """The scope ops narrowed a flagged footprint to (``extra["narrowed_to"]``)."""
        return narrowed_to_of(self.extra)

    def with_narrowed_to(self, scope: NarrowedScope) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, NARROWED_TO: scope.stored()}})

    @property
    def merged_into(self) -> str | None:
        """The earlier request this verified duplicate was joined to (``extra["merged_into"]``)."""
        return merged_into_of(self.extra)

    def with_merged_into(self, request_id: str) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, MERGED_INTO: request_id}})

    @property
    def requester_proven(self) -> tuple[str, ...]:
        """What an agent proved of its own contacts (``extra["requester_proven"]``), never the
        person's."""
        return requester_proven_of(self.extra)

    def with_requester_proven(self, kinds: Iterable[str]) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, REQUESTER_PROVEN: sorted(kinds)}})

    @property
    def corrections(self) -> tuple[RequestedCorrection, ...]:
        """The corrections asked at intake (``extra["corrections"]``)."""
        return corrections_of(self.extra)

    @property
    def correction_result(self) -> CorrectionResult | None:
        """What a correction did, per field and store (``extra["correction"]``)."""
        return correction_result_of(self.extra)

    def with_correction_result(self, result: CorrectionResult) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, CORRECTION: result.stored()}})

    @property
    def correction_statement(self) -> CorrectionStatement | None:
        """The person's statement about a denied correction (``extra["correction_statement"]``)."""
        return correction_statement_of(self.extra)

    def with_correction_statement(self, statement: CorrectionStatement) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, CORRECTION_STATEMENT: statement.stored()}})

    @property
    def objected_to(self) -> tuple[str, ...]:
        """The purposes an objection names (``extra["objected_to"]``)."""
        return objected_to_of(self.extra)

    def with_objected_to(self, purposes: Iterable[str]) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, OBJECTED_TO: list(purposes)}})

    @property
    def objection_grounds(self) -> dict[str, ObjectionGrounds]:
        """Compelling grounds ops recorded, per purpose objected to (``extra["objection_grounds"]``)."""
        return objection_grounds_of(self.extra)

    def with_objection_grounds(self, purpose: str, grounds: ObjectionGrounds) -> RightsRequest:
        recorded = {name: value.stored() for name, value in self.objection_grounds.items()}
        extra = {**self.extra, OBJECTION_GROUNDS: {**recorded, purpose: grounds.stored()}}
        return self.model_copy(update={"extra": extra})

    @property
    def opt_out_effects(self) -> dict[str, dict[str, Any]]:
        """What each opt-out (or withdrawal) did where it has effect (``extra["opt_out_effects"]``)."""
        return opt_out_effects_of(self.extra)

    def with_opt_out_effects(self, effects: Mapping[str, Mapping[str, Any]]) -> RightsRequest:
        stored = {purpose: dict(result) for purpose, result in effects.items()}
        return self.model_copy(update={"extra": {**self.extra, OPT_OUT_EFFECTS: stored}})

    @property
    def restriction_lift(self) -> RestrictionLift | None:
        """The lift of this restriction ops announced (``extra["restriction_lift"]``)."""
        return restriction_lift_of(self.extra)

    def with_restriction_lift(self, lift: RestrictionLift) -> RightsRequest:
        return self.model_copy(update={"extra": {**self.extra, RESTRICTION_LIFT: lift.stored()}})

    @property
    def declaration(self) -> bool:
        """The declaration under penalty of perjury signed at intake (``extra["declaration"]``)."""
        return declaration_of(self.extra)
