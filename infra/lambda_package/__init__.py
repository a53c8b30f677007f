"""What ships: the Lambda layer and the functions of template.yaml, built for the template's
runtime and architecture without Docker, and a template that points at them.

The layer is ``layers/requirements.txt`` (the hashed lock) installed with pip's cross-platform
options (``--platform manylinux…_<machine> --python-version 3.12 --only-binary=:all:``) into
``python/``, plus the ``privacy_rights`` package. Nothing here guesses: a wheel whose tags do not
fit the runtime, or a shared object for another machine, is a build error (`wheel_problems`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
LOCK_PATH = REPO_ROOT / "layers" / "requirements.txt"
RUNTIME_SDK_PATH = REPO_ROOT / "layers" / "lambda-runtime.txt"
DOMAIN_PACKAGE = REPO_ROOT / "layers" / "privacy_rights"

#: Lambda's architecture names and the machine names wheels and ELF headers use.
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
#: ELF e_machine of each machine (a .so built for another one cannot load).
ELF_MACHINE = {"aarch64": 183, "x86_64": 62}
#: Lambda's python3.12+ runtimes run on Amazon Linux 2023: glibc 2.34.
RUNTIME_GLIBC_MINOR = 34

_URI_LINE = re.compile(r"^(?P<indent>\s+)(?P<key>CodeUri|ContentUri|DefinitionUri): (?P<path>\S+)\s*$")


class PackageError(Exception):
    """What was built would not run on the runtime the template names."""


@dataclass(frozen=True)
class Runtime:
    python: str  # "3.12"
    machine: str  # "aarch64"

    @property
    def python_tag(self) -> str:
        return "cp" + self.python.replace(".", "")

    def pip_platforms(self) -> list[str]:
        """Every manylinux tag a wheel may carry and still load on Amazon Linux 2023."""
        tags = [f"manylinux2014_{self.machine}"]
        tags += [f"manylinux_2_{minor}_{self.machine}" for minor in range(17, RUNTIME_GLIBC_MINOR + 1)]
        return tags


def template_runtime(template_text: str | None = None) -> Runtime:
    """The runtime and architecture of Globals.Function, read as text so this module needs
    nothing but the standard library."""
    text = template_text if template_text is not None else TEMPLATE_PATH.read_text()
    runtime = re.search(r"^\s+Runtime: python(\d+\.\d+)\s*$", text, re.MULTILINE)
    architectures = re.search(r"^\s+Architectures: \[(\w+)\]\s*$", text, re.MULTILINE)
    if not runtime or not architectures:
        raise PackageError("template.yaml's Globals.Function names no Runtime or Architectures")
    return Runtime(python=runtime.group(1), machine=MACHINES[architectures.group(1)])


def native_runtime(python: str) -> Runtime:
    """The same Python on this machine's architecture: what a local interpreter can import."""
    machine = os.uname().machine
    if machine not in ELF_MACHINE:
        raise PackageError(f"no Lambda architecture matches this machine ({machine})")
    return Runtime(python=python, machine=machine)


def runtime_sdk_names() -> set[str]:
    """The distributions the Lambda runtime brings itself (``layers/lambda-runtime.txt``)."""
    names = set()
    for line in RUNTIME_SDK_PATH.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.add(_normalized(re.split(r"[=<>!~;\[ ]", requirement, maxsplit=1)[0]))
    return names


def without_distributions(lock_text: str, names: set[str]) -> str:
    """The lock with the named distributions' entries (pin, hashes, comments) taken out."""
    kept: list[str] = []
    skipping = False
    for line in lock_text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name = re.split(r"[=<>!~;\[ ]", line, maxsplit=1)[0]
            skipping = _normalized(name) in names
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def layer_constraints(lock: Path = LOCK_PATH) -> str:
    """The lock's pins without hashes and without the runtime's SDK: pip constraints that make a
    development install use the versions that ship."""
    pins = [
        line.removesuffix("\\").strip()
        for line in without_distributions(lock.read_text(), runtime_sdk_names()).splitlines()
        if line and not line[0].isspace() and not line.startswith("#")
    ]
    return "\n".join(pins) + "\n"


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def install_dependencies(
    target: Path, runtime: Runtime, lock: Path = LOCK_PATH, byte_compile: bool = True
) -> None:
    """The lock, exactly, for ``runtime``, minus the SDK the runtime brings: hashes checked,
    binary wheels only, no resolver (the lock is complete). ``byte_compile=False`` leaves out
    the ``.pyc`` files (the tests' import check; most of pip's time is compiling)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    layer_lock = target.parent / "layer-requirements.txt"
    layer_lock.write_text(without_distributions(lock.read_text(), runtime_sdk_names()))
    _pip_install(
        target,
        layer_lock,
        "--require-hashes",
        *([] if byte_compile else ["--no-compile"]),
        "--implementation",
        "cp",
        "--python-version",
        runtime.python,
        *[arg for platform in runtime.pip_platforms() for arg in ("--platform", platform)],
    )
    layer_lock.unlink()


def install_runtime_sdk(target: Path, runtime: Runtime) -> None:
    """The AWS SDK as the Lambda runtime provides it (pure Python), for an import test."""
    target.mkdir(parents=True, exist_ok=True)
    _pip_install(target, RUNTIME_SDK_PATH, "--no-compile", "--python-version", runtime.python)


def _pip_install(target: Path, requirements: Path, *options: str) -> None:
    """``requirements`` exactly, binary wheels only, into ``target`` (no resolver: the files
    are complete)."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-deps",
        "--only-binary=:all:",
        *options,
        "--target",
        str(target),
        "-r",
        str(requirements),
    ]
    subprocess.run(command, check=True)  # noqa: S603 - a fixed pip command line


def copy_domain_package(python_dir: Path) -> None:
    destination = python_dir / DOMAIN_PACKAGE.name
    if destination.exists():
        shutil.rmtree(destination)
    shutil.copytree(DOMAIN_PACKAGE, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def wheel_problems(python_dir: Path, runtime: Runtime) -> list[str]:
    """Every installed distribution whose wheel tags, or shared object, would not load on
    ``runtime``; empty when the layer fits."""
    problems: list[str] = []
    for wheel_file in sorted(python_dir.glob("*.dist-info/WHEEL")):
        tags = [
            line.split(":", 1)[1].strip()
            for line in wheel_file.read_text().splitlines()
            if line.startswith("Tag:")
        ]
        if not tags:
            problems.append(f"{wheel_file.parent.name}: no Tag in WHEEL")
        elif not any(_tag_fits(tag, runtime) for tag in tags):
            problems.append(f"{wheel_file.parent.name}: tags {tags} do not fit {runtime}")
    for shared_object in sorted(python_dir.rglob("*.so*")):
        if shared_object.is_file() and not _elf_fits(shared_object, runtime.machine):
            problems.append(
                f"{shared_object.relative_to(python_dir)}: not an ELF object for {runtime.machine}"
            )
    return problems


def _tag_fits(tag: str, runtime: Runtime) -> bool:
    interpreter, abi, platform = tag.split("-")
    platform_ok = platform == "any" or any(platform == wanted for wanted in runtime.pip_platforms())
    if interpreter in {"py3", "py2.py3"} or interpreter.startswith("py3"):
        return platform_ok and abi == "none"
    if not interpreter.startswith("cp3"):
        return False
    minor = int(interpreter[3:])
    runtime_minor = int(runtime.python.split(".")[1])
    if abi == "abi3":
        return platform_ok and minor <= runtime_minor
    return platform_ok and interpreter == runtime.python_tag


def _elf_fits(path: Path, machine: str) -> bool:
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF":
        return False
    return int.from_bytes(header[18:20], "little") == ELF_MACHINE[machine]


def build_layer(out: Path, runtime: Runtime) -> Path:
    """``out/python``: the lock for ``runtime`` and the domain package, checked."""
    python_dir = out / "python"
    install_dependencies(python_dir, runtime)
    copy_domain_package(python_dir)
    problems = wheel_problems(python_dir, runtime)
    if problems:
        raise PackageError("the layer would not load on the runtime:\n  " + "\n  ".join(problems))
    return python_dir


def packaged_template(out: Path, template_text: str | None = None) -> str:
    """template.yaml with every code and definition URI pointing into ``out`` (relative to it),
    the functions and definitions copied there; the layer is expected at ``out/layer``."""
    text = template_text if template_text is not None else TEMPLATE_PATH.read_text()
    lines: list[str] = []
    for original in text.splitlines():
        line = original
        match = _URI_LINE.match(line)
        if match:
            source = match.group("path")
            if match.group("key") == "ContentUri":
                built = "layer/"
            else:
                built = source
                destination = out / source
                destination.parent.mkdir(parents=True, exist_ok=True)
                if (REPO_ROOT / source).is_dir():
                    if destination.exists():
                        shutil.rmtree(destination)
                    shutil.copytree(
                        REPO_ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
                    )
                else:
                    shutil.copy2(REPO_ROOT / source, destination)
            line = f"{match.group('indent')}{match.group('key')}: {built}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def package(out: Path) -> dict[str, Any]:
    """The whole build: ``out/layer/python``, ``out/functions/*``, ``out/infra/statemachine/*``
    and ``out/template.yaml``."""
    runtime = template_runtime()
    python_dir = build_layer(out / "layer", runtime)
    template = packaged_template(out)
    (out / "template.yaml").write_text(template)
    distributions = sorted(p.name.removesuffix(".dist-info") for p in python_dir.glob("*.dist-info"))
    return {"runtime": runtime, "template": out / "template.yaml", "distributions": distributions}
