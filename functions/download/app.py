"""GET /requests/{request_id}/download with the status token: a redirect to the export, through a
presigned URL valid 15 minutes (JSON with the URL when the client asks for JSON). Audited."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from privacy_rights.runtime.api import bearer_token
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("download")
app = api.app
RequestId = Annotated[str, Path(min_length=5, max_length=64)]


@app.get("/requests/<request_id>/download", summary="Download the export (status token as Bearer)")
@tracer.capture_method
def download(
    request_id: RequestId,
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
    accept: Annotated[str | None, Header(alias="Accept")] = None,
) -> Response[Any]:
    request = api.container.intake.authorized(request_id, bearer_token(authorization))
    url = api.container.export.download_url(request, actor="requester")
    if "application/json" in (accept or ""):
        return Response(200, "application/json", {"url": url, "expires_in": 900})
    return Response(302, "text/plain", "", headers={"Location": url, "Cache-Control": "no-store"})


handler = api.handler
