"""Legal holds on the whole local stack: the ops API (IAM) places, lists and releases them, the
HoldsTable keeps keyed hashes only, and deletion's question (``active_for``) is answered by
Queries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.erasure.legal_holds import HOLD_STREAM
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration

Api = Callable[..., tuple[int, dict[str, Any], Any]]
EMAIL = "Marcus.Oyelaran@example.net"
PHONE = "+1 510 555 0147"
SUBJECT = {"email": EMAIL, "phone": PHONE, "matter": "Brightside class action, 26-CV-0311"}


def _place(call_api: Api, body: dict[str, Any], operator: str = "olivia") -> dict[str, Any]:
    status, _, hold = call_api("POST", "/ops/holds", body, operator=operator)
    assert status == 201, hold
    return hold


def _items(running: RunningStack) -> list[dict[str, Any]]:
    ddb: Any = running.client("dynamodb")
    return ddb.scan(TableName=running.stack.ref("HoldsTable"))["Items"]  # the test looks at everything


def _items_of(running: RunningStack, hold_id: str) -> list[dict[str, Any]]:
    """The hold's own item and its cover items (``sk`` names the hold)."""
    return [i for i in _items(running) if f"hold#{hold_id}" in (i["pk"]["S"], i["sk"]["S"])]


def _trail_of(store: RequestStore, hold_id: str) -> list[Any]:
    """The hold stream's entries about this hold (other tests' holds share the stream)."""
    return [e for e in store.audit_entries(HOLD_STREAM) if e.detail.get("hold_id") == hold_id]


def _ids(holds: list[dict[str, Any]]) -> list[str]:
    return [h["hold_id"] for h in holds]


def test_a_subject_hold_is_placed_listed_matched_and_released(
    call_api: Api, container: Container, store: RequestStore, key_ring: KeyRing
) -> None:
    hold = _place(
        call_api, SUBJECT | {"reason": "litigation hold requested by counsel", "until": "2099-12-31"}
    )

    assert hold["scope"] == "subject"
    assert hold["placed_by"].endswith(":assumed-role/callx-privacy-ops/olivia")
    assert hold["released_at"] is None
    email_key = key_ring.digest(IdentifierKind.EMAIL, "marcus.oyelaran@example.net")
    phone_key = key_ring.digest(IdentifierKind.PHONE, "+15105550147")
    assert set(hold["subject_keys"]) == {email_key, phone_key}

    status, _, listed = call_api("GET", "/ops/holds", operator="olivia")
    assert status == 200
    assert _ids(listed).count(hold["hold_id"]) == 1

    # what deletion asks: by a request's stored key, or by the identifiers' keys
    assert [h.hold_id for h in container.holds.active_for([phone_key], [])] == [hold["hold_id"]]
    found = container.holds.active_for(container.holds.subject_keys(email=EMAIL), ["t001"])
    assert [h.hold_id for h in found] == [hold["hold_id"]]
    assert container.holds.active_for([key_ring.digest(IdentifierKind.EMAIL, "other@example.net")], []) == []

    status, _, released = call_api(
        "POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "the matter settled"}, operator="victor"
    )
    assert status == 200, released
    assert released["released_by"].endswith(":assumed-role/callx-privacy-ops/victor")
    assert released["release_reason"] == "the matter settled"
    assert container.holds.active_for([phone_key, email_key], []) == []
    assert hold["hold_id"] not in _ids(call_api("GET", "/ops/holds", operator="olivia")[2])
    status, _, everything = call_api("GET", "/ops/holds?all=true", operator="olivia")
    assert status == 200
    assert [h["released_at"] is not None for h in everything if h["hold_id"] == hold["hold_id"]] == [True]

    trail = _trail_of(store, hold["hold_id"])
    assert [(e.action, e.actor.rsplit("/", 1)[-1]) for e in trail] == [
        ("hold.placed", "olivia"),
        ("hold.released", "victor"),
    ]
    assert set(trail[0].detail["subject_keys"]) == {email_key, phone_key}  # type: ignore[arg-type]
    # the stream's chain holds, ours among its entries
    assert store.verify_audit(HOLD_STREAM) == len(store.audit_entries(HOLD_STREAM)) >= 2


def test_a_customer_hold_covers_the_tenant(call_api: Api, container: Container) -> None:
    hold = _place(
        call_api, {"tenant_id": "northwind", "matter": "FTC CID 2026-17", "reason": "regulator inquiry"}
    )
    _place(call_api, {"tenant_id": "acme", "matter": "FTC CID 2026-18", "reason": "regulator inquiry"})

    assert hold["scope"] == "customer"
    assert hold["subject_keys"] == []
    found = container.holds.active_for(["k1:" + "0" * 64], ["brightside", "northwind"])
    assert [h.hold_id for h in found] == [hold["hold_id"]]
    assert container.holds.active_for([], ["brightside"]) == []


def test_releasing_twice_conflicts_and_an_unknown_hold_is_not_found(
    call_api: Api, store: RequestStore
) -> None:
    hold = _place(call_api, {"tenant_id": "acme", "matter": "M-1", "reason": "regulator inquiry"})
    path = f"/ops/holds/{hold['hold_id']}/release"

    assert call_api("POST", path, {"reason": "inquiry closed"}, operator="olivia")[0] == 200
    status, _, body = call_api("POST", path, {"reason": "inquiry closed"}, operator="olivia")
    assert status == 409
    assert body == {"message": "That hold was already released."}
    status, _, _ = call_api(
        "POST", f"/ops/holds/hold_{'0' * 32}/release", {"reason": "inquiry closed"}, operator="olivia"
    )
    assert status == 404
    assert [e.action for e in _trail_of(store, hold["hold_id"])] == ["hold.placed", "hold.released"]
    assert [
        e for e in store.audit_entries(HOLD_STREAM) if e.detail.get("hold_id") == f"hold_{'0' * 32}"
    ] == []


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"matter": "M-1", "reason": "litigation hold"}, {"body"}),
        ({"tenant_id": "acme", "email": EMAIL, "matter": "M-1", "reason": "litigation hold"}, {"body"}),
        (
            {"email": "nobody@", "phone": "12", "matter": "", "reason": "no"},
            {"body.email", "body.phone", "body.matter", "body.reason"},
        ),
        (
            {"tenant_id": "acme", "matter": "M-1", "reason": "litigation hold", "until": "2001-01-01"},
            {"body"},
        ),
        ({"tenant_id": "acme", "matter": "M-1", "reason": "litigation hold", "owner": "me"}, {"body.owner"}),
        (
            {"tenant_id": "acme", "matter": "M-1", "reason": "asked by marcus.oyelaran@example.net"},
            {"body.reason"},
        ),
    ],
)
def test_bad_holds_get_a_reason_per_field(
    call_api: Api, running: RunningStack, body: dict[str, Any], fields: set[str]
) -> None:
    before = _items(running)
    status, _, answer = call_api("POST", "/ops/holds", body, operator="olivia")

    assert status == 422, answer
    assert {e["field"] for e in answer["errors"]} == fields
    assert all(e["reason"] for e in answer["errors"])
    assert "marcus" not in json.dumps(answer).lower()
    assert _items(running) == before  # nothing written


def test_a_bad_release_gets_a_reason_per_field(call_api: Api) -> None:
    hold = _place(call_api, {"tenant_id": "acme", "matter": "M-1", "reason": "regulator inquiry"})

    status, _, answer = call_api(
        "POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "x"}, operator="olivia"
    )
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == ["body.reason"]
    status, _, answer = call_api(
        "POST", "/ops/holds/not-a-hold/release", {"reason": "closed now"}, operator="olivia"
    )
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == ["path.hold_id"]


def test_without_an_iam_identity_nothing_is_held_or_shown(call_api: Api, running: RunningStack) -> None:
    hold = _place(call_api, {"tenant_id": "acme", "matter": "M-1", "reason": "regulator inquiry"})
    before = _items(running)

    assert call_api("GET", "/ops/holds")[0] == 403
    assert (
        call_api("POST", "/ops/holds", {"tenant_id": "t002", "matter": "M-2", "reason": "regulator inquiry"})[
            0
        ]
        == 403
    )
    assert call_api("POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "inquiry closed"})[0] == 403
    listed = call_api("GET", "/ops/holds", operator="olivia")[2]
    assert [h["released_at"] for h in listed if h["hold_id"] == hold["hold_id"]] == [None]
    assert _items(running) == before  # neither the anonymous hold nor the release was written


def test_no_raw_identifier_is_stored_anywhere(
    call_api: Api, running: RunningStack, store: RequestStore
) -> None:
    hold = _place(call_api, SUBJECT | {"reason": "litigation hold requested by counsel"})
    call_api(
        "POST", f"/ops/holds/{hold['hold_id']}/release", {"reason": "the matter settled"}, operator="olivia"
    )

    items = _items_of(running, hold["hold_id"])
    stored = json.dumps(items) + json.dumps(
        [e.model_dump(mode="json") for e in _trail_of(store, hold["hold_id"])]
    )
    for raw in ("marcus", "oyelaran", "5105550147", "555 0147", "555-0147"):
        assert raw not in stored.lower()
    # one hold item and one cover item per subject key hash
    assert sorted(i["pk"]["S"].split("#")[0] for i in items) == ["cover"] * len(hold["subject_keys"]) + [
        "hold"
    ]
    assert {i["pk"]["S"].removeprefix("cover#") for i in items if i["sk"]["S"] != "hold"} == set(
        hold["subject_keys"]
    )


@pytest.mark.usefixtures("ops_cli_over_api")
def test_the_cli_places_lists_and_releases_holds(call_api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    cli = ["--operator", "olivia"]

    assert (
        ops_cli.main([*cli, "holds", "place", "--phone", PHONE, "--matter", "M-7", "--reason", "legal hold"])
        == 0
    )
    placed = capsys.readouterr().out
    assert "on a subject (M-7): active" in placed
    hold_id = placed.split()[2]
    assert ops_cli.main([*cli, "holds", "place", "--tenant", "acme", "--matter", "M-8", "--reason", "x"]) == 1
    refused = capsys.readouterr().err
    assert "(reason: " in refused  # the field's reason, in one sentence with the status
    assert refused.strip().endswith("(HTTP 422)")
    assert ops_cli.main([*cli, "holds", "list"]) == 0
    assert hold_id in capsys.readouterr().out
    assert ops_cli.main([*cli, "holds", "release", hold_id, "--reason", "matter settled"]) == 0
    assert "released" in capsys.readouterr().out
    assert ops_cli.main([*cli, "holds", "list"]) == 0
    listed_out = capsys.readouterr().out
    assert hold_id not in listed_out
    in_force = call_api("GET", "/ops/holds", operator="olivia")[2]
    assert (listed_out.strip() == "No holds.") == (in_force == [])  # an empty listing says so
    assert ops_cli.main([*cli, "--json", "holds", "list", "--all"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [h["released_at"] is not None for h in listed if h["hold_id"] == hold_id] == [True]
