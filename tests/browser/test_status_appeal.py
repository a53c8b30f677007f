"""The status page's "Appeal this decision" in a real headless Chromium: shown for a denied
request under a US state law, sent with the status token, then the appeal's course shown in
place of the form; nothing to appeal under the GDPR."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from local_stack.runtime import RunningStack, served_stack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import Denial, DenialReason, Status

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    with served_stack(api_port=0, moto_port=0) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    with sync_playwright() as playwright:
        opened = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield opened
        opened.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-US")
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def _denied(stack: RunningStack, body: dict[str, str]) -> str:
    """Submitted over HTTP, then denied as unverifiable (what the verification timeout does);
    the status page's link."""
    request = urllib.request.Request(
        f"{stack.api_url}/requests",
        data=json.dumps({"type": "deletion"} | body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    store = RequestStore(
        stack.client("dynamodb"), stack.stack.ref("RequestsTable"), stack.stack.ref("AuditTable")
    )
    deadline = time.monotonic() + 30  # the workflow parks its verification wait first
    while "verification" not in store.waiting_for(answer["request_id"]):
        assert time.monotonic() < deadline, "the request never waited for verification"
        time.sleep(0.05)
    denial = Denial(reason=DenialReason.UNVERIFIABLE)
    store.save(
        transition(store.get(answer["request_id"]), Status.DENIED, denial=denial), "test", "status.denied"
    )
    return f"{stack.api_url}/status.html#request={answer['request_id']}&token={answer['status_token']}"


def test_a_denied_us_state_request_is_appealed_from_its_status_page(stack: RunningStack, page: Page) -> None:
    page.goto(
        _denied(stack, {"jurisdiction": "us_state", "us_state": "CO", "email": "appeal.co@example.org"})
    )
    expect(page.locator("#appeal-form")).to_be_visible()

    page.get_by_label("Why you disagree (optional)").fill("I did answer the codes; please look again.")
    page.get_by_role("button", name="Appeal this decision").click()

    expect(page.locator("#view-appeal-text")).to_contain_text("We received your appeal.")
    expect(page.locator("#appeal-form")).to_be_hidden()
    expect(page.locator("#view-status")).to_have_text("Your appeal is being reviewed")


def test_a_gdpr_denial_offers_no_appeal(stack: RunningStack, page: Page) -> None:
    page.goto(_denied(stack, {"jurisdiction": "gdpr", "email": "appeal.gdpr@example.org"}))
    expect(page.locator("#view")).to_be_visible()
    expect(page.locator("#appeal-form")).to_be_hidden()
