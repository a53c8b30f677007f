"""Who calls the ops API from the console (issue 18): a session of the console's role (which
the Cognito identity pool hands a signed-in user) acts as the user pool user API Gateway names
in the request context; nothing the caller sends names anyone."""

from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent

from privacy_rights.core.errors import Unauthenticated
from privacy_rights.runtime.api import operator_identity

ACCOUNT = "123456789012"
OPS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/callx-privacy-ops"
CONSOLE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/privacy-prod-ops-console"
CONSOLE_SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/privacy-prod-ops-console/CognitoIdentityCredentials"
SUB = "8f1c2d3e-4a5b-4c6d-9e8f-0a1b2c3d4e5f"
POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
SIGNED_IN = f"{POOL},{POOL}:CognitoSignIn:{SUB}"


def event(
    principal: str | None, provider: str | None = None, headers: dict[str, str] | None = None
) -> APIGatewayProxyEvent:
    identity: dict[str, Any] = {
        "userArn": principal,
        "caller": None,
        "cognitoAuthenticationProvider": provider,
    }
    return APIGatewayProxyEvent({"headers": headers or {}, "requestContext": {"identity": identity}})


def test_a_console_session_acts_as_the_signed_in_user() -> None:
    who = operator_identity(event(CONSOLE_SESSION, SIGNED_IN), OPS_ROLE, CONSOLE_ROLE)

    assert who == f"{CONSOLE_SESSION}/{SUB}"


@pytest.mark.parametrize(
    ("principal", "provider"),
    [
        (CONSOLE_SESSION, None),  # the identity pool's credentials, but no user named
        (CONSOLE_SESSION, f"{POOL},{POOL}:CognitoSignIn:not-a-sub"),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/privacy-prod-ops-console/mallory", SIGNED_IN),  # a chosen name
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/privacy-prod-ops-console/mallory", None),
        (
            "arn:aws:sts::210987654321:assumed-role/privacy-prod-ops-console/CognitoIdentityCredentials",
            SIGNED_IN,
        ),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/other-role/CognitoIdentityCredentials", SIGNED_IN),
    ],
)
def test_a_console_session_without_a_signed_in_user_is_refused(principal: str, provider: str | None) -> None:
    with pytest.raises(Unauthenticated):
        operator_identity(event(principal, provider), OPS_ROLE, CONSOLE_ROLE)


def test_the_local_operator_header_names_nobody_on_aws() -> None:
    """Deployed, API Gateway forwards headers as they came: the console's local header is text
    like any other, and a call without a signature has no IAM identity in its context."""
    with pytest.raises(Unauthenticated):
        operator_identity(event(None, headers={"X-Local-Operator": "alice"}), OPS_ROLE, CONSOLE_ROLE)
    mallory = f"arn:aws:iam::{ACCOUNT}:user/mallory"
    with pytest.raises(Unauthenticated):
        operator_identity(event(mallory, headers={"X-Local-Operator": "alice"}), OPS_ROLE, CONSOLE_ROLE)


def test_staff_sessions_of_the_operations_role_are_unchanged() -> None:
    staff = f"arn:aws:sts::{ACCOUNT}:assumed-role/callx-privacy-ops/olivia"

    assert operator_identity(event(staff), OPS_ROLE, CONSOLE_ROLE) == staff
    assert operator_identity(event(staff), OPS_ROLE) == staff
    with pytest.raises(Unauthenticated):  # no console role configured: its sessions are nobody
        operator_identity(event(CONSOLE_SESSION, SIGNED_IN), OPS_ROLE)
