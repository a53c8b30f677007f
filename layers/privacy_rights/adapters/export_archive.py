"""The exports bucket: a ZIP written as a stream of multipart-upload parts, so memory stays at
one part whatever the export's size; downloads through short-lived presigned URLs."""

from __future__ import annotations

import io
from typing import Any

from privacy_rights.adapters.platform_eraser import delete_versions, object_versions

PART_BYTES = 8 * 1024 * 1024  # S3's minimum is 5 MiB for every part but the last


class MultipartWriter(io.RawIOBase):
    def __init__(self, s3: Any, bucket: str, key: str, part_bytes: int = PART_BYTES) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._key = key
        self._part_bytes = part_bytes
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/zip")[
            "UploadId"
        ]
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._buffer += view
        self._written += len(view)
        while len(self._buffer) >= self._part_bytes:
            self._upload(bytes(self._buffer[: self._part_bytes]))
            del self._buffer[: self._part_bytes]
        return len(view)

    def tell(self) -> int:
        return self._written

    def _upload(self, chunk: bytes) -> None:
        number = len(self._parts) + 1
        etag = self._s3.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=chunk
        )["ETag"]
        self._parts.append({"PartNumber": number, "ETag": etag})

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._buffer or not self._parts:
                self._upload(bytes(self._buffer))
                self._buffer.clear()
            self._s3.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        except Exception:
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
            raise
        finally:
            super().close()

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        if exc_type is not None and not self.closed:
            # A failed export leaves no half-written object behind.
            self._s3.abort_multipart_upload(Bucket=self._bucket, Key=self._key, UploadId=self._upload_id)
            io.RawIOBase.close(self)
            return
        self.close()


class ExportArchive:
    def __init__(self, s3: Any, bucket: str) -> None:
        self._s3 = s3
        self._bucket = bucket

    def open(self, key: str) -> MultipartWriter:
        return MultipartWriter(self._s3, self._bucket, key)

    def download_url(self, key: str, seconds: int) -> str:
        url: str = self._s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": "attachment; filename=callx-data.zip",
            },
            ExpiresIn=seconds,
        )
        return url

    def erase(self, keys: list[str]) -> int:
        """Earlier exports of a subject who asked for erasure: every version of each."""
        return delete_versions(self._s3, self._bucket, object_versions(self._s3, self._bucket, keys))
