"""The customers adapter on moto, with CustomersTable's shape from template.yaml: the write that
binds principals is all or nothing and never overwrites, whatever the service checked before
(two operators adding at once), and a caller is found through its role."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_stack.template import load_template
from privacy_rights.adapters.customers import Customers
from privacy_rights.core.ports import NewCustomer

pytestmark = pytest.mark.integration
ROLE = "arn:aws:iam::123456789012:role/lakeside-privacy"
SESSION = "arn:aws:sts::123456789012:assumed-role/lakeside-privacy/dana"


@pytest.fixture
def ddb() -> Iterator[Any]:
    properties = load_template()["Resources"]["CustomersTable"]["Properties"]
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="customers",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=properties["AttributeDefinitions"],
            KeySchema=properties["KeySchema"],
            GlobalSecondaryIndexes=properties["GlobalSecondaryIndexes"],
        )
        yield client


def customer(tenant_id: str, *principals: str, webhook: str | None = None) -> NewCustomer:
    return NewCustomer(
        tenant_id=tenant_id,
        name="Lakeside Movers",
        privacy_email="privacy@lakeside.example",
        instruction="ask",
        webhook_url=webhook,
        tracking_number=None,
        principal_arns=principals,
        added_at=datetime(2026, 12, 6, tzinfo=UTC),
        added_by="arn:aws:sts::123456789012:assumed-role/callx-privacy-ops/olivia",
    )


def test_an_added_role_speaks_for_its_tenant_through_its_sessions(ddb: Any) -> None:
    customers = Customers(ddb, "customers")

    assert customers.add(customer("lakeside", ROLE)) is None

    assert customers.tenant_of(SESSION) == "lakeside"
    assert customers.tenant_of(ROLE) == "lakeside"
    assert customers.tenant_of("arn:aws:sts::123456789012:assumed-role/lakeside-privacy-2/dana") is None
    assert customers.customer("lakeside")["instruction"] == "ask"
    assert [c["tenant_id"] for c in customers.all()] == ["lakeside"]  # bindings are not customers


def test_the_write_never_overwrites_a_tenant_nor_rebinds_a_principal(ddb: Any) -> None:
    customers = Customers(ddb, "customers")
    customers.add(customer("lakeside", ROLE, webhook="https://hooks.lakeside.example/x"))

    again = customers.add(
        customer("lakeside", "arn:aws:iam::123456789012:user/mallory", webhook="https://evil.example")
    )
    rebound = customers.add(customer("copycat", "arn:aws:iam::123456789012:user/eve", ROLE))

    assert again == "tenant lakeside exists; it is never overwritten"
    assert rebound == f"principal {ROLE} already speaks for a tenant"
    assert customers.get("lakeside")["webhook_url"] == "https://hooks.lakeside.example/x"
    assert customers.bound_tenant("arn:aws:iam::123456789012:user/mallory") is None
    assert customers.bound_tenant("arn:aws:iam::123456789012:user/eve") is None  # all or nothing
    assert not customers.exists("copycat")
    assert customers.tenant_of(SESSION) == "lakeside"


def test_a_principal_two_items_disagree_about_speaks_for_none(ddb: Any) -> None:
    customers = Customers(ddb, "customers")
    customers.add(customer("lakeside", ROLE))
    # an older, hand-written tenant item naming the same principal
    ddb.put_item(
        TableName="customers",
        Item={"tenant_id": {"S": "handmade"}, "name": {"S": "Handmade"}, "principal_arn": {"S": ROLE}},
    )

    assert customers.tenant_of(SESSION) is None
    assert customers.get("handmade")["principal_arns"] == [ROLE]
