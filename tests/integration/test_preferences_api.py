"""Opt-outs recorded at intake, and the internal may-process endpoint, on the deployed stack."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration

PIPELINE = "ai-training-pipeline"


def ask(
    call_api: Any, kind: str, value: str, purpose: str, operator: str | None = PIPELINE
) -> tuple[int, Any]:
    status, _, body = call_api(
        "POST",
        "/internal/may-process",
        {"identifier": {"kind": kind, "value": value}, "purpose": purpose},
        operator=operator,
    )
    return status, body


def test_an_opt_out_is_honoured_at_intake_before_any_verification(
    call_api: Any, wait_for_execution: Any
) -> None:
    before = ask(call_api, "phone", "(415) 555-2671", "ai_training")[1]
    _, _, created = call_api(
        "POST",
        "/requests",
        {
            "type": "opt_out",
            "jurisdiction": "ccpa",
            "phone": "+1 415 555 2671",
            "opt_out_of": ["ai_training"],
        },
    )
    wait_for_execution(created["request_id"])

    after = ask(call_api, "phone", "415.555.2671", "ai_training")[1]
    routing = ask(call_api, "phone", "+14155552671", "service")[1]

    assert before["allowed"] is True
    assert after["allowed"] is False
    assert created["request_id"] in after["reason"]
    assert routing["allowed"] is True


def test_an_opt_out_of_sale_also_stops_targeted_ads_for_that_email_only(
    call_api: Any, wait_for_execution: Any
) -> None:
    _, _, created = call_api(
        "POST",
        "/requests",
        {"type": "opt_out", "jurisdiction": "ccpa", "email": "ads@example.org", "opt_out_of": ["sale_share"]},
    )
    wait_for_execution(created["request_id"])

    assert ask(call_api, "email", "ADS@example.org", "targeted_ads")[1]["allowed"] is False
    assert ask(call_api, "email", "other@example.org", "targeted_ads")[1]["allowed"] is True


def test_the_endpoint_refuses_a_caller_without_an_iam_identity(call_api: Any) -> None:
    status, _ = ask(call_api, "email", "a@example.org", "marketing", operator=None)

    assert status == 403


def test_a_bad_query_gets_a_reason_per_field(call_api: Any) -> None:
    status, body = ask(call_api, "fax", "123", "world_domination")

    assert status == 422
    assert {error["field"] for error in body["errors"]} >= {"body.identifier.kind", "body.purpose"}
