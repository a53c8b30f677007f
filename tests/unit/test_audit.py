"""The audit trail: a hash chain per request that detects tampering and holds no personal values."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest

from privacy_rights.core.audit import (
    GENESIS_HASH,
    AuditEntry,
    entries_from_items,
    next_entry,
    verify_chain,
)
from privacy_rights.core.errors import AuditChainBroken, PersonalDataInAudit
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing

REQUEST_ID = "req_audit000000000000001"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TWENTY_FOUR_MONTHS = timedelta(days=730)


def _build_chain(length: int = 5) -> list[AuditEntry]:
    steps = [
        ("intake", "request.created", {"type": "deletion", "fields": ["email", "phone"]}),
        ("workflow", "notice.acknowledgement.sent", {"channel": "email"}),
        ("workflow", "status.awaiting_verification", {}),
        ("subject", "status.verified", {"codes_matched": 2}),
        ("ops:alice", "status.in_progress", {"due": "2026-04-16"}),
    ]
    chain: list[AuditEntry] = []
    for index, (actor, action, detail) in enumerate(steps[:length]):
        previous = chain[-1] if chain else None
        chain.append(next_entry(REQUEST_ID, previous, actor, action, detail, at=T0 + timedelta(hours=index)))
    return chain


@pytest.fixture
def chain() -> list[AuditEntry]:
    return _build_chain()


def _head(entry: AuditEntry) -> tuple[int, str]:
    return entry.seq, entry.hash


# --- building the chain ---------------------------------------------------------------------------------


def test_entries_are_numbered_from_one(chain: list[AuditEntry]) -> None:
    assert [entry.seq for entry in chain] == [1, 2, 3, 4, 5]


def test_the_first_entry_follows_the_genesis_hash_of_64_zeros(chain: list[AuditEntry]) -> None:
    assert GENESIS_HASH == "0" * 64
    assert chain[0].prev_hash == GENESIS_HASH


def test_each_entry_carries_the_hash_of_the_one_before(chain: list[AuditEntry]) -> None:
    for previous, entry in itertools.pairwise(chain):
        assert entry.prev_hash == previous.hash


def test_each_hash_is_the_sha256_of_the_entry_without_its_hash(chain: list[AuditEntry]) -> None:
    for entry in chain:
        assert re.fullmatch(r"[0-9a-f]{64}", entry.hash)
        assert entry.hash == entry.computed_hash()
    assert len({entry.hash for entry in chain}) == len(chain)


def test_the_time_defaults_to_now() -> None:
    before = datetime.now(UTC)

    entry = next_entry(REQUEST_ID, None, "intake", "request.created")

    assert before <= entry.at <= datetime.now(UTC)


# --- verify_chain: intact -------------------------------------------------------------------------------


def test_an_intact_chain_verifies_and_reports_its_length(chain: list[AuditEntry]) -> None:
    assert verify_chain(chain) == 5


def test_an_intact_chain_verifies_against_its_recorded_head(chain: list[AuditEntry]) -> None:
    assert verify_chain(chain, expected_head=_head(chain[-1])) == 5


def test_an_empty_trail_verifies_as_zero_entries() -> None:
    assert verify_chain([]) == 0


def test_a_chain_read_back_from_stored_items_still_verifies(chain: list[AuditEntry]) -> None:
    items = [entry.model_dump(mode="json") | {"expire_at": entry.expire_at} for entry in chain]

    assert verify_chain(entries_from_items(items), expected_head=_head(chain[-1])) == 5


# --- verify_chain: tampering ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("detail", {"codes_matched": 0}),
        ("actor", "ops:mallory"),
        ("action", "status.denied"),
        ("at", T0 + timedelta(days=30)),
        ("request_id", "req_someoneelse00000000001"),
    ],
)
def test_an_entry_altered_in_place_is_detected(chain: list[AuditEntry], field: str, value: object) -> None:
    chain[3] = chain[3].model_copy(update={field: value})  # the stored hash is kept

    with pytest.raises(AuditChainBroken, match="entry 4 was altered"):
        verify_chain(chain)


def test_a_removed_middle_entry_is_detected(chain: list[AuditEntry]) -> None:
    del chain[2]

    with pytest.raises(AuditChainBroken, match="entry 3 is missing"):
        verify_chain(chain)


def test_a_removed_first_entry_is_detected(chain: list[AuditEntry]) -> None:
    with pytest.raises(AuditChainBroken, match="entry 1 is missing"):
        verify_chain(chain[1:])


def test_a_reordered_chain_is_detected(chain: list[AuditEntry]) -> None:
    chain[1], chain[2] = chain[2], chain[1]

    with pytest.raises(AuditChainBroken):
        verify_chain(chain)


def test_renumbered_entries_are_detected(chain: list[AuditEntry]) -> None:
    """Swap two entries and give them each other's seq: the seq check passes, the links do not."""
    second, third = chain[1], chain[2]
    chain[1], chain[2] = third.model_copy(update={"seq": 2}), second.model_copy(update={"seq": 3})

    with pytest.raises(AuditChainBroken, match="entry 2 does not follow entry 1"):
        verify_chain(chain)


def test_a_forged_entry_with_a_recomputed_hash_breaks_the_next_link(chain: list[AuditEntry]) -> None:
    forged = chain[2].model_copy(update={"actor": "ops:mallory"})
    chain[2] = forged.model_copy(update={"hash": forged.computed_hash()})
    assert chain[2].hash == chain[2].computed_hash()  # the forged entry checks out on its own

    with pytest.raises(AuditChainBroken, match="entry 4 does not follow entry 3"):
        verify_chain(chain)


def test_a_forged_newest_entry_is_caught_only_by_the_recorded_head(chain: list[AuditEntry]) -> None:
    head = _head(chain[-1])
    forged = chain[-1].model_copy(update={"detail": {"due": "2027-01-01"}})
    chain[-1] = forged.model_copy(update={"hash": forged.computed_hash()})

    assert verify_chain(chain) == 5
    with pytest.raises(AuditChainBroken, match="ends before entry 5"):
        verify_chain(chain, expected_head=head)


def test_removing_the_newest_entry_is_caught_only_by_the_recorded_head(chain: list[AuditEntry]) -> None:
    head = _head(chain[-1])
    truncated = chain[:-1]

    assert verify_chain(truncated) == 4
    with pytest.raises(AuditChainBroken, match="ends before entry 5"):
        verify_chain(truncated, expected_head=head)


def test_an_emptied_trail_is_caught_by_the_recorded_head(chain: list[AuditEntry]) -> None:
    with pytest.raises(AuditChainBroken, match="ends before entry 5"):
        verify_chain([], expected_head=_head(chain[-1]))


# --- no personal values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail",
    [
        {"to": "jane@example.com"},
        {"note": "sent to Jane.Doe+privacy@mail.example.co.uk today"},
        {"recipients": ["req_1", "jane@example.com"]},
        {"to": "+14155552671"},
        {"to": "+442079460958"},
        {"caller": "4155552671"},
        {"note": "called back on 14155552671"},
    ],
)
def test_raw_emails_and_phone_numbers_are_refused_in_audit_detail(detail: dict[str, object]) -> None:
    # a domain error raised in the validator propagates as itself, not wrapped in a ValidationError
    with pytest.raises(PersonalDataInAudit, match="looks like a raw identifier"):
        next_entry(REQUEST_ID, None, "workflow", "notice.sent", detail)


def test_personal_data_in_audit_is_not_wrapped_by_pydantic() -> None:
    with pytest.raises(PersonalDataInAudit) as raised:
        AuditEntry(
            request_id=REQUEST_ID,
            seq=1,
            at=T0,
            actor="workflow",
            action="notice.sent",
            detail={"to": "jane@example.com"},
            prev_hash=GENESIS_HASH,
        )

    assert type(raised.value) is PersonalDataInAudit
    assert "jane@example.com" not in str(raised.value)


@pytest.mark.parametrize(
    "detail",
    [
        {"request": "req_Zx81-9aQ_kLmN0pQrStUvW"},
        {"codes_sent": 2, "attempts": 3, "ratio": 0.5, "final": True, "note": None},
        {"due": "2026-12-28"},
        {"at": "2026-12-28T10:15:00+00:00"},
        {"fields": ["email", "phone", "name"]},
        {"channel": "sms", "step": "ExportData", "error": "States.Timeout"},
        {"count": "1234567"},
    ],
)
def test_references_counts_dates_and_field_names_are_accepted(detail: dict[str, object]) -> None:
    entry = next_entry(REQUEST_ID, None, "workflow", "status.in_progress", detail)

    assert entry.detail == detail


@pytest.mark.parametrize("phone", ["(415) 555-2671", "415-555-2671", "+1 415 555 2671", "+44 20 7946 0958"])
def test_formatted_phone_numbers_are_refused_in_audit_detail(phone: str) -> None:
    with pytest.raises(PersonalDataInAudit):
        next_entry(REQUEST_ID, None, "workflow", "notice.sent", {"to": phone})


def test_a_keyed_hash_is_accepted_in_audit_detail() -> None:
    ring = KeyRing(current="1", keys={"1": b"k" * 32})
    subject_key = ring.digest(IdentifierKind.EMAIL, "user1@example.com")
    assert re.search(r"\d{10,}", subject_key)  # precondition: this digest happens to have such a run

    entry = next_entry(REQUEST_ID, None, "intake", "request.created", {"subject_key": subject_key})

    assert entry.detail == {"subject_key": subject_key}


# --- retention ------------------------------------------------------------------------------------------


def test_an_entry_is_kept_at_least_24_months(chain: list[AuditEntry]) -> None:
    for entry in chain:
        assert isinstance(entry.expire_at, int)
        assert entry.expire_at >= int((entry.at + TWENTY_FOUR_MONTHS).timestamp())


def test_an_entry_written_on_a_leap_day_is_kept_at_least_24_months() -> None:
    leap_day = datetime(2028, 2, 29, 23, 59, tzinfo=UTC)

    entry = next_entry(REQUEST_ID, None, "intake", "request.created", at=leap_day)

    assert datetime.fromtimestamp(entry.expire_at, UTC) >= datetime(2030, 2, 28, 23, 59, tzinfo=UTC)
