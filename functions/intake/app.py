"""POST /requests: a person asks for one of their rights through the web form or the API."""

import functools
from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from privacy_rights.core.models import Channel
from privacy_rights.rights_requests.submission import SubmitRequest
from privacy_rights.runtime.api import browser_ids
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import metrics, tracer
from privacy_rights.runtime.snapstart import prime_before_snapshot

api = api_function("intake")
app = api.app
# The same Idempotency-Key returns the same answer for 24 hours; the same key with another
# body is refused. Without the header, nothing is cached.
idempotency = IdempotencyConfig(
    event_key_jmespath="key", payload_validation_jmespath="body", expires_after_seconds=86_400
)
api.on_invoke(idempotency.register_lambda_context)


def accept(submission: dict[str, Any]) -> dict[str, Any]:
    event = app.current_event
    acknowledgement = api.container.intake.submit(
        SubmitRequest.model_validate(submission["body"]),
        Channel.WEB,
        actor="web-form",
        source=event.request_context.identity.source_ip,
        gpc=(event.headers.get("sec-gpc") or event.headers.get("Sec-GPC")) == "1",
        browser_ids=browser_ids(event, api.settings.attribution_cookies),
    )
    return acknowledgement.model_dump(mode="json")


@functools.cache
def idempotent_accept() -> Callable[..., dict[str, Any]]:
    """``accept`` behind the idempotency records, on the container's DynamoDB client (one per
    service per container): built by the first submission, or before SnapStart's snapshot."""
    persistence = DynamoDBPersistenceLayer(
        table_name=api.settings.idempotency_table, boto3_client=api.container.client("dynamodb")
    )
    return idempotent_function(  # type: ignore[no-any-return]
        data_keyword_argument="submission", persistence_store=persistence, config=idempotency
    )(accept)


prime_before_snapshot(idempotent_accept)


@app.post(
    "/requests", summary="Submit a privacy rights request", responses={202: {"description": "Accepted"}}
)
@tracer.capture_method
def submit(
    body: Annotated[SubmitRequest, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None,
) -> Response[Any]:
    answer = idempotent_accept()(submission={"key": idempotency_key, "body": body.model_dump(mode="json")})
    metrics.add_metric(name="RequestsReceived", unit="Count", value=1)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=answer)


handler = api.handler
