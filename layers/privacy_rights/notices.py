"""What the service says to requesters. Plain text, short enough for an SMS where it must be."""

from __future__ import annotations

from dataclasses import dataclass

from privacy_rights.models import RequestType, RightsRequest

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
    return Notice(subject=f"We received your privacy request {request.request_id}", text=text, sms=sms)
