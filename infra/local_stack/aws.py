"""moto, configured the way the local stack and the tests need it.

Two modes share one setup: in-process (``mock_aws``, for integration tests) and server mode
(``ThreadedMotoServer`` on 127.0.0.1, for ``make run`` and e2e tests, so the AWS CLI and the
ops tool can reach the same state with ``--endpoint-url``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws
from moto.server import ThreadedMotoServer

from local_stack.template import REGION

MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
    "core": {"reset_boto3_session": True},
}

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


_dynamodb_lock = threading.RLock()


@contextmanager
def atomic_dynamodb_calls() -> Iterator[None]:
    """DynamoDB evaluates a condition and writes atomically, and never lets a read see an item
    half-written; moto checks and writes without a lock (two threads can both pass the same
    condition) and deep-copies items to answer reads while another thread mutates them
    ("dictionary changed size during iteration"). Serializing every DynamoDB call, answer
    included, restores what the service relies on."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self: Any) -> Any:
        with _dynamodb_lock:
            return original(self)

    with mock.patch.object(DynamoHandler, "call_action", call_action):
        yield


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def in_process_aws() -> Iterator[boto3.Session]:
    with (
        mock.patch.dict(os.environ, FAKE_CREDENTIALS),
        mock_aws(config=MOTO_CONFIG),  # type: ignore[call-overload]
        atomic_dynamodb_calls(),
    ):
        yield boto3.Session(region_name=REGION)


@contextmanager
def moto_server(host: str = "127.0.0.1", port: int = 0) -> Iterator[tuple[boto3.Session, str]]:
    """A moto server in this process; every boto3 client made here talks to it."""
    port = port or free_port(host)
    endpoint = f"http://{host}:{port}"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call otherwise
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    environment = FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port)}
    with ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, environment))
        stack.callback(server.stop)
        stack.enter_context(atomic_dynamodb_calls())
        session = boto3.Session(region_name=REGION)
        import requests

        server_config = {k: MOTO_CONFIG[k] for k in ("stepfunctions", "lambda")}
        requests.post(f"{endpoint}/moto-api/config", json=server_config, timeout=10).raise_for_status()
        yield session, endpoint
