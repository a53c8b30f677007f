"""What a person may do about an answer that does not give them everything they asked for, by
jurisdiction, and the contact points every message may name. The one module of these texts:
``notices`` (the messages) and the status page read them from here.

- GDPR Art. 12(4), 77-79: the reasons, and the right to complain to a supervisory authority (the
  lead authority, and the person's own) and to a judicial remedy.
- California: the California Privacy Protection Agency and the Attorney General.
- US state laws with appeals (Virginia, Colorado, Connecticut, Texas and others): how to appeal
  and by when; the appeal is decided within 60 days (45 in Colorado) and a denied appeal names
  the attorney general.
- ``other`` (email intake's default, until the jurisdiction is known): the strictest set, all of
  the above.

The contact points are configuration (``Settings``: ``TollFreeNumber``,
``LeadSupervisoryAuthority`` in the template), never prose: a message names a phone line only
when one is configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from privacy_rights.core.models import Jurisdiction, RightsRequest

#: how long after an answer a person under a US state law may appeal it (the laws say "a
#: reasonable period"; we give 60 days and say so)
APPEAL_WINDOW = timedelta(days=60)
#: days to decide an appeal: 60 under most state laws, 45 in Colorado
APPEAL_DECISION_DAYS = {"CO": 45}
DEFAULT_APPEAL_DECISION_DAYS = 60

US_STATE_NAMES = {
    "VA": "Virginia",
    "CO": "Colorado",
    "CT": "Connecticut",
    "TX": "Texas",
    "UT": "Utah",
    "OR": "Oregon",
    "MT": "Montana",
    "IA": "Iowa",
    "DE": "Delaware",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NE": "Nebraska",
    "TN": "Tennessee",
    "MN": "Minnesota",
    "MD": "Maryland",
    "IN": "Indiana",
    "KY": "Kentucky",
    "RI": "Rhode Island",
    "CA": "California",
}


@dataclass(frozen=True)
class ContactPoints:
    """Where a person reaches the privacy team, from the stack's configuration."""

    #: the address the privacy policy names for requests (email intake reads it)
    privacy_address: str = ""
    #: the toll-free number staff answer (CCPA 7020), E.164; empty: no message names a phone line
    toll_free_number: str = ""
    #: the lead supervisory authority under GDPR Art. 56 (its name, and where to reach it)
    lead_authority: str = ""

    @property
    def phone_display(self) -> str:
        """The toll-free number as a person dials it from its own country."""
        return display_number(self.toll_free_number)

    @property
    def phone_spoken(self) -> str:
        """The toll-free number as a voice reads it out, digit by digit, in groups."""
        return spoken_number(self.toll_free_number)

    def reach_us(self) -> str:
        """One sentence: how to reach us (the line only if there is one)."""
        ways = []
        if self.privacy_address:
            ways.append(f"write to {self.privacy_address}")
        if self.toll_free_number:
            ways.append(f"call us free of charge on {self.phone_display}")
        if not ways:
            return ""
        return f"To ask us about your request, {' or '.join(ways)}."


def display_number(number: str) -> str:
    if not number:
        return ""
    import phonenumbers  # a handler pays for it only when it writes a number out

    parsed = phonenumbers.parse(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def spoken_number(number: str) -> str:
    """``+1 888-555-0199`` read as ``1, 8 8 8, 5 5 5, 0 1 9 9``: groups as a person says them."""
    groups = re.findall(r"\d+", display_number(number))
    return ", ".join(" ".join(group) for group in groups)


def appeal_by(answered_on: date) -> date:
    return answered_on + APPEAL_WINDOW


def _lead(contacts: ContactPoints) -> str:
    if contacts.lead_authority:
        return f"our lead supervisory authority, {contacts.lead_authority}, or "
    return ""


def gdpr_remedies(contacts: ContactPoints) -> str:
    return (
        f"You have the right to lodge a complaint with a data protection supervisory authority: "
        f"{_lead(contacts)}the authority of the EU or EEA country where you live, where you work or "
        "where you think the law was broken. You also have the right to seek a judicial remedy "
        "before a court (GDPR Articles 12(4), 77 and 79)."
    )


CALIFORNIA_REMEDIES = (
    "You may file a complaint with the California Privacy Protection Agency (cppa.ca.gov) or contact "
    "the California Attorney General (oag.ca.gov/privacy)."
)


def appeal_remedies(request: RightsRequest, contacts: ContactPoints, answered_on: date) -> str:
    """How to appeal and by when (US state laws); without a known state, the strictest terms."""
    state = request.us_state or ""
    days = (
        APPEAL_DECISION_DAYS.get(state, DEFAULT_APPEAL_DECISION_DAYS)
        if state
        else min([DEFAULT_APPEAL_DECISION_DAYS, *APPEAL_DECISION_DAYS.values()])
    )
    how = []
    if contacts.privacy_address:
        how.append(f"write to {contacts.privacy_address}")
    if contacts.toll_free_number:
        how.append(f"call us free of charge on {contacts.phone_display}")
    attorney_general = (
        f"the {US_STATE_NAMES[state]} Attorney General"
        if state in US_STATE_NAMES
        else "your state's attorney general"
    )
    who = "You" if state else "If you live in a US state whose privacy law gives you this right, you"
    return (
        f"{who} may appeal this decision: {' or '.join(how) or 'write to us'}, give your reference "
        f"{request.request_id} and say that you appeal, by {appeal_by(answered_on).isoformat()}. We "
        f"answer your appeal in writing within {days} days. If we deny your appeal, you may contact "
        f"{attorney_general}."
    )


def remedies(request: RightsRequest, contacts: ContactPoints, answered_on: date) -> list[str]:
    """The paragraphs of remedies for a denial (or the part of a request not carried out), in the
    order the person reads them. ``other`` gets every set that could apply."""
    jurisdiction = request.jurisdiction
    paragraphs: list[str] = []
    if jurisdiction in (Jurisdiction.GDPR, Jurisdiction.OTHER):
        paragraphs.append(gdpr_remedies(contacts))
    if jurisdiction in (Jurisdiction.US_STATE, Jurisdiction.OTHER):
        paragraphs.append(appeal_remedies(request, contacts, answered_on))
    if jurisdiction is Jurisdiction.OTHER:
        paragraphs.append(
            f"If you live in California, {CALIFORNIA_REMEDIES[0].lower()}{CALIFORNIA_REMEDIES[1:]}"
        )
    elif jurisdiction is Jurisdiction.CCPA or request.us_state == "CA":
        paragraphs.append(CALIFORNIA_REMEDIES)
    return paragraphs


def spoken_remedies(request: RightsRequest) -> str:
    """The remedies in one sentence a voice can read out (the number comes separately)."""
    jurisdiction = request.jurisdiction
    parts = []
    if jurisdiction in (Jurisdiction.GDPR, Jurisdiction.OTHER):
        parts.append("complain to a data protection authority or go to court")
    if jurisdiction in (Jurisdiction.US_STATE, Jurisdiction.OTHER):
        parts.append("appeal this decision within 60 days")
    if jurisdiction in (Jurisdiction.CCPA, Jurisdiction.OTHER):
        parts.append("complain to the California Privacy Protection Agency")
    return f"You may {', or '.join(parts)}. "


# -- what ops write to the person ----------------------------------------------------------------

DETAIL_MAX_CHARS = 600
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_MARKUP = re.compile(r"<\s*[A-Za-z/!?]|&[A-Za-z#][A-Za-z0-9]*;|\]\(|\[[^\]]*\]\(")
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


def _plain_detail(value: str) -> str:
    """The person reads this verbatim on every channel: plain text, no links, and no contact
    details of anyone (another person's data never goes into an answer)."""
    if _CONTROL.search(value):
        raise ValueError("contains control characters")
    if _MARKUP.search(value):
        raise ValueError("plain text only: no HTML, entities or markdown links")
    if _LINK.search(value):
        raise ValueError("no links: the status page link is added to every message")
    import phonenumbers  # a handler pays for it only when it checks a detail

    if _EMAIL.search(value) or any(True for _ in phonenumbers.PhoneNumberMatcher(value, "US")):
        raise ValueError("no email addresses or phone numbers: the person reads this text")
    return value


#: Ops' own words to the person about why a request was denied (``Denial.detail``).
DenialDetail = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=DETAIL_MAX_CHARS),
    AfterValidator(_plain_detail),
]
