"""The data map, the template and the code agree."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.template import load_template
from privacy_rights.core.data_map import DataMap, load_data_map, parse_data_map
from privacy_rights.resolution.resolution import Resolver

pytestmark = pytest.mark.integration

TEMPLATE = load_template()
DATA_MAP = load_data_map()
#: a lake is read by Athena with the caller's permissions (its queries: LakeQueryPolicy)
READ_ACTIONS = {
    "dynamodb": ["dynamodb:Query"],
    "s3": ["s3:ListBucket"],
    "lake": ["s3:GetObject", "s3:ListBucket"],
}


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def read_statements() -> dict[str, dict[str, Any]]:
    document = TEMPLATE["Resources"]["DataMapReadPolicy"]["Properties"]["PolicyDocument"]
    return {statement["Sid"]: statement for statement in document["Statement"]}


@pytest.mark.parametrize("store", DATA_MAP.stores, ids=lambda s: s.name)
def test_every_store_is_a_stack_parameter_or_a_resource_of_ours(store: Any) -> None:
    if store.parameter:
        assert store.parameter in TEMPLATE["Parameters"]
        assert store.parameter not in TEMPLATE["Resources"]
    else:
        assert store.resource in TEMPLATE["Resources"]


@pytest.mark.parametrize("store", DATA_MAP.stores, ids=lambda s: s.name)
def test_every_store_reaches_the_functions_through_its_environment_variable(store: Any) -> None:
    variables = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]

    assert variables[store.environment_variable] == {"Ref": store.parameter or store.resource}


@pytest.mark.parametrize("store", DATA_MAP.stores, ids=lambda s: s.name)
def test_every_store_has_exactly_the_read_actions_its_kind_needs(store: Any) -> None:
    statement = read_statements()[f"Read{camel(store.name)}"]
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    reference = store.parameter or store.resource

    assert actions == READ_ACTIONS[store.kind]
    assert all(reference in str(resource) for resource in resources)
    has_indexes = bool(store.table and store.table.indexes)
    assert any("/index/" in str(resource) for resource in resources) == has_indexes


def test_the_read_policy_has_no_statement_for_a_store_the_map_does_not_name() -> None:
    expected = {f"Read{camel(store.name)}" for store in DATA_MAP.stores}

    assert set(read_statements()) == expected


def test_every_kind_of_store_has_a_connector() -> None:
    from privacy_rights.adapters.connectors import DynamoDBConnector, S3PrefixConnector
    from privacy_rights.adapters.lake import AthenaLake

    connectors: dict[str, Any] = {
        "dynamodb": DynamoDBConnector(None, {}),
        "s3": S3PrefixConnector(None, {}),
        "lake": AthenaLake(None, None, {}, "s3://work/athena/"),
    }

    Resolver(DATA_MAP, connectors)  # raises for a kind without a connector


def test_a_kind_without_a_connector_is_refused() -> None:
    with pytest.raises(ValueError, match="no connector"):
        Resolver(DATA_MAP, {"dynamodb": object()})  # type: ignore[dict-item]


def test_the_map_covers_what_the_privacy_policy_says_the_platform_holds() -> None:
    names = {store.name for store in DATA_MAP.stores}

    assert {
        "accounts",
        "crm_leads",
        "calls",
        "recordings",
        "transcripts",
        "call_insights",
        "agent_metrics",
        "marketing_preferences",
        "usage_telemetry",
        "training_manifests",
        "service_outbox",
        "call_events_lake",
    } <= names
    assert DATA_MAP.defaults.backups.point_in_time_recovery_days > 0


def _broken(replace: str, by: str) -> DataMap:
    from importlib import resources

    text = resources.files("privacy_rights.core").joinpath("data_map.yaml").read_text()
    assert replace in text
    return parse_data_map(text.replace(replace, by, 1))


@pytest.mark.parametrize(
    ("replace", "by", "reason"),
    [
        ("index: by_caller", "index: by_callr", "unknown index"),
        ("recipients: [payment_processor, cloud_hosting]", "recipients: [nobody]", "unknown recipients"),
        (
            "category: identifiers, purposes: [service, billing] }",
            "category: gossip, purposes: [service] }",
            "category",
        ),
        ("{ by: call_id, attribute: call_id }", "{ by: fax_number, attribute: call_id }", "nothing yields"),
        ("      strategy: tombstone\n", "      strategy: shred\n", "strategy"),
    ],
)
def test_a_broken_map_is_refused_with_the_reason(replace: str, by: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        _broken(replace, by)


def test_there_is_one_data_map_the_one_the_layer_ships() -> None:
    from importlib import resources
    from pathlib import Path

    from local_stack.template import REPO_ROOT

    shipped = Path(str(resources.files("privacy_rights.core").joinpath("data_map.yaml"))).resolve()
    copies = [
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("infra", "layers", "functions", "docs")
        for path in (REPO_ROOT / folder).rglob("*data_map*.y*ml")
    ] + [path.name for path in REPO_ROOT.glob("*data_map*.y*ml")]

    assert shipped == (REPO_ROOT / "layers/privacy_rights/core/data_map.yaml").resolve()
    assert copies == ["layers/privacy_rights/core/data_map.yaml"]
    old_path = "infra/" + "data_map.yaml"
    for name in ("README.md", "DEVELOPERS.md", "template.yaml", "layers/privacy_rights/core/data_map.py"):
        assert old_path not in (REPO_ROOT / name).read_text(), name


def test_the_lakes_glue_table_is_the_one_the_data_map_describes() -> None:
    """Athena reads what the catalog says: database, table, location, columns and partition keys
    must be the data map's."""
    for store in DATA_MAP.stores:
        if store.lake is None:
            continue
        lake = store.lake
        tables = [
            spec["Properties"]
            for spec in TEMPLATE["Resources"].values()
            if spec["Type"] == "AWS::Glue::Table" and spec["Properties"]["TableInput"]["Name"] == lake.table
        ]
        assert len(tables) == 1, store.name
        table = tables[0]["TableInput"]
        database = TEMPLATE["Resources"][tables[0]["DatabaseName"]["Ref"]]["Properties"]["DatabaseInput"]
        assert database["Name"] == lake.database
        assert [k["Name"] for k in table["PartitionKeys"]] == lake.partition_keys
        columns = {
            c["Name"]: c["Type"] for c in [*table["StorageDescriptor"]["Columns"], *table["PartitionKeys"]]
        }
        assert columns == lake.columns
        location = table["StorageDescriptor"]["Location"]["Fn::Sub"]
        assert location == f"s3://${{{store.parameter}}}/{lake.location}"
