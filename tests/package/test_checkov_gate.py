"""The checkov gate of CI: every finding is fixed or explained in the template (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest

from lambda_package.checkov_gate import Skip, skips_of, unexplained
from local_stack.template import load_template


def report(*failed: tuple[str, str]) -> dict[str, Any]:
    """checkov's JSON report, reduced to what the gate reads."""
    return {
        "check_type": "cloudformation",
        "results": {
            "failed_checks": [
                {"check_id": c, "resource": r, "file_path": "/template.yaml"} for c, r in failed
            ]
        },
    }


def test_every_skip_of_the_template_has_a_reason_and_names_its_resources() -> None:
    template = load_template()
    skips = skips_of(template)
    assert skips
    for skip in skips:
        assert skip.check_id.startswith("CKV_")
        assert skip.resources <= set(template["Resources"]) | {"*"}, skip


def test_a_failure_the_template_explains_passes_and_any_other_fails() -> None:
    skips = [Skip("CKV_AWS_21", frozenset({"WorkBucket"}), "written once per request, hours to days")]
    explained = report(("CKV_AWS_21", "AWS::S3::Bucket.WorkBucket"))
    other_resource = report(("CKV_AWS_21", "AWS::S3::Bucket.InboundMailBucket"))
    other_check = report(("CKV_AWS_18", "AWS::S3::Bucket.WorkBucket"))

    assert unexplained(explained, skips) == []
    assert unexplained(other_resource, skips) == [("CKV_AWS_21", "InboundMailBucket")]
    assert unexplained(other_check, skips) == [("CKV_AWS_18", "WorkBucket")]
    assert unexplained([explained, other_check], skips) == [("CKV_AWS_18", "WorkBucket")]


def test_a_skip_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="without a reason"):
        skips_of({"Metadata": {"CheckovSkips": [{"Id": "CKV_AWS_18", "Resources": ["*"], "Reason": ""}]}})
