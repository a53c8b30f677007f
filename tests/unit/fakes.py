"""In-memory fakes of ``privacy_rights.core.ports``, shared by the unit tests of the services
(``test_services_on_ports``, ``test_workflow_on_fakes``, ``test_erasure_on_fakes``).

Each fake keeps the contract its adapter documents, where a service depends on it: the ledger
records a step once (a second completion returns the first result) and stores JSON; a wait is
parked only while the ledger holds no answer to its kind; taking a token is once; a save is
refused when the request changed since it was read (``version``). Nothing else is simulated.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from privacy_rights.core.audit import AuditEntry, next_entry, verify_chain
from privacy_rights.core.data_map import DataMap, Lookup, Store
from privacy_rights.core.errors import (
    ConcurrentModification,
    NotFound,
    PhoneMessageRefused,
    SubjectBusy,
    WaitNotPending,
)
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import ResolutionSummary, RightsRequest, Status
from privacy_rights.core.ports import OBJECTION, OPT_OUT, CodeRecord, RecordState
from privacy_rights.erasure.legal_holds import TENANT_COVER_PREFIX, Hold
from privacy_rights.preferences.preferences import Mark, PreferenceRecord
from privacy_rights.resolution.resolution import Found, pointer_text

# -- requests, their ledger and their waits --------------------------------------------------


def _json(value: Any) -> Any:
    """As the table stores it: JSON (dates as text)."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


class FakeRequests:
    """The ``Requests`` port in memory: requests, audit entries, ledgers and parked tokens."""

    def __init__(self, *requests: RightsRequest, ledger: Mapping[str, Any] | None = None) -> None:
        self.requests: dict[str, RightsRequest] = {}
        self.ledgers: dict[str, dict[str, Any]] = {}
        self.waiting: dict[str, dict[str, str]] = {}
        #: (request_id, actor, action, detail), in order
        self.audit: list[tuple[str, str, str, dict[str, Any]]] = []
        self.cleared: list[str] = []
        self.streams: set[str] = set()
        for request in requests:
            self.requests[request.request_id] = request
        if ledger is not None:
            (first,) = requests
            self.ledgers[first.request_id] = _json(dict(ledger))

    # a single-request store's shorthands
    @property
    def request(self) -> RightsRequest:
        (only,) = self.requests.values()
        return only

    @request.setter
    def request(self, request: RightsRequest) -> None:
        self.requests[request.request_id] = request

    @property
    def steps(self) -> dict[str, Any]:
        return self.ledgers.get(self.request.request_id, {})

    def actions(self, request_id: str | None = None) -> list[str]:
        return [action for rid, _, action, _ in self.audit if request_id is None or rid == request_id]

    # -- RequestReader / Requests ---------------------------------------------------------
    def get(self, request_id: str) -> RightsRequest:
        try:
            return self.requests[request_id]
        except KeyError:
            raise NotFound(request_id) from None

    def ensure_stream(self, stream_id: str) -> None:
        self.streams.add(stream_id)

    def by_status(self, status: Status, due_from: Any = None, due_to: Any = None) -> Iterator[RightsRequest]:
        return iter([r for r in self.requests.values() if r.status is status])

    def by_subject_key(self, kind: str, digests: list[str]) -> Iterator[RightsRequest]:
        return iter([r for r in self.requests.values() if r.subject_keys.get(kind) in digests])

    def audit_entries(self, request_id: str) -> list[Any]:
        return []

    def create(
        self, request: RightsRequest, actor: str, detail: Mapping[str, Any] | None = None
    ) -> RightsRequest:
        self.requests[request.request_id] = request
        self.audit.append((request.request_id, actor, "request.created", dict(detail or {})))
        return request

    def save(
        self,
        request: RightsRequest,
        actor: str,
        action: str,
        detail: Mapping[str, Any] | None = None,
        completing: tuple[str, Mapping[str, Any]] | None = None,
    ) -> RightsRequest:
        current = self.get(request.request_id)
        if current.version != request.version:
            raise ConcurrentModification(request.request_id)
        ledger = self.ledgers.setdefault(request.request_id, {})
        if completing is not None and completing[0] in ledger:
            raise ConcurrentModification(request.request_id)
        saved = request.model_copy(update={"version": request.version + 1})
        self.requests[request.request_id] = saved
        if completing is not None:
            ledger[completing[0]] = _json(dict(completing[1]))
        self.audit.append((request.request_id, actor, action, dict(detail or {})))
        return saved

    def record(
        self, request_id: str, actor: str, action: str, detail: Mapping[str, Any] | None = None
    ) -> None:
        if request_id not in self.requests and request_id not in self.streams:
            raise NotFound(request_id)
        self.audit.append((request_id, actor, action, dict(detail or {})))

    def ledger(self, request_id: str) -> dict[str, Any]:
        return copy.deepcopy(self.ledgers.get(request_id, {}))

    def complete_step(
        self, request_id: str, step: str, result: Mapping[str, Any], actor: str
    ) -> dict[str, Any]:
        ledger = self.ledgers.setdefault(request_id, {})
        if step in ledger:
            return copy.deepcopy(ledger[step])
        ledger[step] = _json(dict(result))
        self.audit.append((request_id, actor, "step.completed", {"step": step}))
        return dict(result)

    def clear_step(self, request_id: str, step: str, actor: str, reason: str) -> None:
        self.ledgers.get(request_id, {}).pop(step, None)
        self.cleared.append(step)
        self.audit.append((request_id, actor, "step.cleared", {"step": step, "reason": reason}))

    def set_waiting(self, request_id: str, kind: str, token: str) -> bool:
        self.get(request_id)
        if kind in self.ledgers.get(request_id, {}):
            return False
        self.waiting.setdefault(request_id, {})[kind] = token
        return True

    def take_waiting(self, request_id: str, kind: str) -> str | None:
        return self.waiting.get(request_id, {}).pop(kind, None)

    def waiting_for(self, request_id: str) -> list[str]:
        return sorted(self.waiting.get(request_id, {}))

    def parked_token(self, request_id: str, kind: str) -> str | None:
        return self.waiting.get(request_id, {}).get(kind)


class FakeWork:
    """``WorkDocuments``: JSON documents by key."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}

    def put_json(self, key: str, document: Any) -> str:
        self.documents[key] = _json(document)
        return key

    def get_json(self, key: str) -> Any:
        try:
            return copy.deepcopy(self.documents[key])
        except KeyError:
            raise NotFound(key) from None


# -- the workflow's machinery ----------------------------------------------------------------


class FakeTokens:
    """``TaskTokens``: which executions were resumed (or failed), with what."""

    def __init__(self) -> None:
        self.succeeded: list[tuple[str, dict[str, Any]]] = []
        self.failed: list[tuple[str, str]] = []

    def succeed(self, token: str, output: Mapping[str, Any]) -> None:
        if any(token == used for used, _ in self.succeeded):
            raise WaitNotPending("TaskTimedOut")  # Step Functions refuses a spent token
        self.succeeded.append((token, dict(output)))

    def fail(self, token: str, error: str, cause: str) -> None:
        self.failed.append((token, error))


class FakeLocks:
    """``SubjectLocks``: one owner per subject key."""

    def __init__(self) -> None:
        self.held: dict[str, str] = {}

    def acquire(self, subject_keys: list[str], owner: str) -> None:
        if any(self.held.get(key, owner) != owner for key in subject_keys):
            raise SubjectBusy(owner)
        self.held.update(dict.fromkeys(subject_keys, owner))

    def release(self, subject_keys: list[str], owner: str) -> None:
        for key in subject_keys:
            if self.held.get(key) == owner:
                del self.held[key]


class FakeHistory:
    """``ExecutionHistory``: every execution has ended unless named running."""

    def __init__(self, running: Iterable[str] = ()) -> None:
        self.running = set(running)

    def status(self, execution_name: str) -> str | None:
        return "RUNNING" if execution_name in self.running else "SUCCEEDED"

    def events(self, execution_name: str) -> list[dict[str, Any]]:
        return []


class FakeStarter:
    """``WorkflowStarter``: the executions started, by name."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def start(self, request_id: str, execution_name: str) -> str:
        self.started.append(execution_name)
        return execution_name


class FakeKeys:
    """``KeyRingSource``."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    def key_ring(self) -> KeyRing:
        return self.ring


# -- messages ---------------------------------------------------------------------------------


class FakeMessenger:
    """``Messenger``: what was sent, by channel; ``refuse`` numbers are refused for that reason."""

    def __init__(self, can_call: bool = False, refuse: Mapping[str, Any] | None = None) -> None:
        self.sent: list[dict[str, str]] = []
        self._can_call = can_call
        self.refuse = dict(refuse or {})

    @property
    def can_call(self) -> bool:
        return self._can_call

    def send_email(self, to: str, subject: str, text: str, reference: str | None = None) -> str:
        self.sent.append({"channel": "email", "to": to, "subject": subject, "text": text})
        return f"m{len(self.sent)}"

    def send_sms(self, to: str, text: str) -> str:
        if to in self.refuse:
            raise PhoneMessageRefused(self.refuse[to])
        self.sent.append({"channel": "sms", "to": to, "text": text})
        return f"m{len(self.sent)}"

    def send_voice(self, to: str, text: str) -> str:
        if to in self.refuse:
            raise PhoneMessageRefused(self.refuse[to])
        self.sent.append({"channel": "voice", "to": to, "text": text})
        return f"m{len(self.sent)}"

    def to(self, address: str) -> list[dict[str, str]]:
        return [m for m in self.sent if m["to"] == address]


class FakeNotifier:
    """``RecipientNotifier``: signed webhooks, all delivered at the first attempt."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, dict[str, Any]]] = []

    def notify(self, url: str, receiver_id: str, event_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        self.calls.append((url, receiver_id, event_id, dict(payload)))
        return {"delivered": True, "attempts": 1, "status": 200}


# -- businesses, preferences, holds -----------------------------------------------------------


class FakeCustomers:
    """``CustomerDirectory``: the business customers' records by tenant id."""

    def __init__(self, customers: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.customers = {tenant: dict(record) for tenant, record in (customers or {}).items()}

    def customer(self, tenant_id: str) -> dict[str, Any]:
        return {"tenant_id": tenant_id, "name": tenant_id.title(), **self.customers.get(tenant_id, {})}


class FakePreferenceMarks:
    """``PreferenceMarks``: per keyed hash, the earliest mark of each attribute."""

    def __init__(self) -> None:
        self.marks: dict[str, dict[str, Mark]] = {}

    def mark(self, digests: Iterable[str], attribute: str, mark: Mark) -> None:
        for digest in digests:
            self.marks.setdefault(digest, {}).setdefault(attribute, mark)

    def amend(self, digests: Iterable[str], attribute: str, mark: Mark) -> None:
        """Replace a mark where one is set (grounds, a lift time); nowhere else."""
        for digest in digests:
            if attribute in self.marks.get(digest, {}):
                self.marks[digest][attribute] = mark

    def records(self, digests: Iterable[str]) -> list[PreferenceRecord]:
        found = []
        for digest in digests:
            marks = self.marks.get(digest)
            if not marks:
                continue
            found.append(
                PreferenceRecord(
                    subject_key=digest,
                    opt_outs={a[len(OPT_OUT) :]: m for a, m in marks.items() if a.startswith(OPT_OUT)},
                    objections={a[len(OBJECTION) :]: m for a, m in marks.items() if a.startswith(OBJECTION)},
                    restriction=marks.get("restriction"),
                    suppression=marks.get("suppression"),
                )
            )
        return found


class FakeHoldRecords:
    """``HoldRecords``: holds by id, found by what they cover."""

    def __init__(self) -> None:
        self.holds: dict[str, Hold] = {}

    def add(self, hold: Hold) -> None:
        self.holds[hold.hold_id] = hold

    def get(self, hold_id: str) -> Hold:
        try:
            return self.holds[hold_id]
        except KeyError:
            raise NotFound(hold_id) from None

    def release(self, hold_id: str, at: Any, by: str, reason: str) -> Hold:
        released = self.get(hold_id).model_copy(
            update={"released_at": at, "released_by": by, "release_reason": reason}
        )
        self.holds[hold_id] = released
        return released

    def covering(self, covers: Iterable[str]) -> list[Hold]:
        wanted = set(covers)
        return [hold for hold in self.holds.values() if wanted & set(hold.covers)]

    def listed(self, include_released: bool = False) -> list[Hold]:
        return [h for h in self.holds.values() if include_released or h.released_at is None]


def customer_cover(tenant_id: str) -> str:
    return TENANT_COVER_PREFIX + tenant_id


# -- the platform's records -------------------------------------------------------------------


class FakePlatform:
    """The platform's stores in memory, behind the ports deletion and resolution use:
    ``RecordReader`` and ``Eraser`` (items by key, objects with every version), and a
    ``Connector`` per kind (``connector()``) that finds them as the data map's lookups say."""

    def __init__(self, data_map: DataMap) -> None:
        self._map = data_map
        #: store -> pointer text -> item
        self.items: dict[str, dict[str, dict[str, Any]]] = {}
        #: store -> object key -> its versions (id, body), oldest first (None is a delete marker)
        self.objects: dict[str, dict[str, list[tuple[str, bytes | None]]]] = {}
        self._version_ids = 0

    # -- setting it up ------------------------------------------------------------------
    def put_item(self, store: str, item: Mapping[str, Any]) -> dict[str, Any]:
        table = self._map.store(store).table
        assert table is not None
        pointer = {k: item[k] for k in table.key}
        self.items.setdefault(store, {})[pointer_text(pointer)] = dict(item)
        return pointer

    def put_version(self, store: str, key: str, body: bytes | None) -> None:
        self._version_ids += 1
        self.objects.setdefault(store, {}).setdefault(key, []).append((f"v{self._version_ids}", body))

    def item(self, store: str, pointer: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.items.get(store, {}).get(pointer_text(pointer))

    def current(self, store: str, key: str) -> bytes | None:
        versions = self.objects.get(store, {}).get(key) or [("", None)]
        return versions[-1][1]

    # -- RecordReader -------------------------------------------------------------------
    def items_of(self, store: Store, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        held = self.items.get(store.name, {})
        return [dict(held[pointer_text(k)]) for k in keys if pointer_text(k) in held]

    def read_object(self, store: Store, key: str) -> bytes:
        body = self.current(store.name, key)
        if body is None:
            raise NotFound(key)
        return body

    # -- Eraser -------------------------------------------------------------------------
    def delete_items(self, store: Store, keys: list[dict[str, Any]]) -> int:
        held = self.items.get(store.name, {})
        for key in keys:
            held.pop(pointer_text(key), None)
        return len(keys)

    def put_items(self, store: Store, items: list[dict[str, Any]]) -> int:
        for item in items:
            self.put_item(store.name, item)
        return len(items)

    def put_object(self, store: Store, key: str, body: bytes) -> None:
        self.put_version(store.name, key, body)

    def versions(self, store: Store, keys: Iterable[str]) -> list[dict[str, str]]:
        """Every version and delete marker of each object and its siblings (same stem), as
        ``adapters.platform_eraser`` lists them."""
        stems = {_stem(key) for key in keys}
        found = []
        for key, versions in sorted(self.objects.get(store.name, {}).items()):
            if _stem(key) in stems:
                found += [{"Key": key, "VersionId": version_id} for version_id, _ in versions]
        return found

    def delete_versions(self, store: Store, versions: list[dict[str, str]]) -> int:
        held = self.objects.get(store.name, {})
        doomed: dict[str, set[str]] = {}
        for version in versions:
            doomed.setdefault(version["Key"], set()).add(version["VersionId"])
        for key, ids in doomed.items():
            kept = [(vid, body) for vid, body in held.get(key, []) if vid not in ids]
            if kept:
                held[key] = kept
            else:
                held.pop(key, None)
        return len(versions)

    # -- Connector ----------------------------------------------------------------------
    def connector(self) -> FakeConnector:
        return FakeConnector(self)


def _stem(key: str) -> str:
    """``recordings/acme/CA1.redacted.wav`` -> ``recordings/acme/CA1``."""
    folder, _, name = key.rpartition("/")
    return f"{folder}/{name.split('.', 1)[0]}"


class FakeReader:
    """``RecordReader`` over a :class:`FakePlatform`."""

    def __init__(self, platform: FakePlatform) -> None:
        self._platform = platform

    def items(self, store: Store, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._platform.items_of(store, keys)

    def read_object(self, store: Store, key: str) -> bytes:
        return self._platform.read_object(store, key)

    def open_object(self, store: Store, key: str) -> Any:
        import io
        from contextlib import nullcontext

        return nullcontext(io.BytesIO(self._platform.read_object(store, key)))


class FakeConnector:
    """``Connector`` over a :class:`FakePlatform`: items whose lookup attribute holds the value
    (a DynamoDB Query), objects under the lookup's prefix (ListObjectsV2, current versions)."""

    def __init__(self, platform: FakePlatform) -> None:
        self._platform = platform
        self._calls: Counter[str] = Counter()

    def find(self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]) -> Iterator[Found]:
        self._calls[f"{store.name}:find"] += 1
        if store.kind == "lake":
            yield from FakeLake(self._platform).find(store, lookup, value, context)
            return
        if store.kind == "dynamodb":
            assert store.table is not None
            for item in list(self._platform.items.get(store.name, {}).values()):
                if str(item.get(lookup.attribute or "")) == value:
                    pointer = {k: item[k] for k in store.table.key}
                    yield Found(pointer=pointer, attributes=dict(item))
            return
        assert lookup.prefix is not None
        try:
            prefix = lookup.prefix.format(**{**context, lookup.by: value})
        except KeyError:
            return
        for key in sorted(self._platform.objects.get(store.name, {})):
            rest = key[len(prefix) :]
            if (
                key.startswith(prefix)
                and rest
                and rest[0] in "./"
                and self._platform.current(store.name, key)
            ):
                yield Found(pointer=key, attributes=dict(context))

    def calls_made(self) -> Counter[str]:
        return Counter(self._calls)


class FakeExports:
    """``EarlierExports``: which earlier export archives were erased."""

    def __init__(self) -> None:
        self.erased: list[str] = []

    def erase(self, keys: list[str]) -> int:
        self.erased += keys
        return len(keys)


def summary(pointers_key: str, flags: list[str] | None = None, released: int = 1) -> ResolutionSummary:
    """A resolution summary pointing at ``pointers_key`` (for services that only read it)."""
    from privacy_rights.core.models import utc_now

    return ResolutionSummary(
        data_map_version="test",
        resolved_at=utc_now(),
        identifiers=[],
        counts=[],
        total_records=released,
        released_records=released,
        tenants=[],
        flags=flags or [],
        pointers_key=pointers_key,
    )


def notices_workflow(store: FakeRequests, ring: KeyRing, messenger: FakeMessenger) -> Any:
    """A ``Workflow`` on fakes for services that only send its notices (extensions, appeals):
    resolution plays no part, so none is given."""
    from privacy_rights.orchestration.workflow import Workflow
    from privacy_rights.preferences.preference_service import PreferenceService

    return Workflow(
        store,  # type: ignore[arg-type]
        FakeKeys(ring),
        messenger,  # type: ignore[arg-type]
        "https://privacy.example",
        None,  # type: ignore[arg-type]
        PreferenceService(FakePreferenceMarks(), FakeKeys(ring)),
        FakeLocks(),
        FakeTokens(),
    )


class FakeCorrector:
    """``Corrector`` over a :class:`FakePlatform`: a field changed only where the record exists
    and still holds exactly ``held`` (DynamoDB's conditional update); ``writes`` as made."""

    def __init__(self, platform: FakePlatform) -> None:
        self._platform = platform
        self.writes: list[tuple[str, str, str]] = []

    def update_field(
        self, store: Store, key: Mapping[str, Any], attribute: str, held: Any, wanted: str
    ) -> bool:
        item = self._platform.items.get(store.name, {}).get(pointer_text(dict(key)))
        if item is None or item.get(attribute) != held:
            return False
        item[attribute] = wanted
        self.writes.append((store.name, pointer_text(dict(key)), attribute))
        return True


class FakeRecordStore:
    """``ExpiringRecords`` (and ``RequestReader``) in memory, with real hash chains: each request
    has its item (the model, its ledger, its chain head, the ``expiring`` mark) and its audit
    entries (``core.audit.next_entry``). :meth:`verify` is ``RequestStore.verify_audit``'s check.
    ``fail_after_deletes`` makes the n+1-th delete of an entry raise, as a crash would."""

    def __init__(self) -> None:
        self.requests: dict[str, RightsRequest] = {}
        self.ledgers: dict[str, dict[str, Any]] = {}
        self.entries: dict[str, list[AuditEntry]] = {}
        self.heads: dict[str, tuple[int, str]] = {}
        self.marks: dict[str, datetime] = {}
        self.fail_after_deletes: int | None = None
        #: closed requests the closed index does not list (written before it existed)
        self.unindexed: set[str] = set()

    def add(self, request: RightsRequest, entries: int = 3, ledger: Mapping[str, Any] | None = None) -> None:
        self.requests[request.request_id] = request
        self.ledgers[request.request_id] = _json(dict(ledger or {"acknowledge": {"sent": True}}))
        self.entries[request.request_id] = []
        self.heads[request.request_id] = (0, "")
        for _ in range(entries):
            self.append(request.request_id, "step.completed")

    def append(self, request_id: str, action: str) -> None:
        """An entry written the way the store writes one: on the current head, moving it."""
        chain = self.entries.setdefault(request_id, [])
        previous = chain[-1] if chain else None
        if previous is None and self.heads[request_id][0]:  # the older entries are gone
            seq, digest = self.heads[request_id]
            previous = AuditEntry.model_construct(request_id=request_id, seq=seq, hash=digest)
        entry = next_entry(request_id, previous, "workflow", action, at=self.requests[request_id].received_at)
        chain.append(entry)
        self.heads[request_id] = (entry.seq, entry.hash)

    def verify(self, request_id: str) -> int:
        if request_id not in self.requests:
            raise NotFound(request_id)
        return verify_chain(
            self.entries[request_id], expected_head=self.heads[request_id], expiring=request_id in self.marks
        )

    def get(self, request_id: str) -> RightsRequest:
        try:
            return self.requests[request_id]
        except KeyError:
            raise NotFound(request_id) from None

    def closed_before(self, cutoff: datetime) -> Iterator[str]:
        closed = [
            r
            for r in self.requests.values()
            if r.is_final and r.status_changed_at <= cutoff and r.request_id not in self.unindexed
        ]
        return iter([r.request_id for r in sorted(closed, key=lambda r: r.status_changed_at)])

    def state(self, request_id: str) -> RecordState | None:
        request = self.requests.get(request_id)
        if request is None:
            return None
        return RecordState(
            request_id=request_id,
            version=request.version,
            closed_at=request.status_changed_at if request.is_final else None,
            expiring=self.marks.get(request_id),
            audit_seq=self.heads[request_id][0],
        )

    def mark_expiring(self, request_id: str, version: int, at: datetime) -> bool:
        request = self.requests.get(request_id)
        if request is None or request.version != version or not request.is_final or request_id in self.marks:
            return False
        self.marks[request_id] = at
        return True

    def audit_seqs(self, request_id: str) -> list[int]:
        return [entry.seq for entry in self.entries.get(request_id, [])]

    def delete_audit_entry(self, request_id: str, seq: int) -> None:
        if self.fail_after_deletes is not None:
            if self.fail_after_deletes == 0:
                raise RuntimeError("the function stopped here")
            self.fail_after_deletes -= 1
        self.entries[request_id] = [e for e in self.entries[request_id] if e.seq != seq]

    def by_status(self, status: Status, due_from: Any = None, due_to: Any = None) -> Iterator[RightsRequest]:
        return iter([r for r in self.requests.values() if r.status is status])

    def index_closed(self, request_id: str, version: int, closed_at: datetime) -> bool:
        """Requests here are indexed by what they are; ``unindexed`` plays those written
        before the index existed."""
        if request_id not in self.unindexed or self.requests[request_id].version != version:
            return False
        self.unindexed.discard(request_id)
        return True

    def delete_request(self, request_id: str, head_seq: int) -> bool:
        if request_id not in self.marks or self.heads[request_id][0] != head_seq:
            return False
        for table in (self.requests, self.ledgers, self.heads, self.marks):
            table.pop(request_id, None)  # type: ignore[attr-defined]
        return True


class FakeLake:
    """A lake store over a :class:`FakePlatform`: each file is an object whose versions hold its
    rows as JSON (so the platform's ``versions``/``delete_versions`` see them as an S3 store's).
    ``Connector`` (rows whose identifier column holds the value), ``LakeQueries`` (rows and files
    by row id) and ``LakeFileRewriter`` (a new version only over the version read, as If-Match:
    ``before_write`` plays a concurrent writer between the read and the write)."""

    def __init__(self, platform: FakePlatform) -> None:
        self._platform = platform
        self.before_write: Any = None
        self.queries: list[tuple[str, str, str]] = []

    # -- setting it up ------------------------------------------------------------------
    def put_file(self, store: str, key: str, rows: list[dict[str, Any]]) -> None:
        self._platform.put_version(store, key, json.dumps(rows).encode())

    def rows_in(self, store: str, key: str) -> list[dict[str, Any]]:
        body = self._platform.current(store, key)
        return [] if body is None else list(json.loads(body))

    def _files(self, store: Store) -> Iterator[tuple[str, list[dict[str, Any]]]]:
        for key in sorted(self._platform.objects.get(store.name, {})):
            body = self._platform.current(store.name, key)
            if body is not None:
                yield key, list(json.loads(body))

    # -- Connector ----------------------------------------------------------------------
    def find(self, store: Store, lookup: Lookup, value: str, context: Mapping[str, Any]) -> Iterator[Found]:
        assert store.lake is not None
        self.queries.append((store.name, lookup.attribute or "", value))
        tenant = context.get(store.tenant_attribute or "")
        for key, rows in self._files(store):
            for row in rows:
                if str(row.get(lookup.attribute or "")) != value or (
                    tenant and row.get("tenant_id") != tenant
                ):
                    continue
                row_id = row[store.lake.row_id]
                attributes = {k: row.get(k) for k in ("tenant_id", "started_at", "dt")}
                yield Found(
                    pointer={store.lake.row_id: row_id, "file": key}, attributes={**attributes, "file": key}
                )

    def calls_made(self) -> Counter[str]:
        return Counter()

    # -- LakeQueries --------------------------------------------------------------------
    def rows(self, store: Store, pointers: Any) -> list[dict[str, Any]]:
        assert store.lake is not None
        wanted = {str(p[store.lake.row_id]) for p in pointers}
        return [
            row for _, rows in self._files(store) for row in rows if str(row[store.lake.row_id]) in wanted
        ]

    def locate(self, store: Store, pointers: Any) -> dict[str, list[str]]:
        assert store.lake is not None
        wanted = {str(p[store.lake.row_id]) for p in pointers}
        files: dict[str, list[str]] = {}
        for key, rows in self._files(store):
            ids = sorted(str(r[store.lake.row_id]) for r in rows if str(r[store.lake.row_id]) in wanted)
            if ids:
                files[key] = ids
        return files

    # -- LakeFileRewriter ---------------------------------------------------------------
    def size(self, store: Store, key: str) -> int | None:
        body = self._platform.current(store.name, key)
        return None if body is None else len(body)

    def rewrite(self, store: Store, key: str, row_ids: Iterable[str], null_columns: Any = ()) -> Any:
        from privacy_rights.core.errors import LakeObjectChanged

        assert store.lake is not None
        read_version, body = self._platform.objects[store.name][key][-1]
        assert body is not None
        rows = json.loads(body)
        doomed = set(row_ids)
        hit = [r for r in rows if str(r[store.lake.row_id]) in doomed]
        if null_columns:
            kept = [({**r, **dict.fromkeys(null_columns)} if r in hit else r) for r in rows]
        else:
            kept = [r for r in rows if r not in hit]
        result = FakeRewrite(key, len(rows), len(kept), len(hit), read_version, None)
        if not hit:
            return result
        if self.before_write is not None:
            self.before_write(key)
        if self._platform.objects[store.name][key][-1][0] != read_version:
            raise LakeObjectChanged(key)
        self._platform.put_version(store.name, key, json.dumps(kept).encode())
        result.new_version = self._platform.objects[store.name][key][-1][0]
        return result

    def older_versions(self, store: Store, key: str, current: str | None) -> list[dict[str, str]]:
        ids = [vid for vid, _ in self._platform.objects.get(store.name, {}).get(key, [])]
        if current not in ids:
            return []
        return [{"Key": key, "VersionId": vid} for vid in ids[: ids.index(current)]]

    def versions(self, store: Store, key: str) -> list[str]:
        return [vid for vid, _ in self._platform.objects.get(store.name, {}).get(key, [])]


class FakeRewrite:
    def __init__(
        self, key: str, before: int, after: int, changed: int, read_version: str, new_version: str | None
    ) -> None:
        self.key = key
        self.rows_before = before
        self.rows_after = after
        self.rows_changed = changed
        self.read_version = read_version
        self.new_version = new_version

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class FakeMarketingConsents:
    """``MarketingConsents`` over a :class:`FakePlatform`'s marketing store: a withdrawal sets
    ``consent`` false where the store holds the address, and adds no contact."""

    def __init__(self, platform: FakePlatform) -> None:
        self._platform = platform

    def withdraw(self, store: Store, email: str, at: Any, reference: str) -> bool:
        item = self._platform.item(store.name, {"email": email})
        if item is None:
            return False
        item.update({"consent": False, "withdrawn_at": at.isoformat(), "withdrawn_by": reference})
        return True


# -- verification -----------------------------------------------------------------------------


class FakeVerificationCodes:
    """``VerificationCodes``: one record per (request, identifier kind), with
    ``VerificationStore``'s conditions: a new code never replaces a proven one; an attempt is
    reserved only under the limit; only the current, unused code is marked proven (once)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def put_code(self, request_id: str, kind: str, code_hash: str, expires_at: int, keep_until: int) -> None:
        item = self.items.setdefault((request_id, kind), {})
        if item.get("proven"):
            return
        item.update(code_hash=code_hash, expires_at=expires_at, keep_until=keep_until, proven=False)
        item["sent"] = item.get("sent", 0) + 1

    def records(self, request_id: str) -> list[CodeRecord]:
        return [
            CodeRecord(
                request_id=request_id,
                kind=kind,
                code_hash=item.get("code_hash", ""),
                expires_at=int(item.get("expires_at", 0)),
                attempts=int(item.get("attempts", 0)),
                proven=bool(item.get("proven", False)),
            )
            for (rid, kind), item in self.items.items()
            if rid == request_id
        ]

    def reserve_attempt(self, request_id: str, kind: str, limit: int) -> int | None:
        item = self.items.setdefault((request_id, kind), {})
        if item.get("attempts", 0) >= limit:
            return None
        item["attempts"] = item.get("attempts", 0) + 1
        return int(item["attempts"])

    def refund_attempt(self, request_id: str, kind: str) -> None:
        item = self.items.get((request_id, kind), {})
        if item.get("attempts", 0) > 0:
            item["attempts"] -= 1

    def record_proof(self, request_id: str, kind: str, how: str, keep_until: int) -> None:
        item = self.items.setdefault((request_id, kind), {})
        item.update(proven=True, proven_by=how, keep_until=keep_until)
        item.pop("code_hash", None)

    def mark_proven(self, request_id: str, kind: str, code_hash: str) -> bool:
        item = self.items.get((request_id, kind))
        if item is None or item.get("code_hash") != code_hash or item.get("proven") is not False:
            return False
        item["proven"] = True
        item.pop("code_hash")
        return True


class FakeCounters:
    """``Counters``: one fixed window per key for the whole test (nothing rolls over)."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()

    def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        if self.hits[key] >= limit:
            return False
        self.hits[key] += 1
        return True


class FakeCallFacts:
    """``CallFacts``: the calls each number made (``started_at``, ``tenant_id``) and the
    businesses' names."""

    def __init__(
        self,
        calls: Mapping[str, list[dict[str, str]]] | None = None,
        tenants: Mapping[str, str] | None = None,
    ) -> None:
        self.calls = {phone: [dict(c) for c in made] for phone, made in (calls or {}).items()}
        self.tenants = dict(tenants or {})

    def calls_from(self, phone: str) -> list[dict[str, Any]]:
        return [dict(c) for c in self.calls.get(phone, [])]

    def tenant_name(self, tenant_id: str) -> str:
        return self.tenants.get(tenant_id, "")


# -- mail -------------------------------------------------------------------------------------


class FakeMailbox:
    """``Mailbox``: the raw mail bucket as a dict of key -> bytes."""

    bucket = "inbound"

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def size(self, key: str) -> int | None:
        body = self.objects.get(key)
        return None if body is None else len(body)

    def read(self, key: str) -> bytes:
        return self.objects[key]

    def copy(self, key: str, destination: str) -> None:
        self.objects[destination] = self.objects[key]

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def move(self, key: str, destination: str) -> None:
        if key in self.objects:
            self.copy(key, destination)
            if destination != key:
                self.delete(key)

    def keep_attachment(
        self, mail_id: str, index: int, filename: str, content_type: str, content: bytes
    ) -> str:
        key = f"attachments/{mail_id}/{index}"
        self.objects[key] = content
        return key


class FakeMailRecords:
    """``MailRecords``: one record per mail id; ``claim`` keeps the first, a reply's intent is
    marked once (``mark_reply_intent`` is true for one caller)."""

    def __init__(self) -> None:
        self.records: dict[str, Any] = {}

    def claim(self, record: Any) -> Any:
        return self.records.setdefault(record.mail_id, record)

    def get(self, mail_id: str) -> Any:
        try:
            return self.records[mail_id]
        except KeyError:
            raise NotFound(mail_id) from None

    def put(self, record: Any) -> None:
        self.records[record.mail_id] = record

    def mark_reply_intent(self, mail_id: str) -> bool:
        record = self.records.get(mail_id)
        if record is None or record.reply is not None:
            return False
        self.records[mail_id] = record.model_copy(update={"reply": "intent"})
        return True

    def mark_reply_sent(self, mail_id: str) -> None:
        self.records[mail_id] = self.records[mail_id].model_copy(update={"reply": "sent"})

    def close(self, mail_id: str, queue: str, by: str, reason: str, request_ids: list[str]) -> Any:
        from privacy_rights.core.errors import NotInQueue

        record = self.get(mail_id)
        if record.queue != queue:
            raise NotInQueue(mail_id)
        closed = record.model_copy(
            update={
                "queue": None,
                "closed_by": by,
                "closed_reason": reason,
                "request_ids": [*record.request_ids, *request_ids],
            }
        )
        self.records[mail_id] = closed
        return closed

    def in_queue(self, queue: str, limit: int = 100) -> list[Any]:
        return [r for r in self.records.values() if r.queue == queue][:limit]


class FakeSentMail:
    """``SentMailLog``: which request a message we sent was about, by its message id."""

    def __init__(self) -> None:
        self.references: dict[str, str] = {}

    def reference_of(self, message_id: str) -> str | None:
        return self.references.get(message_id)
