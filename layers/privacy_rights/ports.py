"""What the domain needs from the outside world, as protocols the adapters implement."""

from __future__ import annotations

from typing import Protocol

from privacy_rights.keyed_hash import KeyRing


class KeyRingSource(Protocol):
    def key_ring(self) -> KeyRing: ...


class WorkflowStarter(Protocol):
    def start(self, request_id: str, execution_name: str) -> str: ...


class Messenger(Protocol):
    def send_email(self, to: str, subject: str, text: str) -> str: ...

    def send_sms(self, to: str, text: str) -> str: ...
