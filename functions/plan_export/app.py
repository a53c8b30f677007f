"""State machine task: which released records an export takes, by source (the Map's items)."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("plan_export", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.export.plan(event.request_id)
