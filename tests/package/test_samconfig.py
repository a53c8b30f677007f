"""samconfig.toml deploys `dev` and `prod` without a question (issue 21)."""

from __future__ import annotations

import tomllib

import pytest

from lambda_package import REPO_ROOT
from local_stack.template import load_template


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_every_template_parameter_is_set_for_the_environment(environment: str) -> None:
    config = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    deploy = config[environment]["deploy"]["parameters"]
    overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"])
    parameters = load_template()["Parameters"]
    assert set(overrides) == set(parameters), "samconfig.toml and template.yaml name other parameters"
    for name, value in overrides.items():
        allowed = parameters[name].get("AllowedValues")
        if allowed:
            assert value in allowed, (environment, name, value)
    assert deploy["stack_name"].endswith(environment)
    assert "CAPABILITY_IAM" in deploy["capabilities"]


def test_production_mail_goes_to_a_dedicated_subdomain_and_changes_are_confirmed() -> None:
    prod = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())["prod"]["deploy"]["parameters"]
    overrides = dict(item.split("=", 1) for item in prod["parameter_overrides"])
    assert overrides["MailDomain"].startswith("privacy."), (
        "MX of the company's main domain must not move to SES"
    )
    assert prod["confirm_changeset"] is True
