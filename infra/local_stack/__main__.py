"""``python -m local_stack`` (what ``make run`` calls): bring the whole system up locally."""

from __future__ import annotations

import argparse
import signal
import threading

from local_stack.runtime import served_stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privacy-local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8080, help="port of the API and web form (0: any free port)"
    )
    parser.add_argument("--aws-port", type=int, default=5000, help="port of the moto AWS endpoint (0: any)")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with served_stack(args.host, args.port, args.aws_port) as running:
        stack = running.stack
        print(
            "\nCallX privacy rights service - local stack is up\n"
            f"  API and web form  {running.api_url}\n"
            f"  Outbox            {running.api_url}/_local/outbox"
            f"  (HTML: {running.api_url}/_local/outbox.html)\n"
            f"  AWS endpoint      {running.aws_endpoint}  (e.g. aws --endpoint-url {running.aws_endpoint} "
            "dynamodb list-tables; any access key works)\n"
            f"  State machine     {stack.ref('RightsRequestStateMachine')}\n"
            f"  Requests table    {stack.ref('RequestsTable')}\n"
            "  Routes:\n"
            + "".join(f"    {r.method:6} {r.path}  -> {r.function}\n" for r in stack.routes)
            + "Stop with Ctrl-C.",
            flush=True,
        )
        stop.wait()
        print("Stopping...", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
