"""Logger, metrics and tracer, configured once, with personal data masked in every log line.

Requests carry emails, phone numbers, names and codes; none of them may reach a log. The
formatter masks known fields by name and anything shaped like an email or phone number in
free text, so a careless ``logger.info(f"... {email}")`` still logs nothing personal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

SERVICE = "privacy-rights"
NAMESPACE = "CallX/PrivacyRights"

SENSITIVE_KEYS = frozenset(
    {
        "email",
        "phone",
        "name",
        "code",
        "token",
        "authorization",
        "body",
        "details",
        "corrections",
        "subject",
        "requester",
        "to",
        "address",
        "caller_id",
        "ip",
        "source_ip",
    }
)
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number does not start inside a word: the digits of a request id ("req_…-4155…") or
# of a hex id are not one.
_PHONE_LIKE = re.compile(r"(?<![\w-])\+?\(?\d[\d ().-]{5,}\d")
_BEARER = re.compile(r"(?i)bearer\s+\S+")
# Ids that a search of the logs must find unaltered: ARNs, UUIDs, hex digests (with a letter,
# so a long run of digits is never taken for one) and ISO timestamps. Inside them only emails
# and international numbers are masked (an ARN can name an SES identity or a phone number).
_IDENTIFIERS = re.compile(
    r"arn:[\w-]+:[^\s\"',;]*"
    r"|\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|\b(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{16,}\b"
    r"|\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
)
_INTERNATIONAL_NUMBER = re.compile(r"\+\d{7,15}")
MASK = "***"


def mask(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in SENSITIVE_KEYS and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return _mask_text(value)
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else (an exception object in a stack trace, a model) would be turned into text
    # only when the line is written, after masking: turn it into text now.
    return mask(str(value))


def _mask_text(text: str) -> str:
    parts: list[str] = []
    position = 0
    for identifier in _IDENTIFIERS.finditer(text):
        parts.append(_mask_free_text(text[position : identifier.start()]))
        parts.append(_INTERNATIONAL_NUMBER.sub(MASK, _EMAIL.sub(MASK, identifier.group(0))))
        position = identifier.end()
    parts.append(_mask_free_text(text[position:]))
    return "".join(parts)


def _mask_free_text(text: str) -> str:
    return _PHONE_LIKE.sub(_mask_phone, _EMAIL.sub(MASK, _BEARER.sub("Bearer " + MASK, text)))


def _mask_phone(match: re.Match[str]) -> str:
    """Phone numbers have ten or more digits (eight with a country code); dates and
    counts have fewer and stay readable."""
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    return MASK if digits >= 10 or (text.startswith("+") and digits >= 7) else text


_LOG_KEYS_KEPT = frozenset({"level", "location", "timestamp", "service", "sampling_rate", "xray_trace_id"})


class MaskingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        masked = {k: v if k in _LOG_KEYS_KEPT else mask(v, k) for k, v in dict(log).items()}
        return super().serialize(masked)


def make_logger(function: str) -> Logger:
    return Logger(service=SERVICE, logger_formatter=MaskingFormatter(), function_role=function)


_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_Function = TypeVar("_Function", bound=Callable[..., Any])


class Tracing:
    """Powertools' Tracer where X-Ray subsegments are on; where Powertools' own switch
    (``POWERTOOLS_TRACE_DISABLED``) turns them off, the X-Ray SDK is not even imported.

    Importing it costs about one boto3 + Logger import again (``aws_xray_sdk.core`` builds its
    recorder and a botocore client at import; ``make bench``), and Tracer builds that recorder
    even when disabled. A person waits for that on every cold start of the public API, so it is
    paid only where the deployment asks for subsegments (template parameter
    ``XRaySubsegmentsDisabled``). Lambda's Active tracing records each invocation and its init
    either way.
    """

    def __init__(self, disabled: bool) -> None:
        self.tracer: Tracer | None = None if disabled else Tracer(service=SERVICE)

    @classmethod
    def from_environment(cls) -> Tracing:
        return cls(disabled=os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in _TRUE)

    def capture_lambda_handler(self, handler: _Function) -> _Function:
        if self.tracer is None:
            return handler
        return cast(_Function, self.tracer.capture_lambda_handler(handler))

    def capture_method(self, method: _Function) -> _Function:
        return method if self.tracer is None else self.tracer.capture_method(method)


metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracing.from_environment()
