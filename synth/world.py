"""The frame of the simulated world: calendar, random streams, rates, homes and site effects.

Days are indexes from the first day of the period (day 0); a :class:`Calendar` maps
them to months and weekdays. Each purpose draws from its own random stream
(:func:`streams`), so that quirks or names never change the simulated truth. The
:class:`Rates` say how often things happen to a resident; :func:`draw_homes` gives each
care home its beds and its habits (how it numbers residents and writes dates), and
:func:`draw_site_effects` each site's own levels (:class:`SiteEffect`), which the plan of
change ideas (:mod:`synth.plan`) changes from each intervention site's start month.

Examples
--------
>>> cal = make_calendar(date(2023, 1, 1), months=3, intervention_month=2)
>>> cal.n_days, cal.iv, cal.month_starts.tolist()
(90, 59, [0, 31, 59, 90])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

import numpy as np

DEFAULT_START = date(2023, 1, 1)
DEFAULT_MONTHS = 18
YEAR = 365.25

# Day-first layouts the care homes use (docs/extracts.md), one per home and file.
CAREHOME_DATES = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%Y", "%Y-%m-%d")
CAREHOME_TIMES = (" %H:%M", " %H:%M:%S")


@dataclass(frozen=True)
class Rates:
    """The rates the simulation draws from (per resident-day unless stated).

    Attributes
    ----------
    occupancy : float
        Share of beds occupied at the start.
    initial_mix, admission_mix : tuple of float
        Shares of permanent, respite and step-down stays, at the start and at admission.
    short_stay_days : dict
        Planned length (lowest, highest) of respite and step-down stays.
    prior_stay_days : float
        Mean time already spent in the home by permanent residents at the start.
    vacancy_days : tuple of int
        Days a bed stands empty between residents (lowest, highest).
    transfer_share, return_share : float
        Shares of admissions that are a move from another home of the site, or a
        returning former respite resident.
    death_in_home : dict
        Deaths in the home per resident-year, by kind of stay.
    discharge_home : float
        Permanent residents going home, per resident-year.
    emergency, ae_only, elective : float
        Emergency admissions, A&E attendances without admission and elective
        admissions per resident-year at frailty 1 (Health Foundation IAU 2016/17: 0.70
        emergency admissions and 0.98 A&E attendances per care-home resident-year; the
        residents' frailty averages about 0.86, as the frail leave sooner).
    frailty_shape : float
        Gamma shape of each resident's multiplier of these rates (mean 1 at admission).
    los_emergency, los_elective : float
        Mean length of a hospital spell, days.
    spell_died, spell_not_returned : dict
        Chance a spell ends in death, or without a return to the home, by kind.
    admission_via_ae, admission_fall, ae_fall : float
        Shares of emergency admissions through A&E, and of admissions and A&E-only
        attendances caused by a fall (before any change; see :mod:`synth.stays`).
    falls : float
        Falls not needing hospital care (with those above, about 8 per 1,000 OBD).
    pressure_ulcers, other_incidents, other_absences : float
        New pressure ulcers, other incidents and same-day outings.
    pharmacist_coded : float
        Share of pharmacist medication reviews the practice codes as an SMR.
    """

    occupancy: float = 0.88
    initial_mix: tuple[float, float, float] = (0.93, 0.04, 0.03)
    admission_mix: tuple[float, float, float] = (0.72, 0.16, 0.12)
    short_stay_days: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: MappingProxyType({"respite": (7, 28), "step_down": (14, 56)})
    )
    prior_stay_days: float = 700.0
    vacancy_days: tuple[int, int] = (14, 180)  # English homes run about 85-90% full
    transfer_share: float = 0.06
    return_share: float = 0.10
    death_in_home: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {"permanent": 0.20, "respite": 0.04, "step_down": 0.08}
        )
    )
    discharge_home: float = 0.02
    emergency: float = 0.80
    ae_only: float = 0.32
    elective: float = 0.04
    frailty_shape: float = 2.0
    los_emergency: float = 8.0
    los_elective: float = 3.0
    spell_died: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"emergency": 0.12, "elective": 0.01})
    )
    spell_not_returned: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"emergency": 0.06, "elective": 0.02})
    )
    admission_via_ae: float = 0.85
    admission_fall: float = 0.20
    ae_fall: float = 0.35
    falls: float = 7.35 / 1000
    pressure_ulcers: float = 0.30 / 1000
    other_incidents: float = 1.0 / 1000
    other_absences: float = 1.0 / 1000
    pharmacist_coded: float = 0.8


RATES = Rates()


# --------------------------------------------------------------------------------------
# Calendar and random streams


@dataclass(frozen=True)
class Calendar:
    """The period as day indexes: day 0 is ``start``; months, weekdays, the intervention month."""

    start: date
    months: int
    n_days: int
    iv: int  # first day (index) of intervention_month: the earliest start of change ideas
    month_starts: np.ndarray  # day index of each month's first day, plus the end
    month_of_day: np.ndarray
    weekday: np.ndarray  # Monday 0

    @property
    def month_dates(self) -> list[date]:
        """The first day of each month of the period."""
        return [add_months(self.start, k) for k in range(self.months)]


def add_months(d: date, k: int) -> date:
    """The first of the month ``k`` months after the month of ``d``.

    Examples
    --------
    >>> add_months(date(2023, 11, 15), 3)
    datetime.date(2024, 2, 1)
    """
    y, m = divmod(d.month - 1 + k, 12)
    return date(d.year + y, m + 1, 1)


# The day after the default extracts end (what a run on them is judged as of).
DEFAULT_END = add_months(DEFAULT_START, DEFAULT_MONTHS)


def make_calendar(start: date, months: int, intervention_month: int) -> Calendar:
    """The calendar of ``months`` months from ``start``, with the intervention month's first day."""
    starts = np.array([(add_months(start, k) - start).days for k in range(months + 1)])
    n_days = int(starts[-1])
    days = np.arange(n_days)
    return Calendar(
        start=start,
        months=months,
        n_days=n_days,
        iv=int(starts[min(intervention_month, months)]),
        month_starts=starts,
        month_of_day=np.searchsorted(starts, days, side="right") - 1,
        weekday=(start.weekday() + days) % 7,
    )


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent random streams, so quirks (or names) never change the simulated truth.

    A child of a seed sequence depends on its position only, so adding a stream at the
    end leaves the others as they were: ``history`` (the GP record before the period) and
    ``preferences`` (preferred places of death) came last.
    """
    names = (
        "homes",
        "stays",
        "people",
        "events",
        "ids",
        "quirks",
        "names",
        "history",
        "preferences",
    )
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: np.random.default_rng(s) for n, s in zip(names, children, strict=True)}


# --------------------------------------------------------------------------------------
# Homes and sites


@dataclass(frozen=True)
class HomeTable:
    """The care homes, by index: site, CQC location id, beds, and each home's habits."""

    site: np.ndarray
    home_id: list[str]
    beds: np.ndarray
    source_code: list[str]  # admission source / discharge destination (54, 65, 85)
    id_style: list[tuple[str, int]]
    id_base: np.ndarray
    date_style: list[int]
    time_style: list[int]
    bom: list[bool]


def draw_homes(rng: np.random.Generator, sites: int, homes: int, quirk_rate: float) -> HomeTable:
    """``homes`` care homes spread evenly over ``sites`` (20-50 beds each).

    Examples
    --------
    >>> t = draw_homes(np.random.default_rng(0), sites=2, homes=5, quirk_rate=0.02)
    >>> t.site.tolist(), all(20 <= b <= 50 for b in t.beds)
    ([0, 0, 0, 1, 1], True)
    """
    per_site = np.full(sites, homes // sites) + (np.arange(sites) < homes % sites)
    site = np.repeat(np.arange(sites), per_site)
    numbers = np.unique(rng.integers(100_000_000, 1_000_000_000, size=homes + 8))
    ids = [f"1-{n}" for n in rng.permutation(numbers)[:homes]]
    styles = (("R", 4), ("", 0), ("RES-", 3), ("CH", 5))  # each home numbers its own way
    bom = rng.random(homes) < 0.3
    bom[int(rng.integers(homes))] = True  # drawn whatever the quirk rate: truth stays the same
    return HomeTable(
        site=site,
        home_id=ids,
        beds=rng.integers(20, 51, size=homes),
        source_code=[
            str(c) for c in rng.choice(["54", "65", "85"], size=homes, p=[0.1, 0.15, 0.75])
        ],
        id_style=[styles[i] for i in rng.integers(0, len(styles), size=homes)],
        id_base=rng.integers(1, 400, size=homes),
        date_style=[int(i) for i in rng.integers(0, len(CAREHOME_DATES), size=homes)],
        time_style=[int(i) for i in rng.integers(0, len(CAREHOME_TIMES), size=homes)],
        bom=[bool(b) and quirk_rate > 0 for b in bom],
    )


@dataclass(frozen=True)
class SiteEffect:
    """A site's rates before and from the start of its change ideas.

    Multipliers scale an event rate from the site's start day (1.0: no change); pairs
    are (before, from the start day) chances per resident-month, or per home-month for
    ``pdsa``. :func:`draw_site_effects` gives every site its own levels with no change;
    :func:`synth.plan.make_plan` sets what the site's change ideas change. The secular
    trend (:data:`synth.plan.SECULAR_TREND`) is not here: it is common to every site.

    Attributes
    ----------
    falls, emergency, ae, pressure_ulcers : float
        Rate ratios of falls, emergency admissions, A&E attendances without admission
        and new pressure ulcers.
    must, weights : tuple of float
        Chance of a MUST score, of a weight, in the care home's observations.
    medication_review, smr_share : tuple of float
        Chance of a GP medication review, and the share of them that are structured.
    gp_weights : float
        Chance the GP codes a weight (no change).
    triage, pharmacist : tuple of float
        Chance of a triage (QI log ``triage_tool``), of a pharmacist medication review.
    dietetic, admission_mdt : tuple of float
        Chance of a dietetic review after a MUST score of 2 or more, of an MDT review
        after an admission (both within 10 days, while the resident is in).
    pdsa : tuple of float
        PDSA cycles logged per home and month.
    """

    must: tuple[float, float]
    weights: tuple[float, float]
    medication_review: tuple[float, float]
    smr_share: tuple[float, float]
    gp_weights: float
    falls: float = 1.0
    emergency: float = 1.0
    ae: float = 1.0
    pressure_ulcers: float = 1.0
    triage: tuple[float, float] = (0.02, 0.02)
    pharmacist: tuple[float, float] = (0.01, 0.01)
    dietetic: tuple[float, float] = (0.2, 0.2)
    admission_mdt: tuple[float, float] = (0.15, 0.15)
    pdsa: tuple[float, float] = (0.1, 0.1)


def draw_site_effects(rng: np.random.Generator, sites: int) -> list[SiteEffect]:
    """Each site's own levels (MUST screening about 55-65%, weights about 80%), unchanged.

    Examples
    --------
    >>> e = draw_site_effects(np.random.default_rng(0), sites=2)
    >>> [(x.must[0] == x.must[1], x.falls) for x in e]
    [(True, 1.0), (True, 1.0)]
    """
    u = rng.random((sites, 3)).tolist()
    return [
        SiteEffect(
            must=(0.55 + 0.10 * r[0],) * 2,
            weights=(0.78 + 0.08 * r[1],) * 2,
            medication_review=(0.05, 0.05),
            smr_share=(0.35, 0.35),
            gp_weights=0.08 + 0.08 * r[2],
        )
        for r in u
    ]


def site_shares(effects: Sequence[SiteEffect], name: str) -> np.ndarray:
    """The (before, from the start day) chances ``name`` of every site, as a sites x 2 array.

    Examples
    --------
    >>> e = SiteEffect(must=(0.6, 0.9), weights=(0.8, 0.8), medication_review=(0.05, 0.05),
    ...                smr_share=(0.35, 0.35), gp_weights=0.1)
    >>> site_shares([e, e], "must").tolist()
    [[0.6, 0.9], [0.6, 0.9]]
    """
    return np.array([getattr(e, name) for e in effects], dtype=float).reshape(len(effects), 2)


def site_id_of(s: int) -> str:
    """The id (and inbox folder) of the site of index ``s``: ``site_a``, ``site_b``...

    Examples
    --------
    >>> site_id_of(0), site_id_of(25)
    ('site_a', 'site_z')
    """
    return f"site_{chr(ord('a') + s)}"
