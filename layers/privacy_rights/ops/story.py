"""A request's history as one readable story for ops (issue 18): the audit trail and the
executions' events merged and grouped into what happened, in plain words: received, verified,
resolved, each store's result, the notices sent, ops' decisions, and the failed step with its
cause. ``privacy-ops show`` prints it and the ops console renders it; both read it from the ops
API (``RequestDetail.story``), so the two never tell it differently.

Pure: built from what ``OpsService.show`` already read (the request, its audit entries, its
executions' events and its ledger); nothing here reads a store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from privacy_rights.core import ledger_steps
from privacy_rights.core.models import RightsRequest

Phase = Literal["received", "verification", "resolution", "work", "decisions", "notices", "workflow", "end"]
#: the order the groups are told in
PHASES: tuple[Phase, ...] = (
    "received",
    "verification",
    "resolution",
    "work",
    "decisions",
    "notices",
    "workflow",
    "end",
)
PHASE_TITLES: dict[str, str] = {
    "received": "Received",
    "verification": "Verification",
    "resolution": "Resolution",
    "work": "Work done (each store's result)",
    "decisions": "Ops' decisions",
    "notices": "Notices sent",
    "workflow": "Workflow runs",
    "end": "Outcome",
}

STATUS_WORDS = {
    "received": "received",
    "awaiting_verification": "waiting for the person to confirm who they are",
    "needs_clarification": "waiting for the person to clarify",
    "verified": "verified",
    "in_progress": "in progress",
    "awaiting_decision": "waiting for an ops decision",
    "completed": "completed",
    "denied": "denied",
    "canceled": "canceled",
    "failed": "failed",
    "appealed": "appealed",
    "appeal_denied": "appeal denied",
}
#: error names the state machine and Lambda report, in words (domain errors carry their own
#: sentence in the failure record's cause)
ERROR_WORDS = {
    "States.Timeout": "the step took longer than its time limit",
    "States.TaskFailed": "the step's task failed",
    "States.Runtime": "Step Functions could not run the step (a runtime error in the definition's data)",
    "States.HeartbeatTimeout": "the step stopped reporting",
    "Lambda.ServiceException": "Lambda's service failed to run the function",
    "Lambda.TooManyRequestsException": "Lambda throttled the function",
    "Lambda.SdkClientException": "the call to Lambda failed",
    "Runtime.ExitError": "the function's process crashed",
    "TransientDependencyError": "an AWS service or dependency was unavailable",
    "SubjectBusy": "another request about the same person held its lock",
    "ErasureIncomplete": "records were still found after erasure",
}


class StoryEvent(BaseModel):
    at: datetime
    phase: Phase
    #: one sentence, plain words; never personal data (built from step names, counts, ids)
    text: str
    actor: str | None = None
    #: a problem: a failure, a notice not delivered
    problem: bool = False


class StoryGroup(BaseModel):
    phase: Phase
    title: str
    events: list[StoryEvent] = Field(default_factory=list)


class Story(BaseModel):
    headline: str
    #: the failed step and its cause in plain words, when the request is failed
    failure: str | None = None
    groups: list[StoryGroup]


def words(name: str) -> str:
    """``EraseSource`` or ``erase_source`` as ``erase source``."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return spaced.lower().strip()


def error_words(error: str) -> str:
    return ERROR_WORDS.get(error) or words(error.rsplit(".", 1)[-1])


def _count_text(result: Any) -> str:
    """A store's ledger result, as counts (the ledger holds counts and keys, never contents)."""
    if not isinstance(result, Mapping):
        return ""
    parts = []
    for key, value in sorted(result.items()):
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        parts.append(f"{words(key)} {value}")
    return ", ".join(parts)


def _step_event(at: datetime, step: str, actor: str, ledger: Mapping[str, Any]) -> StoryEvent | None:
    family, _, name = step.partition(ledger_steps.FAMILY_SEPARATOR)
    result = ledger.get(step)
    if family in (ledger_steps.NOTICE, ledger_steps.CODE_SENT):
        return None  # told by the notice's own audit entry / the codes' entry
    if family == ledger_steps.ERASE and name:
        counts = _count_text(result)
        return StoryEvent(
            at=at,
            phase="work",
            text=f"Erased store {name}" + (f": {counts}." if counts else "."),
            actor=actor,
        )
    if family == ledger_steps.CUSTOMER_TOLD and name:
        return StoryEvent(at=at, phase="work", text=f"Business {name} was told of the request.", actor=actor)
    if family == ledger_steps.CUSTOMER_ANSWER and name:
        decision = result.get("decision") if isinstance(result, Mapping) else None
        told = f": {words(str(decision))}" if decision else ""
        return StoryEvent(at=at, phase="work", text=f"Business {name} answered{told}.", actor=actor)
    if step in (ledger_steps.RESOLVE, ledger_steps.RESOLVE_COMPLETE):
        return None  # told once, from the resolution itself
    if step == ledger_steps.EXPORT_PACKAGE:
        counts = _count_text(result)
        return StoryEvent(
            at=at, phase="work", text="Export packaged" + (f": {counts}." if counts else "."), actor=actor
        )
    if step == ledger_steps.ERASURE_PLAN:
        return StoryEvent(at=at, phase="work", text="Erasure planned.", actor=actor)
    if step == ledger_steps.ERASURE_RECEIPT:
        return StoryEvent(at=at, phase="work", text="Erasure verified; the receipt was written.", actor=actor)
    return StoryEvent(at=at, phase="work", text=f"Step {words(step)} done.", actor=actor)


def _audit_event(
    at: datetime, action: str, actor: str, detail: Mapping[str, Any], ledger: Mapping[str, Any]
) -> StoryEvent | None:
    if action == "request.created":
        return StoryEvent(at=at, phase="received", text="Request received.", actor=actor)
    if action == "step.completed":
        return _step_event(at, str(detail.get("step", "")), actor, ledger)
    if action == "step.cleared":
        return StoryEvent(
            at=at,
            phase="decisions",
            text=f"Step {words(str(detail.get('step', '')))} cleared to run again.",
            actor=actor,
        )
    family, _, rest = action.partition(".")
    if family == "status":
        if rest == "failed":
            step, error = str(detail.get("step", "")), str(detail.get("error", ""))
            text = f"Failed at {words(step)}: {error_words(error)}."
            return StoryEvent(at=at, phase="end", text=text, actor=actor, problem=True)
        phase: Phase = "verification" if rest in ("verified", "awaiting_verification") else "end"
        if rest in ("in_progress", "awaiting_decision"):
            phase = "resolution"
        reason = f" ({detail['reason']})" if detail.get("reason") else ""
        return StoryEvent(
            at=at, phase=phase, text=f"Now {STATUS_WORDS.get(rest, words(rest))}{reason}.", actor=actor
        )
    if family == "verification":
        what = {
            "codes_sent": "Codes sent to confirm the person's identifiers.",
            "proved": f"Proved: {detail.get('identifier') or detail.get('kind') or 'an identifier'}.",
            "signed_in": "Signed in to prove an account.",
            "fact_checked": "A fact about a recent call was checked.",
        }.get(rest, f"Verification: {words(rest)}.")
        return StoryEvent(at=at, phase="verification", text=what, actor=actor)
    if family == "notice":
        name, _, outcome = rest.rpartition(".")
        if rest in ("failed", "uncertain"):
            why = "the provider refused it; held for a retry" if rest == "failed" else "it may not have gone"
            text = f"Notice {words(str(detail.get('notice', '')))} not delivered: {why}."
            return StoryEvent(at=at, phase="notices", text=text, actor=actor, problem=True)
        channel = detail.get("channel")
        how = f" by {channel}" if channel and outcome == "sent" else ""
        verb = "withheld" if outcome == "withheld" else "sent"
        return StoryEvent(at=at, phase="notices", text=f"Notice {words(name)} {verb}{how}.", actor=actor)
    if family == "ops":
        reason = f": {detail['reason']}" if detail.get("reason") else ""
        decision = f" {detail['decision']}" if detail.get("decision") else ""
        step = f" (step {detail['step']})" if detail.get("step") else ""
        return StoryEvent(
            at=at, phase="decisions", text=f"Ops {words(rest)}{decision}{step}{reason}.", actor=actor
        )
    phase = "decisions" if family in ("permission", "hold") else "work"
    return StoryEvent(at=at, phase=phase, text=f"{_action_words(action)}.", actor=actor)


def _action_words(action: str) -> str:
    """``preferences.opted_out`` as ``Preferences: opted out``."""
    family, _, rest = action.partition(".")
    text = f"{words(family)}: {words(rest.replace('.', ' '))}" if rest else words(family)
    return text[:1].upper() + text[1:]


def _execution_event(at: datetime, event: str, detail: Mapping[str, Any]) -> StoryEvent | None:
    name = detail.get("execution", "")
    if event == "ExecutionStarted":
        return StoryEvent(at=at, phase="workflow", text=f"Workflow run {name} started.")
    if event == "ExecutionSucceeded":
        return StoryEvent(at=at, phase="workflow", text=f"Workflow run {name} finished.")
    if event in ("ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"):
        error = detail.get("error")
        why = f": {error_words(str(error))}" if error else ""
        verb = {
            "ExecutionFailed": "failed",
            "ExecutionTimedOut": "timed out",
            "ExecutionAborted": "was stopped",
        }
        return StoryEvent(
            at=at, phase="workflow", text=f"Workflow run {name} {verb[event]}{why}.", problem=True
        )
    if event.endswith("Failed") or event.endswith("TimedOut"):
        state = detail.get("state")
        error = detail.get("error")
        where = f" in {words(str(state))}" if state else ""
        return StoryEvent(
            at=at,
            phase="workflow",
            text=f"A step failed{where}: {error_words(str(error)) if error else words(event)}.",
            problem=True,
        )
    return None  # entered/exited/scheduled/succeeded: the audit tells what each step did


def build_story(
    request: RightsRequest, timeline: Iterable[Any], ledger: Mapping[str, Any], execution_status: str | None
) -> Story:
    """The story of one request from ``OpsService.show``'s timeline rows (``at``, ``source``,
    ``event``, ``actor``, ``detail``) and its ledger."""
    events: list[StoryEvent] = []
    for row in timeline:
        if row.source == "audit":
            told = _audit_event(row.at, row.event, row.actor or "", row.detail, ledger)
        else:
            told = _execution_event(row.at, row.event, row.detail)
        if told is not None:
            events.append(told)
    summary = request.resolution
    if summary is not None:
        stores = {count.store for count in summary.counts}
        flagged = " Flagged: " + "; ".join(summary.flags) + "." if summary.flagged else ""
        events.append(
            StoryEvent(
                at=summary.resolved_at,
                phase="resolution",
                text=f"Resolved: {summary.total_records} records in {len(stores)} stores, "
                f"{summary.released_records} reachable through the identifiers given.{flagged}",
                problem=summary.flagged,
            )
        )
    events.sort(key=lambda event: event.at)
    groups = [
        StoryGroup(phase=phase, title=PHASE_TITLES[phase], events=[e for e in events if e.phase == phase])
        for phase in PHASES
    ]
    failure = None
    if request.failure is not None:
        f = request.failure
        failure = f"Failed at step {words(f.step)} ({f.step}): {error_words(f.error)} ({f.error}). {f.cause}"
        failure = failure.strip()
    running = f"; its workflow is {execution_status.lower()}" if execution_status else ""
    headline = (
        f"{words(request.type.value).capitalize()} request under {request.jurisdiction.value.upper()}, "
        f"received by {request.channel.value} on {request.received_at:%Y-%m-%d %H:%M} UTC; "
        f"{STATUS_WORDS.get(request.status.value, request.status.value)}{running}."
    )
    return Story(headline=headline, failure=failure, groups=[g for g in groups if g.events])
