"""GET /requests/{request_id}: the requester follows their request with its status token."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import bearer_token, resolve, rest_resolver
from privacy_rights.intake import StatusView
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("request_status")
app = rest_resolver(settings, logger)


@app.get("/requests/<request_id>", summary="Status of a request (Bearer status token)")
@tracer.capture_method
def status(
    request_id: Annotated[str, Path(max_length=64)],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> StatusView:
    return container.intake.status(request_id, bearer_token(authorization))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
