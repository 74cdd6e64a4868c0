"""``signals``: the special causes at the latest points, in words that know which way is better.

Two kinds of signal are read at the end of each series' latest part (``spc_results``):

* ``shift``: the latest points run on one side of the centre line (the average, or
  the median on a run chart) for longer than chance allows: Anhøj's longest-run
  rule (longest run > round(log2(n) + 3); Anhøj & Olesen 2014, docs/spc.md), with
  points on the centre line neither breaking nor adding to the run.
* ``few_crossings``: the series crosses its centre line fewer times than chance
  allows (Anhøj's crossings rule: fewer than qbinom(0.05, n - 1, 0.5)), and its latest
  points (as many as the longest run allowed) lie mostly, at least three in four, on
  one side: the process has shifted, even if a point or two broke the run.
* ``beyond_limit``: the latest point lies outside the control limits (3 sigma).

A series whose count is zero in most periods (``sparse`` in ``spc_results``) gets no
runs signals: with the centre line at zero, every zero sits on one side of it.

Each gets a sentence that names the measure, the home or site and the months, and
says what it means given the measure's direction: a fall rate below its average is
good news, a rise is a concern. A signal first seen in this run is ``new``
(``signal_log`` remembers what earlier runs found). After a sustained shift a
suggested rebase is written to ``baseline_suggestions`` for a person to approve; the
engine never rebases by itself (baselines come only from ``stg_baseline_decision``).

Examples
--------
>>> measure_name("Falls per 1,000 occupied bed days"), measure_name("MUST screening compliance")
('Falls', 'MUST screening compliance')
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from warehouse.connection import registered, transaction

SIGNAL_COLUMNS = (
    "signal_key", "measure_id", "level", "site_id", "home_id", "kind", "direction",
    "since", "latest", "points", "new", "sentence", "summary",
)  # fmt: skip
KINDS = ("shift", "few_crossings", "beyond_limit")  # the order a series' summary names them


def measure_name(title: str) -> str:
    """The short name a sentence uses: the title before " per " (rates), else the title."""
    return title.split(" per ", 1)[0]


def _month(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%B %Y")


def _latest_parts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The points of each series' latest part, with names, in period order."""
    return con.sql(
        """WITH named AS (
               SELECT r.*, m.title, m.period_unit,
                      coalesce(h.home_name, r.home_id) AS home_name,
                      coalesce(s.site_name, r.site_id) AS site_name
               FROM spc_results AS r
               JOIN ref_measure AS m USING (measure_id)
               LEFT JOIN ref_home AS h ON h.site_id = r.site_id AND h.home_id = r.home_id
               LEFT JOIN (SELECT DISTINCT site_id, site_name FROM ref_home) AS s
                 ON s.site_id = r.site_id
           )
           SELECT * FROM named
           QUALIFY coalesce(part, 1) = max(coalesce(part, 1)) OVER (PARTITION BY series)
           ORDER BY series, period"""
    ).pl()


def find_signals(points: pl.DataFrame) -> pl.DataFrame:
    """The signals at the end of each series (see the module's notes), with their sentences."""
    useful = points.filter(pl.col("value").is_not_null() & pl.col("cl").is_not_null())
    side = pl.col("value").sub(pl.col("cl")).sign().cast(pl.Int8)
    # sparse series (mostly zeros) are read for their limits only: no runs signals
    sided = useful.with_columns(side=side).filter((pl.col("side") != 0) & ~pl.col("sparse"))
    runs = sided.with_columns(run=pl.col("side").rle_id().over("series"))
    last_run = runs.filter(pl.col("run") == pl.col("run").max().over("series"))
    shifts = (
        last_run.group_by("series", maintain_order=True)
        .agg(
            pl.col("side").first(),
            pl.len().alias("points"),
            pl.col("period").min().alias("since"),
            pl.col("longest_run_max").last(),
        )
        .filter(pl.col("points") > pl.col("longest_run_max"))
    )
    recent = (
        sided.with_columns(back=pl.int_range(pl.len()).reverse().over("series"))
        .filter(pl.col("back") < pl.col("longest_run_max"))
        .group_by("series", maintain_order=True)
        .agg(
            balance=pl.col("side").sum(),
            points=pl.len(),
            since=pl.col("period").min(),
            crossings=pl.col("n_crossings").last(),
            fewest=pl.col("n_crossings_min").last(),
            last_side=pl.col("side").last(),
            runs=pl.col("runs_signal").last(),
        )
    )
    crossings = recent.filter(
        (pl.col("crossings") < pl.col("fewest"))
        & (pl.col("balance").abs() * 2 >= pl.col("points"))  # 3 in 4 on one side
        & (pl.col("last_side") == pl.col("balance").sign())  # and the latest point with them
        & pl.col("runs").fill_null(False)  # as the chart's own runs analysis reads it
        & ~pl.col("series").is_in(shifts.get_column("series").implode())
    ).select("series", side=pl.col("balance").sign().cast(pl.Int8), points="points",
             since="since", crossed="crossings")  # fmt: skip
    last = useful.group_by("series", maintain_order=True).agg(pl.all().last())
    beyond = last.filter(pl.col("sigma_signal").fill_null(False)).select(
        "series", side=side, points=pl.lit(1, pl.UInt32), since=pl.col("period")
    )
    info = last.select(
        "series", "measure_id", "level", "site_id", "home_id", "title", "chart", "improvement",
        "phase", "phase_start", "period_unit", "home_name", "site_name", "rare",
        latest=pl.col("period"),
    )  # fmt: skip
    ends = points.group_by("series").agg(
        pl.col("period").max().alias("last_period"),
        pl.col("data_complete").last().alias("last_complete"),
    )
    found = pl.concat(
        [
            shifts.select("series", "side", "points", "since").with_columns(kind=pl.lit("shift")),
            crossings.with_columns(kind=pl.lit("few_crossings")),
            beyond.with_columns(kind=pl.lit("beyond_limit")),
        ],
        how="diagonal_relaxed",
    )
    found = found.join(info, on="series").join(ends, on="series")
    order = pl.col("kind").replace_strict(KINDS, list(range(len(KINDS))))
    head, what, tail = _sentence_parts()
    parts = (
        found.with_columns(direction=_direction())
        .with_columns(__head=head, __what=what, __tail=tail)
        .sort("series", order)
    )
    return parts.with_columns(
        sentence=pl.format("{}: {}{}", "__head", "__what", "__tail"),
        summary=_summary(),
        signal_key=pl.concat_str("series", "kind", pl.col("since").cast(pl.String),
                                 separator="|"),
    ).drop("__head", "__what", "__tail")  # fmt: skip


def _summary() -> pl.Expr:
    """One sentence for a series with several signals: its findings joined, said once.

    "Falls at Hillcrest: the last 8 months are all below the average, and June 2024 is
    below the lower limit, beyond what normal ups and downs give. This looks like a
    real improvement." (rows sorted by series, then :data:`KINDS`).
    """
    findings = pl.col("__what").str.strip_suffix(".").str.join(", and ").over("series")
    tails = pl.col("__tail").unique(maintain_order=True).str.join("").over("series")
    return pl.format("{}: {}.{}", "__head", findings, tails)


def _direction() -> pl.Expr:
    better = pl.when(pl.col("improvement") == "increase").then(1)
    better = better.when(pl.col("improvement") == "decrease").then(-1).otherwise(0)
    return (
        pl.when(better == 0)
        .then(pl.lit("neutral"))
        .when(pl.col("side") == better)
        .then(pl.lit("improvement"))
        .otherwise(pl.lit("concern"))
    )


def _sentence_parts() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """A signal's sentence in three parts: the measure and place, what is seen, what it means."""
    place = (
        pl.when(pl.col("level") == "home")
        .then(pl.col("home_name"))
        .when(pl.col("level") == "site")
        .then(pl.col("site_name"))
        .otherwise(pl.lit("all sites"))
    )
    name = pl.col("title").map_elements(measure_name, return_dtype=pl.String)
    unit = (
        pl.when(pl.col("period_unit") == "quarter")
        .then(pl.lit("quarters"))
        .otherwise(pl.lit("months"))
    )
    centre = pl.when(pl.col("chart") == "run").then(pl.lit("median")).otherwise(pl.lit("average"))
    where = pl.when(pl.col("side") > 0).then(pl.lit("above")).otherwise(pl.lit("below"))
    events = name.str.to_lowercase()
    longer = pl.when(pl.col("side") > 0).then(pl.lit("longer")).otherwise(pl.lit("shorter"))
    what = (
        pl.when(pl.col("rare") & (pl.col("kind") == "shift"))
        .then(
            pl.format(
                "the last {} gaps between {} are all {} than the average gap.",
                "points",
                events,
                longer,
            )
        )
        .when(pl.col("rare"))
        .then(
            pl.format(
                "the gap before the one on {} is {} than the limits allow.",
                pl.col("since").dt.strftime("%-d %B %Y"),
                longer,
            )
        )
        .when(pl.col("kind") == "shift")
        .then(pl.format("the last {} {} are all {} the {}.", "points", unit, where, centre))
        .when(pl.col("kind") == "few_crossings")
        .then(
            pl.format(
                "the {} has {}, fewer times than chance allows, and the "
                "last {} {} are mostly {} it.",
                centre,
                pl.when(pl.col("crossed") == 0)
                .then(pl.lit("not been crossed at all"))
                .when(pl.col("crossed") == 1)
                .then(pl.lit("been crossed only once"))
                .otherwise(pl.format("been crossed only {} times", "crossed")),
                "points",
                unit,
                where,
            )
        )
        .otherwise(
            pl.format(
                "{} is {} limit, beyond what normal ups and downs give.",
                _month("since"),
                pl.when(pl.col("side") > 0)
                .then(pl.lit("above the upper"))
                .otherwise(pl.lit("below the lower")),
            )
        )
    )
    since_change = (
        pl.when(pl.col("phase").is_not_null())
        .then(pl.format(" since “{}” began in {}", "phase", _month("phase_start")))
        .otherwise(pl.lit(""))
    )
    better = (
        pl.when(pl.col("improvement") == "increase")
        .then(pl.lit("higher"))
        .otherwise(pl.lit("lower"))
    )
    meaning = (
        pl.when(pl.col("direction") == "improvement")
        .then(pl.format(" This looks like a real improvement{}.", since_change))
        .when(pl.col("direction") == "concern")
        .then(
            pl.format(
                " This is a concern: {} is better here. Find out what changed around {}.",
                better,
                _month("since"),
            )
        )
        .otherwise(
            pl.format(
                " Something changed around {}; neither way is better for this measure, so "
                "find out why.",
                _month("since"),
            )
        )
    )
    caveat = (
        pl.when(~pl.col("last_complete"))
        .then(pl.format(" {} is not charted yet: its data are incomplete.", _month("last_period")))
        .otherwise(pl.lit(""))
    )
    return pl.format("{} at {}", name, place), what, pl.format("{}{}", meaning, caveat)


def compute_signals(con: duckdb.DuckDBPyConnection, *, run_at: dt.datetime) -> dict[str, int]:
    """Replace ``signals`` and ``baseline_suggestions``; remember new signals in ``signal_log``."""
    found = find_signals(_latest_parts(con))
    with transaction(con):
        con.execute(
            "CREATE TABLE IF NOT EXISTS signal_log (signal_key VARCHAR PRIMARY KEY, "
            "first_seen TIMESTAMP)"
        )
        seen = {k for (k,) in con.sql("SELECT signal_key FROM signal_log").fetchall()}
        found = found.with_columns(new=~pl.col("signal_key").is_in(list(seen)))
        table = found.select(*SIGNAL_COLUMNS).sort("measure_id", "level", "site_id", "home_id")
        suggestions = _suggestions(con, found)
        with registered(con, found_signals=table, suggested=suggestions):
            con.execute("CREATE OR REPLACE TABLE signals AS SELECT * FROM found_signals")
            con.execute(
                "INSERT INTO signal_log SELECT signal_key, $run_at FROM found_signals WHERE new",
                {"run_at": run_at},
            )
            con.execute("CREATE OR REPLACE TABLE baseline_suggestions AS SELECT * FROM suggested")
    return {
        "signals": table.height,
        "new": int(table.get_column("new").sum()),
        "improvements": int((table.get_column("direction") == "improvement").sum()),
        "concerns": int((table.get_column("direction") == "concern").sum()),
        "suggested_rebases": suggestions.height,
    }


def _suggestions(con: duckdb.DuckDBPyConnection, found: pl.DataFrame) -> pl.DataFrame:
    """A suggested rebase where a shift has lasted, unless a decision already covers it."""
    shifts = found.filter((pl.col("kind") == "shift") & (pl.col("level") != "collaborative"))
    tables = {t for (t,) in con.sql("SELECT table_name FROM duckdb_tables()").fetchall()}
    decided = pl.DataFrame(schema={"measure_id": pl.String, "site_id": pl.String,
                                   "decided_from": pl.Date})  # fmt: skip
    if "stg_baseline_decision" in tables:
        decided = con.sql(
            "SELECT measure_id, site_id, max(effective_date) AS decided_from "
            "FROM stg_baseline_decision GROUP BY ALL"
        ).pl()
    return (
        shifts.join(decided, on=["measure_id", "site_id"], how="left")
        .filter(pl.col("decided_from").is_null() | (pl.col("decided_from") < pl.col("since")))
        .select(
            "measure_id",
            "site_id",
            "home_id",
            pl.lit("rebase").alias("action"),
            pl.col("since").alias("date"),
            pl.lit("awaiting a decision").alias("status"),
            pl.format(
                "Suggested by m4c: {} To accept, add this rebase to the site's "
                "qi_log/baselines.csv with who decided and why.",
                "sentence",
            ).alias("reason"),
        )
    )
