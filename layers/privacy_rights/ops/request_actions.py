"""What ops read about a request before the actions that follow its answer, as the ops API's
request detail (``RequestDetail``) gives them and the console offers each action only when it
applies: a correction's planned changes to review and its supporting documents; an objection's
purposes and the grounds recorded; a restriction's lift, announced and scheduled; what a deletion
kept back under a legal hold, to erase once the hold is released.

Values a person gave are shown as the request detail shows the subject: contact details masked
(enough to recognise them, not to copy them around); the audit and the ledger keep no values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from privacy_rights.core import ledger_steps
from privacy_rights.core.identifiers import mask_email, mask_phone
from privacy_rights.core.models import RequestType, RightsRequest
from privacy_rights.core.ports import PermissionDocument, PermissionDocuments, WorkDocuments
from privacy_rights.core.request_results import ObjectionGrounds, RestrictionLift
from privacy_rights.preferences.objections import grounds_possible

if TYPE_CHECKING:
    from privacy_rights.core.audit import AuditEntry

#: the audit entry ``PreferenceDecisionService.lift_restriction`` writes once the person was told
LIFT_SCHEDULED = "restriction.lift_scheduled"


class AskedChange(BaseModel):
    """One change the person asked for: the field, the value they say we hold, the value wanted."""

    field: str
    held: str
    corrected: str
    why: str = ""


class PlannedChange(BaseModel):
    """Records of one store whose field the correction would change (ops may deny the field)."""

    field: str
    store: str
    records: int


class CorrectionView(BaseModel):
    asked: list[AskedChange]
    #: what the plan would change, per field and store (None: not planned yet, or by hand)
    planned: list[PlannedChange] | None = None
    #: what the plan leaves unchanged and why: field, store, outcome, why
    not_planned: list[dict[str, Any]] = Field(default_factory=list)
    #: the person's supporting documents (``permissions/correction-evidence/<id>/``): key, size,
    #: kind, or why a file does not count
    evidence: list[dict[str, Any]] = Field(default_factory=list)


class ObjectionView(BaseModel):
    objected_to: list[str]
    #: the purposes ops may still record compelling grounds for: objected to, not direct
    #: marketing (GDPR Art. 21(3): never), no grounds recorded yet
    grounds_possible: list[str]
    grounds: dict[str, ObjectionGrounds] = Field(default_factory=dict)


class RestrictionView(BaseModel):
    #: the lift announced to the person (reason, by whom, when, the date it takes effect)
    lift: RestrictionLift | None = None
    #: when processing resumes, once the person's notice went (None: not scheduled yet)
    lift_scheduled_at: datetime | None = None


def document_rows(documents: Iterable[PermissionDocument]) -> list[dict[str, Any]]:
    return [
        {
            "key": document.key,
            "size": document.size,
            "kind": document.kind.value if document.kind else None,
            "refused": document.refusal.value if document.refusal else None,
        }
        for document in documents
    ]


def _shown(field: str, value: str) -> str:
    if not value:
        return ""
    if field == "email":
        return mask_email(value)
    if field == "phone":
        return mask_phone(value)
    return value


def correction_view(
    request: RightsRequest,
    ledger: Mapping[str, Any],
    work: WorkDocuments | None,
    permissions: PermissionDocuments | None,
) -> CorrectionView | None:
    if request.type is not RequestType.CORRECTION:
        return None
    asked = [
        AskedChange(
            field=c.field, held=_shown(c.field, c.held), corrected=_shown(c.field, c.corrected), why=c.why
        )
        for c in request.corrections
    ]
    planned: list[PlannedChange] | None = None
    not_planned: list[dict[str, Any]] = []
    fixed = ledger.get(ledger_steps.CORRECTION_PLAN)
    if work is not None and isinstance(fixed, Mapping) and not fixed.get("by_hand") and "changes" in fixed:
        plan = work.get_json(f"corrections/{request.request_id}/plan.json")
        counts: dict[tuple[str, str], int] = {}
        for change in plan.get("changes", []):
            where = (str(change["field"]), str(change["store"]))
            counts[where] = counts.get(where, 0) + 1
        planned = [PlannedChange(field=f, store=s, records=n) for (f, s), n in sorted(counts.items())]
        not_planned = [
            {k: row.get(k) for k in ("field", "store", "outcome", "why") if row.get(k) is not None}
            for row in plan.get("rows", [])
        ]
    evidence = document_rows(permissions.evidence(request.request_id)) if permissions is not None else []
    return CorrectionView(asked=asked, planned=planned, not_planned=not_planned, evidence=evidence)


def objection_view(request: RightsRequest) -> ObjectionView | None:
    if request.type is not RequestType.OBJECTION:
        return None
    recorded = request.objection_grounds
    return ObjectionView(
        objected_to=list(request.objected_to),
        grounds_possible=[p for p in request.objected_to if grounds_possible(p) and p not in recorded],
        grounds=recorded,
    )


def restriction_view(request: RightsRequest, audit: Iterable[AuditEntry]) -> RestrictionView | None:
    if request.type is not RequestType.RESTRICTION:
        return None
    scheduled = [entry.detail.get("lift_at") for entry in audit if entry.action == LIFT_SCHEDULED]
    at = scheduled[-1] if scheduled else None
    return RestrictionView(
        lift=request.restriction_lift,
        lift_scheduled_at=datetime.fromisoformat(at) if isinstance(at, str) else None,
    )


def held_back(request: RightsRequest) -> list[dict[str, Any]]:
    """What a deletion kept back under a hold (store, hold_id, matter, records): ``erase-held``
    erases it once the hold is released (records still under an active hold stay held)."""
    receipt = request.erasure_receipt
    if request.type is not RequestType.DELETION or receipt is None:
        return []
    return [dict(row) for row in receipt.held]
