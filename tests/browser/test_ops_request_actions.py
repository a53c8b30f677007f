"""The request page's actions that follow a request's answer (issue 18 on issue 17's rights), in
a real headless Chromium against the local stack, each driven as an ops person would and checked
in the ops API, the ledger and the stores afterwards: a correction reviewed (its supporting
document opened through a short link, one field denied with the reason the person reads, the
other applied); compelling grounds recorded against an objection (direct marketing never
offered); a restriction's lift, told first and effective after the notice period; what a
deletion kept back under a hold erased once the hold is released. Each action is on the page
only in the state where it applies. Every request here is the test's own (its own person)."""

from __future__ import annotations

import re
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from browser_support import (
    OPERATOR,
    PATIENCE,
    ops,
    request_store,
    serious_violations,
    shoot,
    submit,
    wait_for,
)
from playwright.sync_api import Page, expect

from local_stack.runtime import RunningStack
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.settings import Settings

pytestmark = pytest.mark.browser

TENANT = "acme"  # its standing instruction is "fulfil": CallX acts on its records itself
EVIDENCE_PDF = b"%PDF-1.4\n" + b"% a utility bill (synthetic)\n" * 64 + b"%%EOF\n"
DENIAL = "Your company's name matches the registration you sent us before; we keep it as it is."
GROUNDS = "Call analytics detect fraud against every caller; your calls count only in aggregate figures."
PATIENCE_MS = PATIENCE * 1000
#: each action's part of the request page
SECTIONS = {
    "correction": "#correction-section",
    "objection": "#grounds-section",
    "restriction": "#lift-section",
    "held": "#held-section",
}
LIFT = "We checked the accuracy of your data, which you contested, and found it correct."


@pytest.fixture
def operator() -> str:
    """The `page` fixture (conftest.py) comes signed in to the console as this operator."""
    return OPERATOR


# --- preconditions, through the public API and the ops API ---------------------------------------


def person(label: str) -> str:
    return f"{label}.{uuid.uuid4().hex[:10]}@example.net"


def lead(stack: RunningStack, email: str, name: str, company: str) -> dict[str, Any]:
    """A business customer's CRM lead about the person (the synthetic platform's shape): its key."""
    key = {"tenant_id": {"S": TENANT}, "lead_id": {"S": f"LDT{uuid.uuid4().hex[:12]}"}}
    item = key | {
        "name": {"S": name},
        "email": {"S": email},
        "phone": {"S": "+14155550199"},
        "company": {"S": company},
        "notes": {"S": "Asked for a quote."},
    }
    ddb: Any = stack.client("dynamodb")
    ddb.put_item(TableName=stack.stack.platform_stores["crm_leads"], Item=item)
    return key


def lead_item(stack: RunningStack, key: dict[str, Any]) -> dict[str, Any] | None:
    table = stack.stack.platform_stores["crm_leads"]
    ddb: Any = stack.client("dynamodb")
    found: dict[str, Any] | None = ddb.get_item(TableName=table, Key=key).get("Item")
    return found


def verified(stack: RunningStack, body: dict[str, Any]) -> str:
    """A GDPR request by email from the public intake, its email proven as the integration tier
    does (the verification itself is the form's tests' business): its id."""
    request_id = str(submit(stack, {"jurisdiction": "gdpr"} | body)["request_id"])
    wait_for(lambda: "verification" in detail(stack, request_id)["waiting_for"], "the verification wait")
    Container(Settings.from_environment()).workflow.verified(request_id, ["email"], actor="test-verifier")
    return request_id


def detail(stack: RunningStack, request_id: str) -> dict[str, Any]:
    return dict(ops(stack, "GET", f"/ops/requests/{request_id}"))


def settled(stack: RunningStack, request_id: str, status: str = "completed") -> dict[str, Any]:
    """The request once its workflow has ended in ``status``."""
    return dict(
        wait_for(
            lambda: (
                (found := detail(stack, request_id))["status"] == status
                and found["execution_status"] != "RUNNING"
                and found
            ),
            f"{request_id} {status}",
        )
    )


def events(stack: RunningStack, request_id: str, name: str) -> list[dict[str, Any]]:
    return [e for e in detail(stack, request_id)["timeline"] if e["event"] == name]


def mails(stack: RunningStack, to: str, subject: str) -> list[Any]:
    return [m for m in stack.outbox.messages(to=to) if m.channel == "email" and subject in m.subject]


# --- the actions ---------------------------------------------------------------------------------


def test_a_correction_is_reviewed_one_field_denied_the_other_applied(stack: RunningStack, page: Page) -> None:
    email = person("corrected")
    key = lead(stack, email, "Quinn Exampel", "Old Harbour Ltd")
    request_id = verified(
        stack,
        {
            "type": "correction",
            "email": email,
            "corrections": [
                {"field": "name", "held": "Quinn Exampel", "corrected": "Quinn Example"},
                {"field": "company", "held": "Old Harbour Ltd", "corrected": "New Harbour Ltd"},
            ],
        },
    )
    evidence = f"permissions/correction-evidence/{request_id}/{uuid.uuid4().hex}"
    s3: Any = stack.client("s3")
    s3.put_object(
        Bucket=stack.stack.ref("PermissionsBucket"),
        Key=evidence,
        Body=EVIDENCE_PDF,
        ContentType="application/pdf",
    )
    wait_for(lambda: "correction" in detail(stack, request_id)["waiting_for"], "the review wait")

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    section = page.locator("#correction-section")
    expect(section).to_be_visible()
    expect(page.locator("#correction-asked tbody tr")).to_have_count(2)
    expect(page.locator("#correction-asked")).to_contain_text("Quinn Example")
    expect(page.locator("#correction-plan")).to_contain_text("name in crm_leads: 1 record would change")
    expect(page.locator("#correction-plan")).to_contain_text("company in crm_leads: 1 record would change")
    # the supporting document, opened as a permission document is
    expect(page.locator("#review-items")).to_contain_text(f"Supporting document {evidence}: pdf")
    page.get_by_label("Document or recording").select_option(evidence)
    page.get_by_label("Why you open it (kept in the audit trail)").fill("compare the bill with the lead")
    page.get_by_role("button", name="Get a link").click()
    link = page.get_by_role("link", name="Download the pdf document")
    expect(link).to_be_focused()
    href = link.get_attribute("href")
    assert href is not None
    with urllib.request.urlopen(href, timeout=10) as response:
        assert response.read() == EVIDENCE_PDF

    # a denied field without the reason the person reads is refused in place
    page.get_by_label("Deny the change to company").check()
    why = page.get_by_label("Why company is not changed (the person reads it)")
    expect(why).to_be_visible()
    page.get_by_label("Why you decide so (kept in the audit trail)").fill("checked the registration on file")
    page.get_by_role("button", name="Apply the rest").click()
    expect(why).to_be_focused()
    expect(why).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#correction-form .field-error")).to_contain_text("the person reads it")
    assert "correction" in detail(stack, request_id)["waiting_for"]
    shoot(page, "ops-request-correction-review")

    why.fill(DENIAL)
    page.get_by_label("Why you decide so (kept in the audit trail)").fill("checked the registration on file")
    page.get_by_role("button", name="Apply the rest").click()

    expect(page.locator("#message")).to_have_text(
        "Correction reviewed: denied company; every other change is applied now."
    )
    expect(page.locator("#message")).to_be_focused()  # the review left the page with its wait
    expect(section).to_be_hidden()
    done = settled(stack, request_id)
    assert done["outcome"] == "partially_complied"
    item = lead_item(stack, key)
    assert item is not None
    assert (item["name"]["S"], item["company"]["S"]) == ("Quinn Example", "Old Harbour Ltd")
    ledger = request_store(stack).ledger(request_id)
    assert ledger["correction"]["denied"] == {"company": DENIAL}
    (reviewed,) = events(stack, request_id, "ops.correction_review")
    assert reviewed["detail"] == {"denied": ["company"], "reason": "checked the registration on file"}
    assert reviewed["actor"].endswith(f"/{OPERATOR}")
    (opened,) = events(stack, request_id, "ops.document_opened")
    assert opened["detail"] == {
        "key": evidence,
        "reason": "compare the bill with the lead",
        "document": "correction_evidence",
    }


def test_compelling_grounds_are_recorded_for_one_purpose_never_for_marketing(
    stack: RunningStack, page: Page
) -> None:
    email = person("objector")
    request_id = verified(
        stack, {"type": "objection", "email": email, "object_to": ["analytics", "marketing"]}
    )
    settled(stack, request_id)

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#grounds-section")).to_be_visible()
    purposes = page.get_by_label("Purpose that goes on")
    expect(purposes.locator("option")).to_have_count(1)  # direct marketing is never offered
    expect(purposes).to_have_value("analytics")
    for hidden in ("#correction-section", "#lift-section", "#held-section"):
        expect(page.locator(hidden)).to_be_hidden()
    page.get_by_label("The compelling legitimate grounds").fill(GROUNDS)
    page.get_by_role("button", name="Record the grounds").click()

    expect(page.locator("#message")).to_have_text(
        re.compile(r"^Grounds recorded for analytics \(\d+ marks?\); the person's notice went by email\.$")
    )
    expect(page.locator("#grounds-recorded")).to_contain_text(f"Grounds recorded for analytics by {OPERATOR}")
    expect(page.locator("#grounds-form")).to_be_hidden()  # nothing left to record grounds for
    objection = detail(stack, request_id)["objection"]
    assert objection["grounds"]["analytics"]["grounds"] == GROUNDS
    assert objection["grounds_possible"] == []
    (recorded,) = events(stack, request_id, "objection.grounds_recorded")
    assert recorded["detail"] == {"purpose": "analytics", "grounds": GROUNDS}
    (told,) = mails(stack, email, "About your objection")
    assert GROUNDS in told.body


def test_a_restriction_is_lifted_after_the_person_is_told(stack: RunningStack, page: Page) -> None:
    email = person("restricted")
    request_id = verified(stack, {"type": "restriction", "email": email})
    settled(stack, request_id)
    days = Container(Settings.from_environment()).settings.restriction_lift_notice_days
    before = datetime.now(UTC)

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#lift-state")).to_have_text(
        "In force: the person's data is kept but used only for storage and legal claims."
    )
    expect(page.locator("#grounds-section")).to_be_hidden()
    page.get_by_label("Why the restriction ends").fill(LIFT)
    page.get_by_role("button", name="Tell the person and lift").click()

    message = page.locator("#message")
    expect(message).to_contain_text("The person's notice went by email; the restriction ends ")
    restriction = detail(stack, request_id)["restriction"]
    lift_at = datetime.fromisoformat(restriction["lift_scheduled_at"])
    assert before + timedelta(days=days) <= lift_at <= datetime.now(UTC) + timedelta(days=days)
    day = f"{lift_at:%b} {lift_at.day}, {lift_at.year}"  # as the page says a moment (en-US, UTC)
    expect(message).to_contain_text(f"the restriction ends {day}")
    expect(page.locator("#lift-form")).to_be_hidden()
    expect(page.locator("#lift-state")).to_contain_text(f"The restriction ends {day}")
    assert restriction["lift"]["reason"] == LIFT
    actions = [e["event"] for e in detail(stack, request_id)["timeline"] if e["source"] == "audit"]
    assert actions.index("notice.restriction_lift.sent") < actions.index("restriction.lift_scheduled")
    (told,) = mails(stack, email, "will be lifted")
    assert f"We will lift that restriction on {lift_at.date().isoformat()}" in told.body


def test_what_a_hold_kept_back_is_erased_once_the_hold_is_released(stack: RunningStack, page: Page) -> None:
    email = person("held")
    key = lead(stack, email, "Harper Held", "Held Ltd")
    hold = ops(
        stack, "POST", "/ops/holds", {"email": email, "matter": "26-CV-0777", "reason": "litigation hold"}
    )
    request_id = verified(stack, {"type": "deletion", "email": email})
    first = settled(stack, request_id)
    assert first["held_back"], first["held_back"]
    assert lead_item(stack, key) is not None  # kept under the hold

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#held-records")).to_contain_text("crm_leads: 1 record held for 26-CV-0777")
    ops(stack, "POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "matter settled"})
    page.get_by_label("Why you erase them now (kept in the audit trail)").fill("the hold was released")
    page.get_by_role("button", name="Erase the held records").click()

    expect(page.locator("#message")).to_contain_text(
        f"Erasing what the hold kept back, as execution {request_id}-r"
    )
    expect(page.locator("#message")).to_be_focused()
    expect(page.locator("#progress-status")).to_have_text(
        "Done: the request is completed.", timeout=PATIENCE_MS
    )
    expect(page.locator("#held-section")).to_be_hidden()
    after = settled(stack, request_id)
    assert after["held_back"] == []
    assert lead_item(stack, key) is None
    receipt = request_store(stack).get(request_id).erasure_receipt
    assert receipt is not None
    assert (receipt.held, receipt.follow_up) == ([], 1)  # one follow-up run
    assert len(mails(stack, email, f"{request_id} is complete")) == 2  # the answer, then the updated receipt
    (erased,) = events(stack, request_id, "ops.erase_held")
    assert erased["detail"] == {"reason": "the hold was released"}


# --- accessibility -------------------------------------------------------------------------------


def test_no_serious_axe_violation_in_any_of_these_states(stack: RunningStack, axe_page: Page) -> None:
    """Each action's state of the request page (the others are in test_ops_console.py)."""
    corrected, objector, restricted, held = (person(label) for label in ("axe.c", "axe.o", "axe.r", "axe.h"))
    lead(stack, corrected, "Avery Exampel", "Axe Ltd")
    lead(stack, held, "Blake Held", "Axe Held Ltd")
    ops(stack, "POST", "/ops/holds", {"email": held, "matter": "AXE-1", "reason": "litigation hold"})
    change = {"field": "name", "held": "Avery Exampel", "corrected": "Avery Example", "why": "a typo"}
    ids = {
        "correction": verified(stack, {"type": "correction", "email": corrected, "corrections": [change]}),
        "objection": verified(stack, {"type": "objection", "email": objector, "object_to": ["analytics"]}),
        "restriction": verified(stack, {"type": "restriction", "email": restricted}),
        "held": verified(stack, {"type": "deletion", "email": held}),
    }
    s3: Any = stack.client("s3")
    s3.put_object(
        Bucket=stack.stack.ref("PermissionsBucket"),
        Key=f"permissions/correction-evidence/{ids['correction']}/{uuid.uuid4().hex}",
        Body=EVIDENCE_PDF,
    )
    wait_for(lambda: "correction" in detail(stack, ids["correction"])["waiting_for"], "the review wait")
    for name in ("objection", "restriction", "held"):
        settled(stack, ids[name])
    found = {}
    for name, request_id in ids.items():
        axe_page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
        axe_page.wait_for_load_state("networkidle")
        expect(axe_page.locator(SECTIONS[name])).to_be_visible()
        if name == "correction":
            axe_page.get_by_label("Deny the change to name").check()  # its reason's field opens
        found[name] = serious_violations(axe_page)
        shoot(axe_page, f"ops-request-{name}")

    assert found == {name: [] for name in found}
