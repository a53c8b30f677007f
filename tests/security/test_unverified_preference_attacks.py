"""Opt-outs and withdrawals of consent need no proof (CCPA 7026(d), GDPR Art. 7(3)), and issue 17
made them act on the platform: an AI-training opt-out takes the person's calls out of training
sets not yet used, a marketing opt-out or withdrawal withdraws consent in the marketing list. A
stranger who names a victim's number next to their own address must get nothing out of it: no
record and no word of what the platform holds (that the number's calls were recorded, in which
training set, that the marketing list holds the address), and nothing of the victim's may change
beyond what the victim could only want (their calls out of unused training sets)."""

from __future__ import annotations

import pytest
from harness import LONG, Actor, Service, leaked

pytestmark = pytest.mark.security


@pytest.mark.parametrize(
    ("kind", "purposes"),
    [
        ("opt_out", {"opt_out_of": ["ai_training", "marketing"]}),
        ("withdraw_consent", {"consent_to_withdraw": ["marketing"]}),
    ],
)
def test_a_stranger_naming_a_victims_number_learns_nothing_and_changes_only_what_protects_them(
    service: Service, attacker: Actor, kind: str, purposes: dict[str, list[str]]
) -> None:
    victim = service.seed_stranger("dana", with_email=True)  # one call in a training set not yet used
    before = service.footprint(victim)
    assert before["training_manifests"], "the victim's call should be in a training set"
    body = {"type": kind, "jurisdiction": "gdpr", "email": attacker.email, "phone": victim.phone} | purposes
    submitted = attacker.submit(body)
    detail = service.settle(submitted.request_id, timeout=LONG)
    status = attacker.status(submitted.request_id, submitted.token)

    problems = []
    if detail["status"] != "completed":
        problems.append(f"the request ended {detail['status']}")
    after = service.footprint(victim)
    changed = sorted(store for store in set(before) | set(after) if before.get(store) != after.get(store))
    allowed = {"training_manifests"} if kind == "opt_out" else set()
    if set(changed) - allowed:
        problems.append(f"the victim's records changed in {changed}")
    if kind == "opt_out" and after["training_manifests"]:
        problems.append("the victim's call is still in a training set not yet used")
    if not any("What we did" in m["body"] for m in attacker.messages()):
        problems.append("the stranger's address got no answer: the check below would prove nothing")
    texts = [*attacker.messages(), {"subject": "status page", "body": str(status.body)}]
    if leaked(victim, texts):
        problems.append(f"the stranger was told the victim's {leaked(victim, texts)}")
    said = "\n".join(m["body"] for m in texts)
    for found in ("ts-2026", "callx-score", "entries of AI training sets", "now records", "holds no contact"):
        if found in said:
            problems.append(f"the stranger was told what the platform holds: {found!r}")
    assert not problems, problems
