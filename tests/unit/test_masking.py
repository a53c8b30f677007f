"""Masking of personal data in logs: by key, by shape in free text, and through a real Powertools logger."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from aws_lambda_powertools import Logger
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains

from privacy_rights.core.identifiers import normalize_phone
from privacy_rights.runtime.observability import MASK, SENSITIVE_KEYS, MaskingFormatter, make_logger, mask

# --- by key ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SENSITIVE_KEYS))
def test_every_sensitive_key_is_masked_whatever_its_value(key: str) -> None:
    assert mask({key: "Jane Doe"}) == {key: MASK}
    assert mask({key: {"nested": "value"}}) == {key: MASK}
    assert mask({key: 123456}) == {key: MASK}


@pytest.mark.parametrize("key", ["Email", "PHONE", "Authorization", "Source_IP"])
def test_sensitive_keys_are_matched_case_insensitively(key: str) -> None:
    assert mask({key: "x"}) == {key: MASK}


@pytest.mark.parametrize("empty", [None, "", [], {}])
def test_an_empty_sensitive_value_is_left_as_is(empty: object) -> None:
    """So a log can still tell "no email given" from "an email given"."""
    assert mask({"email": empty}) == {"email": empty}


def test_ordinary_keys_with_ordinary_values_stay_readable() -> None:
    record = {
        "request_id": "req_Zx81-9aQ_kLmN0pQrStUvW",
        "status": "verified",
        "attempts": 3,
        "elapsed_ms": 12.5,
        "retry": False,
        "due": "2026-12-28",
    }

    assert mask(record) == record


# --- by shape, in free text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sent to jane@example.com", f"sent to {MASK}"),
        ("cc Jane.O'Neil+privacy@mail.example.co.uk, ok", f"cc {MASK}, ok"),
        ("call +14155552671 now", f"call {MASK} now"),
        ("call (415) 555-2671 now", f"call {MASK} now"),
        ("call 415.555.2671 now", f"call {MASK} now"),
        ("call +1 415 555 2671 now", f"call {MASK} now"),
        ("call +44 20 7946 0958 now", f"call {MASK} now"),
        ("call +4930901820 now", f"call {MASK} now"),
        ("Authorization: Bearer 1.eyJhbGciOi-_xyz", f"Authorization: Bearer {MASK}"),
        ("authorization: bearer abc123", f"authorization: Bearer {MASK}"),
    ],
)
def test_emails_phone_numbers_and_bearer_tokens_in_free_text_are_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "due 2026-12-28",
        "received 2026-12-28T10:15:00+00:00",
        "3 of 12 codes sent",
        "request req_Zx81-9aQ_kLmN0pQrStUvW moved to verified",
        "retry 2 after 1500 ms",
        "seq 1234567",
        "version 1.2.3",
    ],
)
def test_dates_counts_and_request_ids_stay_readable(text: str) -> None:
    assert mask(text) == text


def test_nested_dicts_and_lists_are_masked_all_the_way_down() -> None:
    record = {
        "request_id": "req_1",
        "steps": [
            {"name": "ExportData", "to": "jane@example.com", "count": 2},
            "called +14155552671",
            ("tuple item jane@example.com", 7),
        ],
        "outer": {"inner": {"phone": "+14155552671", "note": "due 2026-12-28"}},
    }

    assert mask(record) == {
        "request_id": "req_1",
        "steps": [
            {"name": MASK, "to": MASK, "count": 2},
            f"called {MASK}",
            [f"tuple item {MASK}", 7],
        ],
        "outer": {"inner": {"phone": MASK, "note": "due 2026-12-28"}},
    }


def test_non_string_scalars_pass_through() -> None:
    for value in (0, 4155552671, 1.5, True, None):
        assert mask(value) == value


_SEPARATORS = st.sampled_from([" ", ": ", "=", ", ", "\n", " <", "(", "tel:", '"'])


@st.composite
def _e164(draw: st.DrawFn) -> str:
    """'+', a country code without a leading zero, and a subscriber number: 8 to 15 digits in all."""
    total = draw(st.integers(min_value=8, max_value=15))
    first = draw(st.sampled_from("123456789"))
    rest = draw(st.text(alphabet="0123456789", min_size=total - 1, max_size=total - 1))
    return f"+{first}{rest}"


@settings(max_examples=200, deadline=None)
@given(number=_e164(), before=_SEPARATORS, after=_SEPARATORS, words=st.sampled_from(["sent to", "", "call"]))
def test_masking_never_leaks_a_generated_e164_number(
    number: str, before: str, after: str, words: str
) -> None:
    masked = mask(f"{words}{before}{number}{after}done")

    assert number not in masked
    assert number[1:] not in masked


@settings(max_examples=200, deadline=None)
@given(
    area=st.integers(200, 999),
    exchange=st.integers(200, 999),
    line=st.integers(0, 9999),
    layout=st.sampled_from(["({a}) {e}-{l}", "{a}-{e}-{l}", "{a}.{e}.{l}", "+1 {a} {e} {l}", "1{a}{e}{l}"]),
)
def test_masking_never_leaks_a_us_number_however_it_is_written(
    area: int, exchange: int, line: int, layout: str
) -> None:
    written = layout.format(a=area, e=exchange, l=f"{line:04d}")

    masked = mask(f"caller said {written} twice")

    assert masked == f"caller said {MASK} twice"


_EVERYDAY_EMAILS = st.builds(
    "{}@{}".format,
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._+'-]{0,30}", fullmatch=True),
    domains(),
)


@settings(max_examples=200, deadline=None)
@given(_EVERYDAY_EMAILS)
def test_masking_never_leaks_a_generated_email_address(email: str) -> None:
    masked = mask(f"reply to {email} please")

    assert email not in masked
    assert "@" not in masked


@pytest.mark.parametrize("number", ["+6837012", "+6907290", "+2908999"])
def test_short_but_valid_e164_numbers_are_masked(number: str) -> None:
    assert normalize_phone(number) == number  # precondition: a number the service accepts

    assert number not in mask(f"sent code to {number}")


# --- a real Powertools logger ---------------------------------------------------------------------------


@pytest.fixture
def captured_logger() -> Iterator[tuple[Logger, io.StringIO]]:
    """``make_logger`` as the handlers build it, its handler's stream swapped for a buffer.

    Powertools configures one stdlib logger per service and keeps its first handler, so the stream is
    swapped on that handler (and put back) rather than passed to a second ``Logger``.
    """
    logger = make_logger("test")
    # The loggers of one service share their keys: start from none (an earlier test's Lambda
    # context would add its function ARN, whose account id holds the digits checked below).
    logger.clear_state()
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    # assigned, not ``setStream``: that flushes the stream it replaces, and the handler may hold
    # the stdout of an earlier test that captured it (closed since), when that test made the
    # service's logger first
    previous, handler.stream = handler.stream, buffer
    try:
        yield logger, buffer
    finally:
        handler.stream = previous


def test_make_logger_uses_the_masking_formatter() -> None:
    assert isinstance(make_logger("test").registered_formatter, MaskingFormatter)


def test_a_real_logger_writes_no_personal_data(captured_logger: tuple[Logger, io.StringIO]) -> None:
    logger, buffer = captured_logger

    logger.info(
        "sent to jane@example.com at +14155552671", extra={"email": "jane@example.com", "code": "123456"}
    )

    line = buffer.getvalue().strip()
    assert line, "nothing was logged"
    for secret in ("jane@example.com", "+14155552671", "123456"):
        assert secret not in line
    record = json.loads(line)
    assert record["message"] == f"sent to {MASK} at {MASK}"
    assert record["email"] == MASK
    assert record["code"] == MASK
    assert record["level"] == "INFO"
    assert record["service"] == "privacy-rights"


def test_a_real_logger_masks_a_dict_message(captured_logger: tuple[Logger, io.StringIO]) -> None:
    logger, buffer = captured_logger

    logger.warning({"event": "lookup failed", "phone": "+14155552671", "due": "2026-12-28"})

    assert "+14155552671" not in buffer.getvalue()
    record = json.loads(buffer.getvalue())
    assert record["message"] == {"event": "lookup failed", "phone": MASK, "due": "2026-12-28"}


def test_a_real_logger_masks_the_exception_text(captured_logger: tuple[Logger, io.StringIO]) -> None:
    logger, buffer = captured_logger

    try:
        raise ValueError("no account for jane@example.com")
    except ValueError:
        logger.exception("lookup failed")

    record = json.loads(buffer.getvalue())
    assert record["exception_name"] == "ValueError"
    assert record["exception"].endswith(f"ValueError: no account for {MASK}")


def test_a_real_logger_writes_no_personal_data_from_an_exception(
    captured_logger: tuple[Logger, io.StringIO],
) -> None:
    logger, buffer = captured_logger

    try:
        raise ValueError("no account for jane@example.com")
    except ValueError:
        logger.exception("lookup failed")

    assert "jane@example.com" not in buffer.getvalue()


# --- ids stay searchable, the synthetic platform's people do not ----------------------------------------


def _random_ids(count: int) -> list[str]:
    """UUIDs, request ids, execution names and ARNs as the service logs them."""
    import random
    import secrets
    import uuid

    from privacy_rights.core.models import new_request_id

    rng = random.Random(21)
    services = ["states", "lambda", "dynamodb", "s3", "sqs", "sns", "kms", "secretsmanager", "ses"]
    ids: list[str] = []
    for n in range(count):
        account = "".join(rng.choice("0123456789") for _ in range(12))
        request_id = new_request_id()
        ids += [
            str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            request_id,
            secrets.token_hex(32),
            f"arn:aws:states:us-east-1:{account}:execution:RightsRequest:{request_id}-r{n % 3}",
            f"arn:aws:{rng.choice(services)}:eu-west-1:{account}:thing/{uuid.UUID(int=rng.getrandbits(128))}",
            f"arn:aws:lambda:us-east-1:{account}:function:callx-privacy-Intake:{rng.randint(1, 99999)}",
        ]
    return ids


def test_ten_thousand_random_ids_and_arns_are_never_altered() -> None:
    ids = _random_ids(10_000 // 6 + 1)
    assert len(ids) >= 10_000
    altered = [value for value in ids if mask(value) != value]
    assert altered == []
    # in a sentence too, as a log message carries them
    sentence = " ".join(ids[:600])
    assert (
        mask(f"replayed {sentence} at 2026-12-06T10:56:15.123Z")
        == f"replayed {sentence} at 2026-12-06T10:56:15.123Z"
    )


def test_every_email_and_phone_of_the_synthetic_platform_is_masked() -> None:
    from local_stack.synthetic import Row, Scale, records

    people: set[str] = set()
    for record in records(Scale(callers=200)):
        if not isinstance(record, Row):
            continue
        for value in record.item.values():
            if isinstance(value, str) and ("@" in value or re.fullmatch(r"\+\d{8,15}", value)):
                people.add(value)
    emails = {value for value in people if "@" in value}
    phones = people - emails
    assert len(emails) > 50
    assert len(phones) > 200
    for value in sorted(people):
        line = mask(f"looked up {value}, then arn:aws:ses:us-east-1:123456789012:identity/{value}")
        assert value not in line, line
        assert value.lstrip("+") not in line, line
