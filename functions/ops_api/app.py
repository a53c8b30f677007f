"""The ops API (AWS_IAM): what privacy operations staff do, each action audited with the
caller's IAM identity, which API Gateway puts in the request context (never a header)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from privacy_rights.core.models import Jurisdiction, RequestType, ResolutionSummary, Status
from privacy_rights.correction.review import CorrectionReviewed, ReviewCorrection
from privacy_rights.ops.customers import TENANT_ID_PATTERN, AddCustomer, Customer, CustomerRow
from privacy_rights.ops.extensions import ExtendCommand, ExtensionGranted
from privacy_rights.ops.ops import (
    CancelCommand,
    DecisionCommand,
    DocumentLink,
    DocumentLinkCommand,
    EraseHeldCommand,
    ListQuery,
    ReplayCommand,
    RequestDetail,
    RequestRow,
)
from privacy_rights.ops.record_retention import RetentionReport
from privacy_rights.ops.yearly_metrics import MetricsFormat, Scope, rendered
from privacy_rights.orchestration.deadline_sweep import SweepReport
from privacy_rights.orchestration.notice_retries import HeldNotice, NoticeDecision
from privacy_rights.orchestration.verdicts import WaitKind
from privacy_rights.preferences.preference_decisions import (
    GroundsCommand,
    GroundsRecorded,
    LiftAnnounced,
    LiftCommand,
)
from privacy_rights.resolution.resolve_service import LookupQuery
from privacy_rights.rights_requests.appeals import AppealDecided, DecideAppeal
from privacy_rights.rights_requests.intake import SubmitRequest
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_api", operators_only=True)
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]
NoticeName = Annotated[str, Path(pattern=r"^[a-z_:0-9]{1,60}$")]
TenantId = Annotated[str, Path(pattern=TENANT_ID_PATTERN)]


@app.post("/ops/lookups", summary="What the platform holds for these identifiers (counts only; audited)")
@tracer.capture_method
def lookup(query: Annotated[LookupQuery, Body()]) -> ResolutionSummary:
    return api.container.resolve.lookup(query, operator=api.operator())


@app.get("/ops/requests", summary="Requests by status, due date or time stuck")
@tracer.capture_method
def list_requests(
    status: Annotated[Status | None, Query()] = None,
    due_within_days: Annotated[int | None, Query(ge=0, le=365)] = None,
    overdue: Annotated[bool, Query()] = False,
    stuck_for_hours: Annotated[int | None, Query(ge=1, le=8760)] = None,
    request_type: Annotated[RequestType | None, Query(alias="type")] = None,
    jurisdiction: Annotated[Jurisdiction | None, Query()] = None,
    waiting_for: Annotated[WaitKind | None, Query()] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[RequestRow]:
    api.operator()
    query = ListQuery(
        status=status,
        due_within_days=due_within_days,
        overdue=overdue,
        stuck_for_hours=stuck_for_hours,
        type=request_type.value if request_type else None,
        jurisdiction=jurisdiction.value if jurisdiction else None,
        waiting_for=waiting_for,
        limit=limit,
        offset=offset,
    )
    return api.container.ops.list_requests(query)


@app.get("/ops/requests/<request_id>", summary="One request: timeline, resolution, failed step")
@tracer.capture_method
def show(request_id: RequestId) -> RequestDetail:
    api.operator()
    return api.container.ops.show(request_id)


@app.post("/ops/requests/<request_id>/replay", summary="Run the workflow again from where it failed")
@tracer.capture_method
def replay(request_id: RequestId, command: Annotated[ReplayCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.replay(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/erase-held", summary="Erase what a deletion kept back under a released hold"
)
@tracer.capture_method
def erase_held(request_id: RequestId, command: Annotated[EraseHeldCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.erase_held(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/decision", summary="Answer a request waiting for a decision or fulfilment"
)
@tracer.capture_method
def decide(request_id: RequestId, command: Annotated[DecisionCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.decide(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/extend",
    summary="Extend the deadline once, within the law's limit and before it passes; the person is told why",
)
@tracer.capture_method
def extend(request_id: RequestId, command: Annotated[ExtendCommand, Body()]) -> ExtensionGranted:
    return api.container.extensions.extend(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/appeal",
    summary="Decide an appeal (US state laws) with the written explanation the person reads",
)
@tracer.capture_method
def decide_appeal(request_id: RequestId, command: Annotated[DecideAppeal, Body()]) -> AppealDecided:
    return api.container.appeals.decide(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/objection-grounds",
    summary="Record compelling legitimate grounds overriding an objection for one purpose (never "
    "marketing); the person is told, with the right to complain",
)
@tracer.capture_method
def objection_grounds(request_id: RequestId, command: Annotated[GroundsCommand, Body()]) -> GroundsRecorded:
    return api.container.preference_decisions.record_grounds(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/lift-restriction",
    summary="Lift a restriction: the person is told first, and it ends only after the notice period",
)
@tracer.capture_method
def lift_restriction(request_id: RequestId, command: Annotated[LiftCommand, Body()]) -> LiftAnnounced:
    return api.container.preference_decisions.lift_restriction(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/correction",
    summary="Review a correction's planned changes: deny fields with the reason the person reads; "
    "the rest are applied",
)
@tracer.capture_method
def review_correction(
    request_id: RequestId, command: Annotated[ReviewCorrection, Body()]
) -> CorrectionReviewed:
    return api.container.correction_review.review(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/documents/link",
    summary="A 5-minute link to one of an agent's permission documents, to read before approving "
    "(audited with the reason)",
)
@tracer.capture_method
def document_link(request_id: RequestId, command: Annotated[DocumentLinkCommand, Body()]) -> DocumentLink:
    return api.container.ops.document_link(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/recordings/link",
    summary="A 5-minute link to a recording the export holds for review (one channel, another "
    "person in it), to listen to before deciding (audited with the reason)",
)
@tracer.capture_method
def recording_link(request_id: RequestId, command: Annotated[DocumentLinkCommand, Body()]) -> DocumentLink:
    return api.container.ops.recording_link(request_id, command, api.operator())


@app.post("/ops/requests/<request_id>/cancel", summary="Cancel a request, with the reason")
@tracer.capture_method
def cancel(request_id: RequestId, command: Annotated[CancelCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.cancel(request_id, command, api.operator())


@app.get("/ops/notices", summary="Notices not delivered: held for a retry, or for a person to decide")
@tracer.capture_method
def held_notices() -> list[HeldNotice]:
    api.operator()
    return api.container.notice_retries.held()


@app.get(
    "/ops/deadlines", summary="Legal clocks of open requests that are overdue or due within two business days"
)
@tracer.capture_method
def deadlines() -> SweepReport:
    api.operator()
    return api.container.deadline_sweep.sweep()


@app.get(
    "/ops/retention",
    summary="Records (request, ledger, audit trail) the daily retention run would remove now: closed "
    "24 months ago; those a legal hold keeps. Removes nothing",
)
@tracer.capture_method
def retention() -> RetentionReport:
    api.operator()
    return api.container.record_retention.run(dry_run=True)


@app.get(
    "/ops/metrics",
    summary="A year's request metrics (CCPA regulations 7102): per right, received, complied with, "
    "denied and days to respond; as JSON, CSV or an HTML page with a chart",
)
@tracer.capture_method
def yearly_metrics(
    year: Annotated[int, Query(ge=2000, le=2100)],
    scope: Annotated[Scope, Query()] = "california",
    form: Annotated[MetricsFormat, Query(alias="format")] = "json",
) -> Response[str]:
    api.operator()
    content_type, body = rendered(api.container.yearly_metrics.metrics(year, scope), form)
    return Response(200, content_type, body)


@app.post(
    "/ops/requests/<request_id>/notices/<notice>/decision",
    summary="A person's decision on a held notice: resend, delivered or abandon",
)
@tracer.capture_method
def decide_notice(
    request_id: RequestId, notice: NoticeName, command: Annotated[NoticeDecision, Body()]
) -> dict[str, str]:
    return api.container.notice_retries.decide(request_id, notice, command, api.operator())


@app.post("/ops/requests", summary="Enter a request taken on the toll-free line (channel phone)")
@tracer.capture_method
def enter_phone_request(body: Annotated[SubmitRequest, Body()]) -> Response[Any]:
    acknowledgement = api.container.ops.enter_phone_request(body, api.operator())
    return Response(202, content_types.APPLICATION_JSON, acknowledgement.model_dump(mode="json"))


@app.get("/ops/customers", summary="Business customers (tenants) onboarded")
@tracer.capture_method
def list_customers() -> list[CustomerRow]:
    api.operator()
    return api.container.customer_onboarding.list()


@app.post(
    "/ops/customers",
    summary="Onboard a business customer and bind the principals that speak for it (audited; no overwrite)",
)
@tracer.capture_method
def add_customer(command: Annotated[AddCustomer, Body()]) -> Response[Any]:
    customer = api.container.customer_onboarding.add(command, api.operator())
    return Response(201, content_types.APPLICATION_JSON, customer.model_dump(mode="json"))


@app.get("/ops/customers/<tenant_id>", summary="One business customer: contact, instruction, principals")
@tracer.capture_method
def show_customer(tenant_id: TenantId) -> Customer:
    api.operator()
    return api.container.customer_onboarding.show(tenant_id)


handler = api.handler
