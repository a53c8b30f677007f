"""State machine task: stream the export ZIP to the exports bucket; the verdict for Finalize."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("package_export", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.export.package(event.request_id)
