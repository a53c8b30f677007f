"""Email intake: SQS delivers S3 notifications of raw mail SES stored in the inbound bucket.

Powertools' batch processor reports each failed message on its own, so one bad message is
retried (and after maxReceiveCount dead-lettered) without failing its neighbours.
"""

from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("email_intake")
processor = BatchProcessor(event_type=EventType.SQS)


@tracer.capture_method
def record_handler(record: SQSRecord) -> None:
    notification = S3Event(record.json_body)
    if notification.raw_event.get("Event") == "s3:TestEvent":
        return  # S3 checks the queue when the notification is configured
    for s3_record in notification.records:
        key = unquote_plus(s3_record.s3.get_object.key)
        received_at = datetime.fromisoformat(s3_record.event_time.replace("Z", "+00:00"))
        result = container.email_intake.process(key, received_at)
        if result is None:
            logger.info("mail already processed", extra={"object_key": key})
            continue
        logger.info("mail processed", extra={"mail_id": result.mail_id, "outcome": result.outcome})
        metrics.add_metric(name=f"Mail_{result.outcome}", unit=MetricUnit.Count, value=1)
        if result.outcome == "quarantined":
            metrics.add_metric(name=f"MailQuarantined_{result.reason}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> Any:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
