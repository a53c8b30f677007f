"""Every message the service sends, rendered once into ``snapshots/notices.txt`` for a person to
read in review: each request type, outcome and channel (email, SMS, call, status page), each
denial reason, each jurisdiction's remedies, with and without a toll-free line.

The test compares the file with what the code renders now; after a deliberate change of wording,
regenerate it with ``UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_notice_snapshots.py``
and read the diff."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from privacy_rights.core import notices
from privacy_rights.core.models import (
    Channel,
    Denial,
    DenialReason,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    Requester,
    RequesterRole,
    RequestType,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.core.remedies import ContactPoints
from privacy_rights.core.request_results import (
    CorrectionResult,
    CorrectionStatement,
    ErasureReceipt,
    ExportResult,
    ObjectionGrounds,
    RestrictionLift,
    ScopeDecision,
)

SNAPSHOT = Path(__file__).parent / "snapshots" / "notices.txt"
LINK = "https://privacy.callx.com/status.html#request=req_demo&token=TOKEN"
CONTACTS = ContactPoints(
    privacy_address="info@privacy.callx.com",
    toll_free_number="+18885550199",
    lead_authority="the Irish Data Protection Commission (dataprotection.ie)",
)
NO_LINE = ContactPoints(privacy_address="info@privacy.callx.com")
DETAIL = "You asked us the same question four times since March; we answered it on 3 March."
DECIDED = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)

RECEIPT = ErasureReceipt(
    stores={
        "crm_leads": {"deleted": 2},
        "calls": {
            "tombstoned": 4,
            "kept_fields": ["call_id", "billed_seconds"],
            "basis": "billing records (tax)",
        },
        "recordings": {"deleted": 3, "versions_deleted": True},
    },
    backups_expire_by="2027-01-05",
)
HELD_RECEIPT = RECEIPT.model_copy(
    update={
        "held": [{"store": "calls", "hold_id": "hold_1", "matter": "M-1", "records": 2}],
        "answered_by_the_business": [{"business": "Northwind Legal", "records": 5}],
    }
)
EXPORT = ExportResult(key="exports/req_demo.zip", expires_at="2026-12-20T10:00:00+00:00", records=12)
EXPORT_WITH_BUSINESS = EXPORT.model_copy(update={"answered_by": ["Northwind Legal"]})


def _request(kind: RequestType, **fields: object) -> RightsRequest:
    base: dict[str, object] = {
        "request_id": "req_demo",
        "type": kind,
        "jurisdiction": Jurisdiction.GDPR,
        "subject": SubjectIdentifiers(email="jane@example.com"),
        "channel": Channel.WEB,
        "received_at": datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        "due": date(2026, 12, 20),
        "status_changed_at": DECIDED,
    }
    if kind is RequestType.OPT_OUT:
        base["opt_out_of"] = (OptOutPurpose.SALE_SHARE, OptOutPurpose.MARKETING)
    if kind is RequestType.OBJECTION:
        base["extra"] = {"objected_to": ["analytics", "ai_training", "marketing"]}
    if kind is RequestType.WITHDRAW_CONSENT:
        base["opt_out_of"] = (OptOutPurpose.MARKETING, OptOutPurpose.TARGETED_ADS)
    return RightsRequest(**(base | fields))


GROUNDS = ObjectionGrounds(
    grounds="Call analytics detect fraud against every caller; your calls count only in aggregate figures.",
    operator="ops:alice",
    recorded_at="2026-12-01T10:00:00+00:00",
)
LIFT = RestrictionLift(
    reason="We checked the accuracy of your data, which you contested, and found it correct.",
    operator="ops:alice",
    announced_at="2026-12-01T10:00:00+00:00",
    lift_at="2026-12-15T10:00:00+00:00",
)


LEADS = "What a business you called keeps about you in its customer list"
CALLS = "Records of your calls: your number and the name shown"
CORRECTED = CorrectionResult(
    changes=[
        {"field": "name", "store": "crm_leads", "outcome": "applied", "where": LEADS, "records": 1},
        {"field": "email", "store": "accounts", "outcome": "applied", "where": "Your account", "records": 1},
    ],
    told={"business:acme": {"name": "Acme Plumbing", "notify": "webhook", "delivered": True}},
)
CORRECTED_IN_PART = CorrectionResult(
    changes=[
        {"field": "name", "store": "crm_leads", "outcome": "applied", "where": LEADS, "records": 1},
        {
            "field": "name",
            "store": "calls",
            "outcome": "not_correctable",
            "where": CALLS,
            "records": 3,
            "why": "The caller ID of a call is what your carrier sent when the call was made.",
        },
        {"field": "phone", "outcome": "held_not_found", "why": "None of the records had the value you gave."},
        {
            "field": "company",
            "store": "crm_leads",
            "outcome": "answered_by_business",
            "where": LEADS,
            "business": "Crescent Realty",
            "records": 1,
        },
    ],
    told={"business:acme": {"name": "Acme Plumbing", "notify": "webhook", "delivered": False}},
)
NOTHING_CORRECTED = CorrectionResult(
    changes=[
        {
            "field": "email",
            "store": "accounts",
            "outcome": "denied",
            "where": "Your CallX account",
            "records": 1,
            "why": "Your employer's signed contract names this address as the billing contact.",
        }
    ]
)


def _completed(kind: RequestType, outcome: Outcome) -> RightsRequest:
    request = _request(kind, status=Status.COMPLETED, outcome=outcome)
    if outcome is Outcome.NOTHING_HELD:
        return request
    partial = outcome is Outcome.PARTIALLY_COMPLIED
    if kind in (RequestType.ACCESS, RequestType.PORTABILITY):
        request = request.with_export_result(EXPORT_WITH_BUSINESS if partial else EXPORT)
    if kind is RequestType.ACCESS:
        request = request.with_scope_decision(
            ScopeDecision(scope="specific_pieces", why="verified to a reasonably high degree")
        )
    if kind is RequestType.DELETION:
        request = request.with_erasure_receipt(HELD_RECEIPT if partial else RECEIPT)
    if kind is RequestType.CORRECTION:
        request = request.with_correction_result(CORRECTED_IN_PART if partial else CORRECTED)
    if kind is RequestType.OBJECTION and partial:
        request = request.with_objection_grounds("analytics", GROUNDS)
    if kind is RequestType.WITHDRAW_CONSENT:
        partner = {"name": "Advertising attribution partner", "notify": "webhook", "delivered": not partial}
        request = request.with_opt_out_effects(
            {
                "marketing": {"effect": "marketing_consent", "withdrawn": False, "held": False},
                "targeted_ads": {"effect": "recipients", "recipients": {"ad_attribution_partner": partner}},
            }
        )
    if kind is RequestType.OPT_OUT:
        partner = {"name": "Advertising attribution partner", "notify": "webhook", "delivered": not partial}
        request = request.with_opt_out_effects(
            {
                "sale_share": {"effect": "recipients", "recipients": {"ad_attribution_partner": partner}},
                "marketing": {"effect": "marketing_consent", "withdrawn": True, "held": True},
            }
        )
    return request


def _block(title: str, notice: notices.Notice, page: str | None) -> str:
    lines = [f"=== {title}", f"--- email subject: {notice.subject}", "--- email text:", notice.text]
    lines += [f"--- sms ({len(notice.sms)} chars): {notice.sms}"]
    if notice.voice:
        lines += [f"--- call: {notice.voice}"]
    if page is not None:
        lines += ["--- status page:", page]
    return "\n".join(lines)


def _final(title: str, request: RightsRequest, contacts: ContactPoints = CONTACTS) -> str:
    notice = notices.final(request, LINK, contacts)
    return _block(title, notice, notices.status_answer(request, contacts))


def render_all() -> str:
    blocks: list[str] = []
    for kind in RequestType:
        name = kind.value
        blocks.append(
            _block(f"{name} / acknowledgement", notices.acknowledgement(_request(kind), LINK, CONTACTS), None)
        )
        agent = Requester(
            role=RequesterRole.AUTHORIZED_AGENT, name="Privacy Helpers Ltd", email="agent@example.com"
        )
        blocks.append(
            _block(
                f"{name} / to the authorized agent",
                notices.agent_acknowledgement(_request(kind, requester=agent), LINK),
                None,
            )
        )
        for outcome in Outcome:
            blocks.append(_final(f"{name} / {outcome.value}", _completed(kind, outcome)))
        denial = Denial(reason=DenialReason.UNVERIFIABLE)
        blocks.append(
            _final(f"{name} / denied (unverifiable)", _request(kind, status=Status.DENIED, denial=denial))
        )
        merged = _request(kind, status=Status.CANCELED).with_merged_into("req_earlier")
        blocks.append(_final(f"{name} / joined to an earlier request", merged))
        blocks.append(
            _block(
                f"{name} / to a business customer (ask)",
                notices.to_business(_request(kind), "Northwind Legal", {"calls": 3, "recordings": 2}, "ask"),
                None,
            )
        )
    for reason in DenialReason:
        denial = Denial(
            reason=reason,
            exemption="legal claims (CCPA 1798.105(d)(1))" if reason is DenialReason.EXEMPT else None,
            detail=DETAIL,
        )
        request = _request(RequestType.DELETION, status=Status.DENIED, denial=denial)
        blocks.append(_final(f"deletion / denied ({reason.value}) / gdpr", request))
    for jurisdiction, state in (
        (Jurisdiction.GDPR, None),
        (Jurisdiction.CCPA, "CA"),
        (Jurisdiction.US_STATE, "VA"),
        (Jurisdiction.US_STATE, "CO"),
        (Jurisdiction.OTHER, None),
    ):
        denial = Denial(reason=DenialReason.MANIFESTLY_UNFOUNDED, detail=DETAIL)
        request = _request(
            RequestType.ACCESS, jurisdiction=jurisdiction, us_state=state, status=Status.DENIED, denial=denial
        )
        where = jurisdiction.value + (f" ({state})" if state else "")
        blocks.append(_final(f"access / denied (manifestly_unfounded) / {where}", request))
    denial = Denial(reason=DenialReason.EXCESSIVE, detail=DETAIL)
    request = _request(
        RequestType.DELETION, jurisdiction=Jurisdiction.OTHER, status=Status.DENIED, denial=denial
    )
    blocks.append(
        _final("deletion / denied (excessive) / other / no toll-free line configured", request, NO_LINE)
    )
    blocks.append(
        _block(
            "opt_out / acknowledgement / no toll-free line configured",
            notices.acknowledgement(_request(RequestType.OPT_OUT), LINK, NO_LINE),
            None,
        )
    )
    blocks.append(
        _block("email intake / clarification", notices.clarification("https://privacy.callx.com/#x"), None)
    )
    restricted = _completed(RequestType.RESTRICTION, Outcome.COMPLIED).with_restriction_lift(LIFT)
    blocks.append(
        _block("restriction / lift announced", notices.restriction_lift(restricted, LINK, CONTACTS), None)
    )
    objected = _completed(RequestType.OBJECTION, Outcome.COMPLIED)
    objected = objected.with_objection_grounds("ai_training", GROUNDS)
    blocks.append(
        _block(
            "objection / grounds recorded after the answer",
            notices.objection_grounds(objected, "ai_training", LINK, CONTACTS),
            None,
        )
    )
    denied = _completed(RequestType.CORRECTION, Outcome.PARTIALLY_COMPLIED).with_correction_result(
        NOTHING_CORRECTED
    )
    blocks.append(_final("correction / every field denied by ops", denied))
    stated = denied.with_correction_statement(
        CorrectionStatement(text="The address is mine.", added_at="2026-12-07T09:00:00+00:00")
    )
    blocks.append(_final("correction / denied, with the person's statement", stated))
    return "\n\n".join(blocks) + "\n"


def test_every_message_matches_the_snapshot_a_person_reviewed() -> None:
    rendered = render_all()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(rendered)
    assert SNAPSHOT.exists(), "no snapshot yet: run with UPDATE_SNAPSHOTS=1 and read it"
    assert rendered == SNAPSHOT.read_text(), (
        "a message changed: regenerate with UPDATE_SNAPSHOTS=1 and review the diff of snapshots/notices.txt"
    )


@pytest.mark.parametrize(
    "pattern",
    [
        r"request for to\b",
        r"\bfor to\b",
        r"\bto to\b",
        r"\ba a\b",
        r"\bthe the\b",
        r"\.\.(?!\.)",
        r" \.",
        r"  ",
        r"\bfor (?:get|have|restrict|object|opt)\b",
        r"done what you asked",
        r"everywhere",
        r"will then be erased",
        r"for 24 months,",
    ],
)
def test_no_message_has_broken_grammar_or_an_untrue_promise(pattern: str) -> None:
    found = [line for line in render_all().splitlines() if re.search(pattern, line)]
    assert found == []
