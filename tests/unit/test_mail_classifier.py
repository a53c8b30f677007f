"""The mail classifier: which privacy right(s) an email asks for, and when it asks for none.

Every mail here is synthetic. An empty expectation means "unclear": the caller replies asking the
person to say what they want, which is the safe outcome whenever a guess could act on the wrong right.
"""

from __future__ import annotations

import dataclasses
import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from privacy_rights.core.models import US_STATES, Jurisdiction, OptOutPurpose, RequestType
from privacy_rights.mail.mail_classifier import MAX_TEXT_CHARS, Classification, classify

ACC = RequestType.ACCESS
POR = RequestType.PORTABILITY
DEL = RequestType.DELETION
COR = RequestType.CORRECTION
RES = RequestType.RESTRICTION
OBJ = RequestType.OBJECTION
OPT = RequestType.OPT_OUT

SALE = OptOutPurpose.SALE_SHARE
ADS = OptOutPurpose.TARGETED_ADS
AI = OptOutPurpose.AI_TRAINING
MKT = OptOutPurpose.MARKETING
SPI = OptOutPurpose.SENSITIVE_PI

EN_DISCLAIMER = (
    "Thanks for your help.\n\n"
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential. If you are not the intended "
    "recipient, please notify the sender and delete this e-mail and destroy all copies."
)
ES_DISCLAIMER = (
    "Un saludo.\n\nEste mensaje es confidencial y va dirigido exclusivamente a su destinatario. "
    "Si lo ha recibido por error, bórrelo y notifíquelo al remitente."
)


def p(subject: str, text: str, *types: RequestType, id: str) -> object:
    return pytest.param(subject, text, types, id=id)


TYPE_CASES = [
    # --- deletion, English ---
    p("Delete my data", "", DEL, id="subject-only-deletion"),
    p("RE: Fwd: DELETE MY DATA", "", DEL, id="subject-prefixes-and-uppercase"),
    p("", "Please erase all of my personal information from your systems.", DEL, id="erase-all-of-my"),
    p("", "Remove me from your database, please.", DEL, id="remove-me-from-database"),
    p("", "I want my account deleted.", DEL, id="want-my-account-deleted"),
    p("", "I exercise my right to be forgotten.", DEL, id="right-to-be-forgotten"),
    p("", "PLEASE FORGET MY PERSONAL DATA.", DEL, id="forget-uppercase"),
    p("", "I always forget my account number.", id="forget-account-number"),
    p("Request under Art. 17 GDPR", "", DEL, id="art-17"),
    p("", "Data deletion request", DEL, id="deletion-request-line"),
    p("", "Delete everything you have on me.", DEL, id="everything-on-me"),
    p("", "I'm writing on behalf of my client to request deletion of her data.", DEL, id="agent-request"),
    p("", "I never gave you my data. Delete it.", DEL, id="delete-it-after-my-data"),
    # --- negation ---
    p("", "Please don't delete my account, I just want a copy", ACC, id="negated-deletion-wants-copy"),
    p("", "Please do not delete anything; I only need to update my phone number.", COR, id="neg-then-fix"),
    p("", "I did not request a copy.", id="negated-copy"),
    p("", "no borren mi cuenta", id="es-negated-deletion"),
    p("", "No borren mi cuenta, solo quiero una copia de mis datos.", ACC, id="es-neg-copia"),
    p("", "Ne supprimez pas mon compte.", id="fr-negated-deletion"),
    p("", "Bitte meine Daten nicht löschen.", id="de-negated-deletion"),
    p("", "Has my data been deleted yet?", id="status-question"),
    # --- "delete" about something that is not the person's data ---
    p("", "I deleted the app", id="deleted-the-app"),
    p("", "How do I delete a tracking number in my dashboard?", id="delete-tracking-number"),
    p("", "We are a customer; please delete call recordings older than 30 days.", id="retention"),
    p("", "Request for deletion of the tracking number 555-0100.", id="deletion-of-tracking-number"),
    p("", "What is your data deletion policy?", id="deletion-policy-question"),
    p("Re: your request", "Yes, delete it.", id="delete-it-without-antecedent"),
    p("Re: your message", "Yes, please delete everything.", DEL, id="delete-everything-reply"),
    p("", "How do I delete everything in my dashboard?", id="delete-everything-in-dashboard"),
    # --- mailing list removal is a marketing opt-out, not an erasure ---
    p("", "Please remove me from your mailing list.", OPT, id="mailing-list"),
    p("", "Remove my email address from your mailing list.", OPT, id="email-off-mailing-list"),
    p("", "Eliminarme de su lista de correo, por favor.", OPT, id="es-lista-de-correo"),
    p("", "Please delete my data and remove me from your mailing list.", DEL, OPT, id="del-and-list"),
    # --- disclaimers and footers ---
    p("", EN_DISCLAIMER, id="en-disclaimer"),
    p("", ES_DISCLAIMER, id="es-disclaimer"),
    p("", "Best,\nPlease consider the environment before printing this email.", id="environment-footer"),
    p("", "Please delete my data. This email is confidential.", DEL, id="ask-then-disclaimer-same-line"),
    p(
        "",
        "Please delete my data\n-- \nSent from my phone\nThis message is confidential.",
        DEL,
        id="ask-then-signature-disclaimer",
    ),
    p(
        "Fwd: newsletter",
        "FYI\n\n---------- Forwarded message ---------\nBig sale this week!\n"
        "You are receiving this email because you signed up.\n"
        "Unsubscribe here | Privacy Policy | Do Not Sell My Personal Information",
        id="forwarded-newsletter-footer",
    ),
    # --- several asks, in order of first evidence (subject, then text) ---
    p("", "Send me a copy of my data and then delete it.", ACC, DEL, id="copy-then-delete"),
    p("", "Quiero una copia de mis datos y luego bórrenlos.", ACC, DEL, id="es-copia-y-borrado"),
    p("", "Unsubscribe me and delete my account.", OPT, DEL, id="unsubscribe-and-delete"),
    p("Delete my account", "But first send me a copy of my data.", DEL, ACC, id="subject-first"),
    p("Send me a copy of my data", "Afterwards please delete my account.", ACC, DEL, id="subject-access"),
    p("", "Please correct my surname and stop using my calls to train AI.", COR, OPT, id="fix-and-ai"),
    p("", "Art. 15, 16 und 17 DSGVO", ACC, COR, DEL, id="articles-in-order"),
    # --- access ---
    p("", "What personal data do you hold about me?", ACC, id="what-data-about-me"),
    p("", "Hi,\nI'd like a copy of all the personal\ninformation you hold about me.", ACC, id="hard-wrapped"),
    p("", "This is a subject access request.", ACC, id="subject-access-request"),
    p("DSAR", "", ACC, id="dsar-subject"),
    p("", "Right to know request under the CCPA.", ACC, id="right-to-know"),
    p("", "Which categories of personal information did you collect about me?", ACC, id="categories"),
    p("", "I am writing to exercise my right of access under Article 15 GDPR.", ACC, id="right-of-access"),
    p("", "I don't know what data you have about me.", id="negated-what-data"),
    # --- portability ---
    p("", "Please export a copy of my data in a machine-readable format.", POR, id="export-copy"),
    p("", "What data do you hold about me? Also, export my data as JSON.", ACC, POR, id="what-and-export"),
    p("", "Please transfer my data to another provider.", POR, id="transfer-to"),
    p("", "Can I download my data?", POR, id="download-my-data"),
    p("", "How can I export call logs from the dashboard?", id="export-call-logs-product-question"),
    # --- correction ---
    p("", "My name is misspelled in your records, please correct it.", COR, id="misspelled"),
    p("", "Please update my email address to new.address@example.com", COR, id="update-email"),
    p("", "Your records have my phone number wrong.", COR, id="number-wrong"),
    p("", "Please correct the phone number linked to my name.", COR, id="the-number-of-mine"),
    p("Wrong phone number on file", "", COR, id="wrong-on-file"),
    p("", "Update my email preferences.", id="email-preferences"),
    p("", "Please change my password.", id="password"),
    # --- restriction ---
    p("", "I request the restriction of processing of my personal data.", RES, id="restriction"),
    p("", "Please suspend the use of my data until you have checked it.", RES, id="suspend-use"),
    p("", "Please limit the use of my sensitive personal information.", OPT, id="limit-sensitive-is-opt-out"),
    # --- objection ---
    p("", "I object to the processing of my data for profiling.", OBJ, id="object-to-processing"),
    p("", "Don't analyze my calls.", OBJ, id="dont-analyze"),
    p("", "Under Art. 21 I object to the scoring of my calls.", OBJ, id="art-21"),
    # --- opt-out ---
    p("", "Do Not Sell or Share My Personal Information", OPT, id="do-not-sell"),
    p("", "Please opt me out.", OPT, id="bare-opt-out"),
    p("", "I want to opt out of targeted advertising.", OPT, id="targeted-ads"),
    p("", "Don't use my calls for AI training.", OPT, id="ai-training"),
    p("Unsubscribe", "", OPT, id="subject-unsubscribe"),
    p("", "How do I opt out of call recording?", id="opt-out-of-unknown-thing"),
    p("", "Do you sell my data?", id="sell-question"),
    # --- unclear on purpose ---
    p("", "", id="empty"),
    p("", "What is your privacy policy?", id="privacy-policy-question"),
    p("", "Do you record calls?", id="record-question"),
    p("", "Hello, I have a question about my privacy", id="generic-privacy-question"),
    p("", "Necesito ayuda con mi privacidad", id="es-generic"),
    p("Access request", "", id="bare-access-request-subject"),
    p("", "Quiero dar de baja mi cuenta.", id="es-baja-de-cuenta"),
    p("", "I want to exercise my rights of access, rectification and erasure.", id="enumeration-of-rights"),
    p("", "Quiero ejercer mis derechos de acceso, rectificación, cancelación y oposición.", id="es-arco"),
    p("", "Stop calling me!", id="stop-calling"),
    p("", "Please stop using my data.", id="stop-using-my-data"),
    # --- Spanish ---
    p("Solicitud de supresión", "Hola, quiero que eliminen todos mis datos.", DEL, id="es-supresion"),
    p("", "SUPRESIÓN DE MIS DATOS", DEL, id="es-uppercase-accent"),
    p("", "supresion de mis datos", DEL, id="es-no-accent"),
    p("", "Ejerzo mi derecho al olvido.", DEL, id="es-olvido"),
    p("", "Bórrenme de su base de datos.", DEL, id="es-base-de-datos"),
    p("", "Ya borré mi cuenta.", id="es-past-tense"),
    p("", "¿Qué datos personales tienen sobre mí?", ACC, id="es-que-datos"),
    p("", "Ejerzo mi derecho de acceso.", ACC, id="es-derecho-de-acceso"),
    p("", "Solicito la portabilidad de mis datos.", POR, id="es-portabilidad"),
    p("", "Por favor exporten mis datos en un formato estructurado.", POR, id="es-exportar"),
    p("", "Mi nombre está mal escrito, por favor corríjanlo.", COR, id="es-esta-mal"),
    p("", "Quiero que corrijan mi dirección.", COR, id="es-corregir"),
    p("", "Solicito la limitación del tratamiento de mis datos.", RES, id="es-limitacion"),
    p("", "Me opongo al tratamiento de mis datos para elaborar perfiles.", OBJ, id="es-oposicion"),
    p("", "Por favor, no vendan ni compartan mis datos.", OPT, id="es-no-vendan"),
    p("", "Sácame de su lista de correo.", OPT, id="es-sacame-de-la-lista"),
    p("", "Quiero cambiar mi número de seguimiento.", id="es-tracking-number"),
    # --- French, German, Portuguese ---
    p("", "Veuillez supprimer mes données.", DEL, id="fr-supprimer"),
    p("", "Je souhaite exercer mon droit d'accès.", ACC, id="fr-droit-d-acces"),
    p("", "Je voudrais une copie des données que vous détenez à mon sujet.", ACC, id="fr-copie"),
    p("", "Je m'oppose au traitement de mes données.", OBJ, id="fr-opposition"),
    p("", "Bitte löschen Sie meine Daten.", DEL, id="de-loeschen"),
    p("", "Ich bitte um Auskunft über meine gespeicherten Daten.", ACC, id="de-auskunft"),
    p("", "Ich widerspreche der Verarbeitung meiner Daten.", OBJ, id="de-widerspruch"),
    p("", "Apaguem os meus dados, por favor.", DEL, id="pt-apagar"),
    p("", "Gostaria de uma cópia dos meus dados.", ACC, id="pt-copia"),
    p("", "Oponho-me ao tratamento dos meus dados.", OBJ, id="pt-oposicao"),
    p("", "Gostaria de solicitar a portabilidade do número.", id="pt-number-porting"),
]


@pytest.mark.parametrize(("subject", "text", "expected"), TYPE_CASES)
def test_types(subject: str, text: str, expected: tuple[RequestType, ...]) -> None:
    result = classify(subject, text)

    assert result.types == expected, result.cues
    assert result.clear is bool(expected)


def o(text: str, *purposes: OptOutPurpose, id: str) -> object:
    return pytest.param(text, purposes, id=id)


OPT_OUT_CASES = [
    o("Do Not Sell or Share My Personal Information", SALE, id="do-not-sell-or-share"),
    o("I do not want you to sell my data.", SALE, id="do-not-want-you-to-sell"),
    o("Please do not share my personal information with third parties.", SALE, id="do-not-share"),
    o("Opt me out of the sale of my personal information.", SALE, id="opt-out-of-sale"),
    o("This is an opt-out request.", SALE, id="bare-opt-out-means-sale"),
    o("Opt me out of everything.", *OptOutPurpose, id="everything"),
    o("I want to opt out of sale, sharing, targeted ads, all of it.", *OptOutPurpose, id="all-of-it"),
    o("I want to opt out of targeted advertising.", ADS, id="targeted-advertising"),
    o("Stop showing me personalized ads.", ADS, id="personalized-ads"),
    o("Please opt me out of cross-context behavioral advertising.", ADS, id="cross-context"),
    o("Don't use my calls for AI training.", AI, id="ai-calls"),
    o("Stop using my voice to train your models.", AI, id="ai-voice-models"),
    o("Exclude my calls from AI training.", AI, id="ai-exclude"),
    o("Unsubscribe", MKT, id="unsubscribe"),
    o("Please stop sending me marketing emails.", MKT, id="stop-sending-marketing"),
    o("No more promotional emails please.", MKT, id="no-more"),
    o("Take me off your list.", MKT, id="off-your-list"),
    o("Please limit the use of my sensitive personal information.", SPI, id="sensitive"),
    o("Please opt me out. Don't use my calls for AI.", AI, id="named-purpose-wins-over-bare"),
    o("Unsubscribe me and do not sell my data.", MKT, SALE, id="two-purposes-in-order"),
    o("No vendan mis datos.", SALE, id="es-no-vendan"),
    o("Ejerzo mi derecho de exclusión voluntaria.", SALE, id="es-exclusion-voluntaria"),
    o("No quiero publicidad personalizada.", ADS, id="es-publicidad-personalizada"),
    o("Quiero hacer opt-out de la publicidad dirigida.", ADS, id="es-publicidad-dirigida"),
    o("No quiero que usen mis grabaciones para entrenar inteligencia artificial.", AI, id="es-ia"),
    o("Quiero darme de baja de su boletín.", MKT, id="es-darme-de-baja"),
    o("No quiero recibir más correos promocionales.", MKT, id="es-no-quiero-recibir"),
    o("Limitar el uso de mis datos sensibles, por favor.", SPI, id="es-datos-sensibles"),
    o("Je souhaite me désabonner.", MKT, id="fr-desabonner"),
    o("Keine Werbung mehr, bitte.", MKT, id="de-keine-werbung"),
    o("Não vendam os meus dados.", SALE, id="pt-nao-vendam"),
]


@pytest.mark.parametrize(("text", "expected"), OPT_OUT_CASES)
def test_opt_out_purposes(text: str, expected: tuple[OptOutPurpose, ...]) -> None:
    result = classify("", text)

    assert result.types == (OPT,), result.cues
    assert result.opt_out_of == expected


def test_no_purposes_without_an_opt_out() -> None:
    assert classify("", "Please delete my data.").opt_out_of == ()


JURISDICTION_CASES = [
    pytest.param("I am a California resident; delete my data.", Jurisdiction.CCPA, None, id="ca-resident"),
    pytest.param("Under the CCPA, please delete my data.", Jurisdiction.CCPA, None, id="ccpa"),
    pytest.param("CPRA request to know", Jurisdiction.CCPA, None, id="cpra"),
    pytest.param("Soy residente de California. Borren mis datos.", Jurisdiction.CCPA, None, id="es-ca"),
    pytest.param("Under GDPR, delete my data.", Jurisdiction.GDPR, None, id="gdpr"),
    pytest.param("UK GDPR subject access request", Jurisdiction.GDPR, None, id="uk-gdpr"),
    pytest.param("Solicitud conforme al RGPD.", Jurisdiction.GDPR, None, id="rgpd"),
    pytest.param("Auskunft nach DSGVO", Jurisdiction.GDPR, None, id="dsgvo"),
    pytest.param("Under the General Data Protection Regulation.", Jurisdiction.GDPR, None, id="gdpr-name"),
    pytest.param("Art. 17 request", Jurisdiction.GDPR, None, id="gdpr-article"),
    pytest.param("As a Texas resident, please delete my account.", Jurisdiction.US_STATE, "TX", id="texas"),
    pytest.param(
        "Under the Virginia Consumer Data Protection Act, delete my data.",
        Jurisdiction.US_STATE,
        "VA",
        id="virginia-act",
    ),
    pytest.param("I live in Colorado. Delete my data.", Jurisdiction.US_STATE, "CO", id="live-in-colorado"),
    pytest.param("I'm a resident of West Virginia.", Jurisdiction.US_STATE, "WV", id="west-virginia"),
    pytest.param("Soy residente de Texas.", Jurisdiction.US_STATE, "TX", id="es-texas"),
    pytest.param("Request under the TDPSA.", Jurisdiction.US_STATE, "TX", id="acronym"),
    pytest.param("Under the CCPA and the GDPR, delete my data.", Jurisdiction.CCPA, None, id="first-ccpa"),
    pytest.param("Under the GDPR and the CCPA, delete my data.", Jurisdiction.GDPR, None, id="first-gdpr"),
    pytest.param("Under the LGPD I want a copy of my data.", Jurisdiction.OTHER, None, id="lgpd"),
    pytest.param("My company is based in Texas; we use CallX.", None, None, id="company-site"),
    pytest.param("Delete my data.", None, None, id="not-stated"),
]


@pytest.mark.parametrize(("text", "jurisdiction", "us_state"), JURISDICTION_CASES)
def test_jurisdiction(text: str, jurisdiction: Jurisdiction | None, us_state: str | None) -> None:
    result = classify("", text)

    assert (result.jurisdiction, result.us_state) == (jurisdiction, us_state)


STATES_WITH_PRIVACY_LAWS = {
    "Virginia": "VA", "Colorado": "CO", "Connecticut": "CT", "Utah": "UT", "Texas": "TX", "Oregon": "OR",
    "Montana": "MT", "Iowa": "IA", "Delaware": "DE", "New Hampshire": "NH", "New Jersey": "NJ",
    "Tennessee": "TN", "Minnesota": "MN", "Maryland": "MD", "Indiana": "IN", "Kentucky": "KY",
    "Rhode Island": "RI", "Nebraska": "NE", "Florida": "FL", "Washington": "WA",
}  # fmt: skip


@pytest.mark.parametrize(("name", "code"), sorted(STATES_WITH_PRIVACY_LAWS.items()))
def test_state_residents(name: str, code: str) -> None:
    result = classify(f"{name} resident", "Please delete my data.")

    assert (result.jurisdiction, result.us_state) == (Jurisdiction.US_STATE, code)
    assert result.us_state in US_STATES


@pytest.mark.parametrize(
    ("subject", "text", "language"),
    [
        ("Delete my data", "", "en"),
        ("", "Please send me a copy of my data.", "en"),
        ("", "Por favor borren mis datos.", "es"),
        ("", "Veuillez supprimer mes données.", "fr"),
        ("", "Bitte löschen Sie meine Daten.", "de"),
        ("", "Apaguem os meus dados, por favor.", "pt"),
        ("", "12345", "und"),
        ("", "", "und"),
    ],
)
def test_language(subject: str, text: str, language: str) -> None:
    assert classify(subject, text).language == language


CUE_ID = re.compile(r"^(?:en|es|fr|de|pt|any)\.(?P<type>[a-z_]+)\.[a-z0-9_]+$")


def test_cues_are_rule_ids_never_mail_text() -> None:
    result = classify("Delete my data zqxjk", "Send me a copy of my data, zqxjk. Unsubscribe me too.")

    assert result.types == (DEL, ACC, OPT)
    assert result.cues
    for cue in result.cues:
        match = CUE_ID.match(cue)
        assert match, cue
        assert RequestType(match["type"]) in result.types
        assert "zqxjk" not in cue


def test_classification_is_frozen() -> None:
    result = classify("Delete my data", "")

    with pytest.raises(dataclasses.FrozenInstanceError):
        result.types = ()  # type: ignore[misc]


def test_same_input_same_result() -> None:
    text = "Quiero una copia de mis datos y luego bórrenlos. Soy residente de Texas."

    assert classify("", text) == classify("", text)


def test_only_the_first_part_of_the_text_is_read() -> None:
    filler = "Hello there. " * (MAX_TEXT_CHARS // 13 + 10)

    assert classify("", "Delete my data. " + filler).types == (DEL,)
    assert classify("", filler + "Delete my data.").types == ()


def test_control_characters_are_separators() -> None:
    assert classify("", "\x00Please\x07delete\x1bmy data\x00").types == (DEL,)


ONE_MB = 1_000_000


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(("Please delete my data and send me a copy of it. " * 25_000)[:ONE_MB], id="asks"),
        pytest.param("a" * ONE_MB, id="one-word"),
        pytest.param("!" * ONE_MB, id="punctuation"),
        pytest.param(("delete" + "!" * 500) * 2_000, id="verb-then-punctuation"),
        pytest.param(("my " * 400_000)[:ONE_MB], id="repeated-possessive"),
        pytest.param(("art. 15 " * 130_000)[:ONE_MB], id="repeated-abbreviation"),
        pytest.param(("no borren mis datos que datos tienen " * 30_000)[:ONE_MB], id="spanish"),
        pytest.param("\n" * ONE_MB, id="line-breaks"),
    ],
)
def test_a_megabyte_classifies_quickly(text: str) -> None:
    started = time.perf_counter()
    result = classify(text[:500], text)
    elapsed = time.perf_counter() - started

    assert isinstance(result, Classification)
    assert elapsed < 1.0


def test_a_megabyte_ask_is_found() -> None:
    text = "Please delete my data.\n" + "Lorem ipsum dolor sit amet. " * 36_000

    assert len(text) > ONE_MB
    assert classify("", text).types == (DEL,)


VOCABULARY = [
    "delete", "my", "data", "copy", "of", "don't", "not", "no", "opt", "out", "sell", "share", "unsubscribe",
    "borren", "mis", "datos", "art.", "17", "15", "gdpr", "ccpa", "texas", "resident", "intended",
    "recipient", "all", "the", "to", "me", "from", "your", "list", "mailing", "export", "correct", "name",
    "is", "wrong",
    "limit", "use", "sensitive", "object", "processing", "ai", "training", "calls", "everything", "it",
    "löschen", "meine", "supprimer", "mes", "données", "apaguem", "os", "meus", "dados", "¿qué", "tienen",
    ".", ",", "\n", "\n\n", "|", "—", "\u2019", "\u200b", "\x00", "\ud800", "\u0301", "İ", "ß", "ﬁ",
]  # fmt: skip
MAIL_TEXT = st.one_of(st.text(), st.lists(st.sampled_from(VOCABULARY), max_size=60).map(" ".join))


@settings(max_examples=500, deadline=None)
@given(subject=MAIL_TEXT, text=MAIL_TEXT)
def test_never_raises_and_keeps_its_promises(subject: str, text: str) -> None:
    result = classify(subject, text)

    assert isinstance(result, Classification)
    assert len(set(result.types)) == len(result.types)
    assert result.clear is bool(result.types)
    assert bool(result.cues) is bool(result.types)
    assert (OPT in result.types) is bool(result.opt_out_of)
    assert len(set(result.opt_out_of)) == len(result.opt_out_of)
    assert (result.jurisdiction is Jurisdiction.US_STATE) is (result.us_state is not None)
    assert result.us_state is None or result.us_state in US_STATES
    assert result.language in {"en", "es", "fr", "de", "pt", "und"}
    assert all(CUE_ID.match(cue) for cue in result.cues)
