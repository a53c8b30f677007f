"""The web form in a real headless Chromium against the local stack: a request from the form to
the status page, errors announced next to their fields, keyboard-only use, and axe-core finding no
serious or critical accessibility violation.

Screenshots of every page land in tests/browser/screenshots/ (not committed)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from browser_support import focused_matches, http, serious_violations, shoot, submit, tab_to, wait_for
from playwright.sync_api import Page, Route, expect

from local_stack.runtime import RunningStack

pytestmark = pytest.mark.browser

CODE = re.compile(r"\b(\d{6})\b")
STATUS_LINK = re.compile(r"https?://\S+/status\.html#request=[^\s&]+&token=\S+")

EMAIL = "browser@example.net"
PHONE = "+1 415 555 2671"
PHONE_E164 = "+14155552671"
# A call the platform holds from PHONE: what the subject can tell when the server asks for a fact.
RECENT_CALL = {"month": "2026-10", "business": "Acme Plumbing", "tenant_id": "acme"}


@pytest.fixture(scope="module", autouse=True)
def recent_call(stack: RunningStack) -> None:
    """The platform's record of one call from PHONE, so the server can ask for a "recent call"
    fact. The tier's stack (conftest.py) is shared: the tests here take about a dozen requests."""
    ddb: Any = stack.session.client("dynamodb")
    ddb.put_item(
        TableName=stack.stack.platform_stores["calls"],
        Item={
            "call_id": {"S": "call_browser_test"},
            "tenant_id": {"S": RECENT_CALL["tenant_id"]},
            "caller_phone": {"S": PHONE_E164},
            "started_at": {"S": f"{RECENT_CALL['month']}-02T15:30:00Z"},
        },
    )


# --- helpers -----------------------------------------------------------------------------------


def outbox(stack: RunningStack) -> list[dict[str, Any]]:
    status, messages = http(stack, "GET", "/_local/outbox")
    assert status == 200, (status, messages)
    return list(messages)


def code_sent(stack: RunningStack, recipient: str, request_id: str) -> str | None:
    """The newest 6-digit code sent to ``recipient`` for this request (links and ids left out,
    so a run of digits inside them never passes for a code)."""
    for message in outbox(stack):
        text = f"{message['subject']}\n{message['body']}"
        if recipient not in message["to"] or request_id not in text:
            continue
        found = CODE.search(re.sub(r"https?://\S+", " ", text).replace(request_id, " "))
        if found:
            return found.group(1)
    return None


def status_link(stack: RunningStack, recipient: str, request_id: str) -> str:
    def find() -> str | None:
        for message in outbox(stack):
            if recipient in message["to"] and request_id in message["subject"] + message["body"]:
                link = STATUS_LINK.search(message["body"])
                if link:
                    return link.group(0)
        return None

    return wait_for(find, f"the acknowledgement to {recipient} with its status link")


def submit_over_http(stack: RunningStack, body: dict[str, Any]) -> str:
    return submit_for_token(stack, body)[0]


def submit_for_token(stack: RunningStack, body: dict[str, Any]) -> tuple[str, str]:
    """The request id and the status token the intake answer gives the requester."""
    answer = submit(stack, body)
    return answer["request_id"], answer["status_token"]


def arrow_until(page: Page, selector: str, wanted: str, limit: int = 60) -> None:
    """Press ArrowDown on the focused radio group or select until the value of ``selector`` (a
    select, or the checked radio of a group) is ``wanted``."""
    read = "(s) => document.querySelector(s)?.value ?? ''"
    for _ in range(limit):
        if page.evaluate(read, selector) == wanted:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"ArrowDown never made {selector} {wanted!r}")


def fill_request(page: Page, right: str, jurisdiction: str, email: str = "", phone: str = "") -> None:
    page.get_by_label(right, exact=True).check()
    page.get_by_label("Where are you?").select_option(jurisdiction)
    if email:
        page.get_by_label("Email address").fill(email)
    if phone:
        page.get_by_label("Phone number", exact=True).fill(phone)


# --- tests -------------------------------------------------------------------------------------


def test_a_request_from_the_form_to_verified_and_its_status_page(stack: RunningStack, page: Page) -> None:
    sent: list[tuple[str, dict[str, str]]] = []
    page.on("request", lambda request: sent.append((request.url, request.headers)))
    page.goto(f"{stack.api_url}/")
    expect(page).to_have_title(re.compile("privacy request", re.IGNORECASE))
    shoot(page, "01-index-empty")

    fill_request(page, "Delete my data", "ccpa", email=EMAIL, phone=PHONE)
    page.get_by_role("button", name="Send request").click()

    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(page.locator("#result-title")).to_be_focused()
    request_id = page.locator("#result-id").inner_text().strip()
    assert request_id.startswith("req_")
    expect(page.locator("#result-due")).to_have_text(re.compile(r"We will answer by \w+ \d{1,2}, 20\d\d\."))
    expect(page.locator("#request-form")).to_be_hidden()
    shoot(page, "02-index-acknowledged")

    page.get_by_role("link", name="Enter your codes").click()
    # the verify link carries the status token in the hash (never sent to a server but as a header)
    expect(page).to_have_url(
        re.compile(r"/verify\.html#request=" + re.escape(request_id) + r"&token=[\w.-]+$")
    )
    expect(page.locator("#request-id")).to_have_text(request_id)
    shoot(page, "03-verify-empty")

    email_code = wait_for(lambda: code_sent(stack, EMAIL, request_id), f"a code sent to {EMAIL}")
    phone_code = wait_for(lambda: code_sent(stack, PHONE_E164, request_id), f"a code sent to {PHONE_E164}")

    code = page.get_by_label("Code", exact=True)
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    code.fill(email_code)
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#progress")).to_contain_text("We also sent a code to your phone")
    expect(code).to_have_value("")
    expect(code).to_be_focused()
    shoot(page, "04-verify-pending-phone")

    code.fill(phone_code)
    with page.expect_response(lambda response: response.url.endswith("/verify")) as answer:
        page.get_by_role("button", name="Check code").click()
    assert answer.value.status == 200
    verified = page.get_by_role("heading", name="Thank you: you are verified")
    if not answer.value.json()["verified"]:
        # The server wants one more data point (CCPA: a deletion that reaches call recordings).
        assert answer.value.json()["pending"] == ["fact"]
        expect(page.locator("#progress")).to_contain_text("your email and phone are confirmed")
        expect(page.locator("#progress")).to_contain_text("one more piece of information")
        expect(page.locator("#code-form")).to_be_hidden()
        expect(page.locator("#fact-form")).to_be_visible()
        expect(page.get_by_label("Month of the call")).to_be_focused()
        shoot(page, "05-verify-fact")
        page.get_by_label("Month of the call").fill(RECENT_CALL["month"])
        page.get_by_label("Name of the business you called").fill(RECENT_CALL["business"])
        page.get_by_role("button", name="Send answers").click()
    expect(verified).to_be_visible()
    expect(page.locator("#code-form")).to_be_hidden()
    shoot(page, "06-verify-verified")

    link = status_link(stack, EMAIL, request_id)
    token = link.split("token=", 1)[1]
    page.goto(link)
    expect(page.locator("#view")).to_be_visible()
    expect(page.locator("#view-id")).to_have_text(request_id)
    expect(page.locator("#view-type")).to_have_text("Delete my data")
    expect(page.locator("#view-due")).to_have_text(re.compile(r"\w+ \d{1,2}, 20\d\d"))
    timeline = page.locator("#timeline li")
    expect(timeline.first).to_contain_text("Received")
    expect(page.locator("#timeline")).to_contain_text("Identity verified")
    shoot(page, "06-status-verified")

    # The token travels in the Authorization header of the status call, and in no URL.
    status_calls = [headers for url, headers in sent if url.endswith(f"/requests/{request_id}")]
    assert status_calls
    assert all(headers.get("authorization") == f"Bearer {token}" for headers in status_calls)
    assert not [url for url, _ in sent if token in url.split("#", 1)[0]]


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_stored(stack: RunningStack, page: Page) -> None:
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    page.goto(f"{stack.api_url}/")
    fill_request(page, "Delete my data", "ccpa", email="not-an-email", phone="12")
    page.get_by_role("button", name="Send request").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    for field in ("email", "phone"):
        box = page.locator(f"#{field}")
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_attribute("aria-describedby", re.compile(rf"\b{field}-error\b"))
        expect(page.locator(f"#{field}-error")).to_be_visible()
    expect(page.locator("#email-error")).to_contain_text("name@example.com")
    expect(page.locator("#phone-error")).to_contain_text("7 to 15 digits")
    expect(summary.get_by_role("link")).to_have_count(2)
    shoot(page, "07-index-errors")
    assert posted == [], "the client's own checks failed: nothing goes to the server"

    # The summary's links take the keyboard to the field.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#email")).to_be_focused()

    # The server decides what the client lets through: its reasons land next to their fields.
    page.get_by_label("Email address").fill("bad-input@example.net")
    page.get_by_label("Phone number", exact=True).fill("+1 555 555 5555")
    with page.expect_response(lambda response: response.url.endswith("/requests")) as answer:
        page.get_by_role("button", name="Send request").click()
    assert answer.value.status == 422
    expect(summary).to_be_focused()
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-error")).to_contain_text("phone number")
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_be_hidden()
    shoot(page, "08-index-server-errors")

    time.sleep(2)  # an accepted request would have been acknowledged by now
    assert not [m for m in outbox(stack) if "bad-input@example.net" in m["to"]]


def test_the_form_works_with_the_keyboard_alone(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/")
    page.keyboard.press("Tab")
    assert focused_matches(page, "a.skip-link")
    page.keyboard.press("Enter")
    assert focused_matches(page, "main")

    tab_to(page, 'input[name="type"]')
    arrow_until(page, 'input[name="type"]:checked', "opt_out")
    expect(page.locator("#opt_out_of-group")).to_be_visible()
    tab_to(page, "#opt_out_of-ai_training")
    page.keyboard.press("Space")
    expect(page.locator("#opt_out_of-ai_training")).to_be_checked()
    shoot(page, "09-index-keyboard-focus", full_page=False)

    tab_to(page, "#jurisdiction")
    arrow_until(page, "#jurisdiction", "us_state")
    tab_to(page, "#us_state")
    arrow_until(page, "#us_state", "VA")
    tab_to(page, "#email")
    page.keyboard.type("keyboard@example.net")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-title")).to_be_focused()
    expect(page.locator("#result-opt-out")).to_be_visible()
    expect(page.locator("#result-verify")).to_be_hidden()
    request_id = page.locator("#result-id").inner_text().strip()
    status_link(stack, "keyboard@example.net", request_id)
    shoot(page, "09-index-keyboard-submitted")


def test_the_code_form_works_with_the_keyboard_alone(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/")
    tab_to(page, 'input[name="type"]')
    page.keyboard.press("Space")
    expect(page.locator("#type-access")).to_be_checked()
    tab_to(page, "#scope-specific_pieces, #scope-categories")
    tab_to(page, "#jurisdiction")
    arrow_until(page, "#jurisdiction", "gdpr")
    tab_to(page, "#email")
    page.keyboard.type("keys@example.net")
    page.keyboard.press("Enter")  # implicit submission from a text field
    expect(page.locator("#result-title")).to_be_focused()

    tab_to(page, "#verify-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/verify\.html#request=req_"))
    tab_to(page, "#code")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#code-error")).to_have_text(re.compile("6 digits"))
    expect(page.locator("#code")).to_be_focused()


def test_wrong_codes_are_refused_and_then_the_request_is_locked(stack: RunningStack, page: Page) -> None:
    email = "wrong-codes@example.net"
    request_id, token = submit_for_token(stack, {"type": "access", "jurisdiction": "gdpr", "email": email})
    real = wait_for(lambda: code_sent(stack, email, request_id), f"a code sent to {email}")
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"
    page.goto(f"{stack.api_url}/verify.html#request={request_id}&token={token}")
    code = page.get_by_label("Code", exact=True)

    code.fill(wrong)
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#code-error")).to_have_text(re.compile("That code is not right"))
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_be_focused()
    shoot(page, "15-verify-wrong-code")

    locked = page.get_by_text("Too many attempts; this request is locked for now")
    answered = page.locator("#code-error:visible, #problem:visible")
    for _ in range(10):
        if locked.is_visible():
            break
        page.get_by_role("button", name="Check code").click()  # the same wrong code again
        expect(answered).to_have_count(1)
    expect(locked).to_be_visible()
    expect(page.locator("#problem")).to_be_focused()
    expect(page.locator("#code-form")).to_be_hidden()
    shoot(page, "16-verify-locked")


def test_sending_again_after_a_lost_answer_does_not_take_the_request_twice(
    stack: RunningStack, page: Page
) -> None:
    email = "lost-answer@example.net"
    keys: list[str] = []
    first: dict[str, Any] = {}

    def lose_the_first_answer(route: Route) -> None:
        keys.append(route.request.headers.get("idempotency-key", ""))
        if first:
            route.continue_()
            return
        first.update(route.fetch().json())  # the server took it; the answer never reached the page
        route.fulfill(status=502, content_type="application/json", body='{"message":"Bad Gateway"}')

    page.route("**/requests", lose_the_first_answer)
    page.goto(f"{stack.api_url}/")
    fill_request(page, "Delete my data", "gdpr", email=email)
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#form-problem")).to_contain_text("Something went wrong on our side")
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-id")).to_have_text(first["request_id"])
    assert len(keys) == 2
    assert keys[0] == keys[1]
    assert len(keys[0]) >= 16
    status_link(stack, email, first["request_id"])
    acknowledgements = [m for m in outbox(stack) if email in m["to"] and "received" in m["subject"]]
    assert len(acknowledgements) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (413, "Your request is too long"),
        (429, "too many requests right now"),
        (500, "Something went wrong on our side"),
        (502, "Something went wrong on our side"),
    ],
)
def test_the_form_says_clearly_when_the_server_cannot_take_the_request(
    stack: RunningStack, page: Page, status: int, message: str
) -> None:
    page.route(
        "**/requests",
        lambda route: route.fulfill(status=status, content_type="application/json", body='{"message":"x"}'),
    )
    page.goto(f"{stack.api_url}/")
    fill_request(page, "Delete my data", "gdpr", email="unlucky@example.net")
    page.get_by_role("button", name="Send request").click()
    problem = page.locator("#form-problem")
    expect(problem).to_contain_text(message)
    expect(problem).to_have_attribute("role", "alert")
    expect(problem).to_be_focused()
    expect(page.locator("#request-form")).to_be_visible()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (410, "This code has expired; we have sent a new one"),
        (409, "still on their way"),
        (503, "Something went wrong on our side"),
    ],
)
def test_the_verify_page_explains_each_refusal(
    stack: RunningStack, page: Page, status: int, message: str
) -> None:
    page.route(
        "**/verify",
        lambda route: route.fulfill(status=status, content_type="application/json", body='{"message":"x"}'),
    )
    page.goto(f"{stack.api_url}/verify.html#request=req_example&token=k1.example")
    page.get_by_label("Code", exact=True).fill("123 456")
    with page.expect_request(lambda request: request.url.endswith("/verify")) as sent:
        page.get_by_role("button", name="Check code").click()
    assert sent.value.post_data_json == {"code": "123456"}
    expect(page.locator("#problem")).to_contain_text(message)
    expect(page.locator("#problem")).to_be_focused()


def test_an_unknown_request_on_the_verify_page_is_not_found(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/verify.html#request=req_doesnotexist0000000000&token=k1.example")
    page.get_by_label("Code", exact=True).fill("123456")
    page.get_by_role("button", name="Check code").click()
    expect(page.get_by_role("heading", name="We can't find a request for this link")).to_be_focused()


def test_the_form_sends_only_the_fields_that_apply(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/")
    # Answers to questions that no longer apply stay behind.
    page.get_by_label("Stop selling/sharing or using my data for…").check()
    page.get_by_label("Training AI models").check()
    page.get_by_label("Get a copy of my data").check()
    page.get_by_label("The specific pieces of data you hold about me").check()
    page.get_by_label("I declare under penalty of perjury", exact=False).check()
    page.get_by_label("Correct my data").check()
    expect(page.locator("#scope-group")).to_be_hidden()
    expect(page.locator("#opt_out_of-group")).to_be_hidden()

    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#error-summary")).to_contain_text("Choose which information is wrong")
    expect(page.locator("#correction_corrected")).to_have_attribute("aria-invalid", "true")
    shoot(page, "14-index-correction-errors")

    page.get_by_label("Which information is wrong?").select_option("name")
    page.get_by_label("What should it say?").fill("Jo Example")
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_label("Email address").fill("  fields@example.net ")
    with page.expect_request(lambda request: request.url.endswith("/requests")) as sent:
        page.get_by_role("button", name="Send request").click()
    assert sent.value.post_data_json == {
        "type": "correction",
        "jurisdiction": "gdpr",
        "email": "fields@example.net",
        "corrections": [{"field": "name", "corrected": "Jo Example"}],
    }
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-type")).to_have_text("Correct my data")


def test_axe_finds_no_serious_or_critical_violation(stack: RunningStack, axe_page: Page) -> None:
    page = axe_page
    page.goto(f"{stack.api_url}/")
    assert serious_violations(page) == [], "index.html, empty"

    page.get_by_label("Stop selling/sharing or using my data for…").check()
    page.get_by_label("Where are you?").select_option("us_state")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert serious_violations(page) == [], "index.html, errors shown"
    shoot(page, "10-index-errors-opt-out")

    page.goto(f"{stack.api_url}/")
    page.get_by_label("Get a copy of my data").check()
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_label("Email address").fill("axe@example.net")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#result")).to_be_visible()
    assert serious_violations(page) == [], "index.html, acknowledgement"
    request_id = page.locator("#result-id").inner_text().strip()
    verify_link = page.locator("#verify-link").get_attribute("href")
    assert verify_link is not None
    assert "token=" in verify_link

    page.goto(f"{stack.api_url}/{verify_link}")
    expect(page.locator("#code-form")).to_be_visible()
    assert serious_violations(page) == [], "verify.html"
    page.get_by_label("Code", exact=True).fill("abc")
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#code-error")).to_be_visible()
    assert serious_violations(page) == [], "verify.html, error shown"
    shoot(page, "11-verify-error")

    # The facts fieldset, as the server asks for it (answered here by the test, not the server).
    pending = '{"verified": false, "pending": ["phone", "fact"], "proven": ["email"]}'
    page.route(
        "**/verify", lambda route: route.fulfill(status=200, content_type="application/json", body=pending)
    )
    page.get_by_label("Code", exact=True).fill("123456")
    page.get_by_role("button", name="Check code").click()
    expect(page.locator("#fact-form")).to_be_visible()
    assert serious_violations(page) == [], "verify.html, code and facts pending"
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("#recent_call_month-error")).to_be_visible()
    assert serious_violations(page) == [], "verify.html, facts with errors"
    shoot(page, "17-verify-facts-errors")
    page.unroute("**/verify")

    page.goto(f"{stack.api_url}/verify.html")
    expect(page.locator("#missing")).to_be_visible()
    assert serious_violations(page) == [], "verify.html without a request"

    page.goto(status_link(stack, "axe@example.net", request_id))
    expect(page.locator("#view")).to_be_visible()
    assert serious_violations(page) == [], "status.html"

    page.goto(f"{stack.api_url}/status.html#request={request_id}&token=wrong")
    expect(page.get_by_role("heading", name="We can't find a request for this link")).to_be_visible()
    assert serious_violations(page) == [], "status.html, not found"
    shoot(page, "12-status-not-found")


@pytest.mark.parametrize("width", [320, 640])
def test_the_pages_reflow_without_horizontal_scrolling(stack: RunningStack, page: Page, width: int) -> None:
    """640 CSS pixels is a 1280-pixel window at 200% zoom; 320 is WCAG's reflow width (400%)."""
    request_id, token = submit_for_token(
        stack, {"type": "access", "jurisdiction": "gdpr", "email": f"reflow{width}@example.net"}
    )
    link = status_link(stack, f"reflow{width}@example.net", request_id)
    page.set_viewport_size({"width": width, "height": 800})
    for name, url in [
        ("index", f"{stack.api_url}/"),
        ("verify", f"{stack.api_url}/verify.html#request={request_id}&token={token}"),
        ("status", link),
    ]:
        page.goto(url)
        if name == "index":
            page.get_by_role("button", name="Send request").click()
            expect(page.locator("#error-summary")).to_be_visible()
        if name == "status":
            expect(page.locator("#view")).to_be_visible()
        overflow = page.evaluate("(e => e.scrollWidth - e.clientWidth)(document.documentElement)")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
        shoot(page, f"13-{name}-{width}px")


def test_an_agent_uploads_the_signed_permission_from_the_status_page(
    stack: RunningStack, page: Page, tmp_path: Path
) -> None:
    agent = "agent.browser@example.org"
    request_id = submit_over_http(
        stack,
        {
            "type": "deletion",
            "jurisdiction": "ccpa",
            "email": "principal.browser@example.net",
            "requester": {"role": "authorized_agent", "name": "Avery Agent", "email": agent},
        },
    )
    page.goto(status_link(stack, agent, request_id))
    expect(page.locator("#permission-form")).to_be_visible()
    shoot(page, "status-permission")

    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a permission")
    page.set_input_files("#permission-file", str(wrong))
    page.click("#permission-send")
    expect(page.locator("#permission-error")).to_have_text("Choose a PDF, PNG, JPEG or TIFF file.")

    signed = tmp_path / "permission.pdf"
    signed.write_bytes(b"%PDF-1.4\n" + b"% signed permission (synthetic)\n" * 64 + b"%%EOF\n")
    page.set_input_files("#permission-file", str(signed))
    page.click("#permission-send")
    expect(page.locator("#permission-done")).to_be_visible()

    s3: Any = stack.session.client("s3")
    stored = s3.list_objects_v2(
        Bucket=stack.stack.ref("PermissionsBucket"), Prefix=f"permissions/{request_id}/"
    )
    assert stored.get("KeyCount") == 1
    page.reload()
    expect(page.locator("#view")).to_be_visible()
    expect(page.locator("#permission-form")).to_be_hidden()
