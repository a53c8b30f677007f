"""One local stack, served as `make run` serves it (HTTP on 127.0.0.1, a moto server, the
synthetic platform as `make seed` writes it), for the e2e tier's modules: deploying and seeding
it is most of what the tier costs. Tests create their own subjects and assert on their own ids.

The stack is stopped as soon as the tier's last test is done rather than at the end of the
session: while it runs, its environment (``AWS_ENDPOINT_URL``, table names) is the process's,
and the tiers that run after this one must not see it (as in tests/security/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from local_stack.runtime import RunningStack, served_stack
from local_stack.synthetic import Scale

_TIER = Path(__file__).parent
_running = ExitStack()


@pytest.fixture(scope="session")
def local() -> Iterator[RunningStack]:
    running = _running.enter_context(served_stack(api_port=0, moto_port=0))
    running.seed(Scale(callers=10))
    yield running
    _running.close()  # already closed after the tier's last test; a no-op then


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or _TIER not in Path(nextitem.path).parents:
        _running.close()
