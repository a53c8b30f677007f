"""The overdue sweeper on a frozen clock: each legal clock (acknowledgement, response, extension
notice, appeal decision) is due soon from two business days before its date, in the request's
own calendar (California's holidays, a month's end, weekends only under the GDPR) and time
zone, and overdue the day after; a clock met (a notice delivered, an answer given) is not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fakes import FakeRequests

from privacy_rights.core import ledger_steps
from privacy_rights.core.models import Appeal, Extension, Jurisdiction, Outcome, RightsRequest, Status
from privacy_rights.orchestration.deadline_sweep import DeadlineSweep, SweepReport

#: Thursday 24 December 2026, 9:00 in California: Friday the 25th is a holiday, then a weekend
CHRISTMAS_EVE = datetime(2026, 12, 24, 17, 0, tzinfo=UTC)


def _sweep(
    *requests: RightsRequest, at: datetime, delivered: dict[str, list[str]] | None = None
) -> SweepReport:
    store = FakeRequests(*requests)
    for request_id, notices in (delivered or {}).items():
        for name in notices:
            store.complete_step(request_id, ledger_steps.notice(name), {"channel": "email"}, "workflow")
    return DeadlineSweep(store, clock=lambda: at).sweep()


def _clocks(report: SweepReport) -> set[tuple[str, str, str]]:
    return {(clock.request_id, clock.kind, clock.state) for clock in report.clocks}


def _ccpa(make_request: Callable[..., RightsRequest], n: int, **fields: Any) -> RightsRequest:
    base: dict[str, Any] = {
        "request_id": f"req_sweep{n:015d}",
        "jurisdiction": Jurisdiction.CCPA,
        "status": Status.IN_PROGRESS,
        "due": date(2027, 1, 20),
    }
    return make_request(**(base | fields))


def test_christmas_counts_as_no_business_day_and_a_delivered_acknowledgement_is_no_clock(
    make_request: Callable[..., RightsRequest],
) -> None:
    monday = _ccpa(make_request, 1, acknowledge_by=date(2026, 12, 28))
    tuesday = _ccpa(make_request, 2, acknowledge_by=date(2026, 12, 29))  # 2nd business day: the 25th is none
    wednesday = _ccpa(make_request, 3, acknowledge_by=date(2026, 12, 30))  # the 3rd: not yet
    acknowledged = _ccpa(make_request, 4, acknowledge_by=date(2026, 12, 28))

    report = _sweep(
        monday, tuesday, wednesday, acknowledged, at=CHRISTMAS_EVE,
        delivered={acknowledged.request_id: ["acknowledgement"]},
    )  # fmt: skip

    assert _clocks(report) == {
        (monday.request_id, "acknowledgement", "due_soon"),
        (tuesday.request_id, "acknowledgement", "due_soon"),
    }
    assert report.due_soon["acknowledgement"] == 2
    assert report.overdue == {
        "acknowledgement": 0,
        "response": 0,
        "extension_notice": 0,
        "appeal_decision": 0,
    }


def test_a_date_is_the_last_day_to_act_in_the_requests_own_time_zone(
    make_request: Callable[..., RightsRequest],
) -> None:
    """07:00 UTC on the 24th is still the 23rd in California, already the 24th under the GDPR."""
    early = datetime(2026, 12, 24, 7, 0, tzinfo=UTC)
    ccpa = _ccpa(make_request, 1, due=date(2026, 12, 23))
    gdpr = _ccpa(make_request, 2, due=date(2026, 12, 23), jurisdiction=Jurisdiction.GDPR)

    assert _clocks(_sweep(ccpa, gdpr, at=early)) == {
        (ccpa.request_id, "response", "due_soon"),
        (gdpr.request_id, "response", "overdue"),
    }
    assert _sweep(ccpa, at=early + timedelta(days=1)).overdue["response"] == 1


def test_across_a_months_end_two_business_days_reach_into_the_next_month(
    make_request: Callable[..., RightsRequest],
) -> None:
    friday = datetime(2027, 1, 29, 18, 0, tzinfo=UTC)
    tuesday = _ccpa(make_request, 1, due=date(2027, 2, 2))
    wednesday = _ccpa(make_request, 2, due=date(2027, 2, 3))
    gdpr_monday = _ccpa(make_request, 3, due=date(2027, 2, 1), jurisdiction=Jurisdiction.GDPR)

    assert _clocks(_sweep(tuesday, wednesday, gdpr_monday, at=friday)) == {
        (tuesday.request_id, "response", "due_soon"),
        (gdpr_monday.request_id, "response", "due_soon"),
    }


def test_an_extension_moves_the_response_and_its_notice_is_due_by_the_first_date(
    make_request: Callable[..., RightsRequest],
) -> None:
    extension = Extension(
        extended_at=CHRISTMAS_EVE - timedelta(days=3), reason="many stores", new_due=date(2027, 2, 5)
    )
    unannounced = _ccpa(make_request, 1, due=date(2026, 12, 22), extension=extension)
    announced = _ccpa(make_request, 2, due=date(2026, 12, 22), extension=extension)

    report = _sweep(unannounced, announced, at=CHRISTMAS_EVE, delivered={announced.request_id: ["extension"]})

    assert _clocks(report) == {(unannounced.request_id, "extension_notice", "overdue")}


def test_an_appeal_runs_its_own_clock_and_answered_requests_run_none(
    make_request: Callable[..., RightsRequest],
) -> None:
    filed = CHRISTMAS_EVE - timedelta(days=44)
    appealed = _ccpa(
        make_request, 1, status=Status.APPEALED, due=date(2026, 11, 1),
        appeal=Appeal(filed_at=filed, due=date(2026, 12, 24)),
    )  # fmt: skip
    done = _ccpa(make_request, 2, status=Status.COMPLETED, outcome=Outcome.COMPLIED, due=date(2026, 11, 1))
    denied = _ccpa(make_request, 3, status=Status.CANCELED, due=date(2026, 11, 1))

    report = _sweep(appealed, done, denied, at=CHRISTMAS_EVE)

    assert _clocks(report) == {(appealed.request_id, "appeal_decision", "due_soon")}  # today is its last day
    assert _sweep(appealed, at=CHRISTMAS_EVE + timedelta(days=1)).overdue["appeal_decision"] == 1
