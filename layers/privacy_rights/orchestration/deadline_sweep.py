"""The overdue sweeper: every legal clock of every open request, checked on a schedule, so no
request can wait unnoticed past its deadline whatever its workflow does (a wait for a person, a
wait for a business, a failed step, an appeal the state machine never sees).

Four clocks, each due on a date the request carries:
- ``acknowledgement``: the confirmation of receipt (CCPA §7021(a): 10 business days), due by
  ``acknowledge_by`` until the acknowledgement notice is delivered;
- ``response``: the substantive answer, due by the current due date (the extended one after an
  extension) while the request is open;
- ``extension_notice``: an extension is lawful only if the person is told before the first
  deadline passes, so an extension whose notice is not delivered is due by the original date;
- ``appeal_decision``: an appeal (US states) is decided by its own date (60 days, Colorado 45).

A clock is *overdue* the day after its date (the date is the last day to act), and *due soon*
from two business days before it (the request's business calendar: California's for the CCPA,
the state's, or weekends only under the GDPR). Each kind's count of overdue clocks is a metric
with an alarm; the ops API and ``privacy-ops deadlines`` list them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel

from privacy_rights.core import clocks, ledger_steps
from privacy_rights.core.models import FINAL_STATUSES, RightsRequest, Status, utc_now
from privacy_rights.core.ports import Requests

ClockKind = Literal["acknowledgement", "response", "extension_notice", "appeal_decision"]
CLOCK_KINDS: tuple[ClockKind, ...] = ("acknowledgement", "response", "extension_notice", "appeal_decision")
#: a clock this many business days (or fewer) from its date is due soon
DUE_SOON_BUSINESS_DAYS = 2
#: the metric each kind's overdue count is published as (and alarmed on)
OVERDUE_METRICS: dict[ClockKind, str] = {
    "acknowledgement": "OverdueAcknowledgements",
    "response": "OverdueResponses",
    "extension_notice": "OverdueExtensionNotices",
    "appeal_decision": "OverdueAppealDecisions",
}
OPEN_STATUSES = tuple(status for status in Status if status not in FINAL_STATUSES)


class DueClock(BaseModel):
    """One clock of one request that is overdue or due soon (ids, kinds and dates: no personal data)."""

    request_id: str
    kind: ClockKind
    due: date
    state: Literal["overdue", "due_soon"]
    status: Status
    jurisdiction: str


class SweepReport(BaseModel):
    today: date
    clocks: list[DueClock]
    overdue: dict[str, int]
    due_soon: dict[str, int]


def _clocks(request: RightsRequest, delivered: set[str]) -> list[tuple[ClockKind, date]]:
    found: list[tuple[ClockKind, date]] = []
    if request.acknowledge_by is not None and ledger_steps.notice("acknowledgement") not in delivered:
        found.append(("acknowledgement", request.acknowledge_by))
    if request.status is Status.APPEALED:
        if request.appeal is not None and request.appeal.decision is None:
            found.append(("appeal_decision", request.appeal.due))
        return found  # answered already: the appeal's clock is the one running
    found.append(("response", request.current_due))
    if request.extension is not None and ledger_steps.notice("extension") not in delivered:
        found.append(("extension_notice", request.due))
    return found


class DeadlineSweep:
    def __init__(self, store: Requests, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    def sweep(self) -> SweepReport:
        now = self._clock()
        due: list[DueClock] = []
        # one "due soon" horizon per calendar and day, not a holiday calendar built per request
        horizons: dict[tuple[str, str | None, date], date] = {}
        for status in OPEN_STATUSES:
            for request in self._store.by_status(status):
                today = clocks.receipt_date(now, request.jurisdiction)
                place = (request.jurisdiction.value, request.us_state, today)
                if place not in horizons:
                    calendar = clocks.business_calendar(request.jurisdiction, request.us_state)
                    horizons[place] = clocks.add_business_days(today, DUE_SOON_BUSINESS_DAYS, calendar)
                soon = horizons[place]
                delivered = set(self._store.ledger(request.request_id))
                for kind, day in _clocks(request, delivered):
                    if day <= soon:
                        due.append(
                            DueClock(
                                request_id=request.request_id,
                                kind=kind,
                                due=day,
                                state="overdue" if day < today else "due_soon",
                                status=request.status,
                                jurisdiction=request.jurisdiction.value,
                            )
                        )
        due.sort(key=lambda clock: (clock.due, clock.kind, clock.request_id))
        overdue = Counter(clock.kind for clock in due if clock.state == "overdue")
        soon_counts = Counter(clock.kind for clock in due if clock.state == "due_soon")
        return SweepReport(
            today=now.date(),
            clocks=due,
            overdue={kind: overdue[kind] for kind in CLOCK_KINDS},
            due_soon={kind: soon_counts[kind] for kind in CLOCK_KINDS},
        )
