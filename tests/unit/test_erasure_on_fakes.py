"""Deletion's rules on in-memory fakes of its ports (no moto, no state machine): the real data
map, the real resolver over a fake platform, the real business instructions and hold service.

What is decided here: which released records CallX erases (its own and the businesses' it is
told to) and which it leaves to the business (an agent's calls, a business that answers
itself or is still asked), what a legal hold keeps back and how it is erased once the hold
ends, each store's strategy (delete every version, tombstone, retain with a basis, muted
channel), that each store is erased once, that verification reads everything back before a
receipt is written, and what follows (suppression, earlier exports, recipients told)."""

from __future__ import annotations

import io
import json
import wave
from array import array
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fakes import (
    FakeCustomers,
    FakeExports,
    FakeHoldRecords,
    FakeKeys,
    FakeMessenger,
    FakeNotifier,
    FakePlatform,
    FakePreferenceMarks,
    FakeReader,
    FakeRequests,
    FakeWork,
)

from privacy_rights.businesses.business_instructions import BusinessInstructions
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.errors import ErasureIncomplete, HeldSincePlanned, IllegalTransition
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import RequestType, RightsRequest, Status, SubjectIdentifiers
from privacy_rights.core.request_results import ExportResult
from privacy_rights.erasure.erasure_service import ErasureService
from privacy_rights.erasure.follow_up import HeldErasure, SubjectSuppression, updated_receipt_notice
from privacy_rights.erasure.legal_holds import HoldService, PlaceHold
from privacy_rights.preferences.preferences import Purpose, decide
from privacy_rights.resolution.resolution import Resolver
from privacy_rights.resolution.resolve_service import ResolveService
from privacy_rights.rights_requests.intake import subject_keys

DATA_MAP = load_data_map()
PHONE = "+14155550123"
EMAIL = "jane@example.com"
NEIGHBOUR = "+14155550777"
AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

CALL_KEEP = set(DATA_MAP.store("calls").erasure.keep)


def _stereo_wav(frames: int = 8) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(array("h", [1000, 2000] * frames).tobytes())
    return out.getvalue()


def _call(call_id: str, tenant: str, caller: str, **extra: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "tenant_id": tenant,
        "caller_phone": caller,
        "caller_name": "Jane Doe" if caller == PHONE else "Someone Else",
        "tracking_number": "+18005550100",
        "started_at": "2026-01-10T10:00:00Z",
        "duration_seconds": 60,
        **extra,
    }


class Deletion:
    """One deletion request and everything ``ErasureService`` runs on, in memory."""

    def __init__(
        self,
        ring: KeyRing,
        request: RightsRequest,
        customers: dict[str, dict[str, Any]] | None = None,
        *others: RightsRequest,
    ) -> None:
        self.request_id = request.request_id
        self.platform = FakePlatform(DATA_MAP)
        self.store = FakeRequests(request, *others)
        self.work = FakeWork()
        self.keys = FakeKeys(ring)
        self.holds = HoldService(FakeHoldRecords(), self.keys, self.store, clock=lambda: AT)
        self.messenger = FakeMessenger()
        self.notifier = FakeNotifier()
        self.instructions = BusinessInstructions(
            self.store, self.work, FakeCustomers(customers), self.messenger, self.notifier
        )
        self.marks = FakePreferenceMarks()
        self.exports = FakeExports()
        self.eraser = self.platform
        self.resolve_service = ResolveService(self.store, self.new_resolver, self.work, self.keys)
        self.service = ErasureService(
            self.store,
            self.work,
            DATA_MAP,
            FakeReader(self.platform),
            self.platform,
            self.instructions,
            self.holds,
            self.new_resolver,
            SubjectSuppression(self.marks, clock=lambda: AT),
            self.exports,
            self.keys,
            self.notifier,
            clock=lambda: AT,
        )

    def new_resolver(self) -> Resolver:
        connector = self.platform.connector()
        return Resolver(
            DATA_MAP, {"dynamodb": connector, "s3": connector, "lake": connector}, keys=self.keys.key_ring()
        )

    @property
    def request(self) -> RightsRequest:
        return self.store.get(self.request_id)

    def resolved(self) -> Deletion:
        self.resolve_service.resolve_request(self.request_id)
        return self

    def plan(self) -> dict[str, Any]:
        return self.service.plan(self.request_id)

    def erase_all(self, plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
        return {src["store"]: self.service.erase(self.request_id, src["store"]) for src in plan["sources"]}

    def run(self) -> dict[str, Any]:
        """plan → erase (each store) → verify, as the state machine runs them."""
        plan = self.plan()
        assert plan["ask"] == []
        self.erase_all(plan)
        return self.service.verify(self.request_id)


@pytest.fixture
def deletion_request(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> Callable[..., RightsRequest]:
    def make(proven: tuple[str, ...] = ("email", "phone"), **overrides: Any) -> RightsRequest:
        subject = overrides.pop("subject", SubjectIdentifiers(email=EMAIL, phone=PHONE))
        fields = {"type": RequestType.DELETION, "status": Status.IN_PROGRESS, "subject": subject} | overrides
        return make_request(subject_keys=subject_keys(ring, subject), proven_identifiers=proven, **fields)

    return make


def _a_caller(d: Deletion) -> None:
    """Jane called Acme twice and Globex once; Acme keeps two takes of one recording and a
    redacted copy; one call was in a training set already used; a neighbour called Acme too."""
    p = d.platform
    p.put_item("accounts", {"account_id": "acc_1", "email": EMAIL, "phone": PHONE, "name": "Jane Doe"})
    p.put_item(
        "crm_leads", {"tenant_id": "acme", "lead_id": "L1", "phone": PHONE, "email": EMAIL, "name": "Jane"}
    )
    p.put_item("marketing_preferences", {"email": EMAIL, "withdrawn_at": "2025-12-01"})
    for call_id, tenant in (("CA1", "acme"), ("CA2", "acme"), ("CG1", "globex")):
        p.put_item("calls", _call(call_id, tenant, PHONE))
        p.put_item("call_insights", {"call_id": call_id, "kind": "summary", "text": "Jane asked for a quote"})
        p.put_version("recordings", f"recordings/{tenant}/{call_id}.wav", _stereo_wav())
        p.put_version("transcripts", f"transcripts/{tenant}/{call_id}.json", b'{"turns": []}')
    p.put_version("recordings", "recordings/acme/CA1.wav", _stereo_wav())  # a second take
    p.put_version("recordings", "recordings/acme/CA1.redacted.wav", _stereo_wav())
    p.put_item("training_manifests", {"set_id": "ts-1", "call_id": "CA1", "trained_models": ["score-v3"]})
    p.put_item("training_manifests", {"set_id": "ts-2", "call_id": "CA2"})
    # the neighbour's call, with an id that starts like Jane's
    p.put_item("calls", _call("CA12", "acme", NEIGHBOUR))
    p.put_version("recordings", "recordings/acme/CA12.wav", _stereo_wav())


def _snapshot(platform: FakePlatform) -> str:
    return json.dumps(
        {"items": platform.items, "objects": {s: sorted(o) for s, o in platform.objects.items()}},
        sort_keys=True,
        default=str,
    )


# -- a caller's deletion, end to end -----------------------------------------------------------


def test_each_store_is_erased_by_its_strategy_and_the_neighbour_is_untouched(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    neighbour_before = (
        d.platform.item("calls", {"call_id": "CA12"}),
        d.platform.objects["recordings"]["recordings/acme/CA12.wav"],
    )
    d.resolved()
    assert d.run() == {"verdict": {"result": "completed", "outcome": "complied"}}

    p = d.platform
    for call_id in ("CA1", "CA2", "CG1"):
        tombstone = p.item("calls", {"call_id": call_id})
        assert tombstone is not None
        assert set(tombstone) <= CALL_KEEP  # no number, no name
        assert p.item("call_insights", {"call_id": call_id, "kind": "summary"}) is None
    assert not [k for k in p.objects["recordings"] if "CA1." in k or "CA2." in k or "CG1." in k]
    assert not [k for k in p.objects["transcripts"] if "CA1." in k]
    assert p.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"}) is None
    assert p.item("accounts", {"account_id": "acc_1"}) is None  # a tombstone of nothing but its key
    assert p.item("marketing_preferences", {"email": EMAIL}) is not None  # kept, with its basis
    assert p.item("training_manifests", {"set_id": "ts-1", "call_id": "CA1"}) is not None  # already used
    assert p.item("training_manifests", {"set_id": "ts-2", "call_id": "CA2"}) is None
    assert (
        p.item("calls", {"call_id": "CA12"}),
        p.objects["recordings"]["recordings/acme/CA12.wav"],
    ) == neighbour_before

    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.stores["calls"]["tombstoned"] == 3
    assert receipt.stores["recordings"] == {
        "store": "recordings",
        "strategy": "delete",
        "records": 4,
        "deleted": 4,
        "versions_deleted": 5,
    }
    kept = receipt.stores["marketing_preferences"]
    assert (kept["retained"], kept["until"]) == (1, (AT + timedelta(days=1095)).date().isoformat())
    manifests = receipt.stores["training_manifests"]
    assert (manifests["deleted"], manifests["retained"], manifests["models"]) == (1, 1, ["score-v3"])
    assert receipt.backups_expire_by == (AT + timedelta(days=35)).date().isoformat()
    assert (receipt.held, receipt.answered_by_the_business, receipt.suppressed) == ([], [], True)
    assert d.work.documents[f"erasures/{d.request_id}/receipt.json"] == receipt.stored()


def test_verification_is_recorded_once_and_a_second_run_changes_nothing(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    verdict = d.resolved().run()
    after, saves = _snapshot(d.platform), d.store.actions(d.request_id).count("erasure.verified")
    assert d.service.verify(d.request_id) == verdict
    assert d.run() == verdict  # a replay from the start: plan, erase and verify return their results
    assert _snapshot(d.platform) == after
    assert d.store.actions(d.request_id).count("erasure.verified") == saves == 1


def test_each_store_is_erased_once_and_a_replay_skips_the_finished_ones(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    plan = d.resolved().plan()
    assert d.plan() == plan
    assert d.store.ledger(d.request_id)[ledger_steps.ERASURE_PLAN] == plan
    first = d.service.erase(d.request_id, "crm_leads")
    d.platform.put_item("crm_leads", {"tenant_id": "acme", "lead_id": "L1", "phone": PHONE})  # came back
    assert d.service.erase(d.request_id, "crm_leads") == first  # recorded: not erased again
    assert d.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"}) is not None
    with pytest.raises(ErasureIncomplete, match="not erased yet"):
        d.service.verify(d.request_id)
    assert d.request.erasure_receipt is None


def test_verification_reads_back_and_refuses_a_store_that_kept_its_objects(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    monkeypatch.setattr(
        d.platform, "delete_versions", lambda store, versions: len(versions)
    )  # says yes, does nothing
    d.resolved()
    d.erase_all(d.plan())
    with pytest.raises(ErasureIncomplete, match="object versions"):
        d.service.verify(d.request_id)
    assert d.request.erasure_receipt is None  # no receipt for an erasure that did not happen
    assert d.marks.marks == {}  # nor suppression
    assert ledger_steps.ERASURE_RECEIPT not in d.store.ledger(d.request_id)


def test_verification_runs_the_lookups_again_and_refuses_what_they_still_find(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    d.resolved()
    d.erase_all(d.plan())
    # a CRM sync re-imported her lead between the erasure and its check
    d.platform.put_item("crm_leads", {"tenant_id": "acme", "lead_id": "L9", "phone": PHONE})
    with pytest.raises(ErasureIncomplete, match=r"lookups still find records \(crm_leads: 1\)"):
        d.service.verify(d.request_id)


def test_after_erasure_the_subject_is_suppressed_and_recipients_are_told(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    d.resolved().run()
    for kind, value in (("email", EMAIL), ("phone", PHONE)):
        from privacy_rights.core.keyed_hash import IdentifierKind

        records = d.marks.records(ring.all_digests(IdentifierKind(kind), value))
        # a CRM re-import or a restore, a training run, a campaign: told no
        for purpose in (Purpose.INGESTION, Purpose.AI_TRAINING, Purpose.MARKETING):
            assert decide(records, purpose).allowed is False, purpose
        assert decide(records, Purpose.SERVICE).allowed is True  # a new call is new business
    neighbour = d.marks.records(ring.all_digests(IdentifierKind("phone"), "+14155550999"))
    assert decide(neighbour, Purpose.INGESTION).allowed is True
    receipt = d.request.erasure_receipt
    assert receipt is not None
    hooks = {receiver: payload for _, receiver, _, payload in d.notifier.calls}
    assert set(hooks) == {r for r, o in receipt.recipients.items() if o["notify"] == "webhook"}
    assert all(receipt.recipients[r]["delivered"] for r in hooks)  # each outcome kept
    assert {o["notify"] for o in receipt.recipients.values()} >= {"webhook", "none"}
    assert "transcription_provider" in hooks
    assert PHONE not in json.dumps(hooks)
    assert EMAIL not in json.dumps(hooks)
    assert receipt.recipients["cloud_hosting"] == {"notify": "none", "why": "Hosts the stores themselves."}


def test_earlier_exports_of_the_subject_go_too_but_not_the_numbers_earlier_holders(
    deletion_request: Callable[..., RightsRequest], make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    subject = SubjectIdentifiers(email=EMAIL, phone=PHONE, phone_held_since=date(2026, 1, 1))
    mine = make_request(
        request_id="req_mine0000000000000001",
        subject=subject,
        subject_keys=subject_keys(ring, subject),
        received_at=datetime(2026, 2, 1, tzinfo=UTC),
    ).with_export_result(ExportResult(key="exports/mine.zip", expires_at="2026-02-08T00:00:00+00:00"))
    before = SubjectIdentifiers(phone=PHONE)
    theirs = make_request(
        request_id="req_theirs00000000000001",
        subject=before,
        subject_keys=subject_keys(ring, before),
        received_at=datetime(2025, 6, 1, tzinfo=UTC),
    ).with_export_result(ExportResult(key="exports/theirs.zip", expires_at="2025-06-08T00:00:00+00:00"))
    d = Deletion(ring, deletion_request(subject=subject), None, mine, theirs)
    _a_caller(d)
    d.resolved().run()
    assert d.exports.erased == ["exports/mine.zip"]
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.earlier_exports_deleted == 1


def test_only_what_a_proven_identifier_reaches_is_erased(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request(proven=("phone",)))
    _a_caller(d)
    d.platform.put_item("crm_leads", {"tenant_id": "acme", "lead_id": "L2", "email": EMAIL})  # by email only
    d.resolved().run()
    assert d.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L2"}) is not None
    assert d.platform.item("marketing_preferences", {"email": EMAIL}) is not None
    assert d.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"}) is None  # has her phone


def test_a_recycled_numbers_calls_before_the_person_held_it_are_not_theirs(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    subject = SubjectIdentifiers(phone=PHONE, phone_held_since=date(2026, 1, 1))
    d = Deletion(ring, deletion_request(subject=subject, proven=("phone",)))
    d.platform.put_item("calls", _call("OLD1", "acme", PHONE, started_at="2025-11-30T10:00:00Z"))
    d.platform.put_item("calls", _call("NEW1", "acme", PHONE, started_at="2026-01-02T10:00:00Z"))
    d.resolved().run()
    assert d.platform.item("calls", {"call_id": "OLD1"}) == _call(
        "OLD1", "acme", PHONE, started_at="2025-11-30T10:00:00Z"
    )
    assert set(d.platform.item("calls", {"call_id": "NEW1"}) or {}) <= CALL_KEEP


# -- controller and processor: whose records CallX erases ---------------------------------------


def test_an_agents_erasure_leaves_the_calls_he_took_to_the_business(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    agent_phone = "+14155550999"
    subject = SubjectIdentifiers(email="sam@acme.example", phone=agent_phone)
    d = Deletion(ring, deletion_request(subject=subject))
    p = d.platform
    p.put_item("accounts", {"account_id": "acc_sam", "email": "sam@acme.example", "agent_id": "ag_sam"})
    p.put_item("usage_telemetry", {"account_id": "acc_sam", "at": "2026-01-01T00:00:00Z", "event": "login"})
    p.put_item("calls", _call("CT1", "acme", NEIGHBOUR, agent_id="ag_sam"))  # he answered a caller
    p.put_version("recordings", "recordings/acme/CT1.wav", _stereo_wav())
    p.put_item("calls", _call("CT2", "acme", agent_phone, agent_id="ag_other"))  # he called Acme himself
    taken = p.item("calls", {"call_id": "CT1"})
    d.resolved()
    assert d.run() == {"verdict": {"result": "completed", "outcome": "partially_complied"}}
    assert p.item("calls", {"call_id": "CT1"}) == taken
    assert "recordings/acme/CT1.wav" in p.objects["recordings"]
    assert set(p.item("calls", {"call_id": "CT2"}) or {}) <= CALL_KEEP  # his own call as a caller
    assert p.item("usage_telemetry", {"account_id": "acc_sam", "at": "2026-01-01T00:00:00Z"}) is None
    receipt = d.request.erasure_receipt
    assert receipt is not None
    rows = {(r["store"], r["instruction"], r["business"]) for r in receipt.answered_by_the_business}
    assert rows == {("calls", "employer_records", "Acme"), ("recordings", "employer_records", "Acme")}


def test_a_business_that_answers_itself_is_told_once_and_its_records_stay(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    customers = {
        "globex": {"name": "Globex", "instruction": "forward", "privacy_email": "privacy@globex.example"}
    }
    d = Deletion(ring, deletion_request(), customers)
    _a_caller(d)
    globex_call = d.platform.item("calls", {"call_id": "CG1"})
    d.resolved()
    assert d.run()["verdict"]["outcome"] == "partially_complied"
    assert d.platform.item("calls", {"call_id": "CG1"}) == globex_call
    assert "recordings/globex/CG1.wav" in d.platform.objects["recordings"]
    assert len(d.messenger.to("privacy@globex.example")) == 1
    assert d.store.ledger(d.request_id)[ledger_steps.customer_told("globex")]["kind"] == "forward"
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.businesses == ["Globex"]


def test_a_business_that_decides_each_time_is_asked_before_anything_is_erased(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    customers = {"acme": {"name": "Acme", "instruction": "ask", "privacy_email": "privacy@acme.example"}}
    d = Deletion(ring, deletion_request(), customers)
    _a_caller(d)
    before = _snapshot(d.platform)
    asked = d.resolved().plan()
    assert asked["ask"] == ["acme"]
    assert ledger_steps.ERASURE_PLAN not in d.store.ledger(d.request_id)  # not fixed while asking
    assert _snapshot(d.platform) == before
    assert d.plan()["ask"] == ["acme"]
    assert len(d.messenger.to("privacy@acme.example")) == 1  # told once

    d.store.complete_step(d.request_id, ledger_steps.customer_answer("acme"), {"decision": "release"}, "acme")
    assert d.run()["verdict"]["outcome"] == "complied"
    assert set(d.platform.item("calls", {"call_id": "CA1"}) or {}) <= CALL_KEEP


def test_a_business_asked_that_answers_the_person_itself_keeps_its_records(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """The business's answer is ``answer_ourselves``: its records of the caller stay whole, the
    deletion is partial and the receipt names the business that answers."""
    customers = {"acme": {"name": "Acme", "instruction": "ask", "privacy_email": "privacy@acme.example"}}
    d = Deletion(ring, deletion_request(), customers)
    _a_caller(d)
    acme_call = d.platform.item("calls", {"call_id": "CA1"})
    assert d.resolved().plan()["ask"] == ["acme"]
    d.store.complete_step(
        d.request_id, ledger_steps.customer_answer("acme"), {"decision": "answer_ourselves"}, "acme"
    )

    assert d.run()["verdict"]["outcome"] == "partially_complied"
    assert d.platform.item("calls", {"call_id": "CA1"}) == acme_call
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert {row["business"] for row in receipt.answered_by_the_business} == {"Acme"}


def test_a_business_that_keeps_its_agents_side_gets_the_caller_muted(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request(), {"acme": {"erasure_of_recordings": "mute_channel"}})
    _a_caller(d)
    d.platform.put_version(
        "transcripts",
        "transcripts/acme/CA2.json",
        json.dumps(
            {"turns": [{"speaker": "caller", "text": "I'm Jane"}, {"speaker": "agent", "text": "Hi"}]}
        ).encode(),
    )
    d.platform.put_version("recordings", "recordings/acme/CA2.wav", b"not a wav")  # cannot be separated
    d.resolved().run()
    recording = d.platform.objects["recordings"]["recordings/acme/CA1.wav"]
    assert len(recording) == 1  # the muted take only: no unedited version survives
    with wave.open(io.BytesIO(recording[0][1] or b"")) as reader:
        samples = array("h", reader.readframes(reader.getnframes()))
    assert not any(samples[0::2])
    assert all(samples[1::2])
    assert "recordings/acme/CA2.wav" not in d.platform.objects["recordings"]
    turns = json.loads(d.platform.current("transcripts", "transcripts/acme/CA2.json") or b"")["turns"]
    assert turns == [
        {"speaker": "caller", "text": "[erased at the caller's request]"},
        {"speaker": "agent", "text": "Hi"},
    ]
    assert "recordings/globex/CG1.wav" not in d.platform.objects["recordings"]  # Globex mutes nothing
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert receipt.stores["recordings"]["deleted_unmutable"] == 1


# -- legal holds, and the follow-up once one ends ----------------------------------------------


def _hold_on(d: Deletion, **target: str) -> str:
    command = PlaceHold(matter="Acme v. Roofco", reason="litigation hold on the calls", **target)
    return d.holds.place(command, "olivia").hold_id


def test_a_hold_keeps_records_back_and_the_follow_up_erases_them_once_it_ends(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    hold_id = _hold_on(d, tenant_id="acme")
    acme_call = d.platform.item("calls", {"call_id": "CA1"})
    d.resolved()
    assert d.run() == {"verdict": {"result": "completed", "outcome": "partially_complied"}}
    assert d.platform.item("calls", {"call_id": "CA1"}) == acme_call
    assert d.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"}) is not None
    assert set(d.platform.item("calls", {"call_id": "CG1"}) or {}) <= CALL_KEEP  # Globex's is not held
    first = d.request.erasure_receipt
    assert first is not None
    assert {(row["store"], row["hold_id"]) for row in first.held} >= {
        ("calls", hold_id),
        ("crm_leads", hold_id),
    }
    assert updated_receipt_notice(d.request) is None

    # ops' erase-held while the hold is on: a new run, and what is held stays held
    follow_up = HeldErasure(d.store)
    d.store.request = d.request.model_copy(update={"status": Status.COMPLETED})
    follow_up.check(d.request_id)
    cleared = follow_up.clear(d.request_id, "olivia", "hold still on")
    assert set(cleared) == {ledger_steps.ERASURE_PLAN, ledger_steps.ERASURE_RECEIPT} | {
        ledger_steps.erase(src) for src in first.stores
    }
    d.store.request = d.request.model_copy(update={"replays": 1})
    assert d.run()["verdict"]["outcome"] == "partially_complied"
    assert d.platform.item("calls", {"call_id": "CA1"}) == acme_call

    d.holds.release(hold_id, "matter settled", "olivia")
    follow_up.clear(d.request_id, "olivia", "hold released")
    d.store.request = d.request.model_copy(update={"replays": 2})
    plan = d.plan()
    assert {src["store"] for src in plan["sources"]} <= {r["store"] for r in first.held}  # only what was held
    d.erase_all(plan)
    assert d.service.verify(d.request_id) == {"verdict": {"result": "completed", "outcome": "complied"}}
    assert set(d.platform.item("calls", {"call_id": "CA1"}) or {}) <= CALL_KEEP
    receipt = d.request.erasure_receipt
    assert receipt is not None
    assert (receipt.held, receipt.follow_up, receipt.first_completed_at) == ([], 2, first.completed_at)
    assert receipt.stores["calls"]["tombstoned"] == 3  # both runs counted
    assert receipt.stores["crm_leads"]["deleted"] == 1
    assert d.request.outcome == "complied"
    assert updated_receipt_notice(d.request) == "final:follow_up:2"


def test_a_deletion_that_held_nothing_back_has_no_follow_up(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    d.resolved().run()
    with pytest.raises(IllegalTransition):
        HeldErasure(d.store).check(d.request_id)


def test_a_subject_hold_placed_after_the_plan_stops_the_erasure(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    d = Deletion(ring, deletion_request())
    _a_caller(d)
    plan = d.resolved().plan()
    d.service.erase(d.request_id, "crm_leads")
    after_one = _snapshot(d.platform)
    _hold_on(d, phone=PHONE)
    for source in plan["sources"]:
        if source["store"] != "crm_leads":
            with pytest.raises(HeldSincePlanned):
                d.service.erase(d.request_id, source["store"])
    assert _snapshot(d.platform) == after_one
    # ops plan again (replay --step erasure.plan): everything left is held now
    d.store.clear_step(d.request_id, ledger_steps.ERASURE_PLAN, "olivia", "plan under the hold")
    again = d.plan()
    assert again["sources"] == []
    assert sum(row["records"] for row in d.work.get_json(f"erasures/{d.request_id}/plan.json")["held"]) > 0


def test_an_administrators_billing_contact_is_kept_for_the_tax_years_and_nothing_else(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    admin = SubjectIdentifiers(email="admin@brightside.example")
    d = Deletion(ring, deletion_request(subject=admin, proven=("email",)))
    contact = {"name": "Brightside Ltd", "address": "1 Main St"}
    d.platform.put_item(
        "accounts",
        {
            "account_id": "acc_admin",
            "email": "admin@brightside.example",
            "name": "Ann",
            "billing_contact": contact,
        },
    )
    d.resolved().run()
    assert d.platform.item("accounts", {"account_id": "acc_admin"}) == {
        "account_id": "acc_admin",
        "billing_contact": contact,
    }
    receipt = d.request.erasure_receipt
    assert receipt is not None
    accounts = receipt.stores["accounts"]
    assert (accounts["tombstoned"], accounts["deleted"]) == (1, 0)
    assert accounts["basis"].startswith("Tax law")


# -- a footprint ops narrowed --------------------------------------------------------------------


def test_a_narrowed_deletion_erases_only_its_scope_and_the_receipt_counts_the_rest(
    deletion_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    """``decide … narrow --business acme --since … --until …``: only Acme's records of January
    are erased (the calls, and what was found through them: recordings, transcripts, insights);
    Globex's call and CallX's own account stay as they are, and the receipt says so."""
    from privacy_rights.core.request_results import NarrowedScope
    from privacy_rights.erasure.receipt import erasure_receipt_text

    d = Deletion(ring, deletion_request())
    _a_caller(d)
    d.resolved()
    scope = NarrowedScope(businesses=["acme"], since="2026-01-01", until="2026-01-31", reason="one person")
    d.store.request = d.request.with_narrowed_to(scope)
    untouched = (
        d.platform.item("calls", {"call_id": "CG1"}),
        d.platform.item("accounts", {"account_id": "acc_1"}),
    )

    assert d.run() == {"verdict": {"result": "completed", "outcome": "partially_complied"}}

    p = d.platform
    for call_id in ("CA1", "CA2"):
        assert set(p.item("calls", {"call_id": call_id}) or {}) <= CALL_KEEP
        assert not [k for k in p.objects["recordings"] if f"/{call_id}." in k]
    assert (p.item("calls", {"call_id": "CG1"}), p.item("accounts", {"account_id": "acc_1"})) == untouched
    assert "recordings/globex/CG1.wav" in p.objects["recordings"]
    receipt = d.request.erasure_receipt
    assert receipt is not None
    outside = {row["store"]: row["records"] for row in receipt.outside_scope}
    assert (outside["calls"], outside["accounts"], outside["recordings"]) == (1, 1, 1)
    assert "acme" not in json.dumps(receipt.outside_scope)
    text = erasure_receipt_text(receipt)
    assert "Not erased: " in text
    assert "1 in calls" in text
    assert "1 in accounts" in text


def test_a_narrowed_scope_covers_a_record_only_when_every_dimension_holds() -> None:
    from privacy_rights.core.request_results import NarrowedScope

    def pointer(store: str, tenant: str | None, at: str | None) -> dict[str, Any]:
        return {"store": store, "tenant_id": tenant, "happened_at": at}

    dated = NarrowedScope(stores=["calls"], since="2026-01-01", until="2026-01-31", reason="r")
    assert dated.covers(pointer("calls", "acme", "2026-01-31T23:59:00Z"))
    assert not dated.covers(pointer("calls", "acme", "2026-02-01T00:00:00Z"))
    assert not dated.covers(pointer("calls", "acme", None))  # no date: not shown to be inside
    assert not dated.covers(pointer("recordings", "acme", "2026-01-10"))
    by_business = NarrowedScope(businesses=["acme"], reason="r")
    assert by_business.covers(pointer("crm_leads", "acme", None))
    assert not by_business.covers(pointer("accounts", None, None))  # CallX's own: not named
    assert by_business.describe() == "records held for acme"
