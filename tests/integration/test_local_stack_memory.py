"""The local stack's memory follows what its stores hold, not the work done (issue 20): moto
kept every instance of every model it ever made (``instances_tracked``), so each DynamoDB read
(a deep copy of the items it answers) and each transaction (a rollback copy of every table it
touches) stayed in memory for good."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from moto.core.common_models import BaseModel
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

from local_stack.aws import WeakInstances, in_process_aws

pytestmark = pytest.mark.integration


def _alive(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if type(o) is kind)


def test_reads_and_transactions_leave_no_copies_behind() -> None:
    with in_process_aws() as session:
        ddb: Any = session.client("dynamodb")
        ddb.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        )
        for n in range(50):
            ddb.put_item(TableName="t", Item={"k": {"S": f"item{n}"}, "v": {"N": "0"}})
        items_before, tables_before = _alive(Item), _alive(Table)

        for n in range(100):
            ddb.get_item(TableName="t", Key={"k": {"S": f"item{n % 50}"}})
            ddb.scan(TableName="t")
            ddb.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "t",
                            "Key": {"k": {"S": f"item{n % 50}"}},
                            "UpdateExpression": "SET v = v + :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    }
                ]
            )

        assert _alive(Table) == tables_before  # no rollback copy of the table survives
        assert _alive(Item) <= items_before + 10  # 100 scans copied 5,000 items: none kept
        assert ddb.get_item(TableName="t", Key={"k": {"S": "item0"}})["Item"]["v"] == {"N": "2"}


def test_what_iterates_moto_s_instances_still_sees_the_live_ones() -> None:
    class Probe(BaseModel):  # a model of this test's own, filed by moto under a service "probe"
        __module__ = "moto.probe.models"

    with in_process_aws():
        kept = [Probe() for _ in range(3)]
        dropped = Probe()
        del dropped
        gc.collect()

        tracked: Any = Probe.instances_tracked  # type: ignore[attr-defined]
        assert isinstance(tracked, WeakInstances)
        assert list(tracked) == kept


def test_a_cancelled_transaction_still_leaves_every_item_as_it_was() -> None:
    with in_process_aws() as session:
        ddb: Any = session.client("dynamodb")
        ddb.create_table(
            TableName="r",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "k", "AttributeType": "S"},
                {"AttributeName": "s", "AttributeType": "N"},
            ],
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
        )
        ddb.put_item(TableName="r", Item={"k": {"S": "a"}, "s": {"N": "1"}, "v": {"N": "1"}})
        update = {
            "TableName": "r",
            "Key": {"k": {"S": "a"}, "s": {"N": "1"}},
            "UpdateExpression": "SET v = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
        }
        new = {"TableName": "r", "Item": {"k": {"S": "a"}, "s": {"N": "2"}}}
        refused = {
            "TableName": "r",
            "Item": {"k": {"S": "b"}, "s": {"N": "1"}},
            "ConditionExpression": "attribute_exists(k)",
        }

        with pytest.raises(ddb.exceptions.TransactionCanceledException):
            ddb.transact_write_items(TransactItems=[{"Update": update}, {"Put": new}, {"Put": refused}])

        items = ddb.scan(TableName="r")["Items"]
        assert items == [{"k": {"S": "a"}, "s": {"N": "1"}, "v": {"N": "1"}}]
