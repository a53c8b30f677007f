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


class _Stored(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

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


class RequestedCorrection(_Stored):
    """One correction the person asked for (``intake.Correction`` as stored)."""

    field: str
    corrected: str
    why: str = ""


_REQUEST_ID = TypeAdapter(str)
_NAMES = TypeAdapter(list[str])
_CORRECTIONS = TypeAdapter(list[RequestedCorrection])


def scope_decision_of(extra: Mapping[str, Any]) -> ScopeDecision | None:
    raw = extra.get(SCOPE_DECISION)
    return ScopeDecision.model_validate(raw) if raw else None


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
