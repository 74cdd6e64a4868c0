"""Hand-made care-home extracts for the data-quality tests: two homes, six months.

Each home has three residents (admitted in June 2023, still there); each resident has a
weight on the 3rd of every month and a MUST score on the 10th, 17th and 24th, and each
home one fall on the 12th, from January to June 2024: 13 rows per home and month.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import pytest

from connectors.schemas import INCIDENTS, OBSERVATIONS, RESIDENTS
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.staging import build_all

SITE = "site_a"
HOMES = ("1-100000001", "1-100000002")
MONTHS = tuple(dt.date(2024, m, 1) for m in range(1, 7))
NHS = ("9990000018", "9990000026", "9990000034", "9990000042", "9990000050", "9990000069")
NAMES = [
    {"site_id": SITE, "site_name": "North Wolds", "home_id": HOMES[0], "home_name": "Elm House",
     "home_type": "nursing", "beds": 40},
]  # fmt: skip


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(columns)] + [",".join(r.get(c, "") for c in columns) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_inbox(
    root: Path,
    *,
    extra_observations: dict[str, list[dict[str, str]]] | None = None,
    extra_incidents: dict[str, list[dict[str, str]]] | None = None,
    months: dict[str, tuple[dt.date, ...]] | None = None,
) -> Path:
    """The two homes' residents, observations and incidents (``months`` per home)."""
    for h, home in enumerate(HOMES):
        folder = root / SITE / "carehome" / home
        write_csv(folder / "residents.csv", RESIDENTS, [
            {"home_id": home, "resident_local_id": f"R{i}", "nhs_number": NHS[h * 3 + i],
             "date_of_birth": "01/05/1935", "sex": "F", "admission_date": "01/06/2023",
             "admission_type": "permanent"}
            for i in range(3)
        ])  # fmt: skip
        sent = (months or {}).get(home, MONTHS)
        observations = [
            {"resident_local_id": f"R{i}", "obs_datetime": f"{day:02d}/{m:%m/%Y}",
             "obs_type": "weight_kg" if day == 3 else "must_score",
             "value": "61.5" if day == 3 else "1"}
            for m in sent for i in range(3) for day in (3, 10, 17, 24)
        ]  # fmt: skip
        incidents = [
            {"resident_local_id": "R1", "incident_datetime": f"12/{m:%m/%Y} 10:00",
             "incident_type": "fall", "harm_level": "none"}
            for m in sent
        ]  # fmt: skip
        observations += (extra_observations or {}).get(home, [])
        incidents += (extra_incidents or {}).get(home, [])
        write_csv(folder / "observations.csv", OBSERVATIONS, observations)
        write_csv(folder / "incidents.csv", INCIDENTS, incidents)
    return root


@pytest.fixture
def warehouse(tmp_path):
    """A function: write an inbox (``write_inbox``'s arguments), load it, build the model."""
    with contextlib.ExitStack() as stack:

        def make(*, homes=(), **inbox):
            root = tmp_path / f"inbox{len(list(tmp_path.iterdir()))}"
            write_inbox(root, **inbox)
            con = stack.enter_context(connect(root.with_suffix(".duckdb")))
            ingest(root, con, key=b"test")
            build_all(con, homes=homes)
            return con

        yield make
