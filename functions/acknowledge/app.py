"""State machine task: acknowledge a request to the requester (CCPA §7021(a))."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings
from privacy_rights.step_io import StepInput

settings = get_settings()
container = Container(settings)
logger = make_logger("acknowledge")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=StepInput)
def handler(event: StepInput, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(request_id=event.request_id)
    return container.workflow.acknowledge(event.request_id)
