"""Web intake and identity verification: codes, facts, limits, duplicates, GPC, bad input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platform_data import seed_platform

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore

pytestmark = pytest.mark.integration

CODE = re.compile(r"verification code is (\d{6})")
#: a signed permission as an agent uploads it: a real PDF header and enough of a body to be one
SIGNED_PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n"
    + b"% signed permission\n" * 120
    + b"%%EOF\n"
)


def codes_for(running: RunningStack, recipient: str) -> list[str]:
    return [m for message in running.outbox.messages(to=recipient) for m in CODE.findall(message.body)]


def submit(call_api: Any, body: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    status, _, answer = call_api("POST", "/requests", body, **kwargs)
    return status, answer


def verify(call_api: Any, created: dict[str, Any], **attempt: Any) -> tuple[int, Any]:
    """An attempt by the requester, who holds the status token the intake answer gave them."""
    headers = {"Authorization": f"Bearer {created['status_token']}"}
    status, _, answer = call_api(
        "POST", f"/requests/{created['request_id']}/verify", attempt, headers=headers
    )
    return status, answer


def danas_deletion(
    running: RunningStack, call_api: Any, waiting_for: Any, email: str
) -> tuple[dict[str, Any], str]:
    """A CCPA deletion for Dana (calls with recordings at Acme Plumbing: three data points), and
    the month of one of her calls, as she would remember it."""
    seed_platform(running, callers=2)
    dana = demo.SUBJECTS["dana"]
    _, created = submit(
        call_api, {"type": "deletion", "jurisdiction": "ccpa", "email": email, "phone": dana.phone}
    )
    waiting_for(created["request_id"], "verification")
    calls = running.client("dynamodb").query(  # type: ignore[attr-defined]
        TableName=running.stack.platform_stores["calls"],
        IndexName="by_caller",
        KeyConditionExpression="caller_phone = :p",
        ExpressionAttributeValues={":p": {"S": dana.phone}},
    )["Items"]
    return created, calls[0]["started_at"]["S"][:7]


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

    first = verify(call_api, created, code=codes_for(running, "g@example.org")[0])
    second = verify(call_api, created, code=codes_for(running, "+447911123456")[0])

    assert first == (200, {"verified": False, "proven": ["email"], "pending": ["phone"]})
    assert second[1]["verified"] is True
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).proven_identifiers == ("email", "phone")


def test_a_ccpa_deletion_reaching_recordings_needs_a_third_data_point_a_fact(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    created, month = danas_deletion(running, call_api, waiting_for, "dana@example.net")
    dana = demo.SUBJECTS["dana"]
    verify(call_api, created, code=codes_for(running, "dana@example.net")[0])
    _, after_codes = verify(call_api, created, code=codes_for(running, dana.phone or "")[0])
    assert after_codes == {"verified": False, "proven": ["email", "phone"], "pending": ["fact"]}

    wrong = verify(call_api, created, fact={"recent_call_month": month, "business": "Some Other Business"})
    right = verify(call_api, created, fact={"recent_call_month": month, "business": "acme plumbing"})

    assert wrong == (200, after_codes)  # a wrong fact is not told apart from a right one...
    assert right == (200, {"verified": True, "proven": ["email", "fact", "phone"], "pending": []})


def test_a_fact_is_not_looked_at_before_the_phone_is_proven_and_right_and_wrong_answer_alike(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    created, month = danas_deletion(running, call_api, waiting_for, "dana2@example.net")
    dana = demo.SUBJECTS["dana"]
    right_fact = {"recent_call_month": month, "business": "acme plumbing"}
    wrong_fact = {"recent_call_month": month, "business": "Northwind Legal"}

    before_phone = [verify(call_api, created, fact=fact) for fact in (right_fact, wrong_fact)]
    verify(call_api, created, code=codes_for(running, dana.phone or "")[0])
    after_phone = [verify(call_api, created, fact=fact) for fact in (right_fact, wrong_fact)]

    assert before_phone[0] == before_phone[1]
    assert before_phone[0][0] == 400
    # one proof short (the email's code): the right fact and the wrong one answer alike
    assert (
        after_phone[0]
        == after_phone[1]
        == (200, {"verified": False, "proven": ["phone"], "pending": ["email", "fact"]})
    )
    assert verify(call_api, created, fact=right_fact)[0] == 200
    assert verify(call_api, created, fact=right_fact)[0] == 429  # three fact attempts a day per phone
    done = verify(call_api, created, code=codes_for(running, "dana2@example.net")[0])
    assert done == (200, {"verified": True, "proven": ["email", "fact", "phone"], "pending": []})


def test_wrong_codes_lock_the_request_after_five_attempts(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "brute@example.org"})
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    real = codes_for(running, "brute@example.org")[0]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    answers = [verify(call_api, created, code=wrong)[0] for _ in range(6)]
    after_lock = verify(call_api, created, code=real)

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
    assert verify(call_api, created, code=email_code)[0] == 200
    assert verify(call_api, created, code=email_code)[0] == 400  # used

    ddb: Any = running.client("dynamodb")
    ddb.update_item(
        TableName=running.stack.ref("VerificationTable"),
        Key={"request_id": {"S": request_id}, "kind": {"S": "phone"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1"}},
    )
    stale = codes_for(running, "+447911123457")[0]
    expired = verify(call_api, created, code=stale)
    fresh = codes_for(running, "+447911123457")[0]

    assert expired[0] == 410
    assert fresh != stale
    assert verify(call_api, created, code=fresh)[1]["verified"] is True


def test_codes_never_reach_the_logs(
    running: RunningStack, call_api: Any, waiting_for: Any, capsys: Any
) -> None:
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "logs@example.org"})
    waiting_for(created["request_id"], "verification")
    code = codes_for(running, "logs@example.org")[0]
    verify(call_api, created, code=code)
    verify(call_api, created, code="000000")

    captured = capsys.readouterr()

    assert code not in captured.out + captured.err
    assert "logs@example.org" not in captured.out + captured.err


def test_a_duplicate_is_taken_in_like_a_new_request_and_joined_only_once_verified(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore, wait_for_execution: Any
) -> None:
    # a correction waits for ops to fulfil it: the first request is still under way when the
    # duplicate is verified
    body = {
        "type": "correction",
        "corrections": [{"field": "name", "corrected": "T. Wice"}],
        "jurisdiction": "gdpr",
        "email": "twice@example.org",
    }
    first_status, first = submit(call_api, body)
    waiting_for(first["request_id"], "verification")
    verify(call_api, first, code=codes_for(running, "twice@example.org")[0])
    waiting_for(first["request_id"], "fulfilment")

    second_status, second = submit(call_api, body)
    waiting_for(second["request_id"], "verification")
    fresh_status, fresh = submit(call_api, body | {"email": "once-only@example.org"})
    waiting_for(fresh["request_id"], "verification")

    # From outside, the duplicate is a new request: same answers, its own acknowledgement.
    assert first_status == second_status == fresh_status == 202
    assert set(second) == set(fresh)
    assert second["status"] == fresh["status"]
    assert verify(call_api, second, code="000000")[0] == verify(call_api, fresh, code="000000")[0] == 400
    acknowledgements = [m for m in running.outbox.messages(to="twice@example.org") if "received" in m.subject]
    assert len(acknowledgements) == 2
    assert store.get(second["request_id"]).status.value == "awaiting_verification"

    [second_code] = [
        code
        for message in running.outbox.messages(to="twice@example.org")
        if second["request_id"] in message.body
        for code in CODE.findall(message.body)
    ]
    answer = verify(call_api, second, code=second_code)
    assert answer[1]["verified"] is True, answer
    wait_for_execution(second["request_id"])

    joined = store.get(second["request_id"])
    assert joined.status.value == "canceled"
    assert joined.extra["merged_into"] == first["request_id"]
    assert [e.action for e in store.audit_entries(first["request_id"])].count("request.merged") == 1
    final = [m for m in running.outbox.messages(to="twice@example.org") if "joined" in m.subject]
    assert len(final) == 1
    assert first["request_id"] in final[0].body


def test_the_same_idempotency_key_returns_the_same_answer(call_api: Any) -> None:
    body = {"type": "access", "jurisdiction": "gdpr", "email": "idem@example.org"}
    key = {"Idempotency-Key": "form-submit-7f3a"}

    first = submit(call_api, body, headers=key)
    again = submit(call_api, body, headers=key)
    other_body = submit(call_api, body | {"type": "deletion"}, headers=key)

    assert first == again
    assert other_body[0] == 422
    assert "Idempotency-Key was already used" in other_body[1]["message"]


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
    """What an accepted request goes on to do is not this test's: no execution is started
    (twenty of them made this the suite's second slowest test)."""
    from unittest import mock

    from privacy_rights.adapters.workflow import StepFunctionsStarter

    def opt_out(n: int, source_ip: str) -> int:
        body = {
            "type": "opt_out",
            "jurisdiction": "ccpa",
            "email": f"r{n}@example.org",
            "opt_out_of": ["marketing"],
        }
        return submit(call_api, body, source_ip=source_ip)[0]

    with mock.patch.object(StepFunctionsStarter, "start", autospec=True, return_value="not started") as start:
        statuses = [opt_out(n, "198.51.100.9") for n in range(22)]
        other_source = opt_out(22, "198.51.100.10")

    assert statuses[:20] == [202] * 20
    assert statuses[20:] == [429, 429]
    assert other_source == 202
    assert start.call_count == 21


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


@pytest.fixture
def stored_requests(running: RunningStack) -> Callable[[], int]:
    """How many items RequestsTable holds; one client for all of a property test's examples (a
    client made per example was a third of its time)."""
    ddb: Any = running.client("dynamodb")
    table = running.stack.ref("RequestsTable")
    return lambda: int(ddb.scan(TableName=table, Select="COUNT")["Count"])


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=FIELDS | JSON | st.text(max_size=200))
def test_arbitrary_input_never_gets_a_5xx_and_never_stores_an_invalid_body(
    call_api: Any, stored_requests: Callable[[], int], body: Any
) -> None:
    before = stored_requests()

    status, _, _ = call_api(
        "POST", "/requests", body if isinstance(body, str) else json.dumps(body), source_ip="203.0.113.200"
    )

    after = stored_requests()
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
    assert verify(call_api, created, code=code)[1]["proven"] == ["phone"]
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

    _, after_code = verify(call_api, created, code=codes_for(running, "principal@example.org")[0])
    assert after_code == {"verified": False, "proven": ["email"], "pending": ["permission"]}
    assert verify(call_api, {**created, "status_token": token}, recheck=True)[1]["verified"] is False
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
        Body=SIGNED_PDF,
        ContentType="application/pdf",
    )

    status, done = verify(call_api, created, recheck=True)

    assert done == {"verified": True, "proven": ["email"], "pending": []}
    # Nothing of the person's is looked up until a person in ops has read the permission.
    waiting_for(request_id, "permission")
    assert "resolve" not in store.ledger(request_id)
    decided = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "approve", "reason": "signed permission names the principal"},
        operator="alice",
    )
    assert decided[0] == 200
    assert store.get(request_id).proven_identifiers == ("email",)


def test_a_power_of_attorney_proves_the_agent_and_waits_for_ops_before_the_subjects_data(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore, wait_for_execution: Any
) -> None:
    body = {
        "type": "deletion",
        "jurisdiction": "gdpr",
        "email": "ward@example.org",
        "requester": {
            "role": "parent_or_guardian",
            "name": "A. Guardian",
            "email": "guardian@example.com",
            "power_of_attorney": True,
        },
    }
    _, created = submit(call_api, body)
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    assert codes_for(running, "ward@example.org") == []  # codes go to the agent
    running.client("s3").put_object(  # type: ignore[attr-defined]
        Bucket=running.stack.ref("PermissionsBucket"),
        Key=f"permissions/{request_id}/poa",
        Body=SIGNED_PDF,
        ContentType="application/pdf",
    )

    done = verify(call_api, created, code=codes_for(running, "guardian@example.com")[0])

    assert done[1]["verified"] is True
    waiting_for(request_id, "permission")
    request = store.get(request_id)
    assert request.proven_identifiers == ()  # the agent's proofs are the agent's
    assert request.extra["requester_proven"] == ["email"]
    assert "resolve" not in store.ledger(request_id)
    denied = call_api(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "deny", "denial_reason": "agent_not_authorized", "reason": "document is not a POA"},
        operator="alice",
    )
    assert denied[0] == 200
    wait_for_execution(request_id)
    final = store.get(request_id)
    assert final.status.value == "denied"
    assert final.denial is not None
    assert final.denial.reason.value == "agent_not_authorized"
    assert "resolve" not in store.ledger(request_id)


def test_an_unknown_us_state_is_a_field_error_not_a_crash(call_api: Any) -> None:
    status, answer = submit(
        call_api, {"type": "access", "jurisdiction": "us_state", "us_state": "ZZ", "email": "z@example.org"}
    )

    assert status == 422
    assert answer["errors"][0]["field"] == "body.us_state"


def test_guessing_codes_across_requests_from_one_source_is_throttled(call_api: Any, waiting_for: Any) -> None:
    request_ids, tokens = [], {}
    for n in range(7):
        _, created = submit(
            call_api, {"type": "access", "jurisdiction": "gdpr", "email": f"guess{n}@example.org"}
        )
        request_ids.append(created["request_id"])
        tokens[created["request_id"]] = created["status_token"]
    statuses = []
    for request_id in request_ids:
        waiting_for(request_id, "verification")
        for _ in range(5):
            status, _, _ = call_api(
                "POST",
                f"/requests/{request_id}/verify",
                {"code": "000000"},
                source_ip="192.0.2.77",
                headers={"Authorization": f"Bearer {tokens[request_id]}"},
            )
            statuses.append(status)

    assert statuses[:30].count(429) <= 6  # per-request locks only (each request's 5th wrong code)
    assert set(statuses[30:]) == {429}
    fresh_source = call_api(
        "POST",
        f"/requests/{request_ids[-1]}/verify",
        {"code": "000000"},
        source_ip="192.0.2.78",
        headers={"Authorization": f"Bearer {tokens[request_ids[-1]]}"},
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

    stale = verify(call_api, created, id_token=idp.id_token("acct_sam", "sam@acme.example", auth_time=1))
    someone_else = verify(call_api, created, id_token=idp.id_token("acct_other", "other@acme.example"))
    forged = verify(call_api, created, id_token=idp.id_token("acct_sam", "sam@acme.example")[:-4] + "AAAA")
    signed_in = verify(call_api, created, id_token=idp.id_token("acct_sam", "sam@acme.example"))

    assert stale[0] == someone_else[0] == forged[0] == 400
    assert signed_in == (200, {"verified": True, "proven": ["account_id", "email"], "pending": []})
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).proven_identifiers == ("account_id", "email")


def test_a_sign_in_proves_the_account_and_its_verified_email_never_a_phone_it_did_not_see(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    stranger = "+14155550199"
    _, created = submit(
        call_api,
        {"type": "access", "jurisdiction": "ccpa", "account_id": "acct_mallory", "phone": stranger},
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    idp = running.stack.idp

    unverified_email = verify(
        call_api, created, id_token=idp.id_token("acct_other", "x@acme.example", email_verified=False)
    )
    signed_in = verify(call_api, created, id_token=idp.id_token("acct_mallory", "mallory@acme.example"))

    assert unverified_email[0] == 400
    assert signed_in == (200, {"verified": False, "proven": ["account_id"], "pending": ["phone"]})
    assert store.get(request_id).status.value == "awaiting_verification"
    assert "resolve" not in store.ledger(request_id)


def test_verify_needs_the_requests_status_token_and_a_stranger_cannot_lock_it(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "owner@example.org"})
    waiting_for(created["request_id"], "verification")
    path = f"/requests/{created['request_id']}/verify"

    without = [call_api("POST", path, {"code": "000000"})[0] for _ in range(6)]
    wrong = call_api("POST", path, {"code": "000000"}, headers={"Authorization": "Bearer k1.forged"})
    unknown = call_api(
        "POST",
        "/requests/req_doesnotexist000000/verify",
        {"code": "000000"},
        headers={"Authorization": "Bearer x"},
    )

    assert set(without) == {404}
    assert wrong[0] == unknown[0] == 404
    assert wrong[2] == unknown[2]
    assert verify(call_api, created, code=codes_for(running, "owner@example.org")[0])[1]["verified"] is True


def test_concurrent_wrong_guesses_compare_at_most_five(
    running: RunningStack, call_api: Any, waiting_for: Any
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "race@example.org"})
    waiting_for(created["request_id"], "verification")
    real = codes_for(running, "race@example.org")[0]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: verify(call_api, created, code=wrong)[0], range(40)))

    ddb: Any = running.client("dynamodb")
    attempts = ddb.get_item(
        TableName=running.stack.ref("VerificationTable"),
        Key={"request_id": {"S": created["request_id"]}, "kind": {"S": "_request"}},
    )["Item"]["attempts"]["N"]
    assert int(attempts) == 5
    assert statuses.count(400) == 4
    assert statuses.count(429) == 36
    assert verify(call_api, created, code=real)[0] == 429


def test_a_ccpa_access_request_without_a_scope_gets_the_categories_unless_highly_certain(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    _, created = submit(
        call_api,
        {"type": "access", "jurisdiction": "ccpa", "email": "noscope@example.org", "phone": "+14155550177"},
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    verify(call_api, created, code=codes_for(running, "noscope@example.org")[0])
    done = verify(call_api, created, code=codes_for(running, "+14155550177")[0])

    assert done[1]["verified"] is True
    request = store.get(request_id)
    assert request.scope is not None
    assert request.scope.value == "categories"
    assert "declaration" in request.extra["scope_decision"]["why"]


def test_two_codes_entered_at_the_same_moment_verify_the_request(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    _, created = submit(
        call_api,
        {"type": "access", "jurisdiction": "gdpr", "email": "both@example.org", "phone": "+447911123458"},
    )
    waiting_for(created["request_id"], "verification")
    codes = [codes_for(running, "both@example.org")[0], codes_for(running, "+447911123458")[0]]

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda code: verify(call_api, created, code=code), codes))

    assert {status for status, _ in answers} <= {200, 409}  # 409: the other one saved first
    assert any(answer.get("verified") for _, answer in answers)
    request = store.get(created["request_id"])
    assert request.proven_identifiers == ("email", "phone")
    assert request.status.value != "awaiting_verification"


def test_a_proof_recorded_whose_resume_failed_is_resumed_when_the_person_tries_again(
    running: RunningStack, call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    """A fault after the proof's one write (status and answer) and before SendTaskSuccess: the
    request reads verified, its execution still waits. The person's next attempt resumes it."""
    from privacy_rights.core.lifecycle import transition
    from privacy_rights.core.models import Status

    _, created = submit(
        call_api,
        {
            "type": "correction",
            "corrections": [{"field": "name", "corrected": "R. Example"}],
            "jurisdiction": "gdpr",
            "email": "resume@example.org",
        },
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    request = store.get(request_id)
    verified = transition(request, Status.VERIFIED).model_copy(update={"proven_identifiers": ("email",)})
    store.save(verified, "requester", "status.verified", completing=("verification", {"proven": ["email"]}))

    again = verify(call_api, created, code=codes_for(running, "resume@example.org")[0])

    assert again == (200, {"verified": True, "proven": ["email"], "pending": []})
    waiting_for(request_id, "fulfilment")


def test_a_retried_or_replayed_send_codes_never_replaces_a_code_already_sent(
    running: RunningStack, call_api: Any, waiting_for: Any, container: Any, store: RequestStore
) -> None:
    """SendCodes run again (its Retry after a fault, or ops replaying it by name): the codes
    that went are not sent again, so the person's code still works and no extra code counts
    against the identifier's daily limit."""
    from privacy_rights.core import ledger_steps

    email, phone = "again@example.org", "+447911123459"
    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": email, "phone": phone})
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    first = {email: codes_for(running, email), phone: codes_for(running, phone)}
    store.clear_step(request_id, ledger_steps.SEND_CODES, "ops@example.com", "replay SendCodes")

    again = container.verification.send_codes(request_id)

    assert sorted(again["sent"]) == ["email", "phone"]
    assert {email: codes_for(running, email), phone: codes_for(running, phone)} == first
    assert all(len(codes) == 1 for codes in first.values())
    assert verify(call_api, created, code=first[email][0])[1]["proven"] == ["email"]


def test_an_identifier_past_its_daily_codes_leaves_the_request_waiting_not_failed(
    call_api: Any, waiting_for: Any, container: Any, store: RequestStore
) -> None:
    """The person's sixth request of the day (or a flood of them): SendCodes sends no code and
    says why in the audit; the step does not fail, so the request is acknowledged and waits."""
    from privacy_rights.core import ledger_steps
    from privacy_rights.rights_requests.verification import CODES_PER_IDENTIFIER_PER_DAY

    _, created = submit(call_api, {"type": "access", "jurisdiction": "gdpr", "email": "often@example.org"})
    request_id = created["request_id"]
    waiting_for(request_id, "verification")  # its first code went
    for _ in range(CODES_PER_IDENTIFIER_PER_DAY - 1):
        store.clear_step(request_id, ledger_steps.code_sent("email"), "test", "another request's code")
        assert container.verification.send_codes(request_id)["sent"] == ["email"]
    store.clear_step(request_id, ledger_steps.code_sent("email"), "test", "one too many")

    assert container.verification.send_codes(request_id) == {"sent": [], "unreachable": ["email"]}
    last = [e for e in store.audit_entries(request_id) if e.action == "verification.codes_sent"][-1]
    assert last.detail["refused"] == ["email:daily_code_limit"]
    assert store.get(request_id).status.value == "awaiting_verification"
