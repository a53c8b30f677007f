"""A request's story for ops (issue 18): the audit and the executions told as one grouped
account in plain words, the failed step with its cause; shared by the CLI and the console."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import NOW, make_request
from privacy_rights.core.models import FailureRecord, Status
from privacy_rights.ops.ops import TimelineRow
from privacy_rights.ops.story import build_story, error_words, words


def audit(minutes: int, action: str, actor: str = "workflow", **detail: Any) -> TimelineRow:
    return TimelineRow(
        at=NOW + timedelta(minutes=minutes), source="audit", event=action, actor=actor, detail=detail
    )


def execution(minutes: int, event: str, **detail: Any) -> TimelineRow:
    return TimelineRow(at=NOW + timedelta(minutes=minutes), source="execution", event=event, detail=detail)


def test_a_failed_deletion_reads_as_one_story_grouped_by_phase() -> None:
    request = make_request(
        status=Status.FAILED,
        failure=FailureRecord(
            step="EraseSource", error="TransientDependencyError", cause="A dependency is unavailable.", at=NOW
        ),
    )
    timeline = [
        audit(0, "request.created", actor="web"),
        execution(0, "ExecutionStarted", execution="req_1"),
        execution(0, "TaskStateEntered", execution="req_1", state="Acknowledge"),
        audit(1, "step.completed", step="notice:acknowledgement:intent"),
        audit(1, "step.completed", step="notice:acknowledgement"),
        audit(1, "notice.acknowledgement.sent", channel="email"),
        audit(2, "verification.codes_sent"),
        audit(3, "status.verified"),
        audit(5, "step.completed", step="erase:calls"),
        execution(6, "TaskFailed", execution="req_1", state="EraseSource", error="TransientDependencyError"),
        audit(6, "status.failed", step="EraseSource", error="TransientDependencyError"),
        execution(6, "ExecutionFailed", execution="req_1", error="TransientDependencyError"),
        audit(9, "ops.replay", actor="arn:aws:sts::1:assumed-role/ops/alice", reason="connector fixed"),
    ]
    ledger = {"erase:calls": {"erased": 12, "versions": 3}, "notice:acknowledgement": {"channel": "email"}}

    story = build_story(request, timeline, ledger, "FAILED")

    phases = [group.phase for group in story.groups]
    assert phases == ["received", "verification", "work", "decisions", "notices", "workflow", "end"]
    texts = {group.phase: [event.text for event in group.events] for group in story.groups}
    assert texts["work"] == ["Erased store calls: erased 12, versions 3."]
    assert texts["notices"] == ["Notice acknowledgement sent by email."]  # the intent and step not twice
    assert texts["decisions"] == ["Ops replay: connector fixed."]
    assert texts["end"] == ["Failed at erase source: an AWS service or dependency was unavailable."]
    assert "Workflow run req_1 failed: an AWS service or dependency was unavailable." in texts["workflow"]
    assert not any("entered" in text.lower() for text in texts["workflow"])  # state noise left out
    assert story.failure is not None
    assert story.failure.startswith("Failed at step erase source (EraseSource): an AWS service")
    assert story.failure.endswith("A dependency is unavailable.")
    assert "failed; its workflow is failed" in story.headline
    assert all(event.problem for event in story.groups[-1].events)


def test_a_resolution_is_told_once_with_its_counts_and_flags() -> None:
    from fakes import summary

    resolved = summary("pointers/x.json", flags=["shared switchboard"], released=40)
    request = make_request(resolution=resolved)
    timeline = [
        audit(0, "step.completed", step="resolve"),
        audit(0, "step.completed", step="resolve.complete"),
    ]

    story = build_story(request, timeline, {}, None)

    (group,) = story.groups
    assert group.phase == "resolution"
    (event,) = group.events
    assert "40 records in 0 stores, 40 reachable" in event.text
    assert "Flagged: shared switchboard." in event.text
    assert event.problem


def test_names_become_words() -> None:
    assert words("ApplyPreferences") == "apply preferences"
    assert words("erase_source") == "erase source"
    assert error_words("States.Timeout") == "the step took longer than its time limit"
    assert error_words("ConnectorTimeout") == "connector timeout"
