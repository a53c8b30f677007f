"""Every error name the state machine's Retry and Catch match on exists: a Step Functions or
Lambda error, or a domain error class (tasks raise them by name, ``errorType`` is the class name).
A renamed exception would otherwise silently stop its retries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from privacy_rights.core import errors

DEFINITION = Path(__file__).resolve().parents[2] / "infra" / "statemachine" / "rights_request.asl.json"

#: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
STATES_ERRORS = {
    "States.ALL",
    "States.BranchFailed",
    "States.DataLimitExceeded",
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    "States.Runtime",
    "States.TaskFailed",
    "States.Timeout",
}
#: What the Lambda service itself raises on an invoke (not the function's errors).
LAMBDA_ERRORS = {
    "Lambda.AWSLambdaException",
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
}

#: Not raised by a task: sent with SendTaskFailure to the verification wait, which then denies the
#: request as unverifiable. Nothing in the service sends it today (the deadline is States.Timeout);
#: the orchestration tests send it in place of the deadline, which moto does not run.
CALLBACK_ERRORS = {"VerificationFailed"}


def domain_errors() -> set[str]:
    found: set[str] = set()
    pending = [errors.DomainError]
    while pending:
        cls = pending.pop()
        found.add(cls.__name__)
        pending += cls.__subclasses__()
    return {
        name
        for name in found
        if isinstance(getattr(errors, name, None), type)
        and issubclass(getattr(errors, name), errors.DomainError)
    }


def error_names(node: Any) -> set[str]:
    """Every name in every ``ErrorEquals`` of the definition, nested Map and Parallel states included."""
    if isinstance(node, list):
        return set().union(*(error_names(item) for item in node)) if node else set()
    if not isinstance(node, dict):
        return set()
    names = set(node.get("ErrorEquals", []))
    return names.union(*(error_names(value) for key, value in node.items() if key != "ErrorEquals"))


def unknown_names(definition: dict[str, Any], domain: set[str]) -> set[str]:
    return error_names(definition) - STATES_ERRORS - LAMBDA_ERRORS - CALLBACK_ERRORS - domain


def test_every_error_the_state_machine_matches_exists() -> None:
    definition = json.loads(DEFINITION.read_text())

    assert unknown_names(definition, domain_errors()) == set()


def test_the_names_the_workflow_relies_on_are_matched() -> None:
    names = error_names(json.loads(DEFINITION.read_text()))

    assert {"ConcurrentModification", "SubjectBusy", "TransientDependencyError", "States.ALL"} <= names
    assert {"ConcurrentModification", "SubjectBusy", "TransientDependencyError"} <= domain_errors()


def test_a_renamed_domain_error_would_be_caught() -> None:
    definition = json.loads(DEFINITION.read_text())

    assert unknown_names(definition, domain_errors() - {"ConcurrentModification"}) == {
        "ConcurrentModification"
    }


def test_a_misspelt_service_error_would_be_caught() -> None:
    definition = {"States": {"A": {"Type": "Task", "Retry": [{"ErrorEquals": ["States.Timout"]}]}}}

    assert unknown_names(definition, domain_errors()) == {"States.Timout"}
