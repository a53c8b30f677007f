"""What every browser test uses: Chromium's flags, a page that records its own breakage, calls to
the local stack's API, waiting, screenshots and axe-core. The fixtures (one stack and one
Chromium for the whole tier) are in conftest.py; this module is imported only when Playwright is
installed (conftest.py leaves the tier uncollected otherwise)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import Denial, DenialReason, Status

CHROMIUM = Path("/usr/bin/chromium")
# The network here is closed: without these flags Chromium stalls on its background services.
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
#: seconds to wait for the workflow (a replay runs every step again)
PATIENCE = 60
#: the localStorage key under which the console keeps the local operator name (web/ops/js/auth.js)
OPERATOR_KEY = "privacy-ops-operator"
#: the operator the console tests sign in as (their `operator` fixture) and call the ops API as
OPERATOR = "olivia"


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
    browser: Browser, operator: str | None = None, **options: Any
) -> tuple[BrowserContext, Page, PageProblems]:
    """A page in a context of its own; ``operator`` signs the ops console in (locally the
    operator name stands in for the IAM identity); ``options`` go to ``new_context``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", **options)
    if operator:
        context.add_init_script(f"localStorage.setItem({json.dumps(OPERATOR_KEY)}, {json.dumps(operator)})")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page, PageProblems(page)


def http(
    stack: RunningStack, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """One call to the stack's API: the status and the JSON answer (or the text)."""
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
    """The ops API as the console tests' operator (the local stack's stand-in for IAM)."""
    status, answer = http(stack, method, path, body, headers={"X-Local-Operator": OPERATOR})
    assert status < 300, (status, answer)
    return answer


def submit(stack: RunningStack, body: dict[str, Any]) -> dict[str, Any]:
    """A request sent to the public intake as the form sends it: the acknowledgement (its
    ``request_id`` and the requester's ``status_token``)."""
    status, answer = http(stack, "POST", "/requests", body)
    assert status == 202, (status, answer)
    return dict(answer)


def request_store(stack: RunningStack) -> RequestStore:
    return RequestStore(
        stack.client("dynamodb"), stack.stack.ref("RequestsTable"), stack.stack.ref("AuditTable")
    )


def denied(stack: RunningStack, body: dict[str, Any]) -> dict[str, Any]:
    """A deletion sent to the public intake, then denied as unverifiable (what the verification
    timeout does, without waiting for it): the acknowledgement (request id, status token)."""
    answer = submit(stack, {"type": "deletion"} | body)
    store = request_store(stack)
    # the workflow parks its verification wait first
    wait_for(lambda: "verification" in store.waiting_for(answer["request_id"]), "the verification wait")
    denial = Denial(reason=DenialReason.UNVERIFIABLE)
    store.save(
        transition(store.get(answer["request_id"]), Status.DENIED, denial=denial), "test", "status.denied"
    )
    return answer


def wait_for(condition: Callable[[], Any], what: str, timeout: float = PATIENCE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def shoot(page: Page, name: str, full_page: bool = True) -> None:
    """Screenshots of every page go to screenshots/ (ignored by git): look at them after a change."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def axe_source() -> str:
    """axe-core as the axe-playwright-python wheel ships it (installed by make test-browser)."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (the page's context
    must bypass the CSP: the ``axe_page`` fixture)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def focused_matches(page: Page, selector: str) -> bool:
    return bool(
        page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)
    )


def tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until the focus is on ``selector``: the keyboard's way through the page."""
    for _ in range(limit):
        if focused_matches(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
