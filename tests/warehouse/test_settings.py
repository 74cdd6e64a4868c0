"""The settings file: found from the current folder upwards, every key defaulted, errors named."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from synth import write_extracts
from warehouse.settings import (
    FILE_NAME,
    SettingsError,
    find_settings,
    load_settings,
    render_sites,
    template,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_repositorys_settings_name_the_demos_sites_and_homes(tmp_path):
    summary = write_extracts(tmp_path / "inbox")
    expected = template() + "\n" + render_sites(summary.register)
    assert (REPO / FILE_NAME).read_text() == expected
    settings = load_settings(file=REPO / FILE_NAME)
    assert [s.site_id for s in settings.sites] == ["site_a", "site_b", "site_c", "site_d"]
    assert sum(len(s.homes) for s in settings.sites) == 29
    assert settings.inbox == REPO / "data" / "inbox"
    assert settings.dagster_home == REPO / ".dagster"


def test_the_template_is_valid_and_every_default_holds(tmp_path):
    (tmp_path / FILE_NAME).write_text(template())
    written = load_settings(tmp_path)
    (tmp_path / FILE_NAME).unlink()
    default = load_settings(tmp_path)
    assert written.file == tmp_path / FILE_NAME
    assert default.file is None
    assert dataclasses.replace(written, file=None) == default
    assert default.out == tmp_path / "out"


def test_the_file_is_found_from_a_subfolder_and_paths_are_relative_to_it(tmp_path, monkeypatch):
    (tmp_path / FILE_NAME).write_text('[paths]\nwarehouse = "w/warehouse.duckdb"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert find_settings() == tmp_path / FILE_NAME
    settings = load_settings()
    assert settings.warehouse == tmp_path / "w" / "warehouse.duckdb"
    assert settings.replace(out="here").out == deep / "here"


def test_m4c_config_names_the_file(tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.toml"
    other.write_text('[privacy]\nkey_variable = "SITE_KEY"\n')
    monkeypatch.setenv("M4C_CONFIG", str(other))
    assert load_settings().key_variable == "SITE_KEY"
    monkeypatch.setenv("M4C_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(SettingsError, match=r"M4C_CONFIG names .*missing\.toml"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[paths\n", "is not valid TOML"),
        ('[paths]\ninbx = "x"\n', "has no setting 'inbx'; the settings here are dagster_home"),
        ("[paths]\ninbox = 3\n", 'inbox must be text, e.g. inbox = "data/inbox"'),
        ('[[sites.a.homes]]\ncqc_id = "1-1"\n', "needs a name (text)"),
        ('[[sites.a.homes]]\ncqc_id = "1-1"\nname = "Elm"\ntype = "hotel"\n',
         "type must be one of nursing, residential, not 'hotel'"),
        ('[[sites.a.homes]]\ncqc_id = "1-1"\nname = "Elm"\nbeds = 0\n',
         "beds must be a whole number above 0"),
        ('[[sites.a.homes]]\ncqc_id = "1-1"\nname = "A"\n[[sites.a.homes]]\ncqc_id = "1-1"\n'
         'name = "B"\n', "lists a CQC id twice"),
    ],
)  # fmt: skip
def test_a_wrong_setting_is_named_with_its_fix(tmp_path, text, message):
    (tmp_path / FILE_NAME).write_text(text)
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(tmp_path)


def test_names_fall_back_to_ids(tmp_path):
    (tmp_path / FILE_NAME).write_text(
        '[sites.site_a]\nname = "North"\n[[sites.site_a.homes]]\ncqc_id = "1-1"\nname = "Elm"\n'
    )
    s = load_settings(tmp_path)
    assert (s.site_name("site_a"), s.site_name("site_z")) == ("North", "site_z")
    assert (s.home_name("site_a", "1-1"), s.home_name("site_a", "1-2")) == ("Elm", "1-2")
    assert s.register() == [{"site_id": "site_a", "site_name": "North", "home_id": "1-1",
                             "home_name": "Elm", "home_type": None, "beds": None}]  # fmt: skip
    (tmp_path / FILE_NAME).write_text('[sites.site_b]\nname = "South"\n')
    assert load_settings(tmp_path).register() == [{"site_id": "site_b", "site_name": "South",
        "home_id": None, "home_name": None, "home_type": None, "beds": None}]  # fmt: skip


def test_a_measure_registry_of_ones_own_is_a_folder_beside_the_settings(tmp_path):
    (tmp_path / "m4c.toml").write_text('[measures]\nregistry = "our-measures"\n')
    assert load_settings(tmp_path).measures == (tmp_path / "our-measures").resolve()
    (tmp_path / "m4c.toml").write_text("[measures]\nregistry = 3\n")
    with pytest.raises(SettingsError, match=r"\[measures\]: registry must be a folder as text"):
        load_settings(tmp_path)
    (tmp_path / "m4c.toml").write_text('[measures]\nregistry = ""\n')
    assert load_settings(tmp_path).measures is None
