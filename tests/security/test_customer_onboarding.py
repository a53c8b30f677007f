"""Binding an IAM principal to a business customer is a proof of identity for the customer API
(it answers a principal about that business's requests, and hands it the business's webhook
signing secret). The attacks: onboarding without being an operator, claiming a principal that
already speaks for another business, and overwriting an existing business (its contact, webhook
or principals) by adding it again. Each is refused and changes nothing the customer API sees.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from harness import Answer, Http, Service

pytestmark = pytest.mark.security

ACCOUNT = "123456789012"
#: the synthetic platform's tenant and the principal its privacy team signs with (seeded by hand)
SEEDED_TENANT = "acme"
SEEDED_PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:user/customer-acme"


def _fresh(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _customer(
    tenant_id: str, *principals: str, webhook: str = "https://hooks.example.net/privacy"
) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "name": "Lakeside Movers",
        "principal_arns": list(principals),
        "privacy_email": "privacy@lakeside-movers.example",
        "instruction": "ask",
        "webhook_url": webhook,
        "reason": "contract CX-2291 signed",
    }


def _as_customer(service: Service, principal: str) -> Answer:
    """What the customer API tells ``principal`` about the business it speaks for."""
    return Http(service.api_url).call("GET", "/customer/webhook", headers={"X-Local-Operator": principal})


def test_a_role_bound_by_onboarding_speaks_for_its_business_on_the_customer_api(service: Service) -> None:
    tenant, role = _fresh("lakeside"), _fresh("lakeside-privacy")
    role_arn = f"arn:aws:iam::{ACCOUNT}:role/partners/{role}"

    added = service.ops("POST", "/ops/customers", _customer(tenant, role_arn))

    assert added.status == 201, added
    assert added.body["principal_arns"] == [f"arn:aws:iam::{ACCOUNT}:role/{role}"]  # bound by name
    session = _as_customer(service, f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/dana")
    assert session.status == 200, session
    assert session.body["tenant_id"] == tenant
    assert session.body["url"] == "https://hooks.example.net/privacy"


@pytest.mark.parametrize(
    "caller",
    [
        f"arn:aws:iam::{ACCOUNT}:user/mallory",
        SEEDED_PRINCIPAL,  # a business's own principal onboarding another business
        f"arn:aws:sts::{ACCOUNT}:assumed-role/callx-privacy-ops-readonly/mallory",
    ],
)
def test_only_the_operations_role_can_onboard_a_customer(service: Service, caller: str) -> None:
    tenant = _fresh("rogue")
    mine = f"arn:aws:iam::{ACCOUNT}:user/{_fresh('mallory')}"

    answer = Http(service.api_url).call(
        "POST", "/ops/customers", _customer(tenant, mine), headers={"X-Local-Operator": caller}
    )

    assert answer.status == 403, answer
    assert service.ops("GET", f"/ops/customers/{tenant}").status == 404
    assert _as_customer(service, mine).status == 403


def test_a_principal_bound_to_one_business_cannot_be_claimed_by_another(service: Service) -> None:
    first, second = _fresh("first"), _fresh("second")
    principal = f"arn:aws:iam::{ACCOUNT}:role/{_fresh('shared')}"
    assert service.ops("POST", "/ops/customers", _customer(first, principal)).status == 201

    claimed = service.ops(
        "POST", "/ops/customers", _customer(second, f"arn:aws:iam::{ACCOUNT}:user/{_fresh('x')}", principal)
    )

    assert claimed.status == 409, claimed
    assert "already speaks for another tenant" in claimed.body["why"]
    assert first not in claimed.body["why"]  # the refusal names no other business
    assert service.ops("GET", f"/ops/customers/{second}").status == 404  # all or nothing
    session = principal.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/dana"
    assert _as_customer(service, session).body["tenant_id"] == first


def test_a_principal_of_a_hand_written_customer_cannot_be_claimed(service: Service) -> None:
    tenant = _fresh("claimer")

    claimed = service.ops("POST", "/ops/customers", _customer(tenant, SEEDED_PRINCIPAL))

    assert claimed.status == 409, claimed
    assert service.ops("GET", f"/ops/customers/{tenant}").status == 404
    assert _as_customer(service, SEEDED_PRINCIPAL).body["tenant_id"] == SEEDED_TENANT


@pytest.mark.parametrize("existing", ["added", "hand-written"])
def test_an_existing_customer_is_never_overwritten(service: Service, existing: str) -> None:
    if existing == "added":
        tenant = _fresh("steady")
        original = f"arn:aws:iam::{ACCOUNT}:role/{_fresh('steady')}"
        assert service.ops("POST", "/ops/customers", _customer(tenant, original)).status == 201
    else:
        tenant = SEEDED_TENANT
    before = service.ops("GET", f"/ops/customers/{tenant}").body
    attacker_principal = f"arn:aws:iam::{ACCOUNT}:user/{_fresh('mallory')}"

    again = service.ops(
        "POST",
        "/ops/customers",
        _customer(tenant, attacker_principal, webhook="https://attacker.example.org/steal"),
    )

    assert again.status == 409, again
    assert again.body["why"] == f"tenant {tenant} exists; it is never overwritten"
    assert service.ops("GET", f"/ops/customers/{tenant}").body == before
    assert _as_customer(service, attacker_principal).status == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("webhook_url", "http://hooks.example.net/privacy"),  # not https
        ("principal_arns", [f"arn:aws:sts::{ACCOUNT}:assumed-role/acme/dana"]),  # a session
        ("principal_arns", [f"arn:aws:iam::{ACCOUNT}:role/*"]),  # a wildcard
        ("principal_arns", ["*"]),
        ("tenant_id", "principal#x"),  # the bindings' key space
    ],
)
def test_unsafe_customer_details_are_refused(service: Service, field: str, value: Any) -> None:
    tenant = _fresh("unsafe")
    body = _customer(tenant, f"arn:aws:iam::{ACCOUNT}:user/{_fresh('u')}") | {field: value}

    answer = service.ops("POST", "/ops/customers", body)

    assert answer.status == 422, answer
    assert service.ops("GET", f"/ops/customers/{tenant}").status == 404
