"""A case small enough to work out on paper, reproduced exactly (docs/roi.md §7).

Site a (homes a1, a2) starts a programme in March 2024; site b (b1, b2) changes
nothing. Every home has 1,000 occupied bed days a month, January to April.

Emergency admissions: a's homes have 20 before and 14 after; b's 20 before and 22
after. The comparison trend is 22/20 = 1.1, so a was expected to have 20 x 1.1 = 22
after: 8 avoided. The controlled rate ratio is (14/20) / (22/20) = 0.63636; the
uncontrolled one 14/20 = 0.7. Half a's admissions before stayed two nights or more,
so one is priced at 0.5 x £5,134 + 0.5 x £792 = £2,963 (NCC long and short stay,
2023/24). Costs avoided: 8 x £2,963 = £23,704.

Prescribing: a's homes spent £4,000 before and £3,600 after, b's £4,000 and £4,000:
£400 avoided, cash.

The programme: 100 pharmacist (band 7) hours at £68 and £1,000 of materials: £7,800.
With attribution 0.5: savings 0.5 x (£23,704 + £400) = £12,052; net benefit £4,252;
ROI 4,252 / 7,800 = 0.54513; benefit-cost ratio 1.54513; break-even 7,800 / 2,963 =
2.632 admissions.
"""

from __future__ import annotations

import polars as pl
import pytest

from tests.warehouse.roi.two_sites import two_sites
from warehouse.roi.report import reports, text
from warehouse.roi.unit_costs import load_unit_costs

ADMISSIONS = {"a1": [6, 4, 4, 4], "a2": [5, 5, 3, 3], "b1": [5, 5, 6, 6], "b2": [5, 5, 5, 5]}
PRESCRIBING = {"a1": [1000, 1000, 900, 900], "a2": [1000, 1000, 900, 900]}
PRESCRIBING |= {"b1": [1000] * 4, "b2": [1000] * 4}
LONG_STAYS = {"a1": [3, 2, 2, 2], "a2": [2, 3, 2, 1], "b1": [2] * 4, "b2": [2] * 4}  # a: 10 of 20


@pytest.fixture(scope="module")
def case():
    uc = load_unit_costs()
    est = two_sites(uc, ADMISSIONS, PRESCRIBING, LONG_STAYS, materials=1000.0, draws=400)
    return uc, est, {e["site_id"]: e for e in reports(est)}


def test_the_unit_costs_are_those_the_case_was_worked_with(case):
    uc, _, _ = case
    assert (uc.value("nel_long_stay"), uc.value("nel_short_stay")) == (5134.0, 792.0)
    assert uc.value("pharmacist_band_7") == 68.0
    assert uc.price_year == "2023/24"


def test_events_expected_and_avoided(case):
    _, est, _ = case
    d = est.draws
    a = d.analyses.index("a")
    adm, rx = d.resources.index("emergency_admissions"), d.resources.index("prescribing_cost")
    assert d.expected[0, a, adm] == pytest.approx(22.0)
    assert d.avoided[0, a, adm] == pytest.approx(8.0)
    assert d.avoided[0, a, rx] == pytest.approx(400.0)
    assert d.nel_price[0, a] == pytest.approx(2963.0)


def test_money_on_paper(case):
    _, _, by_site = case
    a = by_site["a"]
    assert a["intervention_cost"]["estimate"] == 7800
    assert a["costs_avoided"]["estimate"] == 23704 + 400
    assert a["attributable_savings"]["estimate"] == 12052
    assert a["cash_releasing"]["estimate"] == 200
    assert a["capacity"]["estimate"] == 11852
    assert a["net_benefit"]["estimate"] == 4252
    assert a["roi"]["estimate"] == pytest.approx(0.545, abs=5e-4)
    assert a["benefit_cost_ratio"]["estimate"] == pytest.approx(1.545, abs=5e-4)
    assert a["break_even_admissions"] == pytest.approx(2.6, abs=0.05)
    assert a["threshold"]["admission_price"] == pytest.approx(2963.0)
    assert a["threshold"]["attribution_needed"] == pytest.approx(7800 / 24104, abs=5e-4)


def test_rate_ratios_on_paper(case):
    _, _, by_site = case
    adm = next(r for r in by_site["a"]["rate_ratios"] if r["resource"] == "emergency_admissions")
    assert adm["controlled"] is True
    assert adm["model"] == "Poisson"
    assert adm["estimate"] == pytest.approx(0.636, abs=5e-4)
    assert adm["uncontrolled"]["estimate"] == pytest.approx(0.7, abs=5e-4)
    assert adm["lower"] < adm["estimate"] < adm["upper"]
    assert (adm["homes_treated"], adm["homes_comparison"]) == (2, 2)
    # counts pass through disclosure control: 20 stays 20, 14 -> 15, 22 -> 20
    assert (adm["before"], adm["after"], adm["expected"]) == (20, 15, 20)


def test_the_comparison_site_is_a_placebo_with_no_money(case):
    _, _, by_site = case
    b = by_site["b"]
    assert b["role"] == "comparison"
    assert b["roi"] is None
    assert b["intervention_cost"] is None
    adm = next(r for r in b["rate_ratios"] if r["resource"] == "emergency_admissions")
    assert adm["controlled"] is False  # a's homes are all aimed at admissions
    assert adm["estimate"] == pytest.approx(1.1, abs=5e-4)


def test_the_collaborative_is_the_sum_of_its_intervention_sites(case):
    _, _, by_site = case
    assert by_site["collaborative"]["net_benefit"]["estimate"] == 4252
    assert by_site["collaborative"]["intervention_cost"]["estimate"] == 7800


def test_sensitivity_moves_the_net_benefit_by_hand_worked_amounts(case):
    _, est, _ = case
    s = est.sensitivity.filter(pl.col("analysis") == "a")
    attribution = s.filter(pl.col("parameter").str.starts_with("Attribution")).row(0, named=True)
    # 0.3 x 24,104 - 7,800 and 0.7 x 24,104 - 7,800
    assert attribution["net_low"] == pytest.approx(0.3 * 24104 - 7800)
    assert attribution["net_high"] == pytest.approx(0.7 * 24104 - 7800)
    mix = s.filter(pl.col("parameter").str.starts_with("Emergency admission stay")).row(
        0, named=True
    )
    assert mix["net_low"] == pytest.approx(0.5 * (8 * 792 + 400) - 7800)
    assert mix["net_high"] == pytest.approx(0.5 * (8 * 5134 + 400) - 7800)


def test_intervals_and_probability(case):
    _, _, by_site = case
    a = by_site["a"]
    assert a["net_benefit"]["lower"] < 4252 < a["net_benefit"]["upper"]
    assert 0 < a["probability_roi_positive"] <= 1


def test_the_text_names_the_price_year_and_hides_nothing_it_should_show(case):
    _, est, _ = case
    out = text(reports(est))
    assert "2023/24 prices" in out
    assert "Net benefit             £4,252" in out
    assert "Counts of 1 to 7 are hidden" in out
