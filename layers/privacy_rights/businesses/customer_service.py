"""What a business customer of the platform sees of a rights request and how it answers: only
the requests that reach its own callers' records, only those records (pointers and counts, not
the person's identifiers), and an answer only where it asked to decide each time."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from privacy_rights.businesses.business_instructions import released_pointers
from privacy_rights.businesses.webhooks import (
    DEFAULT_TOLERANCE_SECONDS,
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
)
from privacy_rights.core import ledger_steps
from privacy_rights.core.errors import NotFound, NotInQueue, Unauthenticated
from privacy_rights.core.ports import CustomerAccounts, Requests, SigningSecrets, WorkDocuments

if TYPE_CHECKING:
    from privacy_rights.orchestration.workflow import Workflow


class CustomerAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["release", "answer_ourselves"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=300)]


class CustomerView(BaseModel):
    request_id: str
    type: str
    received_at: datetime
    due_at: date
    instruction: str
    records: dict[str, int]
    pointers: list[dict[str, Any]]
    answer: dict[str, Any] | None
    waiting_for_your_answer: bool


def businesses_asked(ledger: dict[str, Any]) -> list[str]:
    """The businesses asked for their instruction on this request (from the ledger)."""
    return sorted(
        key.partition(ledger_steps.FAMILY_SEPARATOR)[2]
        for key, value in ledger.items()
        if ledger_steps.is_customer_told(key) and value.get("kind") == "ask"
    )


class WebhookSettings(BaseModel):
    """Where CallX posts a business's notices and the secret that signs them (how to check a
    signature: ``privacy_rights.businesses.webhooks``' module documentation)."""

    tenant_id: str
    url: str | None
    secret_hex: str
    previous_secret_hex: str | None
    signature_header: str = SIGNATURE_HEADER
    event_id_header: str = EVENT_ID_HEADER
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS


class CustomerService:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        customers: CustomerAccounts,
        workflow: Workflow,
        webhook_secrets: SigningSecrets,
    ) -> None:
        self._store = store
        self._work = work
        self._customers = customers
        self._workflow = workflow
        self._webhook_secrets = webhook_secrets

    def webhook(self, principal: str) -> WebhookSettings:
        """A business's own webhook settings, its signing secret included: the IAM principal
        that speaks for it is the only one that can read them."""
        tenant = self._tenant(principal)
        current, previous = self._webhook_secrets.for_receiver(tenant)
        return WebhookSettings(
            tenant_id=tenant,
            url=self._customers.customer(tenant).get("webhook_url"),
            secret_hex=current.hex(),
            previous_secret_hex=previous[0].hex() if previous else None,
        )

    def _tenant(self, principal: str) -> str:
        tenant = self._customers.tenant_of(principal)
        if tenant is None:
            raise Unauthenticated("this principal speaks for no business")
        return tenant

    def _theirs(self, request_id: str, tenant: str) -> tuple[Any, list[dict[str, Any]]]:
        """The request and the released records that are this business's; a request that
        reaches none of them is, for this business, not found."""
        request = self._store.get(request_id)
        pointers = [p for p in released_pointers(self._work, request) if p.get("tenant_id") == tenant]
        if not pointers:
            raise NotFound(request_id)
        return request, pointers

    def show(self, request_id: str, principal: str) -> CustomerView:
        tenant = self._tenant(principal)
        request, pointers = self._theirs(request_id, tenant)
        ledger = self._store.ledger(request_id)
        instruction = self._customers.customer(tenant).get("instruction", "fulfil")
        answer = ledger.get(ledger_steps.customer_answer(tenant))
        return CustomerView(
            request_id=request.request_id,
            type=request.type.value,
            received_at=request.received_at,
            due_at=request.current_due,
            instruction=instruction,
            records=dict(Counter(p["store"] for p in pointers)),
            pointers=[{"store": p["store"], "pointer": p["pointer"]} for p in pointers],
            answer=answer,
            waiting_for_your_answer=instruction == "ask" and answer is None and not request.is_final,
        )

    def answer(self, request_id: str, principal: str, command: CustomerAnswer) -> dict[str, Any]:
        tenant = self._tenant(principal)
        view = self.show(request_id, principal)
        if not view.waiting_for_your_answer:
            raise NotInQueue(request_id)
        step = ledger_steps.customer_answer(tenant)
        self._store.complete_step(
            request_id, step, {"decision": command.decision, "reason": command.reason}, principal
        )
        self._store.record(
            request_id, principal, "customer.answered", {"tenant_id": tenant, "decision": command.decision}
        )
        # The workflow waits once for every business asked: it resumes with the last answer.
        ledger = self._store.ledger(request_id)
        asked = businesses_asked(ledger)
        pending = [t for t in asked if ledger_steps.customer_answer(t) not in ledger]
        if not pending and "customer" in self._store.waiting_for(request_id):
            self._workflow.answer(request_id, "customer", {"answered": sorted(asked)}, principal)
        return {
            "request_id": request_id,
            "tenant_id": tenant,
            "decision": command.decision,
            "pending": sorted(pending),
        }
