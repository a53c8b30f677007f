"""State machine task: send a one-time code to every identifier the request names (once)."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("send_codes", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.workflow.send_codes(event.request_id, container.verification.send_codes)
