"""Identifier normalization, the intake body's validation, and how validation errors are reported."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from privacy_rights.core.identifiers import (
    MAX_IDENTIFIER_LENGTH,
    can_receive_sms,
    mask_email,
    mask_phone,
    normalize_email,
    normalize_phone,
)
from privacy_rights.core.models import RequestType, SubjectIdentifiers
from privacy_rights.rights_requests.submission import SubmitRequest
from privacy_rights.runtime.http_errors import field_reasons

US_E164 = "+14155552671"
UK_LANDLINE = "+44 20 7946 0958"
UK_MOBILE = "+44 7400 123456"

# --- normalize_phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "(415) 555-2671",
        "415.555.2671",
        "+1 415 555 2671",
        "1-415-555-2671",
        "4155552671",
        "+14155552671",
        "  415 555 2671  ",
        "+1 (415) 555-2671",
    ],
)
def test_every_spelling_of_one_us_number_gives_the_same_e164(written: str) -> None:
    assert normalize_phone(written) == US_E164


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (UK_LANDLINE, "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+49 30 901820", "+4930901820"),
        ("+33 1 23 45 67 89", "+33123456789"),
        ("011 44 20 7946 0958", "+442079460958"),  # dialled from the US with its international prefix
    ],
)
def test_international_numbers_keep_their_country_code(written: str, expected: str) -> None:
    assert normalize_phone(written) == expected


def test_a_national_number_is_read_in_the_region_given() -> None:
    assert normalize_phone("020 7946 0958", default_region="GB") == "+442079460958"


def test_a_national_number_without_country_code_is_read_as_us_by_default() -> None:
    with pytest.raises(ValueError, match="wrong length for its country"):
        normalize_phone("020 7946 0958")  # eleven digits: a UK number, too long for the US


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "phone is empty"),
        ("   ", "phone is empty"),
        ("4" * (MAX_IDENTIFIER_LENGTH + 1), f"longer than {MAX_IDENTIFIER_LENGTH} characters"),
        ("415 555\x00 2671", "control characters"),
        ("415 555\x1b2671", "control characters"),
        ("415\x7f5552671", "control characters"),
        ("call me maybe", "digits only"),
        ("415555267a", "digits only"),
        ("123", "wrong length"),
        ("+1 415 555 26711", "wrong length"),
        ("+1 011 555 2671", "not a valid phone number for its country"),
        ("+44 20 7946 095", "not a valid phone number for its country"),
    ],
)
def test_a_bad_phone_number_is_rejected_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalize_phone(value)


@pytest.mark.parametrize("value", ["415-555-CALL", "1-800-FLOWERS"])
def test_a_phone_number_spelled_with_letters_is_rejected(value: str) -> None:
    with pytest.raises(ValueError, match="phone"):
        normalize_phone(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60) | st.text(alphabet="0123456789+()-. xX#*,;ext", max_size=40))
def test_normalize_phone_raises_nothing_but_value_error_and_its_output_is_a_fixed_point(text: str) -> None:
    try:
        normalized = normalize_phone(text)
    except ValueError:
        return
    assert normalized.startswith("+")
    assert normalized[1:].isdigit()
    assert normalize_phone(normalized) == normalized


def test_a_us_number_can_receive_sms() -> None:
    assert can_receive_sms(US_E164) is True


def test_a_uk_mobile_can_receive_sms() -> None:
    assert can_receive_sms(normalize_phone(UK_MOBILE)) is True


def test_a_uk_landline_cannot_receive_sms() -> None:
    assert can_receive_sms(normalize_phone(UK_LANDLINE)) is False


@pytest.mark.parametrize(
    ("value", "masked"), [("+14155552671", "***71"), ("+442079460958", "***58"), ("12", "***"), ("", "***")]
)
def test_mask_phone_keeps_only_the_last_two_digits(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


# --- normalize_email ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["Jane.Doe@Example.COM", "JANE.DOE@EXAMPLE.COM", "  jane.doe@example.com  ", "jane.doe@example.com"],
)
def test_emails_are_lower_cased_whole(written: str) -> None:
    assert normalize_email(written) == "jane.doe@example.com"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "email is empty"),
        ("jane.example.com", "must have an @-sign"),
        ("jane@@example.com", "not a valid email address"),
        ("jane@doe@example.com", "not a valid email address"),
        ("jane doe@example.com", "not a valid email address"),
        ("jane@exa mple.com", "not a valid email address"),
        ("jane@localhost", "should have a period"),
        ("jane@", "not a valid email address"),
        ("@example.com", "not a valid email address"),
        ("jane\x00@example.com", "control characters"),
        ("j" * 250 + "@example.com", f"longer than {MAX_IDENTIFIER_LENGTH} characters"),
    ],
)
def test_a_bad_email_is_rejected_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        normalize_email(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80) | st.emails().map(str))
def test_normalize_email_raises_nothing_but_value_error_and_its_output_is_a_fixed_point(text: str) -> None:
    try:
        normalized = normalize_email(text)
    except ValueError:
        return
    assert normalized == normalized.lower()
    assert normalize_email(normalized) == normalized


@pytest.mark.parametrize(
    ("value", "masked"),
    [("jane@example.com", "j***@example.com"), ("x@example.org", "x***@example.org"), ("no-at-sign", "***")],
)
def test_mask_email_keeps_the_first_letter_and_the_domain(value: str, masked: str) -> None:
    assert mask_email(value) == masked


# --- SubjectIdentifiers ---------------------------------------------------------------------------------


def test_subject_identifiers_store_normalized_values() -> None:
    subject = SubjectIdentifiers(email="Jane.Doe@Example.COM", phone="(415) 555-2671")

    assert subject.email == "jane.doe@example.com"
    assert subject.phone == US_E164


def test_subject_identifiers_need_an_email_or_a_phone() -> None:
    with pytest.raises(ValidationError, match="give at least one of email or phone"):
        SubjectIdentifiers(name="Jane Doe")


def test_subject_identifiers_report_a_bad_phone_on_the_phone_field() -> None:
    with pytest.raises(ValidationError) as raised:
        SubjectIdentifiers(email="jane@example.com", phone="123")

    assert [error["loc"] for error in raised.value.errors()] == [("phone",)]


def test_subject_identifiers_refuse_unknown_fields() -> None:
    with pytest.raises(ValidationError, match="extra"):
        SubjectIdentifiers(email="jane@example.com", ssn="078-05-1120")


# --- SubmitRequest --------------------------------------------------------------------------------------


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "access", "jurisdiction": "gdpr", "email": "jane@example.com"}
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def _errors(**overrides: Any) -> list[Any]:
    with pytest.raises(ValidationError) as raised:
        SubmitRequest.model_validate(_body(**overrides))
    return raised.value.errors()


def test_a_valid_submission_is_normalized() -> None:
    body = SubmitRequest.model_validate(_body(email=" Jane@Example.com ", phone="415.555.2671"))

    assert body.email == "jane@example.com"
    assert body.phone == US_E164


def test_bad_email_bad_phone_and_unknown_field_are_all_reported_at_once() -> None:
    errors = _errors(email="jane.example.com", phone="123", colour="red")

    by_field = {error["loc"]: error for error in errors}
    assert set(by_field) == {("email",), ("phone",), ("colour",)}
    assert "@-sign" in by_field[("email",)]["msg"]
    assert "wrong length" in by_field[("phone",)]["msg"]
    assert by_field[("colour",)]["type"] == "extra_forbidden"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"email": None}, "give at least one of email or phone"),
        ({"type": "opt_out"}, "an opt-out names what to opt out of"),
        ({"opt_out_of": ["marketing"]}, "opt_out_of goes with type opt_out"),
        ({"type": "deletion", "scope": "categories"}, "scope goes with access or portability"),
        ({"jurisdiction": "us_state"}, "a us_state request names the state"),
        ({"phone_held_since": "2020-01-01"}, "phone_held_since needs a phone number"),
    ],
)
def test_inconsistent_submissions_are_refused_as_a_whole(overrides: dict[str, Any], message: str) -> None:
    errors = _errors(**overrides)

    assert [(error["loc"], error["type"]) for error in errors] == [((), "value_error")]
    assert message in errors[0]["msg"]


@pytest.mark.parametrize(
    "body",
    [
        _body(type="opt_out", opt_out_of=["sale_share", "targeted_ads"]),
        _body(type="portability", scope="specific_pieces"),
        _body(jurisdiction="us_state", us_state="VA"),
        _body(email=None, phone="+1 415 555 2671", phone_held_since="2020-01-01"),
    ],
)
def test_consistent_submissions_are_accepted(body: dict[str, Any]) -> None:
    assert SubmitRequest.model_validate(body).type is RequestType(body["type"])


def test_a_lower_case_state_code_is_refused() -> None:
    assert [error["loc"] for error in _errors(jurisdiction="us_state", us_state="va")] == [("us_state",)]


@pytest.mark.parametrize("field", ["name", "details"])
@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b[31m", "\x7f"])
def test_control_characters_in_name_and_details_are_refused(field: str, control: str) -> None:
    errors = _errors(**{field: f"Jane{control}Doe"})

    assert [(error["loc"], error["msg"]) for error in errors] == [
        ((field,), "Value error, contains control characters")
    ]


def test_details_may_span_several_lines() -> None:
    body = SubmitRequest.model_validate(_body(details="first line\nsecond line\r\n\tindented"))

    assert "\n" in body.details


def test_details_of_exactly_4000_characters_are_accepted() -> None:
    assert len(SubmitRequest.model_validate(_body(details="x" * 4000)).details) == 4000


def test_details_over_4000_characters_are_refused() -> None:
    assert [(error["loc"], error["type"]) for error in _errors(details="x" * 4001)] == [
        (("details",), "string_too_long")
    ]


def test_control_characters_in_the_requester_name_are_refused() -> None:
    agent = {"role": "authorized_agent", "name": "Agent\x00\x1b[31m", "email": "agent@example.com"}

    errors = _errors(requester=agent)

    assert [error["loc"][:2] for error in errors] == [("requester", "name")]


# --- field_reasons --------------------------------------------------------------------------------------

SECRET_INPUTS = {"email": "jane.doe.example.com", "phone": "99999999999999999", "colour": "crimson-secret"}


def test_field_reasons_gives_one_field_and_reason_per_error() -> None:
    reasons = field_reasons(_errors(**SECRET_INPUTS))

    assert sorted(reasons, key=lambda r: r["field"]) == [
        {"field": "colour", "reason": "unknown field"},
        {"field": "email", "reason": "not a valid email address: An email address must have an @-sign."},
        {"field": "phone", "reason": "not a possible phone number (wrong length for its country)"},
    ]


def test_field_reasons_never_echo_the_input_values() -> None:
    errors = _errors(**SECRET_INPUTS)
    assert all("input" in error for error in errors)  # pydantic does carry them ...

    text = json.dumps(field_reasons(errors))

    for value in SECRET_INPUTS.values():  # ... and they must not come out
        assert value not in text


def test_field_reasons_reports_a_whole_body_error_on_body() -> None:
    assert field_reasons(_errors(email=None)) == [
        {"field": "body", "reason": "give at least one of email or phone"}
    ]


def test_field_reasons_joins_nested_locations_with_dots() -> None:
    powertools_style = [
        {"loc": ("body", "email"), "msg": "Value error, bad", "type": "value_error", "input": "x@y"},
        {"loc": ("body", "requester", "name"), "msg": "Field required", "type": "missing"},
        {"loc": ("body", "__root__"), "msg": "broken", "type": "value_error"},
    ]

    assert field_reasons(powertools_style) == [
        {"field": "body.email", "reason": "bad"},
        {"field": "body.requester.name", "reason": "Field required"},
        {"field": "body", "reason": "broken"},
    ]


def test_field_reasons_do_not_echo_part_of_an_internationalized_address() -> None:
    reasons = field_reasons(_errors(email="jane@doe·family.example"))

    assert "doe·family" not in json.dumps(reasons, ensure_ascii=False)
