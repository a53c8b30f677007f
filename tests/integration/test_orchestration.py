"""The rights-request state machine end to end on moto: every path that exists, retries,
failures recorded, replays that never repeat a completed step, the per-subject lock, ops
decisions, cancellation, requests taken by phone. A flagged footprint's decision wait and its
denial: test_erasure.py (the switchboard)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration

OPS = "alice"
PHONE = "+14155552671"


#: corrections are still fulfilled by ops by hand: the requests that wait for their fulfilment
CORRECTION = {"field": "name", "corrected": "Dana W."}


def submit(call_api: Any, **body: Any) -> str:
    status, _, answer = call_api("POST", "/requests", {"jurisdiction": "ccpa", "phone": PHONE} | body)
    assert status == 202, answer
    return str(answer["request_id"])


def ops(call_api: Any, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    status, _, answer = call_api(method, path, body, operator=OPS)
    return status, answer


def notices(running: RunningStack) -> Counter[str]:
    return Counter(
        m.subject.split(" ")[1] if m.channel == "email" else m.body.split(" ")[3]
        for m in running.outbox.messages()
    )


def sms_count(running: RunningStack) -> int:
    # an opt-out of sale/sharing also sends the advertising partner a webhook (issue 17)
    return len([m for m in running.outbox.messages() if m.channel != "webhook"])


def test_an_opt_out_runs_to_completion_without_verification(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    request_id = submit(call_api, type="opt_out", opt_out_of=["ai_training"])

    execution = wait_for_execution(request_id)

    assert execution["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert request.status == "completed"
    assert request.outcome == "complied"
    ledger = store.ledger(request_id)
    assert {"resolve", "apply_preferences", "notice:acknowledgement", "notice:final"} <= set(ledger)
    assert sms_count(running) == 2  # acknowledgement and confirmation, once each


def test_a_proof_that_arrives_before_the_wait_is_parked_is_found_when_it_parks(
    call_api: Any, container: Container, waiting_for: Any, store: RequestStore
) -> None:
    """A code entered within a second of being sent (SMS autofill, API clients) used to leave
    the request waiting for a verification it already had (issue 20): here the wait is taken
    away and parked again around the proof, as the race orders them."""
    request_id = submit(call_api, type="correction", corrections=[CORRECTION])
    waiting_for(request_id, "verification")
    token = store.take_waiting(request_id, "verification")  # as if not parked yet
    assert token is not None

    container.workflow.verified(request_id, ["phone"], actor="test-verifier")
    container.workflow.await_callback(request_id, "verification", token)  # the wait parks now

    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).status == "in_progress"
    assert store.ledger(request_id)["verification"] == {"proven": ["phone"]}


def test_a_correction_request_waits_for_verification_then_for_its_fulfilment(
    running: RunningStack,
    call_api: Any,
    container: Container,
    waiting_for: Any,
    wait_for_execution: Any,
    store: RequestStore,
) -> None:
    request_id = submit(call_api, type="correction", corrections=[CORRECTION])
    waiting_for(request_id, "verification")

    container.workflow.verified(request_id, ["phone"], actor="test-verifier")
    waiting_for(request_id, "fulfilment")
    assert store.get(request_id).status == "in_progress"
    status, answer = ops(
        call_api,
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "complete", "outcome": "nothing_held", "reason": "nothing found for this number"},
    )

    assert status == 200, answer
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert request.status == "completed"
    assert request.outcome == "nothing_held"
    assert request.proven_identifiers == ("phone",)
    assert request.resolution is not None
    assert sms_count(running) == 3  # acknowledgement, verification code, final answer


def test_a_request_never_verified_is_denied_as_unverifiable_with_the_remedies(
    running: RunningStack, call_api: Any, store: RequestStore, waiting_for: Any, wait_for_execution: Any
) -> None:
    request_id = submit(call_api, type="deletion", jurisdiction="gdpr", email="late@example.org", phone=None)
    waiting_for(request_id, "verification")
    token = store.take_waiting(request_id, "verification")
    # What the verification deadline does (its timeout): the wait ends without an answer.
    running.client("stepfunctions").send_task_failure(  # type: ignore[attr-defined]
        taskToken=token, error="VerificationFailed", cause="deadline passed"
    )

    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    request = store.get(request_id)
    assert request.status == "denied"
    assert request.denial is not None
    assert request.denial.reason == "unverifiable"
    final = running.outbox.messages()[0]
    assert "could not verify your identity" in final.body
    assert "supervisory authority" in final.body


def test_a_transient_fault_is_retried_to_success(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore, retry_sleeps: Any
) -> None:
    running.lambdas.inject("ResolveSubjectFunction", "TransientDependencyError", times=2)

    request_id = submit(call_api, type="opt_out", opt_out_of=["marketing"])

    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    assert len(retry_sleeps.slept) == 2
    assert retry_sleeps.slept[1] >= 0  # backoff with full jitter: any wait up to the cap
    assert store.get(request_id).status == "completed"


def test_a_permanent_fault_fails_the_request_at_its_step_and_a_replay_finishes_it_without_repeats(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    store: RequestStore,
) -> None:
    running.lambdas.inject("ApplyPreferencesFunction", "ConnectorTimeout")
    request_id = submit(call_api, type="opt_out", opt_out_of=["sale_share"])

    assert wait_for_execution(request_id)["status"] == "FAILED"
    failed = store.get(request_id)
    assert failed.status == "failed"
    assert failed.failure is not None
    assert failed.failure.step == "ApplyPreferences"
    assert failed.failure.error == "ConnectorTimeout"
    assert "ConnectorTimeout" in failed.failure.cause
    status, detail = ops(call_api, "GET", f"/ops/requests/{request_id}")
    assert status == 200
    assert detail["failure"]["step"] == "ApplyPreferences"
    assert any(row["event"] == "ExecutionFailed" for row in detail["timeline"])
    status, listed = ops(call_api, "GET", "/ops/requests?status=failed")
    assert [row["request_id"] for row in listed] == [request_id]

    running.lambdas.clear("ApplyPreferencesFunction")
    status, replay = ops(
        call_api, "POST", f"/ops/requests/{request_id}/replay", {"reason": "connector fixed"}
    )

    assert status == 200, replay
    assert replay["execution"] == f"{request_id}-r1"
    assert wait_for_execution(f"{request_id}-r1")["status"] == "SUCCEEDED"
    assert store.get(request_id).status == "completed"
    actions = Counter(entry.action for entry in store.audit_entries(request_id))
    assert actions["notice.acknowledgement.sent"] == 1
    assert actions["subject.resolved"] == 1
    assert actions["notice.final.sent"] == 1
    assert sms_count(running) == 2
    assert store.verify_audit(request_id) == sum(actions.values())


def test_rerunning_one_named_step_clears_it_first_and_runs_only_that_again(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    store: RequestStore,
) -> None:
    running.lambdas.inject("FinalizeFunction", "MailboxUnavailable")
    request_id = submit(call_api, type="opt_out", opt_out_of=["marketing"])
    assert wait_for_execution(request_id)["status"] == "FAILED"
    running.lambdas.clear()

    status, _ = ops(
        call_api,
        "POST",
        f"/ops/requests/{request_id}/replay",
        {"reason": "data map fixed", "step": "resolve"},
    )

    assert status == 200
    assert wait_for_execution(f"{request_id}-r1")["status"] == "SUCCEEDED"
    actions = Counter(entry.action for entry in store.audit_entries(request_id))
    assert actions["step.cleared"] == 1
    assert actions["subject.resolved"] == 2
    assert actions["notice.acknowledgement.sent"] == 1


def test_a_replay_is_refused_while_the_workflow_runs(call_api: Any, waiting_for: Any) -> None:
    request_id = submit(call_api, type="access")
    waiting_for(request_id, "verification")

    status, answer = ops(call_api, "POST", f"/ops/requests/{request_id}/replay", {"reason": "just because"})

    assert status == 409, answer


def test_two_requests_for_one_subject_are_serialized_by_the_lock(
    running: RunningStack,
    call_api: Any,
    container: Container,
    waiting_for: Any,
    wait_for_execution: Any,
    store: RequestStore,
    retry_sleeps: Any,
    eventually: Any,
) -> None:
    """An action under way holds the subject: a second request retries (SubjectBusy) until it
    ends. A correction waiting days for ops holds nothing: the person's opt-out goes on."""
    from privacy_rights.adapters.subject_locks import SubjectLocks

    first = submit(call_api, type="correction", corrections=[CORRECTION])
    waiting_for(first, "verification")
    container.workflow.verified(first, ["phone"], actor="test-verifier")
    waiting_for(first, "fulfilment")
    meanwhile = submit(call_api, type="opt_out", opt_out_of=["ai_training"])
    assert wait_for_execution(meanwhile)["status"] == "SUCCEEDED"
    assert "fulfilment" in store.waiting_for(first)

    locks = SubjectLocks(running.client("dynamodb"), running.stack.ref("LocksTable"))
    keys = list(store.get(first).subject_keys.values())
    locks.acquire(keys, owner="req_anexportunderway00001")  # another request's action under way
    second = submit(call_api, type="opt_out", opt_out_of=["marketing"])
    eventually(lambda: retry_sleeps.slept, what="the second request to find the subject busy")
    assert store.get(second).status == "verified"
    locks.release(keys, owner="req_anexportunderway00001")
    released_at = datetime.now(UTC)

    assert wait_for_execution(second)["status"] == "SUCCEEDED"
    began_second = next(e.at for e in store.audit_entries(second) if e.action == "status.in_progress")
    assert began_second >= released_at
    ops(
        call_api,
        "POST",
        f"/ops/requests/{first}/decision",
        {"decision": "complete", "outcome": "complied", "reason": "sent by post"},
    )
    assert wait_for_execution(first)["status"] == "SUCCEEDED"


def test_a_decision_for_a_request_that_waits_for_nothing_is_a_conflict(
    call_api: Any, waiting_for: Any
) -> None:
    request_id = submit(call_api, type="access")
    waiting_for(request_id, "verification")

    status, _ = ops(
        call_api,
        "POST",
        f"/ops/requests/{request_id}/decision",
        {"decision": "approve", "reason": "looks fine to me"},
    )

    assert status == 409


def test_a_canceled_request_ends_its_workflow(
    call_api: Any, waiting_for: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    request_id = submit(call_api, type="access")
    waiting_for(request_id, "verification")

    status, _ = ops(
        call_api, "POST", f"/ops/requests/{request_id}/cancel", {"reason": "requester withdrew it"}
    )

    assert status == 200
    assert wait_for_execution(request_id)["status"] == "FAILED"
    assert store.get(request_id).status == "canceled"


def test_a_request_taken_by_phone_follows_the_same_path(
    call_api: Any, waiting_for: Any, store: RequestStore
) -> None:
    status, answer = ops(
        call_api, "POST", "/ops/requests", {"type": "access", "jurisdiction": "ccpa", "phone": PHONE}
    )

    assert status == 202
    waiting_for(answer["request_id"], "verification")
    request = store.get(answer["request_id"])
    assert request.channel == "phone"
    (entry, *_) = store.audit_entries(answer["request_id"])
    assert entry.actor.endswith(":assumed-role/callx-privacy-ops/alice")


def test_ops_routes_refuse_a_caller_without_identity(call_api: Any) -> None:
    status, _, _ = call_api("GET", "/ops/requests")

    assert status == 403
