"""Legal holds in the domain: the command's validation, what a hold stores (hashes, never
identifiers), what it covers, and what counts as active."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from privacy_rights.core.audit import AuditEntry, DetailValue, next_entry
from privacy_rights.core.errors import NotFound, PersonalDataInAudit, ValidationFailed
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.erasure.legal_holds import (
    HOLD_STREAM,
    Hold,
    HoldAlreadyReleased,
    HoldService,
    PlaceHold,
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EMAIL = "Jane.Doe@Example.com"
PHONE = "(415) 555-2671"


class MemoryHolds:
    """The HoldStore's contract, in memory."""

    def __init__(self) -> None:
        self.holds: dict[str, Hold] = {}
        self.covers: dict[str, set[str]] = {}

    def add(self, hold: Hold) -> None:
        assert hold.hold_id not in self.holds
        self.holds[hold.hold_id] = hold
        for cover in hold.covers:
            self.covers.setdefault(cover, set()).add(hold.hold_id)

    def get(self, hold_id: str) -> Hold:
        if hold_id not in self.holds:
            raise NotFound(hold_id)
        return self.holds[hold_id]

    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> Hold:
        hold = self.get(hold_id)
        if hold.released_at:
            raise HoldAlreadyReleased(hold_id)
        released = hold.model_copy(update={"released_at": at, "released_by": by, "release_reason": reason})
        self.holds[hold_id] = released
        return released

    def covering(self, covers: Iterable[str]) -> list[Hold]:
        ids = {hold_id for cover in covers for hold_id in self.covers.get(cover, ())}
        return [self.holds[hold_id] for hold_id in ids]

    def listed(self, include_released: bool = False) -> list[Hold]:
        holds = sorted(self.holds.values(), key=lambda h: h.placed_at, reverse=True)
        return [h for h in holds if include_released or not h.released_at]


class MemoryAudit:
    """RequestStore's audit stream: entries are real AuditEntry objects, so the check for raw
    identifiers in details runs as it does in DynamoDB."""

    def __init__(self) -> None:
        self.streams: dict[str, list[AuditEntry]] = {}

    def ensure_stream(self, stream_id: str) -> None:
        self.streams.setdefault(stream_id, [])

    def record(
        self, request_id: str, actor: str, action: str, detail: Mapping[str, DetailValue] | None = None
    ) -> AuditEntry:
        trail = self.streams[request_id]
        entry = next_entry(request_id, trail[-1] if trail else None, actor, action, detail, at=NOW)
        trail.append(entry)
        return entry


class Ring:
    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def key_ring(self) -> KeyRing:
        return self.ring


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def holds() -> MemoryHolds:
    return MemoryHolds()


@pytest.fixture
def audit() -> MemoryAudit:
    return MemoryAudit()


@pytest.fixture
def keys(ring: KeyRing) -> Ring:
    return Ring(ring)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(holds: MemoryHolds, keys: Ring, audit: MemoryAudit, clock: Clock) -> HoldService:
    return HoldService(holds, keys, audit, clock=clock)  # type: ignore[arg-type]


def place(**fields: Any) -> PlaceHold:
    return PlaceHold.model_validate(
        {"reason": "litigation hold", "matter": "Doe v. CallX, 26-CV-0142"} | fields
    )


def _errors(fields: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        place(**fields)
    return {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in caught.value.errors()}


# -- the command -------------------------------------------------------------------------


def test_a_subject_hold_normalizes_its_identifiers() -> None:
    command = place(email=EMAIL, phone=PHONE)

    assert (command.email, command.phone, command.tenant_id) == ("jane.doe@example.com", "+14155552671", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "body"),  # nothing to hold
        ({"email": EMAIL, "tenant_id": "acme"}, "body"),  # both a subject and a customer
        ({"email": "not-an-address"}, "email"),
        ({"phone": "555"}, "phone"),
        ({"tenant_id": "acme plumbing"}, "tenant_id"),
        ({"tenant_id": "acme", "reason": "no"}, "reason"),
        ({"tenant_id": "acme", "reason": "x" * 301}, "reason"),
        ({"tenant_id": "acme", "matter": ""}, "matter"),
        ({"tenant_id": "acme", "matter": "m" * 101}, "matter"),
        ({"tenant_id": "acme", "until": "not a date"}, "until"),
        ({"tenant_id": "acme", "until": "2020-01-01"}, "body"),  # in the past
        ({"tenant_id": "acme", "owner": "me"}, "owner"),  # unknown field
        ({"tenant_id": "acme", "reason": "asked by jane.doe@example.com"}, "reason"),
        ({"tenant_id": "acme", "matter": "call (415) 555-2671"}, "matter"),
    ],
)
def test_bad_commands_are_refused_with_the_field_at_fault(fields: dict[str, Any], field: str) -> None:
    assert field in _errors(fields)


def test_a_command_without_reason_or_matter_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        PlaceHold.model_validate({"tenant_id": "acme"})

    assert {e["loc"][0] for e in caught.value.errors()} == {"reason", "matter"}


# -- placing -----------------------------------------------------------------------------


def test_a_subject_hold_stores_keyed_hashes_only_and_is_audited(
    service: HoldService, holds: MemoryHolds, audit: MemoryAudit, ring: KeyRing
) -> None:
    hold = service.place(place(email=EMAIL, phone=PHONE, until="2099-12-31"), "arn:aws:iam::1:user/alice")

    assert hold.scope == "subject"
    assert hold.hold_id.startswith("hold_")
    assert hold.subject_keys == [
        ring.digest(IdentifierKind.EMAIL, "jane.doe@example.com"),
        ring.digest(IdentifierKind.PHONE, "+14155552671"),
    ]
    assert (hold.placed_by, hold.released_at, hold.until) == (
        "arn:aws:iam::1:user/alice",
        None,
        date(2099, 12, 31),
    )
    stored = holds.get(hold.hold_id).model_dump_json()
    assert "jane" not in stored.lower()
    assert "555" not in stored
    (entry,) = audit.streams[HOLD_STREAM]
    assert (entry.actor, entry.action) == ("arn:aws:iam::1:user/alice", "hold.placed")
    assert entry.detail["hold_id"] == hold.hold_id
    assert entry.detail["subject_keys"] == hold.subject_keys
    assert entry.detail["matter"] == "Doe v. CallX, 26-CV-0142"
    assert entry.detail["until"] == "2099-12-31"


def test_a_customer_hold_covers_the_tenant(service: HoldService, audit: MemoryAudit) -> None:
    hold = service.place(place(tenant_id="northwind"), "olivia")

    assert (hold.scope, hold.tenant_id, hold.subject_keys) == ("customer", "northwind", [])
    assert hold.covers == ["tenant#northwind"]
    assert audit.streams[HOLD_STREAM][0].detail["tenant_id"] == "northwind"


def test_a_hold_the_audit_refuses_is_never_stored(service: HoldService, holds: MemoryHolds) -> None:
    # a reason that slipped past the command's own check
    command = place(tenant_id="acme").model_copy(update={"reason": "for jane.doe@example.com"})

    with pytest.raises(PersonalDataInAudit):
        service.place(command, "olivia")

    assert holds.holds == {}


def test_with_a_rotated_ring_a_hold_stores_the_hash_of_every_key(
    holds: MemoryHolds, audit: MemoryAudit, rotated_ring: KeyRing, clock: Clock
) -> None:
    service = HoldService(holds, Ring(rotated_ring), audit, clock=clock)  # type: ignore[arg-type]

    hold = service.place(place(email=EMAIL), "olivia")

    assert hold.subject_keys == rotated_ring.all_digests(IdentifierKind.EMAIL, "jane.doe@example.com")
    assert len(hold.subject_keys) == 2


# -- matching ----------------------------------------------------------------------------


def test_active_for_matches_by_subject_key(service: HoldService, ring: KeyRing) -> None:
    held = service.place(place(email=EMAIL), "olivia")
    service.place(place(email="someone.else@example.com"), "olivia")

    by_email = service.active_for([ring.digest(IdentifierKind.EMAIL, "jane.doe@example.com")], [])
    by_phone = service.active_for([ring.digest(IdentifierKind.PHONE, "+14155552671")], [])

    assert [h.hold_id for h in by_email] == [held.hold_id]
    assert by_phone == []


def test_active_for_matches_by_tenant(service: HoldService) -> None:
    held = service.place(place(tenant_id="acme"), "olivia")
    service.place(place(tenant_id="northwind"), "olivia")

    assert [h.hold_id for h in service.active_for([], ["brightside", "acme"])] == [held.hold_id]
    assert service.active_for([], ["brightside"]) == []
    assert service.active_for([], []) == []


def test_active_for_returns_each_hold_once_oldest_first(service: HoldService) -> None:
    first = service.place(place(email=EMAIL, phone=PHONE), "olivia")
    second = service.place(place(tenant_id="acme"), "olivia")

    found = service.active_for(service.subject_keys(email=EMAIL, phone=PHONE), ["acme"])

    assert [h.hold_id for h in found] == [first.hold_id, second.hold_id]


def test_a_hold_placed_before_a_key_rotation_still_matches_after_it(
    holds: MemoryHolds, audit: MemoryAudit, clock: Clock, ring: KeyRing, rotated_ring: KeyRing
) -> None:
    before = HoldService(holds, Ring(ring), audit, clock=clock)  # type: ignore[arg-type]
    after = HoldService(holds, Ring(rotated_ring), audit, clock=clock)  # type: ignore[arg-type]
    hold = before.place(place(phone=PHONE), "olivia")

    # the deletion asks with every key of today's ring
    assert [h.hold_id for h in after.active_for(after.subject_keys(phone=PHONE), [])] == [hold.hold_id]


def test_a_released_hold_is_not_active(service: HoldService, audit: MemoryAudit) -> None:
    hold = service.place(place(email=EMAIL), "olivia")

    released = service.release(hold.hold_id, "matter settled", "victor")

    assert (released.released_by, released.release_reason) == ("victor", "matter settled")
    assert released.released_at is not None
    assert service.active_for(service.subject_keys(email=EMAIL), []) == []
    assert service.list() == []
    assert [h.hold_id for h in service.list(active_only=False)] == [hold.hold_id]
    assert [e.action for e in audit.streams[HOLD_STREAM]] == ["hold.placed", "hold.released"]
    assert audit.streams[HOLD_STREAM][1].detail["reason"] == "matter settled"


def test_a_hold_past_its_last_day_is_not_active(service: HoldService, clock: Clock) -> None:
    hold = service.place(place(tenant_id="acme", until="2099-01-31"), "olivia")
    assert [h.hold_id for h in service.active_for([], ["acme"])] == [hold.hold_id]

    clock.now = datetime(2099, 1, 31, 23, 0, tzinfo=UTC)
    assert service.active_for([], ["acme"]) != []  # the last day is still held
    clock.now = datetime(2099, 2, 1, 0, 0, tzinfo=UTC)

    assert service.active_for([], ["acme"]) == []
    assert service.list() == []
    assert hold.state(date(2099, 2, 1)) == "expired"


def test_releasing_twice_or_an_unknown_hold_is_refused(service: HoldService, audit: MemoryAudit) -> None:
    hold = service.place(place(tenant_id="acme"), "olivia")
    service.release(hold.hold_id, "matter settled", "victor")

    with pytest.raises(HoldAlreadyReleased):
        service.release(hold.hold_id, "matter settled", "victor")
    with pytest.raises(NotFound):
        service.release("hold_" + "0" * 32, "matter settled", "victor")
    assert len(audit.streams[HOLD_STREAM]) == 2


def test_a_release_needs_a_reason(service: HoldService) -> None:
    hold = service.place(place(tenant_id="acme"), "olivia")

    with pytest.raises(ValidationFailed) as caught:
        service.release(hold.hold_id, "no", "victor")

    assert set(caught.value.errors) == {"reason"}
    assert service.list() != []
