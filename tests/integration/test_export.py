"""Access requests end with an export: the real state machine (a Map over the sources), the
released records only, other people withheld, numbers that must never be disclosed redacted;
the waits for a business and for ops' review, and real webhooks. The export's rules (portability,
categories, nothing held, an agent's export, a recycled number, a business answering itself, a
one-channel recording narrowed, expiry) are tested on fakes: tests/unit/test_access_answer.py and
test_services_on_ports.py."""

from __future__ import annotations

import io
import json
import time
import wave
import zipfile
from array import array
from collections.abc import Callable
from typing import Any

import pytest

from local_stack import demo, synthetic
from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.businesses.webhooks import verify
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.tokens import status_token

pytestmark = pytest.mark.integration
Submit = Callable[[dict[str, Any], list[str]], str]


@pytest.fixture
def export_of(run_to_end: Submit) -> Submit:
    return run_to_end


def _download(call_api: Callable[..., Any], key_ring: KeyRing, store: RequestStore, request_id: str) -> Any:
    token = status_token(key_ring, request_id, store.get(request_id).status_nonce)
    return call_api("GET", f"/requests/{request_id}/download", headers={"Authorization": f"Bearer {token}"})


def _zip(seeded: RunningStack, store: RequestStore, request_id: str) -> zipfile.ZipFile:
    s3: Any = seeded.client("s3")
    key = store.get(request_id).extra["export"]["key"]
    body = s3.get_object(Bucket=seeded.stack.ref("ExportsBucket"), Key=key)["Body"].read()
    return zipfile.ZipFile(io.BytesIO(body))


def test_a_callers_export_holds_their_calls_and_withholds_the_others_in_them(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    store: RequestStore,
    key_ring: KeyRing,
    export_of: Submit,
) -> None:
    request_id = export_of({"phone": demo.DANA_PHONE}, ["phone"])
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    archive = _zip(seeded, store, request_id)
    names = set(archive.namelist())
    assert {"manifest.json", "index.html", "calls/calls.json", "calls/calls.csv"} <= names

    dana = {call.label: call.call_id for call in demo.DEMO_CALLS if call.label.startswith("dana-")}
    calls = json.loads(archive.read("calls/calls.json"))
    assert sorted(c["call_id"] for c in calls) == sorted(dana.values())
    assert all(c["caller_phone"] == demo.DANA_PHONE for c in calls)
    assert demo.JORDAN_PHONE not in archive.read("calls/calls.json").decode()

    transcript = json.loads(archive.read(f"transcripts/{dana['dana-2']}.json"))
    third = [t for t in transcript["turns"] if t["speaker"] == "third_party"]
    assert third
    assert all(t["text"] == "[another person: withheld]" for t in third)
    assert any(t["speaker"] == "agent" and "withheld" not in t["text"] for t in transcript["turns"])
    card_call = archive.read(f"transcripts/{dana['dana-1']}.json").decode()
    assert "4111" not in card_call
    assert "[withheld]" in card_call

    with wave.open(io.BytesIO(archive.read(f"recordings/{dana['dana-2']}.wav"))) as recording:
        samples = array("h", recording.readframes(recording.getnframes()))
        rate = recording.getframerate()
    third_turn = third[0]
    middle = int((third_turn["start"] + third_turn["end"]) / 2 * rate)
    assert samples[middle * 2] == samples[middle * 2 + 1] == 0  # the transferred party is silent
    caller_turn = next(t for t in transcript["turns"] if t["speaker"] == "caller")
    spoken = int((caller_turn["start"] + caller_turn["end"]) / 2 * rate)
    assert any(samples[(spoken + i) * 2] for i in range(50))  # Dana's own voice is there

    manifest = json.loads(archive.read("manifest.json"))
    data_map = load_data_map()
    for source in manifest["sources"]:  # what the manifest says is what the data map says
        described = data_map.store(source["source"])
        assert source["categories"] == sorted({f.category for f in described.fields.values()})
        assert source["recipients"] == described.recipients
        assert source["retention"] == described.retention
    assert request.resolution is not None  # the sources listed are those holding Dana's records
    assert {s["source"] for s in manifest["sources"]} == {
        c.store for c in request.resolution.counts if c.released
    } - {s.name for s in data_map.stores if s.owned_by_this_service}
    assert manifest["withheld"]["other_peoples_turns"] >= 1
    assert manifest["withheld"]["financial_account_number"] >= 1
    assert {s["source"] for s in manifest["sources"]} >= {
        "calls",
        "recordings",
        "transcripts",
        "call_insights",
    }

    status, headers, _ = _download(call_api, key_ring, store, request_id)
    assert status == 302
    assert request.extra["export"]["key"] in headers["Location"]
    assert "export.downloaded" in [e.action for e in store.audit_entries(request_id)]


def test_a_business_that_decides_each_time_holds_the_export_until_it_answers(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    elena = {"jurisdiction": "gdpr", "email": demo.ELENA.email, "phone": demo.ELENA.phone}
    request_id = verified(elena, ["email", "phone"])
    waiting_for(request_id, "customer")
    asked = [m for m in seeded.outbox.messages("privacy@northwind-legal.example") if request_id in m.subject]
    assert asked, "Northwind was not asked"
    (hook,) = [m for m in seeded.outbox.messages(demo.NORTHWIND.webhook_url) if request_id in m.body]
    assert (hook.channel, hook.subject, hook.signature, hook.answered) == (
        "webhook",
        "rights_request.instruction_needed",
        "verified",
        200,
    )
    event = json.loads(hook.body)
    assert event["records"]["calls"] >= 1
    assert event["answer"].endswith("/answer")
    assert demo.ELENA.phone not in hook.body
    assert demo.ELENA.email not in hook.body
    told = store.ledger(request_id)["customer_told:northwind"]["webhook"]
    assert (told["delivered"], told["attempts"]) == (True, 1)

    status, _, _ = call_api("GET", f"/customer/requests/{request_id}", operator="customer-acme")
    assert status == 404  # a request that reaches none of Acme's records is not Acme's to see
    status, _, view = call_api("GET", f"/customer/requests/{request_id}", operator="customer-northwind")
    assert status == 200, view
    assert view["waiting_for_your_answer"] is True
    assert view["records"]["calls"] >= 1
    assert demo.ELENA.phone not in json.dumps(view)
    status, _, refused = call_api(
        "POST",
        f"/customer/requests/{request_id}/answer",
        {"decision": "release", "reason": "release it all"},
        operator="nobody",
    )
    assert status == 403, refused

    status, _, answered = call_api(
        "POST",
        f"/customer/requests/{request_id}/answer",
        {"decision": "release", "reason": "no objection from Northwind"},
        operator="customer-northwind",
    )
    assert status == 200, answered
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "complied")
    calls = json.loads(_zip(seeded, store, request_id).read("calls/calls.json"))
    assert {c["tenant_id"] for c in calls} == {"northwind"}
    status, _, _ = call_api(
        "POST",
        f"/customer/requests/{request_id}/answer",
        {"decision": "release", "reason": "no objection from Northwind"},
        operator="customer-northwind",
    )
    assert status == 409


def test_a_business_webhook_that_fails_is_retried_and_its_outcome_kept(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    store: RequestStore,
    verified: Submit,
) -> None:
    assert seeded.webhooks is not None
    seeded.webhooks.fail("northwind", 503)
    elena = {"jurisdiction": "gdpr", "email": demo.ELENA.email, "phone": demo.ELENA.phone}
    request_id = verified(elena, ["email", "phone"])
    waiting_for(request_id, "customer")
    answers = [m.answered for m in seeded.outbox.messages(demo.NORTHWIND.webhook_url) if request_id in m.body]
    assert answers == [200, 503]  # newest first: the retry got through
    told = store.ledger(request_id)["customer_told:northwind"]["webhook"]
    assert (told["delivered"], told["attempts"], told["last_status"]) == (True, 2, 200)

    # The business reads its own secret, and it checks what was sent; another business's does not.
    status, _, settings = call_api("GET", "/customer/webhook", operator="customer-northwind")
    assert status == 200, settings
    assert settings["url"] == demo.NORTHWIND.webhook_url
    status, _, acme = call_api("GET", "/customer/webhook", operator="customer-acme")
    assert status == 200
    delivered = next(m for m in seeded.outbox.messages(demo.NORTHWIND.webhook_url) if m.answered == 200)
    assert delivered.signature_header is not None
    body, header, now = delivered.body.encode(), delivered.signature_header, int(time.time())
    assert verify(bytes.fromhex(settings["secret_hex"]), body, header, now)
    assert not verify(bytes.fromhex(acme["secret_hex"]), body, header, now)
    status, _, _ = call_api("GET", "/customer/webhook", operator="nobody")
    assert status == 403


def test_a_webhook_signed_with_another_secret_is_refused_by_the_receiver(seeded: RunningStack) -> None:
    from privacy_rights.businesses.webhooks import UrllibTransport, WebhookSender

    sender = WebhookSender(UrllibTransport(), sleep=lambda _: None, max_attempts=1)
    result = sender.deliver(demo.NORTHWIND.webhook_url, {"event": "forged"}, b"x" * 32, "forged-1")
    assert not result.delivered
    assert result.attempts[0].status == 401
    (seen,) = seeded.outbox.messages(demo.NORTHWIND.webhook_url)
    assert (seen.signature, seen.answered) == ("invalid", 401)


def test_a_one_channel_recording_with_another_person_waits_for_ops(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    transferred = next(c for c in demo.DEMO_CALLS if c.label.startswith("dana-") and c.participants)
    assert synthetic.rerecord_on_one_channel(
        seeded.client("s3"), seeded.stack.platform_stores, transferred.call_id
    )
    request_id = verified({"phone": demo.DANA_PHONE}, ["phone"])
    waiting_for(request_id, "review")
    status, _, detail = call_api("GET", f"/ops/requests/{request_id}", operator="olivia")
    assert status == 200
    (needed,) = [e for e in detail["timeline"] if e["event"] == "export.review_needed"]
    assert needed["detail"]["call_ids"] == [transferred.call_id]
    (listen,) = detail["recordings_to_review"]
    assert listen["call_id"] == transferred.call_id
    assert listen["other_turns"]
    refused, _, _ = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "deny", "reason": "x" * 10, "denial_reason": "manifestly_unfounded"},
        operator="olivia",
    )
    assert refused == 422
    status, _, answered = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "approve", "reason": "listened: the transferred party says only their name"},
        operator="olivia",
    )
    assert status == 200, answered
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    archive = _zip(seeded, store, request_id)
    manifest = json.loads(archive.read("manifest.json"))
    # approved: it goes out with the other person's turns silent (narrowed, it is left out:
    # tests/unit/test_access_answer.py, which decides both on fakes)
    released = [n for n in archive.namelist() if n.startswith(f"recordings/{transferred.call_id}")]
    (name,) = released
    transcript = json.loads(archive.read(f"transcripts/{transferred.call_id}.json"))
    third = [t for t in transcript["turns"] if t["text"] == "[another person: withheld]"]
    assert third
    with wave.open(io.BytesIO(archive.read(name))) as recording:
        assert recording.getnchannels() == 1
        rate = recording.getframerate()
        samples = array("h", recording.readframes(recording.getnframes()))
    for turn in third:
        assert not any(samples[int(float(turn["start"]) * rate) + 1 : int(float(turn["end"]) * rate) - 1])
    assert "one_channel_recording_with_another_person" not in manifest["withheld"]
