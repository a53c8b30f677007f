"""Every end of an execution is visible, whatever its cause (issue 20): the template's
EventBridge rule sends FAILED, TIMED_OUT and ABORTED ends to RecordExecutionEndFunction, which
records the failure on the request unless the workflow's RecordFailure already has. Locally
the stack publishes executions' ends as Step Functions does (local_stack.events)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from local_stack.events import LocalEventBridge
from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.models import utc_now
from privacy_rights.orchestration import stalled_requests

pytestmark = pytest.mark.integration

PHONE = "+14155552671"
OPS = "alice"
RULE = "ExecutionEndRule"
#: the top-level fields of every EventBridge event, and those of Step Functions' status change
EVENT_FIELDS = {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}
DETAIL_FIELDS = {
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "error",
    "cause",
    "redriveCount",
    "redriveStatus",
    "redriveStatusReason",
}


@pytest.fixture
def throttle_invocations() -> Iterator[Callable[[str, int], None]]:
    """Make the next ``times`` Lambda Invoke calls of a function (logical id in its name) answer
    429 TooManyRequestsException without a request id, as a fault injected at the HTTP layer
    does: moto's Step Functions then dies on KeyError('RequestId') inside a waitForTaskToken
    task, which ends the execution with States.Runtime that no Catch sees."""
    left: dict[str, int] = {}
    original = BotocoreStubber.process_request

    def process_request(stubber: Any, request: Any) -> Any:
        url = str(request.url)
        for function, times in list(left.items()):
            if times > 0 and url.endswith("/invocations") and f"-{function}/" in url:
                left[function] = times - 1
                body = json.dumps({"Type": "User", "message": "Rate exceeded"})
                return 429, {"x-amzn-ErrorType": "TooManyRequestsException"}, body
        return original(stubber, request)

    with mock.patch.object(BotocoreStubber, "process_request", process_request):
        yield left.__setitem__


def submit(call_api: Any, **body: Any) -> str:
    status, _, answer = call_api("POST", "/requests", {"jurisdiction": "ccpa", "phone": PHONE} | body)
    assert status == 202, answer
    return str(answer["request_id"])


def test_an_end_no_catch_sees_is_recorded_on_its_request_and_a_replay_takes_it_up(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    store: RequestStore,
    throttle_invocations: Callable[[str, int], None],
    waiting_for: Any,
) -> None:
    throttle_invocations("AwaitCallbackFunction", 1)
    request_id = submit(call_api, type="access")

    ended = wait_for_execution(request_id)
    running.events.drain()

    assert (ended["status"], ended["error"]) == ("FAILED", "States.Runtime")
    request = store.get(request_id)
    assert request.status == "failed"
    assert request.failure is not None
    assert request.failure.step == "AwaitVerification"
    assert request.failure.error == "States.Runtime"
    assert request.failure.status_before == "awaiting_verification"
    assert "KeyError" not in request.failure.cause  # the cause's own text is never kept
    actions = [entry.action for entry in store.audit_entries(request_id)]
    assert actions[-2:] == ["execution.ended", "status.failed"]
    status, listed = call_api("GET", "/ops/requests?status=failed", operator=OPS)[::2]
    assert status == 200
    assert [row["failed_step"] for row in listed if row["request_id"] == request_id] == ["AwaitVerification"]

    status, _, replay = call_api(
        "POST", f"/ops/requests/{request_id}/replay", {"reason": "throttle is over"}, operator=OPS
    )

    assert status == 200, replay
    waiting_for(request_id, "verification")
    assert store.get(request_id).status == "awaiting_verification"


def test_a_failure_the_workflow_recorded_is_not_recorded_again(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    running.lambdas.inject("ApplyPreferencesFunction", "ConnectorTimeout")
    request_id = submit(call_api, type="opt_out", opt_out_of=["marketing"])

    assert wait_for_execution(request_id)["status"] == "FAILED"
    running.events.drain()

    (delivery,) = [
        d for d in running.events.delivered if d[0] == RULE and d[1]["detail"]["name"] == request_id
    ]
    assert delivery[3]["outcome"] == "already_recorded"
    actions = Counter(entry.action for entry in store.audit_entries(request_id))
    assert actions["status.failed"] == 1
    assert actions["execution.ended"] == 0
    assert store.get(request_id).failure.step == "ApplyPreferences"  # type: ignore[union-attr]


def test_the_event_has_eventbridge_s_shape_and_only_failed_ends_reach_the_rule(
    running: RunningStack, call_api: Any, wait_for_execution: Any
) -> None:
    succeeded = submit(call_api, type="opt_out", opt_out_of=["ai_training"])
    assert wait_for_execution(succeeded)["status"] == "SUCCEEDED"
    running.lambdas.inject("ApplyPreferencesFunction", "ConnectorTimeout")
    failed = submit(call_api, type="opt_out", opt_out_of=["marketing"])
    assert wait_for_execution(failed)["status"] == "FAILED"
    running.events.drain()

    (event,) = [e for e in running.events.events_for(RULE) if e["detail"]["name"] in (succeeded, failed)]

    assert set(event) == EVENT_FIELDS
    assert set(event["detail"]) == DETAIL_FIELDS
    assert (event["source"], event["detail-type"]) == ("aws.states", "Step Functions Execution Status Change")
    detail = event["detail"]
    assert detail["name"] == failed
    assert detail["status"] == "FAILED"
    assert detail["stateMachineArn"] == running.stack.ref("RightsRequestStateMachine")
    assert event["resources"] == [detail["executionArn"]]
    assert json.loads(detail["input"]) == {"request_id": failed}
    assert detail["stopDate"] >= detail["startDate"] > 0
    assert detail["error"] == "RightsRequestFailed"


def test_the_rule_and_its_permission_exist_as_the_template_declares(running: RunningStack) -> None:
    events: Any = running.client("events")
    rule = events.describe_rule(Name=running.stack.ref(RULE))
    pattern = json.loads(rule["EventPattern"])
    (target,) = events.list_targets_by_rule(Rule=running.stack.ref(RULE))["Targets"]
    policy = json.loads(
        running.client("lambda").get_policy(  # type: ignore[attr-defined]
            FunctionName=running.stack.ref("RecordExecutionEndFunction")
        )["Policy"]
    )

    assert sorted(pattern["detail"]["status"]) == ["ABORTED", "FAILED", "TIMED_OUT"]
    assert pattern["detail"]["stateMachineArn"] == [running.stack.ref("RightsRequestStateMachine")]
    assert target["Arn"] == running.stack.attribute("RecordExecutionEndFunction", "Arn")
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}


def test_the_scheduled_check_counts_requests_nothing_will_move(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    throttle_invocations: Callable[[str, int], None],
    waiting_for: Any,
) -> None:
    parked = submit(call_api, type="access")
    waiting_for(parked, "verification")
    throttle_invocations("AwaitCallbackFunction", 1)
    with mock.patch.object(LocalEventBridge, "put", return_value=0):  # its end's event is lost
        lost = submit(call_api, type="access")
        assert wait_for_execution(lost)["status"] == "FAILED"
    later = utc_now() + timedelta(minutes=11)

    with mock.patch.object(stalled_requests, "utc_now", return_value=later):
        (found,) = running.events.fire("CheckStalledSchedule")

    stalled = {s["request_id"]: (s["status"], s["execution_status"]) for s in found["stalled"]}
    assert stalled[lost] == ("awaiting_verification", "FAILED")
    assert parked not in stalled  # its wait is parked: a person or a code moves it
    with mock.patch.object(stalled_requests, "utc_now", return_value=utc_now()):
        (fresh,) = running.events.fire("CheckStalledSchedule")
    assert lost not in {s["request_id"] for s in fresh["stalled"]}  # too fresh to tell
    alarm = running.client("cloudwatch").describe_alarms(  # type: ignore[attr-defined]
        AlarmNames=[running.stack.ref("StalledRequestsAlarm")]
    )["MetricAlarms"][0]
    assert alarm["MetricName"] == "RequestsStalled"


@pytest.mark.usefixtures("ops_cli_over_api")
def test_a_replay_that_cannot_move_a_request_says_why_and_exits_non_zero(
    call_api: Any,
    waiting_for: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    request_id = submit(call_api, type="access")
    waiting_for(request_id, "verification")

    code = ops_cli.main(["--operator", OPS, "replay", request_id, "--reason", "try it again"])

    assert code == 1
    said = capsys.readouterr().err
    assert "cannot move the request: its workflow is running, waiting for verification" in said
    assert said.strip().endswith("(HTTP 409)")
