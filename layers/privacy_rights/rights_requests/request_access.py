"""Who may act on a request from outside: the holder of its status token.

The token is in the intake answer (the web form keeps it), in the acknowledgement's link and on
the status page. An unknown id and a wrong token answer alike, so neither reveals that a request
exists, and nothing a stranger sends without the token is counted against the requester.
"""

from __future__ import annotations

from privacy_rights.core.errors import NotFound
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import RightsRequest
from privacy_rights.core.ports import RequestReader
from privacy_rights.core.tokens import token_matches


def authorized_request(
    store: RequestReader, ring: KeyRing, request_id: str, presented_token: str
) -> RightsRequest:
    try:
        request = store.get(request_id)
    except NotFound:
        token_matches(ring, request_id, "absent", presented_token)  # same work as a real check
        raise
    if not token_matches(ring, request.request_id, request.status_nonce, presented_token):
        raise NotFound(request_id)
    return request
