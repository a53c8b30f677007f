"""The state machine's task steps, and the callbacks that resume a waiting execution.

Every step looks in the request's ledger first and returns the recorded result when it has
already run, then records its own completion: an execution replayed from the start therefore
passes through completed steps at once and never sends a second notice, makes a second export
or deletes twice. Only pointers travel back to the state machine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from privacy_rights.core import attorneys_general, errors, ledger_steps, notices
from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.identifiers import can_receive_sms
from privacy_rights.core.lifecycle import UNVERIFIED_TYPES, transition
from privacy_rights.core.models import (
    WORKFLOW_ACTOR,
    AppealDecision,
    Denial,
    DenialReason,
    FailureRecord,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
    utc_now,
)
from privacy_rights.core.ports import (
    KeyRingSource,
    Messenger,
    NoticeRecords,
    OutstandingNotice,
    Requests,
    SubjectLocks,
    TaskTokens,
)
from privacy_rights.core.remedies import ContactPoints
from privacy_rights.core.request_results import corrections_automatable
from privacy_rights.core.tokens import status_token
from privacy_rights.erasure import follow_up
from privacy_rights.orchestration.notice_backoff import next_attempt_at
from privacy_rights.orchestration.verdicts import Verdict, WaitKind
from privacy_rights.preferences.objections import objectable_purposes
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.resolution.resolution import STOPPED_FOLLOWING
from privacy_rights.resolution.resolve_service import ResolveService
from privacy_rights.rights_requests.request_merge import earlier_verified_duplicate

if TYPE_CHECKING:
    from privacy_rights.preferences.opt_out_effects import OptOutEffects

#: the waits inside an action (BeginAction .. Finalize) that last as long as a business or ops take:
#: the subject's lock is let go while they last and taken again after (BeginAction, RelockForPackage)
WAITS_INSIDE_ACTION = frozenset({"customer", "review", "correction"})
PREFERENCE_TYPES = frozenset(
    {RequestType.OPT_OUT, RequestType.RESTRICTION, RequestType.OBJECTION, RequestType.WITHDRAW_CONSENT}
)
#: the types the state machine carries out itself (ByType), under the subject's lock
AUTOMATED_TYPES = PREFERENCE_TYPES | {RequestType.ACCESS, RequestType.PORTABILITY, RequestType.DELETION}
#: Whoever answers within this much of the deadline still gets an answer in time.
VERIFICATION_MARGIN = timedelta(days=5)
#: the notices of an appeal (US state laws): its acknowledgement, then its decision
APPEAL_RECEIVED = "appeal_received"
APPEAL_DECISION = "appeal_decision"
MIN_VERIFICATION_WAIT = timedelta(days=1)
#: writes that may come between a proof's read and its write before it gives up (409)
VERIFIED_RACES = 5
#: told before a restriction is lifted (GDPR Art. 18(3)), and of grounds overriding an objection
RESTRICTION_LIFT = "restriction_lift"
OBJECTION_GROUNDS = "objection_grounds"


def objection_grounds_notice(purpose: str) -> str:
    """The notice telling the person of grounds for one purpose: ``objection_grounds:<purpose>``."""
    return f"{OBJECTION_GROUNDS}{ledger_steps.FAMILY_SEPARATOR}{purpose}"


def safe_cause(error_name: str) -> str:
    """The cause shown to ops: the fixed sentence of a known domain error, never the
    exception's own text, which may quote personal data."""
    known = {cls.__name__: cls for cls in _all_subclasses(errors.DomainError)}
    if error_name in known:
        return known[error_name].public_message
    if error_name.startswith("States."):
        return f"Step Functions reported {error_name}."
    return f"Unexpected {error_name}; see the function's logs for this request."


def _all_subclasses(cls: type[errors.DomainError]) -> list[type[errors.DomainError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found.extend(_all_subclasses(sub))
    return found


class Workflow:
    def __init__(
        self,
        store: Requests,
        keys: KeyRingSource,
        messenger: Messenger,
        public_base_url: str,
        resolve: ResolveService,
        preferences: PreferenceService,
        locks: SubjectLocks,
        tokens: TaskTokens,
        notice_records: NoticeRecords | None = None,
        contacts: ContactPoints | None = None,
        opt_out_effects: Callable[[], OptOutEffects] | None = None,
    ) -> None:
        #: carries opt-outs out where they have effect (built only when an opt-out needs it)
        self._opt_out_effects = opt_out_effects
        #: where messages tell the person to reach us (a phone line only if one is configured)
        self._contacts = contacts or ContactPoints()
        #: with it, a notice the provider refused is held and sent again, one that may have
        #: gone is settled by the provider's record or a person (``notice_retries``)
        self._notice_records = notice_records
        self._store = store
        self._keys = keys
        self._messenger = messenger
        self._base_url = public_base_url
        self._resolve = resolve
        self._preferences = preferences
        self._locks = locks
        self._tokens = tokens

    # -- the ledger ----------------------------------------------------------------------

    def once(self, request_id: str, step: str, run: Callable[[], Mapping[str, Any]]) -> dict[str, Any]:
        recorded = self._store.ledger(request_id).get(step)
        if recorded is not None:
            return dict(recorded)
        return self._store.complete_step(request_id, step, run(), WORKFLOW_ACTOR)

    # -- steps ---------------------------------------------------------------------------

    def acknowledge(self, request_id: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        self._notify(request, "acknowledgement", self._acknowledgement)
        if request.requester is not None:
            self._notify(request, "agent_acknowledgement", self._agent_acknowledgement)
        target = Status.VERIFIED if request.type in UNVERIFIED_TYPES else Status.AWAITING_VERIFICATION
        if request.status in (Status.RECEIVED, Status.NEEDS_CLARIFICATION):
            self._store.save(
                transition(self._store.get(request_id), target), WORKFLOW_ACTOR, f"status.{target.value}"
            )
        return {
            "type": request.type.value,
            "needs_verification": request.type not in UNVERIFIED_TYPES,
            # An agent's or guardian's request touches nothing of the person's until ops have
            # reviewed the signed permission or power of attorney (opt-outs excepted: 7026(j)).
            "needs_permission_review": request.requester is not None and request.type not in UNVERIFIED_TYPES,
            "verification_timeout_seconds": self._verification_timeout(request),
        }

    def await_callback(self, request_id: str, kind: WaitKind, token: str) -> None:
        """Park the execution until someone answers (a verification, an ops or customer
        decision). On a replay the answer is already in the ledger: resume at once."""
        if kind in WAITS_INSIDE_ACTION:
            # A business may take days to answer: the person's other requests must not fail
            # with SubjectBusy meanwhile (the lock's lease would lapse anyway).
            request = self._store.get(request_id)
            self._locks.release(list(request.subject_keys.values()), owner=request_id)
        recorded = self._store.ledger(request_id).get(kind)
        if recorded is not None:
            self._tokens.succeed(token, recorded)
            return
        if kind == "decision":
            request = self._store.get(request_id)
            if request.status is not Status.AWAITING_DECISION:
                self._store.save(
                    transition(request, Status.AWAITING_DECISION), WORKFLOW_ACTOR, "status.awaiting_decision"
                )
        self._store.record(request_id, WORKFLOW_ACTOR, "wait.started", {"waiting_for": kind})
        # Last: once the token is visible, anyone may answer. It is parked only if no answer
        # reached the ledger since the look above (a code entered within a second of being sent):
        # otherwise that answer resumes the execution now.
        if not self._store.set_waiting(request_id, kind, token):
            self._tokens.succeed(token, self._store.ledger(request_id)[kind])

    def answer(self, request_id: str, kind: WaitKind, answer: Mapping[str, Any], actor: str) -> None:
        """Resume the execution waiting for ``kind`` with ``answer``, recorded in the ledger first
        so that a replay finds it. An answer recorded whose resume failed (a fault between the
        two) is resumed by the next attempt, with the answer recorded first."""
        recorded = self._store.ledger(request_id).get(kind)
        if recorded is None:
            if kind not in self._store.waiting_for(request_id):
                raise errors.WaitNotPending(kind)
            recorded = self._store.complete_step(request_id, kind, answer, actor)
        if not self._resume(request_id, kind, recorded):
            raise errors.WaitNotPending(kind)

    def _resume(self, request_id: str, kind: WaitKind, result: Mapping[str, Any]) -> bool:
        """Resume a parked wait with the answer the ledger holds; False when none is parked. The
        token is forgotten only after Step Functions took the answer: a failed send leaves it
        parked for the next attempt, and two senders race on the token, not on the ledger."""
        token = self._store.parked_token(request_id, kind)
        if token is None:
            return False
        try:
            self._tokens.succeed(token, result)
        except errors.WaitNotPending:
            # Spent (resumed by an attempt whose last write failed) or its execution ended:
            # forget it, or it would look parked for ever.
            self._store.take_waiting(request_id, kind)
            raise
        self._store.take_waiting(request_id, kind)
        return True

    def verified(
        self, request_id: str, proven: list[str], actor: str, requester_proven: Sequence[str] = ()
    ) -> None:
        """Identity verified (codes, sign-in, ops): record what was proven and resume. What an
        agent proved of its own contacts is the agent's (``requester_proven``), never the
        person's: resolution releases only what the person's proven identifiers reach.

        The status and the ledger's answer are one conditional write: a fault after it leaves a
        verified request whose answer a retry finds and resumes; a fault before it leaves the
        request waiting, as if the proof had not arrived. If the wait is not parked yet, it finds
        the answer when it parks (``await_callback``)."""
        for _ in range(VERIFIED_RACES):
            request = self._store.get(request_id)
            answered = self._store.ledger(request_id).get("verification")
            if answered is not None:
                # Verified already: by a proof at the same moment, or by this one before a fault
                # stopped it short of resuming the execution.
                with contextlib.suppress(errors.WaitNotPending):  # the other proof resumed it
                    self._resume(request_id, "verification", answered)
                return
            kinds = tuple(sorted(set(request.proven_identifiers) | set(proven)))
            if request.status is Status.FAILED:
                # A step failed while the person proved who they are (the soak's crash of the
                # wait as it parked): no execution waits. The proof is kept and the request stays
                # failed, now to go on from verified when ops replay it; the replay's wait finds
                # the answer in the ledger. Turning it verified here left it stuck (no execution).
                updated = request.model_copy(
                    update={
                        "proven_identifiers": kinds,
                        "failure": request.failure.model_copy(update={"status_before": Status.VERIFIED})
                        if request.failure
                        else None,
                    }
                )
            else:
                updated = transition(request, Status.VERIFIED).model_copy(
                    update={"proven_identifiers": kinds}
                )
            if requester_proven:
                updated = updated.with_requester_proven(requester_proven)
            detail = {"proven": list(kinds), "requester_proven": sorted(requester_proven)}
            result = {"proven": list(kinds)}
            action = (
                "verification.proved_while_failed" if request.status is Status.FAILED else "status.verified"
            )
            try:
                self._store.save(updated, actor, action, detail, completing=("verification", result))
            except errors.ConcurrentModification:
                continue  # read again: another write came between
            if request.status is not Status.FAILED:
                self._resume(request_id, "verification", result)
            return
        raise errors.ConcurrentModification(request_id)

    def permission_reviewed(self, request_id: str, denial: Verdict | None, reason: str, actor: str) -> None:
        """Ops read the agent's signed permission or power of attorney (``denial`` when they
        refuse it). Approving a power of
        attorney is what proves the person's identifiers (7063(b): the agent stands in for them);
        a signed permission leaves them as the person proved them directly (7063(a))."""
        request = self._store.get(request_id)
        answer: dict[str, Any] = {"decision": "approve" if denial is None else "deny", "reason": reason}
        if denial is not None:
            answer["verdict"] = denial.model_dump(mode="json", exclude_none=True)
        elif request.requester is not None and request.requester.power_of_attorney:
            subject = request.subject
            kinds = tuple(sorted(kind for kind in ("email", "phone") if getattr(subject, kind)))
            self._store.save(
                request.model_copy(update={"proven_identifiers": kinds}),
                actor,
                "permission.power_of_attorney_approved",
                {"proven": list(kinds), "reason": reason},
            )
        self.answer(request_id, "permission", answer, actor)

    def abandon(self, token: str) -> None:
        """End a parked execution whose request was canceled."""
        self._tokens.fail(token, "RequestCanceled", "The request was canceled.")

    def send_codes(self, request_id: str, send: Callable[[str], Mapping[str, Any]]) -> dict[str, Any]:
        return self.once(request_id, ledger_steps.SEND_CODES, lambda: send(request_id))

    def resolve(self, request_id: str, complete: bool = False) -> dict[str, Any]:
        """``complete``: after ops approved a flagged footprint, resolve again following every
        link if the first resolution stopped early (otherwise its result stands). A verified
        duplicate of a request already under way is joined to it here, and goes no further."""
        if not complete:
            joined = self.once(
                request_id, ledger_steps.DUPLICATE_CHECK, lambda: self._join_duplicate(request_id)
            )
            if joined.get("merged_into"):
                return {
                    "request_id": request_id,
                    "pointers_key": "",
                    "flagged": False,
                    "needs_decision": False,
                    "merged": True,
                }
        first = self.once(request_id, ledger_steps.RESOLVE, lambda: self._resolved(request_id, False))
        summary = self._store.get(request_id).resolution
        stopped = summary is not None and any(f.startswith(STOPPED_FOLLOWING) for f in summary.flags)
        if not complete or not stopped:
            return {"merged": False, **first}
        return self.once(request_id, ledger_steps.RESOLVE_COMPLETE, lambda: self._resolved(request_id, True))

    def _resolved(self, request_id: str, follow_every_link: bool) -> dict[str, Any]:
        found = self._resolve.resolve_request(request_id, follow_every_link=follow_every_link)
        return {**found, "needs_decision": bool(found["flagged"]), "merged": False}

    def _join_duplicate(self, request_id: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        earlier = earlier_verified_duplicate(self._store, self._keys.key_ring(), request)
        if earlier is None:
            return {"merged_into": None}
        self._store.record(earlier.request_id, WORKFLOW_ACTOR, "request.merged", {"duplicate": request_id})
        joined = transition(request, Status.CANCELED).with_merged_into(earlier.request_id)
        self._store.save(joined, WORKFLOW_ACTOR, "status.canceled", {"merged_into": earlier.request_id})
        return {"merged_into": earlier.request_id}

    def begin_action(self, request_id: str) -> dict[str, Any]:
        """The subject's lock for the requests the workflow carries out on the data itself, so an
        export never reads what an erasure is deleting. A request ops fulfil by hand (a
        correction) waits for a person for days: holding the lock through that wait would fail
        every other request of the person's, so it takes none."""
        request = self._store.get(request_id)
        # a correction naming the values held is carried out by the workflow (correction/)
        locked = request.type in AUTOMATED_TYPES or (
            request.type is RequestType.CORRECTION and corrections_automatable(request.corrections)
        )
        if locked:
            self._locks.acquire(list(request.subject_keys.values()), owner=request_id)
        if request.status in (Status.VERIFIED, Status.AWAITING_DECISION):
            self._store.save(transition(request, Status.IN_PROGRESS), WORKFLOW_ACTOR, "status.in_progress")
        return {"locked": locked}

    def apply_preferences(self, request_id: str) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            request = self._store.get(request_id)
            if request.type is RequestType.OPT_OUT:
                self._preferences.record_opt_outs(
                    request, request.opt_out_of
                )  # idempotent: earliest mark kept
                return self._carry_out(request, [p.value for p in request.opt_out_of], "opt_out")
            elif request.type is RequestType.WITHDRAW_CONSENT:
                # acted on like an opt-out of the purposes consent was withdrawn for
                self._preferences.record_opt_outs(request, request.opt_out_of)
                return self._carry_out(request, [p.value for p in request.opt_out_of], "consent_withdrawn")
            elif request.type is RequestType.RESTRICTION:
                self._preferences.restrict(request)
            elif request.type is RequestType.OBJECTION:
                return self._object(request)
            else:
                raise errors.IllegalTransition(request.status, request.status, "not a preference request")
            return {"result": "completed", "outcome": Outcome.COMPLIED.value}

        return self.once(request_id, ledger_steps.APPLY_PREFERENCES, run)

    def _carry_out(self, request: RightsRequest, purposes: Sequence[str], event: str) -> dict[str, Any]:
        """The opt-outs' effects beyond the mark (``OptOutEffects``), kept on the request for the
        answer. A recipient that could not be reached leaves the request done in part, and so
        does a business whose webhook failed once the person is proven (before, which businesses
        hold their calls is not told, not even by the outcome). The audit names who was told."""
        if self._opt_out_effects is None:
            return {"result": "completed", "outcome": Outcome.COMPLIED.value}
        effects = self._opt_out_effects().carry_out(request, purposes, event)
        told = sorted(
            {
                name
                for result in effects.values()
                for name, t in (result.get("recipients") or {}).items()
                if t.get("delivered")
            }
            | {
                f"business:{tenant}"
                for result in effects.values()
                for tenant, t in (result.get("businesses") or {}).items()
                if t.get("delivered")
            }
        )
        detail = {"purposes": sorted(effects), "told": told}
        carried = request.with_opt_out_effects(effects)
        self._store.save(carried, WORKFLOW_ACTOR, "preferences.carried_out", detail)
        unreached = [
            name
            for result in effects.values()
            for name, told in (result.get("recipients") or {}).items()
            if not told.get("delivered")
        ]
        if request.proven_identifiers:
            unreached += [
                tenant
                for result in effects.values()
                for tenant, business in (result.get("businesses") or {}).items()
                if business.get("notify") == "webhook" and not business.get("delivered")
            ]
        outcome = Outcome.PARTIALLY_COMPLIED if unreached else Outcome.COMPLIED
        return {"result": "completed", "outcome": outcome.value, "effects": sorted(effects)}

    def _object(self, request: RightsRequest) -> dict[str, Any]:
        """GDPR Art. 21: each purpose named stops at once, unless ops recorded compelling
        grounds for it before (then it goes on, and the answer says why: part complied)."""
        purposes = request.objected_to
        if not purposes:
            # taken in before objections named purposes: it objected to every one it could
            purposes = tuple(p.value for p in objectable_purposes(load_data_map()))
            detail = {"purposes": list(purposes)}
            request = self._store.save(
                request.with_objected_to(purposes), WORKFLOW_ACTOR, "objection.purposes", detail
            )
        self._preferences.record_objection(request, purposes)
        grounded = set(request.objection_grounds)
        per_purpose = {p: "continues_on_grounds" if p in grounded else "stopped" for p in purposes}
        outcome = Outcome.PARTIALLY_COMPLIED if grounded & set(purposes) else Outcome.COMPLIED
        return {"result": "completed", "outcome": outcome.value, "purposes": per_purpose}

    def finalize(self, request_id: str, verdict: Verdict) -> dict[str, Any]:
        request = self._store.get(request_id)
        if not request.is_final:
            if verdict.result == "completed":
                final = transition(request, Status.COMPLETED, outcome=verdict.outcome or Outcome.COMPLIED)
            else:
                denial = Denial(
                    reason=verdict.reason or DenialReason.UNVERIFIABLE,
                    exemption=verdict.exemption,
                    detail=verdict.detail,
                )
                final = transition(request, Status.DENIED, denial=denial)
            request = self._store.save(final, WORKFLOW_ACTOR, f"status.{final.status.value}")
        self._locks.release(list(request.subject_keys.values()), owner=request_id)
        appeal = request.appeal
        granted = appeal is not None and appeal.decision is AppealDecision.GRANTED
        # the first answer's notice went before the appeal: the new answer is a notice of its own
        self._notify(request, ledger_steps.FINAL_AFTER_APPEAL if granted else "final", self._final_notice)
        updated_receipt = follow_up.updated_receipt_notice(request)
        if updated_receipt is not None:
            # held records erased after their hold ended: the person gets the updated receipt
            self._notify(request, updated_receipt, self._final_notice)
        return {"status": request.status.value}

    def record_failure(self, request_id: str, step: str, error: str) -> dict[str, str]:
        request = self._store.get(request_id)
        self._locks.release(list(request.subject_keys.values()), owner=request_id)
        if request.is_final or request.status is Status.FAILED:
            return {"status": request.status.value}
        failure = FailureRecord(
            step=step, error=error, cause=safe_cause(error), at=utc_now(), status_before=request.status
        )
        failed = transition(request, Status.FAILED).model_copy(update={"failure": failure})
        self._store.save(failed, WORKFLOW_ACTOR, "status.failed", {"step": step, "error": error})
        return {"status": Status.FAILED.value}

    # -- notices -------------------------------------------------------------------------

    def _notify(
        self, request: RightsRequest, name: str, compose: Callable[[RightsRequest], notices.Notice]
    ) -> str:
        """Intent before sending, delivery after: a notice whose intent is recorded but whose
        delivery is not may have gone out, so it is reported, never sent again."""
        ledger = self._store.ledger(request.request_id)
        delivered, intent = ledger_steps.notice(name), ledger_steps.notice_intent(name)
        if delivered in ledger:
            return "already_sent"
        if intent in ledger:
            if self._notice_records is not None:
                return self._earlier_attempt(request, name)
            self._store.record(request.request_id, WORKFLOW_ACTOR, "notice.uncertain", {"notice": name})
            return "uncertain"
        notice = compose(request)  # before the intent: a failure to compose sends nothing
        self._store.complete_step(request.request_id, intent, {"at": utc_now().isoformat()}, WORKFLOW_ACTOR)
        return self._attempt(request, name, notice, attempts=1)

    def _attempt(self, request: RightsRequest, name: str, notice: notices.Notice, attempts: int) -> str:
        """One send of a notice whose intent is recorded. Its message id goes to the provider's
        log first, so a lost ledger write is found there. Refused by the provider (nothing
        went): held, sent again with backoff. Any other error leaves it unknown: held until the
        provider's record or a person settles it, never sent again on a guess."""
        recipient = request.requester if name.startswith("agent_") else None
        try:
            delivery = self._deliver(request, notice, to_requester=recipient is not None)
        except errors.MessageNotSent as refused:
            if self._notice_records is None:
                raise
            return self._hold(request.request_id, name, "retry", attempts, refused.code)
        except Exception as unknown:
            if self._notice_records is None:
                raise
            return self._hold(request.request_id, name, "uncertain", attempts, type(unknown).__name__)
        if self._notice_records is not None and "message_id" in delivery:
            self._notice_records.log_sent(
                request.request_id, name, delivery["message_id"], delivery["channel"]
            )
        return self._delivered(request.request_id, name, delivery)

    def _delivered(self, request_id: str, name: str, delivery: dict[str, str]) -> str:
        # A withheld notice is recorded as delivered too: it is settled, never retried.
        self._store.complete_step(request_id, ledger_steps.notice(name), delivery, WORKFLOW_ACTOR)
        outcome = "withheld" if delivery["channel"] == "withheld" else "sent"
        self._store.record(request_id, WORKFLOW_ACTOR, f"notice.{name}.{outcome}", delivery)
        if self._notice_records is not None:
            self._notice_records.settle(request_id, name)
        return delivery["channel"]

    def _hold(self, request_id: str, name: str, state: str, attempts: int, error: str) -> str:
        assert self._notice_records is not None
        now = utc_now()
        intent = self._store.ledger(request_id).get(ledger_steps.notice_intent(name)) or {}
        since = datetime.fromisoformat(intent["at"]) if "at" in intent else now
        self._notice_records.hold(
            OutstandingNotice(request_id, name, state, since, attempts, next_attempt_at(attempts, now), error)
        )
        action = "notice.failed" if state == "retry" else "notice.uncertain"
        detail = {"notice": name, "error": error, "attempts": attempts}
        self._store.record(request_id, WORKFLOW_ACTOR, action, detail)
        return "held" if state == "retry" else "uncertain"

    def _earlier_attempt(self, request: RightsRequest, name: str) -> str:
        """An intent without a delivery (a replay, a step run again): the provider's record says
        whether it went; otherwise it stays held (or is held as uncertain), never resent here."""
        assert self._notice_records is not None
        sent = self._notice_records.sent_record(request.request_id, name)
        if sent is not None:
            return self._delivered(request.request_id, name, {**sent, "resolved_from": "provider_record"})
        held = self._notice_records.held(request.request_id, name)
        if held is None:
            return self._hold(request.request_id, name, "uncertain", 1, "interrupted")
        return "held" if held.state == "retry" else "uncertain"

    def retry_notice(self, held: OutstandingNotice) -> str:
        """A held notice, once more: settled if the ledger or the provider's record shows it
        went; sent again only if the provider refused the last attempt (``retry``)."""
        ledger = self._store.ledger(held.request_id)
        if ledger_steps.notice(held.name) in ledger:
            if self._notice_records is not None:
                self._notice_records.settle(held.request_id, held.name)
            return "already_sent"
        request = self._store.get(held.request_id)
        if held.state != "retry" or ledger_steps.notice_intent(held.name) not in ledger:
            return self._earlier_attempt(request, held.name)
        notice = self._composer(held.name)(request)
        return self._attempt(request, held.name, notice, attempts=held.attempts + 1)

    def settle_notice(self, request_id: str, name: str, delivery: dict[str, str]) -> str:
        """A person settled a held notice (confirmed it went, or gave it up)."""
        return self._delivered(request_id, name, delivery)

    def _composer(self, name: str) -> Callable[[RightsRequest], notices.Notice]:
        if name == "acknowledgement":
            return self._acknowledgement
        if name == "agent_acknowledgement":
            return self._agent_acknowledgement
        if name == "final" or name.startswith("final" + ledger_steps.FAMILY_SEPARATOR):
            return self._final_notice
        if name == APPEAL_RECEIVED:
            return self._appeal_received_notice
        if name == APPEAL_DECISION:
            return self._appeal_decision_notice
        if name == RESTRICTION_LIFT:
            return self._restriction_lift_notice
        if name.startswith(OBJECTION_GROUNDS + ledger_steps.FAMILY_SEPARATOR):
            purpose = name.removeprefix(OBJECTION_GROUNDS + ledger_steps.FAMILY_SEPARATOR)
            return lambda request: notices.objection_grounds(
                request, purpose, self._status_link(request), self._contacts
            )
        raise errors.ValidationFailed({"notice": f"no notice is named {name}"})

    def announce_extension(self, request_id: str) -> str:
        """The extension's notice (once per request: the law allows one extension)."""
        return self._notify(self._store.get(request_id), "extension", self._extension_notice)

    def announce_appeal(self, request_id: str) -> str:
        """The appeal's acknowledgement, with the date it will be decided by (once: a request
        is appealed once)."""
        return self._notify(self._store.get(request_id), APPEAL_RECEIVED, self._appeal_received_notice)

    def announce_appeal_decision(self, request_id: str) -> str:
        """The appeal's decision and its written explanation (once)."""
        return self._notify(self._store.get(request_id), APPEAL_DECISION, self._appeal_decision_notice)

    def announce_restriction_lift(self, request_id: str) -> str:
        """Told before a restriction is lifted (GDPR Art. 18(3)); once per request."""
        return self._notify(self._store.get(request_id), RESTRICTION_LIFT, self._restriction_lift_notice)

    def announce_objection_grounds(self, request_id: str, purpose: str) -> str:
        """Grounds recorded after the objection was answered: the person is told (once per purpose)."""
        name = objection_grounds_notice(purpose)
        return self._notify(self._store.get(request_id), name, self._composer(name))

    def _restriction_lift_notice(self, request: RightsRequest) -> notices.Notice:
        return notices.restriction_lift(request, self._status_link(request), self._contacts)

    def _appeal_received_notice(self, request: RightsRequest) -> notices.Notice:
        return notices.appeal_received(request, self._status_link(request), self._contacts)

    def _appeal_decision_notice(self, request: RightsRequest) -> notices.Notice:
        attorney_general = attorneys_general.contact_sentence(request.us_state)
        return notices.appeal_decided(request, self._status_link(request), attorney_general, self._contacts)

    def _extension_notice(self, request: RightsRequest) -> notices.Notice:
        return notices.extension(request, self._status_link(request), self._contacts)

    def _acknowledgement(self, request: RightsRequest) -> notices.Notice:
        return notices.acknowledgement(request, self._status_link(request), self._contacts)

    def _agent_acknowledgement(self, request: RightsRequest) -> notices.Notice:
        return notices.agent_acknowledgement(request, self._status_link(request))

    def _final_notice(self, request: RightsRequest) -> notices.Notice:
        return notices.final(request, self._status_link(request), self._contacts)

    def _status_link(self, request: RightsRequest) -> str:
        token = status_token(self._keys.key_ring(), request.request_id, request.status_nonce)
        return notices.status_link(self._base_url, request.request_id, token)

    def _deliver(
        self, request: RightsRequest, notice: notices.Notice, to_requester: bool = False
    ) -> dict[str, str]:
        """``{"channel": "email" | "sms" | "voice"}``, or ``{"channel": "withheld", "reason": …}``
        when the messenger refused the number (``errors.PhoneMessageRefused``): nothing was sent."""
        contact = request.requester if to_requester and request.requester else request.subject
        if contact.email:
            sent = self._messenger.send_email(contact.email, notice.subject, notice.text, request.request_id)
            return {"channel": "email", "message_id": sent}
        assert contact.phone  # the models guarantee one of the two
        try:
            if notice.voice and not can_receive_sms(contact.phone) and self._messenger.can_call:
                sent = self._messenger.send_voice(contact.phone, notice.voice)
                return {"channel": "voice", "message_id": sent}
            sent = self._messenger.send_sms(contact.phone, notice.sms)
            return {"channel": "sms", "message_id": sent}
        except errors.PhoneMessageRefused as refused:
            return {"channel": "withheld", "reason": refused.reason}

    @staticmethod
    def _verification_timeout(request: RightsRequest) -> int:
        """Unverified requests are denied in time to tell the requester before the deadline."""
        deadline = datetime.combine(request.current_due, time.min, tzinfo=UTC) - VERIFICATION_MARGIN
        remaining = max(deadline - utc_now(), MIN_VERIFICATION_WAIT)
        return int(remaining.total_seconds())
