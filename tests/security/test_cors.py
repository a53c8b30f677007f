"""A browser on another site cannot read the public API's answers (issue 21).

The preflight is answered by the function behind each path, with the one requesting origin when
it is allowed and with no Access-Control-Allow-Origin otherwise: never the list of allowed
origins (a comma-separated value, which browsers refuse) and never ``*``.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from harness import Service

pytestmark = pytest.mark.security

PATHS = [
    ("/requests", "POST"),
    ("/requests/req_AAAAAAAAAAAAAAAAAAAAAA", "GET"),
    ("/requests/req_AAAAAAAAAAAAAAAAAAAAAA/verify", "POST"),
    ("/requests/req_AAAAAAAAAAAAAAAAAAAAAA/permission-upload", "POST"),
    ("/requests/req_AAAAAAAAAAAAAAAAAAAAAA/download", "GET"),
]


def preflight(service: Service, path: str, method: str, origin: str) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(
        service.api_url + path,
        method="OPTIONS",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except urllib.error.HTTPError as answer:
        return answer.code, {k.lower(): v for k, v in answer.headers.items()}


@pytest.mark.parametrize(("path", "method"), PATHS)
def test_the_allowed_origin_gets_itself_back(service: Service, path: str, method: str) -> None:
    origin = service.api_url.rstrip("/")
    status, headers = preflight(service, path, method, origin)

    assert status in (200, 204)
    assert headers.get("access-control-allow-origin") == origin
    assert method in headers.get("access-control-allow-methods", "")


@pytest.mark.parametrize(("path", "method"), PATHS)
def test_another_site_gets_no_allow_origin(service: Service, path: str, method: str) -> None:
    status, headers = preflight(service, path, method, "https://attacker.example")

    assert "access-control-allow-origin" not in headers, (status, headers)


def test_on_aws_every_public_path_sends_its_preflight_to_its_function() -> None:
    """What the local stack cannot show: on AWS a `Cors:` block on the API would answer the
    preflight itself, with one fixed header. So the API has none, and every public path has an
    OPTIONS route to the function that serves it."""
    from local_stack.template import load_template

    template = load_template()
    assert "Cors" not in template["Resources"]["PublicApi"]["Properties"]
    routes: dict[str, set[str]] = {}
    for resource in template["Resources"].values():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        for event in (resource["Properties"].get("Events") or {}).values():
            properties = event.get("Properties", {})
            if event["Type"] == "Api" and properties.get("RestApiId") == {"Ref": "PublicApi"}:
                routes.setdefault(properties["Path"], set()).add(properties["Method"])
    assert routes
    assert all("OPTIONS" in methods for methods in routes.values()), routes
