"""Synthetic platform data: the demo subjects of ``local_stack.demo`` plus a seeded background
population, written into the platform stores the data map describes.

The data is produced as a pure stream of records (:func:`records`) and written by
:func:`generate`; the two are separate so that tests can check determinism and shapes without
AWS, and so that the writer can batch (25 items per ``batch_write_item``) while the stream stays
lazy: a 100,000-call population never sits in memory at once.

Determinism: one ``random.Random(seed)`` drives the background; the demo records do not use it at
all, and no wall-clock time enters the data (``demo.REFERENCE_DATE`` is "today"). IDs are hashes
of stable labels, so the same seed writes the same keys and re-seeding overwrites.

Audio is real WAV (8 kHz, 16-bit PCM) but short, ``Scale.recording_seconds`` long whatever the
call's duration: each speaker turn is a tone burst on the speaker's channel, at the offsets the
transcript gives, so a redactor that mutes a transcript turn has audio that lines up with it. A
WAV depends only on its shape (channels, length, speaker sequence, muted turn), so each shape is
synthesized once and reused.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import sys
import time
import wave
from array import array
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import chain
from typing import Any, Literal

import boto3
from botocore.config import Config

from local_stack import demo
from local_stack.demo import (
    INSIGHT_KINDS,
    PLATFORM_STORES,
    REFERENCE_DATE,
    TENANTS,
    Account,
    Call,
    InsightKind,
    Instruction,
    Lead,
    MarketingPreference,
    Sensitive,
    Tenant,
    iso,
    opaque_id,
)
from local_stack.lake_data import LAKE_STORE, LakeWriter, ObjectPut
from local_stack.template import ACCOUNT_ID, REGION
from privacy_rights.adapters.dynamodb_batches import batch_write
from privacy_rights.core.data_map import DataMap, load_data_map

#: Not a data-map store: the service's own customers table, written when its name is given.
CUSTOMERS = "customers"
SAMPLE_RATE = 8000
SAMPLE_WIDTH = 2
BATCH_SIZE = 25  # DynamoDB's batch_write_item limit
_REFERENCE = datetime.combine(REFERENCE_DATE, datetime.min.time(), tzinfo=UTC)
_YEAR_SECONDS = 365 * 86_400

Speaker = Literal["caller", "agent", "third_party"]


@dataclass(frozen=True)
class Scale:
    """How much background data to add to the demo subjects. ``customers`` counts the five
    demo tenants, which always exist; more add generic tenants t006, t007, ..."""

    customers: int = 5
    callers: int = 200
    calls_per_caller: int = 3
    recording_seconds: int = 4
    recording_ratio: float = 0.3
    seed: int = 7

    def __post_init__(self) -> None:
        if not len(TENANTS) <= self.customers <= 8_999:
            raise ValueError(f"customers must be {len(TENANTS)} (the demo's) to 8999")
        if self.callers < 0 or self.calls_per_caller < 0:
            raise ValueError("callers and calls_per_caller cannot be negative")
        if self.recording_seconds < 1:
            raise ValueError("recording_seconds must be at least 1")
        if not 0 <= self.recording_ratio <= 1:
            raise ValueError("recording_ratio is a fraction of answered calls, 0 to 1")


@dataclass(frozen=True)
class Row:
    """One DynamoDB item, as plain Python (str, int, bool, lists of those)."""

    store: str
    item: dict[str, Any]


@dataclass(frozen=True)
class Blob:
    """One S3 object."""

    store: str
    key: str
    body: bytes
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)


Record = Row | Blob


@dataclass
class Report:
    """What :func:`generate` wrote. ``write_seconds`` is the time spent in AWS calls per store;
    the rest of ``seconds`` is generating the records."""

    records: dict[str, int]
    seconds: float
    write_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_records(self) -> int:
        return sum(self.records.values())

    @property
    def records_per_second(self) -> float:
        return self.total_records / self.seconds if self.seconds > 0 else 0.0


# --- the record stream --------------------------------------------------------------------


def records(scale: Scale) -> Iterator[Record]:
    """Everything :func:`generate` writes, in write order: tenants, demo, background."""
    return chain(tenant_records(scale), demo_records(scale), background_records(scale))


def digest(stream: Iterable[Record]) -> str:
    """A fingerprint of a record stream, for determinism checks without writing anything."""
    hasher = hashlib.sha256()
    for record in stream:
        if isinstance(record, Row):
            hasher.update(f"{record.store}\0{json.dumps(record.item, sort_keys=True)}\n".encode())
        else:
            meta = json.dumps(record.metadata, sort_keys=True)
            body = hashlib.sha256(record.body).hexdigest()
            hasher.update(f"{record.store}\0{record.key}\0{record.content_type}\0{meta}\0{body}\n".encode())
    return hasher.hexdigest()


_PLACES = ("Cedar", "Bayview", "Summit", "Redwood", "Mission", "Lakeshore", "Pioneer", "Sierra", "Marina")
_TRADES = ("Roofing", "HVAC", "Auto Repair", "Veterinary", "Insurance", "Landscaping", "Pest Control")
_INSTRUCTIONS: tuple[Instruction, ...] = ("fulfil", "forward", "ask")


def tenants(scale: Scale) -> tuple[Tenant, ...]:
    """The demo tenants, then generic ones with mixed instructions. No randomness: a tenant's
    name and tracking number depend on its number only. Tracking numbers use exchange 555
    (lines 1006+), which the background population never uses."""
    generic = []
    for number in range(len(TENANTS) + 1, scale.customers + 1):
        offset = number - len(TENANTS) - 1
        tenant_id = f"t{number:03d}"
        generic.append(
            Tenant(
                tenant_id=tenant_id,
                name=f"{_PLACES[offset % len(_PLACES)]} {_TRADES[(offset // len(_PLACES)) % len(_TRADES)]}",
                privacy_email=f"privacy@{tenant_id}.example",
                webhook_url=f"https://hooks.{tenant_id}.example/callx/privacy/{tenant_id}",
                instruction=_INSTRUCTIONS[offset % len(_INSTRUCTIONS)],
                tracking_number=f"+1628555{1000 + number:04d}",
            )
        )
    return TENANTS + tuple(generic)


def tenant_records(scale: Scale) -> Iterator[Record]:
    for tenant in tenants(scale):
        yield Row(
            CUSTOMERS,
            {
                "tenant_id": tenant.tenant_id,
                "name": tenant.name,
                "privacy_email": tenant.privacy_email,
                "webhook_url": tenant.webhook_url,
                "instruction": tenant.instruction,
                "tracking_number": tenant.tracking_number,
                # the IAM principal its privacy team signs customer-API calls with (locally:
                # --operator customer-<tenant_id>)
                "principal_arn": f"arn:aws:iam::{ACCOUNT_ID}:user/customer-{tenant.tenant_id}",
            },
        )


def demo_records(scale: Scale) -> Iterator[Record]:
    """The demo subjects, their neighbours and the demo agents, exactly as ``demo`` describes
    them. Independent of the seed (only the audio length follows the scale)."""
    for account in demo.DEMO_ACCOUNTS:
        yield Row("accounts", _account_item(account))
    for metric in demo.DEMO_AGENT_METRICS:
        yield Row(
            "agent_metrics",
            {
                "agent_id": metric.agent_id,
                "period": metric.period,
                "tenant_id": metric.tenant_id,
                "calls_handled": metric.calls_handled,
                "average_score": metric.average_score,
                "adherence": metric.adherence,
            },
        )
    for event in demo.DEMO_TELEMETRY:
        yield Row(
            "usage_telemetry",
            _telemetry_item(event.account_id, event.at, event.ip_address, event.device, event.path),
        )
    for lead in demo.DEMO_LEADS:
        yield Row("crm_leads", _lead_item(lead))
    for preference in demo.DEMO_MARKETING:
        yield Row("marketing_preferences", _marketing_item(preference))
    context = _CallContext(
        tenants=demo.TENANTS_BY_ID,
        agent_names={agent.agent_id: agent.name for agent in demo.AGENTS},
        names_by_phone={s.phone: s.name for s in demo.SUBJECTS.values() if s.phone},
        recording_seconds=scale.recording_seconds,
    )
    for call in demo.DEMO_CALLS:
        yield from _call_records(call, context)


# --- background population -------------------------------------------------------------------

_FIRST = (
    "Avery", "Blake", "Camila", "Diego", "Emma", "Farah", "Gabriel", "Hana", "Isaac", "Julia", "Kofi",
    "Laila", "Mateo", "Nadia", "Omar", "Paula", "Quinn", "Rafael", "Sofia", "Tariq", "Uma", "Vera",
    "Wyatt", "Ximena", "Yusuf", "Zoe", "Aaron", "Bianca", "Carlos", "Daria", "Ethan", "Fiona", "Hugo",
    "Ines", "Jonah", "Keiko", "Lucas", "Mira", "Nolan", "Olivia",
)  # fmt: skip
#: No demo surname (Whitfield, Oyelaran, Raman, Brandt, Vasquez, Okafor, Lee...): a background
#: person sharing one would blur the neighbour tests that rely on a name match being wrong.
_LAST = (
    "Abbott", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Hansen", "Ibarra",
    "Jensen", "Kowalski", "Larsen", "Moreau", "Novak", "Ortega", "Petrov", "Quintero", "Rossi",
    "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Yamada", "Zeller", "Alvarez", "Bergstrom",
    "Costa", "Dimitrov", "Esposito", "Ferreira", "Grant", "Hoffman", "Ivanova", "Jovanovic", "Kim",
)  # fmt: skip
_EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
_COMPANIES = ("", "Bayside Bakery", "Keller & Sons", "Northgate Clinic", "Pine Street Cafe", "Vista Labs")
_LEAD_NOTES = (
    "Requested a quote.",
    "Follow up next week.",
    "Came from the spring campaign.",
    "Prefers email.",
    "Existing customer, second location.",
)
#: WebRTC is rarer than phone calls; it is the one source that carries IP and device data.
_SOURCES = ("google_ads", "google_ads", "google_ads", "organic", "organic", "direct", "facebook_ads",
            "bing_ads", "referral", "webrtc")  # fmt: skip
_DEVICES = (
    "Chrome 130 on Windows 11",
    "Safari 18 on macOS 15",
    "Chrome 129 on Android 14",
    "Safari 18 on iOS 18",
    "Firefox 131 on Ubuntu",
)
_DOC_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")  # RFC 5737: never a real person's address
_APP_PATHS = ("/login", "/calls", "/calls/recordings", "/reports/attribution", "/settings/numbers")
#: US area codes phonenumbers accepts; exchange 555 (the demo's) and N11 service codes are out.
_AREA_CODES = ("415", "510", "650", "628", "925", "408", "707", "916")
_EXCHANGES = tuple(e for e in range(200, 1000) if e % 100 != 11 and e != 555)
_CALLS_PER_AGENT = 400
_CNAM_PLACEHOLDER = "WIRELESS CALLER"


@dataclass(frozen=True)
class _Person:
    name: str
    phone: str
    email: str | None


def _allocate_phones(rng: random.Random, count: int) -> list[str]:
    """Distinct numbers outside the demo's exchange: whatever the seed, no background person
    shares a number with a demo subject (or with anyone else in the background)."""
    per_area = len(_EXCHANGES) * 10_000
    phones = []
    for index in rng.sample(range(len(_AREA_CODES) * per_area), count):
        area, rest = divmod(index, per_area)
        exchange, line = divmod(rest, 10_000)
        phones.append(f"+1{_AREA_CODES[area]}{_EXCHANGES[exchange]}{line:04d}")
    if not demo.DEMO_PHONES.isdisjoint(phones):  # guards a future change of _EXCHANGES
        raise AssertionError("background phone numbers overlap the demo's")
    return phones


def _person(rng: random.Random, number: int, phone: str, email_domain: str | None) -> _Person:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    # The number in every background address keeps it distinct from each other and from the
    # demo's addresses, none of which has a digit.
    email = f"{first}.{last}{number}@{email_domain}".lower() if email_domain else None
    return _Person(f"{first} {last}", phone, email)


def _moment(rng: random.Random, within_seconds: int = _YEAR_SECONDS) -> str:
    return iso(_REFERENCE - timedelta(seconds=rng.randrange(1, within_seconds)))


def background_records(scale: Scale) -> Iterator[Record]:
    """Random tenants' staff and callers, driven only by ``random.Random(scale.seed)``."""
    rng = random.Random(scale.seed)  # noqa: S311 - synthetic data, reproducibility is the point
    prefix = f"s{scale.seed}/"
    all_tenants = tenants(scale)
    expected_calls = scale.callers * scale.calls_per_caller
    agents_per_tenant = max(2, math.ceil(expected_calls / len(all_tenants) / _CALLS_PER_AGENT))
    staff_count = len(all_tenants) * (1 + agents_per_tenant)
    phones = _allocate_phones(rng, staff_count + scale.callers)
    staff_phones, caller_phones = phones[:staff_count], phones[staff_count:]

    agents: dict[str, list[Account]] = {}
    for tenant_number, tenant in enumerate(all_tenants):
        staff = [
            _person(rng, tenant_number * 1000 + n, staff_phones.pop(), tenant.domain)
            for n in range(1 + agents_per_tenant)
        ]
        admin = staff[0]
        accounts = [
            Account(
                opaque_id("AC", f"{prefix}admin:{tenant.tenant_id}"),
                tenant.tenant_id,
                admin.name,
                admin.email or "",
                admin.phone,
                "admin",
                billing_contact=f"{admin.name}, Accounts Payable, {tenant.name}",
            )
        ]
        for n, person in enumerate(staff[1:]):
            label = f"{prefix}agent:{tenant.tenant_id}:{n}"
            accounts.append(
                Account(
                    opaque_id("AC", label),
                    tenant.tenant_id,
                    person.name,
                    person.email or "",
                    person.phone,
                    "agent",
                    agent_id=opaque_id("AG", label),
                )
            )
        agents[tenant.tenant_id] = accounts[1:]
        for account in accounts:
            yield Row("accounts", _account_item(account))
            events = 5 if account.role == "agent" else 3
            for offset in sorted(rng.sample(range(1, 30 * 86_400), events)):
                yield Row(
                    "usage_telemetry",
                    _telemetry_item(
                        account.account_id,
                        iso(_REFERENCE - timedelta(seconds=offset)),
                        f"{rng.choice(_DOC_NETWORKS)}.{rng.randrange(1, 255)}",
                        rng.choice(_DEVICES),
                        rng.choice(_APP_PATHS),
                    ),
                )
            if account.agent_id:
                for period in demo.METRIC_PERIODS:
                    yield Row(
                        "agent_metrics",
                        {
                            "agent_id": account.agent_id,
                            "period": period,
                            "tenant_id": tenant.tenant_id,
                            "calls_handled": rng.randint(20, 400),
                            "average_score": rng.randint(55, 95),
                            "adherence": rng.randint(70, 100),
                        },
                    )

    callers = [
        _person(rng, n, phone, rng.choice(_EMAIL_DOMAINS) if rng.random() < 0.5 else None)
        for n, phone in enumerate(caller_phones)
    ]
    context = _CallContext(
        tenants={t.tenant_id: t for t in all_tenants},
        agent_names={a.agent_id: a.name for accounts in agents.values() for a in accounts if a.agent_id},
        names_by_phone={p.phone: p.name for p in callers},
        recording_seconds=scale.recording_seconds,
    )
    for number, person in enumerate(callers):
        home = rng.choice(all_tenants)
        other = rng.choice(all_tenants) if rng.random() < 0.15 else home
        if rng.random() < 0.3:
            yield Row(
                "crm_leads",
                _lead_item(
                    Lead(
                        home.tenant_id,
                        opaque_id("LD", f"{prefix}lead:{number}"),
                        person.name,
                        person.email,
                        person.phone,
                        rng.choice(_COMPANIES),
                        rng.choice(_LEAD_NOTES),
                    )
                ),
            )
        if person.email and rng.random() < 0.1:
            yield Row(
                "marketing_preferences",
                _marketing_item(MarketingPreference(person.email, rng.random() < 0.6, _moment(rng))),
            )
        for call_number in range(scale.calls_per_caller):
            tenant = home if rng.random() < 0.8 else other
            call = _background_call(
                rng, scale, f"{prefix}call:{number}:{call_number}", tenant, person, agents, caller_phones
            )
            yield from _call_records(call, context)


def _background_call(
    rng: random.Random,
    scale: Scale,
    label: str,
    tenant: Tenant,
    person: _Person,
    agents: dict[str, list[Account]],
    caller_phones: list[str],
) -> Call:
    draw = rng.random()
    outcome: Literal["answered", "voicemail", "missed"] = (
        "answered" if draw < 0.8 else "voicemail" if draw < 0.92 else "missed"
    )
    answered = outcome == "answered"
    source = rng.choice(_SOURCES)
    webrtc = source == "webrtc"
    participants: tuple[str, ...] = ()
    if answered and rng.random() < 0.03:
        other = rng.choice(caller_phones)
        participants = (other,) if other != person.phone else ()
    recorded = answered and rng.random() < scale.recording_ratio
    sensitive: Sensitive | None = None
    training_set = None
    channels: Literal[1, 2] = 1
    if recorded:
        channels = 2 if rng.random() < 0.6 else 1
        draw = rng.random()
        sensitive = "card" if draw < 0.15 else "ssn" if draw < 0.2 else None
        draw = rng.random()
        training_set = "ts-2026-09" if draw < 0.2 else "ts-2026-10" if draw < 0.3 else None
    insights: tuple[InsightKind, ...] = (
        INSIGHT_KINDS if answered else ("summary",) if outcome == "voicemail" else ()
    )
    return Call(
        label=label,
        tenant_id=tenant.tenant_id,
        caller_phone=person.phone,
        caller_name=_CNAM_PLACEHOLDER if rng.random() < 0.1 else person.name,
        started_at=_moment(rng),
        duration_seconds=rng.randint(20, 900) if answered else rng.randint(0, 90),
        agent_id=rng.choice(agents[tenant.tenant_id]).agent_id if answered else None,
        routing_outcome=outcome,
        source=source,
        ip_address=f"{rng.choice(_DOC_NETWORKS)}.{rng.randrange(1, 255)}" if webrtc else None,
        device=rng.choice(_DEVICES) if webrtc else None,
        participants=participants,
        channels=channels,
        recorded=recorded,
        redacted_copy=sensitive is not None,
        sensitive=sensitive,
        insights=insights,
        training_set=training_set,
    )


# --- items ----------------------------------------------------------------------------------


def _account_item(account: Account) -> dict[str, Any]:
    item: dict[str, Any] = {
        "account_id": account.account_id,
        "tenant_id": account.tenant_id,
        "name": account.name,
        "email": account.email,
        "phone": account.phone,
        "role": account.role,
    }
    if account.agent_id:
        item["agent_id"] = account.agent_id
    if account.billing_contact:
        item["billing_contact"] = account.billing_contact
    return item


def _telemetry_item(account_id: str, at: str, ip_address: str, device: str, path: str) -> dict[str, Any]:
    return {"account_id": account_id, "at": at, "ip_address": ip_address, "device": device, "path": path}


def _lead_item(lead: Lead) -> dict[str, Any]:
    item: dict[str, Any] = {
        "tenant_id": lead.tenant_id,
        "lead_id": lead.lead_id,
        "name": lead.name,
        "phone": lead.phone,
        "company": lead.company,
        "notes": lead.notes,
    }
    if lead.email:  # an absent GSI key keeps the lead out of by_email; "" would be rejected
        item["email"] = lead.email
    return item


def _marketing_item(preference: MarketingPreference) -> dict[str, Any]:
    return {"email": preference.email, "consent": preference.consent, "consent_at": preference.consent_at}


# --- calls and what derives from them -----------------------------------------------------------


@dataclass(frozen=True)
class _CallContext:
    tenants: dict[str, Tenant]
    agent_names: dict[str, str]
    names_by_phone: dict[str, str]
    recording_seconds: int


@dataclass(frozen=True)
class _Topic:
    request: str
    resolution: str
    summary: str


_TOPICS = {
    "acme": _Topic(
        "My water heater is leaking into the garage.",
        "I've booked a technician for Thursday morning.",
        "a leaking water heater; a visit was booked",
    ),
    "brightside": _Topic(
        "I'd like to book a cleaning and ask about Invisalign.",
        "You're booked for the 14th at 6 pm, and I'll email the Invisalign pricing.",
        "a cleaning and Invisalign pricing; an appointment was booked",
    ),
    "northwind": _Topic(
        "I need advice on a dispute with my landlord.",
        "An attorney will call you back tomorrow to set up a consultation.",
        "a landlord dispute; a consultation callback was arranged",
    ),
    "crescent": _Topic(
        "I saw the listing on Maple Street and want to view it.",
        "I've scheduled a viewing for Saturday at 11.",
        "a Maple Street listing; a viewing was scheduled",
    ),
    "harbor": _Topic(
        "I need a quote for a full truckload to Reno.",
        "I'll send the quote within the hour.",
        "a truckload quote to Reno; a quote was promised",
    ),
}
_GENERIC_TOPIC = _Topic(
    "I have a question about my last invoice.",
    "I've corrected the invoice and emailed you a copy.",
    "an invoice question; the invoice was corrected",
)
_SENSITIVE_LINES: dict[str, str] = {
    # Well-known dummies (Visa's test card, the documentation SSN), never anyone's real numbers.
    "card": "Sure, my card is 4111 1111 1111 1111, expiry 04/28.",
    "ssn": "For the insurance, my social is 123-45-6789.",
}
_BASE_SPEAKERS: tuple[Speaker, ...] = ("agent", "caller", "agent", "caller", "agent", "caller")
_THIRD_PARTY_SPEAKERS: tuple[Speaker, ...] = (
    "agent",
    "caller",
    "agent",
    "caller",
    "third_party",
    "agent",
    "caller",
)
#: Where the card number or SSN is said: the caller's second turn in both scripts.
_SENSITIVE_TURN = 3
_SENTIMENTS = ("positive", "positive", "neutral", "negative")


def _call_records(call: Call, context: _CallContext) -> Iterator[Record]:
    tenant = context.tenants[call.tenant_id]
    call_id = call.call_id
    item: dict[str, Any] = {
        "call_id": call_id,
        "tenant_id": call.tenant_id,
        "caller_phone": call.caller_phone,
        "caller_name": call.caller_name,
        "started_at": call.started_at,
        "duration_seconds": call.duration_seconds,
        "routing_outcome": call.routing_outcome,
        "tracking_number": tenant.tracking_number,
        "source": call.source,
        "participants": list(call.participants),
        "channels": call.channels,
        "recorded": call.recorded,
    }
    if call.agent_id:  # unanswered calls have none; an empty string cannot be a GSI key
        item["agent_id"] = call.agent_id
    if call.ip_address and call.device:
        item["ip_address"] = call.ip_address
        item["device"] = call.device
    yield Row("calls", item)

    topic = _TOPICS.get(call.tenant_id, _GENERIC_TOPIC)
    # Placeholders such as WIRELESS CALLER are caller ID, not what the caller says their name is.
    caller_first = call.caller_name.split()[0] if call.caller_name != _CNAM_PLACEHOLDER else None
    if call.recorded:
        speakers = _THIRD_PARTY_SPEAKERS if call.participants else _BASE_SPEAKERS
        audio_meta = {
            "channels": str(call.channels),
            "channel-roles": "caller,agent" if call.channels == 2 else "mixed",
        }
        base = f"recordings/{call.tenant_id}/{call_id}"
        yield Blob(
            "recordings",
            f"{base}.wav",
            _wav(call.channels, context.recording_seconds, speakers, None),
            "audio/wav",
            audio_meta,
        )
        if call.redacted_copy:
            yield Blob(
                "recordings",
                f"{base}.redacted.wav",
                _wav(call.channels, context.recording_seconds, speakers, _SENSITIVE_TURN),
                "audio/wav",
                audio_meta | {"redacted": "true"},
            )
        agent_name = context.agent_names.get(call.agent_id or "", "")
        third_party = context.names_by_phone.get(call.participants[0], "") if call.participants else ""
        agent_first = agent_name.split()[0] if agent_name else "the front desk"
        texts = [
            f"Thanks for calling {tenant.name}, this is {agent_first}. How can I help?",
            (f"Hi, this is {caller_first}. " if caller_first else "Hi. ") + topic.request,
            "I can help with that. Can I take a few details first?",
            _SENSITIVE_LINES[call.sensitive] if call.sensitive else "Sure, go ahead.",
        ]
        if call.participants:
            name = third_party.split()[0] if third_party else "a colleague"
            texts.append(f"Hi, it's {name}. I've been transferred in to help with this.")
        texts += [topic.resolution, "Great, thank you. Bye."]
        windows = _turn_windows(context.recording_seconds, len(speakers))
        transcript = {
            "call_id": call_id,
            "tenant_id": call.tenant_id,
            "channels": call.channels,
            "turns": [
                {"speaker": speaker, "start": start, "end": end, "text": text}
                for speaker, (start, end), text in zip(speakers, windows, texts, strict=True)
            ],
        }
        yield Blob(
            "transcripts",
            f"transcripts/{call.tenant_id}/{call_id}.json",
            json.dumps(transcript).encode(),
            "application/json",
        )

    # Insight values come from the call_id's hash: stable, and no draw on the background's rng.
    spread = int(call_id[2:10], 16)
    values: dict[InsightKind, Any] = {
        "summary": f"{caller_first or 'The caller'} called {tenant.name} about {topic.summary}.",
        "score": 40 + spread % 61,
        "sentiment": _SENTIMENTS[spread % len(_SENTIMENTS)],
    }
    for kind in call.insights:
        yield Row(
            "call_insights",
            {"call_id": call_id, "kind": kind, "tenant_id": call.tenant_id, kind: values[kind]},
        )
    if call.training_set:
        training_set = demo.TRAINING_SETS[call.training_set]
        yield Row(
            "training_manifests",
            {
                "set_id": training_set.set_id,
                "call_id": call_id,
                "tenant_id": call.tenant_id,
                "used": training_set.used,
                "trained_models": list(training_set.trained_models),
            },
        )


# --- audio ----------------------------------------------------------------------------------

#: A distinct pitch per role, so each voice is recognisable in the waveform.
_PITCH: dict[Speaker, float] = {"caller": 440.0, "agent": 660.0, "third_party": 880.0}
_AMPLITUDE = 9000
_SPEECH_SHARE = 0.85  # of each turn's slot; the rest is the pause before the next turn


def _turn_windows(seconds: int, turns: int) -> list[tuple[float, float]]:
    """Turn offsets in seconds, shared by the transcript and the audio so the two line up."""
    slot = seconds / turns
    return [(round(n * slot, 2), round(n * slot + slot * _SPEECH_SHARE, 2)) for n in range(turns)]


@lru_cache(maxsize=64)
def _wav(channels: int, seconds: int, speakers: tuple[Speaker, ...], muted_turn: int | None) -> bytes:
    """A WAV of tone bursts, one per turn, on the speaker's channel (two-channel: caller on
    channel 0, agent and anyone transferred in on channel 1; mono: all mixed). ``muted_turn`` is
    silenced, as a redactor silences a spoken card number."""
    frames = seconds * SAMPLE_RATE
    samples = array("h", bytes(SAMPLE_WIDTH * frames * channels))
    for turn, ((start, end), speaker) in enumerate(
        zip(_turn_windows(seconds, len(speakers)), speakers, strict=True)
    ):
        if turn == muted_turn:
            continue
        channel = 0 if channels == 1 or speaker == "caller" else 1
        step = 2 * math.pi * _PITCH[speaker] / SAMPLE_RATE
        syllables = 2 * math.pi * 4 / SAMPLE_RATE  # a 4 Hz envelope reads as speech-like bursts
        for frame in range(int(start * SAMPLE_RATE), min(frames, int(end * SAMPLE_RATE))):
            envelope = 0.55 + 0.45 * math.sin(syllables * frame)
            samples[frame * channels + channel] = int(_AMPLITUDE * envelope * math.sin(step * frame))
    if sys.byteorder == "big":  # WAV is little-endian
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(SAMPLE_RATE)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


# --- writing ----------------------------------------------------------------------------------

_KINDS = {
    name: "s3" if name in ("recordings", "transcripts") else "lake" if name == LAKE_STORE else "dynamodb"
    for name in PLATFORM_STORES
}


def generate(
    session: boto3.Session,
    stores: dict[str, str],
    customers_table: str | None,
    scale: Scale,
    put_object: ObjectPut | None = None,
) -> Report:
    """Writes the demo data and the background population. ``stores`` maps data-map store names
    to physical names; ``customers_table`` (the stack's CustomersTable) receives the tenants
    when given. Same scale, same records: re-running overwrites rather than duplicates. S3
    objects (recordings, transcripts, the lake's files) go through ``put_object`` when given
    (``RunningStack.seed``: moto's store in this process), else through S3's API."""
    started = time.perf_counter()
    writer = _Writer(session, stores, customers_table, load_data_map(), put_object)
    for record in records(scale):
        writer.put(record)
    writer.flush()
    return Report(records=writer.counts, seconds=time.perf_counter() - started, write_seconds=writer.seconds)


class _Writer:
    def __init__(
        self,
        session: boto3.Session,
        stores: dict[str, str],
        customers_table: str | None,
        data_map: DataMap,
        put_object: ObjectPut | None = None,
    ) -> None:
        # Items are built by this module, not by hand; botocore's validation would add a fifth
        # to every batch for nothing (DynamoDB still rejects a malformed item).
        self._ddb: Any = session.client(
            "dynamodb", region_name=REGION, config=Config(parameter_validation=False)
        )
        self._s3: Any = session.client("s3", region_name=REGION)
        self._put_object = put_object or self._put_through_api
        self._physical: dict[str, str] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        for name in PLATFORM_STORES:
            store = data_map.store(name)
            if store.kind != _KINDS[name]:
                raise ValueError(
                    f"the data map says {name} is {store.kind}; the generator writes {_KINDS[name]}"
                )
            if name not in stores:
                raise KeyError(f"no physical name for platform store {name!r} (have {sorted(stores)})")
            self._physical[name] = stores[name]
            if store.table is not None:
                self._keys[name] = tuple(store.table.key)
        if customers_table:
            self._physical[CUSTOMERS] = customers_table
            self._keys[CUSTOMERS] = ("tenant_id",)
        self._buffers: dict[str, list[dict[str, Any]]] = {name: [] for name in self._keys}
        # the analytics lake is derived from the calls (and leads) written: Parquet at flush
        self._lake = LakeWriter(data_map.store(LAKE_STORE))
        self.counts = dict.fromkeys(self._physical, 0)
        self.seconds = dict.fromkeys(self._physical, 0.0)

    def put(self, record: Record) -> None:
        if record.store not in self._physical:
            if record.store == CUSTOMERS:
                return  # no customers table given
            raise KeyError(f"no destination for {record.store}")
        if isinstance(record, Row):
            self._lake.add(record.store, record.item)
            for key in self._keys[record.store]:
                if not isinstance(record.item.get(key), str) or not record.item[key]:
                    raise ValueError(f"{record.store} item without string key {key}: {record.item}")
            buffer = self._buffers[record.store]
            buffer.append({"PutRequest": {"Item": {k: _attribute(v) for k, v in record.item.items()}}})
            if len(buffer) == BATCH_SIZE:
                self._flush_table(record.store)
        else:
            started = time.perf_counter()
            self._put_object(
                self._physical[record.store], record.key, record.body, record.content_type, record.metadata
            )
            self.seconds[record.store] += time.perf_counter() - started
        self.counts[record.store] += 1

    def flush(self) -> None:
        for store in self._buffers:
            self._flush_table(store)
        started = time.perf_counter()
        self.counts[LAKE_STORE] += self._lake.flush(self._put_object, self._physical[LAKE_STORE])
        self.seconds[LAKE_STORE] += time.perf_counter() - started

    def _put_through_api(
        self, bucket: str, key: str, body: bytes, content_type: str, metadata: Mapping[str, str]
    ) -> None:
        self._s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata)

    def _flush_table(self, store: str) -> None:
        buffer = self._buffers[store]
        if not buffer:
            return
        started = time.perf_counter()
        batch_write(self._ddb, {self._physical[store]: list(buffer)})
        buffer.clear()
        self.seconds[store] += time.perf_counter() - started


def _attribute(value: object) -> dict[str, Any]:
    """Plain Python to DynamoDB JSON. Floats are refused: boto3 would need Decimal, and every
    number here is a count, a score or a percentage."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(v) for v in value]}
    raise TypeError(f"{type(value).__name__} is not written to DynamoDB by the generator")


def rerecord_on_one_channel(s3: Any, stores: dict[str, str], call_id: str) -> list[str]:
    """Rewrites a call's recordings as one mixed channel (as many platforms record) and its
    transcripts' record of how it was recorded, the shape an export must hold for a person when
    another voice is in it. ``stores`` maps data-map store names to buckets; returns the
    recordings' keys."""
    recordings = stores["recordings"]
    listed = s3.list_objects_v2(Bucket=recordings, Prefix="recordings/")["Contents"]
    keys = [o["Key"] for o in listed if o["Key"].rsplit("/", 1)[-1].startswith(call_id)]
    for key in keys:
        with wave.open(io.BytesIO(s3.get_object(Bucket=recordings, Key=key)["Body"].read())) as stereo:
            rate, frames = stereo.getframerate(), array("h", stereo.readframes(stereo.getnframes()))
        mixed = array(
            "h", (max(-32768, min(32767, a + b)) for a, b in zip(frames[0::2], frames[1::2], strict=True))
        )
        out = io.BytesIO()
        with wave.open(out, "wb") as mono:
            mono.setnchannels(1)
            mono.setsampwidth(SAMPLE_WIDTH)
            mono.setframerate(rate)
            mono.writeframes(mixed.tobytes())
        s3.put_object(Bucket=recordings, Key=key, Body=out.getvalue())
    transcripts = stores["transcripts"]
    for listed_transcript in s3.list_objects_v2(Bucket=transcripts, Prefix="transcripts/")["Contents"]:
        if call_id in listed_transcript["Key"]:
            document = json.loads(
                s3.get_object(Bucket=transcripts, Key=listed_transcript["Key"])["Body"].read()
            )
            body = json.dumps(document | {"channels": 1}).encode()
            s3.put_object(Bucket=transcripts, Key=listed_transcript["Key"], Body=body)
    return keys
