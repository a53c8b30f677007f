"""The legal clocks: when a request must be acknowledged, answered, and at the latest extended.

Pure functions over dates, no I/O. The rules are those of ``docs/legal-rules.md`` (CCPA regulations
§§ 7021, 7026, 7027; GDPR Art. 12(3); the US state appeal provisions).

Which calendar date a request was received on
    Receipt timestamps must be timezone-aware; a naive one raises ``ValueError`` rather than being
    guessed at, since a guess can move the receipt date and with it every deadline.
    For CCPA and US state requests the receipt date is the date in ``America/Los_Angeles``: the business
    is in California and the business days the regulations count are California's, so a request that
    arrives at 23:30 UTC (mid-afternoon in California) was received that Californian day, not the next.
    For GDPR and ``other`` requests the receipt date is the date in UTC. An ``other`` request takes, for
    each deadline, the earlier of its GDPR and its CCPA result, each computed with its own receipt date;
    since the Californian date is never later than the UTC one, the stricter reading always wins.
    Appeals (a US state law concept) are dated in ``America/Los_Angeles`` for the same reason.

Counting
    "Within N days of receipt" is the receipt date plus N calendar days. "Within one month" is the same
    day of the next month, clamped to that month's last day (31 Jan -> 28/29 Feb). Business days are
    Monday to Friday minus the observed holidays of the ``holidays`` library's calendar for the place;
    the first business day counted is the one after receipt.

Strict readings where the rules leave room
    US state laws vary; opt-outs under them get the CCPA's 15 business days without extension. A request
    whose jurisdiction is unknown (``other``) gets the earliest deadline either regime would impose and
    no extension where either forbids one. GDPR has no opt-out of its own: an opt-out there is an
    objection (Art. 21) and keeps Art. 12(3)'s one month, extendable by two.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from privacy_rights.core.errors import ExtensionNotAllowed
from privacy_rights.core.models import Jurisdiction, RequestType

__all__ = [
    "Deadlines",
    "add_business_days",
    "add_months",
    "appeal_due",
    "business_calendar",
    "deadlines",
    "extended_due",
    "receipt_date",
]

_CALIFORNIA = ZoneInfo("America/Los_Angeles")
_US_JURISDICTIONS = frozenset({Jurisdiction.CCPA, Jurisdiction.US_STATE})

_GDPR_RESPOND_MONTHS = 1
_GDPR_EXTENDED_MONTHS = 3  # one month plus "two further months"
_US_RESPOND_DAYS = 45
_US_EXTENDED_DAYS = 90  # 45 plus one extension of up to 45 more
_ACKNOWLEDGE_BUSINESS_DAYS = 10
_OPT_OUT_BUSINESS_DAYS = 15
_APPEAL_DAYS = 60
_APPEAL_DAYS_BY_STATE = {"CO": 45}

#: §7021(a) asks for a confirmation of receipt only for requests to delete, correct or know.
_ACKNOWLEDGED_TYPES = frozenset(
    {RequestType.DELETION, RequestType.CORRECTION, RequestType.ACCESS, RequestType.PORTABILITY}
)


@dataclass(frozen=True)
class Deadlines:
    """Every clock a new request starts. ``None`` means the law sets no such clock."""

    acknowledge_by: date | None
    respond_by: date
    latest_extended: date | None
    extension_notice_by: date | None


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _local_date(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()


def receipt_date(received_at: datetime, jurisdiction: Jurisdiction) -> date:
    """The calendar date the clocks start from (see the module docstring for the time zone)."""
    _require_aware(received_at, "received_at")
    zone: tzinfo = _CALIFORNIA if jurisdiction in _US_JURISDICTIONS else UTC
    return _local_date(received_at, zone)


def add_months(start: date, months: int) -> date:
    """Calendar-month arithmetic; a day the target month lacks becomes that month's last day."""
    year, month_index = divmod(start.year * 12 + (start.month - 1) + months, 12)
    month = month_index + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


if TYPE_CHECKING:
    import holidays


def _is_business_day(day: date, calendar: holidays.HolidayBase) -> bool:
    return day.weekday() < 5 and day not in calendar


def add_business_days(start: date, days: int, calendar: holidays.HolidayBase) -> date:
    """The ``days``-th business day after ``start``; ``start`` itself never counts, even if a business day.

    ``days == 0`` returns ``start`` unchanged.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if _is_business_day(current, calendar):
            remaining -= 1
    return current


def _us_calendar(state: str) -> holidays.HolidayBase:
    import holidays

    code = state.strip().upper()
    if code not in holidays.list_supported_countries()["US"]:
        raise ValueError(f"unknown US state or territory: {state!r}")
    return holidays.country_holidays("US", subdiv=code)


def business_calendar(jurisdiction: Jurisdiction, us_state: str | None = None) -> holidays.HolidayBase:
    """The holidays that do not count as business days for ``jurisdiction``.

    A fresh object on every call: ``HolidayBase`` is mutable (it fills years in lazily and can be
    edited), so sharing one would let a caller's change leak into everyone's deadlines.
    """
    import holidays  # ~35 ms of import: paid only by the functions that compute clocks

    if jurisdiction is Jurisdiction.GDPR:
        # GDPR counts months, not business days; weekends are still skipped by add_business_days.
        return holidays.HolidayBase()
    if jurisdiction is Jurisdiction.US_STATE:
        return holidays.country_holidays("US") if us_state is None else _us_calendar(us_state)
    # CCPA is California's law; "other" borrows the CCPA's clocks and so its calendar.
    return _us_calendar("CA")


def _gdpr_deadlines(received_at: datetime) -> Deadlines:
    received = receipt_date(received_at, Jurisdiction.GDPR)
    respond_by = add_months(received, _GDPR_RESPOND_MONTHS)
    return Deadlines(
        acknowledge_by=None,
        respond_by=respond_by,
        latest_extended=add_months(received, _GDPR_EXTENDED_MONTHS),
        # Art. 12(3): the subject is told of the extension within the first month.
        extension_notice_by=respond_by,
    )


def _us_deadlines(
    jurisdiction: Jurisdiction, request_type: RequestType, received_at: datetime, us_state: str | None
) -> Deadlines:
    received = receipt_date(received_at, jurisdiction)
    calendar = business_calendar(jurisdiction, us_state)
    if request_type is RequestType.OPT_OUT:
        # §§ 7026(f), 7027: opt-outs and limits have a business-day clock and no extension.
        return Deadlines(
            acknowledge_by=None,
            respond_by=add_business_days(received, _OPT_OUT_BUSINESS_DAYS, calendar),
            latest_extended=None,
            extension_notice_by=None,
        )
    acknowledge_by = None
    if jurisdiction is Jurisdiction.CCPA and request_type in _ACKNOWLEDGED_TYPES:
        acknowledge_by = add_business_days(received, _ACKNOWLEDGE_BUSINESS_DAYS, calendar)
    respond_by = received + timedelta(days=_US_RESPOND_DAYS)
    return Deadlines(
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        latest_extended=received + timedelta(days=_US_EXTENDED_DAYS),
        # §7021(b): notice of the extension goes out within the first 45 days.
        extension_notice_by=respond_by,
    )


def _earliest_of(gdpr: Deadlines, ccpa: Deadlines) -> Deadlines:
    latest_extended = None
    extension_notice_by = None
    # An extension is possible only if both regimes allow one, and then only to the earlier maximum.
    if gdpr.latest_extended is not None and ccpa.latest_extended is not None:
        latest_extended = min(gdpr.latest_extended, ccpa.latest_extended)
        notices = [d for d in (gdpr.extension_notice_by, ccpa.extension_notice_by) if d is not None]
        extension_notice_by = min(notices) if notices else None
    return Deadlines(
        acknowledge_by=ccpa.acknowledge_by,
        respond_by=min(gdpr.respond_by, ccpa.respond_by),
        latest_extended=latest_extended,
        extension_notice_by=extension_notice_by,
    )


def deadlines(
    jurisdiction: Jurisdiction,
    request_type: RequestType,
    received_at: datetime,
    us_state: str | None = None,
) -> Deadlines:
    """The clocks a request starts on receipt. ``us_state`` matters only for ``US_STATE``."""
    _require_aware(received_at, "received_at")
    if jurisdiction is Jurisdiction.GDPR:
        return _gdpr_deadlines(received_at)
    if jurisdiction is Jurisdiction.OTHER:
        return _earliest_of(
            _gdpr_deadlines(received_at),
            _us_deadlines(Jurisdiction.CCPA, request_type, received_at, None),
        )
    return _us_deadlines(jurisdiction, request_type, received_at, us_state)


def extended_due(
    jurisdiction: Jurisdiction,
    request_type: RequestType,
    received_at: datetime,
    requested_due: date | None = None,
    us_state: str | None = None,
) -> date:
    """The due date after the one extension the law allows.

    Without ``requested_due`` the extension runs to the legal maximum. A requested date may be shorter
    than that, but not before the original due date nor past the maximum; either raises
    ``ExtensionNotAllowed``, as does a request type whose clock cannot be extended.
    """
    clocks = deadlines(jurisdiction, request_type, received_at, us_state)
    if clocks.latest_extended is None:
        raise ExtensionNotAllowed(
            f"a {request_type.value} request under {jurisdiction.value} cannot be extended"
        )
    if requested_due is None:
        return clocks.latest_extended
    if requested_due < clocks.respond_by:
        raise ExtensionNotAllowed(
            f"requested due {requested_due} is before the original due {clocks.respond_by}"
        )
    if requested_due > clocks.latest_extended:
        raise ExtensionNotAllowed(
            f"requested due {requested_due} is after the latest allowed {clocks.latest_extended}"
        )
    return requested_due


def appeal_due(filed_at: datetime, us_state: str | None) -> date:
    """When an appeal must be decided: 60 days after filing, 45 in Colorado."""
    _require_aware(filed_at, "filed_at")
    state = us_state.strip().upper() if us_state else None
    days = _APPEAL_DAYS_BY_STATE.get(state, _APPEAL_DAYS) if state else _APPEAL_DAYS
    return _local_date(filed_at, _CALIFORNIA) + timedelta(days=days)
