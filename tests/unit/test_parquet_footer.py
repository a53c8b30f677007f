"""The Parquet footer codec the lake's rewrite moves row groups with
(``adapters/parquet_footer.py``): every footer pyarrow writes reads and writes back byte for
byte, a moved row group points at its bytes, and what it cannot read is refused."""

from __future__ import annotations

import io
import struct
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from privacy_rights.adapters import parquet_footer as footer


def _file(**options: Any) -> bytes:
    rows = 1_000
    table = pa.table(
        {
            "id": [f"EV{i:05d}" for i in range(rows)],
            "kind": [("a", "b", None)[i % 3] for i in range(rows)],
            "n": pa.array(range(rows), type=pa.int64()),
            "x": [i / 7 for i in range(rows)],
            "flag": [i % 2 == 0 for i in range(rows)],
            "tags": [[str(i), "t"] for i in range(rows)],
        },
        metadata={"written_by": "the platform"},
    )
    sink = io.BytesIO()
    pq.write_table(table, sink, **({"row_group_size": 300} | options))
    return sink.getvalue()


OPTIONS = [
    {},
    {"compression": "zstd"},
    {"write_statistics": False},
    {"use_dictionary": False},
    {"data_page_version": "2.0"},
    {"write_page_index": True},
    {"version": "1.0"},
    {"sorting_columns": [pq.SortingColumn(2)]},
]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_every_footer_reads_and_writes_back_byte_for_byte(options: dict[str, Any]) -> None:
    data = _file(**options)
    (length,) = struct.unpack("<I", data[-8:-4])
    meta = footer.read_footer(data)
    assert footer.write_struct(meta) == data[-8 - length : -8]
    assert footer.footer_bytes(meta) == data[-8 - length :]
    assert [footer.rows(g) for g in footer.row_groups(meta)] == [300, 300, 300, 100]
    assert (footer.splicable(meta) is None) == (not options.get("write_page_index"))


def test_row_groups_moved_and_reordered_read_as_their_rows() -> None:
    """The last row group moved to the front, the first dropped: pyarrow reads exactly those
    rows, every value and statistic intact."""
    data = _file()
    meta = footer.read_footer(data)
    groups = footer.row_groups(meta)
    out, moved = bytearray(footer.MAGIC), []
    for group in (groups[3], groups[1], groups[2]):
        start, end = footer.byte_range(group)
        moved.append(footer.moved(group, len(out) - start, len(moved)))
        out += data[start:end]
    out += footer.footer_bytes(footer.with_row_groups(meta, moved))
    source, spliced = pq.ParquetFile(io.BytesIO(data)), pq.ParquetFile(io.BytesIO(bytes(out)))
    assert spliced.metadata.num_rows == 700
    assert spliced.schema_arrow == source.schema_arrow
    for new, old in enumerate((3, 1, 2)):
        assert spliced.read_row_group(new) == source.read_row_group(old)
        for j in range(spliced.metadata.num_columns):
            assert (
                spliced.metadata.row_group(new).column(j).statistics
                == source.metadata.row_group(old).column(j).statistics
            )


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d[:-4] + b"PAR0",
        lambda d: d[:-8] + struct.pack("<I", len(d)) + b"PAR1",
        lambda d: d[:-40] + d[-8:],
    ],
    ids=["no-closing-magic", "length-past-the-file", "footer-cut-short"],
)
def test_a_damaged_file_is_refused(damage: Any) -> None:
    with pytest.raises(footer.FooterError):
        footer.read_footer(damage(_file()))
