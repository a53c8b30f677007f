"""Email intake on the whole local stack: SES's object in the inbound bucket, the S3 event on
the SQS queue, the real handler through Powertools' batch processor, the real state machine."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.mail_records import MailRecords
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.models import Channel, RequestType, RightsRequest

pytestmark = pytest.mark.integration

PRIVACY = "info@callx.com"


def mail(
    sender: str = "Dana Reyes <dana.reyes@example.com>",
    subject: str = "Privacy request",
    body: str = "Please delete all my personal data, including my call recordings.",
    to: str = PRIVACY,
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message["Date"] = "Mon, 23 Nov 2026 10:00:00 +0000"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


@pytest.fixture
def records(running: RunningStack) -> MailRecords:
    return MailRecords(running.client("dynamodb"), running.stack.ref("MailTable"))


def _records_in(running: RunningStack) -> list[dict[str, Any]]:
    ddb: Any = running.client("dynamodb")
    return ddb.scan(TableName=running.stack.ref("MailTable"))["Items"]


def _only_record(running: RunningStack, records: MailRecords) -> Any:
    (item,) = _records_in(running)
    return records.get(item["mail_id"]["S"])


def _keys(running: RunningStack, prefix: str) -> list[str]:
    s3: Any = running.client("s3")
    listed = s3.list_objects_v2(Bucket=running.stack.ref("InboundMailBucket"), Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_plain_request_becomes_a_request_acknowledged_to_the_sender(
    running: RunningStack, records: MailRecords, store: RequestStore, eventually: Callable[..., Any]
) -> None:
    key = running.receive_mail(mail())

    record = _only_record(running, records)
    assert (record.outcome, record.state) == ("request_created", "done")
    (request_id,) = record.request_ids
    request = store.get(request_id)
    assert request.type is RequestType.DELETION
    assert request.channel is Channel.EMAIL
    assert request.subject.email == "dana.reyes@example.com"
    assert request.subject.name == "Dana Reyes"
    assert request.extra["mail_id"] == record.mail_id
    acknowledgement = eventually(
        lambda: [m for m in running.outbox.messages("dana.reyes@example.com") if request_id in m.subject],
        what="acknowledgement",
    )
    assert acknowledgement
    # The raw message left inbound/ only after its record was written.
    assert _keys(running, "inbound/") == []
    assert _keys(running, "processed/") == [record.stored_key]
    assert key != record.stored_key
    trail = store.audit_entries("audit:mail:" + record.mail_id)
    assert [e.action for e in trail] == ["mail.processed"]
    assert "dana" not in json.dumps([e.detail for e in trail])


def test_the_same_message_twice_makes_one_request(
    running: RunningStack, records: MailRecords, store: RequestStore
) -> None:
    raw = mail()
    running.receive_mail(raw)
    running.receive_mail(raw)  # SES stored it twice (a second object, same Message-ID)

    record = _only_record(running, records)
    assert len(record.request_ids) == 1
    assert _keys(running, "inbound/") == []
    ddb: Any = running.client("dynamodb")
    requests = [
        i
        for i in ddb.scan(TableName=running.stack.ref("RequestsTable"))["Items"]
        if i["request_id"]["S"].startswith("req_")
    ]
    assert len(requests) == 1


def test_verification_goes_to_from_never_to_reply_to(
    running: RunningStack, records: MailRecords, store: RequestStore, eventually: Callable[..., Any]
) -> None:
    running.receive_mail(
        mail(
            sender='"Maria Lopez" <maria.lopez@example.org>',
            body="Please send me a copy of the personal data you hold about me.",
            Reply_To="attacker@example.net",
        )
    )
    (request_id,) = _only_record(running, records).request_ids
    assert store.get(request_id).subject.email == "maria.lopez@example.org"
    eventually(lambda: running.outbox.messages("maria.lopez@example.org"), what="mail to the sender")
    assert running.outbox.messages("attacker@example.net") == []


def test_unclear_mail_is_answered_with_a_prefilled_form_and_the_reply_keeps_the_first_clock(
    running: RunningStack, records: MailRecords, store: RequestStore
) -> None:
    running.receive_mail(
        mail(subject="Question", body="Hi, do you record my calls? What do you do with them?")
    )
    first = _only_record(running, records)
    assert (first.outcome, first.queue) == ("needs_clarification", "needs_clarification")
    (question,) = running.outbox.messages("dana.reyes@example.com")
    assert f"clarifies={first.mail_id}" in question.body
    assert "email=dana.reyes%40example.com" in question.body

    reply = mail(
        subject="Re: About your message to CallX Privacy",
        body="I want you to delete my data.\n\n"
        "On Mon, CallX Privacy <privacy-noreply@callx.com> wrote:\n> text",
        In_Reply_To=f"<{question.message_id}@email.amazonses.com>",
    )
    running.receive_mail(reply)

    answered = [records.get(i["mail_id"]["S"]) for i in _records_in(running)]
    created = next(r for r in answered if r.mail_id != first.mail_id)
    assert created.outcome == "request_created"
    assert created.reply_to_reference == first.mail_id
    (request_id,) = created.request_ids
    assert store.get(request_id).received_at.isoformat() == first.received_at
    closed = records.get(first.mail_id)
    assert closed.queue is None
    assert closed.request_ids == [request_id]


def test_the_web_form_link_keeps_the_clock_only_for_the_sender(
    running: RunningStack, records: MailRecords, store: RequestStore, call_api: Callable[..., Any]
) -> None:
    running.receive_mail(mail(subject="hello", body="I have a question about my privacy."))
    first = _only_record(running, records)
    body = {"type": "access", "jurisdiction": "gdpr", "clarifies": first.mail_id}

    status, _, stranger = call_api("POST", "/requests", body | {"email": "someone.else@example.com"})
    assert status == 202
    assert store.get(stranger["request_id"]).received_at.isoformat() != first.received_at
    assert records.get(first.mail_id).queue == "needs_clarification"

    status, _, answer = call_api("POST", "/requests", body | {"email": "Dana.Reyes@example.com"})
    assert status == 202
    assert store.get(answer["request_id"]).received_at.isoformat() == first.received_at
    assert records.get(first.mail_id).queue is None


def _acknowledged_request(running: RunningStack, records: MailRecords, eventually: Callable[..., Any]) -> str:
    running.receive_mail(mail())
    (request_id,) = _only_record(running, records).request_ids
    eventually(
        lambda: [m for m in running.outbox.messages("dana.reyes@example.com") if request_id in m.subject],
        what="acknowledgement",
    )
    return request_id


def test_a_reply_to_the_plus_address_attaches_to_its_request(
    running: RunningStack, records: MailRecords, store: RequestStore, eventually: Callable[..., Any]
) -> None:
    request_id = _acknowledged_request(running, records, eventually)
    running.receive_mail(mail(subject="Re: your request", body="Thanks!", to=f"info+{request_id}@callx.com"))

    reply = next(
        r for r in (records.get(i["mail_id"]["S"]) for i in _records_in(running)) if r.reply_to_reference
    )
    assert (reply.outcome, reply.request_ids) == ("attached_to_request", [request_id])
    assert "email.reply_received" in [e.action for e in store.audit_entries(request_id)]


def test_a_reply_from_someone_else_goes_to_a_person(
    running: RunningStack, records: MailRecords, store: RequestStore, eventually: Callable[..., Any]
) -> None:
    request_id = _acknowledged_request(running, records, eventually)
    running.receive_mail(
        mail(sender="intruder@example.net", body="Cancel it", to=f"info+{request_id}@callx.com")
    )
    reply = next(
        r for r in (records.get(i["mail_id"]["S"]) for i in _records_in(running)) if r.reply_to_reference
    )
    assert (reply.outcome, reply.reason, reply.queue) == ("human_review", "sender_mismatch", "human_review")
    assert "email.reply_received" not in [e.action for e in store.audit_entries(request_id)]


def test_an_auto_reply_to_our_acknowledgement_gets_no_answer(
    running: RunningStack,
    records: MailRecords,
    eventually: Callable[..., Any],
    waiting_for: Callable[[str, str], None],
) -> None:
    request_id = _acknowledged_request(running, records, eventually)
    waiting_for(request_id, "verification")  # the code is sent: the request sends nothing more now
    sent_before = len(running.outbox.messages())
    running.receive_mail(
        mail(
            subject="Out of office",
            body="I am away.",
            to=f"info+{request_id}@callx.com",
            Auto_Submitted="auto-replied",
        )
    )
    auto = next(
        r for r in (records.get(i["mail_id"]["S"]) for i in _records_in(running)) if r.reason == "auto_reply"
    )
    assert auto.outcome == "ignored"
    assert len(running.outbox.messages()) == sent_before


def test_bulk_mail_waits_for_a_person_who_accepts_it_with_the_clock_of_receipt(
    running: RunningStack, records: MailRecords, store: RequestStore, call_api: Callable[..., Any]
) -> None:
    running.receive_mail(
        mail(
            sender="Removals <requests@removal-service.example>",
            body="On behalf of our member, please delete all personal data you hold about them.",
            Precedence="bulk",
            List_Unsubscribe="<mailto:unsubscribe@removal-service.example>",
        )
    )
    assert running.outbox.messages("requests@removal-service.example") == []
    status, _, queue = call_api("GET", "/ops/mail?queue=human_review", operator="olivia")
    assert status == 200
    (row,) = queue
    assert (row["outcome"], row["reason"]) == ("human_review", "bulk")

    status, _, shown = call_api("GET", f"/ops/mail/{row['mail_id']}", operator="olivia")
    assert status == 200
    assert shown["sender"] == "requests@removal-service.example"
    assert "On behalf of our member" in shown["text"]

    status, _, accepted = call_api(
        "POST",
        f"/ops/mail/{row['mail_id']}/accept",
        {"types": ["deletion"], "reason": "a data-removal service acting for a consumer"},
        operator="olivia",
    )
    assert status == 200, accepted
    (request_id,) = accepted["request_ids"]
    request: RightsRequest = store.get(request_id)
    assert request.received_at == datetime.fromisoformat(row["received_at"].replace("Z", "+00:00"))
    assert call_api("GET", "/ops/mail?queue=human_review", operator="olivia")[2] == []
    status, _, _ = call_api(
        "POST",
        f"/ops/mail/{row['mail_id']}/accept",
        {"types": ["deletion"], "reason": "twice over"},
        operator="olivia",
    )
    assert status == 409
    actions = [
        e["action"] for e in call_api("GET", f"/ops/mail/{row['mail_id']}", operator="olivia")[2]["trail"]
    ]
    assert actions == ["mail.processed", "mail.accepted"]


def test_a_virus_is_quarantined_with_its_reason(running: RunningStack, records: MailRecords) -> None:
    raw = mail(body="see attached")
    running.receive_mail(b"X-SES-Virus-Verdict: FAIL\r\nX-SES-Spam-Verdict: PASS\r\n" + raw, as_is=True)
    record = _only_record(running, records)
    assert (record.outcome, record.reason, record.queue) == ("quarantined", "virus", "quarantined")
    assert record.stored_key == f"quarantine/virus/{record.mail_id}.eml"
    assert _keys(running, "quarantine/virus/") == [record.stored_key]
    assert running.outbox.messages() == []


def test_attachments_are_kept_by_reference_and_refused_by_type(
    running: RunningStack, records: MailRecords
) -> None:
    message = EmailMessage()
    message["From"] = "agent@example.org"
    message["To"] = PRIVACY
    message["Subject"] = "Deletion request on behalf of my client"
    message["Message-ID"] = make_msgid()
    message.set_content("Please delete all personal data of my client. The signed authorization is attached.")
    message.add_attachment(
        b"%PDF-1.4\n%synthetic\n", maintype="application", subtype="pdf", filename="auth.pdf"
    )
    message.add_attachment(
        b"MZ\x90\x00", maintype="application", subtype="x-msdownload", filename="invoice.exe"
    )
    message.add_attachment(b"not really a png", maintype="image", subtype="png", filename="scan.png")
    running.receive_mail(bytes(message))

    record = _only_record(running, records)
    assert record.outcome == "request_created"
    assert len(record.attachment_keys) == 1
    assert re.match(rf"attachments/{record.mail_id}/00-auth\.pdf$", record.attachment_keys[0])
    assert sorted(r["reason"] for r in record.refused_attachments) == [
        "content_not_of_declared_type",
        "type_not_allowed",
    ]
    assert "attachment_refused" in record.flags


def test_a_poison_message_is_dead_lettered_without_blocking_its_batch_and_ops_replay_it(
    running: RunningStack, records: MailRecords, call_api: Callable[..., Any]
) -> None:
    sqs: Any = running.client("sqs")
    (source,) = running.stack.queue_sources
    sqs.send_message(QueueUrl=source.queue_url, MessageBody="this is not an S3 event")
    running.inbound.receive(mail())  # its S3 event lands in the same queue, so the same batch

    running.mail_poller.drain()

    assert _only_record(running, records).outcome == "request_created"
    status, _, dead = call_api("GET", "/ops/mail/dead-letters", operator="olivia")
    assert status == 200
    assert dead["count"] == 1
    assert dead["sample"][0]["objects"] == []
    status, _, replayed = call_api(
        "POST", "/ops/mail/dead-letters/replay", {"reason": "after fixing the parser"}, operator="olivia"
    )
    assert (status, replayed) == (200, {"replayed": 1})
    assert (
        sqs.get_queue_attributes(QueueUrl=source.queue_url, AttributeNames=["ApproximateNumberOfMessages"])[
            "Attributes"
        ]["ApproximateNumberOfMessages"]
        == "1"
    )


def test_a_reviewed_email_is_accepted_as_the_withdrawal_of_consent_it_names(
    running: RunningStack, store: RequestStore, call_api: Callable[..., Any]
) -> None:
    running.receive_mail(
        mail(
            sender="Newsletter Reader <reader@example.org>",
            body="Please take me off whatever you send and don't record me any more.",
            Precedence="bulk",
        )
    )
    (row,) = call_api("GET", "/ops/mail?queue=human_review", operator="olivia")[2]
    accept = f"/ops/mail/{row['mail_id']}/accept"
    reason = {"reason": "the reader withdraws consent to marketing and recording"}

    status, _, refused = call_api("POST", accept, {"types": ["withdraw_consent"]} | reason, operator="olivia")
    assert status == 422, refused  # ops name what is withdrawn: never "all of it" by default
    status, _, refused = call_api(
        "POST",
        accept,
        {"types": ["access"], "consent_to_withdraw": ["marketing"]} | reason,
        operator="olivia",
    )
    assert status == 422, refused

    status, _, accepted = call_api(
        "POST",
        accept,
        {"types": ["withdraw_consent"], "consent_to_withdraw": ["marketing", "recording"]} | reason,
        operator="olivia",
    )
    assert status == 200, accepted
    (request_id,) = accepted["request_ids"]
    request: RightsRequest = store.get(request_id)
    assert request.type is RequestType.WITHDRAW_CONSENT
    assert {p.value for p in request.opt_out_of} == {"marketing", "recording"}
