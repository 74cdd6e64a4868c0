"""The catalogue section of ``docs/measures.md``, written from the registry.

The measures are declared once (``warehouse/measures/catalogue``); their description
in the docs is derived from the declarations, between two markers, so it cannot drift
from what is built. ``tests/warehouse/test_measure_docs.py`` checks it is current; to
refresh it after changing a declaration::

    uv run python -m warehouse.measures.document docs/measures.md

Examples
--------
>>> text = catalogue_markdown(load_registry())
>>> "| S1 | Falls per 1,000 occupied bed days |" in text
True
"""

from __future__ import annotations

import sys
import tomllib
from importlib import resources
from pathlib import Path

from warehouse.measures.registry import Measure, Registry, load_registry

NOT_COMPUTED = resources.files("warehouse.measures").joinpath("not_computed.toml")
START = "<!-- catalogue:start (written by warehouse/measures/document.py) -->"
END = "<!-- catalogue:end -->"
DIRECTION = {"increase": "higher is better", "decrease": "lower is better", "neutral": "neither"}
CHART = {
    "run": "run chart",
    "p": "p chart",
    "u": "u chart",
    "c": "c chart",
    "i": "XmR (I) chart",
    "t": "t chart",
    "g": "g chart",
}


def _ids(m: Measure) -> str:
    return m.id + (f" (= {', '.join(m.aliases)})" if m.aliases else "")


def _row(m: Measure) -> str:
    chart = CHART[m.chart] + (f"; {CHART[m.rare_chart]} when rare" if m.rare_chart else "")
    source = (m.source or "") + (f" (fallback {m.fallback})" if m.fallback else "")
    return (
        f"| {_ids(m)} | {m.title} | {m.unit} | {m.period} | {chart} | "
        f"{DIRECTION[m.improvement]} | {source} |"
    )


def _section(m: Measure) -> list[str]:
    lines = [
        f"### {_ids(m)} {m.title}",
        "",
        m.description,
        "",
        f"- **Numerator:** {m.numerator}.".replace("..", "."),
    ]
    if m.denominator:
        lines.append(f"- **Denominator:** {m.denominator}.".replace("..", "."))
    lines += [
        f"- **Value:** {m.unit}, per {m.period}"
        + (f", target {m.target:g}" if m.target is not None else "")
        + ".",
        f"- **Chart:** {CHART[m.chart]} (a run chart until {m.run_until} points"
        + (f"; a {CHART[m.rare_chart]} of the days between events where they are rare" if
           m.rare_chart else "")
        + f"); {DIRECTION[m.improvement]}. {m.why}",
        *(
            [f"- **Look-back:** needs {m.history_days} days of records before each period "
             "ends; earlier points are left out as incomplete."]
            if m.history_days
            else []
        ),
        f"- **Reads:** {', '.join(f'`{t}`' for t in m.tables)}; designated source "
        f"{m.source or 'none'}" + (f", falling back to {m.fallback}" if m.fallback else "") + ".",
        f"- **SQL:** `warehouse/measures/catalogue/{m.key}.sql`"
        + (
            f" with {', '.join(f'`${k}` = {v!r}' for k, v in m.params.items())}"
            if m.params
            else ""
        )
        + f"; version {m.version}.",
    ]  # fmt: skip
    if m.caution:
        lines.append(f"- **Caution:** {m.caution}")
    return [*lines, ""]


def catalogue_markdown(registry: Registry) -> str:
    """The catalogue section: a table of every measure, then each one's definition."""
    lines = [
        START,
        "",
        f"{len(registry)} measures are computed.",
        "",
        "| Id | Measure | Unit | Period | Chart | Direction | Source |",
        "|---|---|---|---|---|---|---|",
        *(_row(m) for m in registry),
        "",
    ]
    project = None
    for m in registry:
        if m.project != project:
            project = m.project
            lines += [f"## {project or 'Other measures'}", ""]
        lines += _section(m)
    lines += ["## Not computed yet", "", "| Id | Measure | Missing | What would supply it |",
              "|---|---|---|---|"]  # fmt: skip
    for m in tomllib.loads(NOT_COMPUTED.read_text(encoding="utf-8"))["measure"]:
        lines.append(f"| {m['id']} | {m['title']} | {m['missing']} | {m['would_supply']} |")
    return "\n".join([*lines, "", END])


def update(path: Path, registry: Registry | None = None) -> bool:
    """Rewrite the catalogue section of ``path``; True if it changed."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path} has no catalogue markers ({START} ... {END}) to write between")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    new = head + catalogue_markdown(registry or load_registry()) + tail
    path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = update(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/measures.md"))
    print("updated" if changed else "already current")
