"""The inbound bucket: raw mail as SES wrote it under ``inbound/``, moved once processed to
``processed/``, ``review/`` or ``quarantine/<reason>/``; attachments kept under ``attachments/``.

A message is copied to its new place before the original is deleted, so a crash in between
leaves two copies, never none.
"""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Mailbox:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self.bucket = bucket

    def size(self, key: str) -> int | None:
        """Bytes of the object, or None when it is no longer there (already processed)."""
        try:
            return int(self._s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def read(self, key: str) -> bytes:
        body: bytes = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def write(self, key: str, raw: bytes) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=raw, ContentType="message/rfc822")

    def copy(self, key: str, destination: str) -> None:
        if key != destination and self.size(key) is not None:
            self._s3.copy_object(
                Bucket=self.bucket, Key=destination, CopySource={"Bucket": self.bucket, "Key": key}
            )

    def delete(self, key: str) -> None:
        self._s3.delete_object(Bucket=self.bucket, Key=key)

    def move(self, key: str, destination: str) -> None:
        if key != destination:
            self.copy(key, destination)
            self.delete(key)

    def keep_attachment(
        self, mail_id: str, index: int, filename: str, content_type: str, content: bytes
    ) -> str:
        """Stored by reference, never opened; the name is reduced to safe characters."""
        safe_name = _UNSAFE.sub("_", filename)[-80:] or "attachment"
        key = f"attachments/{mail_id}/{index:02d}-{safe_name}"
        self._s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=content,
            ContentType=content_type,
            ContentDisposition="attachment",
        )
        return key
