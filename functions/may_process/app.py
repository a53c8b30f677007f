"""POST /internal/may-process (IAM): may the platform process this identifier for this purpose?
Asked by the platform's ingestion and AI-training pipelines before they use an identifier."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body

from privacy_rights.preferences.preference_service import MayProcessQuery
from privacy_rights.preferences.preferences import Decision
from privacy_rights.runtime.api import caller_identity
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import metrics, tracer

api = api_function("may_process")
app = api.app


@app.post("/internal/may-process", summary="Yes or no, with the reason, for one identifier and purpose")
@tracer.capture_method
def may_process(query: Annotated[MayProcessQuery, Body()]) -> Decision:
    caller_identity(app.current_event)  # IAM-authorized: refuse a request that names nobody
    decision = api.container.preferences.may_process(query)
    metrics.add_metric(
        name="ProcessingRefused" if not decision.allowed else "ProcessingAllowed", unit="Count", value=1
    )
    return decision


handler = api.handler
