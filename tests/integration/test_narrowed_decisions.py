"""``privacy-ops decide … narrow`` on a flagged footprint, through the real state machine: the
request acts on the scope ops gave alone, and the answer counts what it left out and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

PHONE = "+14155550911"
#: four businesses: more than one person plausibly calls (max_customers_per_subject is 3)
TENANTS = ("acme", "brightside", "northwind", "crescent")


def _calls_at_four_businesses(stack: RunningStack) -> None:
    ddb: Any = stack.client("dynamodb")
    for n, tenant in enumerate(TENANTS):
        ddb.put_item(
            TableName=stack.stack.platform_stores["calls"],
            Item={
                "call_id": {"S": f"CN{n}"},
                "tenant_id": {"S": tenant},
                "caller_phone": {"S": PHONE},
                "caller_name": {"S": "Nora Narrow"},
                "tracking_number": {"S": demo.TENANTS_BY_ID[tenant].tracking_number},
                "started_at": {"S": f"2026-0{n + 1}-10T10:00:00Z"},
                "duration_seconds": {"N": "60"},
            },
        )


def _call(stack: RunningStack, call_id: str) -> dict[str, Any]:
    ddb: Any = stack.client("dynamodb")
    item: dict[str, Any] = ddb.get_item(
        TableName=stack.stack.platform_stores["calls"], Key={"call_id": {"S": call_id}}
    ).get("Item", {})
    return item


@pytest.mark.usefixtures("ops_cli_over_api")
def test_narrow_erases_the_scope_ops_gave_and_the_receipt_counts_the_rest(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    verified: Callable[[dict[str, Any], list[str]], str],
    store: RequestStore,
) -> None:
    _calls_at_four_businesses(seeded)
    request_id = verified({"type": "deletion", "phone": PHONE}, ["phone"])
    waiting_for(request_id, "decision")
    assert any("business customers" in flag for flag in store.get(request_id).resolution.flags)  # type: ignore[union-attr]

    refused = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "narrow", "reason": "her own calls", "scope": {"businesses": ["globex"]}},
        operator="olivia",
    )
    assert refused[0] == 422
    assert "globex" in str(refused[2])
    code = ops_cli.main(
        ["--operator", "olivia", "decide", request_id, "narrow", "--reason", "she called Acme in January",
         "--business", "acme", "--since", "2026-01-01", "--until", "2026-01-31"]
    )  # fmt: skip
    assert code == 0
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    assert "caller_phone" not in _call(seeded, "CN0")  # Acme's January call: a tombstone
    for n in (1, 2, 3):
        assert _call(seeded, f"CN{n}")["caller_phone"]["S"] == PHONE  # outside the scope: untouched
    request = store.get(request_id)
    assert request.outcome is not None
    assert request.outcome.value == "partially_complied"
    assert request.narrowed_to is not None
    assert request.narrowed_to.businesses == ["acme"]
    receipt = request.erasure_receipt
    assert receipt is not None
    assert {row["store"]: row["records"] for row in receipt.outside_scope}["calls"] == 3
    assert "ops.narrowed" in [entry.action for entry in store.audit_entries(request_id)]
