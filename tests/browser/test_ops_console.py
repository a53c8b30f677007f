"""The ops console (issue 18, web/ops/) in a real headless Chromium against the local stack: a
failed request found in the queue, replayed and watched to completed without reloading; a
flagged deletion decided; a reviewed email accepted; a legal hold placed and released; axe-core
with no serious violation on every page; keyboard-only use of the queue and a request page.
The local operator name stands in for the IAM identity, as for `privacy-ops --operator`."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    OPERATOR,
    PATIENCE,
    denied,
    http,
    new_page,
    ops,
    request_store,
    serious_violations,
    shoot,
    submit,
    tab_to,
    wait_for,
)
from playwright.sync_api import Browser, Page, expect

from local_stack import demo, synthetic
from local_stack.runtime import RunningStack
from privacy_rights.core import ledger_steps
from privacy_rights.core.models import Status
from privacy_rights.core.ports import OutstandingNotice
from privacy_rights.runtime.composition import Container
from privacy_rights.runtime.settings import Settings

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parents[1] / "email_corpus"
#: a number that called four businesses: more than one person plausibly (the footprint is flagged)
FLAGGED_PHONE = "+14155550933"
SIGNED_PDF = b"%PDF-1.4\n" + b"% signed permission (synthetic)\n" * 64 + b"%%EOF\n"
APPEAL_STATEMENT = "I did call you from this number last spring, twice."


@pytest.fixture
def operator() -> str:
    """The `page` and `axe_page` fixtures (conftest.py) come signed in to the console as this
    operator, as `privacy-ops --operator` is locally."""
    return OPERATOR


# --- helpers -----------------------------------------------------------------------------------


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


def verified_by_phone(stack: RunningStack, body: dict[str, Any], then: str) -> str:
    """A request by phone under the CCPA, its phone proven as the integration tier does (a phone
    alone asks for a fact too; the verification itself is the form's tests' business), run on
    until it waits for ``then``: its id."""
    request_id = str(submit(stack, {"jurisdiction": "ccpa"} | body)["request_id"])
    wait_for(
        lambda: "verification" in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"], "the code"
    )
    Container(Settings.from_environment()).workflow.verified(request_id, ["phone"], actor="test-verifier")
    wait_for(
        lambda: then in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"], f"the {then} wait"
    )
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
    return verified_by_phone(stack, {"type": "deletion", "phone": FLAGGED_PHONE}, then="decision")


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


def appealed(stack: RunningStack, email: str) -> str:
    """A Colorado deletion refused as unverifiable, then appealed as the status page does it
    (with the status token and the person's statement): it waits for ops to decide."""
    answer = denied(stack, {"jurisdiction": "us_state", "us_state": "CO", "email": email})
    request_id = str(answer["request_id"])
    status, filed = http(
        stack,
        "POST",
        f"/requests/{request_id}/appeal",
        {"statement": APPEAL_STATEMENT},
        headers={"Authorization": f"Bearer {answer['status_token']}"},
    )
    assert status == 200, (status, filed)
    return request_id


def acknowledgements(stack: RunningStack, email: str, request_id: str) -> int:
    status, messages = http(stack, "GET", "/_local/outbox")
    assert status == 200, messages
    subject = f"We received your privacy request {request_id}"
    return sum(1 for m in messages if email in m["to"] and m["subject"] == subject)


def refused_acknowledgement(stack: RunningStack, email: str) -> str:
    """A request whose acknowledgement the provider refused (as SES does for an unverified
    address): its intent in the ledger and no delivery, held for a retry an hour from now."""
    request_id = str(submit(stack, {"type": "access", "jurisdiction": "gdpr", "email": email})["request_id"])
    store = request_store(stack)
    delivered = ledger_steps.notice("acknowledgement")
    # The status moves on only once the acknowledgement is settled: holding the notice before
    # that would race the workflow's own settle, which deletes the held record.
    wait_for(lambda: store.get(request_id).status is Status.AWAITING_VERIFICATION, "the acknowledgement")
    assert delivered in store.ledger(request_id)
    store.clear_step(request_id, delivered, "test", "the provider refused it")
    records = Container(Settings.from_environment()).notice_records
    assert records is not None
    now = datetime.now(UTC)
    refused = "MessageRejected: Email address is not verified."
    records.hold(
        OutstandingNotice(
            request_id,
            "acknowledgement",
            "retry",
            now - timedelta(hours=2),
            3,
            now + timedelta(hours=1),
            refused,
        )
    )
    return request_id


def with_permission_document(stack: RunningStack, signed: bytes) -> str:
    """A deletion sent by an authorized agent, with the signed permission the agent uploaded
    (stored where the status page's presigned POST puts it)."""
    request_id = str(
        submit(
            stack,
            {
                "type": "deletion",
                "jurisdiction": "ccpa",
                "email": "principal.console@example.net",
                "requester": {
                    "role": "authorized_agent",
                    "name": "Avery Agent",
                    "email": "agent.console@example.org",
                },
            },
        )["request_id"]
    )
    s3: Any = stack.client("s3")
    s3.put_object(
        Bucket=stack.stack.ref("PermissionsBucket"),
        Key=f"permissions/{request_id}/{uuid.uuid4().hex}",
        Body=signed,
        ContentType="application/pdf",
    )
    return request_id


def recording_under_review(stack: RunningStack) -> tuple[str, str]:
    """Dana's request to know, verified, whose export finds a transferred call recorded on one
    channel (another person's voice in it): it waits for ops to listen. The request id and the
    recording's key."""
    transferred = next(c for c in demo.DEMO_CALLS if c.label.startswith("dana-") and c.participants)
    assert synthetic.rerecord_on_one_channel(
        stack.client("s3"), stack.stack.platform_stores, transferred.call_id
    )
    request_id = verified_by_phone(stack, {"type": "access", "phone": demo.DANA_PHONE}, then="review")
    (listen,) = ops(stack, "GET", f"/ops/requests/{request_id}")["recordings_to_review"]
    assert listen["call_id"] == transferred.call_id
    return request_id, str(listen["key"])


# --- the journeys -------------------------------------------------------------------------------


def test_a_failed_request_is_found_in_the_queue_replayed_and_watched_to_completed(
    stack: RunningStack, page: Page
) -> None:
    request_id = failed_opt_out(stack, "console.replay@example.net")

    page.goto(f"{stack.api_url}/ops/index.html?status=failed")
    row = page.locator(f"tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("ApplyPreferences")
    shoot(page, "ops-queue")  # docs/screenshots/ holds a copy of this and ops-request-timeline
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


def test_an_appeal_is_decided_with_the_written_explanation(stack: RunningStack, page: Page) -> None:
    request_id = appealed(stack, "appeal.console@example.org")
    explanation = "We checked the call records again: none of them came from the number you gave."

    page.goto(f"{stack.api_url}/ops/appeals.html")
    row = page.locator(f"tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("us state")
    row.get_by_role("link", name=f"Decide the appeal on {request_id}").click()

    expect(page.locator("#appeal-title")).to_be_focused()
    expect(page.locator("#appeal-statement")).to_have_text(APPEAL_STATEMENT)
    expect(page.locator("#appeal-denial")).to_have_text("unverifiable")
    shoot(page, "ops-appeal")
    page.get_by_label("Deny: the refusal stands").check()
    page.get_by_label("The written explanation").fill(explanation)
    page.get_by_label("Reason (kept in the audit trail)").fill("call records checked a second time")
    page.get_by_role("button", name="Send the decision").click()

    expect(page.locator("#message")).to_contain_text(
        "Appeal denied: the request is appeal denied; the notice: email."
    )
    expect(page.locator(f"tr[data-request-id='{request_id}']")).to_have_count(0)
    detail = ops(stack, "GET", f"/ops/requests/{request_id}")
    assert (detail["status"], detail["appeal"]["decision"]) == ("appeal_denied", "denied")
    assert detail["appeal"]["explanation"] == explanation
    assert "appeal.denied" in [event["event"] for event in detail["timeline"]]


def test_a_held_notice_is_sent_again_by_a_person(stack: RunningStack, page: Page) -> None:
    email = "held.notice@example.net"
    request_id = refused_acknowledgement(stack, email)
    assert acknowledgements(stack, email, request_id) == 1

    page.goto(f"{stack.api_url}/ops/notices.html")
    row = page.locator(f"tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("MessageRejected: Email address is not verified.")
    expect(row).to_contain_text("Over an hour")
    row.get_by_role("button", name=f"Decide the acknowledgement of {request_id}").click()
    expect(page.locator("#decide-title")).to_be_focused()
    page.get_by_label("It did not go: send it again").check()
    page.get_by_label("Reason (kept in the audit trail)").fill("the address is verified now")
    page.get_by_role("button", name="Decide", exact=True).click()

    expect(page.locator("#message")).to_have_text(
        f"The acknowledgement of {request_id}: sent again by email."
    )
    expect(page.locator(f"tr[data-request-id='{request_id}']")).to_have_count(0)
    assert not [n for n in ops(stack, "GET", "/ops/notices") if n["request_id"] == request_id]
    assert acknowledgements(stack, email, request_id) == 2
    detail = ops(stack, "GET", f"/ops/requests/{request_id}")
    assert "ops.notice_resend" in [event["event"] for event in detail["timeline"]]


def test_the_yearly_metrics_page_shows_what_the_ops_api_counts(stack: RunningStack, page: Page) -> None:
    denied(stack, {"jurisdiction": "ccpa", "email": "metrics.denied@example.net"})
    year = datetime.now(UTC).year
    counted = {
        row["right"]: row for row in ops(stack, "GET", f"/ops/metrics?year={year}&scope=all")["rights"]
    }
    assert counted["delete"]["denied"] >= 1

    page.goto(f"{stack.api_url}/ops/metrics.html?year={year}&scope=all")
    expect(page.locator("#metrics-caption")).to_have_text(
        f"Requests received in {year} under every law, per right"
    )
    expect(page.locator("#metrics tbody tr")).to_have_count(len(counted))
    for right, row in counted.items():
        cells = page.locator(f"#metrics tr[data-right='{right}'] td").all_inner_texts()
        counts = ("received", "complied_in_whole", "complied_in_part", "denied", "withdrawn", "open")
        assert cells[:6] == [str(row[key]) for key in counts], right
        for cell, key in zip(cells[6:], ("median_days_to_respond", "mean_days_to_respond"), strict=True):
            assert cell == "—" if row[key] is None else abs(float(cell) - row[key]) <= 0.05, (right, key)
    expect(page.locator("#reasons")).to_contain_text("Requests to delete: unverifiable")
    expect(page.get_by_label("Which requests")).to_have_value("all")
    shoot(page, "ops-metrics")


def waiting_for_northwind(stack: RunningStack) -> str:
    """Leo's request to know, verified: his calls are at Northwind Legal, whose standing
    instruction is "ask", so the export waits for Northwind's answer through the customer API."""
    return verified_by_phone(stack, {"type": "access", "phone": demo.LEO.phone}, then="customer")


def test_a_business_customers_pending_instruction_is_listed_until_it_answers(
    stack: RunningStack, page: Page
) -> None:
    request_id = waiting_for_northwind(stack)

    page.goto(f"{stack.api_url}/ops/instructions.html")
    row = page.locator(f"tr[data-request-id='{request_id}']")
    expect(row).to_contain_text("Northwind Legal (northwind)")
    expect(row.get_by_role("link", name=demo.NORTHWIND.privacy_email)).to_be_visible()
    shoot(page, "ops-instructions")

    status, answer = http(
        stack,
        "POST",
        f"/customer/requests/{request_id}/answer",
        {"decision": "answer_ourselves", "reason": "our client file; we reply to Mr Brandt"},
        headers={"X-Local-Operator": "customer-northwind"},
    )
    assert status == 200, answer
    wait_for(
        lambda: "customer" not in ops(stack, "GET", f"/ops/requests/{request_id}")["waiting_for"],
        "Northwind's answer to land",
    )
    page.reload()
    expect(page.locator("#instructions-caption")).not_to_have_text("Requests waiting for a business")
    expect(page.locator(f"tr[data-request-id='{request_id}']")).to_have_count(0)


def test_an_agents_permission_document_is_opened_through_a_short_link(
    stack: RunningStack, page: Page
) -> None:
    signed = SIGNED_PDF
    request_id = with_permission_document(stack, signed)

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#review-items")).to_contain_text(f"pdf, {len(signed)} bytes")
    expect(page.get_by_label("Document or recording")).to_have_value(
        re.compile(f"^permissions/{request_id}/")
    )
    page.get_by_label("Why you open it (kept in the audit trail)").fill("check the agent's signature")
    page.get_by_role("button", name="Get a link").click()

    link = page.get_by_role("link", name="Download the pdf document")
    expect(link).to_be_focused()
    expect(page.locator("#document-link")).to_contain_text("the link works for 5 minutes")
    href = link.get_attribute("href")
    assert href is not None
    with urllib.request.urlopen(href, timeout=10) as response:
        assert response.read() == signed
        assert response.headers["Content-Disposition"] == "attachment"
    timeline = ops(stack, "GET", f"/ops/requests/{request_id}")["timeline"]
    opened = [e for e in timeline if e["event"] == "ops.document_opened"]
    assert [e["detail"]["reason"] for e in opened] == ["check the agent's signature"]
    assert opened[0]["actor"].endswith(f"/{OPERATOR}")


def test_a_recording_under_review_is_opened_through_a_short_link(stack: RunningStack, page: Page) -> None:
    request_id, key = recording_under_review(stack)

    page.goto(f"{stack.api_url}/ops/request.html?id={request_id}")
    expect(page.locator("#review-items")).to_contain_text("another person at")
    page.get_by_label("Document or recording").select_option(key)
    page.get_by_label("Why you open it (kept in the audit trail)").fill("listen to the transferred part")
    page.get_by_role("button", name="Get a link").click()

    link = page.get_by_role("link", name="Download the recording")
    expect(link).to_be_focused()
    href = link.get_attribute("href")
    assert href is not None
    s3: Any = stack.client("s3")
    stored = s3.get_object(Bucket=stack.stack.platform_stores["recordings"], Key=key)["Body"].read()
    with urllib.request.urlopen(href, timeout=10) as response:
        assert response.read() == stored
    timeline = ops(stack, "GET", f"/ops/requests/{request_id}")["timeline"]
    opened = [e for e in timeline if e["event"] == "ops.recording_opened"]
    assert [(e["detail"]["key"], e["detail"]["reason"]) for e in opened] == [
        (key, "listen to the transferred part")
    ]


# --- accessibility -------------------------------------------------------------------------------


def test_no_serious_axe_violation_on_any_page(stack: RunningStack, axe_page: Page, browser: Browser) -> None:
    request_id = failed_opt_out(stack, "console.axe@example.net")
    mail_id = mail_for_review(stack)
    appeal_id = appealed(stack, "appeal.axe@example.org")
    refused_acknowledgement(stack, "notice.axe@example.net")
    pages = {
        "queue": "/ops/index.html",
        "request": f"/ops/request.html?id={request_id}",
        "request-documents": f"/ops/request.html?id={with_permission_document(stack, SIGNED_PDF)}",
        "appeals": f"/ops/appeals.html?request={appeal_id}",
        "notices": "/ops/notices.html",
        "instructions": "/ops/instructions.html",
        "mail": f"/ops/mail.html?mail={mail_id}",
        "holds": "/ops/holds.html",
        "lookup": "/ops/lookup.html",
        "metrics": "/ops/metrics.html",
        "phone": "/ops/phone.html",
        "customers": "/ops/customers.html?tenant=northwind",
        "retention": "/ops/retention.html",
    }
    found = {}
    for name, path in pages.items():
        axe_page.goto(stack.api_url + path)
        axe_page.wait_for_load_state("networkidle")
        found[name] = serious_violations(axe_page)
        shoot(axe_page, f"ops-{name}")
    context, signin, _ = new_page(browser, bypass_csp=True)
    signin.goto(f"{stack.api_url}/ops/")
    expect(signin.get_by_label("Your operator name")).to_be_visible()
    found["sign-in"] = serious_violations(signin)
    context.close()

    assert found == {name: [] for name in found}


def test_the_queue_and_a_request_page_by_keyboard_alone(stack: RunningStack, browser: Browser) -> None:
    request_id = failed_opt_out(stack, "console.keys@example.net")
    context, page, problems = new_page(browser)
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

    context, page, problems = new_page(browser)
    stored = CREDENTIALS | {"expiration": "2099-01-01T00:00:00Z"}
    context.add_init_script(
        f"sessionStorage.setItem('privacy-ops-credentials', {json.dumps(json.dumps(stored))})"
    )
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
    # every call of the page answered (the legal clocks last): an answer of an unexpected shape
    # is said on the page, never a script error
    expect(page.locator("#clocks-caption")).to_contain_text("could not be read")
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
    context, page, problems = new_page(browser)
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
