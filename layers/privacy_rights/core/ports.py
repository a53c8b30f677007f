"""What the domain needs from the outside world: every protocol a service is typed against, in
one place, and the values that cross them. The adapters (``privacy_rights.adapters``) implement
them and only the composition root (``privacy_rights.runtime.composition``) builds those; each protocol
names only the members the services use. ``tests/unit/test_architecture.py`` holds the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    import io
    from collections import Counter

    from privacy_rights.core.audit import AuditEntry, DetailValue
    from privacy_rights.core.data_map import Lookup, Store
    from privacy_rights.core.documents import DocumentKind, Refusal
    from privacy_rights.core.keyed_hash import KeyRing
    from privacy_rights.core.models import RightsRequest, Status
    from privacy_rights.erasure.legal_holds import Hold
    from privacy_rights.preferences.preferences import Mark, PreferenceRecord
    from privacy_rights.resolution.resolution import Found

# -- values that cross the ports ----------------------------------------------------------------

#: preference attributes: ``OPT_OUT + purpose`` and ``OBJECTION + purpose``
OPT_OUT = "opt_out_"
OBJECTION = "objection_"
#: the mark an erasure leaves under every keyed hash of the subject (``erasure.follow_up``)
SUPPRESSION = "suppression"


class MailRecord(BaseModel):
    """One inbound message (MailTable)."""

    # defer_build: only the mail functions build it, not every cold start that imports the ports
    model_config = ConfigDict(extra="ignore", defer_build=True)

    mail_id: str
    object_key: str  # where SES put the raw message
    received_at: str
    state: str = "processing"  # processing | done
    outcome: str | None = None
    reason: str | None = None
    queue: str | None = None  # human_review | needs_clarification | quarantined, while open
    stored_key: str | None = None  # where the raw message lives once processed
    sender_key: str | None = None  # keyed hash of the From address, never the address
    request_ids: list[str] = Field(default_factory=list)
    reply_to_reference: str | None = None  # the request or mail this one answered
    flags: list[str] = Field(default_factory=list)
    attachment_keys: list[str] = Field(default_factory=list)
    refused_attachments: list[dict[str, Any]] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    language: str | None = None
    reply: str | None = None  # intent | sent, for the clarification reply
    processed_at: str | None = None
    closed_by: str | None = None
    closed_reason: str | None = None


@dataclass(frozen=True)
class PermissionDocument:
    """One stored (or refused) file: its key, size, and either its kind or why it is refused."""

    key: str
    size: int
    kind: DocumentKind | None
    refusal: Refusal | None

    @property
    def acceptable(self) -> bool:
        return self.kind is not None and self.refusal is None


@dataclass(frozen=True)
class CodeRecord:
    """A one-time code, as a keyed hash, per (request, identifier kind)."""

    request_id: str
    kind: str
    code_hash: str
    expires_at: int
    attempts: int
    proven: bool


# -- requests, their audit trail and their ledger ---------------------------------------------


class RequestReader(Protocol):
    def get(self, request_id: str) -> RightsRequest: ...


class Requests(RequestReader, Protocol):
    """The requests table: requests, their audit chain, the workflow's ledger and parked waits."""

    def ensure_stream(self, stream_id: str) -> None: ...

    def by_status(
        self, status: Status, due_from: date | None = None, due_to: date | None = None
    ) -> Iterator[RightsRequest]: ...

    def by_subject_key(self, kind: str, digests: list[str]) -> Iterator[RightsRequest]: ...

    def audit_entries(self, request_id: str) -> list[AuditEntry]: ...

    def create(
        self, request: RightsRequest, actor: str, detail: Mapping[str, DetailValue] | None = None
    ) -> RightsRequest: ...

    def save(
        self,
        request: RightsRequest,
        actor: str,
        action: str,
        detail: Mapping[str, DetailValue] | None = None,
        completing: tuple[str, Mapping[str, Any]] | None = None,
    ) -> RightsRequest: ...

    def record(
        self, request_id: str, actor: str, action: str, detail: Mapping[str, DetailValue] | None = None
    ) -> AuditEntry: ...

    def ledger(self, request_id: str) -> dict[str, Any]: ...

    def complete_step(
        self, request_id: str, step: str, result: Mapping[str, Any], actor: str
    ) -> dict[str, Any]: ...

    def clear_step(self, request_id: str, step: str, actor: str, reason: str) -> None: ...

    def set_waiting(self, request_id: str, kind: str, token: str) -> bool: ...

    def take_waiting(self, request_id: str, kind: str) -> str | None: ...

    def parked_token(self, request_id: str, kind: str) -> str | None: ...

    def waiting_for(self, request_id: str) -> list[str]: ...


class SubjectRequests(Protocol):
    def by_subject_key(self, kind: str, digests: list[str]) -> Iterator[RightsRequest]: ...


@dataclass(frozen=True)
class RecordState:
    """What record retention reads of a request item (one consistent read): when it was closed
    (None while open), whether its removal began, its version and its chain head."""

    request_id: str
    version: int
    closed_at: datetime | None
    expiring: datetime | None
    audit_seq: int


class ExpiringRecords(Protocol):
    """Closed requests and their audit chains, as record retention removes them
    (``ops.record_retention``; ``adapters/expiring_records.py``)."""

    def closed_before(self, cutoff: datetime) -> Iterator[str]: ...

    def state(self, request_id: str) -> RecordState | None: ...

    def mark_expiring(self, request_id: str, version: int, at: datetime) -> bool: ...

    def audit_seqs(self, request_id: str) -> list[int]: ...

    def delete_audit_entry(self, request_id: str, seq: int) -> None: ...

    def delete_request(self, request_id: str, head_seq: int) -> bool: ...

    def index_closed(self, request_id: str, version: int, closed_at: datetime) -> bool: ...


class FinalRequests(RequestReader, Protocol):
    """Requests by status (the backfill of the closed index reads the final ones)."""

    def by_status(
        self, status: Status, due_from: date | None = None, due_to: date | None = None
    ) -> Iterator[RightsRequest]: ...


class WorkDocuments(Protocol):
    """JSON documents between the steps of one request (the work bucket)."""

    def put_json(self, key: str, document: Any) -> str: ...

    def get_json(self, key: str) -> Any: ...


# -- the workflow's machinery ------------------------------------------------------------------


class WorkflowStarter(Protocol):
    def start(self, request_id: str, execution_name: str) -> str: ...


class ExecutionHistory(Protocol):
    def events(self, execution_name: str) -> list[dict[str, Any]]: ...

    def status(self, execution_name: str) -> str | None: ...


class TaskTokens(Protocol):
    def succeed(self, token: str, output: Mapping[str, Any]) -> None: ...

    def fail(self, token: str, error: str, cause: str) -> None: ...


class SubjectLocks(Protocol):
    def acquire(self, subject_keys: list[str], owner: str) -> None: ...

    def release(self, subject_keys: list[str], owner: str) -> None: ...


# -- secrets and counting ----------------------------------------------------------------------


class KeyRingSource(Protocol):
    def key_ring(self) -> KeyRing: ...


class Counters(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> bool: ...


# -- messages ----------------------------------------------------------------------------------


class Messenger(Protocol):
    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str: ...

    def send_sms(self, to: str, text: str) -> str: ...

    @property
    def can_call(self) -> bool: ...

    def send_voice(self, to: str, text: str) -> str: ...


@dataclass(frozen=True)
class OutstandingNotice:
    """A notice with an intent and no delivery: ``retry`` when the provider refused it (nothing
    went; it is sent again at ``next_at``), ``uncertain`` when it may have gone (only the
    provider's record or a person settles it)."""

    request_id: str
    name: str
    state: str  # retry | uncertain
    since: datetime
    attempts: int
    next_at: datetime
    last_error: str = ""


class NoticeRecords(Protocol):
    """The provider's record of notices sent (message id per request and notice, in
    NoticesTable) and the notices not delivered yet."""

    def log_sent(self, request_id: str, name: str, message_id: str, channel: str) -> None: ...

    def sent_record(self, request_id: str, name: str) -> dict[str, str] | None: ...

    def hold(self, notice: OutstandingNotice) -> None: ...

    def held(self, request_id: str, name: str) -> OutstandingNotice | None: ...

    def outstanding(self) -> list[OutstandingNotice]: ...

    def settle(self, request_id: str, name: str) -> None: ...


class SentMailLog(Protocol):
    """Which request a message we sent was about (by its SES message id)."""

    def reference_of(self, message_id: str) -> str | None: ...


class SigningSecrets(Protocol):
    def for_receiver(self, receiver_id: str) -> tuple[bytes, tuple[bytes, ...]]:
        """The receiver's current secret and those being retired (empty outside a rotation)."""
        ...


class RecipientNotifier(Protocol):
    """Signed webhooks to businesses and recipients."""

    def notify(
        self, url: str, receiver_id: str, event_id: str, payload: Mapping[str, Any]
    ) -> dict[str, Any]: ...


# -- verification ------------------------------------------------------------------------------


class VerificationCodes(Protocol):
    def put_code(
        self, request_id: str, kind: str, code_hash: str, expires_at: int, keep_until: int
    ) -> None: ...

    def records(self, request_id: str) -> list[CodeRecord]: ...

    def reserve_attempt(self, request_id: str, kind: str, limit: int) -> int | None: ...

    def refund_attempt(self, request_id: str, kind: str) -> None: ...

    def record_proof(self, request_id: str, kind: str, how: str, keep_until: int) -> None: ...

    def mark_proven(self, request_id: str, kind: str, code_hash: str) -> bool: ...


class CallFacts(Protocol):
    """What verification may look up about the platform's calls."""

    def calls_from(self, phone: str) -> list[dict[str, Any]]: ...

    def tenant_name(self, tenant_id: str) -> str: ...


class ObjectLinks(Protocol):
    """Short-lived links to one bucket's objects (a recording under review), for ops to open."""

    def link(self, key: str, seconds: int) -> str: ...


class PermissionDocuments(Protocol):
    """Agents' and guardians' signed permissions, and documents supporting a correction."""

    def upload_form(
        self, request_id: str, content_type: str, document: str = "permission"
    ) -> dict[str, Any]: ...

    def copy_from(self, bucket: str, key: str, request_id: str) -> PermissionDocument: ...

    def documents(self, request_id: str) -> list[PermissionDocument]: ...

    def evidence(self, request_id: str) -> list[PermissionDocument]:
        """The documents supporting a correction (uploaded as ``correction_evidence``)."""
        ...

    def present(self, request_id: str) -> bool: ...

    def view_url(self, key: str, seconds: int) -> str:
        """A short-lived link for ops to read one stored document (the review)."""
        ...


# -- mail --------------------------------------------------------------------------------------


class MailRecords(Protocol):
    def claim(self, record: MailRecord) -> MailRecord: ...

    def get(self, mail_id: str) -> MailRecord: ...

    def put(self, record: MailRecord) -> None: ...

    def mark_reply_intent(self, mail_id: str) -> bool: ...

    def mark_reply_sent(self, mail_id: str) -> None: ...

    def close(self, mail_id: str, queue: str, by: str, reason: str, request_ids: list[str]) -> MailRecord: ...

    def in_queue(self, queue: str, limit: int = 100) -> list[MailRecord]: ...


class Mailbox(Protocol):
    """The raw mail bucket."""

    @property
    def bucket(self) -> str: ...

    def size(self, key: str) -> int | None: ...

    def read(self, key: str) -> bytes: ...

    def copy(self, key: str, destination: str) -> None: ...

    def delete(self, key: str) -> None: ...

    def move(self, key: str, destination: str) -> None: ...

    def keep_attachment(
        self, mail_id: str, index: int, filename: str, content_type: str, content: bytes
    ) -> str: ...


class DeadLetters(Protocol):
    def count(self) -> int: ...

    def peek(self, limit: int = 10) -> list[dict[str, Any]]: ...

    def replay(self, limit: int = 100) -> int: ...


class Clarifications(Protocol):
    """Emails we asked to clarify, for the web form's link back to them."""

    def received_at(self, mail_id: str, email: str | None) -> datetime | None: ...

    def clarified(self, mail_id: str, email: str | None, request_id: str) -> None: ...


# -- businesses, preferences, holds ------------------------------------------------------------


class CustomerDirectory(Protocol):
    """The platform's business customers."""

    def customer(self, tenant_id: str) -> dict[str, Any]: ...


class CustomerAccounts(CustomerDirectory, Protocol):
    def tenant_of(self, principal_arn: str) -> str | None: ...


@dataclass(frozen=True)
class NewCustomer:
    """A business customer as onboarding writes it (``ops/customers``)."""

    tenant_id: str
    name: str
    privacy_email: str
    instruction: str
    webhook_url: str | None
    tracking_number: str | None
    #: bindings (``ops.customers.binding_of``): role ARNs without path, user ARNs
    principal_arns: tuple[str, ...]
    added_at: datetime
    added_by: str


class CustomerRegistry(Protocol):
    """Onboarding's view of the customers table: one write per tenant, one per principal."""

    def exists(self, tenant_id: str) -> bool: ...

    def bound_tenant(self, binding: str) -> str | None: ...

    def add(self, customer: NewCustomer) -> str | None: ...

    def get(self, tenant_id: str) -> dict[str, Any]: ...

    def all(self) -> list[dict[str, Any]]: ...


class PreferenceMarks(Protocol):
    def records(self, digests: Iterable[str]) -> list[PreferenceRecord]: ...

    def mark(self, digests: Iterable[str], attribute: str, mark: Mark) -> None: ...

    def amend(self, digests: Iterable[str], attribute: str, mark: Mark) -> None: ...


class HoldRecords(Protocol):
    """Legal holds and what each covers."""

    def add(self, hold: Hold) -> None: ...

    def get(self, hold_id: str) -> Hold: ...

    def release(self, hold_id: str, at: datetime, by: str, reason: str) -> Hold: ...

    def covering(self, covers: Iterable[str]) -> list[Hold]: ...

    def listed(self, include_released: bool = False) -> list[Hold]: ...


class Holds(Protocol):
    """Which active holds cover a subject (the hold service, as deletion needs it)."""

    def active_for(self, subject_keys: Iterable[str], tenant_ids: Iterable[str]) -> list[Hold]: ...

    def subject_keys(self, email: str | None = None, phone: str | None = None) -> list[str]: ...


class Suppression(Protocol):
    """Keeps an erased subject from coming back (``erasure.follow_up.SubjectSuppression``)."""

    def suppress(self, request: RightsRequest) -> None: ...


# -- the platform's records --------------------------------------------------------------------


class Connector(Protocol):
    """One kind of store (DynamoDB, S3...) for resolution. Connectors page through results and
    never Scan."""

    def find(
        self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]
    ) -> Iterator[Found]: ...

    def calls_made(self) -> Counter[str]: ...


class RecordReader(Protocol):
    """The platform's records, by the pointers resolution released."""

    def items(self, store: Store, keys: list[dict[str, Any]]) -> list[dict[str, Any]]: ...

    def read_object(self, store: Store, key: str) -> bytes: ...

    def open_object(self, store: Store, key: str) -> AbstractContextManager[BinaryIO]: ...


class MarketingConsents(Protocol):
    """The platform's marketing consent store (the data map's ``marketing_preferences``)."""

    def withdraw(self, store: Store, email: str, at: datetime, reference: str) -> bool:
        """Consent withdrawn for ``email``; False when the store holds no contact for it."""
        ...


class Eraser(Protocol):
    def delete_items(self, store: Store, keys: list[dict[str, Any]]) -> int: ...

    def put_object(self, store: Store, key: str, body: bytes) -> None: ...

    def put_items(self, store: Store, items: list[dict[str, Any]]) -> int: ...

    def versions(self, store: Store, keys: Iterable[str]) -> list[dict[str, str]]: ...

    def delete_versions(self, store: Store, versions: list[dict[str, str]]) -> int: ...


class LakeQueries(Protocol):
    """A lake store queried by its engine (Athena): the released rows, and the files holding them."""

    def rows(self, store: Store, pointers: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]: ...

    def locate(self, store: Store, pointers: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]: ...


class LakeRewrite(Protocol):
    """What a rewrite reports (``adapters.lake.Rewritten``)."""

    rows_changed: int
    new_version: str | None
    read_version: str | None

    def as_json(self) -> dict[str, Any]: ...


class LakeFileRewriter(Protocol):
    """One lake file rewritten without some rows (or with columns nulled in them), as a new
    version written only over the version read (``LakeObjectChanged`` otherwise)."""

    def size(self, store: Store, key: str) -> int | None: ...

    def rewrite(
        self, store: Store, key: str, row_ids: Iterable[str], null_columns: Sequence[str] = ()
    ) -> LakeRewrite: ...

    def older_versions(self, store: Store, key: str, current: str | None) -> list[dict[str, str]]: ...

    def versions(self, store: Store, key: str) -> list[str]: ...


class Corrector(Protocol):
    """A field of a released record changed through its store's own write: only if the record
    still holds ``held`` (a conditional update); False when it does not (or is gone)."""

    def update_field(
        self, store: Store, key: Mapping[str, Any], attribute: str, held: Any, wanted: str
    ) -> bool: ...


class ArchiveWriter(Protocol):
    """The exports bucket: archives written part by part, and their links."""

    def open(self, key: str) -> io.RawIOBase: ...

    def download_url(self, key: str, seconds: int) -> str: ...


class EarlierExports(Protocol):
    """Earlier exports of the subject, erased with the rest."""

    def erase(self, keys: list[str]) -> int: ...
