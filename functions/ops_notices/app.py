"""The ops API for notices not delivered (AWS_IAM): those held for a retry or for a person, and a
person's decision on one (resend, delivered or abandon), audited with the caller's IAM identity.
A notice is never resent on a guess: only on a person's word."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from privacy_rights.orchestration.notice_retries import HeldNotice, NoticeDecision
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_notices", operators_only=True)
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]
NoticeName = Annotated[str, Path(pattern=r"^[a-z_:0-9]{1,60}$")]


@app.get("/ops/notices", summary="Notices not delivered: held for a retry, or for a person to decide")
@tracer.capture_method
def held_notices() -> list[HeldNotice]:
    api.operator()
    return api.container.notice_retries.held()


@app.post(
    "/ops/requests/<request_id>/notices/<notice>/decision",
    summary="A person's decision on a held notice: resend, delivered or abandon",
)
@tracer.capture_method
def decide_notice(
    request_id: RequestId, notice: NoticeName, command: Annotated[NoticeDecision, Body()]
) -> dict[str, str]:
    return api.container.notice_retries.decide(request_id, notice, command, api.operator())


handler = api.handler
