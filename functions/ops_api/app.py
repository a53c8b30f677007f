"""The ops API (AWS_IAM): what privacy operations staff do, each action audited with the
caller's IAM identity, which API Gateway puts in the request context (never a header)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import caller_identity, rest_resolver
from privacy_rights.models import ResolutionSummary
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.resolve_service import LookupQuery
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("ops_api")
app = rest_resolver(settings, logger)


@app.post("/ops/lookups", summary="What the platform holds for these identifiers (counts only; audited)")
@tracer.capture_method
def lookup(query: Annotated[LookupQuery, Body()]) -> ResolutionSummary:
    return container.resolve.lookup(query, operator=caller_identity(app.current_event))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
