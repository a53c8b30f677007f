"""The work bucket: documents too big for a request item (resolution pointers, manifests).
Between states only their keys travel."""

from __future__ import annotations

import json
from typing import Any


class WorkStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put_json(self, key: str, document: Any) -> str:
        body = json.dumps(document, separators=(",", ":"), sort_keys=True, default=str).encode()
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="application/json")
        return key

    def get_json(self, key: str) -> Any:
        return json.loads(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())
