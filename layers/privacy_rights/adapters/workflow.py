"""Starting the rights-request state machine."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class ExecutionHistory:
    """What Step Functions recorded for a request's executions, for the ops timeline."""

    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._sfn = client
        self._execution_prefix = state_machine_arn.replace(":stateMachine:", ":execution:") + ":"

    def events(self, execution_name: str) -> list[dict[str, Any]]:
        arn = self._execution_prefix + execution_name
        if self.status(execution_name) is None:
            return []
        rows: list[dict[str, Any]] = []
        paginator = self._sfn.get_paginator("get_execution_history")
        for page in paginator.paginate(executionArn=arn):
            for event in page["events"]:
                entry: dict[str, Any] = dict(event)
                details: dict[str, Any] = (
                    entry.get("stateEnteredEventDetails") or entry.get("stateExitedEventDetails") or {}
                )
                failure = (
                    event.get("taskFailedEventDetails")
                    or event.get("executionFailedEventDetails")
                    or event.get("executionTimedOutEventDetails")
                    or event.get("executionAbortedEventDetails")
                    or {}
                )
                rows.append(
                    {
                        "at": event["timestamp"],
                        "execution": execution_name,
                        "event": event["type"],
                        "state": details.get("name"),
                        "error": failure.get("error"),
                    }
                )
        return rows

    def status(self, execution_name: str) -> str | None:
        try:
            return self._sfn.describe_execution(executionArn=self._execution_prefix + execution_name)[
                "status"
            ]
        except self._sfn.exceptions.ExecutionDoesNotExist:
            return None


class StepFunctionsStarter:
    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._sfn = client
        self._arn = state_machine_arn

    def start(self, request_id: str, execution_name: str) -> str:
        # Only the pointer travels: every step loads what it needs by id.
        try:
            response = self._sfn.start_execution(
                stateMachineArn=self._arn, name=execution_name, input=json.dumps({"request_id": request_id})
            )
        except self._sfn.exceptions.ExecutionAlreadyExists:
            # Started before (intake run twice for the same message): one execution per name.
            return self._arn.replace(":stateMachine:", ":execution:") + ":" + execution_name
        return response["executionArn"]
