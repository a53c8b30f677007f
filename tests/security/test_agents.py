"""Authorized agents, guardians and powers of attorney (CCPA 7063): someone acting for another
person touches nothing of theirs until ops have read the signed permission, and proves nothing of
theirs with the agent's own codes."""

from __future__ import annotations

import re
import smtplib
import uuid
from email.message import EmailMessage
from typing import Any

import pytest
from harness import Actor, Answer, Service, damage, multipart_upload, present, wait_for

pytestmark = pytest.mark.security

#: What the reproduction uploaded as "image/png": eighteen bytes that are no image at all.
FAKE_PNG = b"<script>x</script>"
#: A document that is what it says: a PDF's magic bytes, and a plausible size (over 1 KB).
REAL_PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    + b"% I authorize the bearer to act for me in privacy matters.\n" * 80
    + b"trailer <</Root 1 0 R>>\n%%EOF\n"
)


def _agent_request(
    right: str, phone: str, agent: Actor, role: str, power_of_attorney: bool
) -> dict[str, Any]:
    return {
        "type": right,
        "jurisdiction": "gdpr",
        "phone": phone,
        "requester": {
            "role": role,
            "name": "Pat Proxy",
            "email": agent.email,
            "power_of_attorney": power_of_attorney,
        },
    }


def _upload(agent: Actor, request_id: str, token: str | None, content: bytes, content_type: str) -> str:
    """The status page's upload: a presigned POST from the API, then the file straight to S3."""
    form = agent.permission_upload(request_id, token, content_type)
    if form.status != 200:
        return f"no upload form: {form.status} {form.body}"
    return f"S3 answered {multipart_upload(form.body['url'], form.body['fields'], content, content_type)}"


def _agents_own_code(service: Service, agent: Actor, request_id: str, token: str | None) -> Answer:
    return agent.verify(request_id, {"code": service.code(request_id, agent.email)}, token)


@pytest.mark.parametrize("right", ["access", "deletion"])
def test_a_self_declared_power_of_attorney_with_a_fake_document_reaches_nothing(
    service: Service, attacker: Actor, right: str
) -> None:
    """A stranger declares a power of attorney for someone known only by phone, uploads eighteen
    bytes as a PNG and proves their own email (before: the person's identifiers then counted as
    proven; the agent downloaded their recordings, or erased their calls)."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    assert present(before) > 10
    submitted = attacker.submit(
        _agent_request(right, victim.phone or "", attacker, "authorized_agent", True), attacker.email
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)

    uploaded = _upload(attacker, request_id, token, FAKE_PNG, "image/png")
    answer = _agents_own_code(service, attacker, request_id, token)
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, attacker)
    if detail["status"] in ("completed", "in_progress") or {"phone", "email"} & set(
        detail["proven_identifiers"]
    ):
        problems.append(
            f"after the fake document ({uploaded}) the request is {detail['status']}, "
            f"the person's {detail['proven_identifiers']} proven"
        )
    waits_for_permission = "permission" in detail["waiting_for"] or "permission" in (
        answer.body.get("pending", []) if isinstance(answer.body, dict) else []
    )
    if not waits_for_permission:
        problems.append(f"the request does not wait for a permission: {answer.body}, {detail['waiting_for']}")
    if attacker.download(request_id, token).status == 200:
        problems.append("the agent got a download link")
    assert not problems, problems


def test_a_power_of_attorney_waits_for_ops_and_proves_nothing_of_the_person(
    service: Service, attacker: Actor
) -> None:
    """The same with a document that really is a PDF: the agent's codes prove the agent's own
    contacts only, the request waits for a person in ops to read the power of attorney, and a
    refusal ends it with nothing of the person's touched."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    submitted = attacker.submit(
        _agent_request("access", victim.phone or "", attacker, "authorized_agent", True), attacker.email
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)

    uploaded = _upload(attacker, request_id, token, REAL_PDF, "application/pdf")
    answer = _agents_own_code(service, attacker, request_id, token)
    waiting = service.settle(request_id)
    problems = damage(service, victim, before, request_id, attacker)
    if waiting["waiting_for"] != ["permission"] or waiting["proven_identifiers"]:
        problems.append(
            f"after the agent's own code ({answer.status} {answer.body}; upload: {uploaded}) the request is "
            f"{waiting['status']} waiting for {waiting['waiting_for']}, "
            f"the person's {waiting['proven_identifiers']} proven"
        )
    assert not problems, problems

    refusal = service.ops(
        "POST",
        f"/ops/requests/{request_id}/decision",
        {
            "decision": "deny",
            "reason": "The power of attorney is not notarized.",
            "denial_reason": "agent_not_authorized",
        },
    )
    assert refusal.status == 200, refusal
    closed = service.settle(request_id)

    assert closed["status"] == "denied", closed
    assert not damage(service, victim, before, request_id, attacker)


@pytest.mark.parametrize("role", ["authorized_agent", "parent_or_guardian"])
def test_a_signed_permission_does_not_stand_in_for_the_persons_own_codes(
    service: Service, attacker: Actor, role: str
) -> None:
    """An agent or a guardian (no power of attorney) uploads a real document: the codes go to the
    person, not to the agent, and nothing moves until the person proves their number."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    submitted = attacker.submit(
        _agent_request("deletion", victim.phone or "", attacker, role, False), attacker.email
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)

    uploaded = _upload(attacker, request_id, token, REAL_PDF, "application/pdf")
    service.code(request_id, victim.phone or "")  # the person's code went to the person
    guesses = [attacker.verify(request_id, {"code": f"{n:06d}"}, token) for n in (0, 1)]
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, attacker)
    codes_to_agent = [m for m in attacker.messages() if re.search(r"code is", m["body"])]
    if codes_to_agent:
        problems.append(f"the agent was sent a code: {codes_to_agent}")
    if any(g.status == 200 for g in guesses):
        problems.append(f"a guessed code was accepted: {guesses}")
    if detail["status"] != "awaiting_verification" or detail["proven_identifiers"]:
        problems.append(
            f"upload: {uploaded}; the request is {detail['status']}, {detail['proven_identifiers']}"
        )
    assert not problems, problems


def _reply_with_attachment(service: Service, sender: str, request_id: str, content: bytes) -> None:
    """An email to the request's own reply address (info+<request id>@), a document attached."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"info+{request_id}@callx.com"
    message["Subject"] = f"Re: Your request {request_id} on someone's behalf"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.net>"
    message.set_content("Here is the signed power of attorney.")
    message.add_attachment(content, maintype="application", subtype="pdf", filename="permission.pdf")
    assert service.running.smtp is not None
    with smtplib.SMTP("127.0.0.1", service.running.smtp.port, timeout=10) as smtp:
        smtp.send_message(message)


@pytest.mark.parametrize("who", ["the agent, a fake document", "a stranger, a real document"])
def test_a_permission_emailed_in_counts_only_from_the_agent_and_only_if_it_is_a_document(
    service: Service, attacker: Actor, who: str
) -> None:
    """The other way in for a permission: a reply to the request's address with the document
    attached. Bytes that are no PDF (from the agent), or a real PDF from someone who is neither the
    agent nor the person, are not the request's permission."""
    victim = service.seed_stranger("dana")
    before = service.footprint(victim)
    submitted = attacker.submit(
        _agent_request("access", victim.phone or "", attacker, "authorized_agent", True), attacker.email
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)
    fake = b"<html><script>alert(1)</script></html>\n" * 60  # over 1 KB, and no PDF at all
    sender, content = (
        (attacker.email, fake) if who.startswith("the agent") else (f"other-{attacker.email}", REAL_PDF)
    )

    _reply_with_attachment(service, sender, request_id, content)

    def reply_handled() -> bool:
        if sender == attacker.email:  # the agent's reply is attached to the request
            return "email.reply_received" in [row["event"] for row in service.detail(request_id)["timeline"]]
        for row in service.ops("GET", "/ops/mail?queue=human_review").body or []:  # a stranger's: a person
            shown = service.ops("GET", f"/ops/mail/{row['mail_id']}").body or {}
            if request_id in shown.get("subject", ""):
                return True
        return False

    wait_for(f"the reply to {request_id} to be handled", reply_handled)
    answer = _agents_own_code(service, attacker, request_id, token)
    detail = service.settle(request_id)

    problems = damage(service, victim, before, request_id, attacker)
    events = [row["event"] for row in detail["timeline"]]
    if "permission.received_by_email" in events:
        problems.append("the emailed document was taken as the permission")
    if (
        answer.status != 200
        or answer.body.get("verified")
        or "permission" not in answer.body.get("pending", [])
    ):
        problems.append(f"after the agent's code: {answer.status} {answer.body}")
    if detail["proven_identifiers"]:
        problems.append(f"the person's {detail['proven_identifiers']} proven")
    assert not problems, problems
