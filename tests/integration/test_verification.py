"""Web intake and identity verification: codes, facts, limits, duplicates, GPC, bad input."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local_stack import demo
from local_stack.runtime import RunningStack
from local_stack.synthetic import Scale, generate
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

CODE = re.compile(r"verification code is (\d{6})")


def codes_for(running: RunningStack, recipient: str) -> list[str]:
    return [m for message in running.outbox.messages(to=recipient) for m in CODE.findall(message.body)]


def submit(call_api: Any, body: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    status, _, answer = call_api("POST", "/requests", body, **kwargs)
    return status, answer


def verify(call_api: Any, request_id: str, **attempt: Any) -> tuple[int, Any]:
    status, _, answer = call_api("POST", f"/requests/{request_id}/verify", attempt)
    return status, answer


def test_gdpr_is_verified_by_the_code_of_every_identifier(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    _, created = submit(
        call_api,
        {
            "type": "correction",
            "corrections": [{"field": "name", "corrected": "G. Example"}],
            "jurisdiction": "gdpr",
            "email": "g@example.org",
            "phone": "+447911123456",
        },
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")

    first = verify(call_api, request_id, code=codes_for(running, "g@example.org")[0])
    second = verify(call_api, request_id, code=codes_for(running, "+447911123456")[0])

    assert first == (200, {"verified": False, "proven": ["email"], "pending": ["phone"]})
    assert second[1]["verified"] is True
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).proven_identifiers == ("email", "phone")


def test_a_ccpa_deletion_reaching_recordings_needs_a_third_data_point_a_fact(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    generate(
        running.session, running.stack.platform_stores, running.stack.ref("CustomersTable"), Scale(callers=2)
    )
    dana = demo.SUBJECTS["dana"]
    _, created = submit(
        call_api,
        {"type": "deletion", "jurisdiction": "ccpa", "email": "dana@example.net", "phone": dana.phone},
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    verify(call_api, request_id, code=codes_for(running, "dana@example.net")[0])
    _, after_codes = verify(call_api, request_id, code=codes_for(running, dana.phone or "")[0])
    assert after_codes == {"verified": False, "proven": ["email", "phone"], "pending": ["fact"]}
    calls = running.client("dynamodb").query(  # type: ignore[attr-defined]
        TableName=running.stack.platform_stores["calls"],
        IndexName="by_caller",
        KeyConditionExpression="caller_phone = :p",
        ExpressionAttributeValues={":p": {"S": dana.phone}},
    )["Items"]
    month = calls[0]["started_at"]["S"][:7]

    wrong = verify(call_api, request_id, fact={"recent_call_month": month, "business": "Some Other Business"})
    right = verify(call_api, request_id, fact={"recent_call_month": month, "business": "acme plumbing"})

    assert wrong[0] == 400
    assert right == (200, {"verified": True, "proven": ["email", "fact", "phone"], "pending": []})


def test_wrong_codes_lock_the_request_after_five_attempts(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "brute@example.org"})
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    real = codes_for(running, "brute@example.org")[0]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    answers = [verify(call_api, request_id, code=wrong)[0] for _ in range(6)]
    after_lock = verify(call_api, request_id, code=real)

    assert answers[:4] == [400, 400, 400, 400]
    assert answers[4:] == [429, 429]
    assert after_lock[0] == 429


def test_a_code_is_single_use_and_an_expired_code_gets_a_new_one(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    _, created = submit(
        call_api,
        {"type": "access", "jurisdiction": "gdpr", "email": "once@example.org", "phone": "+447911123457"},
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    email_code = codes_for(running, "once@example.org")[0]
    assert verify(call_api, request_id, code=email_code)[0] == 200
    assert verify(call_api, request_id, code=email_code)[0] == 400  # used

    ddb: Any = running.client("dynamodb")
    ddb.update_item(
        TableName=running.stack.ref("VerificationTable"),
        Key={"request_id": {"S": request_id}, "kind": {"S": "phone"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    stale = codes_for(running, "+447911123457")[0]
    expired = verify(call_api, request_id, code=stale)
    fresh = codes_for(running, "+447911123457")[0]

    assert expired[0] == 410
    assert fresh != stale
    assert verify(call_api, request_id, code=fresh)[1]["verified"] is True


def test_codes_never_reach_the_logs(
    running: RunningStack, call_api: Any, waiting_for: Any, capsys: Any
) -> None:
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "logs@example.org"})
    waiting_for(created["request_id"], "verification")
    code = codes_for(running, "logs@example.org")[0]
    verify(call_api, created["request_id"], code=code)
    verify(call_api, created["request_id"], code="000000")

    captured = capsys.readouterr()

    assert code not in captured.out + captured.err
    assert "logs@example.org" not in captured.out + captured.err


def test_a_duplicate_submission_is_merged_and_reveals_nothing(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    body = {"type": "deletion", "jurisdiction": "ccpa", "email": "twice@example.org"}
    first_status, first = submit(call_api, body)
    waiting_for(first["request_id"], "verification")

    second_status, second = submit(call_api, body)

    assert first_status == second_status == 202
    assert set(first) == set(second)
    assert second["status"] == "received"
    assert second["request_id"] != first["request_id"]
    assert [e.action for e in store.audit_entries(first["request_id"])].count("request.merged") == 1
    assert store.get(second["request_id"]).extra["merged_into"] == first["request_id"]
    acknowledgements = [m for m in running.outbox.messages(to="twice@example.org") if "received" in m.subject]
    assert len(acknowledgements) == 1


def test_the_same_idempotency_key_returns_the_same_answer(call_api: Any) -> None:
    body = {"type": "access", "jurisdiction": "gdpr", "email": "idem@example.org"}
    key = {"Idempotency-Key": "form-submit-7f3a"}

    first = submit(call_api, body, headers=key)
    again = submit(call_api, body, headers=key)
    other_body = submit(call_api, body | {"type": "deletion"}, headers=key)

    assert first == again
    assert other_body[0] == 422


def test_a_body_over_16_kb_is_refused_with_413(call_api: Any) -> None:
    status, answer = submit(call_api, json.dumps({"type": "access", "details": "x" * 17_000}))

    assert status == 413
    assert "16384" in answer["message"]


def test_global_privacy_control_opts_out_the_subject_and_the_browser(call_api: Any, waiting_for: Any) -> None:
    headers = {"Sec-GPC": "1", "Cookie": "cx_vid=v-123; theme=dark"}
    _, created = submit(
        call_api, {"type": "access", "jurisdiction": "ccpa", "email": "gpc@example.org"}, headers=headers
    )
    waiting_for(created["request_id"], "verification")

    def may(kind: str, value: str) -> bool:
        _, _, answer = call_api(
            "POST",
            "/internal/may-process",
            {"identifier": {"kind": kind, "value": value}, "purpose": "sale_share"},
            operator="pixel-pipeline",
        )
        return bool(answer["allowed"])

    assert may("email", "gpc@example.org") is False
    assert may("browser", "cx_vid=v-123") is False
    assert may("browser", "cx_vid=v-999") is True


def test_submissions_from_one_source_are_rate_limited(call_api: Any) -> None:
    statuses = [
        submit(
            call_api,
            {
                "type": "opt_out",
                "jurisdiction": "ccpa",
                "email": f"r{n}@example.org",
                "opt_out_of": ["marketing"],
            },
            source_ip="198.51.100.9",
        )[0]
        for n in range(22)
    ]

    assert statuses[:20] == [202] * 20
    assert statuses[20:] == [429, 429]
    assert (
        submit(
            call_api,
            {
                "type": "opt_out",
                "jurisdiction": "ccpa",
                "email": "other@example.org",
                "opt_out_of": ["marketing"],
            },
            source_ip="198.51.100.10",
        )[0]
        == 202
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["access", "deletion", "opt_out", "nonsense"]) | st.text(max_size=10),
        "jurisdiction": st.sampled_from(["gdpr", "ccpa", "us_state", "mars"]) | JSON,
        "email": st.emails() | st.text(max_size=30) | JSON,
        "phone": st.from_regex(r"\+?[0-9 ()-]{0,20}", fullmatch=True) | JSON,
        "opt_out_of": st.lists(st.sampled_from(["sale_share", "ai_training", "x"]), max_size=3) | JSON,
        "name": st.text(max_size=300),
        "details": st.text(max_size=50),
        "unknown": JSON,
    },
)


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=FIELDS | JSON | st.text(max_size=200))
def test_arbitrary_input_never_gets_a_5xx_and_never_stores_an_invalid_body(
    running: RunningStack, call_api: Any, body: Any
) -> None:
    ddb: Any = running.client("dynamodb")
    before = ddb.scan(TableName=running.stack.ref("RequestsTable"), Select="COUNT")["Count"]

    status, _, _ = call_api(
        "POST", "/requests", body if isinstance(body, str) else json.dumps(body), source_ip="203.0.113.200"
    )

    after = ddb.scan(TableName=running.stack.ref("RequestsTable"), Select="COUNT")["Count"]
    assert status < 500
    if status != 202:
        assert after == before


def test_a_landline_gets_its_code_read_out_by_an_automated_call_not_an_sms(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    landline = "+442079460958"
    _, created = submit(
        call_api, {"type": "deletion", "jurisdiction": "gdpr", "email": "land@example.org", "phone": landline}
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")

    calls = running.outbox.messages(to=landline)
    assert {m.channel for m in calls} == {"voice"}
    (call,) = [m for m in calls if "verification code" in m.body]
    assert request_id not in call.body  # whoever picks up a shared line hears only the code
    digits = re.findall(r"code is: ([\d, ]+)\.", call.body)
    assert len(digits) == 2
    assert digits[0] == digits[1]
    code = digits[0].replace(", ", "")
    assert verify(call_api, request_id, code=code)[1]["proven"] == ["phone"]
    sent = [e for e in store.audit_entries(request_id) if e.action == "verification.codes_sent"]
    assert sent[0].detail == {"identifiers": ["email", "phone"], "no_code_sent": []}


def test_without_a_voice_line_a_landline_gets_no_code(
    call_api: Any, waiting_for: Any, store: RequestStore, container: Any
) -> None:
    from unittest import mock

    landline = "+442079460958"
    with mock.patch.object(type(container.messenger), "can_call", new_callable=mock.PropertyMock) as can_call:
        can_call.return_value = False
        _, created = submit(
            call_api,
            {"type": "deletion", "jurisdiction": "gdpr", "email": "l2@example.org", "phone": landline},
        )
        waiting_for(created["request_id"], "verification")
    sent = [e for e in store.audit_entries(created["request_id"]) if e.action == "verification.codes_sent"]
    assert sent[0].detail == {"identifiers": ["email"], "no_code_sent": ["phone"]}


def test_an_agent_needs_a_signed_permission_as_well_as_the_subjects_own_verification(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore, key_ring: Any
) -> None:
    body = {
        "type": "access",
        "jurisdiction": "gdpr",
        "email": "principal@example.org",
        "requester": {
            "role": "authorized_agent",
            "name": "Privacy Helpers Ltd",
            "email": "agent@example.com",
        },
    }
    _, created = submit(call_api, body)
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    [agent_notice] = running.outbox.messages(to="agent@example.com")
    token = agent_notice.body.split("token=")[1].split()[0]
    assert codes_for(running, "agent@example.com") == []  # the subject verifies directly

    _, after_code = verify(call_api, request_id, code=codes_for(running, "principal@example.org")[0])
    assert after_code == {"verified": False, "proven": ["email"], "pending": ["permission"]}
    status, _, form = call_api(
        "POST",
        f"/requests/{request_id}/permission-upload",
        {"content_type": "application/pdf"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert status == 200
    assert form["max_bytes"] == 5 * 1024 * 1024
    assert any("content-length-range" in str(v) or k == "policy" for k, v in form["fields"].items())
    wrong_token = call_api(
        "POST",
        f"/requests/{request_id}/permission-upload",
        {"content_type": "application/pdf"},
        headers={"Authorization": "Bearer 1.nope"},
    )
    assert wrong_token[0] == 404
    # What the agent's browser does with the presigned POST:
    running.client("s3").put_object(  # type: ignore[attr-defined]
        Bucket=running.stack.ref("PermissionsBucket"),
        Key=form["key"],
        Body=b"%PDF-1.7 signed",
        ContentType="application/pdf",
    )

    status, done = verify(call_api, request_id, recheck=True)

    assert done == {"verified": True, "proven": ["email"], "pending": []}


def test_an_unknown_us_state_is_a_field_error_not_a_crash(call_api: Any) -> None:
    status, answer = submit(
        call_api, {"type": "access", "jurisdiction": "us_state", "us_state": "ZZ", "email": "z@example.org"}
    )

    assert status == 422
    assert answer["errors"][0]["field"] == "body.us_state"


def test_guessing_codes_across_requests_from_one_source_is_throttled(call_api: Any, waiting_for: Any) -> None:
    request_ids = []
    for n in range(7):
        _, created = submit(
            call_api, {"type": "access", "jurisdiction": "gdpr", "email": f"guess{n}@example.org"}
        )
        request_ids.append(created["request_id"])
    statuses = []
    for request_id in request_ids:
        waiting_for(request_id, "verification")
        for _ in range(5):
            status, _, _ = call_api(
                "POST", f"/requests/{request_id}/verify", {"code": "000000"}, source_ip="192.0.2.77"
            )
            statuses.append(status)

    assert statuses[:30].count(429) <= 6  # per-request locks only (each request's 5th wrong code)
    assert set(statuses[30:]) == {429}
    fresh_source = call_api(
        "POST", f"/requests/{request_ids[-1]}/verify", {"code": "000000"}, source_ip="192.0.2.78"
    )
    assert fresh_source[0] == 400  # another source is not throttled: just a wrong code


def test_an_account_holder_is_verified_by_signing_in_again(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    body = {
        "type": "correction",
        "corrections": [{"field": "name", "corrected": "Sam O."}],
        "jurisdiction": "ccpa",
        "email": "sam@acme.example",
        "account_id": "acct_sam",
    }
    _, created = submit(call_api, body)
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    idp = running.stack.idp

    stale = verify(call_api, request_id, id_token=idp.id_token("acct_sam", "sam@acme.example", auth_time=1))
    someone_else = verify(call_api, request_id, id_token=idp.id_token("acct_other", "other@acme.example"))
    forged = verify(call_api, request_id, id_token=idp.id_token("acct_sam", "sam@acme.example")[:-4] + "AAAA")
    signed_in = verify(call_api, request_id, id_token=idp.id_token("acct_sam", "sam@acme.example"))

    assert stale[0] == someone_else[0] == forged[0] == 400
    assert signed_in == (200, {"verified": True, "proven": ["account_id", "email"], "pending": []})
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).proven_identifiers == ("account_id", "email")
