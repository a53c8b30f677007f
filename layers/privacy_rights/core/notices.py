"""What the service says to requesters. Plain text, short enough for an SMS where it must be."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from privacy_rights.core.models import DenialReason, Jurisdiction, Outcome, RequestType, RightsRequest, Status
from privacy_rights.core.request_results import ScopeDecision
from privacy_rights.erasure.receipt import erasure_receipt_text

RIGHT_NAMES = {
    RequestType.ACCESS: "a copy of your personal data",
    RequestType.PORTABILITY: "your personal data in a portable format",
    RequestType.DELETION: "deletion of your personal data",
    RequestType.CORRECTION: "correction of your personal data",
    RequestType.RESTRICTION: "restriction of the processing of your personal data",
    RequestType.OBJECTION: "to object to the processing of your personal data",
    RequestType.OPT_OUT: "to opt out",
}


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    sms: str
    #: read out by an automated call to a landline: no links, no reference to spell out
    voice: str = ""


def _spoken_day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def status_link(base_url: str, request_id: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/status.html#request={request_id}&token={token}"


def acknowledgement(request: RightsRequest, link: str) -> Notice:
    right = RIGHT_NAMES[request.type]
    if request.type is RequestType.OPT_OUT:
        next_step = "Opt-out requests need no identity check; we will confirm when it has taken effect."
    else:
        next_step = (
            "Next, we verify that the request comes from you: we are sending a one-time code to each "
            "email address and phone number you gave. Enter each code on the verification page. "
            "We use these codes only to verify your request."
        )
    text = (
        f"We received your request for {right} (reference {request.request_id}).\n\n"
        f"{next_step}\n\n"
        f"We will answer by {request.current_due.isoformat()} at the latest. "
        "Handling your request is free of charge.\n\n"
        f"Follow your request here: {link}\n\n"
        "If you did not make this request, you can ignore this message."
    )
    sms = (
        f"CallX privacy: request {request.request_id} received, "
        f"answer due by {request.current_due}. Status: {link}"
    )
    voice = (
        f"Hello. This is CallX privacy. We received the request for {right} made with this phone number. "
        f"We will answer by {_spoken_day(request.current_due)}. "
        + ("" if request.type is RequestType.OPT_OUT else "We will call again with a verification code. ")
        + "Goodbye."
    )
    return Notice(
        subject=f"We received your privacy request {request.request_id}", text=text, sms=sms, voice=voice
    )


OUTCOME_TEXT = {
    Outcome.COMPLIED: "We have done what you asked.",
    Outcome.PARTIALLY_COMPLIED: "We have done part of what you asked; the rest is explained below.",
    Outcome.NOTHING_HELD: "We hold no personal data for the identifiers you gave us.",
}
DENIAL_TEXT = {
    DenialReason.UNVERIFIABLE: "We could not verify your identity within the time allowed.",
    DenialReason.EXEMPT: "An exception in the law applies to this request",
    DenialReason.NOT_A_CONSUMER: "The law under which you asked does not apply to you.",
    DenialReason.MANIFESTLY_UNFOUNDED: "The request is manifestly unfounded.",
    DenialReason.EXCESSIVE: "The request is excessive (for example, repeated without new grounds).",
    DenialReason.AGENT_NOT_AUTHORIZED: "We could not confirm that the agent is authorized to act for you.",
    DenialReason.CUSTOMER_INSTRUCTION: "The business that holds this data will answer you directly.",
}


def _remedies(request: RightsRequest) -> str:
    if request.jurisdiction is Jurisdiction.GDPR:
        return (
            "You may lodge a complaint with a data protection supervisory authority, in particular in the "
            "EU member state where you live or work, and seek a judicial remedy."
        )
    if request.jurisdiction is Jurisdiction.US_STATE:
        return (
            "You may appeal this decision by replying to this message within 60 days; we will answer the "
            "appeal in writing. If we deny the appeal, you may contact your state's attorney general."
        )
    return "You may contact the California Privacy Protection Agency or your state's attorney general."


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


def final(request: RightsRequest, link: str) -> Notice:
    right = RIGHT_NAMES[request.type]
    if request.status is Status.DENIED and request.denial is not None:
        reason = DENIAL_TEXT[request.denial.reason]
        if request.denial.exemption:
            reason += f": {request.denial.exemption}."
        body = f"We are not able to act on your request for {right}. {reason}\n\n{_remedies(request)}"
        headline = "could not be completed"
    elif request.merged_into:
        body = (
            f"You asked for {right} before (reference {request.merged_into}), and that request "
            "is already verified and being handled: we will answer you there. We closed this one so that "
            "you do not get two answers to the same request."
        )
        headline = "was joined to your earlier request"
    else:
        outcome = OUTCOME_TEXT[request.outcome or Outcome.COMPLIED]
        body = f"Your request for {right} is complete. {outcome}"
        scope = request.scope_decision
        if scope is not None:
            body += f"\n\n{scope_text(scope)}"
        export = request.export_result
        if export is not None:
            body += (
                f'\n\nYour data is ready: open the link below and choose "Download your data". The file '
                f"(a ZIP you can open on any computer; start with index.html) is available until "
                f"{export.expires_at[:10]}. Other people's words and voices in your calls, and card or "
                "government numbers, are left out; the file explains what and why."
            )
            if export.answered_by:
                body += (
                    "\n\nPart of your data is held for businesses that use CallX to handle their calls; they "
                    f"decide about it and will answer you directly: {', '.join(export.answered_by)}."
                )
        erasure = request.erasure_receipt
        if erasure is not None:
            body += "\n\n" + erasure_receipt_text(erasure)
        headline = "is complete"
    text = (
        f"{body}\n\nReference: {request.request_id}. We keep a record of your request and of our answer "
        f"for 24 months, as the law requires, and use it for nothing else.\n\nDetails: {link}"
    )
    sms = f"CallX privacy: request {request.request_id} {headline}. Details: {link}"
    answered_by = export.answered_by if (export := request.export_result) is not None else None
    if answered_by and request.status is not Status.DENIED:
        sms += f" Also answering you directly: {', '.join(answered_by)}."
    voice = (
        f"Hello. This is CallX privacy, about the request for {right} made with this phone number. "
        f"Your request {headline}. "
        + (f"{DENIAL_TEXT[request.denial.reason]} " if request.denial is not None else "")
        + "To read the details, write to us or call our toll-free line. Goodbye."
    )
    return Notice(
        subject=f"Your privacy request {request.request_id} {headline}", text=text, sms=sms, voice=voice
    )


def agent_acknowledgement(request: RightsRequest, link: str) -> Notice:
    """To the authorized agent or guardian: what they must provide."""
    right = RIGHT_NAMES[request.type]
    assert request.requester is not None
    if request.requester.power_of_attorney:
        check = "We are sending you a one-time code to confirm your own contact details."
    else:
        check = (
            "The person you act for will also receive codes to verify their identity directly, "
            "as the law allows us to ask (CCPA 7063)."
        )
    text = (
        f"We received the request you made on someone's behalf for {right} "
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
        f"A person asked CallX for {RIGHT_NAMES[request.type]} (reference {request.request_id}), and their "
        f"request reaches records CallX holds for {business}: {held}.\n\n{ask}\n\n"
        f"The legal deadline is {request.current_due.isoformat()}."
    )
    return Notice(subject=f"Privacy request {request.request_id} concerns your callers", text=text, sms=text)
