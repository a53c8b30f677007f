"""``make package``: build the layer and the functions for the template's runtime, and a
template ready for ``sam deploy`` (or ``aws cloudformation package`` + ``deploy``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lambda_package import REPO_ROOT, layer_constraints, package


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m lambda_package", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=REPO_ROOT / "build", help="where to build (default build/)"
    )
    parser.add_argument(
        "--constraints",
        action="store_true",
        help="print the lock as pip constraints (no SDK, no hashes) and stop",
    )
    args = parser.parse_args()
    if args.constraints:
        print(layer_constraints(), end="")
        return
    out = args.out.resolve()
    built = package(out)
    runtime = built["runtime"]
    print(
        f"layer for python{runtime.python} on {runtime.machine}: {len(built['distributions'])} distributions"
    )
    for distribution in built["distributions"]:
        print(f"  {distribution}")
    print(f"packaged template: {built['template']}")
    print(f"deploy: sam deploy --template-file {built['template']} --config-env dev")


if __name__ == "__main__":
    main()
