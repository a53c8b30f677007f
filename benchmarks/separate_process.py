"""What the benchmarks share: the service's environment pointed at the moto server of the
stack's own process, and a measurement run in a fresh interpreter (spawned), so that each figure
is the service's own: its imports, its memory, its calls."""

from __future__ import annotations

import multiprocessing
from typing import Any


def service_environment(stack: dict[str, Any]) -> dict[str, str]:
    return stack["environment"] | {
        "AWS_ENDPOINT_URL": stack["endpoint"],
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }


def run_child(target: Any, *args: Any) -> dict[str, Any]:
    """``target(*args, conn)`` in a spawned interpreter; what it sends back on ``conn``."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=target, args=(*args, child))
    process.start()
    answer: dict[str, Any] = parent.recv()
    process.join()
    return answer
