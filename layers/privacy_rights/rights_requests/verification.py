"""Identity verification (CCPA 7060-7063, GDPR Art. 12(2) and 12(6)).

A one-time code goes to every identifier the request names; each code proves control of its
own identifier today and counts as one data point. A fact matched against the platform's
records (the month of a recent call and the business called) counts as another. How many
points a request needs depends on the law, the right and the sensitivity of the data:

* opt-outs and limits: none (7026(d), 7027);
* GDPR and unknown jurisdictions: every identifier whose data is released or erased, proven
  by its code (proportionate, Art. 12(6));
* CCPA and US states, people without an account: categories 2; specific pieces 3 and a signed
  declaration; deletion and correction 2, or 3 when call recordings or transcripts can be
  reached; a correction never counts the identifier in dispute. A specific-pieces request that
  cannot be verified (no declaration) is answered as a request for categories (7024(a)).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights.core import errors, ledger_steps
from privacy_rights.core.errors import (
    CodeExpired,
    CodeRejected,
    FactNotYet,
    RateLimited,
    TooManyCodes,
    VerificationLocked,
)
from privacy_rights.core.identifiers import can_receive_sms
from privacy_rights.core.models import (
    WORKFLOW_ACTOR,
    AccessScope,
    Jurisdiction,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.core.ports import (
    CallFacts,
    Counters,
    KeyRingSource,
    Messenger,
    Requests,
    VerificationCodes,
)
from privacy_rights.core.request_results import ScopeDecision
from privacy_rights.rights_requests.request_access import authorized_request

if TYPE_CHECKING:
    # annotations only: the composition root builds both (the sign-in, and with it PyJWT and
    # cryptography, only where an identity provider is configured)
    from privacy_rights.core.data_map import DataMap
    from privacy_rights.rights_requests.sign_in import AccountSignIn

CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 30 * 60
MAX_WRONG_ATTEMPTS = 5
CODES_PER_IDENTIFIER_PER_DAY = 5
ATTEMPTS_PER_SOURCE_PER_HOUR = 30
FACT_ATTEMPTS_PER_PHONE_PER_DAY = 3
PROOFS_KEPT_SECONDS = 90 * 86_400
REQUEST_ATTEMPTS = "_request"
FACT = "fact"
PERMISSION = "permission"


def _power_of_attorney(request: RightsRequest) -> bool:
    return request.requester is not None and request.requester.power_of_attorney


class FactClaim(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recent_call_month: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    business: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]


class VerifyAttempt(BaseModel):
    """The body of ``POST /requests/{id}/verify``: a code, or a fact about the platform's records."""

    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{6}$")] | None = None
    fact: FactClaim | None = None
    id_token: Annotated[str, StringConstraints(min_length=20, max_length=8192)] | None = Field(
        default=None, description="an account holder's ID token from signing in again"
    )
    recheck: bool = Field(default=False, description="after an agent's signed permission was uploaded")

    @model_validator(mode="after")
    def _one_thing(self) -> VerifyAttempt:
        given = (self.code is not None, self.fact is not None, self.id_token is not None, self.recheck)
        if sum(given) != 1:
            raise ValueError("send one of: a code, a fact, an id_token, or recheck")
        return self


class VerifyResult(BaseModel):
    verified: bool
    proven: list[str]
    pending: list[str] = Field(
        description="identifiers still to prove, and 'fact' when one more data point is needed"
    )


@dataclass(frozen=True)
class Requirement:
    codes: frozenset[str]  # identifier kinds whose code counts
    points: int  # data points needed in all
    must_prove_all: bool  # GDPR: every identifier given


class FactChecker:
    """Does the platform hold a call from this number, in that month, to that business?"""

    def __init__(self, calls: CallFacts) -> None:
        self._calls = calls.calls_from
        self._tenant_name = calls.tenant_name

    def holds_calls(self, phone: str) -> bool:
        return bool(self._calls(phone))

    def matches(self, phone: str, claim: FactClaim, held_since: date | None) -> bool:
        wanted = claim.business.casefold()
        tenants_that_month = {
            str(call.get("tenant_id"))
            for call in self._calls(phone)
            if str(call.get("started_at", ""))[:7] == claim.recent_call_month
            # an earlier holder's call proves nothing about today's holder
            and not (held_since and str(call.get("started_at", ""))[:10] < held_since.isoformat())
        }
        return any(self._tenant_name(tenant).casefold() == wanted for tenant in tenants_that_month)


class VerificationService:
    def __init__(
        self,
        requests: Requests,
        codes: VerificationCodes,
        counters: Counters,
        keys: KeyRingSource,
        messenger: Messenger,
        data_map: DataMap,
        facts: FactChecker,
        permissions_present: Callable[[str], bool],
        on_verified: Callable[[str, list[str], str, list[str]], None],
        sign_in: AccountSignIn | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._requests = requests
        self._codes = codes
        self._counters = counters
        self._keys = keys
        self._messenger = messenger
        self._map = data_map
        self._facts = facts
        self._permissions_present = permissions_present
        self._sign_in = sign_in
        self._on_verified = on_verified
        self._clock = clock

    # -- sending --------------------------------------------------------------------------

    def send_codes(self, request_id: str) -> dict[str, Any]:
        """A code to each identifier the request must prove. A retry or replay of this step sends
        only the codes that did not go: a new code would replace the one the person may be
        typing, and count against the identifier's daily limit."""
        request = self._requests.get(request_id)
        already = self._requests.ledger(request_id)
        sent, unreachable, refused = [], [], []
        for kind, value in self._identifiers(request).items():
            if ledger_steps.code_sent(kind) in already:
                sent.append(kind)
                continue
            if kind == "phone" and not can_receive_sms(value) and not self._messenger.can_call:
                # A landline takes no SMS, and no voice line is configured: the requester proves
                # this number with a fact about their calls instead (or verifies their email).
                unreachable.append(kind)
                continue
            try:
                self._send_code(request, kind, value)
            except errors.PhoneMessageRefused as refusal:
                # premium rate, toll-free, VoIP..., a country we do not text, the number's or
                # the day's cap: no code, the same way out as a landline without a voice line
                unreachable.append(kind)
                refused.append(f"{kind}:{refusal.reason}")
                continue
            except TooManyCodes:
                # this identifier had its codes for the day (another request of the person's, or
                # a flood): no code now, the request waits; a new code can be asked for tomorrow
                unreachable.append(kind)
                refused.append(f"{kind}:daily_code_limit")
                continue
            self._requests.complete_step(
                request_id, ledger_steps.code_sent(kind), {"kind": kind}, WORKFLOW_ACTOR
            )
            sent.append(kind)
        detail: dict[str, list[str]] = {"identifiers": sent, "no_code_sent": unreachable}
        if refused:
            detail["refused"] = refused
        self._requests.record(request_id, WORKFLOW_ACTOR, "verification.codes_sent", detail)
        return {"sent": sent, "unreachable": unreachable}

    def _send_code(self, request: RightsRequest, kind: str, value: str) -> None:
        ring = self._keys.key_ring()
        limiter_key = "codes:" + ring.digest(_kind(kind), value)
        # SMS pumping and mail bombing: a few codes per identifier per day, whoever asks.
        if not self._counters.hit(limiter_key, CODES_PER_IDENTIFIER_PER_DAY, 86_400):
            raise TooManyCodes(kind)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        now = int(self._clock())
        self._codes.put_code(
            request.request_id,
            kind,
            self._hash(request.request_id, kind, code),
            now + CODE_LIFETIME_SECONDS,
            keep_until=now + 90 * 86_400,
        )
        text = (
            f"Your CallX privacy verification code is {code}. "
            f"It expires in {CODE_LIFETIME_SECONDS // 60} minutes. "
            f"Enter it for request {request.request_id}. We use it only to verify your request."
        )
        if kind == "email":
            self._messenger.send_email(
                value, f"Your verification code for request {request.request_id}", text
            )
        elif can_receive_sms(value):
            self._messenger.send_sms(value, text)
        else:
            self._messenger.send_voice(value, spoken_code(code, CODE_LIFETIME_SECONDS // 60))

    # -- verifying ------------------------------------------------------------------------

    def verify(
        self, request_id: str, attempt: VerifyAttempt, presented_token: str, source: str | None = None
    ) -> VerifyResult:
        """One attempt by the holder of the request's status token: without it, nothing is
        checked and nothing is counted (a stranger cannot lock the requester out)."""
        if source:
            # Guessing codes across many requests from one place is throttled too.
            source_key = "verify:" + self._keys.key_ring().digest(_kind("browser"), "ip:" + source)
            if not self._counters.hit(source_key, ATTEMPTS_PER_SOURCE_PER_HOUR, 3600):
                raise RateLimited(source)
        request = authorized_request(self._requests, self._keys.key_ring(), request_id, presented_token)
        if request.status is not Status.AWAITING_VERIFICATION:
            answered = self._requests.ledger(request_id).get("verification")
            if answered is None:
                raise errors.IllegalTransition(
                    request.status, Status.VERIFIED, "not waiting for verification"
                )
            # Verified already; if a fault stopped that proof short of resuming the execution,
            # this attempt resumes it with the recorded answer (nothing new is proven).
            self._on_verified(request_id, list(answered.get("proven", [])), "requester", [])
            return self._result(request, set(answered.get("proven", [])), verified=True)
        records = {record.kind: record for record in self._codes.records(request_id)}
        failures = records.get(REQUEST_ATTEMPTS)
        if failures and failures.attempts >= MAX_WRONG_ATTEMPTS:
            raise VerificationLocked(request_id)
        proven = {kind for kind, record in records.items() if record.proven}
        if attempt.id_token is not None:
            proven |= self._signed_in(request, attempt.id_token)
        elif attempt.code is not None:
            proven.add(self._match_code(request, records, attempt.code))
        elif attempt.fact is not None:
            return self._fact(request, attempt.fact, proven)
        if attempt.recheck is False:
            # Decide from what is stored now, not from the read before this proof: two codes
            # entered at the same moment each see the other's (the later read sees both).
            proven |= {record.kind for record in self._codes.records(request_id) if record.proven}
        self._requests.record(request_id, "requester", "verification.proved", {"proven": sorted(proven)})
        return self._conclude(request, proven)

    def _conclude(self, request: RightsRequest, proven: set[str]) -> VerifyResult:
        done = self._satisfied(request, proven) and self._permission_ok(request)
        if done:
            request = self._decide_scope(request, proven)
            identifiers = sorted(proven - {FACT})
            if _power_of_attorney(request):
                # The agent proved its own contacts: they are recorded as the agent's. The
                # subject's identifiers are proven only when ops approve the power of attorney.
                self._on_verified(request.request_id, [], "requester", identifiers)
            else:
                self._on_verified(request.request_id, identifiers, "requester", [])
        return self._result(request, proven, verified=done)

    def _take_attempt(self, request: RightsRequest) -> int:
        """One of the request's attempts, taken before anything is compared."""
        used = self._codes.reserve_attempt(request.request_id, REQUEST_ATTEMPTS, MAX_WRONG_ATTEMPTS)
        if used is None:
            raise VerificationLocked(request.request_id)
        return used

    def _signed_in(self, request: RightsRequest, id_token: str) -> set[str]:
        """7061: an account holder proves the account by signing in again. The token proves only
        what the identity provider asserts of that account: its ``sub`` (the request's
        ``account_id``) and its email where the provider says it verified it. Anything else on
        the request still needs its own code."""
        if self._sign_in is None:
            raise CodeRejected("sign-in is not configured")
        if _power_of_attorney(request):
            raise CodeRejected("an agent's request is verified with the agent's own codes")
        used = self._take_attempt(request)
        claims = self._sign_in.claims(id_token)
        subject = request.subject
        proves = set()
        if subject.account_id is not None and claims.get("sub") == subject.account_id:
            proves.add("account_id")
        if (
            subject.email is not None
            and claims.get("email_verified") is True
            and str(claims.get("email", "")).lower() == subject.email
        ):
            proves.add("email")
        if not proves:
            if used >= MAX_WRONG_ATTEMPTS:
                raise VerificationLocked(request.request_id)
            raise CodeRejected("another account")
        self._codes.refund_attempt(request.request_id, REQUEST_ATTEMPTS)
        keep_until = int(self._clock()) + PROOFS_KEPT_SECONDS
        for kind in sorted(proves):
            self._codes.record_proof(request.request_id, kind, "sign_in", keep_until)
        self._requests.record(
            request.request_id, "requester", "verification.signed_in", {"proven": sorted(proves)}
        )
        return proves

    def _match_code(self, request: RightsRequest, records: dict[str, Any], code: str) -> str:
        used = self._take_attempt(request)
        now = int(self._clock())
        for kind, record in records.items():
            if kind in (REQUEST_ATTEMPTS, FACT) or record.proven or not record.code_hash:
                continue
            expected = self._hash(request.request_id, kind, code)
            if hmac.compare_digest(expected.encode(), record.code_hash.encode()):
                self._codes.refund_attempt(request.request_id, REQUEST_ATTEMPTS)
                if record.expires_at < now:
                    self._send_code(request, kind, self._identifiers(request)[kind])
                    raise CodeExpired(kind)
                if not self._codes.mark_proven(request.request_id, kind, record.code_hash):
                    raise CodeRejected(kind)  # used meanwhile: single use
                return str(kind)
        if used >= MAX_WRONG_ATTEMPTS:
            raise VerificationLocked(request.request_id)
        raise CodeRejected("code")

    def _fact(self, request: RightsRequest, claim: FactClaim, proven: set[str]) -> VerifyResult:
        """A fact about the phone's calls is one more data point for the person who already
        proved the phone with its code, never a way to learn whom a number called: before that
        it is not looked at, and until the request is verified a right fact and a wrong one get
        the same answer. Fact attempts are capped per phone across requests."""
        phone = request.subject.phone
        if phone is None or _power_of_attorney(request) or "phone" not in proven:
            raise FactNotYet("phone")
        limiter_key = "facts:" + self._keys.key_ring().digest(_kind("phone"), phone)
        if not self._counters.hit(limiter_key, FACT_ATTEMPTS_PER_PHONE_PER_DAY, 86_400):
            raise RateLimited("facts")
        matched = FACT in proven or self._facts.matches(phone, claim, request.subject.phone_held_since)
        if matched and FACT not in proven:
            keep_until = int(self._clock()) + PROOFS_KEPT_SECONDS
            self._codes.record_proof(request.request_id, FACT, "fact", keep_until)
            proven = proven | {FACT}
        self._requests.record(
            request.request_id, "requester", "verification.fact_checked", {"matched": matched}
        )
        return self._conclude(request, proven)

    # -- the rules ------------------------------------------------------------------------

    def requirement(self, request: RightsRequest, proven: frozenset[str] = frozenset()) -> Requirement:
        given = frozenset(self._identifiers(request))
        if request.type is RequestType.OPT_OUT:
            return Requirement(codes=frozenset(), points=0, must_prove_all=False)
        if "account_id" in proven:
            # Signed in (7061): the account is proven; every other identifier the request names
            # needs its own proof before anything reachable from it is released.
            everything = given | {"account_id"}
            return Requirement(codes=everything, points=len(everything), must_prove_all=True)
        if request.jurisdiction in (Jurisdiction.GDPR, Jurisdiction.OTHER):
            return Requirement(codes=given, points=len(given), must_prove_all=True)
        codes = given
        if request.type is RequestType.CORRECTION:
            disputed = {c.field for c in request.corrections}
            codes = given - disputed  # verified with data other than the value in dispute
        if request.type in (RequestType.ACCESS, RequestType.PORTABILITY):
            points = 3 if _asked_scope(request) is AccessScope.SPECIFIC_PIECES else 2
        elif request.type in (RequestType.DELETION, RequestType.CORRECTION):
            points = 3 if self._sensitive_held(request, given) else 2
        else:
            points = 2
        return Requirement(codes=frozenset(codes), points=points, must_prove_all=False)

    def _satisfied(self, request: RightsRequest, proven: set[str]) -> bool:
        requirement = self.requirement(request, frozenset(proven))
        if requirement.must_prove_all:
            return requirement.codes <= proven
        points = len(proven & (requirement.codes | {FACT}))
        if points >= requirement.points:
            return True
        # 7024(a): unverifiable specific pieces are answered as categories.
        return (
            _asked_scope(request) is AccessScope.SPECIFIC_PIECES and not request.declaration and points >= 2
        )

    def _decide_scope(self, request: RightsRequest, proven: set[str]) -> RightsRequest:
        """CCPA and US states: specific pieces only at a reasonably high degree of certainty
        (three data points and the signed declaration, 7062(b)); otherwise, and whenever no scope
        was asked (email intake), the categories (7024(a)). The answer says which, and why."""
        if request.type not in (RequestType.ACCESS, RequestType.PORTABILITY) or request.jurisdiction not in (
            Jurisdiction.CCPA,
            Jurisdiction.US_STATE,
        ):
            return request
        points = len(proven)
        declared = request.declaration
        if request.scope is AccessScope.CATEGORIES:
            scope, why = AccessScope.CATEGORIES, "you asked for the categories."
        elif points >= 3 and declared:
            scope, why = AccessScope.SPECIFIC_PIECES, "three data points verified and the declaration signed."
        elif not declared:
            scope, why = (
                AccessScope.CATEGORIES,
                "the specific pieces need a declaration signed under penalty of perjury that you are the "
                "person concerned, and the request did not include one.",
            )
        else:
            scope, why = (
                AccessScope.CATEGORIES,
                f"the specific pieces need three of your details verified, and {points} were.",
            )
        decision = ScopeDecision(scope=scope.value, why=why)
        updated = request.with_scope_decision(decision).model_copy(update={"scope": scope})
        detail = {"scope": scope.value, "points": points, "declaration": declared}
        return self._requests.save(updated, WORKFLOW_ACTOR, "scope.decided", detail)

    def _permission_ok(self, request: RightsRequest) -> bool:
        return request.requester is None or self._permissions_present(request.request_id)

    def _result(self, request: RightsRequest, proven: set[str], verified: bool) -> VerifyResult:
        if not verified:
            # Until the request is verified, a fact that matched looks like one that did not.
            proven = proven - {FACT}
        requirement = self.requirement(request, frozenset(proven))
        pending = sorted(requirement.codes - proven)
        if not verified and not self._permission_ok(request):
            pending.append(PERMISSION)
        points = len(proven & (requirement.codes | {FACT}))
        if (
            not verified
            and not requirement.must_prove_all
            and request.subject.phone
            and points + len(pending) < requirement.points
        ):
            pending.append(FACT)
        return VerifyResult(verified=verified, proven=sorted(proven), pending=[] if verified else pending)

    def _sensitive_held(self, request: RightsRequest, kinds: frozenset[str]) -> bool:
        """Recordings and transcripts hang off calls: they are at stake only if the data map
        reaches a sensitive store from these identifiers and the number has calls at all."""
        if not self._sensitive_reachable(kinds):
            return False
        phone = request.subject.phone
        return phone is None or self._facts.holds_calls(phone)

    def _sensitive_reachable(self, kinds: frozenset[str]) -> bool:
        """Can these identifiers reach a store the data map marks sensitive (recordings,
        transcripts), directly or through links?"""
        reachable, frontier = set(kinds), list(kinds)
        while frontier:
            kind = frontier.pop()
            for store, _ in self._map.lookups_by(kind):
                if store.sensitive:
                    return True
                for link in store.yields:
                    if link not in reachable:
                        reachable.add(link)
                        frontier.append(link)
        return False

    @classmethod
    def _identifiers(cls, request: RightsRequest) -> dict[str, str]:
        """Where codes go: the subject, who verifies directly even when an agent asks; the
        agent itself when it holds a power of attorney."""
        if _power_of_attorney(request) and request.requester is not None:
            contacts = {"email": request.requester.email, "phone": request.requester.phone}
            return {kind: value for kind, value in contacts.items() if value}
        return cls._subject_identifiers(request)

    @staticmethod
    def _subject_identifiers(request: RightsRequest) -> dict[str, str]:
        found = {}
        if request.subject.email:
            found["email"] = request.subject.email
        if request.subject.phone:
            found["phone"] = request.subject.phone
        return found

    def _hash(self, request_id: str, kind: str, code: str) -> str:
        ring = self._keys.key_ring()
        key = ring.keys[ring.current]
        return hmac.new(key, f"code:{request_id}:{kind}:{code}".encode(), hashlib.sha256).hexdigest()


def spoken_code(code: str, minutes: int) -> str:
    """What the automated call reads out: the digits one by one, twice, and nothing else that
    identifies the request (whoever answers a landline hears it)."""
    digits = ", ".join(code)
    return (
        f"Hello. This is CallX privacy. Your verification code is: {digits}. "
        f"Again, your code is: {digits}. It expires in {minutes} minutes. Goodbye."
    )


def _asked_scope(request: RightsRequest) -> AccessScope:
    """No scope given (every request from email intake) is a request for specific pieces only
    with the signed declaration; otherwise for categories."""
    if request.scope is not None:
        return request.scope
    return AccessScope.SPECIFIC_PIECES if request.declaration else AccessScope.CATEGORIES


def _kind(kind: str) -> Any:
    from privacy_rights.core.keyed_hash import IdentifierKind

    return IdentifierKind(kind)
