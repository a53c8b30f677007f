"""Cold import time of every Lambda handler module, against a boto3 + Powertools baseline.

The functions are read from template.yaml (``AWS::Serverless::Function`` resources, their
``CodeUri`` and ``Handler``). Each handler module is loaded by file path in a fresh interpreter,
as the Lambda runtime loads it, and the time from just before the import to just after it is
reported. Interpreter start-up is not counted; everything the module imports is.

How the figures are taken:

* every sample is a new ``sys.executable -I`` process, with a Lambda-like environment built from
  scratch (template variables plus dummy resource names), not the caller's environment;
* runs are interleaved round-robin across the modules (the order rotates every round), so that
  machine noise falls on all of them alike;
* the interpreters share a private bytecode cache (``-X pycache_prefix``) in a temporary directory,
  filled by untimed warm-up rounds, so the figures are the import cost with bytecode compiled and
  nothing is written into the source tree. A real Lambda cold start may also compile modules that
  ship without ``.pyc`` files, and starts from a cold disk: treat these numbers as a lower bound
  and compare them with each other and with the baseline, not with production init durations;
* each sample is taken twice: wall-clock time, and the CPU time the interpreter spent in the
  import (``time.process_time``). On a machine shared with other work the wall clock also counts
  the time the import waited for a CPU, which drowns the differences between handlers; the CPU
  time does not. The table shows both ratios; ``--clock cpu`` judges the goals by CPU time
  (default: wall clock, the figure a quiet machine and Lambda report).

Usage: ``python benchmarks/cold_import.py [--runs N] [--clock wall|cpu] [--json FILE] [--template PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEMPLATE = REPO_ROOT / "template.yaml"

FUNCTION_TYPE = "AWS::Serverless::Function"
RESULT_PREFIX = "COLD_IMPORT_SECONDS="
BASELINE_ID = "baseline"
BASELINE_SOURCE = "import boto3\nfrom aws_lambda_powertools import Logger\n"

# Values the handlers' Settings need at import; they win over whatever the template says.
DUMMY_ENVIRONMENT: dict[str, str] = {
    "REQUESTS_TABLE": "bench-requests",
    "AUDIT_TABLE": "bench-audit",
    "IDEMPOTENCY_TABLE": "bench-idempotency",
    "PREFERENCES_TABLE": "bench-preferences",
    "EXPORTS_BUCKET": "bench-exports",
    "INBOUND_BUCKET": "bench-inbound",
    "HASH_KEY_SECRET": "bench-hash-key",
    "HOLDS_TABLE": "bench-holds",
    "WEBHOOK_SECRET": "bench-webhook-secret",
    "SENDER_EMAIL": "x@example.com",
    "PRIVACY_ADDRESS": "y@example.com",
    "PUBLIC_BASE_URL": "https://example.com",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Lambda's own variables: Powertools decides from them that it runs inside Lambda (so the
    # template's POWERTOOLS_TRACE_DISABLED decides about X-Ray, as deployed).
    "AWS_LAMBDA_FUNCTION_NAME": "bench",
    "LAMBDA_TASK_ROOT": "/var/task",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
#: Issue 15's goals, as a multiple of the baseline: a person waits on the API's cold starts.
GOALS = {"api": 2.5, "task": 2.0}
# Taken from the caller so that the child can run at all; nothing else is inherited.
INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TEMP", "TMP", "SYSTEMROOT")

# Runs in the child: argv = module name, module file, handler attribute ("" for none), code dir.
CHILD_SOURCE = f"""
import importlib.util
import sys
import time

name, path, attribute, code_dir = sys.argv[1:5]
sys.path.insert(0, code_dir)
start = time.perf_counter()
cpu_start = time.process_time()
spec = importlib.util.spec_from_file_location(name, path)
if spec is None or spec.loader is None:
    raise SystemExit(f"cannot load {{path}}")
module = importlib.util.module_from_spec(spec)
sys.modules[name] = module
spec.loader.exec_module(module)
elapsed = time.perf_counter() - start
cpu = time.process_time() - cpu_start
if attribute and not callable(getattr(module, attribute, None)):
    raise SystemExit(f"{{path}} has no callable {{attribute!r}}")
print("{RESULT_PREFIX}" + repr(elapsed) + " " + repr(cpu), flush=True)
"""


def _times_sign() -> str:
    """The sign of "1.42\N{MULTIPLICATION SIGN}", or "x" where stdout cannot encode it."""
    sign = "\N{MULTIPLICATION SIGN}"
    try:
        sign.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "x"
    return sign


SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


@dataclass(frozen=True)
class Target:
    """One module to import: a function's handler module, or the baseline."""

    logical_id: str
    module_name: str
    module_file: Path
    attribute: str
    code_dir: Path
    environment: Mapping[str, str]
    kind: str = "task"  # "api" when an API Gateway event invokes it

    @property
    def display_path(self) -> str:
        if self.logical_id == BASELINE_ID:
            return "(import boto3; from aws_lambda_powertools import Logger)"
        try:
            return self.module_file.relative_to(REPO_ROOT).as_posix()
        except ValueError:
            return str(self.module_file)


@dataclass
class Outcome:
    target: Target
    samples: list[float] = field(default_factory=list)
    cpu_samples: list[float] = field(default_factory=list)
    error: str | None = None
    largest_imports: list[tuple[str, float]] = field(default_factory=list)

    def row(self, baseline_median: float | None, baseline_cpu: float | None = None) -> dict[str, Any]:
        figures: dict[str, Any] = {
            "logical_id": self.target.logical_id,
            "module": self.target.display_path,
            "ok": self.error is None,
        }
        if self.error is not None:
            figures["error"] = self.error
            return figures
        median = statistics.median(self.samples)
        cpu = statistics.median(self.cpu_samples)
        figures |= {
            "samples_ms": [round(s * 1000, 3) for s in self.samples],
            "median_ms": round(median * 1000, 3),
            "min_ms": round(min(self.samples) * 1000, 3),
            "max_ms": round(max(self.samples) * 1000, 3),
            "ratio_to_baseline": round(median / baseline_median, 3) if baseline_median else None,
            "cpu_median_ms": round(cpu * 1000, 3),
            "cpu_ratio_to_baseline": round(cpu / baseline_cpu, 3) if baseline_cpu else None,
            "kind": self.target.kind,
            "goal": GOALS.get(self.target.kind) if self.target.logical_id != BASELINE_ID else None,
            "largest_imports_ms": [[name, round(ms, 1)] for name, ms in self.largest_imports[:3]],
        }
        return figures


# --- reading the template ---------------------------------------------------------------------


def load_template(path: Path) -> dict[str, Any]:
    from cfnlint.decode import decode

    template, matches = decode(str(path))
    if template is None:
        problems = "\n".join(str(match) for match in matches) or "no detail"
        raise SystemExit(f"cannot parse {path}:\n{problems}")
    return dict(template)


def parameter_defaults(template: Mapping[str, Any]) -> dict[str, str]:
    parameters = template.get("Parameters") or {}
    return {
        name: _scalar(spec["Default"])
        for name, spec in parameters.items()
        if isinstance(spec, Mapping) and "Default" in spec and _is_scalar(spec["Default"])
    }


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve_value(name: str, value: object, defaults: Mapping[str, str]) -> str:
    """A literal as it is; a Ref / Sub of parameters by their defaults; anything else a placeholder."""
    if _is_scalar(value):
        return _scalar(value)
    if isinstance(value, Mapping) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and isinstance(argument, str) and argument in defaults:
            return defaults[argument]
        if function == "Fn::Sub" and isinstance(argument, str):
            names = SUB_VARIABLE.findall(argument)
            if all(n in defaults for n in names):
                return SUB_VARIABLE.sub(lambda m: defaults[m.group(1)], argument)
    return f"placeholder-{name.lower().replace('_', '-')}"


def environment_variables(properties: Mapping[str, Any]) -> Mapping[str, Any]:
    environment = properties.get("Environment") or {}
    variables = environment.get("Variables") if isinstance(environment, Mapping) else None
    return variables if isinstance(variables, Mapping) else {}


def discover_targets(template_path: Path) -> list[Target]:
    template = load_template(template_path)
    base_dir = template_path.resolve().parent
    defaults = parameter_defaults(template)
    globals_ = (template.get("Globals") or {}).get("Function") or {}
    global_variables = environment_variables(globals_)

    targets: list[Target] = []
    for logical_id, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, Mapping) or resource.get("Type") != FUNCTION_TYPE:
            continue
        properties = resource.get("Properties") or {}
        if properties.get("PackageType", globals_.get("PackageType")) == "Image":
            print(f"skipping {logical_id}: container image function", file=sys.stderr)
            continue
        code_uri = properties.get("CodeUri", globals_.get("CodeUri"))
        handler = properties.get("Handler", globals_.get("Handler"))
        if not isinstance(code_uri, str) or not isinstance(handler, str) or "." not in handler:
            raise SystemExit(f"{logical_id}: need a local CodeUri and a module.attribute Handler")

        module_name, attribute = handler.rsplit(".", 1)
        code_dir = (base_dir / code_uri).resolve()
        module_file = code_dir.joinpath(*module_name.split(".")).with_suffix(".py")
        if not module_file.is_file():
            raise SystemExit(f"{logical_id}: handler module {module_file} does not exist")

        environment = {
            name: resolve_value(name, value, defaults)
            for name, value in {**global_variables, **environment_variables(properties)}.items()
        }
        environment |= DUMMY_ENVIRONMENT
        events = properties.get("Events") or {}
        kind = "api" if any(event.get("Type") == "Api" for event in events.values()) else "task"
        targets.append(Target(logical_id, module_name, module_file, attribute, code_dir, environment, kind))

    if not targets:
        raise SystemExit(f"no {FUNCTION_TYPE} resources found in {template_path}")
    return targets


def baseline_target(directory: Path) -> Target:
    module_file = directory / "cold_import_baseline.py"
    module_file.write_text(BASELINE_SOURCE, encoding="utf-8")
    return Target(BASELINE_ID, "cold_import_baseline", module_file, "", directory, dict(DUMMY_ENVIRONMENT))


# --- measuring --------------------------------------------------------------------------------


def child_environment(target: Target) -> dict[str, str]:
    inherited = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
    return {**inherited, **target.environment}


def run_child(target: Target, pycache: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter importing the target (``flags`` go to the interpreter)."""
    command = [
        sys.executable,
        "-I",  # isolated: no PYTHON* variables, no user site, no script dir on sys.path
        *flags,
        "-X",
        f"pycache_prefix={pycache}",
        "-c",
        CHILD_SOURCE,
        target.module_name,
        str(target.module_file),
        target.attribute,
        str(target.code_dir),
    ]
    return subprocess.run(
        command,
        cwd=target.code_dir,
        env=child_environment(target),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def import_once(target: Target, pycache: Path) -> tuple[float, float]:
    """Seconds one fresh interpreter spends importing the target, by the wall clock and in CPU
    time; raises RuntimeError on failure."""
    completed = run_child(target, pycache)
    results = [line for line in completed.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    if completed.returncode != 0 or not results:
        detail = f"exit status {completed.returncode}\n--- stderr ---\n{completed.stderr.rstrip()}"
        if completed.stdout.strip():
            detail += f"\n--- stdout ---\n{completed.stdout.rstrip()}"
        raise RuntimeError(detail)
    wall, cpu = results[-1].removeprefix(RESULT_PREFIX).split()
    return float(wall), float(cpu)


IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(target: Target, pycache: Path, report_dir: Path | None) -> list[tuple[str, float]]:
    """``python -X importtime`` of the target: the top-level packages by the time spent in
    their own modules (ms), largest first; the raw report is kept in ``report_dir``."""
    completed = run_child(target, pycache, "-X", "importtime")
    if report_dir is not None:
        report_dir.mkdir(parents=True, exist_ok=True)
        (report_dir / f"{target.logical_id}.txt").write_text(completed.stderr, encoding="utf-8")
    per_package: dict[str, float] = {}
    for line in completed.stderr.splitlines():
        match = IMPORT_TIME.match(line)
        if match:
            package = match.group(4).split(".")[0]
            per_package[package] = per_package.get(package, 0.0) + int(match.group(1)) / 1000
    return sorted(per_package.items(), key=lambda item: item[1], reverse=True)


#: the baseline (``targets[0]``) is imported again before every this many handlers: its median
#: then spans the same moments as the handlers' samples. Imported once a round, its seven
#: samples ranged from 158 to 253 ms in one run on a two-core machine, and every ratio moved
#: with them by a quarter.
BASELINE_EVERY = 5


def _round_order(outcomes: list[Outcome], round_number: int) -> list[Outcome]:
    """The handlers in a rotating order (none always first), the baseline among them."""
    baseline, handlers = outcomes[0], outcomes[1:]
    shift = round_number % max(len(handlers), 1)
    rotated = handlers[shift:] + handlers[:shift]
    order = []
    for start in range(0, len(rotated), BASELINE_EVERY):
        order += [baseline, *rotated[start : start + BASELINE_EVERY]]
    return order or [baseline]


def measure(targets: Sequence[Target], runs: int, warmup: int, pycache: Path) -> list[Outcome]:
    outcomes = [Outcome(target) for target in targets]
    for round_number in range(warmup + runs):
        timed = round_number >= warmup
        for outcome in _round_order(outcomes, round_number):
            if outcome.error is not None:
                continue
            try:
                seconds, cpu_seconds = import_once(outcome.target, pycache)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                outcome.error = str(exc)
                print(
                    f"\nIMPORT FAILED: {outcome.target.logical_id} ({outcome.target.display_path})\n{exc}\n",
                    file=sys.stderr,
                )
                continue
            if timed:
                outcome.samples.append(seconds)
                outcome.cpu_samples.append(cpu_seconds)
        label = "warm-up" if not timed else f"run {round_number - warmup + 1}/{runs}"
        print(f"  {label} done", file=sys.stderr)
    return outcomes


# --- reporting --------------------------------------------------------------------------------


#: The ratio each clock judges the goals by (``--clock``).
RATIO_FIELD = {"wall": "ratio_to_baseline", "cpu": "cpu_ratio_to_baseline"}


def render_table(rows: Sequence[Mapping[str, Any]], clock: str = "wall") -> str:
    header = (
        "function",
        "kind",
        "median ms",
        "min ms",
        "max ms",
        "vs baseline",
        "cpu ms",
        "cpu vs baseline",
        "goal" + (" (cpu)" if clock == "cpu" else ""),
        "largest imports (own ms)",
    )
    lines: list[tuple[str, ...]] = [header]
    for row in rows:
        if not row["ok"]:
            lines.append((row["logical_id"], row.get("kind", ""), "FAILED", "", "", "", "", "", "", ""))
            continue
        ratio, cpu_ratio, goal = row["ratio_to_baseline"], row["cpu_ratio_to_baseline"], row.get("goal")
        judged = row[RATIO_FIELD[clock]]
        verdict = (
            "" if goal is None or judged is None else f"{goal:.1f} {'met' if judged <= goal else 'MISSED'}"
        )
        lines.append(
            (
                row["logical_id"],
                "" if row["logical_id"] == BASELINE_ID else row["kind"],
                f"{row['median_ms']:.1f}",
                f"{row['min_ms']:.1f}",
                f"{row['max_ms']:.1f}",
                "n/a" if ratio is None else f"{ratio:.2f}{_times_sign()}",
                f"{row['cpu_median_ms']:.1f}",
                "n/a" if cpu_ratio is None else f"{cpu_ratio:.2f}{_times_sign()}",
                verdict,
                ", ".join(f"{name} {ms:.0f}" for name, ms in row.get("largest_imports_ms", [])),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6, 7}

    def fmt(line: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]) for i, cell in enumerate(line)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([fmt(lines[0]), rule, *(fmt(line) for line in lines[1:])])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    # 15: with 7, a handler's median moved by a fifth and more between runs on a two-core
    # machine (RecordExecutionEndFunction 1.62x in one run, 2.18x in the next)
    parser.add_argument("--runs", type=int, default=15, help="timed runs per module (at least 5; default 15)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE, help="SAM template to read")
    parser.add_argument(
        "--clock",
        choices=sorted(RATIO_FIELD),
        default="wall",
        help="the ratio the goals are judged by: wall clock (default) or CPU time (a shared machine)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    functions = discover_targets(args.template)

    with tempfile.TemporaryDirectory(prefix="cold-import-") as scratch:
        scratch_dir = Path(scratch)
        pycache = scratch_dir / "pycache"
        baseline_dir = scratch_dir / "baseline"
        baseline_dir.mkdir()
        targets = [baseline_target(baseline_dir), *functions]
        print(
            f"cold import: {len(functions)} functions + baseline, {args.runs} runs "
            f"(+{args.warmup} warm-up), {platform.python_implementation()} {platform.python_version()}",
            file=sys.stderr,
        )
        outcomes = measure(targets, args.runs, args.warmup, pycache)
        report_dir = (
            args.json.parent / "importtime"
            if args.json is not None
            else REPO_ROOT / "bench-results" / "importtime"
        )
        for outcome in outcomes:
            if outcome.error is None:
                outcome.largest_imports = import_profile(outcome.target, pycache, report_dir)
        print(f"python -X importtime of each handler: {report_dir}", file=sys.stderr)

    baseline = outcomes[0]
    baseline_median = statistics.median(baseline.samples) if baseline.error is None else None
    baseline_cpu = statistics.median(baseline.cpu_samples) if baseline.error is None else None
    rows = [outcome.row(baseline_median, baseline_cpu) for outcome in outcomes]

    print(f"\nCold import, median of {args.runs} fresh interpreters (Python {platform.python_version()})")
    print(render_table(rows, args.clock))

    if args.json is not None:
        report = {
            "benchmark": "cold_import",
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "platform": platform.platform(),
            "runs": args.runs,
            "warmup": args.warmup,
            "clock": args.clock,
            "template": str(args.template),
            "baseline": rows[0],
            "functions": rows[1:],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    missed = [
        row["logical_id"] for row in rows[1:] if row.get("ok") and row[RATIO_FIELD[args.clock]] > row["goal"]
    ]
    print(
        f"\ngoals (API handlers <= {GOALS['api']}x, task handlers <= {GOALS['task']}x the baseline, "
        f"{'CPU time' if args.clock == 'cpu' else 'wall clock'}): "
        + (f"missed by {', '.join(missed)}" if missed else "every handler within its goal")
    )
    failed = [outcome.target.logical_id for outcome in outcomes if outcome.error is not None]
    if failed:
        print(f"\nimport failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
