"""Notices that did not go: sent again while the provider refused them, settled against the
provider's record when they may have gone, and put before a person when nothing else can tell.

A scheduled function sweeps the held notices (``sweep``); ``privacy-ops notices`` lists them and
``privacy-ops notice`` records a person's decision (``decide``). Every answer says what the
ledger and the provider's record show, nothing more.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from privacy_rights.core import errors, ledger_steps
from privacy_rights.core.models import utc_now
from privacy_rights.core.ports import NoticeRecords, OutstandingNotice, Requests
from privacy_rights.orchestration.notice_backoff import overdue

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]


class HeldNotice(BaseModel):
    request_id: str
    notice: str
    state: str
    since: datetime
    attempts: int
    next_at: datetime
    last_error: str
    unsent_over_an_hour: bool
    #: what it needs: the sweep sends it again, or a person must decide
    needs: Literal["retry", "a person"]


class SweepReport(BaseModel):
    sent: int = 0
    still_refused: int = 0
    uncertain: int = 0
    settled: int = 0
    #: held notices whose intent is over an hour old, after this sweep (the alarm's metric)
    unsent_over_an_hour: int = 0


class NoticeDecision(BaseModel):
    """A person's decision on a held notice: ``resend`` (they checked it did not go),
    ``delivered`` (they checked it did), ``abandon`` (it cannot go; the reason says why)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["resend", "delivered", "abandon"]
    reason: Reason


def held_notice(held: OutstandingNotice, now: datetime) -> HeldNotice:
    return HeldNotice(
        request_id=held.request_id,
        notice=held.name,
        state=held.state,
        since=held.since,
        attempts=held.attempts,
        next_at=held.next_at,
        last_error=held.last_error,
        unsent_over_an_hour=overdue(held.since, now),
        needs="retry" if held.state == "retry" else "a person",
    )


class NoticeRetries:
    def __init__(self, store: Requests, records: NoticeRecords, workflow: Workflow) -> None:
        self._store = store
        self._records = records
        self._workflow = workflow

    def sweep(self, now: datetime | None = None) -> SweepReport:
        now = now or utc_now()
        report = SweepReport()
        for held in self._records.outstanding():
            if held.state == "retry" and held.next_at > now:
                continue  # backing off
            outcome = self._workflow.retry_notice(held)
            if outcome in ("email", "sms", "voice", "withheld"):
                report.sent += 1
            elif outcome == "already_sent" or outcome.startswith("confirmed"):
                report.settled += 1
            elif outcome == "held":
                report.still_refused += 1
            else:
                report.uncertain += 1
        report.unsent_over_an_hour = sum(overdue(h.since, now) for h in self._records.outstanding())
        return report

    def held(self, now: datetime | None = None) -> list[HeldNotice]:
        now = now or utc_now()
        return sorted(
            (held_notice(h, now) for h in self._records.outstanding()), key=lambda n: (n.since, n.request_id)
        )

    def decide(self, request_id: str, notice: str, command: NoticeDecision, operator: str) -> dict[str, str]:
        held = self._records.held(request_id, notice)
        if held is None:
            raise errors.NotFound(f"{request_id}:{notice}")
        if ledger_steps.notice(notice) in self._store.ledger(request_id):
            self._records.settle(request_id, notice)
            return {"request_id": request_id, "notice": notice, "result": "already_delivered"}
        self._store.record(
            request_id,
            operator,
            f"ops.notice_{command.decision}",
            {"notice": notice, "reason": command.reason},
        )
        if command.decision == "resend":
            again = OutstandingNotice(
                request_id, notice, "retry", held.since, held.attempts, utc_now(), held.last_error
            )
            self._records.hold(again)
            result = self._workflow.retry_notice(again)
        elif command.decision == "delivered":
            result = self._workflow.settle_notice(
                request_id, notice, {"channel": "confirmed_by_ops", "reason": command.reason}
            )
        else:
            result = self._workflow.settle_notice(
                request_id, notice, {"channel": "withheld", "reason": f"abandoned by ops: {command.reason}"}
            )
        return {"request_id": request_id, "notice": notice, "result": result}
