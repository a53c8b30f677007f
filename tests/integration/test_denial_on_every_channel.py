"""Issue 16: a denial through the real state machine reaches the person with its reason, ops'
detail and the remedies, on the channel they use: the email, the SMS (the reason and the link),
and the status page that link opens (the whole text, and the toll-free line the local stack
configures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_stack.runtime import LOCAL_PARAMETERS, RunningStack
from privacy_rights.adapters.request_store import RequestStore

AGENT = {"role": "authorized_agent", "name": "Privacy Helpers Ltd", "email": "helpers@example.com"}
DETAIL = "The signed permission names another person and carries no signature of the person you act for."


def _denied_by_ops(
    verified: Callable[[dict[str, Any], list[str]], str],
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    body: dict[str, Any],
    proven: list[str],
) -> str:
    """An agent's request whose signed permission ops refuse: ``privacy-ops decide … deny
    --denial-reason agent_not_authorized --detail …`` through the ops API."""
    request_id = verified({"type": "deletion", "requester": AGENT} | body, proven)
    waiting_for(request_id, "permission")
    decision = {
        "decision": "deny",
        "reason": "permission does not match",
        "denial_reason": "agent_not_authorized",
        "detail": DETAIL,
    }
    status, _, answer = call_api("POST", f"/ops/requests/{request_id}/decision", decision, operator="olivia")
    assert status == 200, answer
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    return request_id


def test_a_denial_reads_the_same_on_email_sms_and_the_status_page(
    running: RunningStack,
    verified: Callable[[dict[str, Any], list[str]], str],
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
) -> None:
    by_email = _denied_by_ops(
        verified,
        call_api,
        waiting_for,
        wait_for_execution,
        {"jurisdiction": "gdpr", "email": "principal@example.org"},
        ["email"],
    )
    denial = store.get(by_email).denial
    assert denial is not None
    assert (denial.reason, denial.detail) == ("agent_not_authorized", DETAIL)  # the ledger's word
    [email] = [m for m in running.outbox.messages(to="principal@example.org") if "was denied" in m.subject]
    assert "We could not confirm that the agent is authorized to act for you." in email.body
    assert f"What our privacy team found: {DETAIL}" in email.body
    assert "the Irish Data Protection Commission" in email.body  # the lead authority the stack names
    assert "judicial remedy" in email.body
    assert "+1 888-555-0199" in email.body

    phone = "+14155550187"
    by_sms = _denied_by_ops(
        verified,
        call_api,
        waiting_for,
        wait_for_execution,
        {"jurisdiction": "other", "phone": phone},
        ["phone"],
    )
    [sms] = [m for m in running.outbox.messages(to=phone) if "was denied" in m.body]
    assert sms.channel == "sms"
    assert "Why: we could not confirm the agent's authority." in sms.body
    link = sms.body.split("What you can do: ")[1].strip()
    token = link.split("token=")[1]
    assert f"/status.html#request={by_sms}&token=" in link

    status, _, page = call_api("GET", f"/requests/{by_sms}", headers={"Authorization": f"Bearer {token}"})
    assert status == 200, page
    assert page["status"] == "denied"
    answer = page["answer"]
    assert "We could not confirm that the agent is authorized to act for you." in answer
    assert DETAIL in answer
    # jurisdiction "other": every remedy that could apply, EU and US
    assert "supervisory authority" in answer
    assert "appeal this decision" in answer
    assert "California Privacy Protection Agency" in answer
    assert LOCAL_PARAMETERS["TollFreeNumber"] == "+18885550199"
    assert page["contact_phone"] == "+1 888-555-0199"
    assert page["contact_address"].startswith("info@")
