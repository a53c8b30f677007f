"""The customer API (AWS_IAM): a business customer sees what a rights request asks of it and, where
it decides each time, answers; the answer resumes the waiting workflow. Scoped by the caller's
IAM principal to the business it speaks for."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from privacy_rights.businesses.customer_service import CustomerAnswer, CustomerView, WebhookSettings
from privacy_rights.runtime.api import caller_identity
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("customer_api")
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.get("/customer/webhook", summary="Your webhook URL and the secret that signs our notices")
@tracer.capture_method
def webhook() -> WebhookSettings:
    return api.container.customers.webhook(caller_identity(app.current_event))


@app.get("/customer/requests/<request_id>", summary="What a request asks of your business")
@tracer.capture_method
def show(request_id: RequestId) -> CustomerView:
    return api.container.customers.show(request_id, caller_identity(app.current_event))


@app.post("/customer/requests/<request_id>/answer", summary="Your decision: release, or answer ourselves")
@tracer.capture_method
def answer(request_id: RequestId, command: Annotated[CustomerAnswer, Body()]) -> dict[str, Any]:
    return api.container.customers.answer(request_id, caller_identity(app.current_event), command)


handler = api.handler
