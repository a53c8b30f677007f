"""Identifiers read back from our own store are not parsed again (issue 15: cold starts).

phonenumbers and email-validator cost a handler about as much to import as boto3; a handler that
only reads stored requests (already normalized when written) must not pay for them, while
everything a person sends is still parsed in full.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import date
from typing import Any

import email_validator
import phonenumbers
import pytest
from pydantic import ValidationError

from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.identifiers import SMS_LINE_TYPES, STORED, VOICE_LINE_TYPES
from privacy_rights.core.models import (
    Channel,
    Jurisdiction,
    RequestType,
    RightsRequest,
    SubjectIdentifiers,
)


def _fresh_interpreter(source: str) -> str:
    completed = subprocess.run(  # noqa: S603 - this interpreter on our own source
        [sys.executable, "-c", textwrap.dedent(source)], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip()


def test_importing_the_request_model_loads_neither_identifier_library() -> None:
    loaded = _fresh_interpreter(
        """
        import sys
        import privacy_rights.core.models
        print(sorted({"phonenumbers", "email_validator"} & set(sys.modules)))
        """
    )
    assert loaded == "[]"


def test_a_stored_request_is_read_without_either_library() -> None:
    loaded = _fresh_interpreter(
        """
        import sys
        from privacy_rights.core.identifiers import STORED
        from privacy_rights.core.models import SubjectIdentifiers
        subject = SubjectIdentifiers.model_validate(
            {"email": "alice@example.com", "phone": "+14155552671"}, context=STORED
        )
        assert subject.phone == "+14155552671"
        print(sorted({"phonenumbers", "email_validator"} & set(sys.modules)))
        """
    )
    assert loaded == "[]"


class _OneTable:
    """Just enough of DynamoDB for ``RequestStore.create`` and ``get``."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> None:
        put = TransactItems[0]["Put"]
        self.items[put["Item"]["request_id"]["S"]] = put["Item"]

    def get_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.items.get(Key["request_id"]["S"])
        return {"Item": item} if item is not None else {}


def _never(value: str, *_: Any) -> str:
    raise AssertionError("a stored identifier was parsed again")


def test_the_request_store_reads_identifiers_back_without_parsing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = RequestStore(_OneTable(), "requests", "audit")  # type: ignore[arg-type]
    request = RightsRequest(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.GDPR,
        subject=SubjectIdentifiers(email="Alice@Example.com", phone="(415) 555-2671"),
        channel=Channel.WEB,
        due=date(2030, 1, 1),
    )
    store.create(request, actor="test")
    monkeypatch.setattr(phonenumbers, "parse", _never)
    monkeypatch.setattr(email_validator, "validate_email", _never)

    read = store.get(request.request_id)

    assert read == request
    assert (read.subject.email, read.subject.phone) == ("alice@example.com", "+14155552671")


@pytest.mark.parametrize(
    ("field", "stored", "normalized"),
    [
        ("email", "Alice@Example.COM", "alice@example.com"),
        ("email", " alice@example.com", "alice@example.com"),
        ("phone", "(415) 555-2671", "+14155552671"),
        ("phone", "+1 415 555 2671", "+14155552671"),
    ],
)
def test_a_stored_value_in_another_spelling_is_parsed_in_full(
    field: str, stored: str, normalized: str
) -> None:
    subject = SubjectIdentifiers.model_validate({field: stored}, context=STORED)
    assert getattr(subject, field) == normalized


@pytest.mark.parametrize(
    ("field", "stored"),
    [
        ("email", "not an address"),
        ("email", "a\x00@example.com"),
        ("phone", "+1 555 CALL NOW"),
        ("phone", "12"),
    ],
)
def test_a_stored_value_that_is_no_identifier_is_still_refused(field: str, stored: str) -> None:
    with pytest.raises(ValidationError):
        SubjectIdentifiers.model_validate({field: stored}, context=STORED)


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "+10000000000"), ("email", "alice@localhost"), ("email", "a..b@example.com")],
)
def test_what_a_person_sends_is_parsed_in_full_even_in_the_stored_spelling(field: str, value: str) -> None:
    """Only the store's context skips the parse: the same value from a person is refused."""
    with pytest.raises(ValidationError):
        SubjectIdentifiers.model_validate({field: value})
    with pytest.raises(ValidationError):
        SubjectIdentifiers.model_validate({field: value}, context={"stored_record": "yes"})


def test_the_line_type_names_are_phonenumbers_own() -> None:
    for name in SMS_LINE_TYPES | VOICE_LINE_TYPES:
        assert isinstance(getattr(phonenumbers.PhoneNumberType, name), int)
