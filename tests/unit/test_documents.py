"""A permission document is what its first bytes and size say it is, never what its name or
declared type claims: real PDF, PNG, JPEG and TIFF heads pass; stubs, fakes and junk do not."""

from __future__ import annotations

import struct
import zlib

import pytest

from privacy_rights.core.documents import (
    HEAD_BYTES,
    MAX_BYTES,
    MIN_BYTES,
    DocumentKind,
    Examined,
    Refusal,
    examine,
)


def minimal_pdf(pad_to: int = 2048) -> bytes:
    """A valid one-page PDF (catalog, pages, page, xref, trailer), padded with a comment."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n% signed permission (synthetic)" + b" " * pad_to + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def real_png(width: int = 24, height: int = 24) -> bytes:
    """An uncompressed-deflate RGB PNG, big enough to pass the minimum size."""
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 3) % 256 for x in range(width * 3)) for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(rows, 0))
        + _chunk(b"IEND", b"")
    )


def jpeg_head() -> bytes:
    """SOI, then a JFIF APP0 segment (length 16), as every camera and scanner writes it."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00" + b"\xff\xdb\x00\x43\x00"


def tiff(byte_order: str = "II", size: int = 4096) -> bytes:
    """A header whose first IFD follows it at offset 8, then one-entry IFD and padding."""
    fmt = "<" if byte_order == "II" else ">"
    magic = b"II*\x00" if byte_order == "II" else b"MM\x00*"
    ifd = struct.pack(fmt + "HHHII", 1, 256, 4, 1, 1) + struct.pack(fmt + "I", 0)
    return (magic + struct.pack(fmt + "I", 8) + ifd).ljust(size, b"\x00")


def _examine(content: bytes, size: int | None = None) -> Examined:
    return examine(content[:HEAD_BYTES], len(content) if size is None else size)


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (minimal_pdf(), DocumentKind.PDF),
        (b"%PDF-1.7\r\n" + b"%" * 2000, DocumentKind.PDF),
        (b"%PDF-2.0\n" + b"%" * 2000, DocumentKind.PDF),
        (real_png(), DocumentKind.PNG),
        (jpeg_head().ljust(4096, b"\x00"), DocumentKind.JPEG),
        (b"\xff\xd8\xff\xe1\x1f\xfeExif\x00\x00".ljust(4096, b"\x00"), DocumentKind.JPEG),
        (tiff("II"), DocumentKind.TIFF),
        (tiff("MM"), DocumentKind.TIFF),
    ],
    ids=["pdf", "pdf_1_7_crlf", "pdf_2_0", "png", "jpeg_jfif", "jpeg_exif", "tiff_intel", "tiff_motorola"],
)
def test_real_documents_are_recognised(content: bytes, kind: DocumentKind) -> None:
    examined = _examine(content)

    assert examined == Examined(kind=kind)
    assert examined.acceptable


def test_the_head_may_be_longer_than_needed() -> None:
    assert examine(minimal_pdf(), len(minimal_pdf())).kind is DocumentKind.PDF


def test_an_eighteen_byte_fake_png_is_too_small() -> None:
    fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10

    assert _examine(fake) == Examined(refusal=Refusal.TOO_SMALL)


@pytest.mark.parametrize(
    "content",
    [
        b"Dear CallX, I give permission. Signed, R. Chen\n" * 100,  # a text file renamed .pdf
        b"PK\x03\x04" + b"\x00" * 2000,  # a zip (or docx)
        b"MZ\x90\x00" + b"\x00" * 2000,  # a Windows program
        b"<html><body>permission</body></html>".ljust(2000),
        b"\x00" * 2000,
        b" %PDF-1.4\n" + b"%" * 2000,  # not at the very start
    ],
    ids=["text", "zip", "exe", "html", "zeros", "pdf_not_at_start"],
)
def test_other_files_are_of_an_unknown_type(content: bytes) -> None:
    assert _examine(content) == Examined(refusal=Refusal.UNKNOWN_TYPE)


def _png_with_ihdr(ihdr: bytes, crc: int | None = None) -> bytes:
    crc = zlib.crc32(b"IHDR" + ihdr) if crc is None else crc
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", crc)).ljust(
        2048, b"\x00"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 2040,  # the signature alone
        _png_with_ihdr(struct.pack(">IIBBBBB", 24, 24, 8, 2, 0, 0, 0), crc=0),  # wrong CRC
        _png_with_ihdr(struct.pack(">IIBBBBB", 0, 24, 8, 2, 0, 0, 0)),  # no width
        _png_with_ihdr(struct.pack(">IIBBBBB", 24, 24, 3, 2, 0, 0, 0)),  # impossible bit depth
        _png_with_ihdr(struct.pack(">IIBBBBB", 24, 24, 8, 2, 1, 0, 0)),  # unknown compression
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IDAT", b"x" * 13) + b"\x00" * 2000,  # IDAT first
        b"%PDF-\n" + b"%" * 2000,  # no version
        b"%PDF-9.9\n" + b"%" * 2000,
        b"%PDF-1.4junk" + b"%" * 2000,
        b"\xff\xd8\xff\x00\x00\x10" + b"\x00" * 2000,  # not a marker after SOI
        b"\xff\xd8\xff\xe0\x00\x01" + b"\x00" * 2000,  # segment length below 2
        b"II*\x00" + struct.pack("<I", 4) + b"\x00" * 2000,  # IFD inside the header
        b"MM\x00*" + struct.pack(">I", 10_000_000) + b"\x00" * 2000,  # IFD beyond the file
    ],
    ids=[
        "png_signature_only", "png_bad_crc", "png_zero_width", "png_bad_depth", "png_bad_compression",
        "png_idat_first", "pdf_no_version", "pdf_9_9", "pdf_junk_after_version", "jpeg_no_marker",
        "jpeg_short_segment", "tiff_ifd_in_header", "tiff_ifd_past_end",
    ],
)  # fmt: skip
def test_a_known_signature_with_a_broken_structure_is_malformed(content: bytes) -> None:
    assert _examine(content) == Examined(refusal=Refusal.MALFORMED)


def test_size_limits() -> None:
    head = minimal_pdf()[:HEAD_BYTES]

    assert examine(head, MIN_BYTES).kind is DocumentKind.PDF
    assert examine(head, MIN_BYTES - 1).refusal is Refusal.TOO_SMALL
    assert examine(head, MAX_BYTES).kind is DocumentKind.PDF
    assert examine(head, MAX_BYTES + 1).refusal is Refusal.TOO_LARGE
    assert examine(head, 0).refusal is Refusal.TOO_SMALL
    assert MIN_BYTES == 1024
    assert MAX_BYTES == 5 * 1024 * 1024


def test_size_is_judged_without_the_head() -> None:
    """The adapter refuses by size without reading anything: an empty head is enough."""
    assert examine(b"", 10) == Examined(refusal=Refusal.TOO_SMALL)
    assert examine(b"", MAX_BYTES + 1) == Examined(refusal=Refusal.TOO_LARGE)
    assert examine(b"", 4096) == Examined(refusal=Refusal.UNKNOWN_TYPE)


@pytest.mark.parametrize(
    ("content", "needed"), [(real_png(), 33), (jpeg_head(), 6), (tiff("II"), 8), (tiff("MM"), 8)]
)
def test_a_head_too_short_to_check_is_never_accepted(content: bytes, needed: int) -> None:
    for length in range(needed):
        assert not examine(content[:length], 4096).acceptable
    assert examine(content[:needed], 4096).acceptable
