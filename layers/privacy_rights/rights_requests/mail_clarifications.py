"""The web form's way back to an email we asked to clarify: its link names the email
(``clarifies``), and a request made from it keeps that email's receipt as its start, since the
legal clock ran from the day the email arrived. Only the address the email came from can use it;
anyone else gets an ordinary request and learns nothing."""

from __future__ import annotations

import contextlib
from datetime import datetime

from privacy_rights.core.errors import NotFound, NotInQueue
from privacy_rights.core.keyed_hash import IdentifierKind
from privacy_rights.core.ports import KeyRingSource, MailRecord, MailRecords

QUEUE = "needs_clarification"


class MailClarifications:
    def __init__(self, records: MailRecords, keys: KeyRingSource) -> None:
        self._records = records
        self._keys = keys

    def _open_from(self, mail_id: str, email: str | None) -> MailRecord | None:
        if not email:
            return None
        try:
            record = self._records.get(mail_id)
        except NotFound:
            return None
        ring = self._keys.key_ring()
        if record.queue != QUEUE or not record.sender_key:
            return None
        return record if ring.matches(record.sender_key, IdentifierKind.EMAIL, email) else None

    def received_at(self, mail_id: str, email: str | None) -> datetime | None:
        record = self._open_from(mail_id, email)
        return datetime.fromisoformat(record.received_at) if record else None

    def clarified(self, mail_id: str, email: str | None, request_id: str) -> None:
        if self._open_from(mail_id, email) is None:
            return
        # clarified twice at once: the first one closed it
        with contextlib.suppress(NotInQueue):
            self._records.close(mail_id, QUEUE, "web-form", "clarified on the web form", [request_id])
