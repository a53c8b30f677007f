"""Access and portability: the subject's data, collected from the records resolution released and
packaged as one ZIP a person can open (``index.html``) and a machine can read (JSON and CSV per
source, the recordings, the transcripts, ``manifest.json``).

Three steps of the state machine, with only keys between them:
- ``plan``: which released records go out, by source; what is left to a business customer;
- ``collect`` (one per source, in a Map state): the records of one source, read by key;
- ``package``: the ZIP, streamed to the exports bucket part by part; what other people said in a
  call is withheld (their turns silenced and left out of the transcript), card numbers and
  government ids are redacted, and the manifest says what was withheld and why.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from privacy_rights.businesses.business_instructions import BusinessInstructions, outside_narrowed_scope
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import DataMap, Store
from privacy_rights.core.errors import ExportExpired, NotFound
from privacy_rights.core.models import AccessScope, Outcome, RequestType, RightsRequest, utc_now
from privacy_rights.core.ports import ArchiveWriter, LakeQueries, RecordReader, Requests, WorkDocuments
from privacy_rights.core.request_results import ExportResult
from privacy_rights.export import index_page
from privacy_rights.export.audio import Silence, UnsupportedAudio, pcm_reader, write_silenced
from privacy_rights.export.redaction import KINDS as REDACTED_KINDS
from privacy_rights.export.redaction import redact
from privacy_rights.resolution.resolution import call_id_of

EXPORT_LIFETIME = timedelta(days=7)
LINK_SECONDS = 900
ACTOR = "workflow"
#: CCPA 7024(d): reported as held, never disclosed
NEVER_DISCLOSED = REDACTED_KINDS | {"biometric"}
#: what a spreadsheet reads as the start of a formula (CSV injection): such a cell gets a leading '
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Withheld:
    items: Counter[str] = field(default_factory=Counter)

    def add(self, what: str, count: int = 1) -> None:
        self.items[what] += count


def _part_key(request_id: str, name: str) -> str:
    return f"exports/{request_id}/{name}.json"


#: What the answer says of records it does not include because they could not be tied to the
#: person: always the same words, whether there were any or not.
UNCONFIRMED_RECORDS = (
    "Records found only through details you have not verified, or from before you held your phone "
    "number, are not included, and we do not say whether there are any: they may be someone else's."
)


class ExportService:
    def __init__(
        self,
        store: Requests,
        work: WorkDocuments,
        data_map: DataMap,
        reader: RecordReader,
        archive: ArchiveWriter,
        instructions: BusinessInstructions,
        clock: Callable[[], datetime] = utc_now,
        lake: LakeQueries | None = None,
    ) -> None:
        self._lake = lake
        self._store = store
        self._work = work
        self._map = data_map
        self._reader = reader
        self._archive = archive
        self._instructions = instructions
        self._clock = clock

    # -- plan --------------------------------------------------------------------------------

    def plan(self, request_id: str) -> dict[str, Any]:
        """Which released records go out. A business's records follow its standing instruction:
        ``fulfil`` (we act), ``forward`` (it answers, with the pointers it needs), ``ask`` (it is
        asked, and its answer, in the ledger, decides when this step runs again)."""
        request = self._store.get(request_id)
        ledger = self._store.ledger(request_id)
        split = self._instructions.split(request, ledger)
        self._instructions.tell(request, ledger, split)
        categories_only = request.scope is AccessScope.CATEGORIES
        by_store = {} if categories_only else dict(split.ours)
        plan = {
            "request_id": request_id,
            "categories_only": categories_only,
            "stores": by_store,
            # what resolution released for CallX to answer, by store: the categories answer is built from it
            "found": {name: len(keys) for name, keys in sorted(split.ours.items()) if keys},
            "elsewhere": split.elsewhere_rows(),
            # released records outside the scope ops narrowed a flagged footprint to: store -> count
            "outside_scope": outside_narrowed_scope(self._work, request),
        }
        self._work.put_json(_part_key(request_id, "plan"), plan)
        return {
            "sources": [{"request_id": request_id, "store": name} for name in sorted(by_store)],
            "ask": split.asked,
        }

    # -- collect -----------------------------------------------------------------------------

    def collect(self, request_id: str, store_name: str) -> dict[str, Any]:
        plan = self._work.get_json(_part_key(request_id, "plan"))
        store = self._map.store(store_name)
        keys = plan["stores"].get(store_name, [])
        # Objects are read once, when packaged: here their keys are all there is to collect.
        if store.kind == "lake":
            # the released rows, queried by their ids in the partitions that hold them
            if self._lake is None:
                raise NotFound("no lake engine configured")
            records = self._lake.rows(store, keys) if keys else []
        elif store.kind == "dynamodb":
            records = self._reader.items(store, keys)
        else:
            records = [{"key": k} for k in keys]
        self._work.put_json(_part_key(request_id, f"parts/{store_name}"), records)
        return {"store": store_name, "records": len(records)}

    # -- package -----------------------------------------------------------------------------

    def package(self, request_id: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        ledger = self._store.ledger(request_id)
        if ledger_steps.EXPORT_PACKAGE in ledger:
            return dict(ledger[ledger_steps.EXPORT_PACKAGE])
        plan = self._work.get_json(_part_key(request_id, "plan"))
        parts = {name: self._work.get_json(_part_key(request_id, f"parts/{name}")) for name in plan["stores"]}
        total = sum(len(records) for records in parts.values())
        nothing = not _found(plan) if plan["categories_only"] else total == 0
        if nothing and not plan["elsewhere"]:
            result = {"verdict": {"result": "completed", "outcome": Outcome.NOTHING_HELD.value}}
            self._store.complete_step(request_id, ledger_steps.EXPORT_PACKAGE, result, ACTOR)
            return result
        roles = _call_roles(parts.get("calls", []), request)
        transcripts = {r["call_id"]: r for r in self._transcripts(parts.get("transcripts", []))}
        review = ledger.get("review")
        if review is None:
            to_review = self._recordings_to_review(parts.get("recordings", []), roles, transcripts)
            if to_review:
                self._store.complete_step(
                    request_id, ledger_steps.EXPORT_REVIEW_NEEDED, {"recordings": to_review}, ACTOR
                )
                call_ids = [r["call_id"] for r in to_review]
                self._store.record(request_id, ACTOR, "export.review_needed", {"call_ids": call_ids})
                return {"review": {"recordings": len(to_review)}}
        release_one_channel = review is not None and review.get("decision") == "approve"
        key = f"exports/{request_id}/{self._clock().strftime('%Y%m%dT%H%M%SZ')}.zip"
        withheld = Withheld()
        with self._archive.open(key) as sink, zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            counts = self._write_sources(
                archive, request, parts, roles, transcripts, withheld, release_one_channel
            )
            manifest = self._manifest(request, plan, counts, withheld)
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
            archive.writestr("index.html", index_page.render(manifest))
        expires_at = self._clock() + EXPORT_LIFETIME
        export = ExportResult(
            key=key,
            expires_at=expires_at.isoformat(),
            records=sum(counts.values()),
            answered_by=sorted({e["business"] for e in manifest["answered_by_the_business"]}),
            **({"outside_scope": plan["outside_scope"]} if plan.get("outside_scope") else {}),
        )
        self._store.save(
            request.with_export_result(export),
            ACTOR,
            "export.packaged",
            {"records": export.records, "withheld": sum(withheld.items.values())},
        )
        partial = plan["elsewhere"] or plan.get("outside_scope")
        outcome = Outcome.PARTIALLY_COMPLIED if partial else Outcome.COMPLIED
        result = {"verdict": {"result": "completed", "outcome": outcome.value}}
        self._store.complete_step(request_id, ledger_steps.EXPORT_PACKAGE, result, ACTOR)
        return result

    def _write_sources(
        self,
        archive: zipfile.ZipFile,
        request: RightsRequest,
        parts: dict[str, list[Any]],
        roles: dict[str, str],
        transcripts: dict[str, dict[str, Any]],
        withheld: Withheld,
        release_one_channel: bool,
    ) -> Counter[str]:
        counts: Counter[str] = Counter()
        portable = request.type is RequestType.PORTABILITY
        for name, records in sorted(parts.items()):
            store = self._map.store(name)
            if portable and not store.subject_provided:
                # GDPR Art. 20 covers what the person provided and generated, not what the
                # platform inferred about them (scores, summaries): access shows those.
                withheld.add("not_portable_inferences", len(records))
                continue
            if store.kind in ("dynamodb", "lake"):
                rows = [_released_fields(store, r, portable) for r in records]
                if name == "calls":
                    rows = [
                        _without_other_people(row, roles.get(row.get("call_id", ""), "caller"))
                        for row in rows
                    ]
                rows = [_redacted_row(row, withheld) for row in rows]
                archive.writestr(f"{name}/{name}.json", json.dumps(rows, indent=2, default=str))
                archive.writestr(f"{name}/{name}.csv", _csv(rows))
                counts[name] += len(rows)
                continue
            for obj in records:
                call_id = str(call_id_of(obj["key"]))
                role = roles.get(call_id, "caller")
                if name == "transcripts":
                    document = transcripts.get(call_id)
                    if document is None:
                        continue
                    kept = _own_turns(document, role, withheld)
                    archive.writestr(f"transcripts/{call_id}.json", json.dumps(kept, indent=2))
                    counts[name] += 1
                elif name == "recordings" and self._write_recording(
                    archive, store, obj, transcripts.get(call_id), role, withheld, release_one_channel
                ):
                    counts[name] += 1
        return counts

    def _transcripts(self, objects: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        store = self._map.store("transcripts")
        for obj in objects:
            yield json.loads(self._reader.read_object(store, obj["key"]))

    def _recordings_to_review(
        self,
        recordings: list[dict[str, Any]],
        roles: dict[str, str],
        transcripts: dict[str, dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """One-channel recordings with another private individual in them: on one channel their
        voices overlap the subject's, so silencing by turn is a judgement ops make (listening),
        not one the service makes alone."""
        store = self._map.store("recordings")
        found = []
        for obj in recordings:
            call_id = str(call_id_of(obj["key"]))
            transcript = transcripts.get(call_id)
            if transcript is None:
                continue
            turns = _other_turns(transcript, roles.get(call_id, "caller"))
            if not turns:
                continue
            # The transcript says how the call was recorded; only if it does not is the header read
            # (packaging checks the header itself either way).
            channels = transcript.get("channels") or self._channels(store, obj["key"])
            if channels == 1:
                spans = [[float(t["start"]), float(t["end"])] for t in turns]
                found.append({"call_id": call_id, "key": obj["key"], "other_turns": spans})
        return found

    def _channels(self, store: Store, key: str) -> int | None:
        with self._reader.open_object(store, key) as source:
            try:
                with pcm_reader(source) as reader:
                    return int(reader.getnchannels())
            except UnsupportedAudio:
                return None  # withheld when packaged, whatever ops say

    def _write_recording(
        self,
        archive: zipfile.ZipFile,
        store: Store,
        obj: dict[str, Any],
        transcript: dict[str, Any] | None,
        role: str,
        withheld: Withheld,
        release_one_channel: bool,
    ) -> bool:
        """A recording goes out with the other private individuals silenced: by turn (from its
        transcript) and, for an agent, the caller's whole channel. Without a transcript to say
        who speaks when it is held back; as one channel with another person in it, it goes out
        only if ops reviewed it and released it."""
        name = obj["key"].rsplit("/", 1)[-1]
        if transcript is None:
            withheld.add("recording_without_transcript")
            return False
        other_turns = _other_turns(transcript, role)
        with self._reader.open_object(store, obj["key"]) as source:
            try:
                reader = pcm_reader(source)
            except UnsupportedAudio:
                withheld.add("recording_not_editable")
                return False
            with reader:
                # The recording's own header says how many channels it has: no metadata call.
                channels = reader.getnchannels()
                if other_turns and channels == 1 and not release_one_channel:
                    withheld.add("one_channel_recording_with_another_person")
                    return False
                spans = [Silence(float(t["start"]), float(t["end"])) for t in other_turns]
                if role == "agent" and channels == 2:
                    spans.append(Silence(0, float("inf"), channel=0))
                with archive.open(f"recordings/{name}", "w", force_zip64=True) as target:
                    write_silenced(reader, target, spans)
        if other_turns:
            withheld.add("other_peoples_voices_silenced", len(other_turns))
        return True

    def _manifest(
        self, request: RightsRequest, plan: dict[str, Any], counts: Counter[str], withheld: Withheld
    ) -> dict[str, Any]:
        """What the export holds and everything GDPR Art. 15 and CCPA 7024 say goes with it, for
        machines (ids) and for the person (``*_words`` and labels: the data map's own words)."""
        found = _found(plan)
        held = [
            s
            for s in self._map.stores
            if not s.owned_by_this_service and (found.get(s.name) or counts[s.name])
        ]
        sources = []
        for store in held:
            categories = sorted({f.category for f in store.fields.values()})
            purposes = sorted({p for f in store.fields.values() for p in f.purposes})
            sources.append(
                {
                    "source": store.name,
                    "label": store.label or store.description,
                    "description": store.description,
                    "records_found": found.get(store.name, 0),
                    "records_included": 0 if plan["categories_only"] else counts.get(store.name, 0),
                    "categories": categories,
                    "category_words": [self._map.categories[c] for c in categories],
                    "purposes": purposes,
                    "purpose_words": [self._map.purposes[p] for p in purposes],
                    "recipients": store.recipients,
                    "recipient_words": [self._map.recipients[r].name for r in store.recipients],
                    "retention": store.retention,
                    "collected_from": store.source,
                    "controller": store.controller,
                    "automated_decision_making": store.automated_decision_making,
                }
            )
        return {
            "request_id": request.request_id,
            "type": request.type.value,
            "jurisdiction": request.jurisdiction.value,
            "generated_at": self._clock().isoformat(),
            "categories_only": plan["categories_only"],
            "portable": request.type is RequestType.PORTABILITY,
            "sources": sources,
            "categories": self._by_category(held),
            "recipients": self._recipients(held),
            "automated_decision_making": [
                {"source": s.label or s.description, "what": s.automated_decision_making}
                for s in held
                if s.automated_decision_making
            ],
            "withheld": dict(withheld.items),
            "never_disclosed": sorted(NEVER_DISCLOSED),
            # Never a count: how many records were found only through an identifier the person did
            # not prove (or from before they held their number) would tell them about someone else.
            "not_released": UNCONFIRMED_RECORDS,
            "answered_by_the_business": [
                {
                    "business": self._instructions.customer(e["tenant_id"]).get("name", e["tenant_id"]),
                    "source": e["store"],
                    "label": self._map.store(e["store"]).label or self._map.store(e["store"]).description,
                    "records": e["records"],
                    "instruction": e["instruction"],
                }
                for e in plan["elsewhere"]
            ],
            "outside_scope": [
                {"source": self._map.store(name).label or self._map.store(name).description, "records": n}
                for name, n in plan.get("outside_scope", {}).items()
            ],
            "rights": index_page.rights(request.jurisdiction.value),
        }

    def _by_category(self, held: list[Store]) -> list[dict[str, Any]]:
        """CCPA 7024: per category of personal information, its sources, purposes and recipients
        (by category of recipient)."""
        answer = []
        for category, label in self._map.categories.items():
            stores = [s for s in held if any(f.category == category for f in s.fields.values())]
            if not stores:
                continue
            purposes = sorted(
                {p for s in stores for f in s.fields.values() if f.category == category for p in f.purposes}
            )
            answer.append(
                {
                    "category": category,
                    "label": label,
                    "sources": [s.label or s.description for s in stores],
                    "purposes": [self._map.purposes[p] for p in purposes],
                    "recipients": self._recipients(stores),
                }
            )
        return answer

    def _recipients(self, stores: list[Store]) -> dict[str, list[str]]:
        """Recipients' names by the words for their kind."""
        by_kind: dict[str, list[str]] = {}
        for name in sorted({r for s in stores for r in s.recipients}):
            recipient = self._map.recipients[name]
            kind = self._map.recipient_kinds.get(recipient.kind, "Other recipients")
            by_kind.setdefault(kind, []).append(recipient.name)
        return dict(sorted(by_kind.items()))

    # -- delivery ----------------------------------------------------------------------------

    def download_url(self, request: RightsRequest, actor: str) -> str:
        export = request.export_result
        if export is None:
            raise NotFound(request.request_id)
        if export.expires <= self._clock():
            raise ExportExpired(request.request_id)
        url = self._archive.download_url(export.key, LINK_SECONDS)
        self._store.record(request.request_id, actor, "export.downloaded", {"key": export.key})
        return url


def _call_roles(calls: Iterable[dict[str, Any]], request: RightsRequest) -> dict[str, str]:
    """In each call the subject was the caller (their number called) or the agent."""
    phone = request.subject.phone
    return {c["call_id"]: "caller" if phone and c.get("caller_phone") == phone else "agent" for c in calls}


def _released_fields(store: Store, record: dict[str, Any], portable: bool = False) -> dict[str, Any]:
    """The fields the data map describes (and the key); for portability only what the person
    provided, and when (their activity generated it)."""
    keys = [
        *(store.table.key if store.table else []),
        *([store.tenant_attribute] if store.tenant_attribute else []),
    ]
    wanted = set(store.subject_provided) | {store.time_attribute} if portable else set(store.fields)
    return {k: v for k, v in record.items() if k in wanted or k in keys}


def _without_other_people(row: dict[str, Any], role: str) -> dict[str, Any]:
    """A call record names other people: a transferred party's number, and (for an agent) the
    caller. What is theirs stays out."""
    kept = dict(row)
    if kept.get("participants"):
        kept["participants"] = ["[another person: withheld]" for _ in kept["participants"]]
    if role == "agent":
        for name in ("caller_phone", "caller_name", "ip_address", "device"):
            kept.pop(name, None)
    return kept


def _redacted_row(row: dict[str, Any], withheld: Withheld) -> dict[str, Any]:
    cleaned = {}
    for name, value in row.items():
        if isinstance(value, str):
            text, kinds = redact(value)
            for kind in kinds:
                withheld.add(kind)
            cleaned[name] = text
        else:
            cleaned[name] = value
    return cleaned


def _others(role: str) -> set[str]:
    """Who else speaks in a call, as its transcript names them: for an agent the callers too."""
    return {"caller", "third_party"} if role == "agent" else {"third_party"}


def _other_turns(transcript: dict[str, Any], role: str) -> list[dict[str, Any]]:
    others = _others(role)
    return [t for t in transcript.get("turns", []) if t.get("speaker") in others]


def _own_turns(document: dict[str, Any], role: str, withheld: Withheld) -> dict[str, Any]:
    others = _others(role)
    turns = []
    for turn in document.get("turns", []):
        if turn.get("speaker") in others:
            withheld.add("other_peoples_turns")
            turns.append({**turn, "text": "[another person: withheld]"})
            continue
        text, kinds = redact(str(turn.get("text", "")))
        for kind in kinds:
            withheld.add(kind)
        turns.append({**turn, "text": text})
    return {**document, "turns": turns}


def _csv(rows: list[dict[str, Any]]) -> str:
    columns = sorted({k for row in rows for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one that would start a formula (``=``, ``+``, ``-``,
    ``@``, tab, carriage return: CSV injection) gets a leading ``'``. Numbers stay numbers."""
    if isinstance(value, list | dict):
        value = json.dumps(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _found(plan: dict[str, Any]) -> dict[str, int]:
    """Records released for CallX to answer, by store (a plan written before it counted them:
    the records it collects)."""
    found = plan.get("found")
    if found is None:
        return {name: len(keys) for name, keys in plan["stores"].items() if keys}
    return {name: int(n) for name, n in found.items()}
