"""The deletion receipt as the person reads it, its verdict, and the receipt after a follow-up.

Pure: the receipt itself is ``core.request_results.ErasureReceipt`` (kept in the request's
``extra["erasure"]`` and in ``erasures/<id>/receipt.json``); the final notice
(``core.notices.final``) and the status page show :func:`erasure_receipt_text`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from privacy_rights.core.models import Outcome
from privacy_rights.core.request_results import OUTSIDE_SCOPE_WHY, ErasureReceipt


def erasure_receipt_text(receipt: ErasureReceipt | Mapping[str, Any]) -> str:
    """The deletion receipt as the person reads it: per store what went, what stays and why."""
    if not isinstance(receipt, ErasureReceipt):
        receipt = ErasureReceipt.model_validate(receipt)

    def name(store: str) -> str:
        return store.replace("_", " ")

    erased, kept = [], []
    for store, result in receipt.stores.items():
        if result.get("deleted"):
            versions = " (every stored version)" if result.get("versions_deleted") else ""
            erased.append(f"- {name(store)}: {result['deleted']} deleted{versions}")
        if result.get("muted"):
            erased.append(
                f"- {name(store)}: your side taken out of {result['muted']} (the business keeps its agent's "
                "side; no earlier version is kept)"
            )
        if result.get("tombstoned"):
            kept.append(
                f"- {name(store)}: {result['tombstoned']} records keep only "
                f"{', '.join(f.replace('_', ' ') for f in result['kept_fields'])}; your number, name and "
                f"other details are deleted. Why: {result['basis']}"
            )
        if result.get("retained"):
            until = f" until {result['until']}" if result.get("until") else ""
            kept.append(f"- {name(store)}: {result['retained']} records kept{until}. Why: {result['basis']}")
    lines = ["What we erased:", *(erased or ["- nothing else held by CallX"])]
    if kept:
        lines += ["", "What we keep, and why:", *kept]
    for hold in receipt.held:
        lines += [
            "",
            f"{hold['records']} records in {name(hold['store'])} are under a legal hold and are "
            "kept while it lasts. Its end does not erase them by itself: our privacy team then starts "
            "their erasure, and we send you an updated receipt when it is done.",
        ]
    if receipt.outside_scope:
        counted = ", ".join(f"{row['records']} in {name(row['store'])}" for row in receipt.outside_scope)
        lines += ["", f"Not erased: {counted}. {OUTSIDE_SCOPE_WHY}"]
    businesses = receipt.businesses
    if businesses:
        lines += [
            "",
            "Part of your data is held for businesses that use CallX; they decide about it and will "
            f"answer you directly: {', '.join(businesses)}.",
        ]
    lines += [
        "",
        f"Copies in our backups expire by {receipt.backups_expire_by}; if a backup were restored before "
        "then, your erasure would be applied again. We will not collect your data again from our own "
        "systems or business customers' imports.",
    ]
    return "\n".join(lines)


def verdict(receipt: ErasureReceipt) -> dict[str, Any]:
    """How the deletion ends: complied, or partly when a hold or a business kept records."""
    partial = bool(receipt.answered_by_the_business or receipt.held or receipt.outside_scope)
    outcome = Outcome.PARTIALLY_COMPLIED if partial else Outcome.COMPLIED
    return {"verdict": {"result": "completed", "outcome": outcome.value}}


def merged_receipt(previous: ErasureReceipt, current: ErasureReceipt) -> ErasureReceipt:
    """The receipt after held records were erased: the counts of both runs, the holds still on."""
    stores: dict[str, Any] = {name: dict(result) for name, result in previous.stores.items()}
    for name, result in current.stores.items():
        merged = stores.setdefault(name, {})
        for field, value in result.items():
            if isinstance(value, int) and not isinstance(value, bool):
                merged[field] = merged.get(field, 0) + value
            else:
                merged[field] = value
    return ErasureReceipt.model_validate(
        current.stored()
        | {
            "stores": stores,
            "answered_by_the_business": previous.answered_by_the_business + current.answered_by_the_business,
            "earlier_exports_deleted": previous.earlier_exports_deleted + current.earlier_exports_deleted,
            "first_completed_at": previous.first_completed_at or previous.completed_at,
            "follow_up": (previous.follow_up or 0) + 1,
        }
    )
