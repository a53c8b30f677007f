"""GET /requests/{request_id}: the requester follows their request with its status token."""

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from privacy_rights.rights_requests.intake import StatusView
from privacy_rights.runtime.api import bearer_token
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("request_status")
app = api.app


@app.get("/requests/<request_id>", summary="Status of a request (Bearer status token)")
@tracer.capture_method
def status(
    request_id: Annotated[str, Path(max_length=64)],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> StatusView:
    return api.container.intake.status(request_id, bearer_token(authorization))


handler = api.handler
