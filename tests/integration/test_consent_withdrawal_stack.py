"""Issue 17: a withdrawal of the consent a call was recorded on, through the real state machine on
moto: taken without verification (GDPR Art. 7(3)), acted on like an opt-out of recording (the
"may I process?" endpoint says no for recording, still yes for routing a call), the recordings
made before kept, the business whose calls they are told by signed webhook, and the answer says
that earlier processing stays lawful."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

PIPELINE = "recording-pipeline"


def may(call_api: Any, phone: str, purpose: str) -> bool:
    status, _, body = call_api(
        "POST",
        "/internal/may-process",
        {"identifier": {"kind": "phone", "value": phone}, "purpose": purpose},
        operator=PIPELINE,
    )
    assert status == 200, body
    return bool(body["allowed"])


def test_withdrawing_consent_to_recording_stops_new_recordings_and_tells_the_business(
    seeded: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    assert may(call_api, demo.DANA_PHONE, "recording")
    status, _, refused = call_api(
        "POST",
        "/requests",
        {
            "type": "withdraw_consent",
            "jurisdiction": "gdpr",
            "phone": demo.DANA_PHONE,
            "consent_to_withdraw": ["recording", "analytics"],
        },
    )
    assert status == 422  # analytics rests on legitimate interests: objected to, not withdrawn
    assert [error["field"] for error in refused["errors"]] == ["consent_to_withdraw[1]"]

    status, _, created = call_api(
        "POST",
        "/requests",
        {
            "type": "withdraw_consent",
            "jurisdiction": "gdpr",
            "phone": demo.DANA_PHONE,
            "consent_to_withdraw": ["recording"],
        },
    )
    assert status == 202, created
    request_id = str(created["request_id"])
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    assert not may(call_api, demo.DANA_PHONE, "recording")
    assert may(call_api, demo.DANA_PHONE, "service")  # her calls are still put through

    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    effect = request.opt_out_effects["recording"]
    assert store.ledger(request_id)["opt_out_effect:recording"] == effect
    recorded = [c for c in demo.DEMO_CALLS if c.caller_phone == demo.DANA_PHONE and c.recorded]
    # each recording kept: a call's original, and its redacted copy where there is one
    assert effect["recordings_kept"] == len(recorded) + sum(c.redacted_copy for c in recorded) > 0
    assert effect["businesses"]["acme"]["delivered"] is True
    s3: Any = seeded.client("s3")
    bucket = seeded.stack.platform_stores["recordings"]
    for call in recorded:  # kept: made lawfully on the consent given then
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"recordings/acme/{call.call_id}")
        assert listed.get("KeyCount", 0) > 0

    [webhook] = [m for m in seeded.outbox.messages() if m.channel == "webhook"]
    payload = json.loads(webhook.body)
    assert (payload["event"], payload["tenant_id"], payload["purpose"]) == (
        "consent_withdrawn.recording",
        "acme",
        "recording",
    )
    assert {r["store"] for r in payload["records"]} == {"recordings"}

    (audit,) = [e for e in store.audit_entries(request_id) if e.action == "preferences.carried_out"]
    assert audit.detail["told"] == ["business:acme"]
