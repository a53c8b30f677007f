"""Resolution as the workflow and ops use it: for a request (recorded on it), or as an audited
ad-hoc look-up by an operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights.core.identifiers import Email, Phone
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.models import WORKFLOW_ACTOR, ResolutionSummary, utc_now
from privacy_rights.core.ports import KeyRingSource, Requests, WorkDocuments
from privacy_rights.resolution.resolution import Resolver, Root, request_roots, resolved_at_text, roots_of

LOOKUP_STREAM = "audit:ops-lookups"


class LookupQuery(BaseModel):
    """An operator's ad-hoc question: what does the platform hold for these identifiers?"""

    # defer_build: the ops API builds it; the task functions import this module without using it
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    email: Email | None = None
    phone: Phone | None = None
    account_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    phone_held_since: date | None = None
    reason: Annotated[str, StringConstraints(min_length=5, max_length=300)] = Field(
        description="Why the operator looks this person up; kept in the audit trail."
    )

    @model_validator(mode="after")
    def _something_to_look_up(self) -> LookupQuery:
        if not (self.email or self.phone or self.account_id):
            raise ValueError("give an email, a phone number or an account id")
        return self


class ResolveService:
    def __init__(
        self, store: Requests, new_resolver: Callable[[], Resolver], work: WorkDocuments, keys: KeyRingSource
    ) -> None:
        self._store = store
        # A resolver per resolution: its connectors count the API calls of that resolution only.
        self._new_resolver = new_resolver
        self._work = work
        self._keys = keys

    def resolve_request(self, request_id: str, follow_every_link: bool = False) -> dict[str, Any]:
        request = self._store.get(request_id)
        roots = request_roots(request)
        pointers_key = f"resolutions/{request_id}/{resolved_at_text(utc_now())}.json"
        resolution = self._new_resolver().resolve(
            roots, pointers_key=pointers_key, follow_every_link=follow_every_link
        )
        self._work.put_json(pointers_key, [record.as_json() for record in resolution.records])
        summary = resolution.summary
        self._store.save(
            request.model_copy(update={"resolution": summary}),
            WORKFLOW_ACTOR,
            "subject.resolved",
            _audit_detail(summary),
        )
        return {"request_id": request_id, "pointers_key": pointers_key, "flagged": summary.flagged}

    def lookup(self, query: LookupQuery, operator: str) -> ResolutionSummary:
        roots = [
            Root(root.kind, root.value, proven=True, held_since=root.held_since)
            for root in roots_of(query.email, query.phone, query.account_id, (), query.phone_held_since)
        ]
        summary = self._new_resolver().resolve(roots).summary
        ring = self._keys.key_ring()
        digests = [
            ring.digest(IdentifierKind(root.kind), root.value)
            for root in roots
            if root.kind in {"email", "phone"}
        ]
        self._store.ensure_stream(LOOKUP_STREAM)
        self._store.record(
            LOOKUP_STREAM,
            operator,
            "ops.lookup",
            {"subject_keys": digests, "reason": query.reason, **_audit_detail(summary)},
        )
        return summary


def _audit_detail(summary: ResolutionSummary) -> dict[str, Any]:
    return {
        "data_map_version": summary.data_map_version,
        "total_records": summary.total_records,
        "released_records": summary.released_records,
        "tenant_count": len(summary.tenants),
        "flagged": summary.flagged,
    }
