"""Email intake: a withdrawal of consent (GDPR Art. 7(3)) is recognised as the withdraw_consent
type with the purposes it names ("I withdraw my consent to marketing", "stop recording my
calls"); a mail that only talks about consent (gives it, asks how to withdraw it, says it was not
withdrawn) is not taken as one. Every mail here is synthetic."""

from __future__ import annotations

import pytest

from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.models import Channel, OptOutPurpose, RequestType
from privacy_rights.mail.mail_classifier import classify
from privacy_rights.preferences.objections import consent_purposes

WDR = RequestType.WITHDRAW_CONSENT
MKT = OptOutPurpose.MARKETING
REC = OptOutPurpose.RECORDING
SALE = OptOutPurpose.SALE_SHARE
ADS = OptOutPurpose.TARGETED_ADS


@pytest.mark.parametrize(
    ("subject", "text", "purposes"),
    [
        ("", "I withdraw my consent to marketing.", (MKT,)),
        ("Consent", "Hello,\nplease note that I hereby revoke my consent for your marketing emails.", (MKT,)),
        ("", "Please stop recording my calls.", (REC,)),
        ("", "I no longer consent to the recording of my calls.", (REC,)),
        ("Do not record my calls", "", (REC,)),
        ("", "I withdraw my consent to the sharing of my data with advertising partners.", (SALE,)),
        ("", "I withdraw my consent to targeted advertising and to marketing.", (ADS, MKT)),
        ("", "Retiro mi consentimiento para la grabación de mis llamadas.", (REC,)),
        ("", "Dejen de grabar mis llamadas, por favor.", (REC,)),
        ("", "Revoco mi consentimiento para recibir publicidad.", (MKT,)),
        ("", "I withdraw my consent to the use of my data for marketing.", (MKT,)),
        # one clause names what is withdrawn: not what follows a comma or a "but"
        ("", "I withdraw my consent to marketing, not to the recording of my calls.", (MKT,)),
        ("", "I withdraw my consent to marketing but please keep recording my calls.", (MKT,)),
        # named nothing: every consent (intake reads the data map's)
        ("Withdrawal of consent", "", ()),
        ("", "I withdraw my consent.", ()),
        # "unsubscribe" and a withdrawal of the same: one request, the withdrawal
        ("", "Unsubscribe me. I withdraw my consent to marketing emails.", (MKT,)),
    ],
)
def test_a_withdrawal_is_taken_with_the_purposes_it_names(
    subject: str, text: str, purposes: tuple[OptOutPurpose, ...]
) -> None:
    result = classify(subject, text)
    assert result.types == (WDR,), result.cues
    assert set(result.consent_withdrawn) == set(purposes)
    assert len(result.consent_withdrawn) == len(purposes)
    assert result.opt_out_of == ()
    assert all(cue.split(".")[1] == "withdraw_consent" for cue in result.cues if "withdraw" in cue)


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("I consent to the recording of my calls.", ()),  # consent given, not withdrawn
        ("I have not withdrawn my consent to marketing.", ()),
        ("Can I withdraw my consent later?", ()),  # a question about the right
        ("How do I withdraw my consent to marketing?", ()),
        ("Why do your agents stop recording calls after 30 minutes?", ()),
        ("Our agents stop recording the calls when the customer asks.", ()),
        ("I do not record my calls myself.", ()),
        ("Please don't stop recording my calls, I need them for my records.", ()),
        ("I never withdrew my consent.", ()),
        # another right beside a mention of consent: that right alone
        ("Opt me out of AI training.", (RequestType.OPT_OUT,)),
    ],
)
def test_what_only_talks_about_consent_is_not_a_withdrawal(text: str, types: tuple[RequestType, ...]) -> None:
    result = classify("", text)
    assert result.types == types, result.cues
    assert result.consent_withdrawn == ()


def test_an_opt_out_of_something_else_stays_beside_a_bare_withdrawal() -> None:
    result = classify("", "Opt me out of AI training. I also withdraw my consent.")
    assert set(result.types) == {RequestType.OPT_OUT, WDR}
    assert result.opt_out_of == (OptOutPurpose.AI_TRAINING,)
    assert result.consent_withdrawn == ()


def test_every_purpose_the_classifier_can_withdraw_is_one_the_data_map_bases_on_consent() -> None:
    """Intake refuses a withdrawal naming a purpose not on consent: the mail would be lost."""
    on_consent = set(consent_purposes(load_data_map()))
    texts = {
        MKT: "I withdraw my consent to marketing.",
        REC: "Stop recording my calls.",
        SALE: "I withdraw my consent to the sale of my data.",
        ADS: "I withdraw my consent to personalised ads.",
    }
    assert set(texts) == on_consent
    for purpose, text in texts.items():
        assert classify("", text).consent_withdrawn == (purpose,)


def test_an_emailed_withdrawal_naming_nothing_withdraws_every_consent(ring: object) -> None:
    from fakes import FakeKeys, FakePreferenceMarks, FakeRequests, FakeStarter

    from privacy_rights.preferences.preference_service import PreferenceService
    from privacy_rights.rights_requests.intake import IntakeService
    from privacy_rights.rights_requests.submission import SubmitRequest

    store = FakeRequests()
    keys = FakeKeys(ring)
    intake = IntakeService(store, keys, FakeStarter(), PreferenceService(FakePreferenceMarks(), keys))
    body = SubmitRequest(type=WDR, jurisdiction="gdpr", email="jane@example.com")
    taken = intake.submit(body, Channel.EMAIL, actor="email-intake")
    assert set(store.get(taken.request_id).opt_out_of) == set(consent_purposes(load_data_map()))
    # the web form must name what is withdrawn
    from privacy_rights.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        intake.submit(body, Channel.WEB, actor="requester")
