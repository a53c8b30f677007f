"""moto, configured the way the local stack and the tests need it.

Two modes share one setup: in-process (``mock_aws``, for integration tests) and server mode
(``ThreadedMotoServer`` on 127.0.0.1, for ``make run`` and e2e tests, so the AWS CLI and the
ops tool can reach the same state with ``--endpoint-url``).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import ExitStack, contextmanager
from http import HTTPStatus
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
def shared_service_models() -> Iterator[None]:
    """One botocore data loader for every session in the process. Each function of the stack
    builds its own boto3 session at import, as on Lambda, and a session's loader parses the
    service models (DynamoDB's, S3's, the endpoint rules) again: 35 functions, each stack, each
    test tier. The models are the same files; parsed once, they are shared read-only."""
    import botocore.loaders
    import botocore.session

    loaders: dict[str | None, botocore.loaders.Loader] = {}
    lock = threading.Lock()
    create = botocore.loaders.create_loader

    def shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
        with lock:
            if search_path_string not in loaders:
                loaders[search_path_string] = create(search_path_string)
            return loaders[search_path_string]

    with mock.patch.object(botocore.session, "create_loader", shared_loader):
        yield


@contextmanager
def state_machines_parsed_once() -> Iterator[None]:
    """moto parses the state machine's definition (ANTLR) again for every execution it starts:
    a tenth of an integration test's CPU. The parse tree of a definition is kept and only the
    evaluation components are built anew from it for each execution (they are the execution's
    own; the tree is only read)."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

    parse = AmazonStateLanguageParser.parse
    trees: dict[str, Any] = {}
    lock = threading.Lock()

    def parse_once(definition: str) -> tuple[Any, Any]:
        with lock:
            tree = trees.get(definition)
        if tree is None:
            program, tree = parse(definition)  # syntax errors raised as moto raises them
            with lock:
                trees[definition] = tree
            return program, tree
        return Preprocessor().visit(tree), tree

    with mock.patch.object(AmazonStateLanguageParser, "parse", staticmethod(parse_once)):
        yield


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


class WeakInstances:
    """moto's list of a model's instances (``instances_tracked``), holding them weakly.

    moto's ``BaseModel.__new__`` appends every instance of every model to its class's list,
    forever, for the dashboard (``/moto-api/data.json``) and S3's reset. Every copy counts:
    DynamoDB deep-copies items to answer reads, and deep-copies each table a transaction
    touches (its rollback copy), so a long-running stack kept every copy of every item ever
    read and a whole RequestsTable and AuditTable per transaction. That was the local stack's
    growth of 60-90 MB per request (1.3 million ``DynamoType`` after 20 requests while the
    tables held 5,500 items). Held weakly, an instance lives as long as moto uses it; what
    iterates the list (the dashboard, S3's reset) sees the live ones."""

    def __init__(self, instances: Iterable[Any] = ()) -> None:
        self._lock = threading.Lock()
        self._refs: list[Any] = []
        self._prune_at = 1024
        for instance in instances:
            self.append(instance)

    def append(self, instance: Any) -> None:
        try:
            ref: Any = weakref.ref(instance)
        except TypeError:  # no weak reference possible (``__slots__``): kept as moto would
            ref = _Strong(instance)
        with self._lock:
            self._refs.append(ref)
            if len(self._refs) >= self._prune_at:  # amortized: dead references are dropped
                self._refs = [r for r in self._refs if r() is not None]
                self._prune_at = max(1024, 2 * len(self._refs))

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            refs = list(self._refs)
        for ref in refs:
            instance: Any = ref()
            if instance is not None:
                yield instance

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Strong:
    def __init__(self, instance: Any) -> None:
        self._instance = instance

    def __call__(self) -> Any:
        return self._instance


@contextmanager
def weakly_tracked_models() -> Iterator[None]:
    """Every moto model's ``instances_tracked`` held weakly (see ``WeakInstances``), including
    the models of services moto imports later and lists moto's reset empties."""
    from moto.core.common_models import BaseModel

    def new(cls: type, *args: Any, **kwargs: Any) -> Any:
        instance: Any = object.__new__(cls)
        tracked = cls.__dict__.get("instances_tracked")
        if not isinstance(tracked, WeakInstances):
            tracked = WeakInstances(tracked or ())
            setattr(cls, "instances_tracked", tracked)  # noqa: B010 - a class attribute moto sets
        tracked.append(instance)
        return instance

    with mock.patch.object(BaseModel, "__new__", staticmethod(new)):
        yield


@contextmanager
def item_level_transaction_backups() -> Iterator[None]:
    """moto's TransactWriteItems deep-copies every table it touches before writing (its
    rollback if the transaction is cancelled): a copy of the whole RequestsTable and AuditTable
    for each audited write, a cost that grows with everything the stack holds. Here only the
    items the transaction names are copied, and put back when it is cancelled, which is what
    a rollback needs (moto's own rollback then puts back the very table it left in place).
    Runs under ``atomic_dynamodb_calls``: no other call sees the items in between."""
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models.dynamo_type import DynamoType

    original = dynamodb_models.DynamoDBBackend.transact_write_items

    def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
        saved: list[tuple[Any, Any, Any, Any]] = []
        for entry in transact_items:
            op = next(iter(entry.values()), None)
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = (op.get("Key") or op.get("Item")) if isinstance(op, dict) else None
            if table is None or not key or table.hash_key_attr not in key:
                continue
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in key:
                    continue
                range_value = DynamoType(key[table.range_key_attr])
            current = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(current)))
        with mock.patch.object(dynamodb_models, "copy", _TablesNotCopied):
            try:
                original(backend, transact_items)
            except Exception:
                for table, hash_value, range_value, item in reversed(saved):
                    _put_back(table, hash_value, range_value, item)
                raise

    with mock.patch.object(dynamodb_models.DynamoDBBackend, "transact_write_items", transact_write_items):
        yield


class _TablesNotCopied:
    """``copy`` as moto's DynamoDB backend module sees it during a transaction: a table is
    its own backup (its items are saved one by one); everything else is copied as before."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        import copy

        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    @staticmethod
    def copy(value: Any) -> Any:
        import copy

        return copy.copy(value)


def _put_back(table: Any, hash_value: Any, range_value: Any, item: Any) -> None:
    if range_value is None:
        if item is None:
            table.items.pop(hash_value, None)
        else:
            table.items[hash_value] = item
    elif item is None:
        table.items.get(hash_value, {}).pop(range_value, None)
    else:
        table.items[hash_value][range_value] = item


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def response_keys_found_once() -> Iterator[None]:
    """moto serializes an answer by walking its botocore output shape and asking, for every
    member of every structure, six alias providers which keys of the Python object may hold it
    (2.4 % of the integration tier's CPU, 247,000 calls for 300 small DynamoDB calls). For a plain
    dict the answer depends only on the service, the structure and the member, so it is worked
    out once per member; other objects (models with aliases of their own) are asked as before."""
    from moto.core.serialize import DEFAULT_ALIAS_PROVIDERS, XFormedAttributePicker

    original = XFormedAttributePicker.get_possible_keys
    known: dict[tuple[Any, ...], tuple[str, ...]] = {}

    def get_possible_keys(self: Any, context: Any) -> Any:
        if type(context.obj) is not dict or self.alias_providers is not DEFAULT_ALIAS_PROVIDERS:
            return original(self, context)
        shape, service = context.shape, context.service_model
        parent = getattr(shape, "parent", None)
        member = (
            service.service_name if service is not None else None,
            getattr(parent, "name", None),
            context.key,
            getattr(shape, "name", None),
        )
        keys = known.get(member)
        if keys is None:
            keys = known[member] = tuple(original(self, context))
        return keys

    with mock.patch.object(XFormedAttributePicker, "get_possible_keys", get_possible_keys):
        yield


@contextmanager
def s3_urls_read_once() -> Iterator[None]:
    """moto's S3 backend reloads its ``urls`` module at every request (custom endpoints come from
    environment variables that may have changed): about a tenth of an in-process PutObject
    (0.6 ms of 4.2 ms for a 5 kB object; the seeded demo writes 1,341 lake files). The local
    stack sets no custom endpoint, so the module is read once, when the stack starts."""
    from importlib import reload

    import moto.s3.urls as s3_urls
    from moto.s3.models import S3Backend

    module = reload(s3_urls)
    with mock.patch.object(S3Backend, "_url_module", property(lambda self: module)):
        yield


@contextmanager
def action_names_listed_once() -> Iterator[None]:
    """moto checks that a call's action is a method of its response class by listing the class's
    functions (``inspect.getmembers``) at every call: about a twentieth of an in-process
    DynamoDB PutItem or GetItem. A class's methods do not change while the stack runs, so each class is
    listed once."""
    from moto.core import responses
    from moto.core.utils import method_names_from_class

    listed = functools.cache(method_names_from_class)
    with mock.patch.object(responses, "method_names_from_class", listed):
        yield


@contextmanager
def moto_as_aws_behaves() -> Iterator[None]:
    """What the local stack changes in moto, in-process or served: each patch says why."""
    with (
        shared_service_models(),
        state_machines_parsed_once(),
        atomic_dynamodb_calls(),
        item_level_transaction_backups(),
        weakly_tracked_models(),
        response_keys_found_once(),
        s3_urls_read_once(),
        action_names_listed_once(),
    ):
        yield


@contextmanager
def in_process_aws() -> Iterator[boto3.Session]:
    with (
        mock.patch.dict(os.environ, FAKE_CREDENTIALS),
        mock_aws(config=MOTO_CONFIG),  # type: ignore[call-overload]
        moto_as_aws_behaves(),
    ):
        yield boto3.Session(region_name=REGION)


#: answers one call of a service moto does not serve: (method, url, body) -> status, headers, body
ServiceAnswer = Callable[[str, str, bytes], tuple[int, dict[str, str], str]]


class _ServerWithServices(ThreadedMotoServer):
    """moto's threaded server, answering the services of ``answers`` itself (by the service
    named in the call's SigV4 credential scope): moto 5.2 does not route Athena's REST-JSON,
    which the local stack plays (``local_stack.athena``). In this process a botocore handler
    answers such calls before they are sent; this is for clients in other processes (the AWS
    CLI against `make run`, a benchmark's worker)."""

    def __init__(self, answers: MutableMapping[str, ServiceAnswer], **options: Any) -> None:
        super().__init__(**options)
        self._answers = answers

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        moto_app = DomainDispatcherApplication(create_backend_app)
        answers = self._answers

        def app(environ: dict[str, Any], start_response: Any) -> Any:
            scope = environ.get("HTTP_AUTHORIZATION", "").split("Credential=", 1)[-1].split(",", 1)[0]
            service = scope.split("/")[3] if scope.count("/") >= 4 else ""
            answer = answers.get(service)
            if answer is None:
                return moto_app(environ, start_response)
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            query = environ.get("QUERY_STRING", "")
            url = f"https://{service}.{REGION}.amazonaws.com{environ.get('PATH_INFO', '')}"
            status, headers, text = answer(
                environ["REQUEST_METHOD"], url + (f"?{query}" if query else ""), body
            )
            payload = text.encode()
            start_response(
                f"{status} {HTTPStatus(status).phrase}",
                [*headers.items(), ("Content-Length", str(len(payload)))],
            )
            return [payload]

        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


@contextmanager
def moto_server(
    host: str = "127.0.0.1", port: int = 0, answers: MutableMapping[str, ServiceAnswer] | None = None
) -> Iterator[tuple[boto3.Session, str]]:
    """A moto server in this process; every boto3 client made here talks to it. Calls of a
    service named in ``answers`` (which may be filled once the server runs) are answered there."""
    port = port or free_port(host)
    endpoint = f"http://{host}:{port}"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call otherwise
    # The server starts empty, as a moto process of its own would: moto's state is this
    # process's, and an earlier server here (another test tier's stack) left its tables in it.
    from moto.core.base_backend import BackendDict
    from moto.core.model_instances import reset_model_data

    BackendDict.reset()
    reset_model_data()
    server = _ServerWithServices(
        answers if answers is not None else {}, ip_address=host, port=port, verbose=False
    )
    server.start()
    environment = FAKE_CREDENTIALS | {"AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port)}
    with ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, environment))
        stack.callback(server.stop)
        stack.enter_context(moto_as_aws_behaves())
        session = boto3.Session(region_name=REGION)
        import requests

        server_config = {k: MOTO_CONFIG[k] for k in ("stepfunctions", "lambda")}
        requests.post(f"{endpoint}/moto-api/config", json=server_config, timeout=10).raise_for_status()
        yield session, endpoint


def put_stored_object(
    bucket: str, key: str, body: bytes, content_type: str, metadata: Mapping[str, str]
) -> None:
    """PutObject's outcome written straight into moto's store in this process (in-process or
    served), for seeding: the synthetic platform's 1,341 lake files cost 2-3 ms each through
    moto's S3 API in process and about 10 ms over HTTP. As PutObject: a new version (when the
    bucket is versioned), its ETag, the bucket's default encryption, its notifications, the
    Content-Type and user metadata. Not as PutObject: no checksum is kept (boto3 sends one and
    moto stores it; nothing reads it back here)."""
    from moto.s3.models import s3_backends

    from local_stack.template import ACCOUNT_ID

    stored = s3_backends[ACCOUNT_ID]["global"].put_object(bucket, key, body)
    stored.set_metadata({"Content-Type": content_type} | {f"x-amz-meta-{k}": v for k, v in metadata.items()})


def stored_body(bucket: str, key: str, version_id: str | None = None) -> bytes:
    """An object version's bytes (the current one without ``version_id``) read from moto's store
    in this process (in-process or served): what GetObject answers, without its call. For tests
    that read a thousand Parquet files of the lake: a GetObject each costs 10-14 ms."""
    from moto.s3.models import s3_backends

    from local_stack.template import ACCOUNT_ID

    keys = s3_backends[ACCOUNT_ID]["global"].buckets[bucket].keys
    if version_id is None:
        current: bytes = keys[key].value
        return current
    (version,) = [v for v in keys.getlist(key, []) if v.version_id == version_id]
    body: bytes = version.value
    return body
