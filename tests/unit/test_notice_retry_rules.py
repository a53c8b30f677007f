"""Held notices: the backoff, the sweep (what it sends again, what it leaves to a person, what
the alarm counts) and a person's decision (privacy_rights.orchestration.notice_retries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from privacy_rights.core.errors import NotFound
from privacy_rights.core.ports import OutstandingNotice
from privacy_rights.orchestration.notice_backoff import next_attempt_at, overdue
from privacy_rights.orchestration.notice_retries import NoticeDecision, NoticeRetries

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
RID = "req_test0000000000000001"


def notice(
    state: str = "retry", attempts: int = 1, age: timedelta = timedelta(minutes=5), **kw: Any
) -> OutstandingNotice:
    fields: dict[str, Any] = {
        "request_id": RID,
        "name": "acknowledgement",
        "state": state,
        "since": NOW - age,
        "attempts": attempts,
        "next_at": next_attempt_at(attempts, NOW - age),
        "last_error": "Throttling",
    } | kw
    return OutstandingNotice(**fields)


class FakeRecords:
    def __init__(self, *held: OutstandingNotice) -> None:
        self.held_notices = {(n.request_id, n.name): n for n in held}

    def outstanding(self) -> list[OutstandingNotice]:
        return list(self.held_notices.values())

    def held(self, request_id: str, name: str) -> OutstandingNotice | None:
        return self.held_notices.get((request_id, name))

    def hold(self, held: OutstandingNotice) -> None:
        self.held_notices[(held.request_id, held.name)] = held

    def settle(self, request_id: str, name: str) -> None:
        self.held_notices.pop((request_id, name), None)


class FakeWorkflow:
    """Sends what is due (or refuses it again), as ``Workflow.retry_notice`` answers."""

    def __init__(self, records: FakeRecords, answers: dict[str, str]) -> None:
        self.records = records
        self.answers = answers
        self.retried: list[OutstandingNotice] = []
        self.settled: list[tuple[str, str, dict[str, str]]] = []

    def retry_notice(self, held: OutstandingNotice) -> str:
        self.retried.append(held)
        answer = self.answers.get(held.state, "email")
        if answer == "email":
            self.records.settle(held.request_id, held.name)
        return answer

    def settle_notice(self, request_id: str, name: str, delivery: dict[str, str]) -> str:
        self.settled.append((request_id, name, delivery))
        self.records.settle(request_id, name)
        return delivery["channel"]


class FakeLedger:
    def __init__(self, ledger: dict[str, Any] | None = None) -> None:
        self.entries = dict(ledger or {})
        self.audit: list[tuple[str, str, dict[str, Any]]] = []

    def ledger(self, request_id: str) -> dict[str, Any]:
        return dict(self.entries)

    def record(self, request_id: str, actor: str, action: str, detail: Any = None) -> None:
        self.audit.append((actor, action, dict(detail or {})))


def retries(
    *held: OutstandingNotice, answers: dict[str, str] | None = None, ledger: dict[str, Any] | None = None
) -> tuple[NoticeRetries, FakeRecords, FakeWorkflow, FakeLedger]:
    records = FakeRecords(*held)
    workflow = FakeWorkflow(records, answers or {"retry": "email", "uncertain": "uncertain"})
    store = FakeLedger(ledger)
    return NoticeRetries(store, records, workflow), records, workflow, store  # type: ignore[arg-type]


def test_refused_sends_back_off_from_a_minute_doubling_to_at_most_an_hour() -> None:
    waits = [next_attempt_at(n, NOW) - NOW for n in range(1, 10)]

    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert waits[-1] == timedelta(hours=1)
    assert waits == sorted(waits)


def test_a_notice_is_overdue_after_an_hour_unsent() -> None:
    assert not overdue(NOW - timedelta(minutes=59), NOW)
    assert overdue(NOW - timedelta(hours=1), NOW)


def test_the_sweep_sends_again_only_what_is_due_and_leaves_uncertain_ones_to_a_person() -> None:
    due = notice(request_id="req_due")
    waiting = notice(request_id="req_waiting", attempts=6, age=timedelta(seconds=30))
    unsure = notice(request_id="req_unsure", state="uncertain", age=timedelta(hours=3))
    sweep, records, workflow, _ = retries(due, waiting, unsure)

    report = sweep.sweep(NOW)

    assert [h.request_id for h in workflow.retried] == ["req_due", "req_unsure"]
    assert (report.sent, report.uncertain, report.still_refused) == (1, 1, 0)
    assert report.unsent_over_an_hour == 1  # the uncertain one: the alarm's count
    assert set(records.held_notices) == {
        ("req_waiting", "acknowledgement"),
        ("req_unsure", "acknowledgement"),
    }


def test_a_notice_refused_again_stays_held_and_counts_once_over_an_hour() -> None:
    sweep, records, _, _ = retries(notice(age=timedelta(hours=2)), answers={"retry": "held"})

    report = sweep.sweep(NOW)

    assert (report.sent, report.still_refused, report.unsent_over_an_hour) == (0, 1, 1)
    assert records.outstanding()


def test_a_person_confirms_delivery_or_gives_up_and_it_is_recorded_in_their_words() -> None:
    sweep, records, workflow, store = retries(notice(state="uncertain"))

    answer = sweep.decide(
        RID, "acknowledgement", NoticeDecision(decision="abandon", reason="address gone"), "alice"
    )

    assert answer["result"] == "withheld"
    assert workflow.settled == [
        (RID, "acknowledgement", {"channel": "withheld", "reason": "abandoned by ops: address gone"})
    ]
    assert store.audit == [
        ("alice", "ops.notice_abandon", {"notice": "acknowledgement", "reason": "address gone"})
    ]
    assert records.outstanding() == []


def test_resend_on_a_person_s_word_sends_at_once_even_an_uncertain_notice() -> None:
    sweep, _, workflow, _ = retries(notice(state="uncertain", attempts=2))

    answer = sweep.decide(
        RID, "acknowledgement", NoticeDecision(decision="resend", reason="it bounced"), "alice"
    )

    assert answer["result"] == "email"
    (resent,) = workflow.retried
    assert (resent.state, resent.attempts) == ("retry", 2)


def test_a_decision_on_a_notice_already_delivered_or_not_held_changes_nothing() -> None:
    sweep, records, workflow, store = retries(
        notice(), ledger={"notice:acknowledgement": {"channel": "email"}}
    )

    answer = sweep.decide(
        RID, "acknowledgement", NoticeDecision(decision="resend", reason="just in case"), "bob"
    )

    assert answer["result"] == "already_delivered"
    assert workflow.retried == []
    assert store.audit == []
    assert records.outstanding() == []
    with pytest.raises(NotFound):
        sweep.decide(RID, "final", NoticeDecision(decision="delivered", reason="it went out"), "bob")


def test_a_decision_needs_a_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        NoticeDecision(decision="delivered", reason="ok")


def test_held_notices_say_what_they_need() -> None:
    sweep, *_ = retries(notice(), notice(request_id="req_b", state="uncertain", age=timedelta(hours=2)))

    listed = sweep.held(NOW)

    assert [(h.request_id, h.needs, h.unsent_over_an_hour) for h in listed] == [
        ("req_b", "a person", True),
        (RID, "retry", False),
    ]
