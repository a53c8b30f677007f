"""Record retention on a frozen clock (CCPA §7101): a closed request's record (item, ledger, audit
chain) is kept 24 calendar months after closing and then removed whole; an open request is kept
whatever its age; a removal cut short leaves a request marked ``expiring`` whose remaining chain
still checks, and the next run finishes it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fakes import FakeHoldRecords, FakeRecordStore, FakeRequests

from privacy_rights.core.audit import next_entry, verify_chain
from privacy_rights.core.errors import AuditChainBroken, NotFound
from privacy_rights.core.models import Outcome, RightsRequest, Status
from privacy_rights.core.ports import RecordState
from privacy_rights.erasure.legal_holds import Hold, HoldService
from privacy_rights.ops.record_retention import RecordRetention, RetentionReport

#: the frozen "now" of every run
NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
SUBJECT_KEY = "f" * 64


def _closed(
    make_request: Callable[..., RightsRequest], n: int, closed_at: datetime, **fields: Any
) -> RightsRequest:
    base: dict[str, Any] = {
        "request_id": f"req_keep{n:016d}",
        "status": Status.COMPLETED,
        "outcome": Outcome.COMPLIED,
        "received_at": closed_at - timedelta(days=20),
        "status_changed_at": closed_at,
        "due": (closed_at + timedelta(days=10)).date(),
        "subject_keys": {"email": SUBJECT_KEY},
        "version": 7,
    }
    return make_request(**(base | fields))


def _retention(
    store: FakeRecordStore, at: datetime = NOW, holds: FakeHoldRecords | None = None
) -> RecordRetention:
    service = HoldService(holds or FakeHoldRecords(), None, FakeRequests(), clock=lambda: at)  # type: ignore[arg-type]
    return RecordRetention(store, store, service, clock=lambda: at)


def _months_ago(months: int, days: int = 0) -> datetime:
    year, month = divmod(NOW.year * 12 + NOW.month - 1 - months, 12)
    return NOW.replace(year=year, month=month + 1) - timedelta(days=days)


def _gone(store: FakeRecordStore, request_id: str) -> bool:
    with pytest.raises(NotFound):
        store.get(request_id)
    return not store.entries.get(request_id) and request_id not in store.ledgers


# -- what goes and what stays ------------------------------------------------------------------


def test_a_request_closed_23_months_ago_is_kept_whole(make_request: Callable[..., RightsRequest]) -> None:
    store = FakeRecordStore()
    store.add(kept := _closed(make_request, 1, _months_ago(23)), entries=6)

    report = _retention(store).run()

    assert report.expired == {}
    assert store.get(kept.request_id) == kept
    assert store.verify(kept.request_id) == 6
    assert store.ledgers[kept.request_id]


def test_24_months_and_a_day_after_closing_the_request_its_ledger_and_every_entry_are_gone(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeRecordStore()
    store.add(old := _closed(make_request, 1, _months_ago(24, days=1)), entries=9)
    store.add(denied := _closed(make_request, 2, _months_ago(30), status=Status.DENIED, outcome=None))
    store.add(young := _closed(make_request, 3, _months_ago(12)))

    report = _retention(store).run()

    assert report.expired == {old.request_id: 9, denied.request_id: 3}
    assert _gone(store, old.request_id)
    assert _gone(store, denied.request_id)
    assert store.verify(young.request_id) == 3
    assert _retention(store).run().expired == {}  # nothing left to do


@pytest.mark.parametrize(
    "status", [Status.IN_PROGRESS, Status.FAILED, Status.APPEALED, Status.AWAITING_DECISION]
)
def test_an_open_request_of_three_years_is_kept_whole(
    make_request: Callable[..., RightsRequest], status: Status
) -> None:
    store = FakeRecordStore()
    store.add(
        open_request := _closed(make_request, 1, _months_ago(36), status=status, outcome=None), entries=4
    )

    report = _retention(store).run()

    assert report.expired == {}
    assert report.skipped == 0
    assert store.get(open_request.request_id) == open_request
    assert store.verify(open_request.request_id) == 4


@pytest.mark.parametrize(
    ("closed_at", "expires_at"),
    [
        # the 29th of February: two years on, February ends on the 28th
        (datetime(2024, 2, 29, 12, 0, tzinfo=UTC), datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        (datetime(2024, 3, 31, 23, 59, tzinfo=UTC), datetime(2026, 3, 31, 23, 59, tzinfo=UTC)),
        (datetime(2024, 12, 7, 3, 0, tzinfo=UTC), datetime(2026, 12, 7, 3, 0, tzinfo=UTC)),
    ],
)
def test_24_calendar_months_to_the_second(
    make_request: Callable[..., RightsRequest], closed_at: datetime, expires_at: datetime
) -> None:
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, closed_at))

    assert _retention(store, at=expires_at - timedelta(seconds=1)).run().expired == {}
    assert store.verify(request.request_id) == 3
    assert _retention(store, at=expires_at).run().expired == {request.request_id: 3}


def test_fewer_than_24_months_is_refused() -> None:
    store = FakeRecordStore()
    with pytest.raises(ValueError, match="24 months"):
        RecordRetention(store, store, None, months=23)  # type: ignore[arg-type]


def test_a_longer_setting_keeps_longer(make_request: Callable[..., RightsRequest]) -> None:
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, _months_ago(30)))
    holds = HoldService(FakeHoldRecords(), None, FakeRequests(), clock=lambda: NOW)  # type: ignore[arg-type]

    assert RecordRetention(store, store, holds, months=36, clock=lambda: NOW).run().expired == {}
    assert RecordRetention(store, store, holds, months=24, clock=lambda: NOW).run().expired == {
        request.request_id: 3
    }


# -- a removal cut short -------------------------------------------------------------------------


def test_a_crash_among_the_entries_leaves_a_marked_request_whose_chain_still_checks_and_the_next_run_finishes(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, _months_ago(25)), entries=5)
    store.fail_after_deletes = 2

    with pytest.raises(RuntimeError):
        _retention(store).run()

    assert store.state(request.request_id) == RecordState(
        request_id=request.request_id,
        version=7,
        closed_at=request.status_changed_at,
        expiring=NOW,
        audit_seq=5,
    )
    assert store.audit_seqs(request.request_id) == [3, 4, 5]  # oldest first: the end stays linked
    assert store.verify(request.request_id) == 3

    store.fail_after_deletes = None
    report = _retention(store, at=NOW + timedelta(days=1)).run()

    assert report.expired == {request.request_id: 3}
    assert _gone(store, request.request_id)


def test_a_crash_after_the_last_entry_leaves_a_request_with_no_chain_that_checks_and_is_finished(
    make_request: Callable[..., RightsRequest], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, _months_ago(25)), entries=4)

    def crash(request_id: str, head_seq: int) -> bool:
        raise RuntimeError("timed out")

    monkeypatch.setattr(store, "delete_request", crash)
    with pytest.raises(RuntimeError):
        _retention(store).run()
    monkeypatch.undo()

    assert store.audit_seqs(request.request_id) == []
    assert store.ledgers[request.request_id]
    assert store.verify(request.request_id) == 0
    assert _retention(store).run().expired == {request.request_id: 0}
    assert _gone(store, request.request_id)


def test_a_marked_request_is_finished_even_after_it_changed_and_a_hold_came(
    make_request: Callable[..., RightsRequest],
) -> None:
    """The mark is the point of no return: what began is finished, nothing half kept."""
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, _months_ago(25)), entries=3)
    store.marks[request.request_id] = NOW - timedelta(days=1)
    store.requests[request.request_id] = request.model_copy(update={"version": 8})

    assert _retention(store, holds=_held(request)).run().expired == {request.request_id: 3}


def test_an_entry_written_during_the_removal_is_removed_too_by_the_next_run(
    make_request: Callable[..., RightsRequest],
) -> None:
    class Racing(FakeRecordStore):
        raced = False

        def audit_seqs(self, request_id: str) -> list[int]:
            listed = super().audit_seqs(request_id)
            if not self.raced:
                self.raced = True
                self.append(request_id, "notice.sent")  # lands after the listing
            return listed

    store = Racing()
    store.add(request := _closed(make_request, 1, _months_ago(25)), entries=3)

    first = _retention(store).run()

    assert first.expired == {}
    assert first.unfinished == [request.request_id]
    assert store.audit_seqs(request.request_id) == [4]
    assert store.verify(request.request_id) == 1
    assert _retention(store).run().expired == {request.request_id: 1}
    assert _gone(store, request.request_id)


def test_a_request_changed_between_the_read_and_the_mark_is_left_for_the_next_run(
    make_request: Callable[..., RightsRequest],
) -> None:
    class Changing(FakeRecordStore):
        def state(self, request_id: str) -> RecordState | None:
            read = super().state(request_id)
            request = self.requests[request_id]
            self.requests[request_id] = request.model_copy(update={"version": request.version + 1})
            return read

    store = Changing()
    store.add(request := _closed(make_request, 1, _months_ago(25)), entries=3)

    report = _retention(store).run()

    assert report.expired == {}
    assert report.skipped == 1
    assert request.request_id not in store.marks
    assert store.verify(request.request_id) == 3


def test_a_request_the_index_still_lists_but_an_appeal_reopened_is_kept(
    make_request: Callable[..., RightsRequest],
) -> None:
    class StaleIndex(FakeRecordStore):
        def closed_before(self, cutoff: datetime) -> Iterator[str]:
            return iter(list(self.requests))

    store = StaleIndex()
    store.add(request := _closed(make_request, 1, _months_ago(25), status=Status.APPEALED, outcome=None))

    report = _retention(store).run()

    assert report.expired == {}
    assert report.skipped == 1
    assert store.verify(request.request_id) == 3


# -- legal holds, dry runs -----------------------------------------------------------------------


def _held(request: RightsRequest, until: date | None = None) -> FakeHoldRecords:
    holds = FakeHoldRecords()
    holds.add(
        Hold(
            hold_id="hold_" + "0" * 32,
            scope="subject",
            subject_keys=[request.subject_keys["email"]],
            reason="litigation about these calls",
            matter="Doe v. CallX",
            placed_by="ops",
            placed_at=NOW - timedelta(days=400),
            until=until,
        )
    )
    return holds


def test_a_request_under_a_legal_hold_is_kept_past_24_months_until_the_hold_ends(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeRecordStore()
    store.add(request := _closed(make_request, 1, _months_ago(25)))
    holds = _held(request, until=NOW.date() + timedelta(days=30))

    report = _retention(store, holds=holds).run()

    assert report.held == [request.request_id]
    assert report.expired == {}
    assert store.verify(request.request_id) == 3
    later = NOW + timedelta(days=31)
    assert _retention(store, at=later, holds=holds).run().expired == {request.request_id: 3}


def test_a_dry_run_lists_what_would_go_and_changes_nothing(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeRecordStore()
    store.add(old := _closed(make_request, 1, _months_ago(26)))
    store.add(_closed(make_request, 2, _months_ago(20)))

    report: RetentionReport = _retention(store).run(dry_run=True)

    assert [(due.request_id, due.expiring) for due in report.due] == [(old.request_id, False)]
    assert report.due[0].expires_at == old.status_changed_at.replace(year=old.status_changed_at.year + 2)
    assert report.expired == {}
    assert not store.marks
    assert store.verify(old.request_id) == 3


def test_a_run_stops_at_its_limit_and_says_there_is_more(make_request: Callable[..., RightsRequest]) -> None:
    store = FakeRecordStore()
    for n in range(3):
        store.add(_closed(make_request, n, _months_ago(25, days=n)))

    first = _retention(store).run(limit=2)

    assert len(first.expired) == 2
    assert first.more
    second = _retention(store).run(limit=2)
    assert len(second.expired) == 1
    assert not second.more


# -- the chain check ---------------------------------------------------------------------------


def _chain(n: int) -> list[Any]:
    entries: list[Any] = []
    for _ in range(n):
        entries.append(
            next_entry("req_chain", entries[-1] if entries else None, "workflow", "step.completed")
        )
    return entries


def test_the_chain_check_tolerates_a_missing_beginning_only_while_the_request_is_expiring() -> None:
    chain = _chain(5)
    head = (chain[-1].seq, chain[-1].hash)

    assert verify_chain(chain[2:], expected_head=head, expiring=True) == 3
    assert verify_chain([], expected_head=head, expiring=True) == 0
    with pytest.raises(AuditChainBroken, match="entry 1 is missing"):
        verify_chain(chain[2:], expected_head=head)
    with pytest.raises(AuditChainBroken, match="entry 4 is missing"):
        verify_chain([chain[2], chain[4]], expected_head=head, expiring=True)
    with pytest.raises(AuditChainBroken, match="ends before entry 5"):
        verify_chain(chain[2:4], expected_head=head, expiring=True)
    altered = chain[3].model_copy(update={"action": "request.canceled"})
    with pytest.raises(AuditChainBroken, match="altered"):
        verify_chain([chain[2], altered, chain[4]], expected_head=head, expiring=True)


def test_requests_closed_before_the_index_existed_are_indexed_once_then_expire(
    make_request: Callable[..., RightsRequest],
) -> None:
    store = FakeRecordStore()
    store.add(legacy := _closed(make_request, 1, _months_ago(30)))
    store.add(
        open_request := _closed(make_request, 2, _months_ago(30), status=Status.IN_PROGRESS, outcome=None)
    )
    store.unindexed |= {legacy.request_id, open_request.request_id}

    assert _retention(store).run().expired == {}  # the index does not list it yet
    assert _retention(store).backfill() == 1
    assert _retention(store).backfill() == 0
    assert _retention(store).run().expired == {legacy.request_id: 3}
    assert store.verify(open_request.request_id) == 3
