"""Notices that never go (issue 20): a notice the provider refused is held and sent again by the
scheduled RetryNoticesFunction with backoff; one that may have gone is settled against the
provider's record (the message id logged in NoticesTable) or by a person, never resent on a
guess; one unsent for over an hour counts towards UnsentNoticesAlarm and is listed for ops."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from moto.core.botocore_stubber import BotocoreStubber

from local_stack.runtime import RunningStack
from privacy_ops import cli as ops_cli
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.errors import ConcurrentModification
from privacy_rights.core.models import utc_now
from privacy_rights.orchestration import notice_retries

pytestmark = pytest.mark.integration

EMAIL = "dana.w@example.com"
OPS = "alice"
SWEEP = "RetryNoticesSchedule"
SEND_EMAIL = "/v2/email/outbound-emails"


class SesFaults:
    """What SES answers the next SendEmail calls: ``refuse`` (an error answer: nothing sent) or
    ``lose_answer`` (SES accepts and records the mail, the answer never parses to a message id)."""

    def __init__(self) -> None:
        self.plan: list[str] = []

    def answer(self, original: Any, stubber: Any, request: Any) -> Any:
        if not (str(request.url).endswith(SEND_EMAIL) and self.plan):
            return original(stubber, request)
        fault = self.plan.pop(0)
        if fault == "refuse":
            body = json.dumps({"__type": "MessageRejected", "message": "Email address is not verified."})
            return 400, {"x-amzn-ErrorType": "MessageRejected"}, body
        original(stubber, request)  # SES took it
        return 200, {"Content-Type": "application/json"}, "{}"


@pytest.fixture
def ses() -> Iterator[SesFaults]:
    faults = SesFaults()
    original = BotocoreStubber.process_request
    with mock.patch.object(
        BotocoreStubber, "process_request", lambda stubber, request: faults.answer(original, stubber, request)
    ):
        yield faults


def submit(call_api: Any) -> str:
    body = {"jurisdiction": "ccpa", "email": EMAIL, "type": "opt_out", "opt_out_of": ["marketing"]}
    status, _, answer = call_api("POST", "/requests", body)
    assert status == 202, answer
    return str(answer["request_id"])


def acknowledgements(running: RunningStack, request_id: str) -> int:
    return sum(
        1
        for m in running.outbox.messages(EMAIL)
        if m.subject == f"We received your privacy request {request_id}"
    )


def held(call_api: Any, request_id: str) -> list[dict[str, Any]]:
    status, _, answer = call_api("GET", "/ops/notices", operator=OPS)
    assert status == 200, answer
    return [notice for notice in answer if notice["request_id"] == request_id]


def sweep(running: RunningStack, hours_later: float = 0) -> dict[str, Any]:
    later = utc_now() + timedelta(hours=hours_later)
    with mock.patch.object(notice_retries, "utc_now", return_value=later):
        (report,) = running.events.fire(SWEEP)
    return dict(report)


def test_a_refused_acknowledgement_is_held_and_sent_once_by_the_sweep_after_its_backoff(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore, ses: SesFaults
) -> None:
    ses.plan = ["refuse"]
    request_id = submit(call_api)

    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"  # the workflow went on
    ledger = store.ledger(request_id)
    assert "notice:acknowledgement" not in ledger
    assert "notice:final" in ledger
    assert acknowledgements(running, request_id) == 0
    (notice,) = held(call_api, request_id)
    assert (notice["request_id"], notice["notice"], notice["needs"]) == (
        request_id,
        "acknowledgement",
        "retry",
    )
    assert notice["last_error"] == "MessageRejected"

    assert sweep(running)["sent"] == 0  # still backing off
    assert sweep(running, hours_later=0.05)["sent"] == 1
    assert sweep(running, hours_later=1)["sent"] == 0

    assert acknowledgements(running, request_id) == 1
    assert store.ledger(request_id)["notice:acknowledgement"]["channel"] == "email"
    assert held(call_api, request_id) == []
    actions = Counter(entry.action for entry in store.audit_entries(request_id))
    assert (actions["notice.failed"], actions["notice.acknowledgement.sent"]) == (1, 1)


def test_a_notice_that_may_have_gone_is_never_resent_and_waits_for_a_person_past_the_alarm(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore, ses: SesFaults
) -> None:
    ses.plan = ["lose_answer"]
    request_id = submit(call_api)
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    assert acknowledgements(running, request_id) == 1  # SES did send it

    (notice,) = held(call_api, request_id)
    report = sweep(running, hours_later=2)

    assert (notice["state"], notice["needs"], notice["last_error"]) == ("uncertain", "a person", "KeyError")
    assert (report["sent"], report["uncertain"], report["unsent_over_an_hour"]) == (0, 1, 1)
    assert acknowledgements(running, request_id) == 1

    status, _, decided = call_api(
        "POST",
        f"/ops/requests/{request_id}/notices/acknowledgement/decision",
        {"decision": "delivered", "reason": "SES console shows it delivered"},
        operator=OPS,
    )

    assert status == 200, decided
    assert store.ledger(request_id)["notice:acknowledgement"]["channel"] == "confirmed_by_ops"
    assert held(call_api, request_id) == []
    assert acknowledgements(running, request_id) == 1


def test_a_lost_ledger_write_is_settled_by_the_provider_s_record_without_a_second_send(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    original = RequestStore.complete_step
    lost = {"notice:acknowledgement": 1}

    def complete_step(self: RequestStore, request_id: str, step: str, result: Any, actor: str) -> Any:
        if lost.get(step):
            lost[step] -= 1
            raise ConcurrentModification(request_id)
        return original(self, request_id, step, result, actor)

    with mock.patch.object(RequestStore, "complete_step", complete_step):
        request_id = submit(call_api)
        assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    recorded = store.ledger(request_id)["notice:acknowledgement"]
    assert recorded["resolved_from"] == "provider_record"
    assert recorded["message_id"]
    assert acknowledgements(running, request_id) == 1
    assert held(call_api, request_id) == []


def test_the_alarm_watches_the_sweep_s_metric(running: RunningStack) -> None:
    cloudwatch: Any = running.client("cloudwatch")
    (alarm,) = cloudwatch.describe_alarms(AlarmNames=[running.stack.ref("UnsentNoticesAlarm")])[
        "MetricAlarms"
    ]
    (rule,) = [r for r in running.stack.event_rules if r.logical_id == SWEEP]

    assert (alarm["MetricName"], alarm["Threshold"]) == ("NoticesUnsentOverAnHour", 0)
    assert rule.schedule == "rate(5 minutes)"
    assert rule.functions == ("RetryNoticesFunction",)


@pytest.mark.usefixtures("ops_cli_over_api")
def test_privacy_ops_lists_a_notice_unsent_for_an_hour_and_sends_it_again_on_a_person_s_word(
    running: RunningStack,
    call_api: Any,
    wait_for_execution: Any,
    ses: SesFaults,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = ["--operator", OPS]
    ses.plan = ["lose_answer"]
    request_id = submit(call_api)
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"

    assert ops_cli.main([*cli, "list"]) == 0
    assert "unsent for over an hour" not in capsys.readouterr().out  # not an hour yet
    with mock.patch.object(notice_retries, "utc_now", return_value=utc_now() + timedelta(hours=2)):
        assert ops_cli.main([*cli, "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{request_id}  acknowledgement" in listed
    assert "a person decides" in listed

    assert ops_cli.main([*cli, "notice", request_id, "acknowledgement", "resend", "--reason", "no"]) == 1
    assert "reason" in capsys.readouterr().err
    assert (
        ops_cli.main([*cli, "notice", request_id, "acknowledgement", "resend", "--reason", "bounced, fixed"])
        == 0
    )
    assert "email" in capsys.readouterr().out
    assert acknowledgements(running, request_id) == 2  # the person's decision, not a guess
    assert ops_cli.main([*cli, "notices"]) == 0
    assert capsys.readouterr().out.strip() == "Every notice was delivered."
