"""Codes by SMS and by voice, acknowledgements and notices to phones: only to numbers that can be
a person's line, in allowed countries, a capped number of times a day. Otherwise anyone can make
the service text or call premium-rate numbers (toll fraud, SMS pumping) or flood a person."""

from __future__ import annotations

import secrets
from typing import Any

import phonenumbers
import pytest
from harness import Actor, Service

from privacy_rights.runtime.settings import get_settings

pytestmark = pytest.mark.security


def _sent_to(service: Service, number: str) -> list[dict[str, str]]:
    return [m for m in service.outbox(number) if m["channel"] in ("sms", "voice")]


def _submit_all(
    service: Service, actor: Actor, bodies: list[dict[str, Any]], one_by_one: bool = False
) -> None:
    """Submit each, then wait until every one of them rests: whatever they were going to send is
    sent. ``one_by_one``: each rests before the next is made (requests for one person that all
    reach their action at once queue for the person's lock, with Step Functions' real retry
    intervals)."""
    ids = []
    for body in bodies:
        answer = actor.http.call("POST", "/requests", body)
        assert answer.status == 202, answer
        ids.append(answer.body["request_id"])
        if one_by_one:
            service.settle(ids[-1])
    for request_id in ids:
        service.settle(request_id)


def _opt_out(number: str) -> dict[str, Any]:
    return {"type": "opt_out", "jurisdiction": "ccpa", "phone": number, "opt_out_of": ["sale_share"]}


@pytest.mark.parametrize(
    ("kind", "prefix", "line_type", "count"),
    [
        # as reproduced: seven opt-outs made fourteen calls, billed to us, paid to its operator
        ("premium rate", "+1900555", phonenumbers.PhoneNumberType.PREMIUM_RATE, 7),
        ("toll-free", "+1800555", phonenumbers.PhoneNumberType.TOLL_FREE, 1),
        ("a mobile in a country we do not text", "+234803", phonenumbers.PhoneNumberType.MOBILE, 1),
    ],
    ids=["premium-rate", "toll-free", "country-not-allowed"],
)
def test_a_number_that_is_no_persons_line_here_is_never_texted_or_called(
    service: Service, attacker: Actor, kind: str, prefix: str, line_type: int, count: int
) -> None:
    """Opt-outs (no verification needed, so anyone can make them for any number) for numbers
    that take no SMS and no call from us: premium rate, toll-free, a country outside the allowed
    list. Nothing is sent to them: no acknowledgement, no confirmation, no code."""
    number = (
        f"{prefix}{secrets.randbelow(10_000):04d}"
        if prefix.startswith("+1")
        else f"{prefix}{secrets.randbelow(10**7):07d}"
    )
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed), number
    assert phonenumbers.number_type(parsed) == line_type, (kind, number)

    _submit_all(service, attacker, [_opt_out(number)] * count, one_by_one=True)

    sent = _sent_to(service, number)
    assert not sent, f"{len(sent)} sent to {number} ({kind}): {sorted(m['channel'] for m in sent)}"


def test_every_message_to_a_number_counts_against_one_daily_cap(service: Service, attacker: Actor) -> None:
    """Six requests naming one mobile number, each a different right so that none is another's
    duplicate: twelve texts (an acknowledgement and a code, or a confirmation, each), over the
    cap of ten. Acknowledgements, codes and notices all count against the number's one daily
    cap, so a stranger cannot flood a person's phone through us."""
    cap = getattr(get_settings(), "phone_messages_per_number_per_day", 10)
    number = f"+1707555{secrets.randbelow(1000) + 9000:04d}"
    bodies = [
        _opt_out(number),
        {"type": "access", "jurisdiction": "ccpa", "phone": number},
        {"type": "access", "jurisdiction": "ccpa", "phone": number, "scope": "categories"},
        {"type": "portability", "jurisdiction": "ccpa", "phone": number},
        {"type": "deletion", "jurisdiction": "ccpa", "phone": number},
        {"type": "restriction", "jurisdiction": "gdpr", "phone": number},
    ]
    assert 2 * len(bodies) > cap

    _submit_all(service, attacker, bodies)

    sent = _sent_to(service, number)
    assert len(sent) <= cap, f"{len(sent)} messages to one number, cap {cap}"


def test_a_code_read_out_on_a_landline_says_nothing_but_the_code(service: Service, attacker: Actor) -> None:
    """Whoever picks up a shared landline hears the call: the code, and nothing that names the
    request, the person or their data."""
    landline = f"+44207946{secrets.randbelow(1000):04d}"
    assert phonenumbers.number_type(phonenumbers.parse(landline)) == phonenumbers.PhoneNumberType.FIXED_LINE
    submitted = attacker.submit({"type": "deletion", "jurisdiction": "gdpr", "phone": landline})
    request_id = submitted.request_id
    service.awaiting_verification(request_id)

    code = service.code(request_id, landline)
    calls = [m for m in _sent_to(service, landline) if "code is" in m["body"]]

    assert [m["channel"] for m in calls] == ["voice"], calls
    spoken = calls[0]["body"]
    assert ", ".join(code) in spoken
    assert request_id not in spoken, spoken
    assert "req_" not in spoken, spoken
    assert {m["channel"] for m in _sent_to(service, landline)} == {"voice"}
