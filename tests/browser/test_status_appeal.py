"""The status page's "Appeal this decision" in a real headless Chromium: shown for a denied
request under a US state law, sent with the status token, then the appeal's course shown in
place of the form; nothing to appeal under the GDPR."""

from __future__ import annotations

import pytest
from browser_support import denied
from playwright.sync_api import Page, expect

from local_stack.runtime import RunningStack

pytestmark = pytest.mark.browser


def _denied(stack: RunningStack, body: dict[str, str]) -> str:
    """Denied as unverifiable: the status page's link."""
    answer = denied(stack, body)
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
