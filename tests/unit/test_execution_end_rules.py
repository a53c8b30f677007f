"""Recording executions' ends that no Catch saw: which request, which step, which error, and
when not to record at all (privacy_rights.orchestration.execution_end)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from privacy_rights.core.errors import NotFound
from privacy_rights.core.models import RightsRequest, Status
from privacy_rights.orchestration.execution_end import (
    BEFORE_ANY_STATE,
    ExecutionEnds,
    ExecutionStatusChange,
    ExecutionStatusDetail,
    ended_with,
    failed_step,
    request_id_of,
)

RID = "req_test0000000000000001"
ARN = "arn:aws:states:us-east-1:123456789012:execution:privacy-rights-request:"
HISTORY = [
    {"event": "ExecutionStarted", "state": None, "error": None},
    {"event": "TaskStateEntered", "state": "Acknowledge", "error": None},
    {"event": "TaskStateExited", "state": "Acknowledge", "error": None},
    {"event": "TaskStateEntered", "state": "AwaitVerification", "error": None},
    {"event": "TaskStarted", "state": None, "error": None},
    {"event": "ExecutionFailed", "state": None, "error": "States.Runtime"},
]


def detail(name: str = RID, status: str = "FAILED", **extra: Any) -> ExecutionStatusDetail:
    return ExecutionStatusDetail.model_validate(
        {
            "executionArn": ARN + name,
            "stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:privacy-rights-request",
            "name": name,
            "status": status,
            "input": json.dumps({"request_id": RID}),
        }
        | extra
    )


class FakeStore:
    def __init__(self, request: RightsRequest | None, waiting: list[str] | None = None) -> None:
        self.request = request
        self.waiting = list(waiting or [])
        self.recorded: list[tuple[str, dict[str, Any]]] = []
        self.taken: list[str] = []

    def get(self, request_id: str) -> RightsRequest:
        if self.request is None or request_id != self.request.request_id:
            raise NotFound(request_id)
        return self.request

    def record(self, request_id: str, actor: str, action: str, detail: Any = None) -> None:
        self.recorded.append((action, dict(detail or {})))

    def waiting_for(self, request_id: str) -> list[str]:
        return list(self.waiting)

    def take_waiting(self, request_id: str, kind: str) -> str | None:
        self.taken.append(kind)
        self.waiting.remove(kind)
        return "token"


class FakeHistory:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.asked: list[str] = []

    def events(self, execution_name: str) -> list[dict[str, Any]]:
        self.asked.append(execution_name)
        return self.rows

    def status(self, execution_name: str) -> str | None:
        return "FAILED"


class FakeWorkflow:
    def __init__(self) -> None:
        self.failures: list[tuple[str, str, str]] = []

    def record_failure(self, request_id: str, step: str, error: str) -> dict[str, str]:
        self.failures.append((request_id, step, error))
        return {"status": "failed"}


def ends(store: FakeStore, rows: list[dict[str, Any]] = HISTORY) -> tuple[ExecutionEnds, FakeWorkflow]:
    workflow = FakeWorkflow()
    return ExecutionEnds(store, FakeHistory(rows), workflow), workflow  # type: ignore[arg-type]


def test_an_end_no_catch_saw_is_recorded_at_the_state_the_execution_was_in(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeStore(make_request(status=Status.AWAITING_VERIFICATION), waiting=["verification"])
    recorder, workflow = ends(store)

    ended = recorder.record(detail(error="States.Runtime"))

    assert ended.outcome == "recorded"
    assert workflow.failures == [(RID, "AwaitVerification", "States.Runtime")]
    assert store.recorded == [
        (
            "execution.ended",
            {"execution": RID, "status": "FAILED", "step": "AwaitVerification", "error": "States.Runtime"},
        )
    ]
    assert store.taken == ["verification"]  # its token died with the execution


@pytest.mark.parametrize("status", [Status.FAILED, Status.COMPLETED, Status.CANCELED, Status.DENIED])
def test_nothing_is_recorded_when_the_workflow_or_a_person_already_closed_or_failed_it(
    make_request: Callable[..., RightsRequest], status: Status
) -> None:
    store = FakeStore(make_request(status=status))
    recorder, workflow = ends(store)

    assert recorder.record(detail()).outcome == "already_recorded"
    assert workflow.failures == []
    assert store.recorded == []


def test_the_end_of_an_execution_a_replay_has_replaced_is_left_alone(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeStore(make_request(status=Status.IN_PROGRESS, replays=2))
    recorder, workflow = ends(store)

    assert recorder.record(detail(name=f"{RID}-r1")).outcome == "superseded"
    assert recorder.record(detail(name=f"{RID}-r2")).outcome == "recorded"
    assert len(workflow.failures) == 1


def test_a_success_or_an_unknown_request_records_nothing(make_request: Callable[..., RightsRequest]) -> None:
    recorder, workflow = ends(FakeStore(None))

    assert recorder.record(detail(status="SUCCEEDED")).outcome == "not_a_failure"
    assert recorder.record(detail()).outcome == "unknown_request"
    assert workflow.failures == []


def test_timeouts_and_aborts_without_an_error_get_the_end_s_own() -> None:
    rows = [{"event": "ExecutionTimedOut", "state": None, "error": None}]

    assert ended_with(detail(status="TIMED_OUT"), rows) == "States.Timeout"
    assert ended_with(detail(status="ABORTED"), []) == "States.Aborted"
    assert ended_with(detail(), HISTORY) == "States.Runtime"
    assert ended_with(detail(error="States.DataLimitExceeded"), HISTORY) == "States.DataLimitExceeded"


def test_the_failed_step_is_the_last_state_entered() -> None:
    assert failed_step(HISTORY) == "AwaitVerification"
    assert failed_step([*HISTORY[:3], HISTORY[-1]]) == "Acknowledge"
    assert failed_step([{"event": "ExecutionAborted", "state": None}]) == BEFORE_ANY_STATE


def test_the_request_comes_from_the_input_else_from_the_execution_name() -> None:
    assert request_id_of(detail(name=f"{RID}-r3")) == RID
    assert request_id_of(detail(name="req_abc-r12", input=None)) == "req_abc"
    assert request_id_of(detail(name="req_abc-r12", input="not json")) == "req_abc"


def test_the_event_model_reads_eventbridge_s_envelope_and_refuses_other_sources() -> None:
    event = {
        "version": "0",
        "id": "315c1398-40ff-a850-213b-158f73e60175",
        "detail-type": "Step Functions Execution Status Change",
        "source": "aws.states",
        "account": "123456789012",
        "time": "2026-12-06T10:00:00Z",
        "region": "us-east-1",
        "resources": [ARN + RID],
        "detail": detail().model_dump() | {"startDate": 1, "stopDate": 2, "cause": "KeyError('RequestId')"},
    }

    assert ExecutionStatusChange.model_validate(event).detail.name == RID
    with pytest.raises(ValueError, match="source"):
        ExecutionStatusChange.model_validate(event | {"source": "my.app"})
