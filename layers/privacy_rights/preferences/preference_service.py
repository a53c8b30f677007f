"""Recording what a subject asked for (opt-outs, objections, restriction) under the keyed hashes
of their identifiers, and answering "may the platform process this?" (which also reads the
suppression an erasure leaves: ``erasure.follow_up.SubjectSuppression``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from privacy_rights.core.identifiers import normalize_email, normalize_phone
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.models import OptOutPurpose, RightsRequest, utc_now
from privacy_rights.core.ports import OBJECTION, OPT_OUT, KeyRingSource, PreferenceMarks
from privacy_rights.preferences.preferences import Decision, Mark, Purpose, decide


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

    def record_objection(self, request: RightsRequest, purposes: tuple[Purpose, ...]) -> None:
        self._mark(request, [OBJECTION + purpose.value for purpose in purposes])

    def restrict(self, request: RightsRequest) -> None:
        self._mark(request, ["restriction"])

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
