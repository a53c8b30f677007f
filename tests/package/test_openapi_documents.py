"""The published OpenAPI documents are what the code generates (issue 21)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from lambda_package import REPO_ROOT

PUBLISHED = REPO_ROOT / "docs" / "openapi"


def check(directory: Path) -> subprocess.CompletedProcess[str]:
    # A process of its own: generating imports every API function with the template's settings.
    return subprocess.run(
        [sys.executable, "-m", "lambda_package.openapi", "--check", "--dir", str(directory)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_every_api_has_a_published_document_generated_from_its_resolvers() -> None:
    assert {p.name for p in PUBLISHED.glob("*.json")} == {
        "PublicApi.json",
        "OpsApi.json",
        "CustomerApi.json",
        "InternalApi.json",
    }
    completed = check(PUBLISHED)
    assert completed.returncode == 0, completed.stderr[-2000:]
    public = json.loads((PUBLISHED / "PublicApi.json").read_text())
    assert "/requests" in public["paths"]
    assert not any(path.startswith("/ops") for path in public["paths"])
    internal = json.loads((PUBLISHED / "InternalApi.json").read_text())
    assert list(internal["paths"]) == ["/internal/may-process"]


def test_a_stale_document_is_caught(tmp_path: Path) -> None:
    stale = tmp_path / "openapi"
    shutil.copytree(PUBLISHED, stale)
    document = json.loads((stale / "OpsApi.json").read_text())
    document["paths"].pop(next(iter(document["paths"])))
    (stale / "OpsApi.json").write_text(json.dumps(document, indent=2) + "\n")

    completed = check(stale)

    assert completed.returncode == 1
    assert "OpsApi.json" in completed.stderr
