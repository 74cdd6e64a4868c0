"""``spc_results``: every series of ``measure_values`` charted, in one call per chart type.

A series is a measure at one home, one site or the collaborative. Each gets the
chart its declaration names (``warehouse/measures/catalogue``), or a run chart while
it has fewer points than the declaration's ``run_until`` (docs/domain.md §2.1: run
charts for short series); every series of one chart type goes through one
:func:`charts.spc.qic` call, with facets.

Two readings of each series' Making Data Count icons are stored, repeated on each of
its points:

* ``variation`` and ``assurance``: the icons of the chart shown, read from its qic
  limits and rules as the pages read them (:func:`charts.icons.icons_by_series`, one
  call over every series; the same as :func:`charts.icons.variation_icon` and
  :func:`charts.icons.assurance_icon` of the series' points). They are the verdict
  the site pages and ``m4c measures`` give, so it agrees with the chart (the signal
  sentences read the same qic columns). ``variation`` is ``"none"`` with fewer than
  six points that have a value and a centre line; ``assurance`` is ``"none"`` without
  a target or limits, or for a neutral measure.
* ``mdc_point_type``, ``mdc_variation`` and ``mdc_assurance``: NHSRplotthedots' own XmR
  reading of the values (NHS England's rules with the improvement direction and
  target; one :func:`charts.spc.mdc` call per direction), kept for parity with
  NHSRplotthedots and not shown as the verdict: its limits and rules are not the
  chart's (an XmR chart of a u chart's rates, a sparse series' zeros, a verdict from
  two points), so it can disagree with the chart.

The values of ``variation`` and ``assurance`` are keys of
:data:`charts.icons.ICON_WORDS`.

Baselines are governed (``stg_baseline_decision``): a series' limits are frozen, or
rebased, only where a recorded decision says so; otherwise they come from all its
points. Change ideas (``stg_change_idea``) name the phase each point falls in.

Examples
--------
>>> chart_for("u", points=8, run_until=12), chart_for("u", points=12, run_until=12)
('run', 'u')
"""

from __future__ import annotations

import warnings
from typing import Any

import duckdb
import polars as pl

from charts.icons import icons_by_series
from charts.spc import SpcWarning, mdc, qic
from warehouse.connection import registered

SERIES = ("measure_id", "level", "site_id", "home_id")


def chart_for(chart: str, *, points: int, run_until: int) -> str:
    """The chart a series gets: its declared chart once it has ``run_until`` points."""
    return chart if points >= run_until else "run"


def _series_key() -> pl.Expr:
    return pl.concat_str([pl.col(c).fill_null("") for c in SERIES], separator="|").alias("series")


def load_points(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every point to chart: each series' periods, or for rare events the days between them.

    A series whose count is zero in most periods, with no rare chart to turn to, is
    ``sparse``: a run chart, read for its limits only (see :mod:`.signals`).

    A home's series of a measure with a ``rare_chart`` whose events average fewer than
    ``rare_below`` a period is charted as the days between its events (a t chart;
    docs/domain.md §2.1, g/t charts for rare events in small homes), dated by each
    event, with the direction turned round: fewer events means longer gaps.
    """
    frame = con.sql(
        """SELECT v.measure_id, v.level, v.site_id, v.home_id, v.period, v.data_complete,
                  v.numerator, v.denominator, v."value", v.dq_warning,
                  m.chart AS declared_chart, m.run_until, m.has_denominator, m.multiplier,
                  m.improvement, m.target, m.rare_chart, m.rare_below
           FROM measure_values AS v JOIN ref_measure AS m USING (measure_id)
           ORDER BY m.position, v.level, v.site_id, v.home_id, v.period"""
    ).pl()
    frame = frame.with_columns(_series_key()).with_columns(
        rare=(
            pl.col("rare_chart").is_not_null()
            & (pl.col("level") == "home")
            & (pl.col("numerator").mean().over("series") < pl.col("rare_below"))
        ).fill_null(False)
    )
    frame = pl.concat(
        [frame.filter(~pl.col("rare")), _between_events(con, frame.filter(pl.col("rare")))],
        how="diagonal_relaxed",
    )
    # sparse: a count whose median is zero (most periods have none) and no rare chart to
    # turn to. Runs around a centre line at or next to zero mean nothing (every zero sits
    # on one side), so such a series gets a run chart and no runs signals, only limits.
    sparse = (~pl.col("rare") & (pl.col("numerator").median().over("series") == 0)).fill_null(False)
    frame = frame.with_columns(sparse=sparse)
    return frame.with_columns(
        chart=pl.when(
            (pl.col("value").is_not_null().sum().over("series") >= pl.col("run_until"))
            & ~pl.col("sparse")
        )
        .then(pl.col("declared_chart"))
        .otherwise(pl.lit("run")),
        # the charts' x: the day, and for events on the same day their order in it
        x=_x(pl.col("period")) + pl.col("period").cum_count().over("series", "period") - 1,
    ).drop("rare_chart", "rare_below")


def _x(day: pl.Expr) -> pl.Expr:
    """The x of a point dated ``day``: its day number, with room for events that day."""
    return day.cast(pl.Int64) * 1000


_FLIP = {"increase": "decrease", "decrease": "increase", "neutral": "neutral"}


def _between_events(con: duckdb.DuckDBPyConnection, rare: pl.DataFrame) -> pl.DataFrame:
    """The days between a rare series' events (each dated by the later event)."""
    if rare.is_empty():
        return rare
    complete = rare.filter(pl.col("data_complete")).select(
        "series", "measure_id", "site_id", "home_id", "period"
    )
    events = con.sql("SELECT * FROM measure_events").pl()
    month = pl.col("event_date").dt.truncate("1mo")
    dated = (
        events.with_columns(period=month)
        .join(complete, on=["measure_id", "site_id", "home_id", "period"], how="inner")
        .sort("series", "event_date")
        .with_columns(days=pl.col("event_date").diff().over("series").dt.total_days())
        .filter(pl.col("days").is_not_null())
        # two events on one day: somewhere between 0 and 1 day apart, so half a day (a t
        # chart needs times above zero; docs/measures.md)
        .with_columns(days=pl.when(pl.col("days") == 0).then(0.5).otherwise(pl.col("days")))
    )
    settings = rare.group_by("series").agg(
        pl.col("measure_id", "level", "site_id", "home_id", "run_until", "improvement").first()
    )
    return (
        dated.select(
            "series",
            period="event_date",
            value=pl.col("days").cast(pl.Float64),
            data_complete=pl.lit(True),
            dq_warning=pl.lit(False),
        )
        .join(settings, on="series")
        .with_columns(
            declared_chart=pl.lit("t"),
            has_denominator=pl.lit(False),
            multiplier=pl.lit(1.0),
            improvement=pl.col("improvement").replace_strict(_FLIP),
            target=pl.lit(None, pl.Float64),
            rare=pl.lit(True),
        )
    )


def decisions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The recorded baseline decisions, one row per series they govern (may be none).

    A decision for every home of a site (home_id null) governs the site's series and
    each of its homes' series.
    """
    schema = {"series": pl.String, "action": pl.String, "effective": pl.Date}
    tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "stg_baseline_decision" not in tables:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(
        con.sql(
            """SELECT DISTINCT concat_ws('|', m.measure_id, v.level, v.site_id,
                                         coalesce(v.home_id, '')) AS series,
                      d.action, CAST(date_trunc(m.period_unit, d.effective_date) AS DATE)
                      AS effective
               FROM stg_baseline_decision AS d
               JOIN ref_measure AS m ON d.measure_id = m.measure_id
                                     OR list_contains(m.aliases, d.measure_id)
               JOIN (SELECT DISTINCT measure_id, level, site_id, home_id FROM measure_values
                     WHERE level <> 'collaborative') AS v
                 ON v.measure_id = m.measure_id AND v.site_id = d.site_id
                AND (d.home_id IS NULL OR v.home_id = d.home_id)"""
        ).fetchall(),
        schema=schema,
        orient="row",
    )


def _by_series(rows: pl.DataFrame, action: str) -> dict[str, Any]:
    chosen = rows.filter(pl.col("action") == action).with_columns(effective=_x(pl.col("effective")))
    if action == "freeze":  # the latest freeze of a series governs it
        chosen = chosen.group_by("series").agg(pl.col("effective").max())
        return dict(chosen.iter_rows())
    grouped = chosen.group_by("series").agg(pl.col("effective").sort())
    return {k: v for k, v in grouped.iter_rows()}


def _qic(points: pl.DataFrame, chart: str, governed: pl.DataFrame) -> pl.DataFrame:
    """One qic call over every series of ``chart``; its points keyed by series and period."""
    rows = points.filter(pl.col("chart") == chart)
    series = set(rows.get_column("series").unique().to_list())
    governed = governed.filter(pl.col("series").is_in(list(series)))
    ratio = rows.get_column("has_denominator").first()
    if chart in ("i", "t"):
        y, n, multiply = "value", None, 1.0
    elif chart == "run":
        # a run chart of each series' own values: a rate or share as the value column
        y, n, multiply = "value", None, 1.0
    else:
        y, n, multiply = "numerator", "denominator" if ratio else None, 1.0
    empty = pl.col("denominator") == 0  # no opportunity: a gap, not a zero
    frame = rows.select(
        "series",
        "x",
        pl.when(empty).then(None).otherwise(pl.col("numerator")).alias("numerator"),
        pl.when(empty).then(None).otherwise(pl.col("denominator")).alias("denominator"),
        "value",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpcWarning)  # trial limits: reported per series
        result = qic(
            frame,
            x="x",
            y=y,
            n=n,
            chart=chart,
            facets="series",
            freeze=_by_series(governed, "freeze") or None,
            parts=_by_series(governed, "rebase") or None,
            multiply=multiply,
        )
    scale = pl.lit(1.0) if chart in ("i", "t", "run") else pl.col("multiplier")
    out = result.points.select(
        "series", "x", "cl", "lcl", "ucl", "part", "baseline", "sigma_signal",
        "runs_signal", "longest_run", "longest_run_max", "n_crossings", "n_crossings_min",
    ).join(
        result.summary.select("series", "part", "trial_limits", "rule_set"),
        on=["series", "part"], how="left",
    )  # fmt: skip
    return (
        out.join(rows.select("series", "multiplier").unique(), on="series")
        .with_columns(pl.col("cl", "lcl", "ucl") * scale)
        .drop("multiplier")
    )


def _mdc(points: pl.DataFrame, governed: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Making Data Count point types, and verdicts per series: one mdc call per direction."""
    frames, verdicts = [], []
    rebases = _by_series(governed, "rebase")
    for improvement in ("increase", "decrease", "neutral"):
        rows = points.filter((pl.col("improvement") == improvement) & pl.col("value").is_not_null())
        if rows.is_empty():
            continue
        names = set(rows.get_column("series").unique().to_list())
        targets = dict(
            rows.filter(pl.col("target").is_not_null())
            .select("series", "target")
            .unique()
            .iter_rows()
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SpcWarning)
            result = mdc(
                rows.select("series", "x", "value"),
                x="x",
                y="value",
                facet="series",
                improvement=improvement,
                target=targets or None,
                rebase={k: v for k, v in rebases.items() if k in names} or None,
            )
        last = result.summary.group_by("series").agg(
            pl.col("variation_type").last().alias("mdc_variation"),
            pl.col("assurance_type").last().alias("mdc_assurance"),
        )
        frames.append(
            result.points.select("series", "x", pl.col("point_type").alias("mdc_point_type"))
        )
        verdicts.append(last)
    points_schema = {"series": pl.String, "x": pl.Int64, "mdc_point_type": pl.String}
    verdict_schema = {"series": pl.String, "mdc_variation": pl.String,
                      "mdc_assurance": pl.String}  # fmt: skip
    return (
        pl.concat([pl.DataFrame(schema=points_schema), *frames], how="vertical_relaxed"),
        pl.concat([pl.DataFrame(schema=verdict_schema), *verdicts], how="vertical_relaxed"),
    )


def phases(con: duckdb.DuckDBPyConnection, points: pl.DataFrame) -> pl.DataFrame:
    """The change idea in progress at each point of the series it touches (or none)."""
    schema = {"series": pl.String, "period": pl.Date, "phase": pl.String,
              "phase_start": pl.Date}  # fmt: skip
    tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "stg_change_idea" not in tables:
        return pl.DataFrame(schema=schema)
    ideas = con.sql(
        """SELECT c.site_id, c.home_id, m.measure_id, c.title,
                  CAST(date_trunc(m.period_unit, c.start_date) AS DATE) AS phase_start
           FROM stg_change_idea AS c
           JOIN ref_measure AS m ON c.measure_id = m.measure_id
                                 OR list_contains(m.aliases, c.measure_id)"""
    ).pl()
    keys = points.select("series", "measure_id", "level", "site_id", "home_id", "period")
    touched = keys.join(ideas, on=["measure_id", "site_id"], how="inner").filter(
        (pl.col("period") >= pl.col("phase_start"))
        # a home's chart: ideas for all homes or for it; the site's: any idea at the site
        & (
            pl.col("home_id_right").is_null()
            | (pl.col("home_id") == pl.col("home_id_right"))
            | (pl.col("level") == "site")
        )
    )
    latest = (
        touched.sort("phase_start", "title")
        .group_by("series", "period")
        .agg(pl.col("title").last().alias("phase"), pl.col("phase_start").last())
    )
    return latest.select(list(schema)).cast(schema)


def _icons(table: pl.DataFrame) -> pl.DataFrame:
    """The variation and assurance icons of every series, as the pages read its chart.

    One :func:`charts.icons.icons_by_series` call over all the points (``table`` sorted
    by series and x, the chart's order): the latest point's type by the qic limits and
    rules the chart draws, and the latest target against the latest limits.
    """
    schema = {"series": pl.String, "variation": pl.String, "assurance": pl.String}
    if table.is_empty():
        return pl.DataFrame(schema=schema)
    return icons_by_series(table, ["series"]).select(list(schema)).cast(schema)


def compute_spc(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Replace ``spc_results``: one row per point of every series; counts for metadata."""
    points = load_points(con)
    governed = decisions(con)
    charted = pl.concat(
        [_qic(points, chart, governed) for chart in points.get_column("chart").unique().sort()],
        how="vertical_relaxed",
    )
    mdc_points, verdicts = _mdc(points, governed)
    table = (
        points.join(charted, on=["series", "x"], how="left")
        .join(mdc_points, on=["series", "x"], how="left")
        .join(verdicts, on="series", how="left")
        .join(phases(con, points), on=["series", "period"], how="left")
    )
    icons = _icons(table.sort("series", "x"))  # the chart's order
    table = (
        table.join(icons, on="series", how="left", maintain_order="left")
        .select(
            "series", *SERIES, "period", "rare", "sparse", "chart", "declared_chart",
            "improvement",
            "target",
            "value", "numerator", "denominator", "data_complete", "dq_warning", "cl", "lcl",
            "ucl", "part", "baseline", "sigma_signal", "runs_signal", "longest_run",
            "longest_run_max", "n_crossings", "n_crossings_min", "trial_limits", "rule_set",
            "variation", "assurance", "mdc_point_type", "mdc_variation", "mdc_assurance",
            "phase", "phase_start",
        )
    )  # fmt: skip
    with registered(con, results=table):
        con.execute("CREATE OR REPLACE TABLE spc_results AS SELECT * FROM results")
    series = table.get_column("series").n_unique()
    return {
        "rows": table.height,
        "series": series,
        "series_with_signal": int(
            table.group_by("series")
            .agg((pl.col("runs_signal").any() | pl.col("sigma_signal").any()).alias("s"))
            .get_column("s")
            .sum()
        ),
        **{f"series_{k}": v for k, v in _chart_counts(table).items()},
    }


def _chart_counts(table: pl.DataFrame) -> dict[str, int]:
    counts = table.select("series", "chart").unique().get_column("chart").value_counts()
    return {str(k): int(v) for k, v in counts.iter_rows()}


__all__ = ["chart_for", "compute_spc", "decisions", "load_points", "phases"]
