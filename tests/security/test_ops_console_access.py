"""The ops console (issue 18) is a new way in to the ops API: a Cognito sign-in whose identity
pool hands out sessions of the console's role (`OpsConsoleRole`). These attacks hold:

- the console's pages are public files, the API they call is not: every route it uses refuses
  a call without a signature (locally: without an operator), and nothing is done;
- a session of the console's role that no signed-in user pool user stands behind (the pool's
  own session name without a user, or a name the caller chose) is refused;
- the console's local stand-in, the ``X-Local-Operator`` header, names nobody where API Gateway
  passes the request on (as deployed, the function gets the header as plain text and no IAM
  identity): it is refused there.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from harness import Http, Service

pytestmark = pytest.mark.security

ACCOUNT = "123456789012"
CONSOLE_ROLE = "privacy-local-ops-console"  # the local stack's name: {stack}-ops-console
NOT_A_SIGNED_IN_USER = [
    f"arn:aws:sts::{ACCOUNT}:assumed-role/{CONSOLE_ROLE}/CognitoIdentityCredentials",  # no user named
    f"arn:aws:sts::{ACCOUNT}:assumed-role/{CONSOLE_ROLE}/olivia",  # a session name of one's choosing
]
#: what the console calls: its pages, its reads and each of its actions
CONSOLE_ROUTES = [
    ("GET", "/ops/requests?status=failed&limit=51", None),
    ("GET", "/ops/requests/req_doesnotmatter", None),
    ("GET", "/ops/deadlines", None),
    ("GET", "/ops/notices", None),
    ("POST", "/ops/requests/req_doesnotmatter/replay", {"reason": "an attacker's reason"}),
    ("POST", "/ops/requests/req_doesnotmatter/cancel", {"reason": "an attacker's reason"}),
    (
        "POST",
        "/ops/requests/req_doesnotmatter/appeal",
        {"decision": "granted", "explanation": "granted", "reason": "an attacker's reason"},
    ),
    (
        "POST",
        "/ops/requests/req_doesnotmatter/notices/final/decision",
        {"decision": "abandon", "reason": "an attacker's reason"},
    ),
    (
        "POST",
        "/ops/requests/req_doesnotmatter/documents/link",
        {"key": "permissions/req_doesnotmatter/x", "reason": "an attacker's reason"},
    ),
    (
        "POST",
        "/ops/requests/req_doesnotmatter/recordings/link",
        {"key": "recordings/acme/call.wav", "reason": "an attacker's reason"},
    ),
    ("GET", "/ops/requests?status=in_progress&waiting_for=customer", None),
    ("GET", "/ops/customers/northwind", None),
    ("GET", "/ops/metrics?year=2026&scope=all&format=json", None),
    ("GET", "/ops/mail?queue=human_review", None),
    ("POST", "/ops/mail/m_doesnotmatter/dismiss", {"reason": "an attacker's reason"}),
    ("GET", "/ops/holds", None),
    (
        "POST",
        "/ops/holds",
        {"email": "victim@example.com", "matter": "M-1", "reason": "an attacker's reason"},
    ),
]


def _holds(service: Service) -> Any:
    return service.ops("GET", "/ops/holds?all=true").body


def test_the_console_pages_are_served_and_the_api_they_call_refuses_unsigned_calls(service: Service) -> None:
    outsider = Http(service.api_url, "127.0.0.9")
    page = outsider.call("GET", "/ops/")
    assert page.status == 200
    assert "privacy operations" in str(page.body).lower()  # the title; the header is drawn by script
    before = _holds(service)

    for method, path, body in CONSOLE_ROUTES:
        answer = outsider.call(method, path, body)
        assert answer.status == 403, (method, path, answer)

    assert _holds(service) == before


@pytest.mark.parametrize("principal", NOT_A_SIGNED_IN_USER)
@pytest.mark.parametrize(("method", "path", "body"), CONSOLE_ROUTES)
def test_a_console_role_session_without_a_signed_in_user_is_refused(
    service: Service, principal: str, method: str, path: str, body: object
) -> None:
    before = _holds(service)

    answer = Http(service.api_url, "127.0.0.10").call(
        method, path, body, headers={"X-Local-Operator": principal}
    )

    assert answer.status == 403, answer
    assert _holds(service) == before


def test_the_local_operator_header_is_refused_where_api_gateway_passes_the_call(service: Service) -> None:
    """As deployed: API Gateway hands the function the request with its headers as sent and an
    IAM identity only when a signature proved one. The console's local header proves nothing."""
    before = _holds(service)
    body = {"email": "victim@example.com", "matter": "M-2", "reason": "an attacker's reason"}
    for function, method, path, payload in [
        ("OpsHoldsFunction", "POST", "/ops/holds", body),
        ("OpsRequestsFunction", "GET", "/ops/requests", None),
    ]:
        event = _as_api_gateway_delivers(method, path, payload, {"X-Local-Operator": "olivia"})

        result, errored = service.running.lambdas.invoke(function, event)

        assert not errored
        assert result["statusCode"] == 403, result
    assert _holds(service) == before


def _as_api_gateway_delivers(method: str, path: str, body: Any, headers: dict[str, str]) -> dict[str, Any]:
    sent = {"Content-Type": "application/json"} | headers
    identity = dict.fromkeys(
        ("accountId", "caller", "user", "userArn", "accessKey", "cognitoIdentityId",
         "cognitoIdentityPoolId", "cognitoAuthenticationType", "cognitoAuthenticationProvider"),
    ) | {"sourceIp": "203.0.113.9", "userAgent": "attacker"}  # fmt: skip
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "OpsApi",
            "resourcePath": path,
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": identity,
            "path": f"/v1{path}",
            "httpMethod": method,
        },
        "body": json.dumps(body) if body is not None else None,
        "isBase64Encoded": False,
    }
