"""The categories answer (CCPA request to know categories) of every demo subject of the README,
on the synthetic platform in memory: the real resolver, business instructions and export
service; what the answer lists (ours, and what each business answers itself) is exactly what
resolution released. The same path through the real API and state machine is run once, for one
subject, in ``tests/integration/test_categories_answer_demo.py``."""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from fakes import FakeCustomers, FakeKeys, FakePlatform, FakeReader, FakeRequests, FakeWork
from test_access_answer import FakeArchive

from local_stack import demo, synthetic
from privacy_rights.businesses.business_instructions import BusinessInstructions
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import AccessScope, Jurisdiction, RightsRequest, Status, SubjectIdentifiers
from privacy_rights.export.export_service import ExportService
from privacy_rights.resolution.resolution import Resolver
from privacy_rights.resolution.resolve_service import ResolveService
from privacy_rights.rights_requests.intake import subject_keys

DATA_MAP = load_data_map()


@pytest.fixture(scope="module")
def platform() -> tuple[FakePlatform, dict[str, dict[str, Any]]]:
    """The demo subjects, the tenants and the switchboard (no background callers)."""
    memory = FakePlatform(DATA_MAP)
    customers: dict[str, dict[str, Any]] = {}
    for record in synthetic.records(synthetic.Scale(callers=0)):
        if isinstance(record, synthetic.Row) and record.store == synthetic.CUSTOMERS:
            customers[record.item["tenant_id"]] = record.item
        elif isinstance(record, synthetic.Row):
            memory.put_item(record.store, record.item)
        else:
            memory.put_version(record.store, record.key, record.body)
    return memory, customers


@pytest.mark.parametrize("subject", demo.README_SUBJECTS, ids=lambda s: s.key)
def test_the_categories_answer_of_each_demo_subject_is_what_resolution_released(
    subject: demo.Subject,
    platform: tuple[FakePlatform, dict[str, dict[str, Any]]],
    make_request: Callable[..., RightsRequest],
    ring: KeyRing,
) -> None:
    memory, customers = platform
    identifiers = SubjectIdentifiers(
        email=subject.email, phone=subject.phone, phone_held_since=subject.phone_held_since
    )
    request = make_request(
        type="access",
        jurisdiction=Jurisdiction.CCPA,
        scope=AccessScope.CATEGORIES,
        status=Status.IN_PROGRESS,
        subject=identifiers,
        subject_keys=subject_keys(ring, identifiers),
        proven_identifiers=tuple(kind for kind in ("email", "phone") if getattr(subject, kind)),
    )
    store, work, keys = FakeRequests(request), FakeWork(), FakeKeys(ring)

    def resolver() -> Resolver:
        connector = memory.connector()
        return Resolver(
            DATA_MAP, {"dynamodb": connector, "s3": connector, "lake": connector}, keys=keys.key_ring()
        )

    resolve = ResolveService(store, resolver, work, keys)
    found = resolve.resolve_request(request.request_id)
    if found["flagged"]:  # ops approve the switchboard: every link is followed
        resolve.resolve_request(request.request_id, follow_every_link=True)
    archive = FakeArchive()
    export = ExportService(
        store, work, DATA_MAP, FakeReader(memory), archive,  # type: ignore[arg-type]
        BusinessInstructions(store, work, FakeCustomers(customers)),
    )  # fmt: skip
    plan = export.plan(request.request_id)
    for tenant in plan["ask"]:  # a business that decides each time releases its records
        store.complete_step(
            request.request_id, ledger_steps.customer_answer(tenant), {"decision": "release"}, "t"
        )
    plan = export.plan(request.request_id)
    assert plan["ask"] == []
    for source in plan["sources"]:
        export.collect(request.request_id, source["store"])
    assert export.package(request.request_id)["verdict"]["result"] == "completed"

    summary = store.get(request.request_id).resolution
    assert summary is not None
    released: Counter[str] = Counter()
    for count in summary.counts:
        released[count.store] += count.released
    (body,) = archive.archives.values()
    zipped = zipfile.ZipFile(io.BytesIO(body))
    assert sorted(zipped.namelist()) == ["index.html", "manifest.json"]
    manifest = json.loads(zipped.read("manifest.json"))
    answered: Counter[str] = Counter({s["source"]: s["records_found"] for s in manifest["sources"]})
    for elsewhere in manifest["answered_by_the_business"]:
        answered[elsewhere["source"]] += elsewhere["records"]
    ours = {s.name for s in DATA_MAP.stores if s.owned_by_this_service}
    assert answered == Counter({name: n for name, n in (+released).items() if name not in ours})
    assert all(s["records_found"] > 0 for s in manifest["sources"])
    held = [DATA_MAP.store(s["source"]) for s in manifest["sources"]]
    assert {c["category"] for c in manifest["categories"]} == {
        f.category for s in held for f in s.fields.values()
    }
    assert "commercial_information" not in zipped.read("index.html").decode()
