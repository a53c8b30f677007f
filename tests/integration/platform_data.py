"""The synthetic platform written to the running stack, as much of it as a test needs."""

from __future__ import annotations

from collections import Counter

from local_stack import demo, synthetic
from local_stack.runtime import RunningStack


def _is_switchboard_call(record: synthetic.Record) -> bool:
    return isinstance(record, synthetic.Row) and record.item.get("caller_phone") == demo.SWITCHBOARD_PHONE


def seed_platform(running: RunningStack, callers: int = 10, switchboard: bool = False) -> RunningStack:
    """The synthetic platform (``synthetic.generate``: the tenants, every demo subject, agent and
    neighbour, ``callers`` background callers), less the demo switchboard's 2,500 calls unless
    ``switchboard``: they are most of the writing, and every Query of the calls table and every
    snapshot of the platform reads them."""
    writer = running.platform_writer()
    for record in synthetic.records(synthetic.Scale(callers=callers)):
        if switchboard or not _is_switchboard_call(record):
            writer.put(record)
    writer.flush()
    return running


def seed_switchboard(running: RunningStack, every: int = 1) -> RunningStack:
    """The demo switchboard's calls, on a platform seeded without them; with ``every`` n, one
    in n of each customer's (so still at all four of them)."""
    writer = running.platform_writer()
    per_customer: Counter[str] = Counter()
    for record in synthetic.demo_records(synthetic.Scale(callers=0)):
        if _is_switchboard_call(record):
            assert isinstance(record, synthetic.Row)
            tenant_id = record.item["tenant_id"]
            if per_customer[tenant_id] % every == 0:
                writer.put(record)
            per_customer[tenant_id] += 1
    writer.flush()
    return running
