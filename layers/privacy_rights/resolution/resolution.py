"""Subject resolution: what the platform holds about a person, where, and who controls it.

Phone-first, because callers are known by their number. From each identifier the requester
gave, follow the data map's lookups (phone -> calls -> recordings, transcripts, insights;
email -> account, CRM leads, ...) to every record they reach. A record is *released* (may be
exported or erased) only if a proven identifier reaches it; anything reached only through an
unproven identifier, or through a phone number before the date the requester has held it, is
counted as found-not-released and never acted on.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import ResolutionSummary, RightsRequest, StoreCount, utc_now
from privacy_rights.core.ports import Connector

if TYPE_CHECKING:
    # annotations only: the data map (and its models) loads where a resolver is built
    from privacy_rights.core.data_map import DataMap, Lookup, Store

UNPROVEN = "unproven_identifier"
#: how a summary says resolution stopped early (a footprint too big to be one person's)
STOPPED_FOLLOWING = "stopped following"
BEFORE_HELD_SINCE = "before_phone_held_since"


@dataclass(frozen=True)
class Root:
    """An identifier the requester gave, and whether they proved control of it."""

    kind: str
    value: str
    proven: bool
    held_since: date | None = None


@dataclass(frozen=True)
class Found:
    """A record a connector found: its pointer (table key or object key) and the few
    attributes resolution needs (tenant, time, link values), never the record's data."""

    pointer: Mapping[str, Any] | str
    attributes: Mapping[str, Any]


@dataclass
class ResolvedRecord:
    store: str
    controller: str
    tenant_id: str | None
    pointer: Mapping[str, Any] | str
    released: bool
    reason: str | None
    #: when it happened: the store's ``time_attribute``, else that of the record it was found
    #: through (a recording, its call's): what a date range of a narrowed request compares
    happened_at: str | None = None

    def key(self) -> tuple[str, str]:
        return self.store, pointer_text(self.pointer)

    def as_json(self) -> dict[str, Any]:
        dated = {"happened_at": self.happened_at} if self.happened_at else {}
        return {
            "store": self.store,
            "controller": self.controller,
            "tenant_id": self.tenant_id,
            "pointer": self.pointer,
            "released": self.released,
            "reason": self.reason,
            **dated,
        }


@dataclass
class Resolution:
    records: list[ResolvedRecord]
    summary: ResolutionSummary


@dataclass(order=True)
class _Step:
    """One identifier to look up: a root or a link value found on a record."""

    kind: str
    value: str
    context: dict[str, Any] = field(compare=False)
    released: bool = field(compare=False)
    reason: str | None = field(compare=False)
    held_since: date | None = field(compare=False, default=None)
    #: when the record this link was found on happened (its children inherit it)
    happened_at: str | None = field(compare=False, default=None)


def pointer_text(pointer: Mapping[str, Any] | str) -> str:
    """One text per record: an object key, or a table key's attributes in name order."""
    return pointer if isinstance(pointer, str) else "|".join(f"{k}={pointer[k]}" for k in sorted(pointer))


def call_id_of(pointer: Mapping[str, Any] | str) -> str | None:
    """The call a record derives from: its ``call_id`` key attribute, or the object named after it
    (``recordings/acme/CA1.redacted.wav`` -> ``CA1``)."""
    if isinstance(pointer, str):
        return pointer.rsplit("/", 1)[-1].split(".", 1)[0]
    value = pointer.get("call_id")
    return str(value) if value is not None else None


class Resolver:
    def __init__(
        self, data_map: DataMap, connectors: Mapping[str, Connector], keys: KeyRing | None = None
    ) -> None:
        missing = {store.kind for store in data_map.stores} - set(connectors)
        if missing:
            raise ValueError(f"no connector for store kinds {sorted(missing)}")
        self._map = data_map
        self._connectors = connectors
        self._keys = keys

    def resolve(
        self, roots: list[Root], pointers_key: str | None = None, follow_every_link: bool = False
    ) -> Resolution:
        """``follow_every_link``: past the per-subject ceiling too (once ops approved a flagged
        footprint, every record it reaches must be found before anything is exported or erased)."""
        records: dict[tuple[str, str], ResolvedRecord] = {}
        looked_up: set[tuple[str, str, str, bool]] = set()
        # Released paths go first, so a record is almost always first reached the way that
        # decides it; an upgrade from not-released to released re-expands its links.
        released_queue: deque[_Step] = deque()
        withheld_queue: deque[_Step] = deque()
        for root in roots:
            step = _Step(
                root.kind, root.value, {}, root.proven, None if root.proven else UNPROVEN, root.held_since
            )
            (released_queue if root.proven else withheld_queue).append(step)

        ceiling = self._map.resolution.max_records_per_subject
        skipped_links = 0
        while released_queue or withheld_queue:
            step = released_queue.popleft() if released_queue else withheld_queue.popleft()
            if step.context and len(records) > ceiling and not follow_every_link:
                # Already more than one person has: the request stops for ops either way, and
                # following every link of a switchboard would cost thousands of calls.
                skipped_links += 1
                continue
            for store, lookup in self._map.lookups_by(step.kind):
                for value in self._lookup_values(lookup, step):
                    query_key = (
                        store.name,
                        lookup.index or "",
                        value + repr(sorted(step.context.items())),
                        step.released,
                    )
                    if query_key in looked_up:
                        continue
                    looked_up.add(query_key)
                    connector = self._connectors[store.kind]
                    for found in connector.find(store, lookup, value, step.context):
                        released, reason = self._decide(step, store, lookup, found)
                        own_time = (
                            found.attributes.get(store.time_attribute) if store.time_attribute else None
                        )
                        record = ResolvedRecord(
                            store=store.name,
                            controller=store.controller,
                            tenant_id=self._tenant(store, found, step),
                            pointer=found.pointer,
                            released=released,
                            reason=reason,
                            happened_at=str(own_time) if own_time else step.happened_at,
                        )
                        known = records.get(record.key())
                        if known is not None and (known.released or not released):
                            continue
                        records[record.key()] = record
                        for link_kind, attribute in store.yields.items():
                            link_value = found.attributes.get(attribute)
                            if not link_value:
                                continue
                            context = {**step.context, **found.attributes}
                            if record.tenant_id:
                                context.setdefault("tenant_id", record.tenant_id)
                            child = _Step(
                                link_kind,
                                str(link_value),
                                context,
                                released,
                                reason,
                                happened_at=record.happened_at,
                            )
                            (released_queue if released else withheld_queue).append(child)
        ordered = sorted(records.values(), key=lambda r: (r.store, pointer_text(r.pointer)))
        summary = self._summary(roots, ordered, pointers_key)
        if skipped_links:
            note = (
                f"{STOPPED_FOLLOWING} {skipped_links} links past {ceiling} records: "
                "derived counts are lower bounds"
            )
            summary = summary.model_copy(update={"flags": [*summary.flags, note]})
        return Resolution(records=ordered, summary=summary)

    def _lookup_values(self, lookup: Lookup, step: _Step) -> list[str]:
        if not lookup.keyed_hash:
            return [step.value]
        if self._keys is None or step.kind not in {k.value for k in IdentifierKind}:
            return []
        return self._keys.all_digests(IdentifierKind(step.kind), step.value)

    @staticmethod
    def _decide(step: _Step, store: Store, lookup: Lookup, found: Found) -> tuple[bool, str | None]:
        if not step.released:
            return False, step.reason
        if step.held_since and lookup.role == "caller" and store.time_attribute:
            happened = str(found.attributes.get(store.time_attribute, ""))
            # Control of a number today is not proof it was yours before you held it.
            if happened[:10] < step.held_since.isoformat():
                return False, BEFORE_HELD_SINCE
        return True, None

    @staticmethod
    def _tenant(store: Store, found: Found, step: _Step) -> str | None:
        if store.controller != "customer" or not store.tenant_attribute:
            return None
        tenant = found.attributes.get(store.tenant_attribute) or step.context.get(store.tenant_attribute)
        return str(tenant) if tenant else None

    def _summary(
        self, roots: list[Root], records: list[ResolvedRecord], pointers_key: str | None
    ) -> ResolutionSummary:
        counts: dict[tuple[str, str, str | None], dict[str, Any]] = {}
        for record in records:
            entry = counts.setdefault(
                (record.store, record.controller, record.tenant_id),
                {"released": 0, "not_released": 0, "reasons": Counter()},
            )
            if record.released:
                entry["released"] += 1
            else:
                entry["not_released"] += 1
                entry["reasons"][record.reason or UNPROVEN] += 1
        tenants = sorted({r.tenant_id for r in records if r.tenant_id})
        limits = self._map.resolution
        flags = []
        if len(records) > limits.max_records_per_subject:
            flags.append(f"more records ({len(records)}) than one person plausibly has")
        if len(tenants) > limits.max_customers_per_subject:
            flags.append(f"spread over {len(tenants)} business customers, like a shared number")
        api_calls: Counter[str] = Counter()
        for connector in self._connectors.values():
            api_calls.update(connector.calls_made())
        return ResolutionSummary(
            data_map_version=self._map.version,
            resolved_at=utc_now(),
            identifiers=[
                {
                    "kind": r.kind,
                    "proven": r.proven,
                    "held_since": r.held_since.isoformat() if r.held_since else None,
                }
                for r in roots
            ],
            counts=[
                StoreCount(
                    store=store,
                    controller=controller,
                    tenant_id=tenant,
                    released=value["released"],
                    not_released=value["not_released"],
                    not_released_reasons=dict(value["reasons"]),
                )
                for (store, controller, tenant), value in sorted(counts.items(), key=lambda kv: str(kv[0]))
            ],
            total_records=len(records),
            released_records=sum(1 for r in records if r.released),
            tenants=tenants,
            flags=flags,
            pointers_key=pointers_key,
            api_calls=dict(api_calls),
        )


def roots_of(
    email: str | None,
    phone: str | None,
    account_id: str | None,
    proven: tuple[str, ...],
    held_since: date | None,
) -> list[Root]:
    """The request's identifiers as resolution roots, phone first."""
    roots = []
    if phone:
        roots.append(Root("phone", phone, "phone" in proven, held_since))
    if email:
        roots.append(Root("email", email, "email" in proven))
    if account_id:
        roots.append(Root("account_id", account_id, "account_id" in proven))
    return roots


def request_roots(request: RightsRequest) -> list[Root]:
    """A request's identifiers as resolution roots (proven or not, as verification left them)."""
    subject = request.subject
    return roots_of(
        subject.email, subject.phone, subject.account_id, request.proven_identifiers, subject.phone_held_since
    )


def resolved_at_text(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")
