"""Who acts on which released records: the platform's own data is CallX's to act on; data CallX
processes for a business customer follows that business's standing instruction — ``fulfil``
(CallX acts), ``forward`` (the business answers the person itself, with the pointers it needs), or
``ask`` (the business is asked, and its answer through the customer API, kept in the request's
ledger as ``customer:<tenant>``, decides). The export and the erasure both plan with this."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from privacy_rights.core import ledger_steps, notices
from privacy_rights.core.models import RightsRequest
from privacy_rights.core.ports import CustomerDirectory, Messenger, Requests, WorkDocuments

if TYPE_CHECKING:
    from privacy_rights.businesses.webhooks import Notifier

ACTOR = "workflow"


@dataclass
class Split:
    """Released pointers by who acts on them."""

    #: store -> pointers CallX acts on
    ours: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    #: (store, tenant, instruction) -> records the business answers for itself
    elsewhere: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: (tenant, store) -> records waiting for the business's answer
    to_ask: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def asked(self) -> list[str]:
        return sorted({tenant for tenant, _ in self.to_ask})

    def elsewhere_rows(self) -> list[dict[str, Any]]:
        return [
            {"store": s, "tenant_id": t, "instruction": i, "records": n}
            for (s, t, i), n in sorted(self.elsewhere.items())
        ]


def released_pointers(work: WorkDocuments, request: RightsRequest) -> list[dict[str, Any]]:
    """The records resolution released for this request (pointers only), within the scope ops
    narrowed it to, if they did: every action on a request starts from here."""
    narrowed = request.narrowed_to
    return [p for p in _released(work, request) if narrowed is None or narrowed.covers(p)]


def outside_narrowed_scope(work: WorkDocuments, request: RightsRequest) -> dict[str, int]:
    """Released records left out by the scope ops narrowed the request to: store -> records."""
    narrowed = request.narrowed_to
    if narrowed is None:
        return {}
    return dict(
        sorted(Counter(p["store"] for p in _released(work, request) if not narrowed.covers(p)).items())
    )


def _released(work: WorkDocuments, request: RightsRequest) -> list[dict[str, Any]]:
    if request.resolution is None or not request.resolution.pointers_key:
        return []
    return [p for p in work.get_json(request.resolution.pointers_key) if p["released"]]


class BusinessInstructions:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        customers: CustomerDirectory,
        messenger: Messenger | None = None,
        webhooks: Notifier | None = None,
    ) -> None:
        self._store = store
        self._work = work
        self._customers = customers
        self._messenger = messenger
        self._webhooks = webhooks

    def customer(self, tenant_id: str) -> dict[str, Any]:
        return self._customers.customer(tenant_id)

    def split(
        self,
        request: RightsRequest,
        ledger: Mapping[str, Any],
        pointers: list[dict[str, Any]] | None = None,
    ) -> Split:
        """``pointers``: the released ones (the default), or those of them still to act on."""
        split = Split()
        for pointer in released_pointers(self._work, request) if pointers is None else pointers:
            tenant = pointer.get("tenant_id")
            if pointer["controller"] == "customer" and tenant:
                instruction = self._customers.customer(tenant).get("instruction", "fulfil")
                if instruction == "ask":
                    answer = ledger.get(ledger_steps.customer_answer(tenant))
                    if answer is None:
                        split.to_ask[(tenant, pointer["store"])] += 1
                        continue
                    instruction = "fulfil" if answer.get("decision") == "release" else "answers_itself"
                if instruction != "fulfil":
                    split.elsewhere[(pointer["store"], tenant, instruction)] += 1
                    continue
            split.ours[pointer["store"]].append(pointer["pointer"])
        return split

    def tell(self, request: RightsRequest, ledger: Mapping[str, Any], split: Split) -> None:
        """Each business once per request, by email and signed webhook: asked for its
        instruction, or given what it needs to answer the person itself."""
        counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        for (tenant, store), n in split.to_ask.items():
            counts[(tenant, "ask")][store] = n
        for (store, tenant, instruction), n in split.elsewhere.items():
            if instruction == "forward":
                counts[(tenant, "forward")][store] = n
        for (tenant, kind), records in sorted(counts.items()):
            step = ledger_steps.customer_told(tenant)
            if step in ledger or self._messenger is None:
                continue
            business = self._customers.customer(tenant)
            notice = notices.to_business(request, business.get("name", tenant), records, kind)
            if business.get("privacy_email"):
                self._messenger.send_email(
                    business["privacy_email"], notice.subject, notice.text, request.request_id
                )
            told: dict[str, Any] = {"kind": kind, "records": records}
            if self._webhooks is not None and business.get("webhook_url"):
                event = business_event(request, tenant, kind, records)
                told["webhook"] = self._webhooks.notify(
                    business["webhook_url"], tenant, event["event_id"], event
                )
            self._store.complete_step(request.request_id, step, told, ACTOR)


def business_event(request: RightsRequest, tenant: str, kind: str, records: dict[str, int]) -> dict[str, Any]:
    """The webhook a business gets beside its email: what the request asks of it, with counts
    and the customer API's address for the pointers, never the person's identifiers."""
    event = "rights_request.instruction_needed" if kind == "ask" else "rights_request.forwarded"
    return {
        "event": event,
        "event_id": f"{request.request_id}.{tenant}.{kind}",
        "tenant_id": tenant,
        "request_id": request.request_id,
        "request_type": request.type.value,
        "received_at": request.received_at.isoformat(),
        "due_at": request.current_due.isoformat(),
        "records": dict(sorted(records.items())),
        "details": f"GET /customer/requests/{request.request_id}",
        "answer": f"POST /customer/requests/{request.request_id}/answer" if kind == "ask" else None,
    }
