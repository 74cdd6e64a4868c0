"""Fixtures of the synthetic-data tests: small and quirky, the default, large and clean.

The default is the PEACH-like set; the large one is big enough to measure its rates. Each
is written once per session: the default takes a few seconds, the large one about
ten.
"""

import pytest

from synth import write_extracts

SMALL = {"sites": 2, "homes": 4, "months": 6, "intervention_month": 3, "seed": 11}
# The default's four sites, of 25 homes each (about 750 residents): site_a (falls,
# deterioration, MUST), site_b (medicines, dietitian), site_c (falls, admissions) and
# site_d, the comparison site.
LARGE = {"sites": 4, "homes": 100, "months": 18, "quirk_rate": 0.0}


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("small") / "inbox", quirk_rate=0.05, **SMALL)


@pytest.fixture(scope="session")
def default(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("default") / "inbox")


@pytest.fixture(scope="session")
def large(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("large") / "inbox", **LARGE)
