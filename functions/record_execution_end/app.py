"""EventBridge target: an execution of the rights-request state machine ended FAILED,
TIMED_OUT or ABORTED. Records the failure on its request unless the workflow already has
(a Catch never sees States.Runtime, a timeout or an abort)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.orchestration.execution_end import ExecutionStatusChange
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("record_execution_end")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_parser(model=ExecutionStatusChange)
def handler(event: ExecutionStatusChange, context: LambdaContext) -> dict[str, Any]:
    ended = container.execution_ends.record(event.detail)
    logger.info(
        "execution end",
        extra={"execution": ended.execution, "status": ended.status, "outcome": ended.outcome},
    )
    if ended.outcome == "recorded":
        # a failure no Catch saw: the alarm on this metric says the workflow missed one
        metrics.add_metric(name="ExecutionEndedUncaught", unit=MetricUnit.Count, value=1)
    return ended.model_dump(mode="json")
