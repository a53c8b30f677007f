"""State machine task: read back what was erased and run every lookup again (anything left fails
with ErasureIncomplete), then suppress the subject, tell the recipients and write the receipt."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("verify_erasure", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.erasure.verify(event.request_id)
