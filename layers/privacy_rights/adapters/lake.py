"""The analytics lake (a ``kind: lake`` store): Parquet files on S3 in the Glue catalog.

Found through Athena (``AthenaLake``): every query is fixed text with ``?`` placeholders, the
subject's identifiers go in ``ExecutionParameters`` (never into the text), ``"$path"`` says which
file holds each row, and the result is read from the query's output location. Erased by
rewriting each file that holds the subject (``LakeFiles``, pyarrow): one row group at a time,
with the file's schema, row-group size and compression, put as a new version only if the object
is still the one read (``If-Match`` on its ETag), older versions then deleted.

pyarrow is imported by ``LakeFiles`` alone, when a file is rewritten: only the rewrite function
carries it (AWS SDK for pandas' managed layer); every other function imports this module without it.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.connectors import UnknownStore
from privacy_rights.core.data_map import Lake, Lookup, Store
from privacy_rights.core.errors import LakeObjectChanged, LakeQueryFailed, TransientDependencyError
from privacy_rights.resolution.resolution import Found

#: ids per query: Athena's query text is at most 256 KB, and a short list keeps each scan pruned
IDS_PER_QUERY = 100
FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")
#: what Athena's result CSV holds per column type, read back as Python values
_NUMBERS: dict[str, Callable[[str], Any]] = {
    "bigint": int,
    "int": int,
    "integer": int,
    "smallint": int,
    "tinyint": int,
    "double": float,
    "float": float,
}


def literal(value: str) -> str:
    """An execution parameter: Athena takes each as one SQL literal (a quoted string), which it
    parses as a value, never as query text."""
    return "'" + value.replace("'", "''") + "'"


def partition_of(key: str) -> dict[str, str]:
    """``call_events/dt=2026-08-14/tenant_id=acme/part-0.parquet`` -> ``{dt: ..., tenant_id: ...}``."""
    return dict(part.split("=", 1) for part in key.split("/")[:-1] if "=" in part)


@dataclass(frozen=True)
class Pruning:
    """Partitions a query may read (Athena reads no file outside them): days and businesses."""

    days: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None


class AthenaLake:
    """``Connector`` for lake stores, and the rows an export includes (``LakeRows``)."""

    def __init__(
        self,
        athena: Any,
        s3: Any,
        physical_names: Mapping[str, str],
        output_location: str,
        workgroup: str | None = None,
        poll_seconds: float = 0.2,
        timeout_seconds: float = 600,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._athena = athena
        self._s3 = s3
        self._names = physical_names
        self._output = output_location
        self._workgroup = workgroup
        self._poll = poll_seconds
        self._timeout = timeout_seconds
        self._sleep = sleep
        self._calls: Counter[str] = Counter()
        #: bytes Athena scanned, per store (what it bills)
        self.scanned: Counter[str] = Counter()

    def calls_made(self) -> Counter[str]:
        return Counter(self._calls)

    def _bucket(self, store: Store) -> str:
        if store.name not in self._names:
            raise UnknownStore(store.name)
        return self._names[store.name]

    # -- find (resolution) -----------------------------------------------------------------

    def find(self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]) -> Iterator[Found]:
        lake = _lake(store)
        assert lookup.attribute is not None
        wanted = [lake.row_id, *(a for a in (store.tenant_attribute, store.time_attribute) if a), "dt"]
        tenant = context.get(store.tenant_attribute or "") if store.tenant_attribute else None
        pruning = Pruning(tenants=(str(tenant),) if tenant else ())
        for row in self.select(store, wanted, {lookup.attribute: [value]}, pruning):
            key = row.pop("$path")
            yield Found(pointer={lake.row_id: row[lake.row_id], "file": key}, attributes={**row, "file": key})

    # -- rows by pointer (export), files by pointer (erasure) ------------------------------

    def rows(self, store: Store, pointers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The released rows, every column, read in the partitions their files are in."""
        lake = _lake(store)
        columns = list(lake.columns)
        return [
            {k: v for k, v in row.items() if k != "$path"} for row in self._by_ids(store, columns, pointers)
        ]

    def locate(self, store: Store, pointers: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
        """Which files hold these rows now (a file may have been compacted since resolution):
        file key -> row ids."""
        lake = _lake(store)
        files: dict[str, list[str]] = {}
        for row in self._by_ids(store, [lake.row_id], pointers):
            files.setdefault(row["$path"], []).append(str(row[lake.row_id]))
        return {key: sorted(ids) for key, ids in sorted(files.items())}

    def _by_ids(
        self, store: Store, columns: list[str], pointers: Sequence[Mapping[str, Any]]
    ) -> Iterator[dict[str, Any]]:
        lake = _lake(store)
        ids = sorted({str(p[lake.row_id]) for p in pointers})
        partitions = [partition_of(str(p.get("file", ""))) for p in pointers]
        pruning = Pruning(
            days=tuple(sorted({p["dt"] for p in partitions if "dt" in p})),
            tenants=tuple(sorted({p["tenant_id"] for p in partitions if "tenant_id" in p})),
        )
        for start in range(0, len(ids), IDS_PER_QUERY):
            yield from self.select(store, columns, {lake.row_id: ids[start : start + IDS_PER_QUERY]}, pruning)

    # -- one query -------------------------------------------------------------------------

    def select(
        self,
        store: Store,
        columns: Iterable[str],
        where: Mapping[str, Sequence[str]],
        pruning: Pruning = Pruning(),
    ) -> Iterator[dict[str, Any]]:
        """``SELECT columns, "$path" FROM table WHERE column IN (?, ...) AND ...``, the values bound
        as execution parameters; the partition conditions prune the files Athena reads."""
        lake = _lake(store)
        bucket = self._bucket(store)
        conditions: list[str] = []
        parameters: list[str] = []

        def one_of(column: str, values: Sequence[str]) -> None:
            conditions.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
            parameters.extend(literal(v) for v in values)

        for column, values in where.items():
            if column not in lake.columns or not values:
                raise ValueError(f"{store.name}: cannot select on {column!r}")
            one_of(column, values)
        if pruning.days:
            one_of("dt", pruning.days)
        if pruning.tenants and store.tenant_attribute:
            one_of(store.tenant_attribute, pruning.tenants)
        if pruning.since:
            conditions.append('"dt" >= ?')
            parameters.append(literal(pruning.since))
        if pruning.until:
            conditions.append('"dt" <= ?')
            parameters.append(literal(pruning.until))
        selected = ", ".join(f'"{c}"' for c in dict.fromkeys(columns) if c in lake.columns)
        # names from the data map and placeholders only: every value is an execution parameter
        table, where_text = f'"{lake.database}"."{lake.table}"', " AND ".join(conditions)
        query = f'SELECT {selected}, "$path" FROM {table} WHERE {where_text}'  # noqa: S608
        prefix = f"s3://{bucket}/"
        types = lake.columns
        for row in self._run(store, query, parameters):
            path = row.get("$path") or ""
            row["$path"] = path[len(prefix) :] if path.startswith(prefix) else path
            yield {k: _typed(types.get(k, "string"), v) for k, v in row.items()}

    def _run(self, store: Store, query: str, parameters: list[str]) -> list[dict[str, str]]:
        request: dict[str, Any] = {
            "QueryString": query,
            "ExecutionParameters": parameters,
            "QueryExecutionContext": {"Database": _lake(store).database},
            "ResultConfiguration": {"OutputLocation": self._output},
        }
        if self._workgroup:
            request["WorkGroup"] = self._workgroup
        try:
            execution_id = self._athena.start_query_execution(**request)["QueryExecutionId"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in (
                "TooManyRequestsException",
                "ThrottlingException",
            ):
                raise TransientDependencyError("Athena throttled the query") from exc
            raise
        self._calls[f"{store.name}:StartQueryExecution"] += 1
        deadline = time.monotonic() + self._timeout
        while True:
            execution = self._athena.get_query_execution(QueryExecutionId=execution_id)["QueryExecution"]
            state = execution["Status"]["State"]
            if state in FINISHED:
                break
            if time.monotonic() > deadline:
                self._athena.stop_query_execution(QueryExecutionId=execution_id)
                raise LakeQueryFailed(f"query {execution_id} still running after {self._timeout:.0f} s")
            self._sleep(self._poll)
        if state != "SUCCEEDED":
            reason = execution["Status"].get("StateChangeReason", state)
            raise LakeQueryFailed(f"query {execution_id}: {reason}")
        self.scanned[store.name] += int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        location = execution["ResultConfiguration"]["OutputLocation"]
        bucket, _, key = location.removeprefix("s3://").partition("/")
        body = self._s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        self._calls[f"{store.name}:GetObject(result)"] += 1
        # the result names the subject's rows: read once, then gone (the bucket's lifecycle is the backstop)
        self._s3.delete_objects(
            Bucket=bucket, Delete={"Objects": [{"Key": key}, {"Key": f"{key}.metadata"}], "Quiet": True}
        )
        return list(csv.DictReader(io.StringIO(body)))


def _typed(kind: str, value: str | None) -> Any:
    """Athena's CSV has no null but an empty unquoted cell; an empty string is read as None."""
    if value is None or value == "":
        return None
    convert = _NUMBERS.get(kind.lower())
    return convert(value) if convert else value


def _lake(store: Store) -> Lake:
    if store.lake is None:
        raise ValueError(f"{store.name} is not a lake")
    return store.lake


# -- the rewrite ------------------------------------------------------------------------------

#: an object up to this size is rewritten in memory; a bigger one goes through /tmp
IN_MEMORY_BYTES = 64 * 1024 * 1024
#: a row group losing rows in at most this many stretches is written as zero-copy slices of the
#: rows kept; with more, each column is filtered (a copy) one at a time
MAX_KEPT_SLICES = 64
#: a string column whose Parquet chunks (dictionary-encoded) take under this many bytes per row
#: has few distinct values: it is decoded as an Arrow dictionary (4 bytes a row and its few
#: values, not a string a row) and written back as one: the same Parquet column, smaller in memory
DICTIONARY_BYTES_PER_ROW = 2
#: a column chunk whose dictionary page is at least this share of its bytes holds mostly
#: distinct values (an event id, a phone number, a timestamp): its dictionary costs more than
#: the plain encoding (on the bench's files: 36.9 KB against 34.6 KB for an event id) and
#: hashing every value costs the rewrite a third of its encoding time. Writers such as
#: parquet-mr (Athena, Spark, Glue) fall back to plain for such a column, and so does the
#: rewrite; the schema, compression, statistics and rows per group stay the source's.
DISTINCT_DICTIONARY_SHARE = 0.7


@dataclass(frozen=True)
class _Layout:
    """What the source file was written with, for the writer to write the same."""

    dictionary_columns: list[str]
    compression: str | dict[str, str]
    use_dictionary: bool | list[str]
    write_statistics: bool | list[str]
    rows_per_group: int


def _codec(name: str) -> str:
    name = name.lower()
    return {"uncompressed": "none", "lz4_raw": "lz4"}.get(name, name)


def _mostly_distinct(chunk: Any) -> bool:
    """Whether a dictionary-encoded column chunk's dictionary page is most of its bytes."""
    dictionary_bytes = chunk.data_page_offset - (chunk.dictionary_page_offset or chunk.data_page_offset)
    return bool(chunk.total_compressed_size) and (
        dictionary_bytes >= DISTINCT_DICTIONARY_SHARE * chunk.total_compressed_size
    )


def _layout(meta: Any, schema: Any) -> _Layout:
    """Compression, dictionary encoding and statistics per column as the source's row groups
    have them, and the low-cardinality string columns (read and written as dictionaries)."""
    import pyarrow as pa

    groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
    # each column chunk's metadata once (every access builds a Python object)
    chunks = [[g.column(j) for j in range(meta.num_columns)] for g in groups]
    paths = [c.path_in_schema for c in chunks[0]] if chunks else []
    codecs = {p: _codec(chunks[0][j].compression) for j, p in enumerate(paths)}
    dictionary = [
        p
        for j, p in enumerate(paths)
        if all(c[j].has_dictionary_page for c in chunks) and not all(_mostly_distinct(c[j]) for c in chunks)
    ]
    statistics = [p for j, p in enumerate(paths) if all(c[j].is_stats_set for c in chunks)]
    flat = {f.name for f in schema if f.type in (pa.string(), pa.binary())}
    small = [
        p
        for j, p in enumerate(paths)
        if p in flat
        and p in dictionary
        and all(
            c[j].total_uncompressed_size < DICTIONARY_BYTES_PER_ROW * g.num_rows
            for g, c in zip(groups, chunks, strict=True)
        )
    ]
    return _Layout(
        dictionary_columns=small,
        compression=next(iter(codecs.values())) if len(set(codecs.values())) == 1 else codecs or "snappy",
        use_dictionary=True if len(dictionary) == len(paths) else dictionary,
        write_statistics=True if len(statistics) == len(paths) else statistics,
        rows_per_group=max((g.num_rows for g in groups), default=1),
    )


def _kept_slices(hit: Any, rows: int) -> list[tuple[int, int]]:
    """The stretches ``(offset, length)`` of rows not hit."""
    import pyarrow.compute as pc

    # the rows hit are few (a subject's): walked in Python, not as whole-group numpy arrays
    stretches, start = [], 0
    for doomed in pc.indices_nonzero(hit).to_pylist():
        if doomed > start:
            stretches.append((start, doomed - start))
        start = doomed + 1
    if rows > start:
        stretches.append((start, rows - start))
    return stretches


def _compacted(group: Any) -> Any:
    """``group`` with each dictionary column's dictionary rebuilt from the values its rows still
    hold. A slice, filter or tombstone of a dictionary array keeps the whole dictionary, and the
    writer writes an Arrow dictionary as the column's dictionary page: a doomed row's value (a
    name only the subject had) would stay in the file with no row pointing at it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for position, field in enumerate(group.schema):
        if not pa.types.is_dictionary(field.type):
            continue
        column = group.column(position)
        if not column.num_chunks:
            continue
        # the rows kept are slices of one array: one dictionary (Arrow unifies them otherwise)
        combined = column.combine_chunks() if column.num_chunks > 1 else column.chunk(0)
        if pc.count_distinct(combined.indices).as_py() == len(combined.dictionary):
            continue  # every value still used (the usual case): nothing to rebuild
        plain = combined.cast(field.type.value_type)
        group = group.set_column(position, field, pc.dictionary_encode(plain).cast(field.type))
    return group


class _RowGroups:
    """A Parquet source read a row group, and in it a column, at a time: which row groups hold
    a doomed id (their id column alone decoded), and each written less its doomed rows."""

    def __init__(self, lake: Lake, source: Any, doomed_ids: set[str], null_columns: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        opened = pq.ParquetFile(source if isinstance(source, str) else pa.BufferReader(source))
        self.meta, schema = opened.metadata, opened.schema_arrow
        self.layout = _layout(self.meta, schema)
        # pre_buffer off: the column chunks are read as decoded, not a whole row group ahead (on
        # an in-memory source it measured no faster either: the same time, more instructions); a
        # path is mapped: the compressed pages are the file's, not the memory pool's
        parquet = pq.ParquetFile(
            source if isinstance(source, str) else pa.BufferReader(source),
            pre_buffer=False,
            memory_map=isinstance(source, str),
            read_dictionary=self.layout.dictionary_columns,
            metadata=self.meta,
        )
        # the reader under ParquetFile.read_row_group, by column index: the wrapper's name
        # lookup and table re-wrapping cost as much as decoding a small file's column
        self._reader = parquet.reader
        self.schema = parquet.schema_arrow  # built from the footer at every access
        self._names = schema.names
        self._id_index = self._names.index(lake.row_id)
        self._null_indices = {self._names.index(n) for n in null_columns if n in self._names}
        self._doomed = pa.array(sorted(doomed_ids), type=pa.string())
        #: per row group, once its id column is read: the rows doomed, and their mask when any
        self.doomed: dict[int, int] = {}
        self._masks: dict[int, Any] = {}

    def holds_doomed(self, index: int, ids: Any = None) -> int:
        """How many of row group ``index``'s rows are doomed (its id column decoded, or ``ids``)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if index not in self.doomed:
            if ids is None:
                ids = self._column(index, self._id_index)
            if not pa.types.is_string(ids.type):
                ids = ids.cast(pa.string())
            # never null: a null id is looked up as a value, and the doomed ids hold none
            hit = pc.is_in(ids, value_set=self._doomed)
            self.doomed[index] = sum(chunk.true_count for chunk in hit.chunks)
            if self.doomed[index]:
                self._masks[index] = hit
        return self.doomed[index]

    def _column(self, index: int, position: int) -> Any:
        return self._reader.read_row_group(index, column_indices=[position], use_threads=False).column(0)

    def write(self, writer: Any, index: int) -> int:
        """Row group ``index`` written less its doomed rows: the rows it wrote."""
        import pyarrow as pa
        import pyarrow.compute as pc

        # the id column first: decoded again only when a first pass read it (a pass that keeps
        # every row group's ids would hold a column of each at once)
        ids = None if index in self.doomed else self._column(index, self._id_index)
        count = self.holds_doomed(index, ids)
        hit = self._masks.pop(index, None)
        rows = self.meta.row_group(index).num_rows
        kept = _kept_slices(hit, rows) if count and not self._null_indices else [(0, rows)]
        keep = pc.invert(hit) if count and len(kept) > MAX_KEPT_SLICES else None
        columns = []
        for position in range(len(self._names)):
            # a column at a time: read in one call, a row group's columns keep every column's
            # decoding scratch space until the last is decoded (2-3x the decoded data; a pool
            # peak of 3.4x the row group on the bench's small files), and it is no faster
            column = ids if position == self._id_index and ids is not None else self._column(index, position)
            if count and position in self._null_indices:
                column = pc.if_else(hit, pa.nulls(rows, type=column.type), column)
            elif keep is not None:  # a copy: the decoded column is let go below
                column = column.filter(keep)
            columns.append(column)
            column = None
        ids = hit = keep = None
        group = pa.Table.from_arrays(columns, schema=self.schema)
        columns = []
        if len(kept) <= MAX_KEPT_SLICES and kept != [(0, rows)]:
            # views of the rows kept, every column at once: nothing copied
            stretches = [group.slice(offset, length) for offset, length in kept]
            group = pa.concat_tables(stretches) if stretches else group.slice(0, 0)
            stretches = []
        if count:
            group = _compacted(group)
        written = len(group)
        if written:
            writer.write_table(group, row_group_size=max(self.layout.rows_per_group, written))
        return written


def _rewritten_copy(
    lake: Lake,
    source: Any,
    target: Any,
    doomed_ids: set[str],
    null_columns: Sequence[str],
    allow_splice: bool = True,
) -> Rewritten:
    """``source`` (bytes or a path) copied to ``target`` (a path or a writable file object)
    with the same schema, compression, statistics and rows per group, less the rows whose id
    is doomed (or with ``null_columns`` nulled in them).

    In a file of big row groups (``SPLICE_MIN_GROUP_BYTES``) only what holds the subject is
    decoded and encoded again: a first pass over the id columns tells which row groups do, one
    that does not is copied byte for byte (its footer entry moved, ``parquet_footer``) when the
    file allows it (written by Arrow's Parquet writer, no page index, bloom filter or
    encryption elsewhere in the file), and nothing is written when none does. In a file of
    small row groups every row group is decoded and encoded again, in one pass.

    Memory: one row group is decoded at a time, a column at a time after its id column
    (low-cardinality strings as dictionaries); a changed one is written as slices of the rows
    kept (views: nothing copied) or, when they are in too many stretches, filtered one column
    at a time, each decoded column let go once copied: a decoded row group is never held beside
    a filtered copy of it. The object's bytes are the caller's (a buffer or a mapped file), not
    the pool's. A changed row group's dictionary columns keep only the values their rows still
    hold (``_compacted``); a column of mostly distinct values is written plain
    (``DISTINCT_DICTIONARY_SHARE``).

    Measured on the bench's 0.3 MB files (row groups of 2,000 rows, 0.26 MB): the decoded row
    group is about 1.15x the row group's uncompressed bytes, the writer's buffers about 0.6x
    more (a pool peak of 1.77x the row group). Of 6-8 ms of CPU a file (an in-process GetObject
    + PutObject: 5.5-7.5 ms), decoding takes about 1.6 ms (some 25 us of each of the 26 column
    reads is the reader's own set-up, whatever the column's size), encoding with the source's
    statistics and codec about 3 ms (a third of it snappy), the rest (footer and layout, id
    lookup, dictionary check) about 0.8 ms: decoding and encoding alone measured 13% less."""
    import pyarrow.parquet as pq

    groups = _RowGroups(lake, source, doomed_ids, null_columns)
    meta, layout = groups.meta, groups.layout
    nothing = Rewritten(
        key="",
        rows_before=meta.num_rows,
        rows_after=meta.num_rows,
        rows_changed=0,
        row_groups=meta.num_row_groups,
        bytes_before=0,
        bytes_after=0,
        read_version=None,
        new_version=None,
    )
    source_footer = _splicable(meta, source) if allow_splice else None
    splice = source_footer is not None
    if splice:  # a first pass over the id columns: which row groups are copied, and whether any is
        held = [groups.holds_doomed(index) for index in range(meta.num_row_groups)]
        if not any(held):
            return nothing
        splice = not all(held)
    encoded: Any = (target + ".groups") if isinstance(target, str) else io.BytesIO()
    with pq.ParquetWriter(
        encoded if splice else target,
        groups.schema,
        compression=layout.compression,
        use_dictionary=layout.use_dictionary,
        write_statistics=layout.write_statistics,
        version=meta.format_version,
        store_schema=False,  # the source's key-value metadata (its ARROW:schema) is copied below
    ) as writer:
        # None: a row group without a doomed row, copied byte for byte below
        rows_written = [
            groups.write(writer, index) if not splice or groups.doomed[index] else None
            for index in range(meta.num_row_groups)
        ]
        if meta.metadata and not splice:
            writer.add_key_value_metadata(meta.metadata)
    copied = _spliced(source, source_footer, encoded, target, rows_written) if splice else 0
    if copied is None:  # the encoded row groups' schema is not the source's: every one encoded
        if isinstance(encoded, str):
            os.remove(encoded)
        return _rewritten_copy(lake, source, target, doomed_ids, null_columns, allow_splice=False)
    return replace(
        nothing,
        rows_after=sum(
            meta.row_group(index).num_rows if rows is None else rows
            for index, rows in enumerate(rows_written)
        ),
        rows_changed=sum(groups.doomed.values()),
        row_groups_copied=copied,
        bytes_after=os.path.getsize(target) if isinstance(target, str) else target.tell(),
    )


#: what wrote a file whose row groups the rewrite copies byte for byte: the writer the rewrite
#: encodes with, so the copied and the encoded row groups agree on what ``created_by`` tells a
#: reader (which statistics to trust)
SPLICED_WRITER = "parquet-cpp-arrow"


#: a file is spliced only when its row groups are this big on average (decoded): reading and
#: writing its footer in Python (about 5 ms for the bench's 0.3 MB files, 13 columns in 2 row
#: groups) must cost less than decoding and encoding the row groups copied (about 2.5 ms for
#: one of those, 45 ms for a 10 MB one)
SPLICE_MIN_GROUP_BYTES = 4 * 1024 * 1024


def _splicable(meta: Any, source: Any) -> Any:
    """The source's footer as ``parquet_footer`` reads it when its row groups can be copied byte
    for byte, else None: read before anything is encoded, so that a file with page indexes or
    bloom filters elsewhere is decoded once, not encoded for a splice and then again."""
    from privacy_rights.adapters import parquet_footer as footer

    groups = [meta.row_group(i) for i in range(meta.num_row_groups)]
    if not (
        len(groups) > 1
        and str(meta.created_by or "").startswith(SPLICED_WRITER)
        and sum(g.total_byte_size for g in groups) >= SPLICE_MIN_GROUP_BYTES * len(groups)
    ):
        return None
    with ExitStack() as files:
        parsed = footer.read_footer(_mapped(source, files))
    return parsed if footer.splicable(parsed) is None else None


def _mapped(data: Any, files: ExitStack) -> memoryview:
    """The bytes of ``data`` (bytes, a BytesIO or a path) without a copy."""
    import mmap

    if isinstance(data, str):
        handle = files.enter_context(open(data, "rb"))  # noqa: SIM115 (the caller's stack closes it)
        return memoryview(files.enter_context(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)))
    if isinstance(data, io.BytesIO):
        return data.getbuffer()
    return memoryview(data)


def _spliced(
    source: Any, old_meta: Any, encoded: Any, target: Any, rows_written: Sequence[int | None]
) -> int | None:
    """``target`` made of the source's row groups that kept every row (``None`` in
    ``rows_written``), byte for byte, and the changed ones as ``encoded`` holds them, in the
    source's order, under the source's footer (``old_meta``) with their offsets moved: the row
    groups copied, or ``None`` (nothing written) when the encoded schema is not the source's."""
    from privacy_rights.adapters import parquet_footer as footer

    with ExitStack() as files:
        old, new = _mapped(source, files), _mapped(encoded, files)
        new_meta = footer.read_footer(new)
        if footer.schema(old_meta) != footer.schema(new_meta):
            return None
        out = files.enter_context(open(target, "wb")) if isinstance(target, str) else target
        out.write(footer.MAGIC)
        position, copied = len(footer.MAGIC), 0
        groups: list[footer.Struct] = []
        encoded_groups = iter(footer.row_groups(new_meta))
        for group, rows in zip(footer.row_groups(old_meta), rows_written, strict=True):
            if rows == 0:
                continue  # every row of it was doomed
            data, entry = (old, group) if rows is None else (new, next(encoded_groups))
            start, end = footer.byte_range(entry)
            out.write(data[start:end])
            groups.append(footer.moved(entry, position - start, len(groups)))
            position += end - start
            copied += rows is None
        out.write(footer.footer_bytes(footer.with_row_groups(old_meta, groups)))
        del old, new, data  # the views let go before their maps close
    if isinstance(encoded, str):
        os.remove(encoded)
    return copied


@dataclass(frozen=True)
class Rewritten:
    key: str
    rows_before: int
    rows_after: int
    rows_changed: int
    row_groups: int
    bytes_before: int
    bytes_after: int
    read_version: str | None
    new_version: str | None
    #: row groups without the subject copied byte for byte rather than encoded again
    row_groups_copied: int = 0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class LakeFiles:
    """Rewrites one Parquet file without some rows (or with some columns nulled in them)."""

    #: called between the read and the conditional write (tests play a concurrent writer there)
    before_write: Callable[[str], None] | None = None

    def __init__(self, s3: Any, physical_names: Mapping[str, str], scratch: str | None = None) -> None:
        self._s3 = s3
        self._names = physical_names
        self._scratch = scratch

    def _bucket(self, store: Store) -> str:
        if store.name not in self._names:
            raise UnknownStore(store.name)
        return self._names[store.name]

    def size(self, store: Store, key: str) -> int | None:
        try:
            return int(self._s3.head_object(Bucket=self._bucket(store), Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def rewrite(
        self, store: Store, key: str, row_ids: Iterable[str], null_columns: Sequence[str] = ()
    ) -> Rewritten:
        """Writes a copy of the object row group by row group without the rows (or with
        ``null_columns`` nulled in them), and puts it back only if the object is still the
        version read. Arrow's memory holds about one decoded row group (see
        ``_rewritten_copy``); the object's bytes, in and out, are held as Python buffers, or,
        for an object bigger than ``IN_MEMORY_BYTES``, streamed through scratch space (/tmp)."""
        answer = self._s3.get_object(Bucket=self._bucket(store), Key=key)
        with ExitStack() as scratch:
            target: Any
            if int(answer.get("ContentLength", 0)) <= IN_MEMORY_BYTES:
                source: Any = answer["Body"].read()
                size = len(source)
                # the new object is built in a Python buffer (what PutObject sends), not in
                # Arrow's pool and then copied out of it
                target = io.BytesIO()
            else:
                folder = scratch.enter_context(tempfile.TemporaryDirectory(dir=self._scratch))
                source = os.path.join(folder, "in.parquet")
                with open(source, "wb") as sink:
                    for chunk in answer["Body"].iter_chunks(8 * 1024 * 1024):
                        sink.write(chunk)
                size = os.path.getsize(source)
                target = os.path.join(folder, "out.parquet")
            result = _rewritten_copy(_lake(store), source, target, set(row_ids), null_columns)
            result = replace(result, key=key, bytes_before=size, read_version=answer.get("VersionId"))
            if not result.rows_changed:
                return replace(result, bytes_after=size)
            if self.before_write is not None:
                self.before_write(key)
            body: Any
            if isinstance(target, str):
                body = scratch.enter_context(open(target, "rb"))
            else:
                # bytes, as a plain copy sends them: botocore reads a file object again for its
                # checksum and length (0.2-0.9 ms more a put of 0.3 MB in the bench)
                body = target.getvalue()
                target = None
            try:
                put = self._s3.put_object(
                    Bucket=self._bucket(store), Key=key, Body=body, IfMatch=answer["ETag"]
                )
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code in ("PreconditionFailed", "ConditionalRequestConflict", "412", "409"):
                    raise LakeObjectChanged(key) from exc
                raise
        return replace(result, new_version=put.get("VersionId"))

    def older_versions(self, store: Store, key: str, current: str | None) -> list[dict[str, str]]:
        """Every version and delete marker of ``key`` older than ``current`` (S3 lists a key's
        versions newest first): a concurrent writer's newer version is never among them."""
        bucket = self._bucket(store)
        entries: list[dict[str, Any]] = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
            entries += [
                e for e in [*page.get("Versions", []), *page.get("DeleteMarkers", [])] if e["Key"] == key
            ]
        ids = [e["VersionId"] for e in entries]
        if current is None or current not in ids:
            return []
        return [{"Key": key, "VersionId": v} for v in ids[ids.index(current) + 1 :]]

    def versions(self, store: Store, key: str) -> list[str]:
        bucket = self._bucket(store)
        found: list[str] = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key):
            found += [
                e["VersionId"]
                for e in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                if e["Key"] == key
            ]
        return found
