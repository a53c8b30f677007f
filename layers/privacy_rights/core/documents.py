"""What an uploaded permission document is, from its first bytes and its size alone: a PDF, PNG,
JPEG or TIFF whose opening structure is sound and whose size a signed document can have, or the
reason it is refused. Pure: nothing is opened, rendered or decoded beyond the head's fields.

The declared content type and the file name prove nothing (an 18-byte file called ``.png``
passed before); the bytes decide.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum

#: Bytes of the head ``examine`` needs (PNG's signature and IHDR chunk are the longest: 33).
HEAD_BYTES = 64
#: A scanned or signed document is never this small; below it is a stub, not a permission.
MIN_BYTES = 1024
MAX_BYTES = 5 * 1024 * 1024
#: where the documents supporting a correction are kept: under the permission documents'
#: ``permissions/*`` grant, outside every request's ``permissions/<request>/`` (request ids start
#: ``req_``), so one never counts as a permission
CORRECTION_EVIDENCE_PREFIX = "permissions/correction-evidence/"


class DocumentKind(StrEnum):
    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    TIFF = "tiff"


class Refusal(StrEnum):
    TOO_LARGE = "too_large"
    TOO_SMALL = "too_small"
    UNKNOWN_TYPE = "unknown_type"  # none of the four signatures
    MALFORMED = "malformed"  # a known signature, but the structure after it is wrong


CONTENT_TYPES: dict[DocumentKind, str] = {
    DocumentKind.PDF: "application/pdf",
    DocumentKind.PNG: "image/png",
    DocumentKind.JPEG: "image/jpeg",
    DocumentKind.TIFF: "image/tiff",
}


@dataclass(frozen=True)
class Examined:
    """Either a kind (acceptable) or a refusal, never both."""

    kind: DocumentKind | None = None
    refusal: Refusal | None = None

    @property
    def acceptable(self) -> bool:
        return self.kind is not None and self.refusal is None


def examine(head: bytes, size: int, min_bytes: int = MIN_BYTES, max_bytes: int = MAX_BYTES) -> Examined:
    """The document's kind, or why it is refused. ``head`` is the file's first bytes (at least
    ``HEAD_BYTES`` of them when the file has that many; more are ignored), ``size`` its length.
    Size is checked first, so a file outside the limits need not be read at all."""
    if size > max_bytes:
        return Examined(refusal=Refusal.TOO_LARGE)
    if size < min_bytes:
        return Examined(refusal=Refusal.TOO_SMALL)
    head = head[:HEAD_BYTES]
    for kind, signatures, sound in _CHECKS:
        if head.startswith(signatures):
            return Examined(kind=kind) if sound(head, size) else Examined(refusal=Refusal.MALFORMED)
    return Examined(refusal=Refusal.UNKNOWN_TYPE)


_PDF_HEADER = re.compile(rb"%PDF-(1\.[0-7]|2\.0)[\r\n \t%]")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_BIT_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
#: JPEG markers that may follow SOI: APPn, DQT, DHT, SOFn, DRI, COM.
_JPEG_FIRST_MARKERS = frozenset([*range(0xE0, 0xF0), 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD, 0xFE])


def _pdf(head: bytes, size: int) -> bool:
    """``%PDF-1.0`` … ``%PDF-1.7`` or ``%PDF-2.0``, then the end of that line."""
    return bool(_PDF_HEADER.match(head))


def _png(head: bytes, size: int) -> bool:
    """The signature, then the IHDR chunk: length 13, sane dimensions and fields, its CRC."""
    chunk = head[8:33]
    if len(chunk) < 25:
        return False
    length, chunk_type = struct.unpack(">I4s", chunk[:8])
    if length != 13 or chunk_type != b"IHDR":
        return False
    data = chunk[8:21]
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", data)
    if not (0 < width <= 2**31 - 1 and 0 < height <= 2**31 - 1):
        return False
    if depth not in _PNG_BIT_DEPTHS.get(colour, set()) or compression or filtering or interlace > 1:
        return False
    (crc,) = struct.unpack(">I", chunk[21:25])
    return zlib.crc32(chunk_type + data) == crc


def _jpeg(head: bytes, size: int) -> bool:
    """SOI (FFD8), then a marker that can start a JPEG, with a segment length of at least 2."""
    if len(head) < 6:
        return False
    marker = head[3]
    (length,) = struct.unpack(">H", head[4:6])
    return marker in _JPEG_FIRST_MARKERS and length >= 2


def _tiff(head: bytes, size: int) -> bool:
    """``II*\\0`` or ``MM\\0*``, then the first IFD's offset: past the header, inside the file."""
    if len(head) < 8:
        return False
    (offset,) = struct.unpack("<I" if head[:2] == b"II" else ">I", head[4:8])
    return 8 <= offset <= size - 2


_CHECKS = (
    (DocumentKind.PDF, (b"%PDF-",), _pdf),
    (DocumentKind.PNG, (_PNG_SIGNATURE,), _png),
    (DocumentKind.JPEG, (b"\xff\xd8\xff",), _jpeg),
    (DocumentKind.TIFF, (b"II*\x00", b"MM\x00*"), _tiff),
)
