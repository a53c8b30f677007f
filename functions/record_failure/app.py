"""State machine task, reached through Catch: record which step failed and why, then let the
execution fail so ops see it and can replay it."""

from typing import Any

from privacy_rights.orchestration.step_io import FailureInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.observability import metrics
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("record_failure", FailureInput)
def handler(event: FailureInput, container: Container) -> dict[str, Any]:
    metrics.add_metric(name="StepFailed", unit="Count", value=1)
    return container.workflow.record_failure(event.request_id, event.step, event.error.Error)
