"""A correction through the real state machine on moto: ByType → PlanCorrection →
AwaitCorrectionReview (ops review; BeginAction again) → PlanCorrection → ApplyCorrections →
Finalize. Refused for a call's caller ID (what happened), applied to the CRM lead, checked in
the stores afterwards. The rules (which fields, which records, denials, businesses) are tested on
fakes in tests/unit/test_correction_on_fakes.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

NEW_NAME = "Marcus A. Oyelaran"


@pytest.mark.usefixtures("ops_cli_over_api")
def test_a_correction_is_refused_for_a_calls_caller_id_and_applied_to_the_crm_lead(
    seeded: RunningStack,
    verified: Callable[[dict[str, Any], list[str]], str],
    store: RequestStore,
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
) -> None:
    marcus = demo.MARCUS
    request_id = verified(
        {
            "type": "correction",
            "jurisdiction": "gdpr",
            "email": marcus.email,
            "phone": marcus.phone,
            "corrections": [{"field": "name", "held": marcus.name, "corrected": NEW_NAME}],
        },
        ["email", "phone"],
    )
    # ops review the planned change before it is applied (they may deny it with a reason)
    waiting_for(request_id, "correction")
    planned = store.ledger(request_id)["correction.plan"]
    assert planned["fields"] == ["crm_leads.name"]
    # through the ops CLI and API, as ops do it (no field denied: the change is applied)
    assert ops_cli.main(["--operator", "olivia", "correction", request_id]) == 0
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    ddb: Any = seeded.client("dynamodb")
    lead = next(lead for lead in demo.DEMO_LEADS if lead.name == marcus.name)
    leads = seeded.stack.platform_stores["crm_leads"]
    item = ddb.get_item(
        TableName=leads, Key={"tenant_id": {"S": lead.tenant_id}, "lead_id": {"S": lead.lead_id}}
    )["Item"]
    assert item["name"]["S"] == NEW_NAME
    assert item["company"]["S"] == lead.company  # nothing else of the record changed
    calls = seeded.stack.platform_stores["calls"]
    caller_names = {
        i["caller_name"]["S"]
        for page in ddb.get_paginator("scan").paginate(TableName=calls)
        for i in page["Items"]
        if i.get("caller_phone", {}).get("S") == marcus.phone
    }
    assert caller_names == {marcus.name}  # the caller ID is what happened: unchanged

    done = store.get(request_id)
    assert done.status.value == "completed"
    assert done.outcome is not None
    assert done.outcome.value == "partially_complied"
    result = done.correction_result
    assert result is not None
    by_store = {(row["store"], row["outcome"]) for row in result.changes}
    assert by_store == {("crm_leads", "applied"), ("calls", "not_correctable")}
    assert "business:brightside" in result.told  # the business whose record changed (Art. 19)
    audit = [e for e in store.audit_entries(request_id) if e.action == "correction.applied"]
    assert len(audit) == 1
    assert audit[0].detail["fields_changed"] == ["crm_leads.name"]
    assert NEW_NAME not in str(audit[0].detail)  # which fields changed, never the values
    # the person is told what changed where, and what did not and why
    (final,) = [
        m for m in seeded.outbox.messages(marcus.email) if m.subject.endswith(f"{request_id} is complete")
    ]
    assert "We corrected:" in final.body
    assert "caller ID" in final.body
    assert NEW_NAME not in final.body
