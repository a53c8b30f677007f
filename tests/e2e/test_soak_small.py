"""``make soak`` in small: 30 mixed requests on the local stack over HTTP and SMTP with 5 % of
AWS calls failed and 1.5 % of invocations crashed, the failed ones replayed and the held notices
swept, then the soak's checks (issue 20). ``make soak-small`` (marker ``soak``), run by
``.ci/run`` after ``make test``: on this machine's two cores it takes about 3 minutes alone, most of what
``make test``'s budget (issue 15: 5 minutes) has."""

from __future__ import annotations

import pytest

from local_stack.soak import Options, Report, run

pytestmark = [pytest.mark.e2e, pytest.mark.soak]

WAITS_CHECK = "terminal or expected wait"


@pytest.fixture(scope="module")
def report() -> Report:
    lines: list[str] = []
    result = run(
        Options(
            requests=30,
            fault_rate=0.05,
            crash_rate=0.015,
            seed=11,
            workers=6,
            callers=10,
            max_seconds=600,
            patience=60,
        ),
        out=lines.append,
    )
    print("\n".join(lines) + "\n" + result.text())  # shown when a test fails
    return result


def test_thirty_requests_under_faults_lose_nothing_and_repeat_nothing(report: Report) -> None:
    failed = [c for c in report.checks if not c.ok]

    assert not failed, report.text()
    assert report.figures["accepted"] == 30
    assert report.figures["aws_faults_injected"]  # the faults did happen
    assert {c.name for c in report.checks} >= {
        "every submission accepted",
        "none lost",
        WAITS_CHECK,
        "no side effect duplicated",
        "every acknowledgement sent",
        "deletions complete",
        "audit chains verify",
        "5xx answers to clients",
        "stack peak memory",
    }
