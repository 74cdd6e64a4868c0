"""The commissioners' ROI tables, from the report objects of :func:`warehouse.roi.report.reports`.

The report objects (``m4c roi --json``; the ``report`` column of ``roi_summary``) have
been through disclosure control already (:func:`warehouse.disclosure.disclose`): hidden
counts are null. :func:`roi_tables` only lays them out as tables with the column names
a commissioner reads ("Net benefit (£)"); it never recomputes a count, and a hidden
count stays an empty cell. It refuses a count that does not look disclosed (not hidden,
not 0, not a multiple of 5 above 7), so a report from the wrong place cannot leak.

The tables, for :func:`warehouse.exports.spreadsheet.write_tables`:

- ``summary``: one row per site and the collaborative: the money with its 95%
  intervals, the ROI, the chance it is above zero, the break-even point, price year and
  cost basis;
- ``rate_ratios``: one row per site and resource: before, after, expected, the rate
  ratio with its interval, model, whether it is controlled, and a note;
- ``sensitivity``: one row per site and parameter varied: its low and high values and
  the net benefit and ROI at each;
- ``assumptions``: every assumption behind the figures;
- ``notes``: the disclosure rule, and what an empty cell means.

ROI and the chance that it is above zero are shown as percentages (the report holds
them as fractions), as :func:`warehouse.roi.report.text` prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl

from warehouse.disclosure import BASE, HIDDEN, THRESHOLD

SITE, SITE_ID = "Site", "Site ID"
MONEY = (
    ("intervention_cost", "Programme cost"),
    ("costs_avoided", "Costs avoided"),
    ("attributable_savings", "Savings credited to the programme"),
    ("cash_releasing", "Cash-releasing savings"),
    ("capacity", "Capacity freed, not cash"),
    ("net_benefit", "Net benefit"),
)
COUNTS = ("Before", "After", "Expected")
EMPTY_CELLS = (
    "An empty count is hidden under the rule above. Other empty cells are figures the "
    "data cannot give: a site with no change idea has no programme to cost, and a "
    "resource a site's extracts do not record has no before or after."
)
NO_CASH = "Cash-releasing savings not recorded: the site's extracts carry no drug costs."
_SAVING = {"capacity": "capacity, not cash", "cash": "cash", "none": "not priced"}


Report = dict[str, Any]
Column = tuple[str, Any, Callable[[Report], Any]]  # name, polars type, how to read it


def _interval(
    label: str,
    unit: str,
    key: str,
    *,
    scale: float = 1,
    digits: int | None = None,
    shown: Callable[[Report], bool] = lambda r: True,
) -> list[Column]:
    """Three columns (estimate, lower, upper) read from the interval at ``key``."""
    suffix = f" ({unit})" if unit else ""

    def part(bound: str) -> Callable[[Report], float | None]:
        def get(report: Report) -> float | None:
            value = (report.get(key) or {}).get(bound)
            return None if value is None or not shown(report) else _scaled(value, scale, digits)

        return get

    return [
        (f"{label}{suffix}", pl.Float64, part("estimate")),
        (f"{label}, lower 95%{suffix}", pl.Float64, part("lower")),
        (f"{label}, upper 95%{suffix}", pl.Float64, part("upper")),
    ]


def _scaled(value: float, scale: float, digits: int | None) -> float:
    value = float(value) * scale
    return round(value, digits) if digits is not None else value


def _period(key: str) -> Callable[[Report], str | None]:
    return lambda r: (r.get(key) or {}).get("text")


def _basis(report: Report) -> str | None:
    cost = report.get("intervention_cost")
    return None if cost is None else ", ".join(cost.get("basis") or []) or "no costs recorded"


def _note(report: Report) -> str:
    notes = [report.get("note") or ""]
    if report.get("intervention_cost") is not None and not _cash_recorded(report):
        notes.append(NO_CASH)
    return " ".join(n for n in notes if n)


def _cash_recorded(report: Report) -> bool:
    """As :func:`warehouse.roi.report.text` decides: a cash resource has a 'before'."""
    return any(
        r.get("before") is not None for r in report["rate_ratios"] if r.get("saving") == "cash"
    )


def _threshold(report: Report) -> float | None:
    return (report.get("threshold") or {}).get("admission_price")


def _summary_columns() -> list[Column]:
    money = [
        column
        for key, label in MONEY
        for column in _interval(
            label,
            "£",
            key,
            shown=_cash_recorded if key == "cash_releasing" else lambda r: True,
        )
    ]
    return [
        (SITE, pl.String, lambda r: r["site_name"]),
        (SITE_ID, pl.String, lambda r: r["site_id"]),
        ("Role", pl.String, lambda r: r["role"]),
        ("Baseline months", pl.String, _period("baseline")),
        ("Programme months", pl.String, _period("intervention")),
        *money,
        *_interval("ROI", "%", "roi", scale=100, digits=1),
        *_interval("Benefit-cost ratio", "", "benefit_cost_ratio"),
        (
            "Chance ROI is above zero (%)",
            pl.Float64,
            lambda r: None
            if r.get("probability_roi_positive") is None
            else _scaled(r["probability_roi_positive"], 100, 1),
        ),
        ("Break-even: emergency admissions to prevent", pl.Float64,
         lambda r: r.get("break_even_admissions")),
        ("Emergency admission price (£)", pl.Float64, _threshold),
        ("Price year", pl.String, lambda r: r.get("price_year")),
        ("Unit costs version", pl.String, lambda r: r.get("unit_costs_version")),
        ("Cost basis", pl.String, _basis),
        ("Note", pl.String, _note),
    ]  # fmt: skip


def _count(value: Any) -> float | None:
    """A published count as it is; a hidden one (null or the HIDDEN mark) as null."""
    return None if value is None or value == HIDDEN else float(value)


def _controlled(row: Report) -> str | None:
    if row.get("controlled") is None:
        return None
    return "yes" if row["controlled"] else "no"


def _saving(bound: str) -> Callable[[Report], float | None]:
    return lambda row: (row.get("saving_gbp") or {}).get(bound)


RATE_COLUMNS: list[Column] = [
    ("Resource", pl.String, lambda row: row.get("title") or row["resource"]),
    ("Unit", pl.String, lambda row: row.get("unit")),
    ("Saving", pl.String, lambda row: _SAVING.get(row.get("saving"), row.get("saving"))),
    ("Before", pl.Float64, lambda row: _count(row.get("before"))),
    ("After", pl.Float64, lambda row: _count(row.get("after"))),
    ("Expected", pl.Float64, lambda row: _count(row.get("expected"))),
    ("Rate ratio", pl.Float64, lambda row: row.get("estimate")),
    ("Rate ratio, lower 95%", pl.Float64, lambda row: row.get("lower")),
    ("Rate ratio, upper 95%", pl.Float64, lambda row: row.get("upper")),
    ("Model", pl.String, lambda row: row.get("model")),
    ("Controlled (against comparison homes)", pl.String, _controlled),
    ("Homes in the programme", pl.Int64, lambda row: row.get("homes_treated")),
    ("Comparison homes", pl.Int64, lambda row: row.get("homes_comparison")),
    ("Saving (£)", pl.Float64, _saving("estimate")),
    ("Saving, lower 95% (£)", pl.Float64, _saving("lower")),
    ("Saving, upper 95% (£)", pl.Float64, _saving("upper")),
    ("Note", pl.String, lambda row: row.get("note") or ""),
]

SENSITIVITY_COLUMNS: list[Column] = [
    ("Parameter", pl.String, lambda row: row["parameter"]),
    ("Low value", pl.String, lambda row: row.get("low_label")),
    ("High value", pl.String, lambda row: row.get("high_label")),
    ("Net benefit at the low value (£)", pl.Float64, lambda row: row.get("net_low")),
    ("Net benefit at the high value (£)", pl.Float64, lambda row: row.get("net_high")),
    ("ROI at the low value (%)", pl.Float64,
     lambda row: None if row.get("roi_low") is None else _scaled(row["roi_low"], 100, 1)),
    ("ROI at the high value (%)", pl.Float64,
     lambda row: None if row.get("roi_high") is None else _scaled(row["roi_high"], 100, 1)),
    ("Swing in net benefit (£)", pl.Float64, lambda row: row.get("swing")),
]  # fmt: skip


def _frame(columns, rows: list[Report], *, site: Sequence[Report] = ()):
    """A frame of the given columns, one row per item; ``site`` gives each row's report."""
    lead = [(SITE, pl.String), (SITE_ID, pl.String)] if site else []
    schema = dict(lead + [(name, dtype) for name, dtype, _ in columns])
    data = [
        ({SITE: r["site_name"], SITE_ID: r["site_id"]} if site else {})
        | {name: get(row) for name, _, get in columns}
        for row, r in zip(rows, site or [None] * len(rows), strict=True)
    ]
    return pl.DataFrame(data, schema=schema, orient="row") if data else pl.DataFrame(schema=schema)


def roi_tables(reports: Sequence[Report]) -> dict[str, pl.DataFrame]:
    """The commissioners' tables: summary, rate ratios, sensitivity, assumptions, notes.

    Parameters
    ----------
    reports : sequence of dict
        The ROI report objects, one per site and one for the collaborative, as
        :func:`warehouse.roi.report.reports` returns them (already disclosed).

    Returns
    -------
    dict of str to polars.DataFrame
        ``summary``, ``rate_ratios``, ``sensitivity``, ``assumptions`` and ``notes``, in
        that order, ready for :func:`warehouse.exports.spreadsheet.write_tables`.

    Raises
    ------
    ValueError
        If a count in a rate-ratio row is published but not disclosed: not 0 and not a
        multiple of 5 above 7 (counts of 1 to 7 are hidden, the rest rounded to 5).

    Examples
    --------
    >>> report = {
    ...     "site_id": "site_a", "site_name": "Hillcrest", "role": "intervention",
    ...     "price_year": "2023/24", "baseline": None, "intervention": None,
    ...     "net_benefit": {"estimate": 4252.0, "lower": -900.0, "upper": 9800.0},
    ...     "rate_ratios": [{"resource": "ae_attendances", "title": "A&E attendances",
    ...                      "unit": "attendances", "before": 20, "after": None,
    ...                      "expected": None, "estimate": None,
    ...                      "note": "hidden: fewer than 8 events in a period"}],
    ...     "sensitivity": [], "assumptions": ["Prices are of 2023/24."],
    ...     "disclosure": "Counts of 1 to 7 are hidden.",
    ... }
    >>> tables = roi_tables([report])
    >>> tables["summary"].select("Site", "Net benefit (£)").rows()
    [('Hillcrest', 4252.0)]
    >>> tables["rate_ratios"].select("Resource", "Before", "After").rows()
    [('A&E attendances', 20.0, None)]

    The hidden count of attendances after the start stays empty.
    """
    ratios = [(row, r) for r in reports for row in r.get("rate_ratios") or []]
    sensitivity = [(row, r) for r in reports for row in r.get("sensitivity") or []]
    rate_ratios = _frame(RATE_COLUMNS, [row for row, _ in ratios], site=[r for _, r in ratios])
    _check_disclosed(rate_ratios)
    assumptions = list(dict.fromkeys(a for r in reports for a in r.get("assumptions") or []))
    disclosure = list(dict.fromkeys(r["disclosure"] for r in reports if r.get("disclosure")))
    return {
        "summary": _frame(_summary_columns(), list(reports)),
        "rate_ratios": rate_ratios,
        "sensitivity": _frame(
            SENSITIVITY_COLUMNS, [row for row, _ in sensitivity], site=[r for _, r in sensitivity]
        ),
        "assumptions": pl.DataFrame(
            {"No.": range(1, len(assumptions) + 1), "Assumption": assumptions},
            schema={"No.": pl.Int64, "Assumption": pl.String},
        ),
        "notes": pl.DataFrame({"Note": [*disclosure, EMPTY_CELLS]}, schema={"Note": pl.String}),
    }


def _check_disclosed(rate_ratios: pl.DataFrame) -> None:
    """Raise if a published count (not pounds) is neither 0 nor a multiple of 5 above 7."""
    counts = rate_ratios.filter(pl.col("Unit") != "£")
    bad = counts.filter(
        pl.any_horizontal(
            pl.col(c).is_not_null()
            & (pl.col(c) != 0)
            & ((pl.col(c) % BASE != 0) | (pl.col(c) <= THRESHOLD))
            for c in COUNTS
        )
    )
    if bad.height:
        row = bad.row(0, named=True)
        raise ValueError(
            f"roi_tables: {row[SITE_ID]}'s {row['Resource']!r} has counts "
            f"{[row[c] for c in COUNTS]} that are not disclosed (counts of 1 to {THRESHOLD} "
            f"hidden, others rounded to {BASE}); pass the report objects of "
            "warehouse.roi.report.reports, never raw counts."
        )
