"""Fixtures shared by every tier.

The integration tier deploys template.yaml on in-process moto once (``session_stack``), not once
per test: ``running`` hands each test that deployment, and when the test is over its executions
are answered or stopped and everything it wrote is emptied (``RunningStack.reset``), so each test
starts on the stack as just deployed. The deployment is taken down as soon as the next test does
not need it (tests that make a stack of their own, or none, run without it), and again for the
next test if a test leaves executions that cannot be stopped.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from local_stack.http_api import operator_identity, ops_role_of, proxy_event
from local_stack.provision import Route
from local_stack.runtime import RunningStack, in_process_stack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.settings import Settings

FINAL_EXECUTION_STATES = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}
#: How long a test waits for an execution or a condition before it fails. Waiting costs only when
#: something is wrong, and a busy two-core runner has taken over 20 s for one deletion; CI may
#: set TEST_PATIENCE_SECONDS.
PATIENCE = float(os.environ.get("TEST_PATIENCE_SECONDS", "120"))


class RetrySleeps:
    """Step Functions' Retry intervals, recorded instead of slept (a blink is slept, so other
    threads of the test can act between attempts)."""

    BLINK = 0.05

    def __init__(self) -> None:
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        time.sleep(self.BLINK)


@pytest.fixture
def retry_sleeps() -> Iterator[RetrySleeps]:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

    sleeps = RetrySleeps()
    with mock.patch.object(retrier_decl, "time", sleeps):
        yield sleeps


class SessionStack:
    """The integration tier's one deployment, made when a test first needs it."""

    def __init__(self) -> None:
        self._exits = ExitStack()
        self._running: RunningStack | None = None
        self.deployments = 0

    @property
    def is_open(self) -> bool:
        return self._running is not None

    def open(self) -> RunningStack:
        if self._running is None:
            self._running = self._exits.enter_context(in_process_stack())
            self.deployments += 1
        return self._running

    def reset(self) -> None:
        """Empty what the last test wrote; a stack that cannot be reset is taken down."""
        if self._running is None:
            return
        try:
            self._running.reset()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._running = None
        self._exits.close()


_SESSION_STACK = SessionStack()


@pytest.fixture(scope="session")
def session_stack() -> Iterator[SessionStack]:
    """The deployment tests share (``open()`` it); a module-scoped fixture may seed it once for
    the module's tests if none of them asks for ``running`` (which empties it after each test)."""
    yield _SESSION_STACK
    _SESSION_STACK.close()


#: Tiers whose tests share something made once per session: the e2e and security tiers' served
#: stacks (each started once, seeded), the package tier's built layer and files in build/.
ONE_WORKER_TIERS = ("e2e", "security", "package")


#: The order tiers are handed to the workers: the long groups first, the unit tier's many short
#: modules last, where they even out the workers' ends.
TIER_ORDER = ("e2e", "security", "integration", "package", "unit")


def _tier(item: pytest.Item) -> str:
    tests_dir = Path(__file__).parent
    path = Path(item.path)
    return path.relative_to(tests_dir).parts[0] if tests_dir in path.parents else ""


class SharedSetupScheduler:
    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
        """``make test`` (``-n 2 --dist loadgroup``): what a group of tests shares is made once, on
        one worker. A module's tests stay together (its module-scoped fixtures: a seeded
        platform), and so do the tiers of ``ONE_WORKER_TIERS`` (their served stacks).

        This is pytest-xdist's scope scheduler with our scopes, not its ``xdist_group`` marks: with
        pytest 9, xdist 3.8's worker can no longer rename a test's node id with its group, so every
        group was split over both workers and each built the e2e stack and the security tier's stack
        again. Scopes go out in collection order (``pytest_collection_modifyitems``)."""
        if config.getvalue("dist") != "loadgroup":
            return None
        from xdist.scheduler import LoadScopeScheduling

        class SharedSetupScheduling(LoadScopeScheduling):  # type: ignore[misc]
            def _split_scope(self, nodeid: str) -> str:
                path = nodeid.split("::", 1)[0]
                parts = path.split("/")
                return "/".join(parts[:2]) if len(parts) > 2 and parts[1] in ONE_WORKER_TIERS else path

        config.option.loadscopereorder = False
        return SharedSetupScheduling(config, log)


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):  # its hook is unknown without it (-p no:xdist)
        config.pluginmanager.register(SharedSetupScheduler(), "shared-setup-scheduler")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An order for ``make test``'s time (issue 15) that changes nothing a test does: the tiers in
    ``TIER_ORDER``, and within the integration tier the tests on the session's deployment first,
    those with a stack of their own or none after them, so that the deployment is made once, not
    again after each test that runs without it (each xdist worker deploys its own)."""

    def off_the_deployment(item: pytest.Item) -> bool:
        return _tier(item) == "integration" and "session_stack" not in getattr(item, "fixturenames", ())

    def rank(item: pytest.Item) -> tuple[int, bool]:
        tier = _tier(item)
        return (TIER_ORDER.index(tier) if tier in TIER_ORDER else len(TIER_ORDER), off_the_deployment(item))

    items.sort(key=rank)  # stable


@pytest.hookimpl(trylast=True)  # after the fixtures of ``item`` are torn down
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or "session_stack" not in getattr(nextitem, "fixturenames", ()):
        _SESSION_STACK.close()


@pytest.fixture
def running(retry_sleeps: RetrySleeps, session_stack: SessionStack) -> Iterator[RunningStack]:
    """Every resource of template.yaml on in-process moto, handlers wired to the real state
    machine, nothing in it but what the test writes; retries never sleep."""
    stack = session_stack.open()
    with warnings.catch_warnings():  # pytest sets each test's filters anew: the stack's, again
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        warnings.filterwarnings("ignore", message="No idempotency key value found")
        yield stack
    try:
        _wait_for_executions(stack)
    except BaseException:
        session_stack.close()  # an execution that cannot be stopped would write into the next test
        raise


@pytest.fixture(autouse=True)
def _empty_stack_after_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that had ``running`` (and after all its other fixtures, whose teardown may
    still use the stack): the stack as just deployed again for the next one."""
    yield
    if "running" in request.fixturenames:
        _SESSION_STACK.reset()


@pytest.fixture
def container(running: RunningStack) -> Container:
    """The domain wired to the running stack, as a handler would be."""
    return Container(Settings.from_environment())


@pytest.fixture
def store(running: RunningStack) -> RequestStore:
    return RequestStore(
        running.client("dynamodb"), running.stack.ref("RequestsTable"), running.stack.ref("AuditTable")
    )


def wait_until(condition: Callable[[], Any], timeout: float = PATIENCE, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.03)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def eventually() -> Callable[..., Any]:
    return wait_until


@pytest.fixture
def waiting_for(store: RequestStore) -> Callable[[str, str], None]:
    """Block until the request's execution is parked waiting for ``kind``."""

    def wait(request_id: str, kind: str) -> None:
        wait_until(lambda: kind in store.waiting_for(request_id), what=f"{request_id} waiting for {kind}")

    return wait


def _wait_for_executions(stack: RunningStack, timeout: float = PATIENCE) -> None:
    """No execution may outlive its test: its thread would call a moto that is gone. Those
    parked on a task token (waiting for a verification that never comes) are stopped."""
    sfn: Any = stack.client("stepfunctions")
    deadline = time.monotonic() + timeout
    arn = stack.stack.ref("RightsRequestStateMachine")
    store = RequestStore(
        stack.client("dynamodb"), stack.stack.ref("RequestsTable"), stack.stack.ref("AuditTable")
    )
    while time.monotonic() < deadline:
        running = sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]
        if not running:
            return
        # moto's StopExecution leaves a parked execution running: answer its wait instead.
        for execution in running:
            request_id = re.sub(r"-r\d+$", "", execution["name"])
            for kind in store.waiting_for(request_id):
                token = store.take_waiting(request_id, kind)
                if token:
                    sfn.send_task_failure(taskToken=token, error="TestOver", cause="the test ended")
        time.sleep(0.05)
    raise AssertionError("executions still running at the end of the test")


@pytest.fixture
def call_api(running: RunningStack) -> Callable[..., tuple[int, dict[str, Any], Any]]:
    """Call a route of the template the way API Gateway would: a real proxy event to its function."""

    def call(
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        source_ip: str = "203.0.113.7",
        operator: str | None = None,
    ) -> tuple[int, dict[str, Any], Any]:
        """``operator`` plays the IAM identity API Gateway puts in the context of IAM routes."""
        route, parameters = _match(running, method, path)
        raw = body if isinstance(body, bytes | str) or body is None else json.dumps(body)
        payload = raw.encode() if isinstance(raw, str) else (raw or b"")
        all_headers = {"Content-Type": "application/json", "Host": "api.local"} | (headers or {})
        event = proxy_event(
            route,
            "v1",
            method,
            path,
            {k: [v] for k, v in all_headers.items()},
            payload,
            source_ip,
            parameters,
            operator_identity(operator, ops_role_of(running.stack, route)) if operator else None,
        )
        result, errored = running.lambdas.invoke(route.function, event)
        assert not errored, f"{route.function} raised: {result}"
        text = result.get("body") or ""
        headers = (result.get("headers") or {}) | {
            name: values[-1] for name, values in (result.get("multiValueHeaders") or {}).items() if values
        }
        if not text:
            return result["statusCode"], headers, None
        is_json = "json" in headers.get("Content-Type", "application/json")
        return result["statusCode"], headers, json.loads(text) if is_json else text

    return call


def _match(running: RunningStack, method: str, path: str) -> tuple[Route, dict[str, str]]:
    for route in running.stack.routes:
        if route.method == method:
            found = route.pattern().match(path.split("?", maxsplit=1)[0])
            if found:
                return route, found.groupdict()
    raise AssertionError(f"no route for {method} {path}")


@pytest.fixture
def key_ring(running: RunningStack) -> KeyRing:
    secrets: Any = running.client("secretsmanager")
    secret = secrets.get_secret_value(SecretId=running.stack.ref("HashKeySecret"))
    return KeyRing.from_secret(json.loads(secret["SecretString"]))


@pytest.fixture
def wait_for_execution(running: RunningStack) -> Callable[[str], dict[str, Any]]:
    """Poll one execution (by name) until it reaches a final status; returns describe_execution."""
    return lambda name: _wait_for_execution(running, name)


def _wait_for_execution(
    running: RunningStack, execution_name: str, timeout: float = PATIENCE
) -> dict[str, Any]:
    sfn: Any = running.client("stepfunctions")
    arn = (
        running.stack.ref("RightsRequestStateMachine").replace(":stateMachine:", ":execution:")
        + f":{execution_name}"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] in FINAL_EXECUTION_STATES:
            return described
        time.sleep(0.05)
    raise AssertionError(f"execution {execution_name} did not finish in {timeout}s")
