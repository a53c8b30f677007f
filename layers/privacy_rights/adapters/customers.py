"""The platform's business customers (CustomersTable): name, contacts and the standing
instruction each gave for rights requests about its callers (fulfil, forward or ask), and the
IAM principals that speak for each on the customer API.

Two kinds of item share the table (key ``tenant_id``):

- a tenant: ``{tenant_id, name, privacy_email, instruction, webhook_url?, tracking_number?,
  principal_arns, added_at, added_by}``; older items written by hand (and the local stack's
  synthetic ones) carry one ``principal_arn`` instead, found through the ``by_principal`` index;
- a binding: ``{tenant_id: "principal#<arn>", bound_tenant}``, one per principal, written with its
  tenant in one transaction on condition that it does not exist: a principal speaks for one
  tenant only.

A caller whose bindings point at two tenants (a hand-written item contradicting a binding)
speaks for none.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.errors import NotFound
from privacy_rights.core.ports import NewCustomer
from privacy_rights.core.principals import PRINCIPAL_KEY_PREFIX, bindings_of_caller


def _binding_key(binding: str) -> dict[str, Any]:
    return {"tenant_id": {"S": PRINCIPAL_KEY_PREFIX + binding}}


class Customers:
    def __init__(self, client: Any, table: str) -> None:
        self._ddb = client
        self._table = table
        self.customer = lru_cache(maxsize=256)(self._customer)

    def _customer(self, tenant_id: str) -> dict[str, str]:
        item = self._ddb.get_item(TableName=self._table, Key={"tenant_id": {"S": tenant_id}}).get("Item", {})
        return {k: v["S"] for k, v in item.items() if "S" in v}

    def tenant_of(self, principal_arn: str) -> str | None:
        """The business an IAM principal speaks for, or None (none, or more than one)."""
        tenants = {
            tenant
            for binding in bindings_of_caller(principal_arn)
            for tenant in (self.bound_tenant(binding),)
            if tenant is not None
        }
        return tenants.pop() if len(tenants) == 1 else None

    # -- onboarding (ops) -------------------------------------------------------------------

    def bound_tenant(self, binding: str) -> str | None:
        """The tenant a principal is bound to: by its binding item, or by an older tenant item
        naming it (``principal_arn``); None when neither, or when they disagree."""
        tenants: set[str] = set()
        item = self._ddb.get_item(TableName=self._table, Key=_binding_key(binding), ConsistentRead=True)
        if "Item" in item:
            tenants.add(item["Item"]["bound_tenant"]["S"])
        response = self._ddb.query(
            TableName=self._table,
            IndexName="by_principal",
            KeyConditionExpression="principal_arn = :p",
            ExpressionAttributeValues={":p": {"S": binding}},
            Limit=2,
        )
        named = response.get("Items", [])
        if len(named) > 1:
            return None
        tenants |= {i["tenant_id"]["S"] for i in named}
        return tenants.pop() if len(tenants) == 1 else None

    def exists(self, tenant_id: str) -> bool:
        found = self._ddb.get_item(
            TableName=self._table,
            Key={"tenant_id": {"S": tenant_id}},
            ConsistentRead=True,
            ProjectionExpression="tenant_id",
        )
        return "Item" in found

    def add(self, customer: NewCustomer) -> str | None:
        """Writes the tenant and one binding per principal, all or nothing; None when written,
        otherwise why not (the tenant exists, or which principal is bound already)."""
        tenant: dict[str, Any] = {
            "tenant_id": {"S": customer.tenant_id},
            "name": {"S": customer.name},
            "privacy_email": {"S": customer.privacy_email},
            "instruction": {"S": customer.instruction},
            "principal_arns": {"L": [{"S": p} for p in customer.principal_arns]},
            "added_at": {"S": customer.added_at.isoformat()},
            "added_by": {"S": customer.added_by},
        }
        if customer.webhook_url:
            tenant["webhook_url"] = {"S": customer.webhook_url}
        if customer.tracking_number:
            tenant["tracking_number"] = {"S": customer.tracking_number}
        condition = "attribute_not_exists(tenant_id)"
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": tenant, "ConditionExpression": condition}}
        ]
        items += [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**_binding_key(p), "bound_tenant": {"S": customer.tenant_id}},
                    "ConditionExpression": condition,
                }
            }
            for p in customer.principal_arns
        ]
        try:
            self._ddb.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return f"tenant {customer.tenant_id} exists; it is never overwritten"
            for principal, code in zip(customer.principal_arns, reasons[1:], strict=False):
                if code == "ConditionalCheckFailed":
                    return f"principal {principal} already speaks for a tenant"
            raise
        self.customer.cache_clear()
        return None

    def get(self, tenant_id: str) -> dict[str, Any]:
        """A tenant as onboarding shows it; raises NotFound (also for a binding's key)."""
        if tenant_id.startswith(PRINCIPAL_KEY_PREFIX):
            raise NotFound(tenant_id)
        item = self._ddb.get_item(
            TableName=self._table, Key={"tenant_id": {"S": tenant_id}}, ConsistentRead=True
        ).get("Item")
        if item is None:
            raise NotFound(tenant_id)
        return _plain(item)

    def all(self) -> list[dict[str, Any]]:
        pages = self._ddb.get_paginator("scan").paginate(
            TableName=self._table,
            FilterExpression="NOT begins_with(tenant_id, :binding)",
            ExpressionAttributeValues={":binding": {"S": PRINCIPAL_KEY_PREFIX}},
        )
        return [_plain(item) for page in pages for item in page["Items"]]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A tenant item as plain values; an older item's single ``principal_arn`` joins the list."""
    plain: dict[str, Any] = {}
    for name, value in item.items():
        if "S" in value:
            plain[name] = value["S"]
        elif "L" in value:
            plain[name] = [v["S"] for v in value["L"] if "S" in v]
    principals = list(plain.get("principal_arns", []))
    if "principal_arn" in plain and plain["principal_arn"] not in principals:
        principals.append(plain.pop("principal_arn"))
    plain.pop("principal_arn", None)
    plain["principal_arns"] = principals
    return plain
