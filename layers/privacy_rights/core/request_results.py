"""The structured results a request keeps in ``RightsRequest.extra``, typed: the deletion receipt
(``extra["erasure"]``) and the export (``extra["export"]``).

Stored as before, as plain JSON objects under the same keys: a model dumps only the fields that
were set (a first run's receipt has no ``follow_up``), and keeps fields it does not know, so
requests stored before these models read back and write back unchanged. Read them through
``RightsRequest.erasure_receipt`` / ``RightsRequest.export_result``; write them with
``RightsRequest.with_erasure_receipt`` / ``with_export_result``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ERASURE = "erasure"
EXPORT = "export"


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
