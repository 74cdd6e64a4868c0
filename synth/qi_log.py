"""The QI log writers: ``qi_log/qi_activity_log.csv`` and ``qi_log/change_log.csv``; templates.

Sites keep their QI activity log, their change log (one row per change idea: what it
is, where and from when it ran, the measures it should move, who owns it) and their
baseline decisions (when a chart's baseline was frozen or rebased) in spreadsheets;
:func:`write_templates` writes the layouts to start from (``data/templates``).

Examples
--------
>>> ",".join(CHANGE_LOG)
'change_id,title,homes,measures,start_date,cycle,owner'
>>> ",".join(BASELINES)
'measure,home,action,date,decided_by,decided_on,reason'
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from connectors.schemas import BASELINES, CHANGE_LOG, QI_ACTIVITIES, QI_LOG
from synth.files import ExtractFile, SiteCtx, csv_text, date_text, extract_file, text_frame
from synth.ids import id_text
from synth.plan import MEASURE_NAMES

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
    return [
        extract_file(f"{c.site_id}/qi_log/qi_activity_log.csv", csv_text(real), real.height, {}),
        change_log_file(c),
        baselines_file(c),
    ]


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


def write_templates(folder: Path, *, excel: bool = True) -> tuple[Path, ...]:
    """Write the QI log templates: the activity log, the change log and the baselines.

    Each CSV holds the header and two example rows. The workbooks hold the same, with a
    second sheet: the allowed activity types and outcomes (``QI_ACTIVITIES``) for the
    activity log, the catalogue measures a change idea may name for the change log.
    They need the ``xlsxwriter`` package (polars ``write_excel``).

    Parameters
    ----------
    folder : Path
        Where to write ``qi_activity_log.csv``, ``change_log.csv`` and ``baselines.csv``,
        and ``qi_activity_log.xlsx`` and ``change_log.xlsx``.
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
    ['qi_activity_log.csv', 'change_log.csv', 'baselines.csv']
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
    csvs = {"qi_activity_log": activities, "change_log": changes, "baselines": baselines}
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
    }
    written = []
    for name, (title, frame, second, values) in books.items():
        path = folder / f"{name}.xlsx"
        _workbook(path, title, {name: frame, second: values})
        written += [paths[name], path]
    return (*written, paths["baselines"])


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
