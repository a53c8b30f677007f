"""template.yaml, the state machine definition and the code agree, and the template is valid."""

from __future__ import annotations

import json
import os
import re
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any
from unittest import mock

import cfnlint.api
import pytest

from local_stack.lambdas import load_module
from local_stack.provision import supported_types
from local_stack.template import REPO_ROOT, load_template

pytestmark = pytest.mark.integration

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
FUNCTIONS = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
STATE_MACHINE = RESOURCES["RightsRequestStateMachine"]["Properties"]
DEFINITION_PATH = REPO_ROOT / STATE_MACHINE["DefinitionUri"]
DATA_SERVICES = ("dynamodb", "s3", "secretsmanager", "kms", "sqs", "states", "ses", "sns")


def _cfn_lint(path: Path) -> list[Any]:
    """cfn-lint's errors and warnings on the file, and of its informational rules I3011 (a
    stateful resource without an explicit deletion and update-replace policy: the stack is safe
    to delete and update in an account only with one), as `make check-template` runs it on
    template.yaml (in CI; 10-14 s of `make test` when it was a test here). In-process: a
    subprocess per run spent more time starting cfn-lint than linting."""
    config = cfnlint.api.ManualArgs(include_checks=["I"], regions=["us-east-1"])
    return [
        match
        for match in cfnlint.api.lint_file(path, config=config)
        if match.rule.severity in ("error", "warning") or match.rule.id == "I3011"
    ]


def test_cfn_lint_is_recent_enough_to_know_current_runtimes() -> None:
    major, minor = (int(part) for part in version("cfn-lint").split(".")[:2])

    assert (major, minor) >= (1, 58)


def test_cfn_lint_would_catch_a_broken_template(tmp_path: Path) -> None:
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.handler", "CodeUri": "."}}
    template = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Broken": function}}
    function["Properties"]["Runtime"] = "python2.7"
    (tmp_path / "template.json").write_text(json.dumps(template))
    table = {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST"}}
    (tmp_path / "stateful.json").write_text(json.dumps({"Resources": {"Requests": table}}))

    assert any("python2.7" in str(match) for match in _cfn_lint(tmp_path / "template.json"))
    assert any(match.rule.id == "I3011" for match in _cfn_lint(tmp_path / "stateful.json"))


def test_make_check_template_lints_the_template_with_the_stateful_resource_rule() -> None:
    """The whole template is linted by `make check-template` (CI), with I3011 on: the rule the
    test above shows cfn-lint applies."""
    recipe = (REPO_ROOT / "Makefile").read_text().split("\ncheck-template:", 1)[1].split("\n\n", 1)[0]
    lint = [
        line.strip()
        for line in recipe.splitlines()
        if "cfn-lint" in line and not line.strip().startswith("#")
    ]
    assert lint == ["$(BIN)/cfn-lint --include-checks I3011 --regions us-east-1 -- template.yaml"]


def test_functions_run_a_current_python() -> None:
    runtime = TEMPLATE["Globals"]["Function"]["Runtime"]

    assert re.fullmatch(r"python3\.(1[2-9]|[2-9]\d)", runtime)
    assert all("Runtime" not in spec["Properties"] for spec in FUNCTIONS.values())


def test_the_local_stack_can_create_every_resource_type_of_the_template() -> None:
    assert {spec["Type"] for spec in RESOURCES.values()} <= supported_types()


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_every_function_handler_imports(logical_id: str) -> None:
    properties = FUNCTIONS[logical_id]["Properties"]
    module_name, _, attribute = properties["Handler"].rpartition(".")
    environment = {
        "REQUESTS_TABLE": "requests",
        "AUDIT_TABLE": "audit",
        "IDEMPOTENCY_TABLE": "idem",
        "PREFERENCES_TABLE": "prefs",
        "EXPORTS_BUCKET": "b1x",
        "INBOUND_BUCKET": "b2x",
        "HASH_KEY_SECRET": "s",
        "WEBHOOK_SECRET": "w",
        "SENDER_EMAIL": "a@b.c",
        "PRIVACY_ADDRESS": "c@d.e",
        "WORK_BUCKET": "work",
        "NOTICES_TABLE": "notices",
        "CUSTOMERS_TABLE": "customers",
        "LOCKS_TABLE": "locks",
        "VERIFICATION_TABLE": "verification",
        "COUNTERS_TABLE": "counters",
        "PERMISSIONS_BUCKET": "permissions",
        "MAIL_TABLE": "mail",
        "HOLDS_TABLE": "holds",
        "PUBLIC_BASE_URL": "https://example.com",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    from privacy_rights.runtime.settings import get_settings

    get_settings.cache_clear()
    with mock.patch.dict(os.environ, environment):
        module = load_module(REPO_ROOT / properties["CodeUri"] / f"{module_name}.py", f"probe_{logical_id}")
    get_settings.cache_clear()

    assert callable(getattr(module, attribute))


def _task_resources(states: dict[str, Any]) -> list[str]:
    found = []
    for state in states.values():
        if state["Type"] == "Task":
            resource = state["Resource"]
            found.append(state["Parameters"]["FunctionName"] if "lambda:invoke" in resource else resource)
        for branch in state.get("Branches", []):
            found += _task_resources(branch["States"])
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            found += _task_resources(processor["States"])
    return found


def test_every_lambda_task_of_the_state_machine_is_a_function_of_the_template() -> None:
    definition = json.loads(DEFINITION_PATH.read_text())
    substitutions = STATE_MACHINE["DefinitionSubstitutions"]

    tasks = _task_resources(definition["States"])

    assert tasks
    for resource in tasks:
        placeholder = re.fullmatch(r"\$\{(\w+)\}", resource)
        assert placeholder, f"task resource {resource} is not a substitution"
        target = substitutions[placeholder.group(1)]
        logical_id = (
            target["Fn::GetAtt"][0]
            if isinstance(target["Fn::GetAtt"], list)
            else target["Fn::GetAtt"].split(".")[0]
        )
        assert logical_id in FUNCTIONS


def test_every_substitution_is_used_and_every_placeholder_substituted() -> None:
    text = DEFINITION_PATH.read_text()

    placeholders = set(re.findall(r"\$\{(\w+)\}", text))

    assert placeholders == set(STATE_MACHINE["DefinitionSubstitutions"])


def test_the_definition_passes_an_independent_states_language_validator() -> None:
    """cfn-lint checks ASL only inline on a plain AWS::StepFunctions::StateMachine, so the
    definition is embedded in one, with its placeholders filled by dummy ARNs."""
    text = DEFINITION_PATH.read_text()
    for key in STATE_MACHINE["DefinitionSubstitutions"]:
        text = text.replace("${" + key + "}", f"arn:aws:lambda:us-east-1:123456789012:function:{key}")
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {"RoleArn": "arn:aws:iam::123456789012:role/r", "Definition": json.loads(text)},
            }
        },
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(template, handle)
    assert [str(match) for match in _cfn_lint(Path(handle.name))] == []


def test_states_never_point_to_a_missing_state() -> None:
    definition = json.loads(DEFINITION_PATH.read_text())
    names = set(definition["States"])

    targets = {definition["StartAt"]}
    for state in definition["States"].values():
        targets |= {state[key] for key in ("Next", "Default") if key in state}
        targets |= {c["Next"] for c in state.get("Catch", []) + state.get("Choices", [])}

    assert targets <= names


def _statements(logical_id: str) -> list[dict[str, Any]]:
    statements = []
    role = FUNCTIONS[logical_id]["Properties"].get("Role")
    if role is not None:
        # a role of the template's own (ExpireRecordsRole): its inline policies are the function's
        (role_id, attribute) = role["Fn::GetAtt"]
        assert attribute == "Arn"
        assert RESOURCES[role_id]["Type"] == "AWS::IAM::Role"
        assert "Policies" not in FUNCTIONS[logical_id]["Properties"]
        for policy in RESOURCES[role_id]["Properties"]["Policies"]:
            statements += policy["PolicyDocument"]["Statement"]
        return statements
    for policy in FUNCTIONS[logical_id]["Properties"].get("Policies", []):
        assert isinstance(policy, dict), f"{logical_id} uses an AWS managed policy"
        if "Ref" in policy:
            managed = RESOURCES[policy["Ref"]]
            assert managed["Type"] == "AWS::IAM::ManagedPolicy", f"{logical_id} refers to {policy['Ref']}"
            statements += managed["Properties"]["PolicyDocument"]["Statement"]
            continue
        assert "Statement" in policy, f"{logical_id} uses a SAM policy template"
        statements += policy["Statement"]
    return statements


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_functions_have_no_wildcard_actions_on_data(logical_id: str) -> None:
    for statement in _statements(logical_id):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            service, _, verb = action.partition(":")
            assert "*" not in verb or service not in DATA_SERVICES, f"{logical_id}: {action}"


#: the one function that deletes audit entries (whole chains of requests closed 24 months ago)
RECORD_RETENTION = "ExpireRecordsFunction"


def _audit_actions(logical_id: str) -> set[str]:
    actions: set[str] = set()
    for statement in _statements(logical_id):
        if "AuditTable" in json.dumps(statement.get("Resource", "")):
            action = statement["Action"]
            actions |= set(action if isinstance(action, list) else [action])
    return actions


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_the_audit_table_is_append_only_for_every_function(logical_id: str) -> None:
    """Writers put and nothing else; readers query; only record retention deletes, and it
    neither puts nor updates (it could otherwise rewrite what it is trusted to remove)."""
    if logical_id == RECORD_RETENTION:
        assert _audit_actions(logical_id) == {"dynamodb:Query", "dynamodb:DeleteItem"}
        return
    for statement in _statements(logical_id):
        if "AuditTable" in json.dumps(statement.get("Resource", "")):
            actions = set(
                statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            )
            assert actions <= {"dynamodb:PutItem", "dynamodb:Query"}
            assert not ({"dynamodb:PutItem"} & actions and "dynamodb:Query" in actions)


def test_record_retentions_role_is_the_one_the_audit_tables_policy_lets_delete() -> None:
    """The table's resource policy names the role by its exact ARN (a wildcard in
    aws:PrincipalArn would let any role of a matching name delete); the role's name is fixed so
    the policy needs no reference to it (which would be a dependency cycle through the role's
    own grant on the table)."""
    role_id, _ = FUNCTIONS[RECORD_RETENTION]["Properties"]["Role"]["Fn::GetAtt"]
    role = RESOURCES[role_id]["Properties"]
    policy = RESOURCES["AuditTable"]["Properties"]["ResourcePolicy"]["PolicyDocument"]
    (deletes,) = [s for s in policy["Statement"] if "dynamodb:DeleteItem" in json.dumps(s["Action"])]
    (allowed,) = deletes["Condition"]["ArnNotEquals"]["aws:PrincipalArn"].values()

    assert allowed.endswith(":role/" + role["RoleName"]["Fn::Sub"])
    assert "*" not in allowed
    assert "?" not in allowed
    assert role["RoleName"] == {"Fn::Sub": "${AWS::StackName}-expire-records"}
    assert role["AssumeRolePolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert [f for f, spec in FUNCTIONS.items() if spec["Properties"].get("Role") is not None] == [
        RECORD_RETENTION
    ]


def test_no_function_but_record_retention_may_delete_or_change_audit_entries() -> None:
    for logical_id in FUNCTIONS:
        actions = _audit_actions(logical_id)
        assert not actions & {"dynamodb:UpdateItem", "dynamodb:BatchWriteItem"}, logical_id
        assert ("dynamodb:DeleteItem" in actions) == (logical_id == RECORD_RETENTION), logical_id


def test_shared_statements_live_once_in_a_managed_policy_every_one_used() -> None:
    """Statements many functions hold identically (audit append, request writes, the key ring,
    sending notices) are a managed policy each: a function holding all of one inline again would
    drift from the others. A function needing only part of one keeps that part inline."""
    managed = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::IAM::ManagedPolicy"}
    referenced = {
        policy["Ref"]
        for spec in FUNCTIONS.values()
        for policy in spec["Properties"].get("Policies", [])
        if "Ref" in policy
    }

    assert {
        "AuditAppendPolicy",
        "RequestWritePolicy",
        "KeyRingReadPolicy",
        "SendNoticesPolicy",
    } <= managed.keys()
    assert referenced == managed.keys()
    for logical_id, spec in FUNCTIONS.items():
        inline = {
            json.dumps(statement, sort_keys=True)
            for policy in spec["Properties"].get("Policies", [])
            for statement in policy.get("Statement", [])
        }
        for name, policy in managed.items():
            statements = {
                json.dumps(st, sort_keys=True) for st in policy["Properties"]["PolicyDocument"]["Statement"]
            }
            assert not statements <= inline, f"{logical_id} pastes {name}: refer to it with !Ref {name}"


def test_buckets_are_encrypted_private_and_expire_what_they_must() -> None:
    buckets = {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::S3::Bucket"}

    assert buckets
    for name, properties in buckets.items():
        assert properties["BucketEncryption"], name
        assert all(properties["PublicAccessBlockConfiguration"].values()), name
        assert properties["LifecycleConfiguration"]["Rules"], name


def test_the_audit_trail_is_kept_24_months_then_expires() -> None:
    """Streams' entries still leave by TTL; requests' chains leave whole, by the daily record
    retention, found through the sparse index of closed requests."""
    audit = RESOURCES["AuditTable"]["Properties"]

    assert audit["TimeToLiveSpecification"] == {"AttributeName": "expire_at", "Enabled": True}
    assert RESOURCES["AuditTable"]["DeletionPolicy"] == "Retain"
    (closed,) = [
        index
        for index in RESOURCES["RequestsTable"]["Properties"]["GlobalSecondaryIndexes"]
        if index["IndexName"] == "by_closed_at"
    ]
    assert [key["AttributeName"] for key in closed["KeySchema"]] == ["closed", "closed_at"]
    schedule = RESOURCES["ExpireRecordsSchedule"]["Properties"]
    assert schedule["ScheduleExpression"] == "rate(1 day)"
    assert schedule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ExpireRecordsFunction", "Arn"]}
