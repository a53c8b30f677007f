"""One spelling per identifier: email through email-validator, phone to E.164 through phonenumbers.

Both raise ``ValueError`` with a reason a person can act on; pydantic turns it into a
per-field error, and non-pydantic callers (email intake, ops tools) get the same reason.
"""

from __future__ import annotations

import re
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator

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


#: An email address or phone number as every model takes it: validated and normalized once.
Email = Annotated[str, AfterValidator(normalize_email)]
Phone = Annotated[str, AfterValidator(normalize_phone)]


def can_receive_sms(e164: str) -> bool:
    """Landlines and unknown line types get a voice call instead of an SMS."""
    number_type = phonenumbers.number_type(phonenumbers.parse(e164))
    return number_type in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(value: str) -> str:
    return f"***{value[-2:]}" if len(value) > 2 else "***"
