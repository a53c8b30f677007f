"""The workflow's decisions on in-memory fakes of its ports (no moto, no state machine): what
acknowledging decides, how a wait is parked, answered and found again on a replay, how
verification leads to resolution (a duplicate joined, a flagged footprint stopped for ops) and
resolution to the action, which steps run once, and how a request ends."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from fakes import FakeKeys, FakeLocks, FakeMessenger, FakePreferenceMarks, FakeRequests, FakeTokens, summary

from privacy_rights.core import ledger_steps
from privacy_rights.core.errors import IllegalTransition, SubjectBusy, WaitNotPending
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    DenialReason,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    Requester,
    RequesterRole,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.core.request_results import ErasureReceipt, ScopeDecision
from privacy_rights.orchestration.workflow import MIN_VERIFICATION_WAIT, Verdict, Workflow
from privacy_rights.preferences.preference_service import IdentifierRef, MayProcessQuery, PreferenceService
from privacy_rights.preferences.preferences import Purpose
from privacy_rights.resolution.resolution import STOPPED_FOLLOWING
from privacy_rights.rights_requests.intake import subject_keys

EMAIL = "jane@example.com"
PHONE = "+14155550123"
AGENT = Requester(role=RequesterRole.AUTHORIZED_AGENT, name="Agent Smith", email="agent@example.net")


class FakeResolve:
    """Stands in for ``ResolveService`` (itself tested with the resolver): records a summary
    with the flags a test gives and counts the resolutions."""

    def __init__(self, store: FakeRequests, flags: list[str] | None = None) -> None:
        self._store = store
        self.flags = list(flags or [])
        self.calls: list[tuple[str, bool]] = []

    def resolve_request(self, request_id: str, follow_every_link: bool = False) -> dict[str, Any]:
        self.calls.append((request_id, follow_every_link))
        key = f"resolutions/{request_id}/{len(self.calls)}.json"
        flags = [] if follow_every_link else self.flags
        request = self._store.get(request_id)
        self._store.save(
            request.model_copy(update={"resolution": summary(key, flags)}), "workflow", "resolved"
        )
        return {"request_id": request_id, "pointers_key": key, "flagged": bool(flags)}


class Harness:
    def __init__(self, ring: KeyRing, *requests: RightsRequest, flags: list[str] | None = None) -> None:
        self.store = FakeRequests(*requests)
        self.messenger = FakeMessenger(refuse={"+14155550199": "number_type"})
        self.resolve = FakeResolve(self.store, flags)
        self.marks = FakePreferenceMarks()
        self.preferences = PreferenceService(self.marks, FakeKeys(ring))
        self.locks = FakeLocks()
        self.tokens = FakeTokens()
        self.keys = FakeKeys(ring)
        self.workflow = Workflow(
            self.store,
            self.keys,
            self.messenger,
            "https://privacy.example",
            self.resolve,  # type: ignore[arg-type]
            self.preferences,
            self.locks,
            self.tokens,
        )

    def faulty(self, store: Any = None, tokens: Any = None) -> Workflow:
        """The same workflow over the same fakes, one of them wrapped to fail (``_FailingOnce``)."""
        return Workflow(
            store or self.store,
            self.keys,
            self.messenger,
            "https://privacy.example",
            self.resolve,  # type: ignore[arg-type]
            self.preferences,
            self.locks,
            tokens or self.tokens,
        )

    def status(self, request_id: str) -> Status:
        return self.store.get(request_id).status

    def ledger(self, request_id: str) -> dict[str, Any]:
        return self.store.ledger(request_id)


@pytest.fixture
def deletion(make_request: Callable[..., RightsRequest], ring: KeyRing) -> Callable[..., RightsRequest]:
    def make(**overrides: Any) -> RightsRequest:
        subject = overrides.pop("subject", SubjectIdentifiers(email=EMAIL, phone=PHONE))
        if isinstance(subject, dict):
            subject = SubjectIdentifiers(**subject)
        fields: dict[str, Any] = {"type": RequestType.DELETION, "subject": subject} | overrides
        return make_request(subject_keys=subject_keys(ring, subject), **fields)

    return make


def _verified(h: Harness, request_id: str, proven: list[str]) -> None:
    """Acknowledged, waiting for verification, proven."""
    h.workflow.acknowledge(request_id)
    h.workflow.await_callback(request_id, "verification", "tok-verify")
    h.workflow.verified(request_id, proven, actor="subject")


# -- acknowledging ---------------------------------------------------------------------------


def test_an_opt_out_needs_no_verification_and_is_acknowledged_once(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = make_request(type=RequestType.OPT_OUT, opt_out_of=(OptOutPurpose.MARKETING,))
    h = Harness(ring, request)
    first = h.workflow.acknowledge(request.request_id)
    again = h.workflow.acknowledge(request.request_id)
    assert first["needs_verification"] is False
    assert first["needs_permission_review"] is False
    assert first == again
    assert h.status(request.request_id) is Status.VERIFIED
    assert [m["subject"] for m in h.messenger.to(EMAIL)] == [
        f"We received your privacy request {request.request_id}"
    ]
    assert ledger_steps.notice("acknowledgement") in h.ledger(request.request_id)


def test_an_agents_request_waits_for_verification_and_a_permission_review(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(requester=AGENT)
    h = Harness(ring, request)
    decided = h.workflow.acknowledge(request.request_id)
    assert (decided["needs_verification"], decided["needs_permission_review"]) == (True, True)
    assert h.status(request.request_id) is Status.AWAITING_VERIFICATION
    # the person and the agent each get their own acknowledgement
    assert len(h.messenger.to(EMAIL)) == 1
    assert "signed permission" in h.messenger.to("agent@example.net")[0]["text"]


def test_a_request_due_soon_still_waits_the_minimum_for_its_codes(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(due=date(2020, 1, 1))
    h = Harness(ring, request)
    assert h.workflow.acknowledge(request.request_id)["verification_timeout_seconds"] == int(
        MIN_VERIFICATION_WAIT.total_seconds()
    )
    far = deletion(request_id="req_test0000000000000002", due=date.today() + timedelta(days=60))
    h = Harness(ring, far)
    timeout = h.workflow.acknowledge(far.request_id)["verification_timeout_seconds"]
    assert timedelta(days=50) < timedelta(seconds=timeout) < timedelta(days=56)


# -- waits and answers -----------------------------------------------------------------------


def test_verification_parks_its_token_and_a_proof_resumes_it_with_what_was_proven(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.await_callback(request.request_id, "verification", "tok-1")
    assert h.store.waiting_for(request.request_id) == ["verification"]
    assert h.tokens.succeeded == []

    h.workflow.verified(request.request_id, ["phone"], actor="subject")
    assert h.status(request.request_id) is Status.VERIFIED
    assert h.store.get(request.request_id).proven_identifiers == ("phone",)
    assert h.ledger(request.request_id)["verification"] == {"proven": ["phone"]}
    assert h.tokens.succeeded == [("tok-1", {"proven": ["phone"]})]
    assert h.store.waiting_for(request.request_id) == []


def test_a_proof_before_the_wait_is_parked_is_found_when_it_parks(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.verified(request.request_id, ["email"], actor="subject")  # nothing parked yet
    assert h.tokens.succeeded == []
    h.workflow.await_callback(request.request_id, "verification", "tok-late")
    assert h.tokens.succeeded == [("tok-late", {"proven": ["email"]})]
    assert h.store.waiting_for(request.request_id) == []  # never left parked


class _Fault(Exception):
    """An AWS call that failed (a throttle after its retries, a crash of the function)."""


class _FailingOnce:
    """Wraps a fake port: the ``nth`` call (1-based) to any of ``methods`` raises once."""

    def __init__(self, inner: Any, methods: set[str], nth: int) -> None:
        self._inner, self._methods, self._left = inner, methods, nth

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if name not in self._methods:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self._left -= 1
            if self._left == 0:
                raise _Fault(name)
            return target(*args, **kwargs)

        return call


_WRITES = {"save", "complete_step", "record", "take_waiting"}


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_a_fault_in_any_write_of_a_proof_leaves_a_request_a_retry_completes(
    deletion: Callable[..., RightsRequest], ring: KeyRing, nth: int
) -> None:
    """The status changes only together with the ledger's answer: whichever write of the proof
    fails, the request is either still waiting for it or verified with its answer recorded, and
    the proof sent again resumes the parked execution exactly once."""
    request = deletion()
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.await_callback(request.request_id, "verification", "tok-1")
    faulty = h.faulty(store=_FailingOnce(h.store, _WRITES, nth))
    with contextlib.suppress(_Fault):
        faulty.verified(request.request_id, ["phone"], actor="subject")
    stored = h.store.get(request.request_id)
    assert (stored.status is Status.VERIFIED) == ("verification" in h.ledger(request.request_id))

    h.workflow.verified(request.request_id, ["phone"], actor="subject")  # the person tries again
    assert h.status(request.request_id) is Status.VERIFIED
    assert h.ledger(request.request_id)["verification"] == {"proven": ["phone"]}
    assert h.tokens.succeeded == [("tok-1", {"proven": ["phone"]})]
    assert h.store.waiting_for(request.request_id) == []


def test_a_resume_that_failed_keeps_the_token_for_the_next_attempt(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """SendTaskSuccess throttled after its retries: the token stays parked, and the next proof
    (or ops' answer) resumes the execution with the recorded answer instead of leaving it to
    wait for its timeout."""
    request = deletion()
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.await_callback(request.request_id, "verification", "tok-1")
    tokens = _FailingOnce(h.tokens, {"succeed"}, 1)
    faulty = h.faulty(tokens=tokens)
    with pytest.raises(_Fault):
        faulty.verified(request.request_id, ["email"], actor="subject")
    assert h.store.waiting_for(request.request_id) == ["verification"]

    h.workflow.verified(request.request_id, ["phone"], actor="subject")
    assert h.tokens.succeeded == [("tok-1", {"proven": ["email"]})]  # what was recorded, once
    assert h.store.waiting_for(request.request_id) == []


def test_an_ops_answer_whose_resume_failed_is_resumed_by_the_next_attempt(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    _verified(h, request.request_id, ["email"])
    h.workflow.await_callback(request.request_id, "decision", "tok-decide")
    tokens = _FailingOnce(h.tokens, {"succeed"}, 1)
    faulty = h.faulty(tokens=tokens)
    approve = {"decision": "approve", "reason": "one person"}
    with pytest.raises(_Fault):
        faulty.answer(request.request_id, "decision", approve, "ops@x")
    h.workflow.answer(request.request_id, "decision", {"decision": "deny"}, "ops@x")
    assert h.tokens.succeeded[-1] == ("tok-decide", approve)  # the answer recorded first stands
    with pytest.raises(WaitNotPending):
        h.workflow.answer(request.request_id, "decision", approve, "ops@x")


def test_a_second_proof_after_verification_changes_nothing(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    _verified(h, request.request_id, ["email"])
    version = h.store.get(request.request_id).version
    h.workflow.verified(request.request_id, ["phone"], actor="subject")
    assert h.store.get(request.request_id).version == version
    assert h.ledger(request.request_id)["verification"] == {"proven": ["email"]}
    assert len(h.tokens.succeeded) == 1


def test_what_an_agent_proves_of_its_own_contacts_is_kept_apart(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(requester=AGENT)
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.verified(request.request_id, ["phone"], actor="subject", requester_proven=["email"])
    verified = h.store.get(request.request_id)
    assert verified.proven_identifiers == ("phone",)
    assert verified.requester_proven == ("email",)
    assert verified.extra["requester_proven"] == ["email"]  # the stored shape


def test_an_answer_resumes_the_wait_once_and_a_replay_finds_it_in_the_ledger(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    _verified(h, request.request_id, ["email"])
    with pytest.raises(WaitNotPending):
        h.workflow.answer(request.request_id, "decision", {"decision": "approve"}, "ops@x")

    h.workflow.await_callback(request.request_id, "decision", "tok-decide")
    assert h.status(request.request_id) is Status.AWAITING_DECISION
    answer = {"decision": "approve", "reason": "one person"}
    h.workflow.answer(request.request_id, "decision", answer, "ops@x")
    assert h.tokens.succeeded[-1] == ("tok-decide", answer)
    with pytest.raises(WaitNotPending):  # the token was taken: a second answer resumes nothing
        h.workflow.answer(request.request_id, "decision", {"decision": "deny"}, "ops@x")

    # a replayed execution parks again: it resumes at once with the recorded answer
    h.workflow.await_callback(request.request_id, "decision", "tok-replay")
    assert h.tokens.succeeded[-1] == ("tok-replay", answer)
    assert h.store.waiting_for(request.request_id) == []


def test_approving_a_power_of_attorney_proves_the_persons_identifiers(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    poa = AGENT.model_copy(update={"power_of_attorney": True})
    request = deletion(requester=poa)
    h = Harness(ring, request)
    h.workflow.await_callback(request.request_id, "permission", "tok-perm")
    h.workflow.permission_reviewed(request.request_id, None, "the POA is in order", "ops@x")
    assert h.store.get(request.request_id).proven_identifiers == ("email", "phone")
    assert h.tokens.succeeded == [("tok-perm", {"decision": "approve", "reason": "the POA is in order"})]


def test_a_signed_permission_proves_nothing_and_a_refusal_carries_its_verdict(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    approved = deletion(requester=AGENT)
    h = Harness(ring, approved)
    h.workflow.await_callback(approved.request_id, "permission", "tok-a")
    h.workflow.permission_reviewed(approved.request_id, None, "signed and dated", "ops@x")
    assert h.store.get(approved.request_id).proven_identifiers == ()

    refused = deletion(requester=AGENT)
    h = Harness(ring, refused)
    h.workflow.await_callback(refused.request_id, "permission", "tok-b")
    denial = Verdict(result="denied", reason=DenialReason.AGENT_NOT_AUTHORIZED)
    h.workflow.permission_reviewed(refused.request_id, denial, "unsigned letter", "ops@x")
    ((_, answer),) = h.tokens.succeeded
    assert answer["decision"] == "deny"
    assert answer["verdict"] == {"result": "denied", "reason": "agent_not_authorized", "detail": ""}


def test_a_canceled_requests_wait_is_failed_not_resumed(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    h = Harness(ring, deletion())
    h.workflow.abandon("tok-x")
    assert h.tokens.failed == [("tok-x", "RequestCanceled")]
    assert h.tokens.succeeded == []


# -- verification -> resolution -> action ----------------------------------------------------


def test_resolution_runs_once_and_a_plain_footprint_goes_on_to_the_action(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request)
    _verified(h, request.request_id, ["email", "phone"])
    first = h.workflow.resolve(request.request_id)
    again = h.workflow.resolve(request.request_id)
    assert (first["merged"], first["needs_decision"]) == (False, False)
    assert first == again
    assert h.resolve.calls == [(request.request_id, False)]
    assert h.ledger(request.request_id)[ledger_steps.DUPLICATE_CHECK] == {"merged_into": None}
    # and after ops' approval there is nothing more to follow
    assert h.workflow.resolve(request.request_id, complete=True) == first
    assert h.resolve.calls == [(request.request_id, False)]


def test_a_footprint_too_big_for_one_person_stops_for_ops_then_follows_every_link_once(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    flags = ["more records (2500) than one person plausibly has", f"{STOPPED_FOLLOWING} 40 links past 2000"]
    h = Harness(ring, request, flags=flags)
    _verified(h, request.request_id, ["phone"])
    first = h.workflow.resolve(request.request_id)
    assert first["needs_decision"] is True  # the brake on mass deletion: nothing acts yet
    assert first["flagged"] is True

    complete = h.workflow.resolve(request.request_id, complete=True)
    h.workflow.resolve(request.request_id, complete=True)
    assert h.resolve.calls == [(request.request_id, False), (request.request_id, True)]
    assert complete["needs_decision"] is False
    assert ledger_steps.RESOLVE_COMPLETE in h.ledger(request.request_id)


def test_a_flagged_footprint_that_was_followed_to_the_end_is_not_resolved_again(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion()
    h = Harness(ring, request, flags=["spread over 5 business customers, like a shared number"])
    _verified(h, request.request_id, ["phone"])
    first = h.workflow.resolve(request.request_id)
    assert first["needs_decision"] is True
    assert h.workflow.resolve(request.request_id, complete=True) == {"merged": False, **first}
    assert len(h.resolve.calls) == 1


def test_a_verified_duplicate_is_joined_to_the_earlier_request_and_goes_no_further(
    deletion: Callable[..., RightsRequest], ring: KeyRing, now: Any
) -> None:
    earlier = deletion(
        request_id="req_earlier0000000000001",
        status=Status.IN_PROGRESS,
        proven_identifiers=("email",),
        received_at=now - timedelta(days=2),
    )
    later = deletion(request_id="req_later00000000000001")
    h = Harness(ring, earlier, later)
    _verified(h, later.request_id, ["email"])
    joined = h.workflow.resolve(later.request_id)
    assert joined["merged"] is True
    assert h.resolve.calls == []  # nothing of the person's is looked up twice
    request = h.store.get(later.request_id)
    assert request.status is Status.CANCELED
    assert request.merged_into == earlier.request_id
    assert (
        "req_earlier0000000000001",
        "workflow",
        "request.merged",
        {"duplicate": later.request_id},
    ) in h.store.audit
    h.workflow.finalize(later.request_id, Verdict(result="completed"))
    assert f"reference {earlier.request_id}" in h.messenger.to(EMAIL)[-1]["text"]
    assert [m["subject"] for m in h.messenger.to(EMAIL) if "joined" in m.get("subject", "")] == [
        h.messenger.to(EMAIL)[-1]["subject"]
    ]  # one notice says it was joined: the last
    assert h.store.actions(earlier.request_id).count("request.merged") == 1


def test_a_duplicate_is_acknowledged_like_a_new_request_and_not_joined_before_it_is_verified(
    deletion: Callable[..., RightsRequest], ring: KeyRing, now: Any
) -> None:
    """From outside a duplicate is a new request (its own acknowledgement, waiting for its own
    codes): joining it before it is verified would tell whoever sent it that the person has a
    request open."""
    earlier = deletion(
        request_id="req_earlier0000000000001",
        status=Status.IN_PROGRESS,
        proven_identifiers=("email",),
        received_at=now - timedelta(days=2),
    )
    later = deletion(request_id="req_later00000000000001")
    fresh = deletion(request_id="req_fresh00000000000001", subject={"email": "other@example.com"})
    h = Harness(ring, earlier, later, fresh)
    for request in (later, fresh):
        h.workflow.acknowledge(request.request_id)
        h.workflow.await_callback(request.request_id, "verification", f"tok-{request.request_id}")

    assert h.status(later.request_id) is h.status(fresh.request_id) is Status.AWAITING_VERIFICATION
    acknowledged = [m for m in h.messenger.to(EMAIL) if later.request_id in m["text"]]
    assert len(acknowledged) == 1
    assert len([m for m in h.messenger.to("other@example.com") if fresh.request_id in m["text"]]) == 1
    assert "request.merged" not in h.store.actions()
    assert h.store.get(later.request_id).merged_into is None


def test_an_earlier_request_verified_by_another_identifier_is_not_joined(
    deletion: Callable[..., RightsRequest], ring: KeyRing, now: Any
) -> None:
    earlier = deletion(
        request_id="req_earlier0000000000001",
        status=Status.IN_PROGRESS,
        proven_identifiers=("phone",),
        received_at=now - timedelta(days=2),
    )
    later = deletion(request_id="req_later00000000000001")
    h = Harness(ring, earlier, later)
    _verified(h, later.request_id, ["email"])
    assert h.workflow.resolve(later.request_id)["merged"] is False
    assert h.resolve.calls == [(later.request_id, False)]


def test_the_action_holds_the_subjects_lock_until_the_request_ends(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    first = deletion(request_id="req_first000000000000001", status=Status.VERIFIED)
    second = deletion(request_id="req_second00000000000001", status=Status.VERIFIED)
    h = Harness(ring, first, second)
    h.workflow.begin_action(first.request_id)
    assert h.status(first.request_id) is Status.IN_PROGRESS
    with pytest.raises(SubjectBusy):
        h.workflow.begin_action(second.request_id)
    assert h.status(second.request_id) is Status.VERIFIED
    h.workflow.finalize(first.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    h.workflow.begin_action(second.request_id)
    assert h.status(second.request_id) is Status.IN_PROGRESS


def test_a_correction_waiting_for_ops_takes_no_lock_and_blocks_nothing_of_the_persons(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """A correction is fulfilled by hand, days later: the person's deletion meanwhile goes on."""
    correction = deletion(
        request_id="req_correct0000000000001", status=Status.VERIFIED, type=RequestType.CORRECTION
    )
    erasure = deletion(request_id="req_erase000000000000001", status=Status.VERIFIED)
    h = Harness(ring, correction, erasure)
    assert h.workflow.begin_action(correction.request_id) == {"locked": False}
    h.workflow.await_callback(correction.request_id, "fulfilment", "tok-ops")
    assert h.workflow.begin_action(erasure.request_id) == {"locked": True}
    assert h.status(erasure.request_id) is Status.IN_PROGRESS


@pytest.mark.parametrize("wait", ["customer", "review"])
def test_a_wait_for_a_business_or_a_review_lets_the_subject_go_until_it_is_answered(
    deletion: Callable[..., RightsRequest], ring: KeyRing, wait: str
) -> None:
    """A business may take days to answer an export's question, ops days to review its
    recordings: the person's other requests go on meanwhile, and the export takes the subject
    again (BeginAction, RelockForPackage) before it reads anything more."""
    export = deletion(request_id="req_export00000000000001", status=Status.VERIFIED, type=RequestType.ACCESS)
    erasure = deletion(request_id="req_erase000000000000002", status=Status.VERIFIED)
    h = Harness(ring, export, erasure)
    assert h.workflow.begin_action(export.request_id) == {"locked": True}
    with pytest.raises(SubjectBusy):
        h.workflow.begin_action(erasure.request_id)
    h.workflow.await_callback(export.request_id, wait, "tok-wait")  # type: ignore[arg-type]
    assert h.workflow.begin_action(erasure.request_id) == {"locked": True}
    with pytest.raises(SubjectBusy):
        h.workflow.begin_action(export.request_id)
    h.workflow.finalize(erasure.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    assert h.workflow.begin_action(export.request_id) == {"locked": True}


def test_an_opt_out_is_applied_once_and_then_answers_may_i_process(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    subject = SubjectIdentifiers(email=EMAIL)
    request = make_request(
        type=RequestType.OPT_OUT,
        status=Status.IN_PROGRESS,
        opt_out_of=(OptOutPurpose.MARKETING,),
        subject_keys=subject_keys(ring, subject),
    )
    h = Harness(ring, request)
    assert h.workflow.apply_preferences(request.request_id) == {"result": "completed", "outcome": "complied"}
    marks = {digest: dict(found) for digest, found in h.marks.marks.items()}
    h.workflow.apply_preferences(request.request_id)
    assert h.marks.marks == marks
    ask = MayProcessQuery(identifier=IdentifierRef(kind="email", value=EMAIL), purpose=Purpose.MARKETING)
    assert h.preferences.may_process(ask).allowed is False
    other = MayProcessQuery(identifier=IdentifierRef(kind="email", value=EMAIL), purpose=Purpose.ANALYTICS)
    assert h.preferences.may_process(other).allowed is True


def test_an_objection_covers_marketing_analytics_and_training_and_a_deletion_is_no_preference(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    objection = deletion(
        request_id="req_object0000000000001", type=RequestType.OBJECTION, jurisdiction=Jurisdiction.GDPR
    )
    h = Harness(ring, objection)
    h.workflow.apply_preferences(objection.request_id)
    for purpose, allowed in (
        (Purpose.MARKETING, False),
        (Purpose.ANALYTICS, False),
        (Purpose.AI_TRAINING, False),
        (Purpose.SERVICE, True),
    ):
        query = MayProcessQuery(identifier=IdentifierRef(kind="phone", value=PHONE), purpose=purpose)
        assert h.preferences.may_process(query).allowed is allowed, purpose
    h = Harness(ring, deletion(status=Status.IN_PROGRESS))
    with pytest.raises(IllegalTransition):
        h.workflow.apply_preferences(h.store.request.request_id)


# -- how a request ends ----------------------------------------------------------------------


def test_a_request_completes_once_and_its_final_notice_goes_once(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(status=Status.IN_PROGRESS)
    h = Harness(ring, request)
    verdict = Verdict(result="completed", outcome=Outcome.PARTIALLY_COMPLIED)
    assert h.workflow.finalize(request.request_id, verdict) == {"status": "completed"}
    assert h.workflow.finalize(request.request_id, verdict) == {"status": "completed"}
    done = h.store.get(request.request_id)
    assert (done.status, done.outcome) == (Status.COMPLETED, Outcome.PARTIALLY_COMPLIED)
    finals = [m for m in h.messenger.to(EMAIL) if "is complete" in m["subject"]]
    assert len(finals) == 1
    assert "done part of what you asked" in finals[0]["text"]


def test_a_denial_says_why_and_what_the_person_can_do(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(status=Status.AWAITING_VERIFICATION, jurisdiction=Jurisdiction.GDPR)
    h = Harness(ring, request)
    h.workflow.finalize(request.request_id, Verdict(result="denied", reason=DenialReason.UNVERIFIABLE))
    denied = h.store.get(request.request_id)
    assert denied.status is Status.DENIED
    assert denied.denial is not None
    assert denied.denial.reason is DenialReason.UNVERIFIABLE
    (final,) = h.messenger.to(EMAIL)
    assert "could not verify your identity" in final["text"]
    assert "supervisory authority" in final["text"]


def test_the_receipt_a_follow_up_updated_is_sent_once_per_follow_up(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    first = ErasureReceipt(
        stores={"usage_telemetry": {"deleted": 2}},
        held=[{"store": "crm_leads", "hold_id": "hold_1", "matter": "A v. B", "records": 1}],
    )
    request = deletion(status=Status.IN_PROGRESS).with_erasure_receipt(first)
    h = Harness(ring, request)
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.PARTIALLY_COMPLIED))
    assert len(h.messenger.to(EMAIL)) == 1  # a first run: the final notice only

    followed = h.store.request.with_erasure_receipt(first.model_copy(update={"held": [], "follow_up": 1}))
    h.store.request = followed
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    assert len(h.messenger.to(EMAIL)) == 2
    assert ledger_steps.notice(ledger_steps.follow_up_notice(1)) in h.ledger(request.request_id)
    assert "legal hold" not in h.messenger.to(EMAIL)[-1]["text"]


def test_a_notice_the_phone_guard_refuses_is_settled_as_withheld(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(subject=SubjectIdentifiers(phone="+14155550199"), status=Status.IN_PROGRESS)
    h = Harness(ring, request)
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    assert h.messenger.sent == []
    assert h.ledger(request.request_id)[ledger_steps.notice("final")] == {
        "channel": "withheld",
        "reason": "number_type",
    }
    assert h.store.actions(request.request_id).count("notice.final.withheld") == 1


def test_a_failure_is_recorded_with_a_safe_cause_and_frees_the_subject(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(status=Status.VERIFIED)
    h = Harness(ring, request)
    h.workflow.begin_action(request.request_id)
    assert h.workflow.record_failure(request.request_id, "EraseSources", "ErasureIncomplete") == {
        "status": "failed"
    }
    failed = h.store.get(request.request_id)
    assert failed.failure is not None
    assert (failed.failure.step, failed.failure.status_before) == ("EraseSources", Status.IN_PROGRESS)
    assert failed.failure.cause == "The erasure could not be confirmed yet."
    assert h.locks.held == {}
    h.workflow.record_failure(request.request_id, "VerifyErasure", "KeyError")  # already failed: kept
    assert h.store.get(request.request_id).failure == failed.failure


def test_a_proof_that_arrives_after_its_wait_failed_is_kept_for_the_replay_and_moves_nothing(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """The soak's 300-request run: the wait crashed as it parked (its execution ended, the
    request failed) while the person typed the code. The proof used to turn the failed request
    verified with no execution left: stuck, and not listed as failed for a replay."""
    request = deletion()
    h = Harness(ring, request)
    h.workflow.acknowledge(request.request_id)
    h.workflow.await_callback(request.request_id, "verification", "tok-verify")
    h.workflow.record_failure(request.request_id, "AwaitVerification", "Runtime.ExitError")

    h.workflow.verified(request.request_id, ["email"], actor="subject")

    failed = h.store.get(request.request_id)
    assert failed.status is Status.FAILED
    assert failed.proven_identifiers == ("email",)
    assert failed.failure is not None
    assert failed.failure.status_before is Status.VERIFIED  # the replay goes on from there
    assert h.ledger(request.request_id)["verification"] == {"proven": ["email"]}
    assert h.tokens.succeeded == []  # nothing to resume: the replay's wait finds the ledger's answer
    h.workflow.await_callback(request.request_id, "verification", "tok-replay")
    assert h.tokens.succeeded == [("tok-replay", {"proven": ["email"]})]


def test_an_unknown_errors_text_never_reaches_the_cause(
    deletion: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = deletion(status=Status.IN_PROGRESS)
    h = Harness(ring, request)
    h.workflow.record_failure(request.request_id, "Finalize", "KeyError")
    failure = h.store.get(request.request_id).failure
    assert failure is not None
    assert failure.cause == "Unexpected KeyError; see the function's logs for this request."


def test_the_final_answer_to_a_request_to_know_says_which_scope_and_why(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    why = "the specific pieces need three of your details verified, and 2 were."
    request = make_request(
        type=RequestType.ACCESS, jurisdiction=Jurisdiction.CCPA, status=Status.IN_PROGRESS
    ).with_scope_decision(ScopeDecision(scope="categories", why=why))
    h = Harness(ring, request)
    h.workflow.finalize(request.request_id, Verdict(result="completed", outcome=Outcome.COMPLIED))
    (final,) = h.messenger.to(EMAIL)
    assert "You receive the categories of personal information" in final["text"]
    assert why in final["text"]
