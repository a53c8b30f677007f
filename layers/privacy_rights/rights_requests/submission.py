"""What a person submits (``POST /requests``, a phone request ops enter, an email read): the
body's model, on its own so that a function that takes such a body without running intake (the
ops API's phone entry) loads no more than the body."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from privacy_rights.core.identifiers import Email, Phone, normalize_email, normalize_phone
from privacy_rights.core.models import (
    AccessScope,
    FreeText,
    Jurisdiction,
    OptOutPurpose,
    Requester,
    RequestType,
    ShortText,
    UsState,
)


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Literal["name", "email", "phone", "company", "notes", "recording", "transcript", "other"]
    corrected: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    why: FreeText = ""
    #: the value we hold, as the person saw it: with it the workflow finds and changes the
    #: records itself (a conditional write on that value); without it ops do it by hand
    held: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""

    @model_validator(mode="after")
    def _well_formed(self) -> Correction:
        checks = {"email": normalize_email, "phone": normalize_phone}
        check = checks.get(self.field)
        if check is not None:
            for name in ("corrected", "held") if self.held else ("corrected",):
                try:
                    check(getattr(self, name))
                except ValueError as exc:
                    raise ValueError(f"{name}: {exc}") from None
        if self.held and self.held == self.corrected:
            raise ValueError("held and corrected are the same value")
        return self


class SubmitRequest(BaseModel):
    """The body of ``POST /requests``. Unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: RequestType
    jurisdiction: Jurisdiction
    us_state: UsState | None = None
    email: Email | None = None
    phone: Phone | None = None
    phone_held_since: date | None = None
    name: ShortText | None = None
    account_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    details: FreeText = ""
    scope: AccessScope | None = None
    opt_out_of: list[OptOutPurpose] = Field(default_factory=list, max_length=len(OptOutPurpose))
    requester: Requester | None = None
    corrections: list[Correction] = Field(default_factory=list, max_length=20)
    object_to: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")]] = Field(
        default_factory=list,
        max_length=10,
        description="An objection (GDPR Art. 21): the purposes objected to, from those the data map "
        "bases on legitimate interests (analytics, ai_training, agent_scoring, marketing).",
    )
    consent_to_withdraw: list[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,39}$")]] = Field(
        default_factory=list,
        max_length=10,
        description="A withdrawal of consent (GDPR Art. 7(3)): the purposes, from those the data map "
        "bases on consent (marketing, sale_share, targeted_ads, recording). By email, naming none "
        "withdraws every one.",
    )
    clarifies: Annotated[str, StringConstraints(pattern=r"^mail_[A-Za-z0-9_-]{10,64}$")] | None = Field(
        default=None,
        description="The email this request clarifies (from the link in our reply): the legal clock "
        "then runs from that email's receipt.",
    )
    declaration: bool = Field(
        default=False,
        description="For specific pieces of information (CCPA 7062): declared under penalty of perjury "
        "that the requester is the person whose data is requested.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> SubmitRequest:
        if not self.email and not self.phone:
            raise ValueError("give at least one of email or phone")
        if self.phone_held_since is not None and not self.phone:
            raise ValueError("phone_held_since needs a phone number")
        if self.type is RequestType.OPT_OUT and not self.opt_out_of:
            raise ValueError("an opt-out names what to opt out of (opt_out_of)")
        if self.type is not RequestType.OPT_OUT and self.opt_out_of:
            raise ValueError("opt_out_of goes with type opt_out")
        if self.scope is not None and self.type not in (RequestType.ACCESS, RequestType.PORTABILITY):
            raise ValueError("scope goes with access or portability")
        if self.object_to and self.type is not RequestType.OBJECTION:
            raise ValueError("object_to goes with type objection")
        if self.consent_to_withdraw and self.type is not RequestType.WITHDRAW_CONSENT:
            raise ValueError("consent_to_withdraw goes with type withdraw_consent")
        if (self.type is RequestType.CORRECTION) != bool(self.corrections):
            raise ValueError("corrections go with, and only with, type correction")
        if self.jurisdiction is Jurisdiction.US_STATE and self.us_state is None:
            raise ValueError("a us_state request names the state (us_state, e.g. VA)")
        return self
