"""Which purposes an objection (GDPR Art. 21) may name, from the data map: those it bases on
legitimate interests; and which a withdrawal of consent (Art. 7(3)) may name: those it bases on
consent. Direct marketing is among them and is special: an objection to it always
stops it (Art. 21(3)), so no compelling grounds can be recorded for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from privacy_rights.core.errors import ValidationFailed
from privacy_rights.core.models import OptOutPurpose
from privacy_rights.preferences.preferences import NO_GROUNDS_PURPOSES, Purpose

if TYPE_CHECKING:
    from privacy_rights.core.data_map import DataMap

#: the field of the request that names the purposes (``SubmitRequest.object_to``)
FIELD = "object_to"


def objectable_purposes(data_map: DataMap) -> tuple[Purpose, ...]:
    """The purposes the data map bases on legitimate interests, as the "may I process?" check
    names them. A purpose the check does not know cannot be stopped by it: refused loudly."""
    named = data_map.purposes_based_on("legitimate_interests")
    unknown = [purpose for purpose in named if purpose not in Purpose.__members__.values()]
    if unknown:
        raise ValueError(f"purposes on legitimate interests the may-process check does not know: {unknown}")
    return tuple(Purpose(purpose) for purpose in named)


def named_purposes(
    named: Sequence[str], data_map: DataMap, everything_if_none: bool = False
) -> tuple[str, ...]:
    """The purposes an objection names, checked: each one the data map bases on legitimate
    interests, none twice. ``everything_if_none``: a request that names none (an email saying
    "I object") objects to every such purpose; otherwise naming none is refused."""
    allowed = [purpose.value for purpose in objectable_purposes(data_map)]
    choices = ", ".join(allowed)
    if not named:
        if everything_if_none:
            return tuple(allowed)
        raise ValidationFailed({FIELD: f"name the processing you object to: one or more of {choices}"})
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for index, purpose in enumerate(named):
        where = f"{FIELD}[{index}]"
        if purpose in seen:
            problems[where] = f"{purpose} is named twice"
        elif purpose not in data_map.purposes:
            problems[where] = f"{purpose} is not a purpose CallX processes data for; one of {choices}"
        elif purpose not in allowed:
            bases = ", ".join(data_map.legal_bases[purpose])
            problems[where] = (
                f"{purpose} is not based on legitimate interests ({bases}), "
                f"so there is nothing to object to under GDPR Article 21; one of {choices}"
            )
        seen.add(purpose)
    if problems:
        raise ValidationFailed(problems)
    return tuple(named)


def grounds_possible(purpose: str) -> bool:
    """Whether compelling legitimate grounds can ever override an objection to ``purpose``."""
    return purpose not in {p.value for p in NO_GROUNDS_PURPOSES}


if TYPE_CHECKING:
    from privacy_rights.core.data_map import DataMap

#: the field of the request that names the purposes consent is withdrawn for
CONSENT_FIELD = "consent_to_withdraw"


def consent_purposes(data_map: DataMap) -> tuple[OptOutPurpose, ...]:
    """The purposes the data map bases on consent, as opt-outs name them: a withdrawal (GDPR
    Art. 7(3)) is acted on like an opt-out of each. One the opt-outs do not know is refused."""
    named = data_map.purposes_based_on("consent")
    unknown = [purpose for purpose in named if purpose not in OptOutPurpose.__members__.values()]
    if unknown:
        raise ValueError(f"purposes on consent no opt-out stops: {unknown}")
    return tuple(OptOutPurpose(purpose) for purpose in named)


def named_consents(named: Sequence[str], data_map: DataMap) -> tuple[OptOutPurpose, ...]:
    """The purposes a withdrawal names, checked one by one against the data map."""
    allowed = [purpose.value for purpose in consent_purposes(data_map)]
    choices = ", ".join(allowed)
    if not named:
        raise ValidationFailed(
            {CONSENT_FIELD: f"name what you withdraw your consent to: one or more of {choices}"}
        )
    problems: dict[str, str] = {}
    for index, purpose in enumerate(named):
        where = f"{CONSENT_FIELD}[{index}]"
        if named.index(purpose) != index:
            problems[where] = f"{purpose} is named twice"
        elif purpose not in allowed:
            bases = (
                ", ".join(data_map.legal_bases.get(purpose, [])) or "not a purpose CallX processes data for"
            )
            problems[where] = f"{purpose} is not based on your consent ({bases}); one of {choices}"
    if problems:
        raise ValidationFailed(problems)
    return tuple(OptOutPurpose(purpose) for purpose in named)
