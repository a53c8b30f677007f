"""Reading raw mail: hostile input never raises out of the parser, only the topmost SES verdicts
count, and the person's new text is told apart from the conversation they quote."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from privacy_rights.mail.inbound_mail import MailUnparseable, html_to_text, parse_mail, without_quoted_reply
from privacy_rights.mail.mail_triage import MailOutcome, QuarantineReason, ReviewReason, Verdict, triage

OWN = frozenset({"privacy-noreply@callx.com", "info@callx.com"})


def _message(**headers: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("Please delete my data.")
    return bytes(message)


def test_only_the_topmost_ses_verdicts_count() -> None:
    raw = (
        b"X-SES-Spam-Verdict: FAIL\r\nX-SES-Virus-Verdict: PASS\r\n"
        b"Authentication-Results: amazonses.com; spf=pass; dkim=pass; dmarc=fail header.from=example.org\r\n"
        + _message(
            From="a@example.org",
            X_SES_Spam_Verdict="PASS",
            Authentication_Results="amazonses.com; dmarc=pass",
        )
    )
    mail = parse_mail(raw)
    assert (mail.authentication.spam, mail.authentication.dmarc) == ("FAIL", "fail")


def test_an_authentication_results_header_from_another_server_is_not_ses() -> None:
    raw = b"Authentication-Results: mx.example.net; dmarc=pass\r\n" + _message(From="a@example.org")
    assert parse_mail(raw).authentication.dmarc is None


def test_encoded_words_and_charsets_are_decoded() -> None:
    raw = (
        b"From: =?ISO-8859-1?Q?Jos=E9_Mu=F1oz?= <jose@example.es>\r\n"
        b"Subject: =?UTF-8?B?U29saWNpdHVkIGRlIHN1cHJlc2nDs24=?=\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Quiero que borren mis datos =96 gracias =80\r\n"
    )
    mail = parse_mail(raw)
    assert mail.sender_name == "José Muñoz"
    assert mail.subject == "Solicitud de supresión"
    assert "borren mis datos \u2013 gracias \u20ac" in mail.text


def test_an_unknown_charset_still_yields_text() -> None:
    raw = b"From: a@example.org\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
    raw += b"Delete my data\r\n"

    assert "Delete my data" in parse_mail(raw).text


def test_html_only_mail_is_read_as_text_without_scripts_or_styles() -> None:
    html = "<html><head><style>p{color:red}</style></head><body><p>Stop&nbsp;using my calls</p>"
    html += "<script>alert('x')</script><blockquote>quoted copy request</blockquote></body></html>"
    text = html_to_text(html)
    assert "Stop using my calls" in text
    assert "alert" not in text
    assert "color" not in text
    assert without_quoted_reply(text) == "Stop using my calls"


@pytest.mark.parametrize(
    "quote_start",
    [
        "On Mon, 23 Nov 2026 at 10:00, CallX Privacy <privacy-noreply@callx.com> wrote:",
        "On Mon, 23 Nov 2026 at 10:00, CallX Privacy <privacy-noreply@callx.com>\nwrote:",
        "El lun, 23 nov 2026 a las 10:00, CallX <privacy-noreply@callx.com> escribió:",
        "-----Original Message-----",
        "From: CallX Privacy <privacy-noreply@callx.com>\nSent: Monday, November 23, 2026 10:00 AM",
        "________________________________",
        "-- ",
    ],
)
def test_the_quoted_conversation_is_not_new_text(quote_start: str) -> None:
    text = f"Yes, delete everything.\n\n{quote_start}\nWe can send you a copy of your data."
    assert without_quoted_reply(text) == "Yes, delete everything."


def test_forwarded_content_is_kept() -> None:
    text = "FYI\n\n---------- Forwarded message ---------\nFrom: me\nDo not sell my data"
    assert "Do not sell my data" in without_quoted_reply(text)


@pytest.mark.parametrize(
    ("headers", "outcome", "reason"),
    [
        ({"From": "undisclosed-recipients:;"}, MailOutcome.QUARANTINED, "no_sender"),
        ({"From": "CallX <privacy-noreply@callx.com>"}, MailOutcome.IGNORED, "own_address"),
        ({"From": "info+req_abcdefghijkl@callx.com"}, MailOutcome.IGNORED, "own_address"),
        ({"From": "MAILER-DAEMON@mx.example.net"}, MailOutcome.IGNORED, "delivery_report"),
        ({"From": "a@example.org", "Auto_Submitted": "auto-replied"}, MailOutcome.IGNORED, "auto_reply"),
        ({"From": "a@example.org", "X_Autoreply": "yes"}, MailOutcome.IGNORED, "auto_reply"),
        ({"From": "a@example.org", "Precedence": "bulk"}, MailOutcome.HUMAN_REVIEW, "bulk"),
        ({"From": "a@example.org", "List_Id": "<news.example.org>"}, MailOutcome.HUMAN_REVIEW, "bulk"),
    ],
)
def test_triage(headers: dict[str, str], outcome: MailOutcome, reason: str) -> None:
    verdict = triage(parse_mail(_message(**headers)), OWN)
    assert verdict is not None
    assert (verdict.outcome, verdict.reason) == (outcome, reason)


def test_auto_submitted_no_is_a_person() -> None:
    assert triage(parse_mail(_message(From="a@example.org", Auto_Submitted="no")), OWN) is None


def test_nothing_is_not_a_message() -> None:
    with pytest.raises(MailUnparseable):
        parse_mail(b"   \r\n")


# -- hostile input ---------------------------------------------------------------------------

_HEADER_NAMES = st.sampled_from(
    [
        "From", "To", "Cc", "Subject", "Reply-To", "Message-ID", "In-Reply-To", "References", "Date",
        "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version", "Return-Path",
        "Auto-Submitted", "Precedence", "List-Id", "X-SES-Spam-Verdict", "X-SES-Virus-Verdict",
        "Authentication-Results", "X-Weird\x00Name", "",
    ]
)  # fmt: skip
_NASTY_VALUES = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        [
            "multipart/mixed; boundary=", 'multipart/alternative; boundary="b"', "text/html; charset=utf-7",
            "text/plain; charset=x-unknown", "multipart/report; report-type=delivery-status", "base64",
            "quoted-printable", "=?UTF-8?B?////?=", "=?bogus?Q?=ZZ?=", "<>", "<@>", '"unterminated <a@b',
            "a@b, @c, d@", "undisclosed-recipients:;", "=?utf-8?q?=E2=80?= <x@example.com>",
            "attachment; filename*=UTF-8''%FF%FE", "message/rfc822",
        ]
    ),
)  # fmt: skip
_BODIES = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--",
            b"--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!\r\n",
            b"--b\r\n\r\n--b\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b",
            b"<html><script>x</script><p>delete</p>",
        ]
    ),
)


@st.composite
def malformed_mime(draw: st.DrawFn) -> bytes:
    headers = draw(st.lists(st.tuples(_HEADER_NAMES, _NASTY_VALUES), max_size=12))
    newline = draw(st.sampled_from([b"\r\n", b"\n", b"\r"]))
    head = newline.join(
        name.encode("utf-8", "surrogatepass") + b": " + value.encode("utf-8", "surrogatepass")
        for name, value in headers
    )
    separator = draw(st.sampled_from([newline + newline, newline, b""]))
    return head + separator + draw(_BODIES)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(malformed_mime(), st.binary(max_size=3000)))
def test_malformed_mime_never_escapes_the_parser(raw: bytes) -> None:
    """Every input either parses (then triage decides, possibly quarantining for no sender, or
    sending an ambiguous sender to review) or is ``MailUnparseable``, which intake quarantines
    with that reason. Nothing else is raised."""
    try:
        mail = parse_mail(raw)
    except MailUnparseable:
        return
    verdict = triage(mail, OWN)
    if mail.sender is None:
        assert verdict is not None
        expected = (
            {(MailOutcome.HUMAN_REVIEW, "ambiguous_sender"), (MailOutcome.QUARANTINED, "virus")}
            if mail.ambiguous_sender
            else {(MailOutcome.QUARANTINED, "no_sender")}
        )
        assert (verdict.outcome, verdict.reason) in expected
    assert isinstance(mail.new_text, str)
    assert all(ord(c) >= 32 or c in "\n\t" for c in mail.text)


# -- who sent it -----------------------------------------------------------------------------


def _raw(*from_values: str, virus: str = "PASS") -> bytes:
    head = f"X-SES-Virus-Verdict: {virus}\r\n" + "".join(f"From: {v}\r\n" for v in from_values)
    return (head + "To: info@callx.com\r\nSubject: Delete my data\r\n\r\nPlease delete my data.\r\n").encode()


@pytest.mark.parametrize(
    "from_values",
    [
        ("Mallory <mallory@example.net>", "Dana Reyes <dana.reyes@example.com>"),
        ("dana.reyes@example.com", "dana.reyes@example.com"),
        ("Mallory <mallory@example.net>, Dana Reyes <dana.reyes@example.com>",),
        ("Household: mallory@example.net, dana.reyes@example.com;",),
    ],
    ids=["two_from_headers", "the_same_address_twice", "two_addresses", "a_group_of_two"],
)
def test_a_mail_whose_sender_is_ambiguous_goes_to_a_person(from_values: tuple[str, ...]) -> None:
    mail = parse_mail(_raw(*from_values))

    assert mail.sender is None  # never read as its first address
    assert mail.ambiguous_sender
    assert triage(mail, OWN) == Verdict(MailOutcome.HUMAN_REVIEW, ReviewReason.AMBIGUOUS_SENDER)


def test_the_addresses_of_an_ambiguous_sender_are_kept_for_the_reviewer() -> None:
    mail = parse_mail(_raw("Mallory <mallory@example.net>", "Dana <dana.reyes@example.com>"))

    assert mail.from_addresses == ("mallory@example.net", "dana.reyes@example.com")
    assert mail.from_headers == 2
    assert "SeveralFromHeaders" in mail.defects


def test_a_virus_is_quarantined_whoever_sent_it() -> None:
    mail = parse_mail(_raw("a@example.org", "b@example.org", virus="FAIL"))

    assert triage(mail, OWN) == Verdict(MailOutcome.QUARANTINED, QuarantineReason.VIRUS)


@pytest.mark.parametrize(
    "from_values",
    [("Dana Reyes <dana.reyes@example.com>",), ('"Reyes, Dana" <dana.reyes@example.com>',)],
)
def test_one_from_with_one_address_is_the_sender(from_values: tuple[str, ...]) -> None:
    mail = parse_mail(_raw(*from_values))

    assert (mail.sender, mail.ambiguous_sender) == ("dana.reyes@example.com", False)
    assert triage(mail, OWN) is None


def test_a_from_without_any_address_is_still_no_sender() -> None:
    mail = parse_mail(_raw("undisclosed-recipients:;"))

    assert not mail.ambiguous_sender
    assert triage(mail, OWN) == Verdict(MailOutcome.QUARANTINED, QuarantineReason.NO_SENDER)
