"""State machine task (one per source, in a Map state): read that source's released records."""

from typing import Any

from privacy_rights.orchestration.step_io import SourceInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("collect_source", SourceInput)
def handler(event: SourceInput, container: Container) -> dict[str, Any]:
    return container.export.collect(event.request_id, event.store)
