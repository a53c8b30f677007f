"""The ops API for legal holds (AWS_IAM): place a hold on a subject or a business customer, list
holds, release one. Deletion skips what an active hold covers. Each action is audited with the
caller's IAM identity."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from privacy_rights.erasure.legal_holds import HOLD_ID_PATTERN, Hold, PlaceHold, ReleaseHold
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_holds", operators_only=True)
app = api.app
HoldId = Annotated[str, Path(pattern=HOLD_ID_PATTERN)]


@app.get("/ops/holds", summary="Legal holds in force (all=true: released and expired ones too)")
@tracer.capture_method
def list_holds(all_holds: Annotated[bool, Query(alias="all")] = False) -> list[Hold]:
    api.operator()
    return api.container.holds.list(active_only=not all_holds)


@app.post("/ops/holds", summary="Place a legal hold on a subject or a business customer")
@tracer.capture_method
def place(command: Annotated[PlaceHold, Body()]) -> Response[Any]:
    hold = api.container.holds.place(command, api.operator())
    return Response(201, content_types.APPLICATION_JSON, hold.model_dump(mode="json"))


@app.post("/ops/holds/<hold_id>/release", summary="Release a legal hold, with the reason")
@tracer.capture_method
def release(hold_id: HoldId, command: Annotated[ReleaseHold, Body()]) -> Hold:
    return api.container.holds.release(hold_id, command.reason, api.operator())


handler = api.handler
