"""Intake through the real state machine definition driving the real handlers, on moto."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.tokens import status_token

pytestmark = pytest.mark.integration

SUBMISSION = {
    "type": "access",
    "jurisdiction": "ccpa",
    "email": "Jane.Doe@Example.com",
    "phone": "(415) 555-2671",
}


def test_a_submitted_request_is_stored_acknowledged_and_awaits_verification(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore, key_ring: KeyRing
) -> None:
    status, _, body = call_api("POST", "/requests", SUBMISSION)

    assert status == 202
    assert body["status"] == "received"
    waiting_for(body["request_id"], "verification")
    codes = [m for m in running.outbox.messages() if "verification code" in m.body]
    assert sorted(tuple(m.to) for m in codes) == [("+14155552671",), ("jane.doe@example.com",)]
    stored = store.get(body["request_id"])
    assert stored.status == "awaiting_verification"
    assert stored.subject.email == "jane.doe@example.com"
    assert stored.subject.phone == "+14155552671"
    assert stored.subject_keys["email"] == key_ring.digest(IdentifierKind.EMAIL, "jane.doe@example.com")
    assert stored.due.isoformat() == body["due_at"]
    [message] = [m for m in running.outbox.messages() if "verification code" not in m.body]
    assert message.to == ["jane.doe@example.com"]
    assert body["request_id"] in message.subject
    assert f"request={body['request_id']}&token=" in message.body


def test_the_raw_identifiers_never_reach_an_index_or_the_audit_trail(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    _, _, body = call_api("POST", "/requests", SUBMISSION)
    waiting_for(body["request_id"], "verification")
    ddb: Any = running.client("dynamodb")
    audit_items = ddb.query(
        TableName=running.stack.ref("AuditTable"),
        KeyConditionExpression="request_id = :r",
        ExpressionAttributeValues={":r": {"S": body["request_id"]}},
    )["Items"]
    request_item = ddb.get_item(
        TableName=running.stack.ref("RequestsTable"), Key={"request_id": {"S": body["request_id"]}}
    )["Item"]

    assert len(audit_items) >= 3
    assert "jane.doe" not in json.dumps(audit_items).lower()
    assert "4155552671" not in json.dumps(audit_items)
    assert request_item["email_key"]["S"].startswith("k1:")
    assert "jane" not in request_item["email_key"]["S"]
    assert store.verify_audit(body["request_id"]) == len(audit_items)


def test_a_phone_only_request_is_acknowledged_by_sms(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    _, _, body = call_api(
        "POST", "/requests", {"type": "deletion", "jurisdiction": "gdpr", "phone": "+44 7911 123456"}
    )

    waiting_for(body["request_id"], "verification")

    [message] = [m for m in running.outbox.messages() if "verification code" not in m.body]
    assert message.channel == "sms"
    assert message.to == ["+447911123456"]


def test_the_status_page_opens_with_the_token_and_answers_404_alike_otherwise(
    call_api: Any, waiting_for: Any, key_ring: KeyRing, store: RequestStore
) -> None:
    _, _, first = call_api("POST", "/requests", SUBMISSION)
    _, _, second = call_api("POST", "/requests", SUBMISSION | {"type": "deletion"})
    waiting_for(first["request_id"], "verification")
    waiting_for(second["request_id"], "verification")
    request = store.get(first["request_id"])
    token = status_token(key_ring, request.request_id, request.status_nonce)

    status, _, view = call_api(
        "GET", f"/requests/{first['request_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    wrong_request = call_api(
        "GET", f"/requests/{second['request_id']}", headers={"Authorization": f"Bearer {token}"}
    )
    unknown = call_api(
        "GET", "/requests/req_doesnotexist0000000", headers={"Authorization": f"Bearer {token}"}
    )
    missing = call_api("GET", f"/requests/{first['request_id']}")

    assert status == 200
    assert view["status"] == "awaiting_verification"
    assert [e["event"] for e in view["timeline"]] == ["received", "acknowledged", "waiting for you to verify"]
    assert "email" not in json.dumps(view)
    assert wrong_request[0] == unknown[0] == missing[0] == 404
    assert wrong_request[2] == unknown[2] == missing[2]


def test_bad_input_gets_a_reason_per_field_and_stores_nothing(running: RunningStack, call_api: Any) -> None:
    status, _, body = call_api(
        "POST",
        "/requests",
        {"type": "access", "jurisdiction": "ccpa", "email": "nope", "phone": "12", "foo": 1},
    )

    assert status == 422
    fields = {error["field"]: error["reason"] for error in body["errors"]}
    assert set(fields) == {"body.email", "body.phone", "body.foo"}
    assert "nope" not in json.dumps(body)
    ddb: Any = running.client("dynamodb")
    assert ddb.scan(TableName=running.stack.ref("RequestsTable"))["Count"] == 0


@pytest.mark.parametrize("raw", ["{not json", "[]", '"text"', ""])
def test_malformed_bodies_are_a_client_error_not_a_crash(call_api: Any, raw: str) -> None:
    status, _, _ = call_api("POST", "/requests", raw)

    assert 400 <= status < 500
