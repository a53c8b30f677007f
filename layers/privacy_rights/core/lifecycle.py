"""The request lifecycle: which status may follow which, and what each move requires.

Every change of status goes through :func:`transition`; an illegal move raises
:class:`IllegalTransition` instead of silently producing a request nobody can reason about.
"""

from __future__ import annotations

from datetime import datetime

from privacy_rights.core.errors import IllegalTransition
from privacy_rights.core.models import (
    Appeal,
    Denial,
    Jurisdiction,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    utc_now,
)

S = Status

ALLOWED: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset(
        {S.AWAITING_VERIFICATION, S.VERIFIED, S.NEEDS_CLARIFICATION, S.DENIED, S.CANCELED, S.FAILED}
    ),
    S.NEEDS_CLARIFICATION: frozenset({S.AWAITING_VERIFICATION, S.VERIFIED, S.DENIED, S.CANCELED, S.FAILED}),
    S.AWAITING_VERIFICATION: frozenset({S.VERIFIED, S.NEEDS_CLARIFICATION, S.DENIED, S.CANCELED, S.FAILED}),
    S.VERIFIED: frozenset({S.IN_PROGRESS, S.AWAITING_DECISION, S.DENIED, S.CANCELED, S.FAILED}),
    S.IN_PROGRESS: frozenset({S.AWAITING_DECISION, S.COMPLETED, S.DENIED, S.CANCELED, S.FAILED}),
    S.AWAITING_DECISION: frozenset({S.IN_PROGRESS, S.COMPLETED, S.DENIED, S.CANCELED, S.FAILED}),
    # A replay puts the request back where it failed (verification, decision or action).
    S.FAILED: frozenset(
        {S.RECEIVED, S.AWAITING_VERIFICATION, S.VERIFIED, S.IN_PROGRESS, S.AWAITING_DECISION, S.CANCELED}
    ),
    S.COMPLETED: frozenset({S.APPEALED}),
    S.DENIED: frozenset({S.APPEALED}),
    S.APPEALED: frozenset({S.IN_PROGRESS, S.APPEAL_DENIED}),
    S.CANCELED: frozenset(),
    S.APPEAL_DENIED: frozenset(),
}

#: Opt-outs and limits are acted on without verification (CCPA §7026(d), §7027).
#: opt-outs (CCPA 7026(d)) and withdrawals of consent (GDPR Art. 7(3): as easy as giving it)
UNVERIFIED_TYPES = frozenset({RequestType.OPT_OUT, RequestType.WITHDRAW_CONSENT})


def allowed_targets(status: Status) -> frozenset[Status]:
    return ALLOWED[status]


def transition(
    request: RightsRequest,
    target: Status,
    *,
    outcome: Outcome | None = None,
    denial: Denial | None = None,
    appeal: Appeal | None = None,
    at: datetime | None = None,
) -> RightsRequest:
    """Return a copy of ``request`` in ``target``; the stored item changes only when the
    repository writes the copy under its version condition."""
    current = request.status
    if target not in ALLOWED[current]:
        raise IllegalTransition(current, target)
    _check_requirements(request, target, outcome, denial, appeal)
    changes: dict[str, object] = {"status": target, "status_changed_at": at or utc_now()}
    if target is S.COMPLETED:
        changes["outcome"] = outcome
    if target is S.DENIED:
        changes["denial"] = denial
    if target is S.APPEALED:
        changes["appeal"] = appeal
    if current is S.APPEALED and target is S.IN_PROGRESS:
        # a granted appeal re-opens the request: the earlier answer no longer stands
        changes["outcome"] = None
        changes["denial"] = None
    return request.model_copy(update=changes)


def _check_requirements(
    request: RightsRequest,
    target: Status,
    outcome: Outcome | None,
    denial: Denial | None,
    appeal: Appeal | None,
) -> None:
    current = request.status
    if target is S.COMPLETED and outcome is None:
        raise IllegalTransition(current, target, "completion needs an outcome")
    if target is not S.COMPLETED and outcome is not None:
        raise IllegalTransition(current, target, "only a completion carries an outcome")
    if target is S.DENIED and denial is None:
        raise IllegalTransition(current, target, "a denial needs a reason")
    if target is not S.DENIED and denial is not None:
        raise IllegalTransition(current, target, "only a denial carries a reason")
    skips_verification = current in (S.RECEIVED, S.NEEDS_CLARIFICATION)
    if target is S.VERIFIED and skips_verification and request.type not in UNVERIFIED_TYPES:
        raise IllegalTransition(current, target, "only opt-outs skip verification")
    if (target is S.APPEALED) != (appeal is not None):
        raise IllegalTransition(current, target, "an appeal, and only an appeal, carries the appeal")
    if target is S.APPEALED:
        # ``other`` (the state not yet known) is told it may appeal, so it may (core/remedies.py)
        if request.jurisdiction not in (Jurisdiction.US_STATE, Jurisdiction.OTHER):
            raise IllegalTransition(current, target, "appeals exist under US state laws only")
        if request.appeal is not None:
            raise IllegalTransition(current, target, "a request is appealed once")
        if current is S.COMPLETED and request.outcome is Outcome.COMPLIED:
            raise IllegalTransition(current, target, "nothing to appeal in a request complied with in full")
