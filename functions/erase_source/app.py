"""State machine task (one per store, in a Map state): erase by the store's strategy (delete,
tombstone, retain), every object version included; the result goes to the request's ledger."""

from typing import Any

from privacy_rights.orchestration.step_io import SourceInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("erase_source", SourceInput)
def handler(event: SourceInput, container: Container) -> dict[str, Any]:
    return container.erasure.erase(event.request_id, event.store)
