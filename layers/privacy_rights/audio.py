"""Silencing the parts of a call recording that are someone else's (standard-library ``wave`` and
``array``; ``audioop`` is gone in Python 3.13). A window silences every channel for a time span;
a whole channel (a two-channel recording's other side) is the window (0, end) of that channel."""

from __future__ import annotations

import io
import sys
import wave
from array import array
from dataclasses import dataclass


class UnsupportedAudio(Exception):
    """Not 16-bit PCM WAV: it cannot be edited safely, so it is withheld, never released whole."""


@dataclass(frozen=True)
class Silence:
    start: float
    end: float
    channel: int | None = None  # None: every channel


def silence(recording: bytes, spans: list[Silence]) -> bytes:
    try:
        with wave.open(io.BytesIO(recording), "rb") as reader:
            params = reader.getparams()
            samples = array("h", reader.readframes(params.nframes)) if params.sampwidth == 2 else array("h")
    except (wave.Error, EOFError) as exc:
        raise UnsupportedAudio(str(exc)) from None
    if params.sampwidth != 2 or params.comptype != "NONE":
        raise UnsupportedAudio("not 16-bit PCM")
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    channels, rate = params.nchannels, params.framerate
    frames = len(samples) // channels
    for span in spans:
        first = max(0, int(span.start * rate))
        last = min(frames, int(span.end * rate) + 1)
        if last <= first:
            continue
        if span.channel is None:
            samples[first * channels : last * channels] = array("h", bytes(2 * (last - first) * channels))
        elif span.channel < channels:
            step = slice(first * channels + span.channel, last * channels, channels)
            samples[step] = array("h", bytes(2 * (last - first)))
    if sys.byteorder == "big":
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(samples.tobytes())
    return out.getvalue()
