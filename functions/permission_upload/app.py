"""POST /requests/{request_id}/permission-upload (Bearer status token): a presigned POST for
the signed permission of an authorized agent or guardian (PDF, PNG, JPEG or TIFF, 1 KiB to 5 MiB)."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from privacy_rights.adapters.container import Container
from privacy_rights.api import bearer_token, resolve, rest_resolver
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("permission_upload")
app = rest_resolver(settings, logger)


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]


@app.post("/requests/<request_id>/permission-upload", summary="Where to upload the agent's signed permission")
@tracer.capture_method
def permission_upload(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    upload: Annotated[UploadRequest, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> dict[str, Any]:
    return container.intake.permission_upload(request_id, bearer_token(authorization), upload.content_type)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
