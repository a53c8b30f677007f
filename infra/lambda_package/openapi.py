"""The OpenAPI documents of the service's APIs, generated from the Powertools resolvers.

Each API is several Lambda functions, each with its own resolver; the document of an API is
their parts put together (paths and component schemas), once, at build time, and published
under ``docs/openapi/<api>.json``. ``--check`` fails when a published document differs from
what the code generates now (CI runs it through tests/package/test_openapi_documents.py).

Usage: ``python -m lambda_package.openapi [--check]``
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from lambda_package import REPO_ROOT

OPENAPI_DIR = REPO_ROOT / "docs" / "openapi"
TITLES = {
    "PublicApi": "CallX privacy rights - public API",
    "OpsApi": "CallX privacy rights - operations API (IAM, the operations role)",
    "CustomerApi": "CallX privacy rights - business customers' API (IAM)",
    "InternalApi": "CallX privacy rights - the platform's may-I-process API (IAM)",
}
VERSION = "1"
#: the order of a path item's operations (OpenAPI's own), whichever function declares each
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _method_order(entry: tuple[str, Any]) -> int:
    return METHODS.index(entry[0]) if entry[0] in METHODS else -1


def template_functions() -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Every function of template.yaml and the environment the template gives them, with
    placeholder resource names (what a module needs at import, not a deployment)."""
    from local_stack.template import Resolver, load_template, parameter_values

    template = load_template()

    def lookup(logical_id: str, attribute: str | None) -> str:
        if attribute in (None, "Ref"):
            return f"callx-{logical_id.lower()}"
        return f"arn:aws:lambda:us-east-1:123456789012:{logical_id}/{attribute}"

    resolver = Resolver(parameter_values(template, {}), lookup, "callx-privacy")
    functions = {
        name: spec["Properties"]
        for name, spec in template["Resources"].items()
        if spec["Type"] == "AWS::Serverless::Function"
    }
    environment: dict[str, str] = {}
    for source in (template["Globals"]["Function"], *functions.values()):
        for key, value in source.get("Environment", {}).get("Variables", {}).items():
            environment[key] = str(resolver.resolve(value))
    return functions, environment


def _apis_of(properties: dict[str, Any]) -> set[str]:
    return {
        event["Properties"]["RestApiId"]["Ref"]
        for event in (properties.get("Events") or {}).values()
        if event["Type"] == "Api"
    }


def _load(name: str, code_dir: Path) -> Any:
    sys.path.insert(0, str(code_dir))
    try:
        spec = importlib.util.spec_from_file_location(f"openapi_{name}", code_dir / "app.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {code_dir / 'app.py'}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(code_dir))


def documents() -> dict[str, dict[str, Any]]:
    """api logical id -> its OpenAPI document. Imports every API function in this process."""
    functions, environment = template_functions()
    os.environ.update(environment)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    merged: dict[str, dict[str, Any]] = {}
    for name in sorted(functions):
        properties = functions[name]
        apis = sorted(_apis_of(properties))
        if not apis:
            continue
        module = _load(name, REPO_ROOT / properties["CodeUri"])
        for api in apis:
            part = json.loads(module.app.get_openapi_json_schema(title=TITLES[api], version=VERSION))
            document = merged.setdefault(api, part)
            if document is not part:
                for path, operations in part.get("paths", {}).items():
                    # one path, its methods in different functions (GET and POST /ops/requests)
                    item = document["paths"].setdefault(path, {}) | operations
                    document["paths"][path] = dict(sorted(item.items(), key=_method_order))
                schemas = document.setdefault("components", {}).setdefault("schemas", {})
                schemas.update(part.get("components", {}).get("schemas", {}))
    for document in merged.values():
        document["paths"] = dict(sorted(document["paths"].items()))
        schemas = document.get("components", {}).get("schemas")
        if schemas:
            document["components"]["schemas"] = dict(sorted(schemas.items()))
    return merged


def rendered(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m lambda_package.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if docs/openapi/ is not up to date")
    parser.add_argument(
        "--dir", type=Path, default=OPENAPI_DIR, help="where the documents are (docs/openapi)"
    )
    args = parser.parse_args()
    check, directory = args.check, args.dir
    generated = {f"{api}.json": rendered(document) for api, document in documents().items()}
    if check:
        published = {p.name: p.read_text() for p in directory.glob("*.json")}
        stale = sorted(
            name for name in generated.keys() | published.keys() if generated.get(name) != published.get(name)
        )
        if stale:
            print(f"{directory} is out of date ({', '.join(stale)}): run `make openapi`", file=sys.stderr)
            return 1
        print(f"{directory}: {len(generated)} documents up to date")
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.json"):
        if stale.name not in generated:
            stale.unlink()
    for name, text in generated.items():
        (directory / name).write_text(text)
        print(directory / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
