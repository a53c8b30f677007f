"""State machine task: send a one-time code to every identifier the request names (once)."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings
from privacy_rights.step_io import StepInput

settings = get_settings()
container = Container(settings)
logger = make_logger("send_codes")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=StepInput)
def handler(event: StepInput, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(request_id=event.request_id)
    return container.workflow.send_codes(event.request_id, container.verification.send_codes)
