"""Plotly charts of SPC results, and a self-contained HTML page to share them.

The figures consume only the result objects of :mod:`charts.spc`. Every chart names
its rule set and version in its subtitle; signals are coloured and explained in the
hover text; the page adds the plain-language findings of :mod:`charts.explain`.

Examples
--------
>>> import polars as pl
>>> from charts.spc import qic
>>> r = qic(pl.DataFrame({"month": range(1, 13), "falls": [3, 5, 4, 6, 2, 5, 3, 4, 9, 4, 5, 3]}),
...         x="month", y="falls", chart="c")
>>> qic_figure(r).layout.title.subtitle.text
'Rules: Anhøj run rules with 3-sigma limits (qicharts2 0.8.1) · anhoej qicharts2-0.8.1'
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl
from plotly.subplots import make_subplots

from charts.explain import Finding, explain_mdc, explain_qic
from charts.mdc import MdcResult
from charts.rules import RuleSet

if TYPE_CHECKING:
    from charts.qic import QicResult

DATA = "#4a6fa5"
LINE = "#8c8c8c"
LIMIT = "#5d6d7e"
SIGNAL = "#d9480f"
TARGET = "#2b8a3e"
# NHS Making Data Count colours (as in NHSRplotthedots ptd_spc_colours()).
MDC_COLOURS = {
    "common_cause": "#7B7D7D",
    "special_cause_improvement": "#289de0",
    "special_cause_concern": "#fab428",
    "special_cause_neutral_high": "#361475",
    "special_cause_neutral_low": "#361475",
}
CHART_NAMES = {
    "run": "Run chart",
    "i": "I chart",
    "mr": "MR chart",
    "xbar": "Xbar chart",
    "s": "S chart",
    "t": "T chart",
    "p": "P chart",
    "pp": "P′ chart",
    "c": "C chart",
    "u": "U chart",
    "up": "U′ chart",
    "g": "G chart",
    "ip": "I′ chart",
}


def _grid(keys: list[tuple[Any, ...]], ncols: int, titles: list[str]) -> tuple[go.Figure, int]:
    cols = max(1, min(ncols, len(keys)))
    rows = max(1, math.ceil(len(keys) / cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=titles if len(keys) > 1 else None,
        shared_yaxes=True,
        vertical_spacing=min(0.12, 0.6 / rows),
        horizontal_spacing=0.04,
    )
    fig.update_layout(
        template="plotly_white",
        height=160 + 300 * rows,
        hovermode="closest",
        margin={"t": 110, "l": 60, "r": 30, "b": 60},
        legend={"orientation": "h", "y": -0.08 if rows == 1 else -0.04},
    )
    return fig, cols


def _gapped(rows: pl.DataFrame, x: str, column: str) -> tuple[list[Any], list[Any]]:
    """X and y lists with a break (None) between parts, so lines do not join parts."""
    xs: list[Any] = []
    ys: list[Any] = []
    for _, part in rows.group_by("__group", maintain_order=True):
        if xs:
            xs.append(None)
            ys.append(None)
        xs += part.get_column(x).to_list()
        ys += part.get_column(column).to_list()
    return xs, ys


def _facet_keys(points: pl.DataFrame, facets: Sequence[str]) -> list[tuple[Any, ...]]:
    if not facets:
        return [()]
    return points.select(facets).unique(maintain_order=True).rows()


def _facet_rows(points: pl.DataFrame, facets: Sequence[str], key: tuple[Any, ...]) -> pl.DataFrame:
    if not facets:
        return points
    cond = pl.all_horizontal(pl.col(f) == v for f, v in zip(facets, key, strict=True))
    return points.filter(cond)


def _subtitle(rules: RuleSet) -> str:
    return f"Rules: {rules.label} · {rules.name} {rules.version}"


def _boundaries(fig: go.Figure, rows: pl.DataFrame, x: str, row: int, col: int) -> None:
    starts = rows.filter(pl.col("__group").ne_missing(pl.col("__group").shift())).get_column(x)
    for value in starts.to_list()[1:]:
        fig.add_vline(x=value, line={"dash": "dash", "color": LINE, "width": 1}, row=row, col=col)


def _baseline_end(fig: go.Figure, rows: pl.DataFrame, x: str, row: int, col: int) -> None:
    if rows.get_column("baseline").all():
        return
    last = rows.filter(pl.col("baseline")).get_column(x).max()
    if last is None:
        return
    fig.add_vline(x=last, line={"dash": "dot", "color": LINE, "width": 1}, row=row, col=col)
    fig.add_annotation(
        x=last,
        y=1,
        yref="y domain",
        text="end of baseline ",
        showarrow=False,
        xanchor="right",
        yanchor="top",
        font={"size": 10, "color": LINE},
        row=row,
        col=col,
    )


def qic_figure(
    result: QicResult,
    *,
    title: str | None = None,
    ylab: str | None = None,
    ncols: int = 3,
) -> go.Figure:
    """A run or control chart of a :func:`charts.spc.qic` result, one panel per facet.

    Points beyond the limits, and the centre line of a part with a runs signal, are
    drawn in the signal colour; parts are separated by dashed vertical lines.
    """
    facets = list(result.facets)
    pts = result.points.with_columns(__group=pl.col("part"))
    keys = _facet_keys(pts, facets)
    titles = [" | ".join(map(str, k)) for k in keys]
    fig, cols = _grid(keys, ncols, titles)
    ihi = result.rules.name == "ihi"
    flag = pl.col("sigma_signal")
    if ihi:
        flag = flag | pl.col("shift") | pl.col("trend") | pl.col("astronomical")
    pts = pts.with_columns(__flag=flag)
    shown: set[bool] = set()
    for i, key in enumerate(keys):
        row, col = i // cols + 1, i % cols + 1
        rows = _facet_rows(pts, facets, key)
        first = i == 0
        if result.chart != "run":
            for column, name in (("ucl", "Control limits"), ("lcl", None)):
                xs, ys = _gapped(rows, result.x, column)
                fig.add_trace(
                    go.Scatter(
                        x=xs,
                        y=ys,
                        mode="lines",
                        line={"color": LIMIT, "width": 1, "shape": "hvh"},
                        name=name or "Control limits",
                        legendgroup="limits",
                        showlegend=first and name is not None,
                        hoverinfo="skip",
                    ),
                    row=row,
                    col=col,
                )
        for _, seg in rows.group_by("part", maintain_order=True):
            signal = bool(seg.get_column("runs_signal").any())
            legend = signal not in shown
            shown.add(signal)
            fig.add_trace(
                go.Scatter(
                    x=seg.get_column(result.x).to_list(),
                    y=seg.get_column("cl").to_list(),
                    mode="lines",
                    line={
                        "color": SIGNAL if signal else LINE,
                        "width": 2,
                        "dash": "dash" if signal else "solid",
                        "shape": "hvh",
                    },
                    name="Centre line (runs signal)" if signal else "Centre line",
                    legendgroup=f"cl{signal}",
                    showlegend=legend,
                    hovertemplate="centre line %{y:.4g}<extra></extra>",
                ),
                row=row,
                col=col,
            )
        if rows.get_column("target").null_count() < rows.height:
            fig.add_trace(
                go.Scatter(
                    x=rows.get_column(result.x).to_list(),
                    y=rows.get_column("target").to_list(),
                    mode="lines",
                    line={"color": TARGET, "width": 1.5, "dash": "dot"},
                    name="Target",
                    legendgroup="target",
                    showlegend=first,
                    hovertemplate="target %{y:.4g}<extra></extra>",
                ),
                row=row,
                col=col,
            )
        colours = [SIGNAL if f else DATA for f in rows.get_column("__flag").to_list()]
        fig.add_trace(
            go.Scatter(
                x=rows.get_column(result.x).to_list(),
                y=rows.get_column("y").to_list(),
                mode="markers" if result.categorical else "lines+markers",
                line={"color": DATA, "width": 1.5},
                marker={"color": colours, "size": 7, "line": {"width": 0}},
                name=result.y,
                legendgroup="data",
                showlegend=first,
                customdata=_qic_hover(rows, result),
                hovertemplate="%{x}<br>%{y:.4g}<br>%{customdata}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        _boundaries(fig, rows, result.x, row, col)
        _baseline_end(fig, rows, result.x, row, col)
    what = result.y if result.n is None else f"{result.y} / {result.n}"
    if result.multiply != 1:
        what += f" × {result.multiply:g}"
    fig.update_layout(
        title={
            "text": title or f"{CHART_NAMES[result.chart]} of {what}",
            "subtitle": {"text": _subtitle(result.rules)},
        }
    )
    fig.update_yaxes(title_text=ylab or what, col=1)
    return fig


def _qic_hover(rows: pl.DataFrame, result: QicResult) -> list[str]:
    words = pl.when(pl.col("sigma_signal")).then(pl.lit("outside the control limits"))
    if result.rules.name == "ihi":
        words = (
            words.when(pl.col("astronomical"))
            .then(pl.lit("astronomical point"))
            .when(pl.col("shift"))
            .then(pl.lit("part of a shift"))
            .when(pl.col("trend"))
            .then(pl.lit("part of a trend"))
        )
    text = rows.select(
        pl.concat_str(
            pl.lit("centre "),
            pl.col("cl").round_sig_figs(4).cast(pl.String).fill_null("–"),
            pl.lit("; limits "),
            pl.col("lcl").round_sig_figs(4).cast(pl.String).fill_null("–"),
            pl.lit(" to "),
            pl.col("ucl").round_sig_figs(4).cast(pl.String).fill_null("–"),
            pl.when(pl.col("n").is_not_null())
            .then(pl.lit("; n = ") + pl.col("n").round_sig_figs(6).cast(pl.String))
            .otherwise(pl.lit("")),
            pl.lit("<br>"),
            words.otherwise(pl.lit("common cause")),
        )
    )
    return text.to_series().to_list()


def mdc_figure(
    result: MdcResult, *, title: str | None = None, ylab: str | None = None, ncols: int = 3
) -> go.Figure:
    """A Making Data Count XmR chart of a :func:`charts.spc.mdc` result, one panel per facet.

    Points are coloured as in MDC: grey common cause, blue improvement, orange
    concern, purple neutral; the panel title carries the variation and assurance.
    """
    facets = [result.facet] if result.facet else []
    pts = result.points.with_columns(__group=pl.col("rebase_group"))
    keys = _facet_keys(pts, facets)
    last = result.summary.filter(pl.col("variation_icon").is_not_null())
    badges = {tuple(r[f] for f in facets): _badge(r) for r in last.to_dicts()}
    titles = [" | ".join(map(str, k)) + (" — " if k else "") + badges.get(k, "") for k in keys]
    fig, cols = _grid(keys, ncols, titles)
    for i, key in enumerate(keys):
        row, col = i // cols + 1, i % cols + 1
        rows = _facet_rows(pts, facets, key)
        first = i == 0
        for column, name, dash in (
            ("upl", "Process limits", "dash"),
            ("lpl", None, "dash"),
            ("mean", "Mean", "solid"),
            ("target", "Target", "dot"),
        ):
            if rows.get_column(column).null_count() == rows.height:
                continue
            xs, ys = _gapped(rows, result.x, column)
            colour = TARGET if column == "target" else LIMIT if column != "mean" else LINE
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    line={"color": colour, "width": 1.5, "dash": dash},
                    name=name or "Process limits",
                    legendgroup=column if name else "upl",
                    showlegend=first and name is not None,
                    hoverinfo="skip",
                ),
                row=row,
                col=col,
            )
        kinds = rows.get_column("point_type").to_list()
        fig.add_trace(
            go.Scatter(
                x=rows.get_column(result.x).to_list(),
                y=rows.get_column("y").to_list(),
                mode="lines+markers",
                line={"color": MDC_COLOURS["common_cause"], "width": 1.5},
                marker={"color": [MDC_COLOURS[k] for k in kinds], "size": 8},
                name=result.y,
                showlegend=first,
                customdata=[
                    f"{t} ({k.replace('_', ' ')})"
                    for t, k in zip(
                        rows.get_column("special_cause_type").to_list(), kinds, strict=True
                    )
                ],
                hovertemplate="%{x}<br>%{y:.4g}<br>%{customdata}<extra></extra>",
            ),
            row=row,
            col=col,
        )
        _boundaries(fig, rows, result.x, row, col)
    fig.update_layout(
        title={
            "text": title or f"Making Data Count chart of {result.y}",
            "subtitle": {"text": _subtitle(result.rules)},
        }
    )
    fig.update_yaxes(title_text=ylab or result.y, col=1)
    return fig


def _badge(summary_row: dict[str, Any]) -> str:
    variation = {
        "common_cause": "common cause",
        "improvement_high": "improvement ↑",
        "improvement_low": "improvement ↓",
        "concern_high": "concern ↑",
        "concern_low": "concern ↓",
        "neutral_high": "higher ↑",
        "neutral_low": "lower ↓",
    }[summary_row["variation_icon"]]
    assurance = summary_row.get("assurance_icon")
    return variation + (f" · target: {assurance}" if assurance else "")


def report_html(fig: go.Figure, findings: list[Finding], rules: RuleSet, *, title: str) -> str:
    """A self-contained HTML page: the chart, then the findings in plain words.

    plotly.js is embedded, so the page opens offline, from a shared drive or an email.
    """
    items = []
    for f in findings:
        cls = "signal" if f.signal else "calm"
        label = f"<strong>{html.escape(f.label)}</strong>: " if f.label else ""
        details = "".join(f"<li>{html.escape(d)}</li>" for d in f.details)
        items.append(f'<li class="{cls}">{label}{html.escape(f.headline)}<ul>{details}</ul></li>')
    rules_list = "".join(f"<li>{html.escape(text)}</li>" for _, text in rules.rules)
    chart = pio.to_html(fig, include_plotlyjs=True, full_html=False, config={"displaylogo": False})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem;
       color: #1f2933; max-width: 1200px; }}
h1 {{ font-size: 1.4rem; }} li.signal > strong, li.signal {{ color: #1f2933; }}
ul.findings > li {{ margin-bottom: .8rem; padding-left: .4rem; border-left: 4px solid #adb5bd; }}
ul.findings > li.signal {{ border-left-color: {SIGNAL}; }}
.rules {{ color: #52606d; font-size: .9rem; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
{chart}
<h2>What the chart shows</h2>
<ul class="findings">{"".join(items)}</ul>
<section class="rules"><h3>How signals are found: {html.escape(rules.label)}
(rule set {html.escape(rules.name)}, version {html.escape(rules.version)})</h3>
<ul>{rules_list}</ul><p>Source: {html.escape(rules.source)}.</p></section>
</body></html>
"""


def findings_for(result: QicResult | MdcResult) -> list[Finding]:
    """The plain-language findings of either kind of result."""
    return explain_mdc(result) if isinstance(result, MdcResult) else explain_qic(result)
