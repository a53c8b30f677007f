"""Lambda's service failing under a task (Invoke's own error answer, the function never ran) is
named as Step Functions names it on AWS, ``Lambda.<code>``, so the definition's Retry takes it:
moto names it ``Exception``, which only the Catch matches (the request would fail)."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

PHONE = "+14155552671"


def _failed_task_errors(running: RunningStack, request_id: str) -> list[str]:
    sfn: Any = running.client("stepfunctions")
    arn = running.stack.ref("RightsRequestStateMachine").replace(":stateMachine:", ":execution:")
    events = sfn.get_execution_history(executionArn=f"{arn}:{request_id}", maxResults=1000)["events"]
    return [
        e["lambdaFunctionFailedEventDetails"]["error"] for e in events if e["type"] == "LambdaFunctionFailed"
    ]


@pytest.mark.parametrize("error", ["Lambda.ServiceException", "Lambda.TooManyRequestsException"])
def test_a_lambda_service_fault_under_a_task_is_retried_by_its_aws_name(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    store: RequestStore,
    retry_sleeps: Any,
    error: str,
) -> None:
    running.lambdas.inject("ApplyPreferencesFunction", error, times=2)

    status, _, answer = call_api(
        "POST",
        "/requests",
        {"jurisdiction": "ccpa", "phone": PHONE, "type": "opt_out", "opt_out_of": ["marketing"]},
    )
    assert status == 202, answer
    request_id = answer["request_id"]

    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    assert _failed_task_errors(running, request_id) == [error, error]
    assert len(retry_sleeps.slept) == 2
    assert store.get(request_id).status == "completed"


def test_a_function_error_keeps_the_name_the_handler_raised(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    running.lambdas.inject("ApplyPreferencesFunction", "ConnectorTimeout", times=1)

    status, _, answer = call_api(
        "POST",
        "/requests",
        {"jurisdiction": "ccpa", "phone": PHONE, "type": "opt_out", "opt_out_of": ["marketing"]},
    )
    assert status == 202, answer

    assert wait_for_execution(answer["request_id"])["status"] == "FAILED"
    assert _failed_task_errors(running, answer["request_id"]) == ["ConnectorTimeout"]
    failure = store.get(answer["request_id"]).failure
    assert failure is not None
    assert failure.error == "ConnectorTimeout"
