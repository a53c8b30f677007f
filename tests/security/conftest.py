"""One local stack for the whole security tier, started once per session.

Each test makes its own attackers (fresh email addresses, fresh source addresses) and, where an
attack could destroy what it targets, its own victim (``service.seed_stranger()``), so that an
attack that works on one test's victim cannot make another test pass by leaving nothing to steal.

The stack is stopped as soon as the tier's last test is done rather than at the end of the
session: while it runs, its environment (table names, ``AWS_ENDPOINT_URL``) is the process's,
and the tiers that run after this one in ``make test`` must not see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from harness import Actor, Service

from local_stack import demo, synthetic
from local_stack.runtime import RunningStack, served_stack

_TIER = Path(__file__).parent
_running = ExitStack()


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    running = _running.enter_context(served_stack(api_port=0, moto_port=0))
    _seed(running)
    yield Service(running)
    _running.close()  # already closed after the tier's last test; a no-op then


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or _TIER not in Path(nextitem.path).parents:
        _running.close()


def _seed(running: RunningStack) -> None:
    """What ``synthetic.generate`` writes (the tenants, the demo subjects and agents, a small
    background), less the shared switchboard's 2,500 calls: no test here needs them, and they
    are most of the writing."""
    writer = running.platform_writer()
    for record in synthetic.records(synthetic.Scale(callers=5)):
        if isinstance(record, synthetic.Row) and record.item.get("caller_phone") == demo.SWITCHBOARD_PHONE:
            continue
        writer.put(record)
    writer.flush()


@pytest.fixture
def attacker(service: Service) -> Actor:
    """A stranger on the internet with an email address of their own."""
    return Actor(service)
