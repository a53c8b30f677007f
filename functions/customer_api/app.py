"""The customer API (AWS_IAM): a business customer sees what a rights request asks of it and, where
it decides each time, answers; the answer resumes the waiting workflow. Scoped by the caller's
IAM principal to the business it speaks for."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import caller_identity, resolve, rest_resolver
from privacy_rights.customer_service import CustomerAnswer, CustomerView, WebhookSettings
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("customer_api")
app = rest_resolver(settings, logger)
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.get("/customer/webhook", summary="Your webhook URL and the secret that signs our notices")
@tracer.capture_method
def webhook() -> WebhookSettings:
    return container.customers.webhook(caller_identity(app.current_event))


@app.get("/customer/requests/<request_id>", summary="What a request asks of your business")
@tracer.capture_method
def show(request_id: RequestId) -> CustomerView:
    return container.customers.show(request_id, caller_identity(app.current_event))


@app.post("/customer/requests/<request_id>/answer", summary="Your decision: release, or answer ourselves")
@tracer.capture_method
def answer(request_id: RequestId, command: Annotated[CustomerAnswer, Body()]) -> dict[str, Any]:
    return container.customers.answer(request_id, caller_identity(app.current_event), command)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
