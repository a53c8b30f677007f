"""A Parquet file's footer (its ``FileMetaData``, Thrift's compact protocol) read and written
again with some row groups' byte ranges moved: what lets the lake's rewrite copy a row group
that does not hold the subject byte for byte instead of decoding and encoding it again.

pyarrow writes and reads footers but cannot move a row group, so the footer is handled here as
a generic compact-protocol tree (every field kept, in its order, with its wire type): only the
offsets of a moved row group and the file's row count are changed, every other field (schema,
statistics, encodings, key-value metadata, ``created_by``) is written back as it was read.
Parquet's field ids are from parquet-format's ``parquet.thrift``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MAGIC = b"PAR1"

# compact protocol wire types
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)

# FileMetaData
_SCHEMA, _NUM_ROWS, _ROW_GROUPS, _ENCRYPTION_ALGORITHM = 2, 3, 4, 8
# RowGroup
_COLUMNS, _GROUP_ROWS, _GROUP_FILE_OFFSET, _ORDINAL = 1, 3, 5, 7
# ColumnChunk
_CHUNK_FILE_OFFSET, _META_DATA = 2, 3
_ELSEWHERE_IN_FILE = (4, 5, 6, 7, 8, 9)  # page indexes (offset, column), their lengths, encryption
# ColumnMetaData
_TOTAL_COMPRESSED, _DATA_PAGE, _INDEX_PAGE, _DICTIONARY_PAGE, _BLOOM_FILTER = 7, 9, 10, 11, 14


class FooterError(ValueError):
    """A footer this module cannot read, or a file it must not splice."""


@dataclass
class Struct:
    """A compact-protocol struct: its fields in the order read, as ``[field id, wire type, value]``."""

    fields: list[list[Any]] = field(default_factory=list)

    def get(self, field_id: int) -> Any:
        for fid, _, value in self.fields:
            if fid == field_id:
                return value
        return None

    def has(self, field_id: int) -> bool:
        return any(fid == field_id for fid, _, _ in self.fields)

    def set(self, field_id: int, value: Any) -> None:
        for entry in self.fields:
            if entry[0] == field_id:
                entry[2] = value
                return
        raise FooterError(f"no field {field_id} to set")


@dataclass
class _List:
    element_type: int
    values: list[Any]


# -- reading ------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: bytes | memoryview) -> None:
        self.data = memoryview(data)
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise FooterError("the footer ends in the middle of a value")
        value = self.data[self.pos]
        self.pos += 1
        return int(value)

    def varint(self) -> int:
        shift = result = 0
        while True:
            value = self.byte()
            result |= (value & 0x7F) << shift
            if not value & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise FooterError("a varint longer than 10 bytes")

    def zigzag(self) -> int:
        value = self.varint()
        return (value >> 1) ^ -(value & 1)

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise FooterError("a binary value runs past the footer")
        value = bytes(self.data[self.pos : self.pos + size])
        self.pos += size
        return value

    def value(self, wire: int) -> Any:
        if wire in (_TRUE, _FALSE):
            return wire == _TRUE
        if wire == _BYTE:
            return self.byte()
        if wire in (_I16, _I32, _I64):
            return self.zigzag()
        if wire == _DOUBLE:
            return self.take(8)  # kept as its bytes: written back as read
        if wire == _BINARY:
            return self.take(self.varint())
        if wire in (_LIST, _SET):
            header = self.byte()
            size = header >> 4
            if size == 15:
                size = self.varint()
            element = header & 0x0F
            if element in (_TRUE, _FALSE):  # a list's booleans are a byte each
                return _List(element, [self.byte() for _ in range(size)])
            return _List(element, [self.value(element) for _ in range(size)])
        if wire == _STRUCT:
            return self.struct()
        raise FooterError(f"wire type {wire} is not used by Parquet's footer")

    def struct(self) -> Struct:
        result = Struct()
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return result
            wire, delta = header & 0x0F, header >> 4
            field_id = last + delta if delta else self.zigzag()
            result.fields.append([field_id, wire, self.value(wire)])
            last = field_id


def read_footer(data: bytes | memoryview) -> Struct:
    """The ``FileMetaData`` of a whole Parquet file's bytes."""
    view = memoryview(data)
    if len(view) < 12 or bytes(view[:4]) != MAGIC or bytes(view[-4:]) != MAGIC:
        raise FooterError("not a Parquet file (no PAR1 at both ends)")
    (length,) = struct.unpack("<I", view[-8:-4])
    if length + 12 > len(view):
        raise FooterError("the footer's length runs past the file")
    return parse_footer(view[len(view) - 8 - length : len(view) - 8])


def parse_footer(footer: bytes | memoryview) -> Struct:
    reader = _Reader(footer)
    meta = reader.struct()
    if reader.pos != len(reader.data):
        raise FooterError("bytes after the footer's struct")
    return meta


# -- writing ------------------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        if value < 0x80:
            out.append(value)
            return bytes(out)
        out.append((value & 0x7F) | 0x80)
        value >>= 7


def _zigzag(value: int) -> bytes:
    return _varint((value << 1) ^ (value >> 63))


def _value(wire: int, value: Any) -> bytes:
    if wire == _BYTE:
        return bytes([value])
    if wire in (_I16, _I32, _I64):
        return _zigzag(value)
    if wire == _DOUBLE:
        return bytes(value)
    if wire == _BINARY:
        return _varint(len(value)) + bytes(value)
    if wire in (_LIST, _SET):
        size = len(value.values)
        header = (
            bytes([(size << 4) | value.element_type])
            if size < 15
            else bytes([0xF0 | value.element_type]) + _varint(size)
        )
        if value.element_type in (_TRUE, _FALSE):
            return header + bytes(value.values)
        return header + b"".join(_value(value.element_type, v) for v in value.values)
    if wire == _STRUCT:
        return write_struct(value)
    raise FooterError(f"wire type {wire} is not used by Parquet's footer")


def write_struct(node: Struct) -> bytes:
    out = bytearray()
    last = 0
    for field_id, read_as, value in node.fields:
        wire = (_TRUE if value else _FALSE) if read_as in (_TRUE, _FALSE) else read_as
        delta = field_id - last
        out += bytes([(delta << 4) | wire]) if 0 < delta <= 15 else bytes([wire]) + _zigzag(field_id)
        if wire not in (_TRUE, _FALSE):
            out += _value(wire, value)
        last = field_id
    out.append(0)
    return bytes(out)


# -- row groups ---------------------------------------------------------------------------------


def row_groups(meta: Struct) -> list[Struct]:
    groups = meta.get(_ROW_GROUPS)
    return list(groups.values) if groups is not None else []


def byte_range(group: Struct) -> tuple[int, int]:
    """Where a row group's column chunks are in its file: ``(start, end)``."""
    starts, ends = [], []
    for chunk in group.get(_COLUMNS).values:
        meta = chunk.get(_META_DATA)
        if meta is None:
            raise FooterError("a column chunk without its metadata (encrypted or external)")
        start = meta.get(_DICTIONARY_PAGE) or meta.get(_DATA_PAGE)
        if meta.get(_INDEX_PAGE):
            start = min(start, meta.get(_INDEX_PAGE))
        starts.append(start)
        ends.append(start + meta.get(_TOTAL_COMPRESSED))
    return min(starts), max(ends)


def splicable(meta: Struct) -> str | None:
    """Why the file's row groups cannot be moved byte for byte, or ``None`` when they can: its
    column chunks must be in the row groups' ranges (no page indexes, bloom filters or
    encryption elsewhere in the file), each group's chunks one contiguous stretch."""
    if meta.has(_ENCRYPTION_ALGORITHM):
        return "encrypted footer"
    for group in row_groups(meta):
        for chunk in group.get(_COLUMNS).values:
            if any(chunk.has(f) for f in _ELSEWHERE_IN_FILE):
                return "page indexes or encryption outside the row group"
            if chunk.get(_META_DATA) is None or chunk.get(_META_DATA).has(_BLOOM_FILTER):
                return "a bloom filter outside the row group"
        start, end = byte_range(group)
        total = sum(c.get(_META_DATA).get(_TOTAL_COMPRESSED) for c in group.get(_COLUMNS).values)
        if end - start != total:
            return "a row group's column chunks are not one stretch"
    return None


def _shifted(node: Struct, offsets: tuple[int, ...], delta: int) -> Struct:
    """A copy of ``node`` with its offset fields (when set) ``delta`` further."""
    return Struct([[f, w, v + delta if f in offsets and v else v] for f, w, v in node.fields])


def moved(group: Struct, delta: int, ordinal: int) -> Struct:
    """A copy of ``group`` whose bytes start ``delta`` bytes further in the new file."""
    columns = []
    for chunk in group.get(_COLUMNS).values:
        meta = _shifted(chunk.get(_META_DATA), (_DATA_PAGE, _INDEX_PAGE, _DICTIONARY_PAGE), delta)
        copy = _shifted(chunk, (_CHUNK_FILE_OFFSET,), delta)
        copy.set(_META_DATA, meta)
        columns.append(copy)
    changes = {_COLUMNS: _List(_STRUCT, columns), _ORDINAL: ordinal}
    if group.get(_GROUP_FILE_OFFSET):
        changes[_GROUP_FILE_OFFSET] = group.get(_GROUP_FILE_OFFSET) + delta
    return Struct([[f, w, changes.get(f, v)] for f, w, v in group.fields])


def schema(meta: Struct) -> bytes:
    """The file's schema as written: two files whose row groups mix must have the same."""
    return _value(_LIST, meta.get(_SCHEMA))


def rows(group: Struct) -> int:
    return int(group.get(_GROUP_ROWS))


def with_row_groups(meta: Struct, groups: Sequence[Struct]) -> Struct:
    """``meta`` with ``groups`` as its row groups and their rows as its row count."""
    fields = [list(entry) for entry in meta.fields]
    result = Struct(fields)
    result.set(_ROW_GROUPS, _List(_STRUCT, list(groups)))
    result.set(_NUM_ROWS, sum(rows(g) for g in groups))
    return result


def footer_bytes(meta: Struct) -> bytes:
    """The footer, its length and the closing magic: the end of a Parquet file."""
    body = write_struct(meta)
    return body + struct.pack("<I", len(body)) + MAGIC
