"""The QI log templates sites start from (data/templates): activities, changes, baselines, costs.

They are written by synth.write_templates; the files in data/templates are exactly what it
writes, so regenerate them with it (``write_templates(Path("data/templates"))``).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl

from connectors import parse_file
from connectors.base import Context
from connectors.schemas import (
    BASELINE_ACTIONS,
    BASELINES,
    CHANGE_LOG,
    COST_CATEGORIES,
    COST_ROLES,
    INTERVENTION_COSTS,
    QI_LOG,
)
from synth import write_templates

TEMPLATES = Path(__file__).resolve().parents[2] / "data" / "templates"
CSVS = ["qi_activity_log.csv", "change_log.csv", "baselines.csv", "intervention_costs.csv"]
BOOKS = ("qi_activity_log.xlsx", "change_log.xlsx", "intervention_costs.xlsx")


def sheets(path: Path) -> tuple[list[str], str]:
    with zipfile.ZipFile(path) as book:
        workbook = book.read("xl/workbook.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    return re.findall(r'<sheet name="([^"]+)"', workbook), strings


def test_templates_are_what_write_templates_writes(tmp_path):
    written = write_templates(tmp_path, excel=False)
    assert [p.name for p in written] == CSVS
    for path in written:
        assert path.read_bytes() == (TEMPLATES / path.name).read_bytes(), path.name
    both = write_templates(tmp_path / "both")
    assert [p.name for p in both] == [
        "qi_activity_log.csv",
        "qi_activity_log.xlsx",
        "change_log.csv",
        "change_log.xlsx",
        "baselines.csv",
        "intervention_costs.csv",
        "intervention_costs.xlsx",
    ]
    assert sorted(p.name for p in TEMPLATES.iterdir()) == sorted(p.name for p in both)
    for name in BOOKS:
        assert sheets(tmp_path / "both" / name) == sheets(TEMPLATES / name)


def test_templates_hold_the_qi_log_layout(tmp_path):
    template = pl.read_csv(TEMPLATES / "qi_activity_log.csv", infer_schema=False)
    assert tuple(template.columns) == QI_LOG
    assert template.height == 2
    names, strings = sheets(TEMPLATES / "qi_activity_log.xlsx")
    assert names == ["qi_activity_log", "allowed_values"]
    assert all(f"<t>{c}</t>" in strings for c in (*QI_LOG, "pdsa_cycle", "food_first_plan"))


def test_the_change_log_template_has_the_change_log_layout():
    text = (TEMPLATES / "change_log.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(CHANGE_LOG)
    assert text.splitlines() == [
        "change_id,title,homes,measures,start_date,cycle,owner",
        "CI-01,Falls huddles after every fall,all,S1;S2,02/10/2023,PDSA 1,Home manager",
        "CI-02,MUST screening at every monthly weigh,1-100000001;1-100000002,P2.1,06/11/2023,"
        "PDSA 1,Dietitian",
    ]
    names, strings = sheets(TEMPLATES / "change_log.xlsx")
    assert names == ["change_log", "measures"]
    assert all(f"<t>{m}</t>" in strings for m in ("S1", "S3", "P2.1", "P4.1", "owner"))


def test_the_baselines_template_says_when_a_baseline_was_frozen_or_rebased():
    template = pl.read_csv(TEMPLATES / "baselines.csv", infer_schema=False)
    assert tuple(template.columns) == BASELINES
    assert set(template["action"]) == set(BASELINE_ACTIONS)
    assert template.columns == [
        "measure",
        "home",
        "action",
        "date",
        "decided_by",
        "decided_on",
        "reason",
    ]
    assert template.rows() == [
        (
            "S1",
            "all",
            "freeze",
            "01/10/2023",
            "QI steering group",
            "15/11/2023",
            "twelve months of baseline before the falls huddles",
        ),
        (
            "P2.1",
            "1-100000001",
            "rebase",
            "01/03/2024",
            "Dietitian",
            "10/04/2024",
            "a sustained shift after MUST screening at every weigh",
        ),
    ]


def test_the_costs_template_loads_whole_and_lists_what_each_column_takes():
    text = (TEMPLATES / "intervention_costs.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(INTERVENTION_COSTS)
    ctx = Context(site_id="site_a", key=b"k")
    for name in ("intervention_costs.csv", "intervention_costs.xlsx"):
        parsed = parse_file(TEMPLATES / name, ctx)
        assert (parsed.rows.height, parsed.quarantine.height) == (3, 0), name
        assert parsed.rows["category"].to_list() == ["staff", "backfill", "training"]
        assert parsed.rows["hours"].to_list() == [24.0, 36.0, None]
        assert parsed.rows["cost_gbp"].to_list() == [None, None, 450.0]
    names, strings = sheets(TEMPLATES / "intervention_costs.xlsx")
    assert names == ["intervention_costs", "allowed_values"]
    assert all(f"<t>{v}</t>" in strings for v in (*COST_CATEGORIES, *COST_ROLES, "band 6, 7, 8a"))
