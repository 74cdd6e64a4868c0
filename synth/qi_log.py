"""The QI log writer: ``qi_log/qi_activity_log.csv``, and the blank templates for sites.

Sites keep their QI activity log in a spreadsheet; :func:`write_templates` writes the
layout to start from (``data/templates``), with the allowed values.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from connectors.schemas import QI_ACTIVITIES, QI_LOG
from synth.files import ExtractFile, SiteCtx, csv_text, date_text, extract_file, text_frame
from synth.ids import id_text

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
        extract_file(f"{c.site_id}/qi_log/qi_activity_log.csv", csv_text(real), real.height, {})
    ]


def write_templates(folder: Path, *, excel: bool = True) -> tuple[Path, ...]:
    """Write the QI activity log templates: a CSV and an Excel workbook.

    Both hold the header and two example rows; the workbook has a second sheet listing
    the allowed activity types and outcomes (``QI_ACTIVITIES``). The workbook needs the
    ``xlsxwriter`` package (polars ``write_excel``).

    Parameters
    ----------
    folder : Path
        Where to write ``qi_activity_log.csv`` and ``qi_activity_log.xlsx``.
    excel : bool
        Also write the workbook.

    Returns
    -------
    tuple of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_templates(Path(tempfile.mkdtemp()), excel=False)]
    ['qi_activity_log.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    example = pl.DataFrame(
        [
            ("1-100000001", "R0001", "05/03/2024", "triage_tool", "at_risk"),
            ("1-100000001", None, "12/03/2024", "pdsa_cycle", "adapt"),
        ],
        schema=list(QI_LOG),
        orient="row",
    )
    csv_path = folder / "qi_activity_log.csv"
    csv_path.write_text(example.write_csv(None), encoding="utf-8")
    if not excel:
        return (csv_path,)
    try:
        import xlsxwriter  # noqa: PLC0415  (optional: only the workbook needs it)
    except ImportError as exc:
        raise ImportError(
            "writing qi_activity_log.xlsx needs the xlsxwriter package (polars "
            "write_excel); install it, or pass excel=False for the CSV alone"
        ) from exc
    allowed = pl.DataFrame(
        [(kind, outcome) for kind, outcomes in QI_ACTIVITIES.items() for outcome in outcomes],
        schema=["activity_type", "outcome"],
        orient="row",
    )
    xlsx_path = folder / "qi_activity_log.xlsx"
    with xlsxwriter.Workbook(xlsx_path) as book:
        book.set_properties({"title": "QI activity log", "created": TEMPLATE_DATE})
        example.write_excel(book, worksheet="qi_activity_log", autofit=True)
        allowed.write_excel(book, worksheet="allowed_values", autofit=True)
    return csv_path, xlsx_path
