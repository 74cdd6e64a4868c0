"""The measure registry drives everything: a measure added as two files reaches the signals."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil

import polars as pl
import pytest

from synth import write_extracts
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import CATALOGUE, RegistryError, compute, load_registry
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.staging import build_all

NEW_TOML = """\
id = "X1"
title = "Pressure ulcers logged"
description = "New pressure ulcers in the incident log each month. Fewer is better."
numerator = "Pressure-ulcer incidents in the month"
denominator = ""
tables = ["stg_incident"]
source = "carehome"
unit = "pressure ulcers"
chart = "c"
improvement = "decrease"
version = 3
"""
# a count that drops to nothing after the first year: a shift the signals must find
NEW_SQL = """\
SELECT h.site_id, h.home_id, h.period,
       CASE WHEN h.period < $cutover THEN 5 + (month(h.period) % 3) ELSE 0 END AS numerator,
       NULL AS denominator, 'carehome' AS source
FROM home_periods($period) AS h
"""


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    root = tmp_path_factory.mktemp("registry")
    write_extracts(root / "inbox", sites=2, homes=4, months=20, seed=3, quirk_rate=0.0)
    path = root / "w.duckdb"
    with connect(path) as con:
        ingest(root / "inbox", con, key=b"registry")
        build_all(con)
    return path


@pytest.fixture
def registry_folder(tmp_path):
    folder = tmp_path / "measures"
    folder.mkdir()
    for name in ("s1.toml", "s1.sql", "s1.events.sql"):
        folder.joinpath(name).write_bytes(CATALOGUE.joinpath(name).read_bytes())
    (folder / "x1.toml").write_text(NEW_TOML + '\n[params]\ncutover = "2024-01-01"\n')
    (folder / "x1.sql").write_text(NEW_SQL)
    return folder


def test_a_new_measure_reaches_values_spc_results_and_signals(staged, registry_folder, tmp_path):
    registry = load_registry(registry_folder)
    assert registry.ids == ("S1", "X1")  # catalogue sections first, then the rest
    path = tmp_path / "w.duckdb"
    shutil.copy(staged, path)
    with connect(path) as con:
        counts = compute(con, registry)
        compute_spc(con)
        compute_signals(con, run_at=dt.datetime(2025, 1, 1))
        values = con.sql("SELECT * FROM measure_values WHERE measure_id = 'X1'").pl()
        spc = con.sql("SELECT * FROM spc_results WHERE measure_id = 'X1'").pl()
        found = con.sql("SELECT * FROM signals WHERE measure_id = 'X1'").pl()
    assert counts["measures"] == 2
    assert set(values["version"]) == {3}
    assert set(values["level"]) == {"home", "site", "collaborative"}
    site = values.filter(pl.col("level") == "site").sort("site_id", "period")
    homes = values.filter(pl.col("level") == "home")
    assert site["numerator"].sum() == homes["numerator"].sum()  # sums, not averages
    assert set(spc.filter(pl.col("level") == "home")["chart"]) == {"c"}
    assert spc.filter(pl.col("period") < dt.date(2024, 1, 1))["cl"].is_not_null().all()
    shifts = found.filter(pl.col("kind") == "shift")
    assert set(shifts["level"]) == {"home", "site", "collaborative"}
    assert set(shifts["direction"]) == {"improvement"}
    assert shifts["sentence"].str.starts_with("Pressure ulcers logged at ").all()


def test_a_declaration_with_a_wrong_value_is_named_with_its_fix(registry_folder):
    (registry_folder / "x1.toml").write_text(NEW_TOML.replace('"c"', '"pie"'))
    with pytest.raises(RegistryError, match=r"x1\.toml: chart = 'pie'; use one of run, p, u"):
        load_registry(registry_folder)


def test_a_declaration_without_its_sql_is_refused(registry_folder):
    (registry_folder / "x1.sql").unlink()
    with pytest.raises(RegistryError, match=r"x1\.toml: its SQL x1\.sql is missing"):
        load_registry(registry_folder)


def test_a_parameter_the_sql_uses_must_be_declared(registry_folder):
    (registry_folder / "x1.toml").write_text(NEW_TOML)
    with pytest.raises(RegistryError, match=r"uses \$cutover but \[params\] does not set it"):
        load_registry(registry_folder)


def test_an_unknown_table_is_refused(registry_folder):
    (registry_folder / "x1.toml").write_text(
        NEW_TOML.replace('["stg_incident"]', '["stg_falls"]') + '[params]\ncutover = "2024-01-01"\n'
    )
    with pytest.raises(RegistryError, match=r"tables = \['stg_falls'\]"):
        load_registry(registry_folder)


def test_two_measures_cannot_share_an_id(registry_folder):
    (registry_folder / "x1.toml").write_text(
        NEW_TOML.replace("version = 3", 'version = 3\naliases = ["S1"]')
        + '[params]\ncutover = "2024-01-01"\n'
    )
    with pytest.raises(RegistryError, match="'S1' is already used by"):
        load_registry(registry_folder)


def test_the_catalogue_has_at_least_30_measures():
    assert len(load_registry()) >= 30


RARE_TOML = """\
id = "X2"
title = "Pressure ulcers per 1,000 occupied bed days"
description = "New pressure ulcers for every 1,000 nights in the home. Fewer is better."
numerator = "Pressure-ulcer incidents"
denominator = "Occupied bed days"
tables = ["stg_incident", "stg_occupied_bed_days"]
source = "carehome"
unit = "per 1,000 occupied bed days"
multiplier = 1000
chart = "u"
rare_chart = "t"
improvement = "decrease"
"""
RARE_SQL = """\
SELECT b.site_id, b.home_id, b.period, count(i.incident_date) AS numerator,
       any_value(b.obd) AS denominator, 'carehome' AS source
FROM bed_days($period) AS b
LEFT JOIN stg_incident AS i
  ON i.site_id = b.site_id AND i.home_id = b.home_id AND i.incident_type = 'pressure_ulcer'
 AND CAST(date_trunc($period, i.incident_date) AS DATE) = b.period
GROUP BY ALL
"""
RARE_EVENTS = """\
SELECT site_id, home_id, incident_date AS event_date FROM stg_incident
WHERE incident_type = 'pressure_ulcer'
"""


def test_rare_events_in_a_home_are_charted_as_days_between_them(staged, tmp_path):
    folder = tmp_path / "rare"
    folder.mkdir()
    (folder / "x2.toml").write_text(RARE_TOML)
    (folder / "x2.sql").write_text(RARE_SQL)
    with pytest.raises(RegistryError, match=r"rare_chart needs x2\.events\.sql"):
        load_registry(folder)
    (folder / "x2.events.sql").write_text(RARE_EVENTS)
    path = tmp_path / "w.duckdb"
    shutil.copy(staged, path)
    with connect(path) as con:
        compute(con, load_registry(folder))
        compute_spc(con)
        spc = con.sql("SELECT * FROM spc_results").pl()
        events = con.sql(
            "SELECT home_id, incident_date FROM stg_incident "
            "WHERE incident_type = 'pressure_ulcer' ORDER BY ALL"
        ).pl()
    rare = spc.filter(pl.col("rare"))
    assert set(rare["level"]) == {"home"}  # sites and the collaborative keep their months
    assert set(rare["improvement"]) == {"increase"}  # fewer ulcers: longer gaps
    home = rare["home_id"][0]
    dates = events.filter(pl.col("home_id") == home)["incident_date"]
    gaps = [float((b - a).days) for a, b in itertools.pairwise(dates)]
    assert rare.filter(pl.col("home_id") == home).sort("period")["value"].to_list() == gaps
    assert set(rare["chart"]) <= {"t", "run"}
    sites = spc.filter(~pl.col("rare"), pl.col("level") == "site")
    # a site with no pressure ulcer in most months is sparse: a run chart, no runs rules
    assert set(sites.filter(pl.col("sparse"))["chart"]) <= {"run"}
    assert set(sites.filter(~pl.col("sparse"))["chart"]) <= {"u"}
