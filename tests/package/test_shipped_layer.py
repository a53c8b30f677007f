"""What `make package` ships, loaded as Lambda loads it (issue 21).

The development venv hides missing dependencies (moto brings the X-Ray SDK, for one). So the
layer is built from the lock exactly as `make package` builds it, for this machine's
architecture (the template's arm64 wheels cannot load on an x86_64 test machine; the versions
and the code are the same), and every handler of template.yaml is imported by the runtime's
Python version with nothing on its path but the function's folder, the layer's ``python/``
(as ``/opt/python``) and the AWS SDK at the versions the runtime provides. The arm64 build of
`make package` is checked separately: every wheel's tags and every shared object fit the
template's runtime.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import lambda_package
from lambda_package import LOCK_PATH, RUNTIME_SDK_PATH, Runtime, native_runtime, template_runtime
from lambda_package.openapi import template_functions
from local_stack.template import load_template

CACHE = lambda_package.REPO_ROOT / "build" / "test-cache"

#: Imports every handler in one interpreter (the local stack does the same: variables may not
#: disagree between functions), each from its own folder as /var/task, and reports per handler.
IMPORT_SCRIPT = r"""
import importlib.util, json, sys, traceback
functions = json.loads(sys.argv[1])
results = {}
for function in functions:
    sys.path.insert(0, function["code_dir"])
    module_name, _, attribute = function["handler"].rpartition(".")
    try:
        path = function["code_dir"] + "/" + module_name + ".py"
        spec = importlib.util.spec_from_file_location("handler_" + function["name"], path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        results[function["name"]] = "ok" if callable(getattr(module, attribute)) else "handler not callable"
    except BaseException:
        results[function["name"]] = traceback.format_exc(limit=3)
    finally:
        sys.path.remove(function["code_dir"])
print(json.dumps({"python": sys.version.split()[0], "path": sys.path, "results": results}))
"""


def runtime_python(version: str) -> Path | None:
    """The interpreter of the runtime's Python version: pyenv's, or one on the PATH."""
    candidates: list[Path] = []
    pyenv = shutil.which("pyenv")
    if pyenv:
        found = subprocess.run([pyenv, "prefix", version], capture_output=True, text=True, check=False)
        if found.returncode == 0:
            candidates += [
                Path(prefix) / "bin" / f"python{version}" for prefix in found.stdout.strip().split(":")
            ]
    candidates += sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"), reverse=True)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if not candidate.is_file():
            continue
        probe = subprocess.run(
            [str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def _cache_key(runtime: Runtime) -> str:
    digest = hashlib.sha256(LOCK_PATH.read_bytes() + RUNTIME_SDK_PATH.read_bytes()).hexdigest()[:16]
    return f"{runtime.python}-{runtime.machine}-{digest}"


def _dependencies(runtime: Runtime) -> Path:
    """The lock installed for ``runtime``, kept between runs while the lock is unchanged. No
    ``.pyc`` files: they change nothing an import does, and compiling them was most of a fresh
    clone's build (``make package`` still compiles what ships)."""
    directory = CACHE / _cache_key(runtime)
    python_dir = directory / "layer" / "python"
    CACHE.mkdir(parents=True, exist_ok=True)
    # One builder per cache entry, whichever process or thread asks first (two pytest-xdist
    # workers may both need it): the others wait for it, then find it complete.
    with (CACHE / f"{_cache_key(runtime)}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "complete").exists():
            lambda_package.install_dependencies(python_dir, runtime, byte_compile=False)
            lambda_package.install_runtime_sdk(directory / "sdk", runtime)
            (directory / "complete").touch()
    return directory


@pytest.fixture(scope="module")
def native_layer(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The layer as `make package` builds it, for this machine; the domain package fresh. The
    template's (arm64) build is made at the same time: pip mostly waits on files."""
    runtime = native_runtime(template_runtime().python)
    with ThreadPoolExecutor(max_workers=2) as pool:
        cached, *_ = pool.map(_dependencies, dict.fromkeys([runtime, template_runtime()]))
    layer = tmp_path_factory.mktemp("opt")
    shutil.copytree(cached / "layer" / "python", layer / "python")
    lambda_package.copy_domain_package(layer / "python")
    return {"python": layer / "python", "sdk": cached / "sdk"}


@pytest.mark.parametrize("subsegments_disabled", ["true", "false"])
def test_every_handler_of_the_template_imports_on_the_runtime_python(
    native_layer: dict[str, Path], subsegments_disabled: str
) -> None:
    """With X-Ray subsegments off (the template's default) and on (dev's samconfig)."""
    runtime = template_runtime()
    interpreter = runtime_python(runtime.python)
    if interpreter is None:
        message = (
            f"no Python {runtime.python} here (pyenv versions lists none): the shipped layer is untested"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    functions, variables = template_functions()
    assert len(functions) >= 25
    root = lambda_package.REPO_ROOT
    payload = [
        {"name": name, "code_dir": str(root / props["CodeUri"]).rstrip("/"), "handler": props["Handler"]}
        for name, props in functions.items()
    ]
    environment = {
        "PATH": "/usr/bin:/bin",
        # /opt/python before the runtime's SDK, as Lambda orders them.
        "PYTHONPATH": f"{native_layer['python']}:{native_layer['sdk']}",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        # Powertools' Tracer turns itself on inside Lambda (and so needs the X-Ray SDK).
        "AWS_LAMBDA_FUNCTION_NAME": "callx-privacy-import-check",
        "LAMBDA_TASK_ROOT": "/var/task",
        **variables,
        "POWERTOOLS_TRACE_DISABLED": subsegments_disabled,
    }
    completed = subprocess.run(
        # -S: no site-packages of the interpreter; -E is not used, PYTHONPATH is the point.
        [str(interpreter), "-S", "-c", IMPORT_SCRIPT, json.dumps(payload)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    report = json.loads(completed.stdout.strip().splitlines()[-1])
    assert report["python"].startswith(runtime.python + ".")
    assert not any("site-packages" in entry for entry in report["path"]), report["path"]
    failures = {name: outcome for name, outcome in report["results"].items() if outcome != "ok"}
    assert not failures, "\n\n".join(f"{name}:\n{outcome}" for name, outcome in failures.items())
    assert set(report["results"]) == set(functions)


def test_the_layer_without_a_dependency_fails_the_import_check(
    native_layer: dict[str, Path], tmp_path: Path
) -> None:
    """The check can fail: the layer without the X-Ray SDK (the defect of issue 21) breaks."""
    runtime = template_runtime()
    interpreter = runtime_python(runtime.python)
    if interpreter is None:
        pytest.skip(f"no Python {runtime.python} here")
    crippled = tmp_path / "python"
    shutil.copytree(native_layer["python"], crippled, ignore=shutil.ignore_patterns("aws_xray_sdk*"))
    _, variables = template_functions()
    completed = subprocess.run(
        [str(interpreter), "-S", "-c", "import privacy_rights.runtime.observability"],
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": f"{crippled}:{native_layer['sdk']}",
            "AWS_LAMBDA_FUNCTION_NAME": "callx-privacy-import-check",
            "LAMBDA_TASK_ROOT": "/var/task",
            "AWS_DEFAULT_REGION": "us-east-1",
            **variables,
            # with subsegments on, as a deployment may set them
            "POWERTOOLS_TRACE_DISABLED": "false",
        },
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert "aws_xray_sdk" in completed.stderr


def test_the_packaged_layer_fits_the_template_runtime() -> None:
    """The arm64 (template) build: every wheel's tags and every shared object fit python3.12
    on Amazon Linux 2023; the same files judged for another machine or Python do not."""
    runtime = template_runtime()
    python_dir = _dependencies(runtime) / "layer" / "python"
    assert lambda_package.wheel_problems(python_dir, runtime) == []
    distributions = {p.name.split("-")[0].lower() for p in python_dir.glob("*.dist-info")}
    assert {"aws_lambda_powertools", "aws_xray_sdk", "pydantic_core", "cryptography"} <= distributions
    assert not distributions & {"boto3", "botocore", "s3transfer"}, "the runtime brings the SDK"
    other_machine = "x86_64" if runtime.machine == "aarch64" else "aarch64"
    assert lambda_package.wheel_problems(python_dir, Runtime(runtime.python, other_machine))
    assert lambda_package.wheel_problems(python_dir, Runtime("3.13", runtime.machine))


def test_the_layer_declares_only_the_runtime_it_is_built_for() -> None:
    """cp312 wheels do not load on python3.13: the layer may not claim it."""
    template = load_template()
    layer = template["Resources"]["DomainLayer"]
    runtime = template_runtime()
    assert layer["Properties"]["CompatibleRuntimes"] == [f"python{runtime.python}"]
    assert layer["Properties"]["CompatibleArchitectures"] == template["Globals"]["Function"]["Architectures"]


def test_the_packaged_template_points_at_what_was_built(tmp_path: Path) -> None:
    text = lambda_package.packaged_template(tmp_path)
    uris = [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.strip().startswith(("CodeUri:", "DefinitionUri:"))
    ]
    assert len(uris) >= 26
    for uri in uris:
        assert (tmp_path / uri).exists(), uri
    assert "ContentUri: layer/" in text
    assert text.count("\n") == lambda_package.TEMPLATE_PATH.read_text().count("\n")


def test_the_lock_pins_every_layer_dependency_with_hashes() -> None:
    lock = LOCK_PATH.read_text()
    pins = [line for line in lock.splitlines() if line and not line[0].isspace() and not line.startswith("#")]
    assert pins
    assert all("==" in pin for pin in pins)
    blocks = lock.split("\n")
    for index, line in enumerate(blocks):
        if line in pins:
            assert "--hash=sha256:" in blocks[index + 1], line
    assert any(pin.startswith("holidays==") for pin in pins)
    stripped = lambda_package.without_distributions(lock, lambda_package.runtime_sdk_names())
    assert "botocore==" not in stripped
    assert "boto3==" not in stripped
    assert "pydantic==" in stripped
    constraints = lambda_package.layer_constraints().splitlines()
    assert "--hash" not in "".join(constraints)
    assert any(line.startswith("pydantic==") for line in constraints)
    assert not any(line.startswith(("boto3==", "botocore==")) for line in constraints)
