"""Every route the template gives an API is in that API's published document, whichever
function serves it: one path's methods may live in different functions (GET and POST
/ops/requests), and putting the parts together must keep them all."""

from __future__ import annotations

import json
import re

from lambda_package import REPO_ROOT
from lambda_package.openapi import template_functions

PUBLISHED = REPO_ROOT / "docs" / "openapi"


def _template_routes() -> dict[str, set[tuple[str, str]]]:
    functions, _ = template_functions()
    routes: dict[str, set[tuple[str, str]]] = {}
    for properties in functions.values():
        for event in (properties.get("Events") or {}).values():
            if event["Type"] != "Api" or event["Properties"]["Method"].lower() == "options":
                continue  # a CORS preflight is answered, not documented
            spec = event["Properties"]
            api = spec["RestApiId"]["Ref"]
            path = re.sub(r"\{(\w+)\+?\}", r"{\1}", spec["Path"])
            routes.setdefault(api, set()).add((spec["Method"].lower(), path))
    return routes


def test_every_route_of_the_template_is_in_its_apis_published_document() -> None:
    routes = _template_routes()
    assert routes, "the template declares no API routes"
    for api, expected in routes.items():
        document = json.loads((PUBLISHED / f"{api}.json").read_text())
        published = {(method, path) for path, item in document["paths"].items() for method in item}
        assert expected <= published, (api, sorted(expected - published))


def test_a_path_served_by_two_functions_keeps_both_methods() -> None:
    document = json.loads((PUBLISHED / "OpsApi.json").read_text())
    assert {"get", "post"} <= document["paths"]["/ops/requests"].keys()
