"""State machine task: close the request (completed or denied), release the lock, tell the requester."""

from typing import Any

from privacy_rights.orchestration.step_io import FinalizeInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("finalize", FinalizeInput)
def handler(event: FinalizeInput, container: Container) -> dict[str, Any]:
    return container.workflow.finalize(event.request_id, event.verdict)
