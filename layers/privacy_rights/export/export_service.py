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
import html
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from privacy_rights.businesses.business_instructions import BusinessInstructions
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import DataMap, Store
from privacy_rights.core.errors import ExportExpired, NotFound
from privacy_rights.core.models import AccessScope, Outcome, RequestType, RightsRequest, utc_now
from privacy_rights.core.ports import ArchiveWriter, RecordReader, Requests, WorkDocuments
from privacy_rights.core.request_results import ExportResult
from privacy_rights.export.audio import Silence, UnsupportedAudio, pcm_reader, write_silenced
from privacy_rights.export.redaction import redact
from privacy_rights.resolution.resolution import call_id_of

EXPORT_LIFETIME = timedelta(days=7)
LINK_SECONDS = 900
ACTOR = "workflow"
#: CCPA 7024(d): reported as held, never disclosed
NEVER_DISCLOSED = frozenset({"government_id", "financial_account_number", "account_number", "biometric"})


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
    ) -> None:
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
            "elsewhere": split.elsewhere_rows(),
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
        records = self._reader.items(store, keys) if store.kind == "dynamodb" else [{"key": k} for k in keys]
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
        if total == 0 and not plan["categories_only"] and not plan["elsewhere"]:
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
            archive.writestr("index.html", _index_html(manifest))
        expires_at = self._clock() + EXPORT_LIFETIME
        export = ExportResult(
            key=key,
            expires_at=expires_at.isoformat(),
            records=sum(counts.values()),
            answered_by=sorted({e["business"] for e in manifest["answered_by_the_business"]}),
        )
        self._store.save(
            request.with_export_result(export),
            ACTOR,
            "export.packaged",
            {"records": export.records, "withheld": sum(withheld.items.values())},
        )
        outcome = Outcome.PARTIALLY_COMPLIED if plan["elsewhere"] else Outcome.COMPLIED
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
            if store.kind == "dynamodb":
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
        sources = []
        for store in self._map.stores:
            if store.owned_by_this_service:
                continue
            held = counts.get(store.name, 0)
            sources.append(
                {
                    "source": store.name,
                    "description": store.description,
                    "records_included": held,
                    "categories": sorted({f.category for f in store.fields.values()}),
                    "purposes": sorted({p for f in store.fields.values() for p in f.purposes}),
                    "recipients": store.recipients,
                    "retention": store.retention,
                    "collected_from": store.source,
                    "controller": store.controller,
                    "automated_decision_making": store.automated_decision_making,
                }
            )
        return {
            "request_id": request.request_id,
            "type": request.type.value,
            "generated_at": self._clock().isoformat(),
            "categories_only": plan["categories_only"],
            "portable": request.type is RequestType.PORTABILITY,
            "sources": sources,
            "withheld": dict(withheld.items),
            "never_disclosed": sorted(NEVER_DISCLOSED),
            # Never a count: how many records were found only through an identifier the person did
            # not prove (or from before they held their number) would tell them about someone else.
            "not_released": UNCONFIRMED_RECORDS,
            "answered_by_the_business": [
                {
                    "business": self._instructions.customer(e["tenant_id"]).get("name", e["tenant_id"]),
                    "source": e["store"],
                    "records": e["records"],
                    "instruction": e["instruction"],
                }
                for e in plan["elsewhere"]
            ],
        }

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
        writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
    return out.getvalue()


def _index_html(manifest: dict[str, Any]) -> str:
    def esc(value: Any) -> str:
        return html.escape(str(value))

    rows = "".join(
        f"<tr><td>{esc(s['source'])}</td><td>{esc(s['description'])}</td><td>{s['records_included']}</td>"
        f"<td>{esc(', '.join(s['categories']))}</td><td>{esc(', '.join(s['purposes']))}</td>"
        f"<td>{esc(s['retention'])}</td></tr>"
        for s in manifest["sources"]
    )
    withheld = "".join(f"<li>{esc(k.replace('_', ' '))}: {v}</li>" for k, v in manifest["withheld"].items())
    elsewhere = "".join(
        f"<li>{esc(e['business'])} ({esc(e['source'])}, {e['records']} records) will answer you "
        "directly.</li>"
        for e in manifest["answered_by_the_business"]
    )
    withheld_list = withheld or "<li>Nothing.</li>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Your CallX data</title></head>"
        "<body>"
        f"<h1>Your personal data held by CallX</h1><p>Request {esc(manifest['request_id'])}, "
        f"prepared {esc(manifest['generated_at'][:10])}. Each source is in its own folder as JSON and CSV; "
        "recordings and transcripts are in their folders.</p>"
        "<table><thead><tr><th>Source</th><th>What it is</th><th>Records</th><th>Categories</th>"
        f"<th>Purposes</th><th>Kept for</th></tr></thead><tbody>{rows}</tbody></table>"
        f"<h2>What we withheld, and why</h2><p>Other people's words and voices, and numbers the law "
        f"says we must never disclose (we confirm we hold them), are left out.</p><ul>{withheld_list}</ul>"
        + (f"<h2>Answered by the business</h2><ul>{elsewhere}</ul>" if elsewhere else "")
        + f"<p>{esc(manifest['not_released'])}</p></body></html>"
    )
