"""Short-lived presigned GETs of one bucket's objects, for ops to open what they review (a
recording an export holds back): downloaded as an attachment, never rendered from the bucket's
origin. Signed with the function's own role, so a link reaches only what the role may read."""

from __future__ import annotations

from typing import Any


class ObjectLinks:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def link(self, key: str, seconds: int) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": "attachment",
                "ResponseContentType": "application/octet-stream",
            },
            ExpiresIn=seconds,
        )
        return url
