"""Line-by-line Python transliterations of the R reference code, for testing only.

These follow qicharts2 0.8.1 ``runs.analysis()`` and NHSRplotthedots 0.2.2
``ptd_spc_standard()`` / ``ptd_calculate_point_type()`` statement by statement,
with R's NA rules (``None`` here), one series at a time and with plain loops. The
vectorised engine must give the same answers on any series hypothesis can invent.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

NA = None


def r_mean(values: Sequence[float | None]) -> float:
    v = [x for x in values if x is not None]
    return math.fsum(v) / len(v) if v else math.nan


def sign(x: float | None) -> int | None:
    if x is None or math.isnan(x):
        return None
    return (x > 0) - (x < 0)


def crossings_min_exact(n_useful: int) -> int:
    """``qbinom(0.05, n - 1, 0.5)``: the smallest c with P(C <= c) >= 0.05."""
    trials = n_useful - 1
    acc = 0
    for c in range(trials + 1):
        acc += math.comb(trials, c)
        if 20 * acc >= 2**trials:
            return c
    return trials


def runs_analysis(y: Sequence[float | None], cl: float) -> dict[str, object]:
    """qicharts2 ``runs.analysis()`` for one part."""
    runs = [sign(v - cl) if v is not None else None for v in y]
    runs = [r for r in runs if r not in (0, None)]
    n_useful = len(runs)
    if not n_useful:
        return {
            "n_obs": len(y),
            "n_useful": 0,
            "longest_run": None,
            "longest_run_max": None,
            "n_crossings": None,
            "n_crossings_min": None,
            "runs_signal": False,
        }
    lengths = []
    for r in runs:
        if lengths and lengths[-1][0] == r:
            lengths[-1][1] += 1
        else:
            lengths.append([r, 1])
    longest = max(n for _, n in lengths)
    lmax = round(math.log2(n_useful)) + 3
    crossings = max(len(lengths) - 1, 0)
    cmin = crossings_min_exact(n_useful)
    return {
        "n_obs": len(y),
        "n_useful": n_useful,
        "longest_run": longest,
        "longest_run_max": lmax,
        "n_crossings": crossings,
        "n_crossings_min": cmin,
        "runs_signal": longest > lmax or crossings < cmin,
    }


# --- NHSRplotthedots --------------------------------------------------------------------


def _all(values: list[bool | None]) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _any(values: list[bool | None]) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _eq(a: float | None, b: float | None) -> bool | None:
    return None if a is None or b is None else a == b


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def seven_point_one_side_mean(v: list[int | None], k: int) -> list[bool | None]:
    vp = [0] * (k - 1) + v
    out = []
    for i in range(k - 1, len(vp)):
        same = _all([_eq(vp[i], vp[i - j]) for j in range(1, k)])
        out.append(_and(same, None if vp[i] is None else vp[i] != 0))
    return out


def part_of_run(w: list[bool | int | None], k: int) -> list[bool | None]:
    vp = w + [0] * (k - 1)
    return [
        _any([None if x is None else abs(int(x)) == 1 for x in vp[i : i + k]])
        for i in range(len(w))
    ]


def seven_point_trend(y: list[float | None], k: int) -> list[int]:
    if len(y) < k:
        return [0] * len(y)
    out = [0] * (k - 1)
    for i in range(k - 1, len(y)):
        window = y[i - k + 1 : i + 1]
        if any(v is None for v in window):
            out.append(0)  # R stops with an error here; the engine reports no trend
            continue
        d = [sign(b - a) for a, b in itertools.pairwise(window)]
        out.append(1 if all(x == 1 for x in d) else -1 if all(x == -1 for x in d) else 0)
    return out


def two_in_three(close: list[bool | None], rtm: list[int | None]) -> list[bool | None]:
    vp = [0, 0, *close, 0, 0]
    rp = [0, 0, *rtm, 0, 0]

    def window(j: int) -> bool | None:
        c = vp[j : j + 3]
        r = rp[j : j + 3]
        enough = None if any(x is None for x in c) else sum(int(x) for x in c) >= 2
        side = None if any(x is None for x in r) else abs(sum(r)) == 3
        return _and(enough, side)

    return [_any([window(i), window(i + 1), window(i + 2)]) for i in range(len(close))]


def ptd_group(
    y: list[float | None], fix: int | None, screen: bool, shift: int = 7, trend: int = 7
) -> list[dict[str, object]]:
    """One facet x rebase group through ptd_spc_standard() and the point rules."""
    fix_y = [v if fix is None or i < fix else None for i, v in enumerate(y)]
    mean = r_mean(fix_y)
    mr = [None] + [
        None if a is None or b is None else abs(b - a) for a, b in itertools.pairwise(fix_y)
    ]
    amr = r_mean(mr)
    if screen:
        mr = [m if m is not None and m < 3.267 * amr else None for m in mr]
        amr = r_mean(mr)
    lpl, upl = mean - 2.66 * amr, mean + 2.66 * amr
    nlpl, nupl = mean - 2 * (2.66 / 3) * amr, mean + 2 * (2.66 / 3) * amr
    known = not math.isnan(amr)
    rows = []
    for v in y:
        if v is None or not known:
            rows.append(
                {"outside": None, "rtm": sign(v - mean) if v is not None else None, "close": None}
            )
            continue
        outside = v > upl or v < lpl
        rows.append(
            {
                "outside": outside,
                "rtm": sign(v - mean),
                "close": (not outside) and (v < nlpl or v > nupl),
            }
        )
    rtm = [r["rtm"] for r in rows]
    close = [r["close"] for r in rows]
    pst = part_of_run(seven_point_trend(y, trend), trend)
    p23 = [
        _and(t, None if c is None else bool(c))
        for t, c in zip(two_in_three(close, rtm), close, strict=True)
    ]
    pss = part_of_run(seven_point_one_side_mean(rtm, shift), shift)
    sdy = [
        sign(b - a) if a is not None and b is not None else None for a, b in itertools.pairwise(y)
    ]
    out = []
    for i, r in enumerate(rows):
        nxt = pst[i + 1] if i + 1 < len(y) else 0
        use_right = bool(nxt) and bool(pst[i])
        direction = (sdy[i] if i < len(sdy) else sdy[-1]) if use_right else (sdy[i - 1] if i else 0)
        word = "Above" if (r["rtm"] or 0) > 0 else "Below"
        if r["outside"]:
            label = "Above UCL" if r["rtm"] == 1 else "Below LCL"
        elif pst[i]:
            label = f"{trend} Point Trend ({'In' if direction == 1 else 'De'}creasing)"
        elif p23[i]:
            label = f"2 in 3 {word} CL"
        elif pss[i]:
            label = f"{shift} Points {word} CL"
        else:
            label = "Common Cause"
        out.append(
            {
                "mean": mean,
                "lpl": lpl,
                "upl": upl,
                "outside_limits": r["outside"],
                "relative_to_mean": r["rtm"],
                "close_to_limits": r["close"],
                "special_cause_type": label,
            }
        )
    return out
