"""Logger, metrics and tracer, configured once, with personal data masked in every log line.

Requests carry emails, phone numbers, names and codes; none of them may reach a log. The
formatter masks known fields by name and anything shaped like an email or phone number in
free text, so a careless ``logger.info(f"... {email}")`` still logs nothing personal.
"""

from __future__ import annotations

import re
from typing import Any

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
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d ().-]{5,}\d")
_BEARER = re.compile(r"(?i)bearer\s+\S+")
MASK = "***"


def mask(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in SENSITIVE_KEYS and value not in (None, "", [], {}):
        return MASK
    if isinstance(value, str):
        return _PHONE_LIKE.sub(_mask_phone, _EMAIL.sub(MASK, _BEARER.sub("Bearer " + MASK, value)))
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    # Anything else (an exception object in a stack trace, a model) would be turned into text
    # only when the line is written, after masking: turn it into text now.
    return mask(str(value))


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


metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
tracer = Tracer(service=SERVICE)
