"""The platform's data map (``data_map.yaml`` beside this module, the only copy: it ships in the
layer), loaded and checked.

The map is the only description of the platform's stores this service uses: how to find a
subject in each, what the fields mean, who controls them and how they are erased. It is
validated as a whole when loaded, so a typo in an index name or a recipient fails at cold
start and in the tests, not halfway through a deletion.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: Identifiers a requester can prove (a code to an address, an account sign-in).
ROOT_KINDS = frozenset({"email", "phone", "account_id"})
#: The lawful bases of processing (GDPR Art. 6(1)) a purpose may rest on. An objection (Art. 21)
#: reaches the purposes based on legitimate interests; a withdrawal (Art. 7(3)) those on consent.
LegalBasis = Literal["contract", "legal_obligation", "legitimate_interests", "consent"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldSpec(_Strict):
    category: str
    purposes: list[str]


class TableShape(_Strict):
    key: list[str] = Field(min_length=1, max_length=2)
    indexes: dict[str, list[str]] = Field(default_factory=dict)


class Lookup(_Strict):
    """How to reach records from one kind of identifier."""

    by: str
    index: str | None = None
    attribute: str | None = None
    prefix: str | None = None
    role: str | None = None
    keyed_hash: bool = False


class Erasure(_Strict):
    strategy: Literal["delete", "tombstone", "retain", "mute_channel"]
    keep: list[str] = Field(default_factory=list)
    basis: str | None = None
    versions: Literal["all"] | None = None
    retain_days: int | None = None
    note: str | None = None
    unless_used: str | None = None


class Correction(_Strict):
    """What a correction request (GDPR Art. 16, CCPA 7023) may change in a store. Keys are the
    fields a person names (``submission.Correction.field``); values the store's attributes."""

    #: changed through the store's own write (a conditional update on the value held)
    fields: dict[str, str] = Field(default_factory=dict)
    #: held here but not corrected: a record of what happened, not something to rewrite
    fixed: dict[str, str] = Field(default_factory=dict)
    #: why the ``fixed`` ones are not corrected, as the answer to the person quotes it
    why_fixed: str | None = None


class Lake(_Strict):
    """A table of Parquet files on S3 in the Glue catalog, queried with Athena (``kind: lake``):
    found with a query over its identifier columns (``"$path"`` names the files), erased by
    rewriting each file that holds the subject without their rows (``delete``) or with the
    ``tombstone`` columns nulled."""

    database: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    table: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    #: where the table's files are, under the store's bucket (the Glue table's location)
    location: str = Field(pattern=r"^[a-z0-9_/-]+/$")
    partition_keys: list[str] = Field(min_length=1)
    #: the column naming one row: what resolution points at and erasure takes out
    row_id: str
    #: columns with the values that identify a person (caller phone, email, lead id…)
    identifier_columns: list[str] = Field(min_length=1)
    #: columns nulled when the store's erasure is a tombstone (every identifier column at least)
    tombstone_columns: list[str] = Field(default_factory=list)
    #: every column and its Glue/Athena type (partition keys included), in file order
    columns: dict[str, str]

    @model_validator(mode="after")
    def _columns_known(self) -> Lake:
        named = {*self.partition_keys, self.row_id, *self.identifier_columns, *self.tombstone_columns}
        unknown = named - set(self.columns)
        if unknown:
            raise ValueError(f"lake {self.table}: unknown columns {sorted(unknown)}")
        if self.tombstone_columns and not set(self.identifier_columns) <= set(self.tombstone_columns):
            raise ValueError(f"lake {self.table}: a tombstone nulls every identifier column")
        return self


class Store(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    #: what the store holds, in the words shown to the person it is about (the access answer)
    label: str | None = None
    description: str
    kind: Literal["dynamodb", "s3", "lake"]
    parameter: str | None = None
    resource: str | None = None
    owned_by_this_service: bool = False
    controller: Literal["platform", "customer"]
    tenant_attribute: str | None = None
    table: TableShape | None = None
    lake: Lake | None = None
    lookups: list[Lookup] = Field(min_length=1)
    yields: dict[str, str] = Field(default_factory=dict)
    time_attribute: str | None = None
    fields: dict[str, FieldSpec]
    subject_provided: list[str] = Field(default_factory=list)
    automated_decision_making: str | None = None
    recipients: list[str] = Field(default_factory=list)
    retention: str
    source: str
    erasure: Erasure
    #: which fields a correction changes here, and which it does not and why (none: nothing)
    correction: Correction | None = None
    sensitive: bool = False

    @property
    def environment_variable(self) -> str:
        """Where a function finds this store's physical name."""
        return f"STORE_{self.name.upper()}"

    @model_validator(mode="after")
    def _consistent(self) -> Store:
        if (self.parameter is None) == (self.resource is None):
            raise ValueError(
                f"{self.name}: give exactly one of parameter (platform store) or resource (ours)"
            )
        if self.owned_by_this_service != (self.resource is not None):
            raise ValueError(f"{self.name}: a store of this service names its resource")
        if self.controller == "customer" and not self.tenant_attribute:
            raise ValueError(f"{self.name}: a customer-controlled store names its tenant attribute")
        if self.kind == "dynamodb" and self.table is None:
            raise ValueError(f"{self.name}: a DynamoDB store describes its table")
        if (self.kind == "lake") != (self.lake is not None):
            raise ValueError(f"{self.name}: a lake store, and only one, describes its lake")
        if self.lake is not None:
            self._lake_consistent(self.lake)
        for lookup in self.lookups:
            if self.kind == "s3" and not lookup.prefix:
                raise ValueError(f"{self.name}: S3 lookups give a key prefix")
            if self.kind == "dynamodb":
                assert self.table is not None
                if not lookup.attribute:
                    raise ValueError(f"{self.name}: DynamoDB lookups name the attribute")
                if lookup.index is None and lookup.attribute != self.table.key[0]:
                    raise ValueError(f"{self.name}: a lookup without an index must use the partition key")
                if lookup.index is not None:
                    if lookup.index not in self.table.indexes:
                        raise ValueError(f"{self.name}: unknown index {lookup.index}")
                    if self.table.indexes[lookup.index][0] != lookup.attribute:
                        raise ValueError(f"{self.name}: {lookup.index} is not keyed on {lookup.attribute}")
        unknown_fields = set(self.subject_provided) - set(self.fields)
        if unknown_fields:
            raise ValueError(f"{self.name}: subject_provided names unknown fields {sorted(unknown_fields)}")
        if self.erasure.strategy == "tombstone" and not self.erasure.keep:
            raise ValueError(f"{self.name}: a tombstone lists the fields it keeps")
        if self.erasure.strategy in ("tombstone", "retain") and not self.erasure.basis:
            raise ValueError(f"{self.name}: keeping data needs its legal basis")
        if self.correction is not None:
            self._check_correction(self.correction)
        return self

    def _check_correction(self, correction: Correction) -> None:
        attributes = {*correction.fields.values(), *correction.fixed.values()}
        unknown = sorted(attributes - set(self.fields))
        if unknown:
            raise ValueError(f"{self.name}: correction names unknown fields {unknown}")
        if correction.fixed and not correction.why_fixed:
            raise ValueError(f"{self.name}: fields a correction leaves alone say why (why_fixed)")
        if correction.fields and self.kind != "dynamodb":
            # an object rewritten as a new version (older ones deleted) is not implemented
            raise ValueError(f"{self.name}: only DynamoDB stores have correctable fields")
        keys = set(self.table.key) if self.table is not None else set()
        if set(correction.fields.values()) & keys:
            raise ValueError(f"{self.name}: a key attribute is not correctable in place")

    def _lake_consistent(self, lake: Lake) -> None:
        for lookup in self.lookups:
            if lookup.attribute not in lake.identifier_columns:
                raise ValueError(f"{self.name}: lake lookups name one of its identifier columns")
        if self.tenant_attribute and self.tenant_attribute not in lake.columns:
            raise ValueError(f"{self.name}: the tenant attribute is not a column")
        if self.time_attribute and self.time_attribute not in lake.columns:
            raise ValueError(f"{self.name}: the time attribute is not a column")
        if self.erasure.strategy == "tombstone" and not lake.tombstone_columns:
            raise ValueError(f"{self.name}: a lake tombstone names the columns it nulls")
        if self.erasure.strategy == "mute_channel":
            raise ValueError(f"{self.name}: a lake's rows are deleted or tombstoned")


class Recipient(_Strict):
    name: str
    kind: Literal["processor", "third_party", "customer_system"]
    notify: Literal["webhook", "contract", "customer", "none"]
    why_none: str | None = None
    #: where a ``webhook`` recipient takes signed notices (the last path segment names it)
    endpoint: str | None = None
    #: the purposes it receives data for, where an opt-out of one must reach it (sale_share...)
    purposes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reachable(self) -> Recipient:
        if (self.notify == "webhook") != (self.endpoint is not None):
            raise ValueError(f"{self.name}: a webhook recipient, and only one, gives its endpoint")
        return self


class ResolutionLimits(_Strict):
    max_records_per_subject: int = Field(gt=0)
    max_customers_per_subject: int = Field(gt=0)


class Backups(_Strict):
    point_in_time_recovery_days: int = Field(ge=0)
    backup_vault_retention_days: int = Field(ge=0)


class Defaults(_Strict):
    backups: Backups


class DataMap(_Strict):
    version: str = Field(min_length=1)
    defaults: Defaults
    stores: list[Store] = Field(min_length=1)
    recipients: dict[str, Recipient]
    #: each kind of recipient in words shown to requesters
    recipient_kinds: dict[str, str] = Field(default_factory=dict)
    categories: dict[str, str]
    purposes: dict[str, str]
    #: purpose -> the lawful bases it rests on (every purpose has at least one)
    legal_bases: dict[str, list[LegalBasis]] = Field(default_factory=dict)
    resolution: ResolutionLimits

    @model_validator(mode="after")
    def _every_purpose_has_a_basis(self) -> DataMap:
        unknown = sorted(set(self.legal_bases) - set(self.purposes))
        if unknown:
            raise ValueError(f"legal_bases: unknown purposes {unknown}")
        for name, recipient in self.recipients.items():
            strangers = sorted(set(recipient.purposes) - set(self.purposes))
            if strangers:
                raise ValueError(f"recipient {name}: unknown purposes {strangers}")
        missing = sorted(p for p in self.purposes if not self.legal_bases.get(p))
        if self.legal_bases and missing:
            raise ValueError(f"legal_bases: purposes without a basis {missing}")
        return self

    def recipients_for(self, purpose: str) -> tuple[str, ...]:
        """The recipients that receive data for ``purpose``: an opt-out of it is sent to them."""
        return tuple(name for name, recipient in self.recipients.items() if purpose in recipient.purposes)

    def purposes_based_on(self, basis: LegalBasis) -> tuple[str, ...]:
        """The purposes resting (at least in part) on ``basis``, in the map's order."""
        return tuple(purpose for purpose in self.purposes if basis in self.legal_bases.get(purpose, []))

    @model_validator(mode="after")
    def _references_resolve(self) -> DataMap:
        names = [store.name for store in self.stores]
        if len(names) != len(set(names)):
            raise ValueError("store names must be unique")
        link_kinds = {kind for store in self.stores for kind in store.yields}
        reachable = ROOT_KINDS | link_kinds
        for store in self.stores:
            for lookup in store.lookups:
                if lookup.by not in reachable:
                    raise ValueError(f"{store.name}: nothing yields a {lookup.by} to look up by")
            for field_name, spec in store.fields.items():
                if spec.category not in self.categories:
                    raise ValueError(f"{store.name}.{field_name}: unknown category {spec.category}")
                unknown = set(spec.purposes) - set(self.purposes)
                if unknown:
                    raise ValueError(f"{store.name}.{field_name}: unknown purposes {sorted(unknown)}")
            unknown_recipients = set(store.recipients) - set(self.recipients)
            kinds = {self.recipients[r].kind for r in store.recipients if r in self.recipients}
            unworded = kinds - set(self.recipient_kinds)
            if self.recipient_kinds and unworded:
                raise ValueError(f"{store.name}: recipient kinds without words {sorted(unworded)}")
            if unknown_recipients:
                raise ValueError(f"{store.name}: unknown recipients {sorted(unknown_recipients)}")
        return self

    def store(self, name: str) -> Store:
        for store in self.stores:
            if store.name == name:
                return store
        raise KeyError(name)

    def lookups_by(self, kind: str) -> list[tuple[Store, Lookup]]:
        return [(store, lookup) for store in self.stores for lookup in store.lookups if lookup.by == kind]


def parse_data_map(text: str) -> DataMap:
    # Imported here: only the functions that resolve subjects read the map (PyYAML costs ~14 ms
    # of every other cold start).
    import yaml

    return DataMap.model_validate(yaml.safe_load(text))


@lru_cache(maxsize=4)
def load_data_map(path: Path | None = None) -> DataMap:
    """The map shipped with the package (``privacy_rights/core/data_map.yaml``, the only copy; in the layer
    as package data), or another file for tests."""
    if path is not None:
        return parse_data_map(path.read_text())
    return parse_data_map(resources.files("privacy_rights.core").joinpath("data_map.yaml").read_text())
