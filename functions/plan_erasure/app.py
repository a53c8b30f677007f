"""State machine task: which released records the erasure takes now, by store (the Map's items);
held records set aside, businesses' instructions applied."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("plan_erasure", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.erasure.plan(event.request_id)
