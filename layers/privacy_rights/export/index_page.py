"""The access answer as a person reads it: ``index.html`` of an export, written from its manifest
(which carries the data map's own words for every store, category, purpose and recipient), and
the words for what the manifest counts by id.

What it says (GDPR Art. 15(1)-(2), CCPA 7024): what we hold about the person, by source and by
category, with the purposes, the recipients, how long each kind is kept and where it comes from;
the automated scoring of calls, what it is and what it means for them; what was withheld and why;
which businesses answer for themselves; and their other rights, with where to complain.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from privacy_rights.core.request_results import OUTSIDE_SCOPE_WHY

#: what an export counts as withheld, in words (the manifest keeps the ids)
WITHHELD_WORDS = {
    "other_peoples_turns": "What other people said in your calls",
    "other_peoples_voices_silenced": "Other people's voices in your recordings (silenced, the rest kept)",
    "recording_without_transcript": "Recordings we could not check for other people's voices",
    "recording_not_editable": "Recordings in a format we cannot edit to take other people's voices out",
    "one_channel_recording_with_another_person": (
        "Recordings in which another person's voice cannot be separated from yours"
    ),
    "not_portable_inferences": (
        "What our systems inferred about you (scores, summaries): the right to data portability covers "
        "what you provided; ask for access to receive it"
    ),
    "government_id": "Social Security, passport or driver's licence numbers",
    "financial_account_number": "Card numbers, with their expiry dates and security codes",
    "account_number": "Bank or other account numbers",
    "health_insurance_number": "Health insurance or medical ID numbers",
    "account_password": "Passwords and PINs",
    "security_question_answer": "Answers to security questions",
    "biometric": "Biometric data",
}


def withheld_words(kind: str) -> str:
    """The words for a kind of what was withheld; one we have no words for yet says so plainly
    rather than showing an id."""
    return WITHHELD_WORDS.get(kind, "Other information we may not disclose")


def rights(jurisdiction: str) -> list[tuple[str, str]]:
    """The person's other rights, and where to complain, by the law their request was made under
    (``other``, the law not yet known: every route that could apply)."""
    eu = (
        "You may complain to a data protection supervisory authority, in particular in the EU or EEA "
        "country where you live, work or think your rights were infringed, and you may go to court."
    )
    california = (
        "You may complain to the California Privacy Protection Agency (cppa.ca.gov) or to the "
        "California attorney general."
    )
    states = "You may contact your state's attorney general."
    complaint = {
        "gdpr": eu,
        "ccpa": california,
        "us_state": states,
    }.get(jurisdiction, f"{eu} {california} {states}")
    ask = "Make a new request on our privacy request page, or reply to the email that brought you this file."
    return [
        ("Correct", f"If anything here is wrong or incomplete, you may ask us to correct it. {ask}"),
        ("Delete", f"You may ask us to delete your personal data. {ask}"),
        (
            "Restrict",
            "You may ask us to restrict the use of your data (keep it, but not use it) while a correction "
            "or an objection is considered, or instead of deleting it.",
        ),
        (
            "Object",
            "You may object to our use of your data for our legitimate interests, including the automated "
            "scoring of calls, and to direct marketing at any time; you may also opt out of the sale or "
            "sharing of your personal information.",
        ),
        ("Complain", complaint),
    ]


def _esc(value: Any) -> str:
    return html.escape(str(value))


def _items(values: Iterable[Any]) -> str:
    return "".join(f"<li>{_esc(v)}</li>" for v in values)


def _grouped(recipients: dict[str, list[str]]) -> str:
    """Recipients under the words for their kind."""
    return "".join(f"<li>{_esc(kind)}<ul>{_items(names)}</ul></li>" for kind, names in recipients.items())


def render(manifest: dict[str, Any]) -> str:
    """``index.html`` from the manifest of an export (its ``sources``, ``categories``,
    ``recipients``, ``automated_decision_making``, ``withheld``, ``answered_by_the_business``)."""
    categories_only = bool(manifest["categories_only"])
    intro = (
        "This answer lists the categories of personal information CallX holds about you, where it comes "
        "from, why we use it, who receives it and how long we keep it. It does not include the "
        "information itself."
        if categories_only
        else "Each source below is in its own folder of this file, as JSON and as CSV (for spreadsheets); "
        "recordings and transcripts are in their folders."
    )
    sources = manifest["sources"]
    if sources:
        records_head = "" if categories_only else "<th>In this file</th>"
        rows = "".join(
            f"<tr><td>{_esc(s['label'])}</td><td>{s['records_found']}</td>"
            + ("" if categories_only else f"<td>{s['records_included']}</td>")
            + f"<td><ul>{_items(s['category_words'])}</ul></td>"
            f"<td><ul>{_items(s['purpose_words'])}</ul></td>"
            f"<td><ul>{_items(s['recipient_words'])}</ul></td>"
            f"<td>{_esc(s['retention'])}</td><td>{_esc(s['collected_from'])}</td></tr>"
            for s in sources
        )
        held = (
            "<table><thead><tr><th>What</th><th>Records we hold</th>"
            f"{records_head}<th>Kinds of information</th><th>Why we use it</th><th>Who receives it</th>"
            f"<th>How long we keep it</th><th>Where it comes from</th></tr></thead><tbody>{rows}</tbody>"
            "</table>"
        )
    else:
        held = "<p>CallX itself holds no records about you to give you here.</p>"
    by_category = "".join(
        f"<h3>{_esc(c['label'])}</h3><p>Held in: {_esc('; '.join(c['sources']))}.</p>"
        f"<p>Why we use it:</p><ul>{_items(c['purposes'])}</ul>"
        f"<p>Who receives it:</p><ul>{_grouped(c['recipients'])}</ul>"
        for c in manifest["categories"]
    )
    recipients = _grouped(manifest["recipients"])
    automated = manifest["automated_decision_making"]
    automated_text = (
        "".join(f"<h3>{_esc(a['source'])}</h3><p>{_esc(a['what'])}</p>" for a in automated)
        + "<p>You may object to this scoring (see your rights below).</p>"
        if automated
        else "<p>None of the records we hold about you is used to make decisions about you by automated "
        "means, nor to profile you.</p>"
    )
    withheld = "".join(f"<li>{_esc(withheld_words(k))}: {v}</li>" for k, v in manifest["withheld"].items())
    never = "; ".join(withheld_words(k) for k in manifest["never_disclosed"])
    elsewhere = "".join(
        f"<li>{_esc(e['business'])}: {_esc(e['label'])} ({e['records']} records) will answer you "
        "directly.</li>"
        for e in manifest["answered_by_the_business"]
    )
    outside = "".join(
        f"<li>{_esc(row['source'])}: {row['records']} records</li>"
        for row in manifest.get("outside_scope", [])
    )
    your_rights = "".join(
        f"<li><strong>{_esc(t)}.</strong> {_esc(text)}</li>" for t, text in manifest["rights"]
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Your personal data held by CallX</title></head><body>"
        f"<h1>Your personal data held by CallX</h1><p>Request {_esc(manifest['request_id'])}, "
        f"prepared {_esc(manifest['generated_at'][:10])}. {_esc(intro)}</p>"
        f"<h2>What we hold about you</h2>{held}"
        + (f"<h2>By category of information</h2>{by_category}" if by_category else "")
        + (f"<h2>Who receives your data</h2><ul>{recipients}</ul>" if recipients else "")
        + f"<h2>Automated decisions and profiling</h2>{automated_text}"
        + (
            ""
            if categories_only
            else "<h2>What we withheld, and why</h2><p>Other people's words and voices are left out, and "
            f"so are numbers and secrets the law says we must never disclose ({_esc(never)}): where we hold "
            f"them, they are counted here.</p><ul>{withheld or '<li>Nothing.</li>'}</ul>"
        )
        + (f"<h2>Answered by the business</h2><ul>{elsewhere}</ul>" if elsewhere else "")
        + (f"<h2>Not included</h2><p>{_esc(OUTSIDE_SCOPE_WHY)}</p><ul>{outside}</ul>" if outside else "")
        + f"<p>{_esc(manifest['not_released'])}</p>"
        f"<h2>Your rights</h2><ul>{your_rights}</ul></body></html>"
    )
