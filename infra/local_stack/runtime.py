"""The whole system on one machine: moto listening on 127.0.0.1, every template resource
created from template.yaml, the handlers run in-process, the local API Gateway in front."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import boto3

from local_stack.aws import free_port, in_process_aws, moto_server
from local_stack.http_api import LocalApi
from local_stack.idp import LocalIdentityProvider
from local_stack.lambdas import InProcessLambdas, apply_environment, restore_environment
from local_stack.mail import LocalSmtp, QueuePoller, SesInbound
from local_stack.outbox import Outbox
from local_stack.platform import create_platform_stores, platform_parameters
from local_stack.provision import DeployedStack, StackBuilder
from local_stack.webhooks import WebhookReceiver
from privacy_rights.core.data_map import load_data_map

#: What the local stack changes from the template's defaults, and why.
LOCAL_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "true",  # no X-Ray daemon locally
    "POWERTOOLS_METRICS_DISABLED": "true",  # EMF lines would drown the console
    "POWERTOOLS_DEV": "false",
}


#: Stack parameters the local stack sets: a voice line, so landlines get their code read out
#: (the outbox records the call; see local_stack.outbox).
LOCAL_PARAMETERS = {"VoiceOriginationIdentity": "+18885550100"}


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

    @property
    def inbound(self) -> SesInbound:
        return SesInbound(self.session.client("s3"), self.stack.ref("InboundMailBucket"))

    @property
    def mail_poller(self) -> QueuePoller:
        (source,) = self.stack.queue_sources
        return QueuePoller(
            self.session.client("sqs"), self.lambdas, source.queue_url, source.function, source.batch_size, 0
        )

    def receive_mail(self, raw: bytes, as_is: bool = False) -> str:
        """What SES and Lambda's poller do with one message, done now: stored, then processed."""
        key = self.inbound.receive(raw, as_is=as_is)
        self.mail_poller.drain()
        return key

    @property
    def api_url(self) -> str:
        assert self.api is not None
        return self.api.url

    def client(self, service: str) -> object:
        return self.session.client(service)  # type: ignore[call-overload]


def _deploy(
    session: boto3.Session, stack_name: str, parameters: dict[str, str], exits: ExitStack
) -> tuple[DeployedStack, InProcessLambdas, Outbox, WebhookReceiver]:
    lambdas = InProcessLambdas()
    outbox = Outbox()
    exits.enter_context(lambdas.installed())
    exits.enter_context(warnings.catch_warnings())
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    warnings.filterwarnings("ignore", message="No idempotency key value found")
    exits.enter_context(outbox.recording())
    data_map = load_data_map()
    platform_stores = create_platform_stores(session, data_map)
    idp = LocalIdentityProvider()
    overrides = platform_parameters(data_map) | idp.parameters() | LOCAL_PARAMETERS | parameters
    stack = StackBuilder(session, lambdas, stack_name, overrides).deploy()
    stack.idp = idp
    stack.platform_stores = platform_stores
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
        yield RunningStack(session=session, stack=stack, lambdas=lambdas, outbox=outbox, webhooks=webhooks)


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
        session, endpoint = exits.enter_context(moto_server(host, moto_port))
        # Links in messages must point at this very server, so its port is fixed before deploying.
        api_port = api_port or free_port(host)
        overrides = {
            "PublicBaseUrl": f"http://{host}:{api_port}",
            "AllowedOrigins": f"http://{host}:{api_port}",
        }
        stack, lambdas, outbox, webhooks = _deploy(session, stack_name, overrides | (parameters or {}), exits)
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
