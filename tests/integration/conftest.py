"""Fixtures shared by the workflow tests: the synthetic platform seeded, and requests submitted
and verified through the real API and state machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from platform_data import seed_platform, seed_switchboard

from local_stack.runtime import RunningStack
from privacy_rights.runtime.composition import Container

Submit = Callable[[dict[str, Any], list[str]], str]


@pytest.fixture
def seeded(running: RunningStack) -> RunningStack:
    """The synthetic platform without the switchboard's calls (ask for ``switchboard`` too)."""
    return seed_platform(running)


@pytest.fixture
def switchboard(seeded: RunningStack) -> RunningStack:
    """``seeded`` and one in 25 of the demo switchboard's 2,500 calls, at its four customers: a
    number many people share (all 2,500, and the size flag they raise, are test_resolution's)."""
    return seed_switchboard(seeded, every=25)


@pytest.fixture
def verified(
    call_api: Callable[..., Any], container: Container, waiting_for: Callable[[str, str], None]
) -> Submit:
    """Submit (access under the CCPA unless the body says otherwise) and verify; the request id."""

    def submit(body: dict[str, Any], proven: list[str]) -> str:
        status, _, answer = call_api("POST", "/requests", {"type": "access", "jurisdiction": "ccpa"} | body)
        assert status == 202, answer
        request_id: str = answer["request_id"]
        waiting_for(request_id, "verification")
        container.workflow.verified(request_id, proven, actor="test-verifier")
        return request_id

    return submit


@pytest.fixture
def run_to_end(
    seeded: RunningStack, verified: Submit, wait_for_execution: Callable[[str], dict[str, Any]]
) -> Submit:
    """Submitted, verified and run to the end of its workflow."""

    def run(body: dict[str, Any], proven: list[str]) -> str:
        request_id = verified(body, proven)
        assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
        return request_id

    return run


@pytest.fixture
def ops_cli_over_api(call_api: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``privacy-ops`` CLI talks to the in-process ops API (as its ``--operator``)."""
    from privacy_ops import cli as ops_cli

    def call(self: ops_cli.OpsClient, method: str, path: str, body: Any = None) -> Any:
        status, _, answer = call_api(method, path, body, operator=self.operator)
        if status >= 400:
            raise ops_cli.OpsApiError(status, answer)
        return answer

    monkeypatch.setattr(ops_cli.OpsClient, "call", call)
