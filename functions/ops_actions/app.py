"""The ops API for moving requests along (AWS_IAM): enter a request taken on the toll-free line,
answer a request waiting for a decision, replay a failed one, cancel one, and erase what a
deletion kept back under a released hold. Each action is audited with the caller's IAM identity."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from privacy_rights.ops.ops import CancelCommand, DecisionCommand, EraseHeldCommand, ReplayCommand
from privacy_rights.rights_requests.submission import SubmitRequest
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_actions", operators_only=True)
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.post("/ops/requests", summary="Enter a request taken on the toll-free line (channel phone)")
@tracer.capture_method
def enter_phone_request(body: Annotated[SubmitRequest, Body()]) -> Response[Any]:
    acknowledgement = api.container.ops.enter_phone_request(body, api.operator())
    return Response(202, content_types.APPLICATION_JSON, acknowledgement.model_dump(mode="json"))


@app.post(
    "/ops/requests/<request_id>/decision", summary="Answer a request waiting for a decision or fulfilment"
)
@tracer.capture_method
def decide(request_id: RequestId, command: Annotated[DecisionCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.decide(request_id, command, api.operator())


@app.post("/ops/requests/<request_id>/replay", summary="Run the workflow again from where it failed")
@tracer.capture_method
def replay(request_id: RequestId, command: Annotated[ReplayCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.replay(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/erase-held", summary="Erase what a deletion kept back under a released hold"
)
@tracer.capture_method
def erase_held(request_id: RequestId, command: Annotated[EraseHeldCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.erase_held(request_id, command, api.operator())


@app.post("/ops/requests/<request_id>/cancel", summary="Cancel a request, with the reason")
@tracer.capture_method
def cancel(request_id: RequestId, command: Annotated[CancelCommand, Body()]) -> dict[str, Any]:
    return api.container.ops.cancel(request_id, command, api.operator())


handler = api.handler
