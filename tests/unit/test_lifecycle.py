"""The request lifecycle: the transition table, and what each move requires."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from privacy_rights.core.errors import IllegalTransition
from privacy_rights.core.lifecycle import ALLOWED, UNVERIFIED_TYPES, allowed_targets, transition
from privacy_rights.core.models import (
    Appeal,
    Denial,
    DenialReason,
    Jurisdiction,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    utc_now,
)

MakeRequest = Callable[..., RightsRequest]

ALLOWED_PAIRS = sorted((source, target) for source, targets in ALLOWED.items() for target in targets)
FORBIDDEN_PAIRS = sorted(
    (source, target)
    for source, target in itertools.product(Status, Status)
    if target not in ALLOWED.get(source, frozenset())
)
UNVERIFIABLE_SKIPPERS = sorted(set(RequestType) - UNVERIFIED_TYPES)
A_DENIAL = Denial(reason=DenialReason.UNVERIFIABLE)
MOVED_AT = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)
AN_APPEAL = Appeal(filed_at=MOVED_AT, due=date(2026, 5, 4))


def _pair_id(pair: tuple[Status, Status]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


def _fit_for_any_move(make_request: MakeRequest, source: Status) -> RightsRequest:
    """A request in ``source`` that meets every per-move requirement, so only the table decides:
    an opt-out (may skip verification) under a US state law (may be appealed), not yet appealed,
    and, when completed, complied with only in part (so still appealable)."""
    return make_request(
        type=RequestType.OPT_OUT,
        jurisdiction=Jurisdiction.US_STATE,
        us_state="VA",
        status=source,
        outcome=Outcome.PARTIALLY_COMPLIED if source is Status.COMPLETED else None,
        denial=A_DENIAL if source in (Status.DENIED, Status.APPEALED, Status.APPEAL_DENIED) else None,
    )


def _payload_for(target: Status) -> dict[str, Any]:
    """The outcome or denial a move into ``target`` must carry (and no other move may)."""
    if target is Status.COMPLETED:
        return {"outcome": Outcome.COMPLIED}
    if target is Status.DENIED:
        return {"denial": A_DENIAL}
    if target is Status.APPEALED:
        return {"appeal": AN_APPEAL}
    return {}


# --- the table ------------------------------------------------------------------------------------------


def test_every_status_has_an_entry_in_the_transition_table() -> None:
    assert set(ALLOWED) == set(Status)


def test_no_status_may_transition_to_itself() -> None:
    assert all(status not in targets for status, targets in ALLOWED.items())


@pytest.mark.parametrize("status", [Status.CANCELED, Status.APPEAL_DENIED])
def test_canceled_and_appeal_denied_are_dead_ends(status: Status) -> None:
    assert allowed_targets(status) == frozenset()


@pytest.mark.parametrize(("source", "target"), ALLOWED_PAIRS, ids=map(_pair_id, ALLOWED_PAIRS))
def test_every_allowed_transition_succeeds(make_request: MakeRequest, source: Status, target: Status) -> None:
    request = _fit_for_any_move(make_request, source)

    moved = transition(request, target, at=MOVED_AT, **_payload_for(target))

    assert moved.status is target
    assert moved.status_changed_at == MOVED_AT


@pytest.mark.parametrize(("source", "target"), FORBIDDEN_PAIRS, ids=map(_pair_id, FORBIDDEN_PAIRS))
def test_every_transition_outside_the_table_raises_illegal_transition(
    make_request: MakeRequest, source: Status, target: Status
) -> None:
    request = _fit_for_any_move(make_request, source)

    with pytest.raises(IllegalTransition) as raised:
        transition(request, target, **_payload_for(target))

    assert (raised.value.current, raised.value.target) == (source, target)
    # no ": reason" suffix: the table refused the move, not a per-move requirement
    assert str(raised.value) == f"{source} -> {target}"


def test_the_usual_path_from_receipt_to_completion(make_request: MakeRequest) -> None:
    request = make_request(type=RequestType.DELETION)
    for target in (Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.IN_PROGRESS):
        request = transition(request, target)
    done = transition(request, Status.COMPLETED, outcome=Outcome.COMPLIED)

    assert done.status is Status.COMPLETED
    assert done.outcome is Outcome.COMPLIED
    assert done.is_final


# --- completion and denial ------------------------------------------------------------------------------


@pytest.mark.parametrize("source", [Status.IN_PROGRESS, Status.AWAITING_DECISION])
def test_completion_without_an_outcome_is_refused(make_request: MakeRequest, source: Status) -> None:
    with pytest.raises(IllegalTransition, match="completion needs an outcome"):
        transition(make_request(status=source), Status.COMPLETED)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_completion_records_its_outcome(make_request: MakeRequest, outcome: Outcome) -> None:
    done = transition(make_request(status=Status.IN_PROGRESS), Status.COMPLETED, outcome=outcome)

    assert done.outcome is outcome


def test_an_outcome_on_a_move_other_than_completion_is_refused(make_request: MakeRequest) -> None:
    with pytest.raises(IllegalTransition, match="only a completion carries an outcome"):
        transition(make_request(status=Status.IN_PROGRESS), Status.CANCELED, outcome=Outcome.COMPLIED)


@pytest.mark.parametrize(
    "source", [Status.RECEIVED, Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.IN_PROGRESS]
)
def test_denial_without_a_denial_record_is_refused(make_request: MakeRequest, source: Status) -> None:
    with pytest.raises(IllegalTransition, match="a denial needs a reason"):
        transition(make_request(status=source), Status.DENIED)


def test_a_denial_record_on_a_move_other_than_denial_is_refused(make_request: MakeRequest) -> None:
    with pytest.raises(IllegalTransition, match="only a denial carries a reason"):
        transition(make_request(status=Status.IN_PROGRESS), Status.CANCELED, denial=A_DENIAL)


def test_denial_records_the_denial(make_request: MakeRequest) -> None:
    denial = Denial(reason=DenialReason.EXEMPT, exemption="legal claims (Art. 17(3)(e))", detail="litigation")

    denied = transition(make_request(status=Status.IN_PROGRESS), Status.DENIED, denial=denial)

    assert denied.denial == denial
    assert denied.outcome is None


def test_an_exempt_denial_must_name_the_exemption() -> None:
    with pytest.raises(ValidationError, match="an exempt denial names the exception"):
        Denial(reason=DenialReason.EXEMPT)


@pytest.mark.parametrize("exemption", ["", "   "])
def test_a_blank_exemption_does_not_count_as_named(exemption: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Denial(reason=DenialReason.EXEMPT, exemption=exemption)

    assert [error["loc"] for error in raised.value.errors()] == [("exemption",)]


@pytest.mark.parametrize("reason", sorted(set(DenialReason) - {DenialReason.EXEMPT}))
def test_non_exempt_denials_need_no_exemption(reason: DenialReason) -> None:
    assert Denial(reason=reason).exemption is None


# --- verification ---------------------------------------------------------------------------------------


def test_an_opt_out_goes_straight_from_received_to_verified(make_request: MakeRequest) -> None:
    verified = transition(make_request(type=RequestType.OPT_OUT), Status.VERIFIED)

    assert verified.status is Status.VERIFIED


@pytest.mark.parametrize("request_type", UNVERIFIABLE_SKIPPERS)
def test_other_types_may_not_skip_verification(make_request: MakeRequest, request_type: RequestType) -> None:
    with pytest.raises(IllegalTransition, match="only opt-outs skip verification"):
        transition(make_request(type=request_type), Status.VERIFIED)


@pytest.mark.parametrize("request_type", UNVERIFIABLE_SKIPPERS)
def test_other_types_are_verified_after_awaiting_verification(
    make_request: MakeRequest, request_type: RequestType
) -> None:
    waiting = transition(make_request(type=request_type), Status.AWAITING_VERIFICATION)

    assert transition(waiting, Status.VERIFIED).status is Status.VERIFIED


# --- appeals --------------------------------------------------------------------------------------------


def _us_state(make_request: MakeRequest, **overrides: Any) -> RightsRequest:
    return make_request(jurisdiction=Jurisdiction.US_STATE, us_state="VA", **overrides)


def test_a_us_state_denial_can_be_appealed(make_request: MakeRequest) -> None:
    denied = transition(_us_state(make_request, status=Status.IN_PROGRESS), Status.DENIED, denial=A_DENIAL)

    appealed = transition(denied, Status.APPEALED, appeal=AN_APPEAL)

    assert appealed.status is Status.APPEALED


@pytest.mark.parametrize(
    "jurisdiction", sorted(set(Jurisdiction) - {Jurisdiction.US_STATE, Jurisdiction.OTHER})
)
def test_appeals_exist_only_under_us_state_laws(
    make_request: MakeRequest, jurisdiction: Jurisdiction
) -> None:
    denied = make_request(jurisdiction=jurisdiction, status=Status.DENIED, denial=A_DENIAL)

    with pytest.raises(IllegalTransition, match="appeals exist under US state laws only"):
        transition(denied, Status.APPEALED, appeal=AN_APPEAL)


def test_a_request_is_appealed_only_once(make_request: MakeRequest, now: datetime) -> None:
    earlier = Appeal(filed_at=now, due=date(2026, 5, 1), decision="granted", decided_at=now)
    denied_again = _us_state(make_request, status=Status.DENIED, denial=A_DENIAL, appeal=earlier)

    with pytest.raises(IllegalTransition, match="a request is appealed once"):
        transition(denied_again, Status.APPEALED, appeal=AN_APPEAL)


def test_a_request_complied_with_in_full_cannot_be_appealed(make_request: MakeRequest) -> None:
    complied = _us_state(make_request, status=Status.COMPLETED, outcome=Outcome.COMPLIED)

    with pytest.raises(IllegalTransition, match="complied with in full"):
        transition(complied, Status.APPEALED, appeal=AN_APPEAL)


@pytest.mark.parametrize("outcome", [Outcome.PARTIALLY_COMPLIED, Outcome.NOTHING_HELD])
def test_a_completion_short_of_full_compliance_can_be_appealed(
    make_request: MakeRequest, outcome: Outcome
) -> None:
    completed = _us_state(make_request, status=Status.COMPLETED, outcome=outcome)

    assert transition(completed, Status.APPEALED, appeal=AN_APPEAL).status is Status.APPEALED


def test_a_granted_appeal_of_a_denial_clears_the_denial(make_request: MakeRequest) -> None:
    denied = transition(_us_state(make_request, status=Status.IN_PROGRESS), Status.DENIED, denial=A_DENIAL)
    appealed = transition(denied, Status.APPEALED, appeal=AN_APPEAL)
    assert appealed.denial == A_DENIAL  # the answer stands while the appeal is pending

    reopened = transition(appealed, Status.IN_PROGRESS)

    assert reopened.status is Status.IN_PROGRESS
    assert reopened.denial is None
    assert reopened.outcome is None


def test_a_granted_appeal_of_a_partial_completion_clears_the_outcome(make_request: MakeRequest) -> None:
    completed = transition(
        _us_state(make_request, status=Status.IN_PROGRESS),
        Status.COMPLETED,
        outcome=Outcome.PARTIALLY_COMPLIED,
    )

    reopened = transition(transition(completed, Status.APPEALED, appeal=AN_APPEAL), Status.IN_PROGRESS)

    assert reopened.outcome is None
    assert reopened.denial is None


def test_an_appeal_records_the_appeal_and_cannot_happen_without_one(make_request: MakeRequest) -> None:
    denied = _us_state(make_request, status=Status.DENIED, denial=A_DENIAL)

    with pytest.raises(IllegalTransition, match="carries the appeal"):
        transition(denied, Status.APPEALED)
    assert transition(denied, Status.APPEALED, appeal=AN_APPEAL).appeal == AN_APPEAL


def test_a_granted_appeal_cannot_be_followed_by_a_second_one(make_request: MakeRequest) -> None:
    denied = _us_state(make_request, status=Status.DENIED, denial=A_DENIAL)
    reopened = transition(transition(denied, Status.APPEALED, appeal=AN_APPEAL), Status.IN_PROGRESS)
    completed = transition(reopened, Status.COMPLETED, outcome=Outcome.PARTIALLY_COMPLIED)

    with pytest.raises(IllegalTransition, match="a request is appealed once"):
        transition(completed, Status.APPEALED, appeal=AN_APPEAL)


def test_a_clarified_request_cannot_skip_verification(make_request: MakeRequest) -> None:
    clarifying = make_request(type=RequestType.DELETION, status=Status.NEEDS_CLARIFICATION)

    with pytest.raises(IllegalTransition, match="only opt-outs skip verification"):
        transition(clarifying, Status.VERIFIED)


def test_a_denied_appeal_keeps_the_original_denial(make_request: MakeRequest) -> None:
    appealed = _us_state(make_request, status=Status.APPEALED, denial=A_DENIAL)

    upheld = transition(appealed, Status.APPEAL_DENIED)

    assert upheld.denial == A_DENIAL
    assert upheld.is_final


# --- failures -------------------------------------------------------------------------------------------


def test_a_failed_request_can_be_replayed_into_in_progress(make_request: MakeRequest) -> None:
    failed = transition(make_request(status=Status.VERIFIED), Status.FAILED)

    replayed = transition(failed, Status.IN_PROGRESS)

    assert replayed.status is Status.IN_PROGRESS


@pytest.mark.parametrize(
    "where_it_failed",
    [Status.AWAITING_VERIFICATION, Status.VERIFIED, Status.AWAITING_DECISION, Status.IN_PROGRESS],
)
def test_a_replay_puts_a_failed_request_back_where_it_failed(
    make_request: MakeRequest, where_it_failed: Status
) -> None:
    failed = make_request(type=RequestType.DELETION, status=Status.FAILED)

    assert transition(failed, where_it_failed).status is where_it_failed


@pytest.mark.parametrize(
    "target", [Status.COMPLETED, Status.DENIED, Status.APPEALED, Status.NEEDS_CLARIFICATION]
)
def test_a_failed_request_only_resumes_or_is_canceled(make_request: MakeRequest, target: Status) -> None:
    with pytest.raises(IllegalTransition):
        transition(make_request(status=Status.FAILED), target, **_payload_for(target))


# --- copies and timestamps ------------------------------------------------------------------------------


def test_transition_returns_a_copy_and_leaves_the_original_untouched(make_request: MakeRequest) -> None:
    original = make_request(status=Status.IN_PROGRESS)
    before = original.model_dump()

    moved = transition(original, Status.COMPLETED, outcome=Outcome.COMPLIED, at=MOVED_AT)

    assert moved is not original
    assert original.model_dump() == before
    assert original.status is Status.IN_PROGRESS
    assert original.outcome is None
    assert moved.request_id == original.request_id
    assert moved.version == original.version  # the store, not the lifecycle, bumps the version


def test_status_changed_at_is_the_time_given(make_request: MakeRequest, now: datetime) -> None:
    request = make_request(status_changed_at=now)

    moved = transition(request, Status.AWAITING_VERIFICATION, at=MOVED_AT)

    assert moved.status_changed_at == MOVED_AT
    assert request.status_changed_at == now


def test_status_changed_at_defaults_to_the_current_time(make_request: MakeRequest, now: datetime) -> None:
    request = make_request(status_changed_at=now - timedelta(days=3))
    before = utc_now()

    moved = transition(request, Status.AWAITING_VERIFICATION)

    assert before <= moved.status_changed_at <= utc_now()
