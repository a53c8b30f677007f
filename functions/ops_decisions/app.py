"""The ops API for decisions a person is told about (AWS_IAM): an extension of the deadline, an
appeal, grounds overriding an objection, a restriction's lift and a correction's review. Each is
audited with the caller's IAM identity."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from privacy_rights.correction.review import CorrectionReviewed, ReviewCorrection
from privacy_rights.ops.extensions import ExtendCommand, ExtensionGranted
from privacy_rights.preferences.preference_decisions import (
    GroundsCommand,
    GroundsRecorded,
    LiftAnnounced,
    LiftCommand,
)
from privacy_rights.rights_requests.appeals import AppealDecided, DecideAppeal
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("ops_decisions", operators_only=True)
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.post(
    "/ops/requests/<request_id>/extend",
    summary="Extend the deadline once, within the law's limit and before it passes; the person is told why",
)
@tracer.capture_method
def extend(request_id: RequestId, command: Annotated[ExtendCommand, Body()]) -> ExtensionGranted:
    return api.container.extensions.extend(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/appeal",
    summary="Decide an appeal (US state laws) with the written explanation the person reads",
)
@tracer.capture_method
def decide_appeal(request_id: RequestId, command: Annotated[DecideAppeal, Body()]) -> AppealDecided:
    return api.container.appeals.decide(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/objection-grounds",
    summary="Record compelling legitimate grounds overriding an objection for one purpose (never "
    "marketing); the person is told, with the right to complain",
)
@tracer.capture_method
def objection_grounds(request_id: RequestId, command: Annotated[GroundsCommand, Body()]) -> GroundsRecorded:
    return api.container.preference_decisions.record_grounds(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/lift-restriction",
    summary="Lift a restriction: the person is told first, and it ends only after the notice period",
)
@tracer.capture_method
def lift_restriction(request_id: RequestId, command: Annotated[LiftCommand, Body()]) -> LiftAnnounced:
    return api.container.preference_decisions.lift_restriction(request_id, command, api.operator())


@app.post(
    "/ops/requests/<request_id>/correction",
    summary="Review a correction's planned changes: deny fields with the reason the person reads; "
    "the rest are applied",
)
@tracer.capture_method
def review_correction(
    request_id: RequestId, command: Annotated[ReviewCorrection, Body()]
) -> CorrectionReviewed:
    return api.container.correction_review.review(request_id, command, api.operator())


handler = api.handler
