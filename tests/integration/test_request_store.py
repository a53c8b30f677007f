"""The requests repository and audit trail on the template's own tables (moto)."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.errors import AuditChainBroken, ConcurrentModification, NotFound
from privacy_rights.core.lifecycle import transition
from privacy_rights.core.models import (
    Channel,
    Jurisdiction,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)

pytestmark = pytest.mark.integration


def new_request(due_in_days: int = 30, email_key: str = "k1:aaa") -> RightsRequest:
    return RightsRequest(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.GDPR,
        subject=SubjectIdentifiers(email="someone@example.com"),
        channel=Channel.WEB,
        due=date.today() + timedelta(days=due_in_days),
        subject_keys={"email": email_key},
    )


def test_a_created_request_reads_back_equal(store: RequestStore) -> None:
    request = new_request()

    store.create(request, actor="test")

    assert store.get(request.request_id) == request


def test_an_unknown_request_is_not_found(store: RequestStore) -> None:
    with pytest.raises(NotFound):
        store.get("req_missing")


def test_creating_the_same_id_twice_is_refused(store: RequestStore) -> None:
    request = new_request()
    store.create(request, actor="test")

    with pytest.raises(ConcurrentModification):
        store.create(request, actor="test")


def test_save_bumps_the_version_and_records_the_change(store: RequestStore) -> None:
    request = store.create(new_request(), actor="test")

    saved = store.save(
        transition(request, Status.AWAITING_VERIFICATION), "test", "status.awaiting_verification"
    )

    assert saved.version == 1
    assert store.get(request.request_id).status == Status.AWAITING_VERIFICATION
    assert [e.action for e in store.audit_entries(request.request_id)] == [
        "request.created",
        "status.awaiting_verification",
    ]


def test_a_lost_update_is_impossible(store: RequestStore) -> None:
    request = store.create(new_request(), actor="test")
    first_reader = store.get(request.request_id)
    second_reader = store.get(request.request_id)

    store.save(transition(first_reader, Status.AWAITING_VERIFICATION), "a", "status.awaiting_verification")
    with pytest.raises(ConcurrentModification):
        store.save(transition(second_reader, Status.CANCELED), "b", "status.canceled")

    assert store.get(request.request_id).status == Status.AWAITING_VERIFICATION


def test_concurrent_writers_one_wins_and_the_trail_stays_one_chain(store: RequestStore) -> None:
    request = store.create(new_request(), actor="test")
    readers = [store.get(request.request_id) for _ in range(6)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(readers) * 2)

    def write(reader: RightsRequest) -> None:
        barrier.wait()
        try:
            store.save(transition(reader, Status.AWAITING_VERIFICATION), "w", "status.awaiting_verification")
            outcomes.append("saved")
        except ConcurrentModification:
            outcomes.append("refused")

    def annotate() -> None:
        barrier.wait()
        store.record(request.request_id, "ops", "note.added", {"field": "details"})

    threads = [threading.Thread(target=write, args=(r,)) for r in readers]
    threads += [threading.Thread(target=annotate) for _ in readers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("saved") == 1
    assert outcomes.count("refused") == len(readers) - 1
    assert store.verify_audit(request.request_id) == 1 + 1 + len(readers)


def test_a_value_set_back_to_none_is_removed_from_the_item(store: RequestStore) -> None:
    request = store.create(new_request(), actor="test")
    with_failure = store.save(request.model_copy(update={"acknowledge_by": date.today()}), "t", "x.set")

    store.save(with_failure.model_copy(update={"acknowledge_by": None}), "t", "x.cleared")

    assert store.get(request.request_id).acknowledge_by is None


def test_requests_are_found_by_status_and_due_date_through_the_index(
    store: RequestStore, running: RunningStack
) -> None:
    soon, later = new_request(due_in_days=3), new_request(due_in_days=40)
    store.create(soon, "t")
    store.create(later, "t")
    queries: list[str] = []
    ddb: Any = running.session.client("dynamodb")  # its own: it counts its calls
    ddb.meta.events.register("before-call.dynamodb.*", lambda model, **_: queries.append(model.name))

    due_within_a_week = list(store.by_status(Status.RECEIVED, due_to=date.today() + timedelta(days=7)))
    everything = list(store.by_status(Status.RECEIVED))

    mine = {soon.request_id, later.request_id}  # other requests may be due too: only ours count
    assert [r.request_id for r in due_within_a_week if r.request_id in mine] == [soon.request_id]
    assert [r.request_id for r in everything if r.request_id in mine] == [soon.request_id, later.request_id]
    assert all(r.current_due <= date.today() + timedelta(days=7) for r in due_within_a_week)
    assert all(r.status == Status.RECEIVED for r in everything)
    assert "Scan" not in queries


def test_requests_are_found_by_any_key_of_the_subject(store: RequestStore) -> None:
    unique = uuid.uuid4().hex  # keys no other test's request has
    mine, theirs = new_request(email_key=f"k1:mine-{unique}"), new_request(email_key=f"k1:theirs-{unique}")
    rotated = new_request(email_key=f"k2:mine-under-new-key-{unique}")
    for request in (mine, theirs, rotated):
        store.create(request, "t")

    found = {
        r.request_id
        for r in store.by_subject_key("email", [f"k2:mine-under-new-key-{unique}", f"k1:mine-{unique}"])
    }

    assert found == {mine.request_id, rotated.request_id}


def _audit_item(running: RunningStack, request_id: str, seq: int) -> dict[str, Any]:
    ddb: Any = running.client("dynamodb")
    key = {"request_id": {"S": request_id}, "seq": {"N": str(seq)}}
    item: dict[str, Any] = ddb.get_item(TableName=running.stack.ref("AuditTable"), Key=key)["Item"]
    return item


def _trail(store: RequestStore) -> str:
    request = store.create(new_request(), actor="test")
    for index in range(3):
        store.record(request.request_id, "ops", f"note.{index}")
    assert store.verify_audit(request.request_id) == 4
    return request.request_id


def test_the_audit_check_detects_an_altered_entry(store: RequestStore, running: RunningStack) -> None:
    request_id = _trail(store)
    item = _audit_item(running, request_id, 2)
    item["actor"] = {"S": "somebody-else"}
    running.client("dynamodb").put_item(TableName=running.stack.ref("AuditTable"), Item=item)  # type: ignore[attr-defined]

    with pytest.raises(AuditChainBroken, match="altered"):
        store.verify_audit(request_id)


@pytest.mark.parametrize("removed_seq", [2, 4])
def test_the_audit_check_detects_a_removed_entry(
    store: RequestStore, running: RunningStack, removed_seq: int
) -> None:
    request_id = _trail(store)
    ddb: Any = running.client("dynamodb")
    ddb.delete_item(
        TableName=running.stack.ref("AuditTable"),
        Key={"request_id": {"S": request_id}, "seq": {"N": str(removed_seq)}},
    )

    with pytest.raises(AuditChainBroken):
        store.verify_audit(request_id)


def test_audit_entries_cannot_be_overwritten_through_the_store(
    store: RequestStore, running: RunningStack
) -> None:
    request_id = _trail(store)
    before = _audit_item(running, request_id, 4)
    ddb: Any = running.client("dynamodb")
    # Pretend a writer saw an old head: its entry would land on seq 4 again.
    ddb.update_item(
        TableName=running.stack.ref("RequestsTable"),
        Key={"request_id": {"S": request_id}},
        UpdateExpression="SET audit_seq = :three",
        ExpressionAttributeValues={":three": {"N": "3"}},
    )

    with pytest.raises(ConcurrentModification):
        store.record(request_id, "intruder", "note.overwrite")

    assert _audit_item(running, request_id, 4) == before
