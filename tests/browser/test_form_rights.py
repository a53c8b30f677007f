"""Issue 17 in the browser: a correction from the public form with several changes, each {what,
the value we hold, the value wanted}, and a supporting document uploaded as a signed permission
is; per-change errors in place (the browser's and the server's 422 reasons), linked from the
summary, by keyboard; the status page taking the person's statement after a denied correction
(with the status token, as every call of that page), then saying it is kept; axe-core on both.

Runs on the tier's shared stack and Chromium (conftest.py); each test makes its own requests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    focused_matches,
    request_store,
    serious_violations,
    shoot,
    submit,
    tab_to,
    wait_for,
)
from playwright.sync_api import Page, Route, expect

from local_stack.runtime import RunningStack
from privacy_rights.core.models import Outcome, Status
from privacy_rights.core.request_results import CorrectionResult

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n" + b"% a bill showing the new address (synthetic)\n" * 64 + b"%%EOF\n"


def _document(tmp_path: Path, name: str = "bill.pdf", body: bytes = PDF) -> str:
    path = tmp_path / name
    path.write_bytes(body)
    return str(path)


def _open_correction(stack: RunningStack, page: Page) -> None:
    page.goto(f"{stack.api_url}/")
    page.get_by_label("Correct my data").check()
    expect(page.locator("#correction-group")).to_be_visible()


def test_a_correction_names_each_change_with_the_value_held_and_sends_its_documents(
    stack: RunningStack, page: Page, tmp_path: Path
) -> None:
    _open_correction(stack, page)
    page.locator("#correction_field").select_option("name")
    page.locator("#correction_held").fill("Jo Exampel")
    page.locator("#correction_corrected").fill("Jo Example")

    page.get_by_role("button", name="Add another change").click()
    expect(page.locator("#correction_field_2")).to_be_focused()  # the new change takes focus
    expect(page.locator("#correction-count")).to_have_text("Change 2 added.")
    page.locator("#correction_field_2").select_option("email")
    page.locator("#correction_held_2").fill("old.form@example.net")
    page.locator("#correction_corrected_2").fill("new.form@example.net")
    page.locator("#correction_why_2").fill("I moved to a new provider.")

    # a third change added, then removed by keyboard: the first two keep what was typed
    page.get_by_role("button", name="Add another change").click()
    page.locator("#correction_corrected_3").fill("discarded")
    page.get_by_role("button", name="Remove this change (change 3)").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#correction_field_3")).to_have_count(0)
    expect(page.locator("#correction-count")).to_have_text("Change 3 removed. 2 changes left.")
    expect(page.locator("#correction_held_2")).to_have_value("old.form@example.net")

    page.set_input_files("#correction_documents", _document(tmp_path))
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_label("Email address").fill("old.form@example.net")
    with page.expect_request(lambda request: request.url.endswith("/requests")) as sent:
        page.get_by_role("button", name="Send request").click()
    assert sent.value.post_data_json == {
        "type": "correction",
        "jurisdiction": "gdpr",
        "email": "old.form@example.net",
        "corrections": [
            {"field": "name", "corrected": "Jo Example", "held": "Jo Exampel"},
            {
                "field": "email",
                "corrected": "new.form@example.net",
                "held": "old.form@example.net",
                "why": "I moved to a new provider.",
            },
        ],
    }
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-documents-list")).to_have_text("bill.pdf: received.")
    shoot(page, "form-rights-correction-received")

    request_id = page.locator("#result-id").inner_text().strip()
    store = request_store(stack)
    asked = store.get(request_id).corrections
    assert [(c.field, c.held, c.corrected) for c in asked] == [
        ("name", "Jo Exampel", "Jo Example"),
        ("email", "old.form@example.net", "new.form@example.net"),
    ]
    s3: Any = stack.session.client("s3")
    bucket = stack.stack.ref("PermissionsBucket")
    kept = s3.list_objects_v2(Bucket=bucket, Prefix=f"permissions/correction-evidence/{request_id}/")
    assert kept.get("KeyCount") == 1
    # never filed as an agent's permission
    assert s3.list_objects_v2(Bucket=bucket, Prefix=f"permissions/{request_id}/").get("KeyCount") == 0
    actions = [entry.action for entry in store.audit_entries(request_id)]
    assert "correction.evidence_upload_offered" in actions


def test_each_change_shows_its_own_errors_in_place(stack: RunningStack, page: Page, tmp_path: Path) -> None:
    _open_correction(stack, page)
    page.get_by_role("button", name="Add another change").click()
    page.locator("#correction_field").select_option("name")
    page.locator("#correction_corrected").fill("Same Name")
    page.locator("#correction_held").fill("Same Name")
    page.locator("#correction_field_2").select_option("email")
    page.locator("#correction_held_2").fill("not an address")
    page.set_input_files("#correction_documents", _document(tmp_path, "notes.txt", b"plain text"))
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_label("Email address").fill("errors.form@example.net")

    sent: list[str] = []
    page.on(
        "request", lambda request: sent.append(request.url) if request.url.endswith("/requests") else None
    )
    page.get_by_role("button", name="Send request").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    for field, words in (
        ("correction_corrected", "the same as what we have now (change 1)"),
        ("correction_held_2", "Enter an email address like name@example.com (change 2)"),
        ("correction_corrected_2", "Enter what it should say (change 2)"),
        ("correction_documents", "notes.txt is not a PDF, PNG, JPEG or TIFF file."),
    ):
        control = page.locator(f"#{field}")
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field}-error")).to_contain_text(words)
        assert f"{field}-error" in (control.get_attribute("aria-describedby") or "").split()
        expect(summary).to_contain_text(words)
    assert sent == []
    shoot(page, "form-rights-correction-errors")

    # the summary's link takes the keyboard to the field
    summary.get_by_role("link", name="Enter an email address like name@example.com (change 2).").focus()
    page.keyboard.press("Enter")
    assert focused_matches(page, "#correction_held_2")


def test_the_servers_reasons_land_on_the_change_they_name(stack: RunningStack, page: Page) -> None:
    """The API names a change by its place (``body.corrections.1``) and, in a change's own
    check, the part first ("held: ..."): the form puts each next to that part."""

    def refuse(route: Route) -> None:
        reasons = [
            {"field": "body.corrections.1", "reason": "held: value is not a valid phone number"},
            {"field": "body.corrections.0.field", "reason": "Input should be 'name', 'email' or 'phone'"},
        ]
        route.fulfill(
            status=422,
            content_type="application/json",
            body=json.dumps({"message": "The input is not valid.", "errors": reasons}),
        )

    page.route("**/requests", refuse)
    _open_correction(stack, page)
    page.locator("#correction_field").select_option("company")
    page.locator("#correction_corrected").fill("Example Ltd")
    page.get_by_role("button", name="Add another change").click()
    page.locator("#correction_field_2").select_option("phone")
    page.locator("#correction_held_2").fill("+1 415 555 0100")
    page.locator("#correction_corrected_2").fill("+1 415 555 0111")
    page.get_by_label("Where are you?").select_option("ccpa")
    page.get_by_label("Email address").fill("server.form@example.net")
    page.get_by_role("button", name="Send request").click()

    expect(page.locator("#correction_held_2-error")).to_contain_text("Value is not a valid phone number.")
    expect(page.locator("#correction_held_2")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#correction_field-error")).to_contain_text("Input should be")
    expect(page.locator("#error-summary")).to_be_focused()


def _denied_correction(stack: RunningStack, email: str) -> dict[str, Any]:
    """A correction taken by the public intake whose name change ops denied (set on the record
    directly: the review itself is the ops tier's test)."""
    answer = submit(
        stack,
        {
            "type": "correction",
            "jurisdiction": "ccpa",
            "email": email,
            "corrections": [
                {"field": "name", "held": "Jane Doe", "corrected": "Janet Doe"},
                {"field": "email", "held": email, "corrected": "janet.doe@example.net"},
            ],
        },
    )
    store = request_store(stack)
    # the workflow parks its verification wait first: nothing else writes the record after that
    wait_for(lambda: "verification" in store.waiting_for(answer["request_id"]), "the verification wait")
    request = store.get(answer["request_id"])
    result = CorrectionResult(
        completed_at="2026-12-06T10:00:00+00:00",
        changes=[
            {"field": "email", "store": "crm_leads", "outcome": "applied", "records": 1, "where": "A CRM"},
            {
                "field": "name",
                "store": "crm_leads",
                "outcome": "denied",
                "records": 1,
                "where": "A CRM",
                "why": "The signed contract we hold gives the name as Jane Doe.",
            },
        ],
    )
    closed = request.with_correction_result(result).model_copy(
        update={"status": Status.COMPLETED, "outcome": Outcome.PARTIALLY_COMPLIED}
    )
    store.save(closed, "test", "status.completed")
    return answer


def test_a_denied_correction_takes_the_persons_statement_once(stack: RunningStack, page: Page) -> None:
    answer = _denied_correction(stack, "statement.browser@example.net")
    page.goto(f"{stack.api_url}/status.html#request={answer['request_id']}&token={answer['status_token']}")
    form = page.locator("#statement-form")
    expect(form).to_be_visible()
    expect(page.locator("#view-answer-text")).to_contain_text("you may add a statement of up to 250 words")

    expect(page.locator("#evidence-form")).to_be_hidden()  # closed: documents no longer help
    text = page.get_by_role("textbox", name="Your statement")
    text.fill("word " * 260)
    expect(page.locator("#statement-count")).to_have_text("260 of 250 words")
    page.get_by_role("button", name="Add my statement").click()
    expect(page.locator("#statement-error")).to_contain_text("250 words or fewer (it has 260)")
    expect(text).to_be_focused()
    expect(text).to_have_attribute("aria-invalid", "true")
    assert "statement-error" in (text.get_attribute("aria-describedby") or "").split()

    # by keyboard: the textarea, then the button
    text.fill("")
    tab_to(page, "#statement-text")
    page.keyboard.type("My name is Janet Doe since my marriage; the contract predates it.")
    page.keyboard.press("Tab")
    assert focused_matches(page, "#statement-send")
    with page.expect_response(lambda response: response.url.endswith("/statement")) as posted:
        page.keyboard.press("Enter")
    assert posted.value.status == 200
    assert posted.value.request.all_headers().get("authorization") == f"Bearer {answer['status_token']}"
    done = page.locator("#statement-done")
    expect(done).to_be_visible()
    expect(done).to_be_focused()
    expect(done).to_contain_text("We received your statement (12 words)")
    expect(form).to_be_hidden()
    expect(page.locator("#view-answer-text")).to_contain_text("Your statement, added on")
    shoot(page, "form-rights-statement-kept")

    kept = request_store(stack).get(answer["request_id"]).correction_statement
    assert kept is not None
    assert kept.text.startswith("My name is Janet Doe")

    page.reload()  # said once, in the answer, which is built from the same record
    expect(page.locator("#view")).to_be_visible()
    expect(form).to_be_hidden()
    expect(page.locator("#view-answer-text")).to_contain_text("is kept with your record")
    expect(done).to_be_hidden()


def test_consent_to_recording_is_withdrawn_from_the_form_without_a_code(
    stack: RunningStack, page: Page
) -> None:
    page.goto(f"{stack.api_url}/")
    page.get_by_label("Withdraw my consent").check()
    page.get_by_label("Recording my calls").check()
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_label("Phone number").fill("+44 20 7946 0958")
    with page.expect_request(lambda request: request.url.endswith("/requests")) as sent:
        page.get_by_role("button", name="Send request").click()
    assert sent.value.post_data_json == {
        "type": "withdraw_consent",
        "jurisdiction": "gdpr",
        "phone": "+44 20 7946 0958",
        "consent_to_withdraw": ["recording"],
    }
    expect(page.locator("#result")).to_be_visible()
    expect(page.locator("#result-withdrawal")).to_be_visible()
    expect(page.locator("#result-verify")).to_be_hidden()  # no code is sent for a withdrawal
    request_id = page.locator("#result-id").inner_text().strip()
    assert [p.value for p in request_store(stack).get(request_id).opt_out_of] == ["recording"]


def test_an_open_correction_takes_more_documents_from_the_status_page(
    stack: RunningStack, page: Page, tmp_path: Path
) -> None:
    answer = submit(
        stack,
        {
            "type": "correction",
            "jurisdiction": "gdpr",
            "email": "documents.browser@example.net",
            "corrections": [{"field": "name", "held": "Jo Exampel", "corrected": "Jo Example"}],
        },
    )
    page.goto(f"{stack.api_url}/status.html#request={answer['request_id']}&token={answer['status_token']}")
    form = page.locator("#evidence-form")
    expect(form).to_be_visible()
    expect(page.locator("#permission-form")).to_be_hidden()  # the person's own request: no permission

    page.get_by_role("button", name="Send the document").click()
    expect(page.locator("#evidence-error")).to_have_text("Choose the file to send.")
    expect(page.locator("#evidence-file")).to_be_focused()
    expect(page.locator("#evidence-file")).to_have_attribute("aria-invalid", "true")

    page.set_input_files("#evidence-file", _document(tmp_path, "letter.pdf"))
    page.get_by_role("button", name="Send the document").click()
    expect(page.locator("#evidence-done")).to_have_text("We received letter.pdf. You can send another one.")
    expect(page.locator("#evidence-done")).to_be_focused()
    s3: Any = stack.session.client("s3")
    kept = s3.list_objects_v2(
        Bucket=stack.stack.ref("PermissionsBucket"),
        Prefix=f"permissions/correction-evidence/{answer['request_id']}/",
    )
    assert kept.get("KeyCount") == 1
    shoot(page, "form-rights-status-documents")


def test_the_status_page_offers_no_statement_without_a_denial(stack: RunningStack, page: Page) -> None:
    answer = submit(
        stack,
        {
            "type": "correction",
            "jurisdiction": "gdpr",
            "email": "nostatement.browser@example.net",
            "corrections": [{"field": "name", "held": "A", "corrected": "B"}],
        },
    )
    page.goto(f"{stack.api_url}/status.html#request={answer['request_id']}&token={answer['status_token']}")
    expect(page.locator("#view")).to_be_visible()
    expect(page.locator("#statement-form")).to_be_hidden()
    expect(page.locator("#statement-done")).to_be_hidden()
    expect(page.locator("#evidence-form")).to_be_visible()


def test_axe_finds_no_serious_violation_in_the_correction_form_and_the_statement(
    stack: RunningStack, axe_page: Page, tmp_path: Path
) -> None:
    page = axe_page
    _open_correction(stack, page)
    page.get_by_role("button", name="Add another change").click()
    assert serious_violations(page) == [], "index.html, two changes"
    page.get_by_label("Where are you?").select_option("gdpr")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert serious_violations(page) == [], "index.html, two changes with errors"

    answer = _denied_correction(stack, "axe.statement@example.net")
    page.goto(f"{stack.api_url}/status.html#request={answer['request_id']}&token={answer['status_token']}")
    expect(page.locator("#statement-form")).to_be_visible()
    assert serious_violations(page) == [], "status.html, statement form"
    page.get_by_role("button", name="Add my statement").click()
    expect(page.locator("#statement-error")).to_be_visible()
    assert serious_violations(page) == [], "status.html, statement error"
