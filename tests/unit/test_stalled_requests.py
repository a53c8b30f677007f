"""Which open requests nothing will move (privacy_rights.orchestration.stalled_requests)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from privacy_rights.core.models import RightsRequest, Status
from privacy_rights.orchestration.stalled_requests import GRACE, StalledRequests

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
LONG_AGO = NOW - GRACE - timedelta(minutes=1)


class FakeStore:
    def __init__(self, requests: list[RightsRequest], waiting: dict[str, list[str]]) -> None:
        self.requests = requests
        self.waiting = waiting

    def by_status(self, status: Status) -> Iterator[RightsRequest]:
        return iter([r for r in self.requests if r.status is status])

    def waiting_for(self, request_id: str) -> list[str]:
        return self.waiting.get(request_id, [])


class FakeHistory:
    def __init__(self, statuses: dict[str, str]) -> None:
        self.statuses = statuses

    def status(self, execution_name: str) -> str | None:
        return self.statuses.get(execution_name)


def test_only_open_requests_with_no_wait_and_no_running_execution_are_stalled(
    make_request: Callable[..., RightsRequest],
) -> None:
    def request(request_id: str, status: Status, **kw: object) -> RightsRequest:
        return make_request(request_id=request_id, status=status, status_changed_at=LONG_AGO, **kw)

    requests = [
        request("req_ended", Status.IN_PROGRESS),  # its execution failed without a trace
        request("req_replayed", Status.VERIFIED, replays=1),  # the replay's execution ended too
        request("req_never", Status.RECEIVED),  # no execution at all
        request("req_running", Status.IN_PROGRESS),
        request("req_parked", Status.AWAITING_VERIFICATION),
        request("req_failed", Status.FAILED),
        request("req_done", Status.COMPLETED),
        make_request(request_id="req_fresh", status=Status.VERIFIED, status_changed_at=NOW),
    ]
    history = FakeHistory(
        {
            "req_ended": "FAILED",
            "req_replayed": "RUNNING",  # the first execution, superseded
            "req_replayed-r1": "ABORTED",
            "req_running": "RUNNING",
            "req_parked": "RUNNING",
            "req_failed": "FAILED",
        }
    )
    store = FakeStore(requests, {"req_parked": ["verification"]})

    stalled = StalledRequests(store, history).find(NOW)  # type: ignore[arg-type]

    assert sorted((s.request_id, s.execution, s.execution_status) for s in stalled) == [
        ("req_ended", "req_ended", "FAILED"),
        ("req_never", "req_never", None),
        ("req_replayed", "req_replayed-r1", "ABORTED"),
    ]
