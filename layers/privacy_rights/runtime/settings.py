"""The service's settings: one model, read from the environment once per cold start.

A plain pydantic model filled from ``os.environ`` rather than pydantic-settings: the latter
costs ~60 ms of import on every cold start and its extra features (dotenv, nested sources)
are of no use in Lambda.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

STORE_PREFIX = "STORE_"
#: the US and Canada, the UK and its Crown Dependencies (which share +44), the EU, the rest of
#: the EEA and Switzerland: where the service has requesters
DEFAULT_PHONE_COUNTRIES = (
    "US,CA,GB,GG,JE,IM,"
    "AT,BE,BG,HR,CY,CZ,DK,EE,FI,FR,DE,GR,HU,IE,IT,LV,LT,LU,MT,NL,PL,PT,RO,SK,SI,ES,SE,"
    "IS,LI,NO,CH"
)


class Settings(BaseModel):
    """Names of this stack's resources and the few knobs of the service. Secrets are not
    here: only the names under which SSM / Secrets Manager keep them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    requests_table: str = Field(min_length=3)
    audit_table: str = Field(min_length=3)
    idempotency_table: str = Field(min_length=3)
    preferences_table: str = Field(min_length=3)
    exports_bucket: str = Field(min_length=3)
    inbound_bucket: str = Field(min_length=3)
    work_bucket: str = Field(min_length=3)
    notices_table: str = Field(min_length=3)
    customers_table: str = Field(min_length=3)
    locks_table: str = Field(min_length=3)
    verification_table: str = Field(min_length=3)
    counters_table: str = Field(min_length=3)
    permissions_bucket: str = Field(min_length=3)
    mail_table: str = Field(min_length=3)
    holds_table: str = Field(min_length=3)
    #: notices whose send failed or may have failed, until delivered or settled by a person
    outstanding_notices_table: str = ""
    #: the phone number (or pool) automated calls come from; empty: landlines get no code
    voice_origination_identity: str = ""
    #: the email-intake queue and its dead-letter queue (only the ops API replays between them)
    mail_queue_url: str | None = None
    mail_dead_letter_queue_url: str | None = None
    #: the platform's identity provider, for account holders who verify by signing in again
    identity_issuer: str = ""
    identity_audience: str = ""
    identity_jwks_url: str = ""
    max_body_bytes: int = Field(default=16 * 1024, gt=0)
    #: cookies holding the pseudonymous ids the advertising-attribution pixels use (for GPC)
    attribution_cookies: str = "cx_vid,cx_aid"
    submissions_per_ip_per_hour: int = Field(default=20, gt=0)
    #: countries (phonenumbers regions) whose numbers get SMS and calls at all; the template's
    #: ProtectConfiguration allows the same countries at End User Messaging
    phone_allowed_countries: str = DEFAULT_PHONE_COUNTRIES
    #: every SMS and call to one number (codes, acknowledgements, final notices) counts here
    phone_messages_per_number_per_day: int = Field(default=10, gt=0)
    #: all SMS and calls of the service in a UTC day; once spent, sending stops (and an alarm)
    phone_messages_per_day: int = Field(default=500, gt=0)
    #: data map store name -> physical table or bucket name, from ``STORE_<NAME>`` variables
    stores: dict[str, str] = Field(default_factory=dict)
    #: Athena, for the analytics lake: the workgroup and where query results go (s3://…/prefix/)
    athena_workgroup: str = ""
    athena_output: str = ""
    #: a lake file bigger than this is not rewritten by one invocation: it is routed to ops
    lake_rewrite_max_bytes: int = Field(default=2 * 1024**3, gt=0)
    hash_key_secret: str = Field(min_length=1, description="Secrets Manager name of the HMAC key ring")
    webhook_secret: str = Field(
        min_length=1, description="Secrets Manager name of the webhooks' master secret"
    )
    sender_email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    #: the SES configuration set every email goes through (bounce and complaint metrics, alarms)
    ses_configuration_set: str = ""
    privacy_address: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    public_base_url: HttpUrl
    allowed_origins: str = ""
    state_machine_arn: str | None = None
    #: The IAM role privacy operations staff assume; only its sessions may call the ops APIs.
    ops_role_arn: str = ""
    #: The ops console's role (issue 18), handed by the Cognito identity pool to signed-in staff:
    #: its sessions may call the ops APIs too, as the user pool user API Gateway names.
    ops_console_role_arn: str = ""
    secret_cache_seconds: int = Field(default=300, ge=0)
    #: the toll-free number privacy staff answer (CCPA 7020), E.164; named in the notices, the
    #: status page and calls. Empty: no message mentions a phone line
    toll_free_number: str = Field(default="", pattern=r"^(\+[1-9]\d{6,14})?$")
    #: the lead supervisory authority (GDPR Art. 56) that GDPR denials name, with where to reach it
    lead_supervisory_authority: str = Field(default="", max_length=200)
    #: GDPR Art. 18(3): a restriction ops lift ends this many days after the person was told
    restriction_lift_notice_days: int = Field(default=14, ge=1, le=90)
    #: CCPA §7101: a closed request's record (item, ledger, audit chain) is removed this many
    #: calendar months after it was closed (``ops.record_retention``); never fewer than 24
    record_retention_months: int = Field(default=24, ge=24, le=120)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        source = os.environ if environ is None else environ
        fields: dict[str, object] = {
            name: source[name.upper()] for name in cls.model_fields if name.upper() in source
        }
        fields["stores"] = {
            key.removeprefix(STORE_PREFIX).lower(): value
            for key, value in source.items()
            if key.startswith(STORE_PREFIX)
        }
        return cls.model_validate(fields)

    @field_validator("phone_allowed_countries")
    @classmethod
    def _region_codes(cls, value: str) -> str:
        malformed = sorted(code for code in _codes(value) if not _REGION_CODE.fullmatch(code))
        if malformed:
            raise ValueError(f"not phone regions (ISO 3166-1 alpha-2, upper case): {', '.join(malformed)}")
        return value

    @property
    def phone_countries(self) -> frozenset[str]:
        """The allowed regions, each one phonenumbers knows (``ValueError`` otherwise). Checked
        here, where a function first messages a phone, rather than at every cold start: importing
        phonenumbers costs a handler about a quarter of a boto3 import. The template's list is
        checked by the unit tests."""
        import phonenumbers

        countries = frozenset(_codes(self.phone_allowed_countries))
        unknown = sorted(countries - phonenumbers.SUPPORTED_REGIONS)
        if unknown:
            raise ValueError(f"PHONE_ALLOWED_COUNTRIES: not phone regions: {', '.join(unknown)}")
        return countries

    @property
    def origins(self) -> list[str]:
        return [origin.strip() for origin in self.allowed_origins.split(",") if origin.strip()]


_REGION_CODE = re.compile(r"[A-Z]{2}")


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_environment()
