"""What the domain needs from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from privacy_rights.keyed_hash import KeyRing


class KeyRingSource(Protocol):
    def key_ring(self) -> KeyRing: ...


class WorkflowStarter(Protocol):
    def start(self, request_id: str, execution_name: str) -> str: ...


class Messenger(Protocol):
    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str: ...

    def send_sms(self, to: str, text: str) -> str: ...

    @property
    def can_call(self) -> bool: ...

    def send_voice(self, to: str, text: str) -> str: ...


class Clarifications(Protocol):
    """Emails we asked to clarify, for the web form's link back to them."""

    def received_at(self, mail_id: str, email: str | None) -> datetime | None: ...

    def clarified(self, mail_id: str, email: str | None, request_id: str) -> None: ...
