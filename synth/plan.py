"""The improvement work planted in the simulation: site roles, change ideas, effects, trend.

Every site but the last ``comparison_sites`` is an intervention site. Each runs the one
to three change ideas of a package of the PEACH projects (:data:`PACKAGES`, taken in
turn), all from the site's start month: ``intervention_month`` for the first site, one
month later for the next, and so on (kept inside the period). From the first day of
that month a change idea changes its site's rates (:class:`synth.world.SiteEffect`),
which plants an effect on the catalogue measures those rates drive
(:class:`PlantedEffect`); every other measure of the site keeps its rate. Comparison
sites make no change. Every site's event rates (falls, pressure ulcers, emergency
admissions, A&E attendances) drift by the same :data:`SECULAR_TREND` a month, so that
rates move even where nothing is done.

Examples
--------
>>> from datetime import date
>>> from synth.world import draw_site_effects, make_calendar
>>> cal = make_calendar(date(2023, 1, 1), months=12, intervention_month=6)
>>> base = draw_site_effects(np.random.default_rng(0), sites=3)
>>> plan = make_plan(cal, base, comparison_sites=1, site_of_home=np.array([0, 1, 2]))
>>> plan.roles, plan.start_month
(('intervention', 'intervention', 'comparison'), (6, 7, None))
>>> [(e.site, e.measure_id, e.change_id, e.rate_ratio) for e in plan.planted][:2]
[(0, 'S1', 'CI-01', 0.65), (0, 'S2', 'CI-01', 0.65)]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from synth.world import RATES, Calendar, SiteEffect

SECULAR_TREND = 1.005  # every site's event rates, multiplied by this each month
INTERVENTION, COMPARISON = "intervention", "comparison"

# The catalogue measures a change idea can touch (docs/domain.md §2).
MEASURE_NAMES = {
    "S1": "Falls per 1,000 occupied bed days",
    "S2": "Falls with harm per 1,000 occupied bed days",
    "S3": "Emergency admissions per 1,000 occupied bed days",
    "S4": "A&E attendances per 1,000 occupied bed days",
    "O2.4": "New pressure ulcers per 1,000 occupied bed days",
    "P1.1": "% residents with a medication review in the last 12 months",
    "P1.2": "% residents with a structured medication review (SMR) in the last 12 months",
    "P1.3": "SMRs completed",
    "P2.1": "MUST screening compliance",
    "P2.3": "% high-risk (MUST >= 2) screens with an action within 7 days",
    "P2.4": "% residents weighed in the month",
    "P3.1": "Residents triaged at risk",
    "P4.1": "% new admissions with an MDT assessment within 7 working days",
}


def _level(e: SiteEffect, name: str, phase: int) -> float:
    """A rate of ``e`` before (phase 0) or from the start day (1): a share or a multiplier."""
    v = getattr(e, name)
    return float(v[phase]) if isinstance(v, tuple) else (1.0 if phase == 0 else float(v))


def _review(e: SiteEffect, k: int) -> float:
    """Chance of any coded medication review a resident-month (GP or pharmacist)."""
    gp = _level(e, "medication_review", k)
    return 1 - (1 - gp) * (1 - RATES.pharmacist_coded * _level(e, "pharmacist", k))


def _smr(e: SiteEffect, k: int) -> float:
    """Coded SMRs per resident-month (GP and pharmacist)."""
    gp = _level(e, "medication_review", k) * _level(e, "smr_share", k)
    return gp + RATES.pharmacist_coded * _level(e, "pharmacist", k)


def _ae(e: SiteEffect, k: int) -> float:
    """A&E attendances per resident-year: admissions through A&E, and A&E only."""
    via = RATES.admission_via_ae * RATES.emergency * _level(e, "emergency", k)
    return via + RATES.ae_only * _level(e, "ae", k)


def _of(name: str) -> Callable[[SiteEffect, int], float]:
    return lambda e, k: _level(e, name, k)


# Measure: (the SiteEffect fields that drive it, its planted rate, whether that rate is
# the measure's own unit: a share of residents).
DRIVERS: dict[str, tuple[tuple[str, ...], Callable[[SiteEffect, int], float], bool]] = {
    "S1": (("falls",), _of("falls"), False),
    "S2": (("falls",), _of("falls"), False),
    "S3": (("emergency",), _of("emergency"), False),
    "S4": (("emergency", "ae"), _ae, False),
    "O2.4": (("pressure_ulcers",), _of("pressure_ulcers"), False),
    "P1.1": (("medication_review", "pharmacist"), _review, False),
    "P1.2": (("medication_review", "smr_share", "pharmacist"), _smr, False),
    "P1.3": (("medication_review", "smr_share", "pharmacist"), _smr, False),
    "P2.1": (("must",), _of("must"), True),
    "P2.3": (("dietetic",), _of("dietetic"), False),
    "P2.4": (("weights",), _of("weights"), True),
    "P3.1": (("triage",), _of("triage"), False),
    "P4.1": (("admission_mdt",), _of("admission_mdt"), False),
}


@dataclass(frozen=True)
class Idea:
    """A change idea of the menu: what it is called, who owns it (a role), what it sets.

    ``change`` gives SiteEffect fields their value from the start day: a rate ratio for
    a multiplier (``falls``...), the chance from the start for a pair (``must``...).
    ``listed`` writes the site's homes' CQC ids in the change log rather than ``all``.
    """

    title: str
    owner: str
    change: tuple[tuple[str, float], ...]
    listed: bool = False


FALLS = "Falls huddles after every fall"
# Falls drop by a third; emergency admissions and A&E attendances by 30% (at the high end
# of what care-home programmes report, yet at about 12 admissions a site-month rarely
# signalled within 9 months); MUST screening from about 60% to 90%.
PACKAGES: tuple[tuple[Idea, ...], ...] = (
    (
        Idea(FALLS, "Home manager", (("falls", 0.65),)),
        Idea(
            "MDT review of residents at risk of deterioration",
            "Clinical lead",
            (("triage", 0.30), ("emergency", 0.70), ("ae", 0.70)),
        ),
        Idea("MUST screening at every monthly weigh", "Dietitian", (("must", 0.90),)),
    ),
    (
        Idea("Pharmacist medication reviews", "Care home pharmacist", (("pharmacist", 0.06),)),
        Idea(
            "Dietitian review within 7 days of a high MUST score", "Dietitian", (("dietetic", 0.7),)
        ),
    ),
    (
        Idea(FALLS, "Home manager", (("falls", 0.65),)),
        Idea(
            "MDT assessment within 7 working days of admission",
            "Care home nurse lead",
            (("admission_mdt", 0.80),),
            listed=True,
        ),
    ),
)


@dataclass(frozen=True)
class ChangeIdea:
    """A change idea a site ran, as its change log shows it.

    ``homes`` are the home indexes the change log lists (``None``: ``all``); the idea
    runs in every home of the site either way.
    """

    site: int
    change_id: str
    title: str
    owner: str
    start_month: int
    measures: tuple[str, ...]
    homes: tuple[int, ...] | None = None
    cycle: str = "PDSA 1"


@dataclass(frozen=True)
class PlantedEffect:
    """The effect of a change idea on one measure of its site, from its start month.

    ``rate_ratio`` is the ratio of the planted rate from the start month to before it
    (the secular trend aside): the rate of events per resident-day for S1-S4 and O2.4,
    the chance of a coded review a resident-month for P1.1, of an SMR for P1.2 and
    P1.3, the chance of a screen, triage or follow-up for P2.1-P4.1. ``before`` and
    ``after`` are the planted share where it is the measure's own unit (P2.1, P2.4).
    """

    site: int
    measure_id: str
    change_id: str
    start_month: int
    rate_ratio: float
    before: float | None = None
    after: float | None = None


@dataclass(frozen=True)
class Plan:
    """Who changes what from when: roles, start months, change ideas, effects, trend.

    Attributes
    ----------
    roles : tuple of str
        ``intervention`` or ``comparison``, per site.
    start_month : tuple
        Per site, the month (index) its change ideas start; None if none starts in the
        period (comparison sites, or an intervention month beyond it).
    start_day : numpy.ndarray
        Per site, the day index its change ideas start (the period's length if never).
    trend : float
        The secular trend: every site's event rates are multiplied by it each month.
    ideas : tuple of ChangeIdea
        The change ideas, by site and change id.
    planted : tuple of PlantedEffect
        One per intervention site and measure its change ideas touch.
    effects : tuple of SiteEffect
        Per site, its rates before and from its start day.
    """

    roles: tuple[str, ...]
    start_month: tuple[int | None, ...]
    start_day: np.ndarray
    trend: float
    ideas: tuple[ChangeIdea, ...]
    planted: tuple[PlantedEffect, ...]
    effects: tuple[SiteEffect, ...]

    def multiplier(
        self, name: str, site: np.ndarray, day: np.ndarray, month: np.ndarray
    ) -> np.ndarray:
        """The factor on an event rate (``falls``...) of sites on days: trend and planted ratio.

        Examples
        --------
        >>> from datetime import date
        >>> from synth.world import draw_site_effects, make_calendar
        >>> cal = make_calendar(date(2023, 1, 1), months=4, intervention_month=2)
        >>> base = draw_site_effects(np.random.default_rng(0), sites=2)
        >>> plan = make_plan(cal, base, comparison_sites=1, site_of_home=np.array([0, 1]))
        >>> plan.multiplier("falls", np.array([0, 0, 1]), np.array([0, 59, 59]),
        ...                 np.array([0, 2, 2])).round(4).tolist()
        [1.0, 0.6565, 1.01]
        """
        ratio = np.array([getattr(e, name) for e in self.effects], dtype=float)[site]
        return self.trend ** np.asarray(month) * np.where(day >= self.start_day[site], ratio, 1.0)

    def after(self, site: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Whether each day is on or after its site's start day."""
        return np.asarray(day) >= self.start_day[np.asarray(site)]


def start_months(
    sites: int, comparison_sites: int, months: int, intervention_month: int
) -> tuple[int | None, ...]:
    """Each site's start month: staggered by a month a site, inside the period when possible.

    Examples
    --------
    >>> start_months(4, 1, months=18, intervention_month=9)
    (9, 10, 11, None)
    >>> start_months(3, 0, months=10, intervention_month=9), start_months(2, 1, 6, 6)
    ((9, 9, 9), (None, None))
    """
    n = sites - comparison_sites
    if intervention_month >= months:
        return (None,) * sites
    return (*(min(intervention_month + k, months - 1) for k in range(n)), *(None,) * (sites - n))


def make_plan(
    cal: Calendar, base: Sequence[SiteEffect], comparison_sites: int, site_of_home: np.ndarray
) -> Plan:
    """The plan: the last ``comparison_sites`` sites compare; the others run a package each.

    ``base`` are the sites' own levels (:func:`synth.world.draw_site_effects`), and
    ``site_of_home`` the site of each home (a change log may list its homes). The first
    site starts in the calendar's intervention month (see :func:`start_months`).
    """
    sites = len(base)
    first = int(np.searchsorted(cal.month_starts, cal.iv))  # intervention_month, or months
    starts = start_months(sites, comparison_sites, cal.months, first)
    effects, ideas, planted = list(base), [], []
    for s, month in enumerate(starts):
        if month is None:
            continue
        package = PACKAGES[s % len(PACKAGES)]
        effects[s] = _changed(base[s], package)
        for j, idea in enumerate(package):
            change_id = f"CI-{j + 1:02d}"
            fields = {name for name, _ in idea.change}
            measures = tuple(m for m, (drivers, _, _) in DRIVERS.items() if fields & set(drivers))
            homes = (
                tuple(int(h) for h in np.flatnonzero(site_of_home == s)) if idea.listed else None
            )
            ideas.append(ChangeIdea(s, change_id, idea.title, idea.owner, month, measures, homes))
            planted += [_effect(base[s], effects[s], m, s, change_id, month) for m in measures]
    seen = [(e.site, e.measure_id) for e in planted]
    if len(seen) != len(set(seen)):
        raise ValueError("two change ideas of a site touch the same measure: see PACKAGES")
    day = [cal.n_days if m is None else int(cal.month_starts[m]) for m in starts]
    return Plan(
        roles=tuple(
            INTERVENTION if s < sites - comparison_sites else COMPARISON for s in range(sites)
        ),
        start_month=starts,
        start_day=np.array(day, dtype=np.int64),
        trend=SECULAR_TREND,
        ideas=tuple(ideas),
        planted=tuple(planted),
        effects=tuple(effects),
    )


def _changed(base: SiteEffect, package: Sequence[Idea]) -> SiteEffect:
    """The site's rates with what its change ideas set from the start day."""
    values = {}
    for idea in package:
        for name, value in idea.change:
            old = getattr(base, name)
            values[name] = (old[0], value) if isinstance(old, tuple) else value
    return replace(base, **values)


def _effect(
    base: SiteEffect, after: SiteEffect, measure: str, site: int, change_id: str, month: int
) -> PlantedEffect:
    """The planted effect on ``measure``: the ratio of its planted rates, and its shares."""
    _, rate, own_unit = DRIVERS[measure]
    before, now = rate(base, 0), rate(after, 1)
    return PlantedEffect(
        site,
        measure,
        change_id,
        month,
        round(now / before, 4),
        round(before, 4) if own_unit else None,
        round(now, 4) if own_unit else None,
    )
