"""State machine task: each planned change through its store's conditional write (unless ops
denied the field), recipients and businesses told, the result kept on the request; the verdict."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("apply_corrections", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.correction.apply(event.request_id)
