"""The businesses' and processors' webhook endpoints, on this machine.

The synthetic platform registers webhook URLs on hosts under ``.example`` (a name reserved never to
resolve). Locally those hosts lead here, as an ``/etc/hosts`` line and a TLS-terminating proxy
would: the service's transport (``UrllibTransport``) still checks the URL (https only), then the
local stack plays the network and posts over plain HTTP on loopback to this receiver (the
transport itself refuses loopback and private addresses: tests/unit/test_webhooks.py), which
checks each signature exactly as the module documentation of
``privacy_rights.businesses.webhooks`` tells receivers to, with the receiver's own secret
derived from the stack's master secret in (moto's) Secrets Manager, and records the delivery in
the outbox (channel ``webhook``). A receiver can be told to fail, so the retries and the recorded
outcome can be seen.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock
from urllib.parse import urlsplit, urlunsplit

from local_stack.outbox import Outbox, OutboxMessage, now_stamp
from privacy_rights.businesses.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TransportResponse,
    UrllibTransport,
    require_https_url,
    verify,
)

#: Hosts under this suffix are the local receiver's (RFC 2606 reserves it: it never resolves).
LOCAL_SUFFIX = ".example"
MAX_BODY_BYTES = 256 * 1024

SecretsFor = Callable[[str], tuple[bytes, tuple[bytes, ...]]]


class WebhookReceiver:
    """One HTTP listener for every local receiver; the last path segment names whose it is."""

    def __init__(self, outbox: Outbox, secrets_for: SecretsFor, host: str = "127.0.0.1") -> None:
        self._outbox = outbox
        self._secrets_for = secrets_for
        self._server = ThreadingHTTPServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        # serve_forever checks for shutdown every poll interval: 0.5 s by default, paid at every stop
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="webhooks", daemon=True
        )
        self._failures: dict[str, list[int]] = {}
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        """Forget the failures queued with ``fail`` (deliveries are recorded in the outbox)."""
        with self._lock:
            self._failures.clear()

    def fail(self, receiver_id: str, *statuses: int) -> None:
        """The receiver's next deliveries are answered with these statuses, in order."""
        with self._lock:
            self._failures.setdefault(receiver_id, []).extend(statuses)

    def _next_failure(self, receiver_id: str) -> int | None:
        with self._lock:
            queued = self._failures.get(receiver_id)
            return queued.pop(0) if queued else None

    def receive(self, url: str, headers: Mapping[str, str], body: bytes) -> int:
        receiver_id = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
        current, previous = self._secrets_for(receiver_id)
        headers = {name.lower(): value for name, value in headers.items()}
        signature = headers.get(SIGNATURE_HEADER.lower(), "")
        now = int(time.time())
        valid = any(verify(secret, body, signature, now) for secret in (current, *previous))
        status = self._next_failure(receiver_id) if valid else None
        answer = status or (HTTPStatus.OK if valid else HTTPStatus.UNAUTHORIZED)
        try:
            event = str(json.loads(body).get("event", ""))
        except (ValueError, AttributeError):
            event = ""
        self._outbox.add(
            OutboxMessage(
                "webhook",
                [url],
                event,
                body.decode("utf-8", "replace"),
                now_stamp(),
                headers.get(EVENT_ID_HEADER.lower(), ""),
                signature="verified" if valid else "invalid",
                answered=int(answer),
                signature_header=signature,
            )
        )
        return int(answer)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
                    return
                body = self.rfile.read(length)
                url = f"https://{self.headers.get('Host', '')}{self.path}"
                status = receiver.receive(url, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    @contextmanager
    def resolving(self) -> Iterator[WebhookReceiver]:
        """While open, the service's webhook transport reaches ``*.example`` hosts here."""
        with example_hosts_at(self.address):
            yield self


@contextmanager
def example_hosts_at(address: str, posted: Callable[[str], None] | None = None) -> Iterator[None]:
    """While open, the service's webhook transport (in this process) reaches ``*.example`` hosts
    at ``address``, a receiver on loopback in this process or another (a benchmark's worker);
    ``posted`` is told each host posted to, whatever it is."""
    original = UrllibTransport.__call__

    def rerouted(
        transport: UrllibTransport,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float = 5.0,
    ) -> TransportResponse:
        parts = urlsplit(url)
        if posted is not None:
            posted(parts.hostname or "")
        if not (parts.hostname or "").endswith(LOCAL_SUFFIX):
            return original(transport, url, body, headers, timeout)
        require_https_url(url)
        local = urlunsplit(("http", address, parts.path, parts.query, ""))
        return _post_on_loopback(local, body, {**headers, "Host": parts.netloc}, timeout)

    with mock.patch.object(UrllibTransport, "__call__", rerouted):
        yield


def _post_on_loopback(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> TransportResponse:
    """The receiver's answer to one POST, as the service's transport would report it."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            return TransportResponse(response.status, dict(response.headers.items()))
    except urllib.error.HTTPError as exc:
        answered = dict(exc.headers.items()) if exc.headers else {}
        exc.close()
        return TransportResponse(exc.code, answered)
