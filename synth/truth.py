"""The truth: what a perfect pipeline should find in the synthetic extracts.

``expected_counts.csv`` holds every measure per site, home and month, counted from the
simulated world (real rows only); ``expected_files.csv`` the fate of every row of every
file; ``homes.csv`` the names, types and beds of the homes; ``README.txt`` says what
all this is. They are written beside the extracts, never inside: an inbox holds sites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from connectors.schemas import QI_ACTIVITIES
from synth.codes import CODE, EMERGENCY_METHODS
from synth.files import ExtractFile
from synth.quirks import FATES
from synth.simulate import World
from synth.world import site_id_of
from warehouse.settings import REGISTER_SCHEMA, Site

MEASURES = (
    "falls",
    "falls_with_harm",
    "pressure_ulcers",
    "dscr_weights",
    "gp_weights",
    "must_screens",
    "medication_reviews",
    "structured_medication_reviews",
    "emergency_admissions",
    "ae_attendances",
    "deaths",
    "admissions",
    "occupied_bed_days",
    "residents_on_roll",
    *(f"qi_{a}" for a in QI_ACTIVITIES),
)


def expected_counts(w: World) -> pl.DataFrame:
    """Every measure per home and month, from the real records (see write_extracts Notes)."""
    cal, homes = w.cal, w.homes
    day_month = dict(enumerate(cal.month_of_day.tolist()))

    def month(day: str) -> pl.Expr:
        return pl.col(day).replace_strict(day_month, return_dtype=pl.Int64)

    stay_home = w.stays.select("stay", "home")

    def by_stay(frame: pl.DataFrame, day: str = "day") -> pl.DataFrame:
        return (
            frame.filter(pl.col(day).is_between(0, cal.n_days - 1))
            .drop("home", strict=False)
            .join(stay_home, on="stay", maintain_order="left")
            .with_columns(month_idx=month(day))
        )

    def count(measure: str, frame: pl.DataFrame) -> pl.DataFrame:
        return (
            frame.group_by("home", "month_idx").len("value").with_columns(measure=pl.lit(measure))
        )

    inc = by_stay(w.incidents)
    falls = inc.filter(pl.col("type") == "fall")
    harm = pl.col("harm").is_in(["moderate", "severe", "death"]) | (pl.col("transfer") == "Y")
    obs = by_stay(w.observations)
    gp = by_stay(w.gp_events.filter(pl.col("stay").is_not_null()))
    gp_code = pl.col("code")
    spells = by_stay(w.spells.rename({"admit": "day"}))
    emergency = pl.col("method").is_in(EMERGENCY_METHODS)
    deaths = by_stay(w.stays.filter(pl.col("reason") == "died").select("stay", day="end"))
    admissions = by_stay(w.stays.filter(pl.col("start") >= 0).select("stay", day="start"))
    parts = [
        count("falls", falls),
        count("falls_with_harm", falls.filter(harm)),
        count("pressure_ulcers", inc.filter(pl.col("type") == "pressure_ulcer")),
        count("dscr_weights", obs.filter(pl.col("type") == "weight_kg")),
        count("gp_weights", gp.filter(gp_code == CODE["weight"])),
        count("must_screens", obs.filter(pl.col("type") == "must_score")),
        count(
            "medication_reviews",
            gp.filter(gp_code.is_in([CODE["smr"], CODE["medication_review"]])),
        ),
        count("structured_medication_reviews", gp.filter(gp_code == CODE["smr"])),
        count("emergency_admissions", spells.filter(emergency)),
        count("ae_attendances", by_stay(w.ae)),
        count("deaths", deaths),
        count("admissions", admissions),
    ]
    qi = w.qi.with_columns(month_idx=month("day"))
    parts += [count(f"qi_{kind}", qi.filter(pl.col("type") == kind)) for kind in QI_ACTIVITIES]

    stay_home_arr = w.stays["home"].to_numpy()
    p, d = np.nonzero(w.present >= 0)
    obd = pl.DataFrame({"home": stay_home_arr[w.present[p, d]], "month_idx": cal.month_of_day[d]})
    parts.append(count("occupied_bed_days", obd))
    last_days = cal.month_starts[1:] - 1
    roll = w.on_roll[:, last_days]
    p, m = np.nonzero(roll >= 0)
    parts.append(
        count(
            "residents_on_roll",
            pl.DataFrame({"home": stay_home_arr[roll[p, m]], "month_idx": m}),
        )
    )
    found = pl.concat(
        [
            x.select("measure", "home", "month_idx", "value").cast(
                {"home": pl.Int64, "month_idx": pl.Int64, "value": pl.Int64}
            )
            for x in parts
        ]
    )
    grid = (
        pl.DataFrame({"measure": MEASURES})
        .join(pl.DataFrame({"home": np.arange(homes.site.size)}), how="cross")
        .join(pl.DataFrame({"month_idx": np.arange(cal.months)}), how="cross")
    )
    months = dict(enumerate(d.isoformat() for d in cal.month_dates))
    site_of = {h: site_id_of(int(s)) for h, s in enumerate(homes.site)}
    return (
        grid.join(found, on=["measure", "home", "month_idx"], how="left", maintain_order="left")
        .with_columns(
            site_id=pl.col("home").replace_strict(site_of, return_dtype=pl.String),
            home_id=pl.col("home").replace_strict(
                dict(enumerate(homes.home_id)), return_dtype=pl.String
            ),
            month=pl.col("month_idx").replace_strict(months, return_dtype=pl.String),
            value=pl.col("value").fill_null(0),
        )
        .with_columns(
            order=pl.col("measure").replace_strict(
                {m: i for i, m in enumerate(MEASURES)}, return_dtype=pl.Int64
            )
        )
        .sort("order", "site_id", "home_id", "month")
        .select("measure", "site_id", "home_id", "month", "value")
    )


def expected_files(files: Sequence[ExtractFile]) -> pl.DataFrame:
    """The fate of every row of every file: rows in, loaded, quarantined, skipped, and why."""
    rows = []
    for f in files:
        skipped = sum(v for k, v in f.fates.items() if k.startswith("skipped_"))
        quarantined = sum(v for k, v in f.fates.items() if k.startswith("quarantined_"))
        rows.append(
            {
                "file": f.rel,
                "rows_in": f.rows_in,
                "rows_loaded": f.rows_in - skipped - quarantined,
                "rows_quarantined": quarantined,
                "rows_skipped": skipped,
                **{k: f.fates[k] for k in FATES},
            }
        )
    return pl.DataFrame(rows)


README = """\
SYNTHETIC DATA - NOT REAL PEOPLE

This folder holds the truth about a synthetic extract set: what a perfect pipeline
should find in it. The extracts themselves are in a folder of their own, beside this
one (by default named as this one without "-truth"), laid out as an inbox: one folder
per site and nothing else. Both were generated by synth/ (Measure for Change,
`m4c synth`) with sites={sites}, homes={homes}, months={months}, seed={seed},
start={start}, intervention_month={intervention_month}, quirk_rate={quirk_rate}.
No record describes a real person, care home, practice or hospital. NHS numbers come
only from the range reserved for test data (999 000 0000 to 999 999 9999); the names
of people, homes and areas come from short lists; CQC location ids, drug codes, CTV3
codes, EMIS CodeIds and HRGs are made up or illustrative. The same arguments give
byte-identical files.

The extracts: one folder per site (docs/extracts.md): emis/ or systmone/ (GP bulk
extract; one EMIS site also has weights_report.csv, a Search and Reports export),
carehome/<CQC location id>/ (residents, absences, incidents, observations), hospital/
(inpatient spells, A&E attendances) and qi_log/ (the QI activity log).

Quirks, at quirk_rate: real rows carry format quirks that must still load (UTF-8 BOM,
Windows-1252 names, several day-first date layouts, "72.5 kg", "<5", NHS numbers
written "999 123 4567", "999-123-4567" or with a leading apostrophe). Junk rows are
added, each with one known fate: exact duplicates, rows deleted at source, test or
dummy patients (skipped); invalid or Excel-damaged NHS numbers and impossible dates
or Excel serial numbers (quarantined); report preamble and total lines (skipped).

The truth, in this folder: expected_files.csv gives the fate of every data row of
every file (file is its path in the extracts' folder; rows_in counts the non-blank
lines other than the header). expected_counts.csv gives every measure per site, home
and month, computed from the simulation (real rows only); each event is counted in
the home the resident lived in on that day (admission date <= day < discharge date).
Occupied bed days are nights in the home, less nights away on a hospital_admission
absence; residents on roll are counted on the last night of each month; deaths are
stays ending "died", in the month of the discharge date. homes.csv names each site
and home (home_id is the CQC location id, the home's folder under carehome/) with its
type (nursing or residential) and beds. The full definitions are in the docstring of
synth.write_extracts.
"""


def homes_frame(register: Sequence[Site]) -> pl.DataFrame:
    """Every home of the register as a row: site, site name, CQC id, name, type and beds.

    Examples
    --------
    >>> from warehouse.settings import Home
    >>> elm = Home("1-1", "Elm House", "nursing", 40)
    >>> homes_frame([Site("site_a", "Riverside", (elm,))]).row(0)
    ('site_a', 'Riverside', '1-1', 'Elm House', 'nursing', 40)
    """
    rows = [
        (s.site_id, s.name, h.cqc_id, h.name, h.type, h.beds) for s in register for h in s.homes
    ]
    return pl.DataFrame(rows, schema=REGISTER_SCHEMA, orient="row")


def write_truth(
    folder: Path,
    world: World,
    files: Sequence[ExtractFile],
    register: Sequence[Site],
    arguments: Mapping[str, object],
) -> tuple[pl.DataFrame, tuple[Path, ...]]:
    """Write the truth files into ``folder``: the expected counts and fates, homes, README.

    ``arguments`` are those of :func:`synth.write_extracts`, for README.txt. Returns the
    expected counts and the paths written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    counts = expected_counts(world)
    paths = tuple(
        folder / name for name in ("expected_counts.csv", "expected_files.csv", "homes.csv")
    )
    counts.write_csv(paths[0])
    expected_files(files).write_csv(paths[1])
    homes_frame(register).write_csv(paths[2])
    readme = folder / "README.txt"
    readme.write_text(README.format(**arguments), encoding="utf-8")
    return counts, (*paths, readme)
