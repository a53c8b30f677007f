"""Who may appeal what, and until when (see ``appeals``): the rules alone, for the status page
and the mail intake as for the appeal service."""

from __future__ import annotations

from datetime import date

from privacy_rights.core.models import Jurisdiction, Outcome, RightsRequest, Status
from privacy_rights.core.remedies import appeal_by


def appealable_until(request: RightsRequest) -> date | None:
    """The last day the answer of ``request`` may be appealed, or None when there is nothing
    it may appeal (not under a law with appeals, no answer yet, complied with in full, appealed)."""
    if why_not_appealable(request) is not None:
        return None
    return appeal_by(request.status_changed_at.date())


def why_not_appealable(request: RightsRequest, today: date | None = None) -> str | None:
    """A sentence of ours (statuses and dates, never input), or None when it may be appealed."""
    if request.jurisdiction is Jurisdiction.GDPR:
        return (
            "appeals exist under US state laws: under the GDPR you may complain to a data protection "
            "supervisory authority"
        )
    if request.jurisdiction is Jurisdiction.CCPA:
        return (
            "appeals exist under US state laws: under the CCPA you may complain to the CPPA or the "
            "Attorney General"
        )
    if request.appeal is not None or request.status in (Status.APPEALED, Status.APPEAL_DENIED):
        return "it was appealed already: a request is appealed once"
    if request.status is Status.COMPLETED and request.outcome is Outcome.COMPLIED:
        return "it was complied with in full: there is nothing to appeal"
    if request.status not in (Status.DENIED, Status.COMPLETED):
        return f"it is {request.status.value}: there is no answer to appeal yet"
    if today is not None:
        last_day = appeal_by(request.status_changed_at.date())
        if today > last_day:
            return f"the time to appeal this answer ended on {last_day.isoformat()}"
    return None
