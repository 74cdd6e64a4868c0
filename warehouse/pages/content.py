"""What the pages show, read from the warehouse: series, signals, change ideas, lineage.

Every query here is for one site at a time (bound parameters), so a site's pages are
built from that site's rows only; the commissioners' page reads the ROI reports, which
are suppressed already (:mod:`warehouse.roi.report`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

_POINTS = """
SELECT s.*, coalesce(h.home_name, s.home_id) AS home_name,
       array_to_string(v.dq_checks, ',') AS dq_checks, v.files
FROM spc_results AS s
LEFT JOIN ref_home AS h ON h.site_id = s.site_id AND h.home_id = s.home_id
LEFT JOIN measure_values AS v
  ON v.measure_id = s.measure_id AND v.level = s.level AND v.site_id = s.site_id
 AND v.home_id IS NOT DISTINCT FROM s.home_id AND v.period = s.period
WHERE s.site_id = $site AND s.level IN ('site', 'home')
ORDER BY s.measure_id, s.level DESC, home_name, s.period
"""


@dataclass(frozen=True)
class Site:
    """A site as its pages name it."""

    site_id: str
    name: str
    homes: tuple[tuple[str, str], ...]  # (home_id, home name), by name


def sites(con: duckdb.DuckDBPyConnection) -> list[Site]:
    """Every site with measures, named from the settings (``ref_home``), by name."""
    rows = con.sql(
        """SELECT DISTINCT v.site_id, coalesce(h.site_name, v.site_id) AS site_name,
                  v.home_id, coalesce(h.home_name, v.home_id) AS home_name
           FROM measure_values AS v
           LEFT JOIN ref_home AS h ON h.site_id = v.site_id AND h.home_id = v.home_id
           WHERE v.level = 'home'"""
    ).pl()
    names = con.sql(
        "SELECT site_id, any_value(site_name) AS site_name FROM ref_home GROUP BY site_id"
    ).pl()
    named = dict(names.iter_rows())
    out = []
    for (site_id,), group in rows.sort("site_id").group_by("site_id", maintain_order=True):
        homes = tuple(sorted(group.select("home_id", "home_name").unique().iter_rows(),
                             key=lambda h: h[1]))  # fmt: skip
        out.append(Site(site_id, named.get(site_id) or site_id, homes))
    return sorted(out, key=lambda s: s.name)


def points(con: duckdb.DuckDBPyConnection, site_id: str, reasons: dict[str, str]) -> pl.DataFrame:
    """The site's and its homes' SPC points, with home names and data-quality reasons.

    ``dq_reason`` puts each point's data-quality checks in words (``reasons``: check id
    -> its title; others as they are).
    """
    frame = con.sql(_POINTS, params={"site": site_id}).pl()
    checks = pl.col("dq_checks").fill_null("").str.split(",")
    words = checks.list.eval(
        pl.element().str.split(":").list.first().replace(reasons).filter(pl.element() != "")
    )
    frame = frame.with_columns(dq_words=words.list.unique(maintain_order=True))
    return _series_wide(frame).with_columns(dq_reason=pl.col("dq_words").list.join("; "))


SERIES = ("measure_id", "level", "home_id")


def _series_wide(frame: pl.DataFrame) -> pl.DataFrame:
    """Warnings on every point of a series are said once, not ringed on every point.

    A warning that holds for every month of a series (a few rows of the site's GP
    extract set aside, say) marks nothing out: ``dq_everywhere`` names it for the
    chart's caption, and ``dq_warning`` stays true only on points with a warning of
    their own month.
    """
    frame = frame.with_row_index("__row")
    words = frame.select("__row", *SERIES, check="dq_words").explode("check").drop_nulls("check")
    sizes = frame.group_by(SERIES).agg(__n=pl.len())
    counted = words.join(
        words.group_by(*SERIES, "check").agg(__k=pl.len()), on=[*SERIES, "check"],
        nulls_equal=True,
    ).join(sizes, on=list(SERIES), nulls_equal=True)  # fmt: skip
    own = counted.filter(pl.col("__k") < pl.col("__n")).get_column("__row").unique()
    everywhere = (
        counted.filter(pl.col("__k") == pl.col("__n"))
        .group_by(SERIES)
        .agg(dq_everywhere=pl.col("check").unique(maintain_order=True).sort().str.join("; "))
    )
    return (
        frame.join(everywhere, on=list(SERIES), how="left", nulls_equal=True)
        .sort("__row")
        .with_columns(
            dq_warning=pl.col("dq_warning") & pl.col("__row").is_in(own.implode()),
            dq_everywhere=pl.col("dq_everywhere").fill_null(""),
        )
        .drop("__row")
    )


def signals(con: duckdb.DuckDBPyConnection, site_id: str) -> pl.DataFrame:
    """The site's signals at the latest points, with the measure and home they are on."""
    return con.sql(
        """SELECT g.*, m.title, coalesce(h.home_name, g.home_id) AS home_name
           FROM signals AS g JOIN ref_measure AS m USING (measure_id)
           LEFT JOIN ref_home AS h ON h.site_id = g.site_id AND h.home_id = g.home_id
           WHERE g.site_id = $site
           ORDER BY g.new DESC, m.position, g.level DESC, home_name""",
        params={"site": site_id},
    ).pl()


def change_ideas(con: duckdb.DuckDBPyConnection, site_id: str) -> pl.DataFrame:
    """The site's change log: one row per change idea, with its measures and homes."""
    return con.sql(
        """SELECT i.change_id, any_value(i.title) AS title, min(i.start_date) AS start_date,
                  any_value(i.cycle) AS cycle, any_value(i.owner) AS owner,
                  list(DISTINCT i.measure_id ORDER BY i.measure_id) AS measures,
                  list(DISTINCT coalesce(h.home_name, i.home_id) ORDER BY 1)
                      FILTER (WHERE i.home_id IS NOT NULL) AS homes
           FROM stg_change_idea AS i
           LEFT JOIN ref_home AS h ON h.site_id = i.site_id AND h.home_id = i.home_id
           WHERE i.site_id = $site
           GROUP BY i.change_id ORDER BY start_date, i.change_id""",
        params={"site": site_id},
    ).pl()


def files(con: duckdb.DuckDBPyConnection, site_id: str) -> pl.DataFrame:
    """The site's extract files (``load_log``): id, path inside its inbox folder, counts.

    A points CSV names its files by ``file_id``; this table, written once per site
    folder as ``files.csv``, says which file each id is and how its rows went.
    """
    return con.sql(
        """SELECT file_id, regexp_replace(path, '^[^/]*/', '') AS file, source,
                  rows_in, rows_loaded, rows_quarantined, rows_skipped, status,
                  loaded_at, sha256
           FROM load_log WHERE site_id = $site ORDER BY file_id""",
        params={"site": site_id},
    ).pl()


def file_names(frame: pl.DataFrame) -> dict[int, str]:
    """File ids to paths, from :func:`files`."""
    return dict(zip(frame["file_id"].to_list(), frame["file"].to_list(), strict=True))
