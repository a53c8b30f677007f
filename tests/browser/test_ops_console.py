"""The ops console (issue 18, web/ops/) in a real headless Chromium against the local stack: a
failed request found in the queue, replayed and watched to completed without reloading; a
flagged deletion decided; a reviewed email accepted; a legal hold placed and released; axe-core
with no serious violation on every page; keyboard-only use of the queue and a request page.
The local operator name stands in for the IAM identity, as for `privacy-ops --operator`."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from local_stack import demo
from local_stack.runtime import RunningStack, served_stack
from local_stack.synthetic import Scale, generate
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.settings import Settings

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
SCREENSHOTS = Path(__file__).parent / "screenshots"
SERIOUS = {"serious", "critical"}
OPERATOR = "olivia"
CORPUS = Path(__file__).resolve().parents[1] / "email_corpus"
#: a number that called four businesses: more than one person plausibly (the footprint is flagged)
FLAGGED_PHONE = "+14155550933"
PATIENCE = 60


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Iterator[RunningStack]:
    with served_stack(api_port=0, moto_port=0) as running:
        generate(
            running.session,
            running.stack.platform_stores,
            running.stack.ref("CustomersTable"),
            Scale(callers=5),
        )
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (see make test-browser)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class PageProblems:
    """Uncaught script errors and Content-Security-Policy refusals: a page with either is broken."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console",
            lambda message: (
                self.errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )


def new_page(
    browser: Browser, signed_in: bool = True, **options: Any
) -> tuple[BrowserContext, Page, PageProblems]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", **options)
    if signed_in:
        context.add_init_script(f"localStorage.setItem('privacy-ops-operator', '{OPERATOR}')")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page, PageProblems(page)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A signed-in page under the console's own Content-Security-Policy."""
    context, opened, problems = new_page(browser)
    yield opened
    context.close()
    assert not problems.errors, problems.errors


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page that lets the test inject axe-core (an inline script the pages' CSP refuses)."""
    context, opened, problems = new_page(browser, bypass_csp=True)
    yield opened
    context.close()
    assert not problems.errors, problems.errors


# --- helpers -----------------------------------------------------------------------------------


def http(
    stack: RunningStack, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        stack.api_url + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json"} | (headers or {}),
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return response.status, json.loads(text) if text.startswith(("{", "[")) else text
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode() or "null")


def ops(stack: RunningStack, method: str, path: str, body: Any = None) -> Any:
    status, answer = http(stack, method, path, body, headers={"X-Local-Operator": OPERATOR})
    assert status < 300, (status, answer)
    return answer


def wait_for(condition: Callable[[], Any], what: str, timeout: float = PATIENCE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def shoot(page: Page, name: str) -> None:
    """Screenshots of every page go to screenshots/ (ignored by git); docs/screenshots/ holds
    copies of ops-queue and ops-request-timeline for the README."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_source() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def failed_opt_out(stack: RunningStack, email: str) -> str:
    """An opt-out whose preferences step fails (the local fault switch), left failed."""
    http(
        stack, "POST", "/_local/faults", {"function": "ApplyPreferencesFunction", "error": "ConnectorTimeout"}
    )
    try:
        status, created = http(
            stack,
            "POST",
            "/requests",
            {"type": "opt_out", "jurisdiction": "ccpa", "email": email, "opt_out_of": ["marketing"]},
        )
        assert status == 202, created
        request_id = str(created["request_id"])
        wait_for(
            lambda: ops(stack, "GET", f"/ops/requests/{request_id}")["status"] == "failed", "the failure"
        )
        wait_for(
            lambda: ops(stack, "GET", f"/ops/requests/{request_id}")["execution_status"] != "RUNNING",
            "its end",
        )
    finally:
        http(stack, "DELETE", "/_local/faults")
    return request_id


def flagged_deletion(stack: RunningStack) -> str:
    """A verified deletion by a phone that called four businesses: it waits for a decision."""
    ddb: Any = stack.client("dynamodb")
    for n, tenant in enumerate(("acme", "brightside", "northwind", "crescent")):
        ddb.put_item(
            TableName=stack.stack.platform_stores["calls"],
            Item={
                "call_id": {"S": f"CONSOLE{n}"},
                "tenant_id": {"S": tenant},
                "caller_phone": {"S": FLAGGED_PHONE},
                "tracking_number": {"S": demo.TENANTS_BY_ID[tenant].tracking_number},
                "started_at": {"S": f"2026-0{n + 1}-10T10:00:00Z"},
                "duration_seconds": {"N": "60"},
            },
        )
    status, created = http(
        stack, "POST", "/requests", {"type": "deletion", "jurisdiction": "ccpa", "phone": FLAGGED_PHONE}
    )
    assert status == 202, created
    request_id = str(created["request_id"])
    wait_for(
        lambda: "verification" in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"], "the code"
    )
    # A phone alone under the CCPA asks for a fact too: the test proves the phone as the
    # integration tier does (the verification itself is the form's tests' business).
    Container(Settings.from_environment()).workflow.verified(request_id, ["phone"], actor="test-verifier")
    wait_for(
        lambda: "decision" in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"],
        "the decision wait",
    )
    return request_id


def mail_for_review(stack: RunningStack) -> str:
    """A bulk-looking deletion request by email (a data-removal service): it waits for a person."""
    before = {row["mail_id"] for row in ops(stack, "GET", "/ops/mail?queue=human_review")}
    raw = (CORPUS / "15_bulk_data_removal_service.eml").read_bytes()
    fresh = f"Message-ID: <{uuid.uuid4()}@removal.example>".encode()  # a mail of its own each time
    stack.receive_mail(re.sub(rb"(?im)^message-id:[^\r\n]*", fresh, raw, count=1))
    rows = wait_for(
        lambda: [r for r in ops(stack, "GET", "/ops/mail?queue=human_review") if r["mail_id"] not in before],
        "the mail in review",
    )
    return str(rows[0]["mail_id"])


# --- the journeys -------------------------------------------------------------------------------


def test_a_failed_request_is_found_in_the_queue_replayed_and_watched_to_completed(
    stack: RunningStack, page: Page
) -> None:
    request_id = failed_opt_out(stack, "console.replay@example.net")

    page.goto(f"{stack.api_url}/ops/index.html?status=failed")
    row = page.locator(f"tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("ApplyPreferences")
    shoot(page, "ops-queue")
    row.get_by_role("link", name=request_id).click()

    expect(page.locator("#failure")).to_contain_text("Failed at step apply preferences (ApplyPreferences)")
    expect(page.locator("#story")).to_contain_text("Request received.")
    page.get_by_label("Reason (kept in the audit trail)").nth(1).fill("connector fixed")
    page.get_by_role("button", name="Replay and watch").click()

    expect(page.locator("#progress-status")).to_have_text(
        "Done: the request is completed.", timeout=PATIENCE * 1000
    )
    expect(page.locator("#status")).to_have_text("completed")
    expect(page.locator("#failure")).to_be_hidden()
    expect(page.locator("#progress-log")).to_contain_text("Now completed.")
    expect(page.locator("#story")).to_contain_text("Ops replay: connector fixed. (arn:aws:sts::")
    shoot(page, "ops-request-timeline")
    audit = [row["event"] for row in ops(stack, "GET", f"/ops/requests/{request_id}")["timeline"]]
    assert "ops.replay" in audit


def test_a_flagged_deletion_is_decided(stack: RunningStack, page: Page) -> None:
    request_id = flagged_deletion(stack)

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#resolution-summary")).to_contain_text("FLAGGED")
    expect(page.locator("#summary")).to_contain_text("decision")
    page.get_by_label("Deny").check()
    page.get_by_label("Why it is denied").select_option("unverifiable")
    page.get_by_label("The specific reason, in your words").fill(
        "This number is a shared line: we cannot tell which calls are yours."
    )
    page.get_by_label("Reason (kept in the audit trail)").first.fill("shared switchboard, four businesses")
    page.get_by_role("button", name="Send the decision").click()

    expect(page.locator("#message")).to_have_text("Answered the decision: deny.")
    wait_for(lambda: ops(stack, "GET", f"/ops/requests/{request_id}")["status"] == "denied", "the denial")
    page.reload()
    expect(page.locator("#status")).to_have_text("denied")
    expect(page.locator("#story")).to_contain_text("Ops decision deny: shared switchboard, four businesses.")


def test_a_reviewed_email_is_accepted_as_a_deletion(stack: RunningStack, page: Page) -> None:
    mail_id = mail_for_review(stack)

    page.goto(f"{stack.api_url}/ops/mail.html")
    page.locator(f"tr[data-mail-id='{mail_id}']").get_by_role("link").click()
    expect(page).to_have_url(re.compile(f"mail={mail_id}"))
    expect(page.locator("#mail-text")).not_to_be_empty()
    page.get_by_label("deletion", exact=True).check()
    page.get_by_label("Law", exact=True).select_option("ccpa")
    page.get_by_label("Reason (kept in the audit trail)").first.fill(
        "a member's deletion request, sent by a service"
    )
    page.get_by_role("button", name="Accept").click()

    expect(page.locator("#message")).to_contain_text("Accepted: req_")
    expect(page.locator(f"tr[data-mail-id='{mail_id}']")).to_have_count(0)
    accepted = ops(stack, "GET", f"/ops/mail/{mail_id}")
    assert accepted["request_ids"]
    assert accepted["queue"] is None


def test_a_reviewed_email_is_dismissed_with_the_reason(stack: RunningStack, page: Page) -> None:
    mail_id = mail_for_review(stack)

    page.goto(f"{stack.api_url}/ops/mail.html?mail={mail_id}")
    expect(page.locator("#mail-subject")).to_be_focused()
    page.locator("#m-reason").fill("a newsletter, not a request")
    page.get_by_role("button", name="Dismiss").click()

    expect(page.locator("#message")).to_have_text("Dismissed: the email left the queue.")
    expect(page.locator(f"tr[data-mail-id='{mail_id}']")).to_have_count(0)
    dismissed = ops(stack, "GET", f"/ops/mail/{mail_id}")
    assert dismissed["closed_reason"] == "a newsletter, not a request"
    assert dismissed["request_ids"] == []


def test_a_deadline_is_extended_with_the_reason_the_person_reads(stack: RunningStack, page: Page) -> None:
    status, created = http(
        stack, "POST", "/requests", {"type": "access", "jurisdiction": "gdpr", "email": "extend@example.net"}
    )
    assert status == 202, created
    request_id = created["request_id"]
    due = ops(stack, "GET", f"/ops/requests/{request_id}")["due_at"]

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    page.get_by_label("Why more time is needed").fill("Your request covers many years of recordings.")
    page.get_by_role("button", name="Extend").click()

    expect(page.locator("#message")).to_contain_text(f"Extended from {due} to ")
    new_due = ops(stack, "GET", f"/ops/requests/{request_id}")["due_at"]
    assert new_due > due
    expect(page.locator("#summary")).to_contain_text(new_due)


def test_a_hold_is_placed_and_released(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/ops/holds.html")
    page.get_by_label("Email").fill("held.person@example.net")
    page.get_by_label("Matter (case or inquiry reference)").fill("26-CV-0418")
    page.get_by_label("Why the data must be kept (kept in the audit trail)").fill("litigation hold")
    page.get_by_role("button", name="Place the hold").click()

    expect(page.locator("#message")).to_have_text("Placed the hold for 26-CV-0418.")
    row = page.locator("#holds tbody tr", has_text="26-CV-0418")
    expect(row).to_contain_text("a person (1 identifier)")
    row.get_by_role("button", name="Release the hold for 26-CV-0418").click()
    expect(page.locator("#rl-reason")).to_be_focused()
    page.locator("#rl-reason").fill("matter settled")
    page.get_by_role("button", name="Release", exact=True).click()

    expect(page.locator("#message")).to_have_text("Released the hold for 26-CV-0418.")
    expect(page.locator("#holds tbody tr", has_text="26-CV-0418")).to_have_count(0)
    released = [h for h in ops(stack, "GET", "/ops/holds?all=true") if h["matter"] == "26-CV-0418"]
    assert released[0]["release_reason"] == "matter settled"
    assert released[0]["placed_by"].endswith(f"/{OPERATOR}")


def test_a_look_up_asks_the_reason_and_shows_counts_only(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/ops/lookup.html")
    page.get_by_label("Phone", exact=True).fill(demo.DANA.phone)
    page.get_by_label("Why you look this person up (kept in the audit trail)").fill("demo walkthrough")
    page.get_by_role("button", name="Look up").click()

    expect(page.locator("#found-title")).to_be_focused()
    expect(page.locator("#found-summary")).to_contain_text("reachable through the identifiers given")
    expect(page.locator("#found-table tbody tr").first).to_be_visible()
    assert demo.DANA.phone not in page.locator("#found").inner_text()


def test_an_action_without_a_reason_is_refused_in_place(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/ops/holds.html")
    page.get_by_label("Email").fill("someone@example.net")
    page.get_by_label("Matter (case or inquiry reference)").fill("M-1")
    page.get_by_role("button", name="Place the hold").click()

    reason = page.get_by_label("Why the data must be kept (kept in the audit trail)")
    expect(reason).to_be_focused()
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#place-form .field-error")).to_contain_text("the audit trail keeps it")
    assert not [h for h in ops(stack, "GET", "/ops/holds") if h["matter"] == "M-1"]


def test_an_api_error_is_one_sentence_with_its_status(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/ops/request.html?id=req_doesnotexist")

    expect(page.locator("#message")).to_have_text(re.compile(r"^Not found.*\(HTTP 404\)$"))


# --- accessibility -------------------------------------------------------------------------------


def test_no_serious_axe_violation_on_any_page(stack: RunningStack, axe_page: Page, browser: Browser) -> None:
    request_id = failed_opt_out(stack, "console.axe@example.net")
    mail_id = mail_for_review(stack)
    pages = {
        "queue": "/ops/index.html",
        "request": f"/ops/request.html?id={request_id}",
        "mail": f"/ops/mail.html?mail={mail_id}",
        "holds": "/ops/holds.html",
        "lookup": "/ops/lookup.html",
    }
    found = {}
    for name, path in pages.items():
        axe_page.goto(stack.api_url + path)
        axe_page.wait_for_load_state("networkidle")
        found[name] = serious_violations(axe_page)
        shoot(axe_page, f"ops-{name}")
    context, signin, _ = new_page(browser, signed_in=False, bypass_csp=True)
    signin.goto(f"{stack.api_url}/ops/")
    expect(signin.get_by_label("Your operator name")).to_be_visible()
    found["sign-in"] = serious_violations(signin)
    context.close()

    assert found == {name: [] for name in found}


def focused_matches(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)
    )


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    for _ in range(limit):
        if focused_matches(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_the_queue_and_a_request_page_by_keyboard_alone(stack: RunningStack, browser: Browser) -> None:
    request_id = failed_opt_out(stack, "console.keys@example.net")
    context, page, problems = new_page(browser, signed_in=False)
    page.goto(f"{stack.api_url}/ops/")

    tab_to(page, "#operator")  # signing in
    page.keyboard.type(OPERATOR)
    page.keyboard.press("Enter")
    expect(page.locator("#who")).to_contain_text(f"Signed in as {OPERATOR}")

    tab_to(page, "#f-status")  # the queue's filters, then its rows
    page.keyboard.press("f")  # a select takes a letter: "failed"
    expect(page.locator("#f-status")).to_have_value("failed")
    tab_to(page, "#filters button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"status=failed"))
    tab_to(page, f"a[href='request.html?id={request_id}']")
    page.keyboard.press("Enter")

    expect(page.locator("#title")).to_have_text(f"Request {request_id}")
    expect(page.locator("#title")).to_be_focused()
    tab_to(page, "#c-reason")  # the request page's actions: cancel it
    page.keyboard.type("requester withdrew it")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text("Canceled.")
    expect(page.locator("#status")).to_have_text("canceled")
    context.close()
    assert not problems.errors, problems.errors


# --- on AWS: signed calls ---------------------------------------------------------------------------

API = "https://abc123defg.execute-api.us-east-1.amazonaws.com/v1"
AWS_CONFIG = (
    'window.PRIVACY_OPS = {mode: "aws", apiBase: "' + API + '", sendBase: "/ops-api", region: "us-east-1", '
    'userPoolId: "us-east-1_AbCdEf123", userPoolClientId: "client", '
    'userPoolDomain: "https://ops.auth.us-east-1.amazoncognito.com", identityPoolId: "us-east-1:pool"};'
)
CREDENTIALS = {
    "who": "olivia@callx.example",
    "accessKeyId": "ASIAEXAMPLEKEY000001",
    "secretAccessKey": "secret/example/key/for/the/test/only00000",
    "sessionToken": "session-token-example",
}


def test_on_aws_the_console_signs_each_call_with_sigv4_and_sends_no_operator_header(
    stack: RunningStack, browser: Browser
) -> None:
    """The console as deployed: credentials from the identity pool (stored by the sign-in), each
    call signed for the ops API's host and stage by the vendored aws4fetch, sent through the
    console's own origin (/ops-api/). botocore, signing the same request, must agree."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    stored = CREDENTIALS | {"expiration": "2099-01-01T00:00:00Z"}
    context.add_init_script(
        f"sessionStorage.setItem('privacy-ops-credentials', {json.dumps(json.dumps(stored))})"
    )
    page = context.new_page()
    problems = PageProblems(page)
    page.route(
        "**/ops/config.js", lambda route: route.fulfill(body=AWS_CONFIG, content_type="text/javascript")
    )
    sent: list[dict[str, Any]] = []

    def api(route: Any) -> None:
        sent.append(
            {"url": route.request.url, "method": route.request.method, "headers": route.request.headers}
        )
        route.fulfill(status=200, content_type="application/json", body="[]")

    page.route("**/ops-api/**", api)
    page.goto(f"{stack.api_url}/ops/index.html?status=failed")
    expect(page.locator("#who")).to_contain_text("Signed in as olivia@callx.example")
    expect(page.locator("#queue-caption")).to_have_text("No requests match these filters.")
    context.close()
    assert not problems.errors, problems.errors

    call = next(c for c in sent if "/ops-api/ops/requests" in c["url"])
    headers = call["headers"]
    assert "x-local-operator" not in headers
    assert headers["x-amz-security-token"] == CREDENTIALS["sessionToken"]
    path_and_query = call["url"].split("/ops-api", 1)[1]
    request = AWSRequest(
        method="GET",
        url=API + path_and_query,
        headers={k: headers[k] for k in ("accept", "x-amz-date", "x-amz-security-token")},
    )
    request.context["timestamp"] = headers["x-amz-date"]
    signer = SigV4Auth(
        Credentials(CREDENTIALS["accessKeyId"], CREDENTIALS["secretAccessKey"], CREDENTIALS["sessionToken"]),
        "execute-api",
        "us-east-1",
    )
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    authorization = headers["authorization"]
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential={CREDENTIALS['accessKeyId']}/")
    assert "/us-east-1/execute-api/aws4_request" in authorization
    assert authorization.endswith(f"Signature={expected}")


# --- the public status page (a newcomer's trip, issue 18) ------------------------------------------


def test_the_status_page_refreshes_while_the_request_is_open(stack: RunningStack, browser: Browser) -> None:
    status, created = http(
        stack,
        "POST",
        "/requests",
        {"type": "deletion", "jurisdiction": "gdpr", "email": "refresh@example.net"},
    )
    assert status == 202, created
    request_id = created["request_id"]
    wait_for(
        lambda: "verification" in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"], "the wait"
    )
    context, page, problems = new_page(browser, signed_in=False)
    context.add_init_script("window.PRIVACY_STATUS_REFRESH_MS = 300")
    page.goto(f"{stack.api_url}/status.html#request={request_id}&token={created['status_token']}")
    expect(page.locator("#view-status")).to_have_text("Waiting for you to confirm it is you")

    ops(stack, "POST", f"/ops/requests/{request_id}/cancel", {"reason": "requester withdrew it"})

    expect(page.locator("#view-status")).to_have_text("Canceled", timeout=10_000)  # no reload
    asked = []
    page.on("request", lambda r: asked.append(r.url) if f"/requests/{request_id}" in r.url else None)
    page.wait_for_timeout(1500)
    assert asked == []  # closed: it stopped asking
    context.close()
    assert not problems.errors, problems.errors
