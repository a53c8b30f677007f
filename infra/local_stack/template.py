"""Reading template.yaml the way CloudFormation would, for the local stack.

The SAM translator refuses local CodeUri/DefinitionUri paths, so the local stack reads the
template's own SAM resources and resolves the intrinsic functions it uses itself. Anything it
does not understand raises, so local and deployed cannot silently drift.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import cfnlint.decode

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
PARTITION = "aws"

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class UnsupportedTemplate(Exception):
    """The template uses something the local stack cannot reproduce."""


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    template, matches = cfnlint.decode.decode(str(path))
    if matches or template is None:
        raise UnsupportedTemplate(f"{path} does not parse: {matches}")
    return _plain(template)


def _plain(node: Any) -> Any:
    """cfn-lint's node classes behave like dicts and strs; plain ones are easier to copy."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def parameter_values(template: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in template.get("Parameters", {}).items():
        if name in overrides:
            values[name] = overrides[name]
        elif "Default" in spec:
            values[name] = spec["Default"]
        else:
            raise UnsupportedTemplate(f"parameter {name} has no default and no local value")
    unknown = set(overrides) - set(values)
    if unknown:
        raise UnsupportedTemplate(f"unknown parameters: {sorted(unknown)}")
    return values


AttributeLookup = Callable[[str, str | None], Any]


class Resolver:
    """Resolves Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap (the
    template's ``Mappings``) and Fn::If (its ``Conditions``: Fn::Equals, Fn::Not, Fn::And,
    Fn::Or, Condition) against the parameters and the physical attributes of resources
    (``lookup(logical_id, attribute)``; ``attribute`` None means Ref). ``region`` is the
    pseudo parameter ``AWS::Region`` (the local stack's, unless a test asks for another)."""

    def __init__(
        self,
        parameters: Mapping[str, Any],
        lookup: AttributeLookup,
        stack_name: str,
        template: Mapping[str, Any] | None = None,
        region: str = REGION,
    ) -> None:
        self._parameters = dict(parameters)
        self._lookup = lookup
        self._mappings: Mapping[str, Any] = (template or {}).get("Mappings", {})
        self._conditions: Mapping[str, Any] = (template or {}).get("Conditions", {})
        self._pseudo = {
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": region,
            "AWS::Partition": PARTITION,
            "AWS::StackName": stack_name,
            "AWS::StackId": f"arn:{PARTITION}:cloudformation:{region}:{ACCOUNT_ID}:stack/{stack_name}/"
            + str(uuid.uuid5(uuid.NAMESPACE_URL, stack_name)),
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NoValue": None,
        }

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not None]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, value),) = node.items()
            if key == "Ref":
                return self._ref(value)
            if key == "Fn::GetAtt":
                logical, attribute = value.split(".", 1) if isinstance(value, str) else value
                return self._lookup(logical, attribute)
            if key == "Fn::Sub":
                return self._sub(value)
            if key == "Fn::Join":
                separator, items = value
                return separator.join(str(v) for v in self.resolve(items))
            if key == "Fn::Select":
                index, items = value
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                separator, text = value
                return str(self.resolve(text)).split(separator)
            if key == "Fn::FindInMap":
                return self._find_in_map(value)
            if key == "Fn::If":
                condition, when_true, when_false = value
                return self.resolve(when_true if self.condition(condition) else when_false)
            if key.startswith("Fn::") or key == "Condition":
                raise UnsupportedTemplate(f"the local stack does not resolve {key}")
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in node.items()) if v is not None}

    def _find_in_map(self, value: Any) -> Any:
        name, top, second = (self.resolve(v) for v in value)
        try:
            return self._mappings[name][top][second]
        except KeyError:
            # CloudFormation fails the deployment the same way
            raise UnsupportedTemplate(f"Fn::FindInMap: {name} has no {top}.{second}") from None

    def condition(self, name: str) -> bool:
        """One of the template's ``Conditions``, evaluated."""
        if name not in self._conditions:
            raise UnsupportedTemplate(f"unknown condition {name}")
        return self._truth(self._conditions[name])

    def _truth(self, node: Any) -> bool:
        if not isinstance(node, dict) or len(node) != 1:
            raise UnsupportedTemplate(f"not a condition: {node!r}")
        ((key, value),) = node.items()
        if key == "Condition":
            return self.condition(value)
        if key == "Fn::Equals":
            left, right = (self.resolve(v) for v in value)
            return str(left) == str(right)
        if key == "Fn::Not":
            return not self._truth(value[0])
        if key == "Fn::And":
            return all(self._truth(v) for v in value)
        if key == "Fn::Or":
            return any(self._truth(v) for v in value)
        raise UnsupportedTemplate(f"the local stack does not evaluate {key} in a condition")

    def _ref(self, name: str) -> Any:
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        return self._lookup(name, None)

    def _sub(self, value: Any) -> str:
        if isinstance(value, list):
            text, variables = value[0], {k: self.resolve(v) for k, v in value[1].items()}
        else:
            text, variables = value, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return str(self._lookup(logical, attribute))
            return str(self._ref(name))

        return _SUB_VARIABLE.sub(replace, text).replace("${!", "${")
