"""Ops reports over the requests table of the running stack: ``GET /ops/metrics`` and
``privacy-ops metrics`` (CCPA §7102, as JSON, CSV and an HTML page, for operators only), and the
hourly deadline sweep with ``privacy-ops deadlines``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.models import (
    Channel,
    Denial,
    DenialReason,
    Jurisdiction,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)

pytestmark = pytest.mark.integration

YEAR = 2025


def _answered(n: int, kind: RequestType, status: Status, days: int, **fields: Any) -> RightsRequest:
    received = datetime(YEAR, 5, 1, 10, tzinfo=UTC) + timedelta(days=n)
    return RightsRequest(
        request_id=f"req_metricsapi{n:010d}",
        type=kind,
        jurisdiction=Jurisdiction.CCPA,
        subject=SubjectIdentifiers(email=f"m{n}@example.org"),
        channel=Channel.WEB,
        received_at=received,
        status_changed_at=received + timedelta(days=days),
        due=date(YEAR, 12, 31),
        status=status,
        **fields,
    )


@pytest.fixture
def a_year_of_requests(store: RequestStore) -> None:
    for request in (
        _answered(1, RequestType.DELETION, Status.COMPLETED, 10, outcome=Outcome.COMPLIED),
        _answered(2, RequestType.DELETION, Status.COMPLETED, 20, outcome=Outcome.PARTIALLY_COMPLIED),
        _answered(3, RequestType.DELETION, Status.DENIED, 3, denial=Denial(reason=DenialReason.UNVERIFIABLE)),
        _answered(4, RequestType.ACCESS, Status.COMPLETED, 44, outcome=Outcome.NOTHING_HELD),
        _answered(5, RequestType.ACCESS, Status.IN_PROGRESS, 0),
    ):
        store.create(request, "test")


@pytest.mark.usefixtures("a_year_of_requests", "ops_cli_over_api")
def test_the_metrics_of_a_year_as_json_csv_and_a_page(
    call_api: Callable[..., Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, headers, figures = call_api("GET", f"/ops/metrics?year={YEAR}", operator="olivia")
    assert status == 200, figures
    rows = {row["right"]: row for row in figures["rights"]}
    delete, know = rows["delete"], rows["know"]
    assert (
        delete["received"],
        delete["complied_in_whole"],
        delete["complied_in_part"],
        delete["denied"],
    ) == (
        3,
        1,
        1,
        1,
    )
    assert delete["denial_reasons"] == {"unverifiable": 1}
    assert (delete["median_days_to_respond"], delete["mean_days_to_respond"]) == (10.0, 11.0)
    assert (know["received"], know["complied_in_whole"], know["open"], know["median_days_to_respond"]) == (
        2,
        1,
        1,
        44.0,
    )

    status, headers, page = call_api("GET", f"/ops/metrics?year={YEAR}&format=html", operator="olivia")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "<svg" in page
    assert "Requests to delete</th><td>3</td>" in page

    output = tmp_path / "metrics.csv"
    assert ops_cli.main(["--operator", "olivia", "metrics", "--year", str(YEAR), "--format", "csv",
                         "--output", str(output)]) == 0  # fmt: skip
    table = list(csv.DictReader(io.StringIO(output.read_text())))
    assert [row["received"] for row in table] == ["2", "3", "0", "0", "0"]
    assert ops_cli.main(["--operator", "olivia", "metrics", "--year", str(YEAR)]) == 0
    assert "Requests to delete" in capsys.readouterr().out


def test_the_metrics_are_for_operators_and_a_bad_year_is_a_field_error(call_api: Callable[..., Any]) -> None:
    assert call_api("GET", f"/ops/metrics?year={YEAR}")[0] == 403
    status, _, answer = call_api("GET", "/ops/metrics?year=nineteen", operator="olivia")
    assert status == 422
    assert "year" in str(answer)
    assert call_api("GET", f"/ops/metrics?year={YEAR}&format=pdf", operator="olivia")[0] == 422


@pytest.mark.usefixtures("ops_cli_over_api")
def test_the_hourly_sweep_and_privacy_ops_deadlines_name_an_overdue_response(
    running: Any, store: RequestStore, call_api: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The schedule of the template runs the sweep: an open request past its due date is counted
    for the OverdueResponsesAlarm and listed for ops; one due next month is not."""
    late = _answered(1, RequestType.DELETION, Status.IN_PROGRESS, 0).model_copy(
        update={"due": date(2025, 6, 1)}
    )
    later = _answered(2, RequestType.DELETION, Status.IN_PROGRESS, 0).model_copy(
        update={"due": date(2099, 1, 1)}
    )
    for request in (late, later):
        store.create(request, "test")

    (report,) = running.events.fire("SweepDeadlinesSchedule")

    assert [(c["request_id"], c["kind"], c["state"]) for c in report["clocks"]] == [
        (late.request_id, "response", "overdue")
    ]
    assert report["overdue"]["response"] == 1
    alarm = running.client("cloudwatch").describe_alarms(
        AlarmNames=[running.stack.ref("OverdueResponsesAlarm")]
    )["MetricAlarms"][0]
    assert alarm["MetricName"] == "OverdueResponses"
    assert ops_cli.main(["--operator", "olivia", "deadlines"]) == 0
    out = capsys.readouterr().out
    assert "1 overdue, 0 due soon" in out
    assert late.request_id in out
    assert later.request_id not in out


@pytest.mark.usefixtures("ops_cli_over_api")
def test_an_extension_from_the_cli_tells_the_person_and_shows_on_the_status_page(
    running: Any, call_api: Callable[..., Any], waiting_for: Callable[[str, str], None], store: RequestStore
) -> None:
    _, _, created = call_api(
        "POST", "/requests", {"type": "deletion", "jurisdiction": "ccpa", "email": "slow@example.org"}
    )
    request_id = created["request_id"]
    waiting_for(request_id, "verification")
    due = store.get(request_id).due
    reason = "Your request reaches four businesses; we are collecting what each holds."

    assert ops_cli.main(["--operator", "olivia", "extend", request_id, "--reason", reason]) == 0

    assert store.get(request_id).current_due == due + timedelta(days=45)
    (notice,) = [m for m in running.outbox.messages(to="slow@example.org") if "More time" in m.subject]
    assert reason in notice.body
    assert (due + timedelta(days=45)).isoformat() in notice.body
    headers = {"Authorization": f"Bearer {created['status_token']}"}
    _, _, view = call_api("GET", f"/requests/{request_id}", headers=headers)
    assert "deadline extended" in [event["event"] for event in view["timeline"]]
    assert ops_cli.main(["--operator", "olivia", "extend", request_id, "--reason", "Something else."]) == 1
