"""``python -m local_stack`` (what ``make run`` calls): bring the whole system up locally,
with the synthetic platform seeded."""

from __future__ import annotations

import argparse
import signal
import threading

from local_stack import demo
from local_stack.runtime import served_stack
from local_stack.synthetic import Scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privacy-local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--port", type=int, default=8080, help="port of the API and web form (0: any free port)"
    )
    parser.add_argument("--aws-port", type=int, default=5000, help="port of the moto AWS endpoint (0: any)")
    parser.add_argument("--smtp-port", type=int, default=2525, help="port of the SMTP listener (0: any)")
    parser.add_argument("--callers", type=int, default=Scale.callers, help="background callers to generate")
    parser.add_argument("--no-seed", action="store_true", help="leave the platform's stores empty")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with served_stack(args.host, args.port, args.aws_port, smtp_port=args.smtp_port) as running:
        stack = running.stack
        seeded = ""
        if not args.no_seed:
            report = running.seed(Scale(callers=args.callers))
            seeded = (
                f"  Synthetic platform {report.total_records} records in {len(report.records)} stores"
                f" ({report.seconds:.1f} s)\n"
            )
        subjects = "".join(
            f"    {s.name:<24} {s.email or '-':<34} {s.phone or '-':<14}"
            f"{'  [' + s.special + ']' if s.special else ''}\n"
            for s in demo.README_SUBJECTS
        )
        print(
            "\nCallX privacy rights service - local stack is up\n"
            f"  API and web form  {running.api_url}\n"
            f"  Outbox            {running.api_url}/_local/outbox"
            f"  (HTML: {running.api_url}/_local/outbox.html)\n"
            f"  AWS endpoint      {running.aws_endpoint}  (e.g. aws --endpoint-url {running.aws_endpoint} "
            "dynamodb list-tables; any access key works)\n"
            f"  Ops API           {running.api_url}/ops/...  (privacy-ops --operator YOURNAME ...)\n"
            f"  Ops console       {running.api_url}/ops/  (sign in with your operator name)\n"
            f"  Email intake      {running.smtp.url if running.smtp else '-'}  accepts "
            f"{running.smtp.privacy_address if running.smtp else '-'} (and +labels); "
            "or drop a file: .venv/bin/privacy-drop-mail FILE.eml\n"
            f"  State machine     {stack.ref('RightsRequestStateMachine')}\n"
            + seeded
            + "  Demo subjects:\n"
            + subjects
            + "Stop with Ctrl-C.",
            flush=True,
        )
        stop.wait()
        print("Stopping...", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
