"""Signed webhooks: how the service tells tenants and processors about privacy requests.

One mechanism serves every notice (a request forwarded to a customer, a deletion notice to a
processor): the payload is serialized once with :func:`canonical_body`, signed with the receiver's
secret and POSTed, with retries, by :class:`WebhookSender`. Pure apart from the stdlib transport at
the bottom; nothing happens at import.

What a receiver gets, and how it checks it
    Every delivery is ``POST <url>`` with these headers and the JSON body::

        Content-Type: application/json
        CallX-Event-Id: <event id>
        CallX-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.".encode() + body)>

    To verify, a receiver must:

    1. Take the raw request body bytes exactly as received (do not re-serialize the JSON).
    2. Split ``CallX-Signature`` on ``,`` into ``key=value`` items (whitespace around items is
       ignored). There must be exactly one ``t`` (ASCII digits, no leading zero) and at least one
       ``v1``; items with other keys are ignored so that later schemes can be added alongside
       ``v1``. (:func:`verify` also refuses headers over 2048 characters or with over 8 ``v1``.)
    3. Reject the delivery if ``t`` is more than 5 minutes (300 s) away from its own clock, in
       either direction: this bounds how long a captured request can be replayed.
    4. Compute ``HMAC-SHA256(secret, t.encode() + b"." + body)`` as lowercase hex and compare it,
       in constant time, with every ``v1`` value. Accept if any matches: while a secret is being
       rotated the header carries one ``v1`` per secret, so a receiver holding either one accepts.
    5. Deduplicate on ``CallX-Event-Id``: a retry (after a timeout, say) carries the same event id
       and body with a fresh ``t`` and signature, and a delivery may arrive more than once.

    Answer any 2xx once the event is stored. 408, 429 and 5xx (and no answer) are retried; a
    numeric ``Retry-After`` on 429 or 503 is honoured up to the sender's cap. Any other status,
    3xx included (redirects are not followed), fails the delivery at once, without retries.

    The secret is 32 bytes given to the tenant hex-encoded; ``bytes.fromhex`` it before use.
    :func:`verify` is the reference implementation of the steps above.

Secrets
    Tenants' secrets are not stored: :func:`tenant_secret` derives each from one master secret
    (in Secrets Manager), so each tenant is given only its own and none can compute another's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import random
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from privacy_rights.businesses.webhook_urls import require_https_url
from privacy_rights.core.ports import SigningSecrets

SIGNATURE_HEADER = "CallX-Signature"
EVENT_ID_HEADER = "CallX-Event-Id"
SIGNATURE_SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
DEFAULT_TIMEOUT_SECONDS = 5.0
MIN_MASTER_BYTES = 32

# Bounds on what verify() will parse, so a hostile header costs a receiver little: rotation
# needs two v1 values, a few more leave room; 12 digits of seconds reach the year 33658.
MAX_SIGNATURE_HEADER_LENGTH = 2048
MAX_SIGNATURES = 8
# No leading zeros: the MAC is over the digits as sent, and this keeps them equal to int(t)'s.
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,11}")
# Event ids go into a header verbatim: visible ASCII only, so they cannot split or fold it.
_EVENT_ID = re.compile(r"[\x21-\x7e]{1,200}")
_RETRY_AFTER = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,6})?")
_RETRYABLE_STATUSES = frozenset({408, 429})
_RETRY_AFTER_STATUSES = frozenset({429, 503})


# --- signing ------------------------------------------------------------------------------------


def _mac(secret: bytes, body: bytes, timestamp: int) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: bytes, body: bytes, timestamp: int, *, previous_secrets: Sequence[bytes] = ()) -> str:
    """The ``CallX-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds).

    During a rotation pass the secrets being retired as ``previous_secrets``: the header then
    carries one ``v1`` per secret, the current one first.
    """
    if timestamp < 0:
        raise ValueError("the timestamp is unix seconds, not negative")
    all_secrets = [secret, *previous_secrets]
    if not all(all_secrets):
        raise ValueError("an empty signing secret would authenticate nothing")
    signatures = ",".join(f"{SIGNATURE_SCHEME}={_mac(s, body, timestamp)}" for s in all_secrets)
    return f"t={timestamp},{signatures}"


def verify(
    secret: bytes,
    body: bytes,
    header: str,
    now: int,
    tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether ``header`` is a fresh, valid signature of ``body`` under ``secret``.

    Never raises on what the sender controls: a malformed header is simply not valid.
    """
    parsed = _parse_signature_header(header)
    if parsed is None or not secret:
        return False
    timestamp, candidates = parsed
    if abs(now - timestamp) > tolerance_seconds:
        return False
    expected = _mac(secret, body, timestamp).encode()
    matched = False
    for candidate in candidates:
        # no early exit: every candidate is compared, each in constant time
        matched |= hmac.compare_digest(candidate.encode(), expected)
    return matched


def _parse_signature_header(header: object) -> tuple[int, list[str]] | None:
    if not isinstance(header, str) or len(header) > MAX_SIGNATURE_HEADER_LENGTH or not header.isascii():
        return None
    timestamp: int | None = None
    candidates: list[str] = []
    for item in header.split(","):
        key, separator, value = item.strip().partition("=")
        if not separator or not key:
            return None
        if key == "t":
            if timestamp is not None or not _TIMESTAMP.fullmatch(value):
                return None
            timestamp = int(value)
        elif key == SIGNATURE_SCHEME:
            candidates.append(value)
    if timestamp is None or not candidates or len(candidates) > MAX_SIGNATURES:
        return None
    return timestamp, candidates


def tenant_secret(master: bytes, tenant_id: str) -> bytes:
    """The signing secret of one tenant (32 bytes), derived from the master secret."""
    if len(master) < MIN_MASTER_BYTES:
        raise ValueError(f"the master secret is shorter than {MIN_MASTER_BYTES} bytes")
    if not tenant_id:
        raise ValueError("a tenant id is required")
    return hmac.new(master, b"webhook:" + tenant_id.encode(), hashlib.sha256).digest()


def canonical_body(payload: Mapping[str, Any]) -> bytes:
    """The bytes that are signed and sent: JSON, sorted keys, no spaces, UTF-8.

    NaN and infinities are refused (``ValueError``): they are not JSON and receivers' parsers
    would reject, or worse, disagree about, the body.
    """
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


# --- transport ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransportResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)


class WebhookTransportError(Exception):
    """No HTTP answer at all (timeout, refused, reset, DNS).

    ``kind`` is the underlying exception's class name and is all the message holds: exception
    texts can quote the URL, whose query string may carry a receiver's token.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Transport(Protocol):
    def __call__(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> TransportResponse: ...


class WebhookAddressRefused(OSError):
    """The webhook's host resolves to an address inside a network (private, loopback,
    link-local such as 169.254.169.254, multicast, reserved): a tenant's URL may not reach
    our own infrastructure."""


Resolve = Callable[[str, int], list[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def is_public(ip: IpAddress) -> bool:
    return ip.is_global and not ip.is_multicast


def permitted_addresses(
    host: str, port: int, resolve: Resolve = _resolve, permitted: Callable[[IpAddress], bool] = is_public
) -> list[str]:
    """Every address ``host`` resolves to, refused unless all are permitted (public): one
    private answer among public ones is how a rebinding name would slip through."""
    addresses = resolve(host, port)
    if not addresses:
        raise WebhookAddressRefused("no address")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not permitted(ip):
            raise WebhookAddressRefused(f"{type(ip).__name__} not permitted")
    return addresses


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    """Connects only to the address it checked (a second DNS answer cannot differ from the one
    checked); TLS still verifies the certificate against the host name."""

    def __init__(
        self, *args: Any, resolve: Resolve, permitted: Callable[[IpAddress], bool], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._resolve_host, self._permitted = resolve, permitted
        self._create_connection = self._connect_checked

    def _connect_checked(
        self, address: tuple[str, int], timeout: Any = None, source_address: Any = None
    ) -> socket.socket:
        host, port = address
        checked = permitted_addresses(host, port, self._resolve_host, self._permitted)
        return socket.create_connection((checked[0], port), timeout, source_address)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(
        self, context: ssl.SSLContext | None, resolve: Resolve, permitted: Callable[[IpAddress], bool]
    ) -> None:
        super().__init__(context=context)
        self._tls = context
        self._connection = functools.partial(_CheckedHTTPSConnection, resolve=resolve, permitted=permitted)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=self._tls)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would send a signed notice somewhere the tenant never registered (and urllib
    # replays a POST as a GET without its body); the 3xx comes back as the answer instead.
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        return None


class UrllibTransport:
    """POST with ``urllib.request``: any HTTP answer is a response, no answer raises.

    https only, to public addresses only (checked at each connection, against the address
    actually connected to). Redirects are not followed. The response body is not read.
    ``context``, ``resolve`` and ``permitted`` are for tests that run a receiver on loopback.
    """

    def __init__(
        self,
        context: ssl.SSLContext | None = None,
        resolve: Resolve = _resolve,
        permitted: Callable[[IpAddress], bool] = is_public,
    ) -> None:
        self._context, self._resolve, self._permitted = context, resolve, permitted

    @functools.cached_property
    def _opener(self) -> urllib.request.OpenerDirector:
        # built at the first POST: the HTTPS handler loads the system's CA certificates (15-20 ms),
        # and most functions that wire the webhooks in never deliver one
        return urllib.request.build_opener(
            _NoRedirects(), _CheckedHTTPSHandler(self._context, self._resolve, self._permitted)
        )

    def __call__(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> TransportResponse:
        require_https_url(url)
        # the scheme was checked above, which is what S310 asks for
        request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310
        try:
            with self._opener.open(request, timeout=timeout) as response:
                return TransportResponse(response.status, dict(response.headers.items()))
        except urllib.error.HTTPError as exc:
            # an HTTP answer, just not a 2xx one
            headers_received = dict(exc.headers.items()) if exc.headers else {}
            if exc.fp is not None:
                exc.close()
            return TransportResponse(exc.code, headers_received)
        except urllib.error.URLError as exc:
            reason = exc.reason
            kind = type(reason).__name__ if isinstance(reason, BaseException) else type(exc).__name__
            raise WebhookTransportError(kind) from None
        except (OSError, http.client.HTTPException) as exc:
            # ``from None``: the chained exception's text may quote the URL
            raise WebhookTransportError(type(exc).__name__) from None


# --- delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST. ``error`` is ``"HTTP <status>"`` or an exception class name, never free text."""

    number: int
    at: datetime
    status: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class DeliveryResult:
    delivered: bool
    attempts: tuple[DeliveryAttempt, ...]
    event_id: str


class WebhookSender:
    """Delivers one event with retries: exponential backoff with full jitter.

    After failed attempt ``n`` it sleeps ``uniform(0, min(max_delay, base_delay * 2**(n-1)))``
    (full jitter spreads a burst of retries to one recovering receiver), or a numeric
    ``Retry-After`` (capped at ``max_delay``) when a 429 or 503 gives one. With the defaults a
    delivery that never gets an answer takes at most 4 timeouts of 5 s plus 3.5 s of sleep.
    """

    def __init__(
        self,
        transport: Transport,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        rng: random.Random | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("at least one attempt is needed")
        if base_delay < 0 or max_delay < 0:
            raise ValueError("delays cannot be negative")
        if timeout <= 0:
            raise ValueError("the timeout must be positive")
        self._transport = transport
        self._sleep = sleep
        self._clock = clock
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        # jitter only spreads load, it guards nothing: a non-cryptographic generator is right
        self._rng = rng if rng is not None else random.Random()  # noqa: S311
        self._timeout = timeout

    def deliver(
        self,
        url: str,
        payload: Mapping[str, Any],
        secret: bytes,
        event_id: str,
        *,
        previous_secrets: Sequence[bytes] = (),
    ) -> DeliveryResult:
        """POST ``payload`` to ``url`` until it is accepted (2xx) or the attempts run out.

        Bad arguments (a non-http URL, an event id that cannot be a header, an empty secret)
        raise ``ValueError`` before anything is sent.
        """
        require_https_url(url)
        if not _EVENT_ID.fullmatch(event_id):
            raise ValueError("event ids are 1 to 200 visible ASCII characters")
        if not secret or not all(previous_secrets):
            raise ValueError("an empty signing secret would authenticate nothing")
        body = canonical_body(payload)
        attempts: list[DeliveryAttempt] = []
        for number in range(1, self._max_attempts + 1):
            attempt, retry_after = self._attempt(number, url, body, secret, previous_secrets, event_id)
            attempts.append(attempt)
            if attempt.status is not None and 200 <= attempt.status < 300:
                return DeliveryResult(True, tuple(attempts), event_id)
            if not _retryable(attempt.status) or number == self._max_attempts:
                break
            self._sleep(self._delay(number, retry_after))
        return DeliveryResult(False, tuple(attempts), event_id)

    def _attempt(
        self,
        number: int,
        url: str,
        body: bytes,
        secret: bytes,
        previous_secrets: Sequence[bytes],
        event_id: str,
    ) -> tuple[DeliveryAttempt, float | None]:
        started = self._clock()
        headers = {
            "Content-Type": "application/json",
            EVENT_ID_HEADER: event_id,
            # signed per attempt: a retry's timestamp must be fresh for the receiver's window
            SIGNATURE_HEADER: sign(secret, body, int(started), previous_secrets=previous_secrets),
        }
        status: int | None = None
        retry_after: float | None = None
        try:
            response = self._transport(url, body, headers, self._timeout)
        except WebhookTransportError as exc:
            error: str | None = exc.kind
        except OSError as exc:
            # transports other than ours may let socket errors through; keep only the class name
            error = type(exc).__name__
        else:
            status = response.status
            error = None if 200 <= status < 300 else f"HTTP {status}"
            if status in _RETRY_AFTER_STATUSES:
                retry_after = _retry_after_seconds(response.headers)
        duration_ms = max(0, round((self._clock() - started) * 1000))
        at = datetime.fromtimestamp(started, tz=UTC)
        return DeliveryAttempt(number, at, status, error, duration_ms), retry_after

    def _delay(self, number: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(self._max_delay, retry_after)
        # the exponent is bounded so a large max_attempts cannot overflow the float
        cap = min(self._max_delay, self._base_delay * 2.0 ** min(number - 1, 62))
        return self._rng.uniform(0, cap)


def _retryable(status: int | None) -> bool:
    """No answer, 408, 429 and 5xx are worth another try; other statuses will not change."""
    return status is None or status in _RETRYABLE_STATUSES or 500 <= status <= 599


def _retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """A numeric ``Retry-After`` (delta seconds); an HTTP date or garbage is ignored."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            text = value.strip()
            return float(text) if _RETRY_AFTER.fullmatch(text) else None
    return None


# --- signed notices -----------------------------------------------------------------------------


def receiver_secrets(document: Mapping[str, Any], receiver_id: str) -> tuple[bytes, tuple[bytes, ...]]:
    """From the master secret's document (``{"current": ..., "previous": ...}``) to one
    receiver's secrets."""
    current = str(document.get("current") or "")
    previous = str(document.get("previous") or "")
    retiring = (tenant_secret(previous.encode(), receiver_id),) if previous else ()
    return tenant_secret(current.encode(), receiver_id), retiring


class Notifier:
    """Sends one signed event to one receiver and says, in a form fit for the audit trail, how
    it went: never the URL (it may carry a token) nor any text the receiver sent back."""

    def __init__(self, sender: WebhookSender, secrets: SigningSecrets) -> None:
        self._sender = sender
        self._secrets = secrets

    def notify(self, url: str, receiver_id: str, event_id: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            require_https_url(url)
        except ValueError:
            # a receiver registered a URL we may not post to: recorded, never tried
            return {"event_id": event_id, "delivered": False, "attempts": 0, "last_error": "invalid_url"}
        current, previous = self._secrets.for_receiver(receiver_id)
        result = self._sender.deliver(url, payload, current, event_id, previous_secrets=previous)
        last = result.attempts[-1]
        return {
            "event_id": event_id,
            "delivered": result.delivered,
            "attempts": len(result.attempts),
            "last_status": last.status,
            "last_error": last.error,
        }
