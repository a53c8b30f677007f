"""What the service says to requesters. Plain text, short enough for an SMS where it must be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from privacy_rights.core.models import (
    AccessScope,
    Denial,
    DenialReason,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.core.remedies import ContactPoints, gdpr_remedies, remedies, spoken_remedies
from privacy_rights.core.request_results import OUTSIDE_SCOPE_WHY, ScopeDecision
from privacy_rights.correction.answer import correction_summary, correction_text
from privacy_rights.erasure.receipt import erasure_receipt_text

NO_CONTACTS = ContactPoints()

#: What each right asks, as a verb phrase after "your request to" (``{whose}``: your / their).
RIGHT_PHRASES = {
    RequestType.ACCESS: "get a copy of {whose} personal data",
    RequestType.PORTABILITY: "get {whose} personal data in a portable format",
    RequestType.DELETION: "have {whose} personal data deleted",
    RequestType.CORRECTION: "have {whose} personal data corrected",
    RequestType.RESTRICTION: "restrict the processing of {whose} personal data",
    RequestType.OBJECTION: "object to the processing of {whose} personal data",
    RequestType.OPT_OUT: "opt out of {purposes}",
    RequestType.WITHDRAW_CONSENT: "withdraw {whose} consent to {purposes}",
}
#: What an opt-out covers, after "opt out of".
OPT_OUT_NAMES = {
    OptOutPurpose.SALE_SHARE: "the sale or sharing of {whose} personal data",
    OptOutPurpose.TARGETED_ADS: "targeted advertising",
    OptOutPurpose.AI_TRAINING: "the use of {whose} personal data to train AI",
    OptOutPurpose.MARKETING: "marketing",
    OptOutPurpose.SENSITIVE_PI: (
        "the use of {whose} sensitive personal information beyond what the service needs"
    ),
    OptOutPurpose.RECORDING: "the recording of {whose} calls",
}
#: The purposes an objection may name (the data map's on legitimate interests), in words.
OBJECTION_WORDS = {
    "analytics": "analytics and reporting",
    "ai_training": "training CallX's AI models",
    "agent_scoring": "scoring agents' calls",
    "marketing": "CallX's own marketing",
}


def objection_words(purpose: str) -> str:
    return OBJECTION_WORDS.get(purpose, purpose.replace("_", " "))


def _training_line(result: dict[str, Any]) -> str:
    said = []
    if result.get("removed"):
        sets = ", ".join(result.get("removed_from") or [])
        said.append(
            f"we removed your calls from {result['removed']} entries of AI training sets not yet used "
            f"({sets})"
        )
    for row in result.get("used_sets") or []:
        models = ", ".join(row.get("models") or []) or "models"
        said.append(
            f"training set {row['set_id']} had already been used to train {models} with {row['calls']} of "
            "your calls: a trained model cannot unlearn them, so that set keeps them"
        )
    if not said:
        said.append("none of your calls was in an AI training set")
    return "- Training AI: " + "; ".join(said) + ". No new training set will include your calls."


#: a business told of an opt-out or a withdrawal, as the answer names it
_BUSINESS = "{name}, which uses CallX for its calls with you"
#: who else is told, said to a requester nobody proved is the person (which businesses they
#: called is not said: what is held stays unsaid)
_BUSINESSES_UNSAID = (
    "the businesses using CallX whose calls with you this concerns are sent our notice where they "
    "take one; which ones: ask us for a copy of your data, which tells you once you prove it is you"
)


def _purpose_words(purpose: str) -> str:
    known = {p.value: p for p in OptOutPurpose}
    words = OPT_OUT_NAMES[known[purpose]].format(whose="your") if purpose in known else purpose
    return words[:1].upper() + words[1:]


def _businesses_said(result: dict[str, Any], detailed: bool) -> list[str]:
    """The businesses told, from the ledger's result (``OptOutEffects._businesses``)."""
    if "businesses" not in result:
        return []  # carried out before businesses were told
    if not detailed:
        return [_BUSINESSES_UNSAID]
    said = []
    for outcome in (result.get("businesses") or {}).values():
        business = _BUSINESS.format(name=outcome["name"])
        if outcome.get("delivered"):
            said.append(f"we told {business}")
        elif outcome.get("notify") == "webhook":
            said.append(f"our notice to {business}, could not be delivered")
        else:
            said.append(f"{business}, takes no notices from us: ask it directly")
    return said


def _recipients_line(purpose: str, result: dict[str, Any], detailed: bool = True) -> str:
    said = []
    for outcome in (result.get("recipients") or {}).values():
        if outcome.get("delivered"):
            said.append(f"we told {outcome['name']} to stop using your data for this")
        else:
            said.append(f"our notice to {outcome['name']} could not be delivered")
    said += _businesses_said(result, detailed)
    return f"- {_purpose_words(purpose)}: " + "; ".join(said) + "."


def _recording_line(purpose: str, result: dict[str, Any], detailed: bool = True) -> str:
    said = ["from now on, when CallX's systems ask whether they may record a call of yours, the answer is no"]
    kept = int(result.get("recordings_kept") or 0)
    if not detailed:
        said.append(
            "recordings made before stay: they were made lawfully on the consent you gave then; ask us to "
            "delete them if you want them gone"
        )
    elif kept:
        said.append(
            f"{kept} recording{'' if kept == 1 else 's'} of your calls made before stay: made lawfully on "
            "the consent you gave then; ask us to delete them if you want them gone"
        )
    else:
        said.append("we hold no recording of your calls made before")
    said += _businesses_said(result, detailed)
    return f"- {_purpose_words(purpose)}: " + "; ".join(said) + "."


def _effect_line(purpose: str, result: dict[str, Any]) -> str | None:
    """One opt-out's effect beyond the mark, from its ledger result (None: the mark is all)."""
    effect = result.get("effect")
    if effect == "training_sets":
        return _training_line(result)
    if effect == "marketing_consent":
        if result.get("withdrawn"):
            return "- Marketing: our marketing list now records that you do not consent to marketing."
        return "- Marketing: our marketing list holds no contact for you, so there was nothing to change."
    if effect == "recipients":
        return _recipients_line(purpose, result)
    if effect == "recording":
        return _recording_line(purpose, result)
    return None


#: what each purpose's effect is, said without what was found (for an unproven requester)
_EFFECT_WORDS = {
    "training_sets": (
        "Training AI: your calls are out of every training set not yet used; a set already used to train "
        "a model keeps them (a trained model cannot unlearn). Which sets and models: ask us for a copy of "
        "your data, which tells you once you prove it is you"
    ),
    "marketing_consent": "Marketing: carried out in our marketing list, where it holds your address",
}


def effects_text(effects: dict[str, dict[str, Any]], detailed: bool = True) -> str:
    """What the opt-outs did where they have effect, as the ledger recorded it. Not ``detailed``
    (nobody proved they are the person: an opt-out needs no proof, and its status page is the
    submitter's): what was found (training sets, a marketing contact) stays unsaid; who was
    told stays said, as it is told whatever is held."""
    lines = []
    for purpose, result in effects.items():
        effect = str(result.get("effect"))
        if not detailed and effect in _EFFECT_WORDS:
            lines.append(f"- {_EFFECT_WORDS[effect]}.")
        elif not detailed and effect == "recipients":
            lines.append(_recipients_line(purpose, result, detailed=False))
        elif not detailed and effect == "recording":
            lines.append(_recording_line(purpose, result, detailed=False))
        elif line := _effect_line(purpose, result):
            lines.append(line)
    return "What we did:\n" + "\n".join(lines) if lines else ""


def _objection_paragraph(request: RightsRequest) -> str:
    """Per purpose objected to, what happened: stopped, or going on under the grounds ops recorded."""
    grounds = request.objection_grounds
    lines = []
    for purpose in request.objected_to:
        words = objection_words(purpose)
        if purpose in grounds:
            lines.append(
                f"- {words}: continues. Our privacy team found compelling legitimate grounds that override "
                f"your objection: {grounds[purpose].grounds}"
            )
        elif purpose == "marketing":
            lines.append(f"- {words}: stopped. An objection to direct marketing always stops it.")
        else:
            lines.append(f"- {words}: stopped.")
    paragraph = "We recorded your objection. For each use you objected to:\n" + "\n".join(lines)
    if any(purpose not in grounds for purpose in request.objected_to):
        paragraph += (
            "\n\nFrom now on, when CallX's systems ask whether they may use your personal data for a use "
            "marked stopped, the answer is no."
        )
    return paragraph


def _listed(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def opt_out_names(request: RightsRequest, whose: str = "your") -> str:
    """``the sale or sharing of your personal data and of marketing``: each purpose after "of"."""
    names = [OPT_OUT_NAMES[p].format(whose=whose) for p in request.opt_out_of]
    return _listed(names[:1] + [f"of {name}" for name in names[1:]]) or "the uses you named"


def right_phrase(request: RightsRequest, whose: str = "your") -> str:
    """``get a copy of your personal data``: what the request asks, to follow "to"."""
    if request.type is RequestType.WITHDRAW_CONSENT:
        consents = (
            _listed([OPT_OUT_NAMES[p].format(whose=whose) for p in request.opt_out_of])
            or "the uses you named"
        )
        return RIGHT_PHRASES[request.type].format(whose=whose, purposes=consents)
    return RIGHT_PHRASES[request.type].format(whose=whose, purposes=opt_out_names(request, whose))


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    sms: str
    #: read out by an automated call to a landline: no links, no reference to spell out
    voice: str = ""


def _spoken_day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _spoken_address(address: str) -> str:
    return address.replace("@", " at ").replace(".", " dot ")


def status_link(base_url: str, request_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/status.html#request={request_id}&token={token}"


def _spoken_reach(contacts: ContactPoints) -> str:
    """How to reach us, read out: the line only when there is one, else the address."""
    if contacts.toll_free_number:
        return f"To hear the details or ask us anything, call us free of charge on {contacts.phone_spoken}. "
    if contacts.privacy_address:
        return f"To ask us anything, write to {_spoken_address(contacts.privacy_address)}. "
    return ""


def acknowledgement(request: RightsRequest, link: str, contacts: ContactPoints = NO_CONTACTS) -> Notice:
    right = right_phrase(request)
    if request.type is RequestType.WITHDRAW_CONSENT:
        next_step = (
            "Withdrawing consent needs no identity check. We recorded it when it arrived: from then on, "
            "when CallX's systems ask whether they may use your personal data for what you withdrew your "
            "consent to, the answer is no. We will write to you again when your request is closed."
        )
    elif request.type is RequestType.OPT_OUT:
        next_step = (
            "An opt-out needs no identity check. We recorded it when it arrived: from then on, when "
            "CallX's systems ask whether they may use your personal data for what you opted out of, "
            "the answer is no. We will write to you again when your request is closed."
        )
    else:
        next_step = (
            "Next, we verify that the request comes from you: we are sending a one-time code to each "
            "email address and phone number you gave. Enter each code on the verification page. "
            "We use these codes only to verify your request."
        )
    reach = contacts.reach_us()
    text = (
        f"We received your request to {right} (reference {request.request_id}).\n\n"
        f"{next_step}\n\n"
        f"We will answer by {request.current_due.isoformat()} at the latest. "
        "Handling your request is free of charge.\n\n"
        f"Follow your request here: {link}\n\n"
        + (f"{reach}\n\n" if reach else "")
        + "If you did not make this request, you can ignore this message."
    )
    sms = (
        f"CallX privacy: request {request.request_id} received, "
        f"answer due by {request.current_due}. Status: {link}"
    )
    voice = (
        f"Hello. This is CallX privacy. We received the request made with this phone number to {right}. "
        f"We will answer by {_spoken_day(request.current_due)}. "
        + (
            ""
            if request.type in (RequestType.OPT_OUT, RequestType.WITHDRAW_CONSENT)
            else "We will call again with a verification code. "
        )
        + _spoken_reach(contacts)
        + "Goodbye."
    )
    return Notice(
        subject=f"We received your privacy request {request.request_id}", text=text, sms=sms, voice=voice
    )


#: Why a request was denied, in a sentence (email, status page, voice).
DENIAL_TEXT = {
    DenialReason.UNVERIFIABLE: "We could not verify your identity within the time allowed.",
    DenialReason.EXEMPT: "An exception in the law applies to this request",
    DenialReason.NOT_A_CONSUMER: "The law under which you asked does not apply to you.",
    DenialReason.MANIFESTLY_UNFOUNDED: "The request is manifestly unfounded.",
    DenialReason.EXCESSIVE: "The request is excessive (for example, repeated without new grounds).",
    DenialReason.AGENT_NOT_AUTHORIZED: "We could not confirm that the agent is authorized to act for you.",
    DenialReason.CUSTOMER_INSTRUCTION: "The business that holds this data will answer you directly.",
}
#: The same, short enough for an SMS.
DENIAL_SMS = {
    DenialReason.UNVERIFIABLE: "we could not verify your identity in time",
    DenialReason.EXEMPT: "an exception in the law applies",
    DenialReason.NOT_A_CONSUMER: "the law you asked under does not apply to you",
    DenialReason.MANIFESTLY_UNFOUNDED: "the request is manifestly unfounded",
    DenialReason.EXCESSIVE: "the request is excessive",
    DenialReason.AGENT_NOT_AUTHORIZED: "we could not confirm the agent's authority",
    DenialReason.CUSTOMER_INSTRUCTION: "the business holding this data answers you directly",
}
#: What we keep of every request (CCPA 7101): the request, its ledger and its audit trail are
#: removed together 24 calendar months after the request closed, never sooner, later under a
#: legal hold (``ops.record_retention``; ``RECORD_RETENTION_MONTHS`` cannot be set below 24).
RECORD_KEEPING = (
    "We keep a record of your request and of our answer for at least 24 months, as the law requires, "
    "and use it for nothing else."
)


def denial_reason(denial: Denial) -> str:
    reason = DENIAL_TEXT[denial.reason]
    if denial.exemption:
        reason += f": {denial.exemption}."
    return reason


def scope_text(decision: ScopeDecision) -> str:
    """Which answer to a request to know was given, and why (CCPA 7024(a), 7062)."""
    if decision.scope == "specific_pieces":
        return (
            "You receive the specific pieces of personal information we hold about you: your identity was "
            "verified to a reasonably high degree of certainty and you signed the declaration."
        )
    return (
        "You receive the categories of personal information we hold about you, where it came from, why we "
        "use it and with whom we share it, but not the specific pieces (such as call recordings or "
        f"transcripts): {decision.why} To receive the specific pieces, make a new request for them, "
        "verify three of your details and sign the declaration."
    )


@dataclass(frozen=True)
class Answer:
    """The final answer, before it is dressed for a channel."""

    headline: str  # after "Your request …"
    body: str  # everything the person is told, the record-keeping excepted
    sms: str  # one short clause for the SMS (may be empty)
    voice: str  # what a voice reads out about the outcome


def answer(
    request: RightsRequest,
    contacts: ContactPoints = NO_CONTACTS,
    answered_on: date | None = None,
    on_page: bool = False,
) -> Answer:
    """What the request's final state says happened: its status, outcome and the results the
    ledger recorded on it (export, erasure receipt, scope, denial). Nothing else is claimed."""
    answered_on = answered_on or request.status_changed_at.date()
    right = right_phrase(request)
    if request.status is Status.DENIED and request.denial is not None:
        denial = request.denial
        body = f"We could not act on your request to {right}. {denial_reason(denial)}"
        if denial.detail:
            body += f"\n\nWhat our privacy team found: {denial.detail}"
        body += "\n\n" + "\n\n".join(remedies(request, contacts, answered_on))
        return Answer(
            headline="was denied",
            body=body,
            sms=f"Why: {DENIAL_SMS[denial.reason]}. What you can do:",
            voice=f"{denial_reason(denial)} "
            + (f"Our privacy team adds: {denial.detail} " if denial.detail else "")
            + spoken_remedies(request),
        )
    if request.merged_into:
        body = (
            f"You asked to {right} before (reference {request.merged_into}), and that request "
            "is already verified and being handled: we will answer you there. We closed this one so that "
            "you do not get two answers to the same request."
        )
        return Answer(
            headline="was joined to your earlier request",
            body=body,
            sms=f"We answer you under {request.merged_into}.",
            voice="We closed it because an earlier request of yours asks the same, and we answer you there. ",
        )
    if request.status is not Status.COMPLETED:
        body = f"Your request to {right} is {request.status.value.replace('_', ' ')}."
        return Answer(headline=f"is {request.status.value.replace('_', ' ')}", body=body, sms="", voice="")
    parts, sms, voice = _what_we_did(request, on_page)
    partial = request.outcome is Outcome.PARTIALLY_COMPLIED
    correction = request.correction_result
    if correction is not None and partial and not correction.rows("applied"):
        opening = f"We have not made the changes you asked for in your request to {right}."
        parts.append("\n\n".join(remedies(request, contacts, answered_on)))
        partial = False  # nothing was done: the summary (``correction_summary``) says so
    elif partial:
        opening = f"We have done part of what you asked in your request to {right}, not all of it."
        parts.append("\n\n".join(remedies(request, contacts, answered_on)))
    else:
        opening = f"Your request to {right} is complete."
    return Answer(
        headline="is complete",
        body="\n\n".join([opening, *parts]),
        sms=(("Only part of it was done. " if partial else "") + sms).strip(),
        voice=("Part of it was done, not all of it. " if partial else "") + voice,
    )


def _what_we_did(request: RightsRequest, on_page: bool) -> tuple[list[str], str, str]:
    """The paragraphs saying what was done, from what is recorded on the request."""
    parts: list[str] = []
    sms, voice = "", ""
    correction = request.correction_result
    if correction is not None:
        sms, voice = correction_summary(correction)
        return correction_text(correction, request.correction_statement), sms, voice
    if request.outcome is Outcome.NOTHING_HELD:
        parts.append(
            "We found no personal data about you in CallX's systems for the identifiers you gave us, so "
            "there was nothing to act on."
        )
        return (
            parts,
            "We hold no data for the identifiers you gave.",
            "We found no personal data about you for the identifiers you gave. ",
        )
    scope = request.scope_decision
    if scope is not None:
        parts.append(scope_text(scope))
    export = request.export_result
    if export is not None:
        where = (
            'choose "Download your data" on this page'
            if on_page
            else 'open the link below and choose "Download your data"'
        )
        if request.scope is AccessScope.CATEGORIES:
            # the categories, sources, purposes and recipients: no record itself is in the file
            parts.append(
                "The list of the categories of personal information we hold about you is ready: "
                f"{where}. It says, for each kind of information, where it came from, why we use it and "
                "who receives it (a ZIP you can open on any computer; start with index.html), and is "
                f"available until {export.expires_at[:10]}."
            )
            sms = "The list of the categories of your data we hold is ready."
            voice = "The list of the categories of your data we hold is ready. Ask us how to receive it. "
        else:
            parts.append(
                f"Your data is ready: {where}. The file "
                f"(a ZIP you can open on any computer; start with index.html) is available until "
                f"{export.expires_at[:10]}. Other people's words and voices in your calls, and card or "
                "government numbers, are left out; the file explains what and why."
            )
            sms, voice = "Your data is ready to download.", "Your data is ready. Ask us how to receive it. "
        if export.outside_scope:
            parts.append(f"Not included: {sum(export.outside_scope.values())} records. {OUTSIDE_SCOPE_WHY}")
        if export.answered_by:
            parts.append(
                "Part of your data is held for businesses that use CallX to handle their calls; they "
                f"decide about it and will answer you directly: {', '.join(export.answered_by)}."
            )
            sms += f" Also answering you directly: {', '.join(export.answered_by)}."
    erasure = request.erasure_receipt
    if erasure is not None:
        parts.append(erasure_receipt_text(erasure))
        businesses = (
            f"Also answering you directly: {', '.join(erasure.businesses)}. " if erasure.businesses else ""
        )
        sms = f"{businesses}What we erased, what we keep and why:"
        kept = erasure.held or any(
            result.get("tombstoned") or result.get("retained") for result in erasure.stores.values()
        )
        voice = (
            "We erased your personal data, except records we must keep; ask us which, and why. "
            if kept or erasure.businesses
            else "We erased your personal data. "
        )
    preference = _preference_answer(request)
    if preference is not None:
        said, sms, voice = preference
        parts.extend(said)
    elif not parts and request.outcome is Outcome.COMPLIED:
        parts.append(f"Our privacy team carried out your request to {right_phrase(request)}.")
        voice = "Our privacy team carried it out. "
    return parts, sms, voice


def _preference_answer(request: RightsRequest) -> tuple[list[str], str, str] | None:
    """An opt-out's, a restriction's or an objection's paragraphs, SMS clause and spoken words."""
    if request.type is RequestType.OPT_OUT:
        parts = [
            f"We recorded your opt-out of {opt_out_names(request)} when it arrived. From then on, when "
            "CallX's systems ask whether they may use your personal data for this, the answer is no. "
            "Businesses that use CallX to handle their calls decide about their own callers' data: ask "
            "them directly to opt out there."
        ]
        parts.extend(filter(None, [effects_text(request.opt_out_effects, bool(request.proven_identifiers))]))
        return parts, "Your opt-out is recorded.", "Your opt-out is recorded. "
    if request.type is RequestType.WITHDRAW_CONSENT:
        consents = _listed([OPT_OUT_NAMES[p].format(whose="your") for p in request.opt_out_of])
        parts = [
            f"We recorded the withdrawal of your consent to {consents} when it arrived. From then on, "
            "when CallX's systems ask whether they may use your personal data for this, the answer is no.",
            "Withdrawing your consent does not make unlawful what was done with your data, on your consent, "
            "before you withdrew it (GDPR Article 7(3)).",
        ]
        parts.extend(filter(None, [effects_text(request.opt_out_effects, bool(request.proven_identifiers))]))
        return (
            parts,
            "Your withdrawal of consent is recorded.",
            "We recorded the withdrawal of your consent. ",
        )
    if request.type is RequestType.RESTRICTION:
        parts = [
            "We restricted the processing of your personal data: CallX's systems now only keep it, and "
            "use it for nothing but legal claims. If we ever lift the restriction, we tell you first."
        ]
        lift = request.restriction_lift
        if lift is not None:
            parts.append(
                f"On {lift.announced_at[:10]} we told you that we lift it on {lift.lift_at[:10]}. "
                f"Why: {lift.reason}"
            )
        return parts, "Processing of your data is restricted.", "We restricted the processing of your data. "
    if request.type is RequestType.OBJECTION:
        going_on = [objection_words(p) for p in request.objected_to if p in request.objection_grounds]
        if going_on:
            sms = "Your objection is recorded; some uses continue on grounds we explain:"
            voice = f"Objection recorded. These uses continue, for reasons we give: {_listed(going_on)}. "
            return [_objection_paragraph(request)], sms, voice
        return [_objection_paragraph(request)], "Your objection is recorded.", "We recorded your objection. "
    return None


def final(
    request: RightsRequest, link: str, contacts: ContactPoints = NO_CONTACTS, answered_on: date | None = None
) -> Notice:
    said = answer(request, contacts, answered_on)
    reach = contacts.reach_us()
    text = (
        f"{said.body}\n\nReference: {request.request_id}. {RECORD_KEEPING}\n\n"
        + (f"{reach}\n\n" if reach else "")
        + f"Details: {link}"
    )
    sms = " ".join(
        part
        for part in (
            f"CallX privacy: request {request.request_id} {said.headline}.",
            said.sms,
            link if said.sms.endswith(":") else f"Details: {link}",
        )
        if part
    )
    voice = (
        f"Hello. This is CallX privacy, about the request made with this phone number to "
        f"{right_phrase(request)}. Your request {said.headline}. {said.voice}"
        f"{_spoken_reach(contacts)}Goodbye."
    )
    return Notice(
        subject=f"Your privacy request {request.request_id} {said.headline}", text=text, sms=sms, voice=voice
    )


def status_answer(request: RightsRequest, contacts: ContactPoints = NO_CONTACTS) -> str | None:
    """The whole answer as the status page shows it (reason, detail, remedies), once final."""
    if not request.is_final:
        return None
    said = answer(request, contacts, on_page=True)
    return f"{said.body}\n\n{RECORD_KEEPING}"


def agent_acknowledgement(request: RightsRequest, link: str) -> Notice:
    """To the authorized agent or guardian: what they must provide."""
    right = right_phrase(request, whose="their")
    assert request.requester is not None
    if request.requester.power_of_attorney:
        check = "We are sending you a one-time code to confirm your own contact details."
    else:
        check = (
            "The person you act for will also receive codes to verify their identity directly, "
            "as the law allows us to ask (CCPA 7063)."
        )
    text = (
        f"We received the request you made on someone's behalf to {right} "
        f"(reference {request.request_id}).\n\n"
        "Please send us the signed permission (or power of attorney) that authorizes you, as a PDF, "
        "PNG or JPEG of up to 5 MB. Upload it with the token of this link (our API: "
        f"POST /requests/{request.request_id}/permission-upload): {link}\n\n{check}\n\n"
        f"We will answer by {request.current_due.isoformat()} at the latest."
    )
    sms = f"CallX privacy: request {request.request_id} received. Upload your signed permission: {link}"
    return Notice(subject=f"Your request {request.request_id} on someone's behalf", text=text, sms=sms)


def clarification(form_link: str) -> Notice:
    """To someone whose email did not say clearly which right they want. Its words must not
    read as a request themselves: the reply to it is classified."""
    text = (
        "Thank you for writing to CallX about your personal data. We could not tell from your message "
        "which of your privacy rights you want to use, and we would rather ask than guess.\n\n"
        "Please answer this email in a sentence (for example: I want a copy of my data), or use our form, "
        f"already filled in with your email address: {form_link}\n\n"
        "Your rights include: getting a copy of your data or receiving it in a portable format, having it "
        "corrected or erased, restricting or objecting to its use, and opting out of its sale or sharing, "
        "of marketing, or of its use to train AI. The time we have to answer counts from the day your "
        "first message arrived."
    )
    return Notice(subject="About your message to CallX Privacy", text=text, sms=text)


def form_link(base_url: str, email: str, mail_id: str) -> str:
    from urllib.parse import urlencode

    return f"{base_url.rstrip('/')}/index.html#" + urlencode({"email": email, "clarifies": mail_id})


def to_business(request: RightsRequest, business: str, records: dict[str, int], kind: str) -> Notice:
    """To a business customer whose callers' data a request reaches: asked for its instruction
    (``ask``), or told that it answers the person itself (``forward``)."""
    held = ", ".join(f"{store.replace('_', ' ')}: {n}" for store, n in sorted(records.items()))
    if kind == "ask":
        ask = (
            "You asked to decide each time. Answer through the CallX customer API: "
            f"POST /customer/requests/{request.request_id}/answer with "
            '{"decision": "release"} (we include these records in our answer) or '
            '{"decision": "answer_ourselves"} (you answer the person).'
        )
    else:
        ask = (
            "Your standing instruction is that you answer such requests yourselves; the person has been "
            "told to expect your answer. The record pointers are at "
            f"GET /customer/requests/{request.request_id} on the CallX customer API."
        )
    text = (
        f"A person asked CallX to {right_phrase(request, whose='their')} "
        f"(reference {request.request_id}), and their "
        f"request reaches records CallX holds for {business}: {held}.\n\n{ask}\n\n"
        f"The legal deadline is {request.current_due.isoformat()}."
    )
    return Notice(subject=f"Privacy request {request.request_id} concerns your callers", text=text, sms=text)


def _closing(contacts: ContactPoints, link: str | None = None, what: str = "request") -> str:
    """A message's last paragraphs: where to follow it, how to reach us (each when there is one)."""
    paragraphs = [f"Follow your {what} here: {link}" if link else "", contacts.reach_us()]
    return "".join(f"\n\n{paragraph}" for paragraph in paragraphs if paragraph) + "\n"


def extension(request: RightsRequest, link: str, contacts: ContactPoints = NO_CONTACTS) -> Notice:
    """The one extension the law allows, told before the first date passes, with its reason
    (CCPA §7021(b), GDPR Art. 12(3)): ``request.extension`` must be set."""
    granted = request.extension
    if granted is None:
        raise ValueError("no extension to announce")
    right = right_phrase(request)
    text = (
        f"We need more time to answer your request to {right} (reference {request.request_id}).\n\n"
        f"Why: {granted.reason}\n\n"
        f"We will answer by {granted.new_due.isoformat()} at the latest, instead of "
        f"{request.due.isoformat()}. The law allows this once; we cannot extend it again."
    ) + _closing(contacts, link)
    sms = (
        f"CallX privacy: we need more time for request {request.request_id}. New date: "
        f"{granted.new_due}. Why, and status: {link}"
    )
    voice = (
        f"Hello. This is CallX privacy, about the request made with this phone number to {right}. "
        f"We need more time to answer it. The reason: {granted.reason} "
        f"We will answer by {_spoken_day(granted.new_due)} at the latest. "
        + _spoken_reach(contacts)
        + "Goodbye."
    )
    return Notice(
        subject=f"More time needed for your privacy request {request.request_id}",
        text=text,
        sms=sms,
        voice=voice,
    )


# -- restriction lifted, objection overridden (GDPR Art. 18(3), 21(1)) ------------------------------


def restriction_lift(request: RightsRequest, link: str, contacts: ContactPoints = NO_CONTACTS) -> Notice:
    """The person is told before a restriction is lifted (Art. 18(3)): when, and why
    (``request.restriction_lift`` must be set)."""
    lift = request.restriction_lift
    if lift is None:
        raise ValueError("no lift to announce")
    day = date.fromisoformat(lift.lift_at[:10])
    text = (
        f"You asked us to restrict the processing of your personal data (reference {request.request_id}). "
        f"We will lift that restriction on {day.isoformat()}: from then on CallX may use your personal "
        "data again for the purposes it is collected for, except any you opted out of or objected to.\n\n"
        f"Why: {lift.reason}\n\n"
        "Until that day the restriction stays in place. If you disagree, tell us before then.\n\n"
        + gdpr_remedies(contacts)
    ) + _closing(contacts, link)
    sms = (
        f"CallX privacy: we will lift the restriction of request {request.request_id} on {day}. Why, and "
        f"what you can do: {link}"
    )
    voice = (
        "Hello. This is CallX privacy, about the restriction of your personal data you asked for with this "
        f"phone number. We will lift it on {_spoken_day(day)}. The reason: {lift.reason} "
        "If you disagree, tell us before then; you may also complain to a data protection authority. "
        + _spoken_reach(contacts)
        + "Goodbye."
    )
    return Notice(
        subject=f"The restriction you asked for ({request.request_id}) will be lifted",
        text=text,
        sms=sms,
        voice=voice,
    )


def objection_grounds(
    request: RightsRequest, purpose: str, link: str, contacts: ContactPoints = NO_CONTACTS
) -> Notice:
    """Compelling legitimate grounds ops recorded after the objection was answered (Art. 21(1)):
    the use goes on, why, and the right to complain."""
    grounds = request.objection_grounds.get(purpose)
    if grounds is None:
        raise ValueError("no grounds to announce")
    words = objection_words(purpose)
    stopped = [objection_words(p) for p in request.objected_to if p not in request.objection_grounds]
    still = f"These uses you objected to stay stopped: {_listed(stopped)}.\n\n" if stopped else ""
    text = (
        f"You objected to the use of your personal data for {words} (reference {request.request_id}). "
        "Our privacy team found compelling legitimate grounds that override your objection, so this use "
        f"continues.\n\nOur grounds: {grounds.grounds}\n\n{still}" + gdpr_remedies(contacts)
    ) + _closing(contacts, link)
    sms = (
        f"CallX privacy: about your objection {request.request_id}: the use for {words} continues on "
        f"grounds we explain, with your right to complain: {link}"
    )
    voice = (
        "Hello. This is CallX privacy, about the objection you made with this phone number. Our privacy "
        f"team found compelling grounds to continue using your data for {words}. Their reason: "
        f"{grounds.grounds} You may complain to a data protection authority or go to court. "
        + _spoken_reach(contacts)
        + "Goodbye."
    )
    return Notice(
        subject=f"About your objection {request.request_id}: {words}",
        text=text,
        sms=sms,
        voice=voice,
    )


# -- appeals (US state laws) -----------------------------------------------------------------------


def appeal_received(request: RightsRequest, link: str, contacts: ContactPoints = NO_CONTACTS) -> Notice:
    """The appeal is filed: by when we decide it (``request.appeal`` must be set)."""
    appeal = request.appeal
    if appeal is None:
        raise ValueError("no appeal to acknowledge")
    right = right_phrase(request)
    text = (
        f"We received your appeal of our answer to your request to {right} "
        f"(reference {request.request_id}).\n\n"
        f"We will decide it and tell you our decision in writing, with our reasons, by "
        f"{appeal.due.isoformat()} at the latest."
    ) + _closing(contacts, link, "appeal")
    sms = (
        f"CallX privacy: we received your appeal for request {request.request_id}. Our written "
        f"decision by {appeal.due}. Status: {link}"
    )
    voice = (
        f"Hello. This is CallX privacy, about the request made with this phone number to {right}. "
        f"We received your appeal of our answer. We will decide it by {_spoken_day(appeal.due)} at the "
        "latest and tell you our reasons. " + _spoken_reach(contacts) + "Goodbye."
    )
    return Notice(
        subject=f"Your appeal of privacy request {request.request_id} is received",
        text=text,
        sms=sms,
        voice=voice,
    )


def appeal_decided(
    request: RightsRequest, link: str, attorney_general: str, contacts: ContactPoints = NO_CONTACTS
) -> Notice:
    """The appeal's decision with its written explanation; a denial says how to contact the
    attorney general (``attorney_general``: ``attorneys_general.contact_sentence``)."""
    appeal = request.appeal
    if appeal is None or appeal.decision is None:
        raise ValueError("no decided appeal to announce")
    right = right_phrase(request)
    granted = appeal.decision.value == "granted"
    if granted:
        decision = (
            "We granted your appeal. We have reopened your request and will act on it; we will "
            "tell you what we did when it is done."
        )
        sms_decision = "granted: we reopened your request and will tell you what we did"
        spoken = "We granted your appeal and reopened your request. We will tell you what we did. "
    else:
        decision = f"We denied your appeal: our answer stands.\n\n{attorney_general}"
        sms_decision = "denied; you may complain to your attorney general, see"
        spoken = f"We denied your appeal: our answer stands. {attorney_general} "
    text = (
        f"Our decision on your appeal of our answer to your request to {right} "
        f"(reference {request.request_id}):\n\n{decision}\n\n"
        f"Our reasons: {appeal.explanation}"
    ) + _closing(contacts, link)
    sms = f"CallX privacy: your appeal for request {request.request_id} is {sms_decision}: {link}"
    voice = (
        f"Hello. This is CallX privacy, about your appeal for the request made with this phone number to "
        f"{right}. {spoken}Our reasons: {appeal.explanation} " + _spoken_reach(contacts) + "Goodbye."
    )
    return Notice(
        subject=f"Decision on your appeal of privacy request {request.request_id}",
        text=text,
        sms=sms,
        voice=voice,
    )


def appeal_refused(request_id: str, why: str, contacts: ContactPoints = NO_CONTACTS) -> Notice:
    """The answer to a mail that appeals a request it cannot appeal (``why``: a sentence of ours)."""
    text = (
        f"We received your message about request {request_id}, but we could not open an appeal: {why}."
    ) + _closing(contacts)
    return Notice(
        subject=f"About your appeal of privacy request {request_id}",
        text=text,
        sms=f"CallX privacy: we could not open an appeal of request {request_id}: {why}.",
    )


def appeal_denied_answer(request: RightsRequest, attorney_general: str) -> str | None:
    """The status page's answer once an appeal was denied: what the first answer was, the
    appeal's decision with its reasons, and whom to complain to (``attorney_general``)."""
    appeal = request.appeal
    if request.status is not Status.APPEAL_DENIED or appeal is None:
        return None
    right = right_phrase(request)
    if request.denial is not None:
        first = f"We could not act on your request to {right}. {denial_reason(request.denial)}"
    else:
        first = f"We carried out your request to {right} only in part."
    return (
        f"{first}\n\nYou appealed our answer. We denied your appeal: our answer stands. Our reasons: "
        f"{appeal.explanation}\n\n{attorney_general}\n\n{RECORD_KEEPING}"
    )
