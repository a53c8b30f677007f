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
from typing import Any

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
from privacy_rights.core.ports import OBJECTION, OPT_OUT
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
