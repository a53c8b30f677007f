"""When a notice the provider refused is sent again, and when an unsent one needs a person."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_INTERVAL = timedelta(hours=1)
#: an acknowledgement or answer unsent this long raises the alarm and shows in ``privacy-ops list``
UNSENT_ALARM_AGE = timedelta(hours=1)


def next_attempt_at(attempts: int, now: datetime) -> datetime:
    """After ``attempts`` refused sends: 1, 2, 4 ... minutes, at most an hour apart."""
    interval = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return now + min(interval, MAX_RETRY_INTERVAL)


def overdue(since: datetime, now: datetime) -> bool:
    return now - since >= UNSENT_ALARM_AGE
