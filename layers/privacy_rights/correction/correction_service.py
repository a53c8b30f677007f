"""Correction (GDPR Art. 16, CCPA 7023): each change the person named — a field, the value we
hold, the value wanted — applied to the released records (those proven to be the subject's) whose
store the data map marks correctable for that field, through the store's own write: a
conditional update on the value held, so nothing changed since is overwritten.

``plan`` (which records hold the value, who acts on them: a business's standing instruction as
for an export or a deletion; fixed in the ledger, ``correction.plan``, once no business is being
asked) → ops review the changes and may deny a field with its reason (7023(b)-(f): the totality
of the circumstances, documentation included, is a judgement) → ``apply`` (per field and store:
applied, not correctable and why, value held not found, denied with ops' reason, answered by the
business; recipients and businesses told, GDPR Art. 19, CCPA 7023(c); the result kept on the
request, ``extra["correction"]``). The audit names the fields that changed, never the values.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from privacy_rights.businesses.business_instructions import BusinessInstructions, released_pointers
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import DataMap, Store
from privacy_rights.core.identifiers import normalize_email, normalize_phone
from privacy_rights.core.models import Outcome, RightsRequest, utc_now
from privacy_rights.core.ports import (
    Corrector,
    CustomerDirectory,
    RecipientNotifier,
    RecordReader,
    Requests,
    WorkDocuments,
)
from privacy_rights.core.request_results import (
    CorrectionResult,
    RequestedCorrection,
    corrections_automatable,
)
from privacy_rights.correction.review import REVIEW
from privacy_rights.resolution.resolution import pointer_text

ACTOR = "workflow"
PLAN_STEP = ledger_steps.CORRECTION_PLAN
APPLY_STEP = ledger_steps.CORRECTION_APPLY

HELD_NOT_FOUND_WHY = (
    "None of the records we hold about you had the value you gave as the one we hold, so nothing "
    "was changed for it."
)
BUSINESS_WHY = (
    "These records are held for a business that uses CallX to handle its calls; that business decides "
    "about them and answers you directly."
)


def same_value(field: str, held: Any, given: str) -> bool:
    """Whether a stored value is the one the person named: addresses and numbers as the
    platform stores them (normalized), other text without regard to case and spacing."""
    if not isinstance(held, str) or not given:
        return False
    if field == "email":
        return _normalized(normalize_email, held) == _normalized(normalize_email, given)
    if field == "phone":
        return _normalized(normalize_phone, held) == _normalized(normalize_phone, given)
    return " ".join(held.split()).casefold() == " ".join(given.split()).casefold()


def _normalized(normalize: Callable[[str], str], value: str) -> str | None:
    try:
        return normalize(value)
    except ValueError:
        return None


class CorrectionService:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        data_map: DataMap,
        reader: RecordReader,
        corrector: Corrector,
        instructions: BusinessInstructions,
        customers: CustomerDirectory,
        notifier: RecipientNotifier | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._work = work
        self._map = data_map
        self._reader = reader
        self._corrector = corrector
        self._instructions = instructions
        self._customers = customers
        self._notifier = notifier
        self._clock = clock

    # -- plan --------------------------------------------------------------------------------

    def plan(self, request_id: str) -> dict[str, Any]:
        """Which released records hold each value named, per store; what a business decides
        left to it. ``by_hand``: the request does not name a field and the value held for every
        change (an email, say): ops carry it out by hand, as before. ``review``: changes are
        planned and ops have not reviewed them yet."""
        request = self._store.get(request_id)
        ledger = self._store.ledger(request_id)
        if not corrections_automatable(request.corrections):
            return {"by_hand": True, "ask": [], "review": False}
        if PLAN_STEP in ledger:
            fixed = dict(ledger[PLAN_STEP])
            return fixed | {"review": bool(fixed["changes"]) and REVIEW not in ledger}
        pointers = released_pointers(self._work, request)
        split = self._instructions.split(request, ledger, pointers)
        self._instructions.tell(request, ledger, split)
        if split.asked:
            return {"by_hand": False, "ask": split.asked, "review": False}
        tenant_of = {(p["store"], pointer_text(p["pointer"])): p.get("tenant_id") for p in pointers}
        changes: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for index, asked in enumerate(request.corrections):
            found, said = self._plan_one(index, asked, dict(split.ours), tenant_of)
            elsewhere = self._elsewhere(asked, split.elsewhere)
            if elsewhere:
                # the value may well be in the records a business answers for: not "not found"
                said = [row for row in said if row["outcome"] != "held_not_found"]
            changes += found
            rows += said + elsewhere
        plan = {
            "request_id": request_id,
            "data_map_version": self._map.version,
            "changes": changes,
            "rows": rows,
        }
        self._work.put_json(_plan_key(request_id), plan)
        fixed = {"by_hand": False, "ask": [], "changes": len(changes), "fields": _fields(changes)}
        self._store.complete_step(request_id, PLAN_STEP, fixed, ACTOR)
        return fixed | {"review": bool(changes) and REVIEW not in ledger}

    def _elsewhere(
        self, asked: RequestedCorrection, elsewhere: Mapping[tuple[str, str, str], int]
    ) -> list[dict[str, Any]]:
        """The records of this field a business answers for itself (or was asked about and
        answered so): told to the person, left to the business."""
        rows = []
        for (store, tenant, instruction), n in sorted(elsewhere.items()):
            if self._knows(self._map.store(store), asked.field):
                rows.append(
                    {
                        "field": asked.field,
                        "store": store,
                        "outcome": "answered_by_business",
                        "where": _where(self._map.store(store)),
                        "business": self._customers.customer(tenant).get("name", tenant),
                        "tenant_id": tenant,
                        "instruction": instruction,
                        "records": n,
                        "why": BUSINESS_WHY,
                    }
                )
        return rows

    @staticmethod
    def _knows(store: Store, field: str) -> bool:
        correction = store.correction
        return correction is not None and (field in correction.fields or field in correction.fixed)

    def _plan_one(
        self,
        index: int,
        asked: RequestedCorrection,
        ours: Mapping[str, list[Any]],
        tenant_of: Mapping[tuple[str, str], str | None],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        changes: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        for name in sorted(ours):
            store = self._map.store(name)
            correction = store.correction
            if correction is None or not self._knows(store, asked.field):
                continue
            if asked.field in correction.fixed:
                holding = self._holding(store, correction.fixed[asked.field], asked, ours[name])
                if holding:
                    rows.append(
                        {
                            "field": asked.field,
                            "store": name,
                            "outcome": "not_correctable",
                            "where": _where(store),
                            "records": holding,
                            "why": correction.why_fixed,
                        }
                    )
                continue
            attribute = correction.fields[asked.field]
            for item in self._reader.items(store, list(ours[name])):
                if same_value(asked.field, item.get(attribute), asked.held):
                    key = _key_of(store, item)
                    changes.append(
                        {
                            "index": index,
                            "field": asked.field,
                            "store": name,
                            "attribute": attribute,
                            "key": key,
                            "tenant_id": tenant_of.get((name, pointer_text(key))),
                        }
                    )
        if not changes and not rows:
            rows.append({"field": asked.field, "outcome": "held_not_found", "why": HELD_NOT_FOUND_WHY})
        return changes, rows

    def _holding(self, store: Store, attribute: str, asked: RequestedCorrection, pointers: list[Any]) -> int:
        """How many of the subject's records in a store whose field is not corrected hold the
        value named (objects: every one, they are the thing itself)."""
        if store.kind != "dynamodb":
            return len(pointers)
        items = self._reader.items(store, list(pointers))
        return sum(1 for item in items if same_value(asked.field, item.get(attribute), asked.held))

    # -- apply -----------------------------------------------------------------------------------

    def apply(self, request_id: str) -> dict[str, Any]:
        """Each planned change through the store's conditional write, unless ops denied its
        field; recipients and businesses told; the result kept on the request."""
        ledger = self._store.ledger(request_id)
        done = ledger.get(APPLY_STEP)
        if done is not None:
            return dict(done)
        request = self._store.get(request_id)
        if request.correction_result is not None:
            # kept before a crash stopped the ledger's write: the writes are done, the verdict is not
            verdict = {"result": "completed", "outcome": _outcome(request.correction_result.changes).value}
            return self._store.complete_step(request_id, APPLY_STEP, {"verdict": verdict}, ACTOR)
        plan = self._work.get_json(_plan_key(request_id))
        denied: dict[str, str] = dict((ledger.get(REVIEW) or {}).get("denied", {}))
        outcomes: Counter[tuple[str, str, str, str]] = Counter()
        changed_by_tenant: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for change in plan["changes"]:
            field, store_name = change["field"], change["store"]
            if field in denied:
                outcomes[(field, store_name, "denied", denied[field])] += 1
                continue
            asked = request.corrections[change["index"]]
            applied = self._apply_one(self._map.store(store_name), change, asked)
            outcome = "applied" if applied else "held_not_found"
            outcomes[(field, store_name, outcome, "" if applied else HELD_NOT_FOUND_WHY)] += 1
            if applied and change.get("tenant_id"):
                changed_by_tenant[change["tenant_id"]].add((store_name, field))
        rows = [
            {"field": f, "store": s, "outcome": o, "where": _where(self._map.store(s)), "records": n}
            | ({"why": w} if w else {})
            for (f, s, o, w), n in sorted(outcomes.items())
        ] + list(plan["rows"])
        applied_rows = [r for r in rows if r["outcome"] == "applied"]
        told = self._tell(request, applied_rows, changed_by_tenant)
        result = CorrectionResult(
            completed_at=self._clock().isoformat(),
            data_map_version=plan["data_map_version"],
            changes=rows,
            told=told,
        )
        changed_fields = sorted({f"{r['store']}.{r['field']}" for r in applied_rows})
        self._store.save(
            request.with_correction_result(result),
            ACTOR,
            "correction.applied",
            {
                "fields_changed": changed_fields,
                "records_changed": sum(int(r["records"]) for r in applied_rows),
                "fields_denied": sorted(denied),
            },
        )
        verdict = {"result": "completed", "outcome": _outcome(rows).value}
        return self._store.complete_step(request_id, APPLY_STEP, {"verdict": verdict}, ACTOR)

    def _apply_one(self, store: Store, change: Mapping[str, Any], asked: RequestedCorrection) -> bool:
        """Read the record, check it still holds the value named, and write the value wanted on
        the condition that it still holds exactly what was read."""
        items = self._reader.items(store, [dict(change["key"])])
        if not items:
            return False
        attribute = change["attribute"]
        current = items[0].get(attribute)
        if same_value(change["field"], current, _wanted(asked)):
            return True  # written by this step before a crash stopped it (a replay): done
        if not same_value(change["field"], current, asked.held):
            return False
        return self._corrector.update_field(store, change["key"], attribute, current, _wanted(asked))

    def _tell(
        self,
        request: RightsRequest,
        applied: list[dict[str, Any]],
        changed_by_tenant: Mapping[str, set[tuple[str, str]]],
    ) -> dict[str, Any]:
        """GDPR Art. 19, CCPA 7023(c): the businesses whose records changed and the recipients
        of the changed stores, by signed webhook where they take one (which stores and fields
        changed, never the values: a business reads the request through its API)."""
        told: dict[str, Any] = {}
        for tenant, changed in sorted(changed_by_tenant.items()):
            business = self._customers.customer(tenant)
            event_id = f"{request.request_id}.{tenant}.corrected"
            payload = {
                "event": "rights_request.corrected",
                "event_id": event_id,
                "tenant_id": tenant,
                "request_id": request.request_id,
                "request_type": request.type.value,
                "changed": [{"store": s, "field": f} for s, f in sorted(changed)],
                "details": f"GET /customer/requests/{request.request_id}",
            }
            name = {"name": business.get("name", tenant)}
            if self._notifier is not None and business.get("webhook_url"):
                told[f"business:{tenant}"] = (
                    name
                    | {"notify": "webhook"}
                    | self._notifier.notify(business["webhook_url"], tenant, event_id, payload)
                )
            else:
                told[f"business:{tenant}"] = name | {
                    "notify": "none",
                    "why": "The business takes no webhook.",
                }
        by_recipient: dict[str, set[str]] = defaultdict(set)
        for row in applied:
            for recipient in self._map.store(row["store"]).recipients:
                by_recipient[recipient].add(row["store"])
        for recipient_id, stores in sorted(by_recipient.items()):
            recipient = self._map.recipients[recipient_id]
            if recipient.notify == "webhook" and recipient.endpoint and self._notifier is not None:
                event_id = f"{request.request_id}.correction.{recipient_id}"
                payload = {
                    "event": "correction.applied",
                    "event_id": event_id,
                    "request_id": request.request_id,
                    "stores": sorted(stores),
                    "fields": sorted({r["field"] for r in applied if r["store"] in stores}),
                    "subject_keys": sorted(request.subject_keys.values()),
                }
                told[recipient_id] = {"name": recipient.name, "notify": "webhook"} | self._notifier.notify(
                    recipient.endpoint, recipient_id, event_id, payload
                )
            else:
                told[recipient_id] = {
                    "name": recipient.name,
                    "notify": recipient.notify,
                    "why": recipient.why_none,
                }
        return told


def _outcome(rows: Iterable[Mapping[str, Any]]) -> Outcome:
    outcomes = {row["outcome"] for row in rows}
    if outcomes == {"applied"}:
        return Outcome.COMPLIED
    if outcomes == {"held_not_found"}:
        return Outcome.NOTHING_HELD
    return Outcome.PARTIALLY_COMPLIED


def _wanted(asked: RequestedCorrection) -> str:
    if asked.field == "email":
        return normalize_email(asked.corrected)
    if asked.field == "phone":
        return normalize_phone(asked.corrected)
    return asked.corrected


def _where(store: Store) -> str:
    return store.label or store.description


def _fields(changes: Iterable[Mapping[str, Any]]) -> list[str]:
    return sorted({f"{c['store']}.{c['field']}" for c in changes})


def _key_of(store: Store, item: Mapping[str, Any]) -> dict[str, Any]:
    assert store.table is not None
    return {name: item[name] for name in store.table.key}


def _plan_key(request_id: str) -> str:
    return f"corrections/{request_id}/plan.json"
