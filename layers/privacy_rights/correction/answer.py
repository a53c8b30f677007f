"""A correction's answer as the person reads it: what changed where, and what did not and why,
from the result the ledger recorded (``request_results.CorrectionResult``). Pure; the final
notice and the status page show it (``core/notices``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from privacy_rights.core.request_results import CorrectionResult, CorrectionStatement

STATEMENT_INVITATION = (
    "If you disagree, you may add a statement of up to 250 words about it on your request's status "
    "page, and we keep it with your record."
)


def _field(name: str) -> str:
    return {"notes": "the notes about you", "company": "your company"}.get(name, f"your {name}")


def _records(n: int) -> str:
    return f"{n} record" + ("" if n == 1 else "s")


def correction_text(result: CorrectionResult, statement: CorrectionStatement | None = None) -> list[str]:
    """The paragraphs of the answer, in the order: changed, not changed (and why), told."""
    parts: list[str] = []
    applied = result.rows("applied")
    if applied:
        lines = [f"- {_field(r['field'])} in {r['where']} ({_records(int(r['records']))})" for r in applied]
        parts.append("We corrected:\n" + "\n".join(lines))
    not_changed: list[str] = []
    for row in result.rows("not_correctable"):
        not_changed.append(f"- {_field(row['field'])} in {row['where']}: {row['why']}")
    for row in result.rows("denied"):
        where = f" in {row['where']}" if row.get("where") else ""
        not_changed.append(
            f"- {_field(row['field'])}{where}: our privacy team weighed what you told us against the "
            f"information and documents we hold and decided not to change it. Their reason: {row['why']}"
        )
    for row in result.rows("held_not_found"):
        where = f" in {row['where']}" if row.get("where") else ""
        not_changed.append(f"- {_field(row['field'])}{where}: {row['why']}")
    by_business: dict[str, list[str]] = defaultdict(list)
    for row in result.rows("answered_by_business"):
        by_business[str(row.get("business") or row.get("tenant_id"))].append(
            f"{_field(row['field'])} in {row['where']}"
        )
    for business, what in sorted(by_business.items()):
        not_changed.append(
            f"- {'; '.join(sorted(set(what)))}: held for {business}, which uses CallX to handle its calls; "
            "that business decides about it and answers you directly."
        )
    if not_changed:
        parts.append("We did not change:\n" + "\n".join(not_changed))
    if result.denied_fields:
        if statement is None:
            parts.append(STATEMENT_INVITATION)
        else:
            parts.append(f"Your statement, added on {statement.added_at[:10]}, is kept with your record.")
    told = _told(result.told)
    if told:
        parts.append(told)
    return parts


def _told(told: dict[str, Any]) -> str:
    sent = sorted(str(v.get("name") or k) for k, v in told.items() if v.get("delivered"))
    failed = sorted(
        str(v.get("name") or k)
        for k, v in told.items()
        if v.get("notify") == "webhook" and not v.get("delivered")
    )
    parts = []
    if sent:
        parts.append(f"We told those who received this information of the correction: {', '.join(sent)}.")
    if failed:
        parts.append(f"Our notice of the correction could not be delivered to: {', '.join(failed)}.")
    return " ".join(parts)


def correction_summary(result: CorrectionResult) -> tuple[str, str]:
    """One clause for an SMS and one for a voice call."""
    applied = len(result.rows("applied"))
    others = len(result.changes) - applied
    if applied and not others:
        return "Your data is corrected.", "We corrected your data. "
    if applied:
        return (
            "Part of your data is corrected; what was not, and why:",
            "We corrected part of your data; ask us what was not changed, and why. ",
        )
    return "We changed nothing; why:", "We did not change your data; ask us why. "
