"""Answering executions that wait on a task token."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.errors import WaitNotPending


class TaskTokens:
    def __init__(self, client: Any) -> None:
        self._sfn = client

    def succeed(self, token: str, output: Mapping[str, Any]) -> None:
        try:
            self._sfn.send_task_success(taskToken=token, output=json.dumps(dict(output), default=str))
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                raise WaitNotPending(exc.response["Error"]["Code"]) from None
            raise

    def fail(self, token: str, error: str, cause: str) -> None:
        try:
            self._sfn.send_task_failure(taskToken=token, error=error, cause=cause)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("TaskTimedOut", "InvalidToken", "TaskDoesNotExist"):
                raise WaitNotPending(exc.response["Error"]["Code"]) from None
            raise
