"""Checking and normalising the data frames given to the chart functions.

Everything a user can get wrong about their data is caught here, with a message
that names the column and says how to fix it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

from charts.errors import SpcInputError, SpcWarning

_ORDERED_TEXT = (pl.String, pl.Categorical)


def to_polars(frame: Any, func: str) -> pl.DataFrame:
    """Return ``frame`` as a polars DataFrame (polars and pandas are accepted)."""
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    module = type(frame).__module__
    if module.startswith("pandas"):
        return pl.from_pandas(frame, include_index=False)
    raise SpcInputError(
        f"{func}: expected a polars or pandas DataFrame, got {type(frame).__name__}."
    )


def as_list(value: str | Sequence[str] | None) -> list[str]:
    """A column argument as a list of names: None -> [], "a" -> ["a"]."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def require_columns(df: pl.DataFrame, func: str, roles: Iterable[tuple[str, str | None]]) -> None:
    """Raise if a named column is missing, naming the role and the columns there are.

    ``roles`` pairs each argument with the column it names, e.g. ``("y", "falls")``.
    """
    for role, name in roles:
        if name is not None and name not in df.columns:
            shown = ", ".join(repr(c) for c in df.columns[:20])
            more = " ..." if len(df.columns) > 20 else ""
            raise SpcInputError(
                f"{func}: column {name!r} (given as {role}) is not in the data. "
                f"The columns are: {shown}{more}. Check the spelling, or rename the column."
            )


def numeric(df: pl.DataFrame, column: str, role: str, func: str) -> pl.Expr:
    """Column ``column`` as a Float64 expression, NaN as null; raise if not numeric."""
    dtype = df.schema[column]
    if not (dtype.is_numeric() or dtype == pl.Boolean):
        sample = df.get_column(column).drop_nulls().head(3).to_list()
        raise SpcInputError(
            f"{func}: column {column!r} ({role}) must hold numbers, but it is of type "
            f"{dtype} (for example {sample}). Remove text such as units or '<5' from "
            f"the values, or convert the column to numbers first."
        )
    return pl.col(column).cast(pl.Float64).fill_nan(None)


def check_x(df: pl.DataFrame, column: str, func: str) -> bool:
    """Check that x can order the points; return True when x is categorical.

    Categorical x (text, categories, booleans) is plotted as dots only and has no
    runs analysis, as in qicharts2.
    """
    dtype = df.schema[column]
    if dtype.is_numeric() or dtype.is_temporal():
        return False
    if isinstance(dtype, (pl.String, pl.Categorical, pl.Enum, pl.Boolean)):
        return True
    raise SpcInputError(
        f"{func}: column {column!r} (x) must hold numbers, dates or categories, "
        f"but it is of type {dtype}."
    )


def order_keys(
    x: pl.Series, params: dict[str, Any], func: str
) -> tuple[np.ndarray, dict[str, np.ndarray | None]]:
    """Numeric sort keys for x and for argument values given in x's terms.

    ``freeze``, ``parts``, ``exclude`` and ``rebase`` name x values; comparing keys
    lets them be matched and ordered against x whatever x's type.

    Parameters
    ----------
    x : polars.Series
        The x column, without nulls.
    params : dict
        Argument name -> values (or None).
    func : str
        Name of the calling function, for messages.

    Returns
    -------
    x_key : numpy.ndarray
    param_keys : dict
        Argument name -> numpy array of keys (or None).

    Examples
    --------
    >>> import datetime as dt
    >>> x = pl.Series("month", [dt.date(2024, 1, 1), dt.date(2024, 2, 1)])
    >>> xk, pk = order_keys(x, {"freeze": ["2024-01-01"]}, "qic")
    >>> bool(xk[0] == pk["freeze"][0])
    True
    """
    cast = {name: as_x_values(x, v, name, func) for name, v in params.items() if v is not None}
    if isinstance(x.dtype, _ORDERED_TEXT):
        x = x.cast(pl.String)
        vocab = pl.concat([x, *cast.values()]).unique().sort()
        x_key = vocab.search_sorted(x).to_numpy()
        keys = {k: vocab.search_sorted(v).to_numpy() for k, v in cast.items()}
    else:
        x_key = _physical(x)
        keys = {k: _physical(v) for k, v in cast.items()}
    return x_key, {name: keys.get(name) for name in params}


def _physical(s: pl.Series) -> np.ndarray:
    if s.dtype.is_numeric():
        return s.cast(pl.Float64).to_numpy()
    return s.to_physical().cast(pl.Float64).to_numpy()


def as_values(values: Any) -> list[Any]:
    """One argument value or an iterable of them, as a list."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [values]
    return list(values)


def as_x_values(x: pl.Series, values: Any, name: str, func: str) -> pl.Series:
    """``values`` cast to the type of the x column ``x``; raise if they cannot be.

    Dates may be given as ``datetime.date`` or as ISO text ("2024-03-01").
    """
    values = as_values(values)
    target = pl.String if isinstance(x.dtype, pl.Categorical) else x.dtype
    try:
        s = pl.Series(name, values, strict=False)
        if s.dtype == pl.String and target.is_temporal():
            s = s.str.to_datetime(strict=True).cast(target)
        s = s.cast(target, strict=True)
    except (pl.exceptions.PolarsError, TypeError, ValueError) as exc:
        raise SpcInputError(
            f"{func}: {name} = {values!r} cannot be read as values of the x column "
            f"{x.name!r}, which holds {x.dtype}. Give {name} as x values, for example "
            f"{x.head(1).to_list()}. ({exc})"
        ) from None
    if s.null_count():
        raise SpcInputError(
            f"{func}: {name} = {values!r} contains a missing value; give x values only."
        )
    return s


def drop_missing_keys(df: pl.DataFrame, keys: Sequence[str], func: str) -> pl.DataFrame:
    """Drop rows with a missing x or facet value, with a warning saying how many."""
    if not any(df.get_column(k).null_count() for k in keys):
        return df
    missing = pl.any_horizontal(pl.col(k).is_null() for k in keys)
    dropped = df.select(missing.sum()).item()
    warnings.warn(
        f"{func}: {dropped} row(s) have no value in {', '.join(map(repr, keys))} and "
        f"were left out of the chart.",
        SpcWarning,
        stacklevel=3,
    )
    return df.filter(~missing)
