"""State machine task: which released records hold each value the correction names, by store;
businesses' instructions applied; whether ops must review the changes first (or, for a
correction that names no value held, do it by hand)."""

from typing import Any

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("plan_correction", StepInput)
def handler(event: StepInput, container: Container) -> dict[str, Any]:
    return container.correction.plan(event.request_id)
