"""What is never disclosed in an export, only reported as held (CCPA 7024(d)): Social Security,
driver's licence and passport numbers, health insurance numbers, card and account numbers,
account passwords and the answers to security questions, as written in a record or said aloud
in a call and written down by the transcriber.

How it reads a text:
- **Numbers.** Digits and spoken digits are read alike: "four one one one", "double five",
  "triple seven", "oh", teens and tens ("twelve thirty four") become digits, over a run that
  pauses (commas, dashes, "uh") may split into groups. Each run, and each stretch of whole
  groups in it, is checked against the number rules: a card number passes the Luhn check
  (python-stdnum's ``luhn``); a Social Security number is nine digits that python-stdnum's
  ``us.ssn`` accepts (or written 3-2-4, or said after "social"); twelve to nineteen digits that
  are no card are an account number. A run of ten or eleven digits is a phone number, eight a
  date: they stay, and so does a nine-digit number said after "order", "invoice", "confirmation"
  and the like.
- **Numbers named by what they are.** Passport, driver's licence and health insurance numbers
  have no checksum to find them by: the code said or written after its name is withheld
  ("my passport number is five three one...", "member ID W 1 2 3...", "D as in David ...").
- **Secrets.** What follows "my password is", "PIN", "mother's maiden name", "first pet" and
  other security questions, up to the end of the clause.

Everything else stays as it was written, spoken digits included.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MASK = "[withheld]"

#: kinds of what is withheld (the export's manifest counts them)
GOVERNMENT_ID = "government_id"
CARD = "financial_account_number"
ACCOUNT = "account_number"
HEALTH_INSURANCE = "health_insurance_number"
LOGIN_SECRET = "account_password"  # noqa: S105 (the name of a kind, not a password)
SECURITY_ANSWER = "security_question_answer"
KINDS = frozenset({GOVERNMENT_ID, CARD, ACCOUNT, HEALTH_INSURANCE, LOGIN_SECRET, SECURITY_ANSWER})

_DIGITS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9",
    "cero": "0", "uno": "1", "dos": "2", "tres": "3", "cuatro": "4", "cinco": "5", "seis": "6",
    "siete": "7", "ocho": "8", "nueve": "9",
}  # fmt: skip
_TEENS = {
    "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13", "fourteen": "14", "fifteen": "15",
    "sixteen": "16", "seventeen": "17", "eighteen": "18", "nineteen": "19",
}  # fmt: skip
_TENS = {
    "twenty": "2", "thirty": "3", "forty": "4", "fifty": "5", "sixty": "6", "seventy": "7",
    "eighty": "8", "ninety": "9",
}  # fmt: skip
_REPEAT = {"double": 2, "triple": 3}
#: said between the digits of one number: they end a group, not the run
_PAUSE_WORDS = frozenset({"uh", "um", "er", "erm", "dash", "hyphen"})
_PAUSE_MARKS = frozenset({",", "-", ".", "(", ")", "\u2013", "\u2014"})
#: a nine-digit number after one of these words is a reference, not a Social Security number
_REFERENCE_WORDS = frozenset(
    {"order", "invoice", "confirmation", "reference", "ref", "ticket", "tracking", "case", "booking",
     "reservation", "shipment", "po", "quote", "estimate", "receipt", "transaction", "model", "serial",
     "part"}
)  # fmt: skip
_SOCIAL_WORDS = frozenset({"social", "ssn", "ss", "itin", "taxpayer"})
_CONTEXT_TOKENS = 8

#: What names a number or a secret, in the words callers use; the tuple is read as consecutive words.
_NAMED: dict[str, tuple[tuple[str, ...], ...]] = {
    GOVERNMENT_ID: (
        ("passport",),
        ("driver", "license"), ("drivers", "license"), ("driver", "licence"), ("drivers", "licence"),
        ("driving", "licence"), ("driving", "license"), ("license", "number"), ("licence", "number"),
        ("dl", "number"), ("state", "id"),
    ),
    HEALTH_INSURANCE: (
        ("member", "id"), ("member", "number"), ("medicare",), ("medicaid",), ("insurance", "id"),
        ("insurance", "number"), ("policy", "number"), ("subscriber", "id"), ("subscriber", "number"),
        ("health", "plan", "id"), ("group", "number"), ("mbi",),
    ),
    CARD: (("security", "code"), ("cvv",), ("cvc",), ("card", "verification")),
    LOGIN_SECRET: (("password",), ("passcode",), ("pin",), ("passphrase",), ("pass", "phrase")),
    SECURITY_ANSWER: (
        ("maiden", "name"), ("first", "pet"), ("security", "question"),
        ("security", "answer"), ("secret", "question"), ("secret", "answer"), ("first", "car"),
        ("first", "school"), ("elementary", "school"), ("street", "you", "grew", "up"),
        ("city", "you", "were", "born"), ("city", "were", "you", "born"), ("born", "in"),
        ("childhood", "nickname"),
        ("favorite", "teacher"), ("favourite", "teacher"),
    ),
}  # fmt: skip
#: a secret is only what follows "is" / "was" / ":" (not "I forgot my password, ...")
_LINKS = frozenset({"is", "was", ":", "=", "it's", "its", "'s", "are"})
#: words between a name and its value
_FILLERS = frozenset(
    {"is", "was", "it's", "its", "number", "numbers", "no", "#", ":", "=", "id", "my", "the", "uh", "um",
     "it", "that's", "thats", "called", "named", "of", "on", "are", "card", "question", "answer", "to",
     "and", "name", "s", "'s"}
)  # fmt: skip
#: where the value of a secret ends
_CLAUSE_END = frozenset({".", "?", "!", ";"})
_STOP_WORDS = frozenset({"and", "but", "so", "because", "then", "okay", "ok", "thanks", "thank", "please"})
_SECRET_TOKENS = 6

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019][A-Za-z]+)*|[^\sA-Za-z0-9]")
_EXPIRY = re.compile(r"\b(?:0[1-9]|1[0-2])\s?/\s?(?:\d{2}|\d{4})\b")


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int

    @property
    def word(self) -> str:
        return self.text.lower().replace("\u2019", "'")

    @property
    def base(self) -> str:
        """The word without a possessive or a contracted "is" ("driver's", "password's")."""
        return self.word.removesuffix("'s")


@dataclass
class _Group:
    digits: str
    start: int  # character offsets in the text
    end: int
    written: bool  # digits as digits ("4111"), not words


def _tokens(text: str) -> list[_Token]:
    return [_Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _spoken(tokens: list[_Token], i: int) -> tuple[str, int] | None:
    """The digits tokens[i:] says, and how many tokens say them."""
    word = tokens[i].word
    if word in _DIGITS:
        return _DIGITS[word], 1
    if word in _TEENS:
        return _TEENS[word], 1
    if word in _TENS:
        following = tokens[i + 1].word if i + 1 < len(tokens) else ""
        if following in _DIGITS and _DIGITS[following] != "0" and following != "oh":
            return _TENS[word] + _DIGITS[following], 2
        return _TENS[word] + "0", 1
    if word in _REPEAT and i + 1 < len(tokens):
        said = _spoken(tokens, i + 1) or (
            (tokens[i + 1].text, 1) if tokens[i + 1].text.isdigit() and len(tokens[i + 1].text) == 1 else None
        )
        if said is not None and len(said[0]) == 1:
            return said[0] * _REPEAT[word], 1 + said[1]
    return None


def _runs(tokens: list[_Token]) -> Iterator[tuple[int, list[_Group]]]:
    """Each run of numbers (written or spoken) with the index of its first token, as groups."""
    i, n = 0, len(tokens)
    while i < n:
        groups: list[_Group] = []
        first = i
        spoken_open = False
        while i < n:
            token = tokens[i]
            if token.text.isdigit():
                groups.append(_Group(token.text, token.start, token.end, written=True))
                spoken_open = False
                i += 1
                continue
            said = _spoken(tokens, i)
            if said is not None:
                digits, used = said
                end = tokens[i + used - 1].end
                if spoken_open:
                    groups[-1].digits += digits
                    groups[-1].end = end
                else:
                    groups.append(_Group(digits, token.start, end, written=False))
                    spoken_open = True
                i += used
                continue
            if groups and (token.word in _PAUSE_WORDS or token.text in _PAUSE_MARKS):
                # a pause inside a number, if a number goes on after it
                k = i + 1
                while k < n and (tokens[k].word in _PAUSE_WORDS or tokens[k].text in _PAUSE_MARKS):
                    k += 1
                if k < n and (tokens[k].text.isdigit() or _spoken(tokens, k) is not None):
                    spoken_open = False
                    i = k
                    continue
            break
        if groups:
            yield first, groups
        else:
            i += 1


def _luhn(digits: str) -> bool:
    from stdnum import luhn  # imported when an export is packaged, not at every cold start

    return bool(luhn.is_valid(digits))


def _ssn(digits: str) -> bool:
    from stdnum.us import ssn

    return bool(ssn.is_valid(digits))


def _context(tokens: list[_Token], first: int) -> set[str]:
    return {t.word for t in tokens[max(0, first - _CONTEXT_TOKENS) : first]}


def _card_shaped(groups: list[_Group]) -> bool:
    """One group, or groups of four or more digits but the last (4-4-4-4, 4-6-5): a phone number
    and the next one, in groups of three, are no card."""
    return all(len(g.digits) >= 4 for g in groups[:-1])


def _stretches(groups: list[_Group]) -> list[tuple[int, int]]:
    """Stretches of whole groups of at most 19 digits (the longest number a rule reads), the
    longest first: a card is found before a Social Security number inside it."""
    found = []
    for a in range(len(groups)):
        size = 0
        for b in range(a + 1, len(groups) + 1):
            size += len(groups[b - 1].digits)
            if size > 19:
                break
            found.append((a, b))
    return sorted(found, key=lambda ab: (ab[0] - ab[1], ab[0]))


def _number_spans(tokens: list[_Token]) -> Iterator[tuple[int, int, str]]:
    for first, groups in _runs(tokens):
        context = _context(tokens, first)
        social = bool(context & _SOCIAL_WORDS) or ("security" in context and "social" in context)
        reference = bool(context & _REFERENCE_WORDS) and not social
        found: list[tuple[int, int, str]] = []
        taken: set[int] = set()
        for a, b in _stretches(groups):
            if taken & set(range(a, b)):
                continue
            digits = "".join(g.digits for g in groups[a:b])
            whole = (a, b) == (0, len(groups))
            kind = None
            last = b
            if len(digits) >= 12 and _card_shaped(groups[a:b]) and _luhn(digits):
                kind = CARD
                # what is said right after a card number is its expiry or security code
                last = b + 1 if b < len(groups) and len(groups[b].digits) in (3, 4) else b
            elif len(digits) == 9 and not reference:
                written_ssn = [len(g.digits) for g in groups[a:b]] == [3, 2, 4]
                if social or written_ssn or _ssn(digits):
                    kind = GOVERNMENT_ID
            elif whole and len(digits) >= 12 and _card_shaped(groups) and not reference:
                kind = ACCOUNT
            if kind is not None:
                last = max(last, b) if kind == CARD else b
                found.append((groups[a].start, groups[last - 1].end, kind))
                taken |= set(range(a, last))
        yield from found


_NAMES_BY_FIRST_WORD: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
for _kind, _names in _NAMED.items():
    for _name in _names:
        _NAMES_BY_FIRST_WORD.setdefault(_name[0], []).append((_kind, _name))


def _named_spans(tokens: list[_Token]) -> Iterator[tuple[int, int, str]]:
    n = len(tokens)
    for i in range(n):
        for kind, name in _NAMES_BY_FIRST_WORD.get(tokens[i].base, ()):
            if tuple(t.base for t in tokens[i : i + len(name)]) != name:
                continue
            j = i + len(name)
            linked = tokens[j - 1].word.endswith("'s")  # "my password's ..."
            while j < n and (tokens[j].word in _FILLERS or tokens[j].text in {",", "-"}):
                linked = linked or tokens[j].word in _LINKS
                j += 1
            if kind in (LOGIN_SECRET, SECURITY_ANSWER):
                span = _secret(tokens, j) if linked else None
            else:
                span = _code(tokens, j, min_digits=3 if kind == CARD else 4)
            if span is not None:
                yield span[0], span[1], kind


def _secret(tokens: list[_Token], j: int) -> tuple[int, int] | None:
    """The words of a secret, up to the end of its clause."""
    end = j
    words = 0
    while end < len(tokens) and words < _SECRET_TOKENS:
        token = tokens[end]
        if token.text in _CLAUSE_END and (end + 1 == len(tokens) or tokens[end + 1].start > token.end):
            break
        if token.word in _STOP_WORDS:
            break
        words += token.text not in {",", "-"}
        end += 1
    while end > j and tokens[end - 1].text in {",", "-"}:
        end -= 1
    if end == j:
        return None
    return tokens[j].start, tokens[end - 1].end


def _code(tokens: list[_Token], j: int, min_digits: int) -> tuple[int, int] | None:
    """An identifier said or written after its name: letters and digits, spelled or not
    ("D as in David", "W one two three"), with pauses between them."""
    end = j
    digits = letters = 0
    while end < len(tokens):
        token = tokens[end]
        said = _spoken(tokens, end)
        if token.text.isalnum() and any(ch.isdigit() for ch in token.text):
            digits += sum(ch.isdigit() for ch in token.text)
            letters += sum(ch.isalpha() for ch in token.text)
            end += 1
        elif said is not None:
            digits += len(said[0])
            end += said[1]
        elif token.text.isalpha() and (len(token.text) == 1 or (end == j and len(token.text) <= 4)):
            # a letter, spelled or not, or a short prefix of letters ("ABC 123 456 789")
            letters += len(token.text)
            end += 1
            if end + 2 < len(tokens) and [t.word for t in tokens[end : end + 2]] == ["as", "in"]:
                end += 3  # "D as in David"
        elif token.text in {",", "-"} and end + 1 < len(tokens) and end > j:
            end += 1
        else:
            break
    while end > j and tokens[end - 1].text in {",", "-"}:
        end -= 1
    # a card's security code is three digits; an identity or insurance number has five signs or more
    if digits < min_digits or digits + letters < (3 if min_digits == 3 else 5):
        return None
    return tokens[j].start, tokens[end - 1].end


def redact(text: str) -> tuple[str, list[str]]:
    """The text with what is never disclosed replaced by ``[withheld]``, and the kinds withheld."""
    if not text:
        return text, []
    tokens = _tokens(text)
    named = set(_named_spans(tokens))
    # A number inside one named for what it is takes that name ("member ID ... 123 456 789").
    numbers = {s for s in _number_spans(tokens) if not any(n[0] <= s[0] and s[1] <= n[1] for n in named)}
    spans = sorted(numbers | named)
    if any(kind == CARD for _, _, kind in spans):
        spans = sorted({*spans, *((m.start(), m.end(), CARD) for m in _EXPIRY.finditer(text))})
    if not spans:
        return text, []
    pieces: list[str] = []
    kinds: set[str] = set()
    cursor = 0
    merged_end = -1
    for start, end, kind in spans:
        kinds.add(kind)
        if start < merged_end:  # overlaps the span before: already masked
            if end > merged_end:
                merged_end = end
                cursor = end
            continue
        pieces.append(text[cursor:start])
        pieces.append(MASK)
        cursor = merged_end = end
    pieces.append(text[cursor:])
    return "".join(pieces), sorted(kinds)
