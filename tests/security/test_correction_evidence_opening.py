"""Ops open a correction's supporting documents through the ops API's document link (a 5-minute
presigned GET, audited with the reason on the request it is asked through). The link is given only
for a document of the request named in the path, that counts (a real PDF, PNG, JPEG or TIFF): a
key of another request, a path that climbs out of the request's folder, a file that is not a
document, or "evidence" asked through a request that is no correction get 404 and leave no
opening in the audit, so an opening is always recorded on the request whose document it is."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from harness import Actor, Service, multipart_upload

pytestmark = pytest.mark.security

PDF = b"%PDF-1.4\n" + b"% a utility bill (synthetic)\n" * 64 + b"%%EOF\n"
REASON = "compare the bill with the record we hold"


def _correction_with_evidence(service: Service, content: bytes, content_type: str) -> tuple[str, str]:
    """A correction taken by the public intake whose person sent one file as its supporting
    document, as the form does (the presigned POST): its id and the file's key."""
    person = Actor(service)
    submitted = person.submit(
        {
            "type": "correction",
            "jurisdiction": "gdpr",
            "email": person.email,
            "corrections": [{"field": "name", "held": "Jo Exampel", "corrected": "Jo Example"}],
        },
        person.email,
    )
    body = {"content_type": content_type, "document": "correction_evidence"}
    form = person.http.call(
        "POST", f"/requests/{submitted.request_id}/permission-upload", body, token=submitted.token
    )
    assert form.status == 200, form
    fields: dict[str, Any] = form.body["fields"]
    assert multipart_upload(form.body["url"], fields, content, content_type) in (200, 201, 204)
    return submitted.request_id, str(fields["key"])


def _openings(service: Service, request_id: str) -> list[dict[str, Any]]:
    return [
        e["detail"] for e in service.detail(request_id)["timeline"] if e["event"] == "ops.document_opened"
    ]


def test_a_supporting_document_opens_only_through_its_own_correction(service: Service) -> None:
    own_id, own_key = _correction_with_evidence(service, PDF, "application/pdf")
    other_id, other_key = _correction_with_evidence(service, PDF, "application/pdf")
    _, page_key = _correction_with_evidence(service, b"<html>" + b"x" * 2048, "image/png")
    access = Actor(service)
    access_id = access.submit({"type": "access", "jurisdiction": "gdpr", "email": access.email}).request_id

    # the detail lists each correction's own documents only
    listed = [d["key"] for d in service.detail(own_id)["correction"]["evidence"]]
    assert listed == [own_key]

    problems = []
    for label, through, key in (
        ("another correction's document", own_id, other_key),
        (
            "a path out of the request's folder",
            own_id,
            own_key.rsplit("/", 2)[0] + f"/{own_id}/../{other_id}/x",
        ),
        ("a file that is no document", page_key.split("/")[2], page_key),
        ("evidence through an access request", access_id, other_key),
        ("a made-up key in the folder", own_id, own_key + "x"),
    ):
        answer = service.ops(
            "POST", f"/ops/requests/{through}/documents/link", {"key": key, "reason": REASON}
        )
        if answer.status != 404:
            problems.append(f"{label}: {answer.status} {answer.body}")
    assert not problems, problems
    assert _openings(service, own_id) == []
    assert _openings(service, access_id) == []

    opened = service.ops("POST", f"/ops/requests/{own_id}/documents/link", {"key": own_key, "reason": REASON})
    assert opened.status == 200, opened
    assert (opened.body["kind"], opened.body["expires_in"]) == ("pdf", 300)
    with urllib.request.urlopen(opened.body["url"], timeout=10) as response:
        assert response.read() == PDF
        assert response.headers["Content-Disposition"] == "attachment"
    assert _openings(service, own_id) == [
        {"key": own_key, "reason": REASON, "document": "correction_evidence"}
    ]
    assert _openings(service, other_id) == []
