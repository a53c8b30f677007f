"""The work bucket: documents too big for a request item (resolution pointers, manifests).
Between states only their keys travel."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from privacy_rights.core.errors import NotFound


class WorkStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put_json(self, key: str, document: Any) -> str:
        body = json.dumps(document, separators=(",", ":"), sort_keys=True, default=str).encode()
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")
        return key

    def get_json(self, key: str) -> Any:
        """The document; ``NotFound`` when there is none (as the in-memory fake answers)."""
        try:
            body = self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                raise NotFound(key) from None
            raise
        return json.loads(body)
