"""Webhooks over real HTTPS: UrllibTransport + WebhookSender against a local receiver.

The receiver serves TLS with a certificate made for the test; the transport is told to trust it
and, for these tests only, to permit loopback (the service's transport refuses it).

The receiver does what the module docstring of ``privacy_rights.businesses.webhooks`` tells tenants to do:
verify ``CallX-Signature`` over the raw body (with ``verify``), answer 401 when it does not match,
and deduplicate on ``CallX-Event-Id``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from privacy_rights.businesses.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    UrllibTransport,
    WebhookAddressRefused,
    WebhookSender,
    tenant_secret,
    verify,
)

pytestmark = pytest.mark.integration

MASTER = b"m" * 32
TENANT = "tenant-a"
PAYLOAD = {"event": "request.forwarded", "request_id": "req_AAAAAAAAAAAAAAAAAAAAAA", "type": "delete"}


@dataclass
class Receiver:
    """A tenant's endpoint. Behaviour is set per test; everything it saw is recorded."""

    secret: bytes
    url: str = ""
    trust: ssl.SSLContext | None = None  # a client context that trusts the receiver's certificate
    # answer 503 to this many validly signed requests before answering 200
    unavailable_times: int = 0
    # answer 503 *after* storing the event, as if the answer got lost on the way back
    fail_after_storing_times: int = 0
    redirect_to: str | None = None
    delay_seconds: float = 0.0
    statuses: list[int] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    events: dict[str, Any] = field(default_factory=dict)  # event id -> payload, stored once
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        with self.lock:
            self.headers_seen.append(headers)
            status = self._decide(headers, body)
            self.statuses.append(status)
            return status

    def _decide(self, headers: dict[str, str], body: bytes) -> int:
        if self.redirect_to is not None:
            return 307
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        if not verify(self.secret, body, signature, now=int(time.time())):
            return 401
        if self.unavailable_times > 0:
            self.unavailable_times -= 1
            return 503
        event_id = headers[EVENT_ID_HEADER.lower()]
        if event_id not in self.events:  # a redelivery is acknowledged, not processed again
            self.events[event_id] = json.loads(body)
        if self.fail_after_storing_times > 0:
            self.fail_after_storing_times -= 1
            return 503
        return 200


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver.handle(headers, body)
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "0")
            if status == 307 and receiver.redirect_to:
                self.send_header("Location", receiver.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    return Handler


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (PEM files)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    loopback_name = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(loopback_name, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


@pytest.fixture
def receiver(certificate: tuple[Path, Path]) -> Iterator[Receiver]:
    the_receiver = Receiver(secret=tenant_secret(MASTER, TENANT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(the_receiver))
    server.daemon_threads = True
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*certificate)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    the_receiver.trust = ssl.create_default_context(cafile=str(certificate[0]))
    the_receiver.url = f"https://127.0.0.1:{server.server_address[1]}/hooks/callx?token=abc"
    try:
        yield the_receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def make_sender(trust: ssl.SSLContext | None = None, **options: Any) -> WebhookSender:
    """A sender whose transport trusts the test's certificate and may reach loopback."""
    transport = UrllibTransport(context=trust, permitted=lambda ip: ip.is_loopback)
    return WebhookSender(transport, base_delay=0.01, max_delay=0.05, **options)


def test_the_services_transport_refuses_a_receiver_on_loopback(receiver: Receiver) -> None:
    """The same receiver, through the transport the service builds: refused before connecting."""
    result = WebhookSender(UrllibTransport(), base_delay=0.01, max_delay=0.05, max_attempts=1).deliver(
        receiver.url, PAYLOAD, receiver.secret, "evt_ssrf"
    )

    assert not result.delivered
    assert [a.error for a in result.attempts] == [WebhookAddressRefused.__name__]
    assert receiver.statuses == []


def test_a_certificate_the_transport_does_not_trust_is_refused(receiver: Receiver) -> None:
    transport = UrllibTransport(permitted=lambda ip: ip.is_loopback)
    result = WebhookSender(transport, max_attempts=1).deliver(
        receiver.url, PAYLOAD, receiver.secret, "evt_tls"
    )

    assert not result.delivered
    assert result.attempts[0].error == "SSLCertVerificationError"
    assert receiver.statuses == []


def test_a_delivery_arrives_with_a_valid_signature(receiver: Receiver) -> None:
    result = make_sender(receiver.trust).deliver(
        receiver.url, PAYLOAD, tenant_secret(MASTER, TENANT), "evt_1"
    )

    assert result.delivered
    assert [(a.number, a.status, a.error) for a in result.attempts] == [(1, 200, None)]
    assert receiver.statuses == [200]
    assert receiver.events == {"evt_1": PAYLOAD}
    headers = receiver.headers_seen[0]
    assert headers["content-type"] == "application/json"
    assert headers[EVENT_ID_HEADER.lower()] == "evt_1"
    assert headers[SIGNATURE_HEADER.lower()].startswith("t=")


def test_a_503_is_retried_and_then_delivered(receiver: Receiver) -> None:
    receiver.unavailable_times = 1

    result = make_sender(receiver.trust).deliver(
        receiver.url, PAYLOAD, tenant_secret(MASTER, TENANT), "evt_2"
    )

    assert result.delivered
    assert [a.status for a in result.attempts] == [503, 200]
    assert receiver.statuses == [503, 200]
    assert receiver.events == {"evt_2": PAYLOAD}


def test_the_receiver_deduplicates_on_the_event_id(receiver: Receiver) -> None:
    # the event is stored but the answer is lost, so the sender retries; then it is sent again
    receiver.fail_after_storing_times = 1
    the_sender = make_sender(receiver.trust)
    secret = tenant_secret(MASTER, TENANT)

    first = the_sender.deliver(receiver.url, PAYLOAD, secret, "evt_3")
    again = the_sender.deliver(receiver.url, PAYLOAD, secret, "evt_3")
    other = the_sender.deliver(receiver.url, PAYLOAD | {"type": "access"}, secret, "evt_4")

    assert first.delivered
    assert again.delivered
    assert other.delivered
    assert receiver.statuses == [503, 200, 200, 200]
    assert receiver.events == {"evt_3": PAYLOAD, "evt_4": PAYLOAD | {"type": "access"}}
    assert {h[EVENT_ID_HEADER.lower()] for h in receiver.headers_seen} == {"evt_3", "evt_4"}


def test_a_wrong_secret_gets_401_and_fails_without_retries(receiver: Receiver) -> None:
    wrong = tenant_secret(MASTER, "tenant-b")

    result = make_sender(receiver.trust).deliver(receiver.url, PAYLOAD, wrong, "evt_5")

    assert not result.delivered
    assert [(a.number, a.status, a.error) for a in result.attempts] == [(1, 401, "HTTP 401")]
    assert receiver.statuses == [401]
    assert receiver.events == {}


def test_a_receiver_mid_rotation_accepts_the_old_or_the_new_secret(receiver: Receiver) -> None:
    new_secret = b"n" * 32

    result = make_sender(receiver.trust).deliver(
        receiver.url, PAYLOAD, new_secret, "evt_6", previous_secrets=[receiver.secret]
    )

    assert result.delivered
    assert receiver.events == {"evt_6": PAYLOAD}


def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    receiver.redirect_to = "http://127.0.0.1:9/elsewhere"

    result = make_sender(receiver.trust).deliver(receiver.url, PAYLOAD, receiver.secret, "evt_7")

    assert not result.delivered
    assert [a.status for a in result.attempts] == [307]
    assert receiver.statuses == [307]


def test_a_timeout_is_a_retried_transport_error(receiver: Receiver) -> None:
    receiver.delay_seconds = 0.5

    result = make_sender(receiver.trust, max_attempts=2, timeout=0.1).deliver(
        receiver.url, PAYLOAD, receiver.secret, "evt_8"
    )

    assert not result.delivered
    assert [(a.status, a.error) for a in result.attempts] == [(None, "TimeoutError")] * 2


def test_connection_refused_is_a_retried_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # nothing listens on the port any more

    result = make_sender(max_attempts=3).deliver(
        f"https://127.0.0.1:{port}/hooks?token=abc", PAYLOAD, b"s" * 32, "evt_9"
    )

    assert not result.delivered
    assert [(a.status, a.error) for a in result.attempts] == [(None, "ConnectionRefusedError")] * 3
    assert "token" not in repr(result)
