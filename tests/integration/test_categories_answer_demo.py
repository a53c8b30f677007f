"""The categories answer (CCPA request to know categories) through the real API, state machine and
export, for one demo subject whose business decides each time (its answer comes through the
customer API): what it lists is what resolution found. Every README subject is checked the same
way on the synthetic platform in memory (``tests/unit/test_categories_per_demo_subject.py``)."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from local_stack import demo
from local_stack.runtime import RunningStack
from privacy_rights.adapters.request_store import RequestStore
from privacy_rights.core.data_map import load_data_map

pytestmark = pytest.mark.integration
Submit = Callable[[dict[str, Any], list[str]], str]


def _answer_waits(
    request_id: str, store: RequestStore, call_api: Callable[..., Any], sfn_done: Callable[[], bool]
) -> None:
    """Ops approve a flagged footprint; a business that decides each time releases its records."""
    deadline = time.monotonic() + 60
    while not sfn_done() and time.monotonic() < deadline:
        waiting = store.waiting_for(request_id)
        if "decision" in waiting:
            decision = {"decision": "approve", "reason": "demo: answer the categories"}
            assert (
                call_api("POST", f"/ops/requests/{request_id}/decision", decision, operator="olivia")[0]
                == 200
            )
        elif "customer" in waiting:
            for tenant in {c.tenant_id for c in store.get(request_id).resolution.counts if c.tenant_id}:  # type: ignore[union-attr]
                answer = {"decision": "release", "reason": "no objection to the categories"}
                call_api(
                    "POST", f"/customer/requests/{request_id}/answer", answer, operator=f"customer-{tenant}"
                )
        time.sleep(0.1)


@pytest.mark.parametrize("subject", [demo.ELENA], ids=lambda s: s.key)
def test_the_categories_answer_of_each_demo_subject_is_what_resolution_found(
    subject: demo.Subject,
    seeded: RunningStack,
    request: pytest.FixtureRequest,
    call_api: Callable[..., Any],
    store: RequestStore,
    verified: Submit,
    wait_for_execution: Callable[[str], dict[str, Any]],
) -> None:
    stack: RunningStack = (
        request.getfixturevalue("switchboard") if subject.special == "shared switchboard" else seeded
    )
    body: dict[str, Any] = {"scope": "categories"}
    proven = []
    for kind in ("email", "phone"):
        if getattr(subject, kind):
            body[kind] = getattr(subject, kind)
            proven.append(kind)
    if subject.phone_held_since:
        body["phone_held_since"] = subject.phone_held_since.isoformat()
    request_id = verified(body, proven)
    finished: dict[str, Any] = {}

    def done() -> bool:
        sfn: Any = stack.client("stepfunctions")
        arn = stack.stack.ref("RightsRequestStateMachine").replace(":stateMachine:", ":execution:")
        finished.update(sfn.describe_execution(executionArn=f"{arn}:{request_id}"))
        return finished["status"] != "RUNNING"

    _answer_waits(request_id, store, call_api, done)
    assert wait_for_execution(request_id)["status"] == "SUCCEEDED"
    answer = store.get(request_id)
    assert answer.resolution is not None
    released: Counter[str] = Counter()
    for count in answer.resolution.counts:
        released[count.store] += count.released
    released = +released

    key = answer.extra["export"]["key"]
    zipped = stack.client("s3").get_object(Bucket=stack.stack.ref("ExportsBucket"), Key=key)  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(zipped["Body"].read()))
    assert sorted(archive.namelist()) == ["index.html", "manifest.json"]
    manifest = json.loads(archive.read("manifest.json"))
    answered: Counter[str] = Counter({s["source"]: s["records_found"] for s in manifest["sources"]})
    for elsewhere in manifest["answered_by_the_business"]:
        answered[elsewhere["source"]] += elsewhere["records"]
    data_map = load_data_map()
    ours = {s.name for s in data_map.stores if s.owned_by_this_service}
    assert answered == Counter({k: v for k, v in released.items() if k not in ours})
    assert all(s["records_found"] > 0 for s in manifest["sources"])

    held = [data_map.store(s["source"]) for s in manifest["sources"]]
    categories = {f.category for s in held for f in s.fields.values()}
    assert {c["category"] for c in manifest["categories"]} == categories
    page = archive.read("index.html").decode()
    for store_found in held:
        assert str(store_found.label).split(":")[0].replace("'", "&#x27;") in page
    assert "commercial_information" not in page
