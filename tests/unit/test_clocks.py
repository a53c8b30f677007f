"""The legal clocks, against hand-counted dates.

Holiday facts the expectations rely on are asserted from the ``holidays`` library first, so a change in
the library shows up as a failed precondition rather than as a puzzling off-by-one.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_rights.core.clocks import (
    Deadlines,
    add_business_days,
    add_months,
    appeal_due,
    business_calendar,
    deadlines,
    extended_due,
    receipt_date,
)
from privacy_rights.core.errors import ExtensionNotAllowed
from privacy_rights.core.models import Jurisdiction, RequestType

LA = ZoneInfo("America/Los_Angeles")
CA_HOLIDAYS = holidays.country_holidays("US", subdiv="CA")
WEEKENDS_ONLY = holidays.HolidayBase()

#: The holiday calendar every expectation below was checked against. A new ``holidays`` release
#: can move a due date (a state adds a holiday, an observance rule changes): upgrade it in the lock
#: (layers/requirements.in, then `make lock`) and in pyproject.toml together, re-check the dates,
#: then change this.
CLOCKS_CHECKED_AGAINST_HOLIDAYS = "0.109"


def test_the_clocks_were_checked_against_the_shipped_holiday_calendar() -> None:
    from lambda_package import LOCK_PATH

    assert holidays.__version__ == CLOCKS_CHECKED_AGAINST_HOLIDAYS
    assert f"holidays=={CLOCKS_CHECKED_AGAINST_HOLIDAYS} " in LOCK_PATH.read_text()


KNOW_DELETE_CORRECT = [
    RequestType.ACCESS,
    RequestType.PORTABILITY,
    RequestType.DELETION,
    RequestType.CORRECTION,
]
FORTY_FIVE_DAY_TYPES = [*KNOW_DELETE_CORRECT, RequestType.RESTRICTION, RequestType.OBJECTION]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def la(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LA)


# Wednesday 2026-11-25, 10:00 in California: the day before Thanksgiving.
BEFORE_THANKSGIVING = la("2026-11-25T10:00")


# --- add_months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 5, 31), 1, date(2026, 6, 30)),
        (date(2026, 1, 30), 1, date(2026, 2, 28)),
        (date(2026, 1, 28), 1, date(2026, 2, 28)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2026, 10, 31), 3, date(2027, 1, 31)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2000, 1, 31), 1, date(2000, 2, 29)),  # divisible by 400: leap
        (date(2100, 1, 31), 1, date(2100, 2, 28)),  # divisible by 100 only: not leap
        (date(2026, 6, 10), 0, date(2026, 6, 10)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 31), 25, date(2028, 2, 29)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)), months=st.integers(-36, 120))
def test_add_months_moves_whole_months_and_clamps_only_at_month_end(start: date, months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.day <= start.day
    if result.day != start.day:
        # Clamped: only because the target month is too short, and then to its very last day.
        assert (result + timedelta(days=1)).day == 1


# --- add_business_days ------------------------------------------------------------------------------


def test_ca_calendar_has_the_holidays_the_expectations_rely_on() -> None:
    ca_2026 = holidays.country_holidays("US", subdiv="CA", years=[2026, 2027])
    assert date(2026, 11, 26) in ca_2026  # Thanksgiving, Thursday
    assert date(2026, 11, 27) in ca_2026  # California's Day After Thanksgiving, Friday
    assert date(2026, 12, 25) in ca_2026  # Christmas, Friday
    assert date(2027, 1, 1) in ca_2026  # New Year's Day, Friday
    assert date(2026, 12, 24) not in ca_2026
    assert date(2027, 12, 24) in ca_2026  # Christmas 2027 is a Saturday: observed Friday
    assert date(2027, 12, 31) in ca_2026  # New Year 2028 is a Saturday: observed Friday
    federal = holidays.country_holidays("US", years=2026)
    assert date(2026, 11, 26) in federal
    assert date(2026, 11, 27) not in federal


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 5, 4), 1, date(2026, 5, 5)),  # Mon -> Tue
        (date(2026, 5, 8), 1, date(2026, 5, 11)),  # Fri -> Mon
        (date(2026, 5, 9), 1, date(2026, 5, 11)),  # Sat -> Mon
        (date(2026, 5, 10), 1, date(2026, 5, 11)),  # Sun -> Mon
        (date(2026, 5, 4), 5, date(2026, 5, 11)),  # a whole working week
        (date(2026, 5, 9), 10, date(2026, 5, 22)),
        (date(2026, 5, 6), 0, date(2026, 5, 6)),
    ],
)
def test_add_business_days_skips_weekends(start: date, days: int, expected: date) -> None:
    assert add_business_days(start, days, WEEKENDS_ONLY) == expected


def test_add_business_days_across_thanksgiving_in_california() -> None:
    wednesday = date(2026, 11, 25)
    # Thu and Fri are both Californian holidays, then the weekend.
    assert add_business_days(wednesday, 1, CA_HOLIDAYS) == date(2026, 11, 30)
    assert add_business_days(wednesday, 10, CA_HOLIDAYS) == date(2026, 12, 11)
    assert add_business_days(wednesday, 15, CA_HOLIDAYS) == date(2026, 12, 18)


def test_add_business_days_federal_calendar_works_the_friday_after_thanksgiving() -> None:
    assert add_business_days(date(2026, 11, 25), 1, holidays.country_holidays("US")) == date(2026, 11, 27)


def test_add_business_days_across_christmas_and_new_year() -> None:
    # Wed 23 Dec 2026: Thu 24 counts, Fri 25 and Fri 1 Jan do not.
    assert add_business_days(date(2026, 12, 23), 1, CA_HOLIDAYS) == date(2026, 12, 24)
    assert add_business_days(date(2026, 12, 23), 2, CA_HOLIDAYS) == date(2026, 12, 28)
    assert add_business_days(date(2026, 12, 23), 15, CA_HOLIDAYS) == date(2027, 1, 15)
    # 2027: both holidays fall on Saturdays and are observed on the Fridays before.
    assert add_business_days(date(2027, 12, 23), 1, CA_HOLIDAYS) == date(2027, 12, 27)
    assert add_business_days(date(2027, 12, 30), 1, CA_HOLIDAYS) == date(2028, 1, 3)


def test_add_business_days_holiday_start_is_not_counted() -> None:
    assert add_business_days(date(2026, 11, 26), 1, CA_HOLIDAYS) == date(2026, 11, 30)


def test_add_business_days_rejects_negative_days() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_days(date(2026, 5, 4), -1, WEEKENDS_ONLY)


@settings(max_examples=100, deadline=None)
@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), days=st.integers(1, 30))
def test_add_business_days_lands_on_the_nth_business_day_after_start(start: date, days: int) -> None:
    result = add_business_days(start, days, CA_HOLIDAYS)
    assert result > start
    assert result.weekday() < 5
    assert result not in CA_HOLIDAYS
    between = [start + timedelta(days=n) for n in range(1, (result - start).days + 1)]
    assert sum(1 for d in between if d.weekday() < 5 and d not in CA_HOLIDAYS) == days


# --- business_calendar ------------------------------------------------------------------------------


def test_business_calendar_ccpa_is_california() -> None:
    calendar = business_calendar(Jurisdiction.CCPA)
    assert date(2026, 11, 27) in calendar
    assert date(2026, 3, 31) in calendar  # Cesar Chavez Day, California only


def test_business_calendar_ccpa_ignores_us_state() -> None:
    assert date(2026, 11, 27) in business_calendar(Jurisdiction.CCPA, "NY")


def test_business_calendar_other_is_california() -> None:
    assert date(2026, 11, 27) in business_calendar(Jurisdiction.OTHER)


def test_business_calendar_us_state_uses_the_state() -> None:
    colorado = business_calendar(Jurisdiction.US_STATE, "CO")
    assert date(2026, 10, 5) in colorado  # Frances Xavier Cabrini Day
    assert date(2026, 10, 5) not in business_calendar(Jurisdiction.US_STATE, None)
    assert add_business_days(date(2026, 10, 2), 1, colorado) == date(2026, 10, 6)


def test_business_calendar_us_state_accepts_lower_case() -> None:
    assert date(2026, 11, 27) in business_calendar(Jurisdiction.US_STATE, "ca")


def test_business_calendar_us_state_without_state_is_federal() -> None:
    federal = business_calendar(Jurisdiction.US_STATE)
    assert date(2026, 11, 26) in federal
    assert date(2026, 11, 27) not in federal


def test_business_calendar_unknown_state_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="ZZ"):
        business_calendar(Jurisdiction.US_STATE, "ZZ")


def test_business_calendar_gdpr_has_no_holidays() -> None:
    calendar = business_calendar(Jurisdiction.GDPR)
    assert date(2026, 12, 25) not in calendar
    assert add_business_days(date(2026, 12, 24), 1, calendar) == date(2026, 12, 25)


def test_business_calendar_is_a_fresh_object_each_time() -> None:
    first = business_calendar(Jurisdiction.CCPA)
    first[date(2026, 6, 1)] = "a caller's own day off"
    assert date(2026, 6, 1) not in business_calendar(Jurisdiction.CCPA)


# --- receipt_date -----------------------------------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", list(Jurisdiction))
def test_receipt_date_rejects_naive_datetimes(jurisdiction: Jurisdiction) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        receipt_date(datetime(2026, 3, 10, 12, 0), jurisdiction)


def test_receipt_2330_utc_is_the_same_day_in_california_afternoon() -> None:
    moment = utc("2026-03-10T23:30")
    assert moment.astimezone(LA).hour == 16  # PDT: mid-afternoon, not yet evening
    assert receipt_date(moment, Jurisdiction.CCPA) == date(2026, 3, 10)
    assert receipt_date(moment, Jurisdiction.US_STATE) == date(2026, 3, 10)
    assert receipt_date(moment, Jurisdiction.GDPR) == date(2026, 3, 10)
    assert receipt_date(moment, Jurisdiction.OTHER) == date(2026, 3, 10)


def test_receipt_after_midnight_utc_is_still_yesterday_in_california() -> None:
    moment = utc("2026-03-11T06:30")  # 23:30 PDT on the 10th
    assert receipt_date(moment, Jurisdiction.CCPA) == date(2026, 3, 10)
    assert receipt_date(moment, Jurisdiction.US_STATE) == date(2026, 3, 10)
    assert receipt_date(moment, Jurisdiction.GDPR) == date(2026, 3, 11)
    assert receipt_date(moment, Jurisdiction.OTHER) == date(2026, 3, 11)


def test_receipt_in_winter_uses_pacific_standard_time() -> None:
    assert receipt_date(utc("2026-01-15T07:59"), Jurisdiction.CCPA) == date(2026, 1, 14)
    assert receipt_date(utc("2026-01-15T08:00"), Jurisdiction.CCPA) == date(2026, 1, 15)


def test_receipt_converts_any_offset_to_utc_for_gdpr() -> None:
    paris = timezone(timedelta(hours=1))
    moment = datetime(2026, 3, 11, 0, 30, tzinfo=paris)  # 23:30 UTC on the 10th
    assert receipt_date(moment, Jurisdiction.GDPR) == date(2026, 3, 10)


# --- deadlines: GDPR --------------------------------------------------------------------------------


@pytest.mark.parametrize("request_type", list(RequestType))
def test_gdpr_one_month_extendable_by_two(request_type: RequestType) -> None:
    clocks = deadlines(Jurisdiction.GDPR, request_type, utc("2026-01-31T10:00"))
    assert clocks == Deadlines(
        acknowledge_by=None,
        respond_by=date(2026, 2, 28),
        latest_extended=date(2026, 4, 30),
        extension_notice_by=date(2026, 2, 28),
    )


def test_gdpr_leap_year() -> None:
    clocks = deadlines(Jurisdiction.GDPR, RequestType.ACCESS, utc("2028-01-31T10:00"))
    assert clocks.respond_by == date(2028, 2, 29)
    assert clocks.latest_extended == date(2028, 4, 30)


def test_gdpr_over_the_year_end() -> None:
    clocks = deadlines(Jurisdiction.GDPR, RequestType.DELETION, utc("2026-12-31T10:00"))
    assert clocks.respond_by == date(2027, 1, 31)
    assert clocks.latest_extended == date(2027, 3, 31)


def test_gdpr_counts_from_the_utc_date() -> None:
    # 23:30 on 31 Jan in California is already 1 Feb in UTC.
    clocks = deadlines(Jurisdiction.GDPR, RequestType.ACCESS, la("2026-01-31T23:30"))
    assert clocks.respond_by == date(2026, 3, 1)


# --- deadlines: CCPA --------------------------------------------------------------------------------


@pytest.mark.parametrize("request_type", KNOW_DELETE_CORRECT)
def test_ccpa_know_delete_correct_before_thanksgiving(request_type: RequestType) -> None:
    clocks = deadlines(Jurisdiction.CCPA, request_type, BEFORE_THANKSGIVING)
    assert clocks == Deadlines(
        acknowledge_by=date(2026, 12, 11),  # 10 business days, Thanksgiving and the day after skipped
        respond_by=date(2027, 1, 9),  # 45 calendar days, holidays irrelevant
        latest_extended=date(2027, 2, 23),  # 90 days
        extension_notice_by=date(2027, 1, 9),
    )


@pytest.mark.parametrize("request_type", [RequestType.RESTRICTION, RequestType.OBJECTION])
def test_ccpa_restriction_and_objection_have_the_45_day_clock_without_acknowledgement(
    request_type: RequestType,
) -> None:
    clocks = deadlines(Jurisdiction.CCPA, request_type, BEFORE_THANKSGIVING)
    assert clocks == Deadlines(
        acknowledge_by=None,
        respond_by=date(2027, 1, 9),
        latest_extended=date(2027, 2, 23),
        extension_notice_by=date(2027, 1, 9),
    )


def test_ccpa_opt_out_is_15_business_days_without_extension_or_acknowledgement() -> None:
    clocks = deadlines(Jurisdiction.CCPA, RequestType.OPT_OUT, BEFORE_THANKSGIVING)
    assert clocks == Deadlines(
        acknowledge_by=None,
        respond_by=date(2026, 12, 18),
        latest_extended=None,
        extension_notice_by=None,
    )


def test_ccpa_opt_out_across_christmas_and_new_year() -> None:
    clocks = deadlines(Jurisdiction.CCPA, RequestType.OPT_OUT, la("2026-12-23T09:00"))
    assert clocks.respond_by == date(2027, 1, 15)


def test_ccpa_acknowledgement_from_a_saturday() -> None:
    clocks = deadlines(Jurisdiction.CCPA, RequestType.DELETION, la("2026-01-31T12:00"))
    assert clocks.acknowledge_by == date(2026, 2, 13)
    assert clocks.respond_by == date(2026, 3, 17)
    assert clocks.latest_extended == date(2026, 5, 1)


def test_ccpa_counts_from_the_california_date() -> None:
    # 06:30 UTC on 11 Mar is 23:30 on 10 Mar in California: the clock starts on the 10th.
    clocks = deadlines(Jurisdiction.CCPA, RequestType.ACCESS, utc("2026-03-11T06:30"))
    assert clocks.respond_by == date(2026, 3, 10) + timedelta(days=45)
    assert clocks.latest_extended == date(2026, 3, 10) + timedelta(days=90)


def test_ccpa_ignores_us_state() -> None:
    with_state = deadlines(Jurisdiction.CCPA, RequestType.OPT_OUT, BEFORE_THANKSGIVING, us_state="NY")
    assert with_state.respond_by == date(2026, 12, 18)


def test_deadlines_reject_naive_datetimes() -> None:
    for jurisdiction in Jurisdiction:
        with pytest.raises(ValueError, match="timezone-aware"):
            deadlines(jurisdiction, RequestType.ACCESS, datetime(2026, 3, 10, 12, 0))


def test_deadlines_are_frozen() -> None:
    clocks = deadlines(Jurisdiction.CCPA, RequestType.ACCESS, BEFORE_THANKSGIVING)
    with pytest.raises(dataclasses.FrozenInstanceError):
        clocks.respond_by = date(2030, 1, 1)  # type: ignore[misc]


# --- deadlines: US state ----------------------------------------------------------------------------


@pytest.mark.parametrize("request_type", FORTY_FIVE_DAY_TYPES)
def test_us_state_45_days_extendable_to_90_without_acknowledgement(request_type: RequestType) -> None:
    clocks = deadlines(Jurisdiction.US_STATE, request_type, BEFORE_THANKSGIVING, us_state="VA")
    assert clocks == Deadlines(
        acknowledge_by=None,
        respond_by=date(2027, 1, 9),
        latest_extended=date(2027, 2, 23),
        extension_notice_by=date(2027, 1, 9),
    )


def test_us_state_opt_out_uses_the_state_calendar() -> None:
    federal = deadlines(Jurisdiction.US_STATE, RequestType.OPT_OUT, BEFORE_THANKSGIVING)
    california = deadlines(Jurisdiction.US_STATE, RequestType.OPT_OUT, BEFORE_THANKSGIVING, us_state="CA")
    assert federal == Deadlines(
        acknowledge_by=None, respond_by=date(2026, 12, 17), latest_extended=None, extension_notice_by=None
    )
    # The Friday after Thanksgiving is a business day federally but not in California.
    assert california.respond_by == date(2026, 12, 18)


def test_us_state_counts_from_the_california_date() -> None:
    clocks = deadlines(Jurisdiction.US_STATE, RequestType.DELETION, utc("2026-03-11T06:30"), us_state="TX")
    assert clocks.respond_by == date(2026, 4, 24)


# --- deadlines: other (strictest of GDPR and CCPA) --------------------------------------------------


def test_other_takes_gdpr_month_when_it_is_earlier() -> None:
    clocks = deadlines(Jurisdiction.OTHER, RequestType.DELETION, utc("2026-01-31T18:00"))
    assert clocks == Deadlines(
        acknowledge_by=date(2026, 2, 13),  # CCPA's, the only regime with one
        respond_by=date(2026, 2, 28),  # GDPR's month beats 45 days
        latest_extended=date(2026, 4, 30),  # GDPR 3 months (89 days) beats 90 days
        extension_notice_by=date(2026, 2, 28),
    )


def test_other_takes_ccpa_90_days_when_three_months_are_longer() -> None:
    received = utc("2026-05-15T17:00")
    clocks = deadlines(Jurisdiction.OTHER, RequestType.DELETION, received)
    assert deadlines(Jurisdiction.GDPR, RequestType.DELETION, received).latest_extended == date(2026, 8, 15)
    assert clocks.respond_by == date(2026, 6, 15)
    assert clocks.latest_extended == date(2026, 8, 13)
    assert clocks.acknowledge_by == date(2026, 6, 1)  # Memorial Day, 25 May, skipped


def test_other_opt_out_takes_ccpa_business_days_and_no_extension() -> None:
    clocks = deadlines(Jurisdiction.OTHER, RequestType.OPT_OUT, BEFORE_THANKSGIVING)
    assert deadlines(Jurisdiction.GDPR, RequestType.OPT_OUT, BEFORE_THANKSGIVING).respond_by == date(
        2026, 12, 25
    )
    assert clocks == Deadlines(
        acknowledge_by=None, respond_by=date(2026, 12, 18), latest_extended=None, extension_notice_by=None
    )


def test_other_restriction_has_no_acknowledgement() -> None:
    clocks = deadlines(Jurisdiction.OTHER, RequestType.RESTRICTION, utc("2026-01-31T18:00"))
    assert clocks.acknowledge_by is None
    assert clocks.respond_by == date(2026, 2, 28)


def test_other_uses_the_earlier_california_date_where_it_bites() -> None:
    # 31 Jan 23:30 in California = 1 Feb in UTC; the CCPA acknowledgement still counts from 31 Jan.
    clocks = deadlines(Jurisdiction.OTHER, RequestType.ACCESS, la("2026-01-31T23:30"))
    assert clocks.acknowledge_by == date(2026, 2, 13)
    assert clocks.respond_by == date(2026, 3, 1)


@settings(max_examples=60, deadline=None)
@given(
    received=st.datetimes(
        min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
    ),
    request_type=st.sampled_from(list(RequestType)),
)
def test_other_is_never_later_than_either_regime(received: datetime, request_type: RequestType) -> None:
    other = deadlines(Jurisdiction.OTHER, request_type, received)
    gdpr = deadlines(Jurisdiction.GDPR, request_type, received)
    ccpa = deadlines(Jurisdiction.CCPA, request_type, received)
    assert other.respond_by == min(gdpr.respond_by, ccpa.respond_by)
    assert other.acknowledge_by == ccpa.acknowledge_by
    if gdpr.latest_extended is None or ccpa.latest_extended is None:
        assert other.latest_extended is None
        assert other.extension_notice_by is None
    else:
        assert other.latest_extended == min(gdpr.latest_extended, ccpa.latest_extended)
        assert other.extension_notice_by is not None
        assert other.extension_notice_by <= other.respond_by


# --- extended_due -----------------------------------------------------------------------------------


def test_gdpr_extension_defaults_to_three_months() -> None:
    assert extended_due(Jurisdiction.GDPR, RequestType.ACCESS, utc("2026-11-30T10:00")) == date(2027, 2, 28)


def test_ccpa_extension_defaults_to_90_days() -> None:
    received = la("2026-03-10T10:00")
    assert extended_due(Jurisdiction.CCPA, RequestType.DELETION, received) == date(2026, 6, 8)
    assert date(2026, 6, 8) - date(2026, 3, 10) == timedelta(days=90)


def test_us_state_extension_defaults_to_90_days() -> None:
    received = la("2026-03-10T10:00")
    assert extended_due(Jurisdiction.US_STATE, RequestType.ACCESS, received, us_state="VA") == date(
        2026, 6, 8
    )


@pytest.mark.parametrize(
    ("jurisdiction", "requested"),
    [
        (Jurisdiction.GDPR, date(2026, 4, 15)),
        (Jurisdiction.GDPR, date(2026, 6, 10)),  # exactly the maximum
        (Jurisdiction.GDPR, date(2026, 4, 10)),  # exactly the original due
        (Jurisdiction.CCPA, date(2026, 5, 1)),
        (Jurisdiction.CCPA, date(2026, 6, 8)),
        (Jurisdiction.CCPA, date(2026, 4, 24)),
    ],
)
def test_extension_to_a_requested_date_within_the_window(jurisdiction: Jurisdiction, requested: date) -> None:
    received = utc("2026-03-10T18:00")
    assert extended_due(jurisdiction, RequestType.ACCESS, received, requested) == requested


@pytest.mark.parametrize(
    ("jurisdiction", "requested", "message"),
    [
        (Jurisdiction.GDPR, date(2026, 4, 9), "before the original"),
        (Jurisdiction.GDPR, date(2026, 6, 11), "after the latest"),
        (Jurisdiction.CCPA, date(2026, 4, 23), "before the original"),
        (Jurisdiction.CCPA, date(2026, 6, 9), "after the latest"),
        (
            Jurisdiction.OTHER,
            date(2026, 6, 9),
            "after the latest",
        ),  # within GDPR's 3 months, past CCPA's 90 days
    ],
)
def test_extension_outside_the_window_is_refused(
    jurisdiction: Jurisdiction, requested: date, message: str
) -> None:
    with pytest.raises(ExtensionNotAllowed, match=message):
        extended_due(jurisdiction, RequestType.ACCESS, utc("2026-03-10T18:00"), requested)


@pytest.mark.parametrize("jurisdiction", [Jurisdiction.CCPA, Jurisdiction.US_STATE, Jurisdiction.OTHER])
@pytest.mark.parametrize("requested", [None, date(2026, 4, 1)])
def test_opt_out_cannot_be_extended(jurisdiction: Jurisdiction, requested: date | None) -> None:
    with pytest.raises(ExtensionNotAllowed):
        extended_due(jurisdiction, RequestType.OPT_OUT, utc("2026-03-10T18:00"), requested, us_state="CA")


def test_gdpr_opt_out_is_an_objection_and_can_be_extended() -> None:
    assert extended_due(Jurisdiction.GDPR, RequestType.OPT_OUT, utc("2026-03-10T18:00")) == date(2026, 6, 10)


def test_other_extension_takes_the_earlier_maximum() -> None:
    received = utc("2026-05-15T17:00")
    assert extended_due(Jurisdiction.OTHER, RequestType.ACCESS, received) == date(2026, 8, 13)


def test_extended_due_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extended_due(Jurisdiction.CCPA, RequestType.ACCESS, datetime(2026, 3, 10, 12, 0))


# --- appeal_due -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("us_state", "expected"),
    [
        (None, date(2026, 5, 9)),
        ("VA", date(2026, 5, 9)),
        ("CT", date(2026, 5, 9)),
        ("CO", date(2026, 4, 24)),
        ("co", date(2026, 4, 24)),
    ],
)
def test_appeal_due_60_days_45_in_colorado(us_state: str | None, expected: date) -> None:
    assert appeal_due(la("2026-03-10T10:00"), us_state) == expected


def test_appeal_due_counts_from_the_california_date() -> None:
    # 06:30 UTC on 11 Mar is still 10 Mar in California.
    assert appeal_due(utc("2026-03-11T06:30"), "VA") == date(2026, 5, 9)
    assert appeal_due(utc("2026-03-11T07:30"), "VA") == date(2026, 5, 10)


def test_appeal_due_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        appeal_due(datetime(2026, 3, 10, 12, 0), "CO")
