"""The ops console's pages for what only the CLI did until now (issue 18), in a real headless
Chromium against the local stack: a request taken by phone (every field of the intake, the API's
reasons shown next to their fields), business customers (list, one, onboarding), the retention
dry run, and the email-intake dead letters sent back through intake. Each test drives the page as
an ops person would, then checks the API and the stores, on ids of its own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from browser_support import OPERATOR, ops, request_store, serious_violations, shoot, wait_for
from playwright.sync_api import Page, expect

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import (
    AccessScope,
    Channel,
    Jurisdiction,
    Outcome,
    RequesterRole,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
    utc_now,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def operator() -> str:
    """The `page` fixture (conftest.py) comes signed in to the console as this operator."""
    return OPERATOR


def field(page: Page, name: str) -> Any:
    """A form field of the console's pages by its API name (data-field), with its reason."""
    return page.locator(f"[data-field='{name}']")


# --- take a request by phone ---------------------------------------------------------------------


def test_a_correction_by_an_agent_is_taken_by_phone_and_refused_fields_are_shown_in_place(
    stack: RunningStack, page: Page
) -> None:
    page.goto(f"{stack.api_url}/ops/phone.html")
    page.get_by_label("What the caller asks for").select_option("correction")
    page.get_by_label("Law the caller asks under").select_option("us_state")
    page.get_by_label("US state (two letters, e.g. VA)").fill("ZZ")
    page.get_by_label("Email", exact=True).fill("not-an-address")
    page.get_by_label("Which piece of data").select_option("email")
    page.get_by_label("The value we hold, as the caller saw it").fill("old.phone.taken@example.net")
    page.get_by_label("What it should be").fill("nope")
    page.get_by_role("button", name="Enter the request").click()

    # the API's 422: each reason next to its field, the field invalid, the first one focused
    state = page.locator("#ph-us-state")
    expect(state).to_be_focused()
    expect(state).to_have_attribute("aria-invalid", "true")
    expect(field(page, "us_state").locator(".field-error")).to_contain_text("not a US state")
    expect(page.locator("#ph-email")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "email").locator(".field-error")).to_contain_text("not a valid email address")
    expect(page.locator("#ph-change-0-corrected")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "corrections.0.corrected").locator(".field-error")).to_contain_text(
        "not a valid email address"
    )
    described = state.get_attribute("aria-describedby") or ""
    expect(page.locator(f"#{described}")).to_contain_text("not a US state")
    shoot(page, "ops-phone-refused")

    page.get_by_label("US state (two letters, e.g. VA)").fill("VA")
    page.get_by_label("Email", exact=True).fill("new.phone.taken@example.net")
    page.get_by_label("What it should be").fill("new.phone.taken@example.net")
    page.get_by_role("button", name="Add another change").click()
    expect(page.locator("#ph-change-1-field")).to_be_focused()
    page.locator("#ph-change-1-field").select_option("name")
    page.locator("#ph-change-1-held").fill("Jon Smiht")
    page.locator("#ph-change-1-corrected").fill("Jon Smith")
    page.locator("#ph-change-1-why").fill("misspelt when the account was opened")
    page.get_by_label("The caller is").select_option("authorized_agent")
    page.get_by_label("Their name").fill("Avery Agent")
    page.get_by_label("Their email").fill("agent.phone@example.org")
    page.get_by_label("What the caller said").fill("An agent calling for Jon about his email and name.")
    page.get_by_role("button", name="Enter the request").click()

    expect(page.locator("#entered-title")).to_be_focused()
    link = page.locator("#entered-link")
    href = link.get_attribute("href") or ""
    assert href.startswith("request.html?id=req_"), href
    request_id = href.removeprefix("request.html?id=")
    expect(page.locator("#entered-summary")).to_contain_text(request_id)
    expect(page.locator("#ph-us-state")).not_to_have_attribute("aria-invalid", "true")
    shoot(page, "ops-phone-entered")

    stored = request_store(stack).get(request_id)
    assert (stored.type, stored.channel, stored.jurisdiction, stored.us_state) == (
        RequestType.CORRECTION,
        Channel.PHONE,
        Jurisdiction.US_STATE,
        "VA",
    )
    assert stored.subject.email == "new.phone.taken@example.net"
    assert [(c.field, c.held, c.corrected, c.why) for c in stored.corrections] == [
        ("email", "old.phone.taken@example.net", "new.phone.taken@example.net", ""),
        ("name", "Jon Smiht", "Jon Smith", "misspelt when the account was opened"),
    ]
    assert stored.requester is not None
    assert (stored.requester.role, stored.requester.name, stored.requester.email) == (
        RequesterRole.AUTHORIZED_AGENT,
        "Avery Agent",
        "agent.phone@example.org",
    )
    assert stored.details == "An agent calling for Jon about his email and name."
    created = request_store(stack).audit_entries(request_id)[0]
    assert created.actor.endswith(f"/{OPERATOR}")

    link.click()
    expect(page.locator("#title")).to_have_text(f"Request {request_id}")


def test_an_opt_out_taken_by_phone_names_what_the_caller_opts_out_of(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/ops/phone.html")
    page.get_by_label("What the caller asks for").select_option("opt_out")
    page.get_by_label("Law the caller asks under").select_option("ccpa")
    page.get_by_label("Phone (international format").fill("+1 415 555 0177")
    page.get_by_role("button", name="Enter the request").click()

    group = field(page, "opt_out_of")
    expect(group.locator(".field-error")).to_have_text("Tick at least one.")
    expect(page.locator("#ph-oo-sale_share")).to_be_focused()
    page.get_by_role("checkbox", name="sale or sharing", exact=True).check()
    page.get_by_role("checkbox", name="AI training", exact=True).check()
    page.get_by_role("button", name="Enter the request").click()

    expect(page.locator("#entered-title")).to_be_focused()
    request_id = (page.locator("#entered-link").get_attribute("href") or "").removeprefix("request.html?id=")
    detail = ops(stack, "GET", f"/ops/requests/{request_id}")
    assert (detail["type"], detail["channel"]) == ("opt_out", "phone")
    stored = request_store(stack).get(request_id)
    assert sorted(p.value for p in stored.opt_out_of) == ["ai_training", "sale_share"]
    assert stored.subject.phone == "+14155550177"


def test_a_request_to_know_specific_pieces_is_taken_by_phone_with_the_callers_declaration(
    stack: RunningStack, page: Page
) -> None:
    page.goto(f"{stack.api_url}/ops/phone.html")
    page.get_by_label("What the caller asks for").select_option("access")
    page.get_by_label("Law the caller asks under").select_option("ccpa")
    page.get_by_label("The specific pieces of data").check()
    page.get_by_label("The caller declared under penalty of perjury").check()
    page.get_by_label("Phone (international format").fill("+1 415 555 0178")
    page.get_by_label("Phone held since").fill("2024-03-01")
    page.get_by_label("Name", exact=True).fill("Casey Caller")
    page.get_by_label("Account id").fill("acct-console-0178")
    page.get_by_role("button", name="Enter the request").click()

    expect(page.locator("#entered-title")).to_be_focused()
    request_id = (page.locator("#entered-link").get_attribute("href") or "").removeprefix("request.html?id=")
    stored = request_store(stack).get(request_id)
    assert (stored.type, stored.channel, stored.scope, stored.declaration) == (
        RequestType.ACCESS,
        Channel.PHONE,
        AccessScope.SPECIFIC_PIECES,
        True,
    )
    subject = stored.subject
    assert (subject.phone, subject.phone_held_since, subject.name, subject.account_id) == (
        "+14155550178",
        date(2024, 3, 1),
        "Casey Caller",
        "acct-console-0178",
    )
    assert stored.requester is None


# --- business customers ---------------------------------------------------------------------------


def test_business_customers_are_listed_shown_and_one_is_onboarded(stack: RunningStack, page: Page) -> None:
    tenant = f"console-{uuid.uuid4().hex[:10]}"
    role = f"arn:aws:iam::123456789012:role/{tenant}-privacy"

    page.goto(f"{stack.api_url}/ops/customers.html")
    row = page.locator("tr[data-tenant-id='northwind']")
    expect(row).to_contain_text("Northwind Legal")
    expect(row).to_contain_text("ask (it decides each time)")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{stack.api_url}/ops/customers.html?tenant=northwind")
    expect(page.locator("#customer-title")).to_be_focused()
    expect(page.locator("#customer-summary")).to_contain_text("privacy@northwind-legal.example")
    expect(page.locator("#customer-principals")).to_contain_text("user/customer-northwind")

    page.get_by_label("Tenant id").fill(tenant)
    page.get_by_label("The business's name").fill("Console Test Dental")
    page.get_by_label("Its privacy contact's email").fill("privacy@console-dental.example")
    page.get_by_label("forward: we pass the request on to it").check()
    page.get_by_label("IAM users or roles").fill("arn:aws:sts::123456789012:assumed-role/x/session")
    page.get_by_label("Webhook for signed notices").fill("http://console-dental.example/hook")
    page.get_by_label("Reason: the contract or ticket").fill("contract CT-2291 signed today")
    page.get_by_role("button", name="Onboard the customer").click()

    principals = page.locator("#c-principals")
    expect(principals).to_be_focused()
    expect(principals).to_have_attribute("aria-invalid", "true")
    expect(field(page, "principal_arns").locator(".field-error")).to_contain_text("an IAM user or role ARN")
    expect(page.locator("#c-webhook")).to_have_attribute("aria-invalid", "true")
    assert tenant not in [c["tenant_id"] for c in ops(stack, "GET", "/ops/customers")]

    principals.fill(role)
    page.get_by_label("Webhook for signed notices").fill("https://console-dental.example/hook")
    page.get_by_role("button", name="Onboard the customer").click()

    expect(page.locator("#message")).to_have_text(f"Onboarded Console Test Dental ({tenant}).")
    expect(page.locator("#customer-title")).to_have_text(f"Console Test Dental ({tenant})")
    expect(page.locator("#customer-principals")).to_contain_text(role)
    expect(page.locator(f"tr[data-tenant-id='{tenant}']")).to_contain_text("forward (we pass it on)")
    expect(principals).not_to_have_attribute("aria-invalid", "true")
    shoot(page, "ops-customers")

    shown = ops(stack, "GET", f"/ops/customers/{tenant}")
    assert (shown["name"], shown["instruction"], shown["principal_arns"]) == (
        "Console Test Dental",
        "forward",
        [role],
    )
    assert shown["webhook_url"] == "https://console-dental.example/hook"
    assert shown["added_by"].endswith(f"/{OPERATOR}")
    added = [
        e
        for e in request_store(stack).audit_entries("audit:customers")
        if e.action == "customer.added" and e.detail["tenant_id"] == tenant
    ]
    assert [e.detail["reason"] for e in added] == ["contract CT-2291 signed today"]

    # the same tenant again: refused as a whole sentence, never overwritten
    page.get_by_label("Tenant id").fill(tenant)
    page.get_by_label("The business's name").fill("Someone Else")
    page.get_by_label("Its privacy contact's email").fill("privacy@someone-else.example")
    page.get_by_label("IAM users or roles").fill(f"arn:aws:iam::123456789012:role/{tenant}-other")
    page.get_by_label("Reason: the contract or ticket").fill("a second try")
    page.get_by_role("button", name="Onboard the customer").click()
    refused = page.locator("#add-form > .field-error")
    expect(refused).to_be_focused()
    expect(refused).to_contain_text(f"tenant {tenant} exists; it is never overwritten")
    assert ops(stack, "GET", f"/ops/customers/{tenant}")["name"] == "Console Test Dental"


# --- retention --------------------------------------------------------------------------------------


def closed_months_ago(store: RequestStore, months: int) -> str:
    """A request created, acknowledged and completed ``months`` months ago (the store stamps the
    close with the transition's time, as the record retention index reads it)."""
    closed_at = utc_now() - timedelta(days=31 * months if months >= 24 else 30 * months)
    request = RightsRequest(
        type=RequestType.ACCESS,
        jurisdiction=Jurisdiction.US_STATE,
        us_state="VA",
        subject=SubjectIdentifiers(email=f"retention.{uuid.uuid4().hex[:8]}@example.net"),
        channel=Channel.WEB,
        received_at=closed_at - timedelta(days=20),
        due=date.today(),
        subject_keys={"email": "k1:" + uuid.uuid4().hex * 2},
    )
    store.create(request, actor="test")
    current = store.get(request.request_id)
    for status in (Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.IN_PROGRESS):
        current = store.save(transition(current, status, at=closed_at), "workflow", f"status.{status.value}")
    closed = transition(current, Status.COMPLETED, outcome=Outcome.COMPLIED, at=closed_at)
    store.save(closed, "workflow", "status.completed")
    return request.request_id


def test_the_retention_dry_run_lists_what_the_daily_run_would_remove(stack: RunningStack, page: Page) -> None:
    store = request_store(stack)
    old = closed_months_ago(store, 25)
    recent = closed_months_ago(store, 23)
    entries = len(store.audit_entries(old))

    page.goto(f"{stack.api_url}/ops/retention.html")
    row = page.locator(f"#due tr[data-request-id='{old}']")
    expect(row).to_contain_text("not begun")
    expect(row.get_by_role("link", name=old)).to_have_attribute("href", f"request.html?id={old}")
    expect(page.locator(f"tr[data-request-id='{recent}']")).to_have_count(0)
    expect(page.locator("#retention-summary")).to_contain_text("24 months")
    report = ops(stack, "GET", "/ops/retention")
    expect(page.locator("#due-caption")).to_contain_text(f"{len(report['due'])} record")
    expect(page.locator("#due tbody tr")).to_have_count(len(report["due"]))
    assert "@" not in page.locator("#page").inner_text()  # ids and dates, nothing personal
    shoot(page, "ops-retention")

    page.get_by_role("button", name="Ask again").click()
    expect(page.locator("#message")).to_have_text("Asked again: nothing was removed.")
    # a dry run: the record is all there
    assert store.get(old).status is Status.COMPLETED
    assert len(store.audit_entries(old)) == entries
    assert old in [due["request_id"] for due in ops(stack, "GET", "/ops/retention")["due"]]


# --- legal clocks ---------------------------------------------------------------------------------


def test_the_queue_lists_every_legal_clock_overdue_or_due_soon(stack: RunningStack, page: Page) -> None:
    """What `privacy-ops deadlines` prints, on the queue: a request whose response was due
    yesterday, in progress, is listed overdue; the page shows what the ops API's sweep answers."""
    store = request_store(stack)
    request = RightsRequest(
        type=RequestType.ACCESS,
        jurisdiction=Jurisdiction.GDPR,
        subject=SubjectIdentifiers(email=f"clocks.{uuid.uuid4().hex[:8]}@example.net"),
        channel=Channel.WEB,
        received_at=utc_now() - timedelta(days=40),
        due=date.today() - timedelta(days=1),
        subject_keys={"email": "k1:" + uuid.uuid4().hex * 2},
    )
    store.create(request, actor="test")
    current = store.get(request.request_id)
    for status in (Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.IN_PROGRESS):
        current = store.save(transition(current, status), "workflow", f"status.{status.value}")

    page.goto(f"{stack.api_url}/ops/index.html")
    row = page.locator(f"#clocks tr[data-request-id='{request.request_id}'][data-clock='response']")
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text((date.today() - timedelta(days=1)).isoformat())
    expect(row).to_contain_text("in progress")
    expect(row.get_by_role("link", name=request.request_id)).to_have_attribute(
        "href", f"request.html?id={request.request_id}"
    )
    swept = ops(stack, "GET", "/ops/deadlines")
    expect(page.locator("#clocks-caption")).to_contain_text(f"{len(swept['clocks'])} clock(s) as of")
    assert any(
        (c["request_id"], c["kind"], c["state"]) == (request.request_id, "response", "overdue")
        for c in swept["clocks"]
    )


# --- the email-intake dead letters ------------------------------------------------------------------


def dead_lettered(stack: RunningStack) -> str:
    """A message email intake cannot read, on its queue as the integration tier puts one: it
    fails each try and SQS moves it to the dead-letter queue (maxReceiveCount). Its message id."""
    sqs: Any = stack.client("sqs")
    (source,) = stack.stack.queue_sources
    sent = sqs.send_message(QueueUrl=source.queue_url, MessageBody=f"not an S3 event {uuid.uuid4()}")
    message_id = str(sent["MessageId"])
    wait_for(
        lambda: (
            message_id in [m["message_id"] for m in ops(stack, "GET", "/ops/mail/dead-letters")["sample"]]
        ),
        "the message on the dead-letter queue",
    )
    return message_id


def test_dead_letters_are_shown_and_sent_back_through_intake_with_the_reason(
    stack: RunningStack, page: Page
) -> None:
    message_id = dead_lettered(stack)

    page.goto(f"{stack.api_url}/ops/mail.html")
    row = page.locator(f"tr[data-message-id='{message_id}']")
    expect(row).to_contain_text("(not an S3 event)")
    expect(page.locator("#dead-count")).to_contain_text("on the email-intake dead-letter queue")
    shoot(page, "ops-mail-dead-letters")
    page.get_by_label("Reason: what was fixed").fill("intake reads this kind of message now")
    page.get_by_role("button", name="Send them back through intake").click()

    expect(page.locator("#message")).to_contain_text("back to email intake.")
    expect(page.locator(f"tr[data-message-id='{message_id}']")).to_have_count(0)
    replayed = [
        e
        for e in request_store(stack).audit_entries("audit:mail-dead-letters")
        if e.action == "mail.dead_letters_replayed"
    ]
    assert replayed[-1].detail["reason"] == "intake reads this kind of message now"
    assert int(str(replayed[-1].detail["moved"])) >= 1
    assert replayed[-1].actor.endswith(f"/{OPERATOR}")
    remaining = ops(stack, "GET", "/ops/mail/dead-letters")["sample"]
    assert message_id not in [m["message_id"] for m in remaining]


# --- accessibility with the reasons shown ---------------------------------------------------------


def test_no_serious_axe_violation_with_refused_fields_shown(stack: RunningStack, axe_page: Page) -> None:
    """The pages as they are after a refusal (reasons in place, fields invalid, a change row and
    the agent's block open): the axe check of test_ops_console.py sees them only as loaded."""
    page = axe_page
    page.goto(f"{stack.api_url}/ops/phone.html")
    page.get_by_label("What the caller asks for").select_option("correction")
    page.get_by_label("The caller is").select_option("parent_or_guardian")
    page.get_by_label("Email", exact=True).fill("not-an-address")
    page.get_by_role("button", name="Enter the request").click()
    expect(page.locator("#ph-email")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "requester.name").locator(".field-error")).to_be_visible()
    phone = serious_violations(page)

    page.goto(f"{stack.api_url}/ops/customers.html")
    page.get_by_label("Reason: the contract or ticket").fill("contract CT-0000")
    page.get_by_role("button", name="Onboard the customer").click()
    expect(page.locator("#c-tenant")).to_have_attribute("aria-invalid", "true")
    customers = serious_violations(page)

    assert (phone, customers) == ([], [])
