"""The ops API for legal holds (AWS_IAM): place a hold on a subject or a business customer, list
holds, release one. Deletion skips what an active hold covers. Each action is audited with the
caller's IAM identity."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.api import caller_identity, resolve, rest_resolver
from privacy_rights.legal_holds import HOLD_ID_PATTERN, Hold, PlaceHold, ReleaseHold
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings

settings = get_settings()
container = Container(settings)
logger = make_logger("ops_holds")
app = rest_resolver(settings, logger)
HoldId = Annotated[str, Path(pattern=HOLD_ID_PATTERN)]


def operator() -> str:
    return caller_identity(app.current_event)


@app.get("/ops/holds", summary="Legal holds in force (all=true: released and expired ones too)")
@tracer.capture_method
def list_holds(all_holds: Annotated[bool, Query(alias="all")] = False) -> list[Hold]:
    operator()
    return container.holds.list(active_only=not all_holds)


@app.post("/ops/holds", summary="Place a legal hold on a subject or a business customer")
@tracer.capture_method
def place(command: Annotated[PlaceHold, Body()]) -> Response[Any]:
    hold = container.holds.place(command, operator())
    return Response(201, content_types.APPLICATION_JSON, hold.model_dump(mode="json"))


@app.post("/ops/holds/<hold_id>/release", summary="Release a legal hold, with the reason")
@tracer.capture_method
def release(hold_id: HoldId, command: Annotated[ReleaseHold, Body()]) -> Hold:
    return container.holds.release(hold_id, command.reason, operator())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return resolve(app, event, context, settings.max_body_bytes)
