"""The resources the return on investment costs (S3b, S3c, O3.3b, S5a, S5b), from the world.

Each is counted here again from the simulation's own records, with the definitions of
its declaration (``warehouse/measures/catalogue/<key>.toml``), never through the
extracts or the SQL:

* a home-month has a point if residents spent a night in the home in it
  (``world.present``); its occupied bed days are those nights;
* an emergency spell (a method of :data:`synth.codes.EMERGENCY_METHODS`) counts in the
  home of the stay it belongs to and the month of its admission day. Its length of stay
  is discharge day - admission day; a spell the simulation left open (the resident was
  still in hospital on the calendar's last day) has lasted at least its site's data end
  (the last day of the site's last month with bed days) + 1 - admission day. Long is 2
  days or more, short 0 or 1: an open spell is long once it has lasted 2 days, and of
  unknown length otherwise (S3b leaves it out of both counts). S3c counts each spell's
  nights: its length of stay, or for an open spell the nights to the data end, the last
  one included;
* an incident (``world.incidents``: one per stay, day and type) counts in the home of its
  stay and the month of its day, from its flags as the home writes them: a conveyance has
  ``ambulance`` and ``transfer``; a GP contact has ``gp``, out of hours when ``ooh``
  (the generator's rule: a weekend, or before 08:00 or from 18:30,
  :func:`synth.home_events.draw_incidents`). Outside the months from the home's first to
  its last incident the log is absent and the numerator empty.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.codes import EMERGENCY_METHODS
from synth.expected import SCHEMA
from synth.simulate import World

LONG_STAY_DAYS = 2  # NCC non-elective long stay: a length of stay of 2 days or more
YES = "Y"


def expected(world: World) -> pl.DataFrame:
    """S3b, S3c, O3.3b, S5a and S5b per home and month index."""
    cal = world.cal
    n = cal.n_days
    stays = world.stays.select("stay", "home")
    stay_home = stays["home"].to_numpy()
    p, d = np.nonzero(world.present >= 0)
    grid = (
        pl.DataFrame({"home": stay_home[world.present[p, d]], "month": cal.month_of_day[d]})
        .group_by("home", "month")
        .agg(obd=pl.len())
        .cast({"home": pl.Int64, "month": pl.Int64})
    )
    # each home's data end: the last day of its site's last month with bed days
    site = world.homes.site
    last_month = np.full(site.max() + 1, -1)
    np.maximum.at(last_month, site[grid["home"].to_numpy()], grid["month"].to_numpy())
    site_end = np.where(last_month >= 0, cal.month_starts[last_month + 1] - 1, -1)
    home_end = pl.DataFrame({"home": np.arange(site.size), "data_end": site_end[site]})

    def month(day: str) -> pl.Expr:
        days = pl.lit(pl.Series(cal.month_of_day, dtype=pl.Int64))
        return days.gather(pl.col(day).clip(0, n - 1))

    spells = (
        world.spells.filter(
            pl.col("method").is_in(EMERGENCY_METHODS), pl.col("admit").is_between(0, n - 1)
        )
        .select("stay", "admit", "discharge")
        .join(stays, on="stay")
        .join(home_end, on="home")
        .filter(pl.col("admit") <= pl.col("data_end"))
        .with_columns(
            month=month("admit"),
            los=pl.coalesce("discharge", pl.col("data_end") + 1) - pl.col("admit"),
        )
    )
    long = pl.col("los") >= LONG_STAY_DAYS
    s3b = spells.group_by("home", "month").agg(
        numerator=long.sum(), denominator=(long | pl.col("discharge").is_not_null()).sum()
    )
    s3c = spells.group_by("home", "month").agg(numerator=pl.col("los").sum())

    incidents = (
        world.incidents.filter(pl.col("day").is_between(0, n - 1))
        .join(stays, on="stay")
        .with_columns(month=month("day"))
    )
    log = incidents.group_by("home").agg(lo=pl.col("month").min(), hi=pl.col("month").max())
    flag = {c: pl.col(c) == YES for c in ("ambulance", "transfer", "gp", "ooh")}
    logged = {
        "O3.3b": flag["ambulance"] & flag["transfer"],
        "S5a": flag["gp"] & ~flag["ooh"],
        "S5b": flag["gp"] & flag["ooh"],
    }

    def rows(measure: str, counted: pl.DataFrame, *, in_log: bool = False) -> pl.DataFrame:
        """Every home-month with bed days: the numerator (0 if none) and denominator.

        ``counted`` has home, month, numerator and perhaps denominator (else the bed
        days); ``in_log`` empties the numerator where the home's incident log is absent.
        """
        out = grid.join(counted, on=["home", "month"], how="left").with_columns(
            pl.col("numerator").fill_null(0).cast(pl.Float64)
        )
        if "denominator" in counted.columns:
            out = out.with_columns(pl.col("denominator").fill_null(0).cast(pl.Float64))
        else:
            out = out.with_columns(denominator=pl.col("obd").cast(pl.Float64))
        if in_log:
            out = out.join(log, on="home", how="left").with_columns(
                numerator=pl.when(pl.col("month").is_between("lo", "hi")).then("numerator")
            )
        return out.select(
            measure_id=pl.lit(measure),
            home="home",
            period_idx="month",
            numerator="numerator",
            denominator="denominator",
        )

    frames = [rows("S3b", s3b), rows("S3c", s3c)]
    for measure, which in logged.items():
        counted = incidents.filter(which).group_by("home", "month").agg(numerator=pl.len())
        frames.append(rows(measure, counted, in_log=True))
    return pl.concat([f.select(list(SCHEMA)).cast(SCHEMA) for f in frames])
