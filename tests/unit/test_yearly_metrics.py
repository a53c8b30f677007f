"""The yearly metrics of CCPA regulations §7102 against an independent count: a generated year
of requests (every right, outcome and denial reason, other jurisdictions, the years around it)
whose generator writes down, as it makes each request, what it should count as."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fakes import FakeRequests

from privacy_rights.core.models import (
    Appeal,
    Denial,
    DenialReason,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.ops.yearly_metrics import RIGHTS, YearlyMetricsService, as_csv, as_html, yearly_metrics

YEAR = 2026

#: (request type, opt-out purposes) -> the rights an independent reader of 7102 counts it under
KINDS: list[tuple[RequestType, tuple[OptOutPurpose, ...], tuple[str, ...]]] = [
    (RequestType.ACCESS, (), ("know",)),
    (RequestType.PORTABILITY, (), ("know",)),
    (RequestType.DELETION, (), ("delete",)),
    (RequestType.CORRECTION, (), ("correct",)),
    (RequestType.OPT_OUT, (OptOutPurpose.SALE_SHARE,), ("opt_out_sale_share",)),
    (RequestType.OPT_OUT, (OptOutPurpose.TARGETED_ADS, OptOutPurpose.MARKETING), ("opt_out_sale_share",)),
    (RequestType.OPT_OUT, (OptOutPurpose.SENSITIVE_PI,), ("limit_sensitive",)),
    (RequestType.OPT_OUT, (OptOutPurpose.SALE_SHARE, OptOutPurpose.SENSITIVE_PI),
     ("opt_out_sale_share", "limit_sensitive")),
    (RequestType.OPT_OUT, (OptOutPurpose.AI_TRAINING,), ()),
    (RequestType.RESTRICTION, (), ()),
    (RequestType.OBJECTION, (), ()),
]  # fmt: skip


class Expected:
    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.reasons: dict[str, Counter[str]] = defaultdict(Counter)
        self.days: dict[str, list[int]] = defaultdict(list)


def _a_year(make_request: Callable[..., RightsRequest], seed: int) -> tuple[list[RightsRequest], Expected]:
    rng = random.Random(seed)
    expected = Expected()
    made = []
    for n in range(1500):
        kind, purposes, rights = rng.choice(KINDS)
        jurisdiction = rng.choice(list(Jurisdiction))
        us_state = rng.choice(["CA", "CO", "VA"]) if jurisdiction is Jurisdiction.US_STATE else None
        year = rng.choice([YEAR - 1, YEAR, YEAR, YEAR, YEAR + 1])
        received = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(365 * 24 * 60))
        responded = received + timedelta(days=rng.randrange(0, 60), hours=rng.randrange(24))
        took = (responded.date() - received.date()).days  # calendar days, as 7102 counts them
        fate = rng.choice(
            ["whole", "nothing", "part", "denied", "appealed", "appeal_denied", "canceled", "open"]
        )
        fields: dict[str, Any] = {
            "request_id": f"req_metrics{n:013d}",
            "type": kind,
            "jurisdiction": jurisdiction,
            "us_state": us_state,
            "opt_out_of": purposes,
            "received_at": received,
            "status_changed_at": responded,
            "due": received.date() + timedelta(days=45),
        }
        reason = rng.choice(list(DenialReason))
        if fate in ("whole", "nothing", "part"):
            outcome = {
                "whole": Outcome.COMPLIED,
                "nothing": Outcome.NOTHING_HELD,
                "part": Outcome.PARTIALLY_COMPLIED,
            }
            fields |= {"status": Status.COMPLETED, "outcome": outcome[fate]}
        elif fate in ("denied", "appealed", "appeal_denied"):
            status = {
                "denied": Status.DENIED,
                "appealed": Status.APPEALED,
                "appeal_denied": Status.APPEAL_DENIED,
            }
            denial = Denial(
                reason=reason, exemption="trade secret" if reason is DenialReason.EXEMPT else None
            )
            fields |= {"status": status[fate], "denial": denial}
            if fate != "denied":
                # the appeal is filed on the denial itself and decided later
                filed = responded
                fields["appeal"] = Appeal(filed_at=filed, due=filed.date() + timedelta(days=60))
                fields["status_changed_at"] = filed + timedelta(days=rng.randrange(1, 40))
        else:
            fields["status"] = Status.CANCELED if fate == "canceled" else Status.IN_PROGRESS
        made.append(make_request(**fields))

        california = jurisdiction is Jurisdiction.CCPA or us_state == "CA"
        if year != YEAR or not california:
            continue
        for right in rights:
            expected.counts[right]["received"] += 1
            column = {
                "whole": "whole", "nothing": "whole", "part": "part", "denied": "denied",
                "appealed": "denied", "appeal_denied": "denied", "canceled": "withdrawn", "open": "open",
            }[fate]  # fmt: skip
            expected.counts[right][column] += 1
            if column == "denied":
                expected.reasons[right][reason.value] += 1
            if column in ("whole", "part", "denied"):
                expected.days[right].append(took)
    return made, expected


@pytest.mark.parametrize("seed", [1, 2])
def test_the_years_metrics_match_an_independent_count(
    make_request: Callable[..., RightsRequest], seed: int
) -> None:
    requests, expected = _a_year(make_request, seed)
    metrics = YearlyMetricsService(FakeRequests(*requests)).metrics(YEAR)

    assert [row.right for row in metrics.rights] == list(RIGHTS)
    for row in metrics.rights:
        counted = expected.counts[row.right]
        assert row.received == counted["received"] > 0
        assert (row.complied_in_whole, row.complied_in_part, row.denied) == (
            counted["whole"],
            counted["part"],
            counted["denied"],
        )
        assert (row.withdrawn, row.open) == (counted["withdrawn"], counted["open"])
        assert row.denial_reasons == dict(sorted(expected.reasons[row.right].items()))
        assert row.median_days_to_respond == statistics.median(expected.days[row.right])
        assert row.mean_days_to_respond == round(statistics.fmean(expected.days[row.right]), 1)


def test_every_jurisdiction_counts_more_and_another_year_counts_apart(
    make_request: Callable[..., RightsRequest],
) -> None:
    requests, _ = _a_year(make_request, 3)
    california = yearly_metrics(requests, YEAR)
    everywhere = yearly_metrics(requests, YEAR, scope="all")
    before = yearly_metrics(requests, YEAR - 1)
    for ca, all_, earlier in zip(california.rights, everywhere.rights, before.rights, strict=True):
        assert ca.received < all_.received
        assert earlier.received > 0
    assert yearly_metrics(requests, YEAR + 5).rights[0].received == 0
    assert yearly_metrics(requests, YEAR + 5).rights[0].median_days_to_respond is None


def test_the_csv_and_the_page_say_the_same_figures(make_request: Callable[..., RightsRequest]) -> None:
    requests, _ = _a_year(make_request, 4)
    metrics = yearly_metrics(requests, YEAR)

    rows = list(csv.DictReader(io.StringIO(as_csv(metrics))))
    assert [int(row["received"]) for row in rows] == [r.received for r in metrics.rights]
    assert [int(row["denied"]) for row in rows] == [r.denied for r in metrics.rights]
    page = as_html(metrics)
    assert page.startswith("<!doctype html>")
    assert "<svg" in page
    assert "§7102" in page
    for row in metrics.rights:
        assert f'<th scope="row">{row.label}</th><td>{row.received}</td>' in page
        assert f"Complied in whole: {row.complied_in_whole}</title>" in page


def test_a_request_answered_on_the_day_it_came_counts_zero_days(
    make_request: Callable[..., RightsRequest],
) -> None:
    at = datetime(YEAR, 3, 2, 9, tzinfo=UTC)
    answered = make_request(
        jurisdiction=Jurisdiction.CCPA,
        received_at=at,
        status_changed_at=at + timedelta(hours=3),
        status=Status.COMPLETED,
        outcome=Outcome.COMPLIED,
        due=date(YEAR, 4, 16),
    )
    (know, *_) = yearly_metrics([answered], YEAR).rights
    assert (know.received, know.complied_in_whole, know.median_days_to_respond) == (1, 1, 0.0)
