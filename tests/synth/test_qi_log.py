"""The QI activity log templates sites start from (data/templates)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl

from connectors.schemas import QI_LOG
from synth import write_templates

TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "templates"


def test_templates_hold_the_qi_log_layout(tmp_path):
    (csv,) = write_templates(tmp_path, excel=False)
    assert csv.read_bytes() == (TEMPLATES / "qi_activity_log.csv").read_bytes()
    template = pl.read_csv(csv, infer_schema=False)
    assert tuple(template.columns) == QI_LOG
    assert template.height == 2
    with zipfile.ZipFile(TEMPLATES / "qi_activity_log.xlsx") as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == ["qi_activity_log", "allowed_values"]
    assert all(f"<t>{c}</t>" in strings for c in (*QI_LOG, "pdsa_cycle", "food_first_plan"))
