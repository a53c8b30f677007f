"""Onboarding a business customer (a tenant of the platform): its name, privacy contact, standing
instruction, webhook, and the IAM principals allowed to call the customer API as that business.

Binding a principal to a tenant is a proof of identity for the customer API (it answers a
principal about its business's requests only), so the registry guarantees:

- a tenant is written once: adding an existing tenant id is refused (409 with why), never an
  overwrite;
- a principal speaks for one tenant only: each principal is a record of its own, written in the
  same transaction as the tenant with a condition that it does not exist yet; a principal already
  bound (to this tenant or another) is refused, and so is one the customers table already names
  on an older, hand-written tenant item;
- roles are bound by name (``arn:<partition>:iam::<account>:role/<name>``, the path dropped: a
  role's sessions, which is what API Gateway sees, carry its name but not its path); users by
  their ARN; sessions and wildcards are refused (a session is temporary, a wildcard is many);
- every change is audited in the ``audit:customers`` stream with the operator's identity, before
  it is made (there is never a customer without its entry).

The privacy contact's address is a business's, but the audit trail holds references only: the
entry names the address's domain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from privacy_rights.businesses.webhook_urls import require_https_url
from privacy_rights.core.audit import DetailValue, _looks_like_a_raw_identifier
from privacy_rights.core.errors import CannotMove
from privacy_rights.core.identifiers import Email, Phone
from privacy_rights.core.models import utc_now
from privacy_rights.core.ports import CustomerRegistry, NewCustomer, Requests
from privacy_rights.core.principals import binding_of

CUSTOMER_STREAM = "audit:customers"
TENANT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


def _no_raw_identifier(text: str) -> str:
    if _looks_like_a_raw_identifier(text):
        raise ValueError("must not contain an email address or phone number")
    return text


def _https_webhook(url: str) -> str:
    require_https_url(url)
    return url


def _distinct_bindings(principals: list[str]) -> list[str]:
    bound = [binding_of(p) for p in principals]
    if len(set(bound)) != len(bound):
        raise ValueError("a principal is listed twice")
    return bound


TenantId = Annotated[str, StringConstraints(pattern=TENANT_ID_PATTERN)]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_raw_identifier),
]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=5, max_length=300),
    AfterValidator(_no_raw_identifier),
]
Instruction = Literal["fulfil", "forward", "ask"]


class AddCustomer(BaseModel):
    """A business customer to onboard."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tenant_id: TenantId = Field(description="The platform's id of the business (as in its calls' records).")
    name: Text = Field(description="The business's name, as people know it.")
    principal_arns: Annotated[
        list[Annotated[str, StringConstraints(max_length=400)]],
        Field(min_length=1, max_length=10),
        AfterValidator(_distinct_bindings),
    ] = Field(description="IAM users or roles that call the customer API as this business.")
    privacy_email: Email = Field(description="Where rights requests about the business's callers are sent.")
    instruction: Instruction = Field(
        description="fulfil (we answer), forward (we pass it on) or ask (it decides each time)."
    )
    webhook_url: Annotated[str, StringConstraints(max_length=2048), AfterValidator(_https_webhook)] | None = (
        Field(default=None, description="https only; checked again (public addresses only) at each send.")
    )
    tracking_number: Phone | None = Field(default=None, description="The business's tracking line, if any.")
    reason: Reason = Field(description="Why (the contract or ticket): kept in the audit trail.")


class Customer(BaseModel):
    tenant_id: str
    name: str
    instruction: str
    privacy_email: str | None = None
    webhook_url: str | None = None
    tracking_number: str | None = None
    principal_arns: list[str]
    added_at: datetime | None = None
    added_by: str | None = None


class CustomerRow(BaseModel):
    tenant_id: str
    name: str
    instruction: str
    principals: int
    webhook: bool


class CustomerConflict(CannotMove):  # type: ignore[misc]  # mypy sees the package as Any
    """The customer was not added (409): ``why`` says what exists already (ids only)."""

    public_message = "The customer was not added."

    def __init__(self, why: str) -> None:
        super().__init__("exists", why)


class CustomerOnboarding:
    def __init__(self, registry: CustomerRegistry, audit: Requests) -> None:
        self._registry = registry
        self._audit = audit

    def add(self, command: AddCustomer, operator: str) -> Customer:
        """Raises CustomerConflict when the tenant exists or a principal is bound already."""
        for principal in command.principal_arns:
            bound_to = self._registry.bound_tenant(principal)
            if bound_to is not None:
                raise CustomerConflict(
                    f"principal {principal} already speaks for "
                    + ("this tenant" if bound_to == command.tenant_id else "another tenant")
                )
        if self._registry.exists(command.tenant_id):
            raise CustomerConflict(f"tenant {command.tenant_id} exists; it is never overwritten")
        added_at = utc_now()
        detail: dict[str, DetailValue] = {
            "tenant_id": command.tenant_id,
            "name": command.name,
            "principal_arns": list(command.principal_arns),
            "instruction": command.instruction,
            "privacy_email_domain": command.privacy_email.rpartition("@")[2],
            "webhook_host": _host(command.webhook_url),
            "reason": command.reason,
        }
        # Audited first: there is never a customer without its entry. A conflict found by the
        # write itself (a race with another add) follows as a refusal.
        self._audit.ensure_stream(CUSTOMER_STREAM)
        self._audit.record(CUSTOMER_STREAM, operator, "customer.added", detail)
        record = NewCustomer(
            tenant_id=command.tenant_id,
            name=command.name,
            privacy_email=command.privacy_email,
            instruction=command.instruction,
            webhook_url=command.webhook_url,
            tracking_number=command.tracking_number,
            principal_arns=tuple(command.principal_arns),
            added_at=added_at,
            added_by=operator,
        )
        why = self._registry.add(record)
        if why is not None:
            self._audit.record(
                CUSTOMER_STREAM, operator, "customer.refused", {"tenant_id": command.tenant_id, "why": why}
            )
            raise CustomerConflict(why)
        return self.show(command.tenant_id)

    def show(self, tenant_id: str) -> Customer:
        """Raises NotFound for an unknown tenant."""
        item = self._registry.get(tenant_id)
        return Customer.model_validate(item)

    def list(self) -> list[CustomerRow]:
        return [
            CustomerRow(
                tenant_id=item["tenant_id"],
                name=item.get("name", ""),
                instruction=item.get("instruction", "fulfil"),
                principals=len(item.get("principal_arns", [])),
                webhook=bool(item.get("webhook_url")),
            )
            for item in sorted(self._registry.all(), key=lambda i: str(i["tenant_id"]))
        ]


def _host(url: str | None) -> str | None:
    if not url:
        return None
    from urllib.parse import urlsplit

    return urlsplit(url).hostname
