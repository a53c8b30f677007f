"""POST /requests: a person asks for one of their rights through the web form or the API."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import rest_resolver
from privacy_rights.intake import Acknowledgement, SubmitRequest
from privacy_rights.models import Channel
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("intake")
app = rest_resolver(settings, logger)


@app.post(
    "/requests", summary="Submit a privacy rights request", responses={202: {"description": "Accepted"}}
)
@tracer.capture_method
def submit(body: Annotated[SubmitRequest, Body()]) -> Response[Acknowledgement]:
    acknowledgement = container.intake.submit(body, Channel.WEB, actor="web-form")
    metrics.add_metric(name="RequestsReceived", unit="Count", value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=acknowledgement.model_dump(mode="json"),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
