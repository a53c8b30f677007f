"""After a SnapStart restore, environments restored from one snapshot do not share randomness."""

from __future__ import annotations

import random
import sys
import types
from collections.abc import Callable

import pytest

from privacy_rights.runtime.snapstart import prime_before_snapshot, register_restore_hooks, reseed_randomness


def test_outside_a_snapstart_runtime_nothing_is_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)  # import fails, as off Lambda
    assert register_restore_hooks() is False


def test_on_the_runtime_the_reseed_is_registered_after_restore(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks: list[Callable[[], None]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = hooks.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    assert register_restore_hooks() is True
    assert hooks == [reseed_randomness]


def test_two_environments_restored_from_one_snapshot_draw_different_jitter() -> None:
    snapshot = random.getstate()
    draws = []
    for _ in range(2):
        random.setstate(snapshot)  # the state every restored environment starts from
        reseed_randomness()
        draws.append([random.random() for _ in range(4)])
    assert draws[0] != draws[1]
    random.setstate(snapshot)
    without_hook = [random.random() for _ in range(4)]
    random.setstate(snapshot)
    assert without_hook == [random.random() for _ in range(4)]


def test_what_a_handler_primes_is_built_before_the_snapshot_and_not_at_import_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[str] = []

    def prime() -> None:
        built.append("client")

    monkeypatch.setitem(sys.modules, "snapshot_restore_py", None)
    assert prime_before_snapshot(prime) is False
    assert built == []  # off SnapStart: built by the first invocation that needs it

    hooks: list[Callable[[], object]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = hooks.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)
    assert prime_before_snapshot(prime) is True
    for hook in hooks:  # what the runtime does before it takes the snapshot
        hook()
    assert built == ["client"]
