"""One opt-out (or withdrawal of consent) request carried out by the real workflow and
``OptOutEffects`` on the fakes: what ``test_opt_out_effects.py`` and
``test_opt_out_businesses.py`` both build."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from fakes import (
    FakeCustomers,
    FakeKeys,
    FakeLocks,
    FakeMarketingConsents,
    FakeMessenger,
    FakeNotifier,
    FakePlatform,
    FakePreferenceMarks,
    FakeReader,
    FakeRequests,
    FakeTokens,
    FakeWork,
)

from privacy_rights.core.data_map import load_data_map
from privacy_rights.core.keyed_hash import KeyRing
from privacy_rights.core.models import (
    Channel,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    ResolutionSummary,
    RightsRequest,
    Status,
    SubjectIdentifiers,
)
from privacy_rights.orchestration.workflow import Verdict, Workflow
from privacy_rights.preferences.opt_out_effects import OptOutEffects
from privacy_rights.preferences.preference_service import PreferenceService
from privacy_rights.rights_requests.intake import subject_keys

EMAIL = "jane@example.com"
PHONE = "+14155550123"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
DATA_MAP = load_data_map()


class OptOutWorld:
    """The request ``request_id`` of ``kind`` for ``purposes``, resolved to ``pointers`` (kept at
    ``pointers_key``; None leaves the key empty for the test to fill), and everything the
    workflow reaches: ``store``, ``work``, ``platform``, ``notifier``, ``messenger``,
    ``preferences``, ``effects`` (built ``built`` times)."""

    def __init__(
        self,
        ring: KeyRing,
        kind: RequestType,
        purposes: Sequence[OptOutPurpose],
        *,
        request_id: str,
        pointers: list[dict[str, Any]] | None = None,
        pointers_key: str | None = None,
        notifier: FakeNotifier | None = None,
        proven: tuple[str, ...] = ("email", "phone"),
        customers: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.pointers_key = pointers_key or f"resolution/{request_id}/pointers.json"
        request = RightsRequest(
            request_id=request_id,
            type=kind,
            jurisdiction=Jurisdiction.GDPR if kind is RequestType.WITHDRAW_CONSENT else Jurisdiction.CCPA,
            subject=SubjectIdentifiers(email=EMAIL, phone=PHONE),
            channel=Channel.WEB,
            due=date(2027, 1, 5),
            status=Status.IN_PROGRESS,
            opt_out_of=tuple(purposes),
            proven_identifiers=proven,
            resolution=ResolutionSummary(
                data_map_version=DATA_MAP.version,
                resolved_at=NOW,
                identifiers=[],
                counts=[],
                total_records=len(pointers) if pointers is not None else 4,
                released_records=0,
                tenants=[],
                pointers_key=self.pointers_key,
            ),
        )
        request = request.model_copy(update={"subject_keys": subject_keys(ring, request.subject)})
        self.request_id = request_id
        self.store = FakeRequests(request)
        self.work = FakeWork()
        if pointers is not None:
            self.work.put_json(self.pointers_key, pointers)
        self.platform = FakePlatform(DATA_MAP)
        self.notifier = notifier or FakeNotifier()
        self.messenger = FakeMessenger()
        keys = FakeKeys(ring)
        self.preferences = PreferenceService(FakePreferenceMarks(), keys)
        self.effects = OptOutEffects(
            self.store,
            self.work,
            DATA_MAP,
            FakeReader(self.platform),
            self.platform,
            FakeMarketingConsents(self.platform),
            self.notifier,
            clock=lambda: NOW,
            customers=FakeCustomers(dict(customers)) if customers is not None else None,
        )
        self.built = 0
        self.workflow = Workflow(
            self.store,
            keys,
            self.messenger,
            "https://privacy.example",
            None,  # type: ignore[arg-type]  # resolution is not reached here
            self.preferences,
            FakeLocks(),
            FakeTokens(),
            opt_out_effects=self._effects,
        )

    def _effects(self) -> OptOutEffects:
        self.built += 1
        return self.effects

    def carry_out(self) -> RightsRequest:
        applied = self.workflow.apply_preferences(self.request_id)
        self.workflow.finalize(
            self.request_id, Verdict(result="completed", outcome=Outcome(applied["outcome"]))
        )
        return self.store.get(self.request_id)

    def email(self) -> str:
        [sent] = self.messenger.sent
        return str(sent["text"])

    def told(self) -> dict[str, dict[str, Any]]:
        """What each receiver (a recipient's id, a business's tenant id) was sent by webhook."""
        return {receiver: payload for _url, receiver, _event, payload in self.notifier.calls}

    def audited(self, action: str) -> dict[str, Any]:
        """The detail of the request's one audit entry of ``action``."""
        [detail] = [d for rid, _, a, d in self.store.audit if rid == self.request_id and a == action]
        return detail
