"""What follows a deletion: the subject suppressed, and the records a legal hold kept back erased
once the hold ends, with an updated receipt for the person.

- :class:`SubjectSuppression` keeps an erased subject from coming back (a CRM re-import, a backup
  restore, a training set): the ``suppression`` mark under every keyed hash of the subject,
  which ``preferences.decide`` reads.
- :class:`HeldErasure` is ops' ``erase-held``: a deletion answered while a hold kept records back
  has its erasure steps cleared (``erase:*``, ``erasure.*``), so that a new execution plans only
  what was held (``ErasureService.plan`` reads ``erasures/<id>/held.json``) and merges the receipt
  (``receipt.merged_receipt``).
- :func:`updated_receipt_notice` names the notice that sends the person the merged receipt
  (``Workflow.finalize``), one per follow-up run.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from privacy_rights.core import errors, ledger_steps
from privacy_rights.core.models import RequestType, RightsRequest, utc_now
from privacy_rights.core.ports import SUPPRESSION, PreferenceMarks, Requests
from privacy_rights.core.request_results import ErasureReceipt
from privacy_rights.preferences.preferences import Mark


class SubjectSuppression:
    """The ``Suppression`` port: after an erasure, every keyed hash of the subject is marked."""

    def __init__(self, marks: PreferenceMarks, clock: Callable[[], datetime] = utc_now) -> None:
        self._marks = marks
        self._clock = clock

    def suppress(self, request: RightsRequest) -> None:
        """Idempotent: the store keeps the earliest mark."""
        mark = Mark(at=self._clock(), request_id=request.request_id)
        self._marks.mark(list(request.subject_keys.values()), SUPPRESSION, mark)


def held_back(request: RightsRequest) -> ErasureReceipt:
    """The receipt of a deletion that kept records back under a hold; anything else has
    nothing to erase later (``IllegalTransition``)."""
    receipt = request.erasure_receipt
    if request.type is not RequestType.DELETION or receipt is None or not receipt.held:
        raise errors.IllegalTransition(request.status, request.status, "it kept nothing back under a hold")
    return receipt


class HeldErasure:
    """Ops' ``erase-held``, the deletion's part: which requests qualify and what is cleared.
    Starting the new execution is ops' (``OpsService.erase_held``). Records still under an active
    hold stay held: the new plan looks at the holds again."""

    def __init__(self, store: Requests) -> None:
        self._store = store

    def check(self, request_id: str) -> RightsRequest:
        request = self._store.get(request_id)
        held_back(request)
        return request

    def clear(self, request_id: str, operator: str, reason: str) -> list[str]:
        """Clear the erasure's steps from the ledger (each clearing audited), nothing else."""
        ledger = self._store.ledger(request_id)
        cleared = [step for step in sorted(ledger) if ledger_steps.is_erasure_step(step)]
        for step in cleared:
            self._store.clear_step(request_id, step, operator, reason)
        return cleared


def updated_receipt_notice(request: RightsRequest) -> str | None:
    """The notice carrying the receipt a follow-up updated (``notice:final:follow_up:<n>``), or
    ``None`` when the request had no follow-up."""
    receipt = request.erasure_receipt
    if receipt is None or not receipt.follow_up:
        return None
    return ledger_steps.follow_up_notice(receipt.follow_up)
