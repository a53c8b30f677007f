"""Deletion: each store of the data map erased by its own strategy, what must be kept kept (with
its basis and date), held data skipped, the result verified and a receipt written.

``plan`` (who acts on which released records; holds applied) → ``erase`` (one store, a Map item)
→ ``verify`` (nothing left that is not kept with a basis; the subject suppressed; recipients told;
the receipt). Each store's result is in the request's ledger (``erase:<store>``), so a replay
after a crash erases what is left and a run after success changes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from privacy_rights.businesses.business_instructions import (
    BusinessInstructions,
    outside_narrowed_scope,
    released_pointers,
)
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import DataMap, Store
from privacy_rights.core.errors import ErasureIncomplete, HeldSincePlanned, NotFound
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.models import Outcome, RightsRequest, utc_now
from privacy_rights.core.ports import (
    EarlierExports,
    Eraser,
    Holds,
    KeyRingSource,
    LakeFileRewriter,
    LakeQueries,
    RecipientNotifier,
    RecordReader,
    Requests,
    Suppression,
    WorkDocuments,
)
from privacy_rights.core.request_results import ErasureReceipt
from privacy_rights.erasure.receipt import merged_receipt, verdict
from privacy_rights.export.audio import Silence, UnsupportedAudio, pcm_reader, write_silenced
from privacy_rights.resolution.resolution import Resolver, call_id_of, pointer_text, request_roots

ACTOR = "workflow"
PLAN_STEP = ledger_steps.ERASURE_PLAN
RECEIPT_STEP = ledger_steps.ERASURE_RECEIPT


class ErasureService:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        data_map: DataMap,
        reader: RecordReader,
        eraser: Eraser,
        instructions: BusinessInstructions,
        holds: Holds,
        new_resolver: Callable[[], Resolver],
        suppression: Suppression,
        exports: EarlierExports,
        keys: KeyRingSource,
        notifier: RecipientNotifier | None = None,
        clock: Callable[[], datetime] = utc_now,
        lake: LakeQueries | None = None,
        lake_files: LakeFileRewriter | None = None,
        max_rewrite_bytes: int = 2 * 1024**3,
    ) -> None:
        self._store = store
        self._work = work
        self._map = data_map
        self._reader = reader
        self._eraser = eraser
        self._instructions = instructions
        self._holds = holds
        self._new_resolver = new_resolver
        self._suppression = suppression
        self._exports = exports
        self._keys = keys
        self._notifier = notifier
        self._clock = clock
        self._lake = lake
        self._lake_files = lake_files
        self._max_rewrite_bytes = max_rewrite_bytes

    # -- plan --------------------------------------------------------------------------------

    def plan(self, request_id: str) -> dict[str, Any]:
        """Which released records CallX erases now. Held records are set aside (and said so);
        a business's records follow its instruction, as for an export."""
        request = self._store.get(request_id)
        ledger = self._store.ledger(request_id)
        if PLAN_STEP in ledger:
            # Once erasing has begun the records have changed: a replay keeps the first plan.
            return dict(ledger[PLAN_STEP])
        if request.erasure_receipt is not None:
            # A follow-up after a hold ended: only what the last run held back is left to erase.
            pointers = self._work.get_json(_held_key(request_id))
        else:
            pointers = released_pointers(self._work, request)
        tenants = sorted({p["tenant_id"] for p in pointers if p.get("tenant_id")})
        holds = self._active_holds(request, tenants)
        subject_hold = next((h for h in holds if h.scope == "subject"), None)
        held_tenants = {h.tenant_id: h for h in holds if h.scope == "customer"}
        held: Counter[tuple[str, str, str]] = Counter()
        free, held_pointers = [], []
        for pointer in pointers:
            hold = subject_hold or held_tenants.get(pointer.get("tenant_id"))
            if hold is None:
                free.append(pointer)
            else:
                held[(pointer["store"], hold.hold_id, hold.matter)] += 1
                held_pointers.append(pointer)
        free, taken = self._calls_taken_as_agent(request, free)
        split = self._instructions.split(request, ledger, free)
        self._instructions.tell(request, ledger, split)
        for pointer in taken:
            split.elsewhere[(pointer["store"], pointer["tenant_id"], "employer_records")] += 1
        stores, mute = self._muted_by_instruction(free, dict(split.ours))
        plan = {
            "request_id": request_id,
            # which run of the erasure this is (a follow-up after a hold is a new one)
            "run": request.replays,
            "tenants": tenants,
            "hold_ids": sorted(h.hold_id for h in holds),
            "stores": stores,
            "mute": mute,
            "elsewhere": split.elsewhere_rows(),
            "held": [
                {"store": s, "hold_id": h, "matter": m, "records": n} for (s, h, m), n in sorted(held.items())
            ],
            "outside_scope": [
                {"store": store, "records": n}
                for store, n in outside_narrowed_scope(self._work, request).items()
            ],
        }
        self._work.put_json(_plan_key(request_id), plan)
        result = {
            "sources": [{"request_id": request_id, "store": name} for name in sorted(plan["stores"])],
            "ask": split.asked,
            # one Map item per lake file holding the subject: only pointers travel between states
            "lake_files": [] if split.asked else self._locate_lake_rows(request_id, stores),
        }
        if not split.asked:
            # Only a fixed plan replaces what a later follow-up will start from.
            self._work.put_json(_held_key(request_id), held_pointers)
            self._store.complete_step(request_id, PLAN_STEP, result, ACTOR)
        return result

    def _locate_lake_rows(self, request_id: str, stores: Mapping[str, list[Any]]) -> list[dict[str, str]]:
        """Which files hold the released lake rows now (found again at plan time: a file may
        have been compacted since resolution), kept in the work bucket, file -> row ids."""
        items = []
        for name in sorted(stores):
            store = self._map.store(name)
            if store.kind != "lake" or not stores[name] or store.erasure.strategy == "retain":
                continue
            files = self._lake_queries().locate(store, stores[name])
            self._work.put_json(_lake_files_key(request_id, name), files)
            items += [{"request_id": request_id, "store": name, "key": key} for key in files]
        return items

    def _lake_queries(self) -> LakeQueries:
        if self._lake is None:
            raise NotFound("no lake engine configured")
        return self._lake

    def _active_holds(self, request: RightsRequest, tenants: Iterable[str]) -> list[Any]:
        # every key of the ring: a hold placed before a key rotation still covers the subject
        subject_keys = {
            *request.subject_keys.values(),
            *self._holds.subject_keys(email=request.subject.email, phone=request.subject.phone),
        }
        return self._holds.active_for(subject_keys, tenants)

    def _muted_by_instruction(
        self, pointers: list[dict[str, Any]], stores: dict[str, list[Any]]
    ) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
        """A business may instruct that its recordings keep the agent's side: the caller's
        channel is silenced and the transcript loses the caller's turns, instead of deleting."""
        tenants = {p["tenant_id"] for p in pointers if p.get("tenant_id") and p["store"] in MUTABLE}
        muting = {
            t
            for t in tenants
            if self._instructions.customer(t).get("erasure_of_recordings") == "mute_channel"
        }
        if not muting:
            return stores, {}
        tenant_of = {(p["store"], pointer_text(p["pointer"])): p.get("tenant_id") for p in pointers}
        mute: dict[str, list[Any]] = {}
        for name in MUTABLE & stores.keys():
            keep = [k for k in stores[name] if tenant_of.get((name, pointer_text(k))) not in muting]
            mute[name] = [k for k in stores[name] if tenant_of.get((name, pointer_text(k))) in muting]
            stores[name] = keep
        return stores, {name: keys for name, keys in mute.items() if keys}

    def _calls_taken_as_agent(
        self, request: RightsRequest, pointers: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Calls an agent took are the callers' data too, and the business's record of its calls:
        an agent's erasure never deletes them (nor their recordings, transcripts and scores). The
        calls where the subject was the caller (their number called) are theirs to erase, and so
        is CallX's own use of the others (a training set's rows)."""
        call_store = self._map.store("calls")
        calls = [p for p in pointers if p["store"] == call_store.name]
        if not calls:
            return pointers, []
        phone = request.subject.phone
        items = self._reader.items(call_store, [p["pointer"] for p in calls])
        # a call without caller ID is not shown to be theirs: it stays the business's
        taken = {i["call_id"] for i in items if not (phone and i.get("caller_phone") == phone)}
        if not taken:
            return pointers, []
        mine: list[dict[str, Any]] = []
        theirs: list[dict[str, Any]] = []
        for pointer in pointers:
            employers = pointer["controller"] == "customer" and pointer.get("tenant_id")
            (theirs if employers and call_id_of(pointer["pointer"]) in taken else mine).append(pointer)
        return mine, theirs

    # -- rewrite one lake file (a Map item) --------------------------------------------------

    def rewrite_lake_file(self, request_id: str, store_name: str, key: str) -> dict[str, Any]:
        """One file without the subject's rows (or with the tombstone's columns nulled in them),
        written only over the version read; then its older versions deleted. A replay finds the
        result in the work bucket; a file too big for one invocation is reported for ops."""
        done_key = _lake_result_key(request_id, store_name, key)
        done = self._maybe_json(done_key)
        if done is not None:
            return dict(done)
        plan = self._work.get_json(_plan_key(request_id))
        request = self._store.get(request_id)
        new_holds = {h.hold_id for h in self._active_holds(request, plan["tenants"])} - set(plan["hold_ids"])
        if new_holds:
            raise HeldSincePlanned(", ".join(sorted(new_holds)))
        store = self._map.store(store_name)
        assert store.lake is not None
        assert self._lake_files is not None
        row_ids = self._work.get_json(_lake_files_key(request_id, store_name)).get(key)
        if row_ids is None:
            raise NotFound(f"{key} is not in the plan")
        size = self._lake_files.size(store, key)
        result: dict[str, Any] = {"store": store_name, "key": key, "rows": len(row_ids)}
        if size is None:
            # gone since the plan (compacted away): verification's query finds the rows if moved
            result |= {"missing": True}
        elif size > self._max_rewrite_bytes:
            result |= {"routed_to_ops": True, "bytes": size, "limit": self._max_rewrite_bytes}
            self._store.record(
                request_id,
                ACTOR,
                "erasure.lake_file_for_ops",
                {"store": store_name, "bytes": size, "limit": self._max_rewrite_bytes},
            )
        else:
            tombstone = store.erasure.strategy == "tombstone"
            nulled = store.lake.tombstone_columns if tombstone else []
            rewritten = self._lake_files.rewrite(store, key, row_ids, nulled)
            current = rewritten.new_version or rewritten.read_version
            older = self._lake_files.older_versions(store, key, current)
            self._eraser.delete_versions(store, older)
            result |= rewritten.as_json() | {"versions_deleted": len(older)}
        self._work.put_json(done_key, result)
        return result

    def _maybe_json(self, key: str) -> Any:
        try:
            return self._work.get_json(key)
        except NotFound:
            return None

    def _erase_lake(self, request_id: str, store: Store, pointers: list[Any]) -> dict[str, Any]:
        """The lake's result, from each file's: every file rewritten (or routed to ops) first."""
        result: dict[str, Any] = {
            "store": store.name,
            "strategy": store.erasure.strategy,
            "records": len(pointers),
        }
        if not pointers:
            return result | {"files_rewritten": 0}
        files = self._work.get_json(_lake_files_key(request_id, store.name))
        outcomes = []
        missing = []
        for key in sorted(files):
            outcome = self._maybe_json(_lake_result_key(request_id, store.name, key))
            if outcome is None:
                missing.append(key)
            else:
                outcomes.append(outcome)
        if missing:
            raise ErasureIncomplete(f"{store.name}: {len(missing)} files not rewritten yet")
        changed = sum(int(o.get("rows_changed", 0)) for o in outcomes)
        verb = "rows_tombstoned" if store.erasure.strategy == "tombstone" else "rows_deleted"
        return result | {
            "files": len(files),
            "files_rewritten": sum(1 for o in outcomes if o.get("new_version")),
            verb: changed,
            "versions_deleted": sum(int(o.get("versions_deleted", 0)) for o in outcomes),
            "files_for_ops": [o["key"] for o in outcomes if o.get("routed_to_ops")],
        }

    # -- erase one store ---------------------------------------------------------------------

    def erase(self, request_id: str, store_name: str) -> dict[str, Any]:
        step = ledger_steps.erase(store_name)
        done = self._store.ledger(request_id).get(step)
        if done is not None:
            return dict(done)
        plan = self._work.get_json(_plan_key(request_id))
        request = self._store.get(request_id)
        new_holds = {h.hold_id for h in self._active_holds(request, plan["tenants"])} - set(plan["hold_ids"])
        if new_holds:
            # placed since the plan was made (a replay days later): nothing is erased until ops
            # plan again (replay --step erasure.plan), which sets the held records aside
            raise HeldSincePlanned(", ".join(sorted(new_holds)))
        store = self._map.store(store_name)
        pointers = plan["stores"].get(store_name, [])
        if store.kind == "lake" and store.erasure.strategy != "retain":
            return self._store.complete_step(
                request_id, step, self._erase_lake(request_id, store, pointers), ACTOR
            )
        result = self._erase(store, pointers)
        muted = plan.get("mute", {}).get(store_name, [])
        if muted:
            result |= self._mute(store, muted)
        return self._store.complete_step(request_id, step, result, ACTOR)

    def _mute(self, store: Store, keys: list[str]) -> dict[str, Any]:
        """Each object rewritten without the caller (a new version), then every older version
        deleted: the unedited audio must not survive as a noncurrent version. A one-channel
        recording cannot be separated, so it is deleted."""
        muted = deleted = 0
        for key in keys:
            edited = _without_the_caller(store.name, self._reader.read_object(store, key))
            older = [v for v in self._eraser.versions(store, [key]) if v["Key"] == key]
            if edited is None:
                deleted += 1
            else:
                self._eraser.put_object(store, key, edited)
                muted += 1
            self._eraser.delete_versions(store, older)
        return {"muted": muted, "deleted_unmutable": deleted, "mute_basis": "the business's instruction"}

    def _erase(self, store: Store, pointers: list[Any]) -> dict[str, Any]:
        erasure = store.erasure
        result: dict[str, Any] = {"store": store.name, "strategy": erasure.strategy, "records": len(pointers)}
        if erasure.strategy == "retain":
            until = (self._clock() + timedelta(days=erasure.retain_days or 0)).date()
            return result | {"retained": len(pointers), "basis": erasure.basis, "until": until.isoformat()}
        if store.kind == "s3":
            versions = self._eraser.versions(store, pointers)
            self._eraser.delete_versions(store, versions)
            objects = len({v["Key"] for v in versions})
            return result | {"deleted": objects, "versions_deleted": len(versions)}
        if erasure.strategy == "tombstone":
            items = self._reader.items(store, pointers)
            keep = set(erasure.keep)
            assert store.table is not None
            key_fields = set(store.table.key)
            kept = [{k: v for k, v in item.items() if k in keep} for item in items]
            # a tombstone with nothing to keep but its key is a deletion
            tombstones = [item for item in kept if set(item) - key_fields]
            empty = [_key_of(store, item) for item in kept if not set(item) - key_fields]
            self._eraser.put_items(store, tombstones)
            self._eraser.delete_items(store, empty)
            return result | {
                "tombstoned": len(tombstones),
                "deleted": len(empty),
                "kept_fields": sorted(keep),
                "basis": erasure.basis,
            }
        if erasure.unless_used:
            # A training set already used keeps its rows: the models it trained are recorded.
            items = self._reader.items(store, pointers)
            used = [item for item in items if item.get("trained_models")]
            unused_keys = [_key_of(store, item) for item in items if not item.get("trained_models")]
            self._eraser.delete_items(store, unused_keys)
            models = sorted({m for item in used for m in item["trained_models"]})
            retained = {"retained": len(used), "basis": erasure.unless_used, "models": models} if used else {}
            return result | {"deleted": len(unused_keys)} | retained
        self._eraser.delete_items(store, pointers)
        return result | {"deleted": len(pointers)}

    # -- verify, suppress, notify, receipt ----------------------------------------------------

    def verify(self, request_id: str) -> dict[str, Any]:
        ledger = self._store.ledger(request_id)
        if RECEIPT_STEP in ledger:
            return dict(ledger[RECEIPT_STEP]["result"])
        request = self._store.get(request_id)
        plan = self._work.get_json(_plan_key(request_id))
        previous = request.erasure_receipt
        if previous is not None and previous.run == plan["run"]:
            # this run's receipt was saved and the step not recorded (a retry): finish, not merge
            finished = verdict(previous)
            self._store.complete_step(request_id, RECEIPT_STEP, {"result": finished}, ACTOR)
            return finished
        results = {name: ledger.get(ledger_steps.erase(name)) for name in plan["stores"]}
        missing = sorted(name for name, result in results.items() if result is None)
        if missing:
            raise ErasureIncomplete(f"not erased yet: {', '.join(missing)}")
        self._check_stores(plan, results)
        self._check_lookups(request, plan, results)
        self._suppression.suppress(request)
        earlier = self._earlier_exports(request)
        recipients = self._notify_recipients(request, plan)
        receipt = self._receipt(request, plan, results, earlier, recipients)
        if previous is not None:
            receipt = merged_receipt(previous, receipt)
        self._work.put_json(f"erasures/{request_id}/receipt.json", receipt.stored())
        result = verdict(receipt)
        outcome = result["verdict"]["outcome"]
        saved = request.with_erasure_receipt(receipt)
        if request.is_final:
            # a follow-up may complete what a hold kept back
            saved = saved.model_copy(update={"outcome": Outcome(outcome)})
        self._store.save(saved, ACTOR, "erasure.verified", {"stores": len(results), "outcome": outcome})
        self._store.complete_step(request_id, RECEIPT_STEP, {"result": result}, ACTOR)
        return result

    def _check_stores(self, plan: dict[str, Any], results: dict[str, Any]) -> None:
        """Read back what was erased: no item, no object version, no field beyond a tombstone's."""
        left: list[str] = []
        for name, pointers in plan["stores"].items():
            store = self._map.store(name)
            result = results[name]
            if store.erasure.strategy == "retain" or not pointers:
                continue
            if store.kind == "lake":
                left += self._lake_left(plan["request_id"], store, result)
                continue
            if store.kind == "s3":
                remaining = self._eraser.versions(store, pointers)
                if remaining:
                    left.append(f"{name}: {len(remaining)} object versions")
                continue
            items = self._reader.items(store, pointers)
            if store.erasure.strategy == "tombstone":
                keep = set(store.erasure.keep)
                extra = [item for item in items if set(item) - keep]
                if extra:
                    left.append(f"{name}: {len(extra)} records with personal fields")
            elif result.get("retained"):
                unused = [item for item in items if not item.get("trained_models")]
                if unused:
                    left.append(f"{name}: {len(unused)} records")
            elif items:
                left.append(f"{name}: {len(items)} records")
        for name, keys in plan.get("mute", {}).items():
            versions = Counter(
                v["Key"] for v in self._eraser.versions(self._map.store(name), keys) if v["Key"] in keys
            )
            if any(n > 1 for n in versions.values()):
                left.append(f"{name}: unedited versions of muted objects")
        if left:
            raise ErasureIncomplete("; ".join(left))

    def _lake_left(self, request_id: str, store: Store, result: Mapping[str, Any]) -> list[str]:
        """Each rewritten file has one version left (the older ones held the rows); a file too
        big to rewrite is reported, not passed over."""
        left = []
        for_ops = result.get("files_for_ops") or []
        if for_ops:
            left.append(
                f"{store.name}: {len(for_ops)} files too big to rewrite in one invocation, routed to ops"
            )
        assert self._lake_files is not None
        files = self._work.get_json(_lake_files_key(request_id, store.name))
        stale = [
            key for key in files if key not in for_ops and len(self._lake_files.versions(store, key)) > 1
        ]
        if stale:
            left.append(f"{store.name}: older versions of {len(stale)} rewritten files")
        return left

    def _check_lookups(self, request: RightsRequest, plan: dict[str, Any], results: dict[str, Any]) -> None:
        """Every lookup again, from the proven identifiers: what it still finds must be kept on
        purpose (retained, held, a business's own to answer), or the step fails."""
        roots = request_roots(request)
        found = self._new_resolver().resolve(roots).records
        kept_stores = {name for name, result in results.items() if result.get("retained")}
        earlier = request.erasure_receipt  # a follow-up: what the first run left be
        answered = earlier.answered_by_the_business if earlier is not None else []
        if earlier is not None:
            # and what it kept on purpose (a training set already used) is still kept
            kept_stores |= {name for name, result in earlier.stores.items() if result.get("retained")}
        for rows in (plan["held"], plan["elsewhere"], answered):
            kept_stores |= {row["store"] for row in rows}
        narrowed = request.narrowed_to
        left = Counter(
            record.store
            for record in found
            if record.released
            and record.store not in kept_stores
            and record.store not in _retained_by_map(self._map)
            and (narrowed is None or narrowed.covers(record.as_json()))
        )
        if left:
            detail = ", ".join(f"{store}: {n}" for store, n in sorted(left.items()))
            raise ErasureIncomplete(f"lookups still find records ({detail})")

    def _earlier_exports(self, request: RightsRequest) -> int:
        """Exports made earlier for this subject are copies too: every version goes."""
        keys: set[str] = set()
        ring = self._keys.key_ring()
        subject = request.subject
        for kind, value in ((IdentifierKind.EMAIL, subject.email), (IdentifierKind.PHONE, subject.phone)):
            if not value:
                continue
            for earlier in self._store.by_subject_key(kind.value, ring.all_digests(kind, value)):
                held_since = subject.phone_held_since
                if kind is IdentifierKind.PHONE and held_since and earlier.received_at.date() < held_since:
                    continue  # asked by the number's earlier holder: their export, not this person's
                export = earlier.export_result
                if export is not None and export.key:
                    keys.add(export.key)
        return self._exports.erase(sorted(keys)) if keys else 0

    def _notify_recipients(self, request: RightsRequest, plan: dict[str, Any]) -> dict[str, Any]:
        """Processors and third parties the erased stores' data went to (CCPA 7022(b), GDPR
        Art. 19): a signed webhook where they take one; otherwise how they are told."""
        erased = sorted(plan["stores"])
        by_recipient: dict[str, list[str]] = {}
        for name in erased:
            for recipient in self._map.store(name).recipients:
                by_recipient.setdefault(recipient, []).append(name)
        outcomes: dict[str, Any] = {}
        for recipient_id, stores in sorted(by_recipient.items()):
            recipient = self._map.recipients[recipient_id]
            if recipient.notify == "webhook" and recipient.endpoint and self._notifier is not None:
                event_id = f"{request.request_id}.erasure.{recipient_id}.{plan['run']}"
                payload = {
                    "event": "erasure.requested",
                    "event_id": event_id,
                    "request_id": request.request_id,
                    "stores": stores,
                    "subject_keys": sorted(request.subject_keys.values()),
                }
                outcomes[recipient_id] = {"notify": "webhook"} | self._notifier.notify(
                    recipient.endpoint, recipient_id, event_id, payload
                )
            else:
                outcomes[recipient_id] = {"notify": recipient.notify, "why": recipient.why_none}
        return outcomes

    def _receipt(
        self,
        request: RightsRequest,
        plan: dict[str, Any],
        results: dict[str, Any],
        earlier_exports: int,
        recipients: dict[str, Any],
    ) -> ErasureReceipt:
        backups = self._map.defaults.backups
        window = max(backups.point_in_time_recovery_days, backups.backup_vault_retention_days)
        now = self._clock()
        return ErasureReceipt(
            request_id=request.request_id,
            run=plan["run"],
            completed_at=now.isoformat(),
            data_map_version=self._map.version,
            stores={name: results[name] for name in sorted(results)},
            held=plan["held"],
            outside_scope=plan.get("outside_scope", []),
            answered_by_the_business=[
                row
                | {"business": self._instructions.customer(row["tenant_id"]).get("name", row["tenant_id"])}
                for row in plan["elsewhere"]
            ],
            earlier_exports_deleted=earlier_exports,
            recipients=recipients,
            suppressed=True,
            backups_expire_by=(now + timedelta(days=window)).date().isoformat(),
        )


MUTABLE = frozenset({"recordings", "transcripts"})
CALLER_CHANNEL = 0
ERASED_TURN = "[erased at the caller's request]"


def _without_the_caller(store_name: str, body: bytes) -> bytes | None:
    """A two-channel recording with the caller's channel silent, or a transcript without the
    caller's words; ``None`` when the caller cannot be taken out (one channel, not PCM)."""
    if store_name == "transcripts":
        document = json.loads(body)
        turns = [
            {**turn, "text": ERASED_TURN} if turn.get("speaker") == "caller" else turn
            for turn in document.get("turns", [])
        ]
        return json.dumps({**document, "turns": turns}).encode()
    try:
        with pcm_reader(io.BytesIO(body)) as reader:
            if reader.getnchannels() != 2:
                return None
            out = io.BytesIO()
            write_silenced(reader, out, [Silence(0, float("inf"), channel=CALLER_CHANNEL)])
            return out.getvalue()
    except UnsupportedAudio:
        return None


def _held_key(request_id: str) -> str:
    return f"erasures/{request_id}/held.json"


def _plan_key(request_id: str) -> str:
    return f"erasures/{request_id}/plan.json"


def _lake_files_key(request_id: str, store_name: str) -> str:
    return f"erasures/{request_id}/lake/{store_name}/files.json"


def _lake_result_key(request_id: str, store_name: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"erasures/{request_id}/lake/{store_name}/done/{digest}.json"


def _key_of(store: Store, item: Mapping[str, Any]) -> dict[str, Any]:
    assert store.table is not None
    return {name: item[name] for name in store.table.key}


def _retained_by_map(data_map: DataMap) -> set[str]:
    return {store.name for store in data_map.stores if store.erasure.strategy == "retain"}
