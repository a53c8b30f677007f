"""The template's functions, run in this process whenever moto's Lambda service invokes them.

moto's Docker-less Lambda backend never runs code; replacing its ``invoke`` with a call of the
function's real handler lets the real state machine definition drive the real handlers. A
handler that raises answers as Lambda does: ``x-amz-function-error`` and a body with
``errorType``, which Step Functions matches against Retry and Catch.

Lambda's service can fail too (Invoke itself answers ``ServiceException``, or 429
``TooManyRequestsException``), and Step Functions names those errors ``Lambda.<code>``, which
the definition retries. moto's Step Functions names every one of them ``Exception`` on a plain
ARN task (and fails with ``KeyError('RequestId')`` on an answer without a request id): the
switch below makes Invoke fail as the service does (``inject(f, "Lambda.ServiceException")``),
and ``installed`` gives those errors AWS's names, so Retry is exercised as on AWS.

The switch can also crash a share of all invocations at random (``crash``): the function's
runtime dies (``Runtime.ExitError``), either before the handler runs or after it ran, its
answer lost, which is what a soak needs to show that retries and replays repeat nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

from botocore.exceptions import BotoCoreError, ClientError
from moto.awslambda.exceptions import LambdaClientError
from moto.awslambda.models import LambdaFunction
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.api import HistoryEventType, LambdaFunctionFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_lambda import StateTaskLambda
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

Handler = Callable[[Any, Any], Any]


@dataclass
class FunctionSpec:
    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    timeout_seconds: int = 30
    memory_mb: int = 256


@dataclass
class LambdaContext:
    """What Powertools and our handlers read from the Lambda context object."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    deadline: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.monotonic()) * 1000))


class FaultInjected(Exception):
    """Raised instead of running a handler that the local stack was told to break."""


#: Faults of Lambda's service itself (Invoke answers an error; the function never ran), by the
#: name Step Functions gives them, with the HTTP status Lambda answers.
SERVICE_FAULTS = {"Lambda.ServiceException": 500, "Lambda.TooManyRequestsException": 429}
#: What Lambda reports when the function's runtime died (Step Functions sees it as the error).
CRASH_ERROR = "Runtime.ExitError"


class LambdaServiceFault(LambdaClientError):
    """Invoke's own error answer, as Lambda's service gives it (moto renders it with a request id)."""

    def __init__(self, name: str) -> None:
        super().__init__(name.removeprefix("Lambda."), "fault injected by the local stack")
        self.code = SERVICE_FAULTS[name]


class RuntimeCrash(Exception):
    """The function's runtime died: Lambda answers ``Runtime.ExitError``."""

    error_type = CRASH_ERROR


@dataclass
class CrashRate:
    """A share of every invocation crashes, drawn from its own seeded generator."""

    rate: float
    seed: int
    crashed: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.rate <= 1:
            raise ValueError("a crash rate is between 0 and 1")
        self.rng = random.Random(self.seed)  # noqa: S311 - fault injection, reproducibility is the point


class InProcessLambdas:
    def __init__(self) -> None:
        self._specs: dict[str, FunctionSpec] = {}
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        #: function logical id -> (error name to raise instead of running it, times left or None
        #: for every time): the local stack's fault switch
        self.faults: dict[str, tuple[str, int | None]] = {}
        #: crash this share of every invocation (None: none)
        self.crashes: CrashRate | None = None
        self.invocations: list[tuple[str, float]] = []

    def register(self, spec: FunctionSpec) -> None:
        for key in (spec.logical_id, spec.name, spec.arn):
            self._specs[key] = spec

    @property
    def functions(self) -> list[FunctionSpec]:
        return list({spec.logical_id: spec for spec in self._specs.values()}.values())

    def spec(self, name_or_arn: str) -> FunctionSpec:
        """By logical id, function name, or ARN (possibly with a version qualifier)."""
        if ":function:" in name_or_arn:
            name_or_arn = name_or_arn.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
        return self._specs[name_or_arn]

    def merged_environment(self) -> dict[str, str]:
        """All functions share this process's environment, so their variables must agree."""
        merged: dict[str, str] = {}
        for spec in self.functions:
            for key, value in spec.environment.items():
                if merged.setdefault(key, value) != value:
                    raise ValueError(f"functions disagree on environment variable {key}")
        return merged

    def module(self, name_or_arn: str) -> ModuleType:
        """The function's handler module, imported once (a cold start)."""
        spec = self.spec(name_or_arn)
        module_file = spec.handler.rpartition(".")[0]
        with self._lock:
            module = self._modules.get(spec.logical_id)
            if module is None:
                module = load_module(spec.code_dir / f"{module_file}.py", f"function_{spec.logical_id}")
                self._modules[spec.logical_id] = module
        return module

    def handler(self, name_or_arn: str) -> Handler:
        handler: Handler = getattr(
            self.module(name_or_arn), self.spec(name_or_arn).handler.rpartition(".")[2]
        )
        return handler

    def invoke(self, name_or_arn: str, event: Any, through_service: bool = False) -> tuple[Any, bool]:
        """Run the handler; returns (result, errored) with a Lambda-shaped error body.

        ``through_service``: called through Lambda's Invoke API (Step Functions' tasks), where a
        ``Lambda.*`` fault is Invoke's own error answer (``LambdaServiceFault`` raised)."""
        spec = self.spec(name_or_arn)
        self.invocations.append((spec.logical_id, time.time()))
        context = LambdaContext(
            function_name=spec.name,
            invoked_function_arn=spec.arn,
            memory_limit_in_mb=spec.memory_mb,
            deadline=time.monotonic() + spec.timeout_seconds,
        )
        fault = self._take_fault(spec.logical_id)
        if fault in SERVICE_FAULTS and through_service:
            raise LambdaServiceFault(fault)
        crash = self._draw_crash()
        try:
            if fault:
                raise type(fault.replace(".", "_"), (FaultInjected,), {"error_type": fault})(
                    "fault injected by the local stack"
                )
            if crash == "before":
                raise RuntimeCrash("the runtime exited before the handler ran")
            result = self.handler(name_or_arn)(event, context)
            if crash == "after":
                raise RuntimeCrash("the runtime exited after the handler ran; its answer is lost")
            return result, False
        except Exception as exc:
            return {
                "errorType": getattr(exc, "error_type", type(exc).__name__),
                "errorMessage": "handler failed",
                "stackTrace": traceback.format_exception_only(type(exc), exc)[-1:],
            }, True

    def crash(self, rate: float, seed: int = 0) -> None:
        """Crash ``rate`` of every invocation from now on, half before the handler runs and half
        after (its work done, its answer lost); 0 stops it."""
        with self._lock:
            self.crashes = CrashRate(rate, seed) if rate else None

    def _draw_crash(self) -> str | None:
        with self._lock:
            crashes = self.crashes
            if crashes is None or crashes.rng.random() >= crashes.rate:
                return None
            crashes.crashed += 1
            return "before" if crashes.rng.random() < 0.5 else "after"

    def inject(self, function: str, error: str, times: int | None = None) -> None:
        """Make ``function`` (logical id) raise ``error`` instead of running, ``times`` times
        (None: until cleared)."""
        logical_id = self.spec(function).logical_id  # unknown functions are refused
        if not (error.isidentifier() or error in SERVICE_FAULTS):
            raise ValueError(
                "an error name is an identifier, e.g. ConnectorTimeout, or one of "
                + ", ".join(SERVICE_FAULTS)
            )
        with self._lock:
            self.faults[logical_id] = (error, times)

    def clear(self, function: str | None = None) -> None:
        with self._lock:
            if function is None:
                self.faults.clear()
                self.crashes = None
            else:
                self.faults.pop(self.spec(function).logical_id, None)

    def _take_fault(self, logical_id: str) -> str | None:
        with self._lock:
            if logical_id not in self.faults:
                return None
            error, times = self.faults[logical_id]
            if times is not None:
                if times <= 1:
                    del self.faults[logical_id]
                else:
                    self.faults[logical_id] = (error, times - 1)
            return error

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Route moto's Lambda invocations (Step Functions tasks, S3 notifications) here."""

        def simple_backend_invoke(
            backend: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
        ) -> bytes:
            event = json.loads(body) if body else {}
            result, errored = self.invoke(function_name, event, through_service=True)
            if errored:
                response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps(result).encode()

        def function_invoke(function: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
            return simple_backend_invoke(
                None, function.function_arn, None, body, request_headers, response_headers
            )

        with (
            mock.patch.object(LambdaSimpleBackend, "invoke", simple_backend_invoke),
            mock.patch.object(LambdaFunction, "invoke", function_invoke),
            aws_lambda_error_names(),
        ):
            yield


@contextmanager
def aws_lambda_error_names() -> Iterator[None]:
    """Step Functions' names for Lambda's service errors, where moto has others.

    A plain-ARN Lambda task whose Invoke call fails is ``Lambda.<error code>`` on AWS
    (``Lambda.ServiceException``, ``Lambda.TooManyRequestsException``...), and
    ``Lambda.SdkClientException`` when Lambda could not be reached; moto names all of them
    ``Exception``, which no Retry of the definition matches. The ``lambda:invoke`` integration
    names them already."""
    original = StateTaskLambda._from_error

    def from_error(state: Any, env: Any, ex: Exception) -> Any:
        if isinstance(ex, ClientError):
            error, cause = lambda_error_and_cause(ex)
        elif isinstance(ex, BotoCoreError):
            error, cause = "Lambda.SdkClientException", f"Unable to execute HTTP request: {type(ex).__name__}"
        else:
            return original(state, env, ex)
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(  # type: ignore[typeddict-item]  # as moto builds them
                lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(error=error, cause=cause)
            ),
        )

    with mock.patch.object(StateTaskLambda, "_from_error", from_error):
        yield


def lambda_error_and_cause(client_error: ClientError) -> tuple[str, str]:
    """``Lambda.<code>`` and Step Functions' cause text for an error answer of Invoke."""
    error = client_error.response.get("Error", {})
    metadata = client_error.response.get("ResponseMetadata", {})
    code = error.get("Code") or "ServiceException"
    details = "; ".join(
        [
            "Service: AWSLambda",
            f"Status Code: {metadata.get('HTTPStatusCode', '')}",
            f"Error Code: {code}",
            f"Request ID: {metadata.get('RequestId', '')}",
            "Proxy: null",
        ]
    )
    return f"Lambda.{code}", f"{error.get('Message', '')} ({details})"


def load_module(path: Path, module_name: str) -> ModuleType:
    """Import a handler file the way Lambda does: by its file, as its own top-level module."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply_environment(variables: Mapping[str, str]) -> dict[str, str | None]:
    """Set the functions' variables in this process; returns what to restore."""
    previous = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    return previous


def restore_environment(previous: Mapping[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
