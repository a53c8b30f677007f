"""Keyed hashes (HMAC-SHA256) of identifiers, used wherever a lookup key must not be the
identifier itself: the requests table's subject indexes, the preference store, suppression.

Every stored hash carries the id of the key that made it (``k1:…``), so the key can rotate:
new hashes use the current key and lookups try every key still in the ring.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MIN_KEY_BYTES = 32


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ACCOUNT = "account"
    BROWSER = "browser"


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ValueError("the current key id is not in the ring")
        for key_id, key in self.keys.items():
            if not key_id.isalnum():
                raise ValueError("key ids are alphanumeric")
            if len(key) < MIN_KEY_BYTES:
                raise ValueError(f"key {key_id} is shorter than {MIN_KEY_BYTES} bytes")

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> KeyRing:
        """The secret is JSON: ``{"current": "1", "k1": "<random>", "k2": …}``."""
        keys = {name[1:]: str(value).encode() for name, value in secret.items() if name.startswith("k")}
        return cls(current=str(secret["current"]), keys=keys)

    def digest(self, kind: IdentifierKind, normalized_value: str, key_id: str | None = None) -> str:
        key_id = key_id or self.current
        mac = hmac.new(self.keys[key_id], f"{kind}:{normalized_value}".encode(), hashlib.sha256)
        return f"k{key_id}:{mac.hexdigest()}"

    def all_digests(self, kind: IdentifierKind, normalized_value: str) -> list[str]:
        """The current key's digest first, then the older keys'."""
        ordered = [self.current, *sorted(k for k in self.keys if k != self.current)]
        return [self.digest(kind, normalized_value, key_id) for key_id in ordered]

    def matches(self, stored: str, kind: IdentifierKind, normalized_value: str) -> bool:
        key_id = key_id_of(stored)
        if key_id not in self.keys:
            return False
        return hmac.compare_digest(stored.encode(), self.digest(kind, normalized_value, key_id).encode())


def key_id_of(stored_digest: str) -> str:
    prefix, _, _ = stored_digest.partition(":")
    return prefix[1:]
