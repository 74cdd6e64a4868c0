"""One site's folder: its dashboard, a page per measure, the points as CSV, the slides.

Everything is read for the one site (:mod:`warehouse.pages.content`), so its folder
holds its own homes only. Each measure page has the site's chart, its homes' small
multiples, a funnel of the homes (rates and proportions), the measure's definition and
its points with the extract files behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from charts.figures import ChangeIdea, alt_text, measure_figure, small_multiples
from charts.funnel import funnel, funnel_figure
from charts.icons import ICON_WORDS, assurance_icon, icon_sprite, icon_svg, icon_use, variation_icon
from charts.rules import get_rule_set
from warehouse.exports.deck import Slide
from warehouse.exports.spreadsheet import escape_frame
from warehouse.measures.document import CHART
from warehouse.measures.registry import Measure, Registry
from warehouse.pages import content
from warehouse.pages.render import (
    figure_div,
    month_text,
    number_text,
    plotly_js,
    render,
    whole,
    with_unit,
    write_csv,
)

BETTER = {"increase": "higher", "decrease": "lower", "neutral": "neither: it is watched, not aimed"}
FUNNEL_CHARTS = {"p": "p", "u": "u"}
FILES_CSV = "files.csv"  # the site's extract files, which the points CSVs name by id
DIGITS = 4  # decimals of values and limits in the points CSVs
SLIDE_HEIGHT = 675  # a site chart's PNG at 16:9, the slide's shape
FUNNEL_MONTHS = 12  # homes compared over their last 12 months


@dataclass(frozen=True)
class Chart:
    """A chart to export as PNG (``height`` in layout pixels) and, a site chart, to a slide."""

    figure: go.Figure
    path: Path
    height: int
    slide: Slide | None = None


@dataclass(frozen=True)
class SiteOutput:
    """What a site's folder holds."""

    folder: Path
    pages: tuple[Path, ...]
    charts: tuple[Chart, ...]
    measures: int


def rules_label(points: pl.DataFrame) -> str:
    """The rule set a series was read with, in words ("Anhøj run rules ...")."""
    rule_set = points["rule_set"].drop_nulls().first() if points.height else None
    if not rule_set:
        return "run chart: no limits yet"
    try:
        return get_rule_set(rule_set.split(" ")[0]).label
    except (KeyError, ValueError):
        return rule_set


def _sentence(m: Measure, site: str, points: pl.DataFrame, signals: pl.DataFrame) -> str:
    """What the site's chart shows, in words: its signal sentences, or that it is usual."""
    mine = signals.filter((pl.col("measure_id") == m.id) & (pl.col("level") == "site"))
    if mine.height:
        return mine["summary"][0]  # the series' signals said once (warehouse.measures.signals)
    shown = points.filter(pl.col("value").is_not_null())
    if shown.is_empty():
        return f"No points yet for {site}."
    cl = shown["cl"].drop_nulls()
    average = f"; the average is {with_unit(cl[-1], m.unit)}" if cl.len() else ""
    return f"No signal at {site}: the latest points show only the usual ups and downs{average}."


def _ideas(ideas: pl.DataFrame, measure_id: str) -> list[ChangeIdea]:
    mine = ideas.filter(pl.col("measures").list.contains(measure_id))
    return [
        ChangeIdea(r["title"], r["start_date"], r["cycle"], r["owner"])
        for r in mine.iter_rows(named=True)
        if r["start_date"] is not None
    ]


def _table(points: pl.DataFrame, unit: str, names: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for r in points.iter_rows(named=True):
        signal = "outside the limits" if r["sigma_signal"] else ""
        if r["runs_signal"]:
            signal = (signal + "; " if signal else "") + "in an unusual run"
        limits = (
            f"{number_text(r['lcl'], unit)} to {number_text(r['ucl'], unit)}"
            if r["lcl"] is not None and r["ucl"] is not None
            else ""
        )
        data = (
            "complete"
            if r["data_complete"]
            else f"incomplete: {r['dq_reason'] or 'see data quality'}"
        )
        if r["data_complete"] and r["dq_warning"]:
            data = f"needs a look: {r['dq_reason']}"
        elif r["data_complete"] and r["dq_everywhere"]:
            data = "complete (but see the note under the chart)"
        rows.append(
            {
                "month": month_text(r["period"]),
                "value": number_text(r["value"], unit) if r["value"] is not None else "no point",
                "numerator": whole(r["numerator"]),
                "denominator": whole(r["denominator"]),
                "cl": number_text(r["cl"], unit) if r["cl"] is not None else "",
                "limits": limits,
                "signal": signal,
                "data": data,
                "files": [names.get(int(f), str(f)) for f in (r["files"] or [])],
            }
        )
    return rows


def _csv(points: pl.DataFrame) -> pl.DataFrame:
    """The points for download: rounded, their extract files by id (``files.csv``)."""
    return points.select(
        "measure_id",
        "level",
        "home_name",
        "period",
        "numerator",
        "denominator",
        pl.col("value", "cl", "lcl", "ucl").round(DIGITS),
        "sigma_signal",
        "runs_signal",
        "data_complete",
        dq_checks=pl.col("dq_checks")
        .fill_null("")
        .str.split(",")
        .list.eval(pl.element().str.split(":").list.first().filter(pl.element() != ""))
        .list.unique(maintain_order=True)
        .list.join(" "),  # check ids, as the data-quality page names them
        file_ids=pl.col("files").list.sort().cast(pl.List(pl.String)).list.join(" "),
    )


def _lower(title: str) -> str:
    """A title inside a sentence: "falls per 1,000 ...", but "MUST screening ..." as it is."""
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _funnel(m: Measure, homes: pl.DataFrame, title: str) -> tuple[go.Figure | None, str]:
    chart = FUNNEL_CHARTS.get(m.chart)
    if chart is None or homes.is_empty():
        return None, ""
    last = homes["period"].max()
    first = pl.lit(last).dt.offset_by(f"-{FUNNEL_MONTHS - 1}mo")
    recent = homes.filter(pl.col("value").is_not_null() & (pl.col("period") >= first))
    totals = recent.group_by("home_name").agg(pl.col("numerator", "denominator").sum())
    totals = totals.filter(pl.col("denominator") > 0)
    rates = totals["numerator"] / totals["denominator"]
    if totals.height < 3 or rates.max() == rates.min():
        return None, ""  # fewer than three homes, or every home alike: nothing to compare
    f = funnel(
        totals,
        unit="home_name",
        numerator="numerator",
        denominator="denominator",
        chart=chart,
        multiplier=m.multiplier,
    )
    axis = f"{m.denominator_label} over the {FUNNEL_MONTHS} months"
    fig = funnel_figure(f, title=title, unit_label=m.unit, improvement=m.improvement,
                        labels=axis)  # fmt: skip
    note = (
        f"Each home's {_lower(m.title)} over its last {FUNNEL_MONTHS} months, against the "
        "limits a home of its size would fall within by chance"
        + (
            ", widened for the differences every home shows (over-dispersion)."
            if f.adjusted
            else "."
        )
    )
    return fig, note


def write_site(
    con: Any,
    site: content.Site,
    registry: Registry,
    out: Path,
    *,
    reasons: dict[str, str],
    dq_line: str,
    images: bool = True,
) -> SiteOutput:
    """Write ``out/<site_id>/``: the dashboard, a page per measure, CSVs, and the charts."""
    folder = out / site.site_id
    js = plotly_js(folder)
    points = content.points(con, site.site_id, reasons)
    signals = content.signals(con, site.site_id)
    ideas = content.change_ideas(con, site.site_id)
    files = content.files(con, site.site_id)
    names = content.file_names(files)
    write_csv(files, folder / FILES_CSV, escape_frame)
    crumbs = [("All sites", "../index.html")]
    pages, charts, rows, matrix_rows = [], [], [], []
    for m in registry:
        mine = points.filter(pl.col("measure_id") == m.id)
        site_pts = mine.filter(pl.col("level") == "site")
        if site_pts.is_empty():
            continue
        home_pts = mine.filter(pl.col("level") == "home")
        label = rules_label(site_pts)
        sentence = _sentence(m, site.name, site_pts, signals)
        title = f"{m.title}: {site.name}"
        fig = measure_figure(
            site_pts, title=title, unit=m.unit, subtitle=sentence, rules_label=label,
            ideas=_ideas(ideas, m.id),
        )  # fmt: skip
        homes_fig = (
            small_multiples(home_pts, facet="home_name", title=f"{m.title}: each home",
                            unit=m.unit, rules_label=rules_label(home_pts))
            if home_pts.height
            else None
        )  # fmt: skip
        funnel_fig, funnel_note = _funnel(m, home_pts, f"{m.title}: the homes compared")
        variation, assurance = variation_icon(site_pts), assurance_icon(site_pts)
        key = m.key
        csv_name = f"{key}.csv"
        write_csv(_csv(mine), folder / csv_name, escape_frame)
        latest = site_pts.filter(pl.col("value").is_not_null()).tail(1)
        table = _table(site_pts, m.unit, names)
        figs = {"site": fig, "homes": homes_fig, "funnel": funnel_fig}
        pngs = {part: f"{key}{'' if part == 'site' else '_' + part}.png" for part in figs}
        page = render(
            "measure.html.j2",
            folder / f"{key}.html",
            title=title,
            heading=title,
            crumbs=[*crumbs, (site.name, "index.html")],
            plotly=js,
            sentence=" ".join(
                ICON_WORDS[k] + "."
                for k in (variation, assurance)
                if k in ICON_WORDS and k != "none"
            ),
            variation_svg=icon_svg(variation),  # two icons: inline is smaller than the sprite
            assurance_svg=icon_svg(assurance) if assurance != "none" else "",
            figures={part: figure_div(f) for part, f in figs.items()},
            alt={
                "site": alt_text(site_pts, title=title, unit=m.unit, subtitle=sentence),
                "homes": f"{m.title} in each home of {site.name}, one small chart per home.",
                "funnel": f"Funnel plot of {m.title} across the homes of {site.name}.",
            },
            funnel_note=funnel_note,
            dq={
                "everywhere": site_pts["dq_everywhere"][0],
                "href": f"../data_quality/{site.site_id}.html",
            },
            m={
                "description": m.description,
                "numerator": m.numerator,
                "denominator": m.denominator,
                "source": m.source or "",
                "better": BETTER.get(m.improvement, m.improvement),
                "chart": CHART.get(m.chart, m.chart),
                "why": m.why or "",
                "caution": m.caution or "",
            },
            csv=csv_name,
            pictures={part: f"charts/{name}" for part, name in pngs.items()} if images else {},
            files_csv=FILES_CSV,
            table=table,
            files=sorted({f for row in table for f in row["files"]}),
        )
        pages.append(page)
        png = folder / "charts" / pngs["site"]
        charts.append(Chart(fig, png, SLIDE_HEIGHT, Slide(title, png, sentence, label)))
        charts += [
            Chart(f, folder / "charts" / pngs[part], f.layout.height)
            for part, f in figs.items()
            if f is not None and part != "site"
        ]
        rows.append(
            {
                "id": m.id,
                "title": m.title,
                "project": m.project or "",
                "href": f"{key}.html",
                "latest": number_text(latest["value"].item(), m.unit) if latest.height else "",
                "month": month_text(latest["period"].item()) if latest.height else "",
                "variation_svg": icon_use(variation),
                "assurance_svg": icon_use(assurance) if assurance != "none" else "",
                "sentence": sentence,
            }
        )
        cells = [icon_use(variation, size=28)]
        for home_id, _ in site.homes:
            hp = home_pts.filter(pl.col("home_id") == home_id)
            cells.append(icon_use(variation_icon(hp), size=28) if hp.height else "")
        matrix_rows.append({"title": m.title, "href": f"{key}.html", "cells": cells})
    new = signals.filter(pl.col("new")) if signals.height else signals
    shown = new if new.height else signals
    dashboard = render(
        "site.html.j2",
        folder / "index.html",
        title=f"{site.name}: measures for change",
        heading=f"{site.name}: measures for change",
        crumbs=crumbs,
        plotly=None,
        sprite=icon_sprite(),
        site_name=site.name,
        lead=_lead(len(rows), len(site.homes), shown),
        signals=[
            {
                "new": bool(s["new"]),
                "title": s["title"],
                "sentence": s["summary"],
                "href": f"{registry[s['measure_id']].key}.html",
            }
            for s in shown.filter(pl.col("level") == "site")
            .unique("measure_id", keep="first", maintain_order=True)
            .iter_rows(named=True)
            if s["measure_id"] in registry.ids
        ],
        home_signals=_home_signals(shown, registry),
        measures=rows,
        targets=any(r["assurance_svg"] for r in rows),
        matrix={
            "columns": [f"{site.name} (all)", *(n for _, n in site.homes)],
            "rows": matrix_rows,
        },
        icon_key=icon_key(),
        dq={"line": dq_line, "href": f"../data_quality/{site.site_id}.html"},
        ideas=[
            {
                "title": i["title"],
                "start": month_text(i["start_date"]),
                "cycle": i["cycle"],
                "owner": i["owner"],
                "measures": ", ".join(i["measures"] or []),
                "homes": ", ".join(i["homes"] or []) or "every home",
            }
            for i in ideas.iter_rows(named=True)
        ],
        deck=f"{site.site_id}_qi_meeting.pptx",
    )
    return SiteOutput(folder, (dashboard, *pages), tuple(charts), len(rows))


def _lead(measures: int, homes: int, signals: pl.DataFrame) -> str:
    """The dashboard's first line: what it covers, and how many charts show a signal.

    Examples
    --------
    >>> s = pl.DataFrame({"measure_id": ["S1", "S1", "S1", "P2.1"],
    ...     "level": ["site", "site", "home", "home"], "home_id": [None, None, "1-1", "1-2"]})
    >>> print(_lead(44, 8, s))
    44 measures for 8 homes, month by month. At the latest points, 1 chart of the site and 2 charts of single homes show a signal.
    """  # noqa: E501
    series = signals.unique(["measure_id", "level", "home_id"])

    def charts(level: str, what: str) -> str:
        n = series.filter(pl.col("level") == level).height
        return f"{n} chart{'' if n == 1 else 's'} {what}"

    return (
        f"{measures} measures for {homes} homes, month by month. At the latest points, "
        f"{charts('site', 'of the site')} and {charts('home', 'of single homes')} show a signal."
    )


def _home_signals(signals: pl.DataFrame, registry: Registry) -> list[dict[str, Any]]:
    """Signals in single homes, one row per measure: which homes improve, which concern."""
    homes = signals.filter((pl.col("level") == "home") & pl.col("measure_id").is_in(registry.ids))
    by = homes.group_by("measure_id", "title", maintain_order=True).agg(
        improving=pl.col("home_name").filter(pl.col("direction") == "improvement").unique().sort(),
        concern=pl.col("home_name").filter(pl.col("direction") == "concern").unique().sort(),
        changed=pl.col("home_name").filter(pl.col("direction") == "neutral").unique().sort(),
    )
    return [
        {
            "title": r["title"],
            "href": f"{registry[r['measure_id']].key}.html",
            "improving": ", ".join(r["improving"]),
            "concern": ", ".join(r["concern"]),
            "changed": ", ".join(r["changed"]),
        }
        for r in by.iter_rows(named=True)
    ]


def icon_key() -> str:
    """The icons' meanings in one sentence."""
    return "; ".join(f"{icon_use(k, size=18)} {w}" for k, w in ICON_WORDS.items() if k != "none")
