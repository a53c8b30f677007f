"""Identity verification's rules on in-memory fakes of its ports (no moto, no state machine):
which identifiers a request must prove and how many data points, codes (single use, expiry,
the lock after five wrong ones, the daily and per-source limits, landlines), facts about the
phone's calls, signing in again, agents, and the scope a CCPA request to know is answered in.

The answers are asserted with the HTTP status the API gives each domain error
(``runtime.http_errors.STATUS_BY_ERROR``). The real workflow records the proof
(``Workflow.verified``), so what a request holds once verified is the workflow's own."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fakes import (
    FakeCallFacts,
    FakeCounters,
    FakeKeys,
    FakeMessenger,
    FakeRequests,
    FakeVerificationCodes,
    notices_workflow,
)

from local_stack.idp import AUDIENCE, ISSUER, LocalIdentityProvider
from privacy_rights.core import ledger_steps
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.errors import DomainError
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    Jurisdiction,
    Requester,
    RequesterRole,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.core.tokens import status_token
from privacy_rights.rights_requests.intake import subject_keys
from privacy_rights.rights_requests.sign_in import AccountSignIn, ProviderKeys
from privacy_rights.rights_requests.verification import (
    CODES_PER_IDENTIFIER_PER_DAY,
    FactChecker,
    VerificationService,
    VerifyAttempt,
)
from privacy_rights.runtime.http_errors import STATUS_BY_ERROR

DATA_MAP = load_data_map()
CODE = re.compile(r"verification code is (\d{6})")
SPOKEN = re.compile(r"code is: ([\d, ]+)\.")
NOW = 1_780_000_000.0
DANA_PHONE = "+14155550142"
#: Dana's calls at Acme Plumbing (recordings and transcripts hang off calls)
DANA_CALLS = {DANA_PHONE: [{"started_at": "2026-02-11T10:04:00+00:00", "tenant_id": "acme"}]}
TENANTS = {"acme": "Acme Plumbing", "northwind": "Northwind Legal"}
RIGHT_FACT = {"recent_call_month": "2026-02", "business": "acme plumbing"}


def status_of(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return int(STATUS_BY_ERROR[cls])
    raise AssertionError(f"{type(error).__name__} has no HTTP answer")


class World:
    """Requests waiting for verification (acknowledged, the wait parked), the service over
    fakes, and the real workflow behind ``on_verified``."""

    def __init__(
        self,
        ring: KeyRing,
        *requests: RightsRequest,
        calls: dict[str, list[dict[str, str]]] | None = None,
        can_call: bool = False,
        sign_in: AccountSignIn | None = None,
    ) -> None:
        self.ring = ring
        self.store = FakeRequests(*requests)
        self.codes = FakeVerificationCodes()
        self.counters = FakeCounters()
        self.messenger = FakeMessenger(can_call=can_call)
        self.permissions: set[str] = set()
        self.workflow = notices_workflow(self.store, ring, self.messenger)
        self.resumed: list[tuple[str, list[str], str, list[str]]] = []
        self.service = VerificationService(
            self.store,  # type: ignore[arg-type]
            self.codes,
            self.counters,
            FakeKeys(ring),
            self.messenger,
            DATA_MAP,
            FactChecker(FakeCallFacts(calls, TENANTS)),
            permissions_present=self.permissions.__contains__,
            on_verified=self._verified,
            sign_in=sign_in,
            clock=lambda: NOW,
        )
        for request in requests:
            self.workflow.acknowledge(request.request_id)
            self.workflow.await_callback(request.request_id, "verification", f"tok-{request.request_id}")

    def _verified(self, request_id: str, proven: list[str], actor: str, requester_proven: list[str]) -> None:
        self.resumed.append((request_id, proven, actor, requester_proven))
        self.workflow.verified(request_id, proven, actor, requester_proven)

    @property
    def request_id(self) -> str:
        return self.store.request.request_id

    def token(self, request_id: str | None = None) -> str:
        request = self.store.get(request_id or self.request_id)
        return status_token(self.ring, request.request_id, request.status_nonce)

    def codes_for(self, address: str) -> list[str]:
        return [code for m in self.messenger.to(address) for code in CODE.findall(m["text"])]

    def send_codes(self, request_id: str | None = None) -> dict[str, Any]:
        return self.service.send_codes(request_id or self.request_id)

    def verify(
        self,
        request_id: str | None = None,
        token: str | None = None,
        source: str | None = None,
        **attempt: Any,
    ) -> tuple[int, dict[str, Any]]:
        """The API's answer: 200 and the result, or the error's status."""
        request_id = request_id or self.request_id
        try:
            result = self.service.verify(
                request_id,
                VerifyAttempt(**attempt),
                self.token(request_id) if token is None else token,
                source,
            )
        except DomainError as error:
            return status_of(error), {}
        return 200, result.model_dump()

    def audit(self, action: str, request_id: str | None = None) -> list[dict[str, Any]]:
        wanted = request_id or self.request_id
        return [detail for rid, _, act, detail in self.store.audit if rid == wanted and act == action]


@pytest.fixture
def waiting(make_request: Callable[..., RightsRequest], ring: KeyRing) -> Callable[..., RightsRequest]:
    """A request as intake stores it: its subject's keys, awaiting verification once acknowledged."""

    def make(**fields: Any) -> RightsRequest:
        subject = fields.pop("subject")
        subject = SubjectIdentifiers(**subject) if isinstance(subject, dict) else subject
        return make_request(subject=subject, subject_keys=subject_keys(ring, subject), **fields)

    return make


def correction(**fields: Any) -> dict[str, Any]:
    return {
        "type": RequestType.CORRECTION,
        "extra": {"corrections": [{"field": "name", "corrected": "X"}]},
    } | fields


# -- what must be proven ----------------------------------------------------------------------


def test_gdpr_is_verified_by_the_code_of_every_identifier(waiting: Any, ring: KeyRing) -> None:
    w = World(ring, waiting(subject={"email": "g@example.org", "phone": "+447911123456"}, **correction()))
    w.send_codes()

    first = w.verify(code=w.codes_for("g@example.org")[0])
    second = w.verify(code=w.codes_for("+447911123456")[0])

    assert first == (200, {"verified": False, "proven": ["email"], "pending": ["phone"]})
    assert second[1]["verified"] is True
    assert w.store.request.proven_identifiers == ("email", "phone")
    assert w.store.request.status is Status.VERIFIED


def test_a_ccpa_deletion_reaching_recordings_needs_a_third_data_point_a_fact(
    waiting: Any, ring: KeyRing
) -> None:
    request = waiting(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.CCPA,
        subject={"email": "dana@example.net", "phone": DANA_PHONE},
    )
    w = World(ring, request, calls=DANA_CALLS)
    w.send_codes()
    w.verify(code=w.codes_for("dana@example.net")[0])
    _, after_codes = w.verify(code=w.codes_for(DANA_PHONE)[0])
    assert after_codes == {"verified": False, "proven": ["email", "phone"], "pending": ["fact"]}

    wrong = w.verify(fact={"recent_call_month": "2026-02", "business": "Some Other Business"})
    right = w.verify(fact=RIGHT_FACT)

    assert wrong == (200, after_codes)  # a wrong fact is not told apart from a right one...
    assert right == (200, {"verified": True, "proven": ["email", "fact", "phone"], "pending": []})
    assert w.store.request.proven_identifiers == ("email", "phone")  # a fact is no identifier


def test_a_ccpa_deletion_whose_number_made_no_calls_needs_two_points(waiting: Any, ring: KeyRing) -> None:
    """No calls, so no recordings at stake: the two codes are enough."""
    request = waiting(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.CCPA,
        subject={"email": "dana@example.net", "phone": DANA_PHONE},
    )
    w = World(ring, request, calls={})
    w.send_codes()
    w.verify(code=w.codes_for("dana@example.net")[0])

    assert w.verify(code=w.codes_for(DANA_PHONE)[0])[1]["verified"] is True


def test_a_fact_is_not_looked_at_before_the_phone_is_proven_and_right_and_wrong_answer_alike(
    waiting: Any, ring: KeyRing
) -> None:
    request = waiting(
        type=RequestType.DELETION,
        jurisdiction=Jurisdiction.CCPA,
        subject={"email": "dana2@example.net", "phone": DANA_PHONE},
    )
    w = World(ring, request, calls=DANA_CALLS)
    w.send_codes()
    wrong_fact = {"recent_call_month": "2026-02", "business": "Northwind Legal"}

    before_phone = [w.verify(fact=fact) for fact in (RIGHT_FACT, wrong_fact)]
    w.verify(code=w.codes_for(DANA_PHONE)[0])
    after_phone = [w.verify(fact=fact) for fact in (RIGHT_FACT, wrong_fact)]

    assert before_phone[0] == before_phone[1]
    assert before_phone[0][0] == 400
    # one proof short (the email's code): the right fact and the wrong one answer alike
    assert (
        after_phone[0]
        == after_phone[1]
        == (200, {"verified": False, "proven": ["phone"], "pending": ["email", "fact"]})
    )
    assert w.verify(fact=RIGHT_FACT)[0] == 200
    assert w.verify(fact=RIGHT_FACT)[0] == 429  # three fact attempts a day per phone
    done = w.verify(code=w.codes_for("dana2@example.net")[0])
    assert done == (200, {"verified": True, "proven": ["email", "fact", "phone"], "pending": []})


def test_a_ccpa_access_request_without_a_scope_gets_the_categories_unless_highly_certain(
    waiting: Any, ring: KeyRing
) -> None:
    request = waiting(
        jurisdiction=Jurisdiction.CCPA, subject={"email": "noscope@example.org", "phone": "+14155550177"}
    )
    w = World(ring, request)
    w.send_codes()
    w.verify(code=w.codes_for("noscope@example.org")[0])

    done = w.verify(code=w.codes_for("+14155550177")[0])

    assert done[1]["verified"] is True
    stored = w.store.request
    assert stored.scope is not None
    assert stored.scope.value == "categories"
    assert stored.scope_decision is not None
    assert "declaration" in stored.scope_decision.why


# -- codes ------------------------------------------------------------------------------------


def test_wrong_codes_lock_the_request_after_five_attempts(waiting: Any, ring: KeyRing) -> None:
    w = World(ring, waiting(subject={"email": "brute@example.org"}))
    w.send_codes()
    real = w.codes_for("brute@example.org")[0]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    answers = [w.verify(code=wrong)[0] for _ in range(6)]
    after_lock = w.verify(code=real)

    assert answers[:4] == [400, 400, 400, 400]
    assert answers[4:] == [429, 429]
    assert after_lock[0] == 429
    assert w.resumed == []


def test_only_wrong_codes_count_towards_the_lock(waiting: Any, ring: KeyRing) -> None:
    w = World(ring, waiting(subject={"email": "slow@example.org", "phone": "+447911123450"}))
    w.send_codes()
    real = w.codes_for("slow@example.org")[0]
    wrong = f"{(int(real) + 1) % 1_000_000:06d}"

    answers = [w.verify(code=wrong)[0] for _ in range(3)] + [w.verify(code=real)[0], w.verify(code=wrong)[0]]

    assert answers == [400, 400, 400, 200, 400]  # the right one gave its attempt back
    assert CODES_PER_IDENTIFIER_PER_DAY == 5  # and a few codes a day per identifier


def test_a_code_is_single_use_and_an_expired_code_gets_a_new_one(waiting: Any, ring: KeyRing) -> None:
    w = World(ring, waiting(subject={"email": "once@example.org", "phone": "+447911123457"}))
    w.send_codes()
    email_code = w.codes_for("once@example.org")[0]
    assert w.verify(code=email_code)[0] == 200
    assert w.verify(code=email_code)[0] == 400  # used

    w.codes.items[(w.request_id, "phone")]["expires_at"] = 1
    stale = w.codes_for("+447911123457")[0]
    expired = w.verify(code=stale)
    fresh = w.codes_for("+447911123457")[-1]

    assert expired[0] == 410
    assert len(w.codes_for("+447911123457")) == 2
    assert fresh != stale
    assert w.verify(code=fresh)[1]["verified"] is True


def test_verify_needs_the_requests_status_token_and_a_stranger_cannot_lock_it(
    waiting: Any, ring: KeyRing
) -> None:
    w = World(ring, waiting(subject={"email": "owner@example.org"}))
    w.send_codes()

    without = [w.verify(token="", code="000000")[0] for _ in range(6)]
    wrong = w.verify(token="k1.forged", code="000000")
    unknown = w.verify(request_id="req_doesnotexist000000", token="x", code="000000")

    assert set(without) == {404}
    assert wrong == unknown == (404, {})
    assert w.codes.records(w.request_id)[0].attempts == 0  # nothing was counted
    assert w.verify(code=w.codes_for("owner@example.org")[0])[1]["verified"] is True


def test_guessing_codes_across_requests_from_one_source_is_throttled(
    waiting: Any, make_request: Callable[..., RightsRequest], ring: KeyRing
) -> None:
    requests = [
        waiting(request_id=f"req_guess{n:015d}", subject={"email": f"guess{n}@example.org"}) for n in range(7)
    ]
    w = World(ring, *requests)
    statuses = []
    for request in requests:
        w.send_codes(request.request_id)
        for _ in range(5):
            statuses.append(w.verify(request.request_id, source="192.0.2.77", code="000000")[0])

    assert statuses[:30].count(429) <= 6  # per-request locks only (each request's 5th wrong code)
    assert statuses[:30].count(400) >= 24
    assert set(statuses[30:]) == {429}
    fresh_source = w.verify(requests[-1].request_id, source="192.0.2.78", code="000000")
    assert fresh_source[0] == 400  # another source is not throttled: just a wrong code


def test_a_retried_or_replayed_send_codes_never_replaces_a_code_already_sent(
    waiting: Any, ring: KeyRing
) -> None:
    """SendCodes run again (its Retry after a fault, or ops replaying it by name): the codes
    that went are not sent again, so the person's code still works and no extra code counts
    against the identifier's daily limit."""
    email, phone = "again@example.org", "+447911123459"
    w = World(ring, waiting(subject={"email": email, "phone": phone}))
    w.send_codes()
    first = {email: w.codes_for(email), phone: w.codes_for(phone)}
    w.store.clear_step(w.request_id, ledger_steps.SEND_CODES, "ops@example.com", "replay SendCodes")

    again = w.send_codes()

    assert sorted(again["sent"]) == ["email", "phone"]
    assert {email: w.codes_for(email), phone: w.codes_for(phone)} == first
    assert all(len(codes) == 1 for codes in first.values())
    assert sum(w.counters.hits.values()) == 2
    assert w.verify(code=first[email][0])[1]["proven"] == ["email"]


def test_an_identifier_past_its_daily_codes_leaves_the_request_waiting_not_failed(
    waiting: Any, ring: KeyRing
) -> None:
    """The person's sixth request of the day (or a flood of them): SendCodes sends no code and
    says why in the audit; the step does not fail, so the request is acknowledged and waits."""
    w = World(ring, waiting(subject={"email": "often@example.org"}))
    assert w.send_codes()["sent"] == ["email"]  # its first code went
    for _ in range(CODES_PER_IDENTIFIER_PER_DAY - 1):
        w.store.clear_step(w.request_id, ledger_steps.code_sent("email"), "test", "another request's code")
        assert w.send_codes()["sent"] == ["email"]
    w.store.clear_step(w.request_id, ledger_steps.code_sent("email"), "test", "one too many")

    assert w.send_codes() == {"sent": [], "unreachable": ["email"]}
    assert w.audit("verification.codes_sent")[-1]["refused"] == ["email:daily_code_limit"]
    assert len(w.codes_for("often@example.org")) == CODES_PER_IDENTIFIER_PER_DAY
    assert w.store.request.status is Status.AWAITING_VERIFICATION


def test_a_landline_gets_its_code_read_out_by_an_automated_call_not_an_sms(
    waiting: Any, ring: KeyRing
) -> None:
    landline = "+442079460958"
    w = World(
        ring,
        waiting(type=RequestType.DELETION, subject={"email": "land@example.org", "phone": landline}),
        can_call=True,
    )
    w.send_codes()

    calls = w.messenger.to(landline)
    assert {m["channel"] for m in calls} == {"voice"}
    (call,) = calls
    assert w.request_id not in call["text"]  # whoever picks up a shared line hears only the code
    digits = SPOKEN.findall(call["text"])
    assert len(digits) == 2
    assert digits[0] == digits[1]
    code = digits[0].replace(", ", "")
    assert w.verify(code=code)[1]["proven"] == ["phone"]
    assert w.audit("verification.codes_sent")[0] == {"identifiers": ["email", "phone"], "no_code_sent": []}


def test_without_a_voice_line_a_landline_gets_no_code(waiting: Any, ring: KeyRing) -> None:
    landline = "+442079460958"
    w = World(
        ring,
        waiting(type=RequestType.DELETION, subject={"email": "l2@example.org", "phone": landline}),
        can_call=False,
    )
    w.send_codes()

    assert w.messenger.to(landline) == []
    assert w.audit("verification.codes_sent")[0] == {"identifiers": ["email"], "no_code_sent": ["phone"]}


# -- agents -----------------------------------------------------------------------------------


def test_an_agent_needs_a_signed_permission_as_well_as_the_subjects_own_verification(
    waiting: Any, ring: KeyRing
) -> None:
    agent = Requester(
        role=RequesterRole.AUTHORIZED_AGENT, name="Privacy Helpers Ltd", email="agent@example.com"
    )
    w = World(ring, waiting(subject={"email": "principal@example.org"}, requester=agent))
    w.send_codes()
    assert w.codes_for("agent@example.com") == []  # the subject verifies directly

    _, after_code = w.verify(code=w.codes_for("principal@example.org")[0])
    assert after_code == {"verified": False, "proven": ["email"], "pending": ["permission"]}
    assert w.verify(recheck=True)[1]["verified"] is False
    assert w.resumed == []
    w.permissions.add(w.request_id)  # the signed permission uploaded

    done = w.verify(recheck=True)

    assert done == (200, {"verified": True, "proven": ["email"], "pending": []})
    assert w.resumed == [(w.request_id, ["email"], "requester", [])]


def test_a_power_of_attorney_proves_the_agent_and_not_the_subject(waiting: Any, ring: KeyRing) -> None:
    guardian = Requester(
        role=RequesterRole.PARENT_OR_GUARDIAN,
        name="A. Guardian",
        email="guardian@example.com",
        power_of_attorney=True,
    )
    w = World(
        ring, waiting(type=RequestType.DELETION, subject={"email": "ward@example.org"}, requester=guardian)
    )
    w.send_codes()
    assert w.codes_for("ward@example.org") == []  # codes go to the agent
    w.permissions.add(w.request_id)

    done = w.verify(code=w.codes_for("guardian@example.com")[0])

    assert done[1]["verified"] is True
    assert w.resumed == [(w.request_id, [], "requester", ["email"])]
    request = w.store.request
    assert request.proven_identifiers == ()  # the agent's proofs are the agent's
    assert request.requester_proven == ("email",)


# -- signing in again -------------------------------------------------------------------------


@pytest.fixture
def sign_in(idp: LocalIdentityProvider) -> AccountSignIn:
    return AccountSignIn(ISSUER, AUDIENCE, ProviderKeys(idp.jwks_url))


def test_an_account_holder_is_verified_by_signing_in_again(
    waiting: Any, ring: KeyRing, idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    request = waiting(
        jurisdiction=Jurisdiction.CCPA,
        subject={"email": "sam@acme.example", "account_id": "acct_sam"},
        **correction(),
    )
    w = World(ring, request, sign_in=sign_in)
    w.send_codes()

    stale = w.verify(id_token=idp.id_token("acct_sam", "sam@acme.example", auth_time=1))
    someone_else = w.verify(id_token=idp.id_token("acct_other", "other@acme.example"))
    # the email is proven by a sign-in only where the provider verified it
    unverified = w.verify(id_token=idp.id_token("acct_other", "sam@acme.example", email_verified=False))
    forged = w.verify(id_token=idp.id_token("acct_sam", "sam@acme.example")[:-4] + "AAAA")
    signed_in = w.verify(id_token=idp.id_token("acct_sam", "sam@acme.example"))

    assert stale[0] == someone_else[0] == unverified[0] == forged[0] == 400
    assert signed_in == (200, {"verified": True, "proven": ["account_id", "email"], "pending": []})
    assert w.store.request.proven_identifiers == ("account_id", "email")


def test_a_sign_in_proves_the_account_and_its_verified_email_never_a_phone_it_did_not_see(
    waiting: Any, ring: KeyRing, idp: LocalIdentityProvider, sign_in: AccountSignIn
) -> None:
    request = waiting(
        jurisdiction=Jurisdiction.CCPA, subject={"account_id": "acct_mallory", "phone": "+14155550199"}
    )
    w = World(ring, request, sign_in=sign_in)
    w.send_codes()

    unverified_email = w.verify(id_token=idp.id_token("acct_other", "x@acme.example", email_verified=False))
    signed_in = w.verify(id_token=idp.id_token("acct_mallory", "mallory@acme.example"))

    assert unverified_email[0] == 400
    assert signed_in == (200, {"verified": False, "proven": ["account_id"], "pending": ["phone"]})
    assert w.store.request.status is Status.AWAITING_VERIFICATION
    assert w.resumed == []
