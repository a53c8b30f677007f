"""GET /requests/{request_id}/download with the status token: a redirect to the export, through a
presigned URL valid 15 minutes (JSON with the URL when the client asks for JSON). Audited."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import bearer_token, resolve, rest_resolver
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("download")
app = rest_resolver(settings, logger)
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.get("/requests/<request_id>/download", summary="Download the export (status token as Bearer)")
@tracer.capture_method
def download(
    request_id: RequestId,
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
    accept: Annotated[str | None, Header(alias="Accept")] = None,
) -> Response[Any]:
    request = container.intake.authorized(request_id, bearer_token(authorization))
    url = container.export.download_url(request, actor="requester")
    if "application/json" in (accept or ""):
        return Response(200, "application/json", {"url": url, "expires_in": 900})
    return Response(302, "text/plain", "", headers={"Location": url, "Cache-Control": "no-store"})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
