"""The dependency rule, read from the code (issue 14).

- Only the composition root (and the adapters themselves) may import ``privacy_rights.adapters``:
  services are typed against ``privacy_rights.core.ports``.
- A domain module (neither a service, nor runtime glue, nor the composition root) never imports a
  service module: the domain does not depend on the orchestration built on it.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "privacy_rights"
ADAPTERS = "privacy_rights.adapters"
COMPOSITION_ROOT = "privacy_rights.runtime.composition"

#: modules that orchestrate ports (stores, messengers) and other services: may import services.
#: ``legal_holds`` is domain: the hold models (which the ports name) and a HoldService over ports
#: only; keep it so (a domain module may not import a service).
SERVICES = frozenset(
    (
        "privacy_rights.businesses.business_instructions",
        "privacy_rights.businesses.customer_service",
        "privacy_rights.mail.email_intake",
        "privacy_rights.erasure.erasure_service",
        "privacy_rights.correction.correction_service",
        "privacy_rights.correction.review",
        "privacy_rights.correction.statements",
        "privacy_rights.erasure.follow_up",
        "privacy_rights.export.export_service",
        "privacy_rights.rights_requests.intake",
        "privacy_rights.rights_requests.appeals",
        "privacy_rights.rights_requests.mail_clarifications",
        "privacy_rights.mail.mail_ops",
        "privacy_rights.ops.ops",
        "privacy_rights.ops.customers",
        "privacy_rights.ops.yearly_metrics",
        "privacy_rights.ops.extensions",
        "privacy_rights.ops.record_retention",
        "privacy_rights.preferences.preference_service",
        "privacy_rights.preferences.preference_decisions",
        "privacy_rights.rights_requests.request_access",
        "privacy_rights.rights_requests.request_merge",
        "privacy_rights.resolution.resolve_service",
        "privacy_rights.rights_requests.verification",
        "privacy_rights.orchestration.workflow",
        "privacy_rights.orchestration.execution_end",
        "privacy_rights.orchestration.notice_retries",
        "privacy_rights.orchestration.stalled_requests",
        "privacy_rights.orchestration.deadline_sweep",
    )
)
#: runtime glue between the handlers and the services: may import services, not adapters
RUNTIME = frozenset(
    (
        # the state machine tasks' wrapper: builds the container, calls a service
        "privacy_rights.runtime.task_handler",
        # the API functions' shared set-up: builds the container and the resolver
        "privacy_rights.runtime.api_handler",
        # the tasks' input/output models, shaped by the workflow's verdicts and waits
        "privacy_rights.orchestration.step_io",
    )
)
#: (importer, imported) pairs allowed against the rules, each with its reason
EXEMPT: dict[tuple[str, str], str] = {}


def _module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, root: Path = PACKAGE) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _violations(importer: str, rule: str) -> list[str]:
    wrong = []
    for imported in sorted(_imports(MODULES[importer])):
        if (importer, imported) in EXEMPT:
            continue
        if rule == "adapters" and _is_within(imported, ADAPTERS):
            wrong.append(imported)
        if rule == "services" and any(_is_within(imported, s) for s in SERVICES | {COMPOSITION_ROOT}):
            wrong.append(imported)
    return wrong


def test_the_package_is_found() -> None:
    assert COMPOSITION_ROOT in MODULES
    assert {*SERVICES, *RUNTIME} <= MODULES.keys(), "a listed module no longer exists"
    for importer, imported in EXEMPT:
        assert importer in MODULES, "a stale exemption"
        assert imported in MODULES, "a stale exemption"


@pytest.mark.parametrize(
    "module",
    sorted(m for m in MODULES if m != COMPOSITION_ROOT and not _is_within(m, ADAPTERS)),
)
def test_only_the_composition_root_imports_adapters(module: str) -> None:
    assert _violations(module, "adapters") == [], f"{module} must depend on privacy_rights.core.ports"


@pytest.mark.parametrize(
    "module",
    sorted(
        m for m in MODULES if m not in SERVICES | RUNTIME | {COMPOSITION_ROOT} and not _is_within(m, ADAPTERS)
    ),
)
def test_domain_modules_do_not_import_services(module: str) -> None:
    assert _violations(module, "services") == [], f"{module} is domain: it must not import a service"


def test_adapters_do_not_import_the_composition_root() -> None:
    """The adapters are built by the composition root, never the other way round."""
    wrong = {
        module: [i for i in _imports(MODULES[module]) if _is_within(i, COMPOSITION_ROOT)]
        for module in MODULES
        if _is_within(module, ADAPTERS)
    }
    assert {m: i for m, i in wrong.items() if i and (m, COMPOSITION_ROOT) not in EXEMPT} == {}


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    """Imports under TYPE_CHECKING, inside functions and relative ones all count."""
    module = tmp_path / "privacy_rights" / "example.py"
    module.parent.mkdir()
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from privacy_rights.orchestration.workflow import Workflow\n"
        "def f():\n"
        "    import privacy_rights.adapters.work_store\n"
        "from .adapters import request_store\n",
        encoding="utf-8",
    )
    found = _imports(module, root=module.parent)
    assert {
        "privacy_rights.orchestration.workflow",
        "privacy_rights.adapters.work_store",
        "privacy_rights.adapters.request_store",
    } <= found


def test_the_ops_cli_does_not_ship_in_the_lambda_layer() -> None:
    """The ops CLI is an HTTP client for people: nothing of it is in the layer, and nothing in
    the layer imports it."""
    layer = PACKAGE.parent
    assert not [path for path in layer.rglob("*.py") if path.stem in ("cli", "ops_cli")]
    assert not any("privacy_ops" in imported for module in MODULES for imported in _imports(MODULES[module]))
