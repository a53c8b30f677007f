"""Issue 17's opt-outs carried out where they have effect, on the fakes: an AI-training opt-out
that empties an unused training set of the subject's calls and leaves a used one (listed with
the models it trained); a marketing opt-out that withdraws consent in the marketing store; a
sale/sharing opt-out sent to the recipients the data map lists for it; the confirmation built
from what the ledger recorded, and nothing done twice."""

from __future__ import annotations

from typing import Any

import pytest
from fakes import (
    FakeNotifier,
)
from opt_out_world import DATA_MAP, EMAIL, OptOutWorld

from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    OptOutPurpose,
    Outcome,
    RequestType,
)
from privacy_rights.resolution.resolution import BEFORE_HELD_SINCE, UNPROVEN

POINTERS = "resolution/req_optout000000000000001/pointers.json"
USED, UNUSED = "ts-2026-09", "ts-2026-10"


class Undelivered(FakeNotifier):  # type: ignore[misc]
    def notify(self, url: str, receiver_id: str, event_id: str, payload: Any) -> dict[str, Any]:
        self.calls.append((url, receiver_id, event_id, dict(payload)))
        return {"event_id": event_id, "delivered": False, "attempts": 3, "last_status": 503}


class Stack(OptOutWorld):
    def __init__(
        self,
        ring: KeyRing,
        *purposes: OptOutPurpose,
        notifier: FakeNotifier | None = None,
        proven: tuple[str, ...] = ("email", "phone"),
    ) -> None:
        super().__init__(
            ring,
            RequestType.OPT_OUT,
            purposes,
            request_id="req_optout000000000000001",
            pointers_key=POINTERS,
            notifier=notifier,
            proven=proven,
        )

    def manifest(self, set_id: str, call_id: str, **pointer: Any) -> None:
        used = set_id == USED
        item = {
            "set_id": set_id,
            "call_id": call_id,
            "used": used,
            "trained_models": ["callx-score-v3", "callx-summary-v2"] if used else [],
        }
        key = self.platform.put_item("training_manifests", item)
        if pointer:
            found = self.work.documents.setdefault(POINTERS, [])
            found.append({"store": "training_manifests", "pointer": key, "tenant_id": None} | pointer)

    def sets(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for item in self.platform.items.get("training_manifests", {}).values():
            found.setdefault(item["set_id"], set()).add(item["call_id"])
        return found


def test_an_ai_training_opt_out_empties_an_unused_set_and_leaves_a_used_one(ring: KeyRing) -> None:
    stack = Stack(ring, OptOutPurpose.AI_TRAINING)
    stack.manifest(USED, "CA1", released=False, reason=UNPROVEN)
    stack.manifest(UNUSED, "CA1", released=False, reason=UNPROVEN)
    stack.manifest(UNUSED, "CA2", released=True, reason=None)
    # a recycled number's call before the person held it, and someone else's call: untouched
    stack.manifest(UNUSED, "CA3", released=False, reason=BEFORE_HELD_SINCE)
    stack.manifest(UNUSED, "CA9")

    done = stack.carry_out()

    assert stack.sets() == {USED: {"CA1"}, UNUSED: {"CA3", "CA9"}}
    assert done.outcome is Outcome.COMPLIED
    result = stack.store.ledger(stack.request_id)["opt_out_effect:ai_training"]
    assert result["removed"] == 2
    assert result["removed_from"] == [UNUSED]
    assert result["used_sets"] == [
        {"set_id": USED, "calls": 1, "models": ["callx-score-v3", "callx-summary-v2"]}
    ]
    [email] = stack.messenger.sent
    assert (
        f"we removed your calls from 2 entries of AI training sets not yet used ({UNUSED})" in email["text"]
    )
    assert (
        f"training set {USED} had already been used to train callx-score-v3, callx-summary-v2"
        in email["text"]
    )
    assert "No new training set will include your calls." in email["text"]


def test_an_ai_training_opt_out_reached_by_no_training_set_says_so(ring: KeyRing) -> None:
    stack = Stack(ring, OptOutPurpose.AI_TRAINING)
    stack.work.put_json(POINTERS, [])
    stack.manifest(UNUSED, "CA9")
    stack.carry_out()
    assert stack.sets() == {UNUSED: {"CA9"}}
    [email] = stack.messenger.sent
    assert "none of your calls was in an AI training set" in email["text"]
    assert "we removed" not in email["text"]


@pytest.mark.parametrize("held", [True, False])
def test_a_marketing_opt_out_withdraws_consent_where_the_store_holds_the_address(
    ring: KeyRing, held: bool
) -> None:
    stack = Stack(ring, OptOutPurpose.MARKETING)
    stack.work.put_json(POINTERS, [])
    if held:
        stack.platform.put_item(
            "marketing_preferences", {"email": EMAIL, "consent": True, "consent_at": "2025-01-01"}
        )
    stack.carry_out()
    item = stack.platform.item("marketing_preferences", {"email": EMAIL})
    [email] = stack.messenger.sent
    if held:
        assert item is not None
        assert item["consent"] is False
        assert item["withdrawn_by"] == stack.request_id
        assert "our marketing list now records that you do not consent to marketing" in email["text"]
    else:
        assert item is None  # no contact made up for an address the store never held
        assert "our marketing list holds no contact for you" in email["text"]


def test_a_sale_opt_out_goes_to_the_recipients_the_data_map_lists_for_it(ring: KeyRing) -> None:
    stack = Stack(ring, OptOutPurpose.SALE_SHARE)
    stack.work.put_json(POINTERS, [])
    done = stack.carry_out()
    [(url, receiver, _event_id, payload)] = stack.notifier.calls
    assert receiver in DATA_MAP.recipients_for("sale_share")
    assert url == DATA_MAP.recipients[receiver].endpoint
    assert payload["purpose"] == "sale_share"
    assert payload["subject_keys"] == sorted(done.subject_keys.values())
    assert done.outcome is Outcome.COMPLIED
    [email] = stack.messenger.sent
    assert f"we told {DATA_MAP.recipients[receiver].name} to stop using your data for this" in email["text"]


def test_a_recipient_not_reached_is_said_and_leaves_the_request_done_in_part(ring: KeyRing) -> None:
    stack = Stack(ring, OptOutPurpose.TARGETED_ADS, notifier=Undelivered())
    stack.work.put_json(POINTERS, [])
    done = stack.carry_out()
    assert done.outcome is Outcome.PARTIALLY_COMPLIED
    [email] = stack.messenger.sent
    assert "could not be delivered" in email["text"]
    assert "we told" not in email["text"]


def test_nothing_is_done_twice_and_a_mark_only_purpose_claims_nothing_more(ring: KeyRing) -> None:
    stack = Stack(ring, OptOutPurpose.SALE_SHARE, OptOutPurpose.SENSITIVE_PI)
    stack.work.put_json(POINTERS, [])
    stack.workflow.apply_preferences(stack.request_id)
    stack.store.ledgers[stack.request_id].pop("apply_preferences")  # the step retried after a fault
    stack.workflow.apply_preferences(stack.request_id)
    assert len(stack.notifier.calls) == 1
    assert stack.store.ledger(stack.request_id)["opt_out_effect:sensitive_pi"] == {"effect": "marked"}


def test_without_an_opt_out_the_effects_are_never_built(ring: KeyRing) -> None:
    stack = Stack(ring)
    restriction = stack.store.get(stack.request_id).model_copy(update={"type": RequestType.RESTRICTION})
    stack.store.requests[stack.request_id] = restriction
    stack.workflow.apply_preferences(stack.request_id)
    assert stack.built == 0


def test_an_unproven_opt_out_does_not_say_what_was_found(ring: KeyRing) -> None:
    """An opt-out needs no proof, and its status page is the submitter's: a stranger naming
    someone's number must not learn that their calls were in a training set, which one, or that
    the marketing list holds their address. Who was told (the partner) is said: it is told
    whatever is held."""
    stack = Stack(
        ring, OptOutPurpose.AI_TRAINING, OptOutPurpose.MARKETING, OptOutPurpose.SALE_SHARE, proven=()
    )
    stack.manifest(USED, "CA1", released=False, reason=UNPROVEN)
    stack.manifest(UNUSED, "CA1", released=False, reason=UNPROVEN)
    stack.platform.put_item(
        "marketing_preferences", {"email": EMAIL, "consent": True, "consent_at": "2025-01-01"}
    )
    stack.carry_out()
    assert stack.sets() == {USED: {"CA1"}}  # carried out all the same
    [email] = stack.messenger.sent
    for found in (USED, UNUSED, "callx-score-v3", "entries", "now records", "holds no contact"):
        assert found not in email["text"]
    assert "Which sets and models: ask us for a copy of your data" in email["text"]
    assert "to stop using your data for this" in email["text"]
