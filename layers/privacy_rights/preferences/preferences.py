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

from privacy_rights.core.models import OptOutPurpose


class Purpose(StrEnum):
    """What a pipeline wants to do with an identifier."""

    SERVICE = "service"  # routing and recording a new call for the business customer
    INGESTION = "ingestion"  # (re-)importing records: CRM sync, backup restore, bulk upload
    ANALYTICS = "analytics"
    AI_TRAINING = "ai_training"
    MARKETING = "marketing"
    SALE_SHARE = "sale_share"
    TARGETED_ADS = "targeted_ads"
    SENSITIVE_PI = "sensitive_pi"
    LEGAL_CLAIMS = "legal_claims"


#: Opting out of sale/sharing covers cross-context behavioural advertising (CPRA "sharing").
IMPLIED_OPT_OUTS: dict[OptOutPurpose, frozenset[Purpose]] = {
    OptOutPurpose.SALE_SHARE: frozenset({Purpose.SALE_SHARE, Purpose.TARGETED_ADS}),
    OptOutPurpose.TARGETED_ADS: frozenset({Purpose.TARGETED_ADS}),
    OptOutPurpose.AI_TRAINING: frozenset({Purpose.AI_TRAINING}),
    OptOutPurpose.MARKETING: frozenset({Purpose.MARKETING}),
    OptOutPurpose.SENSITIVE_PI: frozenset({Purpose.SENSITIVE_PI}),
}
#: After an erasure, nothing may bring the person back (re-import, backup restore, training);
#: a new call of theirs is new business and may still be routed.
SUPPRESSED_PURPOSES = frozenset(set(Purpose) - {Purpose.SERVICE, Purpose.LEGAL_CLAIMS})
#: While restricted (GDPR Art. 18), data is only stored; legal claims remain possible.
RESTRICTION_ALLOWS = frozenset({Purpose.LEGAL_CLAIMS})


class Mark(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)  # built where preferences are used

    at: datetime
    request_id: str


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


def decide(records: Iterable[PreferenceRecord], purpose: Purpose) -> Decision:
    """Any "no" recorded under any of the identifier's keyed hashes wins."""
    for record in records:
        if record.suppression and purpose in SUPPRESSED_PURPOSES:
            return _no(purpose, "the subject's data was erased and is suppressed", record.suppression)
        if record.restriction and purpose not in RESTRICTION_ALLOWS:
            return _no(purpose, "processing is restricted (storage only)", record.restriction)
        for opted_out, mark in record.opt_outs.items():
            if purpose in IMPLIED_OPT_OUTS.get(OptOutPurpose(opted_out), frozenset()):
                return _no(purpose, f"the subject opted out of {opted_out}", mark)
        if purpose.value in record.objections:
            return _no(purpose, f"the subject objected to {purpose.value}", record.objections[purpose.value])
    return Decision(
        allowed=True, purpose=purpose, reason="no opt-out, objection, restriction or suppression recorded"
    )


def _no(purpose: Purpose, why: str, mark: Mark) -> Decision:
    return Decision(
        allowed=False,
        purpose=purpose,
        reason=f"{why} (request {mark.request_id}, {mark.at.date().isoformat()})",
    )
