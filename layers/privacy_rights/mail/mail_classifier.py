"""Which privacy right(s) an email to the privacy address asks for.

People write to the privacy address instead of using the web form. :func:`classify` reads the
subject and the new text of such a mail (quoted replies already stripped by the caller, forwarded
content kept) and returns the request types it finds, in English and Spanish, with cheaper cues
for French, German and Portuguese.

The rules are deliberately conservative. A wrong guess acts on the wrong right: it erases an
account the person only wanted a copy of, or it sends a copy of call recordings to someone who
asked to be forgotten. A mail with no clear ask costs one clarification reply. So a cue fires only
on an ask about the person's own data ("delete *my* data", not "delete a tracking number"),
a negated ask is ignored ("don't delete my account"), legal boilerplate and newsletter footers
are dropped before matching, and when nothing clear is asked no type is returned.

How it works:

1. Normalize: casefold, NFKD, drop combining marks (``supresion`` == ``supresión``), unify
   apostrophes, drop control characters. Only the first ``MAX_TEXT_CHARS`` of the text are read.
2. Split the text into sentences, one per line of a working string whose first line is the
   subject (reply/forward prefixes stripped). Sentences and lines that look like disclaimers or
   footers are dropped.
3. Run the rule table. Each rule has a language, a request type (or opt-out purposes), a
   pattern and a cue id. The patterns never cross a sentence, use bounded gaps of whole words
   and so cannot backtrack catastrophically. A match is dropped when a negator precedes it in
   the same clause, unless the negation is the cue itself ("do not sell", "no vendan").
4. Order the types by first evidence; derive opt-out purposes, jurisdiction and language.

Cue ids are ``<language>.<type>.<name>``; ``any`` marks language-neutral cues such as "Art. 17".
They name rules, never text from the mail.

Left unclear on purpose (the caller asks what the person wants):

* a bare "Access request" / "Solicitud de acceso" (in a SaaS it may be a login or permission request);
* "stop using / stop processing my data" (objection, restriction or erasure?);
* "dar de baja mi cuenta", "cancel my account" (closing an account is not necessarily an erasure);
* "remove my number from your call list", "stop calling me" (do-not-call, not a right we map);
* an enumeration of rights ("my rights of access, rectification, erasure"), usually quoted policy text;
* "limitar el uso de mis datos" without "sensibles": restriction or the CPRA sensitive-data opt-out;
* a negated or past-tense ask ("I don't know what data you have", "ya borré mi cuenta", "has my data
  been deleted?"), and "delete it" when no data of the person was named before;
* asks inside a sentence that also looks like a disclaimer ("keep this confidential and delete ...").
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from privacy_rights.core.models import US_STATES, Jurisdiction, OptOutPurpose, RequestType

__all__ = ["MAX_TEXT_CHARS", "Classification", "classify"]

_T = TypeVar("_T")

#: Only this much of the text is read: the ask is at the top, and the time stays bounded.
MAX_TEXT_CHARS = 20_000
MAX_SUBJECT_CHARS = 1_000


@dataclass(frozen=True)
class Classification:
    types: tuple[RequestType, ...]  # distinct, in order of first evidence in subject then text
    opt_out_of: tuple[OptOutPurpose, ...]  # non-empty iff RequestType.OPT_OUT in types
    jurisdiction: Jurisdiction | None  # only from explicit mentions; None when not stated
    us_state: str | None  # two-letter code when jurisdiction is us_state
    language: str  # "en", "es", "fr", "de", "pt" or "und"
    cues: tuple[str, ...]  # ids of the rules that fired; never text from the mail
    #: a withdrawal of consent (GDPR Art. 7(3)): the purposes named; empty with
    #: RequestType.WITHDRAW_CONSENT in types when none was named ("I withdraw my consent")
    consent_withdrawn: tuple[OptOutPurpose, ...] = ()

    @property
    def clear(self) -> bool:
        """Whether the mail asks for something; if not, the caller asks for clarification."""
        return bool(self.types)


# --- the pattern notation ----------------------------------------------------------------------
#
# Patterns are written against normalized text (lowercase, no accents) in a small notation:
#   " "    one or more separators inside a sentence (spaces, punctuation; never a line break)
#   "%"    an optional separator ("opt%out" matches "opt out", "opt-out" and "optout")
#   "~N"   up to N arbitrary words (lazy), written directly before the next word: "delete ~3my"
#   <NAME> a macro from _MACROS
# A literal space inside a character class or a lookbehind must be written as \x20.

_SEP = r"[^\w\n]+"
_OPT_SEP = r"[^\w\n]*"
_MACRO_REF = re.compile(r"<([A-Z][A-Z0-9_]*)>")
_GAP_REF = re.compile(r"~(\d)")

_MACROS: dict[str, str] = {
    # English
    "EN_DEL_VERB": r"(?:delete|deleting|erase|erasing|remove|removing|destroy|destroying|purge|purging|wipe|"
    r"wiping|scrub|scrubbing|expunge|expunging)",
    "EN_FILL": r"(?:(?:all|of|any|and|every|each|permanently|completely|entirely|fully|immediately|please|"
    r"kindly|also|just|now|the|existing|remaining|stored|copies|copy|trace|traces|a|an|bit|piece|pieces|"
    r"single|record|records|remnants) ){0,5}",
    "EN_OBJ": r"(?:data|information|info|accounts?|records?|recordings?|calls|call"
    r" (?:logs?|history|records?|recordings?|data)|(?:phone )?numbers?|details|profile|transcripts?|"
    r"voice(?:prints?| data| recordings?)?|history|pii|personal (?:data|information|info|details))\b",
    "EN_ACC_OBJ": r"(?:data|information|info|records?|recordings?|calls|call"
    r" (?:logs?|history|records?|recordings?|data)|files?|details|transcripts?|personal"
    r" (?:data|information|info|details|records))\b",
    "EN_PORT_OBJ": r"(?:data|information|info|personal (?:data|information|info))\b",
    "EN_CORR_FILL": r"(?:(?:the|spelling|of|all|please|kindly|also|incorrect|wrong|inaccurate|outdated|old|"
    r"misspelled) ){0,4}",
    "EN_CORR_OBJ": r"(?:names?|surname|(?:first|last|family|middle|full) name|e%?mail(?: address)?|"
    r"(?:postal |home |mailing |billing )?address|phone(?: number)?|(?:mobile |cell )?number|details|"
    r"contact (?:details|information|info)|information|info|data|records?|date of birth|birth%?date|dob|"
    r"spelling|title)\b",
    # "limit the use of my sensitive personal information" is an opt-out (CPRA), not a restriction
    "NOT_SENSITIVE": r"(?! ~6(?:sensitive|sensibles?|confidencial\w*|sensiveis|sensivel|sensibl\w*)\b)",
    "ABOUT_ME": r"(?:about|on|of|regarding|concerning|related to|associated with|linked to|from)"
    r" (?:me|myself)\b",
    "OPT_OUT": r"opt(?: (?:me|us))?%out",
    "NEG_LEAD": r"(?:do not|don'?t|dont|never|not to|stop|no longer)",
    "SALE_FILL": r"(?:(?:want|wish|you|to|ever|please|allow|permit|let|them|it|the|my|your|company|anyone|"
    r"anybody|any|further|more|longer|or|and|share|sharing|callx|us|we|i) ){0,6}",
    "AD_FILL": r"(?:(?:want|wish|show|showing|send|sending|serve|serving|use|using|process|processing|share|"
    r"sharing|my|our|data|information|info|personal|me|us|any|more|for|to|with|please|you|the|of|in|from|"
    r"all|receiving|seeing|getting|receive|see|get) ){0,6}",
    "AI": r"(?:ai|a%i|artificial intelligence|machine learning|ml|llms?|language models?|models?|train|"
    r"training|algorithms?)\b",
    "MKT": r"(?:marketing|promotional|promotions|promos|newsletters?|e%?mails|mailings|messages|texts|sms|"
    r"offers|ads|adverts|advertising|spam|junk|updates)\b",
    "ABOUT_ME_OR_MY": r"(?:<ABOUT_ME>|(?:about|on|of|regarding|concerning|related to|associated with|linked"
    r" to|tied to) my\b)",
    # Spanish
    "ES_POSS": r"(?:mis|mi|nuestros|nuestras|nuestro|nuestra)",
    "ES_FILL": r"(?:(?:todos|todas|todo|toda|los|las|de|del|por|favor|completamente|definitivamente|"
    r"permanentemente|inmediatamente|cualquier|tambien|el|la|lo|absolutamente|forma|manera|definitiva|"
    r"permanente|copia|copias) ){0,5}",
    "ES_OBJ": r"(?:datos|informacion|cuentas?|registros?|grabaciones|llamadas|numero|telefono|perfil|"
    r"expediente|historial|voz)\b",
    "ES_NOT_PARTICIPLE": r"(?<!ado)(?<!ada)(?<!ados)(?<!adas)(?<!ido)(?<!ida)(?<!idos)(?<!idas)\b",
    "ES_CORR_OBJ": r"(?:nombre|apellidos?|correo(?: electronico)?|e%?mail|direccion|domicilio|telefono|"
    r"numero(?: de telefono)?|datos|informacion|fecha de nacimiento|registros?)\b(?! de"
    r" (?:seguimiento|rastreo)\b)",
    "ES_MKT": r"(?:publicidad|correos|e%?mails?|mensajes|promociones|boletin\w*|newsletters?|comunicaciones|"
    r"ofertas|sms|propaganda)\b",
    # French, German, Portuguese
    "FR_POSS": r"(?:mes|mon|ma|nos|notre)",
    "FR_FILL": r"(?:(?:toutes|tous|toute|les|de|des|immediatement|definitivement|s|il|vous|plait|svp|"
    r"egalement) ){0,5}",
    "DE_POSS": r"(?:meine|meiner|meinen|mein|meines|unsere|unserer|unser)",
    "DE_OBJ": r"(?:daten|informationen|konto|kontos|account|kundenkonto|benutzerkonto|aufnahmen|"
    r"aufzeichnungen|anrufe|anrufdaten|nummer|telefonnummer|profil)\b",
    "DE_PROC": r"(?:verarbeitung|nutzung|profil\w*|analyse|auswertung|aufzeichnung|verwendung)\b",
    "PT_POSS": r"(?:meus|minhas|meu|minha|nossos|nossa|nosso)",
    "PT_FILL": r"(?:(?:todos|todas|os|as|o|a|de|do|da|dos|das|por|favor|definitivamente|permanentemente|"
    r"imediatamente|tambem) ){0,5}",
    "PT_OBJ": r"(?:dados|informacoes|informacao|conta|registros|gravacoes|chamadas|numero|telefone|perfil|"
    r"historico)\b",
}


def _expand(source: str) -> str:
    for _ in range(5):
        expanded = _MACRO_REF.sub(lambda ref: _MACROS[ref.group(1)], source)
        if expanded == source:
            break
        source = expanded
    source = _GAP_REF.sub(lambda gap: rf"(?:\w+{_SEP}){{0,{gap.group(1)}}}?", source)
    return source.replace("%", _OPT_SEP).replace(" ", _SEP)


def _compile(source: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(_expand(source), flags)


class _LazyPattern:
    """A rule's expression, expanded and compiled when a mail is first classified: the table's
    ~170 expressions cost a cold start ~40 ms to compile, which functions that import intake
    without classifying (the ops mail API) should not pay."""

    __slots__ = ("_compiled", "_flags", "_source")

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = _compile(self._source, self._flags)
        return self._compiled

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.compiled.groupindex

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text)

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        return self.compiled.match(text, pos)

    def search(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        return self.compiled.search(text, pos, endpos)


def _article(number: int) -> str:
    """A GDPR article: "Art. 17", "Article 17(1)", "artículo 17", "Artikel 17", "arts. 15 and 17"."""
    return (
        r"\bart(?:icle|iculo|ikel|igo)?s?\.?%(?:\d+(?:\(\d+\))? (?:(?:and|or|y|et|und|e) )?){0,4}"
        + rf"(?P<at>{number})\b"
    )


# --- the rule table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    cue: str
    kind: RequestType
    purposes: tuple[OptOutPurpose, ...]  # opt-out only; empty = a bare "opt out" (sale/share by default)
    pattern: _LazyPattern
    negatable: bool  # False when the negation is part of the cue ("do not sell")
    veto: _LazyPattern | None  # matched right after the cue: when it matches, the cue is not an ask
    needs_before: _LazyPattern | None  # "delete it": the data must be named in the preceding text
    weak: bool  # a "copy" ask that yields to a portability ask in the same sentence
    bare_right: bool  # names a right only; ignored inside an enumeration of rights

    @property
    def language(self) -> str:
        return self.cue.split(".", 1)[0]


def _rule(
    cue: str,
    target: RequestType | tuple[OptOutPurpose, ...],
    source: str,
    *,
    negatable: bool = True,
    veto: str | None = None,
    needs_before: str | None = None,
    weak: bool = False,
    bare_right: bool = False,
    flags: int = 0,
    withdrawal: bool = False,
) -> _Rule:
    """``withdrawal``: the purposes are those whose consent is withdrawn (GDPR Art. 7(3)), not
    opted out of; none named is a withdrawal of every consent."""
    kind = target if isinstance(target, RequestType) else RequestType.OPT_OUT
    if withdrawal:
        kind = RequestType.WITHDRAW_CONSENT
    purposes = () if isinstance(target, RequestType) else target
    return _Rule(
        cue=cue,
        kind=kind,
        purposes=purposes,
        pattern=_LazyPattern(source, flags),
        negatable=negatable,
        veto=_LazyPattern(veto) if veto else None,
        needs_before=_LazyPattern(needs_before) if needs_before else None,
        weak=weak,
        bare_right=bare_right,
    )


_ACCESS = RequestType.ACCESS
_PORTABILITY = RequestType.PORTABILITY
_DELETION = RequestType.DELETION
_CORRECTION = RequestType.CORRECTION
_RESTRICTION = RequestType.RESTRICTION
_OBJECTION = RequestType.OBJECTION

_SALE = (OptOutPurpose.SALE_SHARE,)
_ADS = (OptOutPurpose.TARGETED_ADS,)
_AI = (OptOutPurpose.AI_TRAINING,)
_MARKETING = (OptOutPurpose.MARKETING,)
_SENSITIVE = (OptOutPurpose.SENSITIVE_PI,)
_EVERYTHING = tuple(OptOutPurpose)
_BARE: tuple[OptOutPurpose, ...] = ()

# "remove my number from your mailing list" is a marketing opt-out, not an erasure.
_LIST_VETO = (
    r" (?:(?:completely|permanently|entirely|immediately|too|also) ){0,2}(?:from|off)"
    r" (?:of )?(?:your|the|all|this|these|any|all your|all of your|every)"
    r" (?:(?:mailing|e%?mail|marketing|distribution|newsletter|contact|subscriber|subscription|promotional|"
    r"sms|text|call|calling|phone|sales) )?lists?\b"
)
# "request for the deletion of a tracking number" is not about the person's data.
_OTHER_OBJECT_VETO = (
    r" (?:of )?(?:a|an|the|this|that|these|those|some|one|two|several)"
    r" (?!(?:personal|data|information|info|records?|account)\b)"
)
_EN_DATA_MENTION = (
    r"\b(?:my|our) ~2(?:data|information|info|account|records|recordings|details|profile|calls)\b|<ABOUT_ME>"
)
_ES_DATA_MENTION = r"\b(?:mis|mi|los|sus) ~1(?:datos|informacion|cuenta|registros|grabaciones)\b"

# --- withdrawal of consent (GDPR Art. 7(3)) -------------------------------------------------------
#
# What consent may be withdrawn for, in words: the purposes the data map bases on consent (intake
# checks them against the map). "Stop recording my calls" withdraws the consent a recording was
# made on; "I withdraw my consent" with nothing named withdraws every consent (intake reads it so).

_CONSENT_OBJECTS: dict[str, tuple[tuple[OptOutPurpose, ...], str, str]] = {
    # name: (purposes, English words, Spanish words)
    "marketing": (
        (OptOutPurpose.MARKETING,),
        r"(?:(?:direct|e%?mail|email) )?(?:marketing|promotional|promotions|newsletters?|mailings|offers|"
        r"advertising e%?mails)\b",
        r"(?:publicidad|marketing|comunicaciones comerciales|boletin\w*|newsletters?|promociones)\b",
    ),
    "recording": (
        (OptOutPurpose.RECORDING,),
        r"(?:(?:the )?record(?:ing|ings)? (?:of )?(?:(?:my|our|the|this|these|future) )?"
        r"(?:calls?|conversations?|voice)|(?:call|phone|voice) recordings?|recordings?|being recorded|"
        r"record(?:ing)? me)\b",
        r"(?:(?:la )?grabacion(?:es)?(?: de (?:mis|las|nuestras) (?:llamadas|conversaciones))?|grabar"
        r"(?:me)?(?: (?:mis|las) llamadas)?)\b",
    ),
    "sale_share": (
        (OptOutPurpose.SALE_SHARE,),
        r"(?:(?:the )?(?:sale|selling|sharing|share|sell) (?:of )?(?:my |our )?(?:personal )?"
        r"(?:data|information|info)|(?:sharing|share) ~3(?:advertising|ad) partners)\b",
        r"(?:(?:la )?(?:venta|cesion) (?:de )?(?:mis )?datos|compartir mis datos)\b",
    ),
    "targeted_ads": (
        (OptOutPurpose.TARGETED_ADS,),
        r"(?:targeted|personali[sz]ed|behaviou?ral|interest%based) (?:ads|advertising|advertisements)\b",
        r"publicidad (?:personalizada|dirigida|segmentada)\b",
    ),
}
#: what a bare withdrawal covers, as far as the mail can tell (intake takes the data map's)
_CONSENTS = frozenset(p for purposes, _, _ in _CONSENT_OBJECTS.values() for p in purposes)
_EN_WITHDRAW = (
    r"(?:withdraw|withdrawing|revoke|revoking|retract|retracting|rescind|rescinding|take back|taking back)"
)
_EN_CONSENT_LINK = r"(?:to|for|on|regarding|about|concerning|in respect of)"
#: between "consent to" and what it was for: a few words of one clause ("to the use of my data for
#: marketing"), never across a comma or a "but"/"not" ("to marketing, not to recording")
_EN_CONSENT_GAP = r"(?:(?!(?:but|not|no|nor|except|keep|only|besides|apart)\b)\w+[\x20/-]+){0,6}?"
_ES_CONSENT_GAP = r"(?:(?!(?:pero|no|ni|excepto|salvo|sino|mantener|mantengan)\b)\w+[\x20/-]+){0,6}?"
_ES_WITHDRAW = r"(?:retiro|revoco|retirar|revocar|retiramos|revocamos|retirando|revocando)"
_MACROS["ES_CONSENT_LINK"] = r"(?:para|a|al|de|del|sobre)"
#: "Can I withdraw my consent later?": a question about the right, not its use
_QUESTION_VETO = r"[^\n]*\?"


def _withdrawal_rules() -> tuple[_Rule, ...]:
    rules: list[_Rule] = []
    for name, (purposes, english, spanish) in _CONSENT_OBJECTS.items():
        rules += [
            _rule(
                f"en.withdraw_consent.{name}",
                purposes,
                rf"\b{_EN_WITHDRAW} (?:(?:all|any) )?(?:of )?(?:my|our|the|any) ~1consents?"
                rf" {_EN_CONSENT_LINK} {_EN_CONSENT_GAP}{english}|\bwithdrawal of (?:my |our )?consents?"
                rf" {_EN_CONSENT_LINK} {_EN_CONSENT_GAP}{english}",
                veto=_QUESTION_VETO,
                withdrawal=True,
            ),
            # the refusal is the cue: "I no longer consent to the recording of my calls"
            _rule(
                f"en.withdraw_consent.no_longer.{name}",
                purposes,
                rf"\b(?:i|we) (?:no longer|do not|don'?t|dont) (?:give (?:my |our )?)?consent"
                rf" {_EN_CONSENT_LINK} {_EN_CONSENT_GAP}{english}",
                negatable=False,
                withdrawal=True,
            ),
            _rule(
                f"es.withdraw_consent.{name}",
                purposes,
                rf"\b{_ES_WITHDRAW} ~1(?:mi|nuestro|el) consentimiento (?:para|a|al|de|del|sobre|respecto a)"
                rf" {_ES_CONSENT_GAP}{spanish}",
                veto=_QUESTION_VETO,
                withdrawal=True,
            ),
        ]
    rules += [
        _rule(
            "en.withdraw_consent.stop_recording",
            (OptOutPurpose.RECORDING,),
            r"\b(?:stop|cease|quit) recording (?:(?:all|any) )?(?:of )?(?:my|our)"
            r" ~1(?:calls?|conversations?|voice)\b",
            withdrawal=True,
        ),
        _rule(
            "en.withdraw_consent.do_not_record",
            (OptOutPurpose.RECORDING,),
            r"^(?:please )?(?:do not|don'?t|dont|never) record (?:me|us|(?:my|our|any of my) ~1(?:calls?|"
            r"conversations?|voice))\b",
            negatable=False,
            withdrawal=True,
            flags=re.MULTILINE,
        ),
        _rule(
            "es.withdraw_consent.dejen_de_grabar",
            (OptOutPurpose.RECORDING,),
            r"\b(?:dejen|deje|dejar) de grabar\w* ~1(?:mis|nuestras|las) ~1(?:llamadas|conversaciones)\b",
            withdrawal=True,
        ),
        # nothing named: every consent ("I withdraw my consent", "Withdrawal of consent")
        _rule(
            "en.withdraw_consent.bare",
            (),
            rf"\b{_EN_WITHDRAW} (?:(?:all|any) )?(?:of )?(?:my|our) consents?\b(?! ~1{_EN_CONSENT_LINK}\b)|"
            rf"\b(?:consent withdrawal|withdrawal of (?:my |our )?consents?)\b(?! ~1{_EN_CONSENT_LINK}\b)",
            veto=_QUESTION_VETO,
            withdrawal=True,
        ),
        _rule(
            "es.withdraw_consent.bare",
            (),
            rf"\b{_ES_WITHDRAW} (?:todo )?(?:mi|nuestro|el) consentimiento\b(?! <ES_CONSENT_LINK>\b)|"
            r"\b(?:retirada|revocacion) (?:de|del) (?:mi )?consentimiento\b(?! <ES_CONSENT_LINK>\b)",
            veto=_QUESTION_VETO,
            withdrawal=True,
        ),
    ]
    return tuple(rules)


_RULES: tuple[_Rule, ...] = (
    # ---- deletion ----
    _rule("en.deletion.erase", _DELETION, r"\b<EN_DEL_VERB> <EN_FILL>(?:my|our) ~3<EN_OBJ>", veto=_LIST_VETO),
    _rule(
        "en.deletion.about_me",
        _DELETION,
        r"\b<EN_DEL_VERB> <EN_FILL>(?:everything|anything|(?:personal )?(?:data|information|info|records))"
        r" ~6<ABOUT_ME>",
    ),
    _rule(
        "en.deletion.me_from",
        _DELETION,
        r"\b<EN_DEL_VERB> me (?:completely |entirely |permanently )?from"
        r" ~3(?:databases?|db|systems?|records|servers?|files|platform|crm|everything)\b",
    ),
    _rule(
        "en.deletion.want_deleted",
        _DELETION,
        r"\b(?:want|like|need|have|get|request|requesting|ask|asking|require|demand|ensure|sure|insist|"
        r"expect|wish) ~3(?:my|our) ~3<EN_OBJ> (?:to be |be |being |is |are )?(?:permanently |completely |"
        r"fully )?(?:deleted|erased|removed|destroyed|purged|wiped|forgotten)\b",
    ),
    _rule(
        "en.deletion.forgotten",
        _DELETION,
        r"\bright to (?:be forgotten|erasure|deletion|delete)\b|\bforget (?:about )?me\b|\b(?:be|being)"
        r" forgotten\b",
        bare_right=True,
    ),
    # "forget" only with data as its object: "I always forget my account number" is no ask
    _rule("en.deletion.forget", _DELETION, r"\bforget <EN_FILL>(?:my|our) ~2<EN_PORT_OBJ>"),
    _rule(
        "en.deletion.request",
        _DELETION,
        r"(?<!number\x20)(?<!tracking\x20)\b(?:deletion|erasure) request\b|\brequest(?:ing)?"
        r" (?:for |to )?(?:the )?(?:deletion|erasure|delete|erase)\b",
        veto=_OTHER_OBJECT_VETO,
    ),
    _rule(
        "en.deletion.noun_of",
        _DELETION,
        r"\b(?:deletion|erasure|removal|destruction) of <EN_FILL>(?:my|our) ~3<EN_OBJ>",
    ),
    _rule(
        "en.deletion.line",
        _DELETION,
        r"^(?:please )?(?:(?:data|account|personal data|information|gdpr|ccpa) )?(?:deletion|erasure)(?:"
        r" request)?(?: please)?[^\w\n]*$",
        flags=re.MULTILINE,
    ),
    _rule(
        "en.deletion.it",
        _DELETION,
        r"\b<EN_DEL_VERB> (?:it|them|all of it|all of them|that data|this data|the data|all of that)\b",
        needs_before=_EN_DATA_MENTION,
    ),
    # "Yes, please delete everything." (a reply to our question) names no data but leaves nothing out
    _rule(
        "en.deletion.everything",
        _DELETION,
        r"\b<EN_DEL_VERB> everything\b",
        veto=r" (?:in|on|from|under|inside) (?:the|this|that|my|our|your)"
        r" ~1(?:dashboard|app|application|folder|"
        r"inbox|campaign|reports?|portal|settings|cart|browser|phone|device|trash|downloads)\b",
    ),
    _rule(
        "es.deletion.borrar",
        _DELETION,
        r"\b(?:borr|elimin|suprim|destru|purg)\w*<ES_NOT_PARTICIPLE> <ES_FILL><ES_POSS> ~2<ES_OBJ>",
    ),
    _rule("es.deletion.cancelar", _DELETION, r"\bcancel\w*<ES_NOT_PARTICIPLE> <ES_FILL>(?:mis|los) datos\b"),
    _rule(
        "es.deletion.supresion",
        _DELETION,
        r"\b(?:supresion|eliminacion|borrado|destruccion) (?:de|del) <ES_FILL>(?:<ES_POSS> |los |las |sus"
        r" )?~1(?:datos|informacion|cuentas?|registros?|grabaciones|llamadas|perfil)\b",
    ),
    _rule(
        "es.deletion.me_de",
        _DELETION,
        r"\b(?:borr|elimin|suprim|sac|quit)\w*(?:me|nos) (?:de|del) ~2(?:bases? de datos|sistemas?|registros|"
        r"archivos|servidores|ficheros)\b",
    ),
    _rule(
        "es.deletion.olvido",
        _DELETION,
        r"\bderechos? (?:al|de) (?:olvido|supresion|cancelacion|borrado)\b",
        bare_right=True,
    ),
    _rule(
        "es.deletion.pasiva",
        _DELETION,
        r"\b<ES_POSS> ~1<ES_OBJ> ~2(?:sean|sea|queden|quede) ~1(?:eliminad|borrad|suprimid|destruid)\w*",
    ),
    _rule(
        "es.deletion.enclitico",
        _DELETION,
        r"\b(?:borr|elimin|suprim|destru)\w*(?:los|las|lo|la)\b",
        needs_before=_ES_DATA_MENTION,
    ),
    _rule(
        "fr.deletion.supprimer",
        _DELETION,
        r"\b(?:effac|supprim|detrui)\w* <FR_FILL><FR_POSS> ~1(?:donnees|informations|compte|enregistrements|"
        r"appels|numero|coordonnees|profil|historique)\b",
    ),
    _rule(
        "fr.deletion.suppression",
        _DELETION,
        r"\b(?:suppression|effacement) (?:de|des|du) (?:toutes )?<FR_POSS>"
        r" ~1(?:donnees|informations|compte|enregistrements)\b",
    ),
    _rule("fr.deletion.oubli", _DELETION, r"\bdroit (?:a )?(?:l )?(?:oubli|effacement)\b", bare_right=True),
    _rule("de.deletion.loeschen", _DELETION, r"\b(?:losch|loesch)\w* ~3<DE_POSS> ~2<DE_OBJ>"),
    _rule(
        "de.deletion.verb_final",
        _DELETION,
        r"\b<DE_POSS> ~2<DE_OBJ> ~4(?:zu )?(?:losch\w*|loesch\w*|entfern\w*|ge(?:lo|loe)scht"
        r" (?:werden|wird|haben))",
    ),
    _rule(
        "de.deletion.recht",
        _DELETION,
        r"\brecht auf (?:loschung|loeschung|vergessen%werden)\b",
        bare_right=True,
    ),
    _rule(
        "pt.deletion.apagar",
        _DELETION,
        r"\b(?:apag|exclu|elimin|delet|remov|destru)\w*<ES_NOT_PARTICIPLE> <PT_FILL><PT_POSS> ~1<PT_OBJ>",
    ),
    _rule(
        "pt.deletion.eliminacao",
        _DELETION,
        r"\b(?:eliminacao|exclusao|apagamento) (?:de|dos|das|do|da) (?:todos )?(?:os )?(?:<PT_POSS>"
        r" )?~1(?:dados|informacoes|conta|registros|gravacoes)\b",
    ),
    _rule(
        "pt.deletion.esquecimento",
        _DELETION,
        r"\bdireito (?:ao|de|a) (?:esquecimento|eliminacao|apagamento|exclusao)\b",
        bare_right=True,
    ),
    _rule("any.deletion.art17", _DELETION, _article(17)),
    # ---- access ----
    _rule("en.access.copy", _ACCESS, r"\bcop(?:y|ies) of ~4(?:my|our) ~3<EN_ACC_OBJ>", weak=True),
    _rule(
        "en.access.copy_about_me",
        _ACCESS,
        r"\bcop(?:y|ies) of ~3(?:data|information|info|records|recordings|everything) ~6<ABOUT_ME>",
        weak=True,
    ),
    _rule(
        "en.access.want_copy",
        _ACCESS,
        r"\b(?:want|need|request|like|get|receive|obtain|send me|give me|email me|provide me with|provide)"
        r" (?:just |only )?(?:a|an) (?:full |complete |electronic |digital )?copy(?=[^\w\x20]|$|"
        r" (?:please|thanks|thank you)\b)",
        weak=True,
    ),
    _rule(
        "en.access.access_to",
        _ACCESS,
        r"\baccess(?:ing)? (?:to )?<EN_FILL>(?:my|our) ~2(?:data|information|info|records|personal"
        r" (?:data|information|info|details|records))\b",
    ),
    _rule(
        "en.access.access_about_me",
        _ACCESS,
        r"\baccess to <EN_FILL>(?:personal )?(?:data|information|info|records) ~6<ABOUT_ME>",
    ),
    _rule(
        "en.access.what_data",
        _ACCESS,
        r"\b(?:what|which) ~2(?:data|information|info|records|details) ~6<ABOUT_ME_OR_MY>",
    ),
    _rule(
        "en.access.do_you_have",
        _ACCESS,
        r"\b(?:do|does) (?:you|callx|your company) (?:\w+ )?(?:have|hold|store|keep|process|retain|possess|"
        r"collect) ~2(?:data|information|info|records) ~3<ABOUT_ME_OR_MY>",
    ),
    _rule(
        "en.access.send_me",
        _ACCESS,
        r"\b(?:send|give|provide|email|show) (?:me )?(?:with )?<EN_FILL>(?:my|our) ~2<EN_PORT_OBJ>",
        weak=True,
    ),
    _rule(
        "en.access.send_me_about_me",
        _ACCESS,
        r"\b(?:send|give|provide|email|show|tell) (?:me )?(?:with )?~3(?:data|information|info|records|"
        r"everything) ~6<ABOUT_ME>",
        weak=True,
    ),
    _rule("en.access.right_to_know", _ACCESS, r"\b(?:right|request) to know\b"),
    _rule("en.access.right_of_access", _ACCESS, r"\brights? (?:of|to) access\b", bare_right=True),
    _rule(
        "en.access.sar", _ACCESS, r"\b(?:data )?subject access request\b|\bd?sar\b|\bdata access request\b"
    ),
    _rule(
        "en.access.categories",
        _ACCESS,
        r"\b(?:categories|specific pieces) of (?:personal )?(?:information|data)\b",
    ),
    _rule(
        "es.access.copia",
        _ACCESS,
        r"\bcopia (?:completa )?(?:de|del) <ES_FILL>(?:<ES_POSS>|los|las)"
        r" ~2(?:datos|informacion|registros|grabaciones|llamadas|expediente)\b",
        weak=True,
    ),
    _rule(
        "es.access.acceso",
        _ACCESS,
        r"\b(?:acceso|acceder) (?:a|al) <ES_FILL>(?:<ES_POSS>|los) ~1(?:datos|informacion|registros)\b",
    ),
    _rule("es.access.derecho", _ACCESS, r"\bderechos? (?:de|a|al) acceso\b", bare_right=True),
    _rule(
        "es.access.que_datos",
        _ACCESS,
        r"\b(?:que|cuales|cual) ~1(?:datos|informacion) ~4(?:tienen|tiene|tengan|guardan|guarda|guarden|"
        r"almacenan|almacena|conservan|conserva|tratan|trata|traten|poseen|posee|recopilan|recopila|procesan|"
        r"procesa|disponen|dispone)\b",
    ),
    _rule(
        "es.access.sobre_mi",
        _ACCESS,
        r"\b(?:tienen|tiene|guardan|almacenan|conservan|tratan|poseen) ~2(?:datos|informacion)"
        r" ~3(?:sobre|de|acerca de) mi\b",
    ),
    _rule(
        "es.access.envien",
        _ACCESS,
        r"\b(?:envi|mand|facilit|proporcion)\w* (?:me )?<ES_FILL><ES_POSS> ~1(?:datos|informacion)\b",
        weak=True,
    ),
    _rule("fr.access.droit", _ACCESS, r"\bdroit d acces\b", bare_right=True),
    _rule(
        "fr.access.copie",
        _ACCESS,
        r"\bcopie (?:de|des|du) (?:toutes )?<FR_POSS> ~1(?:donnees|informations|enregistrements)\b",
        weak=True,
    ),
    _rule(
        "fr.access.copie_a_mon_sujet",
        _ACCESS,
        r"\bcopie (?:de|des|du) (?:toutes )?(?:les )?(?:donnees|informations)"
        r" ~6(?:a mon sujet|me concernant|sur moi)\b",
        weak=True,
    ),
    _rule("fr.access.acces", _ACCESS, r"\bacces a (?:toutes )?<FR_POSS> ~1(?:donnees|informations)\b"),
    _rule(
        "fr.access.quelles",
        _ACCESS,
        r"\bquelles ~1(?:donnees|informations) ~4(?:avez|detenez|conservez|traitez|possedez|stockez|"
        r"collectez)\b",
    ),
    _rule(
        "de.access.auskunftsersuchen",
        _ACCESS,
        r"\bauskunfts(?:ersuchen|anfrage|antrag|anspruch|begehren)\b|\bdatenauskunft\b",
    ),
    _rule("de.access.recht", _ACCESS, r"\b(?:recht auf auskunft|auskunftsrecht)\b", bare_right=True),
    _rule(
        "de.access.auskunft",
        _ACCESS,
        r"\bauskunft ~5(?:daten|gespeichert\w*|dsgvo|uber mich|personenbezogen\w*)\b",
    ),
    _rule("de.access.kopie", _ACCESS, r"\bkopie ~2<DE_POSS> ~1daten\b", weak=True),
    _rule(
        "pt.access.acesso",
        _ACCESS,
        r"\bacesso (?:a|aos|as|ao) (?:todos )?(?:os )?<PT_POSS> ~1(?:dados|informacoes|informacao|"
        r"registros)\b",
    ),
    _rule(
        "pt.access.copia",
        _ACCESS,
        r"\bcopia (?:de|dos|das|do|da) (?:todos )?(?:os )?<PT_POSS> ~1(?:dados|informacoes|registros|"
        r"gravacoes)\b",
        weak=True,
    ),
    _rule("pt.access.direito", _ACCESS, r"\bdireito de acesso\b", bare_right=True),
    _rule(
        "pt.access.quais",
        _ACCESS,
        r"\bquais ~1(?:dados|informacoes) ~4(?:tem|possuem|possui|armazenam|guardam|tratam|mantem|coletam|"
        r"coletaram)\b",
    ),
    _rule("any.access.art15", _ACCESS, _article(15)),
    # ---- portability ----
    _rule(
        "en.portability.export",
        _PORTABILITY,
        r"\b(?:export|exporting|download|downloading) <EN_FILL>(?:my|our) ~2<EN_PORT_OBJ>",
    ),
    _rule(
        "en.portability.export_about_me",
        _PORTABILITY,
        r"\b(?:export|exporting|download|downloading) <EN_FILL>(?:data|information|info|everything)"
        r" ~6<ABOUT_ME>",
    ),
    _rule(
        "en.portability.portable",
        _PORTABILITY,
        r"(?<!number\x20)(?<!phone\x20)\bportability\b(?! of (?:my |the |our )?(?:phone )?numbers?\b)|"
        r"\bportable (?:format|copy|file|form|version)\b",
        bare_right=True,
    ),
    _rule(
        "en.portability.machine_readable", _PORTABILITY, r"\bmachine%readable\b|\bstructured commonly used\b"
    ),
    _rule(
        "en.portability.transfer",
        _PORTABILITY,
        r"\b(?:transfer|transmit|port|move) <EN_FILL>(?:my|our) ~2<EN_PORT_OBJ> (?:directly )?to\b",
    ),
    _rule(
        "es.portability.portabilidad",
        _PORTABILITY,
        r"\bportabilidad\b(?! (?:del|de) (?:mi |su |la )?(?:numero|linea|telefono)\b)",
        bare_right=True,
    ),
    _rule(
        "es.portability.exportar",
        _PORTABILITY,
        r"\b(?:export|descarg)\w* <ES_FILL><ES_POSS> ~1(?:datos|informacion)\b",
    ),
    _rule(
        "es.portability.formato",
        _PORTABILITY,
        r"\bformato (?:estructurado|legible por (?:una )?maquina|electronico de uso comun|de uso comun)\b",
    ),
    _rule(
        "es.portability.transferir",
        _PORTABILITY,
        r"\b(?:transfer|transfier|transmit|traslad|port)\w* <ES_FILL><ES_POSS> ~1(?:datos|informacion)"
        r" (?:a|hacia)\b",
    ),
    _rule("fr.portability.portabilite", _PORTABILITY, r"\bportabilite\b", bare_right=True),
    _rule("fr.portability.exporter", _PORTABILITY, r"\bexport\w* (?:toutes )?<FR_POSS> ~1donnees\b"),
    _rule(
        "de.portability.uebertragbarkeit", _PORTABILITY, r"\bdatenu(?:e)?bertragbarkeit\b", bare_right=True
    ),
    _rule(
        "de.portability.exportieren",
        _PORTABILITY,
        r"\bexport\w* ~2<DE_POSS> ~1daten\b|\b<DE_POSS> ~1daten ~3exportieren\b",
    ),
    _rule(
        "pt.portability.portabilidade",
        _PORTABILITY,
        r"\bportabilidade\b(?! (?:do|de|da) (?:meu |minha )?(?:numero|telefone|linha)\b)",
        bare_right=True,
    ),
    _rule(
        "pt.portability.exportar", _PORTABILITY, r"\bexport\w* <PT_FILL><PT_POSS> ~1(?:dados|informacoes)\b"
    ),
    _rule("any.portability.art20", _PORTABILITY, _article(20)),
    # ---- correction ----
    _rule(
        "en.correction.fix",
        _CORRECTION,
        r"\b(?:correct|correcting|rectify|rectifying|update|updating|fix|fixing|change|changing|amend|"
        r"amending|edit|modify) <EN_CORR_FILL>(?:my|our) ~2<EN_CORR_OBJ>(?!"
        r" (?:preferences|settings|subscriptions?|password|notifications?|exports?|plan|billing)\b)",
    ),
    _rule(
        "en.correction.wrong",
        _CORRECTION,
        r"\b(?:my|our) ~2<EN_CORR_OBJ> ~5(?:is|are|was|were|seems|seem|looks|look|appears|appear|has been|"
        r"have been) (?:\w+ )?(?:wrong|incorrect|inaccurate|misspell?ed|misspelt|outdated|out of date|not"
        r" (?:correct|accurate|right|up to date)|spelled wrong|spelt wrong|typed wrong|recorded wrong)\b",
    ),
    _rule(
        "en.correction.you_have_wrong",
        _CORRECTION,
        r"\b(?:have|got|spelled|spelt|spell|wrote|recorded|listed) (?:my|our) ~2<EN_CORR_OBJ>"
        r" (?:\w+ )?(?:wrong|wrongly|incorrectly|incorrect)\b|\bmisspell?(?:ed|t|ing) (?:my|our)"
        r" ~1<EN_CORR_OBJ>",
    ),
    _rule(
        "en.correction.the_x_of_mine",
        _CORRECTION,
        r"\b(?:correct|rectify|update|fix|change|amend) the <EN_CORR_OBJ>"
        r" (?:you have )?(?:linked to|associated with|on|for|of|in|under|attached to) (?:my|our)"
        r" ~1(?:name|account|profile|records?|file)\b",
    ),
    _rule(
        "en.correction.wrong_on_file",
        _CORRECTION,
        r"\b(?:wrong|incorrect|inaccurate|outdated|misspell?ed) <EN_CORR_OBJ>"
        r" ~2(?:on file|in your (?:records|system|database|files)|you have|you hold)\b",
    ),
    _rule(
        "en.correction.inaccurate",
        _CORRECTION,
        r"\b(?:inaccurate|incorrect|wrong|outdated) (?:personal )?(?:data|information|info|details|records)"
        r" ~4<ABOUT_ME>",
    ),
    _rule(
        "en.correction.right",
        _CORRECTION,
        r"\brights? (?:to|of) (?:rectification|correction|correct)\b|\brectification\b|\bcorrection"
        r" request\b",
        bare_right=True,
    ),
    _rule(
        "es.correction.corregir",
        _CORRECTION,
        r"\b(?:correg|corrij|rectific|rectifiq|actualic|actualiz|cambi|modific|modifiq)\w*<ES_NOT_PARTICIPLE>"
        r" (?:(?:la|el|los|las|ortografia|de|por|favor|todos|toda|tambien) ){0,4}<ES_POSS> ~1<ES_CORR_OBJ>",
    ),
    _rule(
        "es.correction.esta_mal",
        _CORRECTION,
        r"\b(?:mi|mis) ~1<ES_CORR_OBJ> ~4(?:(?:esta|estan|es|son|aparece|aparecen|figura|figuran)"
        r" (?:\w+ )?(?:mal|incorrect[oa]s?|erroneo\w*|errone\w*|equivocad\w*|desactualizad\w*)|no"
        r" (?:es|son|esta|estan) (?:\w+ )?correct[oa]s?)\b",
    ),
    _rule("es.correction.rectificacion", _CORRECTION, r"\brectificacion\b", bare_right=True),
    _rule(
        "fr.correction.rectifier",
        _CORRECTION,
        r"\b(?:rectifi|corrig|mettre a jour|mettez a jour)\w* <FR_FILL><FR_POSS>"
        r" ~1(?:nom|prenom|adresse|e%?mail|courriel|numero|donnees|informations|coordonnees|date de"
        r" naissance)\b",
    ),
    _rule(
        "de.correction.berichtigen",
        _CORRECTION,
        r"\b(?:berichtig|korrigier|aktualisier)\w* ~3<DE_POSS> ~1(?:name\w*|daten|adresse|anschrift|"
        r"e%?mail\w*|telefonnummer|nummer|geburtsdatum)\b|\b<DE_POSS> ~1(?:name\w*|daten|adresse|anschrift|"
        r"e%?mail\w*|telefonnummer|nummer|geburtsdatum) ~4(?:zu )?(?:berichtig|korrigier|aktualisier)\w*",
    ),
    _rule("de.correction.recht", _CORRECTION, r"\brecht auf berichtigung\b", bare_right=True),
    _rule(
        "pt.correction.corrigir",
        _CORRECTION,
        r"\b(?:corrig|corrij|retific|atualiz)\w*<ES_NOT_PARTICIPLE> <PT_FILL><PT_POSS>"
        r" ~1(?:nome|sobrenome|apelido|e%?mail|endereco|morada|telefone|numero|dados|informacoes|data de"
        r" nascimento)\b",
    ),
    _rule("pt.correction.retificacao", _CORRECTION, r"\bretificacao\b", bare_right=True),
    _rule("any.correction.art16", _CORRECTION, _article(16)),
    # ---- restriction ----
    _rule(
        "en.restriction.restrict",
        _RESTRICTION,
        r"\b(?:restrict|restricting|limit|limiting|suspend|suspending|freeze|freezing)"
        r" ~3(?:processing|process|use|usage|using)\b<NOT_SENSITIVE> (?:of )?(?:all )?(?:my|our)"
        r" ~2(?:data|information|info|records|recordings|calls|voice|personal (?:data|information|info))\b",
    ),
    _rule(
        "en.restriction.processing",
        _RESTRICTION,
        r"\brestrict(?:ion of|ing)? (?:the )?processing\b<NOT_SENSITIVE>",
    ),
    _rule("en.restriction.right", _RESTRICTION, r"\bright to (?:the )?restrict(?:ion)?\b", bare_right=True),
    _rule("es.restriction.limitar", _RESTRICTION, r"\blimit\w* ~1(?:del|el) tratamiento\b<NOT_SENSITIVE>"),
    _rule(
        "es.restriction.restringir",
        _RESTRICTION,
        r"\b(?:restring|restricc|suspend|suspension)\w* ~2tratamiento\b",
    ),
    _rule("es.restriction.derecho", _RESTRICTION, r"\bderechos? (?:a la|de) limitacion\b", bare_right=True),
    _rule("fr.restriction.limitation", _RESTRICTION, r"\blimit\w* (?:du|le) traitement\b<NOT_SENSITIVE>"),
    _rule(
        "de.restriction.einschraenkung",
        _RESTRICTION,
        r"\beinschrankung der verarbeitung\b|\bverarbeitung ~4einschranken\b",
    ),
    _rule("pt.restriction.limitacao", _RESTRICTION, r"\blimit\w* (?:do|o) tratamento\b<NOT_SENSITIVE>"),
    _rule("any.restriction.art18", _RESTRICTION, _article(18)),
    # ---- objection ----
    _rule(
        "en.objection.object_to",
        _OBJECTION,
        r"\bobject(?:ion|ing)? (?:to|against) ~5(?:processing|process|profiling|profile|scoring|score|"
        r"analysis|analy[sz]ing|analy[sz]e|use|using|recording|tracking|monitoring|recorded|profiled|scored|"
        r"analy[sz]ed|tracked|monitored)\b",
    ),
    _rule("en.objection.right", _OBJECTION, r"\bright to object\b", bare_right=True),
    _rule(
        "en.objection.stop_profiling",
        _OBJECTION,
        r"\b(?:stop|do not|don'?t|dont|never) (?:\w+ )?(?:profiling|profile|scoring|score|analy[sz]ing|"
        r"analy[sz]e) (?:me|my)\b",
        negatable=False,
    ),
    _rule(
        "es.objection.me_opongo",
        _OBJECTION,
        r"\b(?:me opongo|oponerme|opongo|oposicion) (?:a|al|a la|a que)"
        r" ~3(?:tratamiento|perfil\w*|analisis|analic\w*|analiz\w*|uso|usen|utilic\w*|grabacion\w*|grab\w*|"
        r"procesamiento|proces\w*|puntuacion|evaluacion|elaboracion)\b",
    ),
    _rule("es.objection.derecho", _OBJECTION, r"\bderechos? (?:de|a la) oposicion\b", bare_right=True),
    _rule(
        "fr.objection.oppose",
        _OBJECTION,
        r"\b(?:je m oppose|m opposer|opposition) (?:a|au|aux) (?:l |la )?~2(?:traitement|profilage|analyse|"
        r"utilisation|enregistrement|notation)\b",
    ),
    _rule("fr.objection.droit", _OBJECTION, r"\bdroit d opposition\b", bare_right=True),
    _rule(
        "de.objection.widerspruch",
        _OBJECTION,
        r"\bwidersprech\w* ~4<DE_PROC>|\bwiderspruch ~1gegen ~3<DE_PROC>",
    ),
    _rule("de.objection.recht", _OBJECTION, r"\bwiderspruchsrecht\b", bare_right=True),
    _rule(
        "pt.objection.oponho",
        _OBJECTION,
        r"\b(?:oponho me|me oponho|oposicao) (?:a|ao|a que|aos) ~3(?:tratamento|perfil\w*|analise|uso|"
        r"utilizacao|gravacao|grav\w*|processamento)\b",
    ),
    _rule("pt.objection.direito", _OBJECTION, r"\bdireito de oposicao\b", bare_right=True),
    _rule("any.objection.art21", _OBJECTION, _article(21)),
    # ---- opt-out: sale / sharing ----
    _rule("en.opt_out.do_not_sell", _SALE, r"\b(?:<NEG_LEAD>|no) <SALE_FILL>sell(?:ing)?\b", negatable=False),
    _rule(
        "en.opt_out.do_not_share",
        _SALE,
        r"\b<NEG_LEAD> <SALE_FILL>shar(?:e|ing) ~3(?:my|our) ~2(?:data|information|info|details|number|calls|"
        r"recordings|personal \w+)\b",
        negatable=False,
    ),
    _rule(
        "en.opt_out.opt_out_of_sale",
        _SALE,
        r"\b<OPT_OUT> (?:of|from) ~4(?:sale|sales|sell|selling|sold|sharing|share|shared)\b",
    ),
    _rule(
        "es.opt_out.no_vender",
        _SALE,
        r"\bno (?:(?:quiero|deseo|que|se|me|les|permito|autorizo) ){0,3}(?:vend|compart|ced)\w*"
        r" ~3(?:<ES_POSS>|los|la|sus) ~1(?:datos|informacion|numero|grabaciones|llamadas)\b",
        negatable=False,
    ),
    _rule("es.opt_out.exclusion_venta", _SALE, r"\bexclusion voluntaria de ~2(?:venta|vender|compartir)\b"),
    _rule(
        "fr.opt_out.ne_pas_vendre",
        _SALE,
        r"\bne (?:pas )?(?:vend|partag|cede)\w* (?:pas |jamais |plus )?~2<FR_POSS>"
        r" ~1(?:donnees|informations)\b",
        negatable=False,
    ),
    _rule(
        "de.opt_out.nicht_verkaufen",
        _SALE,
        r"\b(?:verkaufen|weitergeben|teilen) (?:sie )?~2<DE_POSS> ~1daten nicht\b|\b<DE_POSS> ~1daten nicht"
        r" (?:zu )?(?:verkaufen|weiterzugeben|weitergeben|teilen)\b",
        negatable=False,
    ),
    _rule(
        "pt.opt_out.nao_vender",
        _SALE,
        r"\bnao ~3(?:vend|compartilh|partilh|ced)\w* ~2<PT_POSS> ~1(?:dados|informacoes)\b",
        negatable=False,
    ),
    # ---- opt-out: targeted advertising ----
    _rule(
        "en.opt_out.targeted_ads",
        _ADS,
        r"\b(?:<OPT_OUT>|do not|don'?t|dont|never|stop|no|disable|turn off|remove me from|exclude me from|"
        r"object to|unsubscribe(?: me)? from|limit) <AD_FILL>(?:targeted|cross%context(?: behaviou?ral)?|"
        r"behaviou?ral|personali[sz]ed|interest%based|tailored) (?:advertising|ads|advertisements|adverts|"
        r"marketing)\b",
        negatable=False,
    ),
    _rule(
        "es.opt_out.publicidad",
        _ADS,
        r"\b(?:no|dejen de|deje de|sin|excluirme de|oponerme a|me opongo a|desactivar|darme de baja de|"
        r"<OPT_OUT> de) ~6(?:publicidad|anuncios) (?:personalizad|dirigid|segmentad|comportamental|"
        r"conductual|basad)\w*",
        negatable=False,
    ),
    _rule(
        "fr.opt_out.publicite",
        _ADS,
        r"\b(?:ne|pas|plus|sans|oppose|refuse) ~5publicites? (?:ciblee|personnalisee|comportementale)s?\b",
        negatable=False,
    ),
    _rule(
        "pt.opt_out.publicidade",
        _ADS,
        r"\b(?:nao|sem|parem de) ~6(?:publicidade|anuncios) (?:personalizad|direcionad|segmentad|"
        r"comportamental)\w*",
        negatable=False,
    ),
    # ---- opt-out: AI training ----
    _rule(
        "en.opt_out.ai_training",
        _AI,
        r"\b(?:<NEG_LEAD>|please do not) ~2(?:use|using|train(?:ing)? on|process(?:ing)?|feed(?:ing)?)"
        r" ~2(?:my|our) ~2(?:calls?|recordings?|voice|conversations?|data|information|transcripts?|audio)"
        r" ~6<AI>",
        negatable=False,
    ),
    _rule(
        "en.opt_out.ai_train_on",
        _AI,
        r"\b<NEG_LEAD> ~1train(?:ing)? ~3(?:ai|a%i|models?|algorithms?|llms?|systems?) (?:on|with|using)"
        r" ~2(?:my|our)\b",
        negatable=False,
    ),
    _rule(
        "en.opt_out.ai_opt_out",
        _AI,
        r"\b(?:<OPT_OUT>|exclude (?:me|us|my ~2(?:calls?|recordings?|voice|data|conversations?))) (?:of|from)"
        r" ~6(?:ai|a%i|artificial intelligence|machine learning|model training|llms?)\b",
    ),
    _rule(
        "es.opt_out.ia",
        _AI,
        r"\b(?:no|dejen de|deje de|nunca) ~3(?:us|utilic|emple|aprovech)\w* ~2<ES_POSS>"
        r" ~1(?:llamadas|grabaciones|voz|conversaciones|datos|transcripciones|audios?)"
        r" ~5(?:ia|i%a|inteligencia artificial|entrenar|entrenamiento|aprendizaje automatico|modelos?)\b",
        negatable=False,
    ),
    _rule(
        "es.opt_out.entrenar",
        _AI,
        r"\b(?:no|dejen de|deje de|nunca) ~1entren\w* ~3(?:con|usando) ~1<ES_POSS>"
        r" ~1(?:llamadas|grabaciones|voz|datos|conversaciones)\b",
        negatable=False,
    ),
    _rule(
        "fr.opt_out.ia",
        _AI,
        r"\b(?:ne|n|pas|plus) ~3utilis\w* ~2<FR_POSS> ~1(?:appels|enregistrements|voix|conversations|donnees)"
        r" ~5(?:ia|intelligence artificielle|entrainement|entrainer|apprentissage automatique|modeles?)\b",
        negatable=False,
    ),
    _rule(
        "pt.opt_out.ia",
        _AI,
        r"\bnao ~3(?:us|utiliz)\w* ~2<PT_POSS> ~1(?:chamadas|gravacoes|voz|conversas|dados)"
        r" ~5(?:ia|inteligencia artificial|treinar|treinamento|treino|aprendizado de maquina|modelos?)\b",
        negatable=False,
    ),
    # ---- opt-out: marketing ----
    _rule("en.opt_out.unsubscribe", _MARKETING, r"\bunsubscribe\b"),
    _rule(
        "en.opt_out.stop_sending",
        _MARKETING,
        r"\bstop (?:sending|emailing|texting|messaging|mailing|spamming|contacting) ~1(?:me|us) ~3<MKT>|"
        r"\bstop (?:emailing|spamming|texting) (?:me|us)\b",
        negatable=False,
    ),
    _rule(
        "en.opt_out.dont_send",
        _MARKETING,
        r"\b(?:do not|don'?t|dont|never) (?:send|email|text|contact) ~1(?:me|us) ~3<MKT>|"
        r"\b(?:do not|don'?t|dont|no longer) (?:want|wish) to (?:receive|get) ~3<MKT>",
        negatable=False,
    ),
    _rule(
        "en.opt_out.mailing_list",
        _MARKETING,
        r"\b(?:remove|take|delete|drop|unsubscribe|erase|strike) (?:me|us|my"
        r" ~2(?:e%?mail|e%?mail address|address|name|number|details|contact details)) (?:from|off)"
        r" (?:of )?(?:your|the|all|this|these|any|all your|all of your|every)"
        r" (?:(?:mailing|e%?mail|marketing|distribution|newsletter|contact|subscriber|subscription|"
        r"promotional|sms|text|sales|advertising) )?lists?\b(?! of\b)",
    ),
    _rule("en.opt_out.no_more", _MARKETING, r"\bno more <MKT>", negatable=False),
    _rule(
        "en.opt_out.marketing",
        _MARKETING,
        r"\b<OPT_OUT> (?:of|from) ~3(?:marketing|promotional|promotions|newsletters?|e%?mails|mailings|"
        r"communications|mailing lists?|messages|texts|sms|offers)\b",
    ),
    _rule(
        "es.opt_out.baja",
        _MARKETING,
        r"\b(?:dar|darme|darnos|darse|doy|denme|deme|den) de baja\b",
        veto=r" (?:de |del )?(?:mi |la |el |su )?(?:cuenta|servicio|plan|contrato|linea|numero)\b",
    ),
    _rule(
        "es.opt_out.no_recibir",
        _MARKETING,
        r"\bno (?:quiero|deseo) (?:seguir )?recibi\w* (?:mas )?~2<ES_MKT>",
        negatable=False,
    ),
    _rule(
        "es.opt_out.dejen_de_enviar",
        _MARKETING,
        r"\b(?:dejen|deje|dejar) de (?:enviar|mandar)\w* ~2<ES_MKT>",
        negatable=False,
    ),
    _rule(
        "es.opt_out.lista",
        _MARKETING,
        r"\b(?:sac|quit|elimin|borr|retir|exclu)\w*(?:me|nos) (?:de|del)"
        r" ~2(?:lista|listas|listado|boletin|newsletter)\b",
    ),
    _rule(
        "es.opt_out.no_mas",
        _MARKETING,
        r"\bno mas (?:publicidad|correos|emails|spam|promociones|boletines|mensajes)\b",
        negatable=False,
    ),
    _rule("es.opt_out.desuscribir", _MARKETING, r"\b(?:desuscrib|desinscrib|desabon)\w*"),
    _rule(
        "fr.opt_out.desabonner",
        _MARKETING,
        r"\b(?:desabonn|desinscri)\w*|\bne plus recevoir ~3(?:e%?mails|courriels|newsletters?|publicites?|"
        r"messages|offres|lettres? d information)\b",
    ),
    _rule(
        "de.opt_out.abmelden",
        _MARKETING,
        r"\b(?:newsletter|verteiler|mailingliste|werbung|werbe\w*|marketing\w*|e%?mails?)"
        r" ~3(?:abmelden|abbestellen|austragen|entfernen)\b",
    ),
    _rule(
        "de.opt_out.keine_werbung",
        _MARKETING,
        r"\bkeine (?:weitere |weiteren )?(?:werbung|werbe\w*|marketing\w*|newsletter)\b",
        negatable=False,
    ),
    _rule(
        "pt.opt_out.descadastrar",
        _MARKETING,
        r"\b(?:descadastr|desinscrev)\w*|\bnao (?:quero|desejo) (?:mais )?receber"
        r" ~2(?:e%?mails?|publicidade|propaganda|mensagens|newsletters?|promocoes|marketing|ofertas|sms)\b",
        negatable=False,
    ),
    # ---- opt-out: sensitive personal information ----
    _rule(
        "en.opt_out.sensitive",
        _SENSITIVE,
        r"\blimit ~2(?:use|using|usage|disclosure|processing|sharing) ~4sensitive\b|\b(?:<NEG_LEAD>)"
        r" ~2(?:use|using|process|processing|share|sharing|disclose|disclosing|sell|selling) ~3sensitive\b|"
        r"\b<OPT_OUT> (?:of|from) ~5sensitive\b",
        negatable=False,
    ),
    _rule(
        "es.opt_out.sensibles",
        _SENSITIVE,
        r"\blimit\w* (?:el |la )?(?:uso|tratamiento|divulgacion) ~5(?:sensibles?|confidencial\w*)\b|"
        r"\b(?:no|dejen de) ~3(?:us|utilic|trat|compart|vend)\w* ~2datos (?:personales )?sensibles\b",
        negatable=False,
    ),
    # ---- opt-out: everything, or a bare "opt out" (sale/sharing unless a purpose is named) ----
    _rule(
        "en.opt_out.everything",
        _EVERYTHING,
        r"\b<OPT_OUT> (?:of|from) ~8(?:everything|all of it|all of the above|all of them)\b|\b<OPT_OUT>"
        r" (?:of|from) all(?=[^\w\x20]|$)",
    ),
    _rule(
        "es.opt_out.todo",
        _EVERYTHING,
        r"\b(?:excluirme|exclusion voluntaria|<OPT_OUT>) de todo(?=[^\w\x20]|$)",
    ),
    _rule("en.opt_out.bare", _BARE, r"\b<OPT_OUT>\b(?! (?:of|from|de|do|da)\b)"),
    _rule("es.opt_out.exclusion", _BARE, r"\bexclusion voluntaria\b(?! de\b)"),
    *_withdrawal_rules(),
)

_RULE_ORDER = {rule.cue: index for index, rule in enumerate(_RULES)}

# --- negation ----------------------------------------------------------------------------------

_NEGATORS = frozenset(
    {
        "not", "no", "never", "don't", "dont", "doesn't", "doesnt", "didn't", "didnt", "won't", "wont",
        "can't", "cant", "cannot", "shouldn't", "wouldn't", "mustn't", "isn't", "aren't", "without", "nor",
        "neither", "nunca", "jamas", "ni", "sin", "tampoco", "ne", "n'", "pas", "jamais", "sans", "nicht",
        "kein", "keine", "keinen", "keiner", "nie", "niemals", "ohne", "nao", "nem", "sem",
    }
)  # fmt: skip
#: Negators that follow the verb: German ("löschen Sie meine Daten nicht") and French ("pas").
_TRAILING_NEGATORS = {
    "de": frozenset({"nicht", "kein", "keine", "keinen", "nie", "niemals"}),
    "fr": frozenset({"pas", "jamais"}),
}
#: "ya borré mi cuenta", "j'ai supprimé mon compte": a report of the past, not an ask.
_PAST_MARKERS = frozenset({"ya", "already", "j'ai", "deja"})
_NEGATION_WINDOW_WORDS = 4
_NEGATION_WINDOW_CHARS = 80
_CLAUSE_BREAK = re.compile(
    r"[,;:.!?()\[\]\"]|\b(?:but|so|then|however|pero|sino|luego|entonces|mais|donc|aber|sondern|mas|porem|"
    r"entao)\b"
)
_TOKEN = re.compile(r"[\w']+")


def _negated(rule: _Rule, work: str, start: int, end: int) -> bool:
    line_start = work.rfind("\n", 0, start) + 1
    prefix = work[max(line_start, start - _NEGATION_WINDOW_CHARS) : start]
    clause = _CLAUSE_BREAK.split(prefix)[-1]
    before = _TOKEN.findall(clause)[-_NEGATION_WINDOW_WORDS:]
    if any(token in _NEGATORS for token in before):
        return True
    if before and before[-1] in _PAST_MARKERS:
        return True
    trailing = _TRAILING_NEGATORS.get(rule.language)
    if trailing:
        line_end = work.find("\n", end)
        after = _TOKEN.findall(work[end : line_end if line_end >= 0 else len(work)][:40])[:2]
        if any(token in trailing for token in (*_TOKEN.findall(work[start:end]), *after)):
            return True
    return False


# --- preparing the text ------------------------------------------------------------------------

_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'", "\u2032": "'"}
)
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_SUBJECT_PREFIX = re.compile(
    r"^(?:\s*(?:re|fwd?|fw|tr|aw|wg|rv|enc|sv|vs|antw|ref|res|r)\s*(?:\[\d+\]|\(\d+\))?\s*:)+"
)
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_ABBREVIATION_END = re.compile(
    r"(?:^|[^\w])(?:art|arts|no|nr|num|e\.g|i\.e|p\.ej|p\.ex|z\.b|sr|sra|dr|mr|mrs|ms|st|vs|ca|approx|ref|"
    r"tel|inc|ltd|co)\.$"
)
#: Disclaimers, signatures' environmental notes and newsletter footers: never an ask of the sender.
_BOILERPLATE = _compile(
    "|".join(
        (
            r"\bintended (?:\w+ ){0,3}?(?:recipient|addressee)s?\b",
            r"\b(?:received|receive|receiving|got) (?:\w+ ){0,4}?(?:in|by) (?:error|mistake)\b",
            r"\b(?:confidential(?:ity)?|privileged)\b",
            r"\bbefore (?:you )?print(?:ing)?\b|\bconsider the environment\b",
            r"\bdestinatari[oa]s?\b|\bconfidencial(?:es|idad)?\b|\bantes de imprimir\b",
            r"\b(?:recibid[oa]|recibio|recebid[oa]|recebeu|llegado) (?:\w+ ){0,4}?por"
            r" (?:error|equivocacion|engano)\b",
            r"\bpor (?:error|engano) (?:\w+ ){0,4}?(?:recibid|notifi|borr|elimin|destru|comuniq|apag)\w*",
            r"\bdestinataire\b|\bpar erreur\b|\bconfidentiel(?:le)?s?\b|\bavant d imprimer\b",
            r"\bempfanger\b|\birrtumlich\b|\bvertraulich\w*",
            r"\bclick (?:\w+ ){0,3}?unsubscribe\b|\bunsubscribe (?:here|link|below|at any time|anytime)\b",
            r"\bif you (?:\w+ ){0,2}?no longer wish to receive\b|\bif you (?:would )?prefer not to receive\b",
            r"\byou (?:are )?receiv\w* this (?:e%?mail|message|newsletter)\b",
            r"\bmanage (?:your )?(?:e%?mail )?(?:preferences|subscriptions?)\b|\bview (?:\w+ ){0,2}?in"
            r" (?:your )?browser\b",
            r"\bhaga clic (?:\w+ ){0,4}?baja\b|\bcancelar (?:la )?suscripcion aqui\b",
        )
    )
)
_LINK_SEPARATORS = ("|", "\u2022", "\u00b7")  # "Privacy Policy | Terms | Do Not Sell My Info"


def _normalize(value: str) -> str:
    value = _LINE_BREAKS.sub("\n", value).translate(_APOSTROPHES)
    value = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", value).casefold())
    value = "".join(ch for ch in value if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    return _CONTROL.sub(" ", value)


def _is_boilerplate(sentence: str) -> bool:
    if sum(sentence.count(separator) for separator in _LINK_SEPARATORS) >= 2:
        return True  # a bar of footer links
    return _BOILERPLATE.search(sentence) is not None


def _without_boilerplate(sentences: list[str]) -> str:
    return " ".join(sentence for sentence in sentences if not _is_boilerplate(sentence))


def _sentences(text: str) -> list[str]:
    kept: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        # Disclaimers are dropped per line first (a footer line rarely ends with a full stop), then per
        # sentence once hard-wrapped lines are joined again.
        lines = (_without_boilerplate(_SENTENCE_END.split(line)) for line in paragraph.split("\n"))
        flat = " ".join(" ".join(lines).split())
        if not flat:
            continue
        merged: list[list[str]] = []
        for piece in _SENTENCE_END.split(flat):
            if merged and _ABBREVIATION_END.search(merged[-1][-1][-12:]):
                merged[-1].append(piece)  # "Art. 17" does not end a sentence
            else:
                merged.append([piece])
        kept.extend(
            sentence for sentence in (" ".join(parts) for parts in merged) if not _is_boilerplate(sentence)
        )
    return kept


def _prepare(subject: str, text: str) -> str:
    """One sentence per line; the subject line first."""
    subject_line = " ".join(_normalize(subject[:MAX_SUBJECT_CHARS]).split())
    subject_line = _SUBJECT_PREFIX.sub("", subject_line).strip()
    return "\n".join([subject_line, *_sentences(_normalize(text[:MAX_TEXT_CHARS]))])


# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    position: int
    line: int
    rule: _Rule


def _accepted(rule: _Rule, work: str, match: re.Match[str]) -> bool:
    if rule.veto is not None and rule.veto.match(work, match.end()):
        return False
    if rule.needs_before is not None and not rule.needs_before.search(
        work, max(0, match.start() - 300), match.start()
    ):
        return False
    return not (rule.negatable and _negated(rule, work, match.start(), match.end()))


_RIGHT_NAME = (
    r"(?:access|rectification|erasure|deletion|portability|restriction|objection|acceso|rectificacion|"
    r"cancelacion|oposicion|supresion|portabilidad|limitacion|acces|portabilite|opposition|effacement|"
    r"loschung|berichtigung|auskunft|widerspruch|acesso|retificacao|eliminacao|portabilidade|oposicao|"
    r"limitacao)"
)
#: "my rights of access, rectification, erasure and objection": a list of rights, not an ask for one.
_RIGHTS_ENUMERATION = _compile(rf"\b{_RIGHT_NAME}(?: (?:(?:and|y|et|e|und|or|o|ou) )?{_RIGHT_NAME}){{2,}}\b")


def _hits(work: str) -> list[_Hit]:
    line_starts = [0, *(index + 1 for index, ch in enumerate(work) if ch == "\n")]
    found: list[_Hit] = []
    for rule in _RULES:
        for match in rule.pattern.finditer(work):
            if _accepted(rule, work, match):
                line = bisect.bisect_right(line_starts, match.start()) - 1
                position = match.start("at") if "at" in rule.pattern.groupindex else match.start()
                found.append(_Hit(position, line, rule))

    def line_text(line: int) -> str:
        end = line_starts[line + 1] - 1 if line + 1 < len(line_starts) else len(work)
        return work[line_starts[line] : end]

    enumerations = {
        hit.line for hit in found if hit.rule.bare_right and _RIGHTS_ENUMERATION.search(line_text(hit.line))
    }
    found = [hit for hit in found if not (hit.rule.bare_right and hit.line in enumerations)]
    portability_lines = {hit.line for hit in found if hit.rule.kind is RequestType.PORTABILITY}
    found = [hit for hit in found if not (hit.rule.weak and hit.line in portability_lines)]
    found.sort(key=lambda hit: (hit.position, _RULE_ORDER[hit.rule.cue]))
    return found


def _distinct(items: Iterable[_T]) -> tuple[_T, ...]:
    return tuple(dict.fromkeys(items))


def _opt_out_purposes(hits: list[_Hit]) -> tuple[OptOutPurpose, ...]:
    named = _distinct(
        purpose for hit in hits if hit.rule.kind is RequestType.OPT_OUT for purpose in hit.rule.purposes
    )
    if named:
        return named
    if any(hit.rule.kind is RequestType.OPT_OUT for hit in hits):
        return (OptOutPurpose.SALE_SHARE,)  # a bare "opt out": the CCPA meaning
    return ()


# --- jurisdiction ------------------------------------------------------------------------------

_STATE_CODES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "washington dc": "DC",
    "washington d c": "DC", "florida": "FL", "georgia": "GA", "hawaii": "HI", "hawai": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "luisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "misisipi": "MS", "missouri": "MO", "misuri": "MO",
    "montana": "MT", "nebraska": "NE", "nevada": "NV", "new hampshire": "NH", "nuevo hampshire": "NH",
    "new jersey": "NJ", "nueva jersey": "NJ", "new mexico": "NM", "nuevo mexico": "NM", "new york": "NY",
    "nueva york": "NY", "north carolina": "NC", "carolina del norte": "NC", "north dakota": "ND",
    "dakota del norte": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "pensilvania": "PA", "rhode island": "RI", "south carolina": "SC", "carolina del sur": "SC",
    "south dakota": "SD", "dakota del sur": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT",
    "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "virginia occidental": "WV", "wisconsin": "WI", "wyoming": "WY", "puerto rico": "PR",
}  # fmt: skip
#: Acronyms of state privacy laws that are unambiguous.
_STATE_ACTS = {
    "vcdpa": "VA", "ctdpa": "CT", "ucpa": "UT", "tdpsa": "TX", "ocpa": "OR", "njdpa": "NJ", "modpa": "MD",
    "kcdpa": "KY", "dpdpa": "DE", "ridtppa": "RI",
}  # fmt: skip
_MACROS["STATE"] = "(?P<state>" + "|".join(sorted(_STATE_CODES, key=len, reverse=True)) + ")"

_JURISDICTION_PATTERNS: tuple[tuple[re.Pattern[str], Jurisdiction | None], ...] = (
    (
        _compile(
            r"\b(?:ccpa|cpra)\b|\bcalifornia (?:consumer privacy|privacy rights) act\b|\bca residents?\b"
        ),
        Jurisdiction.CCPA,
    ),
    (
        _compile(
            r"\b(?:uk )?gdpr\b|\b(?:rgpd|dsgvo|lopdgdd|lopd)\b|\bgeneral data protection regulation\b|"
            r"\breglamento general de proteccion de datos\b|\breglement general sur la protection des"
            r" donnees\b|\bdatenschutz%grundverordnung\b|\bregulamento geral (?:sobre a|de) protecao de"
            r" dados\b|\b2016 679\b|\bart(?:icle|iculo|ikel|igo)?s?\.?%(?:1[5-9]|2[0-2])\b"
        ),
        Jurisdiction.GDPR,
    ),
    (_compile(r"\b(?:lgpd|pipeda)\b|\blei geral de protecao de dados\b"), Jurisdiction.OTHER),
    (_compile(r"\b(?P<acr>" + "|".join(_STATE_ACTS) + r")\b"), None),
    (
        _compile(
            r"\b(?:resident of|residing in|reside in|i live in|living in|residente (?:de|en|em|no|na)|resido"
            r" en|vivo en|moro (?:em|no|na)|wohnhaft in|ich wohne in|habitant (?:de|du|en)|j habite"
            r" (?:en|au|dans le)) (?:the )?(?:state of |el estado de |o estado de |l etat de )?<STATE>\b"
        ),
        None,
    ),
    (_compile(r"\b<STATE> (?:state )?residents?\b"), None),
    (
        _compile(
            r"\b<STATE>(?: (?:consumer|consumers|data|personal|online|privacy|protection|information|and|"
            r"security|digital|rights|of|bill|identity))* (?:act|law)\b"
        ),
        None,
    ),
)


def _jurisdiction(work: str) -> tuple[Jurisdiction | None, str | None]:
    best: tuple[int, Jurisdiction, str | None] | None = None
    for pattern, jurisdiction in _JURISDICTION_PATTERNS:
        match = pattern.search(work)
        if match is None or (best is not None and match.start() >= best[0]):
            continue
        if jurisdiction is not None:
            best = (match.start(), jurisdiction, None)
            continue
        groups = match.groupdict()
        code = _STATE_ACTS.get(groups.get("acr") or "") or _STATE_CODES.get(
            " ".join(_TOKEN.findall(groups.get("state") or ""))
        )
        if code == "CA":
            best = (match.start(), Jurisdiction.CCPA, None)
        elif code in US_STATES:
            best = (match.start(), Jurisdiction.US_STATE, code)
    return (best[1], best[2]) if best else (None, None)


# --- language ----------------------------------------------------------------------------------

#: Frequent words per language (normalized, so without accents); cue hits count too.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        ("the", "and", "my", "please", "data", "you", "your", "i", "to", "of", "is", "me", "with", "for",
         "this", "that", "would", "like", "want", "information", "have", "delete", "thanks", "thank",
         "hello", "hi", "from")
    ),
    "es": frozenset(
        ("mis", "datos", "el", "los", "las", "mi", "quiero", "del", "gracias", "hola", "solicito", "sus",
         "informacion", "y", "usted", "ustedes", "pero", "cuenta", "favor", "por", "una", "con", "esta",
         "es", "lo", "al", "se")
    ),
    "fr": frozenset(
        ("je", "vous", "les", "des", "mes", "donnees", "est", "une", "pour", "avec", "merci", "bonjour",
         "le", "et", "mon", "ma", "votre", "vos", "pas", "ne", "sur", "au", "aux", "suis", "moi")
    ),
    "de": frozenset(
        ("ich", "und", "die", "der", "das", "meine", "meiner", "daten", "bitte", "nicht", "sie", "mit",
         "ist", "zu", "von", "mein", "ihre", "ihr", "danke", "hallo", "auf", "fur", "den", "dem", "nach")
    ),
    "pt": frozenset(
        ("os", "meus", "minha", "meu", "dados", "voce", "voces", "nao", "obrigado", "obrigada", "ola",
         "gostaria", "minhas", "seus", "conta", "da", "dos", "das", "ao", "aos", "sao", "eu")
    ),
}  # fmt: skip
_CUE_WEIGHT = 3
_MAX_LANGUAGE_TOKENS = 3_000


def _language(work: str, hits: list[_Hit]) -> str:
    counts = Counter(_TOKEN.findall(work)[:_MAX_LANGUAGE_TOKENS])
    scores = {lang: sum(counts[word] for word in words) for lang, words in _STOPWORDS.items()}
    for hit in hits:
        if hit.rule.language in scores:
            scores[hit.rule.language] += _CUE_WEIGHT
    best = max(scores, key=lambda lang: scores[lang])  # ties: the first in _STOPWORDS order
    return best if scores[best] > 0 else "und"


# --- entry point -------------------------------------------------------------------------------


def classify(subject: str, text: str) -> Classification:
    """The rights asked for in a mail; no types when nothing clear is asked."""
    work = _prepare(subject, text)
    hits = _hits(work)
    types = _distinct(hit.rule.kind for hit in hits)
    opt_out_of = _opt_out_purposes(hits)
    withdrawn = _withdrawn_purposes(hits)
    both = RequestType.WITHDRAW_CONSENT in types and RequestType.OPT_OUT in types
    if both and set(opt_out_of) <= set(withdrawn or _CONSENTS):
        # "unsubscribe me, I withdraw my consent to marketing": one request, the withdrawal
        types = tuple(kind for kind in types if kind is not RequestType.OPT_OUT)
        opt_out_of = ()
    jurisdiction, us_state = _jurisdiction(work)
    return Classification(
        types=types,
        opt_out_of=opt_out_of,
        jurisdiction=jurisdiction,
        us_state=us_state,
        language=_language(work, hits),
        cues=_distinct(hit.rule.cue for hit in hits),
        consent_withdrawn=withdrawn,
    )


def _withdrawn_purposes(hits: list[_Hit]) -> tuple[OptOutPurpose, ...]:
    """The purposes a withdrawal names; none when a bare withdrawal ("I withdraw my consent")
    is among the hits: it withdraws every consent, whatever else is named."""
    withdrawals = [hit for hit in hits if hit.rule.kind is RequestType.WITHDRAW_CONSENT]
    if any(not hit.rule.purposes for hit in withdrawals):
        return ()
    return _distinct(purpose for hit in withdrawals for purpose in hit.rule.purposes)
