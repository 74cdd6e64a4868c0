"""Test-wide settings.

Hypothesis runs without deadlines (these machines are shared and noisy, and no test
asserts on time) and, under CI, derandomised so that a run is reproducible.
"""

import os

from hypothesis import settings

settings.register_profile("m4c", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "m4c")
