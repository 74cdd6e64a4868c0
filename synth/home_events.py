"""What happens on the nights in the home: incidents, outings, observations, QI activities.

Every event is drawn at once over all nights residents spent in a home (:class:`At`),
with the site's rates before and from its start day (:class:`synth.plan.Plan`), and
event rates moved by the secular trend each month; follow-ups (an MDT review after a
triage, a dietetic review after a high MUST score) are drawn a few days later if the
resident is still in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from connectors.schemas import QI_ACTIVITIES
from synth.plan import Plan
from synth.world import RATES, Calendar, HomeTable, site_shares


@dataclass(frozen=True)
class At:
    """Every night a resident spent in a home: person, day, stay, home, site, month.

    The nights are in person and day order; ``post`` is whether the night is on or after
    its site's start day.
    """

    person: np.ndarray
    day: np.ndarray
    stay: np.ndarray
    home: np.ndarray
    site: np.ndarray
    post: np.ndarray
    month: np.ndarray

    def take(self, i: np.ndarray) -> dict[str, np.ndarray]:
        """Person, stay, home and day of the nights ``i``, as columns of a frame."""
        return {
            "person": self.person[i],
            "stay": self.stay[i],
            "home": self.home[i],
            "day": self.day[i],
        }

    def one_per_stay_month(self, rng: np.random.Generator) -> np.ndarray:
        """One random night per stay and month (indexes into these arrays).

        The nights are in person and day order, so each stay's nights of a month are
        consecutive: one run each.

        Examples
        --------
        >>> n = np.array([0, 0, 0, 1, 1])
        >>> at = At(n, np.array([0, 1, 40, 0, 1]), n, n, n, n == 9, np.array([0, 0, 1, 0, 0]))
        >>> at.one_per_stay_month(np.random.default_rng(0)).tolist()
        [1, 2, 3]
        """
        group = self.stay * 1000 + self.month
        start = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if group.size else group
        length = np.diff(np.r_[start, group.size])
        return start + (rng.random(start.size) * length).astype(np.int64)


def draw_incidents(
    rng: np.random.Generator,
    at: At,
    people: pl.DataFrame,
    plan: Plan,
    cal: Calendar,
    hospital_falls: pl.DataFrame,
) -> pl.DataFrame:
    """Incidents in the home (falls, pressure ulcers, others), with the falls that went to hospital.

    One stay has at most one incident of a type a day; out of hours is a weekend, or
    before 08:00 or from 18:30.
    """
    risk = people["fall_risk"].to_numpy()[at.person]
    p_fall = RATES.falls * risk * plan.multiplier("falls", at.site, at.day, at.month)
    p_ulcer = RATES.pressure_ulcers * plan.multiplier("pressure_ulcers", at.site, at.day, at.month)
    u = rng.random(at.person.size)
    fall = u < p_fall
    ulcer = (u >= p_fall) & (u < p_fall + p_ulcer)
    other = u >= 1 - RATES.other_incidents
    kinds = np.select([fall, ulcer, other], ["fall", "pressure_ulcer", "other"], "")
    i = np.flatnonzero(kinds != "")
    k = kinds[i]
    harm_fall = np.array(["none", "low", "moderate"])[rng.choice(3, i.size, p=[0.68, 0.27, 0.05])]
    harm_pu = np.where(rng.random(i.size) < 0.7, "low", "moderate")
    harm_other = np.where(rng.random(i.size) < 0.8, "none", "low")
    harm = np.select([k == "fall", k == "pressure_ulcer"], [harm_fall, harm_pu], harm_other)
    minute = rng.integers(0, 24 * 60, i.size)
    moderate = harm == "moderate"
    gp = np.where(rng.random(i.size) < np.where(moderate, 0.8, 0.25), "Y", "N")
    ambulance = np.where(moderate & (rng.random(i.size) < 0.3), "Y", "N")
    local = pl.DataFrame(
        {
            "stay": at.stay[i],
            "day": at.day[i],
            "minute": minute,
            "type": k,
            "harm": harm,
            "transfer": np.full(i.size, "N"),
            "ambulance": ambulance,
            "gp": gp,
        }
    )
    hosp = hospital_falls.select(
        "stay",
        "day",
        "minute",
        type=pl.lit("fall"),
        harm="harm",
        transfer="transfer",
        ambulance="ambulance",
        gp="gp",
    ).with_columns(pl.col("minute").clip(0, 24 * 60 - 1))
    out = pl.concat([local, hosp.cast(local.schema)])
    weekend = pl.Series(cal.weekday).gather(out["day"]) >= 5
    ooh = weekend | (out["minute"] < 8 * 60) | (out["minute"] >= 18 * 60 + 30)
    return (
        out.with_columns(ooh=pl.when(ooh).then(pl.lit("Y")).otherwise(pl.lit("N")))
        .unique(["stay", "day", "type"], keep="first", maintain_order=True)
        .sort("stay", "day", "minute", maintain_order=True)
    )


def draw_outings(rng: np.random.Generator, at: At) -> pl.DataFrame:
    """Same-day absences for other reasons (outings, clinic appointments)."""
    i = np.flatnonzero(rng.random(at.person.size) < RATES.other_absences)
    depart = rng.integers(10 * 60, 14 * 60, i.size)
    return pl.DataFrame(
        {
            "stay": at.stay[i],
            "depart_day": at.day[i],
            "depart_min": depart,
            "return_day": at.day[i],
            "return_min": depart + rng.integers(90, 300, i.size),
            "reason": np.full(i.size, "other"),
        },
        schema_overrides={"return_day": pl.Int64},
    )


def measured_weight(
    people: pl.DataFrame, person: np.ndarray, day: np.ndarray, noise: np.ndarray
) -> np.ndarray:
    """A person's weight on a day (kg, one decimal): their own start and trend, plus noise."""
    w0 = people["weight0"].to_numpy()[person]
    slope = people["slope"].to_numpy()[person]
    return np.round(w0 + slope * day / 30.44 + noise, 1)


def draw_observations(
    rng: np.random.Generator,
    at: At,
    people: pl.DataFrame,
    plan: Plan,
) -> pl.DataFrame:
    """Care-home observations: monthly weights and MUST scores, BMI and Waterlow."""
    frames = []
    for obs_type in ("weight_kg", "must_score", "waterlow"):
        i = at.one_per_stay_month(rng)
        if obs_type == "weight_kg":
            share = site_shares(plan.effects, "weights")
        elif obs_type == "must_score":
            share = site_shares(plan.effects, "must")
        else:
            share = np.full((len(plan.effects), 2), 0.40)
        p = share[at.site[i], at.post[i].astype(int)]
        i = i[rng.random(i.size) < p]
        d = at.take(i)
        if obs_type == "weight_kg":
            value = measured_weight(people, d["person"], d["day"], rng.normal(0, 0.6, i.size))
        elif obs_type == "must_score":
            losing = people["slope"].to_numpy()[d["person"]] < -0.3
            low = rng.choice(7, i.size, p=[0.58, 0.2, 0.12, 0.05, 0.03, 0.01, 0.01])
            high = rng.choice(7, i.size, p=[0.2, 0.25, 0.25, 0.12, 0.1, 0.05, 0.03])
            value = np.where(losing, high, low).astype(float)
        else:
            value = rng.integers(5, 26, i.size).astype(float)
        frames.append(
            pl.DataFrame(
                {**d, "minute": rng.integers(7 * 60, 20 * 60, i.size), "value": value}
            ).with_columns(type=pl.lit(obs_type))
        )
    weights = frames[0]
    bmi = weights.filter(pl.Series(rng.random(weights.height) < 0.3))
    height = people["height"].to_numpy()[bmi["person"].to_numpy()]
    bmi = bmi.with_columns(
        value=(pl.col("value") / pl.Series(height**2)).round(1),
        minute=pl.col("minute") + 1,
        type=pl.lit("bmi"),
    )
    return pl.concat([*frames, bmi]).sort("stay", "day", "minute", "type", maintain_order=True)


def _follow_up(
    rng: np.random.Generator,
    present: np.ndarray,
    person: np.ndarray,
    stay: np.ndarray,
    day: np.ndarray,
    chance: np.ndarray,
    lag: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Which events get a follow-up ``lag`` days later, while the resident is still in."""
    when = day + rng.integers(lag[0], lag[1] + 1, day.size)
    ok = rng.random(day.size) < chance
    inside = when < present.shape[1]
    ok &= inside
    ok[ok] &= present[person[ok], when[ok]] == stay[ok]
    return np.flatnonzero(ok), when


def draw_qi(
    rng: np.random.Generator,
    at: At,
    stays: pl.DataFrame,
    observations: pl.DataFrame,
    present: np.ndarray,
    cal: Calendar,
    homes: HomeTable,
    plan: Plan,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """QI activities (one row each), and the pharmacist reviews the GP codes as SMRs.

    Each project's activities rise from the start day at the sites running it; PDSA
    cycles at every intervention site.
    """
    home_of = stays["home"].to_numpy()
    person_of = stays["person"].to_numpy()
    rows = []

    def add(kind: str, stay: np.ndarray, day: np.ndarray, outcome: np.ndarray) -> None:
        rows.append(
            pl.DataFrame(
                {"home": home_of[stay], "stay": stay, "day": day, "type": kind, "outcome": outcome},
                schema_overrides={"stay": pl.Int64, "type": pl.String, "outcome": pl.String},
            )
        )

    def outcomes(kind: str, n: int, p: Sequence[float]) -> np.ndarray:
        return np.array(QI_ACTIVITIES[kind])[rng.choice(len(p), n, p=p)]

    def chance(name: str, home: np.ndarray, day: np.ndarray) -> np.ndarray:
        site = homes.site[home]
        return site_shares(plan.effects, name)[site, plan.after(site, day).astype(int)]

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < chance("triage", at.home[i], at.day[i])]
    triage = outcomes("triage_tool", i.size, [0.3, 0.7])
    add("triage_tool", at.stay[i], at.day[i], triage)
    risk = i[triage == "at_risk"]
    j, when = _follow_up(
        rng, present, at.person[risk], at.stay[risk], at.day[risk], np.full(risk.size, 0.8), (1, 7)
    )
    add("mdt_review", at.stay[risk][j], when[j], outcomes("mdt_review", j.size, [0.6, 0.25, 0.15]))

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < chance("pharmacist", at.home[i], at.day[i])]
    pharm = outcomes("pharmacist_medication_review", i.size, [0.5, 0.3, 0.2])
    add("pharmacist_medication_review", at.stay[i], at.day[i], pharm)
    pharmacist = pl.DataFrame({"person": at.person[i], "stay": at.stay[i], "day": at.day[i]})

    must = observations.filter((pl.col("type") == "must_score") & (pl.col("value") >= 2))
    m_stay, m_day = must["stay"].to_numpy(), must["day"].to_numpy()
    p = chance("dietetic", home_of[m_stay], m_day)
    j, when = _follow_up(rng, present, person_of[m_stay], m_stay, m_day, p, (1, 10))
    add(
        "dietetic_review",
        m_stay[j],
        when[j],
        outcomes("dietetic_review", j.size, [0.5, 0.25, 0.15, 0.1]),
    )

    new = stays.filter(pl.col("start") >= 0)
    n_stay, n_day = new["stay"].to_numpy(), new["start"].to_numpy()
    p = chance("admission_mdt", home_of[n_stay], n_day)
    j, when = _follow_up(rng, present, person_of[n_stay], n_stay, n_day, p, (1, 10))
    add(
        "admission_mdt_review",
        n_stay[j],
        when[j],
        outcomes("admission_mdt_review", j.size, [0.3, 0.3, 0.4]),
    )

    n_homes = homes.site.size
    month_first = cal.month_starts[:-1]
    grid_home = np.repeat(np.arange(n_homes), cal.months)
    grid_month = np.tile(np.arange(cal.months), n_homes)
    count = rng.poisson(chance("pdsa", grid_home, month_first[grid_month]))
    h = np.repeat(grid_home, count)
    m = np.repeat(grid_month, count)
    length = np.diff(cal.month_starts)[m]
    day = month_first[m] + (rng.random(h.size) * length).astype(np.int64)
    rows.append(
        pl.DataFrame(
            {
                "home": h,
                "stay": pl.Series([None] * h.size, dtype=pl.Int64),
                "day": day,
                "type": "pdsa_cycle",
                "outcome": outcomes("pdsa_cycle", h.size, [0.5, 0.4, 0.1]),
            },
            schema_overrides={"type": pl.String, "outcome": pl.String},
        )
    )
    qi = (
        pl.concat([r.cast({"home": pl.Int64, "day": pl.Int64}) for r in rows])
        .unique(["home", "stay", "day", "type"], keep="first", maintain_order=True)
        .sort("home", "day", "type", "stay", nulls_last=True, maintain_order=True)
    )
    return qi, pharmacist
