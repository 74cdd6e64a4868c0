"""Test-wide settings.

Every test runs in a folder of its own (the settings file is looked for from the
current folder upwards). Hypothesis runs without deadlines (these machines are shared
and noisy, and no test asserts on time) and, under CI, derandomised so that a run is
reproducible.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("m4c", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "m4c")


@pytest.fixture(autouse=True)
def _in_a_fresh_folder(tmp_path_factory, monkeypatch):
    """Each test runs in an empty folder of its own, with no m4c.toml above it.

    The settings are found from the current folder upwards; a test must never pick up
    the repository's m4c.toml, nor write runs into its .dagster.
    """
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.delenv("M4C_CONFIG", raising=False)
    monkeypatch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
