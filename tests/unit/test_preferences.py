"""The "may I process?" decision for every combination of recorded preference and purpose."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from privacy_rights.preferences.preferences import Mark, PreferenceRecord, Purpose, decide

MARK = Mark(at=datetime(2026, 11, 1, tzinfo=UTC), request_id="req_abc")
EVERYTHING = frozenset(Purpose)

# What each recorded preference forbids, written out rather than derived from the code.
FORBIDS: dict[str, frozenset[Purpose]] = {
    "nothing": frozenset(),
    "opt_out:sale_share": frozenset({Purpose.SALE_SHARE, Purpose.TARGETED_ADS}),
    "opt_out:targeted_ads": frozenset({Purpose.TARGETED_ADS}),
    "opt_out:ai_training": frozenset({Purpose.AI_TRAINING}),
    "opt_out:marketing": frozenset({Purpose.MARKETING}),
    "opt_out:sensitive_pi": frozenset({Purpose.SENSITIVE_PI}),
    # a withdrawal of the consent calls were recorded on stops recording them, nothing else
    "opt_out:recording": frozenset({Purpose.RECORDING}),
    "objection:marketing": frozenset({Purpose.MARKETING}),
    "objection:analytics": frozenset({Purpose.ANALYTICS}),
    "objection:ai_training": frozenset({Purpose.AI_TRAINING}),
    "restriction": EVERYTHING - {Purpose.LEGAL_CLAIMS},
    # a new call after an erasure is new business: routed, and recorded on the consent given for it
    "suppression": EVERYTHING - {Purpose.SERVICE, Purpose.LEGAL_CLAIMS, Purpose.RECORDING},
}


def record_with(preference: str) -> PreferenceRecord:
    kind, _, purpose = preference.partition(":")
    if kind == "opt_out":
        return PreferenceRecord(subject_key="k1:x", opt_outs={purpose: MARK})
    if kind == "objection":
        return PreferenceRecord(subject_key="k1:x", objections={purpose: MARK})
    if kind == "restriction":
        return PreferenceRecord(subject_key="k1:x", restriction=MARK)
    if kind == "suppression":
        return PreferenceRecord(subject_key="k1:x", suppression=MARK)
    return PreferenceRecord(subject_key="k1:x")


@pytest.mark.parametrize("purpose", list(Purpose), ids=str)
@pytest.mark.parametrize("preference", list(FORBIDS))
def test_every_preference_against_every_purpose(preference: str, purpose: Purpose) -> None:
    decision = decide([record_with(preference)], purpose)

    assert decision.allowed is (purpose not in FORBIDS[preference])
    assert decision.purpose is purpose
    if not decision.allowed:
        assert "req_abc" in decision.reason


def test_no_record_at_all_allows() -> None:
    assert decide([], Purpose.AI_TRAINING).allowed


def test_a_no_under_any_key_of_the_identifier_wins() -> None:
    old_key = PreferenceRecord(subject_key="k1:x", opt_outs={"ai_training": MARK})
    new_key = PreferenceRecord(subject_key="k2:x")

    assert not decide([new_key, old_key], Purpose.AI_TRAINING).allowed
