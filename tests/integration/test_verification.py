"""Web intake and identity verification through the stack: a proof resuming the real
verification wait, an agent's permission upload and wait, codes racing on DynamoDB's conditions,
a resume after a fault, idempotency, GPC and the source IP read from API Gateway's event, bad
input. The rules themselves (what must be proven, codes, facts, limits, sign-in, scope) are in
``tests/unit/test_verification_on_fakes.py``; GPC's and the per-source limit on submissions in
``tests/unit/test_intake_signals_on_fakes.py``."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def submit(call_api: Any, body: dict[str, Any] | str, **kwargs: Any) -> tuple[int, Any]:
    status, _, answer = call_api("POST", "/requests", body, **kwargs)
    return status, answer


def verify(call_api: Any, created: dict[str, Any], **attempt: Any) -> tuple[int, Any]:
    """An attempt by the requester, who holds the status token the intake answer gave them."""
    headers = {"Authorization": f"Bearer {created['status_token']}"}
    status, _, answer = call_api(
        "POST", f"/requests/{created['request_id']}/verify", attempt, headers=headers
    )
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

    first = verify(call_api, created, code=codes_for(running, "g@example.org")[0])
    second = verify(call_api, created, code=codes_for(running, "+447911123456")[0])

    assert first == (200, {"verified": False, "proven": ["email"], "pending": ["phone"]})
    assert second[1]["verified"] is True
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).proven_identifiers == ("email", "phone")


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


def test_the_gpc_header_the_cookies_and_the_source_ip_are_read_from_api_gateways_event(
    call_api: Any,
) -> None:
    """What intake does with them (the opt-outs a GPC signal makes, the per-source limit) is
    tests/unit/test_intake_signals_on_fakes.py's; here that the handler reads them where API
    Gateway puts them. What an accepted request goes on to do is not this test's: no execution
    is started (twenty of them made this the suite's second slowest test)."""
    from unittest import mock

    from privacy_rights.adapters.workflow import StepFunctionsStarter

    def opt_out(n: int, source_ip: str, headers: dict[str, str] | None = None) -> int:
        body = {
            "type": "opt_out",
            "jurisdiction": "ccpa",
            "email": f"r{n}@example.org",
            "opt_out_of": ["marketing"],
        }
        return submit(call_api, body, headers=headers, source_ip=source_ip)[0]

    def may(kind: str, value: str) -> bool:
        _, _, answer = call_api(
            "POST",
            "/internal/may-process",
            {"identifier": {"kind": kind, "value": value}, "purpose": "sale_share"},
            operator="pixel-pipeline",
        )
        return bool(answer["allowed"])

    gpc = {"Sec-GPC": "1", "Cookie": "cx_vid=v-123; theme=dark"}
    with mock.patch.object(StepFunctionsStarter, "start", autospec=True, return_value="not started") as start:
        statuses = [opt_out(0, "198.51.100.9", gpc)] + [opt_out(n, "198.51.100.9") for n in range(1, 22)]
        other_source = opt_out(22, "198.51.100.10")

    assert may("email", "r0@example.org") is False
    assert may("browser", "cx_vid=v-123") is False
    assert may("browser", "cx_vid=v-999") is True
    assert may("email", "r1@example.org") is True  # an opt-out of marketing only, without the header
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


def test_an_unknown_us_state_is_a_field_error_not_a_crash(call_api: Any) -> None:
    status, answer = submit(
        call_api, {"type": "access", "jurisdiction": "us_state", "us_state": "ZZ", "email": "z@example.org"}
    )

    assert status == 422
    assert answer["errors"][0]["field"] == "body.us_state"


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
