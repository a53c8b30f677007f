"""Requests and their audit trail in DynamoDB.

A request item carries the head of its audit chain (``audit_seq``, ``audit_hash``). Every
change is one transaction: the request update, conditioned on the version and chain head the
writer saw, and the audit entry's put, conditioned on the entry not existing. So two writers
never overwrite each other, the trail never forks, and the writer needs nothing on the audit
table but ``dynamodb:PutItem``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from privacy_rights.adapters.items import from_item as _from_item
from privacy_rights.adapters.items import plain as _plain
from privacy_rights.adapters.items import serialize
from privacy_rights.adapters.items import to_item as _to_item
from privacy_rights.core.audit import GENESIS_HASH, AuditEntry, DetailValue, next_entry, verify_chain
from privacy_rights.core.errors import ConcurrentModification, NotFound
from privacy_rights.core.identifiers import STORED
from privacy_rights.core.models import RightsRequest, Status

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

STATUS_INDEX = "by_status"
EMAIL_KEY_INDEX = "by_email_key"
PHONE_KEY_INDEX = "by_phone_key"
SUBJECT_INDEXES = {"email": (EMAIL_KEY_INDEX, "email_key"), "phone": (PHONE_KEY_INDEX, "phone_key")}
MAX_HEAD_RACES = 8
STREAM_PREFIX = "audit:"
#: closed requests by when they were closed (``ops.record_retention``): a sparse index, keyed by
#: a constant (``closed`` = CLOSED) and ``closed_at`` (epoch seconds), present only while final
CLOSED_INDEX = "by_closed_at"
CLOSED = "closed"


@dataclass(frozen=True)
class AuditHead:
    seq: int
    hash: str


_INDEX_ATTRIBUTES = ("due_at", "email_key", "phone_key", "audit_seq", "audit_hash", "closed", "closed_at")
#: Attributes of the request item that are not fields of the model: each has its own writer,
#: so a save of the model never overwrites them. ``expiring``: when record retention began
#: removing the request (``adapters/expiring_records.py``).
_SIDE_ATTRIBUTES = ("ledger", "waiting", "expiring")


class RequestStore:
    def __init__(self, client: DynamoDBClient, requests_table: str, audit_table: str) -> None:
        self._ddb = client
        self._requests = requests_table
        self._audit = audit_table

    # -- reads ---------------------------------------------------------------------------

    def get(self, request_id: str) -> RightsRequest:
        request, _ = self._get_with_head(request_id)
        return request

    def audit_head(self, request_id: str) -> AuditHead:
        response = self._ddb.get_item(
            TableName=self._requests,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
            ProjectionExpression="audit_seq, audit_hash",
        )
        if "Item" not in response:
            raise NotFound(request_id)
        values = _plain(_from_item(response["Item"]))
        return AuditHead(seq=values["audit_seq"], hash=values["audit_hash"])

    def ensure_stream(self, stream_id: str) -> None:
        """An audit trail not tied to a request (ops look-ups, holds): its chain head lives in
        an item of its own, created once."""
        if not stream_id.startswith(STREAM_PREFIX):
            raise ValueError("audit stream ids start with " + STREAM_PREFIX)
        try:
            self._ddb.put_item(
                TableName=self._requests,
                Item=_to_item({"request_id": stream_id, "audit_seq": 0, "audit_hash": GENESIS_HASH}),
                ConditionExpression="attribute_not_exists(request_id)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def _get_with_head(self, request_id: str) -> tuple[RightsRequest, AuditHead]:
        response = self._ddb.get_item(
            TableName=self._requests, Key={"request_id": {"S": request_id}}, ConsistentRead=True
        )
        if "Item" not in response:
            raise NotFound(request_id)
        values = _plain(_from_item(response["Item"]))
        head = AuditHead(seq=values["audit_seq"], hash=values["audit_hash"])
        model = {k: v for k, v in values.items() if k not in _INDEX_ATTRIBUTES + _SIDE_ATTRIBUTES}
        # Stored identifiers were normalized when written: not parsed again (core.identifiers).
        return RightsRequest.model_validate(model, context=STORED), head

    def by_status(
        self, status: Status, due_from: date | None = None, due_to: date | None = None
    ) -> Iterator[RightsRequest]:
        """Pages through the status index, ordered by the current due date."""
        condition = "#s = :s"
        values: dict[str, Any] = {":s": {"S": status.value}}
        if due_from and due_to:
            condition += " AND due_at BETWEEN :lo AND :hi"
            values.update({":lo": {"S": due_from.isoformat()}, ":hi": {"S": due_to.isoformat()}})
        elif due_to:
            condition += " AND due_at <= :hi"
            values[":hi"] = {"S": due_to.isoformat()}
        elif due_from:
            condition += " AND due_at >= :lo"
            values[":lo"] = {"S": due_from.isoformat()}
        yield from self._query_ids(
            IndexName=STATUS_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues=values,
        )

    def by_subject_key(self, kind: str, digests: list[str]) -> Iterator[RightsRequest]:
        """Requests whose subject's ``kind`` identifier hashes to any of ``digests``
        (one digest per key in the ring, so a rotation does not hide older requests)."""
        index, attribute = SUBJECT_INDEXES[kind]
        seen: set[str] = set()
        for digest in digests:
            for request in self._query_ids(
                IndexName=index,
                KeyConditionExpression="#k = :k",
                ExpressionAttributeNames={"#k": attribute},
                ExpressionAttributeValues={":k": {"S": digest}},
            ):
                if request.request_id not in seen:
                    seen.add(request.request_id)
                    yield request

    def _query_ids(self, **query: Any) -> Iterator[RightsRequest]:
        # GSIs project keys only: a consistent GetItem per hit reads the current item,
        # never a stale projection.
        paginator = self._ddb.get_paginator("query")
        for page in paginator.paginate(TableName=self._requests, **query):
            for item in page["Items"]:
                yield self.get(item["request_id"]["S"])

    def audit_entries(self, request_id: str) -> list[AuditEntry]:
        paginator = self._ddb.get_paginator("query")
        entries: list[AuditEntry] = []
        for page in paginator.paginate(
            TableName=self._audit,
            KeyConditionExpression="request_id = :r",
            ExpressionAttributeValues={":r": {"S": request_id}},
            ConsistentRead=True,
        ):
            for item in page["Items"]:
                values = _plain(_from_item(item))
                values["detail"] = json.loads(values.pop("detail_json"))
                values.pop("expire_at", None)
                entries.append(AuditEntry.model_validate(values))
        return entries

    def verify_audit(self, request_id: str) -> int:
        """Check the request's whole chain against its head. A request marked ``expiring`` (its
        entries are being removed, oldest first) may lack its first entries, and only those."""
        response = self._ddb.get_item(
            TableName=self._requests,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
            ProjectionExpression="audit_seq, audit_hash, expiring",
        )
        if "Item" not in response:
            raise NotFound(request_id)
        values = _plain(_from_item(response["Item"]))
        return verify_chain(
            self.audit_entries(request_id),
            expected_head=(values["audit_seq"], values["audit_hash"]),
            expiring="expiring" in values,
        )

    # -- writes --------------------------------------------------------------------------

    def create(
        self, request: RightsRequest, actor: str, detail: Mapping[str, DetailValue] | None = None
    ) -> RightsRequest:
        entry = next_entry(request.request_id, None, actor, "request.created", detail)
        values = self._request_values(request) | {
            "audit_seq": entry.seq,
            "audit_hash": entry.hash,
            "ledger": {},
            "waiting": {},
        }
        self._transact(
            {
                "Put": {
                    "TableName": self._requests,
                    "Item": _to_item(values),
                    "ConditionExpression": "attribute_not_exists(request_id)",
                }
            },
            entry,
        )
        return request

    def save(
        self,
        request: RightsRequest,
        actor: str,
        action: str,
        detail: Mapping[str, DetailValue] | None = None,
        completing: tuple[str, Mapping[str, Any]] | None = None,
    ) -> RightsRequest:
        """Write ``request`` if nobody changed it since it was read (its ``version``);
        returns the stored copy with the next version. ``completing`` (step, result) records a
        step's result in the same write, only if that step has none yet: a status and the
        answer it stands for are never stored one without the other."""
        for _ in range(MAX_HEAD_RACES):
            current, head = self._get_with_head(request.request_id)
            if current.version != request.version:
                raise ConcurrentModification(request.request_id)
            saved = request.model_copy(update={"version": request.version + 1})
            entry = next_entry(
                request.request_id, self._head_entry(request.request_id, head), actor, action, detail
            )
            everything = self._request_values(saved) | {"audit_seq": entry.seq, "audit_hash": entry.hash}
            everything.pop("request_id")
            values = {k: v for k, v in everything.items() if v is not None}
            removed = [k for k, v in everything.items() if v is None]
            names = {f"#a{i}": name for i, name in enumerate(values)}
            placeholders = {f":a{i}": serialize(value) for i, value in enumerate(values.values())}
            sets = [f"#a{i} = :a{i}" for i in range(len(values))]
            condition = "#v = :expected AND #seq = :head"
            if completing is not None:
                step, result = completing
                names["#step"] = step
                placeholders[":result"] = {"S": json.dumps(dict(result), sort_keys=True, default=str)}
                sets.append("ledger.#step = :result")
                condition += " AND attribute_not_exists(ledger.#step)"
            update = "SET " + ", ".join(sets)
            if removed:
                names.update({f"#r{i}": name for i, name in enumerate(removed)})
                update += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(removed)))
            names.update({"#v": "version", "#seq": "audit_seq"})
            placeholders.update({":expected": {"N": str(request.version)}, ":head": {"N": str(head.seq)}})
            if self._try_transact(
                {
                    "Update": {
                        "TableName": self._requests,
                        "Key": {"request_id": {"S": request.request_id}},
                        "UpdateExpression": update,
                        "ConditionExpression": condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": placeholders,
                    }
                },
                entry,
            ):
                return saved
            if completing is not None and completing[0] in self.ledger(request.request_id):
                raise ConcurrentModification(request.request_id)
        raise ConcurrentModification(request.request_id)

    def record(
        self, request_id: str, actor: str, action: str, detail: Mapping[str, DetailValue] | None = None
    ) -> AuditEntry:
        """Append an audit entry that changes nothing else on the request."""
        for _ in range(MAX_HEAD_RACES):
            head = self.audit_head(request_id)
            entry = next_entry(request_id, self._head_entry(request_id, head), actor, action, detail)
            if self._try_transact(
                {
                    "Update": {
                        "TableName": self._requests,
                        "Key": {"request_id": {"S": request_id}},
                        "UpdateExpression": "SET audit_seq = :next, audit_hash = :hash",
                        "ConditionExpression": "audit_seq = :head",
                        "ExpressionAttributeValues": {
                            ":next": {"N": str(entry.seq)},
                            ":hash": {"S": entry.hash},
                            ":head": {"N": str(head.seq)},
                        },
                    }
                },
                entry,
            ):
                return entry
        raise ConcurrentModification(request_id)

    # -- the step ledger and callbacks ---------------------------------------------------

    def ledger(self, request_id: str) -> dict[str, Any]:
        """Completed steps: step name -> the result it recorded."""
        item = self._side_attribute(request_id, "ledger")
        return {step: json.loads(value) for step, value in item.items()}

    def complete_step(
        self, request_id: str, step: str, result: Mapping[str, Any], actor: str
    ) -> dict[str, Any]:
        """Record a step's result once; a second completion returns the first one's result."""
        encoded = json.dumps(dict(result), sort_keys=True, default=str)
        for _ in range(MAX_HEAD_RACES):
            head = self.audit_head(request_id)
            entry = next_entry(
                request_id, self._head_entry(request_id, head), actor, "step.completed", {"step": step}
            )
            written = self._try_transact(
                {
                    "Update": {
                        "TableName": self._requests,
                        "Key": {"request_id": {"S": request_id}},
                        "UpdateExpression": (
                            "SET ledger.#step = :result, audit_seq = :next, audit_hash = :hash"
                        ),
                        "ConditionExpression": "audit_seq = :head AND attribute_not_exists(ledger.#step)",
                        "ExpressionAttributeNames": {"#step": step},
                        "ExpressionAttributeValues": {
                            ":result": {"S": encoded},
                            ":next": {"N": str(entry.seq)},
                            ":hash": {"S": entry.hash},
                            ":head": {"N": str(head.seq)},
                        },
                    }
                },
                entry,
            )
            if written:
                return dict(result)
            recorded = self.ledger(request_id).get(step)
            if recorded is not None:
                return dict(recorded)
        raise ConcurrentModification(request_id)

    def clear_step(self, request_id: str, step: str, actor: str, reason: str) -> None:
        for _ in range(MAX_HEAD_RACES):
            head = self.audit_head(request_id)
            entry = next_entry(
                request_id,
                self._head_entry(request_id, head),
                actor,
                "step.cleared",
                {"step": step, "reason": reason},
            )
            if self._try_transact(
                {
                    "Update": {
                        "TableName": self._requests,
                        "Key": {"request_id": {"S": request_id}},
                        "UpdateExpression": "REMOVE ledger.#step SET audit_seq = :next, audit_hash = :hash",
                        "ConditionExpression": "audit_seq = :head",
                        "ExpressionAttributeNames": {"#step": step},
                        "ExpressionAttributeValues": {
                            ":next": {"N": str(entry.seq)},
                            ":hash": {"S": entry.hash},
                            ":head": {"N": str(head.seq)},
                        },
                    }
                },
                entry,
            ):
                return
        raise ConcurrentModification(request_id)

    def set_waiting(self, request_id: str, kind: str, token: str) -> bool:
        """Keep the task token of an execution waiting for ``kind`` (verification, decision...),
        unless the ledger already holds an answer to ``kind`` (False): one conditional write, so
        an answer recorded at the same moment either finds the token or is found by the wait."""
        try:
            self._ddb.update_item(
                TableName=self._requests,
                Key={"request_id": {"S": request_id}},
                UpdateExpression="SET waiting.#k = :token",
                ConditionExpression="attribute_exists(request_id) AND attribute_not_exists(ledger.#k)",
                ExpressionAttributeNames={"#k": kind},
                ExpressionAttributeValues={":token": {"S": token}},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                self.get(request_id)  # NotFound for a request that does not exist
                return False
            raise
        return True

    def take_waiting(self, request_id: str, kind: str) -> str | None:
        """Remove and return the task token waiting for ``kind``; None if nothing waits. Taking
        it is atomic, so two answers to one wait never both resume the execution."""
        try:
            response = self._ddb.update_item(
                TableName=self._requests,
                Key={"request_id": {"S": request_id}},
                UpdateExpression="REMOVE waiting.#k",
                ConditionExpression="attribute_exists(waiting.#k)",
                ExpressionAttributeNames={"#k": kind},
                ReturnValues="UPDATED_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        token: str = response["Attributes"]["waiting"]["M"][kind]["S"]
        return token

    def waiting_for(self, request_id: str) -> list[str]:
        return sorted(self._side_attribute(request_id, "waiting"))

    def parked_token(self, request_id: str, kind: str) -> str | None:
        """The task token waiting for ``kind``, left in place (``take_waiting`` removes it)."""
        token: str | None = self._side_attribute(request_id, "waiting").get(kind)
        return token

    def _side_attribute(self, request_id: str, name: str) -> dict[str, Any]:
        response = self._ddb.get_item(
            TableName=self._requests,
            Key={"request_id": {"S": request_id}},
            ConsistentRead=True,
            ProjectionExpression="#a",
            ExpressionAttributeNames={"#a": name},
        )
        if "Item" not in response:
            raise NotFound(request_id)
        value: dict[str, Any] = _from_item(response["Item"]).get(name, {})
        return value

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _head_entry(request_id: str, head: AuditHead) -> AuditEntry | None:
        """Only seq and hash of the previous entry feed the next one (none for a new stream)."""
        if head.seq == 0:
            return None
        return AuditEntry.model_construct(request_id=request_id, seq=head.seq, hash=head.hash)

    @staticmethod
    def _request_values(request: RightsRequest) -> dict[str, Any]:
        values = request.model_dump(mode="json")
        values["due_at"] = request.current_due.isoformat()
        # None removes them (save), so a request an appeal re-opens leaves the index
        values["closed"] = CLOSED if request.is_final else None
        values["closed_at"] = int(request.status_changed_at.timestamp()) if request.is_final else None
        for kind, (_, attribute) in SUBJECT_INDEXES.items():
            values[attribute] = request.subject_keys.get(kind)
        return values

    def _audit_put(self, entry: AuditEntry) -> dict[str, Any]:
        values = entry.model_dump(mode="json", exclude={"detail"})
        values["detail_json"] = json.dumps(entry.detail, sort_keys=True)
        if entry.request_id.startswith(STREAM_PREFIX):
            # a stream never closes: its entries still expire one by one (audit.RETENTION);
            # a request's entries carry no TTL and leave with the request, whole
            values["expire_at"] = entry.expire_at
        return {
            "Put": {
                "TableName": self._audit,
                "Item": _to_item(values),
                "ConditionExpression": "attribute_not_exists(request_id)",
            }
        }

    def _transact(self, request_write: dict[str, Any], entry: AuditEntry) -> None:
        if not self._try_transact(request_write, entry):
            raise ConcurrentModification(entry.request_id)

    def _try_transact(self, request_write: dict[str, Any], entry: AuditEntry) -> bool:
        try:
            items: Any = [request_write, self._audit_put(entry)]
            self._ddb.transact_write_items(TransactItems=items)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in (
                "TransactionCanceledException",
                "ConditionalCheckFailedException",
            ):
                return False
            raise
        return True
