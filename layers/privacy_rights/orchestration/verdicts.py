"""How a request ends and what it waits for, as ops and the state machine say them: apart from
the workflow so that the ops API can take a decision or filter its queue without importing the
workflow at cold start."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from privacy_rights.core.models import DenialReason, Outcome
from privacy_rights.core.remedies import DenialDetail

#: what a request's execution can be parked for, waiting for an answer (a callback token)
WaitKind = Literal["verification", "permission", "decision", "fulfilment", "customer", "review", "correction"]


class Verdict(BaseModel):
    """How a request ends: completed with an outcome, or denied with a reason."""

    model_config = ConfigDict(extra="forbid")

    result: Literal["completed", "denied"]
    outcome: Outcome | None = None
    reason: DenialReason | None = None
    exemption: str | None = None
    #: ops' own words to the person (``privacy-ops decide … --detail``), read on every channel
    detail: DenialDetail = ""
