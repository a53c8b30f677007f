"""Signed permissions of authorized agents and guardians, uploaded straight to S3 with a
presigned POST whose policy limits size and type; nothing in them is opened or rendered."""

from __future__ import annotations

import uuid
from typing import Any

ALLOWED_TYPES = ("application/pdf", "image/png", "image/jpeg")
MAX_BYTES = 5 * 1024 * 1024
FORM_LIFETIME_SECONDS = 900


class PermissionDocuments:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def upload_form(self, request_id: str, content_type: str) -> dict[str, Any]:
        key = f"permissions/{request_id}/{uuid.uuid4().hex}"
        form: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
            ExpiresIn=FORM_LIFETIME_SECONDS,
        )
        return {"url": form["url"], "fields": form["fields"], "key": key, "max_bytes": MAX_BYTES}

    def copy_from(self, bucket: str, key: str, request_id: str) -> str:
        """A permission that arrived as an email attachment (already screened by type)."""
        destination = f"permissions/{request_id}/{uuid.uuid5(uuid.NAMESPACE_URL, bucket + '/' + key).hex}"
        self._s3.copy_object(Bucket=self._bucket, Key=destination, CopySource={"Bucket": bucket, "Key": key})
        return destination

    def present(self, request_id: str) -> bool:
        prefix = f"permissions/{request_id}/"
        response = self._s3.list_objects_v2(Bucket=self._bucket, Prefix=prefix, MaxKeys=1)
        return bool(response.get("KeyCount"))
