"""Redaction against a corpus of synthetic transcripts (``redaction_corpus.yaml``): every kind CCPA
7024(d) says is never disclosed, in the forms callers say and write it, is withheld and reported;
the look-alikes (order numbers, the business's phone numbers, dates, prices) stay as they were."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from privacy_rights.export.redaction import KINDS, MASK, redact

CORPUS: dict[str, Any] = yaml.safe_load((Path(__file__).parent / "redaction_corpus.yaml").read_text())


@pytest.mark.parametrize("case", CORPUS["withheld"], ids=lambda case: case["text"][:40])
def test_what_is_never_disclosed_is_withheld_and_reported(case: dict[str, Any]) -> None:
    redacted, kinds = redact(case["text"])
    assert [s for s in case["secrets"] if s in redacted] == []
    assert MASK in redacted
    assert kinds == case["kinds"]


@pytest.mark.parametrize("text", CORPUS["kept"])
def test_look_alikes_stay_as_they_were(text: str) -> None:
    assert redact(text) == (text, [])


def test_the_corpus_has_every_kind_in_spoken_and_written_forms() -> None:
    kinds = {kind for case in CORPUS["withheld"] for kind in case["kinds"]}
    assert kinds == KINDS
    spoken = [c for c in CORPUS["withheld"] if any(w in c["text"] for w in (" five ", " one ", " seven "))]
    assert {k for c in spoken for k in c["kinds"]} >= {"government_id", "financial_account_number"}


def test_precision_and_recall_on_the_corpus() -> None:
    """Recall: cases whose secrets are all gone and whose kinds are right; precision: of the texts
    redaction changed, those that held something to withhold."""
    found = sum(
        1
        for case in CORPUS["withheld"]
        if not [s for s in case["secrets"] if s in (result := redact(case["text"]))[0]]
        and result[1] == case["kinds"]
    )
    changed_look_alikes = sum(1 for text in CORPUS["kept"] if redact(text)[0] != text)
    recall = found / len(CORPUS["withheld"])
    precision = found / (found + changed_look_alikes)
    assert (recall, precision) == (1.0, 1.0)


def test_a_long_run_of_digits_is_read_in_reasonable_time() -> None:
    text = ", ".join(["one two three"] * 400) + " and my social is 219 09 9998"
    redacted, kinds = redact(text)
    assert kinds == ["government_id"]
    assert "9998" not in redacted
