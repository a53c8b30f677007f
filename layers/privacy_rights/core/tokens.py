"""Status tokens: bearer secrets that open one request's status page.

A token is an HMAC of the request id and a per-request nonce under the key ring's current key,
so nothing secret is stored: the service recomputes the token to compare it (in constant
time), any step can put it in a message without carrying it through the workflow, and
changing the nonce revokes every link already sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from privacy_rights.core.keyed_hash import KeyRing


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def _mac(ring: KeyRing, key_id: str, request_id: str, nonce: str) -> str:
    digest = hmac.new(ring.keys[key_id], f"status:{request_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def status_token(ring: KeyRing, request_id: str, nonce: str) -> str:
    return f"{ring.current}.{_mac(ring, ring.current, request_id, nonce)}"


def token_matches(ring: KeyRing, request_id: str, nonce: str, presented: str) -> bool:
    key_id, _, mac = presented.partition(".")
    if key_id not in ring.keys or not mac:
        # still spend the HMAC so a bad key id answers as slowly as a bad MAC
        _mac(ring, ring.current, request_id, nonce)
        return False
    return hmac.compare_digest(mac.encode(), _mac(ring, key_id, request_id, nonce).encode())


def derived_id(ring: KeyRing, prefix: str, material: str) -> str:
    """An id that is the same every time for the same ``material`` (so at-least-once delivery
    makes one record) and that nobody without the key can predict from it (128 bits)."""
    digest = hmac.new(ring.keys[ring.current], f"id:{material}".encode(), hashlib.sha256).digest()[:16]
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")
