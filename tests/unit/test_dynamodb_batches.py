"""The one DynamoDB batch helper: unprocessed keys and items sent again, bounded, with backoff."""

from __future__ import annotations

from typing import Any

import pytest

from privacy_rights.adapters import dynamodb_batches
from privacy_rights.adapters.dynamodb_batches import (
    ATTEMPTS,
    MAX_DELAY,
    backoff,
    batch_get,
    batch_write,
    get_items,
    write_items,
)
from privacy_rights.core.errors import TransientDependencyError


def key(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"k{n}"}}


def item(n: int) -> dict[str, Any]:
    return {"pk": {"S": f"k{n}"}, "value": {"N": str(n)}}


class FakeDynamoDB:
    """Answers each BatchGetItem/BatchWriteItem call with the next page, recording the requests."""

    def __init__(self, pages: list[dict[str, Any]], repeat_last: bool = False) -> None:
        self.pages = pages
        self.repeat_last = repeat_last
        self.requests: list[dict[str, Any]] = []

    def _next(self, request: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(request)
        return self.pages[0] if self.repeat_last and len(self.pages) == 1 else self.pages.pop(0)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._next(RequestItems)

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        return self._next(RequestItems)


def test_unprocessed_keys_are_asked_again_and_pages_merged_in_order() -> None:
    client = FakeDynamoDB(
        [
            {"Responses": {"t": [item(1), item(2)]}, "UnprocessedKeys": {"t": {"Keys": [key(3), key(4)]}}},
            {"Responses": {"t": [item(3)]}, "UnprocessedKeys": {"t": {"Keys": [key(4)]}}},
            {"Responses": {"t": [item(4)]}, "UnprocessedKeys": {}},
        ]
    )
    slept: list[float] = []

    found = batch_get(client, {"t": {"Keys": [key(n) for n in (1, 2, 3, 4)]}}, sleep=slept.append)

    assert found == {"t": [item(1), item(2), item(3), item(4)]}
    assert [request["t"]["Keys"] for request in client.requests] == [
        [key(1), key(2), key(3), key(4)],
        [key(3), key(4)],
        [key(4)],
    ]
    assert len(slept) == 2
    assert all(0 <= delay <= MAX_DELAY for delay in slept)


def test_keys_always_unprocessed_are_a_transient_error_after_the_last_attempt() -> None:
    stuck = {"Responses": {"t": []}, "UnprocessedKeys": {"t": {"Keys": [key(1)]}}}
    client = FakeDynamoDB([stuck], repeat_last=True)
    slept: list[float] = []

    with pytest.raises(TransientDependencyError):
        batch_get(client, {"t": {"Keys": [key(1)]}}, attempts=5, sleep=slept.append)

    assert len(client.requests) == 5
    assert len(slept) == 4  # no wait after the last attempt


def test_writes_always_unprocessed_are_a_transient_error_after_the_last_attempt() -> None:
    request = {"t": [{"DeleteRequest": {"Key": key(1)}}]}
    client = FakeDynamoDB([{"UnprocessedItems": request}], repeat_last=True)

    with pytest.raises(TransientDependencyError):
        batch_write(client, request, sleep=lambda _: None)

    assert len(client.requests) == ATTEMPTS


def test_unprocessed_writes_are_sent_again_until_none_are_left() -> None:
    first = [{"PutRequest": {"Item": item(n)}} for n in range(3)]
    client = FakeDynamoDB(
        [
            {"UnprocessedItems": {"t": first[1:]}},
            {"UnprocessedItems": {"t": first[2:]}},
            {"UnprocessedItems": {}},
        ]
    )

    batch_write(client, {"t": first}, sleep=lambda _: None)

    assert [request["t"] for request in client.requests] == [first, first[1:], first[2:]]


def test_keys_and_writes_go_in_calls_of_dynamodbs_limits() -> None:
    reads = FakeDynamoDB([{"Responses": {"t": [item(n)]}} for n in range(3)])
    writes = FakeDynamoDB([{}, {}, {}])

    found = get_items(reads, "t", [key(n) for n in range(250)], consistent_read=True)
    written = write_items(writes, "t", [{"DeleteRequest": {"Key": key(n)}} for n in range(60)])

    assert found == [item(0), item(1), item(2)]
    assert [len(request["t"]["Keys"]) for request in reads.requests] == [100, 100, 50]
    assert all(request["t"]["ConsistentRead"] for request in reads.requests)
    assert written == 60
    assert [len(request["t"]) for request in writes.requests] == [25, 25, 10]


def test_the_backoff_doubles_under_a_cap_with_full_jitter() -> None:
    caps = [backoff(attempt, jitter=lambda cap: cap) for attempt in range(10)]

    assert caps[:3] == [
        dynamodb_batches.BASE_DELAY,
        2 * dynamodb_batches.BASE_DELAY,
        4 * dynamodb_batches.BASE_DELAY,
    ]
    assert max(caps) == MAX_DELAY
    assert all(0 <= backoff(attempt) <= cap for attempt, cap in enumerate(caps))
