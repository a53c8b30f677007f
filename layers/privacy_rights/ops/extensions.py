"""Extending a request's deadline: once, within the law's limit, before the first deadline
passes, with a reason the person is told together with the new date (CCPA §7021(b): 45 more
days; GDPR Art. 12(3): two more months; the US states: 45 more days). Opt-outs cannot be
extended. The notice goes through the workflow's notices (once, retried, settled by the
provider's record), so "extended" is only ever said with the person told."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.core import clocks, errors
from privacy_rights.core.models import Extension, RightsRequest, ShortText, utc_now
from privacy_rights.core.ports import Requests

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow


class ExtendCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ShortText = Field(
        description="Why more time is needed, in plain words: THE PERSON READS IT in the notice, and the "
        "audit keeps it. No personal data of anyone."
    )
    until: date | None = Field(
        default=None, description="The new due date; the latest the law allows when left out."
    )


class ExtensionGranted(BaseModel):
    request_id: str
    due: date
    new_due: date
    notice: str  # the notice's fate: sent, held for a retry, ...


class ExtensionService:
    def __init__(self, store: Requests, workflow: Workflow, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._workflow = workflow
        self._clock = clock

    def extend(self, request_id: str, command: ExtendCommand, operator: str) -> ExtensionGranted:
        request = self._store.get(request_id)
        if request.extension is None:
            request = self._granted(request, command, operator)
        elif request.extension.reason != command.reason or (
            command.until is not None and command.until != request.extension.new_due
        ):
            raise errors.CannotMove(
                request.status,
                f"it was extended already, to {request.extension.new_due}: the law allows once",
            )
        # A retry after the save (the notice not yet gone) sends it now; the notice goes once.
        outcome = self._workflow.announce_extension(request_id)
        new_due = request.current_due
        return ExtensionGranted(request_id=request_id, due=request.due, new_due=new_due, notice=outcome)

    def _granted(self, request: RightsRequest, command: ExtendCommand, operator: str) -> RightsRequest:
        if request.is_final:
            raise errors.CannotMove(
                request.status, f"it is {request.status.value}: there is nothing to extend"
            )
        today = clocks.receipt_date(self._clock(), request.jurisdiction)
        if today > request.due:
            raise errors.CannotMove(
                request.status,
                f"its deadline passed on {request.due}: an extension must be given, and the person told, "
                "before it",
            )
        try:
            new_due = clocks.extended_due(
                request.jurisdiction, request.type, request.received_at, command.until, request.us_state
            )
        except errors.ExtensionNotAllowed as refused:
            # our own sentence (dates and types, never input): said to the operator as it is
            raise errors.ValidationFailed({"until": str(refused)}) from None
        if new_due <= request.due:
            raise errors.ValidationFailed({"until": f"the new date must come after {request.due}"})
        extended = request.model_copy(
            update={"extension": Extension(extended_at=self._clock(), reason=command.reason, new_due=new_due)}
        )
        return self._store.save(
            extended,
            operator,
            "deadline.extended",
            {"from": request.due.isoformat(), "to": new_due.isoformat(), "reason": command.reason},
        )
