"""Issue 17, on the fakes: a sale/sharing opt-out told to the businesses whose calls with the
subject hold data used for it (as well as the data map's recipients, CCPA 7026(f)), each business
told of its own records only, who was told in the ledger and the audit and the answer; and a
withdrawal of the consent a call was recorded on, acted on like an opt-out of recording: new
calls may not be recorded, the recordings made stay (lawful when made, GDPR Art. 7(3)), their
businesses told. A requester nobody proved is the person is not told which businesses."""

from __future__ import annotations

from typing import Any

from fakes import (
    FakeNotifier,
)
from opt_out_world import EMAIL, PHONE, OptOutWorld

from privacy_rights.core.keyed_hash import IdentifierKind, KeyRing
from privacy_rights.core.models import (
    OptOutPurpose,
    Outcome,
    RequestType,
)
from privacy_rights.preferences.preference_service import IdentifierRef, MayProcessQuery
from privacy_rights.preferences.preferences import Purpose
from privacy_rights.resolution.resolution import BEFORE_HELD_SINCE, UNPROVEN

REQUEST_ID = "req_optoutbusiness0000001"
POINTERS = f"resolution/{REQUEST_ID}/pointers.json"
ACME_HOOK = "https://hooks.acme.example/privacy"


class Failing(FakeNotifier):  # type: ignore[misc]
    """Every business webhook fails; the data map's recipients are reached."""

    def notify(self, url: str, receiver_id: str, event_id: str, payload: Any) -> dict[str, Any]:
        self.calls.append((url, receiver_id, event_id, dict(payload)))
        if url == ACME_HOOK:
            return {"delivered": False, "attempts": 3, "last_status": 503}
        return {"delivered": True, "attempts": 1, "status": 200}


def Harness(
    ring: KeyRing,
    kind: RequestType,
    purposes: tuple[OptOutPurpose, ...],
    pointers: list[dict[str, Any]],
    proven: tuple[str, ...] = ("email", "phone"),
    notifier: FakeNotifier | None = None,
) -> OptOutWorld:
    return OptOutWorld(
        ring,
        kind,
        purposes,
        request_id=REQUEST_ID,
        pointers=pointers,
        pointers_key=POINTERS,
        notifier=notifier,
        proven=proven,
        customers={"acme": {"name": "Acme Dental", "webhook_url": ACME_HOOK}, "globex": {"name": "Globex"}},
    )


def _call(tenant: str, call_id: str, **how: Any) -> dict[str, Any]:
    return {"store": "calls", "pointer": {"call_id": call_id}, "tenant_id": tenant} | (
        how or {"released": True, "reason": None}
    )


def _recording(tenant: str, call_id: str, **how: Any) -> dict[str, Any]:
    return {"store": "recordings", "pointer": f"recordings/{tenant}/{call_id}", "tenant_id": tenant} | (
        how or {"released": True, "reason": None}
    )


SALE_POINTERS = [
    _call("acme", "CA1"),
    _call("acme", "CA2", released=False, reason=UNPROVEN),
    _call("globex", "CA3"),
    # a recycled number's call before the person held it: never the person's, its business not told
    _call("initech", "CA4", released=False, reason=BEFORE_HELD_SINCE),
    # a recording holds no data used for sale/sharing: not a reason to tell its business
    _recording("umbrella", "CA5"),
]


def test_a_sale_opt_out_reaches_the_businesses_whose_calls_it_concerns(ring: KeyRing) -> None:
    h = Harness(ring, RequestType.OPT_OUT, (OptOutPurpose.SALE_SHARE,), SALE_POINTERS)
    done = h.carry_out()

    told = h.told()
    assert set(told) == {"ad_attribution_partner", "acme"}  # globex takes no webhook
    assert told["acme"]["tenant_id"] == "acme"
    assert told["acme"]["event"] == "opt_out.sale_share"
    assert told["acme"]["records"] == [  # its own records, never another business's
        {"store": "calls", "pointer": {"call_id": "CA1"}},
        {"store": "calls", "pointer": {"call_id": "CA2"}},
    ]
    result = h.store.ledger(REQUEST_ID)["opt_out_effect:sale_share"]
    assert result["businesses"]["acme"]["delivered"] is True
    assert result["businesses"]["globex"] == {
        "name": "Globex",
        "records": 1,
        "notify": "none",
        "delivered": False,
    }
    assert "initech" not in result["businesses"]
    assert "umbrella" not in result["businesses"]
    assert h.audited("preferences.carried_out")["told"] == ["ad_attribution_partner", "business:acme"]
    assert done.outcome is Outcome.COMPLIED

    text = h.email()
    assert "we told Acme Dental, which uses CallX for its calls with you" in text
    assert "Globex, which uses CallX for its calls with you, takes no notices from us" in text
    assert "Initech" not in text
    assert "Umbrella" not in text


def test_a_business_not_reached_is_said_and_leaves_a_proven_request_done_in_part(ring: KeyRing) -> None:
    h = Harness(ring, RequestType.OPT_OUT, (OptOutPurpose.SALE_SHARE,), SALE_POINTERS, notifier=Failing())
    done = h.carry_out()
    assert done.outcome is Outcome.PARTIALLY_COMPLIED
    assert (
        "our notice to Acme Dental, which uses CallX for its calls with you, could not be delivered"
        in h.email()
    )
    assert h.audited("preferences.carried_out")["told"] == ["ad_attribution_partner"]


def test_an_unproven_opt_out_tells_the_businesses_but_not_the_requester_which(ring: KeyRing) -> None:
    """Anyone may opt a number out (CCPA 7026(d)): the businesses are told all the same, but the
    submitter does not learn which businesses the number called, not even from the outcome."""
    h = Harness(
        ring, RequestType.OPT_OUT, (OptOutPurpose.SALE_SHARE,), SALE_POINTERS, proven=(), notifier=Failing()
    )
    done = h.carry_out()
    assert "acme" in h.told()
    assert done.outcome is Outcome.COMPLIED  # the partner was reached; a business's failure is not told
    text = h.email()
    for name in ("Acme", "Globex", "Initech"):
        assert name not in text
    assert "which ones: ask us for a copy of your data" in text


RECORDING_POINTERS = [
    _recording("acme", "CA1"),
    _recording("acme", "CA2", released=False, reason=UNPROVEN),
    _call("acme", "CA1"),
    _recording("globex", "CA9", released=False, reason=BEFORE_HELD_SINCE),
]


def test_withdrawing_consent_to_recording_stops_new_recordings_and_keeps_those_made(ring: KeyRing) -> None:
    h = Harness(ring, RequestType.WITHDRAW_CONSENT, (OptOutPurpose.RECORDING,), RECORDING_POINTERS)
    done = h.carry_out()

    for kind, value in ((IdentifierKind.PHONE, PHONE), (IdentifierKind.EMAIL, EMAIL)):
        ref = IdentifierRef(kind=kind, value=value)
        assert not h.preferences.may_process(
            MayProcessQuery(identifier=ref, purpose=Purpose.RECORDING)
        ).allowed
        # only recording stops: the call is still routed, the recordings made are still kept
        assert h.preferences.may_process(MayProcessQuery(identifier=ref, purpose=Purpose.SERVICE)).allowed
    assert h.platform.objects == {}  # nothing erased

    result = h.store.ledger(REQUEST_ID)["opt_out_effect:recording"]
    assert result["effect"] == "recording"
    assert result["recordings_kept"] == 2
    assert set(result["businesses"]) == {"acme"}  # the recycled number's recording is not the person's
    told = h.told()
    assert set(told) == {"acme"}
    assert told["acme"]["event"] == "consent_withdrawn.recording"
    assert [r["store"] for r in told["acme"]["records"]] == ["recordings", "recordings"]
    assert done.outcome is Outcome.COMPLIED

    text = h.email()
    assert "withdrawal of your consent to the recording of your calls" in text
    assert "does not make unlawful what was done with your data, on your consent" in text
    assert "when CallX's systems ask whether they may record a call of yours, the answer is no" in text
    assert "2 recordings of your calls made before stay: made lawfully on the consent you gave then" in text
    assert "we told Acme Dental, which uses CallX for its calls with you" in text


def test_a_withdrawal_with_no_recording_held_says_so_and_claims_no_business_told(ring: KeyRing) -> None:
    h = Harness(ring, RequestType.WITHDRAW_CONSENT, (OptOutPurpose.RECORDING,), [_call("acme", "CA1")])
    h.carry_out()
    assert h.notifier.calls == []
    text = h.email()
    assert "we hold no recording of your calls made before" in text
    assert "we told" not in text
