"""One spelling per identifier: email through email-validator, phone to E.164 through phonenumbers.

Both raise ``ValueError`` with a reason a person can act on; pydantic turns it into a
per-field error, and non-pydantic callers (email intake, ops tools) get the same reason.

phonenumbers and email-validator cost a handler about as much to import as boto3 does, so they
are imported where a value is parsed, not with this module. A record read back from our own
store was validated and normalized when it was written: validated with ``context=STORED`` (the
adapters do), a value already in its normalized spelling (E.164; a lower-cased address) is
checked for that spelling and kept, without parsing it again. Anything else, and every value
from a person (no context), goes through the full parse.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, ValidationInfo

MAX_IDENTIFIER_LENGTH = 254
DEFAULT_PHONE_REGION = "US"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LETTERS = re.compile(r"[^\W\d_]")


def _reject_garbage(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{what} is empty")
    if len(value) > MAX_IDENTIFIER_LENGTH:
        raise ValueError(f"{what} is longer than {MAX_IDENTIFIER_LENGTH} characters")
    if _CONTROL.search(value):
        raise ValueError(f"{what} contains control characters")
    return value


def normalize_email(value: str) -> str:
    """Syntax only (no DNS: intake must not hang on a resolver); lower-cased whole,
    because the platform's stores compare addresses case-insensitively."""
    from email_validator import EmailNotValidError, validate_email

    value = _reject_garbage(value, "email")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {_without_echo(str(exc), value)}") from None
    return result.normalized.lower()


def _without_echo(message: str, value: str) -> str:
    """email-validator's reasons are helpful but some quote part of the address; a reason
    that would echo any piece of the input is replaced by a generic one."""
    pieces = [piece for piece in re.split(r"[@.\s]+", value.lower()) if len(piece) >= 2]
    if any(piece in message.lower() for piece in pieces):
        return "check the part after the @"
    return message


def normalize_phone(value: str, default_region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164, formatting characters ignored; numbers without a country code are read as US."""
    import phonenumbers

    value = _reject_garbage(value, "phone")
    if _LETTERS.search(value):
        # phonenumbers would read letters as keypad digits (555-CALL); a typo is likelier
        raise ValueError("a phone number has digits only")
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError("not a possible phone number (wrong length for its country)")
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError("not a valid phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


#: The validation context of a record read back from our own store (``Model.model_validate(item,
#: context=STORED)``); never for what a person sends.
STORED: Final[Mapping[str, Any]] = MappingProxyType({"stored_record": True})
# The spellings the normalizers write: E.164, and a lower-cased address without spaces.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_NORMALIZED_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+")


def _stored(info: ValidationInfo) -> bool:
    context = info.context
    return isinstance(context, Mapping) and context.get("stored_record") is True


def _email(value: str, info: ValidationInfo) -> str:
    if (
        _stored(info)
        and len(value) <= MAX_IDENTIFIER_LENGTH
        and value == value.lower()
        and _NORMALIZED_EMAIL.fullmatch(value)
    ):
        return value
    return normalize_email(value)


def _phone(value: str, info: ValidationInfo) -> str:
    if _stored(info) and _E164.fullmatch(value):
        return value
    return normalize_phone(value)


#: An email address or phone number as every model takes it: validated and normalized once.
Email = Annotated[str, AfterValidator(_email)]
Phone = Annotated[str, AfterValidator(_phone)]


#: Line types (``phonenumbers.PhoneNumberType``) that take an SMS, and those that take an
#: automated call; every other type (premium rate, toll-free, shared cost, VoIP, pager, UAN,
#: personal, voicemail, unknown) is sent nothing: texts and calls to them cost us, and pay whoever
#: runs them (SMS pumping). Names, so that phonenumbers is imported only to parse a number.
SMS_LINE_TYPES = frozenset({"MOBILE", "FIXED_LINE_OR_MOBILE"})
VOICE_LINE_TYPES = frozenset({"FIXED_LINE"})
PhoneChannel = Literal["sms", "voice"]


def can_receive_sms(e164: str) -> bool:
    """Mobiles (and numbering plans that do not tell mobiles from landlines, like the US)."""
    return _line_type(e164) in SMS_LINE_TYPES


def phone_refusal(e164: str, allowed_countries: Collection[str]) -> Literal["number_type", "country"] | None:
    """Why a number gets no SMS and no call whatever the channel, or None: its line type first
    (a premium-rate number is refused as such wherever it is), then its country (phonenumbers'
    region: +44 7911 is Guernsey, GG, not GB)."""
    number_type = _line_type(e164)
    if number_type not in SMS_LINE_TYPES | VOICE_LINE_TYPES:
        return "number_type"
    import phonenumbers

    if phonenumbers.region_code_for_number(phonenumbers.parse(e164)) not in allowed_countries:
        return "country"
    return None


def phone_channel(e164: str, allowed_countries: Collection[str]) -> PhoneChannel | None:
    """The channel for a number: ``sms`` (mobile, or mobile-or-landline), ``voice`` (landline: an
    automated call, if a voice line is configured) or None (nothing is sent to it)."""
    if phone_refusal(e164, allowed_countries) is not None:
        return None
    return "sms" if _line_type(e164) in SMS_LINE_TYPES else "voice"


def _line_type(e164: str) -> str:
    """The name of the number's ``phonenumbers.PhoneNumberType`` (``UNKNOWN`` for an invalid one)."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return "UNKNOWN"
    if not phonenumbers.is_valid_number(parsed):
        return "UNKNOWN"
    number_type = phonenumbers.number_type(parsed)
    names = {getattr(phonenumbers.PhoneNumberType, name): name for name in SMS_LINE_TYPES | VOICE_LINE_TYPES}
    return names.get(number_type, "OTHER")


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(value: str) -> str:
    return f"***{value[-2:]}" if len(value) > 2 else "***"
