"""Projects 1 and 2: medication review and polypharmacy; nutrition and MUST (P1, O1, P2, O2).

Each measure of docs/domain.md §2.3 and §2.4 that the canonical model can compute,
counted again from the simulated world with the definitions of its declaration
(``warehouse/measures/catalogue/<id>.toml``):

* A home-month has a point if residents spent a night in the home in it
  (``world.present``); zeros are zeros, and a share with no one to count has
  denominator 0. Residents on roll are those whose stay is open on the last night of the
  month (``world.on_roll``), away in hospital or not.
* Windows are in days before the month's last day ``last``: "the 365 days before" is
  ``last - 365 <= day <= last``; "the 84 days to" is ``last - 84 < day <= last``.
* A resident's events count wherever they lived at the site (a person belongs to one
  site). An event counted *in* a home (an SMR, an issue, a screen, an incident) counts in
  the home whose stay covered its day.
* The GP record reaches back before day 0 (the reviews and acute issues of the residents
  then in the homes, :func:`synth.nhs_events.draw_gp_history`): the look-backs count
  them; a count in a month never does (a day outside the calendar has no month).
* Admissions and screens followed up within a window count only once the window has
  ended by the site's last day with bed days.
* Weights and MUST scores count from the care home's observations, the designated
  source, in the months from the home's first to its last observation of the kind;
  outside them from the GP record (weights coded 27113001; the generator codes no MUST
  score at the GP, so there the count is zero). Several readings of a person from one
  source on one day are one, the highest.
* Medicines: the SystmOne sites (the second, fourth... site, :func:`synth.write_extracts`)
  flag repeat issues; EMIS issue records carry no flag, so at EMIS sites every issue
  counts. Only EMIS issues carry a cost: O1.5 and P2.5b have points at EMIS sites only.
  The oral nutritional supplements are the formulary's :data:`ONS`.
* P1.5: a pharmacist review ending ``changes_made`` is a recommendation accepted; one
  ending ``changes_made`` or ``recommendations_sent``, one made. P2.3: an action is a
  dietetic review with an outcome of :data:`DIETETIC_ACTIONS`, or an ONS issue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.codes import ACUTE, CODE, FORMULARY
from synth.expected import SCHEMA
from synth.simulate import World

ONS = ("Fortisip Compact liquid", "Ensure Plus milkshake style liquid")
REVIEWS = (CODE["smr"], CODE["medication_review"])
GP_CODE = {"weight_kg": CODE.get("weight"), "must_score": CODE.get("must")}  # no GP MUST code
DIETETIC_ACTIONS = ("food_first_plan", "ons_started", "referred")
PHARMACIST_MADE = ("changes_made", "recommendations_sent")
DRUGS = (*FORMULARY, *ACUTE)


def _at(values: Sequence | np.ndarray, index: pl.Expr) -> pl.Expr:
    """``values[index]`` for an expression of indexes."""
    return pl.lit(pl.Series(np.asarray(values))).gather(index)


@dataclass(frozen=True)
class _Base:
    """What every measure here starts from: lookups, the grid of points and the roll."""

    world: World
    stay_home: np.ndarray
    stay_person: np.ndarray
    month_of_day: np.ndarray
    grid: pl.DataFrame  # home, month, obd, residents (distinct people with a night)
    roll: pl.DataFrame  # person, home, month, first, last, start: residents on roll
    home_end: np.ndarray  # per home: the last day of its site's last month with bed days
    home_emis: np.ndarray  # per home: whether its site's GP system is EMIS
    person_emis: np.ndarray  # per person: the same, for their site

    def month(self, day: str) -> pl.Expr:
        """The month index of a day column (null for days outside the calendar)."""
        n = self.month_of_day.size
        inside = pl.col(day).is_between(0, n - 1)
        return pl.when(inside).then(_at(self.month_of_day, pl.col(day).clip(0, n - 1)))

    def home_on(self, person: str, day: str) -> pl.Expr:
        """The home whose stay covered a person's day (null if on no roll)."""
        n = self.world.cal.n_days
        stays = np.r_[self.stay_home, -1]  # -1: no stay
        flat = self.world.on_roll.ravel().astype(np.int64)
        inside = pl.col(day).is_between(0, n - 1)
        stay = _at(flat, pl.when(inside).then(pl.col(person) * n + pl.col(day)).otherwise(0))
        stay = pl.when(inside).then(stay).otherwise(-1)
        home = _at(stays, pl.when(stay >= 0).then(stay).otherwise(len(stays) - 1))
        return pl.when(home >= 0).then(home)


def _base(world: World) -> _Base:
    cal, stays = world.cal, world.stays
    stay_home = stays["home"].to_numpy()
    p, d = np.nonzero(world.present >= 0)
    nights = pl.DataFrame(
        {"home": stay_home[world.present[p, d]], "month": cal.month_of_day[d], "person": p}
    )
    grid = nights.group_by("home", "month").agg(obd=pl.len(), residents=pl.col("person").n_unique())
    last = cal.month_starts[1:] - 1
    rolled = world.on_roll[:, last]
    p, m = np.nonzero(rolled >= 0)
    stay = rolled[p, m]
    roll = pl.DataFrame(
        {
            "person": p.astype(np.int64),
            "home": stay_home[stay],
            "month": m.astype(np.int64),
            "first": cal.month_starts[m].astype(np.int64),
            "last": last[m].astype(np.int64),
            "start": stays["start"].to_numpy()[stay],
        }
    ).join(grid.select("home", "month"), on=["home", "month"], how="semi")
    site = world.homes.site
    last_month = np.full(site.max() + 1, -1)
    grid_site = site[grid["home"].to_numpy()]
    np.maximum.at(last_month, grid_site, grid["month"].to_numpy())
    site_end = np.where(last_month >= 0, cal.month_starts[last_month + 1] - 1, -1)
    emis = np.arange(site.max() + 1) % 2 == 0  # synth.write_extracts: sites 1, 3, ... EMIS
    person_site = world.people.sort("person")["site"].to_numpy()
    return _Base(
        world=world,
        stay_home=stay_home,
        stay_person=stays["person"].to_numpy(),
        month_of_day=cal.month_of_day,
        grid=grid,
        roll=roll,
        home_end=site_end[site],
        home_emis=emis[site],
        person_emis=emis[person_site],
    )


def _any(left: pl.DataFrame, events: pl.DataFrame, lo: pl.Expr, hi: pl.Expr) -> pl.Series:
    """For each row of ``left``: whether ``events`` has a day in [lo, hi] for its person.

    ``lo`` and ``hi`` are expressions of ``left``'s columns; ``events`` has person and
    day, and source, matched too when ``left`` has one.
    """
    on = (
        ["person", "source"]
        if "source" in left.columns and "source" in events.columns
        else ["person"]
    )
    rows = left.drop("_row", strict=False).with_row_index("_row")
    hit = (
        rows.join(events.select(*on, "day"), on=on)
        .filter(pl.col("day").is_between(lo, hi))
        .select("_row")
        .unique()
    )
    return rows["_row"].is_in(hit["_row"].implode())


def _points(
    b: _Base,
    measure: str,
    frame: pl.DataFrame,
    denominator: str | None = "count",
    homes: np.ndarray | None = None,
) -> pl.DataFrame:
    """Numerator and denominator per home-month of the grid, zeros where nothing happened.

    ``frame`` holds home, month, numerator, and denominator when ``denominator`` is
    "count"; otherwise the denominator is the grid's column of that name (obd,
    residents), or None for a plain count. ``homes`` (a mask per home) limits the points.
    """
    grid = b.grid if homes is None else b.grid.filter(_at(homes, pl.col("home")))
    sums = [pl.col("numerator").sum()]
    if denominator == "count":
        sums.append(pl.col("denominator").sum())
    out = grid.join(frame.group_by("home", "month").agg(sums), on=["home", "month"], how="left")
    if denominator == "count":
        den = pl.col("denominator").fill_null(0)
    elif denominator is None:
        den = pl.lit(None, dtype=pl.Float64)
    else:
        den = pl.col(denominator)
    return out.select(
        measure_id=pl.lit(measure),
        home="home",
        period_idx="month",
        numerator=pl.col("numerator").fill_null(0).cast(pl.Float64),
        denominator=den.cast(pl.Float64),
    )


def _share(b: _Base, measure: str, rows: pl.DataFrame, flag: pl.Series) -> pl.DataFrame:
    """A share: each row (home, month) counted once, those flagged in the numerator."""
    frame = rows.select("home", "month").with_columns(
        numerator=flag.cast(pl.Int64), denominator=pl.lit(1)
    )
    return _points(b, measure, frame)


def _admissions(b: _Base, window: int) -> pl.DataFrame:
    """Stays that began in a month of the grid, once ``window`` days after have passed."""
    w = b.world
    return (
        w.stays.filter(pl.col("start").is_between(0, w.cal.n_days - 1))
        .select("person", "home", "start", month=b.month("start"))
        .join(b.grid.select("home", "month"), on=["home", "month"], how="semi")
        .filter(pl.col("start") + window <= _at(b.home_end, pl.col("home")))
    )


def _issues(b: _Base) -> pl.DataFrame:
    """Every issue with its home (the stay on roll that day), month, cost and ONS flag."""
    return b.world.medication.select(
        "person",
        "day",
        "drug",
        "repeat",
        home=_at(b.stay_home, pl.col("stay")),
        month=b.month("day"),
        cost=_at([d[4] for d in DRUGS], pl.col("drug")),
        ons=_at([d[0] in ONS for d in DRUGS], pl.col("drug")),
    )


# --------------------------------------------------------------------------------------
# Project 1: medication review and polypharmacy


def _project1(b: _Base) -> list[pl.DataFrame]:
    w = b.world
    gp = w.gp_events.select("person", "day", "code")
    reviews = gp.filter(pl.col("code").is_in(REVIEWS))
    smr = gp.filter(pl.col("code") == CODE["smr"])
    roll, last = b.roll, pl.col("last")
    admitted = _admissions(b, 28)
    done = smr.select("person", "day", home=b.home_on("person", "day"), month=b.month("day"))
    pharmacist = w.qi.filter(pl.col("type") == "pharmacist_medication_review").select(
        "home",
        month=b.month("day"),
        numerator=(pl.col("outcome") == "changes_made").cast(pl.Int64),
        denominator=pl.col("outcome").is_in(PHARMACIST_MADE).cast(pl.Int64),
    )
    out = [
        _share(b, "P1.1", roll, _any(roll, reviews, last - 365, last)),
        _share(b, "P1.2", roll, _any(roll, smr, last - 365, last)),
        _points(
            b,
            "P1.3",
            done.filter(pl.col("home").is_not_null()).with_columns(numerator=pl.lit(1)),
            denominator=None,
        ),
        _share(b, "P1.4", admitted, _any(admitted, smr, pl.col("start"), pl.col("start") + 28)),
        _points(b, "P1.5", pharmacist),
    ]

    issues = _issues(b)
    counted = issues.filter(pl.col("repeat") | _at(b.person_emis, pl.col("person")))
    rows = roll.with_row_index("_row")
    medicines = (
        rows.join(counted.select("person", "day", "drug"), on="person")
        .filter(pl.col("day").is_between(last - 83, last))
        .group_by("_row")
        .agg(medicines=pl.col("drug").n_unique())
    )
    rows = rows.join(medicines, on="_row", how="left").with_columns(
        pl.col("medicines").fill_null(0)
    )
    ons = issues.filter("ons")
    out += [
        _points(
            b, "O1.1", rows.select("home", "month", numerator="medicines", denominator=pl.lit(1))
        ),
        _share(b, "O1.2", rows, rows["medicines"] >= 10),
        _points(b, "O1.5", issues.rename({"cost": "numerator"}), "residents", b.home_emis),
        _points(b, "P2.5", ons.with_columns(numerator=pl.lit(1)), "residents"),
        _points(b, "P2.5b", ons.rename({"cost": "numerator"}), "residents", b.home_emis),
    ]
    return out


# --------------------------------------------------------------------------------------
# Project 2: nutrition and MUST


def _readings(b: _Base, kind: str) -> pl.DataFrame:
    """An observation kind from each source: person, source, day, home, value.

    One per person, source and day (the highest value); the GP's are coded
    :data:`GP_CODE` (none for MUST scores).
    """
    w = b.world
    carehome = w.observations.filter(pl.col("type") == kind).select(
        person=_at(b.stay_person, pl.col("stay")),
        source=pl.lit("carehome"),
        day="day",
        home=_at(b.stay_home, pl.col("stay")),
        value="value",
    )
    code = GP_CODE[kind]
    gp = w.gp_events.filter(
        pl.col("code") == (-1 if code is None else code),
        pl.col("day").is_between(0, w.cal.n_days - 1),
    ).select(
        "person",
        source=pl.lit("gp"),
        day="day",
        home=b.home_on("person", "day"),
        value=pl.col("value").fill_nan(None),
    )
    return (
        pl.concat([carehome, gp.cast(carehome.schema)])
        .group_by("person", "source", "day")
        .agg(pl.col("home").first(), pl.col("value").max())
    )


def _covered(b: _Base, events: pl.DataFrame) -> pl.DataFrame:
    """Per home-month of the grid, the source that counts: 'carehome' or 'gp'.

    'carehome' from the first to the last month of the home's ``events`` (home, month).
    """
    span = events.group_by("home").agg(lo=pl.col("month").min(), hi=pl.col("month").max())
    inside = pl.col("month").is_between(pl.col("lo"), pl.col("hi"))
    return (
        b.grid.select("home", "month")
        .join(span, on="home", how="left")
        .select(
            "home",
            "month",
            source=pl.when(inside).then(pl.lit("carehome")).otherwise(pl.lit("gp")),
        )
    )


def _sources(b: _Base, kind: str) -> pl.DataFrame:
    """Per home-month: the source an observation kind counts from."""
    own = b.world.observations.filter(pl.col("type") == kind).select(
        home=_at(b.stay_home, pl.col("stay")), month=b.month("day")
    )
    return _covered(b, own)


def _latest(rows: pl.DataFrame, readings: pl.DataFrame, lo: pl.Expr, hi: pl.Expr, **agg):
    """Per row of ``rows`` (with _row): aggregates of its readings dated in [lo, hi]."""
    return (
        rows.join(readings.select("person", "source", "day", "value"), on=["person", "source"])
        .filter(pl.col("day").is_between(lo, hi))
        .sort("day")
        .group_by("_row")
        .agg(**agg)
    )


def _project2(b: _Base) -> list[pl.DataFrame]:
    w, last = b.world, pl.col("last")
    must = _readings(b, "must_score")
    weights = _readings(b, "weight_kg").filter(pl.col("value").is_not_null())
    must_src, weight_src = _sources(b, "must_score"), _sources(b, "weight_kg")

    roll = b.roll.join(must_src, on=["home", "month"])
    settled = roll.filter(last - pl.col("start") >= 7)
    admitted = _admissions(b, 7).join(must_src, on=["home", "month"])
    screens = (
        must.filter(pl.col("value") >= 2, pl.col("home").is_not_null())
        .with_columns(month=b.month("day"))
        .join(must_src, on=["home", "month", "source"])
        .filter(pl.col("day") + 7 <= _at(b.home_end, pl.col("home")))
        .rename({"day": "screened"})
    )
    dietetic = w.qi.filter(
        pl.col("type") == "dietetic_review", pl.col("outcome").is_in(DIETETIC_ACTIONS)
    ).select(person=_at(b.stay_person, pl.col("stay")), day="day")
    actions = pl.concat([dietetic, _issues(b).filter("ons").select("person", "day")])
    out = [
        _share(b, "P2.1", settled, _any(settled, must, last - 30, last)),
        _share(b, "P2.2", admitted, _any(admitted, must, pl.col("start"), pl.col("start") + 7)),
        _share(
            b,
            "P2.3",
            screens,
            _any(screens, actions, pl.col("screened"), pl.col("screened") + 7),
        ),
    ]

    rows = b.roll.join(weight_src, on=["home", "month"]).with_row_index("_row")
    out.append(_share(b, "P2.4", rows, _any(rows, weights, pl.col("first"), last)))
    recent = _latest(rows, weights, last - 59, last, latest=pl.col("value").last())
    earlier = _latest(
        rows,
        weights,
        last - 120,
        last - 60,
        highest=pl.col("value").max(),
        earlier=pl.col("value").last(),
    )
    both = rows.join(recent, on="_row").join(earlier, on="_row")
    losing = 100 * (pl.col("highest") - pl.col("latest")) >= 5 * pl.col("highest")
    out += [
        _share(b, "O2.1", both, both.select(losing).to_series()),
        _points(
            b,
            "O2.3",
            both.select(
                "home",
                "month",
                numerator=pl.col("latest") - pl.col("earlier"),
                denominator=pl.lit(1),
            ),
        ),
    ]

    rows = b.roll.join(must_src, on=["home", "month"]).with_row_index("_row")
    scored = must.filter(pl.col("value").is_not_null())
    latest = rows.join(
        _latest(rows, scored, last - 30, last, score=pl.col("value").last()), on="_row"
    )
    out += [_share(b, "O2.2", latest, latest["score"] >= 2), _pressure_ulcers(b)]
    return out


def _pressure_ulcers(b: _Base) -> pl.DataFrame:
    """O2.4: the incident log's pressure ulcers, or the first GP records where it is absent.

    The log is absent for a home before its first and after its last incident.
    """
    w = b.world
    incidents = w.incidents.filter(pl.col("day").is_between(0, w.cal.n_days - 1)).select(
        "type", home=_at(b.stay_home, pl.col("stay")), month=b.month("day")
    )
    logged = incidents.filter(pl.col("type") == "pressure_ulcer").select(
        "home", "month", source=pl.lit("carehome")
    )
    first_gp = (
        w.gp_events.filter(pl.col("code") == CODE["pressure_ulcer"])
        .group_by("person")
        .agg(pl.col("day").min())
        .filter(pl.col("day").is_between(0, w.cal.n_days - 1))
        .select(home=b.home_on("person", "day"), month=b.month("day"), source=pl.lit("gp"))
        .filter(pl.col("home").is_not_null())
    )
    counted = pl.concat([logged, first_gp]).join(
        _covered(b, incidents), on=["home", "month", "source"]
    )
    return _points(b, "O2.4", counted.with_columns(numerator=pl.lit(1)), "obd")


def expected(world: World) -> pl.DataFrame:
    """The measures of this part of the catalogue, per home and period index."""
    b = _base(world)
    frames = [*_project1(b), *_project2(b)]
    return pl.concat([pl.DataFrame(schema=SCHEMA), *[f.cast(SCHEMA) for f in frames]])
