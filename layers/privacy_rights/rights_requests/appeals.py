"""Appeals (US state privacy laws: Va. Code § 59.1-578(C), Colo. Rev. Stat. § 6-1-1306(3) and
the laws modelled on them): a person whose request was denied, or complied with only in part,
may appeal within ``remedies.APPEAL_WINDOW`` of the answer; we decide within 60 days (45 in
Colorado) and tell them in writing why; a denied appeal names their attorney general.

Filed three ways, each opening the same appeal: the status page (the holder of the status token),
a reply to our answer from the request's own address, or a mail that says it appeals a request
(by its reference) from that address. ``other`` requests (the state not yet known) may appeal:
their answer told them so. GDPR has complaints to a supervisory authority, CCPA none: no appeal.

Ops decide (``privacy-ops appeal``). Granted: the request goes back to ``in_progress`` with the
earlier answer cleared, for ops to carry out: ``privacy-ops replay REQUEST_ID --step <the step
that denied> --reason …`` runs the workflow again, or they complete it by hand; the stalled-request
check counts it until they do. Denied: ``appeal_denied``, final. Every filing and decision is
audited (never the statement's text: it stays on the request); the person gets a notice of each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from privacy_rights.core import clocks, errors
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import (
    Appeal,
    AppealDecision,
    FreeText,
    Jurisdiction,
    RightsRequest,
    ShortText,
    Status,
    utc_now,
)
from privacy_rights.core.ports import KeyRingSource, Requests
from privacy_rights.core.remedies import DenialDetail
from privacy_rights.rights_requests.appeal_rules import why_not_appealable
from privacy_rights.rights_requests.request_access import authorized_request

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow

STATEMENT_MAX_CHARS = 2000
FiledVia = Literal["status_page", "email_reply", "email"]
#: who files, in the audit: the person (or their agent), never an address
REQUESTER = "requester"

AppealStatement = Annotated[FreeText, StringConstraints(max_length=STATEMENT_MAX_CHARS)]


class FileAppeal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: AppealStatement = Field(
        default="", description="Why the person disagrees with the answer, in their words (optional)."
    )


class AppealFiled(BaseModel):
    request_id: str
    status: Status
    #: the appeal is decided, and the person told why, by then
    appeal_due: date
    notice: str  # the acknowledgement's fate: sent, held for a retry, already_sent...


class DecideAppeal(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: AppealDecision
    explanation: DenialDetail = Field(
        min_length=1,
        description="The written explanation of the decision: THE PERSON READS IT (plain text, no links, "
        "no contact details).",
    )
    reason: ShortText = Field(description="For the audit: why ops decided so (the person does not read it).")


class AppealDecided(BaseModel):
    request_id: str
    status: Status
    decision: AppealDecision
    #: decided after the appeal's due date (the law's deadline was missed)
    late: bool
    notice: str
    #: what ops do next, in words
    next: str


class AppealService:
    def __init__(
        self,
        store: Requests,
        keys: KeyRingSource,
        workflow: Workflow,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._keys = keys
        self._workflow = workflow
        self._clock = clock

    # -- filing ----------------------------------------------------------------------------

    def file_with_token(self, request_id: str, presented_token: str, command: FileAppeal) -> AppealFiled:
        """The status page's "Appeal this decision": the holder of the status token only."""
        request = authorized_request(self._store, self._keys.key_ring(), request_id, presented_token)
        return self.file(request, command.statement, "status_page", {})

    def refusal(self, request: RightsRequest) -> str | None:
        """Why ``request`` cannot be appealed now; None when it can (or is, by this same filing)."""
        if (
            request.status is Status.APPEALED
            and request.appeal is not None
            and request.appeal.decision is None
        ):
            return None  # filed already: a second filing finds the first
        return why_not_appealable(request, self._today(request))

    def file(
        self, request: RightsRequest, statement: str, via: FiledVia, detail: dict[str, str]
    ) -> AppealFiled:
        """Open the appeal (once; a second filing of an open appeal finds it) and acknowledge it.
        ``detail``: audit fields of the caller (a mail id), never personal data."""
        pending = request.appeal if request.status is Status.APPEALED else None
        if pending is None or pending.decision is not None:
            why = why_not_appealable(request, self._today(request))
            if why is not None:
                self._store.record(
                    request.request_id, REQUESTER, "appeal.refused", {"via": via, "why": why, **detail}
                )
                raise errors.CannotMove(request.status, why)
            now = self._clock()
            appeal = Appeal(
                filed_at=now,
                due=clocks.appeal_due(now, request.us_state),
                statement=statement[:STATEMENT_MAX_CHARS],
                via=via,
            )
            request = self._store.save(
                transition(request, Status.APPEALED, appeal=appeal, at=now),
                REQUESTER,
                "appeal.filed",
                {
                    "via": via,
                    "due": appeal.due.isoformat(),
                    "statement_chars": len(appeal.statement),
                    **detail,
                },
            )
        else:
            self._store.record(request.request_id, REQUESTER, "appeal.filed_again", {"via": via, **detail})
        assert request.appeal is not None
        notice = self._workflow.announce_appeal(request.request_id)
        return AppealFiled(
            request_id=request.request_id, status=request.status, appeal_due=request.appeal.due, notice=notice
        )

    # -- deciding ----------------------------------------------------------------------------

    def decide(self, request_id: str, command: DecideAppeal, operator: str) -> AppealDecided:
        request = self._store.get(request_id)
        appeal = request.appeal
        if appeal is None:
            raise errors.CannotMove(request.status, "it has no appeal to decide")
        if appeal.decision is None:
            if request.status is not Status.APPEALED:
                raise errors.CannotMove(request.status, f"it is {request.status.value}: no appeal is open")
            request = self._decided(request, appeal, command, operator)
        elif appeal.decision is not command.decision or appeal.explanation != command.explanation:
            raise errors.CannotMove(
                request.status, f"its appeal was {appeal.decision.value} already: an appeal is decided once"
            )
        # A retry after the save (the notice not yet gone) sends it now; the notice goes once.
        notice = self._workflow.announce_appeal_decision(request_id)
        decided = request.appeal
        assert decided is not None
        assert decided.decision is not None
        granted = decided.decision is AppealDecision.GRANTED
        return AppealDecided(
            request_id=request_id,
            status=request.status,
            decision=decided.decision,
            late=self._late(request, decided),
            notice=notice,
            next=(
                "carry the request out: privacy-ops replay REQUEST_ID --step <the step that denied> "
                "--reason '…', or complete it by hand; the person is told when it is done"
                if granted
                else "nothing: the request is closed; the person was told how to contact the attorney general"
            ),
        )

    def _decided(
        self, request: RightsRequest, appeal: Appeal, command: DecideAppeal, operator: str
    ) -> RightsRequest:
        now = self._clock()
        decided = appeal.model_copy(
            update={"decision": command.decision, "decided_at": now, "explanation": command.explanation}
        )
        granted = command.decision is AppealDecision.GRANTED
        target = Status.IN_PROGRESS if granted else Status.APPEAL_DENIED
        moved = transition(request.model_copy(update={"appeal": decided}), target, at=now)
        return self._store.save(
            moved,
            operator,
            "appeal.granted" if granted else "appeal.denied",
            {
                "reason": command.reason,
                "due": appeal.due.isoformat(),
                "late": self._late(request, decided),
                "explanation_chars": len(command.explanation),
            },
        )

    def _late(self, request: RightsRequest, appeal: Appeal) -> bool:
        assert appeal.decided_at is not None
        return clocks.receipt_date(appeal.decided_at, Jurisdiction.US_STATE) > appeal.due

    def _today(self, request: RightsRequest) -> date:
        return clocks.receipt_date(self._clock(), request.jurisdiction)
