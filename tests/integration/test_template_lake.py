"""template.yaml's analytics-lake pieces resolve as CloudFormation resolves them: the Glue table's
partition projection (new days' partitions queryable with no registration), and the pyarrow
layer for the region deployed to (the PandasLayer mapping, overridable by PandasLayerArn)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local_stack.athena import Projection
from local_stack.template import Resolver, UnsupportedTemplate, load_template, parameter_values
from privacy_rights.core.data_map import load_data_map

pytestmark = pytest.mark.integration

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
LAKE = load_data_map().store("call_events_lake").lake
assert LAKE is not None
REWRITE = RESOURCES["RewriteLakeFileFunction"]["Properties"]
#: the account AWS publishes the AWS SDK for pandas layer from in the standard regions
PANDAS_ACCOUNT = "336392948345"


def _resolver(overrides: dict[str, str] | None = None, region: str = "us-east-1") -> Resolver:
    def lookup(logical_id: str, attribute: str | None) -> str:
        return f"{logical_id}.{attribute or 'Ref'}"

    return Resolver(parameter_values(TEMPLATE, overrides or {}), lookup, "stack", TEMPLATE, region=region)


def _table_parameters(overrides: dict[str, str] | None = None) -> dict[str, str]:
    (table,) = [
        spec["Properties"]
        for spec in RESOURCES.values()
        if spec["Type"] == "AWS::Glue::Table" and spec["Properties"]["TableInput"]["Name"] == LAKE.table
    ]
    parameters: dict[str, str] = _resolver(overrides).resolve(table["TableInput"]["Parameters"])
    return parameters


def test_the_lake_table_projects_every_partition_key() -> None:
    """Athena computes the partitions: every key is projected (dt a date by day, tenant_id the
    listed businesses), and nothing is left for a writer to register."""
    parameters = _table_parameters()
    assert parameters["projection.enabled"] == "true"
    assert [k for k in LAKE.partition_keys if f"projection.{k}.type" in parameters] == LAKE.partition_keys
    assert parameters["projection.dt.type"] == "date"
    assert parameters["projection.dt.format"] == "yyyy-MM-dd"  # the lake's dt=2026-08-14 folders
    assert parameters["projection.dt.range"].endswith(",NOW")
    assert parameters["projection.tenant_id.type"] == "enum"
    assert (
        parameters["projection.tenant_id.values"]
        == TEMPLATE["Parameters"]["PlatformLakeTenantIds"]["Default"]
    )
    # the default Hive layout under the location: what the platform writes
    assert "storage.location.template" not in parameters


def test_a_day_written_after_deployment_is_in_the_projection_and_an_unlisted_business_is_not() -> None:
    """What Athena reads, as the local Athena computes it from the template's properties."""
    projection = Projection(
        _table_parameters({"PlatformLakeTenantIds": "acme,brightside", "PlatformLakeFirstDay": "2024-01-01"}),
        LAKE.partition_keys,
    )
    today = datetime.now(UTC).date()
    assert projection.holds(f"dt={today}/tenant_id=acme/part-0.parquet")
    assert projection.holds("dt=2024-01-01/tenant_id=brightside/part-0.parquet")
    assert not projection.holds(f"dt={today}/tenant_id=globex/part-0.parquet")  # not listed
    assert not projection.holds("dt=2023-12-31/tenant_id=acme/part-0.parquet")  # before the first day
    assert not projection.holds(f"dt={today + timedelta(days=2)}/tenant_id=acme/part-0.parquet")  # after NOW
    assert not projection.holds("dt=2024-3-5/tenant_id=acme/part-0.parquet")  # not a projected value
    assert not projection.holds(f"tenant_id=acme/dt={today}/part-0.parquet")  # not the table's layout
    assert not projection.holds("part-0.parquet")


def test_every_region_of_the_pandas_layer_mapping_resolves_to_that_regions_layer() -> None:
    """With PandasLayerArn empty (the default), the rewrite function gets the layer AWS publishes
    in the region deployed to, for its runtime and architecture."""
    globals_ = TEMPLATE["Globals"]["Function"]
    runtime = REWRITE.get("Runtime", globals_["Runtime"])
    architecture = REWRITE.get("Architectures", globals_["Architectures"])[0]
    name = f"AWSSDKPandas-Python{runtime.removeprefix('python').replace('.', '')}" + (
        "-Arm64" if architecture == "arm64" else ""
    )
    allowed = re.compile(TEMPLATE["Parameters"]["PandasLayerArn"]["AllowedPattern"])
    regions = TEMPLATE["Mappings"]["PandasLayer"]
    assert {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"} <= set(regions)
    for region in regions:
        (layer,) = _resolver(region=region).resolve(REWRITE["Layers"])
        assert re.fullmatch(rf"arn:aws:lambda:{region}:{PANDAS_ACCOUNT}:layer:{name}:\d+", layer), layer
        assert allowed.fullmatch(layer)  # an ARN the parameter would accept too


def test_the_pandas_layer_parameter_overrides_the_mapping_and_an_unmapped_region_fails() -> None:
    mine = "arn:aws:lambda:ap-east-1:839552336658:layer:AWSSDKPandas-Python312-Arm64:26"
    assert _resolver({"PandasLayerArn": mine}, region="us-east-1").resolve(REWRITE["Layers"]) == [mine]
    assert _resolver({"PandasLayerArn": mine}, region="ap-east-1").resolve(REWRITE["Layers"]) == [mine]
    # no layer of another region: the deployment fails on FindInMap, as CloudFormation's does
    with pytest.raises(UnsupportedTemplate, match="FindInMap"):
        _resolver(region="ap-east-1").resolve(REWRITE["Layers"])
