"""Write the pages: an index, a folder per site, and the commissioners' pack.

Pages are Jinja2 templates (``warehouse/pages/templates``, autoescaped) sharing one
style (``style.css``, inlined so that a page opens alone). Charts are plotly divs; the
plotly.js they need is written once per folder, beside the pages, so a site's folder
works offline and can be handed to the site as it is. Each site's folder
(``out/<site_id>/``) is built from that site's rows only.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

TEMPLATES = resources.files("warehouse.pages").joinpath("templates")
PLOTLY_JS = "plotly.min.js"
ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("warehouse.pages", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
CONFIG = {"displaylogo": False, "responsive": True}


def style() -> str:
    """The one page style (``templates/style.css``)."""
    return TEMPLATES.joinpath("style.css").read_text(encoding="utf-8")


def plotly_js(folder: Path) -> str:
    """Write plotly.js into ``folder`` (once) and return the name a page loads it by."""
    source = Path(pio.__file__).parent.parent / "package_data" / PLOTLY_JS
    target = folder / PLOTLY_JS
    if not target.is_file() or target.stat().st_size != source.stat().st_size:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return PLOTLY_JS


def figure_div(fig: go.Figure | None) -> str:
    """A chart as a div for a page that loads plotly.js itself."""
    if fig is None:
        return ""
    return pio.to_html(fig, include_plotlyjs=False, full_html=False, config=CONFIG)


def render_text(template: str, **context: Any) -> str:
    """Render ``template`` with the shared style and today's date, as text."""
    made = date.today().strftime("%-d %B %Y")
    return ENV.get_template(template).render(style=style(), made=made, **context)


def render(template: str, path: Path, **context: Any) -> Path:
    """Render ``template`` to ``path`` (:func:`render_text`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_text(template, **context), encoding="utf-8")
    return path


def month_text(d: date | None) -> str:
    """A month as people write it: ``March 2024``."""
    return "" if d is None else d.strftime("%B %Y")


def number_text(value: float | None, unit: str) -> str:
    """A value rounded for people, with its unit: ``63%``, ``£41.20``, ``7.2``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no point"
    if unit.startswith("£"):
        return f"£{value:,.2f}"
    if unit == "%":
        return f"{value:.0f}%" if abs(value) >= 10 else f"{value:.1f}%"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def with_unit(value: float | None, unit: str) -> str:
    """A value and its unit as a sentence says it: ``60%``, ``£71.76 per resident-month``."""
    text = number_text(value, unit)
    if unit == "%" or value is None:
        return text
    if unit.startswith("£"):
        return text + unit[1:]
    return f"{text} {unit}"


def whole(value: float | None) -> str:
    """A count or denominator as a whole number (``1,650``), or empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.0f}"


def write_csv(
    frame: pl.DataFrame, path: Path, escape: Callable[[pl.DataFrame], pl.DataFrame]
) -> Path:
    """Write a points table as CSV, text cells escaped against formula injection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    escape(frame).write_csv(path)
    return path


KINDS = {".html": "pages", ".css": "pages", ".js": "pages", ".csv": "tables",
         ".xlsx": "tables", ".png": "pictures", ".pptx": "slides"}  # fmt: skip


def sizes(folder: Path, skip: Sequence[str] = (PLOTLY_JS,)) -> dict[str, int]:
    """Bytes under ``folder`` by kind (:data:`KINDS`), leaving out ``skip`` (plotly.js).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "index.html").write_text("<p>hi</p>")
    ...     _ = (Path(d) / PLOTLY_JS).write_text("//")
    ...     sizes(Path(d))
    {'pages': 9, 'tables': 0, 'pictures': 0, 'slides': 0, 'other': 0}
    """
    out = dict.fromkeys([*dict.fromkeys(KINDS.values()), "other"], 0)
    for p in folder.rglob("*"):
        if p.is_file() and p.name not in skip:
            out[KINDS.get(p.suffix, "other")] += p.stat().st_size
    return out
