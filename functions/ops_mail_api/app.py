"""The ops API for inbound mail (AWS_IAM): the human-review queue, quarantine, and replay of
dead-lettered email-intake messages. Each action is audited with the caller's IAM identity."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from privacy_rights.mail.mail_ops import (
    AcceptCommand,
    DismissCommand,
    MailDetail,
    MailRow,
    Queue,
    ReplayDeadLettersCommand,
)
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_mail_api", operators_only=True)
app = api.app
MailId = Annotated[str, Path(pattern=r"^mail_[A-Za-z0-9_-]{10,64}$")]


@app.get("/ops/mail", summary="Inbound mail waiting for a person: review, clarification, quarantine")
@tracer.capture_method
def list_mail(queue: Annotated[Queue, Query()] = "human_review") -> list[MailRow]:
    api.operator()
    return api.container.mail_ops.list(queue)


@app.get("/ops/mail/dead-letters", summary="Email-intake messages SQS gave up on")
@tracer.capture_method
def dead_letters() -> dict[str, Any]:
    api.operator()
    return api.container.mail_ops.dead_letters()


@app.post("/ops/mail/dead-letters/replay", summary="Send dead-lettered messages back through intake")
@tracer.capture_method
def replay_dead_letters(command: Annotated[ReplayDeadLettersCommand, Body()]) -> dict[str, Any]:
    return api.container.mail_ops.replay_dead_letters(command, api.operator())


@app.get("/ops/mail/<mail_id>", summary="One email: what it says, what became of it, its trail")
@tracer.capture_method
def show(mail_id: MailId) -> MailDetail:
    api.operator()
    return api.container.mail_ops.show(mail_id)


@app.post("/ops/mail/<mail_id>/accept", summary="Make the reviewed email the request(s) it is")
@tracer.capture_method
def accept(mail_id: MailId, command: Annotated[AcceptCommand, Body()]) -> dict[str, Any]:
    return api.container.mail_ops.accept(mail_id, command, api.operator())


@app.post("/ops/mail/<mail_id>/dismiss", summary="Take an email off its queue, with the reason")
@tracer.capture_method
def dismiss(mail_id: MailId, command: Annotated[DismissCommand, Body()]) -> dict[str, Any]:
    return api.container.mail_ops.dismiss(mail_id, command, api.operator())


handler = api.handler
