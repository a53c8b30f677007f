"""Creates every resource of template.yaml on moto, from the template itself.

Each resource type has one creator; a type without one makes deployment fail, so a new kind
of resource in the template cannot be silently missing locally.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor

from local_stack.lambdas import FunctionSpec, InProcessLambdas
from local_stack.template import (
    ACCOUNT_ID,
    REGION,
    REPO_ROOT,
    Resolver,
    UnsupportedTemplate,
    load_template,
    parameter_values,
)

LAMBDA_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
STATES_ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


@dataclass
class Route:
    api: str
    method: str
    path: str
    function: str
    auth: str | None = None

    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{([A-Za-z0-9_]+)(?:\\\+)?\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.compile(f"^{regex}$")


@dataclass(frozen=True)
class QueueSource:
    queue_url: str
    function: str  # logical id
    batch_size: int
    reports_item_failures: bool


@dataclass(frozen=True)
class EventRule:
    """An EventBridge rule of the template: moto stores it but never delivers to Lambda, so the
    local stack does (``local_stack.events``)."""

    logical_id: str
    name: str
    arn: str
    pattern: dict[str, Any] | None
    schedule: str | None
    #: target function logical ids
    functions: tuple[str, ...]


@dataclass
class DeployedStack:
    name: str
    parameters: dict[str, Any]
    physical: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: list[Route] = field(default_factory=list)
    template: dict[str, Any] = field(default_factory=dict)
    #: the platform's stores created beside the stack: data map store name -> physical name
    platform_stores: dict[str, str] = field(default_factory=dict)
    #: the local stack's built-in identity provider (see local_stack.idp)
    idp: Any = None
    #: SQS event sources of functions: the local stack polls these queues itself
    queue_sources: list[QueueSource] = field(default_factory=list)
    #: EventBridge rules (patterns and schedules) and the functions they target
    event_rules: list[EventRule] = field(default_factory=list)
    #: the local stack's delivery of those rules' events (see local_stack.events)
    event_bus: Any = None
    #: the local stack's Athena (DuckDB over the S3 objects; see local_stack.athena)
    athena: Any = None

    def ref(self, logical_id: str) -> Any:
        return self.physical[logical_id]["Ref"]

    def attribute(self, logical_id: str, name: str) -> Any:
        return self.physical[logical_id][name]

    def of_type(self, resource_type: str) -> list[str]:
        return [k for k, v in self.template["Resources"].items() if v["Type"] == resource_type]


Creator = Callable[["StackBuilder", str, dict[str, Any]], None]
CREATORS: dict[str, Creator] = {}

#: Creation order; everything a later type references exists (or is named) by then.
ORDER = [
    "AWS::KMS::Key",
    "AWS::SecretsManager::Secret",
    "AWS::SSM::Parameter",
    "AWS::DynamoDB::Table",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::CloudWatch::Alarm",
    "AWS::SMSVOICE::ProtectConfiguration",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::SQS::QueuePolicy",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ReceiptRuleSet",
    "AWS::SES::ReceiptRule",
    "AWS::Logs::LogGroup",
    "AWS::IAM::ManagedPolicy",
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolDomain",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::IdentityPool",
    "AWS::IAM::Role",
    "AWS::Cognito::IdentityPoolRoleAttachment",
    "AWS::Serverless::LayerVersion",
    "AWS::Serverless::Api",
    "AWS::WAFv2::WebACL",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::Serverless::Function",
    "AWS::Serverless::StateMachine",
    "AWS::Events::Rule",
    "AWS::Lambda::Permission",
]


def creates(resource_type: str) -> Callable[[Creator], Creator]:
    def register(func: Creator) -> Creator:
        CREATORS[resource_type] = func
        return func

    return register


def supported_types() -> set[str]:
    return set(CREATORS)


class StackBuilder:
    def __init__(
        self,
        session: boto3.Session,
        lambdas: InProcessLambdas,
        stack_name: str = "privacy-local",
        parameter_overrides: dict[str, str] | None = None,
        template: dict[str, Any] | None = None,
    ) -> None:
        self.session = session
        self.lambdas = lambdas
        self.template = template or load_template()
        self.stack = DeployedStack(
            name=stack_name,
            parameters=parameter_values(self.template, parameter_overrides or {}),
            template=self.template,
        )
        self.resolver = Resolver(self.stack.parameters, self._lookup, stack_name, self.template)
        self._clients: dict[str, Any] = {}
        self._policy_templates = PolicyTemplatesProcessor(
            PolicyTemplatesProcessor.get_default_policy_templates_json()
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(service, region_name=REGION)  # type: ignore[call-overload]
        return self._clients[service]

    # -- naming ----------------------------------------------------------------------------

    def physical_name(self, logical_id: str, lowercase: bool = False) -> str:
        name = f"{self.stack.name}-{logical_id}"
        return name.lower() if lowercase else name

    def _predicted(self, logical_id: str) -> dict[str, Any] | None:
        """Names this builder chooses itself are known before creation, which is what lets a
        function refer to the state machine that will invoke its siblings."""
        resource_type = self.template["Resources"][logical_id]["Type"]
        if resource_type == "AWS::Serverless::StateMachine":
            given = self.template["Resources"][logical_id].get("Properties", {}).get("Name")
            name = self.resolver.resolve(given) if given else self.physical_name(logical_id)
            arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:{name}"
            return {"Ref": arn, "Arn": arn, "Name": name}
        if resource_type == "AWS::Serverless::Function":
            name = self.physical_name(logical_id)
            return {"Ref": name, "Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"}
        return None

    def _lookup(self, logical_id: str, attribute: str | None) -> Any:
        if logical_id not in self.template["Resources"]:
            raise UnsupportedTemplate(f"reference to unknown resource {logical_id}")
        known = self.stack.physical.get(logical_id) or self._predicted(logical_id)
        if known is None:
            raise UnsupportedTemplate(f"{logical_id} is referenced before it is created")
        key = attribute or "Ref"
        if key not in known:
            raise UnsupportedTemplate(f"{logical_id} has no attribute {key} locally")
        return known[key]

    # -- deployment ------------------------------------------------------------------------

    def deploy(self) -> DeployedStack:
        resources = self.template["Resources"]
        unknown = {spec["Type"] for spec in resources.values()} - set(CREATORS)
        if unknown:
            raise UnsupportedTemplate(f"the local stack cannot create {sorted(unknown)}")
        for resource_type in ORDER:
            for logical_id, spec in resources.items():
                if spec["Type"] == resource_type:
                    CREATORS[resource_type](self, logical_id, spec.get("Properties", {}))
        return self.stack

    def props(self, properties: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, Any] = self.resolver.resolve(properties)
        return resolved

    def globals_for(self, section: str) -> dict[str, Any]:
        return dict(self.template.get("Globals", {}).get(section, {}))

    def role(self, logical_id: str, assume: dict[str, Any], policies: list[Any]) -> str:
        iam = self.client("iam")
        name = self.physical_name(logical_id + "Role")[:64]
        arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(assume))["Role"]["Arn"]
        for index, policy in enumerate(policies):
            resolved = self.resolver.resolve(policy)
            if isinstance(resolved, str) and resolved.startswith("arn:"):
                iam.attach_role_policy(RoleName=name, PolicyArn=resolved)
                continue
            document = self._policy_document(policy)
            if document is not None:
                iam.put_role_policy(
                    RoleName=name, PolicyName=f"p{index}", PolicyDocument=json.dumps(document)
                )
        return arn

    def _policy_document(self, policy: Any) -> dict[str, Any] | None:
        if isinstance(policy, str):
            return None  # a managed policy by name: nothing to create locally
        if "Statement" in policy:
            return {"Version": "2012-10-17", **self.resolver.resolve(policy)}
        ((template_name, values),) = policy.items()
        expanded = self._policy_templates.convert(template_name, values)
        return {"Version": "2012-10-17", **self.resolver.resolve(expanded)}


def _zip_directory(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory).as_posix())
    return buffer.getvalue()


@creates("AWS::KMS::Key")
def _kms_key(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    kms = builder.client("kms")
    metadata = kms.create_key(
        Description=props.get("Description", logical_id), Policy=json.dumps(props["KeyPolicy"])
    )
    key_id = metadata["KeyMetadata"]["KeyId"]
    if props.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=key_id)
    builder.stack.physical[logical_id] = {
        "Ref": key_id,
        "Arn": metadata["KeyMetadata"]["Arn"],
        "KeyId": key_id,
    }


@creates("AWS::SecretsManager::Secret")
def _secret(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    sm = builder.client("secretsmanager")
    if "GenerateSecretString" in props:
        spec = props["GenerateSecretString"]
        password = sm.get_random_password(
            PasswordLength=spec.get("PasswordLength", 32),
            ExcludePunctuation=spec.get("ExcludePunctuation", False),
        )["RandomPassword"]
        if "SecretStringTemplate" in spec:
            document = json.loads(spec["SecretStringTemplate"])
            document[spec["GenerateStringKey"]] = password
            secret_string = json.dumps(document)
        else:
            secret_string = password
    else:
        secret_string = props["SecretString"]
    created = sm.create_secret(
        Name=props.get("Name", builder.physical_name(logical_id)),
        SecretString=secret_string,
        KmsKeyId=props.get("KmsKeyId", ""),
        Description=props.get("Description", ""),
    )
    builder.stack.physical[logical_id] = {
        "Ref": created["ARN"],
        "Arn": created["ARN"],
        "Name": created["Name"],
    }


@creates("AWS::SSM::Parameter")
def _ssm_parameter(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    name = props.get("Name", "/" + builder.physical_name(logical_id))
    builder.client("ssm").put_parameter(Name=name, Value=props["Value"], Type=props.get("Type", "String"))
    builder.stack.physical[logical_id] = {
        "Ref": name,
        "Type": props.get("Type", "String"),
        "Value": props["Value"],
    }


@creates("AWS::DynamoDB::Table")
def _table(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    ddb = builder.client("dynamodb")
    name = props.get("TableName", builder.physical_name(logical_id))
    kwargs: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes", "StreamSpecification"):
        if key in props:
            kwargs[key] = props[key]
    if "SSESpecification" in props:
        sse = props["SSESpecification"]
        kwargs["SSESpecification"] = (
            {"Enabled": bool(sse.get("SSEEnabled"))}
            | ({"SSEType": sse["SSEType"]} if "SSEType" in sse else {})
            | ({"KMSMasterKeyId": sse["KMSMasterKeyId"]} if "KMSMasterKeyId" in sse else {})
        )
    if "DeletionProtectionEnabled" in props:
        kwargs["DeletionProtectionEnabled"] = bool(props["DeletionProtectionEnabled"])
    table = ddb.create_table(**kwargs)["TableDescription"]
    if "TimeToLiveSpecification" in props:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
    pitr = props.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    builder.stack.physical[logical_id] = {
        "Ref": name,
        "Arn": table["TableArn"],
        "StreamArn": table.get("LatestStreamArn", ""),
    }


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape to the S3 API's."""
    converted: dict[str, Any] = {"ID": rule.get("Id", "rule"), "Status": rule["Status"]}
    converted["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        converted["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        converted["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": int(rule["NoncurrentVersionExpiration"]["NoncurrentDays"])
        }
    if "AbortIncompleteMultipartUpload" in rule:
        converted["AbortIncompleteMultipartUpload"] = {
            "DaysAfterInitiation": int(rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"])
        }
    return converted


@creates("AWS::S3::Bucket")
def _bucket(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    s3 = builder.client("s3")
    name = props.get("BucketName", builder.physical_name(logical_id, lowercase=True))
    s3.create_bucket(Bucket=name)
    if "BucketEncryption" in props:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                        **(
                            {"BucketKeyEnabled": rule["BucketKeyEnabled"]}
                            if "BucketKeyEnabled" in rule
                            else {}
                        ),
                    }
                    for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
    if "CorsConfiguration" in props:
        # CloudFormation's names for three of the S3 API's fields differ.
        renamed = {"MaxAge": "MaxAgeSeconds", "ExposedHeaders": "ExposeHeaders", "Id": "ID"}
        cors = [
            {renamed.get(k, k): v for k, v in rule.items()}
            for rule in props["CorsConfiguration"]["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors})
    if "LifecycleConfiguration" in props:
        rules = [_lifecycle_rule(rule) for rule in props["LifecycleConfiguration"]["Rules"]]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    builder.stack.physical[logical_id] = {
        "Ref": name,
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
    }
    if "NotificationConfiguration" in props:
        s3.put_bucket_notification_configuration(
            Bucket=name, NotificationConfiguration=_notification(props["NotificationConfiguration"])
        )


def _notification(configuration: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's shape of a bucket notification, in the S3 API's."""
    unsupported = set(configuration) - {"QueueConfigurations"}
    if unsupported:
        raise UnsupportedTemplate(f"bucket notifications of kinds {sorted(unsupported)}")

    def queue(entry: dict[str, Any]) -> dict[str, Any]:
        converted: dict[str, Any] = {"QueueArn": entry["Queue"], "Events": [entry["Event"]]}
        if "Filter" in entry:
            rules = entry["Filter"]["S3Key"]["Rules"]
            converted["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        return converted

    return {"QueueConfigurations": [queue(entry) for entry in configuration["QueueConfigurations"]]}


@creates("AWS::Glue::Database")
def _glue_database(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    database = props["DatabaseInput"]
    builder.client("glue").create_database(DatabaseInput=database)
    builder.stack.physical[logical_id] = {"Ref": database["Name"]}


@creates("AWS::Glue::Table")
def _glue_table(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """The catalog entry the local Athena (local_stack.athena) reads: location, columns, partition keys."""
    props = builder.props(properties)
    table = props["TableInput"]
    builder.client("glue").create_table(DatabaseName=props["DatabaseName"], TableInput=table)
    builder.stack.physical[logical_id] = {"Ref": table["Name"]}


@creates("AWS::Athena::WorkGroup")
def _athena_workgroup(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    configuration = props.get("WorkGroupConfiguration", {})
    builder.client("athena").create_work_group(
        Name=props["Name"],
        Description=props.get("Description", ""),
        Configuration={
            "ResultConfiguration": {
                "OutputLocation": configuration.get("ResultConfiguration", {}).get("OutputLocation", "")
            },
            "EnforceWorkGroupConfiguration": bool(configuration.get("EnforceWorkGroupConfiguration", False)),
        },
    )
    builder.stack.physical[logical_id] = {"Ref": props["Name"]}


@creates("AWS::SQS::Queue")
def _queue(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    sqs = builder.client("sqs")
    name = props.get("QueueName", builder.physical_name(logical_id))
    attributes = {
        key: json.dumps(value)
        if isinstance(value, dict)
        else str(value).lower()
        if isinstance(value, bool)
        else str(value)
        for key, value in props.items()
        if key
        in (
            "VisibilityTimeout",
            "MessageRetentionPeriod",
            "RedrivePolicy",
            "SqsManagedSseEnabled",
            "DelaySeconds",
            "ReceiveMessageWaitTimeSeconds",
            "MaximumMessageSize",
        )
    }
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    builder.stack.physical[logical_id] = {"Ref": url, "Arn": arn, "QueueName": name, "QueueUrl": url}


@creates("AWS::SQS::QueuePolicy")
def _queue_policy(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    for url in props["Queues"]:
        builder.client("sqs").set_queue_attributes(
            QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])}
        )
    builder.stack.physical[logical_id] = {"Ref": logical_id}


@creates("AWS::SNS::Topic")
def _topic(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    sns = builder.client("sns")
    attributes = {"DisplayName": props["DisplayName"]} if "DisplayName" in props else {}
    if "KmsMasterKeyId" in props:
        attributes["KmsMasterKeyId"] = props["KmsMasterKeyId"]
    arn = sns.create_topic(Name=builder.physical_name(logical_id), Attributes=attributes)["TopicArn"]
    for subscription in props.get("Subscription", []):
        sns.subscribe(TopicArn=arn, Protocol=subscription["Protocol"], Endpoint=subscription["Endpoint"])
    builder.stack.physical[logical_id] = {"Ref": arn, "TopicName": arn.rsplit(":", 1)[-1]}


@creates("AWS::CloudWatch::Alarm")
def _alarm(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    name = props.get("AlarmName", builder.physical_name(logical_id))
    builder.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        AlarmDescription=props.get("AlarmDescription", ""),
        Namespace=props["Namespace"],
        MetricName=props["MetricName"],
        Dimensions=props.get("Dimensions", []),
        Statistic=props["Statistic"],
        Period=int(props["Period"]),
        EvaluationPeriods=int(props["EvaluationPeriods"]),
        Threshold=float(props["Threshold"]),
        ComparisonOperator=props["ComparisonOperator"],
        TreatMissingData=props.get("TreatMissingData", "missing"),
        AlarmActions=props.get("AlarmActions", []),
        OKActions=props.get("OKActions", []),
    )
    builder.stack.physical[logical_id] = {
        "Ref": name,
        "Arn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT_ID}:alarm:{name}",
    }


PROTECT_STATUSES = frozenset({"ALLOW", "BLOCK", "MONITOR", "FILTER"})


@creates("AWS::SMSVOICE::ProtectConfiguration")
def _protect_configuration(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """moto has no End User Messaging (SMS and voice v2): nothing to create. The country rules
    are checked as CloudFormation would (ISO codes, known statuses, one rule per country and
    capability) and kept on the deployed stack; locally the service's own guard
    (``privacy_rights.messaging.phone_messaging``) is what refuses other countries."""
    props = builder.props(properties)
    rules: dict[str, dict[str, str]] = {}
    for capability, entries in props.get("CountryRuleSet", {}).items():
        if capability not in ("SMS", "VOICE", "MMS"):
            raise UnsupportedTemplate(f"{logical_id}: unknown capability {capability}")
        found = rules.setdefault(capability, {})
        for entry in entries:
            code, status = entry["CountryCode"], entry["ProtectStatus"]
            if not re.fullmatch(r"[A-Z]{2}", str(code)) or status not in PROTECT_STATUSES:
                raise UnsupportedTemplate(f"{logical_id}: bad country rule {entry}")
            if code in found:
                raise UnsupportedTemplate(f"{logical_id}: two {capability} rules for {code}")
            found[code] = status
    configuration_id = "protect-" + builder.physical_name(logical_id, lowercase=True)
    builder.stack.physical[logical_id] = {
        "Ref": configuration_id,
        "ProtectConfigurationId": configuration_id,
        "Arn": f"arn:aws:sms-voice:{REGION}:{ACCOUNT_ID}:protect-configuration/{configuration_id}",
        "CountryRuleSet": rules,
    }


@creates("AWS::SES::ReceiptRuleSet")
def _rule_set(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    name = props.get("RuleSetName", builder.physical_name(logical_id))
    ses = builder.client("ses")
    ses.create_receipt_rule_set(RuleSetName=name)
    # On AWS this is a step after deploying (see the template); locally it is part of it.
    ses.set_active_receipt_rule_set(RuleSetName=name)
    builder.stack.physical[logical_id] = {"Ref": name}


@creates("AWS::SES::ReceiptRule")
def _receipt_rule(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    builder.client("ses").create_receipt_rule(RuleSetName=props["RuleSetName"], Rule=props["Rule"])
    builder.stack.physical[logical_id] = {"Ref": props["Rule"]["Name"]}


@creates("AWS::S3::BucketPolicy")
def _bucket_policy(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    builder.client("s3").put_bucket_policy(
        Bucket=props["Bucket"], Policy=json.dumps(_as_moto_evaluates(props["PolicyDocument"]))
    )
    builder.stack.physical[logical_id] = {"Ref": logical_id}


def _as_moto_evaluates(document: dict[str, Any]) -> dict[str, Any]:
    """moto ignores policy conditions, so a conditional Deny (e.g. TLS only) would deny every
    request; locally such statements are left out (the deployed bucket keeps them)."""
    statements = [
        statement
        for statement in document["Statement"]
        if not (statement.get("Effect") == "Deny" and "Condition" in statement)
    ]
    return {**document, "Statement": statements}


@creates("AWS::SES::ConfigurationSet")
def _configuration_set(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """The notices' configuration set (moto keeps it; it publishes no metrics)."""
    props = builder.props(properties)
    name = props.get("Name", builder.physical_name(logical_id))
    builder.client("ses").create_configuration_set(ConfigurationSet={"Name": name})
    builder.stack.physical[logical_id] = {"Ref": name}


@creates("AWS::SES::ConfigurationSetEventDestination")
def _configuration_set_destination(
    builder: StackBuilder, logical_id: str, properties: dict[str, Any]
) -> None:
    props = builder.props(properties)
    destination = props["EventDestination"]
    builder.client("ses").create_configuration_set_event_destination(
        ConfigurationSetName=props["ConfigurationSetName"],
        EventDestination={
            "Name": destination["Name"],
            "Enabled": destination.get("Enabled", True),
            "MatchingEventTypes": destination["MatchingEventTypes"],
            "CloudWatchDestination": destination["CloudWatchDestination"],
        },
    )
    builder.stack.physical[logical_id] = {"Ref": destination["Name"]}


@creates("AWS::SES::EmailIdentity")
def _email_identity(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    identity = props["EmailIdentity"]
    builder.client("sesv2").create_email_identity(EmailIdentity=identity)
    builder.stack.physical[logical_id] = {"Ref": identity}


@creates("AWS::IAM::ManagedPolicy")
def _managed_policy(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    created = builder.client("iam").create_policy(
        PolicyName=builder.physical_name(logical_id),
        PolicyDocument=json.dumps(props["PolicyDocument"]),
        Description=props.get("Description", ""),
    )
    builder.stack.physical[logical_id] = {
        "Ref": created["Policy"]["Arn"],
        "PolicyArn": created["Policy"]["Arn"],
    }


@creates("AWS::IAM::Role")
def _iam_role(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """A role of the template's own (a function whose role must have a known name)."""
    props = builder.props(properties)
    iam = builder.client("iam")
    name = props.get("RoleName", builder.physical_name(logical_id)[:64])
    arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(props["AssumeRolePolicyDocument"])
    )["Role"]["Arn"]
    for policy_arn in props.get("ManagedPolicyArns", []):
        if ":aws:policy/" not in policy_arn:  # AWS's own policies do not exist in moto's IAM
            iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    for policy in props.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
    builder.stack.physical[logical_id] = {"Ref": name, "Arn": arn}


# -- the ops console's sign-in (issue 18): made as on AWS, used only there (locally the console's
# operator name stands in, as for privacy-ops) --------------------------------------------------


@creates("AWS::Cognito::UserPool")
def _user_pool(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    pool = builder.client("cognito-idp").create_user_pool(
        PoolName=props["UserPoolName"],
        UsernameAttributes=props.get("UsernameAttributes", []),
        AutoVerifiedAttributes=props.get("AutoVerifiedAttributes", []),
        AdminCreateUserConfig=props.get("AdminCreateUserConfig", {}),
        Policies=props.get("Policies", {}),
    )["UserPool"]
    provider = f"cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
    builder.stack.physical[logical_id] = {"Ref": pool["Id"], "Arn": pool["Arn"], "ProviderName": provider}


@creates("AWS::Cognito::UserPoolDomain")
def _user_pool_domain(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    builder.client("cognito-idp").create_user_pool_domain(
        Domain=props["Domain"], UserPoolId=props["UserPoolId"]
    )
    builder.stack.physical[logical_id] = {"Ref": props["Domain"]}


@creates("AWS::Cognito::UserPoolClient")
def _user_pool_client(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    keys = ("AllowedOAuthFlowsUserPoolClient", "AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs",
            "LogoutURLs", "SupportedIdentityProviders", "ExplicitAuthFlows")  # fmt: skip
    client = builder.client("cognito-idp").create_user_pool_client(
        UserPoolId=props["UserPoolId"],
        ClientName=props.get("ClientName", logical_id),
        GenerateSecret=bool(props.get("GenerateSecret", False)),
        **{key: props[key] for key in keys if key in props},
    )["UserPoolClient"]
    builder.stack.physical[logical_id] = {"Ref": client["ClientId"]}


@creates("AWS::Cognito::IdentityPool")
def _identity_pool(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    pool = builder.client("cognito-identity").create_identity_pool(
        IdentityPoolName=props["IdentityPoolName"],
        AllowUnauthenticatedIdentities=bool(props.get("AllowUnauthenticatedIdentities", False)),
        AllowClassicFlow=bool(props.get("AllowClassicFlow", False)),
        CognitoIdentityProviders=props.get("CognitoIdentityProviders", []),
    )
    builder.stack.physical[logical_id] = {"Ref": pool["IdentityPoolId"]}


@creates("AWS::Cognito::IdentityPoolRoleAttachment")
def _identity_pool_roles(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """moto 5.2 has no SetIdentityPoolRoles: the attachment is checked (the pool and the role
    exist) and kept in the stack's record, which is all the local stack needs of it."""
    props = builder.props(properties)
    builder.client("cognito-identity").describe_identity_pool(IdentityPoolId=props["IdentityPoolId"])
    for arn in props["Roles"].values():
        builder.client("iam").get_role(RoleName=arn.rsplit("/", 1)[-1])
    builder.stack.physical[logical_id] = {"Ref": props["IdentityPoolId"], "Roles": props["Roles"]}


@creates("AWS::Logs::LogGroup")
def _log_group(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    name = props.get("LogGroupName", "/local/" + builder.physical_name(logical_id))
    logs = builder.client("logs")
    logs.create_log_group(
        logGroupName=name, **({"kmsKeyId": props["KmsKeyId"]} if "KmsKeyId" in props else {})
    )
    if "RetentionInDays" in props:
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(props["RetentionInDays"]))
    builder.stack.physical[logical_id] = {
        "Ref": name,
        "Arn": f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{name}:*",
    }


@creates("AWS::Serverless::LayerVersion")
def _layer(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    content = REPO_ROOT / props["ContentUri"]
    published = builder.client("lambda").publish_layer_version(
        LayerName=props.get("LayerName", builder.physical_name(logical_id)),
        Description=props.get("Description", ""),
        Content={"ZipFile": _zip_directory(content)},
        CompatibleRuntimes=props.get("CompatibleRuntimes", []),
    )
    builder.stack.physical[logical_id] = {
        "Ref": published["LayerVersionArn"],
        "Arn": published["LayerVersionArn"],
    }


@creates("AWS::Serverless::Function")
def _function(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    defaults = builder.globals_for("Function")
    merged = {**defaults, **properties}
    environment = {
        **defaults.get("Environment", {}).get("Variables", {}),
        **properties.get("Environment", {}).get("Variables", {}),
    }
    merged["Environment"] = {"Variables": environment}
    props = builder.props(merged)
    predicted = builder._predicted(logical_id)
    assert predicted is not None
    name = predicted["Ref"]
    role = (
        props["Role"]
        if "Role" in props
        else builder.role(logical_id, LAMBDA_ASSUME, props.get("Policies", []))
    )
    code_dir = REPO_ROOT / props["CodeUri"]
    variables = {k: str(v) for k, v in props["Environment"]["Variables"].items()}
    created = builder.client("lambda").create_function(
        FunctionName=name,
        Runtime=props["Runtime"],
        Role=role,
        Handler=props["Handler"],
        Code={"ZipFile": _zip_directory(code_dir)},
        Description=props.get("Description", ""),
        Timeout=int(props.get("Timeout", 3)),
        MemorySize=int(props.get("MemorySize", 128)),
        Environment={"Variables": variables},
        Layers=props.get("Layers", []),
        Architectures=props.get("Architectures", ["x86_64"]),
        TracingConfig={"Mode": props.get("Tracing", "PassThrough")},
    )
    builder.stack.physical[logical_id] = {"Ref": name, "Arn": created["FunctionArn"]}
    builder.lambdas.register(
        FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=created["FunctionArn"],
            code_dir=code_dir,
            handler=props["Handler"],
            environment=variables,
            timeout_seconds=int(props.get("Timeout", 3)),
            memory_mb=int(props.get("MemorySize", 128)),
        )
    )
    for event in properties.get("Events", {}).values():
        if event["Type"] == "SQS":
            spec = builder.props(event["Properties"])
            queue_url = next(
                v["Ref"] for v in builder.stack.physical.values() if v.get("Arn") == spec["Queue"]
            )
            builder.stack.queue_sources.append(
                QueueSource(
                    queue_url=queue_url,
                    function=logical_id,
                    batch_size=int(spec.get("BatchSize", 10)),
                    reports_item_failures="ReportBatchItemFailures" in spec.get("FunctionResponseTypes", []),
                )
            )
        elif event["Type"] == "Api":
            spec = event["Properties"]
            # The API's logical id, not its resolved id: stage and authorizer hang off the resource.
            api = spec.get("RestApiId", {"Ref": "ServerlessRestApi"})["Ref"]
            builder.stack.routes.append(
                Route(
                    api=api,
                    method=spec["Method"].upper(),
                    path=spec["Path"],
                    function=logical_id,
                    auth=(spec.get("Auth") or {}).get("Authorizer")
                    or builder.stack.physical.get(api, {}).get("_auth"),
                )
            )


def definition_with_substitutions(builder: StackBuilder, properties: dict[str, Any]) -> str:
    text = (REPO_ROOT / properties["DefinitionUri"]).read_text()
    substitutions = builder.props(properties.get("DefinitionSubstitutions", {}))
    for key, value in substitutions.items():
        text = text.replace("${" + key + "}", str(value))
    leftover = re.findall(r"\$\{([A-Za-z0-9_]+)\}", text)
    if leftover:
        raise UnsupportedTemplate(f"definition placeholders without a substitution: {sorted(set(leftover))}")
    return text


@creates("AWS::Serverless::StateMachine")
def _state_machine(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    definition = definition_with_substitutions(builder, properties)
    props = builder.props({k: v for k, v in properties.items() if k not in ("DefinitionSubstitutions",)})
    predicted = builder._predicted(logical_id)
    assert predicted is not None
    role = builder.role(logical_id, STATES_ASSUME, props.get("Policies", []))
    created = builder.client("stepfunctions").create_state_machine(
        name=predicted["Name"], definition=definition, roleArn=role, type=props.get("Type", "STANDARD")
    )
    if created["stateMachineArn"] != predicted["Arn"]:
        raise UnsupportedTemplate(
            f"state machine ARN {created['stateMachineArn']} differs from the predicted one"
        )
    builder.stack.physical[logical_id] = predicted


@creates("AWS::Serverless::Api")
def _api(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    apigateway = builder.client("apigateway")
    api = apigateway.create_rest_api(name=builder.physical_name(logical_id), description="local")
    builder.stack.physical[logical_id] = {
        "Ref": api["id"],
        "RootResourceId": api["rootResourceId"],
        "Stage": props.get("StageName", "Prod"),
        "_stage": props.get("StageName", "Prod"),
        "_auth": (props.get("Auth") or {}).get("DefaultAuthorizer"),
    }


@creates("AWS::WAFv2::WebACL")
def _web_acl(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """Created in moto (which checks its shape); the local API does not apply it: the intake's
    own per-address limit is what holds locally."""
    props = builder.props(properties)
    created = builder.client("wafv2").create_web_acl(
        Name=builder.physical_name(logical_id),
        Scope=props["Scope"],
        DefaultAction=props["DefaultAction"],
        Description=props.get("Description", ""),
        Rules=props.get("Rules", []),
        VisibilityConfig=props["VisibilityConfig"],
    )["Summary"]
    builder.stack.physical[logical_id] = {"Ref": created["Id"], "Arn": created["ARN"], "Id": created["Id"]}


@creates("AWS::WAFv2::WebACLAssociation")
def _web_acl_association(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """Resolved (so a reference that does not exist fails here) but not made: moto's API
    Gateway holds no stage of the local API to associate with."""
    props = builder.props(properties)
    builder.stack.physical[logical_id] = {"Ref": f"{props['WebACLArn']}|{props['ResourceArn']}"}


@creates("AWS::Events::Rule")
def _event_rule(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    """Stored in moto (which checks the pattern and the schedule); every target must be a
    function of the template, which the local stack invokes itself."""
    props = builder.props(properties)
    events = builder.client("events")
    name = props.get("Name", builder.physical_name(logical_id))
    rule: dict[str, Any] = {"Name": name, "State": props.get("State", "ENABLED")}
    if "EventPattern" in props:
        rule["EventPattern"] = json.dumps(props["EventPattern"])
    if "ScheduleExpression" in props:
        rule["ScheduleExpression"] = props["ScheduleExpression"]
    if "Description" in props:
        rule["Description"] = props["Description"]
    arn = events.put_rule(**rule)["RuleArn"]
    targets = props.get("Targets", [])
    functions = []
    for target in targets:
        spec = builder.lambdas.spec(target["Arn"]) if ":function:" in target["Arn"] else None
        if spec is None:
            raise UnsupportedTemplate(f"{logical_id}: only Lambda targets are delivered locally")
        functions.append(spec.logical_id)
    if targets:
        events.put_targets(
            Rule=name,
            Targets=[
                {k: v for k, v in t.items() if k in ("Id", "Arn", "Input", "RetryPolicy")} for t in targets
            ],
        )
    builder.stack.event_rules.append(
        EventRule(
            logical_id=logical_id,
            name=name,
            arn=arn,
            pattern=props.get("EventPattern"),
            schedule=props.get("ScheduleExpression"),
            functions=tuple(functions) if props.get("State", "ENABLED") == "ENABLED" else (),
        )
    )
    builder.stack.physical[logical_id] = {"Ref": name, "Arn": arn}


@creates("AWS::Lambda::Permission")
def _lambda_permission(builder: StackBuilder, logical_id: str, properties: dict[str, Any]) -> None:
    props = builder.props(properties)
    permission = {
        "FunctionName": props["FunctionName"],
        "StatementId": logical_id,
        "Action": props["Action"],
        "Principal": props["Principal"],
    }
    if "SourceArn" in props:
        permission["SourceArn"] = props["SourceArn"]
    builder.client("lambda").add_permission(**permission)
    builder.stack.physical[logical_id] = {"Ref": logical_id}
