"""Reading the reference cases in tests/charts/oracle and replaying them through our API.

Each case records an R call (``qic(month, n, days, data = d, chart = 'u')`` or
``ptd_spc(d, value, date, rebase = ...)``), its input data frame and the reference
output. This module parses the call, translates it into a call of
``charts.spc.qic`` or ``charts.spc.mdc``, and lines the two outputs up row by row,
so a new case dropped into the folder becomes a test without new code.

The folder's README says where the cases come from and describes the file schema.
``M4C_ORACLE_DIR`` points the tests at another folder of cases instead.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

ORACLE_DIR = Path(
    os.environ.get("M4C_ORACLE_DIR", Path(__file__).resolve().parent / "charts" / "oracle")
)


def oracle_files(prefix: str) -> list[Path]:
    """The reference cases whose file name starts with ``prefix``.

    Raises if the folder is missing, so that a misplaced checkout fails loudly
    rather than running no golden test.
    """
    if not ORACLE_DIR.is_dir():
        raise FileNotFoundError(
            f"The SPC reference cases are not at {ORACLE_DIR}. They belong in "
            "tests/charts/oracle of the repository; restore that folder, or set "
            "M4C_ORACLE_DIR to a folder of cases."
        )
    return sorted(p for p in ORACLE_DIR.glob(f"{prefix}*.json") if "thresholds" not in p.name)


@dataclass(frozen=True)
class Case:
    """One reference case: its id, input frame, parsed R call and reference output."""

    id: str
    frame: pl.DataFrame
    func: str
    args: list[Any]
    kwargs: dict[str, Any]
    output: dict[str, Any]
    options: dict[str, Any]


def load_case(path: Path) -> Case:
    """Parse a reference case file."""
    d = json.loads(path.read_text())
    inp = d["input"]
    types = inp.get("column_types") or {}
    data = {
        name: _column(name, values, (types.get(name) or ["numeric"])[0])
        for name, values in inp["columns"].items()
    }
    func, args, kwargs = parse_call(d["r_call"])
    return Case(
        d["id"], pl.DataFrame(data), func, args, kwargs, d["output"], d["tool"].get("options") or {}
    )


def _column(name: str, values: list[Any], rtype: str) -> pl.Series:
    if rtype == "Date":
        return pl.Series(name, values, dtype=pl.String).str.to_date()
    if rtype in ("POSIXct", "POSIXt"):
        return pl.Series(name, values, dtype=pl.String).str.to_datetime()
    if rtype == "integer":
        return pl.Series(name, values, dtype=pl.Int64)
    if rtype == "numeric":
        return pl.Series(name, values, dtype=pl.Float64)
    if rtype == "logical":
        return pl.Series(name, values, dtype=pl.Boolean)
    return pl.Series(name, values, dtype=pl.String)


# --- a small parser for the R calls in the case files --------------------------------

_TOKEN = re.compile(
    r"""\s*(?:(?P<num>-?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?L?)|(?P<str>'[^']*'|"[^"]*")|"""
    r"""(?P<name>[A-Za-z_.][\w.]*(?:::?[A-Za-z_.][\w.]*)?)|(?P<op>[(),=~:]))"""
)


@dataclass(frozen=True)
class Formula:
    """An R formula such as ``~ infection`` or ``hospital ~ infection``."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Name:
    """A bare R name (a column reference)."""

    name: str


def parse_call(text: str) -> tuple[str, list[Any], dict[str, Any]]:
    """Parse ``f(a, b, k = v)`` into ``("f", [a, b], {"k": v})``."""
    tokens = [m for m in _TOKEN.finditer(text) if m.group().strip()]
    pos = 0

    def peek() -> str | None:
        return tokens[pos].group().strip() if pos < len(tokens) else None

    def take() -> re.Match[str]:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def value() -> Any:
        if peek() == "~":
            take()
            return Formula(tuple(names_until_delimiter()))
        tok = take()
        if tok.group("num"):
            s = tok.group("num").rstrip("L")
            return float(s) if any(c in s for c in ".eE") else int(s)
        if tok.group("str"):
            return tok.group("str")[1:-1]
        name = tok.group("name")
        if name in ("TRUE", "FALSE"):
            return name == "TRUE"
        if name in ("NULL", "NA"):
            return None
        if peek() == "(":
            take()
            args, kwargs = arguments()
            return _call_value(name, args, kwargs)
        if peek() == ":":
            take()
            end = value()
            return list(range(int(name), int(end) + 1))
        if peek() == "~":
            take()
            return Formula((name, *names_until_delimiter()))
        return Name(name)

    def names_until_delimiter() -> list[str]:
        out = []
        while peek() not in (None, ",", ")"):
            tok = take()
            if tok.group("name"):
                out.append(tok.group("name"))
        return out

    def arguments() -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = [], {}
        while peek() != ")":
            if (
                pos + 1 < len(tokens)
                and tokens[pos + 1].group().strip() == "="
                and (tokens[pos].group("name") or tokens[pos].group("str"))
            ):
                key = take().group().strip().strip("'\"")
                take()
                kwargs[key] = value()
            else:
                args.append(value())
            if peek() == ",":
                take()
        take()
        return args, kwargs

    func = take().group("name")
    take()
    args, kwargs = arguments()
    return func, args, kwargs


def _call_value(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    short = name.rsplit(":", maxsplit=1)[-1]
    if short in ("c", "list", "ptd_rebase", "ptd_target"):
        if kwargs:
            return {k: v for k, v in kwargs.items()}
        return args[0] if len(args) == 1 and short in ("ptd_target",) else list(args)
    if short in ("as.Date", "as.POSIXct", "ymd"):
        return pl.Series([args[0]]).str.to_date().item()
    raise ValueError(f"unsupported R call {name}() in a reference case")


# --- qicharts2 cases ---------------------------------------------------------------------

_RUNS_COLUMNS = {
    "n.obs": "n_obs",
    "n.useful": "n_useful",
    "longest.run": "longest_run",
    "longest.run.max": "longest_run_max",
    "n.crossings": "n_crossings",
    "n.crossings.min": "n_crossings_min",
    "runs.signal": "runs_signal",
    "sigma.signal": "sigma_signal",
}
QIC_COLUMNS = {
    **{
        c: c.replace(".", "_")
        for c in (
            "y",
            "n",
            "y.sum",
            "y.length",
            "y.mean",
            "y.sd",
            "cl",
            "lcl",
            "ucl",
            "lcl.95",
            "ucl.95",
            "part",
            "xx",
            "baseline",
            "include",
        )
    },
    **_RUNS_COLUMNS,
}
QIC_SUMMARY_COLUMNS = {
    "part": "part",
    **_RUNS_COLUMNS,
    "aLCL": "a_lcl",
    "aLCL.95": "a_lcl_95",
    "CL": "cl",
    "aUCL.95": "a_ucl_95",
    "aUCL": "a_ucl",
}


def qic_arguments(case: Case) -> dict[str, Any]:
    """Our ``qic()`` keyword arguments for a qicharts2 case.

    qicharts2 names points by position (``freeze = 24`` is the 24th subgroup); our
    API names them by x value, so positions are translated through the reference
    output's ``x`` and ``xx`` columns.
    """
    positional = [a.name if isinstance(a, Name) else a for a in case.args]
    kw = {k: (v.name if isinstance(v, Name) else v) for k, v in case.kwargs.items()}
    kw.pop("data", None)
    roles = ["x", "y", "n"]
    call: dict[str, Any] = dict(zip(roles, positional, strict=False))
    call.update({k: kw.pop(k) for k in roles if k in kw})
    if "y" not in call:
        call["y"], call["x"] = call["x"], None
    call["chart"] = kw.pop("chart", "run")
    if "facets" in kw:
        call["facets"] = list(kw.pop("facets").names)
    if "multiply" in kw:
        call["multiply"] = kw.pop("multiply")
    pts = case.output["points"]
    first = [
        i
        for i, f in enumerate(pts["facet1"])
        if f == pts["facet1"][0] and pts["facet2"][i] == pts["facet2"][0]
    ]
    by_index = {pts["xx"][i]: pts["x"][i] for i in first}

    def x_at(index: int) -> Any:
        value = by_index[index]
        column = call["x"]
        if column is not None and case.frame.schema[column] == pl.Date:
            return pl.Series([value]).str.to_date().item()
        return value

    freeze = kw.pop("freeze", None)
    part = kw.pop("part", None)
    exclude = kw.pop("exclude", None)
    if freeze is not None:
        call["freeze"] = x_at(int(freeze))
    if part is not None:
        call["parts"] = [x_at(int(p) + 1) for p in _as_list(part) if int(p) < len(first)]
    if exclude is not None:
        call["exclude"] = [x_at(int(e)) for e in _as_list(exclude) if int(e) in by_index]
    call["screen_mr"] = bool(case.options.get("qic.screenedmr", False))
    if kw:
        raise ValueError(f"{case.id}: unsupported qic() arguments {sorted(kw)}")
    return call


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


# --- NHSRplotthedots cases -------------------------------------------------------------------

MDC_COLUMNS = {
    "y": "y",
    "mean_col": "mean",
    "lpl": "lpl",
    "upl": "upl",
    "rebase_group": "rebase_group",
    "outside_limits": "outside_limits",
    "relative_to_mean": "relative_to_mean",
    "close_to_limits": "close_to_limits",
    "special_cause_type": "special_cause_type",
    "special_cause_flag": "special_cause_flag",
    "point_type": "point_type",
    "short_group_warning": "short_group_warning",
    "target": "target",
}
MDC_RULE_FLAGS = {
    "part_of_trend7": "trend",
    "part_of_shift7": "shift",
    "part_of_two_in_three": "two_in_three",
}
MDC_SUMMARY_COLUMNS = {
    "mean_col": "mean",
    "lpl": "lpl",
    "upl": "upl",
    "n": "n",
    "common_cause": "common_cause",
    "special_cause_improvement": "special_cause_improvement",
    "special_cause_concern": "special_cause_concern",
    "variation_type": "variation_type",
    "rebase_group": "rebase_group",
}
ASSURANCE = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "inconsistent"}


def mdc_arguments(case: Case) -> dict[str, Any]:
    """Our ``mdc()`` keyword arguments for an NHSRplotthedots ``ptd_spc()`` case."""
    roles = [
        "value_field",
        "date_field",
        "facet_field",
        "rebase",
        "fix_after_n_points",
        "improvement_direction",
        "target",
        "trajectory",
        "screen_outliers",
    ]
    given = dict(zip(roles, case.args[1:], strict=False)) | case.kwargs
    given = {k: (v.name if isinstance(v, Name) else v) for k, v in given.items()}
    call: dict[str, Any] = {"y": given.pop("value_field"), "x": given.pop("date_field")}
    renames = {
        "facet_field": "facet",
        "improvement_direction": "improvement",
        "fix_after_n_points": "fix_after_n_points",
        "screen_outliers": "screen_outliers",
        "target": "target",
        "rebase": "rebase",
    }
    for r_name, ours in renames.items():
        value = given.pop(r_name, None)
        if value is not None and value != []:
            call[ours] = int(value) if ours == "fix_after_n_points" else value
    if given:
        raise ValueError(f"{case.id}: unsupported ptd_spc() arguments {sorted(given)}")
    return call
