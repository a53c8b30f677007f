"""Athena, played locally by DuckDB over the same S3 objects moto stores.

moto's Athena answers ``StartQueryExecution`` without running anything (its ``GetQueryResults``
returns canned rows). Like ``lambdas.InProcessLambdas`` does for Lambda, ``LocalAthena.installed``
replaces moto's Athena answers (``StartQueryExecution``, ``GetQueryExecution``,
``GetQueryResults``, ``StopQueryExecution``) with a real run:

- the table a query names (``"db"."table"``, or the execution context's database) is looked up
  in moto's Glue catalog: its ``StorageDescriptor.Location`` (``s3://bucket/prefix/``) and its
  partition keys;
- the current version of every Parquet object under that location is mirrored into a local
  cache (once per ETag) and read with DuckDB's ``read_parquet`` (hive partitioning, the partition
  keys typed as the catalog types them), so a condition on ``dt``/``tenant_id`` prunes files as
  Athena's partition pruning does; ``"$path"`` is each row's ``s3://`` object;
- ``ExecutionParameters`` are bound to the ``?`` placeholders as DuckDB parameters: each must be
  one SQL literal, as Athena requires (``'text'`` with ``''`` for a quote, a number, ``NULL``),
  and is parsed as a value, never pasted into the query text;
- the result is written to the output location as Athena writes it (CSV, every value quoted, a
  header row; NULL as an empty unquoted cell) plus ``.metadata``; ``GetQueryResults`` pages it;
- ``Statistics.DataScannedInBytes`` is DuckDB's own count of bytes read (its profiler), so a
  pruned query reports less, as Athena bills less.

- a table with partition projection (``projection.enabled``: the template's call-events table)
  is read as Athena reads it: only the files in a projected partition, i.e. under
  ``location/<key>=<value>/...`` (the default Hive layout) for values the projection yields
  (``enum`` values, a ``date`` within its range up to NOW, an ``integer`` within its range), so
  a partition written after the table was made is read with no registration, and one outside
  the projection (a business not listed, a day before the range) is not.

What it does not play: Athena's SQL dialect beyond what DuckDB shares with it (the service's
queries are plain SELECT/WHERE/IN), workgroup limits, partitions registered in Glue (a table
without projection is read as every file under its location), ``storage.location.template``
and ``injected`` projections (refused), queueing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, unquote, urlsplit

#: Glue/Hive column types as DuckDB types
_TYPES = {
    "string": "VARCHAR",
    "varchar": "VARCHAR",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "float": "FLOAT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_STRING = re.compile(r"'(?:[^']|'')*'")
_TABLE = re.compile(r'\bFROM\s+(?:"?(\w+)"?\s*\.\s*)?"?(\w+)"?', re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+(\.\d*)?([eE][-+]?\d+)?")
PAGE = 1000


class InvalidRequest(Exception):
    """Athena's ``InvalidRequestException`` (a parameter that is not one literal, an unknown id)."""


@dataclass
class QueryRun:
    query_id: str
    query: str
    parameters: list[str]
    database: str | None
    output_location: str
    workgroup: str
    state: str = "QUEUED"
    reason: str | None = None
    submitted: float = field(default_factory=time.time)
    completed: float | None = None
    scanned_bytes: int = 0
    engine_ms: int = 0
    columns: list[tuple[str, str]] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)


def literal_value(text: str) -> Any:
    """One Athena execution parameter as a Python value; anything but one literal is refused."""
    stripped = text.strip()
    if _STRING.fullmatch(stripped):
        return stripped[1:-1].replace("''", "'")
    if stripped.upper() == "NULL":
        return None
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    if _NUMBER.fullmatch(stripped):
        return float(stripped) if any(c in stripped for c in ".eE") else int(stripped)
    date = re.fullmatch(r"DATE\s+'(\d{4}-\d\d-\d\d)'", stripped, re.IGNORECASE)
    if date:
        return datetime.strptime(date.group(1), "%Y-%m-%d").date()
    raise InvalidRequest(f"execution parameter is not a literal: {text[:40]!r}")


def placeholders(query: str) -> int:
    """``?`` outside string literals and quoted identifiers."""
    text = _STRING.sub("''", query)
    text = re.sub(r'"[^"]*"', '""', text)
    return text.count("?")


class LocalAthena:
    """Every query the stack's clients start, run by DuckDB; ``queries`` keeps what was asked
    (text and parameters), for tests."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._own_cache = cache_dir is None
        self.cache_dir = cache_dir or Path(tempfile.mkdtemp(prefix="local-athena-"))
        self.runs: dict[str, QueryRun] = {}
        self.queries: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._mirrored: dict[str, str] = {}  # local path -> ETag mirrored
        #: workgroup name -> its configuration (CreateWorkGroup, from the template)
        self.workgroups: dict[str, dict[str, Any]] = {}
        self._handler: Any = None

    # -- moto's Athena answers replaced --------------------------------------------------------

    @contextmanager
    def installed(self) -> Iterator[LocalAthena]:
        """Athena's calls from every client made in this process (the handlers', the tests'),
        answered here: botocore's Athena is REST-JSON (``POST /query-executions``...), which
        moto 5.2 does not route at all. In-process moto's stubber lets them through to the
        ``before-send.athena`` handler below, as the outbox does for voice calls."""
        import botocore.handlers
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

        athena = self
        original_stub = BotocoreStubber.process_request

        def stub(stubber: Any, request: Any) -> Any:
            if urlsplit(request.url).netloc.startswith("athena."):
                return None  # answered by the before-send handler
            return original_stub(stubber, request)

        def handler(request: Any, **_: Any) -> AWSResponse:
            status, headers, body = athena.answer(request.method, request.url, request.body)
            return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]

        self._handler = handler

        with (
            mock.patch.object(BotocoreStubber, "process_request", stub),
            mock.patch.object(
                botocore.handlers,
                "BUILTIN_HANDLERS",
                [*botocore.handlers.BUILTIN_HANDLERS, ("before-send.athena", handler)],
            ),
        ):
            try:
                yield self
            finally:
                if self._own_cache:
                    shutil.rmtree(self.cache_dir, ignore_errors=True)

    def answer(self, method: str, url: str, body: bytes | str | None) -> tuple[int, dict[str, str], str]:
        """One Athena REST-JSON call: its status, headers and JSON body."""
        from local_stack.template import ACCOUNT_ID, REGION

        parts = urlsplit(url)
        path = [unquote(p) for p in parts.path.strip("/").split("/") if p]
        query = dict(parse_qsl(parts.query))
        payload = json.loads(body or b"{}") if body else {}
        try:
            if method == "POST" and path == ["query-executions"]:
                run = self.start(
                    account=ACCOUNT_ID,
                    region=REGION,
                    query=payload.get("QueryString", ""),
                    parameters=payload.get("ExecutionParameters") or [],
                    context=payload.get("QueryExecutionContext") or {},
                    config=payload.get("ResultConfiguration") or {},
                    workgroup=payload.get("WorkGroup") or "primary",
                )
                return _ok({"QueryExecutionId": run.query_id})
            if method == "POST" and path == ["workgroups"]:
                self.workgroups[payload["Name"]] = payload.get("Configuration") or {}
                return _ok({})
            if len(path) >= 2 and path[0] == "query-executions":
                known = self.runs.get(path[1])
                if known is None:
                    raise InvalidRequest("QueryExecution was not found")
                run = known
                if method == "GET" and len(path) == 2:
                    return _ok({"QueryExecution": _execution(run)})
                if method == "GET" and path[2:] == ["results"]:
                    if run.state != "SUCCEEDED":
                        raise InvalidRequest(f"Query has not yet finished. Current state: {run.state}")
                    token = int(query.get("NextToken") or 0)
                    return _ok(_results_page(run, token, int(query.get("MaxResults") or PAGE)))
                if method == "POST" and path[2:] == ["stop"]:
                    if run.state in ("QUEUED", "RUNNING"):
                        run.state = "CANCELLED"
                    return _ok({})
        except InvalidRequest as exc:
            return _error(str(exc))
        return _error(f"the local Athena does not play {method} /{'/'.join(path)}")

    def register_on(self, session: Any) -> None:
        """A session made before ``installed`` (botocore copies its built-in handlers when a
        session is made): its clients reach this Athena too."""
        session.events.register("before-send.athena", self._handler)

    def clear(self) -> None:
        self.runs.clear()
        self.queries.clear()

    # -- one query -----------------------------------------------------------------------------

    def start(
        self,
        account: str,
        region: str,
        query: str,
        parameters: list[str],
        context: dict[str, Any],
        config: dict[str, Any],
        workgroup: str,
    ) -> QueryRun:
        values = [literal_value(p) for p in parameters]
        if workgroup != "primary" and workgroup not in self.workgroups:
            raise InvalidRequest("WorkGroup is not found.")
        enforced = self.workgroups.get(workgroup, {}).get("EnforceWorkGroupConfiguration")
        given = None if enforced else config.get("OutputLocation")
        output = given or self._workgroup_output(account, region, workgroup)
        if not output:
            raise InvalidRequest("No output location provided")
        run = QueryRun(
            query_id=str(uuid.uuid4()),
            query=query,
            parameters=list(parameters),
            database=context.get("Database"),
            output_location=output.rstrip("/") + "/",
            workgroup=workgroup,
        )
        with self._lock:
            self.runs[run.query_id] = run
            self.queries.append((query, list(parameters)))
        run.state = "RUNNING"
        started = time.perf_counter()
        try:
            if placeholders(query) != len(values):
                raise ValueError(
                    f"Incorrect number of parameters: expected {placeholders(query)} but found {len(values)}"
                )
            self._execute(account, region, run, values)
            self._write_result(account, run)
            run.state = "SUCCEEDED"
        except Exception as exc:  # Athena reports any failure on the execution
            run.state = "FAILED"
            run.reason = f"{type(exc).__name__}: {exc}"[:900]
        run.engine_ms = int((time.perf_counter() - started) * 1000)
        run.completed = time.time()
        return run

    def _workgroup_output(self, account: str, region: str, workgroup: str) -> str | None:
        location: str | None = (
            self.workgroups.get(workgroup, {}).get("ResultConfiguration", {}).get("OutputLocation")
        )
        return location

    def _execute(self, account: str, region: str, run: QueryRun, values: list[Any]) -> None:
        import duckdb

        views: dict[str, str] = {}

        def table_view(match: re.Match[str]) -> str:
            database = match.group(1) or run.database
            table = match.group(2)
            if not database:
                raise ValueError(f"Schema not specified for table {table}")
            name = f"lake_{len(views)}"
            views[name] = self._view_sql(account, region, database, table)
            return f"FROM {name}"

        sql = _TABLE.sub(table_view, run.query)
        with tempfile.TemporaryDirectory(dir=self.cache_dir) as scratch:
            profile = os.path.join(scratch, "profile.json")
            connection = duckdb.connect(config={"threads": 2})
            try:
                for name, view in views.items():
                    connection.execute(f"CREATE VIEW {name} AS {view}")
                connection.execute("PRAGMA enable_profiling='json'")
                connection.execute(f"PRAGMA profiling_output='{profile}'")
                cursor = connection.execute(sql, values)
                run.columns = [(d[0], _athena_type(str(d[1]))) for d in cursor.description or []]
                run.rows = [tuple(row) for row in cursor.fetchall()]
                connection.execute("PRAGMA disable_profiling")
            finally:
                connection.close()
            if os.path.exists(profile):
                with open(profile) as source:
                    profiled = json.load(source)
                # every byte the query read, footers included (Athena bills what it reads); a
                # file outside the partitions a condition names is never opened
                run.scanned_bytes = int(profiled.get("io", {}).get("total_bytes_read", 0))

    def _view_sql(self, account: str, region: str, database: str, table: str) -> str:
        from moto.glue.models import glue_backends

        try:
            described = glue_backends[account][region].get_table(database, table).as_dict()
        except Exception as exc:
            raise ValueError(f"Table {database}.{table} does not exist") from exc
        descriptor = described.get("StorageDescriptor", {})
        location = descriptor.get("Location", "")
        if not location.startswith("s3://"):
            raise ValueError(f"Table {database}.{table} has no S3 location")
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        partition_keys = [(k["Name"], k.get("Type", "string")) for k in described.get("PartitionKeys", [])]
        columns = [(c["Name"], c.get("Type", "string")) for c in descriptor.get("Columns", [])]
        files = self._mirror(account, bucket, prefix)
        local_root = str(self.cache_dir / "objects" / bucket) + "/"
        table_parameters = described.get("Parameters") or {}
        if str(table_parameters.get("projection.enabled", "")).strip().lower() == "true":
            projection = Projection(table_parameters, [name for name, _ in partition_keys])
            base = local_root + prefix
            files = [f for f in files if projection.holds(f.removeprefix(base))]
        if not files:
            typed = [f'CAST(NULL AS {_duckdb_type(t)}) AS "{n}"' for n, t in [*columns, *partition_keys]]
            return f'SELECT {", ".join(typed)}, CAST(NULL AS VARCHAR) AS "$path" WHERE false'
        listed = "[" + ", ".join(_quoted(path) for path in files) + "]"
        hive_types = (
            "{" + ", ".join(f"{_quoted(n)}: {_quoted(_duckdb_type(t))}" for n, t in partition_keys) + "}"
        )
        options = "filename = true"
        if partition_keys:
            options += f", hive_partitioning = true, hive_types = {hive_types}, hive_types_autocast = false"
        path = f"replace(filename, {_quoted(local_root)}, {_quoted(f's3://{bucket}/')})"
        # local file names and catalog names only: the query's values are bound parameters
        return f'SELECT * EXCLUDE (filename), {path} AS "$path" FROM read_parquet({listed}, {options})'  # noqa: S608

    def _mirror(self, account: str, bucket: str, prefix: str) -> list[str]:
        """The current version of every ``.parquet`` object under the prefix, as a local file
        (copied again only when its ETag changed)."""
        from moto.s3.models import s3_backends

        backend = s3_backends[account]["global"]
        stored = backend.buckets.get(bucket)
        if stored is None:
            raise ValueError(f"The S3 location's bucket {bucket} does not exist")
        files = []
        with self._lock:
            for name in sorted(stored.keys.keys()):
                if not name.startswith(prefix) or not name.endswith(".parquet"):
                    continue
                key = stored.keys.get(name)
                if key is None or getattr(key, "is_delete_marker", False) or not hasattr(key, "value"):
                    continue
                local = self.cache_dir / "objects" / bucket / name
                if self._mirrored.get(str(local)) != key.etag:
                    local.parent.mkdir(parents=True, exist_ok=True)
                    local.write_bytes(key.value)
                    self._mirrored[str(local)] = key.etag
                files.append(str(local))
        return files

    def _write_result(self, account: str, run: QueryRun) -> None:
        from moto.s3.models import s3_backends

        bucket, _, prefix = run.output_location.removeprefix("s3://").partition("/")
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow([name for name, _ in run.columns])
        for row in run.rows:
            out.write(",".join("" if v is None else _csv_cell(v) for v in row) + "\n")
        backend = s3_backends[account]["global"]
        backend.put_object(bucket, f"{prefix}{run.query_id}.csv", out.getvalue().encode())
        metadata = {"columns": [{"name": n, "type": t} for n, t in run.columns]}
        backend.put_object(bucket, f"{prefix}{run.query_id}.csv.metadata", json.dumps(metadata).encode())


#: Java date patterns (Athena's ``projection.<key>.format``) as strftime
_JAVA_DATE = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))
_RELATIVE = re.compile(
    r"^NOW(?:\s*([+-])\s*(\d+)\s*(DAYS?|WEEKS?|HOURS?|MINUTES?|SECONDS?))?$", re.IGNORECASE
)
_UNITS = {"DAY": "days", "WEEK": "weeks", "HOUR": "hours", "MINUTE": "minutes", "SECOND": "seconds"}


class Projection:
    """Athena's partition projection (the table's ``projection.*`` properties): which partition
    values it yields. Every partition key must be projected, as Athena requires."""

    def __init__(self, properties: dict[str, Any], keys: list[str]) -> None:
        if "storage.location.template" in properties:
            raise ValueError("the local Athena projects the default layout, not storage.location.template")
        self._keys = keys
        self._properties = {k: str(v) for k, v in properties.items()}
        #: each enum key's values, parsed once (a business list can be thousands long)
        self._enums = {
            key: set(self._properties.get(f"projection.{key}.values", "").split(","))
            for key in keys
            if self._properties.get(f"projection.{key}.type", "").strip().lower() == "enum"
        }
        for key in keys:
            kind = self._properties.get(f"projection.{key}.type", "").strip().lower()
            if kind not in ("enum", "date", "integer"):
                raise ValueError(f"partition key {key}: projection {kind or 'missing'} not played locally")

    def holds(self, relative: str) -> bool:
        """Whether the object at ``relative`` (its key under the table's location) is in a
        projected partition: ``k1=v1/k2=v2/...`` in key order, each value one the projection yields."""
        parts = relative.split("/")
        if len(parts) <= len(self._keys):
            return False
        for key, part in zip(self._keys, parts, strict=False):
            name, equals, value = part.partition("=")
            if name != key or not equals or not self._yields(key, value):
                return False
        return True

    def _yields(self, key: str, value: str) -> bool:
        prop = self._properties
        kind = prop[f"projection.{key}.type"].strip().lower()
        if kind == "enum":
            return value in self._enums[key]
        if kind == "integer":
            low, high = (int(v) for v in prop[f"projection.{key}.range"].split(","))
            interval = int(prop.get(f"projection.{key}.interval", "1"))
            digits = int(prop.get(f"projection.{key}.digits", "0"))
            if not re.fullmatch(r"-?\d+", value) or (digits and len(value.lstrip("-")) != digits):
                return False
            number = int(value)
            return low <= number <= high and (number - low) % interval == 0
        return self._yields_date(key, value)

    def _yields_date(self, key: str, value: str) -> bool:
        from datetime import UTC, timedelta

        prop = self._properties
        pattern = prop[f"projection.{key}.format"]
        for java, python in _JAVA_DATE:
            pattern = pattern.replace(java, python)
        unit = prop.get(f"projection.{key}.interval.unit", "DAYS").strip().upper().rstrip("S")
        interval = int(prop.get(f"projection.{key}.interval", "1"))
        if unit not in _UNITS:
            raise ValueError(f"partition key {key}: interval unit {unit} not played locally")
        try:
            moment = datetime.strptime(value, pattern)
        except ValueError:
            return False
        if moment.strftime(pattern) != value:  # Athena yields the formatted values only
            return False
        now = datetime.now(UTC).replace(tzinfo=None)

        def bound(text: str) -> datetime:
            relative = _RELATIVE.match(text.strip())
            if relative is None:
                return datetime.strptime(text.strip(), pattern)
            sign, amount, name = relative.groups()
            if not sign:
                return now
            step = timedelta(**{_UNITS[name.upper().rstrip("S")]: int(amount)})
            return now + step if sign == "+" else now - step

        start, end = (bound(t) for t in prop[f"projection.{key}.range"].split(","))
        # values are start, start + interval, ... up to end (NOW: the current period included)
        end = datetime.strptime(end.strftime(pattern), pattern)
        step = timedelta(**{_UNITS[unit]: interval})
        return start <= moment <= end and (moment - start) % step == timedelta(0)


def _csv_cell(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return '"' + text.replace('"', '""') + '"'


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _duckdb_type(glue_type: str) -> str:
    return _TYPES.get(glue_type.lower(), "VARCHAR")


def _athena_type(duckdb_type: str) -> str:
    reverse = {"VARCHAR": "varchar", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double"}
    return reverse.get(duckdb_type.upper(), duckdb_type.lower())


def _ok(body: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


def _error(message: str) -> tuple[int, dict[str, str], str]:
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": "InvalidRequestException"}
    return 400, headers, json.dumps({"Message": message, "message": message})


def _execution(run: QueryRun) -> dict[str, Any]:
    status: dict[str, Any] = {
        "State": run.state,
        "SubmissionDateTime": run.submitted,
    }
    if run.completed is not None:
        status["CompletionDateTime"] = run.completed
    if run.reason:
        status["StateChangeReason"] = run.reason
    return {
        "QueryExecutionId": run.query_id,
        "Query": run.query,
        "StatementType": "DML",
        "ResultConfiguration": {"OutputLocation": f"{run.output_location}{run.query_id}.csv"},
        "QueryExecutionContext": {"Database": run.database} if run.database else {},
        "Status": status,
        "Statistics": {
            "EngineExecutionTimeInMillis": run.engine_ms,
            "DataScannedInBytes": run.scanned_bytes,
            "TotalExecutionTimeInMillis": run.engine_ms,
        },
        "WorkGroup": run.workgroup,
        "ExecutionParameters": run.parameters,
    }


def _results_page(run: QueryRun, token: int, size: int) -> dict[str, Any]:
    header = [{"Data": [{"VarCharValue": name} for name, _ in run.columns]}] if token == 0 else []
    chunk = run.rows[token : token + size]
    rows = header + [
        {"Data": [{} if v is None else {"VarCharValue": _csv_cell(v)[1:-1].replace('""', '"')} for v in row]}
        for row in chunk
    ]
    page: dict[str, Any] = {
        "ResultSet": {
            "Rows": rows,
            "ResultSetMetadata": {
                "ColumnInfo": [
                    {"Name": name, "Label": name, "Type": kind, "CatalogName": "hive", "Nullable": "UNKNOWN"}
                    for name, kind in run.columns
                ]
            },
        },
        "UpdateCount": 0,
    }
    if token + size < len(run.rows):
        page["NextToken"] = str(token + size)
    return page


def pandas_layer_parameter(session: Any) -> dict[str, str]:
    """``PandasLayerArn``: AWS's managed layer does not exist in moto, which refuses a function
    naming an unknown layer. A stand-in layer is published in its place (empty: locally every
    handler imports from the development venv, pyarrow included)."""
    import zipfile

    from local_stack.template import REGION

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/README.txt", "stand-in for the AWS SDK for pandas managed layer\n")
    client = session.client("lambda", region_name=REGION)
    published = client.publish_layer_version(
        LayerName="AWSSDKPandas-Python312-Arm64",
        Content={"ZipFile": buffer.getvalue()},
        CompatibleRuntimes=["python3.12"],
        CompatibleArchitectures=["arm64"],
    )
    return {"PandasLayerArn": published["LayerVersionArn"]}
