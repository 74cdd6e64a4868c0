"""Stays and occupancy: who lives in which bed, and when they leave (a loop over stays).

Each site's beds are filled over time by :class:`Occupancy`, an event queue of vacant
beds: residents arrive (new, returning after a respite stay, or moving from another
home of the site), and :func:`run_stay` follows each stay with competing risks (death
in the home, emergency and elective admissions, A&E attendances, going home) until it
ends or the period does, at the rates of its month and site (:class:`synth.plan.Plan`).
The events in the home are drawn later, vectorised, on the nights these stays cover
(:func:`spans`).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from synth.plan import Plan
from synth.world import RATES, YEAR, Calendar, HomeTable

KINDS = ("permanent", "respite", "step_down")
# Preferred places of death a home records (docs/extracts.md), how often each is chosen,
# and the share of permanent stays with one recorded (short stays have none).
PLACES = ("care_home", "hospital", "hospice", "home")
PLACE_SHARES = (0.7, 0.1, 0.1, 0.1)
PLACE_RECORDED = 0.45


@dataclass
class Stay:
    """One stay of a resident in a home, with the hospital spells and A&E visits during it."""

    person: int
    home: int
    start: int
    kind: str
    planned_end: float
    end: int | None = None
    reason: str = ""
    # (admit day, discharge day or None, method, outcome, caused by a fall, through A&E)
    spells: list[tuple[int, int | None, str, str, bool, bool]] = field(default_factory=list)
    # A&E without admission: (day, disposal, caused by a fall)
    visits: list[tuple[int, str, bool]] = field(default_factory=list)


def run_stay(
    rng: np.random.Generator, stay: Stay, frailty: float, site: int, plan: Plan, cal: Calendar
) -> None:
    """Simulate one stay from its start to its end (or the extract date): competing risks.

    The rates hold within a month: the trend moves them each month, and the site's change
    ideas from its start day (a month's first day), so the clock restarts at each month's
    first day (the risks are memoryless). A change in the rate of falls changes the share
    of admissions and A&E visits caused by a fall, not how many there are.
    """
    eff, start = plan.effects[site], int(plan.start_day[site])
    death = RATES.death_in_home[stay.kind] / YEAR
    home = RATES.discharge_home / YEAR if stay.kind == "permanent" else 0.0
    t = float(max(stay.start, 0))
    stop = min(stay.planned_end, cal.n_days)
    while True:
        post = t >= start
        month = int(cal.month_of_day[int(t)])
        trend = plan.trend**month
        m_e = frailty * trend * (eff.emergency if post else 1.0)
        m_a = frailty * trend * (eff.ae if post else 1.0)
        rates = (
            death,
            RATES.emergency / YEAR * m_e,
            RATES.ae_only / YEAR * m_a,
            RATES.elective / YEAR * frailty,
            home,
        )
        total = math.fsum(rates)
        t_next = t + rng.exponential(1.0 / total)
        edge = int(cal.month_starts[month + 1])
        if t_next >= edge and edge < stop:
            t = float(edge)  # rates change: restart the clock
            continue
        if t_next >= stop:
            if stay.planned_end < cal.n_days:
                stay.end, stay.reason = int(stay.planned_end), "home"
            return
        day = int(t_next)
        event = int(rng.choice(5, p=np.array(rates) / total))
        if event in (0, 4):
            stay.end, stay.reason = day, ("died" if event == 0 else "home")
            return
        if event == 2:
            disposal = "02" if rng.random() < 0.5 else "03"
            fall_share = RATES.ae_fall * ((eff.falls / eff.ae) if post else 1.0)
            stay.visits.append((day, disposal, bool(rng.random() < fall_share)))
            t = t_next
            continue
        kind = "emergency" if event == 1 else "elective"
        los = int(rng.geometric(1.0 / getattr(RATES, f"los_{kind}")))
        u = rng.random()
        died, gone = RATES.spell_died[kind], RATES.spell_not_returned[kind]
        outcome = "died" if u < died else "not_returned" if u < died + gone else "returned"
        fall_share = RATES.admission_fall * ((eff.falls / eff.emergency) if post else 1.0)
        fall = kind == "emergency" and bool(rng.random() < fall_share)
        via_ae = kind == "emergency" and bool(rng.random() < RATES.admission_via_ae)
        emergency_method = str(rng.choice(["21", "22", "28"], p=[0.8, 0.1, 0.1]))
        method = emergency_method if kind == "emergency" else "11"
        discharge = day + los
        if discharge >= cal.n_days:
            stay.spells.append((day, None, method, "open", fall, via_ae))
            return
        if outcome == "returned" and discharge >= stay.planned_end:
            outcome = "not_returned"
        stay.spells.append((day, discharge, method, outcome, fall, via_ae))
        if outcome != "returned":
            stay.end = discharge
            stay.reason = "died" if outcome == "died" else "hospital_not_returned"
            return
        t = float(discharge)


def _away(stay: Stay, day: int) -> bool:
    return any(a <= day and (d is None or d > day) for a, d, *_ in stay.spells)


class Occupancy:
    """The beds of each site, filled over time: admissions, stays and moves between homes."""

    def __init__(
        self,
        rng: np.random.Generator,
        cal: Calendar,
        homes: HomeTable,
        plan: Plan,
    ) -> None:
        self.rng, self.cal, self.homes, self.plan = rng, cal, homes, plan
        self.stays: list[Stay] = []
        self.person_site: list[int] = []
        self.frailty: list[float] = []
        self.heap: list[tuple[int, int, int, int, int]] = []
        self.order = 0
        self.occupant: dict[tuple[int, int], int] = {}
        self.version: dict[tuple[int, int], int] = {}
        self.gone_home: list[int] = []  # stays that ended with the resident going home

    def run(self) -> None:
        """Fill every site's beds from the start of the period to its end."""
        for site in range(len(self.plan.roles)):
            self._site(site)

    def _new_person(self, site: int, *, resident: bool = False) -> int:
        """A new person; a ``resident`` (permanent, at the start) as frail as those who stay.

        Frail residents leave sooner (death, hospital), so those already in the home at
        the start are drawn in proportion to their expected stay: without this the
        homes' mix would drift towards the robust over the period.
        """
        self.person_site.append(site)
        shape = RATES.frailty_shape
        frailty = float(self.rng.gamma(shape, 1.0 / shape))
        if resident:
            stay = RATES.death_in_home["permanent"] + RATES.discharge_home
            ill = RATES.emergency * (
                RATES.spell_died["emergency"] + RATES.spell_not_returned["emergency"]
            ) + RATES.elective * (
                RATES.spell_died["elective"] + RATES.spell_not_returned["elective"]
            )
            while self.rng.random() >= stay / (stay + ill * frailty):
                frailty = float(self.rng.gamma(shape, 1.0 / shape))
        self.frailty.append(frailty)
        return len(self.person_site) - 1

    def _push(self, day: int, bed: tuple[int, int]) -> None:
        self.order += 1
        heapq.heappush(self.heap, (day, self.order, bed[0], bed[1], self.version[bed]))

    def _gap(self) -> int:
        lo, hi = RATES.vacancy_days
        return int(self.rng.integers(lo, hi + 1))

    def _begin(self, person: int, bed: tuple[int, int], day: int, kind: str, planned: float):
        stay = Stay(person, bed[0], day, kind, planned)
        site = self.person_site[person]
        run_stay(self.rng, stay, self.frailty[person], site, self.plan, self.cal)
        self.stays.append(stay)
        self.occupant[bed] = len(self.stays) - 1
        if stay.end is not None:
            if stay.reason == "home":
                self.gone_home.append(len(self.stays) - 1)
            self._push(stay.end + self._gap(), bed)

    def _planned(self, kind: str, start: int) -> float:
        if kind == "permanent":
            return math.inf
        lo, hi = RATES.short_stay_days[kind]
        return float(start + int(self.rng.integers(lo, hi + 1)))

    def _site(self, site: int) -> None:
        rng = self.rng
        homes = [int(h) for h in np.flatnonzero(self.homes.site == site)]
        beds = [(h, b) for h in homes for b in range(int(self.homes.beds[h]))]
        self.heap = []
        for bed in beds:
            self.version[bed] = 0
            if rng.random() < RATES.occupancy:
                kind = KINDS[int(rng.choice(3, p=RATES.initial_mix))]
                if kind == "permanent":
                    start, planned = -1 - int(rng.exponential(RATES.prior_stay_days)), math.inf
                else:
                    lo, hi = RATES.short_stay_days[kind]
                    length = int(rng.integers(lo, hi + 1))
                    start = -int(rng.integers(1, length))
                    planned = float(start + length)
                person = self._new_person(site, resident=kind == "permanent")
                self._begin(person, bed, start, kind, planned)
            else:
                self._push(int(rng.integers(0, RATES.vacancy_days[1])), bed)
        while self.heap:
            day, _, home, b, ver = heapq.heappop(self.heap)
            bed = (home, b)
            if ver != self.version[bed] or day >= self.cal.n_days:
                continue
            self._admit(site, bed, day, beds)

    def _movable(self, i: int, day: int) -> bool:
        s = self.stays[i]
        return (
            s.kind == "permanent"
            and s.start <= day - 28
            and (s.end is None or s.end > day)
            and not _away(s, day)
        )

    def _admit(self, site: int, bed: tuple[int, int], day: int, beds: list) -> None:
        rng = self.rng
        u = rng.random()
        if u < RATES.transfer_share:
            others = [
                other
                for other in beds
                if other[0] != bed[0]
                and other in self.occupant
                and self._movable(self.occupant[other], day)
            ]
            if others:
                other = others[int(rng.integers(len(others)))]
                old = self.stays[self.occupant[other]]
                old.spells = [s for s in old.spells if s[0] < day]
                old.visits = [v for v in old.visits if v[0] < day]
                old.end, old.reason = day, "transfer_other_home"
                self.version[other] += 1
                self._push(day + self._gap(), other)
                self._begin(old.person, bed, day, "permanent", math.inf)
                return
        person = None
        if u > 1 - RATES.return_share:
            ready = [
                i
                for i in self.gone_home
                if self.stays[i].reason == "home"
                and self.stays[i].end is not None
                and self.stays[i].end <= day - 14
                and self.person_site[self.stays[i].person] == site
            ]
            if ready:
                i = ready[int(rng.integers(len(ready)))]
                self.gone_home.remove(i)
                person = self.stays[i].person
        if person is None:
            person = self._new_person(site)
        kind = KINDS[int(rng.choice(3, p=RATES.admission_mix))]
        self._begin(person, bed, day, kind, self._planned(kind, day))


def spans(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For spans [lo, hi): the index of the span and the day, for every day covered.

    Examples
    --------
    >>> idx, day = spans(np.array([0, 5]), np.array([2, 8]))
    >>> idx.tolist(), day.tolist()
    ([0, 0, 1, 1, 1], [0, 1, 5, 6, 7])
    """
    lengths = np.maximum(hi - lo, 0)
    idx = np.repeat(np.arange(lo.size), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return idx, lo[idx] + offsets


def preferred_places(rng: np.random.Generator, stays: pl.DataFrame) -> pl.Series:
    """Each stay's preferred place of death as the home records it (None if not recorded).

    A :data:`PLACE_RECORDED` share of permanent stays record one of :data:`PLACES`.

    Examples
    --------
    >>> stays = pl.DataFrame({"kind": ["permanent"] * 200 + ["respite"] * 20})
    >>> place = preferred_places(np.random.default_rng(0), stays)
    >>> 60 < place.head(200).is_not_null().sum() < 120, place.tail(20).null_count()
    (True, 20)
    """
    n = stays.height
    place = np.array(PLACES)[rng.choice(len(PLACES), n, p=PLACE_SHARES)]
    recorded = (stays["kind"].to_numpy() == "permanent") & (rng.random(n) < PLACE_RECORDED)
    return pl.Series("preferred_place", place, dtype=pl.String).set(pl.Series(~recorded), None)


def stay_frames(occ: Occupancy) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The stays, their hospital spells and their A&E visits without admission, as frames."""
    stays = occ.stays
    stay_df = pl.DataFrame(
        {
            "stay": np.arange(len(stays)),
            "person": [s.person for s in stays],
            "home": [s.home for s in stays],
            "start": [s.start for s in stays],
            "end": [s.end for s in stays],
            "reason": [s.reason or None for s in stays],
            "kind": [s.kind for s in stays],
        },
        schema_overrides={"end": pl.Int64, "reason": pl.String},
    )
    spells = [(i, *sp) for i, s in enumerate(stays) for sp in s.spells]
    spell_df = pl.DataFrame(
        spells,
        schema={
            "stay": pl.Int64,
            "admit": pl.Int64,
            "discharge": pl.Int64,
            "method": pl.String,
            "outcome": pl.String,
            "fall": pl.Boolean,
            "via_ae": pl.Boolean,
        },
        orient="row",
    )
    visits = [(i, *v) for i, s in enumerate(stays) for v in s.visits]
    visit_df = pl.DataFrame(
        visits,
        schema={"stay": pl.Int64, "day": pl.Int64, "disposal": pl.String, "fall": pl.Boolean},
        orient="row",
    )
    return stay_df, spell_df, visit_df
