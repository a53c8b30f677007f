"""POST /requests/{request_id}/permission-upload (Bearer status token): a presigned POST for
the signed permission of an authorized agent or guardian, or (``document: correction_evidence``)
for a document supporting an open correction (PDF, PNG, JPEG or TIFF, 1 KiB to 5 MiB)."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Path
from pydantic import BaseModel, ConfigDict

from privacy_rights.runtime.api import bearer_token
from privacy_rights.runtime.api_handler import api_function
from privacy_rights.runtime.observability import tracer

api = api_function("permission_upload")
app = api.app


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_type: Literal["application/pdf", "image/png", "image/jpeg", "image/tiff"]
    #: what the file is: the agent's signed permission, or a document supporting a correction
    document: Literal["permission", "correction_evidence"] = "permission"


@app.post("/requests/<request_id>/permission-upload", summary="Where to upload the agent's signed permission")
@tracer.capture_method
def permission_upload(
    request_id: Annotated[str, Path(min_length=5, max_length=64)],
    upload: Annotated[UploadRequest, Body()],
    authorization: Annotated[str | None, Header(alias="Authorization")] = None,
) -> dict[str, Any]:
    return api.container.intake.permission_upload(
        request_id, bearer_token(authorization), upload.content_type, upload.document
    )


handler = api.handler
