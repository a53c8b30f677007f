"""What a function does after Lambda SnapStart restores it from the snapshot of its init.

SnapStart runs the init once, snapshots the memory and starts every new execution environment
from that snapshot. What the init made is then shared by every restored environment, and is
as old as the snapshot. This service's init does no I/O (no client connects, no secret is read:
the composition root makes both on first use), so what remains is randomness: the ``random``
module's state is seeded at interpreter start, and every restored environment would draw the
same jitter (retries of DynamoDB batches, webhook backoff) at the same moments. Tokens, codes
and ids come from ``secrets``/``os.urandom``, which the kernel keeps unique after a restore.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Register = Callable[[Callable[[], object]], object]


def reseed_randomness() -> None:
    random.seed()


def register_restore_hooks(register: Register | None = None) -> bool:
    """Register the after-restore hooks with the runtime's ``snapshot_restore_py`` (present only
    in Lambda's Python runtimes); False where there is no such runtime (tests, the local stack)."""
    if register is None:
        try:
            from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
        except ImportError:
            return False
        register = register_after_restore
    register(reseed_randomness)
    return True


def prime_before_snapshot(prime: Callable[[], object], register: Register | None = None) -> bool:
    """Run ``prime`` before SnapStart takes the snapshot (Lambda's Python runtimes only), so that
    what it builds (a client and its parsed service model) is in the snapshot, while a start
    without a snapshot pays for it at the first invocation that needs it, not at import. False
    where there is no such runtime."""
    if register is None:
        try:
            from snapshot_restore_py import register_before_snapshot  # type: ignore[import-not-found]
        except ImportError:
            return False
        register = register_before_snapshot
    register(prime)
    return True
