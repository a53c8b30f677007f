"""The template's functions, run in this process whenever moto's Lambda service invokes them.

moto's Docker-less Lambda backend never runs code; replacing its ``invoke`` with a call of the
function's real handler lets the real state machine definition drive the real handlers. A
handler that raises answers as Lambda does: ``x-amz-function-error`` and a body with
``errorType``, which Step Functions matches against Retry and Catch.
"""

from __future__ import annotations

import importlib.util
import json
import os
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

from moto.awslambda.models import LambdaFunction
from moto.awslambda_simple.models import LambdaSimpleBackend

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


class InProcessLambdas:
    def __init__(self) -> None:
        self._specs: dict[str, FunctionSpec] = {}
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.Lock()
        #: function logical id -> (error name to raise instead of running it, times left or None
        #: for every time): the local stack's fault switch
        self.faults: dict[str, tuple[str, int | None]] = {}
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

    def invoke(self, name_or_arn: str, event: Any) -> tuple[Any, bool]:
        """Run the handler; returns (result, errored) with a Lambda-shaped error body."""
        spec = self.spec(name_or_arn)
        self.invocations.append((spec.logical_id, time.time()))
        context = LambdaContext(
            function_name=spec.name,
            invoked_function_arn=spec.arn,
            memory_limit_in_mb=spec.memory_mb,
            deadline=time.monotonic() + spec.timeout_seconds,
        )
        try:
            fault = self._take_fault(spec.logical_id)
            if fault:
                raise type(fault, (FaultInjected,), {})("fault injected by the local stack")
            return self.handler(name_or_arn)(event, context), False
        except Exception as exc:
            return {
                "errorType": type(exc).__name__,
                "errorMessage": "handler failed",
                "stackTrace": traceback.format_exception_only(type(exc), exc)[-1:],
            }, True

    def inject(self, function: str, error: str, times: int | None = None) -> None:
        """Make ``function`` (logical id) raise ``error`` instead of running, ``times`` times
        (None: until cleared)."""
        logical_id = self.spec(function).logical_id  # unknown functions are refused
        if not error.isidentifier():
            raise ValueError("an error name is an identifier, e.g. ConnectorTimeout")
        with self._lock:
            self.faults[logical_id] = (error, times)

    def clear(self, function: str | None = None) -> None:
        with self._lock:
            if function is None:
                self.faults.clear()
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
            result, errored = self.invoke(function_name, event)
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
        ):
            yield


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
