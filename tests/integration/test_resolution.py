"""Subject resolution on the synthetic platform: exact counts per store for each demo subject,
neighbours never counted, the switchboard flagged, the recycled number split by holder."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from local_stack.synthetic import Scale
from privacy_rights.adapters.connectors import DynamoDBConnector, S3PrefixConnector
from privacy_rights.core.data_map import load_data_map
from privacy_rights.resolution.resolution import (
    BEFORE_HELD_SINCE,
    STOPPED_FOLLOWING,
    UNPROVEN,
    Resolution,
    Resolver,
    Root,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seeded(session_stack: Any) -> Iterator[RunningStack]:
    """The platform seeded once for this module's tests, which only read it (none asks for
    ``running``, which would empty it after each test); emptied for the tests after them."""
    running = session_stack.open()
    running.seed(Scale(callers=40))
    yield running
    session_stack.reset()


def lake_connector(seeded: RunningStack) -> Any:
    """The analytics lake through (the local stack's) Athena."""
    from privacy_rights.adapters.lake import AthenaLake

    output = f"s3://{seeded.stack.ref('WorkBucket')}/athena/"
    stores = seeded.stack.platform_stores
    return AthenaLake(
        seeded.client("athena"), seeded.client("s3"), stores, output, seeded.stack.ref("LakeWorkGroup")
    )


def resolve(seeded: RunningStack, roots: list[Root]) -> Resolution:
    stores = seeded.stack.platform_stores
    connectors: dict[str, Any] = {
        "dynamodb": DynamoDBConnector(seeded.client("dynamodb"), stores),
        "s3": S3PrefixConnector(seeded.client("s3"), stores),
        "lake": lake_connector(seeded),
    }
    return Resolver(load_data_map(), connectors).resolve(roots)


def roots_for(subject: demo.Subject, proven: bool = True, held_since: date | None = None) -> list[Root]:
    roots = []
    if subject.phone:
        roots.append(Root("phone", subject.phone, proven, held_since))
    if subject.email:
        roots.append(Root("email", subject.email, proven))
    if subject.account_id:
        roots.append(Root("account_id", subject.account_id, proven))
    return roots


def released_per_store(resolution: Resolution) -> dict[str, int]:
    return dict(Counter(record.store for record in resolution.records if record.released))


def nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {store: n for store, n in counts.items() if n}


@pytest.mark.parametrize("key", ["dana", "marcus", "elena", "sam", "chris", "jordan"])
def test_each_demo_subject_reaches_exactly_their_records(seeded: RunningStack, key: str) -> None:
    subject = demo.SUBJECTS[key]

    resolution = resolve(seeded, roots_for(subject))

    assert released_per_store(resolution) == nonzero(demo.expected_counts(key))
    assert all(record.released for record in resolution.records)
    assert not resolution.summary.flags


def test_a_neighbour_who_shares_a_surname_or_a_call_is_never_counted_as_dana(seeded: RunningStack) -> None:
    dana = resolve(seeded, roots_for(demo.SUBJECTS["dana"]))
    chris = resolve(seeded, roots_for(demo.SUBJECTS["chris"]))
    jordan = resolve(seeded, roots_for(demo.SUBJECTS["jordan"]))

    dana_calls = {str(r.pointer) for r in dana.records if r.store == "calls"}
    assert dana_calls.isdisjoint({str(r.pointer) for r in chris.records if r.store == "calls"})
    # Jordan was transferred into one of Dana's calls: that call is Dana's, not his.
    assert dana_calls.isdisjoint({str(r.pointer) for r in jordan.records if r.store == "calls"})


def test_the_company_number_reaches_no_one(seeded: RunningStack) -> None:
    resolution = resolve(seeded, roots_for(demo.SUBJECTS["acme_line"]))

    assert resolution.records == []


def test_the_switchboard_is_flagged_as_not_one_person(seeded: RunningStack) -> None:
    resolution = resolve(seeded, roots_for(demo.SUBJECTS["switchboard"]))

    assert released_per_store(resolution) == nonzero(demo.expected_counts("switchboard"))
    flags = resolution.summary.flags
    # 2,500 calls and their rows in the analytics lake
    total = sum(demo.expected_counts("switchboard").values())
    assert any(f"more records ({total})" in flag for flag in flags)
    assert any("spread over 4 business customers" in flag for flag in flags)
    assert len(resolution.summary.tenants) == 4


def test_the_recycled_number_releases_only_what_came_after_the_current_holder_got_it(
    seeded: RunningStack,
) -> None:
    leo = demo.SUBJECTS["recycled"]

    resolution = resolve(seeded, roots_for(leo, held_since=leo.phone_held_since))

    assert released_per_store(resolution) == nonzero(demo.expected_counts("recycled"))
    withheld = Counter(r.store for r in resolution.records if not r.released)
    everything = demo.expected_counts("recycled", use_held_since=False)
    mine = demo.expected_counts("recycled")
    assert dict(withheld) == nonzero({store: everything[store] - mine[store] for store in everything})
    assert {r.reason for r in resolution.records if not r.released} == {BEFORE_HELD_SINCE}


def test_records_reached_only_through_an_unproven_identifier_are_found_not_released(
    seeded: RunningStack,
) -> None:
    marcus = demo.SUBJECTS["marcus"]
    roots = [Root("phone", marcus.phone or "", proven=True), Root("email", marcus.email or "", proven=False)]

    resolution = resolve(seeded, roots)

    by_store = {r.store: r for r in resolution.records}
    assert by_store["marketing_preferences"].released is False
    assert by_store["marketing_preferences"].reason == UNPROVEN
    # The CRM lead carries the phone too: the proven identifier reaches it.
    assert by_store["crm_leads"].released is True
    assert resolution.summary.released_records == resolution.summary.total_records - 1


def test_lookups_page_through_indexes_and_never_scan(seeded: RunningStack) -> None:
    calls: list[str] = []
    ddb: Any = seeded.session.client("dynamodb")  # its own: it counts its calls
    ddb.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.append(model.name))
    connector = DynamoDBConnector(ddb, seeded.stack.platform_stores, page_size=100)
    resolver = Resolver(
        load_data_map(),
        {
            "dynamodb": connector,
            "s3": S3PrefixConnector(seeded.client("s3"), seeded.stack.platform_stores),
            "lake": lake_connector(seeded),
        },
    )

    summary = resolver.resolve(roots_for(demo.SUBJECTS["switchboard"])).summary

    assert "Scan" not in calls
    assert set(calls) == {"Query"}
    # 2,500 calls in pages of 100: one Query per page of the caller index, and no more.
    assert 2500 // 100 <= summary.api_calls["calls:Query"] <= 2500 // 100 + 1
    assert calls.count("Query") == sum(n for k, n in summary.api_calls.items() if k.endswith(":Query"))


def test_past_the_ceiling_links_wait_until_ops_approve_then_every_one_is_followed(
    seeded: RunningStack,
) -> None:
    data_map = load_data_map()
    low = data_map.model_copy(
        update={"resolution": data_map.resolution.model_copy(update={"max_records_per_subject": 3})}
    )
    stores = seeded.stack.platform_stores
    connectors: dict[str, Any] = {
        "dynamodb": DynamoDBConnector(seeded.client("dynamodb"), stores),
        "s3": S3PrefixConnector(seeded.client("s3"), stores),
        "lake": lake_connector(seeded),
    }
    roots = roots_for(demo.SUBJECTS["dana"])
    stopped = Resolver(low, connectors).resolve(roots)
    complete = Resolver(low, connectors).resolve(roots, follow_every_link=True)

    assert any(flag.startswith(STOPPED_FOLLOWING) for flag in stopped.summary.flags)
    assert released_per_store(stopped).get("recordings", 0) < released_per_store(complete)["recordings"]
    assert released_per_store(complete) == nonzero(demo.expected_counts("dana"))
    assert not any(flag.startswith(STOPPED_FOLLOWING) for flag in complete.summary.flags)
    assert complete.summary.flags  # still more records than the ceiling: the flag for ops stays
