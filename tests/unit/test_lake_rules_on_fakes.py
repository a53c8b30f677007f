"""The analytics lake's rules on in-memory fakes (issue 19): which files a deletion rewrites (only
those holding the subject's released rows), what a rewrite takes out (the subject's rows, or the
tombstone's columns), that the version read is the only one written over (a concurrent writer's
version makes ``LakeObjectChanged``, and the retry keeps its rows), that older versions go, that
a file too big for one invocation is reported for ops and fails verification, and that an
export includes the lake rows with the same withholding as the other stores."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import test_erasure_on_fakes
from fakes import FakeLake
from test_erasure_on_fakes import NEIGHBOUR, PHONE, Deletion

from privacy_rights.core.data_map import DataMap, load_data_map, parse_data_map
from privacy_rights.core.errors import ErasureIncomplete, LakeObjectChanged
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import RightsRequest
from privacy_rights.erasure.erasure_service import ErasureService
from privacy_rights.resolution.resolution import Resolver

DATA_MAP = load_data_map()
LAKE = "call_events_lake"
#: the deletion request fixture of the erasure rules' tests
deletion_request = test_erasure_on_fakes.deletion_request


def _row(
    event_id: str, phone: str, tenant: str = "acme", dt: str = "2026-01-10", **extra: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "call_id": "CA" + event_id,
        "event_type": "call.completed",
        "started_at": f"{dt}T10:00:00Z",
        "caller_phone": phone,
        "caller_email": None,
        "caller_name": "Jane Doe" if phone == PHONE else "Someone Else",
        "lead_id": None,
        "tracking_number": "+18005550100",
        "source": "google_ads",
        "campaign": None,
        "duration_seconds": 60,
        "score": 4.5,
        "dt": dt,
        "tenant_id": tenant,
        **extra,
    }


def _file(tenant: str, dt: str, n: int) -> str:
    return f"call_events/dt={dt}/tenant_id={tenant}/part-{n}.parquet"


class LakeDeletion(Deletion):
    """``Deletion`` with the lake's engine and rewriter (a :class:`FakeLake`)."""

    def __init__(
        self,
        ring: KeyRing,
        request: RightsRequest,
        max_rewrite_bytes: int = 10**9,
        data_map: DataMap = DATA_MAP,
    ) -> None:
        super().__init__(ring, request)
        self.data_map = data_map
        self.lake = FakeLake(self.platform)
        self.service = self._with_lake(self.service, max_rewrite_bytes)

    def new_resolver(self) -> Resolver:
        connector = self.platform.connector()
        connectors = {"dynamodb": connector, "s3": connector, "lake": connector}
        return Resolver(self.data_map, connectors, keys=self.keys.key_ring())

    def _with_lake(self, service: ErasureService, max_rewrite_bytes: int) -> ErasureService:
        return ErasureService(
            self.store,
            self.work,
            self.data_map,
            service._reader,
            self.platform,
            self.instructions,
            self.holds,
            self.new_resolver,
            service._suppression,
            self.exports,
            self.keys,
            self.notifier,
            clock=service._clock,
            lake=self.lake,
            lake_files=self.lake,
            max_rewrite_bytes=max_rewrite_bytes,
        )

    def run(self) -> dict[str, Any]:
        """plan → each lake file (the Map) → erase (each store) → verify."""
        plan = self.plan()
        assert plan["ask"] == []
        self.rewritten = [
            self.service.rewrite_lake_file(self.request_id, item["store"], item["key"])
            for item in plan["lake_files"]
        ]
        self.erase_all(plan)
        return self.service.verify(self.request_id)


def _lake_with_a_neighbour(d: LakeDeletion) -> None:
    """Jane's rows in two files (one shared with a neighbour, row for row interleaved), the
    neighbour alone in a third file."""
    d.lake.put_file(
        LAKE,
        _file("acme", "2026-01-10", 1),
        [_row("E1", PHONE), _row("N1", NEIGHBOUR), _row("E2", PHONE), _row("N2", NEIGHBOUR)],
    )
    d.lake.put_file(LAKE, _file("globex", "2026-02-01", 1), [_row("E3", PHONE, "globex", "2026-02-01")])
    d.lake.put_file(LAKE, _file("acme", "2026-03-01", 1), [_row("N3", NEIGHBOUR, dt="2026-03-01")])


def test_only_files_holding_the_subject_are_rewritten_and_the_neighbours_rows_stay_row_for_row(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request())
    _lake_with_a_neighbour(d)
    untouched = list(d.platform.objects[LAKE][_file("acme", "2026-03-01", 1)])

    d.resolved()
    plan = d.plan()
    assert sorted(item["key"] for item in plan["lake_files"]) == [
        _file("acme", "2026-01-10", 1),
        _file("globex", "2026-02-01", 1),
    ]
    assert all(
        item == {"request_id": d.request_id, "store": LAKE, "key": item["key"]} for item in plan["lake_files"]
    )
    assert d.run() == {"verdict": {"result": "completed", "outcome": "complied"}}

    assert d.lake.rows_in(LAKE, _file("acme", "2026-01-10", 1)) == [
        _row("N1", NEIGHBOUR),
        _row("N2", NEIGHBOUR),
    ]
    assert d.lake.rows_in(LAKE, _file("globex", "2026-02-01", 1)) == []
    assert d.platform.objects[LAKE][_file("acme", "2026-03-01", 1)] == untouched
    # one version left of each rewritten file: the older ones held Jane's rows
    assert [
        len(d.platform.objects[LAKE][k])
        for k in (_file("acme", "2026-01-10", 1), _file("globex", "2026-02-01", 1))
    ] == [1, 1]
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.stores[LAKE] | {} == {
        "store": LAKE,
        "strategy": "delete",
        "records": 3,
        "files": 2,
        "files_rewritten": 2,
        "rows_deleted": 3,
        "versions_deleted": 2,
        "files_for_ops": [],
    }


def test_an_unproven_identifiers_rows_are_not_erased(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request(proven=("email",)))
    _lake_with_a_neighbour(d)
    before = json.dumps(d.platform.objects[LAKE], sort_keys=True, default=str)

    d.resolved()
    plan = d.plan()

    assert plan["lake_files"] == []
    assert LAKE not in {s["store"] for s in plan["sources"]}
    assert json.dumps(d.platform.objects[LAKE], sort_keys=True, default=str) == before


def test_a_concurrent_writers_version_is_never_overwritten_and_the_retry_keeps_its_rows(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request())
    _lake_with_a_neighbour(d)
    shared = _file("acme", "2026-01-10", 1)
    d.resolved()
    plan = d.plan()

    def concurrent_append(key: str) -> None:
        d.lake.before_write = None  # once
        d.lake.put_file(LAKE, key, [*d.lake.rows_in(LAKE, key), _row("N9", NEIGHBOUR)])

    d.lake.before_write = concurrent_append
    with pytest.raises(LakeObjectChanged):
        d.service.rewrite_lake_file(d.request_id, LAKE, shared)
    # the writer's version is the current one, untouched by the refused write
    assert [r["event_id"] for r in d.lake.rows_in(LAKE, shared)] == ["E1", "N1", "E2", "N2", "N9"]

    # the state machine's Retry runs the task again: it reads the new version
    result = d.service.rewrite_lake_file(d.request_id, LAKE, shared)
    assert result["rows_changed"] == 2
    assert [r["event_id"] for r in d.lake.rows_in(LAKE, shared)] == ["N1", "N2", "N9"]
    assert len(d.platform.objects[LAKE][shared]) == 1
    for item in plan["lake_files"]:
        d.service.rewrite_lake_file(d.request_id, item["store"], item["key"])
    d.erase_all(plan)
    assert d.service.verify(d.request_id)["verdict"]["outcome"] == "complied"


def test_a_rewrite_done_once_is_not_done_again(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request())
    _lake_with_a_neighbour(d)
    d.resolved()
    item = d.plan()["lake_files"][0]
    first = d.service.rewrite_lake_file(d.request_id, LAKE, item["key"])
    versions = list(d.platform.objects[LAKE][item["key"]])

    assert d.service.rewrite_lake_file(d.request_id, LAKE, item["key"]) == first
    assert d.platform.objects[LAKE][item["key"]] == versions


def test_a_file_too_big_for_one_invocation_is_routed_to_ops_and_verification_says_so(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request(), max_rewrite_bytes=200)
    _lake_with_a_neighbour(d)
    d.resolved()
    plan = d.plan()
    results = [d.service.rewrite_lake_file(d.request_id, i["store"], i["key"]) for i in plan["lake_files"]]

    assert all(r["routed_to_ops"] and r["limit"] == 200 for r in results)
    assert [a[2] for a in d.store.audit if a[0] == d.request_id].count("erasure.lake_file_for_ops") == 2
    d.erase_all(plan)
    assert d.store.ledger(d.request_id)[f"erase:{LAKE}"]["files_for_ops"] == sorted(
        i["key"] for i in plan["lake_files"]
    )
    with pytest.raises(ErasureIncomplete, match="too big to rewrite in one invocation, routed to ops"):
        d.service.verify(d.request_id)
    # nothing was rewritten: the rows are still there for ops
    assert [r["event_id"] for r in d.lake.rows_in(LAKE, _file("acme", "2026-01-10", 1))] == [
        "E1",
        "N1",
        "E2",
        "N2",
    ]


def test_erasing_before_every_file_is_rewritten_fails(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = LakeDeletion(ring, deletion_request())
    _lake_with_a_neighbour(d)
    d.resolved()
    plan = d.plan()

    with pytest.raises(ErasureIncomplete, match="2 files not rewritten yet"):
        d.service.erase(d.request_id, LAKE)
    assert plan["lake_files"]


def _tombstoned_map() -> DataMap:
    """The data map with the lake's erasure a tombstone (a business keeping event counts)."""
    from importlib import resources

    text = resources.files("privacy_rights.core").joinpath("data_map.yaml").read_text()
    head, lake_block = text.split("  - name: call_events_lake", 1)
    tombstone = (
        "    erasure:\n      strategy: tombstone\n      keep: [event_id, event_type, started_at]\n"
        "      basis: Aggregate reports keep each event's count.\n"
    )
    lake_block = lake_block.replace("    erasure: { strategy: delete }\n", tombstone, 1)
    return parse_data_map(head + "  - name: call_events_lake" + lake_block)


def test_a_tombstone_nulls_the_identifying_columns_and_keeps_the_row(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    tombstoned = _tombstoned_map()
    lake = tombstoned.store(LAKE).lake
    assert lake is not None
    d = LakeDeletion(ring, deletion_request(), data_map=tombstoned)
    _lake_with_a_neighbour(d)
    d.resolved()

    assert d.run()["verdict"]["outcome"] == "complied"

    rows = d.lake.rows_in(LAKE, _file("acme", "2026-01-10", 1))
    assert [r["event_id"] for r in rows] == ["E1", "N1", "E2", "N2"]
    for row in rows[0], rows[2]:
        assert {c: row[c] for c in lake.tombstone_columns} == dict.fromkeys(lake.tombstone_columns)
        assert row["duration_seconds"] == 60
    assert rows[1] == _row("N1", NEIGHBOUR)
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.stores[LAKE]["rows_tombstoned"] == 3


def test_the_data_map_refuses_a_lake_lookup_on_a_column_that_does_not_identify() -> None:
    from importlib import resources

    text = resources.files("privacy_rights.core").joinpath("data_map.yaml").read_text()
    broken = text.replace(
        "      - { by: email, attribute: caller_email }\n", "      - { by: email, attribute: campaign }\n"
    )
    assert broken != text
    with pytest.raises(ValueError, match="identifier columns"):
        parse_data_map(broken)
    no_lake = text.replace("    kind: lake\n", "    kind: s3\n")
    with pytest.raises(ValueError, match="lake"):
        parse_data_map(no_lake)
