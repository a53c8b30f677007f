"""Correction's rules on in-memory fakes of its ports: the real data map, the real resolver over
a fake platform, the real business instructions.

What is decided here: a change is applied only to released records (proven to be the subject's)
that hold the value named, only to fields the data map marks correctable, through a conditional
write; a call's caller ID, a recording, a transcript are not correctable and the answer says why;
a value held that no record holds is said so; ops deny a field with a reason before anything is
applied; a business's records follow its standing instruction; businesses and recipients are
told; the audit names fields, never values; a correction without the value held goes to ops by
hand; the statement after a denial."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fakes import (
    FakeCorrector,
    FakeCustomers,
    FakeKeys,
    FakeMessenger,
    FakeNotifier,
    FakePlatform,
    FakeReader,
    FakeRequests,
    FakeWork,
)

from privacy_rights.businesses.business_instructions import BusinessInstructions
from privacy_rights.core import notices
from privacy_rights.core.data_map import load_data_map, parse_data_map
from privacy_rights.core.errors import CannotMove, NotFound, ValidationFailed, WaitNotPending
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import Outcome, RequestType, RightsRequest, Status, SubjectIdentifiers
from privacy_rights.core.request_results import RequestedCorrection, intake_statement
from privacy_rights.core.tokens import status_token
from privacy_rights.correction.correction_service import CorrectionService, same_value
from privacy_rights.correction.review import REVIEW, CorrectionReview, FieldDenial, ReviewCorrection
from privacy_rights.correction.statements import AddStatement, CorrectionStatements
from privacy_rights.resolution.resolution import Resolver
from privacy_rights.resolution.resolve_service import ResolveService
from privacy_rights.rights_requests.intake import subject_keys
from privacy_rights.rights_requests.submission import Correction

DATA_MAP = load_data_map()
PHONE = "+14155550123"
EMAIL = "jane@example.com"
NEIGHBOUR = "+14155550777"
AT = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class Correcting:
    """One correction request and everything ``CorrectionService`` runs on, in memory."""

    def __init__(
        self, ring: KeyRing, request: RightsRequest, customers: dict[str, Any] | None = None
    ) -> None:
        self.request_id = request.request_id
        self.platform = FakePlatform(DATA_MAP)
        self.store = FakeRequests(request)
        self.work = FakeWork()
        self.keys = FakeKeys(ring)
        self.messenger = FakeMessenger()
        self.notifier = FakeNotifier()
        self.customers = FakeCustomers(
            customers or {"acme": {"webhook_url": "https://hooks.acme.example/privacy"}}
        )
        instructions = BusinessInstructions(
            self.store, self.work, self.customers, self.messenger, self.notifier
        )
        self.corrector = FakeCorrector(self.platform)
        self.service = CorrectionService(
            self.store,
            self.work,
            DATA_MAP,
            FakeReader(self.platform),
            self.corrector,
            instructions,
            self.customers,
            self.notifier,
            clock=lambda: AT,
        )
        self.resolve_service = ResolveService(self.store, self._resolver, self.work, self.keys)
        self.answered: list[tuple[str, str, dict[str, Any]]] = []
        self.ops = CorrectionReview(self.store, self._answer)

    def _resolver(self) -> Resolver:
        connector = self.platform.connector()
        # other kinds of store (an analytics lake) hold nothing of Jane's here
        connectors: dict[str, Any] = {store.kind: _NothingThere() for store in DATA_MAP.stores}
        connectors |= {"dynamodb": connector, "s3": connector, "lake": connector}
        return Resolver(DATA_MAP, connectors, keys=self.keys.key_ring())

    @property
    def request(self) -> RightsRequest:
        return self.store.get(self.request_id)

    def resolved(self) -> Correcting:
        self.resolve_service.resolve_request(self.request_id)
        return self

    def review(self, denials: dict[str, str] | None = None) -> None:
        """Ops' answer, recorded as ``Workflow.answer`` records it."""
        self.store.set_waiting(self.request_id, REVIEW, "token-1")
        command = ReviewCorrection(deny=[FieldDenial(field=f, reason=r) for f, r in (denials or {}).items()])
        self.ops.review(self.request_id, command, "ops:test")
        assert self.answered[-1][:2] == (self.request_id, REVIEW)

    def _answer(self, request_id: str, kind: Any, answer: Any, actor: str) -> None:
        """As ``Workflow.answer`` does: the answer in the ledger first, then the wait resumed."""
        self.store.complete_step(request_id, kind, answer, actor)
        self.store.take_waiting(request_id, kind)
        self.answered.append((request_id, kind, dict(answer)))

    def run(self, denials: dict[str, str] | None = None) -> dict[str, Any]:
        """plan → (ops review) → plan again → apply, as the state machine runs them."""
        plan = self.service.plan(self.request_id)
        assert plan["ask"] == []
        assert not plan["by_hand"]
        if plan["review"]:
            self.review(denials)
            assert self.service.plan(self.request_id)["review"] is False
        return self.service.apply(self.request_id)


class _NothingThere:
    """A ``Connector`` that finds nothing."""

    def find(self, store: Any, lookup: Any, value: str, context: Any) -> Iterator[Any]:
        return iter(())

    def calls_made(self) -> Counter[str]:
        return Counter()


@pytest.fixture
def correction_request(
    make_request: Callable[..., RightsRequest], ring: KeyRing
) -> Callable[..., RightsRequest]:
    def make(*asked: RequestedCorrection, proven: tuple[str, ...] = ("email", "phone")) -> RightsRequest:
        subject = SubjectIdentifiers(email=EMAIL, phone=PHONE)
        return make_request(
            type=RequestType.CORRECTION,
            status=Status.IN_PROGRESS,
            subject=subject,
            subject_keys=subject_keys(ring, subject),
            proven_identifiers=proven,
            extra=intake_statement(False, asked),
        )

    return make


def _jane(c: Correcting) -> None:
    """Jane: an account, a CRM lead at Acme, two calls to Acme with their recordings; a
    neighbour's lead at Acme with the same name (not Jane's: never touched)."""
    p = c.platform
    p.put_item("accounts", {"account_id": "acc_1", "email": EMAIL, "phone": PHONE, "name": "Jane Doe"})
    p.put_item(
        "crm_leads",
        {
            "tenant_id": "acme",
            "lead_id": "L1",
            "phone": PHONE,
            "email": EMAIL,
            "name": "Jane Doe",
            "company": "Doe Ltd",
        },
    )
    p.put_item("crm_leads", {"tenant_id": "acme", "lead_id": "L9", "phone": NEIGHBOUR, "name": "Jane Doe"})
    for call_id in ("CA1", "CA2"):
        p.put_item(
            "calls",
            {"call_id": call_id, "tenant_id": "acme", "caller_phone": PHONE, "caller_name": "Jane Doe"},
        )
        p.put_version("recordings", f"recordings/acme/{call_id}.wav", b"RIFF")


def _asked(field: str, held: str, corrected: str) -> RequestedCorrection:
    return RequestedCorrection(field=field, held=held, corrected=corrected)


def _rows(result: dict[str, Any] | None, c: Correcting) -> set[tuple[str, str | None, str]]:
    done = c.request.correction_result
    assert done is not None
    return {(r["field"], r.get("store"), r["outcome"]) for r in done.changes}


def test_a_name_is_corrected_in_the_subjects_records_and_not_in_the_caller_id(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("name", "jane  doe", "Jane Q. Doe")))
    _jane(c)
    result = c.resolved().run()

    assert result == {"verdict": {"result": "completed", "outcome": "partially_complied"}}
    p = c.platform
    assert p.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["name"] == "Jane Q. Doe"  # type: ignore[index]
    assert p.item("accounts", {"account_id": "acc_1"})["name"] == "Jane Q. Doe"  # type: ignore[index]
    assert p.item("crm_leads", {"tenant_id": "acme", "lead_id": "L9"})["name"] == "Jane Doe"  # type: ignore[index]
    assert p.item("calls", {"call_id": "CA1"})["caller_name"] == "Jane Doe"  # type: ignore[index]
    assert _rows(result, c) == {
        ("name", "accounts", "applied"),
        ("name", "crm_leads", "applied"),
        ("name", "calls", "not_correctable"),
    }
    done = c.request.correction_result
    assert done is not None
    (calls,) = done.rows("not_correctable")
    assert calls["records"] == 2
    assert calls["why"] == DATA_MAP.store("calls").correction.why_fixed  # type: ignore[union-attr]
    answer = notices.answer(
        c.request.model_copy(update={"status": Status.COMPLETED, "outcome": Outcome.PARTIALLY_COMPLIED})
    )
    assert "caller ID" in answer.body
    assert "We corrected:" in answer.body


def test_the_audit_and_the_notices_name_the_fields_never_the_values(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("email", EMAIL, "jane.doe@example.org")))
    _jane(c)
    c.resolved().run()

    (detail,) = [d for _, _, action, d in c.store.audit if action == "correction.applied"]
    assert detail["fields_changed"] == ["accounts.email", "crm_leads.email"]
    assert "example.org" not in repr(c.store.audit)
    (hook,) = [call for call in c.notifier.calls if call[2].endswith(".corrected")]
    assert hook[1] == "acme"
    assert "example.org" not in repr(hook[3])
    assert c.request.correction_result.told["business:acme"]["delivered"] is True  # type: ignore[union-attr]


def test_a_value_no_record_holds_changes_nothing_and_says_so(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("company", "Acme Widgets", "Doe Consulting")))
    _jane(c)
    result = c.resolved().run()

    assert result["verdict"]["outcome"] == "nothing_held"
    assert _rows(result, c) == {("company", None, "held_not_found")}
    assert c.corrector.writes == []
    assert c.store.ledgers[c.request_id]["correction.plan"]["changes"] == 0


def test_ops_deny_a_field_with_a_reason_before_anything_is_applied(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    request = correction_request(
        _asked("name", "Jane Doe", "Janet Doe"), _asked("company", "Doe Ltd", "Doe LLC")
    )
    c = Correcting(ring, request)
    _jane(c)
    c.resolved()
    plan = c.service.plan(c.request_id)
    assert plan["review"] is True  # nothing applied until ops have looked
    assert c.corrector.writes == []
    with pytest.raises(WaitNotPending):  # not waiting yet: nothing to answer
        c.ops.review(c.request_id, ReviewCorrection(), "ops:test")
    c.store.set_waiting(c.request_id, REVIEW, "token-1")
    with pytest.raises(ValidationFailed):
        c.ops.review(
            c.request_id,
            ReviewCorrection(deny=[FieldDenial(field="phone", reason="not asked for in this request")]),
            "ops:test",
        )
    with pytest.raises(ValueError, match="at least 10"):
        FieldDenial(field="name", reason="no")  # a reason the person can read
    assert REVIEW not in c.store.ledgers[c.request_id]
    result = c.run({"name": "The signed contract on file gives the name as Jane Doe."})

    assert result["verdict"]["outcome"] == "partially_complied"
    assert c.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["name"] == "Jane Doe"  # type: ignore[index]
    assert c.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["company"] == "Doe LLC"  # type: ignore[index]
    done = c.request.correction_result
    assert done is not None
    assert done.denied_fields == ["name"]
    assert {r["why"] for r in done.rows("denied")} == {
        "The signed contract on file gives the name as Jane Doe."
    }


def test_a_record_changed_since_the_plan_is_not_overwritten(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("phone", PHONE, "+1 415 555 0199")))
    _jane(c)
    c.resolved()
    assert c.service.plan(c.request_id)["review"] is True
    c.review()
    # the account's number changed in between (the person changed it in the app)
    c.platform.put_item("accounts", {"account_id": "acc_1", "email": EMAIL, "phone": "+14155550100"})
    result = c.service.apply(c.request_id)

    assert ("phone", "accounts", "held_not_found") in _rows(result, c)
    assert ("phone", "crm_leads", "applied") in _rows(result, c)
    assert c.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["phone"] == "+14155550199"  # type: ignore[index]


def test_a_business_that_answers_itself_keeps_its_records_and_is_named(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(
        ring,
        correction_request(_asked("name", "Jane Doe", "Janet Doe")),
        {"acme": {"instruction": "forward"}},
    )
    _jane(c)
    c.resolved().run()

    assert c.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["name"] == "Jane Doe"  # type: ignore[index]
    assert c.platform.item("accounts", {"account_id": "acc_1"})["name"] == "Janet Doe"  # type: ignore[index]
    done = c.request.correction_result
    assert done is not None
    assert {r["store"] for r in done.rows("answered_by_business")} == {"crm_leads", "calls"}


def test_a_business_that_decides_each_time_is_asked_first(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(
        ring, correction_request(_asked("name", "Jane Doe", "Janet Doe")), {"acme": {"instruction": "ask"}}
    )
    _jane(c)
    c.resolved()
    assert c.service.plan(c.request_id)["ask"] == ["acme"]
    assert "correction.plan" not in c.store.ledgers[c.request_id]  # not fixed while a business is asked
    c.store.complete_step(c.request_id, "customer:acme", {"decision": "release"}, "customer:acme")
    c.run()
    assert c.platform.item("crm_leads", {"tenant_id": "acme", "lead_id": "L1"})["name"] == "Janet Doe"  # type: ignore[index]


def test_a_correction_without_the_value_held_goes_to_ops_by_hand(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(RequestedCorrection(field="other", corrected="see my email")))
    _jane(c)
    c.resolved()
    assert c.service.plan(c.request_id) == {"by_hand": True, "ask": [], "review": False}
    assert c.corrector.writes == []


def test_a_statement_is_kept_only_after_a_denial_and_at_most_250_words(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("name", "Jane Doe", "Janet Doe")))
    statements = CorrectionStatements(c.store, c.keys, clock=lambda: AT)
    _jane(c)
    c.resolved()
    with pytest.raises(CannotMove):
        statements.add(c.request, "Too early.", "requester")
    c.run({"name": "The signed contract on file gives the name as Jane Doe."})
    with pytest.raises(ValidationFailed):
        statements.add(c.request, "word " * 251, "requester")
    token = status_token(ring, c.request_id, c.request.status_nonce)
    with pytest.raises(NotFound):
        statements.add_with_token(c.request_id, "not-the-token", AddStatement(statement="Mine."))
    kept = statements.add_with_token(
        c.request_id, token, AddStatement(statement="My name is Janet; see my passport.")
    )
    assert kept.words == 7
    assert c.request.correction_statement is not None
    assert c.request.correction_statement.text == "My name is Janet; see my passport."
    with pytest.raises(CannotMove):
        statements.add(c.request, "Again.", "requester")
    (detail,) = [d for _, _, action, d in c.store.audit if action == "correction.statement_added"]
    assert "passport" not in repr(detail)
    final = notices.answer(
        c.request.model_copy(update={"status": Status.COMPLETED, "outcome": Outcome.PARTIALLY_COMPLIED})
    )
    assert "Your statement, added on 2026-03-10, is kept with your record." in final.body


@pytest.mark.parametrize(
    ("field", "held", "given", "same"),
    [
        ("email", "jane@example.com", "Jane@Example.com", True),
        ("phone", "+14155550123", "(415) 555-0123", True),
        ("name", "Jane  Doe", "jane doe", True),
        ("name", "Jane Doe", "Jane Do", False),
        ("phone", "+14155550123", "not a number", False),
        ("name", None, "Jane", False),
    ],
)
def test_the_value_held_is_compared_as_the_platform_stores_it(
    field: str, held: Any, given: str, same: bool
) -> None:
    assert same_value(field, held, given) is same


def test_the_data_map_marks_a_calls_caller_id_recordings_and_transcripts_not_correctable() -> None:
    for name, field in (
        ("calls", "phone"),
        ("calls", "name"),
        ("recordings", "recording"),
        ("transcripts", "transcript"),
    ):
        correction = DATA_MAP.store(name).correction
        assert correction is not None
        assert field in correction.fixed
        assert correction.why_fixed
    assert DATA_MAP.store("crm_leads").correction.fields["name"] == "name"  # type: ignore[union-attr]
    assert not [s.name for s in DATA_MAP.stores if s.kind == "s3" and s.correction and s.correction.fields]


def test_the_data_map_refuses_a_correctable_field_it_does_not_hold() -> None:
    import yaml

    raw = yaml.safe_load((DATA_MAP_PATH).read_text())
    raw["stores"][0]["correction"] = {"fields": {"name": "no_such_field"}}
    with pytest.raises(ValueError, match="correction names unknown fields"):
        parse_data_map(yaml.safe_dump(raw))


def test_intake_checks_an_email_or_phone_correction_and_the_value_held() -> None:
    with pytest.raises(ValueError, match="corrected"):
        Correction(field="email", corrected="not an address", held=EMAIL)
    with pytest.raises(ValueError, match="held"):
        Correction(field="phone", corrected=PHONE, held="call me")
    with pytest.raises(ValueError, match="same value"):
        Correction(field="name", corrected="Jane", held="Jane")
    assert Correction(field="name", corrected="Jane").held == ""


from importlib import resources  # noqa: E402

DATA_MAP_PATH = resources.files("privacy_rights.core").joinpath("data_map.yaml")


def test_a_replay_after_a_crash_does_not_report_its_own_writes_as_missing(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(ring, correction_request(_asked("name", "Jane Doe", "Janet Doe")))
    _jane(c)
    c.resolved()
    c.service.plan(c.request_id)
    c.review()
    # the first run wrote the CRM lead, then crashed before anything was recorded
    c.platform.put_item(
        "crm_leads",
        {"tenant_id": "acme", "lead_id": "L1", "phone": PHONE, "email": EMAIL, "name": "Janet Doe"},
    )
    c.service.apply(c.request_id)
    assert ("name", "crm_leads", "applied") in _rows(None, c)
    # and once the result is kept, a step run again changes nothing and says the same
    again = c.service.apply(c.request_id)
    assert again["verdict"]["outcome"] == "partially_complied"


def test_the_state_machine_carries_a_correction_through_plan_review_and_apply() -> None:
    import json
    from pathlib import Path

    asl = Path(__file__).parents[2] / "infra" / "statemachine" / "rights_request.asl.json"
    states = json.loads(asl.read_text())["States"]
    by_type = {c.get("StringEquals"): c["Next"] for c in states["ByType"]["Choices"] if "StringEquals" in c}
    assert by_type["correction"] == "PlanCorrection"
    assert states["PlanCorrection"]["Next"] == "CorrectionPlanned"
    routes = [c["Next"] for c in states["CorrectionPlanned"]["Choices"]]
    assert routes == ["AwaitFulfilment", "AwaitCorrectionCustomers", "AwaitCorrectionReview"]
    assert states["CorrectionPlanned"]["Default"] == "ApplyCorrections"
    assert states["AwaitCorrectionReview"]["Parameters"]["Payload"]["kind"] == REVIEW
    # each wait lets the subject's lock go and takes it again (BeginAction), then plans again
    assert (
        states["AwaitCorrectionReview"]["Next"] == states["AwaitCorrectionCustomers"]["Next"] == "BeginAction"
    )
    assert states["ApplyCorrections"]["Next"] == "Corrected"
    assert states["Corrected"]["Next"] == "Finalize"


def test_a_value_only_a_business_holds_is_left_to_it_not_reported_missing(
    correction_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    c = Correcting(
        ring,
        correction_request(_asked("company", "Doe Ltd", "Doe LLC")),
        {"acme": {"instruction": "forward"}},
    )
    _jane(c)
    result = c.resolved().run()

    assert _rows(result, c) == {("company", "crm_leads", "answered_by_business")}
    assert c.corrector.writes == []
    done = c.request.correction_result
    assert done is not None
    assert done.rows("answered_by_business")[0]["business"] == "Acme"
