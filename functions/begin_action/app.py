"""State machine task: take the per-subject lock and move the request to in_progress."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("begin_action", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.workflow.begin_action(event.request_id)
