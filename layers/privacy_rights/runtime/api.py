"""What every API handler sets up the same way: the resolver with validation, CORS from the
settings and the shared error map."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from privacy_rights.core.errors import Unauthenticated
from privacy_rights.runtime.http_errors import register_error_handlers
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
    app = APIGatewayRestResolver(enable_validation=True, cors=cors)
    register_error_handlers(app, logger)
    return app


def resolve(
    app: APIGatewayRestResolver, event: dict[str, Any], context: Any, max_body_bytes: int
) -> dict[str, Any]:
    """Resolve an API event, refusing an oversized body before anything parses it (the
    resolver's validation runs before any middleware)."""
    body = event.get("body") or ""
    size = len(body) * 3 // 4 if event.get("isBase64Encoded") else len(body.encode())
    if size > max_body_bytes:
        message = {"message": f"The request body is larger than {max_body_bytes} bytes."}
        return {
            "statusCode": HTTPStatus.REQUEST_ENTITY_TOO_LARGE.value,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(message),
            "isBase64Encoded": False,
        }
    answer: dict[str, Any] = app.resolve(event, context)
    return answer


def caller_identity(event: APIGatewayProxyEvent) -> str:
    """The IAM principal API Gateway authenticated (AWS_IAM authorization). Routes behind IAM
    only: without it, nobody is acting and the request is refused."""
    identity = event.request_context.identity
    principal = identity.user_arn or identity.caller
    if not principal:
        raise Unauthenticated("no IAM identity in the request context")
    return principal


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
