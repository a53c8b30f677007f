"""IAM principals that speak for a business customer: how one is bound, and how a calling
principal is found by its binding (``ops/customers`` writes bindings, the customers adapter
reads them)."""

from __future__ import annotations

import re

PRINCIPAL_KEY_PREFIX = "principal#"

_PRINCIPAL = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):iam::(?P<account>\d{12}):"
    r"(?P<kind>user|role)/(?P<path>(?:[\w+=,.@-]+/)*)(?P<name>[\w+=,.@-]{1,64})"
)
_SESSION = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):sts::(?P<account>\d{12}):assumed-role/(?P<name>[\w+=,.@-]{1,64})/[\w+=,.@-]+"
)


def binding_of(principal: str) -> str:
    """The ARN a principal is bound by: a role by its name (path dropped), a user as it is.
    Raises ValueError for anything else (a session, a wildcard, another service's ARN)."""
    found = _PRINCIPAL.fullmatch(principal)
    if found is None:
        raise ValueError(
            "an IAM user or role ARN, such as arn:aws:iam::123456789012:role/acme-privacy "
            "(no session, no wildcard)"
        )
    if found["kind"] == "role":
        return f"arn:{found['partition']}:iam::{found['account']}:role/{found['name']}"
    return principal


def bindings_of_caller(principal: str) -> list[str]:
    """The bindings a calling principal (API Gateway's ``userArn``) may be found by: itself, and
    for a role's session, its role."""
    found = [principal]
    session = _SESSION.fullmatch(principal)
    if session is not None:
        found.append(f"arn:{session['partition']}:iam::{session['account']}:role/{session['name']}")
    return found
