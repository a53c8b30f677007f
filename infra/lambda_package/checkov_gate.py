"""Fails the build on any checkov finding the template does not explain.

checkov runs over template.yaml (``checkov -f template.yaml --framework cloudformation -o
json``); each failed check must match an entry of the template's ``Metadata.CheckovSkips``
(its ``Id``, and its resource among ``Resources``, ``"*"`` for all) with a ``Reason``. The gate
prints the skips it applied and every unexplained failure.

Usage: ``python -m lambda_package.checkov_gate checkov.json``
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Skip:
    check_id: str
    resources: frozenset[str]
    reason: str

    def covers(self, check_id: str, logical_id: str) -> bool:
        return check_id == self.check_id and ("*" in self.resources or logical_id in self.resources)


def skips_of(template: dict[str, Any]) -> list[Skip]:
    listed = template.get("Metadata", {}).get("CheckovSkips", [])
    skips = [
        Skip(entry["Id"], frozenset(entry["Resources"]), str(entry.get("Reason", "")).strip())
        for entry in listed
    ]
    unexplained = [skip.check_id for skip in skips if len(skip.reason) < 20]
    if unexplained:
        raise ValueError(f"checkov skips without a reason: {unexplained}")
    return skips


def failures(report: Any) -> list[tuple[str, str]]:
    """(check id, logical id) of every failed check in checkov's JSON report (one report, or
    the list checkov prints for several frameworks)."""
    reports = report if isinstance(report, list) else [report]
    found = []
    for one in reports:
        for failed in one.get("results", {}).get("failed_checks", []):
            found.append((failed["check_id"], failed["resource"].rsplit(".", 1)[-1]))
    return found


def unexplained(report: Any, skips: list[Skip]) -> list[tuple[str, str]]:
    return [
        (check, logical)
        for check, logical in failures(report)
        if not any(s.covers(check, logical) for s in skips)
    ]


def main() -> int:
    from local_stack.template import load_template

    report = json.loads(Path(sys.argv[1]).read_text())
    skips = skips_of(load_template())
    found = failures(report)
    left = unexplained(report, skips)
    applied = sorted({check for check, logical in found if (check, logical) not in left})
    explained = ", ".join(applied) or "none"
    print(f"checkov: {len(found)} failed checks, explained by the template's skips: {explained}")
    for check, logical in left:
        print(
            f"  FAILED {check} on {logical}: fix it, or list it under Metadata.CheckovSkips with the reason"
        )
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
