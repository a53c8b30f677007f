"""The append-only, tamper-evident audit trail.

Each entry holds references (ids, keyed hashes, field names), never personal values, so an
erasure never has to touch the trail. Entries of one request form a hash chain: each carries
the hash of the previous one, so an altered or removed entry is detected by :func:`verify_chain`.

A request's chain leaves whole: ``ops.record_retention`` marks the request ``expiring``, deletes
its entries oldest first, then the request (CCPA §7101: 24 months after it is closed). While it
is marked, the check accepts a missing *beginning* and nothing else (:func:`verify_chain`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from privacy_rights.core.errors import AuditChainBroken, PersonalDataInAudit
from privacy_rights.core.models import utc_now

GENESIS_HASH = "0" * 64
#: Entries of ``audit:`` streams (ops look-ups, holds, mail), which have no request to close,
#: still expire one by one through the table's TTL (``expire_at``) after this long. Entries of a
#: request carry no ``expire_at``: they leave with their request (``ops.record_retention``).
RETENTION = timedelta(days=25 * 31)

DetailValue = str | int | float | bool | None | list[str]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def _looks_like_a_raw_identifier(text: str) -> bool:
    """Emails by shape; phone numbers the way phonenumbers finds them in text, which knows
    formatted numbers and leaves ids, dates and hex digests (our keyed hashes) alone."""
    if _EMAIL.search(text):
        return True
    if not any(char.isdigit() for char in text):
        return False
    import phonenumbers  # ~45 ms at import: paid only by a detail that has digits

    return any(True for _ in phonenumbers.PhoneNumberMatcher(text, "US"))


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: str
    seq: int = Field(ge=1)
    at: datetime
    actor: str
    action: str
    detail: dict[str, DetailValue] = Field(default_factory=dict)
    prev_hash: str
    hash: str = ""

    @field_validator("detail")
    @classmethod
    def _no_personal_values(cls, detail: dict[str, DetailValue]) -> dict[str, DetailValue]:
        for key, value in detail.items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and _looks_like_a_raw_identifier(text):
                    raise PersonalDataInAudit(f"audit detail {key!r} looks like a raw identifier")
        return detail

    def canonical(self) -> bytes:
        body = self.model_dump(mode="json", exclude={"hash"})
        return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def computed_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    @property
    def expire_at(self) -> int:
        return int((self.at + RETENTION).timestamp())


def next_entry(
    request_id: str,
    previous: AuditEntry | None,
    actor: str,
    action: str,
    detail: Mapping[str, DetailValue] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    draft = AuditEntry(
        request_id=request_id,
        seq=previous.seq + 1 if previous else 1,
        at=at or utc_now(),
        actor=actor,
        action=action,
        detail=dict(detail or {}),
        prev_hash=previous.hash if previous else GENESIS_HASH,
    )
    return draft.model_copy(update={"hash": draft.computed_hash()})


def verify_chain(
    entries: Iterable[AuditEntry], expected_head: tuple[int, str] | None = None, *, expiring: bool = False
) -> int:
    """Check a request's entries in order; returns how many were verified.

    ``expected_head`` (seq, hash), when the caller recorded it elsewhere, also catches the
    removal of the newest entries, which a chain alone cannot see.

    ``expiring``: the request is marked for removal (``ops.record_retention``), whose entries go
    oldest first; the first entries may then be missing, and only those. What is left must still
    follow from its first entry to the head, unaltered (the first one's link to its deleted
    predecessor is the one thing that cannot be checked).
    """
    previous_hash, expected_seq, count = GENESIS_HASH, 1, 0
    last: AuditEntry | None = None
    for entry in entries:
        if expiring and last is None and entry.seq > 1:
            previous_hash, expected_seq = entry.prev_hash, entry.seq
        if entry.seq != expected_seq:
            raise AuditChainBroken(f"entry {expected_seq} is missing (found {entry.seq})")
        if entry.prev_hash != previous_hash:
            raise AuditChainBroken(f"entry {entry.seq} does not follow entry {entry.seq - 1}")
        if entry.computed_hash() != entry.hash:
            raise AuditChainBroken(f"entry {entry.seq} was altered")
        previous_hash, expected_seq, count, last = entry.hash, expected_seq + 1, count + 1, entry
    if expected_head is not None:
        seq, digest = expected_head
        if last is None and (seq == 0 or expiring):
            return count
        if last is None or last.seq != seq or last.hash != digest:
            raise AuditChainBroken(f"the trail ends before entry {seq}")
    return count


def entries_from_items(items: Sequence[Mapping[str, Any]]) -> list[AuditEntry]:
    return [AuditEntry.model_validate({k: v for k, v in item.items() if k != "expire_at"}) for item in items]
