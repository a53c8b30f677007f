"""State machine task, reached through Catch: record which step failed and why, then let the
execution fail so ops see it and can replay it."""

from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.adapters.container import Container
from privacy_rights.observability import make_logger, metrics, tracer
from privacy_rights.settings import get_settings
from privacy_rights.step_io import FailureInput

settings = get_settings()
container = Container(settings)
logger = make_logger("record_failure")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=FailureInput)
def handler(event: FailureInput, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(request_id=event.request_id, failed_step=event.step)
    metrics.add_metric(name="StepFailed", unit="Count", value=1)
    return container.workflow.record_failure(event.request_id, event.step, event.error.Error)
