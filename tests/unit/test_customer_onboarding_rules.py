"""Onboarding a business customer in the domain: what the command accepts, how principals are
bound (roles by name, sessions found by their role), what the audit trail holds, and that a
conflict found by the registry's own write is refused and audited."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from fakes import FakeRequests
from pydantic import ValidationError

from privacy_rights.core.audit import GENESIS_HASH, AuditEntry, next_entry
from privacy_rights.core.errors import NotFound
from privacy_rights.core.ports import NewCustomer
from privacy_rights.core.principals import binding_of, bindings_of_caller
from privacy_rights.ops.customers import CUSTOMER_STREAM, AddCustomer, CustomerConflict, CustomerOnboarding

OPERATOR = "arn:aws:sts::123456789012:assumed-role/callx-privacy-ops/olivia"
ROLE = "arn:aws:iam::123456789012:role/partners/lakeside-privacy"


class MemoryRegistry:
    """The customers adapter's contract, in memory (one item per tenant, one per binding)."""

    def __init__(self, lose_race_with: str | None = None) -> None:
        self.tenants: dict[str, dict[str, Any]] = {}
        self.bindings: dict[str, str] = {}
        self._lose_race_with = lose_race_with

    def exists(self, tenant_id: str) -> bool:
        return tenant_id in self.tenants

    def bound_tenant(self, binding: str) -> str | None:
        return self.bindings.get(binding)

    def add(self, customer: NewCustomer) -> str | None:
        if self._lose_race_with is not None:  # another add wrote the principal meanwhile
            self.bindings[customer.principal_arns[0]] = self._lose_race_with
        if customer.tenant_id in self.tenants:
            return f"tenant {customer.tenant_id} exists; it is never overwritten"
        for principal in customer.principal_arns:
            if principal in self.bindings:
                return f"principal {principal} already speaks for a tenant"
        item = asdict(customer) | {"principal_arns": list(customer.principal_arns)}
        item["added_at"] = customer.added_at.isoformat()
        self.tenants[customer.tenant_id] = item
        self.bindings |= dict.fromkeys(customer.principal_arns, customer.tenant_id)
        return None

    def get(self, tenant_id: str) -> dict[str, Any]:
        if tenant_id not in self.tenants:
            raise NotFound(tenant_id)
        return dict(self.tenants[tenant_id])

    def all(self) -> list[dict[str, Any]]:
        return list(self.tenants.values())


def command(**changes: Any) -> AddCustomer:
    fields: dict[str, Any] = {
        "tenant_id": "lakeside",
        "name": "Lakeside Movers",
        "principal_arns": [ROLE],
        "privacy_email": "Privacy@Lakeside-Movers.example",
        "instruction": "ask",
        "webhook_url": "https://hooks.lakeside-movers.example/privacy",
        "reason": "contract CX-2291 signed",
    }
    return AddCustomer.model_validate(fields | changes)


def test_a_role_is_bound_by_its_name_and_its_sessions_find_it() -> None:
    assert command().principal_arns == ["arn:aws:iam::123456789012:role/lakeside-privacy"]
    session = "arn:aws:sts::123456789012:assumed-role/lakeside-privacy/dana"
    assert binding_of(ROLE) in bindings_of_caller(session)
    user = "arn:aws:iam::123456789012:user/ops/bob"
    assert binding_of(user) == user
    assert bindings_of_caller(user) == [user]


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook_url": "http://hooks.lakeside-movers.example/privacy"},
        {"webhook_url": "file:///etc/passwd"},
        {"principal_arns": []},
        {"principal_arns": ["arn:aws:sts::123456789012:assumed-role/lakeside-privacy/dana"]},
        {"principal_arns": ["arn:aws:iam::123456789012:role/*"]},
        {"principal_arns": ["arn:aws:iam::*:role/lakeside"]},
        {"principal_arns": ["arn:aws:s3:::bucket"]},
        # the same role twice, once with its path
        {"principal_arns": [ROLE, "arn:aws:iam::123456789012:role/lakeside-privacy"]},
        {"tenant_id": "principal#arn"},
        {"tenant_id": ""},
        {"name": "call jane@example.com"},  # the name goes to the audit trail
        {"privacy_email": "not an address"},
        {"instruction": "ignore"},
        {"is_admin": True},
    ],
)
def test_the_command_refuses_what_would_be_unsafe_to_bind_or_store(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        command(**changes)


def test_adding_writes_the_tenant_and_audits_it_first_without_the_contact_address() -> None:
    registry, audit = MemoryRegistry(), FakeRequests()

    customer = CustomerOnboarding(registry, audit).add(command(), OPERATOR)

    assert customer.tenant_id == "lakeside"
    assert customer.principal_arns == ["arn:aws:iam::123456789012:role/lakeside-privacy"]
    assert customer.privacy_email == "privacy@lakeside-movers.example"
    assert customer.added_by == OPERATOR
    assert registry.bindings == {"arn:aws:iam::123456789012:role/lakeside-privacy": "lakeside"}
    assert CUSTOMER_STREAM in audit.streams
    ((stream, actor, action, detail),) = audit.audit
    assert (stream, actor, action) == (CUSTOMER_STREAM, OPERATOR, "customer.added")
    assert detail["privacy_email_domain"] == "lakeside-movers.example"
    assert detail["webhook_host"] == "hooks.lakeside-movers.example"
    assert detail["principal_arns"] == customer.principal_arns
    # the real audit trail's own check: references only
    entry: AuditEntry = next_entry(CUSTOMER_STREAM, None, actor, action, detail)
    assert entry.prev_hash == GENESIS_HASH


def test_an_existing_tenant_is_refused_before_anything_is_written() -> None:
    registry, audit = MemoryRegistry(), FakeRequests()
    onboarding = CustomerOnboarding(registry, audit)
    onboarding.add(command(), OPERATOR)

    with pytest.raises(CustomerConflict) as refused:
        onboarding.add(
            command(
                principal_arns=["arn:aws:iam::123456789012:user/mallory"], webhook_url="https://evil.example"
            ),
            OPERATOR,
        )

    assert refused.value.why == "tenant lakeside exists; it is never overwritten"
    assert registry.tenants["lakeside"]["webhook_url"] == "https://hooks.lakeside-movers.example/privacy"
    assert "arn:aws:iam::123456789012:user/mallory" not in registry.bindings
    assert len(audit.audit) == 1


def test_a_principal_bound_elsewhere_is_refused_without_naming_that_tenant() -> None:
    registry, audit = MemoryRegistry(), FakeRequests()
    onboarding = CustomerOnboarding(registry, audit)
    onboarding.add(command(), OPERATOR)

    with pytest.raises(CustomerConflict) as refused:
        onboarding.add(command(tenant_id="copycat"), OPERATOR)

    assert "already speaks for another tenant" in refused.value.why
    assert "lakeside" not in refused.value.why.replace("lakeside-privacy", "")
    assert not registry.exists("copycat")


def test_a_conflict_found_by_the_write_itself_is_refused_and_audited() -> None:
    registry, audit = MemoryRegistry(lose_race_with="other"), FakeRequests()

    with pytest.raises(CustomerConflict):
        CustomerOnboarding(registry, audit).add(command(), OPERATOR)

    assert not registry.exists("lakeside")
    assert [action for _, _, action, _ in audit.audit] == ["customer.added", "customer.refused"]
