"""Scheduled (EventBridge, every fifteen minutes): open requests that nothing will move (no
execution running, no wait parked, not failed). Their number is the StalledRequestsAlarm's
metric; their ids (never personal data) are logged for ops to replay or cancel."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("check_stalled")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    stalled = container.stalled_requests.find()
    for request in stalled:
        logger.warning("request stalled", extra=request.model_dump(mode="json"))
    metrics.add_metric(name="RequestsStalled", unit=MetricUnit.Count, value=len(stalled))
    return {"stalled": [request.model_dump(mode="json") for request in stalled]}
