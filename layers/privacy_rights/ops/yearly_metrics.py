"""The yearly request metrics of CCPA regulations §7102: for a calendar year, per right (to
know, to delete, to correct, to opt out of sale/sharing, to limit the use of sensitive personal
information), how many requests were received, complied with in whole or in part, and denied
(with the denial reasons), and the median and mean days to a substantive response.

Counted from the requests themselves (status, outcome, denial, dates), never from a second tally
that could drift. Which requests count:
- a request counts in the year it was received; it counts under every right it exercises (an
  opt-out of sale and of sensitive-information use counts under both);
- ``california`` (the default) counts the requests made under the CCPA or from California (a
  ``us_state`` request from CA); ``all`` counts every jurisdiction, which §7102 allows when said;
- complied in whole: completed with the outcome ``complied`` or ``nothing_held`` (telling a person
  nothing is held is the substantive response); in part: ``partially_complied``; denied: denied,
  under appeal or with the appeal denied (the response given was a denial); withdrawn: canceled
  or joined to an earlier request; open: everything else (not yet responded to);
- days to respond: calendar days from receipt to the final status (for an appealed request, to
  the appeal's filing, which the response preceded), over the requests responded to.
"""

from __future__ import annotations

import csv
import html
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from privacy_rights.core.models import (
    DenialReason,
    Jurisdiction,
    OptOutPurpose,
    Outcome,
    RequestType,
    RightsRequest,
    Status,
)
from privacy_rights.core.ports import Requests

Right = Literal["know", "delete", "correct", "opt_out_sale_share", "limit_sensitive"]
RIGHTS: tuple[Right, ...] = ("know", "delete", "correct", "opt_out_sale_share", "limit_sensitive")
RIGHT_LABELS: dict[Right, str] = {
    "know": "Requests to know",
    "delete": "Requests to delete",
    "correct": "Requests to correct",
    "opt_out_sale_share": "Requests to opt out of sale/sharing",
    "limit_sensitive": "Requests to limit use of sensitive personal information",
}
Scope = Literal["california", "all"]
MetricsFormat = Literal["json", "csv", "html"]

_WHOLE = frozenset({Outcome.COMPLIED, Outcome.NOTHING_HELD})
_DENIED = frozenset({Status.DENIED, Status.APPEALED, Status.APPEAL_DENIED})


class RightMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    right: Right
    label: str
    received: int = 0
    complied_in_whole: int = 0
    complied_in_part: int = 0
    denied: int = 0
    denial_reasons: dict[str, int] = Field(default_factory=dict)
    withdrawn: int = 0
    open: int = 0
    median_days_to_respond: float | None = None
    mean_days_to_respond: float | None = None


class YearlyMetrics(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: int
    scope: Scope
    rights: list[RightMetrics]


def rights_exercised(request: RightsRequest) -> list[Right]:
    """The §7102 rights a request exercises (none for GDPR-only rights such as restriction)."""
    if request.type in (RequestType.ACCESS, RequestType.PORTABILITY):
        return ["know"]
    if request.type is RequestType.DELETION:
        return ["delete"]
    if request.type is RequestType.CORRECTION:
        return ["correct"]
    if request.type is RequestType.OPT_OUT:
        purposes = set(request.opt_out_of)
        found: list[Right] = []
        if purposes & {OptOutPurpose.SALE_SHARE, OptOutPurpose.TARGETED_ADS}:
            found.append("opt_out_sale_share")
        if OptOutPurpose.SENSITIVE_PI in purposes:
            found.append("limit_sensitive")
        return found
    return []


def _in_scope(request: RightsRequest, scope: Scope) -> bool:
    if scope == "all":
        return True
    return request.jurisdiction is Jurisdiction.CCPA or (
        request.jurisdiction is Jurisdiction.US_STATE and request.us_state == "CA"
    )


def _days_to_respond(request: RightsRequest) -> int:
    responded = request.status_changed_at
    if request.appeal is not None:
        responded = min(responded, request.appeal.filed_at)
    return (responded.date() - request.received_at.date()).days


def yearly_metrics(
    requests: Iterable[RightsRequest], year: int, scope: Scope = "california"
) -> YearlyMetrics:
    rows = {right: RightMetrics(right=right, label=RIGHT_LABELS[right]) for right in RIGHTS}
    days: dict[Right, list[int]] = {right: [] for right in RIGHTS}
    reasons: dict[Right, Counter[str]] = {right: Counter() for right in RIGHTS}
    for request in requests:
        if request.received_at.year != year or not _in_scope(request, scope):
            continue
        for right in rights_exercised(request):
            row = rows[right]
            row.received += 1
            responded = True
            if request.status is Status.COMPLETED and request.outcome in _WHOLE:
                row.complied_in_whole += 1
            elif request.status is Status.COMPLETED and request.outcome is Outcome.PARTIALLY_COMPLIED:
                row.complied_in_part += 1
            elif request.status in _DENIED:
                row.denied += 1
                reason = request.denial.reason if request.denial else DenialReason.EXEMPT
                reasons[right][reason.value] += 1
            elif request.status is Status.CANCELED:
                row.withdrawn += 1
                responded = False
            else:
                row.open += 1
                responded = False
            if responded:
                days[right].append(_days_to_respond(request))
    for right, row in rows.items():
        row.denial_reasons = dict(sorted(reasons[right].items()))
        if days[right]:
            row.median_days_to_respond = float(statistics.median(days[right]))
            row.mean_days_to_respond = round(statistics.fmean(days[right]), 1)
    return YearlyMetrics(year=year, scope=scope, rights=list(rows.values()))


# -- renderings ----------------------------------------------------------------------------------

_COLUMNS = (
    "received",
    "complied_in_whole",
    "complied_in_part",
    "denied",
    "withdrawn",
    "open",
    "median_days_to_respond",
    "mean_days_to_respond",
)


def as_csv(metrics: YearlyMetrics) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", "scope", "right", *_COLUMNS, "denial_reasons"])
    for row in metrics.rights:
        values = [getattr(row, column) for column in _COLUMNS]
        reasons = "; ".join(f"{reason}: {n}" for reason, n in row.denial_reasons.items())
        writer.writerow(
            [metrics.year, metrics.scope, row.label, *["" if v is None else v for v in values], reasons]
        )
    return out.getvalue()


_BAR_COLOURS = {
    "complied_in_whole": "#1b7f3b",
    "complied_in_part": "#7fb800",
    "denied": "#c0392b",
    "withdrawn": "#8e8e8e",
    "open": "#2a6fdb",
}
_OUTCOME_LABELS = {
    "complied_in_whole": "Complied in whole",
    "complied_in_part": "Complied in part",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
    "open": "Not yet answered",
}


def _chart(metrics: YearlyMetrics) -> str:
    """One stacked bar per right, its segments the outcomes: readable at a glance, no script."""
    width, bar_height, gap, label_width = 560, 26, 14, 330
    most = max((row.received for row in metrics.rights), default=0) or 1
    scale = (width - label_width - 60) / most
    height = len(metrics.rights) * (bar_height + gap) + 50
    parts = [
        f'<svg role="img" aria-labelledby="chart-title" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">Requests received in {metrics.year}, by outcome</title>',
    ]
    for i, row in enumerate(metrics.rights):
        y = i * (bar_height + gap)
        parts.append(
            f'<text x="0" y="{y + bar_height * 0.7:.0f}" font-size="12">{html.escape(row.label)}</text>'
        )
        x = float(label_width)
        for outcome, colour in _BAR_COLOURS.items():
            count = getattr(row, outcome)
            if count:
                w = count * scale
                parts.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}">'
                    f"<title>{_OUTCOME_LABELS[outcome]}: {count}</title></rect>"
                )
                x += w
        parts.append(
            f'<text x="{x + 6:.1f}" y="{y + bar_height * 0.7:.0f}" font-size="12">{row.received}</text>'
        )
    legend_y = len(metrics.rights) * (bar_height + gap) + 20
    x = 0
    for outcome, colour in _BAR_COLOURS.items():
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 16}" y="{legend_y + 11}" font-size="11">{_OUTCOME_LABELS[outcome]}</text>'
        )
        x += 16 + 7 * len(_OUTCOME_LABELS[outcome]) + 14
    parts.append("</svg>")
    return "".join(parts)


def as_html(metrics: YearlyMetrics) -> str:
    scope = "California consumers (CCPA)" if metrics.scope == "california" else "every jurisdiction"
    header = "".join(f'<th scope="col">{c.replace("_", " ")}</th>' for c in (*_COLUMNS, "denial reasons"))
    body = []
    for row in metrics.rights:
        cells = "".join(f"<td>{'' if getattr(row, c) is None else getattr(row, c)}</td>" for c in _COLUMNS)
        reasons = ", ".join(f"{html.escape(r.replace('_', ' '))}: {n}" for r, n in row.denial_reasons.items())
        body.append(f'<tr><th scope="row">{html.escape(row.label)}</th>{cells}<td>{reasons}</td></tr>')
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Privacy request metrics {metrics.year}</title>"
        "<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1d1d1f}"
        "table{border-collapse:collapse;margin-top:1.5rem}th,td{border:1px solid #ccc;padding:.35rem .6rem;"
        "text-align:right}th[scope=row]{text-align:left}caption{text-align:left;font-weight:600}</style>"
        "</head><body>"
        f"<h1>Privacy request metrics, {metrics.year}</h1>"
        f"<p>Requests received from {scope} between 1 January and 31 December {metrics.year} "
        "(California Code of Regulations, title 11, §7102). Days to respond are calendar days from "
        "receipt to the substantive response.</p>"
        f"{_chart(metrics)}"
        f'<table><caption>Requests by right</caption><thead><tr><th scope="col">right</th>{header}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table></body></html>"
    )


def rendered(metrics: YearlyMetrics, form: MetricsFormat) -> tuple[str, str]:
    """(content type, body) of the metrics in the form asked for."""
    if form == "csv":
        return "text/csv; charset=utf-8", as_csv(metrics)
    if form == "html":
        return "text/html; charset=utf-8", as_html(metrics)
    return "application/json", metrics.model_dump_json()


class YearlyMetricsService:
    """The metrics of a year, read from every request in the requests table (the status index:
    each request is under exactly one status)."""

    def __init__(self, store: Requests) -> None:
        self._store = store

    def metrics(self, year: int, scope: Scope = "california") -> YearlyMetrics:
        every_request = (request for status in Status for request in self._store.by_status(status))
        return yearly_metrics(every_request, year, scope)
