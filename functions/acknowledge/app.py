"""State machine task: acknowledge a request to the requester (CCPA §7021(a))."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("acknowledge", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.workflow.acknowledge(event.request_id)
