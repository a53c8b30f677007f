"""Two requests of one person for the same thing are answered once.

A duplicate is taken in, acknowledged and verified like any other request, so that nothing a
stranger sends learns that someone has a request open; only once verified is it joined to an
earlier request of the same type and scope, and only to one that was itself verified through
the same identifier (never to a stranger's unverified request in the person's name).
"""

from __future__ import annotations

from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import RightsRequest, Status
from privacy_rights.core.ports import SubjectRequests

#: statuses of a request that is verified and under way (a failed one waits for ops instead)
UNDER_WAY = frozenset({Status.VERIFIED, Status.IN_PROGRESS, Status.AWAITING_DECISION})


def earlier_verified_duplicate(
    store: SubjectRequests, ring: KeyRing, request: RightsRequest
) -> RightsRequest | None:
    for kind in request.proven_identifiers:
        digest = request.subject_keys.get(kind)
        value = (
            request.subject.email if kind == "email" else request.subject.phone if kind == "phone" else None
        )
        if digest is None or value is None:
            continue
        digests = ring.all_digests(IdentifierKind(kind), value)
        for candidate in store.by_subject_key(kind, digests):
            if (
                candidate.request_id != request.request_id
                and candidate.status in UNDER_WAY
                and candidate.type is request.type
                and candidate.scope == request.scope
                and kind in candidate.proven_identifiers
                and candidate.subject_keys.get(kind) in digests
                # the earlier of two joins the later, never the reverse: two duplicates verified
                # at once cannot both be joined to each other
                and (candidate.received_at, candidate.request_id) < (request.received_at, request.request_id)
            ):
                return candidate
    return None
