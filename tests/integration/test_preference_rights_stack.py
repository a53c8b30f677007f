"""Issue 17's objection per purpose and restriction lift through the real state machine on moto:
the form's body, intake's per-field refusal, verification, ApplyPreferences, Finalize, then the
ops API's grounds and lift, each read back through the internal "may I process?" endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.adapters.preference_store import PreferenceStore
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.preferences.preferences import Purpose, decide
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration

PIPELINE = "analytics-pipeline"
OPS = "alice"
GROUNDS = "Call analytics detect fraud against every caller; your calls count only in aggregate figures."
REASON = "We checked the accuracy of your data, which you contested, and found it correct."


def may(call_api: Any, email: str, purpose: str) -> bool:
    status, _, body = call_api(
        "POST",
        "/internal/may-process",
        {"identifier": {"kind": "email", "value": email}, "purpose": purpose},
        operator=PIPELINE,
    )
    assert status == 200, body
    return bool(body["allowed"])


def verified_request(call_api: Any, container: Container, waiting_for: Any, **body: Any) -> str:
    status, _, created = call_api("POST", "/requests", {"jurisdiction": "gdpr"} | body)
    assert status == 202, created
    request_id = str(created["request_id"])
    waiting_for(request_id, "verification")
    container.workflow.verified(request_id, ["email"], actor="test-verifier")
    return request_id


def mail_to(running: RunningStack, email: str, subject: str) -> str:
    """The one email to ``email`` whose subject says ``subject``."""
    [body] = [
        m.body for m in running.outbox.messages(to=email) if m.channel == "email" and subject in m.subject
    ]
    return body


def test_an_objection_stops_each_named_use_and_ops_grounds_let_one_go_on(
    seeded: RunningStack,
    call_api: Any,
    container: Container,
    waiting_for: Any,
    wait_for_execution: Any,
    store: RequestStore,
) -> None:
    email = "objector@example.org"
    status, _, refused = call_api(
        "POST",
        "/requests",
        {"jurisdiction": "gdpr", "type": "objection", "email": email, "object_to": ["billing"]},
    )
    assert status == 422
    assert [error["field"] for error in refused["errors"]] == ["object_to[0]"]

    request_id = verified_request(
        call_api, container, waiting_for, type="objection", email=email, object_to=["analytics", "marketing"]
    )
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    assert store.ledger(request_id)["apply_preferences"]["purposes"] == {
        "analytics": "stopped",
        "marketing": "stopped",
    }
    assert not may(call_api, email, "analytics")
    assert not may(call_api, email, "marketing")
    assert may(call_api, email, "ai_training")
    final = mail_to(seeded, email, "is complete")
    assert "- analytics and reporting: stopped." in final

    status, _, no_grounds = call_api(
        "POST",
        f"/ops/requests/{request_id}/objection-grounds",
        {"purpose": "marketing", "grounds": GROUNDS},
        operator=OPS,
    )
    assert status == 422
    assert "always stops it" in no_grounds["errors"][0]["reason"]
    status, _, recorded = call_api(
        "POST",
        f"/ops/requests/{request_id}/objection-grounds",
        {"purpose": "analytics", "grounds": GROUNDS},
        operator=OPS,
    )
    assert status == 200, recorded
    assert recorded["notice"] == "email"
    assert may(call_api, email, "analytics")
    assert not may(call_api, email, "marketing")
    told = mail_to(seeded, email, "About your objection")
    assert GROUNDS in told
    assert "lodge a complaint" in told
    assert "objection.grounds_recorded" in [e.action for e in store.audit_entries(request_id)]


def test_a_restriction_is_lifted_only_after_the_person_is_told_and_the_days_pass(
    seeded: RunningStack,
    call_api: Any,
    container: Container,
    waiting_for: Any,
    wait_for_execution: Any,
    store: RequestStore,
) -> None:
    email = "restricted@example.org"
    request_id = verified_request(call_api, container, waiting_for, type="restriction", email=email)
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    assert not may(call_api, email, "analytics")
    assert may(call_api, email, "legal_claims")
    before = datetime.now(UTC)

    status, _, lifted = call_api(
        "POST", f"/ops/requests/{request_id}/lift-restriction", {"reason": REASON}, operator=OPS
    )

    assert status == 200, lifted
    assert lifted["notice"] == "email"
    lift_at = datetime.fromisoformat(lifted["lift_at"])
    days = container.settings.restriction_lift_notice_days
    assert before + timedelta(days=days) <= lift_at <= datetime.now(UTC) + timedelta(days=days)
    told = mail_to(seeded, email, "will be lifted")
    assert f"We will lift that restriction on {lift_at.date().isoformat()}" in told
    # told, not yet lifted: the endpoint still answers no
    assert not may(call_api, email, "analytics")
    marks = PreferenceStore(seeded.client("dynamodb"), seeded.stack.ref("PreferencesTable"))
    records = marks.records(store.get(request_id).subject_keys.values())
    assert not decide(records, Purpose.ANALYTICS, now=lift_at - timedelta(seconds=1)).allowed
    assert decide(records, Purpose.ANALYTICS, now=lift_at).allowed
    actions = [e.action for e in store.audit_entries(request_id)]
    assert actions.index("notice.restriction_lift.sent") < actions.index("restriction.lift_scheduled")


def test_an_ai_training_and_sale_opt_out_is_carried_out_and_the_answer_says_what_was_done(
    seeded: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    """Dana (by phone, unverified: CCPA 7026(d)): her first call is in an unused training set
    (the demo's) and, here, in one that already trained two models."""
    dana_1 = next(c.call_id for c in demo.DEMO_CALLS if c.label == "dana-1")
    ddb: Any = seeded.client("dynamodb")
    table = seeded.stack.platform_stores["training_manifests"]
    used = {"S": "ts-2026-09"}, {"S": "ts-2026-10"}
    ddb.put_item(
        TableName=table,
        Item={
            "set_id": used[0],
            "call_id": {"S": dana_1},
            "used": {"BOOL": True},
            "trained_models": {"L": [{"S": "callx-score-v3"}, {"S": "callx-summary-v2"}]},
        },
    )
    status, _, created = call_api(
        "POST",
        "/requests",
        {
            "type": "opt_out",
            "jurisdiction": "ccpa",
            "phone": demo.DANA_PHONE,
            "opt_out_of": ["ai_training", "sale_share"],
        },
    )
    assert status == 202, created
    request_id = str(created["request_id"])

    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    def held(set_id: dict[str, str]) -> bool:
        return "Item" in ddb.get_item(TableName=table, Key={"set_id": set_id, "call_id": {"S": dana_1}})

    assert held(used[0])  # already trained models: kept, and listed
    assert not held(used[1])  # not yet used: Dana's call is out
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    training = request.opt_out_effects["ai_training"]
    assert training["removed_from"] == ["ts-2026-10"]
    assert training["used_sets"] == [
        {"set_id": "ts-2026-09", "calls": 1, "models": ["callx-score-v3", "callx-summary-v2"]}
    ]
    assert store.ledger(request_id)["opt_out_effect:ai_training"] == training
    webhooks = [m for m in seeded.outbox.messages() if m.channel == "webhook"]
    [partner] = [m for m in webhooks if "ad_attribution_partner" in m.to[0]]
    assert json.loads(partner.body)["purpose"] == "sale_share"
    assert request.opt_out_effects["sale_share"]["recipients"]["ad_attribution_partner"]["delivered"] is True
    # CCPA 7026(f): the business whose calls carry the data shared is told too (Dana's are Acme's)
    [business] = [m for m in webhooks if m is not partner]
    assert json.loads(business.body)["tenant_id"] == "acme"
    assert request.opt_out_effects["sale_share"]["businesses"]["acme"]["delivered"] is True
