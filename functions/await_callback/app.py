"""State machine task (waitForTaskToken): park the execution until a verification or a decision answers it."""

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings
from privacy_rights.step_io import CallbackInput

settings = get_settings()
container = Container(settings)
logger = make_logger("await_callback")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=CallbackInput)
def handler(event: CallbackInput, context: LambdaContext) -> None:
    logger.append_keys(request_id=event.request_id)
    container.workflow.await_callback(event.request_id, event.kind, event.token)
