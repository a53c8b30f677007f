"""Intake's Idempotency-Key answers (422 for a key reused with another body, 409 for one in
flight) are registered only when the handler imported Powertools' idempotency before building
its API (``http_errors``: the other APIs skip that import). In this test process everything is
imported already, so the order is checked where Lambda loads it: a fresh interpreter."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench() -> object:
    spec = importlib.util.spec_from_file_location("cold_import_bench", ROOT / "benchmarks" / "cold_import.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _handlers_of(logical_id: str) -> list[str]:
    bench = _bench()
    (target,) = [t for t in bench.discover_targets(ROOT / "template.yaml") if t.logical_id == logical_id]  # type: ignore[attr-defined]
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import app;"
        "print(' '.join(k.__name__ for k in app.app.exception_handler_manager._exception_handlers))"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code, str(target.code_dir), str(ROOT / "layers")],  # type: ignore[attr-defined]
        env=bench.child_environment(target),  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.split()


def test_intake_answers_a_reused_key_and_one_in_flight_and_the_status_api_does_not_load_them() -> None:
    assert {"IdempotencyValidationError", "IdempotencyAlreadyInProgressError"} <= set(
        _handlers_of("IntakeFunction")
    )
    assert "IdempotencyValidationError" not in _handlers_of("RequestStatusFunction")
