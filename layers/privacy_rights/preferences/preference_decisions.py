"""What ops decide about preferences after the person asked, each audited and told to the person:

- compelling legitimate grounds that override an objection for one purpose (GDPR Art. 21(1));
  never for direct marketing (Art. 21(3)). Recorded before the objection is answered, the final
  answer says so; after, a notice of its own goes out, with the right to complain.
- the lift of a restriction (Art. 18(3)): the person is told first, with the date and the reason;
  the "may I process?" check keeps answering no until that date (``Mark.lift_at``), at least
  ``lift_notice_days`` after the notice went.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from privacy_rights.core import errors
from privacy_rights.core.models import RequestType, RightsRequest, Status, utc_now
from privacy_rights.core.ports import Requests
from privacy_rights.core.remedies import DenialDetail
from privacy_rights.core.request_results import ObjectionGrounds, RestrictionLift
from privacy_rights.preferences.objections import grounds_possible
from privacy_rights.preferences.preference_service import PreferenceService

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow

#: the notice went (or had gone): the person is told, the lift may be scheduled
TOLD = frozenset({"email", "sms", "voice", "already_sent"})
#: a request whose preferences were never carried out, or were taken back
NOT_IN_FORCE = frozenset({Status.DENIED, Status.CANCELED})

PersonsWords = Annotated[DenialDetail, StringConstraints(min_length=10)]


class GroundsCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")] = Field(
        description="The purpose objected to whose processing goes on (never marketing)."
    )
    grounds: PersonsWords = Field(
        description="The compelling legitimate grounds that override the person's interests: THE PERSON "
        "READS THEM (plain text, no links, no one's personal data). Kept in the audit trail."
    )


class GroundsRecorded(BaseModel):
    request_id: str
    purpose: str
    #: the subject's objection marks that now carry the grounds (0: not carried out yet)
    marks: int
    #: the person's notice: ``in_final_answer`` when the objection is not answered yet
    notice: str


class LiftCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: PersonsWords = Field(
        description="Why the restriction ends (e.g. the accuracy was verified): THE PERSON READS IT. "
        "Kept in the audit trail."
    )


class LiftAnnounced(BaseModel):
    request_id: str
    #: the date the person was told
    announced_lift_at: datetime
    #: when the marks let processing resume (None: not yet, the notice has not gone)
    lift_at: datetime | None
    marks: int
    notice: str


class PreferenceDecisionService:
    def __init__(
        self,
        store: Requests,
        preferences: PreferenceService,
        workflow: Workflow,
        lift_notice_days: int,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._preferences = preferences
        self._workflow = workflow
        self._days = timedelta(days=lift_notice_days)
        self._clock = clock

    # -- objection: compelling legitimate grounds ------------------------------------------------

    def record_grounds(self, request_id: str, command: GroundsCommand, operator: str) -> GroundsRecorded:
        request = self._store.get(request_id)
        if request.type is not RequestType.OBJECTION:
            raise errors.CannotMove(
                request.status, f"it is a request of type {request.type.value}, not an objection"
            )
        if request.status in NOT_IN_FORCE:
            raise errors.CannotMove(request.status, f"it is {request.status.value}: no objection is in force")
        purpose = command.purpose
        if not grounds_possible(purpose):
            raise errors.ValidationFailed(
                {
                    "purpose": "an objection to direct marketing always stops it (GDPR Art. 21(3)): "
                    "no grounds can override it"
                }
            )
        if purpose not in request.objected_to:
            named = ", ".join(request.objected_to) or "nothing"
            raise errors.ValidationFailed(
                {"purpose": f"{purpose} is not objected to in this request ({named})"}
            )
        recorded = request.objection_grounds.get(purpose)
        if recorded is None:
            grounds = ObjectionGrounds(
                grounds=command.grounds, operator=operator, recorded_at=self._clock().isoformat()
            )
            request = self._store.save(
                request.with_objection_grounds(purpose, grounds),
                operator,
                "objection.grounds_recorded",
                {"purpose": purpose, "grounds": command.grounds},
            )
        elif recorded.grounds != command.grounds:
            raise errors.CannotMove(
                request.status, f"grounds for {purpose} were recorded already, differently"
            )
        marks = self._preferences.record_grounds(request, purpose)
        if request.is_final:
            notice = self._workflow.announce_objection_grounds(request_id, purpose)
        else:
            notice = "in_final_answer"
        return GroundsRecorded(request_id=request_id, purpose=purpose, marks=marks, notice=notice)

    # -- restriction: lifted after the person is told ---------------------------------------------

    def lift_restriction(self, request_id: str, command: LiftCommand, operator: str) -> LiftAnnounced:
        request = self._store.get(request_id)
        if request.type is not RequestType.RESTRICTION:
            raise errors.CannotMove(
                request.status, f"it is a request of type {request.type.value}, not a restriction"
            )
        if request.status is not Status.COMPLETED:
            raise errors.CannotMove(
                request.status, f"it is {request.status.value}: only a restriction in force can be lifted"
            )
        lift = request.restriction_lift
        if lift is None:
            request = self._announced(request, command, operator)
            lift = request.restriction_lift
            assert lift is not None
        elif lift.reason != command.reason:
            raise errors.CannotMove(
                request.status, f"its lift was announced already, for {lift.lift_at[:10]}"
            )
        # Told first: the marks learn the lift time only once the notice went.
        notice = self._workflow.announce_restriction_lift(request_id)
        announced = datetime.fromisoformat(lift.lift_at)
        if notice not in TOLD:
            return LiftAnnounced(
                request_id=request_id, announced_lift_at=announced, lift_at=None, marks=0, notice=notice
            )
        # A notice that went late (a retry) still leaves the person the full notice period.
        lift_at = max(announced, self._clock() + self._days)
        marks = self._preferences.schedule_lift(request, lift_at)
        if marks:
            detail = {"lift_at": lift_at.isoformat(), "marks": marks, "notice": notice}
            self._store.record(request_id, operator, "restriction.lift_scheduled", detail)
        return LiftAnnounced(
            request_id=request_id, announced_lift_at=announced, lift_at=lift_at, marks=marks, notice=notice
        )

    def _announced(self, request: RightsRequest, command: LiftCommand, operator: str) -> RightsRequest:
        now = self._clock()
        lift = RestrictionLift(
            reason=command.reason,
            operator=operator,
            announced_at=now.isoformat(),
            lift_at=(now + self._days).isoformat(),
        )
        return self._store.save(
            request.with_restriction_lift(lift),
            operator,
            "restriction.lift_announced",
            {"lift_at": lift.lift_at, "reason": command.reason},
        )
