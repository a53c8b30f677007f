"""What every API handler sets up the same way: the resolver with validation, CORS from the
settings and the shared error map."""

from __future__ import annotations

import base64
import binascii
import json
import re
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from privacy_rights.core.errors import Unauthenticated
from privacy_rights.runtime.http_errors import BEYOND_JSON_LIMITS, register_error_handlers
from privacy_rights.runtime.settings import Settings


def rest_resolver(settings: Settings, logger: Logger) -> APIGatewayRestResolver:
    origins = settings.origins
    cors = (
        CORSConfig(
            allow_origin=origins[0],
            extra_origins=origins[1:],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "Sec-GPC"],
            max_age=600,
        )
        if origins
        else None
    )
    app = APIGatewayRestResolver(enable_validation=True, cors=cors, json_body_deserializer=json_body)
    register_error_handlers(app, logger)
    return app


def resolve(
    app: APIGatewayRestResolver,
    event: dict[str, Any],
    context: Any,
    max_body_bytes: int,
    operators: str | None = None,
    console_operators: str = "",
) -> dict[str, Any]:
    """Resolve an API event. Before anything parses it (the resolver's validation runs before
    any middleware): an oversized body is refused, and with ``operators`` (the operations
    role's ARN) a caller who is not one of its sessions."""
    if operators is not None:
        try:
            operator_identity(APIGatewayProxyEvent(event), operators, console_operators)
        except Unauthenticated as refused:
            return _proxy_answer(HTTPStatus.FORBIDDEN, {"message": refused.public_message})
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > max_body_bytes:
        message = {"message": f"The request body is larger than {max_body_bytes} bytes."}
        return _proxy_answer(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message)
    if not _utf8_body(event):
        message = {"message": "The request body is not text in UTF-8. Send JSON encoded in UTF-8."}
        return _proxy_answer(HTTPStatus.BAD_REQUEST, message)
    answer: dict[str, Any] = app.resolve(event, context)
    return answer


def json_body(text: str) -> Any:
    """``json.loads``, where what Python refuses past the grammar (an integer of more than 4,300
    digits, arrays nested thousands deep) is invalid JSON like any other: the resolver answers it
    as such instead of crashing."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError):
        raise json.JSONDecodeError(BEYOND_JSON_LIMITS, "", 0) from None


def _utf8_body(event: dict[str, Any]) -> bool:
    """API Gateway passes a body that is not UTF-8 as base64; every route of ours takes JSON text."""
    body = event.get("body")
    if not body or not event.get("isBase64Encoded"):
        return True
    try:
        base64.b64decode(body, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return True


def _proxy_answer(status: HTTPStatus, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status.value,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def caller_identity(event: APIGatewayProxyEvent) -> str:
    """The IAM principal API Gateway authenticated (AWS_IAM authorization). Routes behind IAM
    only: without it, nobody is acting and the request is refused."""
    identity = event.request_context.identity
    principal = identity.user_arn or identity.caller
    if not principal:
        raise Unauthenticated("no IAM identity in the request context")
    return principal


#: the session name Cognito's identity pool gives every set of credentials it hands out
COGNITO_SESSION = "CognitoIdentityCredentials"
#: who signed in to the ops console, as API Gateway reports it for identity pool credentials:
#: ``cognito-idp.<region>.amazonaws.com/<pool>,cognito-idp.<region>.amazonaws.com/<pool>:CognitoSignIn:<sub>``
COGNITO_SIGN_IN = re.compile(
    r"cognito-idp\.[a-z0-9-]+\.amazonaws\.com/(?P<pool>[\w-]+_[0-9A-Za-z]+):CognitoSignIn:(?P<sub>[0-9a-f-]{36})"
)


def operator_identity(event: APIGatewayProxyEvent, ops_role_arn: str, console_role_arn: str = "") -> str:
    """The caller, when it is the privacy operations role (a session of it: staff assume the
    role, their session name is who they are) or that very principal; refused otherwise.

    ``console_role_arn`` (issue 18) is the ops console's role, which the Cognito identity pool
    hands to a signed-in user pool user: its sessions are always named
    ``CognitoIdentityCredentials``, and who acts is the user API Gateway names in the request
    context (from the credentials' identity, never from anything the caller sends). A session
    of it by any other name, or without a signed-in user, is refused.

    API Gateway's resource policy admits only these roles too; this check holds where a policy is
    changed by hand, or where another IAM route of the account reaches the function.
    """
    principal = caller_identity(event)
    if console_role_arn and _is_session_of(principal, console_role_arn):
        provider = event.request_context.identity.cognito_authentication_provider or ""
        signed_in = COGNITO_SIGN_IN.search(provider)
        if principal.rsplit("/", 1)[-1] != COGNITO_SESSION or signed_in is None:
            raise Unauthenticated("a console session names no signed-in user")
        return f"{principal}/{signed_in['sub']}"
    if not ops_role_arn or not _is_session_of(principal, ops_role_arn):
        raise Unauthenticated("the caller is not the privacy operations role")
    return principal


def _is_session_of(principal: str, allowed: str) -> bool:
    if principal == allowed:
        return True
    role = re.fullmatch(
        r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):role/(?:[\w+=,.@/-]*/)?(?P<name>[\w+=,.@-]+)",
        allowed,
    )
    session = re.fullmatch(
        r"arn:(?P<partition>[\w-]+):sts::(?P<account>\d{12}):assumed-role/(?P<name>[\w+=,.@-]+)/[\w+=,.@-]+",
        principal,
    )
    return bool(
        role
        and session
        and (role["partition"], role["account"], role["name"])
        == (session["partition"], session["account"], session["name"])
    )


def browser_ids(event: APIGatewayProxyEvent, cookie_names: str) -> tuple[str, ...]:
    """The pseudonymous ids the platform's attribution pixels set in this browser's cookies."""
    wanted = {name.strip() for name in cookie_names.split(",") if name.strip()}
    header = event.headers.get("cookie") or event.headers.get("Cookie") or ""
    found = []
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name in wanted and value and len(value) <= 200:
            found.append(f"{name}={value}")
    return tuple(found)


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
