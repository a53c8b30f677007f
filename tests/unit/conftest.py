"""Fixtures for the pure-domain unit tests: no AWS, no moto, no clock reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from local_stack.idp import LocalIdentityProvider
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import Channel, Jurisdiction, RequestType, RightsRequest, SubjectIdentifiers

#: A fixed instant so no test depends on the wall clock.
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

KEY_1 = b"k" * 32
KEY_2 = b"q" * 32


def make_request(**overrides: Any) -> RightsRequest:
    """A valid GDPR access request by email, received at ``NOW``; any field can be overridden.

    ``subject`` may be given as a dict of identifier fields or as a ``SubjectIdentifiers``.
    """
    fields: dict[str, Any] = {
        "request_id": "req_test0000000000000001",
        "type": RequestType.ACCESS,
        "jurisdiction": Jurisdiction.GDPR,
        "subject": SubjectIdentifiers(email="jane@example.com"),
        "channel": Channel.WEB,
        "received_at": NOW,
        "status_changed_at": NOW,
        "due": date(2026, 4, 2),
    }
    fields.update(overrides)
    if isinstance(fields["subject"], dict):
        fields["subject"] = SubjectIdentifiers(**fields["subject"])
    return RightsRequest(**fields)


@pytest.fixture(name="make_request")
def make_request_fixture() -> Callable[..., RightsRequest]:
    """The factory above, as a fixture: ``make_request(status=Status.DENIED, ...)``."""
    return make_request


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def ring() -> KeyRing:
    """A ring holding one key, ``1``."""
    return KeyRing(current="1", keys={"1": KEY_1})


@pytest.fixture
def rotated_ring() -> KeyRing:
    """The same ring after rotation: key ``2`` is current, key ``1`` is kept for lookups."""
    return KeyRing(current="2", keys={"1": KEY_1, "2": KEY_2})


@pytest.fixture
def idp() -> Iterator[LocalIdentityProvider]:
    """The local stack's identity provider: a signing key and its published key set."""
    provider = LocalIdentityProvider()
    yield provider
    provider.close()
