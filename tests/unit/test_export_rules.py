"""What an export never discloses, and how other people's parts of a call are withheld."""

from __future__ import annotations

import io
import wave
from array import array

import pytest

from privacy_rights.export.audio import Silence, UnsupportedAudio, silence
from privacy_rights.export.export_service import Withheld, _own_turns
from privacy_rights.export.redaction import MASK, redact


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("my card is 4111 1111 1111 1111, expiry 04/28", ["financial_account_number"]),
        ("card 4111-1111-1111-1111", ["financial_account_number"]),
        ("four one one one one one one one one one one one one one one one", ["financial_account_number"]),
        ("my social is 123-45-6789", ["government_id"]),
        ("account 1234 5678 9012 3456 7", ["account_number"]),
    ],
)
def test_numbers_never_disclosed_are_withheld(text: str, kinds: list[str]) -> None:
    redacted, found = redact(text)
    assert found == kinds
    assert MASK in redacted
    assert not any(ch.isdigit() for ch in redacted.replace("04/28", ""))


@pytest.mark.parametrize(
    "text", ["call me at 415 555 0132", "on 2026-11-23 at 10:00", "order 12345", "it cost 1,299 dollars"]
)
def test_ordinary_numbers_stay(text: str) -> None:
    assert redact(text) == (text, [])


def _wav(channels: int, seconds: int = 2, rate: int = 8000, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(
            b"\x10\x00" * (seconds * rate * channels) if width == 2 else b"\x10" * seconds * rate
        )
    return out.getvalue()


def _samples(recording: bytes) -> array[int]:
    with wave.open(io.BytesIO(recording)) as reader:
        return array("h", reader.readframes(reader.getnframes()))


def test_a_window_silences_every_channel_and_a_channel_span_one_side_only() -> None:
    edited = _samples(silence(_wav(2), [Silence(0.5, 1.0), Silence(1.5, 2.0, channel=1)]))
    rate = 8000
    assert edited[int(0.75 * rate) * 2] == edited[int(0.75 * rate) * 2 + 1] == 0
    assert edited[int(1.75 * rate) * 2] == 16
    assert edited[int(1.75 * rate) * 2 + 1] == 0
    assert edited[int(0.25 * rate) * 2 + 1] == 16


def test_audio_that_cannot_be_edited_is_refused_never_passed_through() -> None:
    with pytest.raises(UnsupportedAudio):
        silence(_wav(1, width=1), [Silence(0, 1)])
    with pytest.raises(UnsupportedAudio):
        silence(b"not audio", [])


def test_for_an_agent_the_callers_turns_are_withheld() -> None:
    document = {
        "turns": [
            {"speaker": "agent", "text": "How can I help?"},
            {"speaker": "caller", "text": "My card is 4111 1111 1111 1111"},
            {"speaker": "third_party", "text": "Hi, it's Jordan"},
        ]
    }
    withheld = Withheld()
    turns = _own_turns(document, "agent", withheld)["turns"]
    assert [t["text"] for t in turns] == [
        "How can I help?",
        "[another person: withheld]",
        "[another person: withheld]",
    ]
    assert withheld.items["other_peoples_turns"] == 2
    caller_view = _own_turns(document, "caller", Withheld())["turns"]
    assert caller_view[1]["text"] == "My card is [withheld]"
