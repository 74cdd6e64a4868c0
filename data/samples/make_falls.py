"""Write falls.csv: a synthetic sample of falls per care home and month.

Three fictional homes, January 2023 to December 2024. Falls are Poisson counts of
about 8 per 1,000 occupied bed days; from January 2024 Oak Lodge and Beech House run
a falls-prevention change (multifactorial risk assessment and MDT review), which
lowers their rate by about 40%, while Willow Court carries on as before.
Run: ``python data/samples/make_falls.py``.
"""

import calendar
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

HOMES = {"Oak Lodge": (34, 0.6), "Beech House": (28, 0.55), "Willow Court": (40, 1.0)}
BASE_RATE = 8 / 1000  # falls per occupied bed day


def main() -> None:
    """Simulate the homes and write falls.csv beside this script."""
    rng = np.random.default_rng(20240601)
    rows = []
    for home, (beds, effect) in HOMES.items():
        for year in (2023, 2024):
            for month in range(1, 13):
                days = calendar.monthrange(year, month)[1]
                occupied = int(rng.binomial(beds * days, 0.92))
                rate = BASE_RATE * (effect if year == 2024 else 1.0)
                falls = int(rng.poisson(rate * occupied))
                rows.append((home, dt.date(year, month, 1), falls, occupied))
    out = Path(__file__).with_name("falls.csv")
    pl.DataFrame(rows, schema=["home", "month", "falls", "bed_days"], orient="row").write_csv(out)


if __name__ == "__main__":
    main()
