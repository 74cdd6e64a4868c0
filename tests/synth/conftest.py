"""Fixtures of the synthetic-data tests: a small quirky set and the default (PEACH-like) one.

Both are written once per session: the default takes a few seconds.
"""

import pytest

from synth import write_extracts

SMALL = {"sites": 2, "homes": 4, "months": 6, "intervention_month": 3, "seed": 11}


@pytest.fixture(scope="session")
def small(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("small") / "inbox", quirk_rate=0.05, **SMALL)


@pytest.fixture(scope="session")
def default(tmp_path_factory):
    return write_extracts(tmp_path_factory.mktemp("default") / "inbox")
