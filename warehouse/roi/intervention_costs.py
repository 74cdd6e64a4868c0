"""What the improvement work cost (C of the ROI), per site, month and cost line.

A site's costs template (``qi_log/intervention_costs.csv``, staged as
``stg_intervention_cost``) gives its cost lines: hours of staff, backfill and coaching,
priced at the hourly unit cost of their role and band (:func:`cost_items`), and pounds
of training, materials, travel and data (or of time whose cost the site knows). Each row
is spread over the months of its period in proportion to days. A site with no costs
template but a QI activity log gets an estimate instead: its activities times the
minutes each takes (``activity_minutes.csv``, all assumptions) at the same hourly rates,
and the care-home staff released, backfilled at a care worker's hour (domain spec §3.2,
step 1). A site with neither costs nothing here.

Examples
--------
>>> cost_items("pharmacist", "8a"), cost_items("gp"), cost_items("care_worker")
('pharmacist_band_8a', 'gp_minute', 'care_worker_hour')
>>> from warehouse.roi.unit_costs import load_unit_costs
>>> hourly_rate(load_unit_costs(), "gp")  # GBP 4.47 a minute of patient contact
268.2
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import duckdb
import polars as pl

from connectors.schemas import COST_BANDS, QI_ACTIVITIES, STAFF_TIME
from warehouse.roi.unit_costs import UnitCosts

ACTIVITY_MINUTES = resources.files("warehouse.roi").joinpath("activity_minutes.csv")
TEMPLATE = "costs template"
ESTIMATED = "estimated from the QI activity log"
BACKFILL = "backfill"
CARE_WORKER = "care_worker"  # care-home staff released: backfilled at care_worker_hour
PER_HOUR = {"gp_minute": 60.0}  # GP time is costed a minute (PSSRU 2024 Table 9.4.2)
SCHEMA = {
    "site_id": pl.String,
    "month": pl.Date,
    "category": pl.String,
    "role": pl.String,
    "band": pl.String,
    "item": pl.String,
    "hours": pl.Float64,
    "cost": pl.Float64,
    "basis": pl.String,
    "unit_cost": pl.String,
}
MINUTES_SCHEMA = {
    "activity_type": pl.String,
    "category": pl.String,
    "role": pl.String,
    "band": pl.String,
    "minutes": pl.Float64,
    "care_home_minutes": pl.Float64,
    "note": pl.String,
}
_LINE = ["site_id", "month", "category", "role", "band", "item", "basis", "unit_cost"]


def cost_items(role: str, band: str | None = None) -> str:
    """The unit-cost item that prices an hour of ``role`` (at ``band``, for AfC roles).

    ``gp`` is priced by the minute (``gp_minute``, times 60 an hour: :func:`hourly_rate`),
    ``care_worker`` by ``care_worker_hour``; pharmacists, dietitians and nurses by their
    band's hour (``connectors.schemas.COST_BANDS``).

    Raises
    ------
    ValueError
        If the role has no hourly unit cost (``other``), or not at that band.
    """
    if role == "gp" and not band:
        return "gp_minute"
    if role == CARE_WORKER and not band:
        return "care_worker_hour"
    if role in COST_BANDS and band in COST_BANDS[role]:
        return f"{role}_band_{band}"
    bands = {r: ", ".join(b) for r, b in COST_BANDS.items()}
    raise ValueError(
        f"no hourly unit cost for role {role!r} at band {band!r}: priced are gp and "
        f"care_worker (no band), {'; '.join(f'{r} bands {b}' for r, b in bands.items())}"
    )


def hourly_rate(unit_costs: UnitCosts, role: str, band: str | None = None) -> float:
    """The cost of an hour of ``role`` at ``band``, at the price year."""
    item = cost_items(role, band)
    return unit_costs.value(item) * PER_HOUR.get(item, 1.0)


def rates(unit_costs: UnitCosts) -> pl.DataFrame:
    """Every priced role and band: ``role, band, unit_cost`` (the item) and ``rate`` an hour."""
    pairs = [("gp", None), (CARE_WORKER, None)]
    pairs += [(r, b) for r, bands in COST_BANDS.items() for b in bands]
    return pl.DataFrame(
        [(r, b, cost_items(r, b), hourly_rate(unit_costs, r, b)) for r, b in pairs],
        schema={"role": pl.String, "band": pl.String, "unit_cost": pl.String, "rate": pl.Float64},
        orient="row",
    )


def load_activity_minutes(path: Path | Traversable | None = None) -> pl.DataFrame:
    """The minutes of NHS and care-home staff each QI activity takes (default: shipped).

    Raises
    ------
    ValueError
        If a column is missing, an activity type of the QI log has no row (or an unknown
        one has), minutes are not numbers of 0 or more, or a role and band with minutes
        has no hourly unit cost.
    """
    source = ACTIVITY_MINUTES if path is None else path
    frame = pl.read_csv(source.read_bytes(), infer_schema=False)
    absent = [c for c in MINUTES_SCHEMA if c not in frame.columns]
    if absent:
        raise ValueError(
            f"{source} has no column {', '.join(absent)}; its header must be "
            f"{','.join(MINUTES_SCHEMA)}"
        )
    try:
        frame = frame.select(list(MINUTES_SCHEMA)).cast(MINUTES_SCHEMA)
    except pl.exceptions.InvalidOperationError:
        raise ValueError(f"{source}: minutes and care_home_minutes must be numbers") from None
    types = set(frame["activity_type"])
    if types != set(QI_ACTIVITIES):
        raise ValueError(
            f"{source} must have rows for exactly the QI log's activity types "
            f"({', '.join(QI_ACTIVITIES)}); it has {', '.join(sorted(types))}"
        )
    amounts = pl.col("minutes", "care_home_minutes")
    if frame.filter(pl.any_horizontal(amounts.is_null() | (amounts < 0))).height:
        raise ValueError(f"{source}: every row needs minutes and care_home_minutes, 0 or more")
    for role, band in frame.filter(pl.col("minutes") > 0).select("role", "band").iter_rows():
        cost_items(role, band)
    return frame


def spread_by_days(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row once per month of ``[from_date, to_date]``, with the ``share`` of its days.

    Examples
    --------
    >>> import datetime as dt
    >>> r = pl.DataFrame({"from_date": [dt.date(2024, 1, 29)], "to_date": [dt.date(2024, 2, 27)]})
    >>> spread_by_days(r).select("month", "share").rows()
    [(datetime.date(2024, 1, 1), 0.1), (datetime.date(2024, 2, 1), 0.9)]

    Three days of the 30 fall in January, the other 27 in February.
    """
    first, last = pl.col("from_date"), pl.col("to_date")
    months = pl.date_ranges(first.dt.truncate("1mo"), last.dt.truncate("1mo"), "1mo")
    start = pl.max_horizontal(first, pl.col("month"))
    end = pl.min_horizontal(last, pl.col("month").dt.month_end())
    days = (end - start).dt.total_days() + 1
    return (
        rows.with_columns(month=months)
        .explode("month")
        .with_columns(share=days / ((last - first).dt.total_days() + 1))
    )


def intervention_costs(con: duckdb.DuckDBPyConnection, unit_costs: UnitCosts) -> pl.DataFrame:
    """The intervention's costs per site, month and cost line, in pounds at the price year.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A warehouse with ``stg_intervention_cost`` and ``stg_qi_activity`` built.
    unit_costs : UnitCosts
        The hourly rates of staff time (:func:`hourly_rate`); pass one with other values
        (:meth:`UnitCosts.with_values`) for a sensitivity analysis.

    Returns
    -------
    polars.DataFrame
        ``site_id, month`` (the first of the month), ``category, role, band, item``
        (the template's, or ``<activity_type> (QI activity log)``), ``hours`` (as
        given, spread; null where a line gives none), ``cost``, ``basis`` ("costs
        template" or "estimated from the QI activity log") and ``unit_cost``: the
        unit-cost item that priced the hours (null where the site gave the cost in
        pounds). Sorted by site, month, basis, category and item.

    Raises
    ------
    ValueError
        If a row's hours have no unit cost to price them (the connector quarantines
        such rows, so only rows landed some other way can).
    """
    template = con.sql(
        "SELECT site_id, item, category, role, band, hours, cost_gbp, from_date, to_date "
        "FROM stg_intervention_cost"
    ).pl()
    per_hour = rates(unit_costs)
    priced = template.join(per_hour, on=["role", "band"], how="left", nulls_equal=True)
    timed = pl.col("category").is_in(STAFF_TIME) & pl.col("cost_gbp").is_null()
    unpriced = priced.filter(timed & pl.col("rate").is_null())
    if unpriced.height:
        first = unpriced.row(0, named=True)
        raise ValueError(
            f"{unpriced.height} cost line(s) of stg_intervention_cost have hours but no unit "
            f"cost to price them, such as {first['item']!r} of {first['site_id']} (role "
            f"{first['role']!r}, band {first['band']!r}): give them cost_gbp, or a role and "
            "band of warehouse/roi/unit_costs.toml"
        )
    lines = spread_by_days(
        priced.with_columns(
            cost=pl.coalesce("cost_gbp", pl.when(timed).then(pl.col("hours") * pl.col("rate"))),
            unit_cost=pl.when(timed).then("unit_cost"),
            basis=pl.lit(TEMPLATE),
        )
    ).with_columns(hours=pl.col("hours") * pl.col("share"), cost=pl.col("cost") * pl.col("share"))
    frames = [lines, _estimated(con, per_hour)]
    out = pl.concat([f.select(list(SCHEMA)).cast(SCHEMA) for f in frames])
    return (
        out.group_by(_LINE)
        .agg(
            hours=pl.when(pl.col("hours").count() > 0).then(pl.col("hours").sum()),
            cost=pl.col("cost").sum(),
        )
        .select(list(SCHEMA))
        .sort("site_id", "month", "basis", "category", "item", "role", "band", nulls_last=True)
    )


def _estimated(con: duckdb.DuckDBPyConnection, per_hour: pl.DataFrame) -> pl.DataFrame:
    """The cost lines of the sites with a QI activity log and no costs template."""
    counts = con.sql(
        "SELECT site_id, date_trunc('month', activity_date)::DATE AS month, activity_type, "
        "count(*) AS activities FROM stg_qi_activity AS a "
        "WHERE NOT EXISTS (SELECT 1 FROM stg_intervention_cost AS c WHERE c.site_id = a.site_id) "
        "GROUP BY ALL"
    ).pl()
    minutes = load_activity_minutes()
    joined = counts.join(minutes, on="activity_type")
    item = pl.concat_str("activity_type", pl.lit(" (QI activity log)"))
    nhs = joined.filter(pl.col("minutes") > 0).with_columns(
        hours=pl.col("activities") * pl.col("minutes") / 60
    )
    backfill = (
        joined.group_by("site_id", "month", "activity_type", "activities")
        .agg(pl.col("care_home_minutes").sum())
        .filter(pl.col("care_home_minutes") > 0)
        .with_columns(
            category=pl.lit(BACKFILL),
            role=pl.lit(CARE_WORKER),
            band=pl.lit(None, pl.String),
            hours=pl.col("activities") * pl.col("care_home_minutes") / 60,
        )
    )
    columns = ["site_id", "month", "category", "role", "band", "activity_type", "hours"]
    both = pl.concat([nhs.select(columns), backfill.select(columns)])
    return both.join(per_hour, on=["role", "band"], how="left", nulls_equal=True).with_columns(
        item=item, cost=pl.col("hours") * pl.col("rate"), basis=pl.lit(ESTIMATED)
    )
