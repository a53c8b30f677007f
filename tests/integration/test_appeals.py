"""Appeals (US state laws) on the whole local stack: a denial appealed from the status page and
decided by ops through the ops API and ``privacy-ops appeal`` (the person reads the decision).
Appeals by email (a reply to the denial, a mail that says it appeals, a reply from another
address going to a person) are email intake's rules, on fakes in
tests/unit/test_mail_appeals_on_fakes.py; the rules of appeals in test_appeals_on_fakes.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.models import Status

pytestmark = pytest.mark.integration

AGENT = {"role": "authorized_agent", "name": "Privacy Helpers Ltd", "email": "helpers@example.com"}
EXPLANATION = "We checked the signed permission again: it names another person."


def _denied(
    verified: Callable[[dict[str, Any], list[str]], str],
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    body: dict[str, Any],
) -> str:
    """An agent's deletion request whose permission ops refuse (``privacy-ops decide … deny``)."""
    request_id = verified({"type": "deletion", "requester": AGENT} | body, ["email"])
    waiting_for(request_id, "permission")
    decision = {
        "decision": "deny",
        "reason": "permission does not match",
        "denial_reason": "agent_not_authorized",
    }
    status, _, answer = call_api("POST", f"/ops/requests/{request_id}/decision", decision, operator="olivia")
    assert status == 200, answer
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    return request_id


def _token_from_denial(running: RunningStack, to: str) -> str:
    [denial] = [m for m in running.outbox.messages(to=to) if "was denied" in m.subject]
    found = re.search(r"token=([A-Za-z0-9._~-]+)", denial.body)
    assert found, denial.body
    return found.group(1)


@pytest.mark.usefixtures("ops_cli_over_api")
def test_a_denial_appealed_from_the_status_page_is_decided_by_ops_and_the_person_reads_why(
    running: RunningStack,
    verified: Callable[[dict[str, Any], list[str]], str],
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    capsys: pytest.CaptureFixture[str],
) -> None:
    person = "appellant.co@example.org"
    body = {"jurisdiction": "us_state", "us_state": "CO", "email": person}
    request_id = _denied(verified, call_api, waiting_for, wait_for_execution, body)
    token = _token_from_denial(running, person)
    status, _, page = call_api("GET", f"/requests/{request_id}", headers={"Authorization": f"Bearer {token}"})
    assert (status, page["status"]) == (200, "denied")
    assert page["appeal_until"] is not None

    status, _, stranger = call_api("POST", f"/requests/{request_id}/appeal", {"statement": "let me in"})
    assert status == 404, stranger
    status, _, filed = call_api(
        "POST",
        f"/requests/{request_id}/appeal",
        {"statement": "The permission is mine: I signed it."},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert status == 200, filed
    assert filed["status"] == "appealed"
    today = datetime.now(UTC).date()
    assert today + timedelta(days=44) <= datetime.fromisoformat(filed["appeal_due"]).date()
    assert datetime.fromisoformat(filed["appeal_due"]).date() <= today + timedelta(days=45)  # Colorado
    [received] = [m for m in running.outbox.messages(to=person) if "is received" in m.subject]
    assert filed["appeal_due"] in received.body

    code = ops_cli.main(
        [
            "--operator",
            "olivia",
            "appeal",
            request_id,
            "deny",
            "--explanation",
            EXPLANATION,
            "--reason",
            "rechecked",
        ]
    )

    assert code == 0, capsys.readouterr().err
    assert "Appeal of" in capsys.readouterr().out
    assert store.get(request_id).status is Status.APPEAL_DENIED
    [decision] = [m for m in running.outbox.messages(to=person) if "Decision on your appeal" in m.subject]
    assert EXPLANATION in decision.body
    assert "the Colorado Attorney General" in decision.body
    assert "coag.gov/file-complaint" in decision.body
    status, _, page = call_api("GET", f"/requests/{request_id}", headers={"Authorization": f"Bearer {token}"})
    assert page["status"] == "appeal_denied"
    assert page["appeal"]["explanation"] == EXPLANATION
    assert f"We denied your appeal: our answer stands. Our reasons: {EXPLANATION}" in page["answer"]
    assert "Colorado Attorney General" in page["appeal"]["attorney_general"]
    assert [e["event"] for e in page["timeline"]][-2:] == ["appeal received", "appeal denied"]
    actions = [e.action for e in store.audit_entries(request_id)]
    assert {"appeal.filed", "appeal.denied"} <= set(actions)
    # decided once: ops cannot turn it around afterwards
    status, _, refused = call_api(
        "POST",
        f"/ops/requests/{request_id}/appeal",
        {"decision": "granted", "explanation": EXPLANATION, "reason": "changed my mind"},
        operator="olivia",
    )
    assert status == 409, refused
    assert "decided once" in refused["why"]
