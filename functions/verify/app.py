"""POST /requests/{request_id}/verify (Bearer status token): a one-time code, a sign-in, or a fact
about the platform's records proving the requester's identity. 404 without the request's token
(as for an unknown request), 400 wrong code, 410 expired (a new one is sent), 429 locked."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path

from privacy_rights.rights_requests.verification import VerifyAttempt, VerifyResult
from privacy_rights.runtime.api import bearer_token
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import metrics, tracer

api = api_function("verify")
app = api.app


@app.post("/requests/<request_id>/verify", summary="Prove control of an identifier with its code")
@tracer.capture_method
def verify(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    attempt: Annotated[VerifyAttempt, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> VerifyResult:
    source = app.current_event.request_context.identity.source_ip
    result = api.container.verification.verify(
        request_id, attempt, bearer_token(authorization), source=source
    )
    metrics.add_metric(name="RequestsVerified" if result.verified else "CodesAccepted", unit="Count", value=1)
    return result


handler = api.handler
