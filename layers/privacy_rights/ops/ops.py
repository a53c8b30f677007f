"""What privacy operations staff do: find requests, see one whole, replay a failed one,
decide a waiting one, take one by phone, cancel one. Every action is audited with the
operator's IAM identity and the reason given."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights.businesses.business_instructions import released_pointers
from privacy_rights.core import errors, ledger_steps
from privacy_rights.core.documents import CORRECTION_EVIDENCE_PREFIX
from privacy_rights.core.identifiers import mask_email, mask_phone
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import (
    FINAL_STATUSES,
    Appeal,
    Channel,
    DenialReason,
    Outcome,
    RequestType,
    ResolutionSummary,
    RightsRequest,
    Status,
    utc_now,
)
from privacy_rights.core.ports import (
    ExecutionHistory,
    ObjectLinks,
    PermissionDocuments,
    Requests,
    WorkDocuments,
    WorkflowStarter,
)
from privacy_rights.core.remedies import DenialDetail
from privacy_rights.core.request_results import NarrowedScope
from privacy_rights.erasure.follow_up import HeldErasure
from privacy_rights.ops.request_actions import (
    CorrectionView,
    ObjectionView,
    RestrictionView,
    correction_view,
    document_rows,
    held_back,
    objection_view,
    restriction_view,
)
from privacy_rights.ops.story import Story, build_story
from privacy_rights.orchestration.verdicts import Verdict, WaitKind

if TYPE_CHECKING:
    from collections.abc import Callable

    from privacy_rights.orchestration.workflow import Workflow
    from privacy_rights.rights_requests.intake import Acknowledgement, IntakeService
    from privacy_rights.rights_requests.submission import SubmitRequest

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]
OPEN_STATUSES = [status for status in Status if status not in FINAL_STATUSES]


class ListQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    due_within_days: int | None = Field(default=None, ge=0, le=365)
    overdue: bool = False
    stuck_for_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    type: str | None = None
    jurisdiction: str | None = None
    #: only requests parked for this (``customer``: a business customer's instruction)
    waiting_for: WaitKind | None = None
    #: paging: at most ``limit`` rows after skipping ``offset`` (in due order)
    limit: int | None = Field(default=None, ge=1, le=500)
    offset: int = Field(default=0, ge=0)


class RequestRow(BaseModel):
    request_id: str
    type: str
    jurisdiction: str
    channel: str
    status: Status
    due_at: date
    status_changed_at: datetime
    failed_step: str | None = None
    #: an appeal's own deadline (US state laws), while it waits for a decision
    appeal_due: date | None = None


class TimelineRow(BaseModel):
    at: datetime
    source: Literal["audit", "execution"]
    event: str
    actor: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class RequestDetail(BaseModel):
    request_id: str
    type: str
    jurisdiction: str
    channel: str
    status: Status
    received_at: datetime
    due_at: date
    subject: dict[str, Any]
    proven_identifiers: list[str]
    outcome: Outcome | None
    denial: dict[str, Any] | None
    #: an appeal (US state laws): filed when, due when, what the person wrote, how it was decided
    appeal: Appeal | None = None
    failure: dict[str, Any] | None
    waiting_for: list[str]
    completed_steps: list[str]
    #: recordings an export holds for an ops review (one channel, another person in it)
    recordings_to_review: list[dict[str, Any]] = Field(default_factory=list)
    #: an agent's or guardian's signed permission or power of attorney, for ops to read before
    #: approving: where it is, its size, and what its first bytes show it is (or why it is refused)
    permission_documents: list[dict[str, Any]] = Field(default_factory=list)
    #: for a flagged footprint (the brake on mass deletion): a few of the records it reaches
    footprint_sample: list[dict[str, Any]] = Field(default_factory=list)
    resolution: ResolutionSummary | None
    replays: int
    execution_status: str | None
    timeline: list[TimelineRow]
    #: the timeline told as one story (``ops.story``), as the CLI and the console show it
    story: Story | None = None
    #: a correction: the changes asked, what the plan would change (ops review it while the
    #: request waits for ``correction``) and the person's supporting documents
    correction: CorrectionView | None = None
    #: an objection: the purposes objected to, those ops may still record grounds for, and the
    #: grounds recorded
    objection: ObjectionView | None = None
    #: a restriction: its lift, announced to the person and (once told) scheduled
    restriction: RestrictionView | None = None
    #: a deletion: what a legal hold kept back (store, hold_id, matter, records), which
    #: ``erase-held`` erases once the hold is released
    held_back: list[dict[str, Any]] = Field(default_factory=list)


#: how long a link to a permission document lasts: enough to open it, too short to pass around
DOCUMENT_LINK_SECONDS = 300


class DocumentLinkCommand(BaseModel):
    """Open one of an agent's or guardian's permission documents, or a recording an export holds
    for review (audited with the reason)."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, StringConstraints(min_length=1, max_length=300)] = Field(
        description="The key, as the request's permission_documents or recordings_to_review list it."
    )
    reason: Reason


class DocumentLink(BaseModel):
    key: str
    #: ``pdf``, ``png``, ``jpeg``, ``tiff`` (a permission document) or ``recording``
    kind: str
    #: a presigned GET of the object, valid ``expires_in`` seconds
    url: str
    expires_in: int


class ReplayCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
    step: Annotated[str, StringConstraints(pattern=r"^[a-z_:.]{1,60}$")] | None = Field(
        default=None, description="A ledger step to run again (its recorded result is cleared first)."
    )


StoreName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
TenantId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class NarrowScope(BaseModel):
    """``narrow`` on a flagged footprint: what ops judged to be the person's. Only the released
    records inside it are acted on; the answer counts the rest as left out, with the reason."""

    model_config = ConfigDict(extra="forbid")

    stores: list[StoreName] = Field(default_factory=list, max_length=30)
    businesses: list[TenantId] = Field(default_factory=list, max_length=30)
    since: date | None = None
    until: date | None = None

    @model_validator(mode="after")
    def _something(self) -> NarrowScope:
        if not (self.stores or self.businesses or self.since or self.until):
            raise ValueError("a narrowed scope names stores, businesses or a date range")
        if self.since and self.until and self.since > self.until:
            raise ValueError("the date range ends before it starts")
        return self

    def narrowed(self, reason: str) -> NarrowedScope:
        return NarrowedScope(
            stores=sorted(set(self.stores)),
            businesses=sorted(set(self.businesses)),
            since=self.since.isoformat() if self.since else None,
            until=self.until.isoformat() if self.until else None,
            reason=reason,
        )


class DecisionCommand(BaseModel):
    """An answer to a request waiting for a decision (approve, narrow, deny) or for manual
    fulfilment (complete with an outcome, or deny)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "narrow", "deny", "complete"]
    reason: Reason
    outcome: Outcome | None = None
    denial_reason: DenialReason | None = None
    exemption: Annotated[str, StringConstraints(max_length=200)] | None = None
    detail: DenialDetail = Field(
        default="",
        description="For a denial: the specific reason in ops' own words, which the person reads verbatim "
        "on every channel (plain text, no links, no contact details of anyone).",
    )
    scope: NarrowScope | None = Field(
        default=None,
        description="For narrow on a flagged footprint: the stores, businesses and date range to act on.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> DecisionCommand:
        if self.decision == "deny" and self.denial_reason is None:
            raise ValueError("a denial names its reason (denial_reason)")
        if self.detail and self.decision != "deny":
            raise ValueError("a detail goes with a denial")
        if self.scope is not None and self.decision != "narrow":
            raise ValueError("a scope goes with narrow")
        if self.decision == "complete" and self.outcome is None:
            raise ValueError("a completion names its outcome")
        if self.denial_reason is DenialReason.EXEMPT and not self.exemption:
            raise ValueError("an exempt denial names the exception")
        return self

    def verdict(self) -> Verdict | None:
        if self.decision == "deny":
            return Verdict(
                result="denied", reason=self.denial_reason, exemption=self.exemption, detail=self.detail
            )
        if self.decision == "complete":
            return Verdict(result="completed", outcome=self.outcome)
        return None


class CancelCommand(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


SAMPLE_SIZE = 3


class EraseHeldCommand(CancelCommand):
    """Erase what a deletion kept back under a hold that has since been released."""


class OpsService:
    def __init__(
        self,
        store: Requests,
        workflow: Workflow,
        intake: Callable[[], IntakeService] | None,
        history: ExecutionHistory,
        starter: WorkflowStarter,
        work: WorkDocuments,
        permissions: PermissionDocuments | None = None,
        recordings: ObjectLinks | None = None,
    ) -> None:
        # built at the first phone request: the functions that never take one (reading the
        # queue, deciding) do not import intake at their cold start
        self._intake = intake
        self._permissions = permissions
        self._recordings = recordings
        self._store = store
        self._workflow = workflow
        self._history = history
        self._starter = starter
        self._work = work

    def list_requests(self, query: ListQuery) -> list[RequestRow]:
        statuses = [query.status] if query.status else OPEN_STATUSES
        today = utc_now().date()
        due_to = None
        if query.overdue:
            due_to = today - timedelta(days=1)
        elif query.due_within_days is not None:
            due_to = today + timedelta(days=query.due_within_days)
        stuck_before = utc_now() - timedelta(hours=query.stuck_for_hours) if query.stuck_for_hours else None
        rows = []
        for status in statuses:
            for request in self._store.by_status(status, due_to=due_to):
                if stuck_before and request.status_changed_at > stuck_before:
                    continue
                if query.type and request.type.value != query.type:
                    continue
                if query.jurisdiction and request.jurisdiction.value != query.jurisdiction:
                    continue
                if query.waiting_for and query.waiting_for not in self._store.waiting_for(request.request_id):
                    continue
                rows.append(_row(request))
        rows.sort(key=lambda row: (row.due_at, row.request_id))
        end = None if query.limit is None else query.offset + query.limit
        return rows[query.offset : end]

    def show(self, request_id: str) -> RequestDetail:
        request = self._store.get(request_id)
        audit = self._store.audit_entries(request_id)
        timeline = [
            TimelineRow(at=e.at, source="audit", event=e.action, actor=e.actor, detail=dict(e.detail))
            for e in audit
        ]
        for name in _execution_names(request):
            timeline += [
                TimelineRow(
                    at=row["at"],
                    source="execution",
                    event=row["event"],
                    detail={
                        k: v
                        for k, v in {
                            "execution": name,
                            "state": row["state"],
                            "error": row.get("error"),
                        }.items()
                        if v
                    },
                )
                for row in self._history.events(name)
            ]
        timeline.sort(key=lambda row: row.at)
        subject = request.subject
        ledger = self._store.ledger(request_id)
        execution_status = self._history.status(_execution_names(request)[-1])
        return RequestDetail(
            request_id=request.request_id,
            type=request.type.value,
            jurisdiction=request.jurisdiction.value,
            channel=request.channel.value,
            status=request.status,
            received_at=request.received_at,
            due_at=request.current_due,
            # Ops see enough to recognise a person, not to copy their details around.
            subject={
                "email": mask_email(subject.email) if subject.email else None,
                "phone": mask_phone(subject.phone) if subject.phone else None,
                "phone_held_since": subject.phone_held_since,
            },
            proven_identifiers=list(request.proven_identifiers),
            outcome=request.outcome,
            denial=request.denial.model_dump(mode="json") if request.denial else None,
            appeal=request.appeal,
            failure=request.failure.model_dump(mode="json") if request.failure else None,
            waiting_for=self._store.waiting_for(request_id),
            completed_steps=sorted(ledger),
            recordings_to_review=ledger.get(ledger_steps.EXPORT_REVIEW_NEEDED, {}).get("recordings", []),
            permission_documents=self._permission_documents(request),
            footprint_sample=self._sample(request),
            resolution=request.resolution,
            replays=request.replays,
            execution_status=execution_status,
            timeline=timeline,
            story=build_story(request, timeline, ledger, execution_status),
            correction=correction_view(request, ledger, self._work, self._permissions),
            objection=objection_view(request),
            restriction=restriction_view(request, audit),
            held_back=held_back(request),
        )

    def document_link(self, request_id: str, command: DocumentLinkCommand, operator: str) -> DocumentLink:
        """A short-lived link to one permission document of the request that counts (a real
        PDF, PNG, JPEG or TIFF), or to one document supporting a correction (the request's own,
        examined the same way): ops read it before approving; each opening is audited."""
        request = self._store.get(request_id)  # an unknown request is not found
        # a correction's supporting documents are kept apart from permissions, under their own prefix
        evidence = (
            command.key.startswith(CORRECTION_EVIDENCE_PREFIX) and request.type is RequestType.CORRECTION
        )
        documents = []
        if self._permissions is not None:
            listed = self._permissions.evidence if evidence else self._permissions.documents
            documents = listed(request_id)
        found = next((d for d in documents if d.key == command.key), None)
        if found is None or found.kind is None or not found.acceptable or self._permissions is None:
            raise errors.NotFound(f"{request_id}: no such permission document")
        detail = {"key": found.key, "reason": command.reason}
        if evidence:
            detail["document"] = "correction_evidence"
        self._store.record(request_id, operator, "ops.document_opened", detail)
        url = self._permissions.view_url(found.key, DOCUMENT_LINK_SECONDS)
        return DocumentLink(key=found.key, kind=found.kind.value, url=url, expires_in=DOCUMENT_LINK_SECONDS)

    def recording_link(self, request_id: str, command: DocumentLinkCommand, operator: str) -> DocumentLink:
        """A short-lived link to a recording the request's export holds for review (one channel,
        another person in it): ops listen before approving or narrowing; audited."""
        review = self._store.ledger(request_id).get(ledger_steps.EXPORT_REVIEW_NEEDED, {})
        keys = {recording["key"] for recording in review.get("recordings", [])}
        if command.key not in keys or self._recordings is None:
            raise errors.NotFound(f"{request_id}: no such recording under review")
        self._store.record(
            request_id, operator, "ops.recording_opened", {"key": command.key, "reason": command.reason}
        )
        url = self._recordings.link(command.key, DOCUMENT_LINK_SECONDS)
        return DocumentLink(key=command.key, kind="recording", url=url, expires_in=DOCUMENT_LINK_SECONDS)

    def _permission_documents(self, request: RightsRequest) -> list[dict[str, Any]]:
        if request.requester is None or self._permissions is None:
            return []
        return document_rows(self._permissions.documents(request.request_id))

    def _sample(self, request: RightsRequest, size: int = SAMPLE_SIZE) -> list[dict[str, Any]]:
        """What a flagged footprint reaches, a few records per store (pointers, never contents):
        enough for ops to see whether it is one person before approving."""
        summary = request.resolution
        if summary is None or not summary.flagged or not summary.pointers_key:
            return []
        per_store: dict[str, int] = {}
        sample = []
        for pointer in released_pointers(self._work, request):
            if per_store.get(pointer["store"], 0) < size:
                per_store[pointer["store"]] = per_store.get(pointer["store"], 0) + 1
                sample.append({k: pointer.get(k) for k in ("store", "tenant_id", "pointer")})
        return sample

    def replay(self, request_id: str, command: ReplayCommand, operator: str) -> dict[str, Any]:
        """A new execution of the same definition: completed steps return their ledger results
        at once, so the request continues from where it failed."""
        request = self._store.get(request_id)
        current = self._history.status(_execution_names(request)[-1])
        if current == "RUNNING":
            waiting = self._store.waiting_for(request_id)
            why = (
                f"its workflow is running, waiting for {', '.join(waiting)}: answer that wait "
                "(privacy-ops decide) or cancel the request"
                if waiting
                else "its workflow is still running"
            )
            raise errors.CannotMove(request.status, why)
        if self._history.status(f"{request_id}-r{request.replays + 1}") is not None:
            # the starter would take that execution for the new one: nothing would move
            raise errors.CannotMove(
                request.status, f"its execution {request_id}-r{request.replays + 1} exists"
            )
        if command.step:
            if command.step not in self._store.ledger(request_id):
                raise errors.ValidationFailed({"step": "that step has no recorded result to clear"})
            self._store.clear_step(request_id, command.step, operator, command.reason)
            request = self._store.get(request_id)
        changes: dict[str, Any] = {"replays": request.replays + 1}
        if request.status is Status.FAILED:
            back_to = (
                request.failure.status_before
                if request.failure and request.failure.status_before
                else Status.IN_PROGRESS
            )
            request = transition(request, back_to)
            changes["failure"] = None
        elif request.is_final:
            raise errors.CannotMove(
                request.status, f"it is {request.status.value}: a closed request is not replayed"
            )
        replayed = self._store.save(
            request.model_copy(update=changes),
            operator,
            "ops.replay",
            {"reason": command.reason, "step": command.step},
        )
        name = f"{request_id}-r{replayed.replays}"
        self._starter.start(request_id, execution_name=name)
        return {"request_id": request_id, "execution": name, "status": replayed.status.value}

    def erase_held(self, request_id: str, command: EraseHeldCommand, operator: str) -> dict[str, Any]:
        """A deletion answered while a legal hold kept records back: once the hold is released,
        its erasure runs again for what was held (a new execution; the steps before it return
        their recorded results). Records still under an active hold stay held. Which requests
        qualify and what is cleared is deletion's (``erasure.follow_up.HeldErasure``)."""
        held = HeldErasure(self._store)
        request = held.check(request_id)
        if self._history.status(_execution_names(request)[-1]) == "RUNNING":
            raise errors.IllegalTransition(request.status, request.status, "its workflow is still running")
        held.clear(request_id, operator, command.reason)
        request = self._store.get(request_id)
        replayed = self._store.save(
            request.model_copy(update={"replays": request.replays + 1}),
            operator,
            "ops.erase_held",
            {"reason": command.reason},
        )
        name = f"{request_id}-r{replayed.replays}"
        self._starter.start(request_id, execution_name=name)
        return {"request_id": request_id, "execution": name}

    def decide(self, request_id: str, command: DecisionCommand, operator: str) -> dict[str, Any]:
        waiting = self._store.waiting_for(request_id)
        if "customer" in waiting:
            return self._without_the_businesses(request_id, command, operator)
        if "review" in waiting:
            return self._review_recordings(request_id, command, operator)
        if "permission" in waiting:
            return self._review_permission(request_id, command, operator)
        kind = "decision" if "decision" in waiting else "fulfilment" if "fulfilment" in waiting else None
        if kind is None:
            raise errors.WaitNotPending("decision")
        if kind == "fulfilment" and command.decision in ("approve", "narrow"):
            raise errors.ValidationFailed(
                {"decision": "this request waits for its fulfilment: complete or deny"}
            )
        if kind == "decision" and command.decision == "complete":
            raise errors.ValidationFailed(
                {"decision": "this request waits for a decision: approve, narrow or deny"}
            )
        answer: dict[str, Any] = {"decision": command.decision, "reason": command.reason}
        if kind == "decision" and command.decision == "narrow":
            answer["scope"] = self._narrow(request_id, command, operator)
        verdict = command.verdict()
        self._store.record(
            request_id, operator, f"ops.{kind}", {"decision": command.decision, "reason": command.reason}
        )
        if verdict is not None:
            answer["verdict"] = verdict.model_dump(mode="json", exclude_none=True)
        self._workflow.answer(request_id, kind, answer, operator)
        return {"request_id": request_id, "answered": kind, "decision": command.decision}

    def _narrow(self, request_id: str, command: DecisionCommand, operator: str) -> dict[str, Any]:
        """Keep the scope on the request before the workflow goes on: every plan (export,
        erasure, the businesses' share) reads the released records through it."""
        if command.scope is None:
            raise errors.ValidationFailed(
                {"scope": "narrow names what to act on: --store, --business, --since or --until"}
            )
        request = self._store.get(request_id)
        counts = request.resolution.counts if request.resolution else []
        found_stores = {count.store for count in counts}
        found_tenants = {count.tenant_id for count in counts if count.tenant_id}
        unknown = [s for s in command.scope.stores if s not in found_stores]
        unknown += [t for t in command.scope.businesses if t not in found_tenants]
        if unknown:
            raise errors.ValidationFailed(
                {"scope": "resolution found no records of this request in: " + ", ".join(sorted(unknown))}
            )
        narrowed = command.scope.narrowed(command.reason)
        if request.narrowed_to != narrowed:
            self._store.save(
                request.with_narrowed_to(narrowed), operator, "ops.narrowed", {"scope": narrowed.describe()}
            )
        return narrowed.stored()

    def _review_permission(self, request_id: str, command: DecisionCommand, operator: str) -> dict[str, Any]:
        """An agent's or guardian's signed permission or power of attorney, read by a person
        before anything of the subject's is looked up: ``approve`` lets the request go on (a
        power of attorney then proves the person's identifiers), ``deny`` ends it."""
        if command.decision not in ("approve", "deny"):
            raise errors.ValidationFailed(
                {"decision": "this request waits for a review of the agent's permission: approve or deny"}
            )
        self._store.record(
            request_id, operator, "ops.permission", {"decision": command.decision, "reason": command.reason}
        )
        self._workflow.permission_reviewed(request_id, command.verdict(), command.reason, operator)
        return {"request_id": request_id, "answered": "permission", "decision": command.decision}

    def _review_recordings(self, request_id: str, command: DecisionCommand, operator: str) -> dict[str, Any]:
        """One-channel recordings with another person in them (listed in the audit entry
        ``export.review_needed``): ``approve`` releases them with that person's turns silenced,
        ``narrow`` keeps them out (the export reports them as withheld)."""
        if command.scope is not None:
            raise errors.ValidationFailed(
                {"scope": "narrow on a review of recordings withholds them; it takes no scope"}
            )
        if command.decision not in ("approve", "narrow"):
            raise errors.ValidationFailed(
                {
                    "decision": "this export waits for a review of recordings: approve releases them "
                    "with the other person's turns silenced, narrow withholds them"
                }
            )
        self._store.record(
            request_id, operator, "ops.review", {"decision": command.decision, "reason": command.reason}
        )
        self._workflow.answer(
            request_id, "review", {"decision": command.decision, "reason": command.reason}, operator
        )
        return {"request_id": request_id, "answered": "review", "decision": command.decision}

    def _without_the_businesses(
        self, request_id: str, command: DecisionCommand, operator: str
    ) -> dict[str, Any]:
        """A business asked for its instruction has not answered in time: the export goes on
        without its records, which stay its to answer (CallX, its processor, cannot release them
        on its own), and the person is told whom to expect an answer from."""
        if command.decision != "approve":
            raise errors.ValidationFailed(
                {"decision": "this request waits for businesses' answers: approve goes on without them"}
            )
        from privacy_rights.businesses.customer_service import businesses_asked  # only this path needs it

        ledger = self._store.ledger(request_id)
        asked = businesses_asked(ledger)
        silent = [tenant for tenant in asked if ledger_steps.customer_answer(tenant) not in ledger]
        for tenant in silent:
            answer = {"decision": "answer_ourselves", "reason": f"no answer; ops went on: {command.reason}"}
            self._store.complete_step(request_id, ledger_steps.customer_answer(tenant), answer, operator)
        self._store.record(
            request_id, operator, "ops.customer", {"without": silent, "reason": command.reason}
        )
        self._workflow.answer(request_id, "customer", {"answered": sorted(asked), "by_ops": silent}, operator)
        return {"request_id": request_id, "answered": "customer", "decision": command.decision}

    def enter_phone_request(self, body: SubmitRequest, operator: str) -> Acknowledgement:
        """Staff on the toll-free line (CCPA 7020) enter what the caller asks; it then follows
        the same path as any other request."""
        if self._intake is None:
            raise RuntimeError("OpsService was built without intake")
        acknowledgement = self._intake().submit(body, Channel.PHONE, actor=operator)
        return acknowledgement.model_copy(update={"status_token": None})

    def cancel(self, request_id: str, command: CancelCommand, operator: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        self._store.save(
            transition(request, Status.CANCELED), operator, "status.canceled", {"reason": command.reason}
        )
        for kind in self._store.waiting_for(request_id):
            token = self._store.take_waiting(request_id, kind)
            if token:
                self._workflow.abandon(token)
        return {"request_id": request_id, "status": Status.CANCELED.value}


def _execution_names(request: RightsRequest) -> list[str]:
    return [request.request_id] + [f"{request.request_id}-r{n}" for n in range(1, request.replays + 1)]


def _row(request: RightsRequest) -> RequestRow:
    return RequestRow(
        request_id=request.request_id,
        type=request.type.value,
        jurisdiction=request.jurisdiction.value,
        channel=request.channel.value,
        status=request.status,
        due_at=request.current_due,
        status_changed_at=request.status_changed_at,
        failed_step=request.failure.step if request.failure else None,
        appeal_due=request.appeal.due if request.appeal and request.appeal.decision is None else None,
    )
