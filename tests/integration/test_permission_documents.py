"""An agent's signed permission counts only when it really is a document: uploaded or emailed,
an 18-byte fake PNG or a text file renamed .pdf is refused with its reason; a real PDF counts."""

from __future__ import annotations

import base64
import json
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest

from local_stack.runtime import RunningStack
from privacy_rights.adapters.permission_documents import PermissionDocument, PermissionDocuments
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.documents import DocumentKind, Refusal

pytestmark = pytest.mark.integration

AGENT = "agent.permissions@example.org"
FAKE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10  # 18 bytes: the signature and nothing else
RENAMED_TEXT = b"I, Robert Chen, let Privacy Helpers act for me. Signed: R. Chen\n" * 40


def real_pdf() -> bytes:
    """A minimal valid one-page PDF (with its xref table), padded past the minimum size."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"% signed permission (synthetic)\n" * 40
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


@pytest.fixture
def permissions(running: RunningStack) -> PermissionDocuments:
    return PermissionDocuments(running.client("s3"), running.stack.ref("PermissionsBucket"))


def _upload(running: RunningStack, key: str, body: bytes, content_type: str) -> None:
    """What the agent's browser does with the presigned POST (moto does not check its policy)."""
    s3: Any = running.client("s3")
    s3.put_object(Bucket=running.stack.ref("PermissionsBucket"), Key=key, Body=body, ContentType=content_type)


def _by_size(documents: list[PermissionDocument]) -> list[tuple[int, DocumentKind | None, Refusal | None]]:
    return sorted((d.size, d.kind, d.refusal) for d in documents)


def test_a_fake_png_and_a_renamed_text_file_do_not_count_and_a_real_pdf_does(
    running: RunningStack, permissions: PermissionDocuments
) -> None:
    request_id = "req_permissiondocs000001"
    fake = permissions.upload_form(request_id, "image/png")
    renamed = permissions.upload_form(request_id, "application/pdf")
    _upload(running, fake["key"], FAKE_PNG, "image/png")
    _upload(running, renamed["key"], RENAMED_TEXT, "application/pdf")

    assert permissions.present(request_id) is False
    assert _by_size(permissions.documents(request_id)) == [
        (18, None, Refusal.TOO_SMALL),
        (len(RENAMED_TEXT), None, Refusal.UNKNOWN_TYPE),
    ]

    signed = real_pdf()
    form = permissions.upload_form(request_id, "application/pdf")
    _upload(running, form["key"], signed, "application/pdf")

    assert permissions.present(request_id) is True
    assert (len(signed), DocumentKind.PDF, None) in _by_size(permissions.documents(request_id))
    assert permissions.present("req_permissiondocs000002") is False  # another request's files


def test_the_upload_form_limits_size_and_type_in_its_signed_policy(permissions: PermissionDocuments) -> None:
    form = permissions.upload_form("req_permissiondocs000003", "image/tiff")
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))

    assert ["content-length-range", 1024, 5 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "image/tiff"} in policy["conditions"]
    assert (form["min_bytes"], form["max_bytes"]) == (1024, 5 * 1024 * 1024)


def test_the_upload_route_offers_tiff_and_nothing_else_new(call_api: Any) -> None:
    path = "/requests/req_permissiondocs000004/permission-upload"
    headers = {"Authorization": "Bearer 1.nope"}

    tiff = call_api("POST", path, {"content_type": "image/tiff"}, headers=headers)
    text = call_api("POST", path, {"content_type": "text/plain"}, headers=headers)

    assert tiff[0] == 404  # past validation: only the token is wrong
    assert text[0] == 422


def _agent_request(call_api: Any) -> str:
    status, _, created = call_api(
        "POST",
        "/requests",
        {
            "type": "deletion",
            "jurisdiction": "ccpa",
            "email": "robert.chen@example.net",
            "requester": {"role": "authorized_agent", "name": "Privacy Helpers", "email": AGENT},
        },
    )
    assert status in (200, 201, 202), created
    return str(created["request_id"])


def _reply_with(request_id: str, *attachments: tuple[bytes, str, str]) -> bytes:
    message = EmailMessage()
    message["From"] = f"Privacy Helpers <{AGENT}>"
    message["To"] = f"info+{request_id}@callx.com"
    message["Subject"] = "Re: your request - signed authorization"
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    message.set_content("Please find the signed authorization attached.")
    for content, subtype, filename in attachments:
        maintype = "application" if subtype == "pdf" else "image"
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def _permission_entries(store: RequestStore, request_id: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (e.action, e.detail) for e in store.audit_entries(request_id) if e.action.startswith("permission.")
    ]


def test_an_emailed_fake_is_recorded_as_refused_and_a_real_pdf_as_received(
    running: RunningStack, call_api: Any, store: RequestStore, permissions: PermissionDocuments
) -> None:
    request_id = _agent_request(call_api)

    running.receive_mail(_reply_with(request_id, (FAKE_PNG, "png", "scan.png")))

    [(action, detail)] = _permission_entries(store, request_id)
    assert (action, detail["reason"], detail["size"]) == ("permission.refused", "too_small", 18)
    assert permissions.documents(request_id) == []  # a refused attachment is not filed
    assert permissions.present(request_id) is False

    signed = real_pdf()
    running.receive_mail(_reply_with(request_id, (signed, "pdf", "authorization.pdf")))

    received = [d for a, d in _permission_entries(store, request_id) if a == "permission.received_by_email"]
    assert received == [{"mail_id": received[0]["mail_id"], "size": len(signed), "kind": "pdf"}]
    assert permissions.present(request_id) is True
