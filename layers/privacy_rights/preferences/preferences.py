"""Preferences and the "may I process?" check.

The preference store keeps, per keyed hash of an identifier, the subject's opt-outs by purpose,
objections, a restriction and a suppression mark. The platform's ingestion and AI-training
pipelines ask :func:`decide` (through the internal endpoint) before they use an identifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.core.models import OptOutPurpose, utc_now


class Purpose(StrEnum):
    """What a pipeline wants to do with an identifier."""

    SERVICE = "service"  # routing a new call for the business customer
    INGESTION = "ingestion"  # (re-)importing records: CRM sync, backup restore, bulk upload
    ANALYTICS = "analytics"
    AGENT_SCORING = "agent_scoring"  # scoring agents' calls (adherence, average scores)
    AI_TRAINING = "ai_training"
    MARKETING = "marketing"
    SALE_SHARE = "sale_share"
    TARGETED_ADS = "targeted_ads"
    SENSITIVE_PI = "sensitive_pi"
    RECORDING = "recording"  # recording a new call, where the caller's consent is its basis
    LEGAL_CLAIMS = "legal_claims"


#: Opting out of sale/sharing covers cross-context behavioural advertising (CPRA "sharing").
IMPLIED_OPT_OUTS: dict[OptOutPurpose, frozenset[Purpose]] = {
    OptOutPurpose.SALE_SHARE: frozenset({Purpose.SALE_SHARE, Purpose.TARGETED_ADS}),
    OptOutPurpose.TARGETED_ADS: frozenset({Purpose.TARGETED_ADS}),
    OptOutPurpose.AI_TRAINING: frozenset({Purpose.AI_TRAINING}),
    OptOutPurpose.MARKETING: frozenset({Purpose.MARKETING}),
    OptOutPurpose.SENSITIVE_PI: frozenset({Purpose.SENSITIVE_PI}),
    OptOutPurpose.RECORDING: frozenset({Purpose.RECORDING}),
}
#: After an erasure, nothing may bring the person back (re-import, backup restore, training);
#: a new call of theirs is new business and may still be routed, and recorded on the consent
#: given for it (only a withdrawal of that consent stops recording).
SUPPRESSED_PURPOSES = frozenset(set(Purpose) - {Purpose.SERVICE, Purpose.LEGAL_CLAIMS, Purpose.RECORDING})
#: While restricted (GDPR Art. 18), data is only stored; legal claims remain possible.
RESTRICTION_ALLOWS = frozenset({Purpose.LEGAL_CLAIMS})
#: GDPR Art. 21(3): an objection to direct marketing always stops it; no grounds can override it.
NO_GROUNDS_PURPOSES = frozenset({Purpose.MARKETING})


class Mark(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # built where preferences are used

    at: datetime
    request_id: str
    #: an objection ops found compelling legitimate grounds to override (GDPR Art. 21(1)): the
    #: purpose goes on; the request that recorded them (never for direct marketing)
    grounds_request_id: str | None = None
    grounds_at: datetime | None = None
    #: a restriction ops lift (GDPR Art. 18(3)): it holds until then, the person told before
    lift_at: datetime | None = None
    lift_request_id: str | None = None

    def lifted(self, now: datetime) -> bool:
        return self.lift_at is not None and self.lift_at <= now


class PreferenceRecord(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # built where preferences are used

    subject_key: str
    opt_outs: dict[str, Mark] = Field(default_factory=dict)
    objections: dict[str, Mark] = Field(default_factory=dict)
    restriction: Mark | None = None
    suppression: Mark | None = None


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # built where preferences are used

    allowed: bool
    purpose: Purpose
    reason: str


def decide(records: Iterable[PreferenceRecord], purpose: Purpose, now: datetime | None = None) -> Decision:
    """Any "no" recorded under any of the identifier's keyed hashes wins. A restriction holds
    until the lift time it carries (ops lift it only after telling the person); an objection
    gives way only where ops recorded compelling legitimate grounds, never for marketing."""
    now = now or utc_now()
    overridden: list[str] = []
    for record in records:
        if record.suppression and purpose in SUPPRESSED_PURPOSES:
            return _no(purpose, "the subject's data was erased and is suppressed", record.suppression)
        restriction = record.restriction
        if restriction and not restriction.lifted(now) and purpose not in RESTRICTION_ALLOWS:
            return _no(purpose, "processing is restricted (storage only)", restriction)
        for opted_out, mark in record.opt_outs.items():
            if purpose in IMPLIED_OPT_OUTS.get(OptOutPurpose(opted_out), frozenset()):
                return _no(purpose, f"the subject opted out of {opted_out}", mark)
        objection = record.objections.get(purpose.value)
        if objection is not None:
            if objection.grounds_request_id is None or purpose in NO_GROUNDS_PURPOSES:
                return _no(purpose, f"the subject objected to {purpose.value}", objection)
            overridden.append(objection.grounds_request_id)
    if overridden:
        return Decision(
            allowed=True,
            purpose=purpose,
            reason=f"the subject objected; compelling legitimate grounds recorded (request {overridden[0]})",
        )
    return Decision(
        allowed=True, purpose=purpose, reason="no opt-out, objection, restriction or suppression recorded"
    )


def _no(purpose: Purpose, why: str, mark: Mark) -> Decision:
    return Decision(
        allowed=False,
        purpose=purpose,
        reason=f"{why} (request {mark.request_id}, {mark.at.date().isoformat()})",
    )
