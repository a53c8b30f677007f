"""Starting the rights-request state machine."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class StepFunctionsStarter:
    def __init__(self, client: SFNClient, state_machine_arn: str) -> None:
        self._sfn = client
        self._arn = state_machine_arn

    def start(self, request_id: str, execution_name: str) -> str:
        # Only the pointer travels: every step loads what it needs by id.
        response = self._sfn.start_execution(
            stateMachineArn=self._arn, name=execution_name, input=json.dumps({"request_id": request_id})
        )
        return response["executionArn"]
