"""``privacy-ops``: the privacy operations team's command line, over the ops API.

Against the deployed stack, requests are signed with SigV4 from your AWS credentials (the API
is IAM-authorized, and every action is audited with your IAM identity). Against the local
stack (``make run``), ``--operator NAME`` stands in for that identity.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

LOCAL_API = "http://127.0.0.1:8080"


class OpsApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class NoCredentials(OpsApiError):
    """No AWS credentials to sign with (and no ``--operator`` for the local stack): nothing was
    sent, so no HTTP status (an ``OpsApiError`` for callers that catch those, e.g. the smoke)."""

    def __init__(self, message: str) -> None:
        super().__init__(0, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class OpsClient:
    def __init__(self, api_url: str, operator: str | None = None, region: str | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self.operator = operator
        self.region = (
            region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        )

    def call(self, method: str, path: str, body: Any = None) -> Any:
        url = self.api_url + path
        if urlsplit(url).scheme not in ("http", "https"):
            raise ValueError("the ops API URL must be http(s)")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if self.operator:
            headers["X-Local-Operator"] = self.operator
        else:
            headers = self._signed(method, url, data, headers)
        request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - checked above
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - checked above
                raw = response.read()
                if "json" not in response.headers.get("Content-Type", "application/json"):
                    return raw.decode()  # a CSV or HTML rendering
                return json.loads(raw or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                payload = json.loads(text or b"null")
            except ValueError:
                payload = text.decode(errors="replace")
            raise OpsApiError(error.code, payload) from None

    def _signed(self, method: str, url: str, data: bytes | None, headers: dict[str, str]) -> dict[str, str]:
        import boto3
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = boto3.Session().get_credentials()
        if credentials is None:
            raise NoCredentials(
                "No AWS credentials were found to sign the request: sign in to the operations role "
                "(e.g. aws sso login, or AWS_PROFILE), or use --operator NAME against the local stack."
            )
        request = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", self.region).add_auth(request)
        return dict(request.headers.items())


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that were given: flags left out stay out of the request."""
    return {key: value for key, value in fields.items() if value not in (None, "", [])}


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str]) -> str:
    widths = [max(len(str(value)) for value in column) for column in zip(header, *rows, strict=False)]
    lines = ["  ".join(str(value).ljust(width) for value, width in zip(header, widths, strict=False))]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=False)) for row in rows
    ]
    return "\n".join(lines)


def render_summary(summary: dict[str, Any]) -> str:
    rows = [
        (
            count["store"],
            count["controller"] if not count.get("tenant_id") else f"customer {count['tenant_id']}",
            count["released"],
            count["not_released"],
            ", ".join(f"{k}: {v}" for k, v in sorted(count["not_released_reasons"].items())) or "",
        )
        for count in summary["counts"]
    ]
    lines = [
        f"Data map version {summary['data_map_version']}, resolved {summary['resolved_at']}",
        _table(rows, ("store", "controller", "reached", "not released", "why not"))
        if rows
        else "Nothing found.",
        f"Total: {summary['total_records']} records, {summary['released_records']} reachable through the "
        f"identifiers given; customers: {', '.join(summary['tenants']) or 'none'}",
    ]
    if summary.get("flags"):
        lines.append("FLAGGED (needs an ops decision before any release or erasure):")
        lines += [f"  - {flag}" for flag in summary["flags"]]
    return "\n".join(lines)


def _lookup(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        email=args.email,
        phone=args.phone,
        account_id=args.account_id,
        phone_held_since=args.held_since,
        reason=args.reason,
    )
    summary = client.call("POST", "/ops/lookups", body)
    return summary, render_summary(summary)


def _list(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    args.limit, args.page = max(1, min(args.limit, 499)), max(1, args.page)  # the API pages up to 500
    query = _present(
        status=args.status,
        type=args.type,
        jurisdiction=args.jurisdiction,
        due_within_days=args.due_within,
        overdue="true" if args.overdue else None,
        stuck_for_hours=args.stuck_for,
        # one more than a page: whether another page follows
        limit=args.limit + 1,
        offset=(args.page - 1) * args.limit or None,
    )
    rows = client.call("GET", "/ops/requests" + ("?" + urlencode(query) if query else ""))
    more = len(rows) > args.limit
    rows = rows[: args.limit]
    table = _table(
        [
            (
                r["request_id"],
                r["type"],
                r["jurisdiction"],
                r["channel"],
                r["status"],
                r["due_at"],
                r["status_changed_at"][:19],
                r.get("failed_step") or "",
            )
            for r in rows
        ],
        ("request", "type", "law", "channel", "status", "due", "since", "failed step"),
    )
    text = table if rows else "No requests match."
    if more or args.page > 1:
        text += f"\n\nPage {args.page}, {len(rows)} requests" + (
            f"; more on the next page: --page {args.page + 1}" if more else "; the last page"
        )
    late = [n for n in client.call("GET", "/ops/notices") if n["unsent_over_an_hour"]]
    if late:
        text += "\n\nNotices unsent for over an hour (privacy-ops notices):\n" + "\n".join(
            _notice_line(n) for n in late
        )
    return rows, text


def _notice_line(notice: dict[str, Any]) -> str:
    why = (
        f"the provider refused it {notice['attempts']} time(s) ({notice['last_error']}); next try "
        f"{notice['next_at'][:19]}"
        if notice["needs"] == "retry"
        else f"it may have gone ({notice['last_error']}) and the provider's record does not show it: "
        "a person decides (privacy-ops notice ... delivered|resend|abandon)"
    )
    return f"  {notice['request_id']}  {notice['notice']:<22} unsent since {notice['since'][:19]}: {why}"


def _notices(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    held = client.call("GET", "/ops/notices")
    return held, "\n".join(_notice_line(n) for n in held) if held else "Every notice was delivered."


def _notice_decide(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = {"decision": args.decision, "reason": args.reason}
    result = client.call("POST", f"/ops/requests/{args.request_id}/notices/{args.notice}/decision", body)
    return result, f"Notice {args.notice} of {args.request_id}: {result['result']}."


def _show(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    detail = client.call("GET", f"/ops/requests/{args.request_id}")
    lines = [
        f"Request {detail['request_id']}: {detail['type']} under {detail['jurisdiction']}, "
        f"by {detail['channel']}",
        f"Status: {detail['status']}   received {detail['received_at'][:19]}   due {detail['due_at']}",
        f"Subject: email {detail['subject']['email'] or '-'}, phone {detail['subject']['phone'] or '-'}; "
        f"proven: {', '.join(detail['proven_identifiers']) or 'nothing yet'}",
        f"Workflow: {detail['execution_status'] or 'none'} (replays: {detail['replays']}); "
        f"waiting for: {', '.join(detail['waiting_for']) or 'nothing'}",
        f"Completed steps: {', '.join(detail['completed_steps']) or 'none'}",
    ]
    if detail.get("failure"):
        failure = detail["failure"]
        lines.append(f"FAILED at step {failure['step']}: {failure['error']} - {failure['cause']}")
    if detail.get("denial"):
        lines.append(
            f"Denied: {detail['denial']['reason']} {detail['denial'].get('exemption') or ''}".rstrip()
        )
        if detail["denial"].get("detail"):
            lines.append(f"  told the person: {detail['denial']['detail']}")
    if detail.get("resolution"):
        lines.append(render_summary(detail["resolution"]))
    if detail.get("footprint_sample"):
        lines.append("A sample of what it reaches (is it one person?):")
        lines += [
            f"  {row['store']:<20} {row.get('tenant_id') or 'CallX':<14} {json.dumps(row['pointer'])}"
            for row in detail["footprint_sample"]
        ]
    for document in detail.get("permission_documents") or []:
        what = document["kind"] or f"refused: {document['refused']}"
        lines.append(f"Permission document: {document['key']} ({what}, {document['size']} bytes)")
    for recording in detail.get("recordings_to_review") or []:
        spans = ", ".join(f"{start:.1f}-{end:.1f}s" for start, end in recording["other_turns"])
        lines.append(f"To review: {recording['key']} (another person at {spans})")
    if detail.get("story") and not getattr(args, "timeline", False):
        lines.append(render_story(detail["story"]))
    else:
        lines.append("Timeline (audit and executions, as recorded):")
        lines += [
            f"  {row['at'][:23]}  {row['source']:<9}  {row['event']:<32} {row.get('actor') or ''} "
            f"{json.dumps(row['detail']) if row['detail'] else ''}".rstrip()
            for row in detail["timeline"]
        ]
    return detail, "\n".join(lines)


def render_story(story: dict[str, Any]) -> str:
    """The request's story (``privacy_rights.ops.story``, built by the ops API): one group per
    phase, one plain sentence per event, problems marked."""
    lines = [story["headline"]]
    if story.get("failure"):
        lines.append(f"FAILED: {story['failure']}")
    for group in story["groups"]:
        lines.append(f"{group['title']}:")
        for event in group["events"]:
            mark = "!" if event.get("problem") else " "
            who = f"  [{event['actor']}]" if event.get("actor") and event["actor"] != "workflow" else ""
            lines.append(f" {mark} {event['at'][:19].replace('T', ' ')}  {event['text']}{who}")
    return "\n".join(lines)


def _replay(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = {"reason": args.reason} | ({"step": args.step} if args.step else {})
    result = client.call("POST", f"/ops/requests/{args.request_id}/replay", body)
    status = f", back in status {result['status']}" if result.get("status") else ""
    text = f"Replaying {args.request_id} as execution {result['execution']}{status}."
    if not args.wait:
        return result, text
    if not args.json:
        print(text, flush=True)
    detail = wait_for_replay(client, args.request_id, args.wait_seconds, echo=not args.json)
    result = result | {"status": detail["status"], "waiting_for": detail["waiting_for"]}
    if detail.get("failure"):
        result["failure"] = detail["failure"]
    return result, replay_ending(detail)


#: where a replay stops moving on its own: an end, or a wait for a person
SETTLED = {"completed", "denied", "canceled", "failed", "appeal_denied"}


def wait_for_replay(
    client: OpsClient, request_id: str, seconds: float, echo: bool = True, poll: float = 1.0
) -> dict[str, Any]:
    """Follow a replayed request until it ends, waits for someone, or ``seconds`` pass; each
    new event of its story is printed as it appears."""
    deadline = time.monotonic() + seconds
    seen: set[tuple[str, str]] = set()
    first = True
    while True:
        detail = client.call("GET", f"/ops/requests/{request_id}")
        for group in (detail.get("story") or {}).get("groups", []):
            for event in group["events"]:
                key = (event["at"], event["text"])
                if key not in seen:
                    seen.add(key)
                    if echo and not first:
                        print(f"  {event['at'][11:19]}  {event['text']}", flush=True)
        first = False
        running = detail.get("execution_status") == "RUNNING"
        if detail["status"] in SETTLED and not running:
            return detail
        if detail.get("waiting_for"):
            return detail
        if time.monotonic() >= deadline:
            return detail | {"timed_out": True}
        time.sleep(poll)


def replay_ending(detail: dict[str, Any]) -> str:
    if detail.get("timed_out"):
        request_id = detail["request_id"]
        return f"Still {detail['status']} after the wait; follow it with: privacy-ops show {request_id}"
    if detail.get("waiting_for"):
        return f"{detail['request_id']} now waits for: {', '.join(detail['waiting_for'])}."
    if detail.get("failure"):
        failure = (detail.get("story") or {}).get("failure") or detail["failure"]["step"]
        return f"{detail['request_id']} failed again. {failure}"
    return f"{detail['request_id']} is {detail['status']}."


def _erase_held(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call("POST", f"/ops/requests/{args.request_id}/erase-held", {"reason": args.reason})
    return result, f"Erasing what {args.request_id} kept under a hold, as execution {result['execution']}."


def _decide(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        decision=args.decision,
        reason=args.reason,
        outcome=args.outcome,
        denial_reason=args.denial_reason,
        exemption=args.exemption,
        detail=args.detail,
        scope=_present(stores=args.store, businesses=args.business, since=args.since, until=args.until)
        or None,
    )
    result = client.call("POST", f"/ops/requests/{args.request_id}/decision", body)
    return result, f"Answered the {result['answered']} of {args.request_id}: {result['decision']}."


def _metrics(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    form = "json" if args.format == "table" else args.format
    query = urlencode({"year": args.year, "scope": args.scope, "format": form})
    result = client.call("GET", f"/ops/metrics?{query}")
    if form != "json":
        if args.output:
            Path(args.output).write_text(result, encoding="utf-8")
            return {"written": args.output}, f"Wrote the {args.year} metrics ({form}) to {args.output}."
        return result, result.rstrip("\n")
    rows = [
        [
            row["label"],
            row["received"],
            row["complied_in_whole"],
            row["complied_in_part"],
            row["denied"],
            "-" if row["median_days_to_respond"] is None else row["median_days_to_respond"],
            "-" if row["mean_days_to_respond"] is None else row["mean_days_to_respond"],
        ]
        for row in result["rights"]
    ]
    header = ["right", "received", "in whole", "in part", "denied", "median days", "mean days"]
    scope = "California (CCPA)" if result["scope"] == "california" else "every jurisdiction"
    return result, f"Requests received in {result['year']}, {scope}:\n" + _table(rows, header)


def _deadlines(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    report = client.call("GET", "/ops/deadlines")
    if not report["clocks"]:
        return report, "No legal clock is overdue or due within two business days."
    rows = [
        [clock["due"], clock["state"].replace("_", " "), clock["kind"].replace("_", " "), clock["request_id"],
         clock["status"], clock["jurisdiction"]]
        for clock in report["clocks"]
    ]  # fmt: skip
    header = ["due", "state", "clock", "request", "status", "jurisdiction"]
    overdue = sum(report["overdue"].values())
    return report, f"{overdue} overdue, {len(rows) - overdue} due soon:\n" + _table(rows, header)


def _extend(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(reason=args.reason, until=args.until)
    result = client.call("POST", f"/ops/requests/{args.request_id}/extend", body)
    told = {
        "already_sent": "was sent earlier",
        "held": "is held for a retry (privacy-ops notices)",
        "uncertain": "may not have gone: privacy-ops notices",
    }.get(result["notice"], f"went by {result['notice']}")
    return (
        result,
        f"Extended {args.request_id} from {result['due']} to {result['new_due']}; the notice {told}.",
    )


def _cancel(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call("POST", f"/ops/requests/{args.request_id}/cancel", {"reason": args.reason})
    return result, f"Canceled {args.request_id}."


def _phone(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        type=args.type,
        jurisdiction=args.jurisdiction,
        us_state=args.us_state,
        phone=args.phone,
        email=args.email,
        name=args.name,
        details=args.details,
        opt_out_of=args.opt_out_of,
        object_to=args.object_to,
        consent_to_withdraw=args.consent_to_withdraw,
        corrections=[{"field": f, "held": held, "corrected": wanted} for f, held, wanted in args.change]
        if args.change
        else None,
    )
    result = client.call("POST", "/ops/requests", body)
    return (
        result,
        f"Entered {result['request_id']} (due {result['due_at']}); the caller will get an acknowledgement.",
    )


REQUEST_TYPES = [
    "access",
    "portability",
    "deletion",
    "correction",
    "restriction",
    "objection",
    "opt_out",
    "withdraw_consent",
]
OPT_OUT_PURPOSES = ["sale_share", "targeted_ads", "ai_training", "marketing", "sensitive_pi", "recording"]


def _mail_list(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    rows = client.call("GET", "/ops/mail?" + urlencode({"queue": args.queue}))
    table = _table(
        [
            (
                r["mail_id"],
                r["received_at"][:19],
                r["outcome"] or "",
                r["reason"] or "",
                ", ".join(r["flags"]),
                r["attachments"],
            )
            for r in rows
        ],
        ("mail", "received", "outcome", "reason", "flags", "attachments"),
    )
    return rows, table if rows else f"Nothing in {args.queue}."


def _mail_show(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    detail = client.call("GET", f"/ops/mail/{args.mail_id}")
    lines = [
        f"Mail {detail['mail_id']}, received {detail['received_at'][:19]}",
        f"Outcome: {detail['outcome']} ({detail['reason'] or '-'}); queue: {detail['queue'] or 'none'}; "
        f"flags: {', '.join(detail['flags']) or 'none'}",
        f"From: {detail['sender_name'] or ''} <{detail['sender'] or '?'}>",
        f"Subject: {detail['subject']}",
        f"Requests: {', '.join(detail['request_ids']) or 'none'}",
        f"Attachments kept: {len(detail['attachment_keys'])}; refused: "
        + (
            ", ".join(f"{r['content_type']} ({r['reason']})" for r in detail["refused_attachments"]) or "none"
        ),
    ]
    if detail.get("closed_by"):
        lines.append(f"Closed by {detail['closed_by']}: {detail['closed_reason']}")
    lines += ["", detail["text"] or "(no text)", "", "Trail:"]
    lines += [
        f"  {e['at'][:23]}  {e['actor']:<16} {e['action']:<24} {json.dumps(e['detail'])}"
        for e in detail["trail"]
    ]
    return detail, "\n".join(lines)


def _mail_accept(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        types=args.type,
        jurisdiction=args.jurisdiction,
        us_state=args.us_state,
        opt_out_of=args.opt_out_of,
        consent_to_withdraw=args.withdraw_consent_to,
        reason=args.reason,
    )
    result = client.call("POST", f"/ops/mail/{args.mail_id}/accept", body)
    return result, f"Accepted {args.mail_id} as {', '.join(result['request_ids'])}."


def _mail_dismiss(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call("POST", f"/ops/mail/{args.mail_id}/dismiss", {"reason": args.reason})
    return result, f"Dismissed {args.mail_id} from {result['dismissed_from']}."


def _mail_dead_letters(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call("GET", "/ops/mail/dead-letters")
    lines = [f"{result['count']} message(s) in the email-intake dead-letter queue."]
    lines += [
        f"  {m['message_id']}  tries {m['receive_count']}  {', '.join(m['objects']) or '(not an S3 event)'}"
        for m in result["sample"]
    ]
    return result, "\n".join(lines)


def _mail_replay(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call(
        "POST", "/ops/mail/dead-letters/replay", {"reason": args.reason, "limit": args.limit}
    )
    return result, f"Sent {result['replayed']} message(s) back to email intake."


def _add_mail_commands(commands: Any) -> None:
    mail = commands.add_parser("mail", help="inbound mail: review queue, quarantine, dead letters")
    sub = mail.add_subparsers(dest="mail_command", required=True)
    listing = sub.add_parser("list", help="mail waiting for a person")
    listing.add_argument(
        "--queue", default="human_review", choices=["human_review", "needs_clarification", "quarantined"]
    )
    listing.set_defaults(run=_mail_list)
    show = sub.add_parser("show", help="one email: its text, what became of it, its trail")
    show.add_argument("mail_id")
    show.set_defaults(run=_mail_show)
    accept = sub.add_parser("accept", help="make a reviewed email the request(s) it is (clock from receipt)")
    accept.add_argument("mail_id")
    accept.add_argument("--type", required=True, nargs="+", choices=REQUEST_TYPES)
    accept.add_argument("--jurisdiction", default="other", choices=["gdpr", "ccpa", "us_state", "other"])
    accept.add_argument("--us-state")
    accept.add_argument("--opt-out-of", nargs="*", choices=OPT_OUT_PURPOSES)
    accept.add_argument(
        "--withdraw-consent-to", nargs="*", choices=OPT_OUT_PURPOSES, help="with --type withdraw_consent"
    )
    accept.add_argument("--reason", required=True)
    accept.set_defaults(run=_mail_accept)
    dismiss = sub.add_parser("dismiss", help="take an email off its queue")
    dismiss.add_argument("mail_id")
    dismiss.add_argument("--reason", required=True)
    dismiss.set_defaults(run=_mail_dismiss)
    dead = sub.add_parser("dead-letters", help="email-intake messages SQS gave up on")
    dead.set_defaults(run=_mail_dead_letters)
    replay = sub.add_parser("replay-dead-letters", help="send dead-lettered messages back through intake")
    replay.add_argument("--reason", required=True)
    replay.add_argument("--limit", type=int, default=100)
    replay.set_defaults(run=_mail_replay)


def _hold_state(hold: dict[str, Any]) -> str:
    if hold.get("released_at"):
        return "released"
    if hold.get("until") and hold["until"] < date.today().isoformat():
        return "expired"
    return "active"


def _hold_line(hold: dict[str, Any]) -> str:
    held = f"customer {hold['tenant_id']}" if hold["scope"] == "customer" else "a subject"
    until = f" until {hold['until']}" if hold.get("until") else ""
    return f"Hold {hold['hold_id']} on {held} ({hold['matter']}){until}: {_hold_state(hold)}."


def _holds_list(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    rows = client.call("GET", "/ops/holds" + ("?all=true" if args.all else ""))
    table = _table(
        [
            (
                r["hold_id"],
                _hold_state(r),
                f"customer {r['tenant_id']}" if r["tenant_id"] else f"{len(r['subject_keys'])} keys",
                r["matter"],
                r["placed_at"][:19],
                r["placed_by"].rsplit("/", 1)[-1],
                r.get("until") or "",
            )
            for r in rows
        ],
        ("hold", "state", "covers", "matter", "placed", "by", "until"),
    )
    return rows, table if rows else "No holds."


def _holds_place(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        email=args.email,
        phone=args.phone,
        tenant_id=args.tenant,
        matter=args.matter,
        reason=args.reason,
        until=args.until,
    )
    hold = client.call("POST", "/ops/holds", body)
    return hold, "Placed. " + _hold_line(hold)


def _holds_release(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    hold = client.call("POST", f"/ops/holds/{args.hold_id}/release", {"reason": args.reason})
    return hold, _hold_line(hold) + " Replay the deletions it held back to erase what it kept."


def _add_hold_commands(commands: Any) -> None:
    holds = commands.add_parser("holds", help="legal holds: keep a subject's or customer's data from erasure")
    sub = holds.add_subparsers(dest="holds_command", required=True)
    listing = sub.add_parser("list", help="holds in force")
    listing.add_argument("--all", action="store_true", help="released and expired holds too")
    listing.set_defaults(run=_holds_list)
    place = sub.add_parser("place", help="hold a subject (email and/or phone) or a business customer")
    place.add_argument("--email")
    place.add_argument("--phone")
    place.add_argument("--tenant", help="a business customer's tenant id (instead of email/phone)")
    place.add_argument("--matter", required=True, help="the case or inquiry reference")
    place.add_argument("--reason", required=True, help="why the data must be kept (kept in the audit trail)")
    place.add_argument("--until", metavar="YYYY-MM-DD", help="the last day of the hold, if it has one")
    place.set_defaults(run=_holds_place)
    release = sub.add_parser("release", help="release a hold (deletions held back can then be replayed)")
    release.add_argument("hold_id")
    release.add_argument("--reason", required=True)
    release.set_defaults(run=_holds_release)


def _add_list_and_show(commands: Any) -> None:
    listing = commands.add_parser(
        "list", help="requests by status, due date or time stuck (soonest due first)"
    )
    listing.add_argument("--status", help="e.g. failed, awaiting_decision, awaiting_verification")
    listing.add_argument("--type", choices=REQUEST_TYPES)
    listing.add_argument("--jurisdiction", choices=["gdpr", "ccpa", "us_state", "other"])
    listing.add_argument("--due-within", type=int, metavar="DAYS", help="due within this many days")
    listing.add_argument("--overdue", action="store_true", help="past their due date")
    listing.add_argument("--stuck-for", type=int, metavar="HOURS", help="in the same status for this long")
    listing.add_argument("--limit", type=int, default=50, help="requests per page (default 50, at most 499)")
    listing.add_argument("--page", type=int, default=1, help="which page (from 1)")
    listing.set_defaults(run=_list)

    show = commands.add_parser("show", help="one request's story: received, verified, resolved, each store, "
                               "notices, decisions, the failed step and why")  # fmt: skip
    show.add_argument("request_id")
    show.add_argument(
        "--timeline", action="store_true", help="the raw timeline (every audit entry and execution event)"
    )
    show.set_defaults(run=_show)


def _add_rerun_commands(commands: Any) -> None:
    replay = commands.add_parser("replay", help="run a request's workflow again from where it stopped")
    replay.add_argument("request_id")
    replay.add_argument("--reason", required=True)
    replay.add_argument(
        "--step", help="also run this completed step again (e.g. resolve), clearing its result"
    )
    replay.add_argument(
        "--wait",
        action="store_true",
        help="follow the replay, printing each step, until it ends or waits for someone",
    )
    replay.add_argument("--wait-seconds", type=float, default=300, help="give up following after this long")
    replay.set_defaults(run=_replay)
    erase_held = commands.add_parser(
        "erase-held", help="after a hold is released: erase what a deletion kept back under it"
    )
    erase_held.add_argument("request_id")
    erase_held.add_argument("--reason", required=True)
    erase_held.set_defaults(run=_erase_held)


def _add_notice_commands(commands: Any) -> None:
    listing = commands.add_parser("notices", help="notices not delivered: held for a retry or for a person")
    listing.set_defaults(run=_notices)
    decide = commands.add_parser(
        "notice",
        help="decide on a held notice: delivered (you checked it went), resend (you checked it did not), "
        "abandon (it cannot go)",
    )
    decide.add_argument("request_id")
    decide.add_argument("notice", help="e.g. acknowledgement, final")
    decide.add_argument("decision", choices=["delivered", "resend", "abandon"])
    decide.add_argument("--reason", required=True)
    decide.set_defaults(run=_notice_decide)


def _customer_line(customer: dict[str, Any]) -> str:
    lines = [
        f"{customer['tenant_id']}: {customer['name']}, instruction {customer['instruction']}",
        f"  privacy contact: {customer.get('privacy_email') or '-'}",
        f"  webhook: {customer.get('webhook_url') or '-'}",
        "  principals that speak for it on the customer API:",
    ]
    lines += [f"    {arn}" for arn in customer["principal_arns"]] or ["    (none)"]
    if customer.get("added_by"):
        lines.append(f"  added {customer['added_at'][:19]} by {customer['added_by']}")
    return "\n".join(lines)


def _customers_list(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    rows = client.call("GET", "/ops/customers")
    table = _table(
        [
            (r["tenant_id"], r["name"], r["instruction"], r["principals"], "yes" if r["webhook"] else "")
            for r in rows
        ],
        ("tenant", "name", "instruction", "principals", "webhook"),
    )
    return rows, table if rows else "No customers."


def _customers_show(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    customer = client.call("GET", f"/ops/customers/{args.tenant_id}")
    return customer, _customer_line(customer)


def _customers_add(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = _present(
        tenant_id=args.tenant_id,
        name=args.name,
        principal_arns=args.principal,
        privacy_email=args.privacy_email,
        instruction=args.instruction,
        webhook_url=args.webhook_url,
        tracking_number=args.tracking_number,
        reason=args.reason,
    )
    customer = client.call("POST", "/ops/customers", body)
    return customer, "Added. " + _customer_line(customer)


def _add_customer_commands(commands: Any) -> None:
    customers = commands.add_parser("customers", help="business customers (tenants): onboard, list, show")
    sub = customers.add_subparsers(dest="customers_command", required=True)
    sub.add_parser("list", help="customers onboarded").set_defaults(run=_customers_list)
    show = sub.add_parser("show", help="one customer: contact, instruction, principals")
    show.add_argument("tenant_id")
    show.set_defaults(run=_customers_show)
    add = sub.add_parser(
        "add",
        help="onboard a business customer and bind the IAM principals that call the customer API as it "
        "(refused when the tenant exists or a principal speaks for a tenant already)",
    )
    add.add_argument("tenant_id", help="the platform's id of the business (as in its calls' records)")
    add.add_argument("--name", required=True)
    add.add_argument(
        "--principal",
        required=True,
        action="append",
        metavar="ARN",
        help="an IAM role or user ARN allowed to call the customer API as this business (repeat for more)",
    )
    add.add_argument("--privacy-email", required=True, help="where requests about its callers are sent")
    add.add_argument("--instruction", required=True, choices=["fulfil", "forward", "ask"])
    add.add_argument("--webhook-url", help="https only")
    add.add_argument("--tracking-number", help="the business's tracking line, if any")
    add.add_argument("--reason", required=True, help="the contract or ticket (kept in the audit trail)")
    add.set_defaults(run=_customers_add)


def _told(notice: str) -> str:
    return {
        "already_sent": "was sent earlier",
        "held": "is held for a retry (privacy-ops notices)",
        "uncertain": "may not have gone: privacy-ops notices",
        "withheld": "was withheld (the number cannot get messages): reach the person another way",
        "in_final_answer": "will be in the objection's answer",
    }.get(notice, f"went by {notice}")


def _objection_grounds(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    body = {"purpose": args.purpose, "grounds": args.grounds}
    result = client.call("POST", f"/ops/requests/{args.request_id}/objection-grounds", body)
    return (
        result,
        f"Grounds recorded for {result['purpose']} on {args.request_id} ({result['marks']} marks); the "
        f"person's notice {_told(result['notice'])}.",
    )


def _lift_restriction(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    result = client.call("POST", f"/ops/requests/{args.request_id}/lift-restriction", {"reason": args.reason})
    when = result["announced_lift_at"][:10]
    if result["lift_at"] is None:
        return result, (
            f"Lift of {args.request_id} announced for {when}, NOT scheduled: the notice "
            f"{_told(result['notice'])}. Run this again once it went."
        )
    return result, (
        f"The person's notice {_told(result['notice'])}; the restriction of {args.request_id} ends "
        f"{result['lift_at'][:16]} ({result['marks']} marks), not before."
    )


def _add_preference_commands(commands: Any) -> None:
    grounds = commands.add_parser(
        "objection-grounds",
        help="record compelling legitimate grounds that override an objection for one purpose (GDPR "
        "Art. 21(1)); never for marketing; the person is told, with the right to complain",
    )
    grounds.add_argument("request_id")
    grounds.add_argument("purpose", help="the purpose objected to that goes on (e.g. analytics)")
    grounds.add_argument(
        "--grounds",
        required=True,
        help="the grounds, in plain words: THE PERSON READS THEM (no links, no one's personal data)",
    )
    grounds.set_defaults(run=_objection_grounds)
    lift = commands.add_parser(
        "lift-restriction",
        help="lift a restriction (GDPR Art. 18(3)): the person is told first; it ends after the notice days",
    )
    lift.add_argument("request_id")
    lift.add_argument(
        "--reason", required=True, help="why it ends, in plain words: THE PERSON READS IT (kept in the audit)"
    )
    lift.set_defaults(run=_lift_restriction)
    # what a caller names for an objection or a withdrawal (``phone`` is made in build_parser)
    phone = commands.choices["phone"]
    phone.add_argument(
        "--object-to", nargs="*", metavar="PURPOSE", help="an objection: the uses objected to (analytics…)"
    )
    phone.add_argument(
        "--consent-to-withdraw", nargs="*", metavar="PURPOSE", help="a withdrawal: e.g. marketing"
    )
    phone.add_argument(
        "--change",
        nargs=3,
        action="append",
        metavar=("FIELD", "HELD", "WANTED"),
        help="a correction: what is wrong (name, email, phone, company…), the value we hold "
        '("" if the caller does not know it) and the value wanted; once per change',
    )


def _correction(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    fields, reasons = args.deny or [], args.reason or []
    if len(fields) != len(reasons):
        raise SystemExit("privacy-ops correction: give one --reason after each --deny FIELD")
    body: dict[str, Any] = {"deny": [{"field": f, "reason": r} for f, r in zip(fields, reasons, strict=True)]}
    if args.audit_reason:
        body["reason"] = args.audit_reason
    result = client.call("POST", f"/ops/requests/{args.request_id}/correction", body)
    denied = ", ".join(result["denied"]) or "none"
    return (
        result,
        f"Correction {args.request_id} reviewed: denied {denied}; every other change is applied now.",
    )


def _add_correction_command(commands: Any) -> None:
    review = commands.add_parser(
        "correction",
        help="review a correction waiting for ops (CCPA 7023, GDPR Art. 16): every planned change is "
        "applied except the fields you deny, each with the reason the person reads",
    )
    review.add_argument("request_id")
    review.add_argument("--deny", action="append", metavar="FIELD", help="a field not to change (repeat)")
    review.add_argument(
        "--reason",
        action="append",
        help="after each --deny: why, from the documentation or circumstances you weighed. THE PERSON "
        "READS IT (plain text, no links, no one else's data)",
    )
    review.add_argument(
        "--audit-reason", help="why the review decided so: kept in the audit trail, never sent to the person"
    )
    review.set_defaults(run=_correction)


def _retention(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    report = client.call("GET", "/ops/retention")
    months = report["months"]
    rows = [
        [due["request_id"], due["closed_at"][:10], due["expires_at"][:10], "yes" if due["expiring"] else ""]
        for due in report["due"]
    ]
    held = f"\nKept past {months} months by a legal hold: {', '.join(report['held'])}." * bool(report["held"])
    more = "\nMore are due than one run removes: the next runs go on." if report["more"] else ""
    if not rows:
        return report, f"No record is due for removal ({months} months after closing).{held}"
    header = ["request", "closed", "expired", "removal begun"]
    text = f"{len(rows)} record(s) the daily run removes (request, ledger, audit trail):\n"
    return report, text + _table(rows, header) + held + more


def _add_retention_command(commands: Any) -> None:
    retention = commands.add_parser(
        "retention",
        help="records of requests closed 24 months ago (CCPA 7101) that the daily run removes, and "
        "those a legal hold keeps; a dry run: this command never removes anything",
    )
    retention.add_argument(
        "--dry-run", action="store_true", default=True, help="the only mode (removal is the schedule's)"
    )
    retention.set_defaults(run=_retention)


def _open(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    what = "recordings" if args.recording else "documents"
    body = {"key": args.key, "reason": args.reason}
    link = client.call("POST", f"/ops/requests/{args.request_id}/{what}/link", body)
    minutes = round(link["expires_in"] / 60)
    return (
        link,
        f"{link['url']}\n(the {link['kind']} link works for {minutes} minutes; the opening is audited)",
    )


def _add_open_command(commands: Any) -> None:
    opening = commands.add_parser(
        "open",
        help="a short link to an agent's permission document (or, with --recording, a recording an "
        "export holds for review), audited with the reason: `show --json` lists the keys",
    )
    opening.add_argument("request_id")
    opening.add_argument("key", help="as the request's permission_documents or recordings_to_review list it")
    opening.add_argument("--recording", action="store_true", help="a recording under review")
    opening.add_argument("--reason", required=True, help="why you open it (kept in the audit)")
    opening.set_defaults(run=_open)


def _add_command_groups(commands: Any) -> None:
    _add_retention_command(commands)
    _add_open_command(commands)
    _add_correction_command(commands)
    _add_mail_commands(commands)
    _add_preference_commands(commands)
    _add_hold_commands(commands)
    _add_notice_commands(commands)
    _add_customer_commands(commands)


def _add_decide_command(commands: Any) -> None:
    decide = commands.add_parser(
        "decide",
        help="answer a request waiting for a decision (approve; narrow --store/--business/--since/--until: "
        "act on that scope alone, the rest left out and counted in the answer; deny), its fulfilment, "
        "silent businesses (approve: go on "
        "without them), a review of one-channel recordings (approve: release with the other person's "
        "turns silenced; narrow: withhold them) or a review of an agent's signed permission or power of "
        "attorney (approve, or deny --denial-reason agent_not_authorized)",
    )
    decide.add_argument("request_id")
    decide.add_argument("decision", choices=["approve", "narrow", "deny", "complete"])
    decide.add_argument("--reason", required=True)
    decide.add_argument("--outcome", choices=["complied", "partially_complied", "nothing_held"])
    decide.add_argument(
        "--denial-reason",
        choices=[
            "unverifiable",
            "exempt",
            "not_a_consumer",
            "manifestly_unfounded",
            "excessive",
            "agent_not_authorized",
            "customer_instruction",
        ],
    )
    decide.add_argument("--exemption", help="the exception that applies, for an exempt denial")
    decide.add_argument(
        "--detail",
        help="for a denial: the specific reason, in your own words (up to 600 characters). THE PERSON "
        "READS IT verbatim: in the email, on the status page the SMS links to, and in the call. Plain text, "
        "no links, and "
        "never anyone's contact details or another person's data",
    )
    decide.add_argument(
        "--store",
        action="append",
        help="narrow a flagged footprint: act only on this store's records (repeat for more)",
    )
    decide.add_argument(
        "--business",
        action="append",
        metavar="TENANT_ID",
        help="narrow: act only on records held for this business (repeat for more)",
    )
    decide.add_argument("--since", metavar="YYYY-MM-DD", help="narrow: only records dated from this day")
    decide.add_argument("--until", metavar="YYYY-MM-DD", help="narrow: only records dated up to this day")
    decide.set_defaults(run=_decide)


def _appeal(client: OpsClient, args: argparse.Namespace) -> tuple[Any, str]:
    decision = {"grant": "granted", "deny": "denied"}[args.decision]
    body = {"decision": decision, "explanation": args.explanation, "reason": args.reason}
    result = client.call("POST", f"/ops/requests/{args.request_id}/appeal", body)
    told = {
        "already_sent": "was sent earlier",
        "held": "is held for a retry (privacy-ops notices)",
        "uncertain": "may not have gone: privacy-ops notices",
    }.get(result["notice"], f"went by {result['notice']}")
    late = " LATE: decided after the appeal's due date." if result["late"] else ""
    return (
        result,
        f"Appeal of {args.request_id} {result['decision']}: now {result['status']}; the person's notice "
        f"{told}.{late}\nNext: {result['next']}",
    )


def _add_appeal_command(commands: Any) -> None:
    appeal = commands.add_parser(
        "appeal",
        help="decide an appeal (US state laws) within its deadline; the person reads the explanation; "
        "granted reopens the request (in_progress), denied closes it and names the attorney general",
    )
    appeal.add_argument("request_id")
    appeal.add_argument("decision", choices=["grant", "deny"])
    appeal.add_argument(
        "--explanation",
        required=True,
        help="the written explanation of the decision: THE PERSON READS IT (plain text, no links, "
        "no contact details)",
    )
    appeal.add_argument("--reason", required=True, help="for the audit trail: why you decided so")
    appeal.set_defaults(run=_appeal)


def _add_clock_and_report_commands(commands: Any) -> None:
    extend = commands.add_parser(
        "extend",
        help="extend a request's deadline once (before it passes); the person is told the reason and date",
    )
    extend.add_argument("request_id")
    extend.add_argument(
        "--reason",
        required=True,
        help="why more time is needed, in plain words: THE PERSON READS IT (one line, no one's "
        "personal data)",
    )
    extend.add_argument(
        "--until", metavar="YYYY-MM-DD", help="the new date (default: the latest the law allows)"
    )
    extend.set_defaults(run=_extend)

    deadlines = commands.add_parser(
        "deadlines",
        help="legal clocks (acknowledgement, response, extension notice, appeal decision) overdue or due "
        "within two business days",
    )
    deadlines.set_defaults(run=_deadlines)

    metrics = commands.add_parser(
        "metrics",
        help="a year's request metrics (CCPA regulations 7102): per right, received, complied, denied, days",
    )
    metrics.add_argument("--year", type=int, required=True)
    metrics.add_argument(
        "--scope",
        choices=["california", "all"],
        default="california",
        help="requests of California consumers (the default, as 7102 asks) or of every jurisdiction",
    )
    metrics.add_argument("--format", choices=["table", "json", "csv", "html"], default="table")
    metrics.add_argument("--output", metavar="FILE", help="write the CSV or HTML rendering to FILE")
    metrics.set_defaults(run=_metrics)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="privacy-ops", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--api-url",
        default=os.environ.get("PRIVACY_OPS_API_URL", LOCAL_API),
        help=f"base URL of the ops API (default $PRIVACY_OPS_API_URL or {LOCAL_API})",
    )
    parser.add_argument(
        "--operator",
        default=os.environ.get("PRIVACY_OPERATOR"),
        help="local stack only: who you are (deployed stacks use your signed AWS identity)",
    )
    parser.add_argument("--region", help="AWS region of the deployed ops API")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    commands = parser.add_subparsers(dest="command", required=True)

    lookup = commands.add_parser(
        "lookup", help="what the platform holds for identifiers (counts only; audited)"
    )
    lookup.add_argument("--phone")
    lookup.add_argument("--email")
    lookup.add_argument("--account-id")
    lookup.add_argument("--held-since", help="YYYY-MM-DD: calls before it belong to an earlier holder")
    lookup.add_argument(
        "--reason", required=True, help="why you look this person up (kept in the audit trail)"
    )
    lookup.set_defaults(run=_lookup)

    _add_list_and_show(commands)

    _add_rerun_commands(commands)

    _add_decide_command(commands)

    _add_clock_and_report_commands(commands)
    _add_appeal_command(commands)

    cancel = commands.add_parser("cancel", help="cancel a request")
    cancel.add_argument("request_id")
    cancel.add_argument("--reason", required=True)
    cancel.set_defaults(run=_cancel)

    phone = commands.add_parser("phone", help="enter a request taken on the toll-free line")
    phone.add_argument("--type", required=True, choices=REQUEST_TYPES)
    phone.add_argument("--jurisdiction", required=True, choices=["gdpr", "ccpa", "us_state", "other"])
    phone.add_argument("--us-state")
    phone.add_argument("--phone")
    phone.add_argument("--email")
    phone.add_argument("--name")
    phone.add_argument("--details")
    phone.add_argument("--opt-out-of", nargs="*", choices=OPT_OUT_PURPOSES)
    phone.set_defaults(run=_phone)
    _add_command_groups(commands)
    return _json_anywhere(parser)


def _json_anywhere(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """``--json`` after the subcommand as well as before it (``privacy-ops show X --json``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in set(action.choices.values()):
                if "--json" not in sub._option_string_actions:
                    sub.add_argument(
                        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON"
                    )
                _json_anywhere(sub)
    return parser


CREDENTIAL_REFUSALS = (
    "Missing Authentication Token",
    "The security token included in the request is invalid",
    "The request signature we calculated does not match",
    "is not authorized to perform",
    "The security token included in the request is expired",
    "the caller is not the privacy operations role",
)


def _error_text(error: OpsApiError) -> str:
    """What the API answered, as one sentence and the HTTP status: the API's message, each
    field's reason, why a request cannot move; a refused credential said as such."""
    body = error.body
    message = str(body.get("message") or "") if isinstance(body, dict) else str(body or "")
    message = message.strip().rstrip(".")
    if error.status in (401, 403) and (
        not message or any(sign.lower() in message.lower() for sign in CREDENTIAL_REFUSALS)
    ):
        return (
            f"The ops API refused your credentials (HTTP {error.status}): sign in as a session of the "
            "operations role, or give --operator NAME against the local stack."
        )
    if error.status == 404 and message in ("", "Not found", "Missing Authentication Token"):
        message = "Not found: no such request or item (check the id)"
    parts = [message or "The ops API refused the request"]
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        reasons = [
            f"{str(e.get('field', '')).removeprefix('body.').removeprefix('query.')}: {e.get('reason')}"
            for e in body["errors"]
            if isinstance(e, dict)
        ]
        if reasons:
            parts[0] += " (" + "; ".join(reasons) + ")"
    if isinstance(body, dict) and body.get("why"):
        parts[0] += f": {str(body['why']).rstrip('.')}"
    return f"{parts[0]}. (HTTP {error.status})"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    client = OpsClient(args.api_url, operator=args.operator, region=args.region)
    try:
        payload, text = args.run(client, args)
    except NoCredentials as error:
        print(json.dumps({"status": None, "error": str(error)}) if args.json else str(error), file=sys.stderr)
        return 2
    except OpsApiError as error:
        print(
            json.dumps({"status": error.status, "error": error.body}) if args.json else _error_text(error),
            file=sys.stderr,
        )
        return 1
    except urllib.error.URLError as error:
        print(f"Cannot reach the ops API at {args.api_url}: {error.reason}.", file=sys.stderr)
        return 2
    print(json.dumps(payload, indent=2) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
