"""The smoke test fails, and says where, when a step fails: here the stack loses the export
between the access request's completion and its download (issue 21)."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.runtime import served_stack
from privacy_ops.smoke import Canary, Smoke, local_target

pytestmark = pytest.mark.e2e


def test_the_smoke_fails_at_the_download_when_the_export_is_missing() -> None:
    lines: list[str] = []
    with served_stack(api_port=0, moto_port=0) as running:
        s3: Any = running.session.client("s3")
        exports = running.stack.ref("ExportsBucket")

        def lose_the_export(line: str) -> None:
            lines.append(line)
            if line.startswith("[3] access request: ok"):
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=exports):
                    for version in page.get("Versions", []):
                        s3.delete_object(Bucket=exports, Key=version["Key"], VersionId=version["VersionId"])

        target = local_target(
            running.api_url, running.session, None, dict(running.stack.platform_stores), "export removed"
        )
        passed = Smoke(target, Canary.fresh(), out=lose_the_export).run()

    assert passed is False
    assert [line.split(":")[0] for line in lines[1:]] == [
        "[1] plant canary",
        "[2] opt-out",
        "[3] access request",
        "[4] download",
    ]
    assert "[4] download: FAILED" in lines[-1]
    assert "HTTP 404" in lines[-1] or "HTTP 403" in lines[-1]
