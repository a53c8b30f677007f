"""The tier deploys the template once and empties it between tests (``RunningStack.reset``,
called by tests/conftest.py after every test that had ``running``): what a reset empties, and
what it keeps, so that each test starts on the stack as just deployed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from platform_data import seed_platform

from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.businesses.webhooks import SIGNATURE_HEADER, sign
from privacy_rights.core.data_map import load_data_map
from privacy_rights.runtime.composition import Container

pytestmark = pytest.mark.integration
DATA_MAP = load_data_map()

PHONE = "+14155550123"


def _opt_out(call_api: Any, wait_for_execution: Any) -> str:
    status, _, answer = call_api(
        "POST",
        "/requests",
        {"type": "opt_out", "jurisdiction": "ccpa", "phone": PHONE, "opt_out_of": ["marketing"]},
    )
    assert status == 202, answer
    request_id = str(answer["request_id"])
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    return request_id


def _stores(running: RunningStack, kind: str) -> list[str]:
    """The service's tables (or buckets) and the platform's."""
    stack = running.stack
    resource = "AWS::DynamoDB::Table" if kind == "dynamodb" else "AWS::S3::Bucket"
    return [stack.ref(r) for r in stack.of_type(resource)] + [
        name for store, name in stack.platform_stores.items() if DATA_MAP.store(store).kind == kind
    ]


def _webhook_answer(running: RunningStack, container: Container, receiver_id: str) -> int:
    """What the local receiver answers a validly signed delivery to ``receiver_id``."""
    assert running.webhooks is not None
    body = json.dumps({"event": "test.ping"}).encode()
    current, _ = container.webhook_secrets.for_receiver(receiver_id)
    headers = {SIGNATURE_HEADER: sign(current, body, int(time.time()))}
    return running.webhooks.receive(f"https://hooks.{receiver_id}.example/x/{receiver_id}", headers, body)


def test_a_reset_empties_what_a_test_wrote_and_keeps_the_deployment(
    running: RunningStack, call_api: Any, wait_for_execution: Any, container: Container, store: RequestStore
) -> None:
    seed_platform(running, callers=1)
    request_id = _opt_out(call_api, wait_for_execution)
    ddb: Any = running.client("dynamodb")
    s3: Any = running.client("s3")
    sqs: Any = running.client("sqs")
    sfn: Any = running.client("stepfunctions")
    work = running.stack.ref("WorkBucket")
    s3.put_object(Bucket=work, Key="older/version", Body=b"first")
    s3.create_multipart_upload(Bucket=work, Key="never/finished")
    recordings = running.stack.platform_stores["recordings"]  # versioned: a delete leaves a marker
    s3.put_object(Bucket=recordings, Key="recordings/gone.wav", Body=b"RIFF")
    s3.delete_object(Bucket=recordings, Key="recordings/gone.wav")
    (source,) = running.stack.queue_sources
    sqs.send_message(QueueUrl=source.queue_url, MessageBody="{}")
    running.lambdas.inject("AcknowledgeFunction", "ConnectorTimeout")
    assert running.webhooks is not None
    running.webhooks.fail("northwind", 503)
    acme = container.customer_directory.customer("acme")
    assert acme["name"]
    tables, buckets = _stores(running, "dynamodb"), _stores(running, "s3")
    machine = running.stack.ref("RightsRequestStateMachine")
    # written, so that what follows is not true of an empty stack only
    stack = running.stack
    for table in (stack.ref("RequestsTable"), stack.ref("AuditTable"), stack.platform_stores["calls"]):
        assert ddb.scan(TableName=table, Select="COUNT")["Count"] > 0, table
    for bucket in (work, recordings):
        assert s3.list_object_versions(Bucket=bucket).get("Versions"), bucket
    assert s3.list_object_versions(Bucket=recordings).get("DeleteMarkers")
    (execution,) = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert running.outbox.messages(PHONE)
    assert running.lambdas.invocations

    running.reset()

    for table in tables:
        assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 0, table
    for bucket in buckets:
        listing = s3.list_object_versions(Bucket=bucket)
        assert listing.get("Versions", []) == listing.get("DeleteMarkers", []) == [], bucket
        assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads"), bucket
    for queue_url in sqs.list_queues()["QueueUrls"]:
        attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessages"] == "0", queue_url
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0", queue_url
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []
    # forgotten, so its name (the request id) can run again: email intake derives ids from mail
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist):
        sfn.describe_execution(executionArn=execution["executionArn"])
    assert running.outbox.messages() == []
    assert running.lambdas.faults == {}
    assert running.lambdas.invocations == []
    assert _webhook_answer(running, container, "northwind") == 200  # the queued 503 is gone

    # Kept: the deployment (tables, buckets, the state machine) and the handlers, whose
    # containers read the data again (a customer changed since is seen as it is now).
    assert {ddb.describe_table(TableName=t)["Table"]["TableStatus"] for t in tables} == {"ACTIVE"}
    seed_platform(running, callers=1)
    ddb.update_item(
        TableName=running.stack.ref("CustomersTable"),
        Key={"tenant_id": {"S": "acme"}},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": "Acme, renamed"}},
    )
    assert container.customer_directory.customer("acme")["name"] == "Acme, renamed"
    second = _opt_out(call_api, wait_for_execution)
    assert second != request_id
    assert store.get(second).status == "completed"
    assert [m for m in running.outbox.messages(PHONE) if second in m.body]
