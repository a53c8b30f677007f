"""The composition root: builds adapters and services from the settings (the only module outside
``adapters/`` that imports them; ``tests/unit/test_architecture.py`` holds the rule).

Clients are created on first use and kept for the life of the execution environment, so a
handler module's import does no I/O and a warm invocation reuses connections.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

import boto3

from privacy_rights.runtime.settings import Settings

if TYPE_CHECKING:
    from privacy_rights.adapters.counters import Counters
    from privacy_rights.adapters.customers import Customers
    from privacy_rights.adapters.key_ring import SecretsManagerKeyRing
    from privacy_rights.adapters.lake import AthenaLake
    from privacy_rights.adapters.mail_records import MailRecords
    from privacy_rights.adapters.notice_records import DynamoNoticeRecords
    from privacy_rights.adapters.object_links import ObjectLinks
    from privacy_rights.adapters.permission_documents import PermissionDocuments
    from privacy_rights.adapters.preference_store import PreferenceStore
    from privacy_rights.adapters.request_store import RequestStore
    from privacy_rights.adapters.sent_mail import SentMail
    from privacy_rights.adapters.webhook_secrets import SecretsManagerWebhookSecrets
    from privacy_rights.adapters.work_store import WorkStore
    from privacy_rights.businesses.business_instructions import BusinessInstructions
    from privacy_rights.businesses.customer_service import CustomerService
    from privacy_rights.businesses.webhooks import Notifier
    from privacy_rights.core.data_map import DataMap
    from privacy_rights.core.errors import PhoneRefusal
    from privacy_rights.core.remedies import ContactPoints
    from privacy_rights.correction.correction_service import CorrectionService
    from privacy_rights.correction.review import CorrectionReview
    from privacy_rights.correction.statements import CorrectionStatements
    from privacy_rights.erasure.erasure_service import ErasureService
    from privacy_rights.erasure.legal_holds import HoldService
    from privacy_rights.export.export_service import ExportService
    from privacy_rights.mail.email_intake import EmailIntakeService
    from privacy_rights.mail.mail_ops import MailOpsService
    from privacy_rights.messaging.phone_messaging import GuardedMessenger
    from privacy_rights.ops.customers import CustomerOnboarding
    from privacy_rights.ops.extensions import ExtensionService
    from privacy_rights.ops.ops import OpsService
    from privacy_rights.ops.record_retention import RecordRetention
    from privacy_rights.ops.yearly_metrics import YearlyMetricsService
    from privacy_rights.orchestration.deadline_sweep import DeadlineSweep
    from privacy_rights.orchestration.execution_end import ExecutionEnds
    from privacy_rights.orchestration.notice_retries import NoticeRetries
    from privacy_rights.orchestration.stalled_requests import StalledRequests
    from privacy_rights.orchestration.workflow import Workflow
    from privacy_rights.preferences.opt_out_effects import OptOutEffects
    from privacy_rights.preferences.preference_decisions import PreferenceDecisionService
    from privacy_rights.preferences.preference_service import PreferenceService
    from privacy_rights.resolution.resolution import Resolver
    from privacy_rights.resolution.resolve_service import ResolveService
    from privacy_rights.rights_requests.appeals import AppealService
    from privacy_rights.rights_requests.intake import IntakeService
    from privacy_rights.rights_requests.sign_in import AccountSignIn
    from privacy_rights.rights_requests.verification import VerificationService


def _phone_message_refused(reason: PhoneRefusal) -> None:
    """A CloudWatch metric per refusal (flushed by the handler's ``log_metrics``); the template
    alarms on the day's budget being spent."""
    from aws_lambda_powertools.metrics import MetricUnit

    from privacy_rights.messaging.phone_messaging import metric_name
    from privacy_rights.runtime.observability import metrics

    metrics.add_metric(name=metric_name(reason), unit=MetricUnit.Count, value=1)


class Container:
    """Each service is imported and built when a handler first asks for it, so a function
    pays at cold start only for the part of the domain it uses."""

    def __init__(self, settings: Settings, session: boto3.Session | None = None) -> None:
        self.settings = settings
        self._session = session or boto3.Session()
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()

    def client(self, service: str) -> Any:
        """One boto3 client per AWS service for the life of the container, shared by every
        adapter and service that needs it (each keeps its connection pool)."""
        with self._clients_lock:  # a boto3 session is not thread-safe; its clients are
            if service not in self._clients:
                self._clients[service] = self._session.client(service)  # type: ignore[call-overload]
            return self._clients[service]

    @cached_property
    def store(self) -> RequestStore:
        from privacy_rights.adapters.request_store import RequestStore

        return RequestStore(self.client("dynamodb"), self.settings.requests_table, self.settings.audit_table)

    @cached_property
    def keys(self) -> SecretsManagerKeyRing:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from privacy_rights.adapters.key_ring import SecretsManagerKeyRing

        provider = SecretsProvider(boto3_client=self.client("secretsmanager"))
        return SecretsManagerKeyRing(
            provider, self.settings.hash_key_secret, self.settings.secret_cache_seconds
        )

    @cached_property
    def webhook_secrets(self) -> SecretsManagerWebhookSecrets:
        from aws_lambda_powertools.utilities.parameters import SecretsProvider

        from privacy_rights.adapters.webhook_secrets import SecretsManagerWebhookSecrets

        provider = SecretsProvider(boto3_client=self.client("secretsmanager"))
        return SecretsManagerWebhookSecrets(
            provider, self.settings.webhook_secret, self.settings.secret_cache_seconds
        )

    @cached_property
    def webhooks(self) -> Notifier:
        from privacy_rights.businesses.webhooks import Notifier, UrllibTransport, WebhookSender

        return Notifier(WebhookSender(UrllibTransport()), self.webhook_secrets)

    @cached_property
    def messenger(self) -> GuardedMessenger:
        """Every SMS and call goes through the guard: number types, countries, the per-number
        cap and the day's budget (``privacy_rights.messaging.phone_messaging``)."""
        from privacy_rights.adapters.messenger import AwsMessenger
        from privacy_rights.messaging.phone_messaging import GuardedMessenger, PhonePolicy

        aws = AwsMessenger(
            self.client("sesv2"),
            self.client("sns"),
            self.settings.sender_email,
            reply_address=self.settings.privacy_address,
            sent=self.sent_mail,
            voice=self.client("pinpoint-sms-voice-v2") if self.settings.voice_origination_identity else None,
            voice_origin=self.settings.voice_origination_identity,
            configuration_set=self.settings.ses_configuration_set,
        )
        policy = PhonePolicy(
            allowed_countries=self.settings.phone_countries,
            per_number_per_day=self.settings.phone_messages_per_number_per_day,
            per_day=self.settings.phone_messages_per_day,
        )
        return GuardedMessenger(aws, self.counters, self.keys, policy, on_refused=_phone_message_refused)

    @cached_property
    def sent_mail(self) -> SentMail:
        from privacy_rights.adapters.sent_mail import SentMail

        return SentMail(self.client("dynamodb"), self.settings.notices_table)

    @cached_property
    def mail_records(self) -> MailRecords:
        from privacy_rights.adapters.mail_records import MailRecords

        return MailRecords(self.client("dynamodb"), self.settings.mail_table)

    @cached_property
    def email_intake(self) -> EmailIntakeService:
        from privacy_rights.adapters.mailbox import Mailbox
        from privacy_rights.mail.email_intake import EmailIntakeService

        settings = self.settings
        return EmailIntakeService(
            Mailbox(self.client("s3"), settings.inbound_bucket),
            self.mail_records,
            self.store,
            self.intake,
            self.keys,
            self.messenger,
            self.counters,
            self.sent_mail,
            own_addresses=frozenset({settings.sender_email, settings.privacy_address}),
            privacy_address=settings.privacy_address,
            base_url=str(settings.public_base_url),
            permissions=self.permissions,
            appeals=self.appeals,
        )

    @cached_property
    def mail_ops(self) -> MailOpsService:
        from privacy_rights.adapters.dead_letters import DeadLetters
        from privacy_rights.adapters.mailbox import Mailbox
        from privacy_rights.mail.mail_ops import MailOpsService

        if not (self.settings.mail_queue_url and self.settings.mail_dead_letter_queue_url):
            raise RuntimeError("MAIL_QUEUE_URL and MAIL_DEAD_LETTER_QUEUE_URL are not configured")
        dead_letters = DeadLetters(
            self.client("sqs"), self.settings.mail_queue_url, self.settings.mail_dead_letter_queue_url
        )
        return MailOpsService(
            self.mail_records,
            Mailbox(self.client("s3"), self.settings.inbound_bucket),
            self.email_intake,
            self.store,
            dead_letters,
        )

    @property
    def state_machine_arn(self) -> str:
        if not self.settings.state_machine_arn:
            raise RuntimeError("STATE_MACHINE_ARN is not configured for this function")
        return self.settings.state_machine_arn

    @cached_property
    def intake(self) -> IntakeService:
        from privacy_rights.adapters.workflow import StepFunctionsStarter
        from privacy_rights.rights_requests.intake import IntakeService
        from privacy_rights.rights_requests.mail_clarifications import MailClarifications

        starter = StepFunctionsStarter(self.client("stepfunctions"), self.state_machine_arn)
        return IntakeService(
            self.store,
            self.keys,
            starter,
            self.preferences,
            self.counters,
            self.settings.submissions_per_ip_per_hour,
            self.permissions,
            MailClarifications(self.mail_records, self.keys),
            contacts=self.contact_points,
        )

    @cached_property
    def contact_points(self) -> ContactPoints:
        """Where messages and the status page tell a person to reach the privacy team."""
        from privacy_rights.core.remedies import ContactPoints

        return ContactPoints(
            privacy_address=self.settings.privacy_address,
            toll_free_number=self.settings.toll_free_number,
            lead_authority=self.settings.lead_supervisory_authority,
        )

    @cached_property
    def permissions(self) -> PermissionDocuments:
        from privacy_rights.adapters.permission_documents import PermissionDocuments

        return PermissionDocuments(self.client("s3"), self.settings.permissions_bucket)

    @cached_property
    def ops(self) -> OpsService:
        from privacy_rights.adapters.workflow import ExecutionHistory, StepFunctionsStarter
        from privacy_rights.ops.ops import OpsService

        return OpsService(
            self.store,
            self.workflow,
            lambda: self.intake,
            ExecutionHistory(self.client("stepfunctions"), self.state_machine_arn),
            StepFunctionsStarter(self.client("stepfunctions"), self.state_machine_arn),
            self.work,
            self.permissions,
            self._recording_links(),
        )

    def _recording_links(self) -> ObjectLinks | None:
        """The platform's recordings, for ops to listen to one an export holds for review."""
        from privacy_rights.adapters.object_links import ObjectLinks

        bucket = self.settings.stores.get("recordings")
        return ObjectLinks(self.client("s3"), bucket) if bucket else None

    @cached_property
    def extensions(self) -> ExtensionService:
        from privacy_rights.ops.extensions import ExtensionService

        return ExtensionService(self.store, self.workflow)

    @cached_property
    def preference_decisions(self) -> PreferenceDecisionService:
        from privacy_rights.preferences.preference_decisions import PreferenceDecisionService

        days = self.settings.restriction_lift_notice_days
        return PreferenceDecisionService(self.store, self.preferences, self.workflow, days)

    @cached_property
    def appeals(self) -> AppealService:
        from privacy_rights.rights_requests.appeals import AppealService

        return AppealService(self.store, self.keys, self.workflow)

    @cached_property
    def correction_review(self) -> CorrectionReview:
        from privacy_rights.correction.review import CorrectionReview

        return CorrectionReview(self.store, self.workflow.answer)

    @cached_property
    def correction_statements(self) -> CorrectionStatements:
        from privacy_rights.correction.statements import CorrectionStatements

        return CorrectionStatements(self.store, self.keys)

    @cached_property
    def deadline_sweep(self) -> DeadlineSweep:
        from privacy_rights.orchestration.deadline_sweep import DeadlineSweep

        return DeadlineSweep(self.store)

    @cached_property
    def record_retention(self) -> RecordRetention:
        from privacy_rights.adapters.expiring_records import DynamoExpiringRecords
        from privacy_rights.ops.record_retention import RecordRetention

        records = DynamoExpiringRecords(
            self.client("dynamodb"), self.settings.requests_table, self.settings.audit_table
        )
        return RecordRetention(records, self.store, self.holds, self.settings.record_retention_months)

    @cached_property
    def yearly_metrics(self) -> YearlyMetricsService:
        from privacy_rights.ops.yearly_metrics import YearlyMetricsService

        return YearlyMetricsService(self.store)

    @cached_property
    def notice_records(self) -> DynamoNoticeRecords | None:
        """Held notices and the provider's record of those sent (None where the function has
        no OUTSTANDING_NOTICES_TABLE: notices then fail their step as before)."""
        from privacy_rights.adapters.notice_records import DynamoNoticeRecords

        if not self.settings.outstanding_notices_table:
            return None
        return DynamoNoticeRecords(
            self.client("dynamodb"), self.settings.notices_table, self.settings.outstanding_notices_table
        )

    @cached_property
    def notice_retries(self) -> NoticeRetries:
        from privacy_rights.orchestration.notice_retries import NoticeRetries

        if self.notice_records is None:
            raise RuntimeError("OUTSTANDING_NOTICES_TABLE is not configured")
        return NoticeRetries(self.store, self.notice_records, self.workflow)

    @cached_property
    def stalled_requests(self) -> StalledRequests:
        from privacy_rights.adapters.workflow import ExecutionHistory
        from privacy_rights.orchestration.stalled_requests import StalledRequests

        history = ExecutionHistory(self.client("stepfunctions"), self.state_machine_arn)
        return StalledRequests(self.store, history)

    @cached_property
    def execution_ends(self) -> ExecutionEnds:
        from privacy_rights.adapters.workflow import ExecutionHistory
        from privacy_rights.orchestration.execution_end import ExecutionEnds

        history = ExecutionHistory(self.client("stepfunctions"), self.state_machine_arn)
        return ExecutionEnds(self.store, history, self.workflow)

    @cached_property
    def data_map(self) -> DataMap:
        from privacy_rights.core.data_map import load_data_map

        return load_data_map()

    def new_resolver(self) -> Resolver:
        from privacy_rights.adapters.connectors import DynamoDBConnector, S3PrefixConnector
        from privacy_rights.core.ports import Connector
        from privacy_rights.resolution.resolution import Resolver

        connectors: dict[str, Connector] = {
            "dynamodb": DynamoDBConnector(self.client("dynamodb"), self.settings.stores),
            "s3": S3PrefixConnector(self.client("s3"), self.settings.stores),
            "lake": self.lake,
        }
        return Resolver(self.data_map, connectors, keys=self.keys.key_ring())

    @property
    def lake(self) -> AthenaLake:
        """The analytics lake through Athena (a new one per resolver: it counts its queries)."""
        from privacy_rights.adapters.lake import AthenaLake

        return AthenaLake(
            self.client("athena"),
            self.client("s3"),
            self.settings.stores,
            self.settings.athena_output,
            self.settings.athena_workgroup or None,
        )

    @cached_property
    def export(self) -> ExportService:
        from privacy_rights.adapters.export_archive import ExportArchive
        from privacy_rights.adapters.platform_records import PlatformRecords
        from privacy_rights.export.export_service import ExportService

        return ExportService(
            self.store,
            self.work,
            self.data_map,
            PlatformRecords(self.client("dynamodb"), self.client("s3"), self.settings.stores),
            ExportArchive(self.client("s3"), self.settings.exports_bucket),
            self.business_instructions,
            lake=self.lake,
        )

    @cached_property
    def erasure(self) -> ErasureService:
        from privacy_rights.adapters.export_archive import ExportArchive
        from privacy_rights.adapters.lake import LakeFiles
        from privacy_rights.adapters.platform_eraser import PlatformEraser
        from privacy_rights.adapters.platform_records import PlatformRecords
        from privacy_rights.erasure.erasure_service import ErasureService
        from privacy_rights.erasure.follow_up import SubjectSuppression

        dynamodb, s3 = self.client("dynamodb"), self.client("s3")
        return ErasureService(
            self.store,
            self.work,
            self.data_map,
            PlatformRecords(dynamodb, s3, self.settings.stores),
            PlatformEraser(dynamodb, s3, self.settings.stores),
            self.business_instructions,
            self.holds,
            self.new_resolver,
            SubjectSuppression(self.preference_store),
            ExportArchive(s3, self.settings.exports_bucket),
            self.keys,
            self.webhooks,
            lake=self.lake,
            lake_files=LakeFiles(s3, self.settings.stores),
            max_rewrite_bytes=self.settings.lake_rewrite_max_bytes,
        )

    @cached_property
    def correction(self) -> CorrectionService:
        from privacy_rights.adapters.platform_corrector import PlatformCorrector
        from privacy_rights.adapters.platform_records import PlatformRecords
        from privacy_rights.correction.correction_service import CorrectionService

        dynamodb = self.client("dynamodb")
        return CorrectionService(
            self.store,
            self.work,
            self.data_map,
            PlatformRecords(dynamodb, self.client("s3"), self.settings.stores),
            PlatformCorrector(dynamodb, self.settings.stores),
            self.business_instructions,
            self.customer_directory,
            self.webhooks,
        )

    @cached_property
    def business_instructions(self) -> BusinessInstructions:
        from privacy_rights.businesses.business_instructions import BusinessInstructions

        return BusinessInstructions(
            self.store, self.work, self.customer_directory, self.messenger, self.webhooks
        )

    @cached_property
    def customer_directory(self) -> Customers:
        from privacy_rights.adapters.customers import Customers

        return Customers(self.client("dynamodb"), self.settings.customers_table)

    @cached_property
    def customer_onboarding(self) -> CustomerOnboarding:
        from privacy_rights.ops.customers import CustomerOnboarding

        return CustomerOnboarding(self.customer_directory, self.store)

    @cached_property
    def customers(self) -> CustomerService:
        from privacy_rights.businesses.customer_service import CustomerService

        return CustomerService(
            self.store, self.work, self.customer_directory, self.workflow, self.webhook_secrets
        )

    @cached_property
    def holds(self) -> HoldService:
        from privacy_rights.adapters.hold_store import HoldStore
        from privacy_rights.erasure.legal_holds import HoldService

        store = HoldStore(self.client("dynamodb"), self.settings.holds_table)
        return HoldService(store, self.keys, self.store)

    @cached_property
    def work(self) -> WorkStore:
        from privacy_rights.adapters.work_store import WorkStore

        return WorkStore(self.client("s3"), self.settings.work_bucket)

    @cached_property
    def resolve(self) -> ResolveService:
        from privacy_rights.resolution.resolve_service import ResolveService

        return ResolveService(self.store, self.new_resolver, self.work, self.keys)

    @cached_property
    def preferences(self) -> PreferenceService:
        from privacy_rights.preferences.preference_service import PreferenceService

        return PreferenceService(self.preference_store, self.keys)

    @cached_property
    def preference_store(self) -> PreferenceStore:
        from privacy_rights.adapters.preference_store import PreferenceStore

        return PreferenceStore(self.client("dynamodb"), self.settings.preferences_table)

    @cached_property
    def counters(self) -> Counters:
        from privacy_rights.adapters.counters import Counters

        return Counters(self.client("dynamodb"), self.settings.counters_table)

    @cached_property
    def verification(self) -> VerificationService:
        from privacy_rights.adapters.call_facts import CallFacts
        from privacy_rights.adapters.verification_store import VerificationStore
        from privacy_rights.rights_requests.verification import FactChecker, VerificationService

        ddb = self.client("dynamodb")
        calls = CallFacts(ddb, self.settings.stores.get("calls", ""), self.settings.customers_table)
        return VerificationService(
            self.store,
            VerificationStore(ddb, self.settings.verification_table),
            self.counters,
            self.keys,
            self.messenger,
            self.data_map,
            FactChecker(calls),
            permissions_present=self.permissions.present,
            sign_in=self.sign_in,
            on_verified=self.workflow.verified,
        )

    @cached_property
    def sign_in(self) -> AccountSignIn | None:
        from privacy_rights.rights_requests.sign_in import AccountSignIn, ProviderKeys

        settings = self.settings
        if not (settings.identity_issuer and settings.identity_audience and settings.identity_jwks_url):
            return None
        keys = ProviderKeys(settings.identity_jwks_url)
        return AccountSignIn(settings.identity_issuer, settings.identity_audience, keys)

    @cached_property
    def workflow(self) -> Workflow:
        from privacy_rights.adapters.subject_locks import SubjectLocks
        from privacy_rights.adapters.task_tokens import TaskTokens
        from privacy_rights.orchestration.workflow import Workflow

        return Workflow(
            self.store,
            self.keys,
            self.messenger,
            str(self.settings.public_base_url),
            self.resolve,
            self.preferences,
            SubjectLocks(self.client("dynamodb"), self.settings.locks_table),
            TaskTokens(self.client("stepfunctions")),
            self.notice_records,
            contacts=self.contact_points,
            opt_out_effects=lambda: self.opt_out_effects,
        )

    @cached_property
    def opt_out_effects(self) -> OptOutEffects:
        from privacy_rights.adapters.marketing_consents import MarketingConsentTable
        from privacy_rights.adapters.platform_eraser import PlatformEraser
        from privacy_rights.adapters.platform_records import PlatformRecords
        from privacy_rights.preferences.opt_out_effects import OptOutEffects

        dynamodb, s3 = self.client("dynamodb"), self.client("s3")
        return OptOutEffects(
            self.store,
            self.work,
            self.data_map,
            PlatformRecords(dynamodb, s3, self.settings.stores),
            PlatformEraser(dynamodb, s3, self.settings.stores),
            MarketingConsentTable(dynamodb, self.settings.stores),
            self.webhooks,
            customers=self.customer_directory,
        )
