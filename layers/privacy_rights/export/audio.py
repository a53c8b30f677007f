"""Silencing the parts of a call recording that are someone else's (standard-library ``wave`` and
``array``; ``audioop`` is gone in Python 3.13). A window silences every channel for a time span;
a whole channel (a two-channel recording's other side) is the window (0, end) of that channel.

Recordings are streamed a block of frames at a time, from S3 to the ZIP entry: memory stays at
one block whatever the length of the call.
"""

from __future__ import annotations

import io
import sys
import wave
from array import array
from dataclasses import dataclass
from typing import BinaryIO

BLOCK_FRAMES = 64 * 1024


class UnsupportedAudio(Exception):
    """Not 16-bit PCM WAV: it cannot be edited safely, so it is withheld, never released whole."""


@dataclass(frozen=True)
class Silence:
    start: float
    end: float
    channel: int | None = None  # None: every channel


class _ReadOnly:
    """Only ``read``: ``wave`` then never tries to seek a network stream."""

    def __init__(self, source: BinaryIO) -> None:
        self.read = source.read


def pcm_reader(source: BinaryIO) -> wave.Wave_read:
    """A reader of 16-bit PCM WAV, or ``UnsupportedAudio`` before anything is written."""
    try:
        reader = wave.open(_ReadOnly(source), "rb")  # type: ignore[call-overload]  # noqa: SIM115 - the caller closes it
    except (wave.Error, EOFError) as exc:
        raise UnsupportedAudio(str(exc)) from None
    if reader.getsampwidth() != 2 or reader.getcomptype() != "NONE":
        reader.close()
        raise UnsupportedAudio("not 16-bit PCM")
    return reader  # type: ignore[no-any-return]


def write_silenced(reader: wave.Wave_read, target: BinaryIO, spans: list[Silence]) -> None:
    params = reader.getparams()
    channels, rate = params.nchannels, params.framerate
    ranges = [
        (int(max(span.start, 0) * rate), int(min(span.end, params.nframes / rate) * rate) + 1, span.channel)
        for span in spans
    ]
    writer = wave.open(target, "wb")  # noqa: SIM115 - closed below, after the last block
    writer.setparams(params)  # the frame count is known, so the header needs no patching
    position = 0
    while position < params.nframes:
        block = array("h", reader.readframes(BLOCK_FRAMES))
        if not block:
            break
        if sys.byteorder == "big":  # WAV is little-endian
            block.byteswap()
        frames = len(block) // channels
        for first, last, channel in ranges:
            _zero(block, channels, max(first - position, 0), min(last - position, frames), channel)
        if sys.byteorder == "big":
            block.byteswap()
        writer.writeframesraw(block.tobytes())
        position += frames
    writer.close()


def _zero(block: array[int], channels: int, first: int, last: int, channel: int | None) -> None:
    if last <= first:
        return
    if channel is None:
        block[first * channels : last * channels] = array("h", bytes(2 * (last - first) * channels))
    elif channel < channels:
        block[first * channels + channel : last * channels : channels] = array("h", bytes(2 * (last - first)))


def silence(recording: bytes, spans: list[Silence]) -> bytes:
    out = io.BytesIO()
    with pcm_reader(io.BytesIO(recording)) as reader:
        write_silenced(reader, out, spans)
    return out.getvalue()
