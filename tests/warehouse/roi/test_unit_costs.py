"""The unit costs: every item at 2023/24, uprated by hand, and bad files refused (§3.1)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from warehouse.roi.unit_costs import (
    ITEMS,
    UNIT_COSTS,
    UnitCostError,
    load_unit_costs,
    uprate,
)

# PSSRU 2024 Table 12.1.1, NHS cost inflation index (pay and prices), 2016/17 to 2023/24.
NHSCII = (0.0209, 0.0124, 0.0160, 0.0214, 0.0249, 0.0258, 0.0732, 0.0431)


@pytest.fixture(scope="module")
def costs():
    return load_unit_costs()


def test_every_item_the_roi_prices_with_is_there_at_2023_24(costs):
    assert (costs.version, costs.price_year) == ("2026.12.1", "2023/24")
    assert set(ITEMS) <= set(costs.frame["item"])
    assert costs.frame["item"].n_unique() == costs.frame.height == 28
    assert costs.frame.columns == [
        "item", "title", "value", "low", "high", "unit", "price_year", "value_published",
        "uprating", "source", "table", "saving", "assumption", "note",
    ]  # fmt: skip
    assert set(costs.frame["saving"]) == {"capacity", "none"}  # cash savings are in £ already
    assert (costs.frame["low"] <= costs.frame["value"]).all()
    assert (costs.frame["value"] <= costs.frame["high"]).all()


@pytest.mark.parametrize(
    ("item", "value", "low", "high"),
    [
        ("nel_long_stay", 5134, 5134, 5417),
        ("nel_short_stay", 792, 792, 825),
        ("ae_attendance", 273, 273, 280),
        ("ambulance_see_convey", 459, 459, 489),
        ("ambulance_see_treat", 327, 327, 364),
        ("ambulance_hear_treat", 66, 62, 66),
        ("gp_consultation", 45, 37, 48),  # incl. qualifications; excl.; 2025 manual
        ("gp_minute", 4.47, 3.68, 4.77),
        ("gp_home_visit", 105, 52.5, 157.5),  # the derived placeholder, +-50%
        ("pharmacist_band_6", 57, 57, 60),
        ("pharmacist_band_7", 68, 68, 72),
        ("pharmacist_band_8a", 77, 77, 82),
        ("dietitian_band_5", 44, 44, 55),
        ("dietitian_band_6", 57, 57, 60),
        ("dietitian_band_7", 68, 68, 72),
        ("nurse_band_5", 53, 47, 57),
        ("nurse_band_7", 75, 69, 80),
        ("care_worker_hour", 27, 27, 33.75),
        ("district_nurse_contact", 57, 57, 60),
        ("dietitian_contact", 62, 62, 103),
        ("care_home_nursing_week", 1567, 1567, 1567),
        ("care_home_residential_week", 1200, 897, 1200),
        ("gp_services_resident_week", 13.2, 13.2, 13.2),
        ("hospital_bed_day", 634, 317, 951),
    ],
)
def test_values_published_at_2023_24_are_used_as_they_are(costs, item, value, low, high):
    row = costs.row(item)
    assert (row["value"], row["low"], row["high"]) == (value, low, high)
    assert (row["price_year"], row["uprating"], row["value_published"]) == ("2023/24", 1, value)


def test_the_combined_admission_is_weighted_by_the_2024_25_long_stay_share(costs):
    share = (2710 - 825) / (5417 - 825)  # NCC 2024/25: 2,710 = share x 5,417 + rest x 825
    assert costs.value("nel_average") == round(share * 5134 + (1 - share) * 792)
    row = costs.row("nel_average")
    assert (row["low"], row["high"], row["assumption"]) == (792, 5134, True)


def test_older_values_are_uprated_year_by_year_with_the_nhs_inflation_index(costs):
    since_2015 = math.prod(1 + r for r in NHSCII)
    assert round(since_2015, 3) == 1.262  # the spec's cumulative 2015/16 -> 2023/24
    ooh = costs.row("ooh_contact")  # 2013/14: 2014/15 (assumed 1%) and 2015/16 (0.40%) too
    factor = 1.01 * 1.004 * since_2015
    assert ooh["uprating"] == pytest.approx(factor, rel=1e-12)
    assert ooh["value"] == pytest.approx(68.30 * factor)
    assert round(ooh["value"], 2) == 87.43
    assert ooh["low"] == pytest.approx(61.14 * factor)
    assert (ooh["value_published"], ooh["price_year"], ooh["assumption"]) == (68.3, "2013/14", True)
    bed = costs.row("excess_bed_day")  # 2020/21: three verified years
    assert bed["uprating"] == pytest.approx(1.0258 * 1.0732 * 1.0431)
    assert round(bed["value"], 2) == 395.72
    assert costs.inflation_assumed == ("2014/15", "2015/16")


def test_uprate_multiplies_forward_and_divides_back():
    index = {"2022/23": 0.0732, "2023/24": 0.0431}
    assert uprate(100, "2021/22", "2023/24", index) == pytest.approx(100 * 1.0732 * 1.0431)
    assert uprate(100, "2022/23", "2023/24", index) == pytest.approx(104.31)
    assert uprate(104.31, "2023/24", "2022/23", index) == pytest.approx(100)
    assert uprate(100, "2023/24", "2023/24", {}) == 100
    with pytest.raises(ValueError, match="has no 2021/22, needed to bring 2020/21"):
        uprate(100, "2020/21", "2023/24", index)
    with pytest.raises(ValueError, match="'2023/25' is not a financial year"):
        uprate(100, "2023/25", "2023/24", index)


def test_every_unverified_row_is_flagged_as_an_assumption(costs):
    flagged = set(costs.frame.filter("assumption")["item"])
    assert flagged == {
        "nel_average", "excess_bed_day", "hospital_bed_day", "gp_home_visit", "ooh_contact",
        "dietitian_band_5", "dietitian_band_6", "dietitian_band_7", "dietitian_contact",
        "care_worker_hour",
    }  # fmt: skip


def test_value_names_the_known_items_and_with_values_replaces_some(costs):
    with pytest.raises(KeyError, match="no unit cost 'nel_mix'; the unit costs are nel_long_stay"):
        costs.value("nel_mix")
    low = costs.with_values({"nurse_band_7": 69.0})
    assert (low.value("nurse_band_7"), low.value("nurse_band_5")) == (69.0, 53.0)
    assert costs.value("nurse_band_7") == 75.0  # the original is unchanged
    with pytest.raises(KeyError, match="no unit cost 'nurse_band_6'"):
        costs.with_values({"nurse_band_6": 60.0})


def test_the_file_ships_in_the_package():
    assert UNIT_COSTS.is_file()
    assert Path(str(UNIT_COSTS)).parent.name == "roi"


def edited(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = UNIT_COSTS.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "unit_costs.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('item = "gp_minute"\n', 'item = "gp_minute"\nvlaue = 4\n',
         "the [[cost]] 'gp_minute' has the unknown key 'vlaue'. Its keys are item, title"),
        ("value = 4.47  #", "#", "the [[cost]] 'gp_minute' has no key 'value'. Add it"),
        ("value = 5134  #", 'value = "5134"  #',
         "the [[cost]] 'nel_long_stay' has value = '5134'; make it a number."),
        ("assumption = false", 'assumption = "no"',
         "the [[cost]] 'nel_long_stay' has assumption = 'no'; make it true or false."),
        ('saving = "capacity"', 'saving = "cash-releasing"',
         "has saving = 'cash-releasing'; make it one of cash, capacity, none."),
        ("low = 37  #", "low = 50  #",
         "the [[cost]] 'gp_consultation' has value 45 outside its range [low 50, high 48]"),
        ('price_year = "2013/14"', 'price_year = "2012/13"',
         "the [[cost]] 'ooh_contact' (key price_year): the inflation index has no 2013/14"),
        ('price_year = "2013/14"', 'price_year = "2013-14"',
         "the [[cost]] 'ooh_contact' has price_year '2013-14' is not a financial year"),
        ('item = "nel_short_stay"', 'item = "nel_long_stay"',
         "the item 'nel_long_stay' has more than one [[cost]]"),
        ('item = "care_worker_hour"', 'item = "care_worker"',
         "has no [[cost]] for 'care_worker_hour', which the ROI prices with"),
        ('price_year = "2023/24"\n', "", "has no price_year (a text value at the top"),
        ('version = "2026.12.1"\n', "", "has no version (a text value at the top"),
        ('"2022/23" = 0.0732', '"2022/23" = 7.32',
         "[inflation] gives 2022/23 the index 7.32. Give the change into that year as a "
         "fraction (4.31% is 0.0431)"),
        ('inflation_assumed = ["2014/15", "2015/16"]', 'inflation_assumed = ["2013/14"]',
         "inflation_assumed must list years of the [inflation] table"),
        ("[inflation]\n", "[inflation_index]\n", "has no [inflation] table"),
        ("[[cost]]\nitem", "[[cost]\nitem", "is not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_naming_the_file_item_and_key(tmp_path, old, new, message):
    path = edited(tmp_path, old, new)
    with pytest.raises(UnitCostError, match=re.escape(message)) as caught:
        load_unit_costs(path)
    assert str(caught.value).startswith(str(path))


def test_a_missing_file_says_how_to_restore_it(tmp_path):
    with pytest.raises(UnitCostError, match=r"cannot find the unit costs file .*git checkout"):
        load_unit_costs(tmp_path / "nowhere.toml")
