"""DynamoDB's batch calls, the one way: BatchGetItem (100 keys a call) and BatchWriteItem (25
requests a call), each call's unprocessed keys or items sent again with exponential backoff and
full jitter, a bounded number of times; what is still unprocessed then is a
``TransientDependencyError``, which the state machine retries and the API answers with 503.

DynamoDB leaves keys unprocessed when a partition is throttled or the answer passes 16 MB; the
SDK's own retries do not cover it (the call itself succeeded)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from privacy_rights.core.errors import TransientDependencyError

GET_LIMIT = 100
WRITE_LIMIT = 25
ATTEMPTS = 8
BASE_DELAY = 0.05
MAX_DELAY = 2.0

Sleep = Callable[[float], None]
Item = dict[str, Any]


def backoff(attempt: int, jitter: Callable[[float], float] | None = None) -> float:
    """Seconds to wait after the ``attempt``-th call (0-based): full jitter under a cap that
    doubles from ``BASE_DELAY`` up to ``MAX_DELAY``."""
    cap = min(MAX_DELAY, BASE_DELAY * 2**attempt)
    return (jitter or _full_jitter)(cap)


def _full_jitter(cap: float) -> float:
    return random.uniform(0, cap)  # noqa: S311 - spreading retries, not a secret


def batch_get(
    client: Any, request_items: Mapping[str, Any], *, attempts: int = ATTEMPTS, sleep: Sleep = time.sleep
) -> dict[str, list[Item]]:
    """One BatchGetItem request (at most 100 keys), unprocessed keys asked again: the items
    found per table, in the order the pages came back."""
    found: dict[str, list[Item]] = {table: [] for table in request_items}
    pending: Mapping[str, Any] = request_items
    for attempt in range(attempts):
        if attempt:
            sleep(backoff(attempt - 1))
        response = client.batch_get_item(RequestItems=dict(pending))
        for table, items in response.get("Responses", {}).items():
            found.setdefault(table, []).extend(items)
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return found
    raise TransientDependencyError(f"DynamoDB left keys unprocessed after {attempts} attempts")


def batch_write(
    client: Any, request_items: Mapping[str, Any], *, attempts: int = ATTEMPTS, sleep: Sleep = time.sleep
) -> None:
    """One BatchWriteItem request (at most 25 puts or deletes), unprocessed items sent again."""
    pending: Mapping[str, Any] = request_items
    for attempt in range(attempts):
        if attempt:
            sleep(backoff(attempt - 1))
        pending = client.batch_write_item(RequestItems=dict(pending)).get("UnprocessedItems") or {}
        if not pending:
            return
    raise TransientDependencyError(f"DynamoDB left writes unprocessed after {attempts} attempts")


def get_items(
    client: Any,
    table: str,
    keys: Iterable[Item],
    *,
    consistent_read: bool = False,
    attempts: int = ATTEMPTS,
    sleep: Sleep = time.sleep,
) -> list[Item]:
    """Every item of ``table`` with one of these (serialized) keys, 100 keys a call. Missing
    keys are simply absent; the order is DynamoDB's, not the keys'."""
    keys = list(keys)
    found: list[Item] = []
    for start in range(0, len(keys), GET_LIMIT):
        request: dict[str, Any] = {"Keys": keys[start : start + GET_LIMIT]}
        if consistent_read:
            request["ConsistentRead"] = True
        found += batch_get(client, {table: request}, attempts=attempts, sleep=sleep)[table]
    return found


def write_items(
    client: Any, table: str, requests: Sequence[Item], *, attempts: int = ATTEMPTS, sleep: Sleep = time.sleep
) -> int:
    """Every ``PutRequest``/``DeleteRequest`` on ``table``, 25 a call; how many were written."""
    for start in range(0, len(requests), WRITE_LIMIT):
        batch_write(
            client, {table: list(requests[start : start + WRITE_LIMIT])}, attempts=attempts, sleep=sleep
        )
    return len(requests)
