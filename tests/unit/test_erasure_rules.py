"""The pure parts of deletion: which object versions an erasure takes, what the receipt says,
and what the data map demands of a recipient."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from privacy_rights.adapters.platform_eraser import delete_versions, object_versions
from privacy_rights.core.data_map import Recipient
from privacy_rights.core.errors import TransientDependencyError
from privacy_rights.erasure.receipt import erasure_receipt_text


class FakeBucket:
    """Just enough S3: versions listed by prefix (two per page), DeleteObjects recorded."""

    def __init__(self, versions: list[tuple[str, str]], markers: list[tuple[str, str]] | None = None) -> None:
        self.versions = list(versions)
        self.markers = list(markers or [])
        self.deletes: list[list[dict[str, str]]] = []
        self.refuse = 0

    def get_paginator(self, name: str) -> FakeBucket:
        assert name == "list_object_versions"
        return self

    def paginate(self, Bucket: str, Prefix: str) -> list[dict[str, Any]]:
        found = [{"Key": k, "VersionId": v} for k, v in self.versions if k.startswith(Prefix)]
        marks = [{"Key": k, "VersionId": v} for k, v in self.markers if k.startswith(Prefix)]
        pages = [{"Versions": found[i : i + 2]} for i in range(0, len(found), 2)] or [{}]
        pages[-1]["DeleteMarkers"] = marks
        return pages

    def delete_objects(self, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        self.deletes.append(Delete["Objects"])
        if self.refuse:
            return {"Errors": [{"Key": o["Key"]} for o in Delete["Objects"][: self.refuse]]}
        return {}


def test_every_version_and_marker_of_an_object_and_its_siblings_is_found() -> None:
    bucket = FakeBucket(
        [
            ("recordings/acme/CA1.wav", "v1"),
            ("recordings/acme/CA1.wav", "v2"),
            ("recordings/acme/CA1.redacted.wav", "v3"),
            ("recordings/acme/CA12.wav", "x1"),  # another call whose id starts the same
            ("recordings/brightside/CA1.wav", "x2"),  # the same id at another business
        ],
        markers=[("recordings/acme/CA1.backup.wav", "m1")],
    )
    found = object_versions(bucket, "b", ["recordings/acme/CA1.wav", "recordings/acme/CA1.redacted.wav"])
    assert sorted((f["Key"], f["VersionId"]) for f in found) == [
        ("recordings/acme/CA1.backup.wav", "m1"),
        ("recordings/acme/CA1.redacted.wav", "v3"),
        ("recordings/acme/CA1.wav", "v1"),
        ("recordings/acme/CA1.wav", "v2"),
    ]


def test_versions_are_deleted_a_thousand_at_a_time_and_refusals_raise() -> None:
    bucket = FakeBucket([])
    versions = [{"Key": f"k{i}", "VersionId": "v"} for i in range(2_001)]
    assert delete_versions(bucket, "b", versions) == 2_001
    assert [len(chunk) for chunk in bucket.deletes] == [1_000, 1_000, 1]
    bucket.refuse = 1
    with pytest.raises(TransientDependencyError):
        delete_versions(bucket, "b", versions[:3])


RECEIPT: dict[str, Any] = {
    "stores": {
        "recordings": {"deleted": 3, "versions_deleted": 9},
        "calls": {
            "tombstoned": 4,
            "kept_fields": ["call_id", "duration_seconds"],
            "basis": "Billing needs the call's non-personal fields.",
        },
        "marketing_preferences": {"retained": 1, "basis": "Proof of the opt-out.", "until": "2029-11-27"},
        "training_manifests": {"deleted": 1, "retained": 1, "basis": "Sets already used are recorded."},
    },
    "held": [{"store": "crm_leads", "hold_id": "hold_1", "matter": "A v. B", "records": 2}],
    "answered_by_the_business": [{"business": "Northwind Legal", "store": "calls", "records": 3}],
    "backups_expire_by": "2027-01-02",
}


def test_the_receipt_says_what_went_what_stays_why_and_until_when() -> None:
    text = erasure_receipt_text(RECEIPT)
    assert "- recordings: 3 deleted (every stored version)" in text
    assert "call id, duration seconds; your number, name" in text
    assert "- marketing preferences: 1 records kept until 2029-11-27. Why: Proof of the opt-out." in text
    assert "- training manifests: 1 deleted" in text
    assert "2 records in crm leads are under a legal hold" in text
    assert "answer you directly: Northwind Legal" in text
    assert "backups expire by 2027-01-02" in text
    assert "A v. B" not in text  # the matter is for ops, not for the person


def test_a_receipt_with_nothing_erased_says_so() -> None:
    text = erasure_receipt_text({"stores": {}, "backups_expire_by": "2027-01-02"})
    assert "- nothing else held by CallX" in text
    assert "What we keep" not in text


def test_a_webhook_recipient_names_its_endpoint_and_others_do_not() -> None:
    Recipient(name="AI", kind="processor", notify="webhook", endpoint="https://hooks.example/ai")
    Recipient(name="Carrier", kind="processor", notify="contract")
    with pytest.raises(ValidationError):
        Recipient(name="AI", kind="processor", notify="webhook")
    with pytest.raises(ValidationError):
        Recipient(name="Carrier", kind="processor", notify="contract", endpoint="https://x.example/")
