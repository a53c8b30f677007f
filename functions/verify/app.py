"""POST /requests/{request_id}/verify (Bearer status token): a one-time code, a sign-in, or a fact
about the platform's records proving the requester's identity. 404 without the request's token
(as for an unknown request), 400 wrong code, 410 expired (a new one is sent), 429 locked.

POST /requests/{request_id}/appeal (Bearer status token): the status page's "Appeal this
decision" (US state laws). 404 without the token, 409 with ``why`` when it cannot be appealed.

POST /requests/{request_id}/statement (Bearer status token): the person's statement about a
correction we denied (CCPA 7023(f)), up to 250 words, once. 404 without the token, 409 with
``why`` when the request took no denial or has a statement already, 422 over 250 words."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path

from privacy_rights.correction.statements import AddStatement, StatementKept
from privacy_rights.rights_requests.appeals import AppealFiled, FileAppeal
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


@app.post("/requests/<request_id>/appeal", summary="Appeal the answer to a request (US state laws)")
@tracer.capture_method
def appeal(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    command: Annotated[FileAppeal, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> AppealFiled:
    filed = api.container.appeals.file_with_token(request_id, bearer_token(authorization), command)
    metrics.add_metric(name="AppealsFiled", unit="Count", value=1)
    return filed


@app.post(
    "/requests/<request_id>/statement",
    summary="Add a statement (up to 250 words) to a correction we denied (CCPA 7023(f))",
)
@tracer.capture_method
def statement(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    command: Annotated[AddStatement, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> StatementKept:
    kept = api.container.correction_statements.add_with_token(
        request_id, bearer_token(authorization), command
    )
    metrics.add_metric(name="CorrectionStatementsAdded", unit="Count", value=1)
    return kept


handler = api.handler
