"""State machine task (one per lake file, in a Map state): rewrite one Parquet file of the
analytics lake without the subject's rows, as a new version written only over the version read
(``LakeObjectChanged`` otherwise, which the state machine retries), older versions deleted. A
file too big for one invocation is reported for ops. pyarrow comes from its own layer."""

from typing import Any

from privacy_rights.orchestration.step_io import LakeFileInput
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.task_handler import workflow_task


@workflow_task("rewrite_lake_file", LakeFileInput)
def handler(event: LakeFileInput, container: Container) -> dict[str, Any]:
    return container.erasure.rewrite_lake_file(event.request_id, event.store, event.key)
