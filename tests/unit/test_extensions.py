"""Extending a deadline on fakes: once, within the law's limit, before the first date passes,
and never without the person told the reason and the new date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fakes import (
    FakeMessenger,
    FakeRequests,
    notices_workflow,
)

from privacy_rights.core import clocks, ledger_steps
from privacy_rights.core.errors import CannotMove, ValidationFailed
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import Jurisdiction, OptOutPurpose, RequestType, RightsRequest, Status
from privacy_rights.ops.extensions import ExtendCommand, ExtensionService

RECEIVED = datetime(2026, 11, 2, 17, 0, tzinfo=UTC)
REASON = "Your calls are held by four businesses; we are collecting every recording."


class Desk:
    def __init__(self, ring: KeyRing, request: RightsRequest, today: datetime) -> None:
        self.store = FakeRequests(request)
        self.messenger = FakeMessenger()
        workflow = notices_workflow(self.store, ring, self.messenger)
        self.service = ExtensionService(self.store, workflow, clock=lambda: today)


def _request(
    make_request: Callable[..., RightsRequest], jurisdiction: Jurisdiction, kind: RequestType, **fields: Any
) -> RightsRequest:
    due = clocks.deadlines(jurisdiction, kind, RECEIVED).respond_by
    return make_request(
        jurisdiction=jurisdiction,
        type=kind,
        received_at=RECEIVED,
        due=due,
        status=Status.IN_PROGRESS,
        **fields,
    )


def test_a_ccpa_request_gets_45_more_days_once_and_the_person_reads_why(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _request(make_request, Jurisdiction.CCPA, RequestType.DELETION)
    desk = Desk(ring, request, today=RECEIVED + timedelta(days=30))

    granted = desk.service.extend(request.request_id, ExtendCommand(reason=REASON), "olivia")

    assert (granted.due, granted.new_due) == (request.due, request.due + timedelta(days=45))
    assert granted.notice == "email"  # sent, by email
    (email,) = desk.messenger.sent
    assert REASON in email["text"]
    assert granted.new_due.isoformat() in email["text"]
    assert desk.store.get(request.request_id).current_due == granted.new_due
    assert "deadline.extended" in desk.store.actions(request.request_id)
    assert ledger_steps.notice("extension") in desk.store.ledger(request.request_id)

    again = desk.service.extend(request.request_id, ExtendCommand(reason=REASON), "olivia")  # a retry
    assert (again.new_due, len(desk.messenger.sent)) == (granted.new_due, 1)
    with pytest.raises(CannotMove, match="extended already"):
        desk.service.extend(request.request_id, ExtendCommand(reason="Another reason entirely."), "olivia")


def test_gdpr_allows_two_more_months_and_a_date_past_them_is_refused(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = _request(make_request, Jurisdiction.GDPR, RequestType.ACCESS)
    desk = Desk(ring, request, today=RECEIVED + timedelta(days=20))

    with pytest.raises(ValidationFailed) as refused:
        desk.service.extend(
            request.request_id, ExtendCommand(reason=REASON, until=date(2027, 2, 3)), "olivia"
        )
    assert "after the latest allowed 2027-02-02" in refused.value.errors["until"]
    assert desk.messenger.sent == []

    granted = desk.service.extend(request.request_id, ExtendCommand(reason=REASON), "olivia")
    assert granted.new_due == date(2027, 2, 2)


def test_no_extension_after_the_first_date_nor_for_an_opt_out_and_nothing_is_said(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    late = _request(make_request, Jurisdiction.CCPA, RequestType.ACCESS)
    day_after = datetime.combine(late.due + timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=20
    )
    desk = Desk(ring, late, today=day_after)
    with pytest.raises(CannotMove, match="deadline passed"):
        desk.service.extend(late.request_id, ExtendCommand(reason=REASON), "olivia")

    opt_out = _request(
        make_request, Jurisdiction.CCPA, RequestType.OPT_OUT, opt_out_of=(OptOutPurpose.SALE_SHARE,)
    )
    desk = Desk(ring, opt_out, today=RECEIVED)
    with pytest.raises(ValidationFailed, match="until"):
        desk.service.extend(opt_out.request_id, ExtendCommand(reason=REASON), "olivia")
    assert desk.messenger.sent == []
    assert desk.store.get(opt_out.request_id).extension is None
