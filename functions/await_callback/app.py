"""State machine task (waitForTaskToken): park the execution until a verification or a decision answers it."""

from privacy_rights.orchestration.step_io import CallbackInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("await_callback", CallbackInput)
def handler(event: CallbackInput, container: Container) -> None:
    container.workflow.await_callback(event.request_id, event.kind, event.token)
