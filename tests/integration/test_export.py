"""Access requests end with an export: the real state machine (a Map over the sources), the
released records only, other people withheld, numbers that must never be disclosed redacted."""

from __future__ import annotations

import io
import json
import time
import wave
import zipfile
from array import array
from collections.abc import Callable
from datetime import timedelta
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


def test_an_expired_export_is_refused_whatever_s3_still_holds(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    store: RequestStore,
    key_ring: KeyRing,
    export_of: Submit,
) -> None:
    request_id = export_of({"phone": demo.DANA_PHONE}, ["phone"])
    request = store.get(request_id)
    export = dict(request.extra["export"])
    export["expires_at"] = (request.received_at - timedelta(days=1)).isoformat()
    store.save(
        request.model_copy(update={"extra": {**request.extra, "export": export}}), "test", "test.expire"
    )
    status, _, body = _download(call_api, key_ring, store, request_id)
    assert status == 410
    assert "expired" in body["message"]


def test_nothing_held_is_said_plainly_not_sent_as_an_empty_zip(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    store: RequestStore,
    key_ring: KeyRing,
    export_of: Submit,
) -> None:
    request_id = export_of({"email": "nobody@example.org"}, ["email"])
    request = store.get(request_id)
    assert (request.status, request.outcome) == ("completed", "nothing_held")
    assert "export" not in request.extra
    assert _download(call_api, key_ring, store, request_id)[0] == 404


def test_an_agents_export_withholds_the_callers(
    seeded: RunningStack,
    store: RequestStore,
    export_of: Submit,
) -> None:
    request_id = export_of({"email": demo.SAM.email}, ["email"])
    archive = _zip(seeded, store, request_id)
    calls = json.loads(archive.read("calls/calls.json"))
    assert calls
    assert all(c["agent_id"] == demo.SAM.agent_id for c in calls)
    assert all("caller_phone" not in c and "caller_name" not in c for c in calls)
    assert demo.DANA_PHONE not in json.dumps(calls)
    for name in archive.namelist():
        if name.startswith("transcripts/"):
            turns = json.loads(archive.read(name))["turns"]
            assert all(t["text"] == "[another person: withheld]" for t in turns if t["speaker"] != "agent")
        if name.startswith("recordings/"):
            with wave.open(io.BytesIO(archive.read(name))) as recording:
                samples = array("h", recording.readframes(recording.getnframes()))
                if recording.getnchannels() == 2:
                    assert not any(samples[0::2])  # the caller's side, silent from start to end


def test_a_recycled_numbers_earlier_calls_are_not_in_the_new_holders_export(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    held_since = demo.LEO.phone_held_since.isoformat()  # type: ignore[union-attr]
    body = {"phone": demo.LEO.phone, "phone_held_since": held_since}
    request_id = verified(body, ["phone"])
    # Leo's own calls are at Northwind, which decides each time: it answers him itself.
    waiting_for(request_id, "customer")
    status, _, _ = call_api(
        "POST",
        f"/customer/requests/{request_id}/answer",
        {"decision": "answer_ourselves", "reason": "our client file; we reply to Mr Brandt"},
        operator="customer-northwind",
    )
    assert status == 200
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    archive = _zip(seeded, store, request_id)
    calls = json.loads(archive.read("calls/calls.json")) if "calls/calls.json" in archive.namelist() else []
    assert all(c["started_at"] >= held_since for c in calls)
    manifest = json.loads(archive.read("manifest.json"))
    # Priya Raman's calls, before Leo held the number, are neither included nor counted
    assert "found_not_released" not in manifest
    assert "we do not say whether there are any" in manifest["not_released"]
    assert {e["business"] for e in manifest["answered_by_the_business"]} == {"Northwind Legal"}
    assert store.get(request_id).outcome == "partially_complied"
    final = seeded.outbox.messages()[0]
    assert "Northwind Legal" in final.body


def test_an_export_waiting_for_a_business_does_not_hold_up_the_persons_other_requests(
    seeded: RunningStack,
    call_api: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    """Northwind may take days to answer about Leo's export; his opt-out meanwhile is carried
    out at once (it used to fail with SubjectBusy once the lock's retries ran out)."""
    export = verified({"phone": demo.LEO.phone}, ["phone"])
    waiting_for(export, "customer")
    status, _, answer = call_api(
        "POST",
        "/requests",
        {"type": "opt_out", "jurisdiction": "ccpa", "phone": demo.LEO.phone, "opt_out_of": ["marketing"]},
    )
    assert status == 202, answer
    assert wait_for_execution(answer["request_id"])["status"] == "SUCCEEDED"
    assert store.get(answer["request_id"]).status == "completed"
    assert "customer" in store.waiting_for(export)

    status, _, _ = call_api(
        "POST",
        f"/customer/requests/{export}/answer",
        {"decision": "answer_ourselves", "reason": "our client file; we reply to Mr Brandt"},
        operator="customer-northwind",
    )
    assert status == 200
    assert wait_for_execution(export)["status"] == "SUCCEEDED"
    assert store.get(export).status == "completed"


def test_a_request_to_know_categories_gets_the_categories_not_the_data(
    seeded: RunningStack,
    store: RequestStore,
    export_of: Submit,
) -> None:
    body = {"phone": demo.DANA_PHONE, "scope": "categories"}
    request_id = export_of(body, ["phone"])
    archive = _zip(seeded, store, request_id)
    assert sorted(archive.namelist()) == ["index.html", "manifest.json"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["categories_only"] is True
    calls = next(s for s in manifest["sources"] if s["source"] == "calls")
    assert {"identifiers", "internet_activity"} <= set(calls["categories"])
    assert calls["recipients"] is not None


def test_portability_carries_what_the_person_provided_not_what_was_inferred(
    seeded: RunningStack,
    wait_for_execution: Callable[[str], dict[str, Any]],
    store: RequestStore,
    verified: Submit,
) -> None:
    body = {"type": "portability", "jurisdiction": "gdpr", "phone": demo.DANA_PHONE}
    request_id = verified(body, ["phone"])
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    archive = _zip(seeded, store, request_id)
    names = archive.namelist()
    assert not [n for n in names if n.startswith("call_insights/")]
    calls = json.loads(archive.read("calls/calls.json"))
    assert calls
    assert set().union(*calls) <= {"call_id", "tenant_id", "caller_phone", "caller_name", "started_at"}
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["portable"] is True
    assert manifest["withheld"]["not_portable_inferences"] > 0


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


def test_ops_go_on_without_a_business_that_does_not_answer(
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
    decision = {"decision": "approve", "reason": "Northwind silent for ten days; the deadline nears"}
    status, _, answered = call_api(
        "POST", f"/ops/requests/{request_id}/decision", decision, operator="olivia"
    )
    assert status == 200, answered
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert request.outcome == "partially_complied"
    assert request.extra["export"]["answered_by"] == ["Northwind Legal"]
    assert "ops.customer" in [e.action for e in store.audit_entries(request_id)]


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


@pytest.mark.parametrize("decision", ["approve", "narrow"])
def test_a_one_channel_recording_with_another_person_waits_for_ops(
    decision: str,
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
        {"decision": decision, "reason": "listened: the transferred party says only their name"},
        operator="olivia",
    )
    assert status == 200, answered
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    archive = _zip(seeded, store, request_id)
    manifest = json.loads(archive.read("manifest.json"))
    released = [n for n in archive.namelist() if n.startswith(f"recordings/{transferred.call_id}")]
    if decision == "narrow":
        assert released == []
        assert manifest["withheld"]["one_channel_recording_with_another_person"] == 1
        return
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
