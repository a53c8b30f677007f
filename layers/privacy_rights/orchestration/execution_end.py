"""Executions that end without the workflow's own ``RecordFailure``.

A ``Catch``, even on ``States.ALL``, never catches ``States.Runtime`` or
``States.DataLimitExceeded``; a timed-out or aborted execution runs no state at all. Step
Functions reports every end on EventBridge ("Step Functions Execution Status Change"); the
template's rule sends ``FAILED``, ``TIMED_OUT`` and ``ABORTED`` ends here, and this records the
failure on the request unless the workflow already has: which state the execution was in (the
last state entered, from the execution history) and the error it ended with. The cause's own
text is never kept: it may quote a state's input; ops read it in the execution history.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.core import errors
from privacy_rights.core.models import WORKFLOW_ACTOR, Status
from privacy_rights.core.ports import ExecutionHistory, Requests

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow

ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE"]
#: the ends this records (the rule's pattern names the same three)
FAILED_ENDS = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
#: the error an end without one of its own is recorded with
ERROR_OF_END = {"TIMED_OUT": "States.Timeout", "ABORTED": "States.Aborted", "FAILED": "States.Runtime"}
#: where an execution that never entered a state ended
BEFORE_ANY_STATE = "(execution)"
_REPLAY_SUFFIX = re.compile(r"-r\d+$")


class ExecutionStatusDetail(BaseModel):
    """The ``detail`` of a "Step Functions Execution Status Change" event."""

    model_config = ConfigDict(extra="ignore")

    executionArn: str  # the event's own field names
    stateMachineArn: str
    name: str = Field(min_length=1, max_length=80)
    status: ExecutionStatus
    input: str | None = None
    error: str | None = Field(default=None, max_length=256)


class ExecutionStatusChange(BaseModel):
    """The EventBridge event Step Functions sends when an execution changes status."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    version: str
    id: str
    detail_type: Literal["Step Functions Execution Status Change"] = Field(alias="detail-type")
    source: Literal["aws.states"]
    account: str
    time: datetime
    region: str
    resources: list[str]
    detail: ExecutionStatusDetail


class EndRecorded(BaseModel):
    """What became of one execution's end."""

    execution: str
    status: ExecutionStatus
    outcome: Literal["recorded", "already_recorded", "superseded", "not_a_failure", "unknown_request"]
    request_id: str | None = None
    step: str | None = None
    error: str | None = None


def request_id_of(detail: ExecutionStatusDetail) -> str:
    """The request an execution runs for: its input's pointer (every execution is started with
    ``{"request_id": ...}``), else its name (``<request id>`` or ``<request id>-r<n>``)."""
    if detail.input:
        try:
            pointer = json.loads(detail.input).get("request_id")
        except (ValueError, AttributeError):
            pointer = None
        if isinstance(pointer, str) and pointer:
            return pointer
    return _REPLAY_SUFFIX.sub("", detail.name)


def latest_execution(request_id: str, replays: int) -> str:
    return request_id if replays == 0 else f"{request_id}-r{replays}"


def failed_step(rows: list[dict[str, object]]) -> str:
    """The state the execution was in when it ended: the last one it entered."""
    for row in reversed(rows):
        if str(row.get("event", "")).endswith("StateEntered") and row.get("state"):
            return str(row["state"])
    return BEFORE_ANY_STATE


def ended_with(detail: ExecutionStatusDetail, rows: list[dict[str, object]]) -> str:
    """The error the execution ended with: the event's, else the history's last, else the end's."""
    if detail.error:
        return detail.error
    for row in reversed(rows):
        if str(row.get("event", "")).startswith("Execution") and row.get("error"):
            return str(row["error"])
    return ERROR_OF_END[detail.status]


class ExecutionEnds:
    def __init__(self, store: Requests, history: ExecutionHistory, workflow: Workflow) -> None:
        self._store = store
        self._history = history
        self._workflow = workflow

    def record(self, detail: ExecutionStatusDetail) -> EndRecorded:
        seen = {"execution": detail.name, "status": detail.status}
        if detail.status not in FAILED_ENDS:
            return EndRecorded(**seen, outcome="not_a_failure")
        request_id = request_id_of(detail)
        try:
            request = self._store.get(request_id)
        except errors.NotFound:
            return EndRecorded(**seen, outcome="unknown_request")
        if detail.name != latest_execution(request_id, request.replays):
            # a replay has started since: the request follows the newer execution
            return EndRecorded(**seen, outcome="superseded", request_id=request_id)
        if request.is_final or request.status is Status.FAILED:
            # RecordFailure (or the end of the workflow, or a cancellation) said it already
            return EndRecorded(**seen, outcome="already_recorded", request_id=request_id)
        rows = self._history.events(detail.name)
        step, error = failed_step(rows), ended_with(detail, rows)
        self._store.record(
            request_id,
            WORKFLOW_ACTOR,
            "execution.ended",
            {"execution": detail.name, "status": detail.status, "step": step, "error": error},
        )
        # Its task tokens ended with it: an answer must not find one (a replay parks its own).
        for kind in self._store.waiting_for(request_id):
            self._store.take_waiting(request_id, kind)
        self._workflow.record_failure(request_id, step, error)
        return EndRecorded(**seen, outcome="recorded", request_id=request_id, step=step, error=error)
