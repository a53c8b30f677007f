"""The access answer on in-memory fakes (the real data map, resolver, business instructions and
export service over a fake platform): the categories answer is built from what resolution
found, ``index.html`` says what GDPR Art. 15 and CCPA 7024 require in words (never ids), and CSV
cells a spreadsheet would run as formulas are written as text."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import FakeCustomers, FakeKeys, FakePlatform, FakeReader, FakeRequests, FakeWork

from privacy_rights.businesses.business_instructions import BusinessInstructions
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import AccessScope, Jurisdiction, RightsRequest, Status, SubjectIdentifiers
from privacy_rights.export.export_service import ExportService
from privacy_rights.resolution.resolution import Resolver
from privacy_rights.resolution.resolve_service import ResolveService
from privacy_rights.rights_requests.intake import subject_keys

DATA_MAP = load_data_map()
PHONE = "+14155550123"
EMAIL = "jane@example.com"
AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("https://evil.example","click")'


class FakeArchive:
    """``ArchiveWriter``: archives kept in memory by key."""

    def __init__(self) -> None:
        self.archives: dict[str, bytes] = {}

    @contextmanager
    def open(self, key: str) -> Iterator[io.BytesIO]:
        sink = io.BytesIO()
        yield sink
        self.archives[key] = sink.getvalue()

    def download_url(self, key: str, seconds: int) -> str:
        return f"https://exports.example/{key}"


class Access:
    def __init__(
        self, ring: KeyRing, request: RightsRequest, customers: dict[str, Any] | None = None
    ) -> None:
        self.request_id = request.request_id
        self.platform = FakePlatform(DATA_MAP)
        self.store = FakeRequests(request)
        self.work = FakeWork()
        self.keys = FakeKeys(ring)
        self.archive = FakeArchive()
        instructions = BusinessInstructions(self.store, self.work, FakeCustomers(customers))
        self.service = ExportService(
            self.store, self.work, DATA_MAP, FakeReader(self.platform), self.archive, instructions,  # type: ignore[arg-type]
            clock=lambda: AT,
        )  # fmt: skip

    def run(self) -> dict[str, Any]:
        def resolver() -> Resolver:
            connector = self.platform.connector()
            return Resolver(
                DATA_MAP,
                {"dynamodb": connector, "s3": connector, "lake": connector},
                keys=self.keys.key_ring(),
            )

        ResolveService(self.store, resolver, self.work, self.keys).resolve_request(self.request_id)
        plan = self.service.plan(self.request_id)
        for source in plan["sources"]:
            self.service.collect(self.request_id, source["store"])
        return self.service.package(self.request_id)

    def zip(self) -> zipfile.ZipFile:
        (body,) = self.archive.archives.values()
        return zipfile.ZipFile(io.BytesIO(body))

    def released(self) -> Counter[str]:
        """Resolution's counts of released records, by store."""
        summary = self.store.get(self.request_id).resolution
        assert summary is not None
        counts: Counter[str] = Counter()
        for count in summary.counts:
            counts[count.store] += count.released
        return +counts


@pytest.fixture
def access(make_request: Callable[..., RightsRequest], ring: KeyRing) -> Callable[..., Access]:
    def make(scope: AccessScope | None = None, customers: dict[str, Any] | None = None) -> Access:
        subject = SubjectIdentifiers(email=EMAIL, phone=PHONE)
        request = make_request(
            status=Status.IN_PROGRESS,
            subject=subject,
            subject_keys=subject_keys(ring, subject),
            proven_identifiers=("email", "phone"),
            scope=scope,
            jurisdiction=Jurisdiction.CCPA if scope else Jurisdiction.GDPR,
        )
        a = Access(ring, request, customers)
        _a_caller(a.platform)
        return a

    return make


def _a_caller(p: FakePlatform) -> None:
    """Jane called Acme twice; Acme's CRM knows her by a name someone typed as a formula."""
    p.put_item(
        "crm_leads",
        {"tenant_id": "acme", "lead_id": "L1", "phone": PHONE, "email": EMAIL, "name": FORMULA,
         "notes": "+1 call back; -- asked for a quote", "company": "@acme"},
    )  # fmt: skip
    for call_id in ("CA1", "CA2"):
        p.put_item(
            "calls",
            {"call_id": call_id, "tenant_id": "acme", "caller_phone": PHONE, "caller_name": "-Jane\tDoe",
             "started_at": "2026-01-10T10:00:00Z", "duration_seconds": 60, "routing_outcome": "=1+2"},
        )  # fmt: skip
        p.put_item("call_insights", {"call_id": call_id, "kind": "score", "score": 72})
        transcript = {
            "call_id": call_id,
            "turns": [{"speaker": "caller", "text": "hi", "start": 0, "end": 1}],
        }
        p.put_version("transcripts", f"transcripts/acme/{call_id}.json", json.dumps(transcript).encode())
    p.put_item("marketing_preferences", {"email": EMAIL, "consent": "withdrawn"})


def _words(page: str) -> str:
    """The page's text as a person reads it."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_categories_answer_is_what_resolution_found_in_words(access: Callable[..., Access]) -> None:
    a = access(scope=AccessScope.CATEGORIES)
    assert a.run()["verdict"]["outcome"] == "complied"
    archive = a.zip()
    assert sorted(archive.namelist()) == ["index.html", "manifest.json"]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["categories_only"] is True
    calls_source = next(s for s in manifest["sources"] if s["source"] == "calls")
    assert {"identifiers", "internet_activity"} <= set(calls_source["categories"])
    assert calls_source["recipients"] is not None
    found = {s["source"]: s["records_found"] for s in manifest["sources"]}
    assert found == dict(a.released())
    assert found == {
        "crm_leads": 1,
        "calls": 2,
        "transcripts": 2,
        "call_insights": 2,
        "marketing_preferences": 1,
    }
    held = [DATA_MAP.store(name) for name in found]
    categories = {f.category for store in held for f in store.fields.values()}
    assert {c["category"] for c in manifest["categories"]} == categories
    calls = next(c for c in manifest["categories"] if c["category"] == "internet_activity")
    assert calls["sources"] == [DATA_MAP.store("calls").label]
    assert "Telephone carriers" in calls["recipients"][DATA_MAP.recipient_kinds["processor"]]

    raw_page = archive.read("index.html").decode()
    assert raw_page.count("<tr>") == 1 + len(found)  # the stores that hold something, and no other
    page = _words(raw_page)
    assert "does not include the information itself" in page
    for store in held:
        assert str(store.label) in page
        assert store.retention in page
        assert store.source in page
    for category in categories:
        assert DATA_MAP.categories[category] in page
    for raw in ("commercial_information", "internet_activity", "crm_leads", "call_insights", "ai_training"):
        assert raw not in page
    assert "Records of your calls" in page


def test_index_html_says_what_article_15_requires(access: Callable[..., Access]) -> None:
    a = access()
    a.run()
    archive = a.zip()
    page = _words(archive.read("index.html").decode())
    insights = DATA_MAP.store("call_insights")
    assert insights.automated_decision_making is not None
    assert " ".join(insights.automated_decision_making.split()) in " ".join(page.split())
    for recipient in ("Telephone carriers", "Speech-to-text provider", "AI model provider"):
        assert recipient in page
    for kind in ("processor", "customer_system"):
        assert DATA_MAP.recipient_kinds[kind] in page
    assert DATA_MAP.store("calls").retention in page
    assert DATA_MAP.store("crm_leads").source in page  # not collected from the person: where from
    for right in ("Correct.", "Delete.", "Restrict.", "Object.", "Complain."):
        assert right in page
    assert "supervisory authority" in page
    for raw in ("commercial_information", "identifiers,", "other_peoples_turns", "ai_training", "crm_leads"):
        assert raw not in page


def test_csv_cells_that_would_run_as_formulas_are_written_as_text(access: Callable[..., Access]) -> None:
    a = access()
    a.run()
    archive = a.zip()
    (lead,) = csv.DictReader(io.StringIO(archive.read("crm_leads/crm_leads.csv").decode()))
    assert lead["name"] == "'" + FORMULA
    assert lead["notes"] == "'+1 call back; -- asked for a quote"
    assert lead["company"] == "'@acme"
    assert lead["email"] == EMAIL
    calls = list(csv.DictReader(io.StringIO(archive.read("calls/calls.csv").decode())))
    assert {c["caller_name"] for c in calls} == {"'-Jane\tDoe"}
    assert {c["routing_outcome"] for c in calls} == {"'=1+2"}
    assert {c["duration_seconds"] for c in calls} == {"60"}
    # the JSON beside it keeps the values as they are
    assert json.loads(archive.read("crm_leads/crm_leads.json"))[0]["name"] == FORMULA


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(access: Callable[..., Access], start: str) -> None:
    from privacy_rights.export.export_service import _csv

    (row,) = csv.DictReader(io.StringIO(_csv([{"caller_name": f"{start}cmd|' /C calc'!A0", "n": -3}])))
    assert row["caller_name"].startswith("'" + start)
    assert row["n"] == "-3"


def test_a_narrowed_export_holds_its_scope_and_says_what_it_left_out(access: Callable[..., Access]) -> None:
    """``decide … narrow --store calls --store transcripts``: the file holds those sources alone, the
    rest is counted under "Not included" with the reason, and the request is answered in part."""
    from privacy_rights.core import notices
    from privacy_rights.core.request_results import OUTSIDE_SCOPE_WHY, NarrowedScope

    a = access()

    def resolver() -> Resolver:
        connector = a.platform.connector()
        return Resolver(
            DATA_MAP, {"dynamodb": connector, "s3": connector, "lake": connector}, keys=a.keys.key_ring()
        )

    ResolveService(a.store, resolver, a.work, a.keys).resolve_request(a.request_id)
    scope = NarrowedScope(stores=["calls", "transcripts"], reason="the shared line's other callers")
    a.store.request = a.store.get(a.request_id).with_narrowed_to(scope)
    plan = a.service.plan(a.request_id)
    assert sorted(source["store"] for source in plan["sources"]) == ["calls", "transcripts"]
    for source in plan["sources"]:
        a.service.collect(a.request_id, source["store"])

    assert a.service.package(a.request_id)["verdict"]["outcome"] == "partially_complied"
    manifest = json.loads(a.zip().read("manifest.json"))
    assert {s["source"] for s in manifest["sources"]} == {"calls", "transcripts"}
    outside = {row["source"]: row["records"] for row in manifest["outside_scope"]}
    assert outside == {
        DATA_MAP.store("call_insights").label: 2,
        DATA_MAP.store("crm_leads").label: 1,
        DATA_MAP.store("marketing_preferences").label: 1,
    }
    page = _words(a.zip().read("index.html").decode())
    assert "Not included" in page
    assert OUTSIDE_SCOPE_WHY in page
    request = a.store.get(a.request_id)
    assert request.export_result is not None
    told = notices.final(request.model_copy(update={"status": Status.COMPLETED}), "https://privacy.example/s")
    assert "Not included: 4 records." in told.text


def test_portability_carries_what_the_person_provided_not_what_was_inferred(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    from privacy_rights.core.models import RequestType

    subject = SubjectIdentifiers(email=EMAIL, phone=PHONE)
    request = make_request(
        type=RequestType.PORTABILITY,
        status=Status.IN_PROGRESS,
        subject=subject,
        subject_keys=subject_keys(ring, subject),
        proven_identifiers=("email", "phone"),
    )
    a = Access(ring, request)
    _a_caller(a.platform)

    a.run()

    names = a.zip().namelist()
    assert not [n for n in names if n.startswith("call_insights/")]
    calls = json.loads(a.zip().read("calls/calls.json"))
    assert calls
    assert set().union(*calls) <= {"call_id", "tenant_id", "caller_phone", "caller_name", "started_at"}
    manifest = json.loads(a.zip().read("manifest.json"))
    assert manifest["portable"] is True
    assert manifest["withheld"]["not_portable_inferences"] > 0


def test_nothing_held_is_said_plainly_not_sent_as_an_empty_zip(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    subject = SubjectIdentifiers(email="nobody@example.org")
    request = make_request(
        status=Status.IN_PROGRESS,
        subject=subject,
        subject_keys=subject_keys(ring, subject),
        proven_identifiers=("email",),
    )
    a = Access(ring, request)
    _a_caller(a.platform)  # someone else's records

    result = a.run()

    assert result["verdict"]["outcome"] == "nothing_held"
    assert a.archive.archives == {}
    assert a.store.get(a.request_id).export_result is None


def test_a_business_that_answers_the_person_itself_is_named_and_its_records_left_out(
    access: Callable[..., Access],
) -> None:
    """Acme decides each time; it (or ops, when it stays silent) answers the person itself: the
    export goes on without Acme's records, is partial, and names Acme as the one to answer."""
    from privacy_rights.core import ledger_steps

    a = access(customers={"acme": {"name": "Acme Plumbing", "instruction": "ask"}})
    a.store.complete_step(
        a.request_id, ledger_steps.customer_answer("acme"), {"decision": "answer_ourselves"}, "ops"
    )
    a.store.complete_step(a.request_id, ledger_steps.customer_told("acme"), {"kind": "ask"}, "workflow")

    result = a.run()

    assert result["verdict"]["outcome"] == "partially_complied"
    request = a.store.get(a.request_id)
    assert request.export_result is not None
    assert request.export_result.answered_by == ["Acme Plumbing"]
    manifest = json.loads(a.zip().read("manifest.json"))
    assert {e["business"] for e in manifest["answered_by_the_business"]} == {"Acme Plumbing"}
    names = a.zip().namelist()
    assert "calls/calls.json" not in names or not json.loads(a.zip().read("calls/calls.json"))


def test_a_recycled_numbers_earlier_calls_are_not_in_the_new_holders_export(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """The number's earlier holder called Acme before Jane held it: those calls are neither
    included nor counted, and the answer says only that such records are not confirmed."""
    from datetime import date

    subject = SubjectIdentifiers(phone=PHONE, phone_held_since=date(2026, 1, 1))
    request = make_request(
        status=Status.IN_PROGRESS,
        subject=subject,
        subject_keys=subject_keys(ring, subject),
        proven_identifiers=("phone",),
        jurisdiction=Jurisdiction.CCPA,
        scope=AccessScope.SPECIFIC_PIECES,
    )
    a = Access(ring, request)
    _a_caller(a.platform)
    a.platform.put_item(
        "calls",
        {"call_id": "CP0", "tenant_id": "acme", "caller_phone": PHONE, "caller_name": "Priya Raman",
         "started_at": "2025-06-01T10:00:00Z", "duration_seconds": 30},
    )  # fmt: skip

    a.run()

    calls = json.loads(a.zip().read("calls/calls.json"))
    assert sorted(c["call_id"] for c in calls) == ["CA1", "CA2"]
    assert all(c["started_at"] >= "2026-01-01" for c in calls)
    assert "Priya" not in a.zip().read("calls/calls.json").decode()
    manifest = json.loads(a.zip().read("manifest.json"))
    assert "found_not_released" not in manifest
    assert "we do not say whether there are any" in manifest["not_released"]


def test_an_agents_export_withholds_the_callers(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """Sam is an agent at Acme: the calls he answered are in his export as his, without the
    callers: no caller's number or name, the callers' turns withheld, their side silent."""
    import wave
    from array import array

    subject = SubjectIdentifiers(email="sam@acme.example")
    request = make_request(
        status=Status.IN_PROGRESS,
        subject=subject,
        subject_keys=subject_keys(ring, subject),
        proven_identifiers=("email",),
    )
    a = Access(ring, request)
    p = a.platform
    p.put_item("accounts", {"account_id": "acc_sam", "email": "sam@acme.example", "agent_id": "ag_sam"})
    p.put_item(
        "calls",
        {"call_id": "CT1", "tenant_id": "acme", "caller_phone": PHONE, "caller_name": "Jane Doe",
         "agent_id": "ag_sam", "started_at": "2026-01-10T10:00:00Z", "duration_seconds": 2},
    )  # fmt: skip
    turns = [
        {"speaker": "caller", "text": "I would like a quote", "start": 0, "end": 1},
        {"speaker": "agent", "text": "Sure, I can help", "start": 1, "end": 2},
    ]
    p.put_version(
        "transcripts", "transcripts/acme/CT1.json", json.dumps({"call_id": "CT1", "turns": turns}).encode()
    )
    wav = io.BytesIO()
    with wave.open(wav, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(array("h", [1000, 2000] * 16000).tobytes())
    p.put_version("recordings", "recordings/acme/CT1.wav", wav.getvalue())

    a.run()

    archive = a.zip()
    calls = json.loads(archive.read("calls/calls.json"))
    assert [c["call_id"] for c in calls] == ["CT1"]
    assert all(c["agent_id"] == "ag_sam" for c in calls)
    assert all("caller_phone" not in c and "caller_name" not in c for c in calls)
    assert PHONE not in json.dumps(calls)
    transcripts = [n for n in archive.namelist() if n.startswith("transcripts/")]
    recordings = [n for n in archive.namelist() if n.startswith("recordings/")]
    assert transcripts
    assert recordings
    for name in transcripts:
        kept = json.loads(archive.read(name))["turns"]
        assert all(t["text"] == "[another person: withheld]" for t in kept if t["speaker"] != "agent")
        assert any(t["speaker"] == "agent" and "withheld" not in t["text"] for t in kept)
    for name in recordings:
        with wave.open(io.BytesIO(archive.read(name))) as recording:
            assert recording.getnchannels() == 2
            samples = array("h", recording.readframes(recording.getnframes()))
        assert not any(samples[0::2])  # the caller's side, silent from start to end
        assert any(samples[1::2])  # Sam's own side


def _mono_wav(seconds: int = 3) -> bytes:
    import wave
    from array import array

    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(array("h", [1000] * 8000 * seconds).tobytes())
    return out.getvalue()


@pytest.mark.parametrize("decision", ["approve", "narrow"])
def test_a_one_channel_recording_with_another_person_waits_for_ops_review(
    access: Callable[..., Access], decision: str
) -> None:
    """On one channel another person's voice cannot be cut by side: the export stops for ops to
    listen; approved, it goes out with the other person's turns silent; narrowed, it is left out
    and counted."""
    import wave
    from array import array

    a = access()
    turns = [
        {"speaker": "caller", "text": "hi", "start": 0, "end": 1},
        {"speaker": "third_party", "text": "This is Bob from billing", "start": 1, "end": 2},
        {"speaker": "agent", "text": "thanks Bob", "start": 2, "end": 3},
    ]
    a.platform.put_version(
        "transcripts", "transcripts/acme/CA1.json", json.dumps({"call_id": "CA1", "turns": turns}).encode()
    )
    a.platform.put_version("recordings", "recordings/acme/CA1.wav", _mono_wav())

    assert a.run() == {"review": {"recordings": 1}}
    assert "export.review_needed" in a.store.actions(a.request_id)
    assert a.archive.archives == {}
    a.store.complete_step(a.request_id, "review", {"decision": decision}, "ops")
    a.service.package(a.request_id)

    manifest = json.loads(a.zip().read("manifest.json"))
    released = [n for n in a.zip().namelist() if n.startswith("recordings/CA1")]
    if decision == "narrow":
        assert released == []
        assert manifest["withheld"]["one_channel_recording_with_another_person"] == 1
        return
    (name,) = released
    assert "one_channel_recording_with_another_person" not in manifest["withheld"]
    with wave.open(io.BytesIO(a.zip().read(name))) as recording:
        assert recording.getnchannels() == 1
        samples = array("h", recording.readframes(recording.getnframes()))
    assert not any(samples[8000 + 1 : 16000 - 1])  # Bob's turn, silent
    assert any(samples[:8000])  # the rest kept
    assert any(samples[16000:])
