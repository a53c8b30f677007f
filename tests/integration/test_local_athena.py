"""Athena, played by DuckDB over the lake's objects in moto (local_stack.athena): what the lake
adapter relies on — execution parameters bound as values (never pasted into the query), ``"$path"``
naming each row's object, the result written to the output location as Athena's CSV, partition
conditions pruning the files read (fewer bytes scanned) — through the real Athena API."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.core.data_map import load_data_map

pytestmark = pytest.mark.integration

LAKE = load_data_map().store("call_events_lake").lake
assert LAKE is not None
TABLE = f'"{LAKE.database}"."{LAKE.table}"'


def _run(stack: RunningStack, query: str, parameters: list[str]) -> dict[str, Any]:
    athena: Any = stack.client("athena")
    work = stack.stack.ref("LakeWorkGroup")
    started = athena.start_query_execution(QueryString=query, ExecutionParameters=parameters, WorkGroup=work)
    for _ in range(200):
        execution = athena.get_query_execution(QueryExecutionId=started["QueryExecutionId"])["QueryExecution"]
        if execution["Status"]["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            return dict(execution)
        time.sleep(0.05)
    raise AssertionError("the query never finished")


def _rows(stack: RunningStack, execution: dict[str, Any]) -> list[dict[str, str]]:
    """The result as the adapter reads it: the CSV at the output location."""
    bucket, _, key = execution["ResultConfiguration"]["OutputLocation"].removeprefix("s3://").partition("/")
    body = stack.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_parameters_are_bound_and_path_names_each_rows_object(seeded: RunningStack) -> None:
    query = f'SELECT "event_id", "tenant_id", "$path" FROM {TABLE} WHERE "caller_phone" = ?'  # noqa: S608 - the data map's names
    execution = _run(seeded, query, [f"'{demo.DANA_PHONE}'"])

    assert execution["Status"]["State"] == "SUCCEEDED"
    assert execution["ResultConfiguration"]["OutputLocation"].startswith(
        f"s3://{seeded.stack.ref('WorkBucket')}/athena/"
    )
    rows = _rows(seeded, execution)
    assert len(rows) == demo.expected_counts("dana")["call_events_lake"] > 0
    bucket = seeded.stack.platform_stores["call_events_lake"]
    s3: Any = seeded.client("s3")
    for row in rows:
        path = row["$path"]
        assert path.startswith(f"s3://{bucket}/call_events/dt=")
        assert f"/tenant_id={row['tenant_id']}/" in path
        s3.head_object(Bucket=bucket, Key=path.removeprefix(f"s3://{bucket}/"))  # it exists
    # what the query asked is what ran: the text has no number in it, the parameter carried it
    assert seeded.stack.athena.queries[-1] == (query, [f"'{demo.DANA_PHONE}'"])


def test_a_parameter_is_a_value_never_query_text(seeded: RunningStack) -> None:
    query = f'SELECT "event_id" FROM {TABLE} WHERE "caller_phone" = ?'  # noqa: S608 - the data map's names
    # a value that would widen the query if it were pasted in: bound, it matches no row
    injected = _run(seeded, query, ["'x'' OR ''1''=''1'"])
    assert injected["Status"]["State"] == "SUCCEEDED"
    assert _rows(seeded, injected) == []
    # not one literal: refused, as Athena refuses it
    athena: Any = seeded.client("athena")
    with pytest.raises(athena.exceptions.InvalidRequestException):
        athena.start_query_execution(
            QueryString=query,
            ExecutionParameters=["'x' OR 1=1"],
            WorkGroup=seeded.stack.ref("LakeWorkGroup"),
        )
    # one placeholder, two parameters: the query fails, as on Athena
    wrong = _run(seeded, query, ["'a'", "'b'"])
    assert wrong["Status"]["State"] == "FAILED"
    assert "parameters" in wrong["Status"]["StateChangeReason"]


def test_a_partition_condition_prunes_the_files_read(seeded: RunningStack) -> None:
    query = f'SELECT count(*) AS n FROM {TABLE} WHERE "caller_phone" = ?'  # noqa: S608 - the data map's names
    everything = _run(seeded, query, [f"'{demo.DANA_PHONE}'"])
    pruned = _run(
        seeded,
        query + ' AND "tenant_id" = ? AND "dt" >= ?',
        [f"'{demo.DANA_PHONE}'", "'acme'", "'2026-08-01'"],
    )

    assert everything["Status"]["State"] == pruned["Status"]["State"] == "SUCCEEDED"
    scanned = everything["Statistics"]["DataScannedInBytes"]
    assert 0 < pruned["Statistics"]["DataScannedInBytes"] < scanned / 2
    assert int(_rows(seeded, pruned)[0]["n"]) > 0


def test_a_partition_written_after_the_table_is_read_with_no_registration(seeded: RunningStack) -> None:
    """The table projects its partitions (template: projection on dt and tenant_id), so a day
    the platform writes after deployment is queryable at once, with nothing registered in Glue;
    files outside the projection (a business not listed, a day after today) are not read, as
    Athena reads none of them."""
    from datetime import UTC, datetime, timedelta

    from local_stack.lake_data import call_events, parquet_file

    bucket = seeded.stack.platform_stores["call_events_lake"]
    s3: Any = seeded.client("s3")
    glue: Any = seeded.client("glue")
    phone = "+14155550177"  # no demo subject's
    today = datetime.now(UTC).date()
    keys = {
        "today": f"call_events/dt={today}/tenant_id=acme/part-late.parquet",
        "unlisted business": f"call_events/dt={today}/tenant_id=not-a-customer/part-late.parquet",
        "after today": f"call_events/dt={today + timedelta(days=2)}/tenant_id=acme/part-late.parquet",
    }
    events = {}
    for name, key in keys.items():
        call = {"call_id": f"CA-late-{name}", "started_at": f"{today}T08:00:00Z", "tenant_id": "acme"}
        rows = [{**row, "caller_phone": phone} for row in call_events(call)][:1]
        events[name] = rows[0]["event_id"]
        s3.put_object(Bucket=bucket, Key=key, Body=parquet_file(LAKE, rows))
    try:
        registered = glue.get_partitions(DatabaseName=LAKE.database, TableName=LAKE.table)["Partitions"]
        assert registered == []  # nothing registered: the projection is the table's partitions
        query = f'SELECT "event_id", "dt", "tenant_id" FROM {TABLE} WHERE "caller_phone" = ?'  # noqa: S608 - the data map's names
        execution = _run(seeded, query, [f"'{phone}'"])
        assert execution["Status"]["State"] == "SUCCEEDED"
        assert _rows(seeded, execution) == [
            {"event_id": events["today"], "dt": str(today), "tenant_id": "acme"}
        ]
    finally:
        for key in keys.values():
            versions = s3.list_object_versions(Bucket=bucket, Prefix=key)
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]
            ]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
