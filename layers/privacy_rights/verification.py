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
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights import errors
from privacy_rights.adapters.counters import Counters
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.adapters.verification_store import VerificationStore
from privacy_rights.data_map import DataMap
from privacy_rights.errors import CodeExpired, CodeRejected, RateLimited, TooManyCodes, VerificationLocked
from privacy_rights.identifiers import can_receive_sms
from privacy_rights.models import (
    WORKFLOW_ACTOR,
    AccessScope,
    Jurisdiction,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.ports import KeyRingSource, Messenger
from privacy_rights.sign_in import AccountSignIn

CODE_DIGITS = 6
CODE_LIFETIME_SECONDS = 30 * 60
MAX_WRONG_ATTEMPTS = 5
CODES_PER_IDENTIFIER_PER_DAY = 5
ATTEMPTS_PER_SOURCE_PER_HOUR = 30
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

    def __init__(
        self, calls: Callable[[str], list[dict[str, Any]]], tenant_name: Callable[[str], str]
    ) -> None:
        self._calls = calls
        self._tenant_name = tenant_name

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
        requests: RequestStore,
        codes: VerificationStore,
        counters: Counters,
        keys: KeyRingSource,
        messenger: Messenger,
        data_map: DataMap,
        facts: FactChecker,
        permissions_present: Callable[[str], bool],
        on_verified: Callable[[str, list[str], str], None],
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
        request = self._requests.get(request_id)
        sent, unreachable = [], []
        for kind, value in self._identifiers(request).items():
            if kind == "phone" and not can_receive_sms(value) and not self._messenger.can_call:
                # A landline takes no SMS, and no voice line is configured: the requester proves
                # this number with a fact about their calls instead (or verifies their email).
                unreachable.append(kind)
                continue
            self._send_code(request, kind, value)
            sent.append(kind)
        detail = {"identifiers": sent, "no_code_sent": unreachable}
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

    def verify(self, request_id: str, attempt: VerifyAttempt, source: str | None = None) -> VerifyResult:
        if source:
            # Guessing codes across many requests from one place is throttled too.
            source_key = "verify:" + self._keys.key_ring().digest(_kind("browser"), "ip:" + source)
            if not self._counters.hit(source_key, ATTEMPTS_PER_SOURCE_PER_HOUR, 3600):
                raise RateLimited(source)
        request = self._requests.get(request_id)
        if request.status is not Status.AWAITING_VERIFICATION:
            if request.status in (Status.RECEIVED,):
                raise errors.IllegalTransition(request.status, Status.VERIFIED, "codes are on their way")
            return self._result(request, set(request.proven_identifiers), verified=True)
        records = {record.kind: record for record in self._codes.records(request_id)}
        failures = records.get(REQUEST_ATTEMPTS)
        if failures and failures.attempts >= MAX_WRONG_ATTEMPTS:
            raise VerificationLocked(request_id)
        proven = {kind for kind, record in records.items() if record.proven}
        if attempt.id_token is not None:
            return self._signed_in(request, attempt.id_token)
        if attempt.code is not None:
            kind = self._match_code(request, records, attempt.code)
            proven.add(kind)
        elif attempt.fact is not None:
            if not request.subject.phone or not self._facts.matches(
                request.subject.phone, attempt.fact, request.subject.phone_held_since
            ):
                self._codes.count_failure(request_id, REQUEST_ATTEMPTS)
                raise CodeRejected("fact")
            self._codes.put_code(request_id, FACT, "", 0, int(self._clock()) + 90 * 86_400)
            self._codes.mark_proven(request_id, FACT, "")
            proven.add(FACT)
        self._requests.record(request_id, "requester", "verification.proved", {"proven": sorted(proven)})
        done = self._satisfied(request, proven) and self._permission_ok(request)
        if done:
            request = self._downgrade_if_needed(request, proven)
            identifiers = sorted(proven - {FACT})
            if _power_of_attorney(request):
                # 7063(b): an agent holding a power of attorney stands in for the person; having
                # proved the agent's own contacts, the subject's identifiers count as proven.
                identifiers = sorted(self._subject_identifiers(request))
            self._on_verified(request_id, identifiers, "requester")
        return self._result(request, proven, verified=done)

    def _signed_in(self, request: RightsRequest, id_token: str) -> VerifyResult:
        """7061: an account holder is verified by their existing authentication."""
        if self._sign_in is None:
            raise CodeRejected("sign-in is not configured")
        claims = self._sign_in.claims(id_token)
        subject = request.subject
        same_account = subject.account_id is not None and claims.get("sub") == subject.account_id
        same_email = subject.email is not None and str(claims.get("email", "")).lower() == subject.email
        if not (same_account or same_email):
            self._codes.count_failure(request.request_id, REQUEST_ATTEMPTS)
            raise CodeRejected("another account")
        proven = set(self._subject_identifiers(request)) | ({"account_id"} if subject.account_id else set())
        self._requests.record(
            request.request_id, "requester", "verification.signed_in", {"proven": sorted(proven)}
        )
        self._on_verified(request.request_id, sorted(proven), "requester")
        return VerifyResult(verified=True, proven=sorted(proven), pending=[])

    def _match_code(self, request: RightsRequest, records: dict[str, Any], code: str) -> str:
        now = int(self._clock())
        for kind, record in records.items():
            if kind in (REQUEST_ATTEMPTS, FACT) or record.proven or not record.code_hash:
                continue
            expected = self._hash(request.request_id, kind, code)
            if hmac.compare_digest(expected.encode(), record.code_hash.encode()):
                if record.expires_at < now:
                    self._send_code(request, kind, self._identifiers(request)[kind])
                    raise CodeExpired(kind)
                if not self._codes.mark_proven(request.request_id, kind, record.code_hash):
                    raise CodeRejected(kind)  # used meanwhile: single use
                return str(kind)
        self._codes.count_failure(request.request_id, REQUEST_ATTEMPTS)
        if records.get(REQUEST_ATTEMPTS) and records[REQUEST_ATTEMPTS].attempts + 1 >= MAX_WRONG_ATTEMPTS:
            raise VerificationLocked(request.request_id)
        raise CodeRejected("code")

    # -- the rules ------------------------------------------------------------------------

    def requirement(self, request: RightsRequest) -> Requirement:
        given = frozenset(self._identifiers(request))
        if request.type is RequestType.OPT_OUT:
            return Requirement(codes=frozenset(), points=0, must_prove_all=False)
        if request.jurisdiction in (Jurisdiction.GDPR, Jurisdiction.OTHER):
            return Requirement(codes=given, points=len(given), must_prove_all=True)
        codes = given
        if request.type is RequestType.CORRECTION:
            disputed = {str(c.get("field")) for c in request.extra.get("corrections", [])}
            codes = given - disputed  # verified with data other than the value in dispute
        if request.type in (RequestType.ACCESS, RequestType.PORTABILITY):
            points = 3 if request.scope is AccessScope.SPECIFIC_PIECES else 2
        elif request.type in (RequestType.DELETION, RequestType.CORRECTION):
            points = 3 if self._sensitive_held(request, given) else 2
        else:
            points = 2
        return Requirement(codes=frozenset(codes), points=points, must_prove_all=False)

    def _satisfied(self, request: RightsRequest, proven: set[str]) -> bool:
        requirement = self.requirement(request)
        if requirement.must_prove_all:
            return requirement.codes <= proven
        points = len(proven & requirement.codes) + (1 if FACT in proven else 0)
        if points >= requirement.points:
            return True
        # 7024(a): unverifiable specific pieces are answered as categories.
        return (
            request.scope is AccessScope.SPECIFIC_PIECES
            and not request.extra.get("declaration")
            and points >= 2
        )

    def _downgrade_if_needed(self, request: RightsRequest, proven: set[str]) -> RightsRequest:
        if request.scope is not AccessScope.SPECIFIC_PIECES:
            return request
        points = len(proven - {FACT}) + (1 if FACT in proven else 0)
        if points >= 3 and request.extra.get("declaration"):
            return request
        downgraded = request.model_copy(update={"scope": AccessScope.CATEGORIES})
        return self._requests.save(downgraded, WORKFLOW_ACTOR, "scope.downgraded", {"to": "categories"})

    def _permission_ok(self, request: RightsRequest) -> bool:
        return request.requester is None or self._permissions_present(request.request_id)

    def _result(self, request: RightsRequest, proven: set[str], verified: bool) -> VerifyResult:
        requirement = self.requirement(request)
        pending = sorted(requirement.codes - proven)
        if not verified and not self._permission_ok(request):
            pending.append(PERMISSION)
        points = len(proven & requirement.codes) + (1 if FACT in proven else 0)
        if not verified and not requirement.must_prove_all and points + len(pending) < requirement.points:
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


def _kind(kind: str) -> Any:
    from privacy_rights.keyed_hash import IdentifierKind

    return IdentifierKind(kind)
