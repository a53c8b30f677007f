"""The ops API for reading requests (AWS_IAM): the queue by status, due date or time stuck, one
request in full, and short audited links to what ops read before deciding (an agent's
permission documents, a correction's supporting documents, a recording held for review)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from privacy_rights.core.models import Jurisdiction, RequestType, Status
from privacy_rights.ops.ops import DocumentLink, DocumentLinkCommand, ListQuery, RequestDetail, RequestRow
from privacy_rights.orchestration.verdicts import WaitKind
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_requests", operators_only=True)
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


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


handler = api.handler
