"""Whom a person whose appeal we denied may contact: the attorney general of their state, and a
way to reach the office (the US state privacy laws, e.g. Va. Code § 59.1-578(C), Colo. Rev. Stat.
§ 6-1-1306(3), require the denial of an appeal to say how to contact the attorney general to
submit a complaint).

Each entry names its source. ``confirmed`` is True only where the contact was checked against a
page of the office itself (the ``source``) on 2026-12-06; the others give the office's name and
the state's official site domain, not yet checked against the office's complaint page: privacy
staff confirm them before relying on them (``privacy-ops`` never invents a link).
"""

from __future__ import annotations

from dataclasses import dataclass

from privacy_rights.core.remedies import US_STATE_NAMES


@dataclass(frozen=True)
class AttorneyGeneral:
    office: str
    #: where the person files a complaint or reaches the office (a page, or the office's site)
    contact: str
    source: str
    confirmed: bool = False


_UNCONFIRMED = "the office's official site domain; complaint page not yet checked"

ATTORNEYS_GENERAL: dict[str, AttorneyGeneral] = {
    "CO": AttorneyGeneral(
        "the Colorado Attorney General",
        "coag.gov/file-complaint",
        "https://coag.gov/file-complaint/ (the office's complaint page)",
        confirmed=True,
    ),
    "CT": AttorneyGeneral(
        "the Connecticut Office of the Attorney General",
        "portal.ct.gov/ag",
        "https://portal.ct.gov/ag (the office's site: its CTDPA report and privacy section)",
        confirmed=True,
    ),
    "TX": AttorneyGeneral(
        "the Texas Office of the Attorney General",
        "texasattorneygeneral.gov (File a Complaint)",
        "https://www.texasattorneygeneral.gov (the office's site, its consumer complaint forms)",
        confirmed=True,
    ),
    "OR": AttorneyGeneral(
        "the Oregon Department of Justice (Attorney General), Privacy Unit",
        "doj.state.or.us",
        "https://www.doj.state.or.us/media-home/news-media-releases/faq_category/business-privacy-faqs/",
        confirmed=True,
    ),
    "VA": AttorneyGeneral(
        "the Virginia Office of the Attorney General, Consumer Protection Section",
        "its Consumer Protection Hotline, 1-800-552-9963 (804-786-2042 from outside Virginia)",
        "the office's Data Privacy Day release of 2025-01-28 (hotline numbers)",
        confirmed=True,
    ),
    "CA": AttorneyGeneral(
        "the California Attorney General",
        "oag.ca.gov/privacy",
        "core/remedies.py CALIFORNIA_REMEDIES (the office's privacy page)",
        confirmed=True,
    ),
    # Unconfirmed: the office's name and the state's official site domain.
    "UT": AttorneyGeneral("the Utah Attorney General", "attorneygeneral.utah.gov", _UNCONFIRMED),
    "MT": AttorneyGeneral(
        "the Montana Department of Justice, Office of Consumer Protection", "dojmt.gov", _UNCONFIRMED
    ),
    "IA": AttorneyGeneral("the Iowa Attorney General", "iowaattorneygeneral.gov", _UNCONFIRMED),
    "DE": AttorneyGeneral(
        "the Delaware Department of Justice (Attorney General)", "attorneygeneral.delaware.gov", _UNCONFIRMED
    ),
    "NH": AttorneyGeneral(
        "the New Hampshire Department of Justice (Attorney General)", "doj.nh.gov", _UNCONFIRMED
    ),
    "NJ": AttorneyGeneral("the New Jersey Attorney General", "njoag.gov", _UNCONFIRMED),
    "NE": AttorneyGeneral("the Nebraska Attorney General", "ago.nebraska.gov", _UNCONFIRMED),
    "TN": AttorneyGeneral("the Tennessee Attorney General", "tn.gov/attorneygeneral", _UNCONFIRMED),
    "MN": AttorneyGeneral("the Minnesota Attorney General", "ag.state.mn.us", _UNCONFIRMED),
    "MD": AttorneyGeneral("the Maryland Attorney General", "marylandattorneygeneral.gov", _UNCONFIRMED),
    "IN": AttorneyGeneral("the Indiana Attorney General", "in.gov/attorneygeneral", _UNCONFIRMED),
    "KY": AttorneyGeneral("the Kentucky Attorney General", "ag.ky.gov", _UNCONFIRMED),
    "RI": AttorneyGeneral("the Rhode Island Attorney General", "riag.ri.gov", _UNCONFIRMED),
}

assert ATTORNEYS_GENERAL.keys() == US_STATE_NAMES.keys(), "one attorney general per state named"


def contact_sentence(us_state: str | None) -> str:
    """One sentence: whom to contact and how. Without a known state, the person's own state's
    attorney general (every one publishes its consumer complaint form on its official site)."""
    office = ATTORNEYS_GENERAL.get((us_state or "").upper())
    if office is None:
        return (
            "You may contact the attorney general of the state where you live to submit a complaint: "
            "each publishes how on its official website."
        )
    return f"You may contact {office.office} to submit a complaint: {office.contact}."
