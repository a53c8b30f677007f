"""The ops API's reports (AWS_IAM): what the platform holds for some identifiers (counts only;
audited), the legal clocks due, the retention dry run and a year's metrics."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from privacy_rights.core.models import ResolutionSummary
from privacy_rights.ops.record_retention import RetentionReport
from privacy_rights.ops.yearly_metrics import MetricsFormat, Scope, rendered
from privacy_rights.orchestration.deadline_sweep import SweepReport
from privacy_rights.resolution.resolve_service import LookupQuery
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_reports", operators_only=True)
app = api.app


@app.post("/ops/lookups", summary="What the platform holds for these identifiers (counts only; audited)")
@tracer.capture_method
def lookup(query: Annotated[LookupQuery, Body()]) -> ResolutionSummary:
    return api.container.resolve.lookup(query, operator=api.operator())


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


handler = api.handler
