"""The person's statement about a correction we denied (CCPA 7023(f)): up to 250 words, kept with
the request (``extra["correction_statement"]``), added once from the status page with the status
token (``POST /requests/{id}/statement``). The audit notes that one was added and its length,
never its words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.core.errors import CannotMove, ValidationFailed
from privacy_rights.core.models import RightsRequest, utc_now
from privacy_rights.core.ports import KeyRingSource, Requests
from privacy_rights.core.request_results import CorrectionStatement
from privacy_rights.rights_requests.request_access import authorized_request

#: CCPA 7023(f)(3)
STATEMENT_WORDS = 250
REQUESTER = "requester"


class AddStatement(BaseModel):
    """The body of ``POST /requests/{id}/statement``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: 250 words of ordinary length fit; the word count is checked too
    statement: str = Field(min_length=1, max_length=2500)


class StatementKept(BaseModel):
    request_id: str
    words: int
    added_at: datetime


class CorrectionStatements:
    def __init__(self, store: Requests, keys: KeyRingSource, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._keys = keys
        self._clock = clock

    def add_with_token(self, request_id: str, presented_token: str, command: AddStatement) -> StatementKept:
        """The status page's "Add a statement": the holder of the status token only."""
        request = authorized_request(self._store, self._keys.key_ring(), request_id, presented_token)
        kept = self.add(request, command.statement, REQUESTER)
        statement = kept.correction_statement
        assert statement is not None
        return StatementKept(
            request_id=request_id,
            words=len(statement.text.split()),
            added_at=datetime.fromisoformat(statement.added_at),
        )

    def add(self, request: RightsRequest, text: str, actor: str) -> RightsRequest:
        """Only on a correction ops denied, in whole or in part; once; 1 to 250 words."""
        result = request.correction_result
        if result is None or not result.denied_fields:
            raise CannotMove(
                request.status, "only a correction we denied, in whole or in part, takes a statement"
            )
        if request.correction_statement is not None:
            raise CannotMove(request.status, "a statement was already added to this request")
        words = len(text.split())
        if not text.strip() or words > STATEMENT_WORDS:
            raise ValidationFailed({"statement": f"write 1 to {STATEMENT_WORDS} words ({words} given)"})
        statement = CorrectionStatement(text=text.strip(), added_at=self._clock().isoformat())
        return self._store.save(
            request.with_correction_statement(statement),
            actor,
            "correction.statement_added",
            {"words": words, "denied_fields": result.denied_fields},
        )
