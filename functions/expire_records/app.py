"""Scheduled (EventBridge, daily): records of requests closed 24 months ago (CCPA §7101) are
removed whole: the request item with its ledger, and its audit chain (``ops.record_retention``).
Request ids and counts are logged, never personal data. ``{"dry_run": true}`` lists what would go;
``{"backfill": true}`` indexes requests closed before the ``by_closed_at`` index existed."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import make_logger, metrics, tracer
from privacy_rights.runtime.settings import get_settings

container = Container(get_settings())
logger = make_logger("expire_records")


class ExpireRecordsEvent(BaseModel):
    # the scheduled event's own fields (source, detail-type, time...) are not ours
    model_config = ConfigDict(extra="ignore")

    dry_run: bool = False
    #: once, after the deployment that adds the by_closed_at index: index the requests closed before
    backfill: bool = False


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = ExpireRecordsEvent.model_validate(event or {})
    if request.backfill:
        added = container.record_retention.backfill()
        logger.info("closed requests indexed", extra={"added": added})
        return {"indexed": added}
    report = container.record_retention.run(dry_run=request.dry_run)
    logger.info(
        "records expired",
        extra={
            "expired": report.expired,
            "held": report.held,
            "unfinished": report.unfinished,
            "skipped": report.skipped,
            "more": report.more,
            "dry_run": report.dry_run,
        },
    )
    metrics.add_metric(name="RecordsExpired", unit=MetricUnit.Count, value=len(report.expired))
    metrics.add_metric(name="RecordsExpiryUnfinished", unit=MetricUnit.Count, value=len(report.unfinished))
    return report.model_dump(mode="json")
