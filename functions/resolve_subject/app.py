"""State machine task: resolve the subject across the data map and record the footprint."""

from typing import Any

from privacy_rights.orchestration.step_io import ResolveInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("resolve_subject", ResolveInput)
def handler(event: ResolveInput, container: Container) -> dict[str, Any]:
    return container.workflow.resolve(event.request_id, complete=event.complete)
