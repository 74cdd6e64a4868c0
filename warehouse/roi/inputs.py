"""What the ROI reads from the warehouse: resource counts, stay mix, change ideas, homes.

Everything comes from tables the pipeline has already built: ``measure_values`` (each
resource's measure per home and month, gated by data quality), ``stg_occupied_bed_days``
(the exposure), ``stg_change_idea`` (who started what, when, aimed at which measures)
and ``ref_home`` (names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources

import duckdb
import polars as pl

from warehouse.connection import registered
from warehouse.measures import load_registry
from warehouse.measures.registry import Registry
from warehouse.roi.resources import Resource

SQL = resources.files("warehouse.sql").joinpath("roi")
LONG_STAYS = "S3b"  # emergency admissions staying two nights or more: the NEL mix
INTERVENTION, COMPARISON = "intervention", "comparison"


def _sql(name: str) -> str:
    return SQL.joinpath(f"{name}.sql").read_text(encoding="utf-8")


def roi_inputs(con: duckdb.DuckDBPyConnection, resources_: tuple[Resource, ...]) -> pl.DataFrame:
    """Each resource per home and month: count, exposure, usable and why not.

    Examples
    --------
    >>> from warehouse.roi.resources import load_resources
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE measure_values (measure_id VARCHAR, level VARCHAR, "
    ...     "site_id VARCHAR, home_id VARCHAR, period DATE, numerator DOUBLE, "
    ...     "data_complete BOOLEAN)")
    >>> _ = con.execute("CREATE TABLE stg_occupied_bed_days (site_id VARCHAR, home_id VARCHAR, "
    ...     "month DATE, occupied_bed_days BIGINT)")
    >>> _ = con.execute(
    ...     "INSERT INTO measure_values VALUES ('S3', 'home', 'a', 'h', '2024-01-01', 3, true)")
    >>> _ = con.execute("INSERT INTO stg_occupied_bed_days VALUES ('a', 'h', '2024-01-01', 900)")
    >>> roi_inputs(con, load_resources()).select("resource", "count", "exposure", "usable").rows()
    [('emergency_admissions', 3.0, 900.0, True)]
    """
    frame = pl.DataFrame(
        {"resource": [r.id for r in resources_], "measure_id": [r.measure for r in resources_]}
    )
    with registered(con, resource_measures=frame):
        out = con.sql(_sql("roi_inputs")).pl()
    return out.with_columns(pl.col("count", "exposure").cast(pl.Float64))


def long_stay_inputs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """S3b per home and month as a count (long stays) over an exposure (stays known)."""
    return con.sql(
        "SELECT 'emergency_admissions' AS resource, site_id, home_id, period, "
        "CAST(numerator AS DOUBLE) AS count, CAST(denominator AS DOUBLE) AS exposure, "
        "coalesce(data_complete, false) AND numerator IS NOT NULL "
        "AND coalesce(denominator, 0) > 0 AS usable "
        "FROM measure_values WHERE level = 'home' AND measure_id = $m",
        params={"m": LONG_STAYS},
    ).pl()


@dataclass(frozen=True)
class Plans:
    """Who did what, when.

    Attributes
    ----------
    starts : polars.DataFrame
        One row per analysis: ``analysis`` (site), ``start`` (first month of the after
        period), ``role`` (``intervention``: the site's first change idea starts then;
        ``comparison``: no change idea, a placebo from the collaborative's first start).
    targeted : polars.DataFrame
        (resource, home_id) of every home with a change idea aimed at the resource.
    ideas : polars.DataFrame
        The change ideas (site_id, change_id, title, start_date), one row each.
    """

    starts: pl.DataFrame
    targeted: pl.DataFrame
    ideas: pl.DataFrame


def plans(
    con: duckdb.DuckDBPyConnection,
    resources_: tuple[Resource, ...],
    homes: pl.DataFrame,
    registry: Registry | None = None,
) -> Plans:
    """The sites' starts and the homes each resource's change ideas aim at.

    ``homes`` has site_id and home_id of every home; change ideas name measures by id or
    alias (resolved with ``registry``) and homes by id (null: every home of the site).
    """
    registry = registry or load_registry()
    ideas = con.sql(
        "SELECT site_id, change_id, title, home_id, measure_id, "
        "CAST(date_trunc('month', start_date) AS DATE) AS start "
        "FROM stg_change_idea WHERE start_date IS NOT NULL"
    ).pl()
    ideas = ideas.with_columns(
        measure_id=pl.col("measure_id").map_elements(
            lambda m: registry.resolve(m) or m, return_dtype=pl.String
        )
    )
    aims = pl.DataFrame(
        [(r.id, m) for r in resources_ for m in r.targeted_by],
        schema=["resource", "measure_id"],
        orient="row",
    )
    homes = homes.select("site_id", "home_id").unique()
    covered = ideas.join(homes, on="site_id", suffix="_of_site").filter(
        pl.col("home_id").is_null() | (pl.col("home_id") == pl.col("home_id_of_site"))
    )
    targeted = (
        covered.join(aims, on="measure_id")
        .select("resource", home_id="home_id_of_site")
        .unique()
        .sort("resource", "home_id")
    )
    first = ideas.group_by("site_id").agg(start=pl.col("start").min())
    sites = homes.select("site_id").unique().join(first, on="site_id", how="left")
    placebo = first["start"].min() if first.height else None
    starts = (
        sites.with_columns(
            role=pl.when(pl.col("start").is_null())
            .then(pl.lit(COMPARISON))
            .otherwise(pl.lit(INTERVENTION)),
            start=pl.col("start") if placebo is None else pl.col("start").fill_null(placebo),
        )
        .filter(pl.col("start").is_not_null())
        .rename({"site_id": "analysis"})
        .sort("analysis")
    )
    listed = ideas.group_by("site_id", "change_id", maintain_order=True).agg(
        pl.col("title").first(), start_date=pl.col("start").min()
    )
    return Plans(starts=starts, targeted=targeted, ideas=listed)


def home_names(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """site_id, site_name, home_id, home_name of the settings' homes (names may be null)."""
    return con.sql("SELECT site_id, site_name, home_id, home_name FROM ref_home").pl()


def month_text(d: date) -> str:
    """A month as people write it: ``March 2024``."""
    return d.strftime("%B %Y")
