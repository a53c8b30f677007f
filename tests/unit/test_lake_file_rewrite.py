"""The lake's file rewrite (issue 19, ``adapters/lake.py``) on Parquet made here: the file keeps its
schema (types, key-value metadata), compression, dictionary encoding, statistics and rows per row
group; a row group without the subject is written as it was; only the doomed rows go (or only
their tombstone columns are nulled); the many-stretches (filter) and column-at-a-time paths give
the same file; ``LakeFiles.rewrite`` puts the copy only over the version it read."""

from __future__ import annotations

import io
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.exceptions import ClientError

from privacy_rights.adapters import lake as lake_adapter
from privacy_rights.adapters.lake import LakeFiles, Rewritten
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.errors import LakeObjectChanged

STORE = load_data_map().store("call_events_lake")
LAKE = STORE.lake
assert LAKE is not None
GROUP_ROWS = 100
ROWS = 350  # row groups of 100, 100, 100 and 50


def _table(rows: int = ROWS) -> pa.Table:
    return pa.table(
        {
            "event_id": [f"EV{i:05d}" for i in range(rows)],
            "caller_phone": [f"+1415555{i % 97:04d}" for i in range(rows)],
            "event_type": [("call.completed", "call.scored")[i % 2] for i in range(rows)],  # few values
            "caller_email": [None if i % 3 else f"c{i}@example.com" for i in range(rows)],
            "duration_seconds": pa.array(range(rows), type=pa.int32()),
            "score": [i / 7 for i in range(rows)],
        },
        metadata={"written_by": "the platform"},
    )


def _parquet(table: pa.Table, **options: Any) -> bytes:
    sink = io.BytesIO()
    settings: dict[str, Any] = {"row_group_size": GROUP_ROWS, "compression": "zstd"} | options
    pq.write_table(table, sink, **settings)
    return sink.getvalue()


def _rewrite(source: bytes, doomed: set[str], null_columns: tuple[str, ...] = ()) -> tuple[Rewritten, bytes]:
    target = io.BytesIO()
    assert LAKE is not None
    result = lake_adapter._rewritten_copy(LAKE, source, target, doomed, null_columns)
    return result, target.getvalue()


def _groups(data: bytes) -> list[list[dict[str, Any]]]:
    parquet = pq.ParquetFile(io.BytesIO(data))
    return [parquet.read_row_group(i).to_pylist() for i in range(parquet.metadata.num_row_groups)]


def test_only_the_doomed_rows_go_and_the_file_keeps_its_schema_compression_and_row_groups() -> None:
    source = _parquet(_table())
    doomed = {"EV00005", "EV00007", "EV00310"}  # in the first and the last row group
    result, written = _rewrite(source, doomed)

    assert (result.rows_before, result.rows_changed, result.rows_after) == (ROWS, 3, ROWS - 3)
    before, after = pq.ParquetFile(io.BytesIO(source)), pq.ParquetFile(io.BytesIO(written))
    # the same Arrow schema (no dictionary type leaks out), Parquet schema and key-value metadata
    assert after.schema_arrow == before.schema_arrow
    assert after.schema_arrow.field("event_type").type == pa.string()
    assert after.metadata.schema == before.metadata.schema
    assert after.metadata.metadata == before.metadata.metadata
    assert after.metadata.format_version == before.metadata.format_version
    # the same row groups, less the doomed rows
    assert [len(g) for g in _groups(written)] == [98, 100, 100, 49]
    expected = [r for r in _table().to_pylist() if r["event_id"] not in doomed]
    assert [r for g in _groups(written) for r in g] == expected
    # compression, dictionary encoding and statistics as the source's, column by column
    for index in range(after.metadata.num_row_groups):
        old, new = before.metadata.row_group(index), after.metadata.row_group(index)
        for j in range(new.num_columns):
            assert new.column(j).compression == old.column(j).compression == "ZSTD"
            assert new.column(j).has_dictionary_page == old.column(j).has_dictionary_page
            assert new.column(j).is_stats_set == old.column(j).is_stats_set


def test_a_row_group_without_the_subject_is_written_as_it_was() -> None:
    source = _parquet(_table())
    _, written = _rewrite(source, {"EV00150"})  # the second row group only
    old, new = _groups(source), _groups(written)
    assert new[0] == old[0]
    assert new[2] == old[2]
    assert new[3] == old[3]
    assert new[1] == [r for r in old[1] if r["event_id"] != "EV00150"]
    meta_old = pq.ParquetFile(io.BytesIO(source)).metadata
    meta_new = pq.ParquetFile(io.BytesIO(written)).metadata
    for index in (0, 2, 3):
        for j in range(meta_new.num_columns):
            assert (
                meta_new.row_group(index).column(j).statistics
                == meta_old.row_group(index).column(j).statistics
            )


def test_the_writer_keeps_what_the_source_was_written_with() -> None:
    """Statistics off, dictionary off for one column, snappy: the copy is written the same way."""
    source = _parquet(
        _table(), compression="snappy", write_statistics=False, use_dictionary=["event_type", "caller_phone"]
    )
    _, written = _rewrite(source, {"EV00001"})
    before = pq.ParquetFile(io.BytesIO(source)).metadata.row_group(0)
    after = pq.ParquetFile(io.BytesIO(written)).metadata.row_group(0)
    for j in range(after.num_columns):
        assert after.column(j).compression == "SNAPPY"
        assert not after.column(j).is_stats_set
        assert after.column(j).has_dictionary_page == (
            before.column(j).has_dictionary_page and not lake_adapter._mostly_distinct(before.column(j))
        )
    # caller_phone (97 values in 100 rows) is mostly distinct: written plain, event_type keeps its
    # dictionary
    assert [after.column(j).has_dictionary_page for j in range(after.num_columns)] == [
        False,
        False,
        True,
        False,
        False,
        False,
    ]


def test_a_column_of_mostly_distinct_values_is_written_plain_and_the_file_is_smaller() -> None:
    """Every column dictionary-encoded in the source (pyarrow's default); the unique ones are
    written plain, as parquet-mr writers fall back for them, the few-valued one keeps its
    dictionary (and so does a column whose values repeat), and the file is smaller than with
    every dictionary kept, row for row the same."""
    source = _parquet(_table(1_000), row_group_size=500, compression="snappy")
    before = pq.ParquetFile(io.BytesIO(source)).metadata.row_group(0)
    assert all(before.column(j).has_dictionary_page for j in range(before.num_columns))
    _, written = _rewrite(source, {"EV00003"})
    after = pq.ParquetFile(io.BytesIO(written)).metadata
    names = [after.row_group(0).column(j).path_in_schema for j in range(after.num_columns)]
    with_dictionary = {
        name
        for j, name in enumerate(names)
        if all(after.row_group(g).column(j).has_dictionary_page for g in (0, 1))
    }
    # 97 phone numbers in row groups of 500: the dictionary pays, and stays
    assert with_dictionary == {"event_type", "caller_phone"}
    every_dictionary_kept = pytest.MonkeyPatch.context()
    with every_dictionary_kept as patch:
        patch.setattr(lake_adapter, "DISTINCT_DICTIONARY_SHARE", 2.0)
        _, all_dictionaries = _rewrite(source, {"EV00003"})
    assert len(written) < len(all_dictionaries)
    assert pq.read_table(io.BytesIO(written)) == pq.read_table(io.BytesIO(all_dictionaries))
    assert pq.read_table(io.BytesIO(written)).num_rows == 999


@pytest.mark.parametrize("null_columns", [(), ("caller_name",)], ids=["deleted", "tombstoned"])
def test_a_doomed_rows_value_leaves_the_files_dictionary_pages(
    null_columns: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A low-cardinality column is read as an Arrow dictionary, and the writer writes an Arrow
    dictionary as the page's dictionary: a value only the subject had must not stay in it (nor
    in the column's statistics) with no row pointing at it."""
    # these row groups of 100 rows are too small for the bytes-per-row rule: caller_name is read
    # as a dictionary, as the lake's is
    monkeypatch.setattr(lake_adapter, "DICTIONARY_BYTES_PER_ROW", 100)
    names = ["Avery Lee" if i % 2 else "Blake Kim" for i in range(ROWS)]
    names[120] = "Zed Onlyone"
    source = _parquet(_table().append_column("caller_name", pa.array(names)))
    layout = lake_adapter._layout(
        pq.ParquetFile(io.BytesIO(source)).metadata, pq.read_schema(io.BytesIO(source))
    )
    assert "caller_name" in layout.dictionary_columns

    def dictionaries(data: bytes) -> list[str]:
        parquet = pq.ParquetFile(io.BytesIO(data), read_dictionary=["caller_name"])
        column = parquet.read_row_group(1, columns=["caller_name"]).column(0)
        return [value for chunk in column.chunks for value in chunk.dictionary.to_pylist()]

    assert "Zed Onlyone" in dictionaries(source)
    _, written = _rewrite(source, {"EV00120"}, null_columns)
    assert "Zed Onlyone" not in dictionaries(written)
    statistics = pq.ParquetFile(io.BytesIO(written)).metadata.row_group(1).column(6).statistics
    assert (statistics.min, statistics.max) == ("Avery Lee", "Blake Kim")


def test_the_tombstone_mode_nulls_only_the_doomed_rows_columns() -> None:
    source = _parquet(_table())
    result, written = _rewrite(source, {"EV00003", "EV00204"}, ("caller_phone", "caller_email"))
    assert (result.rows_changed, result.rows_after) == (2, ROWS)
    rows = [r for g in _groups(written) for r in g]
    for before, after in zip(_table().to_pylist(), rows, strict=True):
        if before["event_id"] in ("EV00003", "EV00204"):
            assert after == {**before, "caller_phone": None, "caller_email": None}
        else:
            assert after == before
    assert [len(g) for g in _groups(written)] == [100, 100, 100, 50]


def test_rows_in_many_stretches_or_few_give_the_same_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More stretches than ``MAX_KEPT_SLICES`` are filtered column by column, fewer written as
    views of the rows kept: the rows written are the same."""
    source = _parquet(_table())
    doomed = {f"EV{i:05d}" for i in range(0, ROWS, 3)}  # a stretch of two rows between each
    expected = [r for r in _table().to_pylist() if r["event_id"] not in doomed]
    _, filtered = _rewrite(source, doomed)  # 117 stretches: filtered
    monkeypatch.setattr(lake_adapter, "MAX_KEPT_SLICES", 1_000)
    _, views = _rewrite(source, doomed)
    monkeypatch.setattr(lake_adapter, "MAX_KEPT_SLICES", 0)
    _, one_stretch_filtered = _rewrite(source, {"EV00001"})
    for written in (filtered, views):
        assert [r for g in _groups(written) for r in g] == expected
        assert pq.ParquetFile(io.BytesIO(written)).schema_arrow == _table().schema
    assert [r for g in _groups(one_stretch_filtered) for r in g] == [
        r for r in _table().to_pylist() if r["event_id"] != "EV00001"
    ]
    # every row of a group doomed: the group is left out, the others stay as they were
    first_group = {f"EV{i:05d}" for i in range(GROUP_ROWS)}
    result, written = _rewrite(source, first_group)
    assert result.rows_after == ROWS - GROUP_ROWS
    assert [len(g) for g in _groups(written)] == [100, 100, 50]


def test_a_row_without_an_id_is_never_doomed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The doomed rows are looked up with ``is_in``, whose answer for a null id is false, not
    null: a null would be left out by the filter of rows in many stretches."""
    ids = [None if i in (7, 150) else f"EV{i:05d}" for i in range(ROWS)]
    table = _table().set_column(0, "event_id", pa.array(ids, type=pa.string()))
    source = _parquet(table)
    doomed = {f"EV{i:05d}" for i in range(0, ROWS, 3)}
    expected = [r for r in table.to_pylist() if r["event_id"] not in doomed]
    assert sum(r["event_id"] is None for r in expected) == 2
    for stretches in (0, 1_000):  # every group filtered, then every group written as views
        monkeypatch.setattr(lake_adapter, "MAX_KEPT_SLICES", stretches)
        result, written = _rewrite(source, doomed)
        assert result.rows_changed == len(doomed) - 1  # EV00150 is the null
        assert [r for g in _groups(written) for r in g] == expected


class _Objects:
    """A versioned bucket's ``GetObject`` and conditional ``PutObject`` (one key)."""

    def __init__(self, body: bytes) -> None:
        self.body, self.etag, self.puts = body, '"v1"', 0

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        return {
            "Body": io.BytesIO(self.body),
            "ContentLength": len(self.body),
            "ETag": self.etag,
            "VersionId": self.etag,
        }

    def put_object(self, Bucket: str, Key: str, Body: Any, IfMatch: str) -> dict[str, Any]:
        if IfMatch != self.etag:
            error = {"Error": {"Code": "PreconditionFailed", "Message": "At least one condition failed"}}
            raise ClientError(error, "PutObject")  # type: ignore[arg-type]
        self.body = Body if isinstance(Body, bytes) else Body.read()
        self.puts += 1
        self.etag = f'"v{self.puts + 1}"'
        return {"VersionId": self.etag}


class _Streamed(io.BytesIO):
    def iter_chunks(self, size: int) -> Any:
        return iter(lambda: self.read(size), b"")


@pytest.mark.parametrize("through_tmp", [False, True])
def test_lake_files_put_the_copy_only_over_the_version_read(
    monkeypatch: pytest.MonkeyPatch, through_tmp: bool, tmp_path: Any
) -> None:
    source = _parquet(_table())
    objects = _Objects(source)
    if through_tmp:  # an object above IN_MEMORY_BYTES goes through scratch space (and is spliced)
        monkeypatch.setattr(lake_adapter, "IN_MEMORY_BYTES", 0)
        monkeypatch.setattr(lake_adapter, "SPLICE_MIN_GROUP_BYTES", 0)
        monkeypatch.setattr(
            objects,
            "get_object",
            lambda **kw: {**_Objects.get_object(objects, **kw), "Body": _Streamed(objects.body)},
        )
    files = LakeFiles(objects, {STORE.name: "lake"}, scratch=str(tmp_path))
    done = files.rewrite(STORE, "call_events/part-0.parquet", ["EV00010"])
    assert (done.rows_changed, done.read_version, done.new_version) == (1, '"v1"', '"v2"')
    assert done.row_groups_copied == (3 if through_tmp else 0)
    assert list(tmp_path.iterdir()) == []  # the scratch files are gone
    assert done.bytes_after == len(objects.body)
    assert [r for g in _groups(objects.body) for r in g] == [
        r for r in _table().to_pylist() if r["event_id"] != "EV00010"
    ]

    # nothing of theirs left: no write at all
    assert files.rewrite(STORE, "call_events/part-0.parquet", ["EV00010"]).new_version is None
    assert objects.puts == 1

    # another writer's version between the read and the write: refused, never overwritten
    def concurrent(key: str) -> None:
        objects.etag = '"theirs"'

    monkeypatch.setattr(LakeFiles, "before_write", staticmethod(concurrent))
    with pytest.raises(LakeObjectChanged):
        files.rewrite(STORE, "call_events/part-0.parquet", ["EV00011"])
    assert objects.puts == 1


def _chunk_bytes(data: bytes, group: int) -> list[bytes]:
    """Each column chunk's bytes of a row group, where its footer says they are."""
    meta = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(group)
    chunks = []
    for j in range(meta.num_columns):
        column = meta.column(j)
        start = column.dictionary_page_offset or column.data_page_offset
        chunks.append(data[start : start + column.total_compressed_size])
    return chunks


@pytest.fixture
def spliced(monkeypatch: pytest.MonkeyPatch) -> None:
    """These files' row groups of 100 rows are spliced as a lake's big ones are."""
    monkeypatch.setattr(lake_adapter, "SPLICE_MIN_GROUP_BYTES", 0)


@pytest.mark.usefixtures("spliced")
def test_a_row_group_without_the_subject_is_copied_byte_for_byte() -> None:
    """Only the row group holding the subject is decoded and encoded again; the others' column
    chunks are the source's bytes, with their statistics, under the source's footer."""
    source = _parquet(_table())
    result, written = _rewrite(source, {"EV00150", "EV00151"})  # the second row group
    assert (result.row_groups_copied, result.rows_changed, result.rows_after) == (3, 2, ROWS - 2)
    for old, new in ((0, 0), (2, 2), (3, 3)):
        assert _chunk_bytes(written, new) == _chunk_bytes(source, old)
    assert _chunk_bytes(written, 1) != _chunk_bytes(source, 1)
    expected = [r for r in _table().to_pylist() if r["event_id"] not in {"EV00150", "EV00151"}]
    assert pq.read_table(io.BytesIO(written)).to_pylist() == expected
    before, after = pq.ParquetFile(io.BytesIO(source)).metadata, pq.ParquetFile(io.BytesIO(written)).metadata
    assert (after.num_rows, after.num_row_groups) == (ROWS - 2, 4)
    assert after.schema == before.schema
    assert after.metadata == before.metadata
    assert after.created_by == before.created_by
    for index in (0, 2, 3):
        for j in range(after.num_columns):
            assert after.row_group(index).column(j).statistics == before.row_group(index).column(j).statistics
    # the engines the platform reads the lake with agree, DuckDB's reader too
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect() as connection:
        connection.execute("CREATE TABLE f AS SELECT * FROM read_parquet(?)", [_saved(written)])
        assert connection.execute("SELECT count(*), min(event_id), max(event_id) FROM f").fetchone() == (
            ROWS - 2,
            "EV00000",
            f"EV{ROWS - 1:05d}",
        )


def _saved(data: bytes) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".parquet", delete=False) as file:
        file.write(data)
    return file.name


@pytest.mark.usefixtures("spliced")
def test_a_group_whose_every_row_is_doomed_goes_and_the_others_are_still_copied() -> None:
    source = _parquet(_table())
    doomed = {f"EV{i:05d}" for i in range(100, 200)} | {"EV00340"}  # all of group 1, one of group 3
    result, written = _rewrite(source, doomed)
    assert (result.row_groups_copied, result.rows_after) == (2, ROWS - 101)
    assert [len(g) for g in _groups(written)] == [100, 100, 49]
    assert _chunk_bytes(written, 0) == _chunk_bytes(source, 0)
    assert _chunk_bytes(written, 1) == _chunk_bytes(source, 2)
    assert [r for g in _groups(written) for r in g] == [
        r for r in _table().to_pylist() if r["event_id"] not in doomed
    ]


@pytest.mark.usefixtures("spliced")
@pytest.mark.parametrize(
    "why", ["page index", "another writer"], ids=["page-index-elsewhere", "written-by-another-writer"]
)
def test_a_file_whose_row_groups_cannot_be_moved_is_encoded_whole(
    why: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page index (or a bloom filter) lives outside its row group: a moved row group would
    point at another's; a file another writer wrote may carry statistics its ``created_by``
    tells readers to distrust. Both are encoded whole, as before."""
    if why == "another writer":
        monkeypatch.setattr(lake_adapter, "SPLICED_WRITER", "parquet-mr")
    source = _parquet(_table(), write_page_index=why == "page index")
    result, written = _rewrite(source, {"EV00150"})
    assert result.row_groups_copied == 0
    assert [r for g in _groups(written) for r in g] == [
        r for r in _table().to_pylist() if r["event_id"] != "EV00150"
    ]


def test_a_file_without_a_doomed_row_is_not_written_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the first pass over the id columns, in a file spliced; a file of small row
    groups is written in one pass, and ``LakeFiles.rewrite`` does not put it back (above)."""
    monkeypatch.setattr(lake_adapter, "SPLICE_MIN_GROUP_BYTES", 0)
    result, written = _rewrite(_parquet(_table()), {"EV99999"})
    assert (result.rows_changed, result.rows_after, written) == (0, ROWS, b"")
    monkeypatch.setattr(lake_adapter, "SPLICE_MIN_GROUP_BYTES", 10**9)
    result, written = _rewrite(_parquet(_table()), {"EV99999"})
    assert (result.rows_changed, result.rows_after) == (0, ROWS)


def test_chunks_with_different_dictionaries_are_compacted_to_the_values_in_use() -> None:
    kept = pa.array(["Avery Lee", "Blake Kim", "Zed Onlyone"]).dictionary_encode().slice(0, 2)
    other = pa.array(["Blake Kim", "Camila Cruz"]).dictionary_encode()
    group = pa.table({"caller_name": pa.chunked_array([kept, other])})
    compacted = lake_adapter._compacted(group).column(0)
    assert sorted(v for chunk in compacted.chunks for v in chunk.dictionary.to_pylist()) == [
        "Avery Lee",
        "Blake Kim",
        "Camila Cruz",
    ]
    assert compacted.to_pylist() == ["Avery Lee", "Blake Kim", "Blake Kim", "Camila Cruz"]
    every_value_used = pa.table({"caller_name": pa.chunked_array([other])})
    assert lake_adapter._compacted(every_value_used).column(0).chunk(0).dictionary.to_pylist() == [
        "Blake Kim",
        "Camila Cruz",
    ]
