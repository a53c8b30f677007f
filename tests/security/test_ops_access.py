"""Only the privacy operations role reaches the ops APIs (issue 21).

On AWS, API Gateway's IAM authorization admits any principal of the account that holds
``execute-api:Invoke``; the ops API's resource policy narrows that to the operations role, and
the functions check the caller again (`ApiFunction(operators_only=True)`). Locally the resource
policy is not enforced, so these attacks show the functions' own check: an attacker with an IAM
identity of their own, in the same account, is refused on every ops route, and nothing is done.
"""

from __future__ import annotations

import pytest
from harness import Http, Service

pytestmark = pytest.mark.security

ACCOUNT = "123456789012"
NOT_OPERATORS = [
    f"arn:aws:iam::{ACCOUNT}:user/mallory",  # an IAM user of the account
    f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-pipeline/job-7",  # another role's session
    f"arn:aws:sts::{ACCOUNT}:assumed-role/callx-privacy-ops-readonly/mallory",  # a look-alike role
    "arn:aws:sts::210987654321:assumed-role/callx-privacy-ops/mallory",  # the name, another account
]
ROUTES = [
    ("GET", "/ops/requests?status=failed", None),
    ("POST", "/ops/lookups", {"identifiers": {"email": "someone@example.com"}, "reason": "a ticket"}),
    ("GET", "/ops/holds", None),
    ("GET", "/ops/mail/review", None),
]


@pytest.mark.parametrize("principal", NOT_OPERATORS)
@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_a_principal_that_is_not_the_operations_role_is_refused(
    service: Service, principal: str, method: str, path: str, body: object
) -> None:
    answer = Http(service.api_url).call(method, path, body, headers={"X-Local-Operator": principal})

    assert answer.status == 403, answer
    assert "mallory" not in str(answer.body)


def test_a_session_of_the_operations_role_is_admitted(service: Service) -> None:
    staff = f"arn:aws:sts::{ACCOUNT}:assumed-role/callx-privacy-ops/olivia"
    answer = Http(service.api_url).call("GET", "/ops/holds", headers={"X-Local-Operator": staff})

    assert answer.status == 200, answer


def test_a_refused_lookup_leaves_no_trace_of_having_looked(service: Service) -> None:
    before = service.ops("GET", "/ops/holds")
    Http(service.api_url).call(
        "POST",
        "/ops/lookups",
        {"identifiers": {"email": "victim@example.com"}, "reason": "curious"},
        headers={"X-Local-Operator": NOT_OPERATORS[0]},
    )
    assert service.ops("GET", "/ops/holds").body == before.body
