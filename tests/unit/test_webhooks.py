"""Signed webhooks: the signature scheme, tenant secrets, the canonical body and the retry policy."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_rights.businesses.webhooks import (
    EVENT_ID_HEADER,
    MAX_SIGNATURES,
    SIGNATURE_HEADER,
    DeliveryResult,
    TransportResponse,
    UrllibTransport,
    WebhookAddressRefused,
    WebhookSender,
    WebhookTransportError,
    canonical_body,
    permitted_addresses,
    sign,
    tenant_secret,
    verify,
)

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32
BODY = b'{"event":"request.forwarded","request_id":"req_1"}'
T = 1_772_443_800  # 2026-03-02 09:30 UTC
MASTER = b"m" * 32
URL = "https://hooks.example.com/callx?token=query-secret-123"
EVENT = "evt_0001"
# A marker that must never surface in what a delivery records.
PAYLOAD = {"event": "request.forwarded", "subject_email": "jane.payload-marker@example.com"}


def _v1(secret: bytes, body: bytes, timestamp: int) -> str:
    """The documented scheme, computed independently of the module."""
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


# --- sign / verify ------------------------------------------------------------------------------


def test_the_header_is_the_timestamp_and_the_documented_hmac() -> None:
    assert sign(SECRET, BODY, T) == f"t={T},v1={_v1(SECRET, BODY, T)}"


def test_a_signature_verifies() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, T), now=T)


def test_a_tampered_body_does_not_verify() -> None:
    header = sign(SECRET, BODY, T)

    assert not verify(SECRET, BODY.replace(b"req_1", b"req_2"), header, now=T)
    assert not verify(SECRET, BODY + b" ", header, now=T)


def test_a_signature_under_another_secret_does_not_verify() -> None:
    assert not verify(OTHER_SECRET, BODY, sign(SECRET, BODY, T), now=T)


def test_a_tampered_timestamp_does_not_verify() -> None:
    header = sign(SECRET, BODY, T).replace(f"t={T}", f"t={T + 1}")

    assert not verify(SECRET, BODY, header, now=T)


@pytest.mark.parametrize("age", [0, 1, 299, 300])
def test_a_signature_within_the_tolerance_verifies(age: int) -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + age)
    assert verify(SECRET, BODY, sign(SECRET, BODY, T), now=T - age)


def test_a_stale_signature_does_not_verify() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + 301)
    assert not verify(SECRET, BODY, sign(SECRET, BODY, T), now=T + 86_400)


def test_a_signature_from_the_future_does_not_verify() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, T), now=T - 301)


def test_the_tolerance_is_a_parameter() -> None:
    header = sign(SECRET, BODY, T)

    assert not verify(SECRET, BODY, header, now=T + 61, tolerance_seconds=60)
    assert verify(SECRET, BODY, header, now=T + 60, tolerance_seconds=60)


def test_an_empty_secret_never_verifies() -> None:
    header = f"t={T},v1={_v1(b'', BODY, T)}"

    assert not verify(b"", BODY, header, now=T)


def test_signing_with_an_empty_secret_or_a_negative_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        sign(b"", BODY, T)
    with pytest.raises(ValueError, match="negative"):
        sign(SECRET, BODY, -1)


def test_whitespace_around_items_and_unknown_schemes_are_tolerated() -> None:
    mac = _v1(SECRET, BODY, T)

    assert verify(SECRET, BODY, f" t={T} , v0=abc, v1={mac} ", now=T)


GOOD_MAC = _v1(SECRET, BODY, T)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        ",",
        f"t={T}",
        f"v1={GOOD_MAC}",
        f"t=,v1={GOOD_MAC}",
        f"t={T},v1=",
        f"t={T},v1",
        f"t={T},,v1={GOOD_MAC}",
        f"t={T},v1={GOOD_MAC},",
        f"={T},v1={GOOD_MAC}",
        f"t=abc,v1={GOOD_MAC}",
        f"t={T}.0,v1={GOOD_MAC}",
        f"t=-{T},v1={GOOD_MAC}",
        f"t=+{T},v1={GOOD_MAC}",
        f"t=0{T},v1={GOOD_MAC}",
        f"t={T},t={T},v1={GOOD_MAC}",
        f"t={'9' * 5000},v1={GOOD_MAC}",
        f"t=١٧٧٢٤٤٣٨٠٠,v1={GOOD_MAC}",
        f"t={T},v1={GOOD_MAC.upper()}",
        f"t={T},v1={GOOD_MAC[:-1]}",
        f"t={T},v1={GOOD_MAC}é",
        f"t={T};v1={GOOD_MAC}",
        f"T={T},V1={GOOD_MAC}",
        f"t={T},v1={GOOD_MAC}" + ",x=y" * 2000,
        f"t={T}," + ",".join(["v1=00"] * MAX_SIGNATURES) + f",v1={GOOD_MAC}",
    ],
)
def test_malformed_headers_are_rejected(header: str) -> None:
    assert not verify(SECRET, BODY, header, now=T)


@settings(max_examples=500)
@given(header=st.text())
def test_arbitrary_text_headers_never_raise(header: str) -> None:
    assert verify(SECRET, BODY, header, now=T) is False


@settings(max_examples=300)
@given(
    items=st.lists(
        st.one_of(
            st.just(f"t={T}"),
            st.just(f"v1={GOOD_MAC}"),
            st.from_regex(r"\A[tv1 ]{0,3}=?[0-9a-f.+\- ]{0,70}\Z"),
            st.text(max_size=20),
        ),
        max_size=6,
    ),
    now=st.integers(min_value=-(2**70), max_value=2**70),
)
def test_near_miss_headers_never_raise(items: list[str], now: int) -> None:
    result = verify(SECRET, BODY, ",".join(items), now=now)

    assert isinstance(result, bool)


@settings(max_examples=300)
@given(secret=st.binary(min_size=1, max_size=64), body=st.binary(), timestamp=st.integers(0, 10**11))
def test_any_body_and_secret_round_trip(secret: bytes, body: bytes, timestamp: int) -> None:
    header = sign(secret, body, timestamp)

    assert verify(secret, body, header, now=timestamp)
    assert not verify(secret, body + b"x", header, now=timestamp)


# --- rotation -----------------------------------------------------------------------------------


def test_during_rotation_the_header_carries_one_v1_per_secret_and_either_verifies() -> None:
    header = sign(SECRET, BODY, T, previous_secrets=[OTHER_SECRET])

    assert header == f"t={T},v1={_v1(SECRET, BODY, T)},v1={_v1(OTHER_SECRET, BODY, T)}"
    assert verify(SECRET, BODY, header, now=T)
    assert verify(OTHER_SECRET, BODY, header, now=T)
    assert not verify(b"x" * 32, BODY, header, now=T)


def test_a_receiver_verifies_a_hand_built_two_value_header_in_either_order() -> None:
    old, new = _v1(OTHER_SECRET, BODY, T), _v1(SECRET, BODY, T)

    assert verify(SECRET, BODY, f"t={T},v1={old},v1={new}", now=T)
    assert verify(SECRET, BODY, f"v1={new},t={T},v1={old}", now=T)
    assert not verify(SECRET, BODY, f"t={T},v1={old},v1={old}", now=T)


# --- tenant secrets -----------------------------------------------------------------------------


def test_tenant_secrets_are_stable() -> None:
    assert tenant_secret(MASTER, "tenant-a") == tenant_secret(MASTER, "tenant-a")


def test_tenant_secrets_differ_per_tenant_and_per_master() -> None:
    secrets = {tenant_secret(MASTER, tenant) for tenant in ("tenant-a", "tenant-b", "tenant-A", "tenant-a ")}

    assert len(secrets) == 4
    assert tenant_secret(b"n" * 32, "tenant-a") != tenant_secret(MASTER, "tenant-a")


def test_a_tenant_secret_is_the_documented_hmac_of_the_master() -> None:
    expected = hmac.new(MASTER, b"webhook:tenant-a", hashlib.sha256).digest()

    assert tenant_secret(MASTER, "tenant-a") == expected
    assert len(expected) == 32


def test_one_tenants_secret_does_not_verify_another_tenants_delivery() -> None:
    header = sign(tenant_secret(MASTER, "tenant-a"), BODY, T)

    assert not verify(tenant_secret(MASTER, "tenant-b"), BODY, header, now=T)


def test_a_short_master_or_an_empty_tenant_id_is_refused() -> None:
    with pytest.raises(ValueError, match="shorter"):
        tenant_secret(b"short", "tenant-a")
    with pytest.raises(ValueError, match="tenant id"):
        tenant_secret(MASTER, "")


# --- canonical body -----------------------------------------------------------------------------


def test_the_body_is_compact_json_with_sorted_keys() -> None:
    body = canonical_body({"b": 1, "a": {"d": [1, 2], "c": None}})

    assert body == b'{"a":{"c":null,"d":[1,2]},"b":1}'


def test_the_body_is_utf8_not_ascii_escaped() -> None:
    body = canonical_body({"name": "Zoë 東京"})

    assert body == '{"name":"Zoë 東京"}'.encode()
    assert json.loads(body) == {"name": "Zoë 東京"}


def test_key_order_does_not_change_the_body() -> None:
    assert canonical_body({"a": 1, "b": 2}) == canonical_body({"b": 2, "a": 1})


def test_nan_is_refused() -> None:
    with pytest.raises(ValueError, match="JSON"):
        canonical_body({"x": float("nan")})


# --- delivery -----------------------------------------------------------------------------------


class FakeTransport:
    """Answers from a script (a response, or an exception to raise) and records every call."""

    def __init__(self, *script: TransportResponse | Exception) -> None:
        self.script = list(script)
        self.calls: list[tuple[str, bytes, dict[str, str], float]] = []

    def __call__(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> TransportResponse:
        self.calls.append((url, body, dict(headers), timeout))
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeTime:
    """A clock that moves 0.25 s per transport call and by whatever is slept; sleeps are recorded."""

    def __init__(self, start: float = T) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        self.now += 0.125  # read twice per attempt: before and after the call
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class CeilingRng(random.Random):
    """``uniform`` returns its upper bound, so the recorded sleeps are the jitter caps."""

    def __init__(self) -> None:
        super().__init__(0)
        self.bounds: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.bounds.append((a, b))
        return b


def ok(status: int = 200, **headers: str) -> TransportResponse:
    return TransportResponse(status, {k.replace("_", "-"): v for k, v in headers.items()})


def sender(transport: FakeTransport, fake: FakeTime, **options: float) -> WebhookSender:
    return WebhookSender(
        transport,
        sleep=fake.sleep,
        clock=fake.clock,
        rng=CeilingRng(),
        **options,
    )


def deliver(transport: FakeTransport, fake: FakeTime | None = None, **options: float) -> DeliveryResult:
    return sender(transport, fake or FakeTime(), **options).deliver(URL, PAYLOAD, SECRET, EVENT)


def test_a_2xx_is_delivered_at_the_first_attempt() -> None:
    transport, fake = FakeTransport(ok(204)), FakeTime()

    result = deliver(transport, fake)

    assert result.delivered
    assert result.event_id == EVENT
    assert [(a.number, a.status, a.error) for a in result.attempts] == [(1, 204, None)]
    assert fake.sleeps == []


def test_the_request_is_signed_json_with_the_event_id() -> None:
    transport = FakeTransport(ok())

    deliver(transport)

    url, body, headers, timeout = transport.calls[0]
    assert url == URL
    assert body == canonical_body(PAYLOAD)
    assert headers["Content-Type"] == "application/json"
    assert headers[EVENT_ID_HEADER] == EVENT
    assert verify(SECRET, body, headers[SIGNATURE_HEADER], now=T)
    assert timeout == 5.0


def test_500_500_200_is_delivered_after_three_attempts_with_increasing_caps() -> None:
    transport, fake = FakeTransport(ok(500), ok(500), ok(200)), FakeTime()
    rng = CeilingRng()
    the_sender = WebhookSender(transport, sleep=fake.sleep, clock=fake.clock, rng=rng, base_delay=0.5)

    result = the_sender.deliver(URL, PAYLOAD, SECRET, EVENT)

    assert result.delivered
    assert [(a.number, a.status, a.error) for a in result.attempts] == [
        (1, 500, "HTTP 500"),
        (2, 500, "HTTP 500"),
        (3, 200, None),
    ]
    assert rng.bounds == [(0, 0.5), (0, 1.0)]
    assert fake.sleeps == [0.5, 1.0]


def test_the_jitter_is_full_between_zero_and_the_cap() -> None:
    fake = FakeTime()
    the_sender = WebhookSender(
        FakeTransport(ok(500)),
        sleep=fake.sleep,
        clock=fake.clock,
        rng=random.Random(7),
        max_attempts=8,
        base_delay=0.5,
        max_delay=8.0,
    )

    the_sender.deliver(URL, PAYLOAD, SECRET, EVENT)

    caps = [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert len(fake.sleeps) == len(caps)
    assert all(0 <= slept <= cap for slept, cap in zip(fake.sleeps, caps, strict=True))
    assert len(set(fake.sleeps)) == len(caps)  # jittered, not fixed


def test_the_cap_stops_at_max_delay() -> None:
    transport, fake = FakeTransport(ok(503)), FakeTime()

    deliver(transport, fake, max_attempts=7, base_delay=1.0, max_delay=5.0)

    assert fake.sleeps == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0]


def test_each_attempt_is_signed_with_its_own_timestamp() -> None:
    transport, fake = FakeTransport(ok(500), ok(500), ok(200)), FakeTime()

    deliver(transport, fake, base_delay=100.0, max_delay=1000.0)

    stamps = []
    for _, body, headers, _ in transport.calls:
        header = headers[SIGNATURE_HEADER]
        stamp = int(re.match(r"t=(\d+),", header)[1])  # type: ignore[index]
        assert verify(SECRET, body, header, now=stamp)
        stamps.append(stamp)
    assert stamps == [T, T + 100, T + 300]
    assert {headers[EVENT_ID_HEADER] for _, _, headers, _ in transport.calls} == {EVENT}
    assert len({body for _, body, _, _ in transport.calls}) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 301, 307])
def test_other_4xx_and_3xx_are_not_retried(status: int) -> None:
    transport, fake = FakeTransport(ok(status), ok(200)), FakeTime()

    result = deliver(transport, fake)

    assert not result.delivered
    assert [(a.number, a.status, a.error) for a in result.attempts] == [(1, status, f"HTTP {status}")]
    assert fake.sleeps == []


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, 599])
def test_408_429_and_5xx_are_retried(status: int) -> None:
    result = deliver(FakeTransport(ok(status), ok(200)))

    assert result.delivered
    assert [a.status for a in result.attempts] == [status, 200]


def test_429_with_retry_after_sleeps_that_long() -> None:
    transport, fake = FakeTransport(ok(429, Retry_After="2"), ok(200)), FakeTime()

    result = deliver(transport, fake)

    assert result.delivered
    assert fake.sleeps == [2.0]


def test_503_with_retry_after_is_honoured_and_the_header_name_is_case_insensitive() -> None:
    transport, fake = FakeTransport(TransportResponse(503, {"retry-after": " 3 "}), ok(200)), FakeTime()

    deliver(transport, fake)

    assert fake.sleeps == [3.0]


def test_retry_after_is_capped_at_max_delay() -> None:
    transport, fake = FakeTransport(ok(429, Retry_After="3600"), ok(200)), FakeTime()

    deliver(transport, fake, max_delay=8.0)

    assert fake.sleeps == [8.0]


@pytest.mark.parametrize("value", ["Wed, 21 Oct 2026 07:28:00 GMT", "-1", "soon", "", "1e3"])
def test_a_non_numeric_retry_after_falls_back_to_backoff(value: str) -> None:
    transport, fake = FakeTransport(ok(429, Retry_After=value), ok(200)), FakeTime()

    deliver(transport, fake, base_delay=0.5)

    assert fake.sleeps == [0.5]


def test_retry_after_on_a_500_is_ignored() -> None:
    transport, fake = FakeTransport(ok(500, Retry_After="7"), ok(200)), FakeTime()

    deliver(transport, fake, base_delay=0.5)

    assert fake.sleeps == [0.5]


def test_a_transport_error_then_200_is_delivered() -> None:
    transport, fake = FakeTransport(WebhookTransportError("TimeoutError"), ok(200)), FakeTime()

    result = deliver(transport, fake)

    assert result.delivered
    assert [(a.status, a.error) for a in result.attempts] == [(None, "TimeoutError"), (200, None)]
    assert fake.sleeps == [0.5]


def test_a_raw_socket_error_from_a_transport_is_retried_and_recorded_by_class_name() -> None:
    refused = ConnectionRefusedError(111, f"Connection refused: {URL} {PAYLOAD}")
    result = deliver(FakeTransport(refused, ok(200)))

    assert result.delivered
    assert result.attempts[0].error == "ConnectionRefusedError"


def test_a_programming_error_in_a_transport_is_not_swallowed() -> None:
    with pytest.raises(KeyError):
        deliver(FakeTransport(KeyError("bug")))


def test_it_gives_up_after_max_attempts() -> None:
    transport, fake = FakeTransport(ok(500)), FakeTime()

    result = deliver(transport, fake, max_attempts=4)

    assert not result.delivered
    assert [a.number for a in result.attempts] == [1, 2, 3, 4]
    assert len(transport.calls) == 4
    assert len(fake.sleeps) == 3  # none after the last attempt


def test_one_attempt_means_no_retry() -> None:
    transport, fake = FakeTransport(WebhookTransportError("TimeoutError")), FakeTime()

    result = deliver(transport, fake, max_attempts=1)

    assert not result.delivered
    assert len(result.attempts) == 1
    assert fake.sleeps == []


def test_attempts_record_when_and_how_long() -> None:
    transport, fake = FakeTransport(ok(500), ok(200)), FakeTime(start=T)

    result = deliver(transport, fake)

    first, second = result.attempts
    assert first.at == datetime.fromtimestamp(T + 0.125, tz=UTC)
    assert first.at.tzinfo is UTC
    assert first.duration_ms == 125
    assert second.at > first.at


def test_attempt_records_never_contain_the_payload_or_the_query_string() -> None:
    transport = FakeTransport(
        WebhookTransportError("ConnectionRefusedError"),
        ConnectionResetError(f"reset while sending {PAYLOAD} to {URL}"),
        ok(500),
        ok(429, Retry_After="1"),
    )

    result = deliver(transport, max_attempts=4)

    recorded = repr(result)
    for attempt in result.attempts:
        assert attempt.error is not None
        assert re.fullmatch(r"HTTP \d{3}|[A-Za-z]+", attempt.error)
    for secret_text in ("payload-marker", "jane", "query-secret-123", "token=", "hooks.example.com"):
        assert secret_text not in recorded


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://hooks.example.com/x",
        "gopher://hooks.example.com/",
        "javascript:alert(1)",
        "hooks.example.com/callx",
        "https:///no-host",
        "",
        "http://hooks.example.com/callx",
        "HTTP://hooks.example.com/callx",
    ],
)
def test_only_https_urls_are_accepted(url: str) -> None:
    transport = FakeTransport(ok())

    with pytest.raises(ValueError, match="https URLs"):
        deliver_to(transport, url)
    with pytest.raises(ValueError, match="https URLs"):
        UrllibTransport()(url, b"{}", {}, 1.0)
    assert transport.calls == []


@pytest.mark.parametrize(
    "answers",
    [
        ["127.0.0.1"],
        ["169.254.169.254"],  # the instance metadata service
        ["10.0.0.7"],
        ["172.16.4.2"],
        ["192.168.1.1"],
        ["100.64.0.1"],  # carrier-grade NAT
        ["0.0.0.0"],  # noqa: S104 - an address refused, not bound
        ["::1"],
        ["fe80::1%eth0"],
        ["fd00::1"],
        ["::ffff:169.254.169.254"],
        ["224.0.0.1"],
        ["93.184.216.34", "10.0.0.7"],  # one private answer among public ones
        [],
    ],
)
def test_a_webhook_host_resolving_inside_a_network_is_refused(answers: list[str]) -> None:
    with pytest.raises(WebhookAddressRefused):
        permitted_addresses("hooks.tenant.com", 443, resolve=lambda host, port: answers)


def test_a_webhook_host_with_public_addresses_is_allowed() -> None:
    answers = ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]
    assert permitted_addresses("hooks.tenant.com", 443, resolve=lambda host, port: answers) == answers


def test_the_transport_checks_the_address_it_connects_to_and_sends_nothing_elsewhere() -> None:
    """At send time, through urllib: a name resolving to the metadata service is refused
    before any connection, and the refusal is an error kind, never the URL."""
    resolved: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        resolved.append(host)
        return ["169.254.169.254"]

    with pytest.raises(WebhookTransportError) as refused:
        UrllibTransport(resolve=resolve)(URL, b"{}", {}, 1.0)

    assert refused.value.kind == "WebhookAddressRefused"
    assert resolved == ["hooks.example.com"]
    assert "query-secret" not in str(refused.value)


def deliver_to(transport: FakeTransport, url: str) -> DeliveryResult:
    return sender(transport, FakeTime()).deliver(url, PAYLOAD, SECRET, EVENT)


@pytest.mark.parametrize("event_id", ["", "evt 1", "evt\r\nX-Injected: 1", "é", "x" * 201])
def test_event_ids_that_cannot_be_a_header_value_are_refused(event_id: str) -> None:
    transport = FakeTransport(ok())

    with pytest.raises(ValueError, match="event ids"):
        sender(transport, FakeTime()).deliver(URL, PAYLOAD, SECRET, event_id)
    assert transport.calls == []


def test_an_empty_secret_is_refused_before_sending() -> None:
    transport = FakeTransport(ok())

    with pytest.raises(ValueError, match="empty"):
        sender(transport, FakeTime()).deliver(URL, PAYLOAD, b"", EVENT)
    assert transport.calls == []


def test_delivery_during_rotation_signs_with_both_secrets() -> None:
    transport = FakeTransport(ok())

    sender(transport, FakeTime()).deliver(URL, PAYLOAD, SECRET, EVENT, previous_secrets=[OTHER_SECRET])

    _, body, headers, _ = transport.calls[0]
    assert verify(SECRET, body, headers[SIGNATURE_HEADER], now=T)
    assert verify(OTHER_SECRET, body, headers[SIGNATURE_HEADER], now=T)


@pytest.mark.parametrize(
    "options",
    [{"max_attempts": 0}, {"base_delay": -1.0}, {"max_delay": -1.0}, {"timeout": 0.0}],
)
def test_nonsensical_settings_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        WebhookSender(FakeTransport(ok()), **options)


def test_a_huge_max_attempts_does_not_overflow_the_backoff() -> None:
    fake = FakeTime()
    the_sender = WebhookSender(
        FakeTransport(ok(500)), sleep=fake.sleep, clock=fake.clock, rng=CeilingRng(), max_attempts=1200
    )

    result = the_sender.deliver(URL, PAYLOAD, SECRET, EVENT)

    assert len(result.attempts) == 1200
    assert max(fake.sleeps) == 8.0
