"""The whole system on one machine: moto listening on 127.0.0.1, every template resource
created from template.yaml, the handlers run in-process, the local API Gateway in front."""

from __future__ import annotations

import functools
import warnings
import weakref
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import boto3

from local_stack.athena import LocalAthena, pandas_layer_parameter
from local_stack.aws import ServiceAnswer, free_port, in_process_aws, moto_server, put_stored_object
from local_stack.events import LocalEventBridge
from local_stack.http_api import LocalApi
from local_stack.idp import LocalIdentityProvider
from local_stack.lake_data import tenants_parameter
from local_stack.lambdas import InProcessLambdas, apply_environment, restore_environment
from local_stack.mail import LocalSmtp, QueuePoller, SesInbound
from local_stack.outbox import Outbox
from local_stack.platform import create_platform_stores, platform_parameters
from local_stack.provision import DeployedStack, StackBuilder
from local_stack.synthetic import Report, Scale, _Writer, generate
from local_stack.webhooks import WebhookReceiver
from privacy_rights.core.data_map import load_data_map

#: What the local stack changes from the template's defaults, and why.
LOCAL_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
    "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would drown the console
    "POWERTOOLS_DEV": "false",
}


#: Stack parameters the local stack sets: a voice line, so landlines get their code read out
#: (the outbox records the call; see local_stack.outbox), and a demo toll-free line and lead
#: authority, so the messages show them.
LOCAL_PARAMETERS = {
    "VoiceOriginationIdentity": "+18885550100",
    "TollFreeNumber": "+18885550199",
    "LeadSupervisoryAuthority": "the Irish Data Protection Commission (dataprotection.ie)",
}


@dataclass
class RunningStack:
    session: boto3.Session
    stack: DeployedStack
    lambdas: InProcessLambdas
    outbox: Outbox
    aws_endpoint: str | None = None
    api: LocalApi | None = None
    smtp: LocalSmtp | None = None
    webhooks: WebhookReceiver | None = None
    #: the composition roots built while the stack runs (the handlers' and the tests'): ``reset``
    #: drops what they built from data
    containers: weakref.WeakSet[Any] = field(default_factory=weakref.WeakSet, repr=False)
    #: one client per service for the stack's callers: building a botocore client costs tens of
    #: milliseconds, and tests and their fixtures ask for one at every poll. A caller that
    #: registers event handlers on a client takes its own from ``session.client``.
    _clients: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def inbound(self) -> SesInbound:
        return SesInbound(self.client("s3"), self.stack.ref("InboundMailBucket"))

    @property
    def mail_poller(self) -> QueuePoller:
        (source,) = self.stack.queue_sources
        return QueuePoller(
            self.client("sqs"), self.lambdas, source.queue_url, source.function, source.batch_size, 0
        )

    def receive_mail(self, raw: bytes, as_is: bool = False) -> str:
        """What SES and Lambda's poller do with one message, done now: stored, then processed."""
        key = self.inbound.receive(raw, as_is=as_is)
        self.mail_poller.drain()
        return key

    @property
    def events(self) -> LocalEventBridge:
        """EventBridge's deliveries to the template's functions (see local_stack.events)."""
        bus: LocalEventBridge = self.stack.event_bus
        return bus

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return self.api.url

    def client(self, service: str) -> object:
        if service not in self._clients:  # two threads may both build one: either will do
            self._clients[service] = self.session.client(service)  # type: ignore[call-overload]
        return self._clients[service]

    def reset(self) -> None:
        """Back to just deployed, for tests that share one deployment: see ``reset_data``."""
        reset_data(self)

    def platform_writer(self) -> _Writer:
        """The synthetic platform's writer for this stack (records of one's choosing), its S3
        objects straight into moto's store: moto runs in this process."""
        return _Writer(
            self.session,
            self.stack.platform_stores,
            self.stack.ref("CustomersTable"),
            load_data_map(),
            put_stored_object,
        )

    def seed(self, scale: Scale) -> Report:
        """The synthetic platform (``synthetic.generate``) written into this stack, its S3
        objects straight into moto's store: moto runs in this process."""
        return generate(
            self.session,
            self.stack.platform_stores,
            self.stack.ref("CustomersTable"),
            scale,
            put_object=put_stored_object,
        )


def _deploy(
    session: boto3.Session,
    stack_name: str,
    parameters: dict[str, str],
    exits: ExitStack,
    run_schedules: bool = False,
) -> tuple[DeployedStack, InProcessLambdas, Outbox, WebhookReceiver]:
    lambdas = InProcessLambdas()
    outbox = Outbox()
    exits.enter_context(lambdas.installed())
    exits.enter_context(warnings.catch_warnings())
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    warnings.filterwarnings("ignore", message="No idempotency key value found")
    exits.enter_context(outbox.recording())
    athena = exits.enter_context(LocalAthena().installed())
    athena.register_on(session)
    data_map = load_data_map()
    platform_stores = create_platform_stores(session, data_map)
    idp = LocalIdentityProvider()
    exits.callback(idp.close)
    local = pandas_layer_parameter(session) | tenants_parameter() | LOCAL_PARAMETERS
    overrides = platform_parameters(data_map) | idp.parameters() | local | parameters
    stack = StackBuilder(session, lambdas, stack_name, overrides).deploy()
    stack.idp = idp
    stack.athena = athena
    stack.platform_stores = platform_stores
    # EventBridge's deliveries (execution ends, schedules): moto makes none to Lambda
    stack.event_bus = exits.enter_context(LocalEventBridge(stack, lambdas).running(run_schedules))
    previous = apply_environment(lambdas.merged_environment() | LOCAL_ENVIRONMENT)
    exits.callback(restore_environment, previous)
    _forget_cached_settings()
    exits.callback(_forget_cached_settings)
    return stack, lambdas, outbox, _webhook_receiver(session, stack, outbox, exits)


def _webhook_receiver(
    session: boto3.Session, stack: DeployedStack, outbox: Outbox, exits: ExitStack
) -> WebhookReceiver:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    from privacy_rights.adapters.webhook_secrets import SecretsManagerWebhookSecrets

    provider = SecretsProvider(boto3_client=session.client("secretsmanager"))
    secrets = SecretsManagerWebhookSecrets(provider, stack.ref("WebhookSigningSecret"), 0)
    receiver = WebhookReceiver(outbox, secrets.for_receiver)
    receiver.start()
    exits.callback(receiver.stop)
    exits.enter_context(receiver.resolving())
    return receiver


def _forget_cached_settings() -> None:
    from privacy_rights.runtime.settings import get_settings

    get_settings.cache_clear()


@contextmanager
def in_process_stack(
    stack_name: str = "privacy-test", parameters: dict[str, str] | None = None
) -> Iterator[RunningStack]:
    """For integration tests: moto in-process, no sockets."""
    with ExitStack() as exits:
        session = exits.enter_context(in_process_aws())
        stack, lambdas, outbox, webhooks = _deploy(session, stack_name, parameters or {}, exits)
        running = RunningStack(
            session=session, stack=stack, lambdas=lambdas, outbox=outbox, webhooks=webhooks
        )
        exits.enter_context(_tracking_containers(running.containers))
        yield running


@contextmanager
def served_stack(
    host: str = "127.0.0.1",
    api_port: int = 0,
    moto_port: int = 0,
    smtp_port: int = 0,
    stack_name: str = "privacy-local",
    parameters: dict[str, str] | None = None,
) -> Iterator[RunningStack]:
    """For ``make run`` and e2e tests: moto and the API listening on ``host``."""
    with ExitStack() as exits:
        served: dict[str, ServiceAnswer] = {}
        session, endpoint = exits.enter_context(moto_server(host, moto_port, served))
        # Links in messages must point at this very server, so its port is fixed before deploying.
        api_port = api_port or free_port(host)
        overrides = {
            "PublicBaseUrl": f"http://{host}:{api_port}",
            "AllowedOrigins": f"http://{host}:{api_port}",
        }
        stack, lambdas, outbox, webhooks = _deploy(
            session, stack_name, overrides | (parameters or {}), exits, run_schedules=True
        )
        served["athena"] = stack.athena.answer  # for clients in other processes (the AWS CLI)
        api = LocalApi(stack, lambdas, outbox, host=host, port=api_port, storage_origin=endpoint)
        api.start()
        exits.callback(api.stop)
        running = RunningStack(
            session, stack, lambdas, outbox, aws_endpoint=endpoint, api=api, webhooks=webhooks
        )
        privacy_address = f"{stack.parameters['PrivacyLocalPart']}@{stack.parameters['MailDomain']}"
        smtp = LocalSmtp(running.inbound, privacy_address, host=host, port=smtp_port)
        smtp.start()
        exits.callback(smtp.stop)
        running.smtp = smtp
        for source in stack.queue_sources:
            poller = QueuePoller(
                session.client("sqs"), lambdas, source.queue_url, source.function, source.batch_size
            )
            poller.start()
            exits.callback(poller.stop)
        yield running


# -- one deployment, many tests ----------------------------------------------------------------


def reset_data(running: RunningStack) -> None:
    """What tests write, gone; what was deployed kept (tables, buckets, queues, functions, the
    state machine, secrets, the identity provider's keys, the handlers' modules and clients).

    Emptied: every item of every table and every object version (and unfinished upload) of every
    bucket, the service's and the platform's; the queues; the state machines' executions (so an
    execution name, which is a request id, can be used again); the events delivered; the outbox;
    the fault switch; the webhook receiver's queued failures; the functions' invocation log; and
    everything the composition roots built (services, the customers' and secrets' caches, the
    identity provider's key set), keeping their boto3 clients: a handler's next invocation is
    warm, and reads the data anew. The settings are read again at the next cold start.

    No execution may be running (answer its wait or let it end first): it would write into the
    emptied stores. Tables and buckets are emptied in moto's backends, which is what a test
    needs and costs nothing; AWS has no such call."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends
    from moto.sqs.models import sqs_backends
    from moto.stepfunctions.responses import get_backend

    from local_stack.template import ACCOUNT_ID, REGION

    sfn: Any = running.client("stepfunctions")
    machines = get_backend(ACCOUNT_ID, REGION).state_machines
    for machine in machines:
        if sfn.list_executions(stateMachineArn=machine.arn, statusFilter="RUNNING")["executions"]:
            raise RuntimeError(f"executions of {machine.name} are still running: stop them first")
    bus = getattr(running.stack, "event_bus", None)  # the local EventBridge, when the stack has rules
    if bus is not None:
        bus.drain()  # an execution's end, delivered after the reset, would write a record
        bus.delivered.clear()
    for machine in machines:
        machine.executions.clear()
    for table in dynamodb_backends[ACCOUNT_ID][REGION].tables.values():
        table.items.clear()
    for bucket in s3_backends[ACCOUNT_ID]["global"].buckets.values():
        for key in list(bucket.keys):
            for version in bucket.keys.getlist(key, []):
                if hasattr(version, "dispose"):  # an object version's body (delete markers have none)
                    version.dispose()
        bucket.keys.clear()
        for upload_id in list(bucket.multiparts):
            del bucket.multiparts[upload_id]
    for queue in sqs_backends[ACCOUNT_ID][REGION].queues.values():
        queue._messages = []  # PurgeQueue, without its one-purge-a-minute rule
        queue._pending_messages = set()
    running.outbox.clear()
    if running.stack.athena is not None:
        running.stack.athena.clear()
    running.lambdas.clear()
    running.lambdas.invocations.clear()
    if running.webhooks is not None:
        running.webhooks.reset()
    for container in list(running.containers):
        _forget_what_was_built(container)
    _forget_cached_settings()


def _forget_what_was_built(container: Any) -> None:
    """Every ``cached_property`` of a composition root (services, adapters and their caches);
    its clients stay."""
    for klass in type(container).__mro__:
        for name, attribute in vars(klass).items():
            if isinstance(attribute, functools.cached_property):
                container.__dict__.pop(name, None)


@contextmanager
def _tracking_containers(into: weakref.WeakSet[Any]) -> Iterator[None]:
    """Every ``Container`` made while open (the handlers' at their cold start) is added to ``into``."""
    from privacy_rights.runtime.composition import Container

    original = Container.__init__

    def tracked(container: Container, *args: Any, **kwargs: Any) -> None:
        original(container, *args, **kwargs)
        into.add(container)

    with mock.patch.object(Container, "__init__", tracked):
        yield
