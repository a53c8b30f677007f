"""Signed permissions of authorized agents and guardians, uploaded straight to S3 with a
presigned POST whose policy limits size and type, or attached to an email. Nothing in them is
opened or rendered: a document counts only when its first bytes (one ranged GetObject) and its
size make it a real PDF, PNG, JPEG or TIFF (``privacy_rights.core.documents``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.documents import (
    CORRECTION_EVIDENCE_PREFIX,
    HEAD_BYTES,
    MAX_BYTES,
    MIN_BYTES,
    Examined,
    Refusal,
    examine,
)
from privacy_rights.core.ports import PermissionDocument

ALLOWED_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/tiff")
FORM_LIFETIME_SECONDS = 900
#: At most this many objects of one request are looked at (each costs a ranged GetObject).
MAX_DOCUMENTS = 100
_GONE = ("404", "NoSuchKey", "NotFound")
EVIDENCE = CORRECTION_EVIDENCE_PREFIX.rstrip("/")


class PermissionDocuments:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def upload_form(self, request_id: str, content_type: str, document: str = "permission") -> dict[str, Any]:
        """``document`` ``correction_evidence``: a document supporting a correction, kept apart
        (``permissions/correction-evidence/<request>/``) so it never counts as a permission."""
        folder = f"permissions/{request_id}" if document == "permission" else f"{EVIDENCE}/{request_id}"
        key = f"{folder}/{uuid.uuid4().hex}"
        form: dict[str, Any] = self._s3.generate_presigned_post(
            Bucket=self._bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", MIN_BYTES, MAX_BYTES]],
            ExpiresIn=FORM_LIFETIME_SECONDS,
        )
        return {
            "url": form["url"],
            "fields": form["fields"],
            "key": key,
            "min_bytes": MIN_BYTES,
            "max_bytes": MAX_BYTES,
        }

    def copy_from(self, bucket: str, key: str, request_id: str) -> PermissionDocument:
        """A permission that arrived as an email attachment: examined like an upload, and
        copied under the request only if acceptable. A refused one stays where it was (its
        ``key`` is then the source key) and is not copied."""
        size = int(self._s3.head_object(Bucket=bucket, Key=key)["ContentLength"])
        examined = self._examine(bucket, key, size)
        if examined.refusal is not None:
            return PermissionDocument(key, size, None, examined.refusal)
        destination = f"permissions/{request_id}/{uuid.uuid5(uuid.NAMESPACE_URL, bucket + '/' + key).hex}"
        self._s3.copy_object(Bucket=self._bucket, Key=destination, CopySource={"Bucket": bucket, "Key": key})
        return PermissionDocument(destination, size, examined.kind, None)

    def documents(self, request_id: str) -> list[PermissionDocument]:
        """Every file under the request (at most ``MAX_DOCUMENTS``), each with its kind or the
        reason it does not count."""
        return list(self._documents(request_id))

    def evidence(self, request_id: str) -> list[PermissionDocument]:
        """The documents supporting a correction (``permissions/correction-evidence/<request>/``),
        examined like permissions: ops open only those that are what they claim to be."""
        return list(self._documents(request_id, f"{EVIDENCE}/{request_id}/"))

    def view_url(self, key: str, seconds: int) -> str:
        """A presigned GET of one document, for ops to read it: downloaded as an attachment
        (never rendered from the bucket's origin), valid ``seconds``."""
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

    def present(self, request_id: str) -> bool:
        """True when at least one acceptable document is stored for the request."""
        return any(document.acceptable for document in self._documents(request_id))

    def _documents(self, request_id: str, prefix: str | None = None) -> Iterator[PermissionDocument]:
        prefix = prefix or f"permissions/{request_id}/"
        pages = self._s3.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix, PaginationConfig={"MaxItems": MAX_DOCUMENTS}
        )
        for page in pages:
            for item in page.get("Contents", []):
                key, size = item["Key"], int(item["Size"])
                try:
                    examined = self._examine(self._bucket, key, size)
                except ClientError as exc:
                    if exc.response["Error"]["Code"] in _GONE:
                        continue  # deleted since it was listed
                    raise
                yield PermissionDocument(key, size, examined.kind, examined.refusal)

    def _examine(self, bucket: str, key: str, size: int) -> Examined:
        by_size = examine(b"", size)
        if by_size.refusal in (Refusal.TOO_SMALL, Refusal.TOO_LARGE):
            return by_size  # refused without reading it
        response = self._s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{HEAD_BYTES - 1}")
        return examine(response["Body"].read(HEAD_BYTES), size)
