"""What a verified request releases is what its *proven* identifiers reach. An identifier named on
the request but never proven (a stranger's email next to one's own phone) must not leak anything
into the answer: no records, and no counts or businesses that say the stranger is a customer's
lead or caller."""

from __future__ import annotations

import json

import pytest
from harness import LONG, Actor, Service, archive_names, leaked

pytestmark = pytest.mark.security


def test_proving_ones_own_phone_reveals_nothing_reached_through_a_strangers_email(service: Service) -> None:
    """A caller of the platform names their own phone and a stranger's email on a CCPA access
    request, proves the phone with its code and a fact about their own calls (two points: the
    categories), and never proves the email. The answer covers the caller's own number: nothing
    of the stranger's, not even that a business holds a lead for their address."""
    caller = service.seed_stranger("dana")  # the attacker: a real caller, four calls to Acme
    victim = service.seed_stranger("marcus")  # a CRM lead and three calls at Brightside Dental
    before = service.footprint(victim)
    attacker = Actor(service, phone=caller.phone)
    submitted = attacker.submit(
        {"type": "access", "jurisdiction": "ccpa", "email": victim.email, "phone": caller.phone}
    )
    request_id, token = submitted.request_id, submitted.token
    service.awaiting_verification(request_id)
    proved = attacker.verify(request_id, {"code": service.code(request_id, caller.phone or "")}, token)
    assert proved.status == 200, proved
    attacker.verify(request_id, {"fact": caller.fact()}, token)
    detail = service.settle(request_id, timeout=LONG)

    problems = []
    if service.footprint(victim) != before:
        problems.append("the stranger's records changed")
    if leaked(victim, attacker.messages()):
        problems.append(f"the caller's messages name the stranger's {leaked(victim, attacker.messages())}")
    if "email" in detail["proven_identifiers"]:
        problems.append(f"the stranger's email counts as proven: {detail['proven_identifiers']}")
    link = attacker.download(request_id, token)
    if link.status != 200:
        problems.append(f"the caller cannot download the answer about their own number: {link.status}")
    else:
        names, archive = archive_names(link.body["url"])
        texts = [
            {"subject": name, "body": archive.read(name).decode("utf-8", "replace")}
            for name in names
            if name.endswith((".json", ".csv", ".html"))
        ]
        if leaked(victim, texts):
            problems.append(f"the export ({names}) names the stranger's {leaked(victim, texts)}")
        manifest = json.loads(archive.read("manifest.json")) if "manifest.json" in names else {}
        if manifest.get("found_not_released"):
            # The caller's own number reaches nothing it cannot release (no earlier holder):
            # whatever was found and held back was found through the stranger's email.
            problems.append(
                f"the export says {manifest['found_not_released']} record(s) were found and not "
                "released: that the stranger's email is known to the platform's customers"
            )
    assert not problems, problems
