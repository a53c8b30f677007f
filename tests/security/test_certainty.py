"""CCPA and US-state access (7062): specific pieces of information, recordings and transcripts
above all, only at a reasonably high degree of certainty: three data points and the declaration
signed under penalty of perjury. A request without a scope (every request from email intake)
is otherwise answered with the categories."""

from __future__ import annotations

import pytest
from harness import LONG, Actor, Service, archive_names

pytestmark = pytest.mark.security


def test_two_codes_without_the_declaration_release_only_the_categories(service: Service) -> None:
    """Whoever holds someone's email and phone for a while (a shared inbox, a phone left
    unlocked) proves both and asks without a scope, as email intake always does (before: the ZIP
    held their recordings and transcripts)."""
    victim = service.seed_stranger("marcus")
    holder = Actor(service, email=victim.email, phone=victim.phone)
    submitted = holder.submit(
        {"type": "access", "jurisdiction": "ccpa", "email": victim.email, "phone": victim.phone}, victim.email
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)
    for address in holder.addresses:
        answer = holder.verify(request_id, {"code": service.code(request_id, address)}, token)
        assert answer.status == 200, answer
    detail = service.settle(request_id, timeout=LONG)
    assert detail["status"] == "completed", detail

    link = holder.download(request_id, token)
    if link.status != 200:  # nothing to download: nothing released
        return
    names, archive = archive_names(link.body["url"])
    specific = [n for n in names if n.startswith(("recordings/", "transcripts/", "calls/", "call_insights/"))]
    carrying_calls = [
        n
        for n in names
        if n not in ("manifest.json", "index.html")
        and any(call_id in archive.read(n).decode("utf-8", "replace") for call_id in victim.call_ids)
    ]
    assert not specific, f"specific pieces after two points and no declaration: {names}"
    assert not carrying_calls, f"call records in {carrying_calls}"
