"""POST /requests/{request_id}/verify (Bearer status token): a one-time code, a sign-in, or a fact
about the platform's records proving the requester's identity. 404 without the request's token
(as for an unknown request), 400 wrong code, 410 expired (a new one is sent), 429 locked."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import bearer_token, resolve, rest_resolver
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings
from privacy_rights.verification import VerifyAttempt, VerifyResult

settings = get_settings()
container = Container(settings)
logger = make_logger("verify")
app = rest_resolver(settings, logger)


@app.post("/requests/<request_id>/verify", summary="Prove control of an identifier with its code")
@tracer.capture_method
def verify(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    attempt: Annotated[VerifyAttempt, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> VerifyResult:
    source = app.current_event.request_context.identity.source_ip
    result = container.verification.verify(request_id, attempt, bearer_token(authorization), source=source)
    metrics.add_metric(name="RequestsVerified" if result.verified else "CodesAccepted", unit="Count", value=1)
    return result


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
