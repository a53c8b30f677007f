"""The state machine's task steps. Each takes a request id, does one thing, returns pointers."""

from __future__ import annotations

from privacy_rights import errors, notices
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.lifecycle import UNVERIFIED_TYPES, transition
from privacy_rights.models import FailureRecord, RightsRequest, Status, utc_now
from privacy_rights.ports import KeyRingSource, Messenger
from privacy_rights.tokens import status_token

WORKFLOW_ACTOR = "workflow"


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


class Steps:
    def __init__(
        self, store: RequestStore, keys: KeyRingSource, messenger: Messenger, public_base_url: str
    ) -> None:
        self._store = store
        self._keys = keys
        self._messenger = messenger
        self._base_url = public_base_url

    def acknowledge(self, request_id: str) -> dict[str, str]:
        request = self._store.get(request_id)
        token = status_token(self._keys.key_ring(), request.request_id, request.status_nonce)
        notice = notices.acknowledgement(request, notices.status_link(self._base_url, request_id, token))
        channel = self._deliver(request, notice)
        self._store.record(request_id, WORKFLOW_ACTOR, "notice.acknowledgement.sent", {"channel": channel})
        target = Status.VERIFIED if request.type in UNVERIFIED_TYPES else Status.AWAITING_VERIFICATION
        if request.status is Status.RECEIVED:
            self._store.save(transition(request, target), WORKFLOW_ACTOR, f"status.{target.value}")
        return {"request_id": request_id, "status": target.value}

    def record_failure(self, request_id: str, step: str, error: str) -> dict[str, str]:
        request = self._store.get(request_id)
        failure = FailureRecord(step=step, error=error, cause=safe_cause(error), at=utc_now())
        failed = transition(request, Status.FAILED).model_copy(update={"failure": failure})
        self._store.save(failed, WORKFLOW_ACTOR, "status.failed", {"step": step, "error": error})
        return {"request_id": request_id, "status": Status.FAILED.value}

    def _deliver(self, request: RightsRequest, notice: notices.Notice) -> str:
        if request.subject.email:
            self._messenger.send_email(request.subject.email, notice.subject, notice.text)
            return "email"
        assert request.subject.phone  # the model guarantees one of the two
        self._messenger.send_sms(request.subject.phone, notice.sms)
        return "sms"
