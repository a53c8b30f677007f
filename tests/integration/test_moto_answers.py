"""The local stack's shortcuts in moto (``local_stack.aws.response_keys_found_once``, ``s3_urls_read_once``)
changes how fast moto answers, never what: the same calls answer the same with moto's own
alias lookup."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from moto.core.serialize import XFormedAttributePicker

from local_stack.aws import in_process_aws

pytestmark = pytest.mark.integration

DEFINITION = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"n": 1}, "End": True}}}


def _answers(session: Any) -> list[Callable[[], Any]]:
    ddb, sfn, sqs, ssm = (session.client(s) for s in ("dynamodb", "stepfunctions", "sqs", "ssm"))
    ddb.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "k", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    item = {
        "k": {"S": "a"},
        "g": {"S": "x"},
        "n": {"N": "1.50"},
        "b": {"B": b"\x00\xffbytes"},
        "l": {"L": [{"S": "one"}, {"N": "2"}, {"NULL": True}, {"BOOL": False}]},
        "m": {"M": {"nested": {"SS": ["p", "q"]}, "bs": {"BS": [b"\x01", b"\x02"]}}},
    }
    ddb.put_item(TableName="t", Item=item)
    machine = sfn.create_state_machine(
        name="m", definition=json.dumps(DEFINITION), roleArn="arn:aws:iam::123456789012:role/r"
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="e1", input="{}")["executionArn"]
    queue = sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
    ssm.put_parameter(Name="/p", Value="v", Type="SecureString")
    return [
        lambda: ddb.describe_table(TableName="t")["Table"] | {"CreationDateTime": None},
        lambda: ddb.get_item(TableName="t", Key={"k": {"S": "a"}}),
        lambda: ddb.query(
            TableName="t",
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "x"}},
        ),
        lambda: ddb.scan(TableName="t", ReturnConsumedCapacity="TOTAL"),
        lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": {"k": {"S": "a"}}}}]),
        lambda: sfn.describe_state_machine(stateMachineArn=machine),
        lambda: sfn.describe_execution(executionArn=execution),
        lambda: sfn.get_execution_history(executionArn=execution),
        lambda: sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"]),
        lambda: ssm.get_parameter(Name="/p", WithDecryption=True)["Parameter"] | {"LastModifiedDate": None},
    ]


def _without_metadata(answer: Any) -> Any:
    return (
        {k: v for k, v in answer.items() if k != "ResponseMetadata"} if isinstance(answer, dict) else answer
    )


def test_every_answer_is_the_one_moto_gives_without_the_shortcut() -> None:
    moto_s_own = XFormedAttributePicker.get_possible_keys
    with in_process_aws() as session:
        assert XFormedAttributePicker.get_possible_keys is not moto_s_own  # the shortcut is on
        calls = _answers(session)
        shortcut = [_without_metadata(call()) for call in calls]
        with mock.patch.object(XFormedAttributePicker, "get_possible_keys", moto_s_own):
            plain = [_without_metadata(call()) for call in calls]

    assert shortcut == plain
    assert shortcut[1]["Item"]["b"] == {"B": b"\x00\xffbytes"}


def test_s3_answers_every_kind_of_address_without_reloading_its_urls() -> None:
    """``s3_urls_read_once``: moto's S3 still routes bucket, object and versioned calls (paths
    and the virtual host style botocore may use), and no request reloads its urls module."""
    import importlib

    import moto.s3.models

    with (
        in_process_aws() as session,
        mock.patch.object(moto.s3.models, "reload", wraps=importlib.reload) as reload,
    ):
        s3 = session.client("s3")
        s3.create_bucket(Bucket="answers")
        s3.put_bucket_versioning(Bucket="answers", VersioningConfiguration={"Status": "Enabled"})
        first = s3.put_object(Bucket="answers", Key="dt=2026-01-01/part-0.parquet", Body=b"one")
        s3.put_object(Bucket="answers", Key="dt=2026-01-01/part-0.parquet", Body=b"two")
        assert s3.get_object(Bucket="answers", Key="dt=2026-01-01/part-0.parquet")["Body"].read() == b"two"
        old = s3.get_object(
            Bucket="answers", Key="dt=2026-01-01/part-0.parquet", VersionId=first["VersionId"]
        )
        assert old["Body"].read() == b"one"
        listed = s3.list_object_versions(Bucket="answers", Prefix="dt=")["Versions"]
        assert len(listed) == 2
        assert reload.call_count == 0


def test_a_response_class_is_listed_once() -> None:
    """``action_names_listed_once``: twenty DynamoDB calls list the handler class's methods at
    most once, and each is answered."""
    import inspect

    with (
        in_process_aws() as session,
        mock.patch.object(inspect, "getmembers", wraps=inspect.getmembers) as listing,
    ):
        ddb = session.client("dynamodb")
        answers = [ddb.list_tables()["TableNames"] for _ in range(20)]
        assert answers == [[]] * 20
        assert listing.call_count <= 1


def test_an_object_stored_directly_reads_back_as_one_put_through_s3() -> None:
    """``put_stored_object`` (the seeder's shortcut into moto's store): GetObject, HeadObject and
    ListObjectVersions answer for it as for the same object put with PutObject, in a versioned,
    encrypted bucket, a new version each time."""
    from local_stack.aws import put_stored_object

    with in_process_aws() as session:
        s3 = session.client("s3")
        s3.create_bucket(Bucket="seeded")
        s3.put_bucket_versioning(Bucket="seeded", VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_encryption(
            Bucket="seeded",
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        body, kind, metadata = b"PAR1 rows PAR1", "application/vnd.apache.parquet", {"channels": "2"}
        s3.put_object(Bucket="seeded", Key="put", Body=body, ContentType=kind, Metadata=metadata)
        put_stored_object("seeded", "stored", body, kind, metadata)
        put_stored_object("seeded", "stored", body + b"!", kind, metadata)

        def answer(key: str) -> dict[str, Any]:
            head = s3.head_object(Bucket="seeded", Key=key)
            got = s3.get_object(Bucket="seeded", Key=key, VersionId=head["VersionId"])
            fields = ("ContentType", "ContentLength", "ETag", "Metadata", "ServerSideEncryption")
            return {f: head.get(f) for f in fields} | {"Body": got["Body"].read(), "get": got["ETag"]}

        versions = s3.list_object_versions(Bucket="seeded", Prefix="stored")["Versions"]
        assert len({v["VersionId"] for v in versions}) == len(versions) == 2
        latest = answer("stored")
        assert latest["Body"] == body + b"!"
        older = s3.get_object(Bucket="seeded", Key="stored", VersionId=versions[1]["VersionId"])
        assert older["Body"].read() == body
        put_stored_object("seeded", "stored", body, kind, metadata)
        assert answer("stored") == answer("put")
        assert answer("put")["ServerSideEncryption"] == "AES256"
