"""The unit costs of the ROI, at one price year, declared once in ``unit_costs.toml``.

:func:`load_unit_costs` reads the file, checks every row and brings each value (and its
low and high) to the file's price year with the NHS cost inflation index (:func:`uprate`).
The result, :class:`UnitCosts`, holds one row per item: what the commissioner report
prints beside every ROI, with its source, table and whether it is an assumption.

Examples
--------
>>> costs = load_unit_costs()
>>> costs.price_year, costs.value("nel_long_stay"), costs.value("gp_minute")
('2023/24', 5134.0, 4.47)
>>> ooh = costs.row("ooh_contact")
>>> ooh["value_published"], ooh["price_year"], round(ooh["uprating"], 4), ooh["assumption"]
(68.3, '2013/14', 1.2801, True)

The out-of-hours figure of 2013/14 is uprated by ten years of the index, two of them
(2014/15, 2015/16) unverified, so the row is flagged as an assumption.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import polars as pl

UNIT_COSTS = resources.files("warehouse.roi").joinpath("unit_costs.toml")
SAVINGS = ("cash", "capacity", "none")
# The items the ROI's code prices with: the file must have each of them.
ITEMS = (
    "nel_long_stay",
    "nel_short_stay",
    "nel_average",
    "excess_bed_day",
    "hospital_bed_day",
    "ae_attendance",
    "ambulance_see_convey",
    "ambulance_see_treat",
    "ambulance_hear_treat",
    "gp_consultation",
    "gp_minute",
    "gp_home_visit",
    "ooh_contact",
    "pharmacist_band_6",
    "pharmacist_band_7",
    "pharmacist_band_8a",
    "dietitian_band_5",
    "dietitian_band_6",
    "dietitian_band_7",
    "nurse_band_5",
    "nurse_band_7",
    "care_worker_hour",
    "district_nurse_contact",
    "dietitian_contact",
    "care_home_nursing_week",
    "care_home_residential_week",
    "gp_services_resident_week",
)
# Key of a [[cost]] -> its type, in the order of the frame's text columns.
_KEYS: dict[str, type | tuple[type, ...]] = {
    "item": str,
    "title": str,
    "value": (int, float),
    "unit": str,
    "price_year": str,
    "source": str,
    "table": str,
    "low": (int, float),
    "high": (int, float),
    "saving": str,
    "assumption": bool,
    "note": str,
}
_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_ITEM = re.compile(r"^[a-z][a-z0-9_]*$")
SCHEMA = {
    "item": pl.String,
    "title": pl.String,
    "value": pl.Float64,
    "low": pl.Float64,
    "high": pl.Float64,
    "unit": pl.String,
    "price_year": pl.String,
    "value_published": pl.Float64,
    "uprating": pl.Float64,
    "source": pl.String,
    "table": pl.String,
    "saving": pl.String,
    "assumption": pl.Boolean,
    "note": pl.String,
}


class UnitCostError(ValueError):
    """A unit-costs file that cannot be used, naming the file, item and key, and the fix."""


@dataclass(frozen=True)
class UnitCosts:
    """The unit costs of one file, every value at ``price_year``.

    Attributes
    ----------
    version : str
        The file's version (``2026.12.1``), printed with every ROI.
    price_year : str
        The financial year of every value (``2023/24``).
    frame : polars.DataFrame
        One row per item: ``item, title, value, low, high`` (at the price year),
        ``unit``, ``price_year`` (as published), ``value_published``, ``uprating`` (the
        factor applied), ``source``, ``table``, ``saving``, ``assumption``, ``note``.
    inflation : Mapping
        The NHS cost inflation index by financial year (``{"2023/24": 0.0431, ...}``).
    inflation_assumed : tuple of str
        The years of the index that are assumptions, not read from a source.
    """

    version: str
    price_year: str
    frame: pl.DataFrame
    inflation: Mapping[str, float] = dataclasses.field(default_factory=dict)
    inflation_assumed: tuple[str, ...] = ()

    def value(self, item: str) -> float:
        """The value of ``item`` at the price year (KeyError naming the known items)."""
        return float(self.row(item)["value"])

    def row(self, item: str) -> dict[str, Any]:
        """Every column of ``item``'s row, as a dict (KeyError naming the known items)."""
        rows = self.frame.filter(pl.col("item") == item)
        if rows.is_empty():
            known = ", ".join(self.frame["item"].to_list())
            raise KeyError(f"no unit cost {item!r}; the unit costs are {known}")
        return rows.row(0, named=True)

    def with_values(self, values: Mapping[str, float]) -> UnitCosts:
        """These costs with some items' values replaced (at the price year): a sensitivity.

        Examples
        --------
        >>> costs = load_unit_costs()
        >>> costs.with_values({"gp_minute": costs.row("gp_minute")["low"]}).value("gp_minute")
        3.68
        """
        for item in values:
            self.row(item)
        frame = self.frame.with_columns(
            value=pl.col("item").replace_strict(
                dict(values), default=pl.col("value"), return_dtype=pl.Float64
            )
        )
        return dataclasses.replace(self, frame=frame)


def _start(year: str) -> int:
    """The calendar year a financial year ``YYYY/YY`` starts in (ValueError if not one)."""
    m = _YEAR.match(year)
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        raise ValueError(f"{year!r} is not a financial year written YYYY/YY (2023/24)")
    return int(m[1])


def _label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def uprate(value: float, from_year: str, to_year: str, inflation: Mapping[str, float]) -> float:
    """``value`` at ``from_year`` prices brought to ``to_year`` with an inflation index.

    Multiplies by (1 + index) for each year after ``from_year`` up to and including
    ``to_year``, the index being the change into that year (PSSRU 2024 Table 12.1.1,
    NHS cost inflation index); a later ``from_year`` divides instead.

    Raises
    ------
    ValueError
        If a year is not written ``YYYY/YY``, or the index lacks a year it needs.

    Examples
    --------
    >>> round(uprate(100, "2021/22", "2023/24", {"2022/23": 0.0732, "2023/24": 0.0431}), 4)
    111.9455
    >>> uprate(100, "2023/24", "2023/24", {})
    100.0
    """
    a, b = _start(from_year), _start(to_year)
    years = [_label(y) for y in range(min(a, b) + 1, max(a, b) + 1)]
    missing = [y for y in years if y not in inflation]
    if missing:
        raise ValueError(
            f"the inflation index has no {', '.join(missing)}, needed to bring {from_year} "
            f"prices to {to_year}"
        )
    factor = math.prod(1 + float(inflation[y]) for y in years)  # PSSRU 2024 Table 12.1.1
    return float(value) * (factor if a <= b else 1 / factor)


def load_unit_costs(path: Path | Traversable | None = None) -> UnitCosts:
    """The unit costs of ``path`` (default: the shipped ``unit_costs.toml``), checked.

    Raises
    ------
    UnitCostError
        If the file is missing or not TOML, lacks its version, price year or index, or
        a ``[[cost]]`` lacks a key, has an unknown one or one of the wrong type, repeats
        an item, has its value outside [low, high], names an unknown kind of saving or a
        price year the index cannot bring to the file's; or if an item the ROI prices
        with (:data:`ITEMS`) is missing. The message names the file, the item and the
        key, and says how to fix it.
    """
    source = UNIT_COSTS if path is None else path
    name = str(source)
    if not source.is_file():
        raise UnitCostError(
            f"cannot find the unit costs file {name}. Reinstall measure-for-change, or "
            "restore it (git checkout -- warehouse/roi/unit_costs.toml)."
        )
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UnitCostError(f"{name} is not valid TOML ({exc}). Correct it.") from None
    version, price_year = (_top(data, name, k) for k in ("version", "price_year"))
    inflation, assumed = _inflation(data, name)
    rows = []
    for i, entry in enumerate(data.get("cost", []), start=1):
        rows.append(_row(entry, i, name, price_year, inflation, assumed))
    items = [r["item"] for r in rows]
    repeated = sorted({i for i in items if items.count(i) > 1})
    if repeated:
        raise UnitCostError(
            f"{name}: the item {repeated[0]!r} has more than one [[cost]]. Keep one, or "
            "give the other another item."
        )
    missing = [i for i in ITEMS if i not in items]
    if missing:
        raise UnitCostError(
            f"{name} has no [[cost]] for {', '.join(map(repr, missing))}, which the ROI "
            "prices with. Add a [[cost]] with that item (see docs/roi.md)."
        )
    frame = pl.DataFrame(rows, schema=SCHEMA, orient="row") if rows else pl.DataFrame(schema=SCHEMA)
    return UnitCosts(version, price_year, frame, inflation, assumed)


def _top(data: Mapping[str, Any], name: str, key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise UnitCostError(
            f"{name} has no {key} (a text value at the top of the file). Add "
            f'{key} = "{"2023/24" if key == "price_year" else "2026.12.1"}" above the tables.'
        )
    if key == "price_year":
        _year(value, name, "the file", key)
    return value


def _year(value: str, name: str, where: str, key: str) -> None:
    try:
        _start(value)
    except ValueError as exc:
        raise UnitCostError(f"{name}: {where} has {key} {exc}. Write it as 2023/24.") from None


def _inflation(data: Mapping[str, Any], name: str) -> tuple[dict[str, float], tuple[str, ...]]:
    """The ``[inflation]`` table (year -> index) and the years that are assumptions."""
    table = data.get("inflation")
    if not isinstance(table, dict):
        raise UnitCostError(
            f"{name} has no [inflation] table: the NHS cost inflation index by financial "
            'year ("2023/24" = 0.0431). Add it (PSSRU 2024 Table 12.1.1).'
        )
    for year, rate in table.items():
        _year(year, name, "[inflation]", "a year")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or abs(rate) >= 0.5:
            raise UnitCostError(
                f"{name}: [inflation] gives {year} the index {rate!r}. Give the change into "
                "that year as a fraction (4.31% is 0.0431)."
            )
    assumed = data.get("inflation_assumed", [])
    if not isinstance(assumed, list) or any(y not in table for y in assumed):
        raise UnitCostError(
            f"{name}: inflation_assumed must list years of the [inflation] table, not "
            f"{assumed!r}. Correct it."
        )
    return {y: float(r) for y, r in table.items()}, tuple(assumed)


def _row(
    entry: Mapping[str, Any],
    i: int,
    name: str,
    price_year: str,
    inflation: Mapping[str, float],
    assumed: tuple[str, ...],
) -> dict[str, Any]:
    """One ``[[cost]]`` checked, its value, low and high at ``price_year``."""
    item = entry.get("item")
    where = f"the [[cost]] {item!r}" if isinstance(item, str) else f"[[cost]] number {i}"
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise UnitCostError(
            f"{name}: {where} has the unknown key {unknown[0]!r}. Its keys are "
            f"{', '.join(_KEYS)}; remove it or correct its name."
        )
    for key, kind in _KEYS.items():
        value = entry.get(key)
        if value is None:
            raise UnitCostError(
                f"{name}: {where} has no key {key!r}. Add it (every [[cost]] has "
                f"{', '.join(_KEYS)})."
            )
        wrong = isinstance(value, bool) and kind is not bool
        if wrong or not isinstance(value, kind):
            what = "true or false" if kind is bool else "text" if kind is str else "a number"
            raise UnitCostError(f"{name}: {where} has {key} = {value!r}; make it {what}.")
    if not _ITEM.match(item):
        raise UnitCostError(
            f"{name}: {where}: item must be a snake_case id (nel_long_stay). Rename it."
        )
    if entry["saving"] not in SAVINGS:
        raise UnitCostError(
            f"{name}: {where} has saving = {entry['saving']!r}; make it one of "
            f"{', '.join(SAVINGS)}."
        )
    value, low, high = (float(entry[k]) for k in ("value", "low", "high"))
    if not 0 <= low <= value <= high:
        raise UnitCostError(
            f"{name}: {where} has value {value:g} outside its range [low {low:g}, high "
            f"{high:g}]. Make low <= value <= high (all 0 or more)."
        )
    published = entry["price_year"]
    _year(published, name, where, "price_year")
    try:
        factor = uprate(1.0, published, price_year, inflation)
    except ValueError as exc:
        raise UnitCostError(
            f"{name}: {where} (key price_year): {exc}. Add the year(s) to [inflation]."
        ) from None
    a, b = sorted((_start(published), _start(price_year)))
    through_assumed = any(_label(y) in assumed for y in range(a + 1, b + 1))
    return {
        "item": item,
        "title": entry["title"],
        "value": value * factor,
        "low": low * factor,
        "high": high * factor,
        "unit": entry["unit"],
        "price_year": published,
        "value_published": value,
        "uprating": factor,
        "source": entry["source"],
        "table": entry["table"],
        "saving": entry["saving"],
        "assumption": entry["assumption"] or through_assumed,
        "note": entry["note"],
    }
