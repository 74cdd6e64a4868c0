"""The commissioners' ROI tables: laid out from the reports, hidden counts kept hidden."""

from __future__ import annotations

import polars as pl
import pytest

from tests.warehouse.roi.two_sites import two_sites
from warehouse.disclosure import NOTE
from warehouse.exports.roi_tables import EMPTY_CELLS, NO_CASH, roi_tables
from warehouse.exports.spreadsheet import write_tables
from warehouse.roi.report import reports
from warehouse.roi.unit_costs import load_unit_costs


def _interval(estimate, lower, upper):
    return {"estimate": estimate, "lower": lower, "upper": upper}


ASSUMPTIONS = ["Prices are of 2023/24.", "Attribution: 50% of the change is credited."]
SITE = {
    "site_id": "site_a", "site_name": "Hillcrest", "role": "intervention",
    "price_year": "2023/24", "unit_costs_version": "2026.12.1",
    "baseline": {"text": "January 2023 to July 2023"},
    "intervention": {"text": "August 2023 to June 2024"},
    "rate_ratios": [
        {"resource": "emergency_admissions", "title": "Emergency admissions",
         "unit": "admissions", "saving": "capacity", "estimate": 0.67, "lower": 0.46,
         "upper": 0.975, "model": "Poisson", "controlled": True, "homes_treated": 8,
         "homes_comparison": 21, "note": "", "before": 115, "after": 130, "expected": 195,
         "saving_gbp": _interval(151519.0, 9590.0, 322075.0)},
        {"resource": "ae_attendances", "title": "A&E attendances", "unit": "attendances",
         "saving": "capacity", "estimate": None, "lower": None, "upper": None,
         "model": "Poisson", "controlled": False, "homes_treated": 8, "homes_comparison": 0,
         "note": "hidden: fewer than 8 events in a period", "before": 20, "after": None,
         "expected": None, "saving_gbp": _interval(120.0, -40.0, 300.0)},
        {"resource": "prescribing_cost", "title": "Prescribing cost", "unit": "£",
         "saving": "cash", "estimate": 1.029, "lower": 0.948, "upper": 1.117,
         "model": "Poisson quasi-likelihood", "controlled": True, "homes_treated": 8,
         "homes_comparison": 7, "note": "", "before": 138747.0, "after": 230262.0,
         "expected": 223668.0, "saving_gbp": _interval(-3297.0, -10595.0, 5212.0)},
        {"resource": "ons_cost", "title": "Oral nutritional supplements (ONS) cost",
         "unit": "£", "saving": "cash", "estimate": None, "note": "no data"},
    ],
    "intervention_cost": {**_interval(49289.0, 46801.0, 51779.0), "basis": ["costs template"]},
    "costs_avoided": _interval(328275.0, 35448.0, 684846.0),
    "attributable_savings": _interval(164138.0, 17724.0, 342423.0),
    "net_benefit": _interval(114849.0, -31616.0, 294250.0),
    "roi": _interval(2.33, -0.64, 5.891),
    "benefit_cost_ratio": _interval(3.33, 0.36, 6.891),
    "probability_roi_positive": 0.933,
    "cash_releasing": _interval(-7305.0, -21583.0, 7759.0),
    "capacity": _interval(171442.0, 23526.0, 352287.0),
    "break_even_admissions": 10.4,
    "threshold": {"admission_price": 4725.78},
    "sensitivity": [
        {"parameter": "Attribution fraction (50%)", "low_label": "30%", "high_label": "70%",
         "net_low": 49194.0, "net_high": 180504.0, "roi_low": 0.998, "roi_high": 3.662,
         "swing": 131310.0},
        {"parameter": "Stay mix", "low_label": "-10%", "high_label": "+10%",
         "net_low": -11277.0, "net_high": 127937.0, "roi_low": -0.229, "roi_high": 2.596,
         "swing": 139214.0},
    ],
    "assumptions": ASSUMPTIONS,
    "disclosure": NOTE,
}  # fmt: skip
MONEY = dict.fromkeys(
    ["intervention_cost", "costs_avoided", "attributable_savings", "net_benefit", "roi",
     "benefit_cost_ratio", "probability_roi_positive", "cash_releasing", "capacity",
     "break_even_admissions", "threshold"]
)  # fmt: skip
COMPARISON = SITE | MONEY | {
    "site_id": "site_d", "site_name": "Castlegate", "role": "comparison",
    "note": "No change ideas at this site: no programme to cost.",
    "rate_ratios": [
        {"resource": "emergency_admissions", "title": "Emergency admissions",
         "unit": "admissions", "saving": "capacity", "estimate": 1.226, "lower": 0.797,
         "upper": 1.885, "model": "Poisson", "controlled": True, "homes_treated": 7,
         "homes_comparison": 14, "note": "", "before": 70, "after": 130, "expected": 105,
         "saving_gbp": None},
        {"resource": "prescribing_cost", "title": "Prescribing cost", "unit": "£",
         "saving": "cash", "estimate": None, "controlled": False, "homes_treated": 0,
         "homes_comparison": 0, "note": "not recorded at this site", "before": None,
         "after": None, "expected": None, "saving_gbp": _interval(0.0, 0.0, 0.0)},
    ],
    "sensitivity": [],
}  # fmt: skip
COLLABORATIVE = SITE | {
    "site_id": "collaborative",
    "site_name": "All sites",
    "role": "collaborative",
}


@pytest.fixture
def tables():
    return roi_tables([SITE, COMPARISON, COLLABORATIVE])


def test_the_five_tables_in_order(tables):
    assert list(tables) == ["summary", "rate_ratios", "sensitivity", "assumptions", "notes"]


def test_summary_columns_a_commissioner_reads(tables):
    summary = tables["summary"]
    for label in (
        "Programme cost",
        "Costs avoided",
        "Savings credited to the programme",
        "Cash-releasing savings",
        "Capacity freed, not cash",
        "Net benefit",
    ):
        for name in (f"{label} (£)", f"{label}, lower 95% (£)", f"{label}, upper 95% (£)"):
            assert summary.schema[name] == pl.Float64  # fmt: skip
    for name in (
        "ROI (%)",
        "ROI, lower 95% (%)",
        "ROI, upper 95% (%)",
        "Benefit-cost ratio",
        "Chance ROI is above zero (%)",
        "Break-even: emergency admissions to prevent",
        "Price year",
        "Cost basis",
    ):
        assert name in summary.columns  # fmt: skip
    assert summary[:, :3].rows() == [
        ("Hillcrest", "site_a", "intervention"),
        ("Castlegate", "site_d", "comparison"),
        ("All sites", "collaborative", "collaborative"),
    ]


def test_summary_values_are_the_reports(tables):
    a = tables["summary"].row(0, named=True)
    assert (a["Net benefit (£)"], a["Net benefit, lower 95% (£)"]) == (114849.0, -31616.0)
    assert (a["Net benefit, upper 95% (£)"], a["Programme cost (£)"]) == (294250.0, 49289.0)
    assert (a["ROI (%)"], a["ROI, lower 95% (%)"], a["ROI, upper 95% (%)"]) == (233.0, -64.0, 589.1)
    assert (a["Benefit-cost ratio"], a["Chance ROI is above zero (%)"]) == (3.33, 93.3)
    assert (a["Break-even: emergency admissions to prevent"], a["Price year"]) == (10.4, "2023/24")
    assert (a["Cash-releasing savings (£)"], a["Cost basis"], a["Note"]) == (
        -7305.0, "costs template", "")  # fmt: skip
    assert a["Emergency admission price (£)"] == 4725.78
    assert (a["Baseline months"], a["Programme months"]) == (
        "January 2023 to July 2023", "August 2023 to June 2024")  # fmt: skip


def test_a_site_with_no_programme_has_empty_money_and_says_why(tables):
    d = tables["summary"].row(1, named=True)
    money = [c for c in tables["summary"].columns if "(£)" in c or "(%)" in c or "ratio" in c]
    assert all(d[c] is None for c in money)
    assert d["Note"] == "No change ideas at this site: no programme to cost."
    assert d["Cost basis"] is None


def test_cash_not_recorded_is_empty_not_zero():
    site = SITE | {
        "rate_ratios": COMPARISON["rate_ratios"],
        "cash_releasing": _interval(0.0, 0.0, 0.0),
    }
    row = roi_tables([site])["summary"].row(0, named=True)
    assert row["Cash-releasing savings (£)"] is None
    assert row["Note"] == NO_CASH


def test_rate_ratios_keep_hidden_counts_hidden(tables):
    rr = tables["rate_ratios"]
    assert rr.columns == [
        "Site", "Site ID", "Resource", "Unit", "Saving", "Before", "After", "Expected",
        "Rate ratio", "Rate ratio, lower 95%", "Rate ratio, upper 95%", "Model",
        "Controlled (against comparison homes)", "Homes in the programme", "Comparison homes",
        "Saving (£)", "Saving, lower 95% (£)", "Saving, upper 95% (£)", "Note",
    ]  # fmt: skip
    assert rr.height == 4 + 2 + 4
    ae = rr.filter((pl.col("Site ID") == "site_a") & (pl.col("Resource") == "A&E attendances"))
    assert ae.select("Before", "After", "Expected", "Rate ratio").rows() == [
        (20.0, None, None, None)
    ]
    assert ae["Note"].item() == "hidden: fewer than 8 events in a period"
    adm = rr.filter(pl.col("Site ID") == "site_a").row(0, named=True)
    assert (adm["Before"], adm["After"], adm["Expected"], adm["Rate ratio"]) == (
        115,
        130,
        195,
        0.67,
    )
    assert (adm["Rate ratio, lower 95%"], adm["Rate ratio, upper 95%"]) == (0.46, 0.975)
    assert (adm["Model"], adm["Controlled (against comparison homes)"]) == ("Poisson", "yes")
    assert (adm["Saving"], adm["Saving (£)"]) == ("capacity, not cash", 151519.0)
    ons = rr.filter(pl.col("Resource").str.starts_with("Oral")).row(0, named=True)
    assert (ons["Before"], ons["Controlled (against comparison homes)"], ons["Note"]) == (
        None, None, "no data")  # fmt: skip


def test_every_published_count_is_the_reports_and_no_hidden_one_appears(tables):
    rr = tables["rate_ratios"]
    expected = [
        tuple(None if r.get(k) is None else float(r[k]) for k in ("before", "after", "expected"))
        for report in (SITE, COMPARISON, COLLABORATIVE)
        for r in report["rate_ratios"]
    ]
    assert rr.select("Before", "After", "Expected").rows() == expected


@pytest.mark.parametrize("count", [3, 7, 12, 21.5])
def test_a_count_that_was_not_disclosed_is_refused(count):
    raw = SITE | {"rate_ratios": [SITE["rate_ratios"][0] | {"after": count}]}
    with pytest.raises(ValueError, match="not disclosed"):
        roi_tables([raw])


def test_sensitivity_assumptions_and_notes(tables):
    s = tables["sensitivity"]
    assert s.columns == [
        "Site", "Site ID", "Parameter", "Low value", "High value",
        "Net benefit at the low value (£)", "Net benefit at the high value (£)",
        "ROI at the low value (%)", "ROI at the high value (%)", "Swing in net benefit (£)",
    ]  # fmt: skip
    assert s.height == 4  # two each for the site and the collaborative, none for site_d
    assert s.row(0) == (
        "Hillcrest", "site_a", "Attribution fraction (50%)", "30%", "70%",
        49194.0, 180504.0, 99.8, 366.2, 131310.0,
    )  # fmt: skip
    assert tables["assumptions"].rows() == [(1, ASSUMPTIONS[0]), (2, ASSUMPTIONS[1])]
    assert tables["notes"]["Note"].to_list() == [NOTE, EMPTY_CELLS]


def test_a_label_that_starts_like_a_formula_is_escaped_in_the_files(tables, tmp_path):
    paths = write_tables(tables, tmp_path, workbook="roi")
    back = pl.read_excel(paths[-1], sheet_name="sensitivity")
    assert back.filter(pl.col("Parameter") == "Stay mix")["Low value"].to_list() == ["'-10%"] * 2
    assert back["Net benefit at the low value (£)"].to_list()[1] == -11277.0
    summary = pl.read_csv(tmp_path / "summary.csv")
    assert summary["Net benefit (£)"].to_list() == [114849.0, None, 114849.0]


def test_reports_with_nothing_to_evaluate_give_empty_tables_with_their_columns():
    nothing = MONEY | {
        "site_id": "collaborative", "site_name": "All sites", "role": "collaborative",
        "price_year": "2023/24", "baseline": None, "intervention": None,
        "note": "No site's change log has a change idea.", "rate_ratios": [],
        "sensitivity": [], "assumptions": ASSUMPTIONS, "disclosure": NOTE,
    }  # fmt: skip
    tables = roi_tables([nothing])
    assert tables["summary"].height == 1
    assert tables["rate_ratios"].height == tables["sensitivity"].height == 0
    assert "Before" in tables["rate_ratios"].columns
    assert "Parameter" in tables["sensitivity"].columns


# A case small enough to see by eye, run through the real ROI (as tests/warehouse/roi/
# test_hand_case.py does): site a's homes have 5 admissions after the start, which
# disclosure control hides; site b changes nothing.
ADMISSIONS = {"a1": [6, 4, 2, 1], "a2": [5, 5, 1, 1], "b1": [5, 5, 6, 6], "b2": [5, 5, 5, 5]}
PRESCRIBING = {h: [1000.0, 1000, 900, 900] if h[0] == "a" else [1000.0] * 4 for h in ADMISSIONS}


@pytest.fixture(scope="module")
def real_reports():
    long_stays = {h: [1, 1, 0, 0] for h in ADMISSIONS}
    return reports(two_sites(load_unit_costs(), ADMISSIONS, PRESCRIBING, long_stays))


def test_the_real_reports_lay_out_with_the_hidden_count_still_hidden(real_reports):
    tables = roi_tables(real_reports)
    assert tables["summary"]["Site ID"].to_list() == ["a", "b", "collaborative"]
    rr = tables["rate_ratios"].filter(pl.col("Resource") == "Emergency admissions")
    # a's 5 admissions after the start are hidden, and so the collaborative's (a alone)
    assert rr.select("Site ID", "Before", "After", "Rate ratio").rows() == [
        ("a", 20.0, None, None),
        ("b", 20.0, 20.0, pytest.approx(1.1, abs=5e-4)),
        ("collaborative", 20.0, None, None),
    ]
    a = next(r for r in real_reports if r["site_id"] == "a")
    assert tables["summary"].row(0, named=True)["Net benefit (£)"] == a["net_benefit"]["estimate"]
    assert tables["sensitivity"]["Site ID"].unique().sort().to_list() == ["a", "collaborative"]
    assert tables["notes"]["Note"][0] == NOTE
