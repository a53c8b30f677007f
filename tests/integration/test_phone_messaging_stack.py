"""SMS and calls through the whole stack: a premium-rate number gets nothing however often it
is given, a mobile gets at most its daily cap, and every notice not sent is recorded as withheld
(never retried, never reported as sent). And the template agrees with the code: the allowed
countries, the protect configuration, the budget's alarm."""

from __future__ import annotations

from typing import Any

import phonenumbers
import pytest

from local_stack.runtime import RunningStack
from local_stack.template import load_template
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.messaging.phone_messaging import BUDGET_METRIC
from privacy_rights.runtime.observability import NAMESPACE, SERVICE
from privacy_rights.runtime.settings import DEFAULT_PHONE_COUNTRIES, Settings

pytestmark = pytest.mark.integration

PREMIUM_RATE = "+19005550123"
MOBILE = "+14155550199"
OPT_OUT = {"type": "opt_out", "jurisdiction": "ccpa", "opt_out_of": ["sale_share"]}
OPT_OUTS = 7


def opt_out_seven_times(call_api: Any, wait_for_execution: Any, phone: str) -> list[str]:
    """One after the other: the same person's requests wait for each other's subject lock, and
    locally the lock's retries do not sleep."""
    request_ids = []
    for _ in range(OPT_OUTS):
        status, _, answer = call_api("POST", "/requests", OPT_OUT | {"phone": phone})
        assert status == 202, answer
        request_ids.append(answer["request_id"])
        assert wait_for_execution(answer["request_id"])["status"] == "SUCCEEDED"
    return request_ids


def notices_of(store: RequestStore, request_id: str) -> dict[str, dict[str, Any]]:
    """The request's notices as its ledger records their delivery (intents left out)."""
    return {
        step: dict(result)
        for step, result in store.ledger(request_id).items()
        if step.startswith("notice:") and not step.endswith(":intent")
    }


def phone_messages(running: RunningStack, phone: str) -> list[Any]:
    return [m for m in running.outbox.messages(to=phone) if m.channel in ("sms", "voice")]


def test_seven_opt_outs_for_a_premium_rate_number_send_nothing_and_record_the_notices_withheld(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    parsed = phonenumbers.parse(PREMIUM_RATE)
    assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.PREMIUM_RATE

    request_ids = opt_out_seven_times(call_api, wait_for_execution, PREMIUM_RATE)

    assert phone_messages(running, PREMIUM_RATE) == []
    for request_id in request_ids:
        recorded = notices_of(store, request_id)
        assert {"notice:acknowledgement", "notice:final"} <= set(recorded)
        assert all(r == {"channel": "withheld", "reason": "number_type"} for r in recorded.values())
        actions = [e.action for e in store.audit_entries(request_id)]
        assert "notice.acknowledgement.withheld" in actions
        assert "notice.final.withheld" in actions
        assert not [a for a in actions if a.startswith("notice.") and a.endswith(".sent")]
        assert "notice.uncertain" not in actions
        # the opt-out itself is honoured: only the messages were withheld
        assert store.get(request_id).status == "completed"


def test_a_mobile_gets_at_most_its_daily_cap_and_the_rest_is_withheld(
    running: RunningStack, call_api: Any, wait_for_execution: Any, store: RequestStore
) -> None:
    cap = int(running.stack.parameters["PhoneMessagesPerNumberPerDay"])

    request_ids = opt_out_seven_times(call_api, wait_for_execution, MOBILE)

    recorded = [r for request_id in request_ids for r in notices_of(store, request_id).values()]
    sent = [r for r in recorded if r["channel"] == "sms"]
    withheld = [r for r in recorded if r["channel"] == "withheld"]
    assert len(recorded) > cap  # an acknowledgement and a final notice each
    assert len(sent) == cap
    assert len(phone_messages(running, MOBILE)) == cap
    assert withheld == [{"channel": "withheld", "reason": "number_daily_cap"}] * (len(recorded) - cap)


def test_the_deployed_stack_carries_the_settings_and_the_protect_configuration(running: RunningStack) -> None:
    settings = Settings.from_environment()

    assert settings.phone_countries == frozenset(DEFAULT_PHONE_COUNTRIES.split(","))
    assert settings.phone_messages_per_number_per_day == int(
        running.stack.parameters["PhoneMessagesPerNumberPerDay"]
    )
    assert settings.phone_messages_per_day == int(running.stack.parameters["PhoneMessagesPerDay"])
    rules = running.stack.attribute("PhoneProtectConfiguration", "CountryRuleSet")
    assert rules["SMS"]["US"] == "ALLOW"
    assert rules["VOICE"]["NG"] == "BLOCK"


# --- the template agrees with the code -------------------------------------------------------------------

TEMPLATE = load_template()
RESOURCES = TEMPLATE["Resources"]
VARIABLES = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
#: regions phonenumbers tells apart that End User Messaging counts as their country's (+44: GB)
SHARING_A_COUNTRY_CODE = {"GG", "JE", "IM"}


def test_the_allowed_countries_are_the_settings_default_and_the_protect_configuration_allows_them() -> None:
    allowed = set(VARIABLES["PHONE_ALLOWED_COUNTRIES"].split(","))
    rule_set = RESOURCES["PhoneProtectConfiguration"]["Properties"]["CountryRuleSet"]

    assert allowed == set(DEFAULT_PHONE_COUNTRIES.split(","))
    for capability in ("SMS", "VOICE"):
        statuses: dict[str, str] = {}
        for rule in rule_set[capability]:
            assert rule["CountryCode"] not in statuses, f"two {capability} rules for {rule['CountryCode']}"
            statuses[rule["CountryCode"]] = rule["ProtectStatus"]
        assert set(statuses.values()) == {"ALLOW", "BLOCK"}
        assert {c for c, s in statuses.items() if s == "ALLOW"} == allowed - SHARING_A_COUNTRY_CODE
        assert {"NG", "RU", "PK", "CN"} <= {c for c, s in statuses.items() if s == "BLOCK"}


def test_the_phone_settings_are_global_variables_of_every_function() -> None:
    assert VARIABLES["PHONE_MESSAGES_PER_NUMBER_PER_DAY"] == {"Ref": "PhoneMessagesPerNumberPerDay"}
    assert VARIABLES["PHONE_MESSAGES_PER_DAY"] == {"Ref": "PhoneMessagesPerDay"}
    for name, spec in RESOURCES.items():
        if spec["Type"] == "AWS::Serverless::Function":
            own = spec["Properties"].get("Environment", {}).get("Variables", {})
            assert not {k for k in own if k.startswith("PHONE_")}, name


def test_the_budget_alarm_watches_the_metric_the_guard_raises() -> None:
    alarm = RESOURCES["PhoneBudgetAlarm"]["Properties"]

    assert alarm["Namespace"] == NAMESPACE
    assert alarm["MetricName"] == BUDGET_METRIC
    assert alarm["Dimensions"] == [{"Name": "service", "Value": SERVICE}]
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert float(alarm["Threshold"]) == 0


def test_every_function_that_texts_or_calls_may_count_its_messages() -> None:
    for name, spec in RESOURCES.items():
        if spec["Type"] != "AWS::Serverless::Function":
            continue
        policies = spec["Properties"].get("Policies", [])
        statements = [s for p in policies if isinstance(p, dict) for s in p.get("Statement", [])]
        texts = any(s.get("Action") in ("sns:Publish", "sms-voice:SendVoiceMessage") for s in statements)
        counts = any(
            "dynamodb:UpdateItem" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            and "CountersTable" in str(s.get("Resource"))
            for s in statements
            if "Action" in s
        )
        assert counts or not texts, f"{name} sends SMS or calls but cannot count them"
