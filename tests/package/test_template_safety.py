"""The stack is safe to run in an AWS account (issue 21): what survives a deletion, what is
encrypted with the stack's key, what refuses plain HTTP, where the functions log."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.template import load_template

#: Evidence, the people's requests and the keys: lost with a stack deletion or a replacement,
#: they cannot be rebuilt.
RETAINED = {
    "RequestsTable",
    "AuditTable",
    "HoldsTable",
    "MailTable",
    "NoticesTable",
    "PreferencesTable",
    "CustomersTable",
    "HashKeySecret",
    "WebhookSigningSecret",
    "DataKey",
    "InboundMailBucket",
    "PermissionsBucket",
}


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def resources_of(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in template["Resources"].items() if spec["Type"] == resource_type}


@pytest.mark.parametrize("name", sorted(RETAINED))
def test_evidence_and_keys_survive_a_deletion_and_a_replacement(template: dict[str, Any], name: str) -> None:
    resource = template["Resources"][name]
    assert resource.get("DeletionPolicy") == "Retain"
    assert resource.get("UpdateReplacePolicy") == "Retain"


def test_every_table_is_encrypted_with_the_stacks_key(template: dict[str, Any]) -> None:
    tables = resources_of(template, "AWS::DynamoDB::Table")
    assert len(tables) >= 11
    for name, table in tables.items():
        sse = table["Properties"].get("SSESpecification", {})
        assert sse.get("SSEEnabled") is True, name
        assert sse.get("SSEType") == "KMS", name
        assert sse.get("KMSMasterKeyId") == {"Ref": "DataKey"}, name


def test_the_key_serves_dynamodb_only_through_dynamodb(template: dict[str, Any]) -> None:
    statements = {
        s["Sid"]: s for s in template["Resources"]["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    }
    through = statements["TablesThroughDynamoDB"]
    assert through["Principal"] == {"AWS": "*"}
    condition = through["Condition"]["StringEquals"]
    assert condition["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
    assert "dynamodb." in str(condition["kms:ViaService"])


def test_every_bucket_is_encrypted_with_the_stacks_key_and_refuses_plain_http(
    template: dict[str, Any],
) -> None:
    buckets = resources_of(template, "AWS::S3::Bucket")
    policies = {
        spec["Properties"]["Bucket"]["Ref"]: spec["Properties"]["PolicyDocument"]["Statement"]
        for spec in resources_of(template, "AWS::S3::BucketPolicy").values()
    }
    for name, bucket in buckets.items():
        (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", name
        assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == {"Ref": "DataKey"}, name
        denials = [
            s
            for s in policies.get(name, [])
            if s["Effect"] == "Deny"
            and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        ]
        assert denials, f"{name} accepts plain HTTP"


def test_every_function_logs_into_a_declared_encrypted_group_with_retention(template: dict[str, Any]) -> None:
    logging_config = template["Globals"]["Function"]["LoggingConfig"]
    group = template["Resources"][logging_config["LogGroup"]["Ref"]]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] > 0
    assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["DataKey", "Arn"]}
    for name, function in resources_of(template, "AWS::Serverless::Function").items():
        assert "LoggingConfig" not in function["Properties"], f"{name} logs elsewhere"
    for name, log_group in resources_of(template, "AWS::Logs::LogGroup").items():
        assert log_group["Properties"].get("RetentionInDays"), name
        assert log_group["Properties"].get("KmsKeyId"), name


def test_the_public_apis_functions_start_from_a_snapstart_snapshot(template: dict[str, Any]) -> None:
    """A person waits for their cold starts; API Gateway must call the published alias."""
    public = {
        name
        for name, function in resources_of(template, "AWS::Serverless::Function").items()
        for event in (function["Properties"].get("Events") or {}).values()
        if event["Type"] == "Api" and event["Properties"].get("RestApiId") == {"Ref": "PublicApi"}
    }
    assert len(public) == 5
    for name in public:
        properties = template["Resources"][name]["Properties"]
        assert properties.get("SnapStart") == {"ApplyOn": "PublishedVersions"}, name
        assert properties.get("AutoPublishAlias"), name


def test_every_alarm_tells_the_ops_topic_when_it_fires_and_when_it_clears(template: dict[str, Any]) -> None:
    alarms = resources_of(template, "AWS::CloudWatch::Alarm")
    assert len(alarms) >= 4
    topic = {"Ref": "OpsAlertsTopic"}
    for name, alarm in alarms.items():
        assert topic in alarm["Properties"].get("AlarmActions", []), name
        assert topic in alarm["Properties"].get("OKActions", []), name
    subscription = template["Resources"]["OpsAlertsTopic"]["Properties"]["Subscription"]
    assert subscription == [{"Protocol": "email", "Endpoint": {"Ref": "OpsAlertEmail"}}]


def test_no_one_may_change_or_delete_an_audit_entry(template: dict[str, Any]) -> None:
    """Whatever a principal's IAM policies say: the audit table's own policy denies it. Only
    record retention's role (by its exact ARN) may delete, to remove a closed request's chain."""
    changes, deletes = template["Resources"]["AuditTable"]["Properties"]["ResourcePolicy"]["PolicyDocument"][
        "Statement"
    ]
    for statement in (changes, deletes):
        assert statement["Effect"] == "Deny"
        assert statement["Principal"] == "*"
        assert statement["Resource"] == "*"
    assert {"dynamodb:UpdateItem", "dynamodb:BatchWriteItem"} <= set(changes["Action"])
    assert "Condition" not in changes
    assert deletes["Action"] == "dynamodb:DeleteItem"
    role = "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}-expire-records"
    assert deletes["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": {"Fn::Sub": role}}}


def test_the_public_api_is_behind_per_address_rate_limits(template: dict[str, Any]) -> None:
    acl = template["Resources"]["PublicApiWebAcl"]["Properties"]
    limited = {
        rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"]
        for rule in acl["Rules"]
        if rule["Statement"].get("RateBasedStatement", {}).get("AggregateKeyType") == "IP"
        and "Block" in rule["Action"]
    }
    assert limited == {"/requests", "/verify"}
    assert acl["VisibilityConfig"]["SampledRequestsEnabled"] is False  # samples keep addresses
    association = template["Resources"]["PublicApiWebAclAssociation"]["Properties"]
    assert "${PublicApi}" in association["ResourceArn"]["Fn::Sub"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["PublicApiWebAcl", "Arn"]}
