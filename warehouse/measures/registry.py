"""The measure registry: each measure declared once, as data, with its SQL beside it.

A registry is a folder of measures, two files each: ``<key>.toml`` declares the
measure (what it is, how to chart it, which way is better) and ``<key>.sql`` counts
its numerator and denominator over the staged model, where ``<key>`` is the id in
lower case with dots as underscores (``P1.1`` -> ``p1_1``). Everything downstream
(``measure_values``, ``spc_results``, ``signals``, the data-quality gate, the
charts, ``m4c measures``) is driven by the declarations: adding a measure means
adding its two files and nothing else.

The SQL is one ``SELECT`` giving one row per home and period::

    site_id, home_id, period (DATE, first day), numerator, denominator, source

A measure with a ``rare_chart`` also has ``<key>.events.sql``: one row per event
(``site_id, home_id, event_date``), from which a home whose events are rare (fewer
than ``rare_below`` a period on average) gets a t chart of the days between them.

``denominator`` is NULL for plain counts; ``source`` names the source system the
row was counted from (its designated source, or the fallback where the designated
one is absent for that home and period). It runs with bound parameters: ``$period``
(``month`` or ``quarter``) and each key of the declaration's ``[params]`` table. The
shared denominators (bed days, residents on roll, admissions) are table macros in
``warehouse/measures/denominators.sql``.

Examples
--------
>>> registry = load_registry()
>>> registry["S1"].chart, registry["S1"].improvement, registry["S1"].multiplier
('u', 'decrease', 1000.0)
>>> registry["S1"].key
's1'
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from warehouse.tables import STAGED

CATALOGUE = resources.files("warehouse.measures").joinpath("catalogue")

CHARTS = ("run", "p", "u", "c", "i", "t", "g")
IMPROVEMENT = ("increase", "decrease", "neutral")
PERIODS = ("month", "quarter")
REFERENCE_TABLES = ("ref_home", "ref_snomed_concepts", "ref_ons_products", "stg_change_idea")
_ID = re.compile(r"^[A-Z][0-9A-Za-z]*(\.[0-9A-Za-z]+)*$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_REQUIRED = ("id", "title", "description", "numerator", "denominator", "tables", "unit", "chart")
_KEYS = {
    *_REQUIRED,
    "project",
    "source",
    "fallback",
    "multiplier",
    "period",
    "improvement",
    "target",
    "run_until",
    "rare_chart",
    "rare_below",
    "history_days",
    "version",
    "aliases",
    "params",
    "why",
    "caution",
    "denominator_label",
}
_PER = re.compile(r"^per [0-9,]+ (.+)$")


class RegistryError(ValueError):
    """A measure declaration that cannot be used, naming the file, the key and the fix."""


@dataclass(frozen=True)
class Measure:
    """One measure of the catalogue, as declared in its ``.toml`` file.

    Attributes
    ----------
    id : str
        The catalogue's id (``S1``, ``P2.1``).
    title : str
        Short name, e.g. "Falls per 1,000 occupied bed days".
    description : str
        What it shows, in words a care-home manager understands.
    numerator, denominator : str
        What is counted, and what it is counted out of ("" for plain counts).
    denominator_label : str
        The denominator in a few words, for a funnel's axis ("Occupied bed days"): as
        declared, else from the unit ("per 1,000 occupied bed days"), else the
        denominator's first clause (:func:`denominator_label`).
    tables : tuple of str
        Staged tables it reads: the data-quality gate judges its points on these.
    unit : str
        How a value reads: "per 1,000 occupied bed days", "%", "medicines per resident".
    chart : str
        Chart type once there are enough points: run, p, u, c, i (XmR), t or g.
    project : str
        The PEACH project or system-wide section it belongs to.
    source, fallback : str or None
        Designated source system, and the one used where it is absent.
    multiplier : float
        Scale of the value (1000 for per 1,000; 100 for %).
    period : str
        month or quarter.
    improvement : str
        increase, decrease or neutral: which way is better.
    target : float or None
        Optional target on the value's scale.
    run_until : int
        A run chart (median, runs rules) until a series has this many points.
    rare_chart : str or None
        Chart for a home's series of rare events (``t``: days between events).
    rare_below : float
        A home's events are rare below this many a period, on average.
    history_days : int
        Days of its source's records a point needs before its period ends (a look-back
        such as "in the last 12 months"); a point whose look-back starts before the
        site's records do is incomplete, not falsely low.
    events_sql : str or None
        The SQL listing each event (``<key>.events.sql``), for the rare chart.
    version : int
        Bumped when the definition changes; recorded on every value.
    aliases : tuple of str
        Other catalogue ids for the same measure (S7 is O2.1).
    params : dict
        Bound parameters of its SQL (look-back days, windows).
    why : str
        Why this chart, for ``docs/measures.md``.
    caution : str
        A caveat the chart must show (e.g. better screening raises prevalence).
    sql : str
        The SQL text (from ``<key>.sql``).
    """

    id: str
    title: str
    description: str
    numerator: str
    denominator: str
    tables: tuple[str, ...]
    unit: str
    chart: str
    sql: str
    project: str = ""
    source: str | None = None
    fallback: str | None = None
    multiplier: float = 1.0
    period: str = "month"
    improvement: str = "neutral"
    target: float | None = None
    run_until: int = 12
    rare_chart: str | None = None
    rare_below: float = 2.0
    history_days: int = 0
    events_sql: str | None = None
    version: int = 1
    aliases: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    why: str = ""
    caution: str = ""
    denominator_label: str = ""

    @property
    def key(self) -> str:
        """The file name stem: the id in lower case, dots as underscores."""
        return key_of(self.id)

    @property
    def has_denominator(self) -> bool:
        """Whether the value is a ratio (otherwise a plain count per period)."""
        return bool(self.denominator)

    def bound(self, sql: str | None = None) -> dict[str, Any]:
        """The bound parameters a SQL text (its own by default) uses: ``period``, ``params``."""
        wanted = set(_PARAM.findall(self.sql if sql is None else sql))
        return {k: v for k, v in {"period": self.period, **self.params}.items() if k in wanted}


def denominator_label(unit: str, denominator: str) -> str:
    """The denominator in a few words, where a declaration gives none.

    Examples
    --------
    >>> denominator_label("per 1,000 occupied bed days", "Occupied bed days: nights in ...")
    'Occupied bed days'
    >>> denominator_label("%", "Residents with at least one night in the home, in the month")
    'Residents with at least one night in the home'
    """
    if per := _PER.match(unit):
        words = per.group(1)
        return words[0].upper() + words[1:]
    return re.split(r"[:,(]", " ".join(denominator.split()), maxsplit=1)[0].strip()


def key_of(measure_id: str) -> str:
    """The file stem of a measure id.

    Examples
    --------
    >>> key_of("P2.1")
    'p2_1'
    """
    return measure_id.lower().replace(".", "_")


@dataclass(frozen=True)
class Registry:
    """The measures of one registry folder, in the catalogue's order."""

    measures: tuple[Measure, ...]
    folder: str

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)

    def __getitem__(self, measure_id: str) -> Measure:
        for m in self.measures:
            if measure_id == m.id or measure_id in m.aliases:
                return m
        raise KeyError(
            f"no measure {measure_id!r} in {self.folder}; the measures are "
            f"{', '.join(m.id for m in self.measures)}"
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """Every measure's id, in order."""
        return tuple(m.id for m in self.measures)

    def resolve(self, measure_id: str) -> str | None:
        """The id a catalogue id or alias names, or None if the registry has neither."""
        for m in self.measures:
            if measure_id == m.id or measure_id in m.aliases:
                return m.id
        return None


_ORDER = {"P1": 0, "O1": 1, "P2": 2, "O2": 3, "P3": 4, "O3": 5, "P4": 6, "O4": 7, "S": 8}


def _order(measure_id: str) -> tuple[int, list[int | str]]:
    head = re.match(r"^([A-Z]\d?)", measure_id)
    section = _ORDER.get(head.group(1) if head else "", 9)
    parts = re.findall(r"\d+|[A-Za-z]+", measure_id[1:])
    return section, [int(p) if p.isdigit() else p for p in parts]


def load_registry(folder: str | Path | Traversable | None = None) -> Registry:
    """Read and check every measure of a registry folder (the packaged catalogue by default).

    Raises
    ------
    RegistryError
        For a declaration missing a key, with an unknown key or value, without its SQL,
        or with an id, alias or file name that clashes with another.
    """
    root: Traversable = CATALOGUE if folder is None else _traversable(folder)
    if not root.is_dir():
        raise RegistryError(f"measure registry {root} is not a folder of <id>.toml and <id>.sql")
    measures = [_measure(entry, root) for entry in root.iterdir() if entry.name.endswith(".toml")]
    if not measures:
        raise RegistryError(f"measure registry {root} holds no <id>.toml declarations")
    seen: dict[str, str] = {}
    for m in measures:
        for name in (m.id, *m.aliases):
            if name in seen:
                raise RegistryError(
                    f"{root}/{m.key}.toml: id or alias {name!r} is already used by "
                    f"{seen[name]}; give each measure its own id."
                )
            seen[name] = m.id
    return Registry(tuple(sorted(measures, key=lambda m: _order(m.id))), str(root))


def _traversable(folder: str | Path | Traversable) -> Traversable:
    return Path(folder) if isinstance(folder, (str, Path)) else folder


def _measure(entry: Traversable, root: Traversable) -> Measure:
    where = f"{root}/{entry.name}"
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{where}: not valid TOML ({exc}).") from None
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise RegistryError(f"{where}: missing {', '.join(missing)}; every measure declares them.")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise RegistryError(
            f"{where}: unknown key(s) {', '.join(unknown)}; the keys are "
            f"{', '.join(sorted(_KEYS))}."
        )
    mid = str(data["id"])
    if not _ID.match(mid) or key_of(mid) + ".toml" != entry.name:
        raise RegistryError(
            f"{where}: id {mid!r} must be a catalogue id such as S1 or P2.1, in a file named "
            f"{key_of(mid)}.toml."
        )
    sql_file = root.joinpath(key_of(mid) + ".sql")
    if not sql_file.is_file():
        raise RegistryError(f"{where}: its SQL {key_of(mid)}.sql is missing; put it beside it.")
    events_file = root.joinpath(key_of(mid) + ".events.sql")
    events = (
        events_file.read_text(encoding="utf-8").strip().rstrip(";")
        if (events_file.is_file())
        else None
    )
    if data.get("rare_chart") and events is None:
        raise RegistryError(
            f"{where}: rare_chart needs {key_of(mid)}.events.sql beside it, listing each "
            "event as site_id, home_id, event_date."
        )
    m = Measure(
        id=mid,
        title=str(data["title"]),
        description=" ".join(str(data["description"]).split()),
        numerator=str(data["numerator"]),
        denominator=str(data["denominator"]),
        tables=tuple(data["tables"]),
        unit=str(data["unit"]),
        chart=str(data["chart"]),
        sql=sql_file.read_text(encoding="utf-8").strip().rstrip(";"),
        project=str(data.get("project", "")),
        source=data.get("source"),
        fallback=data.get("fallback"),
        multiplier=float(data.get("multiplier", 1)),
        period=str(data.get("period", "month")),
        improvement=str(data.get("improvement", "neutral")),
        target=float(data["target"]) if "target" in data else None,
        run_until=int(data.get("run_until", 12)),
        rare_chart=data.get("rare_chart"),
        rare_below=float(data.get("rare_below", 2.0)),
        history_days=int(data.get("history_days", 0)),
        events_sql=events,
        version=int(data.get("version", 1)),
        aliases=tuple(data.get("aliases", ())),
        params=dict(data.get("params", {})),
        why=" ".join(str(data.get("why", "")).split()),
        caution=" ".join(str(data.get("caution", "")).split()),
        denominator_label=str(
            data.get("denominator_label")
            or denominator_label(str(data["unit"]), str(data["denominator"]))
        ),
    )
    _check(m, where)
    return m


def _check(m: Measure, where: str) -> None:
    def refuse(key: str, value: Any, allowed: tuple[str, ...]) -> None:
        raise RegistryError(f"{where}: {key} = {value!r}; use one of {', '.join(allowed)}.")

    if m.chart not in CHARTS:
        refuse("chart", m.chart, CHARTS)
    if m.rare_chart is not None and m.rare_chart not in ("t", "g"):
        refuse("rare_chart", m.rare_chart, ("t", "g"))
    if m.improvement not in IMPROVEMENT:
        refuse("improvement", m.improvement, IMPROVEMENT)
    if m.period not in PERIODS:
        refuse("period", m.period, PERIODS)
    wrong = [t for t in m.tables if t not in STAGED]
    if wrong:
        refuse("tables", wrong, STAGED)
    if m.chart == "p" and m.multiplier not in (1, 100):
        raise RegistryError(f"{where}: a p chart's multiplier is 100 (%) or 1 (a share).")
    missing = set(_PARAM.findall(m.sql + (m.events_sql or ""))) - {"period", *m.params}
    if missing:
        raise RegistryError(
            f"{where}: its SQL uses ${', $'.join(sorted(missing))} but [params] does not set "
            "it; declare each parameter's value under [params]."
        )
