"""The one map from domain errors to HTTP answers, shared by every API handler.

Routes never catch: whatever they raise lands here. Known domain errors get their status
and a fixed sentence; validation errors get one reason per field; anything else is a 500
with a generic body (its text is logged, masked, never sent to the client).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from privacy_rights.core import errors

IDEMPOTENCY_ERRORS = "aws_lambda_powertools.utilities.idempotency.exceptions"

STATUS_BY_ERROR: dict[type[errors.DomainError], HTTPStatus] = {
    errors.ValidationFailed: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.PersonalDataInAudit: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.NotFound: HTTPStatus.NOT_FOUND,
    errors.Unauthenticated: HTTPStatus.FORBIDDEN,
    errors.IllegalTransition: HTTPStatus.CONFLICT,
    errors.ConcurrentModification: HTTPStatus.CONFLICT,
    errors.ExtensionNotAllowed: HTTPStatus.CONFLICT,
    errors.WaitNotPending: HTTPStatus.CONFLICT,
    errors.SubjectBusy: HTTPStatus.CONFLICT,
    errors.NotInQueue: HTTPStatus.CONFLICT,
    errors.TransientDependencyError: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.CodeRejected: HTTPStatus.BAD_REQUEST,
    errors.FactNotYet: HTTPStatus.BAD_REQUEST,
    errors.CodeExpired: HTTPStatus.GONE,
    errors.ExportExpired: HTTPStatus.GONE,
    errors.VerificationLocked: HTTPStatus.TOO_MANY_REQUESTS,
    errors.TooManyCodes: HTTPStatus.TOO_MANY_REQUESTS,
    errors.RateLimited: HTTPStatus.TOO_MANY_REQUESTS,
    errors.PhoneMessageRefused: HTTPStatus.TOO_MANY_REQUESTS,
    errors.PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}


def json_response(
    status: HTTPStatus, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[Any]:
    return Response(
        status_code=status.value, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


#: What a pattern means, in words (pydantic's own message quotes the regular expression).
PATTERN_SENTENCES = {
    r"^\d{6}$": "Enter the 6-digit code we sent you (digits only).",
}
#: Pydantic's messages that say nothing to a person, by error type.
TYPE_SENTENCES = {
    "extra_forbidden": "unknown field",
    "json_invalid": "The request body is not valid JSON.",
    "string_pattern_mismatch": "This is not in the expected format.",
    "model_attributes_type": "Send a JSON object here.",
    "model_type": "Send a JSON object here.",
    "dict_type": "Send a JSON object here.",
}
SEND_JSON = "Send the request body as JSON, with the header Content-Type: application/json."
#: The reason ``runtime.api.json_body`` gives for JSON beyond what is read (not a syntax error).
BEYOND_JSON_LIMITS = "beyond the limits read"
TOO_BIG_TO_READ = (
    "The request body holds a number too long to read, or lists nested too deeply. "
    "Every field of this API is short: send it as ordinary JSON."
)


def field_reasons(validation_errors: Sequence[Any]) -> list[dict[str, str]]:
    """Pydantic's errors as ``{"field": "body.email", "reason": "..."}``, without echoing input
    (nor our own patterns: a person cannot read a regular expression)."""
    reasons = []
    for error in validation_errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
        kind = str(error.get("type") or "")
        message = str(error.get("msg") or kind or "invalid")
        message = message.removeprefix("Value error, ")
        if kind == "string_pattern_mismatch":
            pattern = str((error.get("ctx") or {}).get("pattern", ""))
            message = PATTERN_SENTENCES.get(pattern, TYPE_SENTENCES[kind])
        elif kind in TYPE_SENTENCES:
            message = TYPE_SENTENCES[kind]
        reasons.append({"field": location or "body", "reason": message})
    return reasons


def _sent_as_json(app: ApiGatewayResolver) -> bool:
    content_type = (app.current_event.headers.get("content-type") or "").strip().lower()
    media = content_type.split(";", 1)[0].strip()
    return not media or media == "application/json" or media.endswith("+json")


def register_error_handlers(app: ApiGatewayResolver, logger: Logger) -> None:
    @app.exception_handler(RequestUnsupportedContentType)
    def _not_json(exc: RequestUnsupportedContentType) -> Response[Any]:
        return json_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"message": SEND_JSON})

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response[Any]:
        in_body = any(next(iter(e.get("loc") or ("",))) == "body" for e in exc.errors())
        if in_body and not _sent_as_json(app):
            # A form's fields arrive as lists: their errors would describe our parsing, not the input.
            return json_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"message": SEND_JSON})
        unreadable = [e for e in exc.errors() if e.get("type") == "json_invalid"]
        if unreadable:
            beyond = (unreadable[0].get("ctx") or {}).get("error") == BEYOND_JSON_LIMITS
            message = TOO_BIG_TO_READ if beyond else f"The request body is not valid JSON. {SEND_JSON}"
            return json_response(HTTPStatus.BAD_REQUEST, {"message": message})
        reasons = field_reasons(exc.errors())
        return json_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, {"message": "The input is not valid.", "errors": reasons}
        )

    @app.exception_handler(errors.ValidationFailed)
    def _invalid_domain_input(exc: errors.ValidationFailed) -> Response[Any]:
        reasons = [{"field": field, "reason": reason} for field, reason in sorted(exc.errors.items())]
        return json_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, {"message": exc.public_message, "errors": reasons}
        )

    @app.exception_handler(errors.DomainError)
    def _domain_error(exc: errors.DomainError) -> Response[Any]:
        status = next(
            (code for kind, code in STATUS_BY_ERROR.items() if isinstance(exc, kind)),
            HTTPStatus.INTERNAL_SERVER_ERROR,
        )
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            logger.exception("domain error without an HTTP mapping", extra={"error": type(exc).__name__})
        body = {"message": exc.public_message}
        if isinstance(exc, errors.CannotMove):
            body["why"] = exc.why  # what would move it: a sentence of ours, never input
        return json_response(status, body)

    idempotency = sys.modules.get(IDEMPOTENCY_ERRORS)
    # Only a handler that imported Powertools' idempotency (intake, before it builds its API)
    # can raise its errors; importing them here would cost every other API's cold start ~30 ms.
    if idempotency is not None:

        @app.exception_handler(idempotency.IdempotencyValidationError)
        def _key_reused(exc: Exception) -> Response[Any]:
            return json_response(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                {"message": "This Idempotency-Key was already used with a different request body."},
            )

        @app.exception_handler(idempotency.IdempotencyAlreadyInProgressError)
        def _key_in_flight(exc: Exception) -> Response[Any]:
            return json_response(
                HTTPStatus.CONFLICT, {"message": "A request with this Idempotency-Key is in progress."}
            )

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unhandled error", extra={"error": type(exc).__name__})
        return json_response(HTTPStatus.INTERNAL_SERVER_ERROR, {"message": "Internal error."})
