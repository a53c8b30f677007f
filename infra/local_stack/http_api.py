"""The local API Gateway: turns each HTTP request into a real REST API proxy event for the
function the template routes it to, and serves the local-only pages (outbox, static web)."""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local_stack.lambdas import InProcessLambdas
from local_stack.outbox import Outbox
from local_stack.provision import DeployedStack, Route
from local_stack.template import ACCOUNT_ID, REPO_ROOT

WEB_ROOT = REPO_ROOT / "web"
#: Locally, who is calling an IAM-authorized route. The adapter turns it into the request
#: context's IAM identity, as API Gateway does after checking a signature, and strips it.
OPERATOR_HEADER = "X-Local-Operator"
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's own payload limit
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css",
    ".js": "text/javascript",
    ".svg": "image/svg+xml",
}


#: A caller named by a full IAM or STS ARN (an attacker's own role, say) rather than a name.
PRINCIPAL_ARN = re.compile(r"arn:aws:(?:iam|sts)::\d{12}:[\w+=,.@/-]{1,200}")


#: The OpenAPI documents generated at build time (`make openapi`), as published in docs/openapi/.
OPENAPI_DIR = REPO_ROOT / "docs" / "openapi"
OPENAPI_FILES = {f"/docs/{p.name}": p for p in sorted(OPENAPI_DIR.glob("*.json"))} | {
    "/openapi.json": OPENAPI_DIR / "PublicApi.json"
}


def render_docs_index() -> str:
    links = "".join(
        f'<li><a href="{html.escape(url)}">{html.escape(url.rsplit("/", 1)[-1])}</a></li>'
        for url in OPENAPI_FILES
        if url.startswith("/docs/")
    )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>API documents</title>"
        "<h1>OpenAPI documents of the service's APIs</h1>"
        f"<p>Generated from the code at build time (<code>make openapi</code>).</p><ul>{links}</ul></html>"
    )


def operator_identity(principal: str, ops_role: str | None = None) -> dict[str, Any]:
    """The IAM identity API Gateway would put in the context. A full ARN is used as it is; a
    name calling the ops API (``ops_role`` given) is a session of the operations role, as staff
    assume it with their name as the session; elsewhere it is an IAM user of that name."""
    if PRINCIPAL_ARN.fullmatch(principal):
        arn = principal
    elif ops_role:
        arn = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{ops_role.rsplit('/', 1)[-1]}/{principal}"
    else:
        arn = f"arn:aws:iam::{ACCOUNT_ID}:user/{principal}"
    unique = "".join(ch for ch in arn.rsplit("/", 1)[-1].upper() if ch.isalnum())[:12]
    return {
        "accountId": ACCOUNT_ID,
        "caller": f"AIDALOCAL{unique}",
        "user": f"AIDALOCAL{unique}",
        "userArn": arn,
        "accessKey": "ASIALOCAL",
    }


def ops_role_of(stack: Any, route: Route) -> str | None:
    """The operations role's name when ``route`` is on the ops API."""
    return str(stack.parameters["OpsRoleName"]) if route.api == "OpsApi" else None


def proxy_event(
    route: Route,
    stage: str,
    method: str,
    raw_path: str,
    headers: dict[str, list[str]],
    body: bytes,
    source_ip: str,
    path_parameters: dict[str, str],
    identity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event, as complete as the real one."""
    split = urlsplit(raw_path)
    query = parse_qs(split.query, keep_blank_values=True)
    text_body: str | None
    try:
        text_body, encoded = (body.decode("utf-8") if body else None), False
    except UnicodeDecodeError:
        text_body, encoded = base64.b64encode(body).decode(), True
    now = time.time()
    request_identity = {
        "sourceIp": source_ip,
        "userAgent": (headers.get("User-Agent") or [""])[0],
        "accountId": None,
        "caller": None,
        "user": None,
        "userArn": None,
        "accessKey": None,
        "cognitoIdentityId": None,
        "cognitoIdentityPoolId": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "principalOrgId": None,
    } | (identity or {})
    return {
        "resource": route.path,
        "path": split.path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in headers.items()},
        "multiValueHeaders": headers,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": route.api,
            "resourceId": "local",
            "resourcePath": route.path,
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "extendedRequestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": request_identity,
            "path": f"/{stage}{split.path}",
            "protocol": "HTTP/1.1",
            "httpMethod": method,
            "domainName": (headers.get("Host") or ["127.0.0.1"])[0],
        },
        "body": text_body,
        "isBase64Encoded": encoded,
    }


class LocalApi:
    def __init__(
        self,
        stack: DeployedStack,
        lambdas: InProcessLambdas,
        outbox: Outbox,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_routes: dict[str, Callable[[], tuple[int, str, bytes]]] | None = None,
        storage_origin: str | None = None,
    ) -> None:
        #: where presigned uploads and downloads point locally (moto): the pages may connect to it
        self.storage_origin = storage_origin
        self.stack = stack
        self.lambdas = lambdas
        self.outbox = outbox
        self.extra_routes = extra_routes or {}
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-api", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.stack.routes:
            if route.method in (method, "ANY"):
                found = route.pattern().match(path)
                if found:
                    return route, found.groupdict()
        return None

    def function_names(self) -> list[str]:
        return sorted(spec.logical_id for spec in self.lambdas.functions)

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({route.method for route in self.stack.routes if route.pattern().match(path)})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "privacy-local"
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Silent: request lines hold request ids and tokens in query strings."""

            def do_GET(self) -> None:
                self._dispatch("GET")

            def do_POST(self) -> None:
                self._dispatch("POST")

            def do_PUT(self) -> None:
                self._dispatch("PUT")

            def do_DELETE(self) -> None:
                self._dispatch("DELETE")

            def do_PATCH(self) -> None:
                self._dispatch("PATCH")

            def do_OPTIONS(self) -> None:
                self._dispatch("OPTIONS")

            def _dispatch(self, method: str) -> None:
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_BODY_BYTES:
                    self._send(
                        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                        "application/json",
                        b'{"message":"Request Too Long"}',
                    )
                    return
                body = self.rfile.read(length) if length else b""
                if method == "GET" and path in api.extra_routes:
                    status, content_type, payload = api.extra_routes[path]()
                    self._send(status, content_type, payload)
                    return
                if method == "POST" and path == "/_local/idp/sign-in":
                    self._sign_in(body)
                    return
                if path == "/_local/faults":
                    self._faults(method, body)
                    return
                if method == "GET" and path in ("/docs", "/docs/"):
                    self._send(HTTPStatus.OK, "text/html; charset=utf-8", render_docs_index().encode())
                    return
                document = OPENAPI_FILES.get(path)
                if method == "GET" and document is not None:
                    self._send(HTTPStatus.OK, "application/json", document.read_bytes())
                    return
                if method == "GET" and path == "/_local/outbox":
                    messages = [m.as_json() for m in api.outbox.messages()]
                    self._send(HTTPStatus.OK, "application/json", json.dumps(messages, indent=2).encode())
                    return
                if method == "GET" and path in ("/_local/outbox.html", "/_local/outbox/"):
                    self._send(HTTPStatus.OK, "text/html; charset=utf-8", render_outbox(api.outbox).encode())
                    return
                matched = api.match(method, path)
                if matched is None:
                    if method == "GET" and self._static(path):
                        return
                    if method == "OPTIONS" and api.allowed_methods(path):
                        matched = api.match("OPTIONS", path)
                    if matched is None:
                        self._send(
                            HTTPStatus.NOT_FOUND if not api.allowed_methods(path) else HTTPStatus.FORBIDDEN,
                            "application/json",
                            b'{"message":"Missing Authentication Token"}',
                        )
                        return
                route, parameters = matched
                headers: dict[str, list[str]] = {}
                for key, value in self.headers.items():
                    if key.lower() != OPERATOR_HEADER.lower():
                        headers.setdefault(key, []).append(value)
                identity = None
                if route.auth == "AWS_IAM":
                    operator = self.headers.get(OPERATOR_HEADER, "")
                    if not (
                        re.fullmatch(r"[A-Za-z0-9+=,.@_-]{1,64}", operator)
                        or PRINCIPAL_ARN.fullmatch(operator)
                    ):
                        # What API Gateway answers an unsigned request to an IAM-authorized route.
                        self._send(
                            HTTPStatus.FORBIDDEN,
                            "application/json",
                            b'{"message":"Missing Authentication Token"}',
                        )
                        return
                    identity = operator_identity(operator, ops_role_of(api.stack, route))
                stage = api.stack.physical.get(route.api, {}).get("_stage", "v1")
                event = proxy_event(
                    route,
                    stage,
                    method,
                    self.path,
                    headers,
                    body,
                    self.client_address[0],
                    parameters,
                    identity,
                )
                result, errored = api.lambdas.invoke(route.function, event)
                if errored or not isinstance(result, dict) or "statusCode" not in result:
                    # API Gateway's answer to a Lambda that failed: it says nothing of the error.
                    self._send(
                        HTTPStatus.BAD_GATEWAY, "application/json", b'{"message": "Internal server error"}'
                    )
                    return
                self._send_proxy_result(result)

            def _faults(self, method: str, body: bytes) -> None:
                """The local fault switch: make a function fail (POST {"function", "error", "times"};
                an error ``Lambda.ServiceException`` or ``Lambda.TooManyRequestsException`` is
                Lambda's service failing under a task), crash a share of every invocation (POST
                {"crash_rate": 0.015, "seed": 7}), see what is injected (GET), clear it (DELETE,
                optionally ?function=...)."""
                try:
                    if method == "POST":
                        spec = json.loads(body or b"{}")
                        if "crash_rate" in spec:
                            api.lambdas.crash(float(spec["crash_rate"]), int(spec.get("seed", 0)))
                        else:
                            api.lambdas.inject(str(spec["function"]), str(spec["error"]), spec.get("times"))
                    elif method == "DELETE":
                        query = parse_qs(urlsplit(self.path).query)
                        names = query.get("function") or []
                        api.lambdas.clear(names[0] if names else None)
                    elif method != "GET":
                        self._send(
                            HTTPStatus.METHOD_NOT_ALLOWED,
                            "application/json",
                            b'{"message":"GET, POST or DELETE"}',
                        )
                        return
                except (KeyError, ValueError, TypeError) as exc:
                    answer = {
                        "message": f"bad fault: {type(exc).__name__}",
                        "functions": api.function_names(),
                    }
                    self._send(HTTPStatus.BAD_REQUEST, "application/json", json.dumps(answer).encode())
                    return
                faults: dict[str, Any] = {
                    name: {"error": error, "times": times}
                    for name, (error, times) in api.lambdas.faults.items()
                }
                if api.lambdas.crashes is not None:
                    faults["crash_rate"] = {
                        "rate": api.lambdas.crashes.rate,
                        "crashed": api.lambdas.crashes.crashed,
                    }
                self._send(HTTPStatus.OK, "application/json", json.dumps(faults).encode())

            def _sign_in(self, body: bytes) -> None:
                """The built-in identity provider's sign-in: an account holder of the synthetic
                platform (by email) and the local password get an ID token for /verify."""
                import boto3

                from local_stack.idp import LOCAL_PASSWORD

                try:
                    credentials = json.loads(body or b"{}")
                    email, password = str(credentials["email"]).lower(), str(credentials["password"])
                except (ValueError, KeyError, TypeError):
                    self._send(
                        HTTPStatus.BAD_REQUEST, "application/json", b'{"message":"give email and password"}'
                    )
                    return
                found = boto3.client("dynamodb").query(
                    TableName=api.stack.platform_stores["accounts"],
                    IndexName="by_email",
                    KeyConditionExpression="email = :e",
                    ExpressionAttributeValues={":e": {"S": email}},
                )["Items"]
                if not found or password != LOCAL_PASSWORD:
                    self._send(
                        HTTPStatus.UNAUTHORIZED, "application/json", b'{"message":"wrong email or password"}'
                    )
                    return
                token = api.stack.idp.id_token(found[0]["account_id"]["S"], email)
                self._send(HTTPStatus.OK, "application/json", json.dumps({"id_token": token}).encode())

            def _static(self, path: str) -> bool:
                relative = "index.html" if path in ("", "/") else path.lstrip("/")
                if relative.endswith("/"):
                    relative += "index.html"  # /ops/: the ops console's queue
                target = (WEB_ROOT / relative).resolve()
                if WEB_ROOT.resolve() not in target.parents or not target.is_file():
                    return False
                content = target.read_bytes()
                if target.suffix == ".html" and api.storage_origin:
                    # Deployed, presigned URLs are https: S3; locally they are moto's http origin.
                    content = content.replace(
                        b"connect-src 'self' https:",
                        f"connect-src 'self' https: {api.storage_origin}".encode(),
                    )
                self._send(
                    HTTPStatus.OK, STATIC_TYPES.get(target.suffix, "application/octet-stream"), content
                )
                return True

            def _send_proxy_result(self, result: dict[str, Any]) -> None:
                body = result.get("body") or ""
                payload = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
                self.send_response(int(result["statusCode"]))
                sent: set[str] = set()
                for key, values in (result.get("multiValueHeaders") or {}).items():
                    for value in values:
                        self.send_header(key, str(value))
                    sent.add(key.lower())
                for key, value in (result.get("headers") or {}).items():
                    if key.lower() not in sent:
                        self.send_header(key, str(value))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _send(self, status: int, content_type: str, payload: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


LINK = re.compile(r"https?://[^\s<>\"']+")


def linked(text: str) -> str:
    """A message's text as HTML, its http(s) links clickable (the rest escaped)."""
    parts, last = [], 0
    for found in LINK.finditer(text):
        url = found.group().rstrip(".,;:)")
        end = found.start() + len(url)
        parts += [
            html.escape(text[last : found.start()]),
            f'<a href="{html.escape(url)}">{html.escape(url)}</a>',
        ]
        last = end
    return "".join([*parts, html.escape(text[last:])])


def render_outbox(outbox: Outbox) -> str:
    rows = "\n".join(
        f"<article><header><strong>{html.escape(m.channel)}</strong> to {html.escape(', '.join(m.to))}"
        f" <time>{html.escape(m.sent_at)}</time>"
        + (f" signature {html.escape(m.signature)}, answered {m.answered}" if m.signature else "")
        + "</header>"
        f"<h2>{html.escape(m.subject)}</h2><div class=body>{linked(m.body)}</div></article>"
        for m in outbox.messages()
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Local outbox</title>"
        "<style>body{font:15px system-ui;margin:2rem;max-width:60rem}article{border:1px solid #ccc;"
        "border-radius:6px;padding:1rem;margin:1rem 0}.body{white-space:pre-wrap;font-family:monospace}"
        "h2{font-size:1.1rem}</style>"
        "</head><body><h1>Local outbox</h1>"
        "<p>Every email, SMS, voice message and webhook the local stack sent, newest first."
        " JSON: <a href='/_local/outbox'>/_local/outbox</a></p>"
        f"{rows or '<p>Nothing sent yet.</p>'}</body></html>"
    )


def web_root() -> Path:
    return WEB_ROOT
