"""Requests nothing will move: open, not waiting on a task token, and no execution running for
them. An execution that ended without a trace, or an end whose event was lost, leaves one; a
scheduled check counts them (the StalledRequestsAlarm's metric) so a person replays or closes
each. Failed requests are not counted: they are recorded and listed (``--status failed``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from privacy_rights.core.models import Status, utc_now
from privacy_rights.core.ports import ExecutionHistory, Requests
from privacy_rights.orchestration.execution_end import latest_execution

#: statuses an execution drives (needs_clarification and appealed wait for people, not for it)
DRIVEN_STATUSES = (
    Status.RECEIVED,
    Status.AWAITING_VERIFICATION,
    Status.VERIFIED,
    Status.IN_PROGRESS,
    Status.AWAITING_DECISION,
)
#: a request this fresh may not have its execution started yet
GRACE = timedelta(minutes=10)


class StalledRequest(BaseModel):
    request_id: str
    status: Status
    since: datetime
    execution: str
    #: the latest execution's status, or None when it was never started
    execution_status: str | None


class StalledRequests:
    def __init__(self, store: Requests, history: ExecutionHistory) -> None:
        self._store = store
        self._history = history

    def find(self, now: datetime | None = None) -> list[StalledRequest]:
        settled_before = (now or utc_now()) - GRACE
        stalled = []
        for status in DRIVEN_STATUSES:
            for request in self._store.by_status(status):
                if request.status_changed_at > settled_before or self._store.waiting_for(request.request_id):
                    continue
                execution = latest_execution(request.request_id, request.replays)
                state = self._history.status(execution)
                if state != "RUNNING":
                    stalled.append(
                        StalledRequest(
                            request_id=request.request_id,
                            status=request.status,
                            since=request.status_changed_at,
                            execution=execution,
                            execution_status=state,
                        )
                    )
        return stalled
