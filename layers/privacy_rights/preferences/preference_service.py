"""Recording what a subject asked for (opt-outs, objections, restriction) under the keyed hashes
of their identifiers, and answering "may the platform process this?" (which also reads the
suppression an erasure leaves: ``erasure.follow_up.SubjectSuppression``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from privacy_rights.core.identifiers import normalize_email, normalize_phone
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.models import OptOutPurpose, RightsRequest, utc_now
from privacy_rights.core.ports import OBJECTION, OPT_OUT, KeyRingSource, PreferenceMarks
from privacy_rights.preferences.preferences import Decision, Mark, Purpose, decide

#: the restriction's attribute in the preference store
RESTRICTION = "restriction"


class IdentifierRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: IdentifierKind
    value: Annotated[str, StringConstraints(min_length=1, max_length=254)]

    @model_validator(mode="after")
    def _normalized(self) -> IdentifierRef:
        if self.kind is IdentifierKind.EMAIL:
            object.__setattr__(self, "value", normalize_email(self.value))
        elif self.kind is IdentifierKind.PHONE:
            object.__setattr__(self, "value", normalize_phone(self.value))
        return self


class MayProcessQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    identifier: IdentifierRef
    purpose: Purpose


class PreferenceService:
    def __init__(self, store: PreferenceMarks, keys: KeyRingSource) -> None:
        self._store = store
        self._keys = keys

    def may_process(self, query: MayProcessQuery) -> Decision:
        ring = self._keys.key_ring()
        digests = ring.all_digests(query.identifier.kind, query.identifier.value)
        return decide(self._store.records(digests), query.purpose)

    def record_opt_outs(self, request: RightsRequest, purposes: tuple[OptOutPurpose, ...]) -> None:
        self._mark(request, [OPT_OUT + purpose.value for purpose in purposes])

    def record_objection(self, request: RightsRequest, purposes: Sequence[str]) -> None:
        """Each purpose stops at once; where ops already recorded compelling grounds for one
        (before the request was carried out), its mark carries them."""
        self._mark(request, [OBJECTION + purpose for purpose in purposes])
        for purpose in request.objection_grounds:
            if purpose in purposes:
                self.record_grounds(request, purpose)

    def record_grounds(self, request: RightsRequest, purpose: str) -> int:
        """The subject's objection to ``purpose`` gives way to compelling legitimate grounds
        (never for direct marketing: ``decide`` ignores them there). How many marks carry them."""
        digests = list(request.subject_keys.values())
        amended = 0
        for record in self._store.records(digests):
            mark = record.objections.get(purpose)
            if mark is None:
                continue
            grounded = mark.model_copy(
                update={"grounds_request_id": request.request_id, "grounds_at": utc_now()}
            )
            self._store.amend([record.subject_key], OBJECTION + purpose, grounded)
            amended += 1
        return amended

    def restrict(self, request: RightsRequest) -> None:
        """A new restriction replaces one whose lift was announced (it holds again, unlifted)."""
        self._mark(request, [RESTRICTION])
        for record in self._store.records(list(request.subject_keys.values())):
            if record.restriction is not None and record.restriction.lift_at is not None:
                fresh = Mark(at=utc_now(), request_id=request.request_id)
                self._store.amend([record.subject_key], RESTRICTION, fresh)

    def schedule_lift(self, request: RightsRequest, lift_at: datetime) -> int:
        """The subject's restriction holds until ``lift_at`` (the person was told before). How
        many marks carry the lift (none: nothing is restricted under the request's identifiers)."""
        amended = 0
        for record in self._store.records(list(request.subject_keys.values())):
            if record.restriction is None or record.restriction.lift_request_id == request.request_id:
                continue  # nothing restricted, or this lift is set already (a retry keeps its time)
            lifting = record.restriction.model_copy(
                update={"lift_at": lift_at, "lift_request_id": request.request_id}
            )
            self._store.amend([record.subject_key], RESTRICTION, lifting)
            amended += 1
        return amended

    def mark_keys(self, digests: list[str], request_id: str, purposes: tuple[OptOutPurpose, ...]) -> None:
        """Opt-outs for keys that are not the subject's identifiers (a browser's cookie ids)."""
        mark = Mark(at=utc_now(), request_id=request_id)
        for purpose in purposes:
            self._store.mark(digests, OPT_OUT + purpose.value, mark)

    def _mark(self, request: RightsRequest, attributes: list[str]) -> None:
        mark = Mark(at=utc_now(), request_id=request.request_id)
        digests = list(request.subject_keys.values())
        for attribute in attributes:
            self._store.mark(digests, attribute, mark)
