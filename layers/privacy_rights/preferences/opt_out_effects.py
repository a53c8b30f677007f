"""Opt-outs (and withdrawals of consent) carried out where they have effect, beyond the
"may I process?" mark that every one of them leaves:

- ``ai_training``: the subject's calls (with their recordings and transcripts) leave every
  training set not yet used; a set already used keeps them and is listed with the models it
  trained (a model cannot unlearn); the mark keeps them out of new sets.
- ``marketing``: consent withdrawn in the platform's marketing consent store.
- a purpose the data map lists recipients for (``sale_share``, ``targeted_ads``): each is sent a
  signed webhook (its outcome recorded), CCPA 7026(f); and so is each business customer whose
  calls with the subject hold data used for that purpose (their ``webhook_url``), naming its own
  records.
- ``recording`` (a withdrawal of the consent a call was recorded on): the "may I process?" mark
  keeps new calls from being recorded; the recordings already made stay (made lawfully, GDPR
  Art. 7(3)) and the businesses whose calls they are (the recordings' controllers) are told.

Each purpose's result is recorded in the ledger (``opt_out_effect:<purpose>``) the first time it
runs, so a retried step never removes, withdraws or notifies twice; the answer to the person is
built from those results alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import DataMap, Store
from privacy_rights.core.models import WORKFLOW_ACTOR, RightsRequest, utc_now
from privacy_rights.core.ports import (
    CustomerDirectory,
    Eraser,
    MarketingConsents,
    RecipientNotifier,
    RecordReader,
    Requests,
    WorkDocuments,
)
from privacy_rights.resolution.resolution import UNPROVEN

TRAINING_SETS = "training_manifests"
MARKETING_CONSENT = "marketing_preferences"
AI_TRAINING = "ai_training"
MARKETING = "marketing"
RECORDING = "recording"


class OptOutEffects:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        data_map: DataMap,
        reader: RecordReader,
        eraser: Eraser,
        consents: MarketingConsents,
        notifier: RecipientNotifier | None = None,
        clock: Callable[[], datetime] = utc_now,
        customers: CustomerDirectory | None = None,
    ) -> None:
        self._customers = customers
        self._store = store
        self._work = work
        self._map = data_map
        self._reader = reader
        self._eraser = eraser
        self._consents = consents
        self._notifier = notifier
        self._clock = clock

    def carry_out(self, request: RightsRequest, purposes: Sequence[str], event: str) -> dict[str, Any]:
        """Per purpose, what was done (recorded once each). ``event``: ``opt_out`` or
        ``consent_withdrawn``, as the recipients' webhooks name it."""
        done: dict[str, Any] = {}
        for purpose in purposes:
            step = ledger_steps.opt_out_effect(purpose)
            recorded = self._store.ledger(request.request_id).get(step)
            if recorded is None:
                result = self._effect(request, purpose, event)
                recorded = self._store.complete_step(request.request_id, step, result, WORKFLOW_ACTOR)
            done[purpose] = recorded
        return done

    def _effect(self, request: RightsRequest, purpose: str, event: str) -> dict[str, Any]:
        if purpose == AI_TRAINING:
            return self._training_sets(request)
        if purpose == MARKETING:
            return self._marketing(request)
        if purpose == RECORDING:
            return self._recordings(request, event)
        recipients = self._map.recipients_for(purpose)
        if recipients:
            told = self._recipients(request, purpose, recipients, event)
            return told | {"businesses": self._businesses(request, purpose, event)}
        # nothing in the data map acts on it but the "may I process?" check itself
        return {"effect": "marked"}

    # -- AI training sets -------------------------------------------------------------------------

    def _training_sets(self, request: RightsRequest) -> dict[str, Any]:
        store = self._map.store(TRAINING_SETS)
        pointers = [p["pointer"] for p in self._reached(request) if p["store"] == TRAINING_SETS]
        items = self._reader.items(store, pointers) if pointers else []
        used = [item for item in items if _used(item)]
        unused = [item for item in items if not _used(item)]
        removed = self._eraser.delete_items(store, [_key_of(store, item) for item in unused]) if unused else 0
        sets_used: dict[str, set[str]] = {}
        calls_used: dict[str, int] = {}
        for item in used:
            sets_used.setdefault(str(item["set_id"]), set()).update(item.get("trained_models") or ())
            calls_used[str(item["set_id"])] = calls_used.get(str(item["set_id"]), 0) + 1
        return {
            "effect": "training_sets",
            "removed": removed,
            "removed_from": sorted({str(item["set_id"]) for item in unused}),
            "used_sets": [
                {"set_id": set_id, "calls": calls_used[set_id], "models": sorted(models)}
                for set_id, models in sorted(sets_used.items())
            ],
        }

    def _reached(self, request: RightsRequest) -> list[dict[str, Any]]:
        """The records the subject's identifiers reach: released ones, and those held back only
        because an opt-out needs no proof (CCPA 7026(d)); never another holder's (a recycled
        number's calls before the person held it)."""
        summary = request.resolution
        if summary is None or not summary.pointers_key:
            return []
        pointers: list[dict[str, Any]] = self._work.get_json(summary.pointers_key)
        held_since = request.subject.phone_held_since
        since = held_since.isoformat() if held_since else ""
        return [
            p
            for p in pointers
            if p["released"]
            or (p.get("reason") == UNPROVEN and str(p.get("happened_at") or since)[:10] >= since)
        ]

    # -- marketing consent ------------------------------------------------------------------------

    def _marketing(self, request: RightsRequest) -> dict[str, Any]:
        email = request.subject.email
        if not email:
            return {"effect": "marketing_consent", "withdrawn": False, "held": False}
        store = self._map.store(MARKETING_CONSENT)
        held = self._consents.withdraw(store, email, self._clock(), request.request_id)
        return {"effect": "marketing_consent", "withdrawn": held, "held": held}

    # -- recipients (sale/sharing, targeted advertising) -----------------------------------------

    def _recipients(
        self, request: RightsRequest, purpose: str, recipients: Sequence[str], event: str
    ) -> dict[str, Any]:
        told: dict[str, Any] = {}
        for recipient_id in recipients:
            recipient = self._map.recipients[recipient_id]
            if recipient.notify != "webhook" or recipient.endpoint is None or self._notifier is None:
                told[recipient_id] = {"name": recipient.name, "notify": recipient.notify, "delivered": False}
                continue
            event_id = f"{request.request_id}.{event}.{purpose}.{recipient_id}"
            payload = {
                "event": f"{event}.{purpose}",
                "event_id": event_id,
                "request_id": request.request_id,
                "purpose": purpose,
                "subject_keys": sorted(request.subject_keys.values()),
            }
            outcome = self._notifier.notify(recipient.endpoint, recipient_id, event_id, payload)
            told[recipient_id] = {"name": recipient.name, "notify": "webhook"} | dict(outcome)
        return {"effect": "recipients", "recipients": told}

    # -- businesses whose calls with the subject the purpose uses --------------------------------

    def _stores_for(self, purpose: str) -> list[Store]:
        """The stores with a field the data map uses for ``purpose``, held for business customers."""
        return [
            store
            for store in self._map.stores
            if store.controller == "customer" and any(purpose in f.purposes for f in store.fields.values())
        ]

    def _records_by_tenant(self, request: RightsRequest, stores: Sequence[Store]) -> dict[str, list[Any]]:
        names = {store.name for store in stores}
        by_tenant: dict[str, list[Any]] = {}
        for pointer in self._reached(request):
            if pointer["store"] in names and pointer.get("tenant_id"):
                by_tenant.setdefault(str(pointer["tenant_id"]), []).append(
                    {"store": pointer["store"], "pointer": pointer["pointer"]}
                )
        return by_tenant

    def _businesses(self, request: RightsRequest, purpose: str, event: str) -> dict[str, Any]:
        """Each business whose records of calls with the subject hold data used for ``purpose``:
        a signed webhook naming its own records (never another business's), as the correction
        tells them; one without a webhook is recorded as not told."""
        told: dict[str, Any] = {}
        for tenant, records in sorted(self._records_by_tenant(request, self._stores_for(purpose)).items()):
            business = self._customers.customer(tenant) if self._customers is not None else {}
            name = {"name": business.get("name", tenant), "records": len(records)}
            url = business.get("webhook_url")
            if self._notifier is None or not url:
                told[tenant] = name | {"notify": "none", "delivered": False}
                continue
            event_id = f"{request.request_id}.{event}.{purpose}.business.{tenant}"
            payload = {
                "event": f"{event}.{purpose}",
                "event_id": event_id,
                "tenant_id": tenant,
                "request_id": request.request_id,
                "purpose": purpose,
                "records": records,
            }
            told[tenant] = (
                name | {"notify": "webhook"} | dict(self._notifier.notify(url, tenant, event_id, payload))
            )
        return told

    # -- recordings made on consent ---------------------------------------------------------------

    def _recordings(self, request: RightsRequest, event: str) -> dict[str, Any]:
        """New calls are not recorded (the mark); those made stay, made lawfully on the consent
        then given, and their businesses are told."""
        stores = self._stores_for(RECORDING)
        kept = sum(len(records) for records in self._records_by_tenant(request, stores).values())
        return {
            "effect": "recording",
            "recordings_kept": kept,
            "businesses": self._businesses(request, RECORDING, event),
        }


def _used(item: dict[str, Any]) -> bool:
    return bool(item.get("used") or item.get("trained_models"))


def _key_of(store: Store, item: dict[str, Any]) -> dict[str, Any]:
    assert store.table is not None
    return {name: item[name] for name in store.table.key}
