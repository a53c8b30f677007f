"""Scheduled (EventBridge, every five minutes): notices the provider refused are sent again with
backoff; those that may have gone are settled by the provider's record, or wait for a person.
The number unsent for over an hour is the UnsentNoticesAlarm's metric."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("retry_notices")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = container.notice_retries.sweep()
    logger.info("held notices swept", extra=report.model_dump())
    metrics.add_metric(
        name="NoticesUnsentOverAnHour", unit=MetricUnit.Count, value=report.unsent_over_an_hour
    )
    metrics.add_metric(name="NoticesSentOnRetry", unit=MetricUnit.Count, value=report.sent)
    return report.model_dump()
