"""From events avoided to money: costs avoided, net benefit, ROI, for many draws at once.

Every function here takes home weights ``w`` of shape (B, H): one row per draw of a
clustered bootstrap (:mod:`warehouse.roi.uncertainty`), row 0 all ones for the point
estimate. Cell sums are matrix products, so B = 2,000 draws cost one product per cell.

For a treated site, resource and draw (docs/domain.md §3.2, docs/roi.md §3)::

    expected = (O0_T / E0_T) x E1_T x trend     baseline rate on the after exposure
    trend    = (O1_C / E1_C) / (O0_C / E0_C)    the comparison homes' change (1 if none)
    avoided  = expected - O1_T                  events avoided (negative: more events)

with O and E the counts and occupied bed days of the treated (T) or comparison (C)
homes, before (0) and after (1) the start; after-period sums are discounted at 3.5% a
year beyond the first. ``observed / expected`` is the ratio-of-rates difference in
differences, which the Poisson model of :mod:`warehouse.roi.effects` reproduces exactly.

Examples
--------
>>> w = np.ones((1, 2))
>>> cells = {k: np.array([[[v, 0.0]]]) for k, v in
...     dict(o0=20.0, e0=1000.0, o1=14.0, e1=1000.0, o1d=14.0, e1d=1000.0).items()}
>>> comp = {k: np.array([[[0.0, v]]]) for k, v in
...     dict(o0=30.0, e0=1000.0, o1=30.0, e1=1000.0, o1d=30.0, e1d=1000.0).items()}
>>> e = events(w, cells, comp)
>>> float(e.expected[0, 0, 0]), float(e.avoided[0, 0, 0]), bool(e.controlled[0, 0])
(20.0, 6.0, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Events:
    """Expected, observed and avoided events per draw, analysis and resource (B, A, R).

    ``expected_undiscounted`` and ``observed_undiscounted`` are the after period's
    events as counted; ``controlled`` (A, R) says where a comparison trend was used.
    """

    expected: np.ndarray
    observed: np.ndarray
    avoided: np.ndarray
    expected_undiscounted: np.ndarray
    observed_undiscounted: np.ndarray
    controlled: np.ndarray


def _sums(w: np.ndarray, cells: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.einsum("bh,arh->bar", w, v) for k, v in cells.items()}


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def events(
    w: np.ndarray,
    treated: Mapping[str, np.ndarray],
    comparison: Mapping[str, np.ndarray],
) -> Events:
    """Expected and observed events of every analysis and resource under weights ``w``.

    ``treated`` and ``comparison`` map each cell (``o0 e0 o1 e1 o1d e1d``) to an array
    (A, R, H): the home's sum where it is in that arm of the analysis, else 0.
    """
    t, c = _sums(w, treated), _sums(w, comparison)
    controlled = (comparison["o0"].sum(-1) > 0) & (comparison["o1"].sum(-1) > 0)
    trend = _ratio(_ratio(c["o1"], c["e1"]), _ratio(c["o0"], c["e0"]))
    trend = np.where(controlled[None], trend, 1.0)  # no comparison: uncontrolled (trend 1)
    rate0 = _ratio(t["o0"], t["e0"])
    expected = rate0 * t["e1d"] * trend  # baseline rate x after exposure x trend (§3.2)
    return Events(
        expected=expected,
        observed=t["o1d"],
        avoided=expected - t["o1d"],
        expected_undiscounted=rate0 * t["e1"] * trend,
        observed_undiscounted=t["o1"],
        controlled=controlled,
    )


@dataclass(frozen=True)
class Money:
    """Savings and returns per draw and analysis (B, A), at the price year.

    ``savings`` is attributable (times the attribution fraction), split into ``cash``
    and ``capacity``; ``by_resource`` (B, A, R) is each resource's attributable saving.
    """

    savings: np.ndarray
    cash: np.ndarray
    capacity: np.ndarray
    by_resource: np.ndarray
    cost: np.ndarray
    net_benefit: np.ndarray
    roi: np.ndarray
    benefit_cost_ratio: np.ndarray


def money(
    avoided: np.ndarray,
    unit_cost: np.ndarray,
    cash: np.ndarray,
    added: np.ndarray,
    cost: np.ndarray,
    attribution: float | np.ndarray,
) -> Money:
    """Costs avoided, net benefit, ROI and benefit-cost ratio (docs/domain.md §3.2).

    Parameters
    ----------
    avoided : numpy.ndarray
        Events avoided (B, A, R).
    unit_cost : numpy.ndarray
        Price of one event (B, A, R) or broadcastable: draws of the unit costs.
    cash, added : numpy.ndarray
        Per resource (R,): its saving releases cash; it is added to the savings.
    cost : numpy.ndarray
        The programme's cost per analysis (A,) or per draw (B, A).
    attribution : float or numpy.ndarray
        Share of the change credited to the programme (scalar or per draw, (B, 1)).

    Examples
    --------
    >>> m = money(np.array([[[10.0, 100.0]]]), np.array([1000.0, 1.0]),
    ...           np.array([False, True]), np.array([True, True]), np.array([5000.0]), 0.5)
    >>> float(m.savings[0, 0]), float(m.net_benefit[0, 0]), float(m.roi[0, 0])
    (5050.0, 50.0, 0.01)
    """
    a = np.asarray(attribution, dtype=float)
    a = a[..., None] if a.ndim == 2 else a
    by = np.nan_to_num(avoided * unit_cost) * added * a  # attributable saving (§3.2 step 7)
    savings = by.sum(-1)
    cash_part = (by * cash).sum(-1)
    cost = np.broadcast_to(np.asarray(cost, dtype=float), savings.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(cost > 0, (savings - cost) / cost, np.nan)  # ROI = (S - C) / C
        bcr = np.where(cost > 0, savings / cost, np.nan)  # benefit-cost ratio = S / C
    return Money(
        savings=savings,
        cash=cash_part,
        capacity=savings - cash_part,
        by_resource=by,
        cost=cost,
        net_benefit=savings - cost,  # net benefit = S - C
        roi=roi,
        benefit_cost_ratio=bcr,
    )
