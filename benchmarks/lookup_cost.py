"""Lookup cost of resolution: AWS calls per source for each README demo subject, against the
minimum (one call per lookup, when every lookup's answer fits in one page), and the Scans made
(there must be none).

The synthetic platform is generated on in-process moto (the demo subjects plus ``--callers``
background callers); each subject is resolved as a request's resolve step would, with every
identifier proven. Calls are counted with botocore's ``before-call`` event, lookups by wrapping
the connectors' ``find``.

Usage: ``python benchmarks/lookup_cost.py [--callers 400]``
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "infra"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--callers", type=int, default=400)
    args = parser.parse_args(argv)

    from local_stack import demo
    from local_stack.runtime import in_process_stack
    from local_stack.synthetic import Scale, generate
    from privacy_rights.resolution.resolution import Root, roots_of
    from privacy_rights.runtime.composition import Container
    from privacy_rights.runtime.settings import Settings

    with in_process_stack("privacy-bench") as running:
        generate(
            running.session,
            running.stack.platform_stores,
            running.stack.ref("CustomersTable"),
            Scale(callers=args.callers),
        )
        container = Container(Settings.from_environment())
        operations: Counter[str] = Counter()
        print(f"Resolution lookup cost ({args.callers} background callers + the demo subjects)")
        print(f"{'subject':<20} {'source':<22} {'calls':>6} {'lookups':>8} {'calls/lookup':>13}")
        total_calls = total_lookups = 0
        for subject in demo.README_SUBJECTS:
            resolver = container.new_resolver()
            lookups: Counter[str] = Counter()
            for connector in resolver._connectors.values():  # the benchmark's window on them
                _count_finds(connector, lookups)
                _count_calls(connector, operations)
            roots = [
                Root(root.kind, root.value, proven=True, held_since=root.held_since)
                for root in roots_of(
                    subject.email, subject.phone, subject.account_id, (), subject.phone_held_since
                )
            ]
            summary = resolver.resolve(roots).summary
            calls: Counter[str] = Counter()
            for key, count in summary.api_calls.items():
                calls[key.split(":", 1)[0]] += count
            for source in sorted(set(calls) | set(lookups)):
                ratio = calls[source] / lookups[source] if lookups[source] else float("nan")
                print(
                    f"{subject.name:<20} {source:<22} {calls[source]:>6} {lookups[source]:>8} {ratio:>13.2f}"
                )
            total_calls += sum(calls.values())
            total_lookups += sum(lookups.values())
        per_lookup = total_calls / total_lookups
        print(f"All subjects: {total_calls} calls for {total_lookups} lookups ({per_lookup:.2f} per lookup)")
        made = dict(sorted(operations.items()))
        print(f"AWS operations made by the connectors: {made}; Scans: {operations['Scan']}")
    return 0


def _count_finds(connector: Any, lookups: Counter[str]) -> None:
    find = connector.find

    def counted(store: Any, lookup: Any, value: str, context: Any) -> Any:
        lookups[store.name] += 1
        return find(store, lookup, value, context)

    connector.find = counted


def _count_calls(connector: Any, operations: Counter[str]) -> None:
    client = getattr(connector, "_ddb", None) or getattr(connector, "_s3", None)
    client.meta.events.register("before-call.*.*", lambda model, **_: operations.update([model.name]))


if __name__ == "__main__":
    raise SystemExit(main())
