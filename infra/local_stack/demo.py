"""The demo's business customers and people, as constants.

One description serves three readers: the generator (``local_stack.synthetic``) writes exactly
these records, the integration tests check that every store then holds what
:func:`expected_counts` says, and the README lists the subjects. Counts are derived from the
constants here, never typed twice, so adding a call to Dana changes the generator, the tests and
the README together.

Each subject exercises one hard case of a rights request on call data (see
``/work/shared/docs/call-data.md``): a caller known only by phone, a shared switchboard, a
recycled number, a customer who wants to be asked each time, an agent whose data sits in other
people's calls. The neighbours are there for negative tests: a resolver that matches on surname,
on ``participants`` or on the tracking number finds records it must not.

Phone numbers are in the NANP's fictional 555-01xx block (plus 555-1xxx for the tracking
numbers of generated customers); the background population never uses exchange 555 at all, so
no background person can share a demo identifier. Every phone and email here is checked with
the service's own normalizers at import: a constant that is not already in its normal form fails
loudly instead of silently never matching a lookup.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Literal

from privacy_rights.core.identifiers import normalize_email, normalize_phone

#: "Today" for the generated data: no wall-clock reads, so every run writes the same records.
REFERENCE_DATE = date(2026, 11, 1)

Instruction = Literal["fulfil", "forward", "ask"]
InsightKind = Literal["summary", "score", "sentiment"]
Sensitive = Literal["card", "ssn"]
Outcome = Literal["answered", "voicemail", "missed", "forwarded"]

_ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

INSIGHT_KINDS: tuple[InsightKind, ...] = ("summary", "score", "sentiment")
#: Agent metric periods the demo agents have (the three months before REFERENCE_DATE).
METRIC_PERIODS = ("2026-08", "2026-09", "2026-10")

#: The data map's platform stores (every store not owned by this service). Kept as a literal so
#: that a store added to the map fails a test until the generator and expected_counts know it.
PLATFORM_STORES = (
    "accounts",
    "crm_leads",
    "calls",
    "recordings",
    "transcripts",
    "call_insights",
    "agent_metrics",
    "marketing_preferences",
    "usage_telemetry",
    "training_manifests",
    "call_events_lake",
)


def lake_events(source: str, routing_outcome: str) -> tuple[str, ...]:
    """The analytics lake's events for one call (``call_events_lake``): every call completes, a
    call from a campaign is an attribution touch, an answered call is scored."""
    events = ["call.completed"]
    if source != "direct":
        events.append("attribution.touch")
    if routing_outcome == "answered":
        events.append("call.scored")
    return tuple(events)


def _phone(value: str) -> str:
    normalized = normalize_phone(value)
    if normalized != value:
        raise ValueError(f"demo phone {value!r} is not in E.164 form ({normalized})")
    return value


def _email(value: str) -> str:
    normalized = normalize_email(value)
    if normalized != value:
        raise ValueError(f"demo email {value!r} is not in normal form ({normalized})")
    return value


def opaque_id(prefix: str, label: str) -> str:
    """A stable ID that says nothing about its subject: a call_id survives erasure on the
    tombstone, so it must not spell the caller's name. Demo labels do not involve the seed, so
    re-seeding with another seed overwrites the demo records instead of duplicating them."""
    return prefix + hashlib.sha256(f"callx-synthetic:{label}".encode()).hexdigest()[:32]


def iso(moment: datetime) -> str:
    """The one timestamp spelling of the platform: UTC, seconds, 'Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- business customers -------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    """A business customer of CallX; ``instruction`` is what it told CallX to do with rights
    requests about data it controls (act, forward them to it, or ask each time)."""

    tenant_id: str
    name: str
    privacy_email: str
    webhook_url: str
    instruction: Instruction
    tracking_number: str

    @property
    def domain(self) -> str:
        return self.privacy_email.partition("@")[2]


def _tenant(tenant_id: str, name: str, domain: str, instruction: Instruction, tracking: str) -> Tenant:
    return Tenant(
        tenant_id=tenant_id,
        name=name,
        privacy_email=_email(f"privacy@{domain}"),
        # .example never resolves: locally local_stack.webhooks receives these (and checks them)
        webhook_url=f"https://hooks.{domain}/callx/privacy/{tenant_id}",
        instruction=instruction,
        tracking_number=_phone(tracking),
    )


ACME = _tenant("acme", "Acme Plumbing", "acme-plumbing.example", "fulfil", "+14155550101")
BRIGHTSIDE = _tenant("brightside", "Brightside Dental", "brightside-dental.example", "fulfil", "+15105550102")
NORTHWIND = _tenant("northwind", "Northwind Legal", "northwind-legal.example", "ask", "+16505550103")
CRESCENT = _tenant("crescent", "Crescent Realty", "crescent-realty.example", "forward", "+14155550104")
HARBOR = _tenant("harbor", "Harbor Freight Brokers", "harbor-freight.example", "fulfil", "+16505550105")

TENANTS: tuple[Tenant, ...] = (ACME, BRIGHTSIDE, NORTHWIND, CRESCENT, HARBOR)
TENANTS_BY_ID = {tenant.tenant_id: tenant for tenant in TENANTS}


# --- account holders ------------------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    """An account holder who takes calls for a tenant."""

    key: str
    name: str
    email: str
    phone: str
    tenant_id: str

    @cached_property
    def account_id(self) -> str:
        return opaque_id("AC", f"account:{self.key}")

    @cached_property
    def agent_id(self) -> str:
        return opaque_id("AG", f"agent:{self.key}")


SAM = Agent("sam", "Sam Okafor", _email("sam.okafor@acme-plumbing.example"), _phone("+15105550171"), "acme")

#: One agent per demo tenant who takes every demo call that is not Sam's, so that Sam's
#: footprint (calls by agent_id) is exactly what the constants say.
HOUSE_AGENTS: dict[str, Agent] = {
    agent.tenant_id: agent
    for agent in (
        Agent(
            "riley", "Riley Chen", _email("riley.chen@acme-plumbing.example"), _phone("+14155550151"), "acme"
        ),
        Agent(
            "noor",
            "Noor Haddad",
            _email("noor.haddad@brightside-dental.example"),
            _phone("+15105550152"),
            "brightside",
        ),
        Agent(
            "peter",
            "Peter Walsh",
            _email("peter.walsh@northwind-legal.example"),
            _phone("+16505550153"),
            "northwind",
        ),
        Agent(
            "maya",
            "Maya Torres",
            _email("maya.torres@crescent-realty.example"),
            _phone("+14155550154"),
            "crescent",
        ),
        Agent("ken", "Ken Ito", _email("ken.ito@harbor-freight.example"), _phone("+16505550155"), "harbor"),
    )
}

AGENTS: tuple[Agent, ...] = (SAM, *HOUSE_AGENTS.values())
AGENTS_BY_ID = {agent.agent_id: agent for agent in AGENTS}


@dataclass(frozen=True)
class Account:
    account_id: str
    tenant_id: str
    name: str
    email: str
    phone: str
    role: Literal["admin", "agent"]
    agent_id: str | None = None
    billing_contact: str | None = None


DEMO_ACCOUNTS: tuple[Account, ...] = tuple(
    Account(a.account_id, a.tenant_id, a.name, a.email, a.phone, "agent", agent_id=a.agent_id) for a in AGENTS
)


@dataclass(frozen=True)
class AgentMetric:
    agent_id: str
    period: str
    tenant_id: str
    calls_handled: int
    average_score: int
    adherence: int  # percent: DynamoDB numbers stay ints


DEMO_AGENT_METRICS: tuple[AgentMetric, ...] = tuple(
    AgentMetric(
        agent_id=agent.agent_id,
        period=period,
        tenant_id=agent.tenant_id,
        calls_handled=40 + 7 * month + 3 * number,
        average_score=70 + (5 * month + number) % 21,
        adherence=85 + (3 * month + 2 * number) % 13,
    )
    for number, agent in enumerate(AGENTS)
    for month, period in enumerate(METRIC_PERIODS)
)


@dataclass(frozen=True)
class TelemetryEvent:
    account_id: str
    at: str
    ip_address: str
    device: str
    path: str


DEMO_TELEMETRY: tuple[TelemetryEvent, ...] = tuple(
    TelemetryEvent(SAM.account_id, at, ip, device, path)
    for at, ip, device, path in (
        ("2026-10-01T15:02:11Z", "203.0.113.41", "Chrome 130 on Windows 11", "/login"),
        ("2026-10-01T15:02:40Z", "203.0.113.41", "Chrome 130 on Windows 11", "/calls"),
        ("2026-10-08T16:20:05Z", "203.0.113.41", "Chrome 130 on Windows 11", "/calls/recordings"),
        ("2026-10-15T09:12:47Z", "198.51.100.23", "CallX iOS 5.2 on iPhone 15", "/coaching/scorecard"),
        ("2026-10-29T17:45:30Z", "203.0.113.41", "Chrome 131 on Windows 11", "/settings/notifications"),
    )
)


# --- the subjects ---------------------------------------------------------------------------

DANA_PHONE = _phone("+14155550132")
MARCUS_PHONE = _phone("+15105550147")
SWITCHBOARD_PHONE = _phone("+16505550100")
RECYCLED_PHONE = _phone("+14155550163")
ELENA_PHONE = _phone("+16505550118")
CHRIS_PHONE = _phone("+14155550189")
JORDAN_PHONE = _phone("+15105550124")
MARCUS_EMAIL = _email("marcus.oyelaran@example.net")
ELENA_EMAIL = _email("elena.vasquez@example.org")


@dataclass(frozen=True)
class PreviousHolder:
    """Someone who held a recycled number before the current holder."""

    name: str
    held_until: date


@dataclass(frozen=True)
class Subject:
    key: str
    name: str
    email: str | None
    phone: str | None
    phone_held_since: date | None
    note: str
    special: str | None = None
    account_id: str | None = None
    agent_id: str | None = None
    previous_holders: tuple[PreviousHolder, ...] = ()


DANA = Subject(
    "dana",
    "Dana Whitfield",
    None,
    DANA_PHONE,
    None,
    "Known only by phone: 4 calls to Acme, two recorded two-channel (one with a redacted copy), "
    "one in a training set, one with a colleague transferred in.",
)
MARCUS = Subject(
    "marcus",
    "Marcus Oyelaran",
    MARCUS_EMAIL,
    MARCUS_PHONE,
    None,
    "Phone and email: CRM lead and 3 calls at Brightside, opted out of CallX marketing.",
)
SWITCHBOARD = Subject(
    "switchboard",
    "Harbor main line",
    None,
    SWITCHBOARD_PHONE,
    None,
    "A shared switchboard: 2,500 calls from many people at 4 customers; too big to be one person.",
    special="shared switchboard",
)
LEO = Subject(
    "recycled",
    "Leo Brandt",
    None,
    RECYCLED_PHONE,
    date(2025, 6, 1),
    "A recycled number: Leo has held it since 2025-06-01; Priya Raman's 2024 calls are not his.",
    special="recycled number",
    previous_holders=(PreviousHolder("Priya Raman", date(2025, 5, 31)),),
)
ELENA = Subject(
    "elena",
    "Elena Vasquez",
    ELENA_EMAIL,
    ELENA_PHONE,
    None,
    "Phone and email, data at Northwind Legal, which wants to be asked each time.",
    special="ask-each-time customer",
)
SAM_SUBJECT = Subject(
    "sam",
    SAM.name,
    SAM.email,
    SAM.phone,
    None,
    "An agent at Acme: his account, metrics and telemetry, and 10 calls he took (his voice is in them).",
    special="agent",
    account_id=SAM.account_id,
    agent_id=SAM.agent_id,
)

CHRIS = Subject(
    "chris",
    "Chris Whitfield",
    None,
    CHRIS_PHONE,
    None,
    "Dana's surname, another number: 2 calls to Acme. Matching on name would find him.",
)
JORDAN = Subject(
    "jordan",
    "Jordan Lee",
    None,
    JORDAN_PHONE,
    None,
    "Transferred into one of Dana's calls (participants); 1 call of his own to Acme.",
)
ACME_LINE = Subject(
    "acme_line",
    "Acme Plumbing tracking line",
    None,
    ACME.tracking_number,
    None,
    "Acme's tracking number: on every Acme call, never a caller. Must match nothing.",
)

#: In the README, in this order.
README_SUBJECTS: tuple[Subject, ...] = (DANA, MARCUS, SWITCHBOARD, LEO, ELENA, SAM_SUBJECT)
#: For negative tests only.
NEIGHBOURS: tuple[Subject, ...] = (CHRIS, JORDAN, ACME_LINE)
SUBJECTS: dict[str, Subject] = {s.key: s for s in README_SUBJECTS + NEIGHBOURS}

PRIYA_NAME = LEO.previous_holders[0].name


# --- CRM, marketing, training sets ----------------------------------------------------------


@dataclass(frozen=True)
class Lead:
    tenant_id: str
    lead_id: str
    name: str
    email: str | None
    phone: str
    company: str
    notes: str


DEMO_LEADS: tuple[Lead, ...] = (
    Lead(
        "brightside",
        opaque_id("LD", "lead:marcus"),
        MARCUS.name,
        MARCUS_EMAIL,
        MARCUS_PHONE,
        "Oyelaran Consulting",
        "Asked about Invisalign pricing; prefers evening calls.",
    ),
    Lead(
        "northwind",
        opaque_id("LD", "lead:elena"),
        ELENA.name,
        ELENA_EMAIL,
        ELENA_PHONE,
        "Vasquez Imports",
        "Commercial lease dispute with landlord; wants a consultation before December.",
    ),
)


@dataclass(frozen=True)
class MarketingPreference:
    email: str
    consent: bool
    consent_at: str


DEMO_MARKETING: tuple[MarketingPreference, ...] = (
    MarketingPreference(MARCUS_EMAIL, False, "2026-05-20T10:00:00Z"),
)


@dataclass(frozen=True)
class TrainingSet:
    set_id: str
    used: bool
    trained_models: tuple[str, ...]


TRAINING_SETS: dict[str, TrainingSet] = {
    ts.set_id: ts
    for ts in (
        TrainingSet("ts-2026-09", True, ("callx-score-v3", "callx-summary-v2")),
        TrainingSet("ts-2026-10", False, ()),
    )
}


# --- calls ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One demo call and everything derived from it: recording objects, transcript, insights,
    training-set membership. ``sensitive`` puts a spoken card number or SSN into a caller turn."""

    label: str
    tenant_id: str
    caller_phone: str
    caller_name: str
    started_at: str
    duration_seconds: int
    agent_id: str | None
    routing_outcome: Outcome = "answered"
    source: str = "google_ads"
    ip_address: str | None = None
    device: str | None = None
    participants: tuple[str, ...] = ()
    channels: Literal[1, 2] = 1
    recorded: bool = False
    redacted_copy: bool = False
    sensitive: Sensitive | None = None
    insights: tuple[InsightKind, ...] = INSIGHT_KINDS
    training_set: str | None = None

    def __post_init__(self) -> None:
        if (self.source == "webrtc") != (self.ip_address is not None and self.device is not None):
            raise ValueError(f"{self.label}: WebRTC calls, and only they, carry ip_address and device")
        if self.channels == 2 and not self.recorded:
            raise ValueError(f"{self.label}: the channel count describes a recording")
        if self.redacted_copy and not (self.recorded and self.sensitive):
            raise ValueError(f"{self.label}: a redacted copy needs a recording with something to redact")
        if self.recorded and self.routing_outcome != "answered":
            raise ValueError(f"{self.label}: only answered calls are recorded")
        if (self.agent_id is None) != (self.routing_outcome in ("voicemail", "missed")):
            raise ValueError(f"{self.label}: answered calls have an agent, unanswered ones do not")
        if self.training_set is not None and (self.training_set not in TRAINING_SETS or not self.recorded):
            raise ValueError(f"{self.label}: training sets are built from recorded calls")
        if not _ISO_UTC.fullmatch(self.started_at):
            raise ValueError(f"{self.label}: started_at is ISO-8601 UTC with 'Z', got {self.started_at!r}")

    @cached_property
    def call_id(self) -> str:
        return opaque_id("CA", f"call:{self.label}")

    @property
    def transcribed(self) -> bool:
        """Every recording is transcribed; nothing else is."""
        return self.recorded

    @property
    def recording_objects(self) -> int:
        """Original and redacted audio are separate objects, and both are the caller's data."""
        return (1 + self.redacted_copy) if self.recorded else 0


_SAM = SAM.agent_id


def _house(tenant_id: str) -> str:
    return HOUSE_AGENTS[tenant_id].agent_id


_DANA_CALLS = (
    Call(
        "dana-1",
        "acme",
        DANA_PHONE,
        DANA.name,
        "2026-08-14T16:05:00Z",
        312,
        _SAM,
        channels=2,
        recorded=True,
        redacted_copy=True,
        sensitive="card",
        training_set="ts-2026-10",
    ),
    Call(
        "dana-2",
        "acme",
        DANA_PHONE,
        DANA.name,
        "2026-09-03T17:42:00Z",
        185,
        _SAM,
        source="organic",
        participants=(JORDAN_PHONE,),
        channels=2,
        recorded=True,
    ),
    Call(
        "dana-3",
        "acme",
        DANA_PHONE,
        DANA.name,
        "2026-09-21T15:10:00Z",
        96,
        _SAM,
        source="webrtc",
        ip_address="203.0.113.24",
        device="Chrome 129 on Android 14",
    ),
    Call("dana-4", "acme", DANA_PHONE, DANA.name, "2026-10-12T18:30:00Z", 44, _SAM),
)

_MARCUS_CALLS = (
    Call(
        "marcus-1",
        "brightside",
        MARCUS_PHONE,
        MARCUS.name,
        "2026-07-08T20:15:00Z",
        264,
        _house("brightside"),
        recorded=True,
        sensitive="ssn",
    ),
    Call(
        "marcus-2",
        "brightside",
        MARCUS_PHONE,
        MARCUS.name,
        "2026-08-19T21:02:00Z",
        131,
        _house("brightside"),
        source="organic",
    ),
    Call(
        "marcus-3", "brightside", MARCUS_PHONE, MARCUS.name, "2026-10-02T19:40:00Z", 58, _house("brightside")
    ),
)

_ELENA_CALLS = (
    Call(
        "elena-1",
        "northwind",
        ELENA_PHONE,
        ELENA.name,
        "2026-09-09T16:30:00Z",
        540,
        _house("northwind"),
        channels=2,
        recorded=True,
    ),
    Call(
        "elena-2",
        "northwind",
        ELENA_PHONE,
        ELENA.name,
        "2026-10-20T17:05:00Z",
        75,
        _house("northwind"),
        source="direct",
    ),
)

_RECYCLED_CALLS = (
    # Priya Raman's, before the number was recycled: not Leo's data.
    Call("priya-1", "acme", RECYCLED_PHONE, PRIYA_NAME, "2024-02-12T17:20:00Z", 220, _house("acme")),
    Call(
        "priya-2",
        "acme",
        RECYCLED_PHONE,
        PRIYA_NAME,
        "2024-06-03T15:45:00Z",
        97,
        _house("acme"),
        source="organic",
    ),
    Call("priya-3", "acme", RECYCLED_PHONE, PRIYA_NAME, "2024-11-25T18:05:00Z", 143, _house("acme")),
    # Leo Brandt's, after 2025-07-01.
    Call(
        "leo-1",
        "northwind",
        RECYCLED_PHONE,
        LEO.name,
        "2025-07-14T16:00:00Z",
        410,
        _house("northwind"),
        channels=2,
        recorded=True,
    ),
    Call(
        "leo-2",
        "northwind",
        RECYCLED_PHONE,
        LEO.name,
        "2025-09-02T19:25:00Z",
        66,
        _house("northwind"),
        source="direct",
    ),
)

_NEIGHBOUR_CALLS = (
    Call("chris-1", "acme", CHRIS_PHONE, CHRIS.name, "2026-08-28T14:10:00Z", 121, _house("acme")),
    Call(
        "chris-2",
        "acme",
        CHRIS_PHONE,
        CHRIS.name,
        "2026-10-05T16:55:00Z",
        83,
        _house("acme"),
        source="organic",
    ),
    Call("jordan-1", "acme", JORDAN_PHONE, JORDAN.name, "2026-09-15T13:35:00Z", 159, _house("acme")),
)

#: Six one-off callers whose calls Sam took: his footprint reaches their calls (his voice and
#: name are in them), which is exactly why an agent's copy must withhold the callers.
ONE_OFF_CALLERS: tuple[tuple[str, str], ...] = (
    ("Grace Holloway", _phone("+16505550141")),
    ("Victor Nguyen", _phone("+16505550142")),
    ("Imani Brooks", _phone("+16505550143")),
    ("Oskar Lind", _phone("+16505550144")),
    ("Rosa Delgado", _phone("+16505550145")),
    ("Ben Carter", _phone("+16505550146")),
)
_SAM_OTHER_CALLS = tuple(
    Call(
        f"sam-other-{number}",
        "acme",
        phone,
        name,
        iso(datetime(2026, 8, 4, 15, 0, tzinfo=UTC) + timedelta(days=11 * number, minutes=37 * number)),
        60 + 41 * number,
        _SAM,
        source=("google_ads", "organic", "direct")[number % 3],
        channels=2 if number % 3 == 0 else 1,
        recorded=number % 3 == 0,
        sensitive="card" if number == 3 else None,
    )
    for number, (name, phone) in enumerate(ONE_OFF_CALLERS)
)

#: The switchboard's calls per tenant, and the names caller ID showed for them.
SWITCHBOARD_SPLIT: tuple[tuple[str, int], ...] = (
    ("harbor", 1000),
    ("acme", 700),
    ("brightside", 500),
    ("crescent", 300),
)
SWITCHBOARD_CALLER_NAMES = (
    "HARBOR MEDICAL",
    "Miguel Santos",
    "Aisha Karim",
    "Tom Becker",
    "Wen Li",
    "Front Desk",
)


def _switchboard_calls() -> tuple[Call, ...]:
    """Interleaved over the year by each tenant's share (no randomness: these are constants),
    unrecorded and without insights so that 2,500 calls stay cheap to write."""
    slots = sorted(
        ((i + 0.5) / count, tenant_id) for tenant_id, count in SWITCHBOARD_SPLIT for i in range(count)
    )
    first = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)
    calls = []
    for number, (_, tenant_id) in enumerate(slots):
        unanswered = number % 10 == 9
        calls.append(
            Call(
                f"switchboard-{number}",
                tenant_id,
                SWITCHBOARD_PHONE,
                SWITCHBOARD_CALLER_NAMES[number % len(SWITCHBOARD_CALLER_NAMES)],
                iso(first + timedelta(minutes=197 * number)),
                30 + (53 * number) % 540,
                None if unanswered else _house(tenant_id),
                routing_outcome="voicemail" if unanswered else "answered",
                source=("direct", "google_ads", "organic")[number % 3],
                insights=(),
            )
        )
    return tuple(calls)


DEMO_CALLS: tuple[Call, ...] = (
    _DANA_CALLS
    + _MARCUS_CALLS
    + _ELENA_CALLS
    + _RECYCLED_CALLS
    + _NEIGHBOUR_CALLS
    + _SAM_OTHER_CALLS
    + _switchboard_calls()
)


def _demo_phones() -> frozenset[str]:
    phones = {tenant.tracking_number for tenant in TENANTS}
    phones |= {agent.phone for agent in AGENTS}
    phones |= {s.phone for s in SUBJECTS.values() if s.phone}
    phones |= {call.caller_phone for call in DEMO_CALLS}
    phones |= {p for call in DEMO_CALLS for p in call.participants}
    phones |= {lead.phone for lead in DEMO_LEADS}
    return frozenset(phones)


#: Every phone and email the demo uses; the background population must avoid all of them.
DEMO_PHONES = _demo_phones()
DEMO_EMAILS = frozenset(
    {s.email for s in SUBJECTS.values() if s.email}
    | {agent.email for agent in AGENTS}
    | {lead.email for lead in DEMO_LEADS if lead.email}
    | {m.email for m in DEMO_MARKETING}
    | {tenant.privacy_email for tenant in TENANTS}
)


# --- what a subject's identifiers reach -----------------------------------------------------


def expected_counts(key: str, *, use_held_since: bool = True) -> dict[str, int]:
    """Records per platform store that the subject's own identifiers reach, directly or through
    the links the data map declares: phone -> accounts, crm_leads, calls (as caller); email ->
    accounts, crm_leads, marketing_preferences; account_id -> accounts; accounts -> agent_id ->
    calls (as agent), agent_metrics; account_id -> usage_telemetry; each call -> recording
    objects (original and redacted counted separately), transcript, insights, training entries.

    ``use_held_since``: with the subject's ``phone_held_since``, only calls from that day on
    (what may be released to the current holder); when False, everything the number reaches
    whoever held it (what a resolver finds, the earlier holder's records withheld). Only the
    recycled number differs.
    """
    subject = SUBJECTS[key]
    since = subject.phone_held_since.isoformat() if use_held_since and subject.phone_held_since else None

    def by_phone(value: str | None) -> bool:
        return subject.phone is not None and value == subject.phone

    def by_email(value: str | None) -> bool:
        return subject.email is not None and value == subject.email

    accounts = [
        a
        for a in DEMO_ACCOUNTS
        if by_phone(a.phone) or by_email(a.email) or (subject.account_id == a.account_id)
    ]
    account_ids = {a.account_id for a in accounts}
    agent_ids = {a.agent_id for a in accounts if a.agent_id}
    calls = [
        c
        for c in DEMO_CALLS
        if (by_phone(c.caller_phone) and (since is None or c.started_at >= since)) or c.agent_id in agent_ids
    ]
    counts = dict.fromkeys(PLATFORM_STORES, 0)
    counts["accounts"] = len(accounts)
    counts["crm_leads"] = sum(1 for lead in DEMO_LEADS if by_phone(lead.phone) or by_email(lead.email))
    counts["marketing_preferences"] = sum(1 for m in DEMO_MARKETING if by_email(m.email))
    counts["usage_telemetry"] = sum(1 for e in DEMO_TELEMETRY if e.account_id in account_ids)
    counts["agent_metrics"] = sum(1 for m in DEMO_AGENT_METRICS if m.agent_id in agent_ids)
    counts["calls"] = len(calls)
    counts["recordings"] = sum(c.recording_objects for c in calls)
    counts["transcripts"] = sum(1 for c in calls if c.transcribed)
    counts["call_insights"] = sum(len(c.insights) for c in calls)
    counts["training_manifests"] = sum(1 for c in calls if c.training_set)
    # the lake's rows carry the caller's number (as caller: no agent lookup) and, where the
    # business has the caller as a lead, the lead's email and id
    lead_emails = {(lead.tenant_id, lead.phone): lead.email for lead in DEMO_LEADS if lead.email}
    counts["call_events_lake"] = sum(
        len(lake_events(c.source, c.routing_outcome))
        for c in DEMO_CALLS
        if (by_phone(c.caller_phone) and (since is None or c.started_at >= since))
        or by_email(lead_emails.get((c.tenant_id, c.caller_phone)))
    )
    return counts
