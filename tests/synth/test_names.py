"""Names, types and beds of the synthetic sites and homes (SynthSummary.register).

Names must be plausible, unique and set by the seed, and come from a random stream of
their own: naming the homes differently changes no other byte written.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest

import synth.extracts
from synth import write_extracts
from synth.names import SITE_NAMES, draw_register, first_parts, home_names
from synth.world import draw_homes
from tests.synth.conftest import SMALL
from warehouse.settings import HOME_TYPES, Home, Site


def homes_of(register) -> list[Home]:
    return [h for site in register for h in site.homes]


def test_every_home_has_a_unique_name_a_type_and_its_beds(default):
    assert all(isinstance(s, Site) for s in default.register)
    assert [s.site_id for s in default.register] == ["site_a", "site_b", "site_c", "site_d"]
    assert len({s.name for s in default.register}) == 4
    assert all(s.name in SITE_NAMES for s in default.register)
    homes = homes_of(default.register)
    assert len(homes) == 29
    assert len({h.name for h in homes}) == 29
    assert all(h.name and h.name == h.name.strip() for h in homes)
    assert all(h.type in HOME_TYPES for h in homes)
    assert {h.type for h in homes} == {"nursing", "residential"}
    assert all(20 <= h.beds <= 50 for h in homes)
    nursing = [h.beds for h in homes if h.type == "nursing"]
    residential = [h.beds for h in homes if h.type == "residential"]
    assert 0.2 < len(nursing) / len(homes) < 0.6  # a plausible mix
    assert statistics.mean(nursing) > statistics.mean(residential)  # nursing homes are larger


def test_names_are_set_by_the_seed(small, tmp_path):
    again = write_extracts(tmp_path / "again", quirk_rate=0.05, **SMALL)
    assert again.register == small.register
    other = write_extracts(tmp_path / "other", quirk_rate=0.05, **{**SMALL, "seed": 12})
    assert [h.name for h in homes_of(other.register)] != [h.name for h in homes_of(small.register)]


def test_names_draw_from_their_own_stream_and_change_nothing_else(small, tmp_path, monkeypatch):
    def other_names(rng, homes):
        return draw_register(np.random.default_rng(12345), homes)

    monkeypatch.setattr(synth.extracts, "draw_register", other_names)
    renamed = write_extracts(tmp_path / "renamed", quirk_rate=0.05, **SMALL)
    assert renamed.register != small.register
    before, after = homes_of(small.register), homes_of(renamed.register)
    assert [(h.cqc_id, h.beds) for h in after] == [(h.cqc_id, h.beds) for h in before]
    for a, b in zip(small.paths, renamed.paths, strict=True):
        if a.name != "homes.csv":
            assert a.read_bytes() == b.read_bytes(), a
    assert (renamed.truth / "homes.csv").read_bytes() != (small.truth / "homes.csv").read_bytes()


@pytest.mark.parametrize(("sites", "homes"), [(26, 26), (26, 600), (3, 2900)])
def test_names_stay_unique_for_many_sites_and_homes(sites, homes):
    table = draw_homes(np.random.default_rng(0), sites, homes, quirk_rate=0.02)
    register = draw_register(np.random.default_rng(1), table)
    assert len(register) == sites
    assert len({s.name for s in register}) == sites
    named = homes_of(register)
    assert [h.cqc_id for h in named] == table.home_id
    assert len({h.name for h in named}) == homes
    assert all(h.type in HOME_TYPES for h in named)


def test_home_names_use_every_first_part_once_before_any_twice():
    parts = set(first_parts()[0].tolist())
    names = home_names(np.random.default_rng(0), np.array(["residential"] * (len(parts) + 5)))

    def first(name: str) -> str:
        return max((p for p in parts if name == p or name.startswith(p + " ")), key=len)

    assert {first(n) for n in names[: len(parts)]} == parts
    assert len(set(names)) == len(names)
    many = home_names(np.random.default_rng(0), np.array(["nursing", "residential"] * 5_000))
    assert len(set(many)) == 10_000  # beyond every first part with every building: numbered
