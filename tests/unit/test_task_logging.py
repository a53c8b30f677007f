"""A warm container's next invocation never logs the previous request's id (issue 21)."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from privacy_rights.orchestration.step_io import StepInput
from privacy_rights.runtime import task_handler
from privacy_rights.runtime.observability import make_logger


class _Context:
    function_name = "callx-privacy-probe"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:callx-privacy-probe"
    aws_request_id = "00000000-0000-4000-8000-000000000000"


def test_the_next_invocation_starts_without_the_last_requests_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")  # the event line is logged before the step
    monkeypatch.setattr(task_handler, "get_settings", lambda: None)
    monkeypatch.setattr(task_handler, "Container", lambda settings: object())
    probe_logger = make_logger("probe")
    handler_stream = probe_logger.registered_handler
    assert isinstance(handler_stream, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler_stream.setStream(buffer)
    try:

        @task_handler.workflow_task("probe", StepInput)
        def handler(event: StepInput, container: Any) -> dict[str, str]:
            return {"request_id": event.request_id}

        handler({"request_id": "req_first_request"}, _Context())
        buffer.truncate(0)
        buffer.seek(0)
        handler({"request_id": "req_second_request"}, _Context())
    finally:
        handler_stream.setStream(previous)
        probe_logger.clear_state()  # the loggers of one service share their keys
    lines = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    assert lines, "the event line was logged"
    assert all(line.get("request_id") != "req_first_request" for line in lines), lines
