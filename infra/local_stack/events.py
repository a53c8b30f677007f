"""EventBridge, as far as the template's rules need it: moto stores rules but delivers nothing to
Lambda, and its Step Functions emits no events at all.

- Every execution of the stack's state machines that ends (moto's worker reports its end) is
  published as Step Functions' "Execution Status Change" event, in EventBridge's exact shape,
  to every rule whose pattern matches it (moto's own pattern matcher); matching rules' target
  functions are invoked asynchronously, as EventBridge does, with Lambda's two retries of an
  asynchronous invocation that fails.
- Scheduled rules (``rate(...)``) run on a timer when ``run_schedules`` is on (``make run``);
  tests fire them with ``fire``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.events.models import EventPattern
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

from local_stack.lambdas import InProcessLambdas
from local_stack.provision import DeployedStack, EventRule
from local_stack.template import ACCOUNT_ID, REGION

LOG = logging.getLogger(__name__)
STATUS_CHANGE = "Step Functions Execution Status Change"
#: Lambda retries a failed asynchronous invocation twice
ASYNC_RETRIES = 2
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def _millis(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def execution_status_change(execution: Any) -> dict[str, Any]:
    """What Step Functions puts on EventBridge when ``execution`` (moto's) changes status."""
    status = execution.exec_status.value
    ended_badly = status in ("FAILED", "TIMED_OUT", "ABORTED")
    succeeded = status == "SUCCEEDED"
    stopped = execution.stop_date or dt.datetime.now(dt.UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": STATUS_CHANGE,
        "source": "aws.states",
        "account": execution.account_id or ACCOUNT_ID,
        "time": stopped.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": execution.region_name or REGION,
        "resources": [execution.exec_arn],
        "detail": {
            "executionArn": execution.exec_arn,
            "stateMachineArn": execution.state_machine.arn,
            "name": execution.name,
            "status": status,
            "startDate": _millis(execution.start_date),
            "stopDate": _millis(stopped) if status != "RUNNING" else None,
            "input": json.dumps(execution.input_data) if execution.input_data is not None else None,
            "inputDetails": {"included": True},
            "output": json.dumps(execution.output) if succeeded and execution.output is not None else None,
            "outputDetails": {"included": True} if succeeded else None,
            "error": getattr(execution, "error", None) if ended_badly else None,
            "cause": getattr(execution, "cause", None) if ended_badly else None,
            "redriveCount": 0,
            "redriveStatus": "REDRIVABLE" if ended_badly else "NOT_REDRIVABLE",
            "redriveStatusReason": (
                f"Execution is {status} and can be redriven"
                if ended_badly
                else f"Execution is {status} and cannot be redriven"
            ),
        },
    }


def schedule_seconds(expression: str) -> int:
    found = _RATE.match(expression)
    if not found:
        raise ValueError(f"the local stack runs rate(...) schedules only, not {expression}")
    return int(found.group(1)) * _UNIT_SECONDS[found.group(2).rstrip("s")]


def scheduled_event(rule: EventRule) -> dict[str, Any]:
    """What EventBridge sends a scheduled rule's target."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [rule.arn],
        "detail": {},
    }


class LocalEventBridge:
    def __init__(self, stack: DeployedStack, lambdas: InProcessLambdas) -> None:
        self._stack = stack
        self._lambdas = lambdas
        self._state_machines = {
            stack.attribute(logical_id, "Arn")
            for logical_id in stack.of_type("AWS::Serverless::StateMachine")
        }
        self._queue: queue.Queue[tuple[EventRule, dict[str, Any]] | None] = queue.Queue()
        self._stop = threading.Event()
        #: (rule logical id, event, function logical id, result, errored), oldest first
        self.delivered: list[tuple[str, dict[str, Any], str, Any, bool]] = []
        self._lock = threading.Lock()
        #: executions between their end and their event on the queue: one seen ended by
        #: DescribeExecution may not have published yet
        self._ending = 0

    # -- publishing ------------------------------------------------------------------------

    def put(self, event: dict[str, Any]) -> int:
        """An event on the default bus: queued for every rule whose pattern matches; how many."""
        matched = 0
        for rule in self._stack.event_rules:
            if (
                rule.pattern is not None
                and rule.functions
                and EventPattern.load(json.dumps(rule.pattern)).matches_event(event)  # type: ignore[arg-type]
            ):
                self._queue.put((rule, event))
                matched += 1
        return matched

    def fire(self, rule_logical_id: str) -> list[Any]:
        """Run a scheduled rule's targets now, in this thread; their results."""
        (rule,) = [r for r in self._stack.event_rules if r.logical_id == rule_logical_id]
        return [self._invoke(rule, scheduled_event(rule), function) for function in rule.functions]

    def drain(self, timeout: float = 30) -> None:
        """Wait until every queued event has been delivered."""
        deadline = time.monotonic() + timeout
        while (self._ending or self._queue.unfinished_tasks) and time.monotonic() < deadline:
            time.sleep(0.02)
        if self._ending or self._queue.unfinished_tasks:
            raise TimeoutError("events still being delivered")

    def events_for(self, rule_logical_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [event for rule, event, *_ in self.delivered if rule == rule_logical_id]

    # -- delivery --------------------------------------------------------------------------

    def _invoke(self, rule: EventRule, event: dict[str, Any], function: str) -> Any:
        for _attempt in range(1 + ASYNC_RETRIES):
            result, errored = self._lambdas.invoke(function, event)
            if not errored:
                break
            LOG.warning("%s failed on an event of %s: %s", function, rule.logical_id, result.get("errorType"))
        with self._lock:
            self.delivered.append((rule.logical_id, event, function, result, errored))
        return result

    def _deliver_forever(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                rule, event = item
                for function in rule.functions:
                    self._invoke(rule, event, function)
            finally:
                self._queue.task_done()

    def _schedules(self) -> None:
        due: dict[str, float] = {}
        while not self._stop.wait(1.0):
            for rule in self._stack.event_rules:
                if rule.schedule is None or not rule.functions:
                    continue
                now = time.monotonic()
                if now >= due.setdefault(rule.logical_id, now + schedule_seconds(rule.schedule)):
                    due[rule.logical_id] = now + schedule_seconds(rule.schedule)
                    for function in rule.functions:
                        self._invoke(rule, scheduled_event(rule), function)

    def _execution_ended(self, execution: Any) -> None:
        if execution.state_machine.arn in self._state_machines or any(
            execution.exec_arn.startswith(arn.replace(":stateMachine:", ":execution:") + ":")
            for arn in self._state_machines
        ):
            self.put(execution_status_change(execution))

    @contextmanager
    def running(self, run_schedules: bool = False) -> Iterator[LocalEventBridge]:
        """Deliver while the stack runs; on the way out, what is queued is delivered first."""
        original = BaseExecutionWorkerCommunication.terminated
        bus = self

        def terminated(communication: Any) -> None:
            with bus._lock:
                bus._ending += 1
            try:
                original(communication)
                try:
                    bus._execution_ended(communication.execution)
                except Exception:  # an event lost is what AWS calls best effort; never the execution
                    LOG.exception("could not publish an execution's end")
            finally:
                with bus._lock:
                    bus._ending -= 1

        worker = threading.Thread(target=self._deliver_forever, name="local-eventbridge", daemon=True)
        worker.start()
        threads = [worker]
        if run_schedules:
            timer = threading.Thread(target=self._schedules, name="local-schedules", daemon=True)
            timer.start()
            threads.append(timer)
        try:
            with mock.patch.object(BaseExecutionWorkerCommunication, "terminated", terminated):
                yield self
        finally:
            self._stop.set()
            try:
                self.drain()
            finally:
                self._queue.put(None)
                for thread in threads:
                    thread.join(timeout=10)
