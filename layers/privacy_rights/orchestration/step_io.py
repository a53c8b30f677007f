"""The payloads that travel between states: pointers only."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.orchestration.verdicts import Verdict, WaitKind


class StepInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    request_id: str = Field(min_length=5, max_length=64)


class CaughtError(BaseModel):
    """What a Catch with ``ResultPath: "$.error"`` leaves in the state."""

    Error: str
    Cause: str | None = None


class FailureInput(StepInput):
    step: str = Field(min_length=1, max_length=80)
    error: CaughtError


class CallbackInput(StepInput):
    """A ``lambda:invoke.waitForTaskToken`` task: park the execution until it is answered."""

    kind: WaitKind
    token: str = Field(min_length=1, max_length=2048)


class FinalizeInput(StepInput):
    verdict: Verdict


class ResolveInput(StepInput):
    """``complete``: resolve again past the ceiling, after ops approved a flagged footprint."""

    complete: bool = False


class SourceInput(StepInput):
    """One item of the export's Map state: a source of the data map."""

    store: str = Field(pattern=r"^[a-z][a-z0-9_]*$")


class LakeFileInput(SourceInput):
    """One item of the erasure's lake Map state: one file of a lake store (an S3 key)."""

    key: str = Field(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9_=./-]+$")
