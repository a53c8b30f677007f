"""Records of requests are kept 24 months after the request is closed, then removed whole
(CCPA §7101(a) asks for at least 24 months): the request item with its ledger, and every entry of
its audit chain, together.

Closed means final (completed, denied, canceled, appeal denied: ``models.FINAL_STATUSES``), and
the closing time is ``status_changed_at`` of that final status. An appeal re-opens a request (it
is no longer final, so it leaves the ``by_closed_at`` index) and its clock starts again when the
appeal is decided. A request stays open as long as it is open, whatever its age.

Removal, per request, in an order a crash cannot turn into a broken chain:

1. one conditional write marks the request ``expiring`` (only if its version is the one just
   read: a request changed in between, an appeal say, is left for the next run). From then on
   the chain check (``verify_chain(..., expiring=True)``) knows the chain is leaving whole;
2. its audit entries are deleted oldest first, so what a crash leaves is the chain's end, still
   linked to the head the request item records;
3. the request item is deleted, on condition that it is marked and its head is the last entry
   deleted (an entry appended meanwhile makes the delete fail: the next run takes it too).

A request marked ``expiring`` and still there (a crash, a timeout, a head that moved) is finished
by the next run: it is still in the index, and steps 2 and 3 are idempotent.

A request whose subject or business is under an active legal hold (``erasure.legal_holds``) is
kept past its 24 months, and reported as held, until the hold ends: the law asks for "at least"
24 months, and a hold asks for the evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel

from privacy_rights.core import clocks
from privacy_rights.core.models import FINAL_STATUSES, utc_now
from privacy_rights.core.ports import ExpiringRecords, FinalRequests, Holds, RecordState

#: CCPA §7101(a): "at least 24 months"
RETENTION_MONTHS = 24
#: add_months clamps to the month's last day, so a request closed on the 29th-31st may expire up
#: to 3 days "early" in calendar terms: the index is read this far past the plain cutoff and each
#: request is then checked exactly
_CLAMP_MARGIN = timedelta(days=3)


class DueRecord(BaseModel):
    """A closed request whose retention has ended (ids and dates only)."""

    request_id: str
    closed_at: datetime
    expires_at: datetime
    #: its removal began already (a run crashed or its head moved)
    expiring: bool


class RetentionReport(BaseModel):
    now: datetime
    months: int
    dry_run: bool
    #: removed whole (request, ledger, audit chain), with how many audit entries went
    expired: dict[str, int]
    #: due, kept by an active legal hold
    held: list[str]
    #: marked expiring but not finished (an entry was appended meanwhile): the next run finishes
    unfinished: list[str]
    #: listed by the index but no longer due when read (re-opened, changed, or gone)
    skipped: int
    #: what a dry run would remove
    due: list[DueRecord]
    #: more were due than this run's limit: the next run goes on
    more: bool


class RecordRetention:
    def __init__(
        self,
        records: ExpiringRecords,
        requests: FinalRequests,
        holds: Holds,
        months: int = RETENTION_MONTHS,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        if months < RETENTION_MONTHS:
            raise ValueError(f"records are kept at least {RETENTION_MONTHS} months (CCPA 7101)")
        self._records = records
        self._requests = requests
        self._holds = holds
        self._months = months
        self._clock = clock

    def expires_at(self, closed_at: datetime) -> datetime:
        """``months`` calendar months after closing (UTC), the day clamped to the month's end."""
        day = clocks.add_months(closed_at.date(), self._months)
        return datetime.combine(day, closed_at.timetz())

    def run(self, dry_run: bool = False, limit: int = 1000) -> RetentionReport:
        now = self._clock()
        report = RetentionReport(
            now=now,
            months=self._months,
            dry_run=dry_run,
            expired={},
            held=[],
            unfinished=[],
            skipped=0,
            due=[],
            more=False,
        )
        bound = datetime.combine(clocks.add_months(now.date(), -self._months), now.timetz()) + _CLAMP_MARGIN
        handled = 0
        for request_id in self._records.closed_before(bound):
            if handled >= limit:
                report.more = True
                break
            state = self._records.state(request_id)
            due = self._due(state, now)
            if state is None or due is None:
                report.skipped += 1
                continue
            if state.expiring is None and self._held(request_id):
                report.held.append(request_id)
                continue
            handled += 1
            if dry_run:
                report.due.append(due)
                continue
            self._remove(state, now, report)
        return report

    def backfill(self) -> int:
        """Put requests closed before the ``by_closed_at`` index existed into it (a save does it
        too); once, after the deployment that adds the index. Returns how many were added."""
        added = 0
        for status in sorted(FINAL_STATUSES):
            for request in self._requests.by_status(status):
                if self._records.index_closed(request.request_id, request.version, request.status_changed_at):
                    added += 1
        return added

    def _due(self, state: RecordState | None, now: datetime) -> DueRecord | None:
        if state is None or state.closed_at is None:
            return None
        expires = self.expires_at(state.closed_at)
        if state.expiring is None and expires > now:
            return None
        return DueRecord(
            request_id=state.request_id,
            closed_at=state.closed_at,
            expires_at=expires,
            expiring=state.expiring is not None,
        )

    def _held(self, request_id: str) -> bool:
        request = self._requests.get(request_id)
        tenants = request.resolution.tenants if request.resolution else []
        return bool(self._holds.active_for(request.subject_keys.values(), tenants))

    def _remove(self, state: RecordState, now: datetime, report: RetentionReport) -> None:
        request_id = state.request_id
        if state.expiring is None and not self._records.mark_expiring(request_id, state.version, now):
            report.skipped += 1  # changed since it was read: the next run looks again
            return
        seqs = sorted(self._records.audit_seqs(request_id))
        for seq in seqs:
            self._records.delete_audit_entry(request_id, seq)
        if self._records.delete_request(request_id, max([*seqs, state.audit_seq])):
            report.expired[request_id] = len(seqs)
        else:
            report.unfinished.append(request_id)
