"""Record retention on the template's own tables (moto): ExpireRecordsFunction, fired by its
schedule, removes a request closed 25 months ago whole (item, ledger, every audit entry of its
chain), keeps one closed 23 months ago and an open one, and finishes a removal cut short. A
request's audit entries carry no TTL any more; a stream's still do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.expiring_records import DynamoExpiringRecords
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.errors import AuditChainBroken, NotFound
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import (
    Appeal,
    Channel,
    Denial,
    DenialReason,
    Jurisdiction,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
    utc_now,
)

pytestmark = pytest.mark.integration

SCHEDULE = "ExpireRecordsSchedule"


def _closed(store: RequestStore, months_ago: int, notes: int = 3, status: Status = Status.COMPLETED) -> str:
    """A request created, worked on (ledger, notes) and closed ``months_ago`` months ago."""
    closed_at = utc_now() - timedelta(days=31 * months_ago if months_ago >= 24 else 30 * months_ago)
    request = RightsRequest(
        type=RequestType.ACCESS,
        jurisdiction=Jurisdiction.US_STATE,
        us_state="VA",
        subject=SubjectIdentifiers(email="someone@example.com"),
        channel=Channel.WEB,
        received_at=closed_at - timedelta(days=20),
        due=date.today(),
        subject_keys={"email": "k1:" + "e" * 60},
    )
    store.create(request, actor="test")
    store.complete_step(request.request_id, "acknowledge", {"sent": True}, actor="workflow")
    for index in range(notes):
        store.record(request.request_id, "workflow", f"note.{index}")
    current = store.get(request.request_id)
    if status is Status.COMPLETED:
        current = transition(current, Status.AWAITING_VERIFICATION, at=closed_at)
        current = store.save(current, "workflow", "status.awaiting_verification")
        current = transition(current, Status.VERIFIED, at=closed_at)
        current = store.save(current, "workflow", "status.verified")
        current = transition(current, Status.IN_PROGRESS, at=closed_at)
        current = store.save(current, "workflow", "status.in_progress")
        closed = transition(current, Status.COMPLETED, outcome=Outcome.PARTIALLY_COMPLIED, at=closed_at)
    else:
        closed = transition(
            current, Status.DENIED, denial=Denial(reason=DenialReason.UNVERIFIABLE), at=closed_at
        )
    store.save(closed, "workflow", "status." + closed.status.value)
    return request.request_id


def _audit_items(running: RunningStack, request_id: str) -> list[dict[str, Any]]:
    ddb: Any = running.client("dynamodb")
    return list(
        ddb.query(
            TableName=running.stack.ref("AuditTable"),
            KeyConditionExpression="request_id = :r",
            ExpressionAttributeValues={":r": {"S": request_id}},
            ConsistentRead=True,
        )["Items"]
    )


def _item(running: RunningStack, request_id: str) -> dict[str, Any] | None:
    ddb: Any = running.client("dynamodb")
    response = ddb.get_item(
        TableName=running.stack.ref("RequestsTable"),
        Key={"request_id": {"S": request_id}},
        ConsistentRead=True,
    )
    item: dict[str, Any] | None = response.get("Item")
    return item


def test_a_chain_closed_25_months_ago_is_removed_whole_by_the_scheduled_function(
    running: RunningStack, store: RequestStore
) -> None:
    old = _closed(store, months_ago=25)
    denied = _closed(store, months_ago=26, status=Status.DENIED)
    recent = _closed(store, months_ago=23)
    open_request = _closed(store, months_ago=36)
    reopened = store.get(open_request)
    appeal = Appeal(filed_at=utc_now(), due=date.today() + timedelta(days=60))
    store.save(transition(reopened, Status.APPEALED, appeal=appeal), "requester", "appeal.filed")

    entries = len(_audit_items(running, old))
    assert entries == 1 + 1 + 3 + 4  # created, acknowledged, three notes, four statuses
    assert all("expire_at" not in item for item in _audit_items(running, old))
    assert {"closed", "closed_at"} <= (_item(running, old) or {}).keys()
    assert not {"closed", "closed_at"} & (_item(running, open_request) or {}).keys()  # an appeal re-opens

    (report,) = running.events.fire(SCHEDULE)

    assert report["expired"].get(old) == entries
    assert denied in report["expired"]
    assert recent not in report["expired"]
    assert open_request not in report["expired"]
    for gone in (old, denied):
        assert _item(running, gone) is None  # the request and its ledger
        assert _audit_items(running, gone) == []
        with pytest.raises(NotFound):
            store.verify_audit(gone)
    assert store.verify_audit(recent) == 9
    assert store.ledger(recent)
    assert store.verify_audit(open_request) == 10


def test_a_removal_cut_short_is_checked_as_expiring_and_finished_by_the_next_run(
    running: RunningStack, store: RequestStore
) -> None:
    request_id = _closed(store, months_ago=25)
    records = DynamoExpiringRecords(
        running.client("dynamodb"), running.stack.ref("RequestsTable"), running.stack.ref("AuditTable")
    )
    state = records.state(request_id)
    assert state is not None
    assert records.mark_expiring(request_id, state.version, utc_now())
    for seq in records.audit_seqs(request_id)[:5]:  # the function stopped here
        records.delete_audit_entry(request_id, seq)

    assert store.verify_audit(request_id) == 4  # the chain's end, still linked to its head
    assert not records.delete_request(request_id, head_seq=5)  # not the head: refused
    records.delete_audit_entry(request_id, 7)
    with pytest.raises(AuditChainBroken, match="entry 7 is missing"):
        store.verify_audit(request_id)  # a hole inside is still a broken chain

    (report,) = running.events.fire(SCHEDULE)

    assert report["expired"][request_id] == 3  # 6, 8 and 9
    assert _item(running, request_id) is None
    assert _audit_items(running, request_id) == []


def test_a_streams_entries_still_expire_one_by_one(running: RunningStack, store: RequestStore) -> None:
    stream = "audit:test-retention"
    store.ensure_stream(stream)
    entry = store.record(stream, "ops", "lookup.done")

    (item,) = [i for i in _audit_items(running, stream) if i["seq"]["N"] == str(entry.seq)]

    assert int(item["expire_at"]["N"]) == entry.expire_at


def test_a_request_closed_before_the_index_existed_is_indexed_by_the_backfill_then_expires(
    running: RunningStack, store: RequestStore
) -> None:
    legacy = _closed(store, months_ago=25)
    ddb: Any = running.client("dynamodb")
    ddb.update_item(
        TableName=running.stack.ref("RequestsTable"),
        Key={"request_id": {"S": legacy}},
        UpdateExpression="REMOVE closed, closed_at",
    )
    function = running.stack.ref("ExpireRecordsFunction")

    (report,) = running.events.fire(SCHEDULE)
    assert legacy not in report["expired"]
    result, errored = running.lambdas.invoke(function, {"backfill": True})
    assert not errored, result
    assert result["indexed"] == 1
    assert "closed_at" in (_item(running, legacy) or {})

    (report,) = running.events.fire(SCHEDULE)
    assert report["expired"][legacy] == 9


@pytest.mark.usefixtures("ops_cli_over_api")
def test_privacy_ops_retention_lists_what_the_next_run_removes_and_removes_nothing(
    running: RunningStack, store: RequestStore, capsys: pytest.CaptureFixture[str]
) -> None:
    due = _closed(store, months_ago=25)
    kept = _closed(store, months_ago=23)

    assert ops_cli.main(["--operator", "olivia", "retention", "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "1 record(s) the daily run removes" in out
    assert due in out
    assert kept not in out
    assert store.verify_audit(due) == 9
    (report,) = running.events.fire(SCHEDULE)
    assert list(report["expired"]) == [due]
    assert ops_cli.main(["--operator", "olivia", "retention"]) == 0
    assert "No record is due for removal (24 months after closing)." in capsys.readouterr().out
