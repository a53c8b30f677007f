"""Every function's errors and throttles are alarmed, and SES's bounce and complaint rates are
measured through the notices' configuration set and alarmed at AWS's review thresholds (issue 21)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_stack.template import load_template
from privacy_rights.adapters.messenger import AwsMessenger

TOPIC = {"Ref": "OpsAlertsTopic"}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def _of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in template["Resources"].items() if spec["Type"] == resource_type}


def _alarmed(template: dict[str, Any], namespace: str, metric: str) -> dict[str, dict[str, Any]]:
    """Alarms on one metric, by the resource their first dimension refers to (or its value)."""
    found = {}
    for alarm in _of_type(template, "AWS::CloudWatch::Alarm").values():
        properties = alarm["Properties"]
        if properties.get("Namespace") == namespace and properties.get("MetricName") == metric:
            value = properties["Dimensions"][0]["Value"]
            found[value["Ref"] if isinstance(value, dict) else value] = properties
    return found


@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_an_alarm_on_its_errors_and_throttles(
    template: dict[str, Any], metric: str
) -> None:
    functions = set(_of_type(template, "AWS::Serverless::Function"))
    alarms = _alarmed(template, "AWS/Lambda", metric)
    assert functions - set(alarms) == set(), f"functions without a {metric} alarm"
    for name in functions:
        properties = alarms[name]
        assert properties["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": name}}]
        assert (properties["Statistic"], properties["Threshold"]) == ("Sum", 0)
        assert properties["ComparisonOperator"] == "GreaterThanThreshold"
        assert TOPIC in properties["AlarmActions"]
        assert TOPIC in properties["OKActions"]


def test_notices_go_through_a_configuration_set_that_counts_bounces_and_complaints(
    template: dict[str, Any],
) -> None:
    (name,) = _of_type(template, "AWS::SES::ConfigurationSet")
    configuration_set = template["Resources"][name]["Properties"]
    assert configuration_set["ReputationOptions"] == {"ReputationMetricsEnabled": True}
    (destination,) = _of_type(template, "AWS::SES::ConfigurationSetEventDestination").values()
    assert destination["Properties"]["ConfigurationSetName"] == {"Ref": name}
    event_destination = destination["Properties"]["EventDestination"]
    assert {"bounce", "complaint", "send"} <= set(event_destination["MatchingEventTypes"])
    assert "CloudWatchDestination" in event_destination
    identity = template["Resources"]["SenderIdentity"]["Properties"]
    assert identity["ConfigurationSetAttributes"] == {"ConfigurationSetName": {"Ref": name}}
    assert template["Globals"]["Function"]["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == {
        "Ref": name
    }
    send = next(
        statement
        for statement in template["Resources"]["SendNoticesPolicy"]["Properties"]["PolicyDocument"][
            "Statement"
        ]
        if statement["Sid"] == "SendEmail"
    )
    assert any(f"configuration-set/${{{name}}}" in str(resource) for resource in send["Resource"])


@pytest.mark.parametrize(
    ("metric", "threshold"),
    # AWS reviews an account at a 5 % bounce rate and a 0.1 % complaint rate.
    [("Reputation.BounceRate", 0.05), ("Reputation.ComplaintRate", 0.001)],
)
def test_bounce_and_complaint_rates_alarm_at_aws_review_thresholds(
    template: dict[str, Any], metric: str, threshold: float
) -> None:
    (name,) = _of_type(template, "AWS::SES::ConfigurationSet")
    alarms = _alarmed(template, "AWS/SES", metric)
    properties = alarms[name]
    assert properties["Dimensions"] == [{"Name": "ses:configuration-set", "Value": {"Ref": name}}]
    assert properties["Threshold"] == threshold
    assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert TOPIC in properties["AlarmActions"]
    assert TOPIC in properties["OKActions"]


class _RecordingSes:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def send_email(self, **kwargs: Any) -> dict[str, str]:
        self.calls.append(kwargs)
        return {"MessageId": "m-1"}


def test_the_messenger_names_the_configuration_set_on_every_email() -> None:
    ses = _RecordingSes()
    with mock_aws():
        sns = boto3.client("sns", region_name="us-east-1")
        AwsMessenger(ses, sns, "privacy@example.com", configuration_set="stack-notices").send_email(  # type: ignore[arg-type]
            "person@example.org", "Your code", "123456"
        )
    assert ses.calls[0]["ConfigurationSetName"] == "stack-notices"
