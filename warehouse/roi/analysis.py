"""The numbers of every analysis at once: arrays of home cells, events, prices, money.

:func:`cell_arrays` lays :func:`warehouse.roi.design.home_cells` out as arrays
(analysis x resource x home) for each arm; :func:`evaluate` turns home weights, prices
and the programme's costs into :class:`warehouse.roi.money.Events` and
:class:`warehouse.roi.money.Money` for every draw, analysis and resource in a few
matrix products, which is what makes 2,000 bootstrap draws cheap.

Examples
--------
>>> cells = pl.DataFrame({"analysis": ["a", "a"], "resource": ["r", "r"],
...     "home_id": ["h1", "h2"], "arm": ["treated", "comparison"],
...     "o0": [20.0, 30.0], "e0": [1e3, 1e3], "o1": [14.0, 30.0], "e1": [1e3, 1e3],
...     "o1d": [14.0, 30.0], "e1d": [1e3, 1e3]})
>>> arr = cell_arrays(cells, ("a",), ("r",), ("h1", "h2"))
>>> arr.treated["o0"].tolist(), arr.comparison["o0"].tolist()
([[[20.0, 0.0]]], [[[0.0, 30.0]]])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from warehouse.roi.design import CELLS, COMPARISON, TREATED
from warehouse.roi.money import Events, Money, events, money


@dataclass(frozen=True)
class CellArrays:
    """Home cells per arm as arrays (A, R, H), and the long-stay cells (A, H).

    ``long0``/``known0`` are each treated home's emergency admissions before the start
    that stayed two nights or more, and those whose stay is known (S3b), for the mix of
    long and short stays that prices an admission.
    """

    analyses: tuple[str, ...]
    resources: tuple[str, ...]
    homes: tuple[str, ...]
    treated: Mapping[str, np.ndarray]
    comparison: Mapping[str, np.ndarray]
    long0: np.ndarray
    known0: np.ndarray


def _index(values: pl.Series, order: Sequence[str]) -> np.ndarray:
    index = values.cast(pl.String).replace_strict(
        {v: i for i, v in enumerate(order)}, return_dtype=pl.Int64
    )
    return index.to_numpy().astype(np.int64)


def cell_arrays(
    cells: pl.DataFrame,
    analyses: Sequence[str],
    resources: Sequence[str],
    homes: Sequence[str],
    long_cells: pl.DataFrame | None = None,
) -> CellArrays:
    """Scatter the home cells into (analysis, resource, home) arrays, one per arm.

    ``long_cells`` are :func:`home_cells` of S3b (long stays as the count, known stays
    as the exposure), treated arm only; without it the mix is unknown (NaN).
    """
    cells = cells.filter(pl.col("analysis").is_in(list(analyses)))
    shape = (len(analyses), len(resources), len(homes))
    a, r, h = (
        _index(cells["analysis"], analyses),
        _index(cells["resource"], resources),
        _index(cells["home_id"], homes),
    )
    arms = {}
    for arm in (TREATED, COMPARISON):
        sel = (cells["arm"] == arm).to_numpy()
        arrays = {}
        for k in CELLS:
            x = np.zeros(shape)
            x[a[sel], r[sel], h[sel]] = cells[k].to_numpy()[sel]
            arrays[k] = x
        arms[arm] = arrays
    long0 = np.zeros((len(analyses), len(homes)))
    known0 = np.zeros_like(long0)
    if long_cells is not None:
        lc = long_cells.filter(
            (pl.col("arm") == TREATED) & pl.col("analysis").is_in(list(analyses))
        )
        la, lh = _index(lc["analysis"], analyses), _index(lc["home_id"], homes)
        long0[la, lh], known0[la, lh] = lc["o0"].to_numpy(), lc["e0"].to_numpy()
    return CellArrays(
        tuple(analyses),
        tuple(resources),
        tuple(homes),
        arms[TREATED],
        arms[COMPARISON],
        long0,
        known0,
    )


@dataclass(frozen=True)
class Prices:
    """Prices per draw: one column per resource (B, R), and NEL long and short stays (B,).

    ``nel`` marks the resources priced at the mix of long and short stays; ``share``
    overrides the observed long-stay share (0 all short, 1 all long) for the sensitivity
    analysis.
    """

    per_unit: np.ndarray
    nel_long: np.ndarray
    nel_short: np.ndarray
    nel: np.ndarray
    share: float | None = None


def long_share(w: np.ndarray, arr: CellArrays) -> np.ndarray:
    """The long-stay share of emergency admissions before the start (B, A), S3b."""
    long, known = w @ arr.long0.T, w @ arr.known0.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(known > 0, long / np.where(known > 0, known, 1.0), np.nan)


def unit_prices(w: np.ndarray, arr: CellArrays, prices: Prices) -> np.ndarray:
    """The price of one unit of each resource (B, A, R) under weights ``w``."""
    b = w.shape[0]
    share = (
        long_share(w, arr)
        if prices.share is None
        else np.full((b, len(arr.analyses)), prices.share)
    )
    nel = share * prices.nel_long[:, None] + (1 - share) * prices.nel_short[:, None]  # §3.1 mix
    out = np.broadcast_to(prices.per_unit[:, None, :], (b, len(arr.analyses), len(arr.resources)))
    return np.where(prices.nel[None, None, :], nel[:, :, None], out)


def evaluate(
    w: np.ndarray,
    arr: CellArrays,
    prices: Prices,
    cost: np.ndarray,
    cash: np.ndarray,
    added: np.ndarray,
    attribution: float | np.ndarray,
) -> tuple[Events, Money]:
    """Events and money of every draw (rows of ``w``), analysis and resource."""
    ev = events(w, arr.treated, arr.comparison)
    return ev, money(ev.avoided, unit_prices(w, arr, prices), cash, added, cost, attribution)
