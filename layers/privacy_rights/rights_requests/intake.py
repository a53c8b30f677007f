"""Taking a request in: validate, stamp its clocks, store it, start its workflow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from privacy_rights.core import attorneys_general, clocks, notices
from privacy_rights.core.errors import NotFound, RateLimited, ValidationFailed
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import (
    AppealDecision,
    Channel,
    OptOutPurpose,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
    utc_now,
)
from privacy_rights.core.ports import (
    Clarifications,
    Counters,
    KeyRingSource,
    PermissionDocuments,
    Requests,
    WorkflowStarter,
)
from privacy_rights.core.remedies import ContactPoints
from privacy_rights.core.request_results import OBJECTED_TO, RequestedCorrection, intake_statement
from privacy_rights.core.tokens import status_token
from privacy_rights.erasure.receipt import erasure_receipt_text
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.rights_requests.appeal_rules import appealable_until
from privacy_rights.rights_requests.request_access import authorized_request
from privacy_rights.rights_requests.submission import SubmitRequest

#: what ``permission_upload`` signs a form for: an agent's signed permission, or a document
#: supporting a correction (CCPA 7023(d)(2): documentation the person provides)
PERMISSION = "permission"
CORRECTION_EVIDENCE = "correction_evidence"


class Acknowledgement(BaseModel):
    request_id: str
    status: Status
    due_at: date
    #: opens the request's status page and is required to verify it (the web form keeps it); only
    #: the requester gets it (ops entering a phone request do not: the caller gets it by message)
    status_token: str | None = None


class TimelineEntry(BaseModel):
    at: datetime
    event: str


class AppealView(BaseModel):
    filed_at: datetime
    due: date
    decision: AppealDecision | None = None
    explanation: str = ""
    #: a denied appeal: whom the person may complain to, and how
    attorney_general: str | None = None


class StatusView(BaseModel):
    request_id: str
    type: RequestType
    status: Status
    received_at: datetime
    due_at: date
    timeline: list[TimelineEntry]
    #: the export (access, portability) can be downloaded until then
    download_until: datetime | None = None
    #: an agent or guardian asks, and their signed permission has not arrived yet
    permission_needed: bool = False
    #: a completed deletion: what was erased, what is kept and why (the receipt, in words)
    erasure_receipt: str | None = None
    #: once the request is closed, the whole answer: what was done or why not, and the remedies
    answer: str | None = None
    #: the toll-free number privacy staff answer (international format), when there is one
    contact_phone: str | None = None
    #: where to write to the privacy team
    contact_address: str | None = None
    #: the answer may be appealed until then (US state laws); None when there is nothing to appeal
    appeal_until: date | None = None
    #: the appeal, once filed: by when it is decided, and the decision with its explanation
    appeal: AppealView | None = None
    #: a correction we denied in whole or in part takes one statement of up to 250 words
    #: (CCPA 7023(f)), added with ``POST /requests/{id}/statement``: true until one is added
    statement_possible: bool = False
    #: when the person's statement was added, once it is
    statement_added_at: datetime | None = None
    #: an open correction takes documents supporting it (``permission-upload`` with
    #: ``"document": "correction_evidence"``)
    documents_welcome: bool = False


#: What a requester sees of the trail: the milestones, never who did what internally.
PUBLIC_EVENTS = {
    "request.created": "received",
    "notice.acknowledgement.sent": "acknowledged",
    "status.awaiting_verification": "waiting for you to verify",
    "status.verified": "identity verified",
    "status.in_progress": "being processed",
    "status.awaiting_decision": "waiting for a decision",
    "status.completed": "completed",
    "status.denied": "denied",
    "status.canceled": "canceled",
    "deadline.extended": "deadline extended",
    "appeal.filed": "appeal received",
    "appeal.granted": "appeal granted: the request is reopened",
    "appeal.denied": "appeal denied",
    "export.packaged": "your data is ready to download",
    "export.downloaded": "your data was downloaded",
    "erasure.verified": "your data was erased and the erasure checked",
    "preferences.carried_out": "your choice was carried out where it has effect",
    "objection.grounds_recorded": "grounds to go on with a use you objected to were recorded",
    "restriction.lift_announced": "you were told when the restriction will be lifted",
    "permission.received_by_email": "signed permission received",
    "permission.refused": "a document sent as the signed permission could not be used",
    "ops.permission": "the agent's permission was reviewed",
}


def _objected_to(body: SubmitRequest, channel: Channel) -> dict[str, Any]:
    """An objection's purposes, checked against the data map (loaded only for objections). An
    email that objects without naming a purpose objects to every purpose it may name."""
    if body.type is not RequestType.OBJECTION:
        return {}
    from privacy_rights.core.data_map import load_data_map
    from privacy_rights.preferences.objections import named_purposes

    named = named_purposes(body.object_to, load_data_map(), everything_if_none=channel is Channel.EMAIL)
    return {OBJECTED_TO: list(named)}


def _consents_withdrawn(body: SubmitRequest, channel: Channel) -> tuple[OptOutPurpose, ...]:
    """A withdrawal's purposes, checked against the data map (loaded only for withdrawals). An
    email that withdraws consent without naming a purpose ("I withdraw my consent") withdraws
    every consent the data map knows."""
    if body.type is not RequestType.WITHDRAW_CONSENT:
        return ()
    from privacy_rights.core.data_map import load_data_map
    from privacy_rights.preferences.objections import consent_purposes, named_consents

    data_map = load_data_map()
    if channel is Channel.EMAIL and not body.consent_to_withdraw:
        return consent_purposes(data_map)
    return named_consents(body.consent_to_withdraw, data_map)


def subject_keys(ring: KeyRing, subject: SubjectIdentifiers) -> dict[str, str]:
    keys = {}
    if subject.email:
        keys[IdentifierKind.EMAIL.value] = ring.digest(IdentifierKind.EMAIL, subject.email)
    if subject.phone:
        keys[IdentifierKind.PHONE.value] = ring.digest(IdentifierKind.PHONE, subject.phone)
    return keys


class IntakeService:
    def __init__(
        self,
        store: Requests,
        keys: KeyRingSource,
        workflow: WorkflowStarter,
        preferences: PreferenceService,
        counters: Counters | None = None,
        submissions_per_source_per_hour: int = 20,
        permissions: PermissionDocuments | None = None,
        clarifications: Clarifications | None = None,
        contacts: ContactPoints | None = None,
    ) -> None:
        self._contacts = contacts or ContactPoints()
        self._permissions = permissions
        self._clarifications = clarifications
        self._store = store
        self._keys = keys
        self._workflow = workflow
        self._preferences = preferences
        self._counters = counters
        self._per_source = submissions_per_source_per_hour

    def submit(
        self,
        body: SubmitRequest,
        channel: Channel,
        actor: str,
        source: str | None = None,
        gpc: bool = False,
        browser_ids: tuple[str, ...] = (),
        request_id: str | None = None,
        received_at: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Acknowledgement:
        """Take a request in. ``source`` (the client's IP) is rate limited; ``gpc`` (a
        ``Sec-GPC: 1`` header) opts the subject and the browser out of sale/sharing at once.
        A given ``request_id`` makes intake idempotent (email intake derives it from the
        message); ``received_at`` is when the request really arrived (an email's receipt)."""
        ring = self._keys.key_ring()
        if request_id is not None:
            existing = self._existing(request_id)
            if existing is not None:
                return existing
        if source and self._counters is not None:
            source_key = "submit:" + ring.digest(IdentifierKind.BROWSER, "ip:" + source)
            if not self._counters.hit(source_key, self._per_source, 3600):
                raise RateLimited(source)
        subject = SubjectIdentifiers(
            email=body.email,
            phone=body.phone,
            name=body.name,
            account_id=body.account_id,
            phone_held_since=body.phone_held_since,
        )
        if body.clarifies and self._clarifications is not None:
            received_at = self._clarifications.received_at(body.clarifies, body.email) or received_at
        objected = _objected_to(body, channel)
        draft = RightsRequest(
            **({"request_id": request_id} if request_id else {}),
            **({"received_at": received_at} if received_at else {}),
            type=body.type,
            jurisdiction=body.jurisdiction,
            us_state=body.us_state,
            subject=subject,
            channel=channel,
            requester=body.requester,
            scope=body.scope,
            opt_out_of=tuple(body.opt_out_of) or _consents_withdrawn(body, channel),
            details=body.details,
            due=date.min,
            extra={
                **intake_statement(
                    body.declaration, [RequestedCorrection(**c.model_dump()) for c in body.corrections]
                ),
                **(extra or {}),
                **objected,
            },
        )
        deadlines = clocks.deadlines(draft.jurisdiction, draft.type, draft.received_at, draft.us_state)
        request = draft.model_copy(
            update={
                "due": deadlines.respond_by,
                "acknowledge_by": deadlines.acknowledge_by,
                "subject_keys": subject_keys(ring, subject),
            }
        )
        if gpc:
            # CCPA 7025: a Global Privacy Control signal is an opt-out of sale/sharing, unverified.
            self._preferences.record_opt_outs(request, (OptOutPurpose.SALE_SHARE,))
            browser_keys = [ring.digest(IdentifierKind.BROWSER, browser_id) for browser_id in browser_ids]
            self._preferences.mark_keys(browser_keys, request.request_id, (OptOutPurpose.SALE_SHARE,))
        if request.type in (RequestType.OPT_OUT, RequestType.WITHDRAW_CONSENT):
            # Opt-outs need no verification (CCPA 7026(d)), nor does a withdrawal of consent (GDPR
            # Art. 7(3)): honoured from the moment of receipt, duplicate or not.
            self._preferences.record_opt_outs(request, request.opt_out_of)
        # A duplicate of an open request is taken in like any other and merged only once it is
        # verified (Workflow.resolve): before that, its answers would tell a stranger that
        # someone has a request open.
        self._store.create(
            request,
            actor=actor,
            detail={"type": request.type.value, "channel": channel.value, "fields": _given_fields(body)},
        )
        if request.type in (RequestType.OPT_OUT, RequestType.WITHDRAW_CONSENT):
            purposes = [p.value for p in request.opt_out_of]
            self._store.record(request.request_id, actor, "preferences.opted_out", {"purposes": purposes})
        if body.clarifies and self._clarifications is not None:
            self._clarifications.clarified(body.clarifies, body.email, request.request_id)
        self._workflow.start(request.request_id, execution_name=request.request_id)
        return self._acknowledgement(request)

    def _acknowledgement(self, request: RightsRequest) -> Acknowledgement:
        token = status_token(self._keys.key_ring(), request.request_id, request.status_nonce)
        return Acknowledgement(
            request_id=request.request_id,
            status=request.status,
            due_at=request.current_due,
            status_token=token,
        )

    def _existing(self, request_id: str) -> Acknowledgement | None:
        """A request made before with this id: started again (a no-op if it runs) and answered."""
        try:
            request = self._store.get(request_id)
        except NotFound:
            return None
        if not request.is_final:
            self._workflow.start(request.request_id, execution_name=request.request_id)
        return self._acknowledgement(request)

    def authorized(self, request_id: str, presented_token: str) -> RightsRequest:
        """The request the token opens (``request_access``)."""
        return authorized_request(self._store, self._keys.key_ring(), request_id, presented_token)

    def permission_upload(
        self, request_id: str, presented_token: str, content_type: str, document: str = PERMISSION
    ) -> dict[str, Any]:
        """A presigned POST for the signed permission of the agent or guardian acting, or
        (``document`` ``correction_evidence``) for a document supporting an open correction."""
        request = self.authorized(request_id, presented_token)
        if document == CORRECTION_EVIDENCE:
            if request.type is not RequestType.CORRECTION:
                raise ValidationFailed({"document": "supporting documents go with a correction request"})
            if request.is_final:
                raise ValidationFailed(
                    {"document": "this request is closed: make a new one to send documents"}
                )
        elif request.requester is None:
            raise ValidationFailed({"request": "made by the person themselves: no permission needed"})
        if self._permissions is None:
            raise RuntimeError("PERMISSIONS_BUCKET is not configured for this function")
        form = self._permissions.upload_form(request_id, content_type, document)
        detail = {"content_type": content_type}
        action = (
            "correction.evidence_upload_offered"
            if document == CORRECTION_EVIDENCE
            else "permission.upload_offered"
        )
        self._store.record(request_id, "requester", action, detail)
        return form

    def status(self, request_id: str, presented_token: str) -> StatusView:
        request = self.authorized(request_id, presented_token)
        timeline = [
            TimelineEntry(at=entry.at, event=PUBLIC_EVENTS[entry.action])
            for entry in self._store.audit_entries(request_id)
            if entry.action in PUBLIC_EVENTS
        ]
        return StatusView(
            request_id=request.request_id,
            type=request.type,
            status=request.status,
            received_at=request.received_at,
            due_at=request.current_due,
            timeline=timeline,
            download_until=_download_until(request),
            erasure_receipt=(erasure_receipt_text(receipt) if (receipt := request.erasure_receipt) else None),
            answer=notices.appeal_denied_answer(request, attorneys_general.contact_sentence(request.us_state))
            or notices.status_answer(request, self._contacts),
            contact_phone=self._contacts.phone_display or None,
            contact_address=self._contacts.privacy_address or None,
            permission_needed=bool(
                request.requester is not None
                and not request.is_final
                and self._permissions is not None
                and not self._permissions.present(request.request_id)
            ),
            appeal_until=appealable_until(request),
            appeal=_appeal_view(request),
            statement_possible=_statement_possible(request),
            documents_welcome=bool(
                request.type is RequestType.CORRECTION
                and not request.is_final
                and self._permissions is not None
            ),
            statement_added_at=(
                datetime.fromisoformat(kept.added_at) if (kept := request.correction_statement) else None
            ),
        )


def _statement_possible(request: RightsRequest) -> bool:
    """As ``CorrectionStatements.add`` decides: a correction with a denied field, no statement yet."""
    result = request.correction_result
    return bool(result is not None and result.denied_fields and request.correction_statement is None)


def _appeal_view(request: RightsRequest) -> AppealView | None:
    appeal = request.appeal
    if appeal is None:
        return None
    denied = appeal.decision is AppealDecision.DENIED
    return AppealView(
        filed_at=appeal.filed_at,
        due=appeal.due,
        decision=appeal.decision,
        explanation=appeal.explanation,
        attorney_general=attorneys_general.contact_sentence(request.us_state) if denied else None,
    )


def _download_until(request: RightsRequest) -> datetime | None:
    export = request.export_result
    if export is None:
        return None
    until = export.expires
    return until if until > utc_now() else None


def _given_fields(body: SubmitRequest) -> list[str]:
    """Names of the fields the requester filled in: the audit's record of what was asked."""
    return sorted(name for name, value in body.model_dump(exclude_defaults=True).items() if value)
