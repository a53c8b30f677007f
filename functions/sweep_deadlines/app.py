"""Scheduled (EventBridge, every hour): every legal clock of every open request. The overdue
count of each kind (acknowledgement, response, extension notice, appeal decision) is a metric
with its alarm; the clocks due soon or overdue are logged by request id (never personal data)."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.orchestration.deadline_sweep import OVERDUE_METRICS
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("sweep_deadlines")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = container.deadline_sweep.sweep()
    for clock in report.clocks:
        logger.warning("deadline " + clock.state, extra=clock.model_dump(mode="json"))
    for kind, name in OVERDUE_METRICS.items():
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=report.overdue[kind])
    return report.model_dump(mode="json")
