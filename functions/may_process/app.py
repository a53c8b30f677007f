"""POST /internal/may-process (IAM): may the platform process this identifier for this purpose?
Asked by the platform's ingestion and AI-training pipelines before they use an identifier."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import caller_identity, resolve, rest_resolver
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.preference_service import MayProcessQuery
from privacy_rights.preferences import Decision
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("may_process")
app = rest_resolver(settings, logger)


@app.post("/internal/may-process", summary="Yes or no, with the reason, for one identifier and purpose")
@tracer.capture_method
def may_process(query: Annotated[MayProcessQuery, Body()]) -> Decision:
    caller_identity(app.current_event)  # IAM-authorized: refuse a request that names nobody
    decision = container.preferences.may_process(query)
    metrics.add_metric(
        name="ProcessingRefused" if not decision.allowed else "ProcessingAllowed", unit="Count", value=1
    )
    return decision


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
