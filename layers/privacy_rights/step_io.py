"""The payloads that travel between states: pointers only."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StepInput(BaseModel):
    model_config = ConfigDict(extra="ignore")

    request_id: str = Field(min_length=5, max_length=64)


class CaughtError(BaseModel):
    """What a Catch with ``ResultPath: "$.error"`` leaves in the state."""

    Error: str
    Cause: str = ""


class FailureInput(StepInput):
    step: str = Field(min_length=1, max_length=80)
    error: CaughtError
