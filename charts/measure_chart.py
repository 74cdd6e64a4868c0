"""A measure's chart across sites, from its points: the charts the pipeline draws itself.

The baseline comes from the data (:func:`baseline_end`); months the data-quality gate
left out are named beside the chart, never drawn as zero (:func:`incomplete_months`);
months whose data only needs a look are marked on it.

Examples
--------
>>> import datetime as dt
>>> points = pl.DataFrame({"site": ["North"] * 24, "month": [
...     dt.date(2023 + (5 + i) // 12, (5 + i) % 12 + 1, 1) for i in range(24)],
...     "numerator": [3, 5, 4, 6] * 6, "denominator": [900] * 24, "data_complete": [True] * 24,
...     "dq_warning": [False] * 23 + [True], "dq_checks": [[]] * 23 + [["home_month_weighed"]]})
>>> chart = site_chart(points, title="Falls", ylab="per 1,000", multiply=1000)
>>> chart.baseline_end, chart.points.height
(datetime.date(2024, 5, 1), 24)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import polars as pl

from charts.explain import Finding, explain_qic
from charts.plot import qic_figure
from charts.qic import QicResult
from charts.spc import qic

BASELINE_MAX = 12  # points: Anhøj & Olesen's runs rules are calibrated from 10-12 on
BASELINE_MIN_SERIES = 12  # months before a baseline is frozen at all


@dataclass(frozen=True)
class MeasureChart:
    """A measure's chart and what it shows.

    Attributes
    ----------
    result : QicResult
        The SPC result, one facet per site.
    figure : plotly.graph_objects.Figure
        The chart, with warned months marked.
    findings : list of Finding
        What the chart shows per site, then the months left out per site.
    points : polars.DataFrame
        The result's points with ``data_complete``, ``dq_warning`` and ``dq_checks``.
    baseline_end : object
        The last month of the baseline (None: every month is the baseline).
    """

    result: QicResult
    figure: go.Figure
    findings: list[Finding]
    points: pl.DataFrame
    baseline_end: Any


def baseline_end(months: pl.Series) -> Any:
    """The last month of the default baseline: the first half of the months, at most 12.

    With fewer than ``BASELINE_MIN_SERIES`` months there is no frozen baseline (None):
    every month is the baseline, and the limits are trial limits.

    Examples
    --------
    >>> import datetime as dt
    >>> months = pl.Series([dt.date(2023 + (6 + i) // 12, (6 + i) % 12 + 1, 1) for i in range(18)])
    >>> baseline_end(months)
    datetime.date(2024, 3, 1)
    >>> baseline_end(months.head(6)) is None
    True
    """
    distinct = months.drop_nulls().unique().sort()
    if distinct.len() < BASELINE_MIN_SERIES:
        return None
    return distinct[min(BASELINE_MAX, distinct.len() // 2) - 1]


def incomplete_months(points: pl.DataFrame, facet: str = "site") -> list[Finding]:
    """A finding per facet with months the data-quality gate left out, naming them.

    Examples
    --------
    >>> import datetime as dt
    >>> points = pl.DataFrame({"site": ["a", "a"], "data_complete": [True, False],
    ...     "month": [dt.date(2024, 1, 1), dt.date(2024, 2, 1)],
    ...     "dq_checks": [[], ["home_month_occupancy"]]})
    >>> (finding,) = incomplete_months(points)
    >>> finding.headline, finding.details
    ('Left out: 1 month with incomplete data', ('February 2024: home_month_occupancy',))
    """
    findings = []
    left_out = points.filter(~pl.col("data_complete")).sort(facet, "month")
    for (key,), rows in left_out.group_by(facet, maintain_order=True):
        findings.append(
            Finding(
                key={facet: key},
                headline=f"Left out: {rows.height} month{'s' if rows.height > 1 else ''} "
                "with incomplete data",
                details=tuple(
                    f"{r['month']:%B %Y}: {', '.join(r['dq_checks'])}"
                    for r in rows.iter_rows(named=True)
                ),
                signal=False,
            )
        )
    return findings


def site_chart(
    points: pl.DataFrame,
    *,
    title: str,
    ylab: str,
    multiply: float = 1,
    chart: str = "u",
    facet: str = "site",
    counts: tuple[str, str] = ("numerator", "denominator"),
) -> MeasureChart:
    """Chart a measure's points, one panel per site.

    ``points`` holds ``facet``, ``month``, ``numerator``, ``denominator``,
    ``data_complete``, ``dq_warning`` and ``dq_checks``. ``counts`` names the
    numerator and the denominator on the chart and in the points table
    (``("falls", "occupied_bed_days")``).
    """
    end = baseline_end(points.get_column("month"))
    points = points.rename(dict(zip(("numerator", "denominator"), counts, strict=True)))
    result = qic(
        points,
        x="month",
        y=counts[0],
        n=counts[1],
        chart=chart,
        multiply=multiply,
        facets=facet,
        freeze=end,
    )
    flags = points.filter(pl.col("data_complete") & pl.col("dq_warning")).select(
        facet, "month", flag=pl.col("dq_checks").list.join(", ")
    )
    figure = qic_figure(result, title=title, ylab=ylab, flags=flags)
    table = result.points.join(
        points.select(facet, "month", "data_complete", "dq_warning", "dq_checks"),
        on=[facet, "month"],
        how="left",
    )
    findings = explain_qic(result) + incomplete_months(points, facet)
    return MeasureChart(result, figure, findings, table, end)
