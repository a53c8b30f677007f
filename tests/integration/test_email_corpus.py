"""The email corpus (tests/email_corpus): every message through the whole local stack, each
with the outcome expected in expected.yaml. One stack for the corpus, every mismatch reported.

What a request made from a message goes on to do is ``test_email_intake``'s: here its execution
is only asked for, not run (the corpus's executions running alongside it were three quarters of
this test's time, and their teardown five seconds more)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml

from local_stack.runtime import RunningStack
from privacy_rights.adapters.mail_records import MailRecord, MailRecords
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.adapters.workflow import StepFunctionsStarter

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parents[1] / "email_corpus"
EXPECTED: list[dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())


def test_the_corpus_is_complete() -> None:
    files = sorted(p.name for p in CORPUS.glob("*.eml"))
    assert files == sorted(entry["file"] for entry in EXPECTED)
    assert len(files) >= 30
    assert {entry["shape"] for entry in EXPECTED} >= {"gmail", "outlook", "apple"}


def _mismatches(expected: dict[str, Any], record: MailRecord, store: RequestStore) -> list[str]:
    problems = []
    if record.outcome != expected["outcome"]:
        problems.append(f"outcome {record.outcome} ({record.reason}), expected {expected['outcome']}")
        return problems
    if expected["reason"] and record.reason != expected["reason"]:
        problems.append(f"reason {record.reason}, expected {expected['reason']}")
    if expected["outcome"] in ("request_created", "needs_clarification"):
        missing = set(expected["flags"]) - set(record.flags)
        unexpected = set(record.flags) - set(expected["flags"])
        if missing or unexpected:
            problems.append(f"flags {sorted(record.flags)}, expected {sorted(expected['flags'])}")
        if len(record.attachment_keys) != expected["attachments_kept"]:
            problems.append(
                f"{len(record.attachment_keys)} attachments kept, expected {expected['attachments_kept']}"
            )
    if expected["outcome"] == "request_created":
        requests = [store.get(request_id) for request_id in record.request_ids]
        types = sorted(r.type.value for r in requests)
        if types != sorted(expected["types"]):
            problems.append(f"types {types}, expected {sorted(expected['types'])}")
        for request in requests:
            if request.subject.email != expected["subject_email"]:
                problems.append("the request is not about the From address")
            if request.jurisdiction.value != expected["jurisdiction"]:
                problems.append(
                    f"jurisdiction {request.jurisdiction.value}, expected {expected['jurisdiction']}"
                )
            if request.type.value == "opt_out" and sorted(p.value for p in request.opt_out_of) != sorted(
                expected["opt_out_of"]
            ):
                problems.append(
                    f"opt_out_of {[p.value for p in request.opt_out_of]}, expected {expected['opt_out_of']}"
                )
            withdrawn = sorted(p.value for p in request.opt_out_of)
            wanted = sorted(expected.get("consent_to_withdraw", []))
            if request.type.value == "withdraw_consent" and withdrawn != wanted:
                problems.append(f"consent withdrawn for {withdrawn}, expected {wanted}")
    return problems


def test_every_message_of_the_corpus_has_its_expected_outcome(
    running: RunningStack, store: RequestStore
) -> None:
    records = MailRecords(running.client("dynamodb"), running.stack.ref("MailTable"))
    ddb: Any = running.client("dynamodb")

    def mail_ids() -> set[str]:
        # the ids alone: two whole scans of the records a message were a third of this test's time
        items = ddb.scan(TableName=running.stack.ref("MailTable"), ProjectionExpression="mail_id")["Items"]
        return {item["mail_id"]["S"] for item in items}

    failures: dict[str, list[str]] = {}
    outcomes: Counter[str] = Counter()
    after = mail_ids()
    for expected in EXPECTED:
        before = after
        with mock.patch.object(StepFunctionsStarter, "start", autospec=True, return_value="not run") as start:
            running.receive_mail((CORPUS / expected["file"]).read_bytes(), as_is=True)
        after = mail_ids()
        new = after - before
        if len(new) != 1:
            failures[expected["file"]] = [f"{len(new)} records made"]
            continue
        record = records.get(new.pop())
        outcomes[f"{record.outcome}:{record.reason or '-'}"] += 1
        problems = _mismatches(expected, record, store)
        started = sorted(call.args[1] for call in start.call_args_list)
        if expected["outcome"] == "request_created" and started != sorted(record.request_ids):
            problems.append(f"executions started for {started}, expected {sorted(record.request_ids)}")
        if problems:
            failures[expected["file"]] = problems
    summary = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    assert not failures, f"{len(failures)} of {len(EXPECTED)} differ: {failures}\n(outcomes: {summary})"
    s3: Any = running.client("s3")
    left = s3.list_objects_v2(Bucket=running.stack.ref("InboundMailBucket"), Prefix="inbound/").get(
        "KeyCount"
    )
    assert not left, "every message was moved out of inbound/ once processed"
