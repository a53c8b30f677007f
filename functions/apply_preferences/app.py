"""State machine task: record an opt-out, restriction or objection in the preference store."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("apply_preferences", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.workflow.apply_preferences(event.request_id)
