"""What a chart shows, in words a care-home manager can act on.

Each function turns a result into one finding per series (facet and part, or facet
and rebase group): a headline and the sentences behind it. The wording avoids
statistical jargon; where a term is needed ("centre line", "control limits") the
sentence says what it means for the team.

Examples
--------
>>> import polars as pl
>>> from charts.spc import qic
>>> d = pl.DataFrame({"month": range(1, 21), "falls": [6, 7, 5, 8, 6, 7, 6, 8, 7, 6] + [3] * 10})
>>> explain_qic(qic(d, x="month", y="falls"))[0].headline
'Signal: the process has changed'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from charts.mdc import MdcResult
    from charts.qic import QicResult

_NO_SIGNAL = (
    "The ups and downs look like the normal variation of this process (common cause "
    "variation). No single month is unusual: react to the overall level, not to "
    "individual points."
)


@dataclass(frozen=True)
class Finding:
    """The verdict on one series.

    Attributes
    ----------
    key : dict
        Facet values and the part (qic) or rebase group (mdc) it concerns.
    headline : str
        One line, e.g. "Signal: the process has changed" or "No signal".
    details : tuple of str
        Sentences explaining each signal found, and any caveat (trial limits).
    signal : bool
        Whether any rule fired.
    """

    key: dict[str, Any]
    headline: str
    details: tuple[str, ...]
    signal: bool

    @property
    def label(self) -> str:
        """The series this finding is about, e.g. ``"home = Oak Lodge, part 2"``."""
        parts = [
            f"{k} {v}" if k in ("part", "group") else f"{k} = {v}" for k, v in self.key.items()
        ]
        return ", ".join(parts)


def _points_list(values: list[Any], limit: int = 5) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def explain_qic(result: QicResult) -> list[Finding]:
    """One finding per facet and part of a :func:`charts.spc.qic` result."""
    facets = list(result.facets)
    points = result.points.with_columns(pl.col(result.x).cast(pl.String).alias("__x"))
    findings = []
    by_part = points.group_by([*facets, "part"], maintain_order=True)
    summary = {tuple(r[c] for c in [*facets, "part"]): r for r in result.summary.to_dicts()}
    for key, rows in by_part:
        s = summary[tuple(key)]
        details = _runs_sentences(result, s, rows)
        sigma_x = rows.filter(pl.col("sigma_signal"))["__x"].to_list()
        if sigma_x:
            where = (
                "above the upper control limit" if _above(rows) else "outside the control limits"
            )
            details.append(
                f"{len(sigma_x)} point(s) lie {where} ({_points_list(sigma_x)}): "
                "something unusual happened then, beyond normal variation, and is worth "
                "finding out about."
            )
        signal = bool(details)
        if not signal:
            details.append(_NO_SIGNAL)
        if s.get("trial_limits"):
            details.append(
                f"Fewer than {result.rules.min_points} points set these limits, so they are "
                "provisional (trial limits) and will firm up as more months are added."
            )
        headline = "Signal: the process has changed" if signal else "No signal"
        k = dict(zip(facets, key[:-1], strict=True))
        if s["part"] > 1 or points["part"].max() > 1:
            k["part"] = s["part"]
        findings.append(Finding(k, headline, tuple(details), signal))
    return findings


def _above(rows: pl.DataFrame) -> bool:
    flagged = rows.filter(pl.col("sigma_signal"))
    return bool((flagged["y"] > flagged["ucl"]).all())


def _runs_sentences(result: QicResult, s: dict[str, Any], rows: pl.DataFrame) -> list[str]:
    if result.categorical or result.chart == "mr" or not s["n_useful"]:
        return []
    centre = "median" if result.chart == "run" else "centre line"
    out = []
    if result.rules.name == "ihi":
        if s["shift"]:
            out.append(
                f"A shift: {result.rules.shift} or more points in a row on one side of the "
                "median. The process has moved; if you made a change, it may be working."
            )
        if s["trend"]:
            out.append(
                f"A trend: {result.rules.trend} or more points in a row going the same way. "
                "Something is steadily changing."
            )
        if s["n_runs_min"] is not None and s["n_runs"] < s["n_runs_min"]:
            out.append(
                f"Too few runs: the data cross the median only {s['n_runs'] - 1} times "
                f"({s['n_runs']} runs; fewer than {s['n_runs_min']} is unlikely by chance)."
            )
        if s["n_runs_max"] is not None and s["n_runs"] > s["n_runs_max"]:
            out.append(
                f"Too many runs ({s['n_runs']}; more than {s['n_runs_max']} is unlikely by "
                "chance): the data zig-zag, which often means two processes are mixed."
            )
        if s["astronomical"]:
            xs = rows.filter(pl.col("astronomical"))["__x"].to_list()
            out.append(
                f"An astronomical point ({_points_list(xs)}): a value far from all the "
                "others. Find out what happened."
            )
        return out
    if s["longest_run"] > s["longest_run_max"]:
        out.append(
            f"An unusually long run: {s['longest_run']} points in a row on the same side of "
            f"the {centre}, where chance alone rarely gives more than {s['longest_run_max']}. "
            "The process has shifted; if you made a change, it may be working."
        )
    if s["n_crossings"] < s["n_crossings_min"]:
        out.append(
            f"Too few crossings: the data cross the {centre} {s['n_crossings']} times, where "
            f"chance would give at least {s['n_crossings_min']}. The process has shifted."
        )
    return out


_MDC_VARIATION = {
    "common_cause": "Common cause variation: no sign of change, up or down.",
    "special_cause_improvement": "Special cause variation, improvement: the latest data show "
    "a change for the better.",
    "special_cause_concern": "Special cause variation, concern: the latest data show a change "
    "for the worse. Look into it.",
    "special_cause_neutral_high": "Special cause variation: the latest data are higher than usual.",
    "special_cause_neutral_low": "Special cause variation: the latest data are lower than usual.",
}
_MDC_ASSURANCE = {
    "pass": "The target is met consistently: the process limits are all on the right side of it.",
    "fail": "The target will not be met without a change to the process: it lies beyond the "
    "process limits.",
    "inconsistent": "The target will be met some months and missed in others: it lies within "
    "the process limits.",
}
_MDC_RULES = {
    "outside_limits": "{n} point(s) outside the process limits ({x})",
    "trend": "a run of {k} or more points going the same way ({x})",
    "two_in_three": "two out of three points close to a limit ({x})",
    "shift": "{k} or more points in a row on one side of the average ({x})",
}


def explain_mdc(result: MdcResult) -> list[Finding]:
    """One finding per facet and rebase group of a :func:`charts.spc.mdc` result."""
    keys = [result.facet] if result.facet else []
    points = result.points.with_columns(pl.col(result.x).cast(pl.String).alias("__x"))
    summary = result.summary.to_dicts()
    findings = []
    for (_, rows), s in zip(
        points.group_by([*keys, "rebase_group"], maintain_order=True), summary, strict=True
    ):
        found = []
        for rule, text in _MDC_RULES.items():
            flagged = rows.filter(pl.col(rule).fill_null(False))["__x"].to_list()
            if flagged:
                k = result.rules.trend if rule == "trend" else result.rules.shift
                found.append(text.format(n=len(flagged), k=k, x=_points_list(flagged)))
        details = [_MDC_VARIATION[s["variation_type"]]]
        if found:
            kinds = [
                f"{s[k]} of {k.removeprefix('special_cause_')}"
                for k in ("special_cause_concern", "special_cause_improvement")
                if s[k]
            ]
            counted = f" ({', '.join(kinds)})" if kinds else ""
            details.append(
                f"Special cause points in this period{counted}. Rules that fired: "
                + "; ".join(found)
                + "."
            )
        if s["assurance_type"]:
            details.append(_MDC_ASSURANCE[s["assurance_type"]])
        if s["short_group_warning"]:
            details.append(
                f"Fewer than {result.rules.min_points} points set these limits, so they are "
                "provisional and will firm up as more data are added."
            )
        key = {k: s[k] for k in keys}
        if result.summary.get_column("rebase_group").max() > 0:
            key["group"] = s["rebase_group"] + 1
        headline = {
            "special_cause_improvement": "Improvement",
            "special_cause_concern": "Concern",
            "special_cause_neutral_high": "Signal: higher than usual",
            "special_cause_neutral_low": "Signal: lower than usual",
        }.get(s["variation_type"])
        if headline is None:
            headline = "Signals earlier in this period" if found else "No signal"
        findings.append(Finding(key, headline, tuple(details), bool(found)))
    return findings
