"""What is never disclosed in an export, only reported as held (CCPA 7024(d)): card and account
numbers, government ids, said aloud in a call and written down by the transcriber. Spoken digits
("four one one one ...") are read as digits first, so they are caught the same way."""

from __future__ import annotations

import re

_DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9",
}  # fmt: skip
_SPOKEN_RUN = re.compile(
    r"\b(?:(?:" + "|".join(_DIGIT_WORDS) + r")[\s,-]+){5,}(?:" + "|".join(_DIGIT_WORDS) + r")\b",
    re.IGNORECASE,
)
_SSN = re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b")
_DIGIT_RUN = re.compile(r"\b\d(?:[ -]?\d){11,18}\b")
_EXPIRY = re.compile(r"\b(?:0[1-9]|1[0-2])/\d{2}\b")
MASK = "[withheld]"


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _spoken_as_digits(match: re.Match[str]) -> str:
    words = re.split(r"[\s,-]+", match.group(0).strip())
    return "".join(_DIGIT_WORDS[w.lower()] for w in words if w)


def redact(text: str) -> tuple[str, list[str]]:
    """The text with sensitive numbers replaced, and what kinds were withheld."""
    kinds: list[str] = []
    text = _SPOKEN_RUN.sub(_spoken_as_digits, text)

    def card(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 12 <= len(digits) <= 19 and _luhn(digits):
            kinds.append("financial_account_number")
            return MASK
        if len(digits) >= 12:
            kinds.append("account_number")
            return MASK
        return match.group(0)

    def ssn(match: re.Match[str]) -> str:
        kinds.append("government_id")
        return MASK

    text = _SSN.sub(ssn, _DIGIT_RUN.sub(card, text))
    if "financial_account_number" in kinds:
        text = _EXPIRY.sub(MASK, text)
    return text, sorted(set(kinds))
