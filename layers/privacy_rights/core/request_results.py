"""The structured values a request keeps in ``RightsRequest.extra``, typed: the deletion receipt
(``extra["erasure"]``), the export (``extra["export"]``), the access scope decided and why
(``extra["scope_decision"]``), the earlier request a duplicate was joined to
(``extra["merged_into"]``), what an agent proved of its own contacts (``extra["requester_proven"]``),
and what the person stated at intake: the corrections asked (``extra["corrections"]``) and the
signed declaration (``extra["declaration"]``).

Stored as before, as plain JSON under the same keys: a model dumps only the fields that were set
(a first run's receipt has no ``follow_up``), and keeps fields it does not know, so requests
stored before these models read back and write back unchanged. Read them through
``RightsRequest``'s properties (``erasure_receipt``, ``export_result``, ``scope_decision``,
``merged_into``, ``requester_proven``, ``corrections``, ``declaration``); write them with its
``with_*`` methods (``intake_statement`` at intake). Never index ``extra`` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

ERASURE = "erasure"
EXPORT = "export"
SCOPE_DECISION = "scope_decision"
MERGED_INTO = "merged_into"
REQUESTER_PROVEN = "requester_proven"
CORRECTIONS = "corrections"
DECLARATION = "declaration"
NARROWED_TO = "narrowed_to"
CORRECTION = "correction"
CORRECTION_STATEMENT = "correction_statement"
#: the purposes an objection names (GDPR Art. 21), as the person named them at intake
OBJECTED_TO = "objected_to"
#: compelling legitimate grounds ops recorded against an objection: purpose -> grounds
OBJECTION_GROUNDS = "objection_grounds"
#: a restriction's lift ops announced (GDPR Art. 18(3)): when it takes effect, and why
RESTRICTION_LIFT = "restriction_lift"
#: what an opt-out or a withdrawal of consent did where it has effect: purpose -> result
OPT_OUT_EFFECTS = "opt_out_effects"


class _Stored(BaseModel):
    # defer_build: built when a handler first reads or writes one, not at every cold start
    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    def stored(self) -> dict[str, Any]:
        """The JSON object kept in ``extra``: exactly the fields that were set."""
        return self.model_dump(exclude_unset=True)


class ErasureReceipt(_Stored):
    """What a deletion erased, kept and left to others (``erasures/<id>/receipt.json`` too).
    After a hold ends, the follow-up run's receipt merges both runs (``follow_up`` counts them)."""

    # (fields in the order they are stored)
    request_id: str | None = None
    #: which run of the erasure (the request's replays when it ran); a follow-up is a new one
    run: int | None = None
    completed_at: str | None = None  # ISO 8601
    data_map_version: str | None = None
    stores: dict[str, dict[str, Any]]  # store -> its ``erase:<store>`` result
    held: list[dict[str, Any]] = Field(default_factory=list)  # store, hold_id, matter, records
    answered_by_the_business: list[dict[str, Any]] = Field(default_factory=list)
    earlier_exports_deleted: int = 0
    recipients: dict[str, Any] = Field(default_factory=dict)
    suppressed: bool = False
    backups_expire_by: str | None = None  # ISO date
    #: store, records: released records outside the scope ops narrowed the request to
    outside_scope: list[dict[str, Any]] = Field(default_factory=list)
    first_completed_at: str | None = None  # a follow-up: when the first run completed
    follow_up: int | None = None  # a follow-up: how many runs after the first

    @property
    def businesses(self) -> list[str]:
        return sorted({str(row["business"]) for row in self.answered_by_the_business if "business" in row})


class ExportResult(_Stored):
    """The packaged export: its key in the exports bucket and until when it can be downloaded."""

    key: str
    expires_at: str  # ISO 8601
    records: int = 0
    answered_by: list[str] = Field(default_factory=list)  # businesses answering the person directly
    #: released records left out by the scope ops narrowed the request to: store -> records
    outside_scope: dict[str, int] = Field(default_factory=dict)

    @property
    def expires(self) -> datetime:
        return datetime.fromisoformat(self.expires_at)


def erasure_receipt_of(extra: dict[str, Any]) -> ErasureReceipt | None:
    raw = extra.get(ERASURE)
    return ErasureReceipt.model_validate(raw) if raw else None


def export_result_of(extra: dict[str, Any]) -> ExportResult | None:
    raw = extra.get(EXPORT)
    return ExportResult.model_validate(raw) if raw else None


class ScopeDecision(_Stored):
    """Which answer a CCPA/US-state request to know gets, and why (7024(a), 7062): decided at
    verification, said in the final notice."""

    scope: Literal["categories", "specific_pieces"]  # ``models.AccessScope``'s values
    why: str


#: why released records outside a narrowed scope were left alone, as the person reads it
OUTSIDE_SCOPE_WHY = (
    "Your identifiers also led to these records, but our privacy team could not confirm that they are "
    "about you (a number or address that others share, for example), so this request did not act on "
    "them. If they are yours, reply to our message with what shows it and we will look at them again."
)


class NarrowedScope(_Stored):
    """What ops narrowed a flagged footprint to (``privacy-ops decide … narrow``): only the
    released records inside it are exported or erased; the others are left as they are, and the
    answer counts them with this reason. Each given dimension must hold: a record of another
    store, of another business (or the platform's own, when businesses are named) or without a
    date inside a date range is outside."""

    stores: list[str] = Field(default_factory=list)
    businesses: list[str] = Field(default_factory=list)  # tenant ids
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    reason: str

    def covers(self, pointer: Mapping[str, Any]) -> bool:
        if self.stores and pointer["store"] not in self.stores:
            return False
        if self.businesses and pointer.get("tenant_id") not in self.businesses:
            return False
        if self.since is None and self.until is None:
            return True
        day = str(pointer.get("happened_at") or "")[:10]
        if not day:
            return False
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def describe(self) -> str:
        """The scope in words, for the answer and the audit."""
        parts = []
        if self.stores:
            parts.append("records in " + ", ".join(self.stores))
        if self.businesses:
            parts.append("records held for " + ", ".join(self.businesses))
        if self.since or self.until:
            parts.append(f"dated {self.since or 'any time'} to {self.until or 'today'}")
        return "; ".join(parts) or "every record"


class RequestedCorrection(_Stored):
    """One correction the person asked for (``submission.Correction`` as stored)."""

    field: str
    corrected: str
    why: str = ""
    #: the value the person says we hold (empty: not given, e.g. by email)
    held: str = ""


CorrectionOutcome = Literal["applied", "not_correctable", "held_not_found", "denied", "answered_by_business"]


class CorrectionResult(_Stored):
    """What a correction did, per field asked and store (``extra["correction"]``, from the
    ledger's ``correction.apply``): never the values, only which fields and records."""

    completed_at: str | None = None  # ISO 8601
    data_map_version: str | None = None
    #: field, store, outcome (``CorrectionOutcome``), records, why (not applied), tenant_id
    changes: list[dict[str, Any]] = Field(default_factory=list)
    #: recipient or business -> how it was told (GDPR Art. 19, CCPA 7023(c))
    told: dict[str, Any] = Field(default_factory=dict)

    def rows(self, outcome: CorrectionOutcome) -> list[dict[str, Any]]:
        return [row for row in self.changes if row.get("outcome") == outcome]

    @property
    def denied_fields(self) -> list[str]:
        return sorted({str(row["field"]) for row in self.rows("denied")})


class CorrectionStatement(_Stored):
    """The person's statement about a correction denied (CCPA 7023(f)), kept with the record."""

    text: str
    added_at: str  # ISO 8601


def corrections_automatable(corrections: Iterable[RequestedCorrection]) -> bool:
    """Whether the workflow can carry the corrections out itself: each names a field and the
    value we hold (one sent by email does not: ops carry it out by hand)."""
    asked = list(corrections)
    return bool(asked) and all(c.field != "other" and c.held.strip() for c in asked)


def correction_result_of(extra: Mapping[str, Any]) -> CorrectionResult | None:
    raw = extra.get(CORRECTION)
    return CorrectionResult.model_validate(raw) if raw else None


def correction_statement_of(extra: Mapping[str, Any]) -> CorrectionStatement | None:
    raw = extra.get(CORRECTION_STATEMENT)
    return CorrectionStatement.model_validate(raw) if raw else None


_REQUEST_ID = TypeAdapter(str)
_NAMES = TypeAdapter(list[str])
_CORRECTIONS = TypeAdapter(list[RequestedCorrection])


def scope_decision_of(extra: Mapping[str, Any]) -> ScopeDecision | None:
    raw = extra.get(SCOPE_DECISION)
    return ScopeDecision.model_validate(raw) if raw else None


def narrowed_to_of(extra: Mapping[str, Any]) -> NarrowedScope | None:
    raw = extra.get(NARROWED_TO)
    return NarrowedScope.model_validate(raw) if raw else None


def merged_into_of(extra: Mapping[str, Any]) -> str | None:
    raw = extra.get(MERGED_INTO)
    return _REQUEST_ID.validate_python(raw) if raw else None


def requester_proven_of(extra: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(_NAMES.validate_python(extra.get(REQUESTER_PROVEN) or []))


def corrections_of(extra: Mapping[str, Any]) -> tuple[RequestedCorrection, ...]:
    return tuple(_CORRECTIONS.validate_python(extra.get(CORRECTIONS) or []))


def declaration_of(extra: Mapping[str, Any]) -> bool:
    return bool(extra.get(DECLARATION))


def intake_statement(declaration: bool, corrections: Iterable[RequestedCorrection]) -> dict[str, Any]:
    """What intake keeps of the person's statement, as ``extra`` entries."""
    return {DECLARATION: declaration, CORRECTIONS: [c.stored() for c in corrections]}


class ObjectionGrounds(_Stored):
    """Compelling legitimate grounds ops recorded for one purpose of an objection (Art. 21(1)):
    the person reads ``grounds``; ``operator`` stays in the audit and here for ops."""

    grounds: str
    operator: str
    recorded_at: str  # ISO 8601


class RestrictionLift(_Stored):
    """A restriction's lift announced to the person (Art. 18(3)): it takes effect at ``lift_at``."""

    reason: str
    operator: str
    announced_at: str  # ISO 8601
    lift_at: str  # ISO 8601


def objected_to_of(extra: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(purpose) for purpose in extra.get(OBJECTED_TO) or ())


def objection_grounds_of(extra: Mapping[str, Any]) -> dict[str, ObjectionGrounds]:
    return {
        str(purpose): ObjectionGrounds.model_validate(value)
        for purpose, value in (extra.get(OBJECTION_GROUNDS) or {}).items()
    }


def restriction_lift_of(extra: Mapping[str, Any]) -> RestrictionLift | None:
    value = extra.get(RESTRICTION_LIFT)
    return RestrictionLift.model_validate(value) if value else None


def opt_out_effects_of(extra: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Per purpose, the ledger's ``opt_out_effect:<purpose>`` result, as the answer reads it."""
    return {str(purpose): dict(result) for purpose, result in (extra.get(OPT_OUT_EFFECTS) or {}).items()}
