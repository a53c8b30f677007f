"""What every API handler sets up the same way: the resolver with validation, CORS from the
settings and the shared error map."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from privacy_rights.errors import Unauthenticated
from privacy_rights.http_errors import register_error_handlers
from privacy_rights.settings import Settings


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


def caller_identity(event: APIGatewayProxyEvent) -> str:
    """The IAM principal API Gateway authenticated (AWS_IAM authorization). Routes behind IAM
    only: without it, nobody is acting and the request is refused."""
    identity = event.request_context.identity
    principal = identity.user_arn or identity.caller
    if not principal:
        raise Unauthenticated("no IAM identity in the request context")
    return principal


def bearer_token(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
