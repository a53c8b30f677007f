"""The browser tier's fixtures: ONE local stack and ONE Chromium for the whole session; each test
gets a fresh browser context (its own storage and cookies) and creates its own subjects.

The tier needs Playwright for Python (pip) and Debian's Chromium: `make test-browser` installs the
first and checks for the second. Without Playwright (a bare `make test`, which deselects this tier
anyway) no test module here is collected, and this file imports nothing of Playwright, so the tier
cannot break other tiers; `pytest -m browser tests/browser` then runs no test and pytest exits 5,
which fails CI. The helpers the tests call are in browser_support.py."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from local_stack.runtime import RunningStack

if importlib.util.find_spec("playwright") is None:
    collect_ignore_glob = ["test_*.py"]

#: Every page and test calls from 127.0.0.1, so the whole tier is one source to the intake's
#: limit per source (20 submissions an hour by default); a test of the limit itself stubs the 429.
SUBMISSIONS_PER_SOURCE = "500"


@pytest.fixture(scope="session")
def stack() -> Iterator[RunningStack]:
    """The local stack on free ports with the synthetic platform (ten callers) in it. Tests
    share it: each creates its own requests, mail and holds, and asserts on their ids."""
    from local_stack.runtime import served_stack
    from local_stack.synthetic import Scale

    previous = os.environ.get("SUBMISSIONS_PER_IP_PER_HOUR")
    os.environ["SUBMISSIONS_PER_IP_PER_HOUR"] = SUBMISSIONS_PER_SOURCE
    try:
        with served_stack(api_port=0, moto_port=0) as running:
            running.seed(Scale(callers=10))
            yield running
    finally:
        if previous is None:
            os.environ.pop("SUBMISSIONS_PER_IP_PER_HOUR", None)
        else:
            os.environ["SUBMISSIONS_PER_IP_PER_HOUR"] = previous


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see make test-browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def operator() -> str | None:
    """Who the `page` fixtures are signed in as on the ops console: nobody here; a module of
    console tests overrides this fixture with the operator's name."""
    return None


def _checked_page(browser: Browser, operator: str | None, **options: object) -> Iterator[Page]:
    from browser_support import new_page

    context, opened, problems = new_page(browser, operator, **options)
    yield opened
    context.close()
    assert not problems.errors, problems.errors


@pytest.fixture
def page(browser: Browser, operator: str | None) -> Iterator[Page]:
    """A page under the pages' own Content-Security-Policy; the test fails on an uncaught script
    error or a CSP refusal."""
    yield from _checked_page(browser, operator)


@pytest.fixture
def axe_page(browser: Browser, operator: str | None) -> Iterator[Page]:
    """A page that lets the test inject axe-core (an inline script the pages' CSP refuses)."""
    yield from _checked_page(browser, operator, bypass_csp=True)
