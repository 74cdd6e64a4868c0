"""The QI log writers: activity log, change log, baselines and intervention costs; templates.

Sites keep their QI activity log, their change log (one row per change idea: what it
is, where and from when it ran, the measures it should move, who owns it), their
baseline decisions (when a chart's baseline was frozen or rebased) and what the work
cost (``intervention_costs.csv``: staff, backfill and coaching hours, training,
materials, travel and data) in spreadsheets; :func:`write_templates` writes the layouts
to start from (``data/templates``).

A site that runs change ideas writes the costs of each of them (:data:`IDEA_COSTS`) and
of its programme (:data:`PROGRAMME_COSTS`: QI coaching, data, travel) from its start
month to the end of the period, a row per cost line and quarter (one-off costs once);
:func:`expected_intervention_costs` prices them, the truth's ``intervention_costs.csv``.

Examples
--------
>>> ",".join(CHANGE_LOG)
'change_id,title,homes,measures,start_date,cycle,owner'
>>> ",".join(BASELINES)
'measure,home,action,date,decided_by,decided_on,reason'
>>> ",".join(INTERVENTION_COSTS)
'item,category,role,band,hours,cost_gbp,from_date,to_date,note'
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from connectors.schemas import (
    BASELINES,
    CHANGE_LOG,
    COST_BANDS,
    COST_CATEGORIES,
    COST_ROLES,
    INTERVENTION_COSTS,
    QI_ACTIVITIES,
    QI_LOG,
    STAFF_TIME,
)
from synth.files import ExtractFile, SiteCtx, csv_text, date_text, extract_file, text_frame
from synth.ids import id_text
from synth.plan import FALLS, MEASURE_NAMES
from synth.simulate import World
from synth.world import Calendar, site_id_of
from warehouse.roi.unit_costs import load_unit_costs

TEMPLATE_DATE = datetime(2024, 1, 1)  # fixed, so the workbook is reproducible


def qi_log_files(c: SiteCtx) -> list[ExtractFile]:
    """The QI log: no junk (its connector keeps repeated activities: they can be real)."""
    w, cal = c.world, c.cal
    homes = w.homes
    qi = w.qi.filter(
        pl.col("home").is_in(pl.Series(np.flatnonzero(homes.site == c.site)).implode())
    )
    local = {}
    for h in np.flatnonzero(homes.site == c.site):
        stays = w.stays.filter(pl.col("home") == h).sort("start", "stay")
        prefix, width = homes.id_style[h]
        ids = id_text(prefix, int(homes.id_base[h]) + np.arange(stays.height), width)
        local.update(zip(stays["stay"].to_list(), ids.to_list(), strict=True))
    resident = qi["stay"].replace_strict(local, default=None, return_dtype=pl.String)
    real = text_frame(
        QI_LOG,
        qi.height,
        {
            "home_id": pl.Series(homes.home_id).gather(qi["home"]),
            "resident_id": resident,
            "activity_date": date_text(cal, qi["day"], "%d/%m/%Y"),
            "activity_type": qi["type"],
            "outcome": qi["outcome"],
        },
    )
    files = [
        extract_file(f"{c.site_id}/qi_log/qi_activity_log.csv", csv_text(real), real.height, {}),
        change_log_file(c),
        baselines_file(c),
    ]
    return files + ([costs_file(c)] if any(i.site == c.site for i in w.plan.ideas) else [])


def change_log_file(c: SiteCtx) -> ExtractFile:
    """The site's change log: one row per change idea it ran (none at a comparison site).

    ``homes`` is ``all`` or the CQC ids of the homes, ``;``-separated; ``measures`` the
    catalogue ids, ``;``-separated; ``start_date`` day-first, the first day it ran.
    """
    w = c.world
    ideas = [i for i in w.plan.ideas if i.site == c.site]
    rows = [
        (
            i.change_id,
            i.title,
            "all" if i.homes is None else ";".join(w.homes.home_id[h] for h in i.homes),
            ";".join(i.measures),
            w.cal.month_dates[i.start_month].strftime("%d/%m/%Y"),
            i.cycle,
            i.owner,
        )
        for i in ideas
    ]
    log = pl.DataFrame(rows, schema=dict.fromkeys(CHANGE_LOG, pl.String), orient="row")
    return extract_file(f"{c.site_id}/qi_log/change_log.csv", csv_text(log), log.height, {})


def baselines_file(c: SiteCtx) -> ExtractFile:
    """The site's baseline decisions: each chart a change idea touches, frozen before it.

    When a team starts a change idea it freezes the limits of the charts it means to move
    on the months before (docs/measures.md, governed baselines): one ``freeze`` per
    change idea and measure, dated the last day before the idea began, decided by the QI
    lead on its first day. A comparison site makes no decision (header only).
    """
    w = c.world
    rows = [
        (
            measure,
            "all" if i.homes is None else ";".join(w.homes.home_id[h] for h in i.homes),
            "freeze",
            (w.cal.month_dates[i.start_month] - timedelta(days=1)).strftime("%d/%m/%Y"),
            "QI lead",
            w.cal.month_dates[i.start_month].strftime("%d/%m/%Y"),
            f"Baseline: the months before {i.title.lower()} began",
        )
        for i in w.plan.ideas
        if i.site == c.site
        for measure in i.measures
    ]
    table = pl.DataFrame(rows, schema=dict.fromkeys(BASELINES, pl.String), orient="row")
    return extract_file(f"{c.site_id}/qi_log/baselines.csv", csv_text(table), table.height, {})


@dataclass(frozen=True)
class CostLine:
    """One line of a site's costs: what it is, and how much, a month or once.

    ``hours`` and ``pounds`` are a month's (``per`` ``home-month`` or ``site-month``),
    or once, on ``day`` days after the start (``home``: in each home; ``site``: once).
    ``rate`` is the unit-cost item that prices the hours and its units an hour (GP time
    is priced by the minute); None where the site gives the cost in pounds.
    """

    item: str
    category: str
    role: str | None = None
    band: str | None = None
    hours: float | None = None
    pounds: float | None = None
    per: str = "home-month"
    rate: tuple[str, float] | None = None
    day: int = 0


_GP, _CARER = ("gp_minute", 60.0), ("care_worker_hour", 1.0)
# The cost lines of each change idea of synth.plan.PACKAGES, by title.
IDEA_COSTS: dict[str, tuple[CostLine, ...]] = {
    FALLS: (
        CostLine("Care-home staff at falls huddles", "backfill", "care_worker", hours=4,
                 rate=_CARER),
        CostLine("Falls prevention training", "training", pounds=600, per="site", day=14),
        CostLine("Falls huddle cards and posters", "materials", pounds=150, per="home"),
    ),
    "MDT review of residents at risk of deterioration": (
        CostLine("GP time at the deterioration MDT", "staff", "gp", hours=0.5, rate=_GP),
        CostLine("Community matron at the deterioration MDT", "staff", "nurse", "7", hours=1,
                 rate=("nurse_band_7", 1.0)),
        CostLine("Care-home staff at the deterioration MDT", "backfill", "care_worker",
                 hours=1, rate=_CARER),
        CostLine("Triage tool training", "training", pounds=400, per="site", day=7),
    ),
    "MUST screening at every monthly weigh": (
        CostLine("Dietitian support for MUST screening", "staff", "dietitian", "5", hours=1,
                 rate=("dietitian_band_5", 1.0)),
        CostLine("Care staff at MUST training", "backfill", "care_worker", hours=6, per="home",
                 rate=_CARER, day=21),
        CostLine("Scales calibration", "materials", pounds=80, per="home"),
    ),
    "Pharmacist medication reviews": (
        CostLine("Care home pharmacist sessions", "staff", "pharmacist", "7", hours=2.5,
                 rate=("pharmacist_band_7", 1.0)),
        CostLine("Senior carer at medication reviews", "backfill", "care_worker", hours=1,
                 rate=_CARER),
    ),
    "Dietitian review within 7 days of a high MUST score": (
        CostLine("Dietitian reviews", "staff", "dietitian", "6", hours=1.5,
                 rate=("dietitian_band_6", 1.0)),
        CostLine("Food-first resources", "materials", pounds=120, per="home"),
    ),
    "MDT assessment within 7 working days of admission": (
        CostLine("GP time at admission MDT assessments", "staff", "gp", hours=0.5, rate=_GP),
        CostLine("Community nurse at admission assessments", "staff", "nurse", "5", hours=1,
                 rate=("nurse_band_5", 1.0)),
        CostLine("Medicines reconciliation at admission", "staff", "pharmacist", "8a",
                 hours=0.5, rate=("pharmacist_band_8a", 1.0)),
        CostLine("Care-home nurse at admission assessments", "backfill", "care_worker",
                 hours=1, rate=_CARER),
    ),
}  # fmt: skip
# Every site running change ideas: its QI coaching (one adviser's cost known in pounds),
# its data work and the travel to its homes.
PROGRAMME_COSTS = (
    CostLine("QI coaching", "coaching", "nurse", "7", hours=6, per="site-month",
             rate=("nurse_band_7", 1.0)),
    CostLine("Improvement adviser (commissioned)", "coaching", "other", hours=4, pounds=150,
             per="site-month"),
    CostLine("Data extracts and analysis", "data", pounds=200, per="site-month"),
    CostLine("Travel to the homes", "travel", pounds=25),
)  # fmt: skip


def _quarters(cal: Calendar, first: int) -> list[tuple[date, date, int]]:
    """The months from ``first`` to the period's end, cut at quarters: (from, to, months).

    Examples
    --------
    >>> from synth.world import make_calendar
    >>> [(str(a), str(b), n) for a, b, n in _quarters(make_calendar(date(2023, 1, 1), 8, 0), 2)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('2023-03-01', '2023-03-31', 1), ('2023-04-01', '2023-06-30', 3),
     ('2023-07-01', '2023-08-31', 2)]
    """
    dates = cal.month_dates
    bounds = [m for m in range(first, cal.months) if m == first or dates[m].month % 3 == 1]
    bounds.append(cal.months)
    end = cal.start + timedelta(days=cal.n_days - 1)
    return [
        (dates[a], end if b == cal.months else dates[b] - timedelta(days=1), b - a)
        for a, b in itertools.pairwise(bounds)
    ]


COST_SCHEMA = {
    "item": pl.String, "category": pl.String, "role": pl.String, "band": pl.String,
    "hours": pl.Float64, "cost_gbp": pl.Float64, "from_date": pl.Date, "to_date": pl.Date,
    "note": pl.String, "rate": pl.String, "per_hour": pl.Float64,
}  # fmt: skip


def _note(line: CostLine) -> str:
    """How a recurring line grows: "2.5 hours a home a month", "GBP 200 a site a month"."""
    hours = line.hours
    amounts = [f"{hours:g} hour{'' if hours == 1 else 's'}"] if hours is not None else []
    amounts += [f"GBP {line.pounds:g}"] if line.pounds is not None else []
    return f"{' and '.join(amounts)} a {line.per.split('-')[0]} a month"


def cost_rows(w: World, site: int) -> pl.DataFrame:
    """The site's cost lines as its costs template has them, with the unit cost of each.

    One row per recurring line and quarter from the site's start month, one per one-off
    line; ``rate`` and ``per_hour`` name the unit cost pricing the hours (null where the
    cost is given in pounds). No rows at a site that runs no change idea.
    """
    ideas = [i for i in w.plan.ideas if i.site == site]
    if not ideas:
        return pl.DataFrame(schema=COST_SCHEMA)
    homes = int((w.homes.site == site).sum())
    first = min(i.start_month for i in ideas)
    start = w.cal.month_dates[first]
    lines = list(dict.fromkeys(line for i in ideas for line in IDEA_COSTS[i.title]))
    rows = []
    for line in (*lines, *PROGRAMME_COSTS):
        scale = homes if line.per.startswith("home") else 1
        if line.per.endswith("month"):
            pieces = [(a, b, months * scale) for a, b, months in _quarters(w.cal, first)]
            note = _note(line)
        else:
            day = start + timedelta(days=line.day)
            pieces, note = [(day, day, scale)], None
        rate, per_hour = line.rate or (None, None)
        for a, b, n in pieces:
            hours = None if line.hours is None else line.hours * n
            pounds = None if line.pounds is None else line.pounds * n
            rows.append((line.item, line.category, line.role, line.band, hours, pounds, a, b,
                         note, rate, per_hour))  # fmt: skip
    frame = pl.DataFrame(rows, schema=COST_SCHEMA, orient="row")
    return frame.sort("from_date", maintain_order=True)


def costs_file(c: SiteCtx) -> ExtractFile:
    """The site's ``qi_log/intervention_costs.csv``: its cost lines (:func:`cost_rows`)."""
    rows = cost_rows(c.world, c.site)
    number = pl.col("hours", "cost_gbp").round(2).cast(pl.String).str.replace(r"\.0$", "")
    table = rows.select(
        *INTERVENTION_COSTS[:4],
        number,
        pl.col("from_date", "to_date").dt.strftime("%d/%m/%Y"),
        "note",
    )
    rel = f"{c.site_id}/qi_log/intervention_costs.csv"
    return extract_file(rel, csv_text(table), table.height, {})


def expected_intervention_costs(w: World) -> pl.DataFrame:
    """What each site's cost lines cost, per category, at the unit costs' price year.

    Hours are priced at the value of the unit cost each line names
    (``warehouse/roi/unit_costs.toml``); a line given in pounds costs them. ``hours``
    counts every hour given (those of lines costed in pounds too). Only the sites that
    run change ideas have rows (they alone have a costs file).
    """
    costs = load_unit_costs()
    value = dict(zip(costs.frame["item"], costs.frame["value"], strict=True))
    frames = [
        cost_rows(w, s).with_columns(site_id=pl.lit(site_id_of(s)))
        for s in range(len(w.plan.roles))
    ]
    priced = pl.concat(frames).with_columns(
        cost=pl.coalesce(
            "cost_gbp",
            pl.col("hours")
            * pl.col("per_hour")
            * pl.col("rate").replace_strict(value, default=None, return_dtype=pl.Float64),
        )
    )
    category = {k: i for i, k in enumerate(COST_CATEGORIES)}
    return (
        priced.group_by("site_id", "category")
        .agg(pl.col("hours").sum(), pl.col("cost").sum().round(2))
        .sort("site_id", pl.col("category").replace_strict(category, return_dtype=pl.Int64))
    )


def write_templates(folder: Path, *, excel: bool = True) -> tuple[Path, ...]:
    """Write the QI log templates: activity log, change log, baselines, intervention costs.

    Each CSV holds the header and two example rows (three for the costs). The workbooks
    hold the same, with a second sheet: the allowed activity types and outcomes
    (``QI_ACTIVITIES``) for the activity log, the catalogue measures a change idea may
    name for the change log, the categories and roles (with their bands) for the costs.
    They need the ``xlsxwriter`` package (polars ``write_excel``).

    Parameters
    ----------
    folder : Path
        Where to write ``qi_activity_log.csv``, ``change_log.csv``, ``baselines.csv`` and
        ``intervention_costs.csv``, and ``qi_activity_log.xlsx``, ``change_log.xlsx`` and
        ``intervention_costs.xlsx``.
    excel : bool
        Also write the workbooks.

    Returns
    -------
    tuple of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_templates(Path(tempfile.mkdtemp()), excel=False)]
    ['qi_activity_log.csv', 'change_log.csv', 'baselines.csv', 'intervention_costs.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    activities = pl.DataFrame(
        [
            ("1-100000001", "R0001", "05/03/2024", "triage_tool", "at_risk"),
            ("1-100000001", None, "12/03/2024", "pdsa_cycle", "adapt"),
        ],
        schema=list(QI_LOG),
        orient="row",
    )
    changes = pl.DataFrame(
        [
            ("CI-01", "Falls huddles after every fall", "all", "S1;S2", "02/10/2023", "PDSA 1",
             "Home manager"),
            ("CI-02", "MUST screening at every monthly weigh", "1-100000001;1-100000002", "P2.1",
             "06/11/2023", "PDSA 1", "Dietitian"),
        ],
        schema=list(CHANGE_LOG),
        orient="row",
    )  # fmt: skip
    baselines = pl.DataFrame(
        [
            ("S1", "all", "freeze", "01/10/2023", "QI steering group", "15/11/2023",
             "twelve months of baseline before the falls huddles"),
            ("P2.1", "1-100000001", "rebase", "01/03/2024", "Dietitian", "10/04/2024",
             "a sustained shift after MUST screening at every weigh"),
        ],
        schema=list(BASELINES),
        orient="row",
    )  # fmt: skip
    costs = pl.DataFrame(
        [
            ("Care home pharmacist sessions", "staff", "pharmacist", "7", "24", None,
             "01/04/2024", "30/06/2024", "two hours a month in each of four homes"),
            ("Care-home staff at falls huddles", "backfill", "care_worker", None, "36", None,
             "01/04/2024", "30/06/2024", None),
            ("Falls prevention training", "training", None, None, None, "450", "15/05/2024",
             "15/05/2024", "the trainer's fee"),
        ],
        schema=list(INTERVENTION_COSTS),
        orient="row",
    )  # fmt: skip
    csvs = {
        "qi_activity_log": activities,
        "change_log": changes,
        "baselines": baselines,
        "intervention_costs": costs,
    }
    paths = {}
    for name, frame in csvs.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(frame.write_csv(None), encoding="utf-8")
    if not excel:
        return tuple(paths.values())
    allowed = pl.DataFrame(
        [(kind, outcome) for kind, outcomes in QI_ACTIVITIES.items() for outcome in outcomes],
        schema=["activity_type", "outcome"],
        orient="row",
    )
    measures = pl.DataFrame(
        list(MEASURE_NAMES.items()), schema=["measure_id", "name"], orient="row"
    )
    books = {
        "qi_activity_log": ("QI activity log", activities, "allowed_values", allowed),
        "change_log": ("Change log", changes, "measures", measures),
        "intervention_costs": ("Intervention costs", costs, "allowed_values", _cost_values()),
    }
    written = []
    for name, path in paths.items():
        written.append(path)
        if name in books:
            title, frame, second, values = books[name]
            written.append(folder / f"{name}.xlsx")
            _workbook(written[-1], title, {name: frame, second: values})
    return tuple(written)


def _cost_values() -> pl.DataFrame:
    """The costs template's categories and roles, with what each needs (its second sheet)."""
    needs = {
        "staff": "NHS staff time: role, band (pharmacist, dietitian, nurse) and hours",
        "backfill": "care-home staff released to take part, replaced: role and hours",
        "coaching": "QI coaching and facilitation: role and hours, or cost_gbp",
    }
    rows = [("category", c, needs.get(c, "cost_gbp, in pounds")) for c in COST_CATEGORIES]
    bands = {r: f"band {', '.join(b)}" for r, b in COST_BANDS.items()}
    bands |= {"gp": "no band", "care_worker": "no band", "other": "no unit cost: give cost_gbp"}
    rows += [("role", r, bands[r]) for r in COST_ROLES]
    rows.append(("hours", "", f"needed for {', '.join(STAFF_TIME)} (or cost_gbp)"))
    return pl.DataFrame(rows, schema=["column", "value", "what it needs"], orient="row")


def _workbook(path: Path, title: str, sheets: dict[str, pl.DataFrame]) -> None:
    """An Excel workbook of ``sheets``, reproducible (its creation date is fixed)."""
    try:
        import xlsxwriter  # noqa: PLC0415  (optional: only the workbooks need it)
    except ImportError as exc:
        raise ImportError(
            f"writing {path.name} needs the xlsxwriter package (polars write_excel); "
            "install it, or pass excel=False for the CSVs alone"
        ) from exc
    with xlsxwriter.Workbook(path) as book:
        book.set_properties({"title": title, "created": TEMPLATE_DATE})
        for sheet, frame in sheets.items():
            frame.write_excel(book, worksheet=sheet, autofit=True)
