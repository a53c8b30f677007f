"""Ops' review of a correction's planned changes (CCPA 7023(b)-(f), GDPR Art. 16): the request
waits (``AwaitCorrectionReview``, kind ``correction``) until ops answer, through
``POST /ops/requests/{id}/correction`` (``privacy-ops correction ID [--deny FIELD --reason TEXT]...``),
with the fields they deny and, for each, the reason the person reads; the others are applied.
Why a person: the law asks the business to weigh the totality of the circumstances, the
documentation it holds and the person's included, before it changes or refuses to change a
record; that is a judgement, and it is asked only when some record would change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from privacy_rights.core import errors
from privacy_rights.core.ports import Requests

#: the wait's kind, and the ledger entry its answer is kept under
REVIEW = "correction"

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=1000)]


class FieldDenial(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,30}$")]
    #: what the person reads: the documentation or circumstance the decision rests on
    reason: Reason


class ReviewCorrection(BaseModel):
    """The body of ``POST /ops/requests/{id}/correction``: no denial applies every change."""

    model_config = ConfigDict(extra="forbid")

    deny: list[FieldDenial] = Field(default_factory=list, max_length=20)
    #: ops' own note for the audit trail (the console asks it; the person never reads it)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)] | None = (
        Field(default=None, description="Why the review decided so (kept in the audit trail).")
    )


class CorrectionReviewed(BaseModel):
    request_id: str
    denied: list[str]


Answer = Callable[[str, Any, Mapping[str, Any], str], None]


def review_answer(asked: set[str], denials: Mapping[str, str]) -> dict[str, Any]:
    """The answer kept in the ledger: fields the request names, each denied with its reason."""
    problems = {
        f"deny.{field}": "this request does not ask to correct it" for field in denials if field not in asked
    }
    problems |= {
        f"deny.{field}": "give the reason the person will read (10 to 1000 characters)"
        for field, reason in denials.items()
        if not 10 <= len(reason.strip()) <= 1000
    }
    if problems:
        raise errors.ValidationFailed(problems)
    return {"decision": "reviewed", "denied": {f: r.strip() for f, r in sorted(denials.items())}}


class CorrectionReview:
    def __init__(self, store: Requests, answer: Answer) -> None:
        self._store = store
        self._answer = answer

    def review(self, request_id: str, command: ReviewCorrection, operator: str) -> CorrectionReviewed:
        if REVIEW not in self._store.waiting_for(request_id):
            raise errors.WaitNotPending(REVIEW)
        request = self._store.get(request_id)
        denials = {d.field: d.reason for d in command.deny}
        if len(denials) != len(command.deny):
            raise errors.ValidationFailed({"deny": "name each field once"})
        answer = review_answer({c.field for c in request.corrections}, denials)
        # which fields were denied, not the reasons' words (kept in the ledger for the answer)
        detail: dict[str, Any] = {"denied": sorted(denials)}
        if command.reason:
            detail["reason"] = command.reason
        self._store.record(request_id, operator, "ops.correction_review", detail)
        self._answer(request_id, REVIEW, answer, operator)
        return CorrectionReviewed(request_id=request_id, denied=sorted(denials))
