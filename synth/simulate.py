"""The simulated truth: every real record of the period, before any file is written.

:func:`simulate` runs the stays (:mod:`synth.stays`), draws the people
(:mod:`synth.people`) and the events (:mod:`synth.home_events`,
:mod:`synth.nhs_events`), and returns them as a :class:`World` of frames keyed by day
indexes. The writers lay the world out as each system would; the truth counts it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.home_events import At, draw_incidents, draw_observations, draw_outings, draw_qi
from synth.nhs_events import (
    draw_gp_events,
    draw_gp_history,
    draw_hospital_absences,
    draw_medication,
    draw_spell_rows,
)
from synth.people import draw_people
from synth.plan import Plan
from synth.stays import Occupancy, preferred_places, spans, stay_frames
from synth.world import Calendar, HomeTable, SiteEffect


@dataclass(frozen=True)
class World:
    """The simulated truth, as frames of real records (integer day indexes).

    ``gp_events`` and ``medication`` also hold the GP record of the months before day 0
    of the residents then in the homes (:func:`synth.nhs_events.draw_gp_history`); the
    other events are all inside the period. ``stays["preferred_place"]`` is the
    preferred place of death the home records for the stay (None where none is).

    ``effects`` are each site's rates before and from its start day, ``plan`` the
    improvement work that set them (:class:`synth.plan.Plan`: roles, the start day of
    each site, change ideas, planted effects and the secular trend).
    """

    cal: Calendar
    homes: HomeTable
    effects: list[SiteEffect]
    people: pl.DataFrame
    stays: pl.DataFrame
    spells: pl.DataFrame
    absences: pl.DataFrame
    ae: pl.DataFrame
    incidents: pl.DataFrame
    observations: pl.DataFrame
    gp_events: pl.DataFrame
    medication: pl.DataFrame
    qi: pl.DataFrame
    present: np.ndarray  # person x day: stay index on nights in the home, else -1
    on_roll: np.ndarray  # person x day: stay index while on the roll (away or not), else -1
    plan: Plan


def simulate(
    rngs: dict[str, np.random.Generator],
    cal: Calendar,
    homes: HomeTable,
    plan: Plan,
) -> World:
    """Run the stays, then draw the people and every event on the nights they cover.

    Each part draws from its own stream of ``rngs`` (:func:`synth.world.streams`): the
    stays from ``stays``, the people from ``people``, the events from ``events``, the GP
    record before day 0 from ``history`` and the preferred places of death (the stays'
    ``preferred_place``) from ``preferences``. The rates are those of ``plan``, by site
    and month.
    """
    occ = Occupancy(rngs["stays"], cal, homes, plan)
    occ.run()
    stays, spells, visits = stay_frames(occ)
    stays = stays.with_columns(preferred_place=preferred_places(rngs["preferences"], stays))
    people = draw_people(rngs["people"], np.array(occ.person_site), np.array(occ.frailty), stays)
    n_people, n = people.height, cal.n_days

    # Nights on the roll and nights in the home (hospital nights away excluded).
    person = stays["person"].to_numpy()
    lo = np.maximum(stays["start"].to_numpy(), 0)
    hi = np.minimum(stays["end"].fill_null(n).to_numpy(), n)
    on_roll = np.full((n_people, n), -1, dtype=np.int32)
    idx, day = spans(lo, hi)
    on_roll[person[idx], day] = idx
    present = on_roll.copy()
    sp_stay = spells["stay"].to_numpy()
    sp_end = spells["discharge"].fill_null(n).to_numpy()
    sp_end = np.minimum(sp_end, hi[sp_stay])  # not returned: away until the stay ends
    idx, day = spans(spells["admit"].to_numpy(), sp_end)
    present[person[sp_stay[idx]], day] = -1

    ev = rngs["events"]
    absences, ae, fall_incidents = draw_hospital_absences(ev, stays, spells, visits)
    p_idx, d_idx = np.nonzero(present >= 0)
    stay_at = present[p_idx, d_idx].astype(np.int64)
    home_at = stays["home"].to_numpy()[stay_at]
    at = At(
        person=p_idx,
        day=d_idx,
        stay=stay_at,
        home=home_at,
        site=homes.site[home_at],
        post=plan.after(homes.site[home_at], d_idx),
        month=cal.month_of_day[d_idx],
    )
    incidents = draw_incidents(ev, at, people, plan, cal, fall_incidents)
    outings = draw_outings(ev, at)
    observations = draw_observations(ev, at, people, plan)
    qi, pharmacist = draw_qi(ev, at, stays, observations, present, cal, homes, plan)
    gp_events = draw_gp_events(ev, at, people, plan, stays, incidents, pharmacist)
    medication = draw_medication(ev, on_roll, gp_events, at)
    reviews, acute = draw_gp_history(rngs["history"], cal, stays, homes, plan)
    gp_events = pl.concat([gp_events, reviews]).sort("person", "day", "code", maintain_order=True)
    medication = pl.concat([medication, acute.select(medication.columns).cast(medication.schema)])
    medication = medication.sort("person", "day", "drug", maintain_order=True)
    return World(
        cal=cal,
        homes=homes,
        effects=list(plan.effects),
        people=people,
        stays=stays,
        present=present,
        on_roll=on_roll,
        spells=draw_spell_rows(ev, stays, spells, homes),
        absences=pl.concat([absences, outings]).sort(
            "stay", "depart_day", "depart_min", maintain_order=True
        ),
        ae=ae,
        incidents=incidents,
        observations=observations,
        gp_events=gp_events,
        medication=medication,
        qi=qi,
        plan=plan,
    )
