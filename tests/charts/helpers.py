"""Small builders shared by the chart tests."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import polars as pl

from charts.spc import SpcWarning


def series(values: list[float | None], **extra: list[Any]) -> pl.DataFrame:
    """One series: ``t`` = 1, 2, ... and ``v`` = values (as floats), plus extra columns."""
    return pl.DataFrame(
        {"t": list(range(1, len(values) + 1)), "v": values, **extra},
        schema_overrides={"v": pl.Float64},
    )


def quietly(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``f`` with the engine's warnings (trial limits, dropped rows) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpcWarning)
        return f(*args, **kwargs)
