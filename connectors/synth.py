"""Deterministic synthetic extract sets: what each PEACH-like site would hand over.

:func:`write_extracts` simulates care-home residents (stays, moves between homes,
hospital spells, A&E attendances, deaths, falls, weights, MUST scores, medication
reviews, repeat prescriptions, pressure ulcers, QI activities) and writes what each
site's systems would export, laid out as ``docs/extracts.md`` describes and headed by
the column lists of :mod:`connectors.schemas`. Rates change after the intervention
month, so there is real improvement to find.

Quirks are added at ``quirk_rate`` without hiding any real data: format quirks on real
rows (which must still load) and junk rows whose fate is known (skipped or
quarantined). The truth is written beside the extracts, in ``truth/``:
``expected_counts.csv`` (every measure per home and month, from the simulation) and
``expected_files.csv`` (the fate of every row of every file).

Everything here is synthetic. NHS numbers come only from the test range 999 000 0000
to 999 999 9999; names are drawn from short lists; drug and CTV3 codes are
illustrative. The same arguments give byte-identical files.

Examples
--------
>>> import tempfile
>>> summary = write_extracts(Path(tempfile.mkdtemp()) / "inbox", sites=1, homes=2, months=3)
>>> summary.sites, summary.homes, summary.out.joinpath("README.txt").is_file()
(1, 2, True)
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

import numpy as np
import polars as pl

from connectors.schemas import (
    ABSENCES,
    AE,
    EMIS_REPORT,
    INCIDENTS,
    OBSERVATIONS,
    QI_ACTIVITIES,
    QI_LOG,
    RESIDENTS,
    SPELLS,
    spec,
)

DEFAULT_START = date(2023, 1, 1)
DEFAULT_MONTHS = 18
YEAR = 365.25
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0: serial 45352 is 2024-03-01
TEMPLATE_DATE = datetime(2024, 1, 1)  # fixed, so the workbook is reproducible
KINDS = ("permanent", "respite", "step_down")
# NHS Data Dictionary admission methods of an emergency admission (domain-spec §1.6).
EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")
FATES = (
    "skipped_duplicate",
    "skipped_deleted",
    "skipped_test_patient",
    "skipped_preamble",
    "quarantined_nhs_number",
    "quarantined_date",
)
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
# Day-first layouts the care homes use (docs/extracts.md), one per home and file.
CAREHOME_DATES = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%Y", "%Y-%m-%d")
CAREHOME_TIMES = (" %H:%M", " %H:%M:%S")
HOSPITAL_DATES = ("%d/%m/%Y", "%Y-%m-%d")
EMIS_DATE = "%Y-%m-%d"  # EmisCsvToFhirTransformer DATE_FORMAT_YYYY_MM_DD
TPP_DATE = "%d %b %Y"  # TppCsvToFhirTransformer DATE_FORMAT "dd MMM yyyy"
REPORT_DATE, REPORT_BIRTH = "%d-%b-%Y", "%d/%m/%Y"  # domain-spec §1.2 A (inferred layout)
EMIS_TRUE, EMIS_FALSE = "true", "false"
TPP_TRUE, TPP_FALSE = "true", "false"  # IsNumeric, IsRepeatMedication... (CsvCell.getBoolean)
TPP_FLAG_ON, TPP_FLAG_OFF = "1", "0"  # TestPatient, RemovedData


@dataclass(frozen=True)
class Rates:
    """The rates the simulation draws from (per resident-day unless stated).

    Attributes
    ----------
    occupancy : float
        Share of beds occupied at the start.
    initial_mix, admission_mix : tuple of float
        Shares of permanent, respite and step-down stays, at the start and at admission.
    short_stay_days : dict
        Planned length (lowest, highest) of respite and step-down stays.
    prior_stay_days : float
        Mean time already spent in the home by permanent residents at the start.
    vacancy_days : tuple of int
        Days a bed stands empty between residents (lowest, highest).
    transfer_share, return_share : float
        Shares of admissions that are a move from another home of the site, or a
        returning former respite resident.
    death_in_home : dict
        Deaths in the home per resident-year, by kind of stay.
    discharge_home : float
        Permanent residents going home, per resident-year.
    emergency, ae_only, elective : float
        Emergency admissions, A&E attendances without admission and elective
        admissions per resident-year (Health Foundation IAU 2016/17: 0.70 emergency
        admissions and 0.98 A&E attendances per care-home resident-year).
    frailty_shape : float
        Gamma shape of each resident's multiplier of these rates (mean 1).
    los_emergency, los_elective : float
        Mean length of a hospital spell, days.
    spell_died, spell_not_returned : dict
        Chance a spell ends in death, or without a return to the home, by kind.
    admission_via_ae, admission_fall, ae_fall : float
        Shares of emergency admissions through A&E, and of admissions and A&E-only
        attendances caused by a fall.
    falls : float
        Falls not needing hospital care (with those above, about 8 per 1,000 OBD).
    pressure_ulcers, other_incidents, other_absences : float
        New pressure ulcers, other incidents and same-day outings.
    """

    occupancy: float = 0.88
    initial_mix: tuple[float, float, float] = (0.93, 0.04, 0.03)
    admission_mix: tuple[float, float, float] = (0.72, 0.16, 0.12)
    short_stay_days: Mapping[str, tuple[int, int]] = field(
        default_factory=lambda: MappingProxyType({"respite": (7, 28), "step_down": (14, 56)})
    )
    prior_stay_days: float = 700.0
    vacancy_days: tuple[int, int] = (14, 180)  # English homes run about 85-90% full
    transfer_share: float = 0.06
    return_share: float = 0.10
    death_in_home: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {"permanent": 0.20, "respite": 0.04, "step_down": 0.08}
        )
    )
    discharge_home: float = 0.02
    emergency: float = 0.70
    ae_only: float = 0.28
    elective: float = 0.04
    frailty_shape: float = 2.0
    los_emergency: float = 8.0
    los_elective: float = 3.0
    spell_died: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"emergency": 0.12, "elective": 0.01})
    )
    spell_not_returned: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({"emergency": 0.06, "elective": 0.02})
    )
    admission_via_ae: float = 0.85
    admission_fall: float = 0.20
    ae_fall: float = 0.35
    falls: float = 7.35 / 1000
    pressure_ulcers: float = 0.30 / 1000
    other_incidents: float = 1.0 / 1000
    other_absences: float = 1.0 / 1000


RATES = Rates()


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_extracts` wrote.

    Attributes
    ----------
    out : Path
        The folder written (an inbox: one folder per site, plus ``truth/``).
    paths : tuple of Path
        Every file written, extracts first, then the truth files and README.txt.
    residents : int
        Distinct real residents (people) over the period.
    mean_on_roll : float
        Residents on roll at the end of a month, averaged over the months.
    sites, homes, months : int
        Size of the simulation.
    rows : Mapping
        Data rows of each extract (path relative to ``out``, as in expected_files.csv).
    """

    out: Path
    paths: tuple[Path, ...]
    residents: int
    mean_on_roll: float
    sites: int
    homes: int
    months: int
    rows: Mapping[str, int]


@dataclass(frozen=True)
class _Code:
    key: str
    snomed: str
    term: str
    ctv3: str
    emis_code_id: str
    read_term_id: str
    category: str
    unit: str = ""


# SNOMED CT concepts from domain-spec §2.2; CTV3 codes and EMIS CodeIds are illustrative.
GP_CODES = (
    _Code("weight", "27113001", "Body weight", "22A..", "253677", "22A..00", "Value", "kg"),
    _Code("smr", "1239511000000100", "Structured medication review", "Y3a6f", "1902431",
          "", "Procedure"),
    _Code("medication_review", "182836005", "Review of medication", "8B3V.", "312009",
          "8B3V.00", "Procedure"),
    _Code("fall", "1912002", "Fall", "16D..", "271645", "16D..00", "Observation"),
    _Code("pressure_ulcer", "399912005", "Pressure ulcer", "M271.", "299804", "M271.00",
          "Observation"),
    _Code("crp", "55235003", "C-reactive protein measurement", "44CS.", "1003581", "44CS.00",
          "Value", "mg/L"),
    _Code("care_home", "248171000000108", "Lives in care home", "13F6.", "1781002",
          "13F6.00", "Observation"),
)  # fmt: skip
_CODE = {c.key: i for i, c in enumerate(GP_CODES)}

# Repeat medicines common in care homes: name, dose, pack, unit, cost of the pack (GBP).
# The dm+d identifiers and EMIS CodeIds written for them are illustrative.
FORMULARY = (
    ("Paracetamol 500mg tablets", "Two tablets four times a day", 112, "tablet", 1.81),
    ("Omeprazole 20mg gastro-resistant capsules", "One capsule daily", 28, "capsule", 0.92),
    ("Lansoprazole 30mg gastro-resistant capsules", "One capsule daily", 28, "capsule", 1.05),
    ("Amlodipine 5mg tablets", "One tablet daily", 28, "tablet", 0.78),
    ("Ramipril 2.5mg capsules", "One capsule daily", 28, "capsule", 0.95),
    ("Bisoprolol 2.5mg tablets", "One tablet daily", 28, "tablet", 0.83),
    ("Atorvastatin 20mg tablets", "One tablet at night", 28, "tablet", 0.89),
    ("Simvastatin 40mg tablets", "One tablet at night", 28, "tablet", 0.76),
    ("Furosemide 40mg tablets", "One tablet in the morning", 28, "tablet", 0.71),
    ("Bumetanide 1mg tablets", "One tablet in the morning", 28, "tablet", 1.94),
    ("Sertraline 50mg tablets", "One tablet daily", 28, "tablet", 1.12),
    ("Citalopram 20mg tablets", "One tablet daily", 28, "tablet", 0.88),
    ("Mirtazapine 15mg tablets", "One tablet at night", 28, "tablet", 1.21),
    ("Donepezil 10mg tablets", "One tablet at night", 28, "tablet", 1.33),
    ("Memantine 10mg tablets", "One tablet twice a day", 56, "tablet", 1.98),
    ("Levothyroxine 50microgram tablets", "One tablet in the morning", 28, "tablet", 1.06),
    ("Metformin 500mg tablets", "One tablet twice a day", 56, "tablet", 1.14),
    ("Gliclazide 80mg tablets", "One tablet twice a day", 56, "tablet", 1.31),
    ("Calcium carbonate 1.5g / Colecalciferol 10microgram chewable tablets",
     "One tablet twice a day", 56, "tablet", 3.65),
    ("Alendronic acid 70mg tablets", "One tablet weekly", 4, "tablet", 0.92),
    ("Senna 7.5mg tablets", "Two tablets at night", 56, "tablet", 1.22),
    ("Lactulose 3.3g/5ml oral solution", "15ml twice a day", 500, "ml", 3.10),
    ("Macrogol compound oral powder sachets", "One sachet daily", 30, "sachet", 4.46),
    ("Docusate sodium 100mg capsules", "One capsule twice a day", 56, "capsule", 3.98),
    ("Apixaban 5mg tablets", "One tablet twice a day", 56, "tablet", 53.20),
    ("Edoxaban 60mg tablets", "One tablet daily", 28, "tablet", 49.00),
    ("Clopidogrel 75mg tablets", "One tablet daily", 28, "tablet", 1.07),
    ("Aspirin 75mg dispersible tablets", "One tablet daily", 28, "tablet", 0.72),
    ("Tamsulosin 400microgram modified-release capsules", "One capsule daily", 28, "capsule",
     1.35),
    ("Finasteride 5mg tablets", "One tablet daily", 28, "tablet", 1.23),
    ("Quetiapine 25mg tablets", "One tablet at night", 28, "tablet", 1.40),
    ("Risperidone 500microgram tablets", "One tablet twice a day", 56, "tablet", 1.72),
    ("Zopiclone 3.75mg tablets", "One tablet at night when required", 14, "tablet", 0.98),
    ("Morphine sulfate 10mg/5ml oral solution", "2.5ml when required", 100, "ml", 1.97),
    ("Codeine phosphate 30mg tablets", "One tablet four times a day when required", 56,
     "tablet", 1.41),
    ("Gabapentin 300mg capsules", "One capsule three times a day", 84, "capsule", 2.07),
    ("Pregabalin 75mg capsules", "One capsule twice a day", 56, "capsule", 1.95),
    ("Prednisolone 5mg tablets", "One tablet in the morning", 28, "tablet", 1.01),
    ("Salbutamol 100micrograms/dose inhaler", "Two puffs when required", 1, "inhaler", 1.50),
    ("Oxybutynin 5mg tablets", "One tablet twice a day", 56, "tablet", 1.74),
    ("Ferrous fumarate 210mg tablets", "One tablet twice a day", 56, "tablet", 2.27),
    ("Folic acid 5mg tablets", "One tablet daily", 28, "tablet", 0.86),
    ("Colecalciferol 800unit capsules", "One capsule daily", 30, "capsule", 2.95),
    ("Digoxin 125microgram tablets", "One tablet daily", 28, "tablet", 1.16),
    ("Fortisip Compact liquid", "One bottle twice a day", 56, "bottle", 79.52),
    ("Ensure Plus milkshake style liquid", "One bottle twice a day", 56, "bottle", 76.16),
    ("Cetraben emollient cream", "Apply twice a day", 500, "gram", 5.99),
)  # fmt: skip
ACUTE = (
    ("Amoxicillin 500mg capsules", "One capsule three times a day", 15, "capsule", 1.19),
    ("Nitrofurantoin 100mg modified-release capsules", "One capsule twice a day", 6,
     "capsule", 5.07),
    ("Doxycycline 100mg capsules", "One capsule daily", 5, "capsule", 1.63),
    ("Trimethoprim 200mg tablets", "One tablet twice a day", 6, "tablet", 0.98),
)  # fmt: skip

# Synthetic names, some with Windows-1252 characters (SystmOne writes cp1252).
FEMALE = (
    "Margaret", "Dorothy", "Joan", "Betty", "Eileen", "Doris", "Irene", "Gladys", "Mavis",
    "Sheila", "Brenda", "Maureen", "Patricia", "Barbara", "Jean", "Mary", "Edna", "Winifred",
    "Zoë", "Siân", "Bronwyn", "Renée", "Chloë", "Rhiannon", "Áine", "Niamh", "Gwenllïan",
    "Ffion", "Hélène",
)  # fmt: skip
MALE = (
    "Arthur", "Harold", "Kenneth", "Stanley", "Albert", "Peter", "John", "Dennis", "Ronald",
    "Derek", "Alan", "George", "Frank", "Leonard", "Walter", "Norman", "Dafydd", "Seán",
    "Ciarán", "José", "Noël", "Søren", "Emrys",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Thomas", "Roberts",
    "Wilson", "Hughes", "Walker", "Wright", "Robinson", "Thompson", "White", "Edwards", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "King", "Watson", "Harris", "Lewis", "Baker", "Patel", "Khan", "Nowak", "O'Brien",
    "O’Neill", "D'Arcy", "Brontë", "Müller", "Gruffydd", "Llewellyn", "Ní Bhriain",
    "Ó Ceallaigh", "Ffrench-Davies",
)  # fmt: skip
NON_ASCII_GIVEN = {"F": "Zoë", "M": "Seán"}

# Hospital coding (ICD-10 without the dot, illustrative HRGs).
DIAGNOSES = (
    ("J189", "DZ11V"),
    ("N390", "LA04S"),
    ("J441", "DZ65K"),
    ("I509", "EB03E"),
    ("A419", "WJ06E"),
    ("E86X", "KC05H"),
    ("R55X", "EB08E"),
)
FALL_DIAGNOSIS = ("S720", "HT12B")
ELECTIVE_DIAGNOSIS = ("H259", "BZ34C")


# --------------------------------------------------------------------------------------
# Calendar and random streams


@dataclass(frozen=True)
class _Calendar:
    start: date
    months: int
    n_days: int
    iv: int  # first day (index) of the intervention period
    month_starts: np.ndarray  # day index of each month's first day, plus the end
    month_of_day: np.ndarray
    weekday: np.ndarray  # Monday 0

    @property
    def month_dates(self) -> list[date]:
        return [_add_months(self.start, k) for k in range(self.months)]


def _add_months(d: date, k: int) -> date:
    y, m = divmod(d.month - 1 + k, 12)
    return date(d.year + y, m + 1, 1)


# The day after the default extracts end (what a run on them is judged as of).
DEFAULT_END = _add_months(DEFAULT_START, DEFAULT_MONTHS)


def _calendar(start: date, months: int, intervention_month: int) -> _Calendar:
    starts = np.array([(_add_months(start, k) - start).days for k in range(months + 1)])
    n_days = int(starts[-1])
    days = np.arange(n_days)
    return _Calendar(
        start=start,
        months=months,
        n_days=n_days,
        iv=int(starts[min(intervention_month, months)]),
        month_starts=starts,
        month_of_day=np.searchsorted(starts, days, side="right") - 1,
        weekday=(start.weekday() + days) % 7,
    )


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """Independent random streams, so quirks never change the simulated truth."""
    names = ("homes", "stays", "people", "events", "ids", "quirks")
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {n: np.random.default_rng(s) for n, s in zip(names, children, strict=True)}


# --------------------------------------------------------------------------------------
# Identifiers


def nhs_check_digit(stems: np.ndarray) -> np.ndarray:
    """Modulus 11 check digits of 9-digit NHS number stems; 10 where none exists.

    Weights 10 to 2 on digits 1 to 9; check = 11 - (sum mod 11), 11 becomes 0 and 10
    means the stem cannot be used (domain-spec §1.5).

    Examples
    --------
    >>> nhs_check_digit(np.array([943476591, 987654432])).tolist()
    [9, 2]
    """
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = digits @ np.arange(10, 1, -1)  # weights 10..2 (tech_nn_check_digit)
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def _nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct valid NHS numbers (int64) from the test range 999 000 0000-999 999 9999."""
    out = np.empty(0, dtype=np.int64)
    while out.size < n:
        stems = 999_000_000 + rng.integers(0, 1_000_000, size=2 * n + 16)
        check = nhs_check_digit(stems)
        numbers = stems[check < 10] * 10 + check[check < 10]
        numbers = numbers[numbers != 9_999_999_999]  # all one digit
        both = np.concatenate([out, numbers])
        _, first = np.unique(both, return_index=True)
        out = both[np.sort(first)]
    return out[:n]


def _invalid_nhs(rng: np.random.Generator, valid: np.ndarray) -> np.ndarray:
    """Numbers like ``valid`` with the check digit changed: they fail modulus 11."""
    check = valid % 10
    wrong = (check + rng.integers(1, 10, size=valid.size)) % 10
    return valid - check + wrong


_HEX = np.array(list("0123456789ABCDEF"))


def _guids(rng: np.random.Generator, n: int, *, lower: bool = False) -> pl.Series:
    """Random version-4 GUIDs as upper-case text (EMIS style)."""
    b = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    chars = np.stack([_HEX[b >> 4], _HEX[b & 15]], axis=2).reshape(n, 32)
    dash = np.full((n, 1), "-")
    parts = [chars[:, :8], dash, chars[:, 8:12], dash, chars[:, 12:16], dash, chars[:, 16:20]]
    full = np.ascontiguousarray(np.concatenate([*parts, dash, chars[:, 20:]], axis=1))
    text = full.view("<U36").ravel() if n else np.array([], dtype="<U36")
    s = pl.Series(text, dtype=pl.String)
    return s.str.to_lowercase() if lower else s


def _serials(rng: np.random.Generator, n: int, low: int, high_step: int = 40) -> np.ndarray:
    """``n`` increasing distinct integers from about ``low`` (record ids)."""
    return low + np.cumsum(rng.integers(1, high_step, size=n))


def _ids(prefix: str, numbers: np.ndarray, width: int = 0) -> pl.Series:
    """Identifiers as text: ``prefix`` and the number, zero-padded to ``width`` digits."""
    digits = pl.Series(np.asarray(numbers, dtype=np.int64)).cast(pl.String).str.zfill(width)
    return (prefix + digits) if prefix else digits


# --------------------------------------------------------------------------------------
# Simulated truth: homes, people, stays (a loop over stays; events are vectorised)


@dataclass(frozen=True)
class _Homes:
    site: np.ndarray
    home_id: list[str]
    beds: np.ndarray
    source_code: list[str]  # admission source / discharge destination (54, 65, 85)
    id_style: list[tuple[str, int]]
    id_base: np.ndarray
    date_style: list[int]
    time_style: list[int]
    bom: list[bool]


def _homes(rng: np.random.Generator, sites: int, homes: int, quirk_rate: float) -> _Homes:
    per_site = np.full(sites, homes // sites) + (np.arange(sites) < homes % sites)
    site = np.repeat(np.arange(sites), per_site)
    numbers = np.unique(rng.integers(100_000_000, 1_000_000_000, size=homes + 8))
    ids = [f"1-{n}" for n in rng.permutation(numbers)[:homes]]
    styles = (("R", 4), ("", 0), ("RES-", 3), ("CH", 5))  # each home numbers its own way
    bom = rng.random(homes) < 0.3
    bom[int(rng.integers(homes))] = True  # drawn whatever the quirk rate: truth stays the same
    return _Homes(
        site=site,
        home_id=ids,
        beds=rng.integers(20, 51, size=homes),
        source_code=[
            str(c) for c in rng.choice(["54", "65", "85"], size=homes, p=[0.1, 0.15, 0.75])
        ],
        id_style=[styles[i] for i in rng.integers(0, len(styles), size=homes)],
        id_base=rng.integers(1, 400, size=homes),
        date_style=[int(i) for i in rng.integers(0, len(CAREHOME_DATES), size=homes)],
        time_style=[int(i) for i in rng.integers(0, len(CAREHOME_TIMES), size=homes)],
        bom=[bool(b) and quirk_rate > 0 for b in bom],
    )


@dataclass(frozen=True)
class _SiteEffect:
    """How a site's rates change from the intervention month (multipliers and shares)."""

    falls: float
    emergency: float
    ae: float
    must: tuple[float, float]
    weights: tuple[float, float]
    medication_review: tuple[float, float]
    smr_share: tuple[float, float]
    gp_weights: float


def _site_effects(rng: np.random.Generator, sites: int) -> list[_SiteEffect]:
    u = rng.random((sites, 8))
    return [
        _SiteEffect(
            falls=0.62 + 0.16 * r[0],  # falls about -30%
            emergency=0.75 + 0.15 * r[1],
            ae=0.80 + 0.15 * r[2],
            must=(0.55 + 0.10 * r[3], 0.85 + 0.10 * r[4]),  # MUST compliance ~60% -> ~90%
            weights=(0.82, 0.92),
            medication_review=(0.05, 0.10 + 0.04 * r[5]),
            smr_share=(0.35, 0.60),
            gp_weights=0.08 + 0.08 * r[6],
        )
        for r in u
    ]


@dataclass
class _Stay:
    person: int
    home: int
    start: int
    kind: str
    planned_end: float
    end: int | None = None
    reason: str = ""
    # (admit day, discharge day or None, method, outcome, caused by a fall, through A&E)
    spells: list[tuple[int, int | None, str, str, bool, bool]] = field(default_factory=list)
    # A&E without admission: (day, disposal, caused by a fall)
    visits: list[tuple[int, str, bool]] = field(default_factory=list)


def _run_stay(
    rng: np.random.Generator, stay: _Stay, frailty: float, eff: _SiteEffect, cal: _Calendar
) -> None:
    """Simulate one stay from its start to its end (or the extract date): competing risks."""
    death = RATES.death_in_home[stay.kind] / YEAR
    home = RATES.discharge_home / YEAR if stay.kind == "permanent" else 0.0
    t = float(max(stay.start, 0))
    stop = min(stay.planned_end, cal.n_days)
    while True:
        post = t >= cal.iv
        m_e = frailty * (eff.emergency if post else 1.0)
        m_a = frailty * (eff.ae if post else 1.0)
        rates = np.array(
            [
                death,
                RATES.emergency / YEAR * m_e,
                RATES.ae_only / YEAR * m_a,
                RATES.elective / YEAR * frailty,
                home,
            ]
        )
        total = rates.sum()
        t_next = t + rng.exponential(1.0 / total)
        if not post and t_next >= cal.iv:
            t = float(cal.iv)  # rates change: restart the clock (memoryless)
            continue
        if t_next >= stop:
            if stay.planned_end < cal.n_days:
                stay.end, stay.reason = int(stay.planned_end), "home"
            return
        day = int(t_next)
        event = int(rng.choice(5, p=rates / total))
        if event in (0, 4):
            stay.end, stay.reason = day, ("died" if event == 0 else "home")
            return
        if event == 2:
            disposal = "02" if rng.random() < 0.5 else "03"
            stay.visits.append((day, disposal, bool(rng.random() < RATES.ae_fall)))
            t = t_next
            continue
        kind = "emergency" if event == 1 else "elective"
        los = int(rng.geometric(1.0 / getattr(RATES, f"los_{kind}")))
        u = rng.random()
        died, gone = RATES.spell_died[kind], RATES.spell_not_returned[kind]
        outcome = "died" if u < died else "not_returned" if u < died + gone else "returned"
        fall = kind == "emergency" and bool(rng.random() < RATES.admission_fall)
        via_ae = kind == "emergency" and bool(rng.random() < RATES.admission_via_ae)
        emergency_method = str(rng.choice(["21", "22", "28"], p=[0.8, 0.1, 0.1]))
        method = emergency_method if kind == "emergency" else "11"
        discharge = day + los
        if discharge >= cal.n_days:
            stay.spells.append((day, None, method, "open", fall, via_ae))
            return
        if outcome == "returned" and discharge >= stay.planned_end:
            outcome = "not_returned"
        stay.spells.append((day, discharge, method, outcome, fall, via_ae))
        if outcome != "returned":
            stay.end = discharge
            stay.reason = "died" if outcome == "died" else "hospital_not_returned"
            return
        t = float(discharge)


def _away(stay: _Stay, day: int) -> bool:
    return any(a <= day and (d is None or d > day) for a, d, *_ in stay.spells)


class _Occupancy:
    """The beds of each site, filled over time: admissions, stays and moves between homes."""

    def __init__(
        self,
        rng: np.random.Generator,
        cal: _Calendar,
        homes: _Homes,
        effects: Sequence[_SiteEffect],
    ) -> None:
        self.rng, self.cal, self.homes, self.effects = rng, cal, homes, effects
        self.stays: list[_Stay] = []
        self.person_site: list[int] = []
        self.frailty: list[float] = []
        self.heap: list[tuple[int, int, int, int, int]] = []
        self.order = 0
        self.occupant: dict[tuple[int, int], int] = {}
        self.version: dict[tuple[int, int], int] = {}
        self.gone_home: list[int] = []  # stays that ended with the resident going home

    def run(self) -> None:
        for site in range(len(self.effects)):
            self._site(site)

    def _new_person(self, site: int) -> int:
        self.person_site.append(site)
        shape = RATES.frailty_shape
        self.frailty.append(float(self.rng.gamma(shape, 1.0 / shape)))
        return len(self.person_site) - 1

    def _push(self, day: int, bed: tuple[int, int]) -> None:
        self.order += 1
        heapq.heappush(self.heap, (day, self.order, bed[0], bed[1], self.version[bed]))

    def _gap(self) -> int:
        lo, hi = RATES.vacancy_days
        return int(self.rng.integers(lo, hi + 1))

    def _begin(self, person: int, bed: tuple[int, int], day: int, kind: str, planned: float):
        stay = _Stay(person, bed[0], day, kind, planned)
        site = self.person_site[person]
        _run_stay(self.rng, stay, self.frailty[person], self.effects[site], self.cal)
        self.stays.append(stay)
        self.occupant[bed] = len(self.stays) - 1
        if stay.end is not None:
            if stay.reason == "home":
                self.gone_home.append(len(self.stays) - 1)
            self._push(stay.end + self._gap(), bed)

    def _planned(self, kind: str, start: int) -> float:
        if kind == "permanent":
            return math.inf
        lo, hi = RATES.short_stay_days[kind]
        return float(start + int(self.rng.integers(lo, hi + 1)))

    def _site(self, site: int) -> None:
        rng = self.rng
        homes = [int(h) for h in np.flatnonzero(self.homes.site == site)]
        beds = [(h, b) for h in homes for b in range(int(self.homes.beds[h]))]
        self.heap = []
        for bed in beds:
            self.version[bed] = 0
            if rng.random() < RATES.occupancy:
                kind = KINDS[int(rng.choice(3, p=RATES.initial_mix))]
                if kind == "permanent":
                    start, planned = -1 - int(rng.exponential(RATES.prior_stay_days)), math.inf
                else:
                    lo, hi = RATES.short_stay_days[kind]
                    length = int(rng.integers(lo, hi + 1))
                    start = -int(rng.integers(1, length))
                    planned = float(start + length)
                self._begin(self._new_person(site), bed, start, kind, planned)
            else:
                self._push(int(rng.integers(0, RATES.vacancy_days[1])), bed)
        while self.heap:
            day, _, home, b, ver = heapq.heappop(self.heap)
            bed = (home, b)
            if ver != self.version[bed] or day >= self.cal.n_days:
                continue
            self._admit(site, bed, day, beds)

    def _movable(self, i: int, day: int) -> bool:
        s = self.stays[i]
        return (
            s.kind == "permanent"
            and s.start <= day - 28
            and (s.end is None or s.end > day)
            and not _away(s, day)
        )

    def _admit(self, site: int, bed: tuple[int, int], day: int, beds: list) -> None:
        rng = self.rng
        u = rng.random()
        if u < RATES.transfer_share:
            others = [
                other
                for other in beds
                if other[0] != bed[0]
                and other in self.occupant
                and self._movable(self.occupant[other], day)
            ]
            if others:
                other = others[int(rng.integers(len(others)))]
                old = self.stays[self.occupant[other]]
                old.spells = [s for s in old.spells if s[0] < day]
                old.visits = [v for v in old.visits if v[0] < day]
                old.end, old.reason = day, "transfer_other_home"
                self.version[other] += 1
                self._push(day + self._gap(), other)
                self._begin(old.person, bed, day, "permanent", math.inf)
                return
        person = None
        if u > 1 - RATES.return_share:
            ready = [
                i
                for i in self.gone_home
                if self.stays[i].reason == "home"
                and self.stays[i].end is not None
                and self.stays[i].end <= day - 14
                and self.person_site[self.stays[i].person] == site
            ]
            if ready:
                i = ready[int(rng.integers(len(ready)))]
                self.gone_home.remove(i)
                person = self.stays[i].person
        if person is None:
            person = self._new_person(site)
        kind = KINDS[int(rng.choice(3, p=RATES.admission_mix))]
        self._begin(person, bed, day, kind, self._planned(kind, day))


@dataclass(frozen=True)
class _World:
    """The simulated truth, as frames of real records (integer day indexes)."""

    cal: _Calendar
    homes: _Homes
    effects: list[_SiteEffect]
    people: pl.DataFrame
    stays: pl.DataFrame
    spells: pl.DataFrame
    absences: pl.DataFrame
    ae: pl.DataFrame
    incidents: pl.DataFrame
    observations: pl.DataFrame
    gp_events: pl.DataFrame
    medication: pl.DataFrame
    qi: pl.DataFrame
    present: np.ndarray  # person x day: stay index on nights in the home, else -1
    on_roll: np.ndarray  # person x day: stay index while on the roll (away or not), else -1


def _spans(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For spans [lo, hi): the index of the span and the day, for every day covered."""
    lengths = np.maximum(hi - lo, 0)
    idx = np.repeat(np.arange(lo.size), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return idx, lo[idx] + offsets


def _stay_frames(occ: _Occupancy) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    stays = occ.stays
    stay_df = pl.DataFrame(
        {
            "stay": np.arange(len(stays)),
            "person": [s.person for s in stays],
            "home": [s.home for s in stays],
            "start": [s.start for s in stays],
            "end": [s.end for s in stays],
            "reason": [s.reason or None for s in stays],
            "kind": [s.kind for s in stays],
        },
        schema_overrides={"end": pl.Int64, "reason": pl.String},
    )
    spells = [(i, *sp) for i, s in enumerate(stays) for sp in s.spells]
    spell_df = pl.DataFrame(
        spells,
        schema={
            "stay": pl.Int64,
            "admit": pl.Int64,
            "discharge": pl.Int64,
            "method": pl.String,
            "outcome": pl.String,
            "fall": pl.Boolean,
            "via_ae": pl.Boolean,
        },
        orient="row",
    )
    visits = [(i, *v) for i, s in enumerate(stays) for v in s.visits]
    visit_df = pl.DataFrame(
        visits,
        schema={"stay": pl.Int64, "day": pl.Int64, "disposal": pl.String, "fall": pl.Boolean},
        orient="row",
    )
    return stay_df, spell_df, visit_df


def _simulate(
    rngs: dict[str, np.random.Generator],
    cal: _Calendar,
    homes: _Homes,
    effects: list[_SiteEffect],
) -> _World:
    occ = _Occupancy(rngs["stays"], cal, homes, effects)
    occ.run()
    stays, spells, visits = _stay_frames(occ)
    people = _people(rngs["people"], np.array(occ.person_site), np.array(occ.frailty), stays)
    n_people, n = people.height, cal.n_days

    # Nights on the roll and nights in the home (hospital nights away excluded).
    person = stays["person"].to_numpy()
    lo = np.maximum(stays["start"].to_numpy(), 0)
    hi = np.minimum(stays["end"].fill_null(n).to_numpy(), n)
    on_roll = np.full((n_people, n), -1, dtype=np.int32)
    idx, day = _spans(lo, hi)
    on_roll[person[idx], day] = idx
    present = on_roll.copy()
    sp_stay = spells["stay"].to_numpy()
    sp_end = spells["discharge"].fill_null(n).to_numpy()
    sp_end = np.minimum(sp_end, hi[sp_stay])  # not returned: away until the stay ends
    idx, day = _spans(spells["admit"].to_numpy(), sp_end)
    present[person[sp_stay[idx]], day] = -1

    ev = rngs["events"]
    absences, ae, fall_incidents = _hospital_absences(ev, stays, spells, visits)
    p_idx, d_idx = np.nonzero(present >= 0)
    stay_at = present[p_idx, d_idx].astype(np.int64)
    home_at = stays["home"].to_numpy()[stay_at]
    at = _At(
        person=p_idx,
        day=d_idx,
        stay=stay_at,
        home=home_at,
        site=homes.site[home_at],
        post=d_idx >= cal.iv,
        month=cal.month_of_day[d_idx],
    )
    incidents = _incidents(ev, at, people, effects, cal, fall_incidents)
    outings = _outings(ev, at)
    observations = _observations(ev, at, people, effects)
    qi, pharmacist = _qi(ev, at, stays, observations, present, cal, homes)
    gp_events = _gp_events(ev, at, people, effects, stays, incidents, pharmacist)
    medication = _medication(ev, on_roll, gp_events, at)
    return _World(
        cal=cal,
        homes=homes,
        effects=effects,
        people=people,
        stays=stays,
        present=present,
        on_roll=on_roll,
        spells=_spell_rows(ev, stays, spells, homes),
        absences=pl.concat([absences, outings]).sort(
            "stay", "depart_day", "depart_min", maintain_order=True
        ),
        ae=ae,
        incidents=incidents,
        observations=observations,
        gp_events=gp_events,
        medication=medication,
        qi=qi,
    )


@dataclass(frozen=True)
class _At:
    """Every night a resident spent in a home: person, day, stay, home, site, phase, month."""

    person: np.ndarray
    day: np.ndarray
    stay: np.ndarray
    home: np.ndarray
    site: np.ndarray
    post: np.ndarray
    month: np.ndarray

    def take(self, i: np.ndarray) -> dict[str, np.ndarray]:
        return {
            "person": self.person[i],
            "stay": self.stay[i],
            "home": self.home[i],
            "day": self.day[i],
        }

    def one_per_stay_month(self, rng: np.random.Generator) -> np.ndarray:
        """One random night per stay and month (indexes into these arrays)."""
        group = self.stay * 1000 + self.month
        order = np.lexsort((rng.random(group.size), group))
        g = group[order]
        first = np.r_[True, g[1:] != g[:-1]] if g.size else np.zeros(0, dtype=bool)
        return order[first]


def _people(
    rng: np.random.Generator,
    site: np.ndarray,
    frailty: np.ndarray,
    stays: pl.DataFrame,
) -> pl.DataFrame:
    n = site.size
    sex = np.where(rng.random(n) < 0.68, "F", "M")
    age_days = np.clip(rng.normal(85, 7.5, n), 66, 104) * YEAR
    birth = (-age_days).astype(np.int64)
    female = sex == "F"
    given = np.where(
        female,
        np.array(FEMALE)[rng.integers(0, len(FEMALE), n)],
        np.array(MALE)[rng.integers(0, len(MALE), n)],
    )
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    previous = np.where(
        female & (rng.random(n) < 0.3), np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)], ""
    )
    title = np.where(
        female, np.array(["Mrs", "Miss", "Ms"])[rng.choice(3, n, p=[0.65, 0.25, 0.1])], "Mr"
    )
    for s in np.unique(site):  # every site has at least one name beyond ASCII
        mine = np.flatnonzero(site == s)
        if not any(not x.isascii() for x in [*given[mine], *surname[mine]]):
            given[mine[0]] = NON_ASCII_GIVEN[sex[mine[0]]]
    first_stay = stays.group_by("person").agg(pl.col("start").min()).sort("person")
    ends = stays.group_by("person").agg(
        died=pl.col("end").filter(pl.col("reason") == "died").min(),
        last_end=pl.col("end").max(),
        open=pl.col("end").is_null().any(),
    )
    frame = pl.DataFrame(
        {
            "person": np.arange(n),
            "site": site,
            "sex": sex,
            "birth": birth,
            "given": given,
            "surname": surname,
            "previous": previous,
            "title": title,
            "frailty": frailty,
            "fall_risk": rng.gamma(1.5, 1 / 1.5, n),
            "weight0": np.clip(rng.normal(66, 13, n), 38, 125),
            "slope": rng.normal(-0.12, 0.25, n),  # kg per month
            "height": np.where(female, rng.normal(1.60, 0.06, n), rng.normal(1.73, 0.07, n)),
            "nhs": _nhs_numbers(rng, n),
        }
    )
    return (
        frame.join(
            first_stay.rename({"start": "registered"}),
            on="person",
            how="left",
            maintain_order="left",
        )
        .join(ends, on="person", how="left", maintain_order="left")
        .with_columns(
            left=pl.when(~pl.col("open") & pl.col("died").is_null()).then(pl.col("last_end")),
        )
        .drop("last_end", "open")
        .sort("person")
    )


def _hospital_absences(
    rng: np.random.Generator,
    stays: pl.DataFrame,
    spells: pl.DataFrame,
    visits: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Absences, A&E attendances and the falls that sent residents to hospital."""
    ns, nv = spells.height, visits.height
    depart = rng.integers(8 * 60, 22 * 60, ns)
    back = rng.integers(11 * 60, 19 * 60, ns)
    spell_abs = spells.select(
        "stay",
        depart_day="admit",
        depart_min=pl.Series(depart),
        return_day=pl.when(pl.col("outcome") == "returned").then(pl.col("discharge")),
        return_min=pl.Series(back),
        reason=pl.lit("hospital_admission"),
    )
    v_depart = rng.integers(8 * 60, 18 * 60, nv)
    v_back = np.minimum(v_depart + rng.integers(150, 420, nv), 23 * 60 + 45)
    visit_abs = visits.select(
        "stay",
        depart_day="day",
        depart_min=pl.Series(v_depart),
        return_day="day",
        return_min=pl.Series(v_back),
        reason=pl.lit("ae_only"),
    )
    absences = pl.concat([spell_abs, visit_abs]).with_columns(pl.col("return_day").cast(pl.Int64))
    person = stays.select("stay", "person", "home")
    ae = pl.concat(
        [
            spells.filter("via_ae").select(
                "stay",
                day="admit",
                minute=pl.Series(depart).filter(spells["via_ae"]) + 35,
                disposal=pl.lit("01"),
            ),
            visits.select("stay", "day", minute=pl.Series(v_depart) + 35, disposal="disposal"),
        ]
    ).join(person, on="stay", maintain_order="left")
    falls = pl.concat(
        [
            spells.filter("fall").select(
                "stay",
                day="admit",
                minute=pl.Series(depart).filter(spells["fall"]) - 25,
                harm=pl.lit("severe"),
            ),
            visits.filter("fall").select(
                "stay",
                "day",
                minute=pl.Series(v_depart).filter(visits["fall"]) - 25,
                harm=pl.lit("moderate"),
            ),
        ]
    )
    sev = rng.random(falls.height)
    falls = falls.with_columns(
        harm=pl.when(pl.Series(sev) < 0.4)
        .then(pl.when(pl.col("harm") == "severe").then(pl.lit("moderate")).otherwise(pl.lit("low")))
        .otherwise("harm"),
        transfer=pl.lit("Y"),
        ambulance=pl.lit("Y"),
        gp=pl.lit("N"),
    )
    return absences, ae.sort("stay", "day", maintain_order=True), falls


def _incidents(
    rng: np.random.Generator,
    at: _At,
    people: pl.DataFrame,
    effects: list[_SiteEffect],
    cal: _Calendar,
    hospital_falls: pl.DataFrame,
) -> pl.DataFrame:
    risk = people["fall_risk"].to_numpy()[at.person]
    fall_eff = np.array([e.falls for e in effects])[at.site]
    p_fall = RATES.falls * risk * np.where(at.post, fall_eff, 1.0)
    pu_eff = np.where(at.post, 0.8, 1.0)
    u = rng.random(at.person.size)
    fall = u < p_fall
    ulcer = (u >= p_fall) & (u < p_fall + RATES.pressure_ulcers * pu_eff)
    other = u >= 1 - RATES.other_incidents
    kinds = np.select([fall, ulcer, other], ["fall", "pressure_ulcer", "other"], "")
    i = np.flatnonzero(kinds != "")
    k = kinds[i]
    harm_fall = np.array(["none", "low", "moderate"])[rng.choice(3, i.size, p=[0.68, 0.27, 0.05])]
    harm_pu = np.where(rng.random(i.size) < 0.7, "low", "moderate")
    harm_other = np.where(rng.random(i.size) < 0.8, "none", "low")
    harm = np.select([k == "fall", k == "pressure_ulcer"], [harm_fall, harm_pu], harm_other)
    minute = rng.integers(0, 24 * 60, i.size)
    moderate = harm == "moderate"
    gp = np.where(rng.random(i.size) < np.where(moderate, 0.8, 0.25), "Y", "N")
    ambulance = np.where(moderate & (rng.random(i.size) < 0.3), "Y", "N")
    local = pl.DataFrame(
        {
            "stay": at.stay[i],
            "day": at.day[i],
            "minute": minute,
            "type": k,
            "harm": harm,
            "transfer": np.full(i.size, "N"),
            "ambulance": ambulance,
            "gp": gp,
        }
    )
    hosp = hospital_falls.select(
        "stay",
        "day",
        "minute",
        type=pl.lit("fall"),
        harm="harm",
        transfer="transfer",
        ambulance="ambulance",
        gp="gp",
    ).with_columns(pl.col("minute").clip(0, 24 * 60 - 1))
    out = pl.concat([local, hosp.cast(local.schema)])
    weekend = pl.Series(cal.weekday).gather(out["day"]) >= 5
    ooh = weekend | (out["minute"] < 8 * 60) | (out["minute"] >= 18 * 60 + 30)
    return (
        out.with_columns(ooh=pl.when(ooh).then(pl.lit("Y")).otherwise(pl.lit("N")))
        .unique(["stay", "day", "type"], keep="first", maintain_order=True)
        .sort("stay", "day", "minute", maintain_order=True)
    )


def _outings(rng: np.random.Generator, at: _At) -> pl.DataFrame:
    """Same-day absences for other reasons (outings, clinic appointments)."""
    i = np.flatnonzero(rng.random(at.person.size) < RATES.other_absences)
    depart = rng.integers(10 * 60, 14 * 60, i.size)
    return pl.DataFrame(
        {
            "stay": at.stay[i],
            "depart_day": at.day[i],
            "depart_min": depart,
            "return_day": at.day[i],
            "return_min": depart + rng.integers(90, 300, i.size),
            "reason": np.full(i.size, "other"),
        },
        schema_overrides={"return_day": pl.Int64},
    )


def _weight(people: pl.DataFrame, person: np.ndarray, day: np.ndarray, noise: np.ndarray):
    w0 = people["weight0"].to_numpy()[person]
    slope = people["slope"].to_numpy()[person]
    return np.round(w0 + slope * day / 30.44 + noise, 1)


def _observations(
    rng: np.random.Generator,
    at: _At,
    people: pl.DataFrame,
    effects: list[_SiteEffect],
) -> pl.DataFrame:
    """Care-home observations: monthly weights and MUST scores, BMI and Waterlow."""
    frames = []
    for obs_type in ("weight_kg", "must_score", "waterlow"):
        i = at.one_per_stay_month(rng)
        if obs_type == "weight_kg":
            share = np.array([e.weights for e in effects])
        elif obs_type == "must_score":
            share = np.array([e.must for e in effects])
        else:
            share = np.array([(0.35, 0.45)] * len(effects))
        p = share[at.site[i], at.post[i].astype(int)]
        i = i[rng.random(i.size) < p]
        d = at.take(i)
        if obs_type == "weight_kg":
            value = _weight(people, d["person"], d["day"], rng.normal(0, 0.6, i.size))
        elif obs_type == "must_score":
            losing = people["slope"].to_numpy()[d["person"]] < -0.3
            low = rng.choice(7, i.size, p=[0.58, 0.2, 0.12, 0.05, 0.03, 0.01, 0.01])
            high = rng.choice(7, i.size, p=[0.2, 0.25, 0.25, 0.12, 0.1, 0.05, 0.03])
            value = np.where(losing, high, low).astype(float)
        else:
            value = rng.integers(5, 26, i.size).astype(float)
        frames.append(
            pl.DataFrame(
                {**d, "minute": rng.integers(7 * 60, 20 * 60, i.size), "value": value}
            ).with_columns(type=pl.lit(obs_type))
        )
    weights = frames[0]
    bmi = weights.filter(pl.Series(rng.random(weights.height) < 0.3))
    height = people["height"].to_numpy()[bmi["person"].to_numpy()]
    bmi = bmi.with_columns(
        value=(pl.col("value") / pl.Series(height**2)).round(1),
        minute=pl.col("minute") + 1,
        type=pl.lit("bmi"),
    )
    return pl.concat([*frames, bmi]).sort("stay", "day", "minute", "type", maintain_order=True)


def _follow_up(
    rng: np.random.Generator,
    present: np.ndarray,
    person: np.ndarray,
    stay: np.ndarray,
    day: np.ndarray,
    chance: np.ndarray,
    lag: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Which events get a follow-up ``lag`` days later, while the resident is still in."""
    when = day + rng.integers(lag[0], lag[1] + 1, day.size)
    ok = rng.random(day.size) < chance
    inside = when < present.shape[1]
    ok &= inside
    ok[ok] &= present[person[ok], when[ok]] == stay[ok]
    return np.flatnonzero(ok), when


def _qi(
    rng: np.random.Generator,
    at: _At,
    stays: pl.DataFrame,
    observations: pl.DataFrame,
    present: np.ndarray,
    cal: _Calendar,
    homes: _Homes,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """QI activities (one row each), and the pharmacist reviews the GP codes as SMRs."""
    home_of = stays["home"].to_numpy()
    person_of = stays["person"].to_numpy()
    rows = []

    def add(kind: str, stay: np.ndarray, day: np.ndarray, outcome: np.ndarray) -> None:
        rows.append(
            pl.DataFrame(
                {"home": home_of[stay], "stay": stay, "day": day, "type": kind, "outcome": outcome},
                schema_overrides={"stay": pl.Int64, "type": pl.String, "outcome": pl.String},
            )
        )

    def outcomes(kind: str, n: int, p: Sequence[float]) -> np.ndarray:
        return np.array(QI_ACTIVITIES[kind])[rng.choice(len(p), n, p=p)]

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < np.where(at.post[i], 0.30, 0.02)]
    triage = outcomes("triage_tool", i.size, [0.3, 0.7])
    add("triage_tool", at.stay[i], at.day[i], triage)
    risk = i[triage == "at_risk"]
    j, when = _follow_up(
        rng, present, at.person[risk], at.stay[risk], at.day[risk], np.full(risk.size, 0.8), (1, 7)
    )
    add("mdt_review", at.stay[risk][j], when[j], outcomes("mdt_review", j.size, [0.6, 0.25, 0.15]))

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < np.where(at.post[i], 0.05, 0.01)]
    pharm = outcomes("pharmacist_medication_review", i.size, [0.5, 0.3, 0.2])
    add("pharmacist_medication_review", at.stay[i], at.day[i], pharm)
    pharmacist = pl.DataFrame({"person": at.person[i], "stay": at.stay[i], "day": at.day[i]})

    must = observations.filter((pl.col("type") == "must_score") & (pl.col("value") >= 2))
    m_stay, m_day = must["stay"].to_numpy(), must["day"].to_numpy()
    chance = np.where(m_day >= cal.iv, 0.7, 0.2)
    j, when = _follow_up(rng, present, person_of[m_stay], m_stay, m_day, chance, (1, 10))
    add(
        "dietetic_review",
        m_stay[j],
        when[j],
        outcomes("dietetic_review", j.size, [0.5, 0.25, 0.15, 0.1]),
    )

    new = stays.filter(pl.col("start") >= 0)
    n_stay, n_day = new["stay"].to_numpy(), new["start"].to_numpy()
    chance = np.where(n_day >= cal.iv, 0.8, 0.15)
    j, when = _follow_up(rng, present, person_of[n_stay], n_stay, n_day, chance, (1, 10))
    add(
        "admission_mdt_review",
        n_stay[j],
        when[j],
        outcomes("admission_mdt_review", j.size, [0.3, 0.3, 0.4]),
    )

    n_homes = homes.site.size
    month_first = cal.month_starts[:-1]
    grid_home = np.repeat(np.arange(n_homes), cal.months)
    grid_month = np.tile(np.arange(cal.months), n_homes)
    post = month_first[grid_month] >= cal.iv
    count = rng.poisson(np.where(post, 1.0, 0.1))
    h = np.repeat(grid_home, count)
    m = np.repeat(grid_month, count)
    length = np.diff(cal.month_starts)[m]
    day = month_first[m] + (rng.random(h.size) * length).astype(np.int64)
    rows.append(
        pl.DataFrame(
            {
                "home": h,
                "stay": pl.Series([None] * h.size, dtype=pl.Int64),
                "day": day,
                "type": "pdsa_cycle",
                "outcome": outcomes("pdsa_cycle", h.size, [0.5, 0.4, 0.1]),
            },
            schema_overrides={"type": pl.String, "outcome": pl.String},
        )
    )
    qi = (
        pl.concat([r.cast({"home": pl.Int64, "day": pl.Int64}) for r in rows])
        .unique(["home", "stay", "day", "type"], keep="first", maintain_order=True)
        .sort("home", "day", "type", "stay", nulls_last=True, maintain_order=True)
    )
    return qi, pharmacist


def _gp_events(
    rng: np.random.Generator,
    at: _At,
    people: pl.DataFrame,
    effects: list[_SiteEffect],
    stays: pl.DataFrame,
    incidents: pl.DataFrame,
    pharmacist: pl.DataFrame,
) -> pl.DataFrame:
    """Coded GP events: weights, medication reviews, falls, pressure ulcers, CRP, residence."""
    person_of = stays["person"].to_numpy()
    frames = []

    def add(code: str, person, stay, day, value=None) -> None:
        n = np.asarray(day).size
        frames.append(
            pl.DataFrame(
                {
                    "person": person,
                    "stay": stay,
                    "day": day,
                    "code": np.full(n, _CODE[code]),
                    "value": np.full(n, np.nan) if value is None else value,
                },
                schema={
                    "person": pl.Int64,
                    "stay": pl.Int64,
                    "day": pl.Int64,
                    "code": pl.Int64,
                    "value": pl.Float64,
                },
            )
        )

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < np.array([e.gp_weights for e in effects])[at.site[i]]]
    d = at.take(i)
    add(
        "weight",
        d["person"],
        d["stay"],
        d["day"],
        _weight(people, d["person"], d["day"], rng.normal(0, 0.8, i.size)),
    )

    i = at.one_per_stay_month(rng)
    rate = np.array([e.medication_review for e in effects])[at.site[i], at.post[i].astype(int)]
    i = i[rng.random(i.size) < rate]
    share = np.array([e.smr_share for e in effects])[at.site[i], at.post[i].astype(int)]
    smr = rng.random(i.size) < share
    d = at.take(i)
    add("smr", d["person"][smr], d["stay"][smr], d["day"][smr])
    add("medication_review", d["person"][~smr], d["stay"][~smr], d["day"][~smr])
    coded = rng.random(pharmacist.height) < 0.8  # pharmacist SMRs coded by the practice
    ph = pharmacist.filter(pl.Series(coded))
    add("smr", ph["person"].to_numpy(), ph["stay"].to_numpy(), ph["day"].to_numpy())

    for kind, code, chance in (("fall", "fall", 0.5), ("pressure_ulcer", "pressure_ulcer", 0.4)):
        inc = incidents.filter((pl.col("type") == kind) & (pl.col("gp") == "Y"))
        inc = inc.filter(pl.Series(rng.random(inc.height) < chance))
        stay = inc["stay"].to_numpy()
        add(code, person_of[stay], stay, inc["day"].to_numpy())

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < 0.04]
    d = at.take(i)
    add("crp", d["person"], d["stay"], d["day"], np.round(rng.lognormal(2.0, 1.1, i.size), 0))

    reg = people.select("person", "registered")
    add(
        "care_home", reg["person"].to_numpy(), np.full(reg.height, -1), reg["registered"].to_numpy()
    )
    return (
        pl.concat(frames)
        .with_columns(stay=pl.when(pl.col("stay") >= 0).then("stay"))
        .sort("person", "day", "code", maintain_order=True)
        .unique(["person", "day", "code"], keep="first", maintain_order=True)
        .pipe(_one_review_a_day)
    )


def _one_review_a_day(gp: pl.DataFrame) -> pl.DataFrame:
    """A structured review and a plain one on the same day are one review: the SMR."""
    review = pl.col("code") == _CODE["medication_review"]
    smr_days = gp.filter(pl.col("code") == _CODE["smr"]).select("person", "day")
    clash = gp.filter(review).join(
        smr_days, on=["person", "day"], how="semi", maintain_order="left"
    )
    return gp.join(clash, on=["person", "day", "code"], how="anti", maintain_order="left")


def _medication(
    rng: np.random.Generator, on_roll: np.ndarray, gp_events: pl.DataFrame, at: _At
) -> pl.DataFrame:
    """Repeat issues every 28 days (8-12 medicines each), some stopped at reviews; acutes."""
    n_people, n = on_roll.shape
    n_drugs = len(FORMULARY)
    count = rng.integers(8, 13, n_people)
    choice = np.argsort(rng.random((n_people, n_drugs)), axis=1)
    keep = np.arange(n_drugs)[None, :] < count[:, None]
    pair_person, pair_slot = np.nonzero(keep)
    pair_drug = choice[pair_person, pair_slot]
    offsets = np.r_[0, np.cumsum(count)[:-1]]
    stop = np.full(pair_person.size, n, dtype=np.int64)
    reviews = gp_events.filter(pl.col("code").is_in([_CODE["smr"], _CODE["medication_review"]]))
    r_person = reviews["person"].to_numpy()
    stopped = rng.random(r_person.size) < 0.5  # about half of reviews stop a medicine
    r_person, r_day = r_person[stopped], reviews["day"].to_numpy()[stopped]
    pair = offsets[r_person] + (rng.random(r_person.size) * count[r_person]).astype(np.int64)
    np.minimum.at(stop, pair, r_day + 1)

    rolled = on_roll >= 0
    has_roll = rolled.any(axis=1)
    first = np.where(has_roll, rolled.argmax(axis=1), n)
    anchor = first[pair_person] + rng.integers(0, 28, pair_person.size)
    cycles = n // 28 + 2
    k = np.arange(cycles)
    day = (anchor[:, None] + 28 * k[None, :]).ravel()
    pair_of = np.repeat(np.arange(pair_person.size), cycles)
    ok = day < np.minimum(stop[pair_of], n)
    ok[ok] &= on_roll[pair_person[pair_of[ok]], day[ok]] >= 0
    pair_of, day = pair_of[ok], day[ok]
    repeats = pl.DataFrame(
        {
            "person": pair_person[pair_of],
            "day": day,
            "drug": pair_drug[pair_of],
            "template": pair_of,
            "repeat": np.ones(day.size, dtype=bool),
        }
    )
    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < 0.08]
    acute = pl.DataFrame(
        {
            "person": at.person[i],
            "day": at.day[i],
            "drug": n_drugs + rng.integers(0, len(ACUTE), i.size),
            "template": np.full(i.size, -1),
            "repeat": np.zeros(i.size, dtype=bool),
        }
    )
    stay = on_roll[
        np.r_[repeats["person"].to_numpy(), acute["person"].to_numpy()],
        np.r_[repeats["day"].to_numpy(), acute["day"].to_numpy()],
    ]
    return (
        pl.concat([repeats, acute])
        .with_columns(stay=pl.Series(stay.astype(np.int64)))
        .unique(["person", "day", "drug"], keep="first", maintain_order=True)
        .sort("person", "day", "drug", maintain_order=True)
    )


def _spell_rows(
    rng: np.random.Generator, stays: pl.DataFrame, spells: pl.DataFrame, homes: _Homes
) -> pl.DataFrame:
    """Hospital spells with their codes: method, source, destination, diagnosis, HRG."""
    n = spells.height
    source = np.array(homes.source_code)
    home = stays["home"].to_numpy()[spells["stay"].to_numpy()]
    diag = rng.integers(0, len(DIAGNOSES), n)
    elsewhere = np.where(rng.random(n) < 0.5, "19", source[rng.integers(0, source.size, n)])
    outcome = spells["outcome"].to_numpy()
    elective = spells["method"].to_numpy() == "11"
    fall = spells["fall"].to_numpy()
    icd = np.select(
        [fall, elective],
        [FALL_DIAGNOSIS[0], ELECTIVE_DIAGNOSIS[0]],
        np.array([d[0] for d in DIAGNOSES])[diag],
    )
    hrg = np.select(
        [fall, elective],
        [FALL_DIAGNOSIS[1], ELECTIVE_DIAGNOSIS[1]],
        np.array([d[1] for d in DIAGNOSES])[diag],
    )
    dest = np.select(
        [outcome == "returned", outcome == "died", outcome == "not_returned"],
        [source[home], "79", elsewhere],
        "",
    )
    return spells.with_columns(
        source=pl.Series(source[home]),
        destination=pl.Series(dest).replace("", None),
        icd10=pl.Series(icd),
        hrg=pl.Series(hrg),
        home=pl.Series(home),
    ).join(stays.select("stay", "person"), on="stay", maintain_order="left")


# --------------------------------------------------------------------------------------
# Truth: expected counts per measure, home and month


def _expected_counts(w: _World) -> pl.DataFrame:
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
        count("gp_weights", gp.filter(gp_code == _CODE["weight"])),
        count("must_screens", obs.filter(pl.col("type") == "must_score")),
        count(
            "medication_reviews",
            gp.filter(gp_code.is_in([_CODE["smr"], _CODE["medication_review"]])),
        ),
        count("structured_medication_reviews", gp.filter(gp_code == _CODE["smr"])),
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
    site_of = {h: _site_id(int(s)) for h, s in enumerate(homes.site)}
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


# --------------------------------------------------------------------------------------
# Writing files: real rows, format quirks, junk rows with known fates


def _site_id(s: int) -> str:
    return f"site_{chr(ord('a') + s)}"


@dataclass(frozen=True)
class _File:
    rel: str
    data: bytes
    rows_in: int
    fates: Mapping[str, int]


def _table(columns: Sequence[str], n: int, values: Mapping[str, object]) -> pl.DataFrame:
    """A frame of text with exactly ``columns``: the values given, the rest empty."""
    unknown = set(values) - set(columns)
    if unknown:
        raise KeyError(f"not columns of this layout: {sorted(unknown)}")
    out = []
    for c in columns:
        v = values.get(c)
        if v is None:
            s = pl.repeat(None, n, dtype=pl.String, eager=True)
        elif isinstance(v, str):
            s = pl.repeat(v, n, dtype=pl.String, eager=True)
        elif isinstance(v, pl.Series):
            s = v.cast(pl.String)
        else:
            s = pl.Series(np.asarray(v)).cast(pl.String)
        out.append(s.alias(c))
    return pl.DataFrame(out) if out else pl.DataFrame()


def _days(cal: _Calendar, days: pl.Series | np.ndarray, fmt: str) -> pl.Series:
    """Day indexes as dates in ``fmt`` (null stays null)."""
    s = pl.Series(days).cast(pl.Int64)
    base = pl.lit(cal.start)
    return pl.select((base + pl.duration(days=s)).dt.strftime(fmt)).to_series()


def _stamps(cal: _Calendar, days: pl.Series | np.ndarray, minutes, fmt: str) -> pl.Series:
    """Day indexes plus minutes as date-times in ``fmt``."""
    d = pl.Series(days).cast(pl.Int64)
    m = pl.Series(minutes).cast(pl.Int64)
    base = pl.lit(cal.start).cast(pl.Datetime("ms"))
    return pl.select((base + pl.duration(days=d, minutes=m)).dt.strftime(fmt)).to_series()


def _styled_nhs(rng: np.random.Generator, nhs: np.ndarray, rate: float) -> pl.Series:
    """NHS numbers as text; a share ``rate`` written 999 123 4567, 999-123-4567 or '9991234567."""
    s = pl.Series(nhs.astype(np.int64)).cast(pl.String)
    style = np.where(rng.random(nhs.size) < rate, rng.integers(1, 4, nhs.size), 0)
    spaced = pl.concat_str(
        s.str.slice(0, 3), pl.lit(" "), s.str.slice(3, 3), pl.lit(" "), s.str.slice(6)
    )
    dashed = pl.concat_str(
        s.str.slice(0, 3), pl.lit("-"), s.str.slice(3, 3), pl.lit("-"), s.str.slice(6)
    )
    st = pl.Series(style)
    return pl.select(
        pl.when(st == 1)
        .then(spaced)
        .when(st == 2)
        .then(dashed)
        .when(st == 3)
        .then(pl.concat_str(pl.lit("'"), s))
        .otherwise(s)
    ).to_series()


def _excel_nhs(nhs: np.ndarray) -> pl.Series:
    """NHS numbers as Excel shows a long number in a General cell: 9.99E+09 (or 1.00E+10)."""
    three = np.round(np.asarray(nhs, dtype=np.int64) / 10**7).astype(np.int64)  # 3 digits
    carry = three >= 1000
    three, power = np.where(carry, three // 10, three), np.where(carry, 10, 9)
    return _ids("", three // 100) + "." + _ids("", three % 100, 2) + "E+" + _ids("", power, 2)


def _assemble(
    rng: np.random.Generator,
    real: pl.DataFrame,
    junk: Sequence[tuple[str, pl.DataFrame]],
    dup_rate: float,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """Real rows in order, junk rows scattered, exact duplicates after their original.

    A junk row equal to a real row or to another junk row is dropped: it would be
    skipped as a duplicate, not meet the fate it was made for.
    """
    if real.is_duplicated().any():
        raise RuntimeError("the simulation wrote two identical real rows; their fate is unclear")
    n = real.height
    n_dup = int(rng.binomial(n, dup_rate)) if n else 0
    src = np.sort(rng.choice(n, n_dup, replace=False)) if n_dup else np.zeros(0, dtype=np.int64)
    fates = dict.fromkeys(FATES, 0)
    fates["skipped_duplicate"] = n_dup
    extra = [f.select(real.columns).with_columns(__fate=pl.lit(k)) for k, f in junk if f.height]
    if extra:
        made = pl.concat(extra)
        first = pl.concat([real, made.drop("__fate")]).select(
            pl.struct(pl.all()).is_first_distinct()
        )
        made = made.filter(first.to_series()[n:])
        for fate, count in made.group_by("__fate").len().rows():
            fates[fate] += count
        extra = [made.drop("__fate")]
    parts = [real, real[src], *extra]
    keys = [np.arange(n, dtype=float), src + 0.01 + rng.random(n_dup) * (n - src - 0.02)]
    keys += [rng.random(f.height) * max(n, 1) for f in extra]
    order = np.argsort(np.concatenate(keys), kind="stable")
    return pl.concat(parts).select(pl.all().gather(order)), fates


def _csv(frame: pl.DataFrame, *, crlf: bool = False) -> str:
    return frame.write_csv(None, line_terminator="\r\n" if crlf else "\n")


def _file(
    rel: str,
    text: str,
    real_rows: int,
    fates: Mapping[str, int],
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    preamble: int = 0,
) -> _File:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)
    fates = {**dict.fromkeys(FATES, 0), **fates, "skipped_preamble": preamble}
    rows_in = real_rows + sum(fates.values())
    return _File(rel, data, rows_in, MappingProxyType(fates))


def _junk_count(rng: np.random.Generator, n: int, rate: float) -> int:
    return int(rng.binomial(n, rate)) if n and rate > 0 else 0


def _pick(rng: np.random.Generator, frame: pl.DataFrame, k: int) -> pl.DataFrame:
    """``k`` rows of ``frame`` chosen at random (with replacement), to be altered into junk."""
    if k == 0 or frame.height == 0:
        return frame.clear()
    return frame[np.sort(rng.integers(0, frame.height, k))]


@dataclass(frozen=True)
class _SiteCtx:
    """What the writers of one site share."""

    site: int
    site_id: str
    world: _World
    ids: np.random.Generator
    quirks: np.random.Generator
    quirk_rate: float

    @property
    def cal(self) -> _Calendar:
        return self.world.cal

    def people(self) -> pl.DataFrame:
        return self.world.people.filter(pl.col("site") == self.site)


def _carehome_files(c: _SiteCtx) -> list[_File]:
    w, cal, q, rate = c.world, c.cal, c.quirks, c.quirk_rate
    homes = w.homes
    people = w.people.select("person", "nhs", "birth", "sex")
    files = []
    for h in np.flatnonzero(homes.site == c.site):
        home_id = homes.home_id[h]
        date_fmt = CAREHOME_DATES[homes.date_style[h]]
        stamp_fmt = date_fmt + CAREHOME_TIMES[homes.time_style[h]]
        base, (prefix, width) = int(homes.id_base[h]), homes.id_style[h]
        stays = (
            w.stays.filter(pl.col("home") == h)
            .sort("start", "stay")
            .join(people, on="person", how="left", maintain_order="left")
        )
        local = _ids(prefix, base + np.arange(stays.height), width)
        local_of = dict(zip(stays["stay"].to_list(), local.to_list(), strict=True))
        places = np.array(["care_home", "hospital", "hospice", "home"])
        place = places[q.choice(4, stays.height, p=[0.7, 0.1, 0.1, 0.1])]
        stated = (stays["kind"].to_numpy() == "permanent") & (q.random(stays.height) < 0.45)
        ppd = np.where(stated, place, "")
        real = _table(
            RESIDENTS,
            stays.height,
            {
                "home_id": home_id,
                "resident_local_id": local,
                "nhs_number": _styled_nhs(q, stays["nhs"].to_numpy(), rate),
                "date_of_birth": _days(cal, stays["birth"], date_fmt),
                "sex": stays["sex"],
                "admission_date": _days(cal, stays["start"], date_fmt),
                "admission_type": stays["kind"],
                "discharge_date": _days(cal, stays["end"], date_fmt),
                "discharge_reason": stays["reason"],
                "preferred_place_of_death": pl.Series(ppd).replace("", None),
            },
        )
        junk_ids = _ids(prefix, base + stays.height + 50 + np.arange(stays.height + 8), width)
        junk = _bad_nhs_rows(
            q, real, "resident_local_id", "nhs_number", stays["nhs"].to_numpy(), junk_ids, rate
        )
        frame, fates = _assemble(q, real, junk, rate)
        folder = f"{c.site_id}/carehome/{home_id}"
        files.append(
            _file(f"{folder}/residents.csv", _csv(frame), real.height, fates, bom=homes.bom[h])
        )

        ab = w.absences.filter(pl.col("stay").is_in(stays["stay"].implode()))
        real = _table(
            ABSENCES,
            ab.height,
            {
                "resident_local_id": ab["stay"].replace_strict(local_of, return_dtype=pl.String),
                "depart_datetime": _stamps(cal, ab["depart_day"], ab["depart_min"], stamp_fmt),
                "return_datetime": _stamps(cal, ab["return_day"], ab["return_min"], stamp_fmt),
                "reason": ab["reason"],
            },
        )
        frame, fates = _assemble(q, real, [], rate)
        files.append(
            _file(f"{folder}/absences.csv", _csv(frame), real.height, fates, bom=homes.bom[h])
        )

        inc = w.incidents.filter(pl.col("stay").is_in(stays["stay"].implode()))
        real = _table(
            INCIDENTS,
            inc.height,
            {
                "resident_local_id": inc["stay"].replace_strict(local_of, return_dtype=pl.String),
                "incident_datetime": _stamps(cal, inc["day"], inc["minute"], stamp_fmt),
                "incident_type": inc["type"],
                "harm_level": inc["harm"],
                "hospital_transfer": inc["transfer"],
                "ambulance_called": inc["ambulance"],
                "gp_called": inc["gp"],
                "out_of_hours": inc["ooh"],
            },
        )
        frame, fates = _assemble(q, real, [], rate)
        files.append(
            _file(f"{folder}/incidents.csv", _csv(frame), real.height, fates, bom=homes.bom[h])
        )

        obs = w.observations.filter(pl.col("stay").is_in(stays["stay"].implode()))
        is_weight = obs["type"] == "weight_kg"
        value = obs["value"].round(1)
        text_value = pl.Series(
            np.where(
                obs["type"].is_in(["must_score", "waterlow"]).to_numpy(),
                value.cast(pl.Int64, strict=False).cast(pl.String).to_numpy(),
                value.cast(pl.String).to_numpy(),
            )
        )
        as_text = pl.Series(q.random(obs.height) < rate) & is_weight  # "72.5 kg"
        unit = pl.select(
            pl.when(is_weight & ~as_text)
            .then(pl.lit("kg"))
            .when(obs["type"] == "bmi")
            .then(pl.lit("kg/m2"))
        ).to_series()
        real = _table(
            OBSERVATIONS,
            obs.height,
            {
                "resident_local_id": obs["stay"].replace_strict(local_of, return_dtype=pl.String),
                "obs_datetime": _stamps(cal, obs["day"], obs["minute"], stamp_fmt),
                "obs_type": obs["type"],
                "value": pl.select(
                    pl.when(as_text)
                    .then(pl.concat_str(text_value, pl.lit(" kg")))
                    .otherwise(text_value)
                ).to_series(),
                "unit": unit,
            },
        )
        n_impossible = _junk_count(q, obs.height, rate / 2)
        n_serial = _junk_count(q, obs.height, rate / 2)
        impossible = _pick(q, real, n_impossible).with_columns(
            obs_datetime=_impossible_dates(q, cal, n_impossible, date_fmt)
        )
        serial_day = (cal.start - EXCEL_EPOCH).days + q.integers(0, cal.n_days, n_serial)
        serial = _pick(q, real, n_serial).with_columns(
            obs_datetime=pl.Series(serial_day.astype(str), dtype=pl.String)
        )
        frame, fates = _assemble(
            q, real, [("quarantined_date", impossible), ("quarantined_date", serial)], rate
        )
        files.append(
            _file(f"{folder}/observations.csv", _csv(frame), real.height, fates, bom=homes.bom[h])
        )
    return files


_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _impossible_dates(rng: np.random.Generator, cal: _Calendar, n: int, fmt: str) -> pl.Series:
    """Dates that do not exist (31/02, 31/04...), in the home's layout, with a time."""
    if n == 0:
        return pl.Series([], dtype=pl.String)
    bad = np.array([(31, 2), (30, 2), (31, 4), (31, 6), (31, 9), (31, 11)])
    day, month = bad[rng.integers(0, len(bad), n)].T
    year = cal.start.year + rng.integers(0, cal.months // 12 + 1, n)
    parts = {
        "%d": _ids("", day, 2),
        "%m": _ids("", month, 2),
        "%b": pl.Series(np.array(_MON)[month - 1]),
        "%Y": _ids("", year),
    }
    pieces = [p for p in re.split(r"(%[dmbY])", fmt) if p]  # e.g. %d, /, %m, /, %Y
    columns = [parts.get(p, pl.repeat(p, n, eager=True)) for p in pieces]
    return pl.select(pl.concat_str([*columns, pl.lit(" 10:15")])).to_series()


def _hospital_files(c: _SiteCtx) -> list[_File]:
    w, cal, q, rate = c.world, c.cal, c.quirks, c.quirk_rate
    homes = w.homes
    people = w.people.select("person", "nhs")
    fmt = HOSPITAL_DATES[c.site % len(HOSPITAL_DATES)]
    mine = pl.Series(np.flatnonzero(homes.site == c.site)).implode()
    spells = w.spells.filter(pl.col("home").is_in(mine))
    spells = spells.join(people, on="person", maintain_order="left").sort(
        "admit", "stay", maintain_order=True
    )
    ids = _serials(c.ids, spells.height + 64, 4_000_000)
    prefix = f"S{c.site_id[-1].upper()}"
    real = _table(
        SPELLS,
        spells.height,
        {
            "spell_id": _ids(prefix, ids[: spells.height]),
            "nhs_number": _styled_nhs(q, spells["nhs"].to_numpy(), rate),
            "admit_date": _days(cal, spells["admit"], fmt),
            "discharge_date": _days(cal, spells["discharge"], fmt),
            "admission_method": spells["method"],
            "admission_source": spells["source"],
            "discharge_destination": spells["destination"],
            "primary_diagnosis_icd10": spells["icd10"],
            "hrg": spells["hrg"],
        },
    )
    junk_ids = _ids(prefix, ids[spells.height :])
    frame, fates = _assemble(
        q,
        real,
        _bad_nhs_rows(q, real, "spell_id", "nhs_number", spells["nhs"].to_numpy(), junk_ids, rate),
        rate,
    )
    folder = f"{c.site_id}/hospital"
    files = [_file(f"{folder}/inpatient_spells.csv", _csv(frame), real.height, fates)]

    ae = w.ae.filter(pl.col("home").is_in(mine)).join(people, on="person", maintain_order="left")
    ae = ae.sort("day", "minute", "stay", maintain_order=True)
    ids = _serials(c.ids, ae.height + 64, 7_000_000)
    real = _table(
        AE,
        ae.height,
        {
            "attendance_id": _ids(f"A{c.site_id[-1].upper()}", ids[: ae.height]),
            "nhs_number": _styled_nhs(q, ae["nhs"].to_numpy(), rate),
            "arrival_datetime": _stamps(cal, ae["day"], ae["minute"], fmt + " %H:%M"),
            "department_type": "01",
            "disposal": ae["disposal"],
        },
    )
    junk_ids = _ids(f"A{c.site_id[-1].upper()}", ids[ae.height :])
    frame, fates = _assemble(
        q,
        real,
        _bad_nhs_rows(q, real, "attendance_id", "nhs_number", ae["nhs"].to_numpy(), junk_ids, rate),
        rate,
    )
    files.append(_file(f"{folder}/ae_attendances.csv", _csv(frame), real.height, fates))
    return files


def _bad_nhs_rows(
    rng: np.random.Generator,
    real: pl.DataFrame,
    id_column: str,
    nhs_column: str,
    nhs: np.ndarray,
    junk_ids: pl.Series,
    rate: float,
) -> list[tuple[str, pl.DataFrame]]:
    """Rows copied from ``real`` with new ids and NHS numbers that fail or were damaged."""
    n_bad = _junk_count(rng, real.height, rate / 2)
    n_excel = _junk_count(rng, real.height, rate / 2)
    n_bad, n_excel = min(n_bad, junk_ids.len() // 2), min(n_excel, junk_ids.len() // 2)
    source = np.resize(nhs, n_bad + n_excel) if nhs.size else np.zeros(0, dtype=np.int64)
    bad = _pick(rng, real, n_bad).with_columns(
        pl.Series(id_column, junk_ids[:n_bad]),
        pl.Series(nhs_column, _invalid_nhs(rng, source[:n_bad]).astype(str), dtype=pl.String),
    )
    excel = _pick(rng, real, n_excel).with_columns(
        pl.Series(id_column, junk_ids[n_bad : n_bad + n_excel]),
        _excel_nhs(source[n_bad:]).alias(nhs_column),
    )
    return [("quarantined_nhs_number", bad), ("quarantined_nhs_number", excel)]


def _qi_file(c: _SiteCtx) -> list[_File]:
    """The QI log: no junk (its connector keeps repeated activities: they can be real)."""
    w, cal = c.world, c.cal
    homes = w.homes
    qi = w.qi.filter(
        pl.col("home").is_in(pl.Series(np.flatnonzero(homes.site == c.site)).implode())
    )
    local = {}
    for h in np.flatnonzero(homes.site == c.site):
        stays = w.stays.filter(pl.col("home") == h).sort("start", "stay")
        prefix, width = homes.id_style[h]
        ids = _ids(prefix, int(homes.id_base[h]) + np.arange(stays.height), width)
        local.update(zip(stays["stay"].to_list(), ids.to_list(), strict=True))
    resident = qi["stay"].replace_strict(local, default=None, return_dtype=pl.String)
    real = _table(
        QI_LOG,
        qi.height,
        {
            "home_id": pl.Series(homes.home_id).gather(qi["home"]),
            "resident_id": resident,
            "activity_date": _days(cal, qi["day"], "%d/%m/%Y"),
            "activity_type": qi["type"],
            "outcome": qi["outcome"],
        },
    )
    return [_file(f"{c.site_id}/qi_log/qi_activity_log.csv", _csv(real), real.height, {})]


# --- GP systems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _GpData:
    """A site's GP records, real and junk, before they are laid out for EMIS or SystmOne."""

    patients: pl.DataFrame  # person, nhs, names, birth, death, registered, left, key
    events: pl.DataFrame  # person, day, code, value
    medication: pl.DataFrame  # person, day, drug, template, repeat
    test_patients: pl.DataFrame
    test_events: pl.DataFrame
    test_medication: pl.DataFrame
    bad_patients: pl.DataFrame  # invalid NHS numbers
    deleted_patients: pl.DataFrame


def _gp_data(c: _SiteCtx) -> _GpData:
    w, q, rate = c.world, c.quirks, c.quirk_rate
    people = c.people()
    mine = people["person"].implode()
    events = w.gp_events.filter(pl.col("person").is_in(mine))
    medication = w.medication.filter(pl.col("person").is_in(mine))
    n_test = (_junk_count(q, people.height, rate / 4) + 1) if rate > 0 else 0
    n_bad = _junk_count(q, people.height, rate / 4)
    n_deleted = _junk_count(q, people.height, rate / 4)
    extra = n_test + n_bad + n_deleted
    nhs = _nhs_numbers(q, people.height + extra + 16)
    nhs = nhs[~np.isin(nhs, w.people["nhs"].to_numpy())][:extra]
    fake = _pick(q, people, extra).with_columns(
        person=pl.Series(-1 - np.arange(extra)),
        nhs=pl.Series(nhs, dtype=pl.Int64),
    )
    test = fake[:n_test].with_columns(
        given=pl.Series(["Test", "Dummy", "Training"] * (n_test // 3 + 1))[:n_test],
        surname=pl.lit("Patient"),
    )
    bad = fake[n_test : n_test + n_bad]
    bad = bad.with_columns(nhs=pl.Series(_invalid_nhs(q, bad["nhs"].to_numpy()), dtype=pl.Int64))
    deleted = fake[n_test + n_bad :]
    # A few events and issues for each test patient (copies of real ones, re-assigned).
    k_events = q.integers(2, 7, n_test)
    t_events = _pick(q, events.filter(pl.col("code") != _CODE["care_home"]), int(k_events.sum()))
    owner = np.repeat(test["person"].to_numpy(), k_events)[: t_events.height]
    t_events = t_events.with_columns(person=pl.Series(owner))
    k_meds = q.integers(0, 10, n_test)
    t_meds = _pick(q, medication, int(k_meds.sum()))
    owner = np.repeat(test["person"].to_numpy(), k_meds)[: t_meds.height]
    t_meds = t_meds.with_columns(person=pl.Series(owner), template=pl.lit(-1))
    return _GpData(people, events, medication, test, t_events, t_meds, bad, deleted)


def _patient_keys(gp: _GpData, rng: np.random.Generator, *, guid: bool) -> dict[int, str]:
    persons = [
        *gp.patients["person"].to_list(),
        *gp.test_patients["person"].to_list(),
        *gp.bad_patients["person"].to_list(),
        *gp.deleted_patients["person"].to_list(),
    ]
    if guid:
        keys = _guids(rng, len(persons)).to_list()
    else:
        keys = _ids("", _serials(rng, len(persons), 1_200_000, 900)).to_list()
    return dict(zip(persons, keys, strict=True))


def _emis_files(c: _SiteCtx, report: bool) -> list[_File]:
    cal, ids, q, rate = c.cal, c.ids, c.quirks, c.quirk_rate
    gp = _gp_data(c)
    org = str(int(ids.integers(100, 1000)))
    org_guid = _guids(ids, 1)[0]
    agreement = _guids(ids, 1, lower=True)[0]
    stamp = cal.start.toordinal() + cal.n_days - 1
    stamp_text = date.fromordinal(stamp).strftime("%Y%m%d") + "230000"
    clinicians = _guids(ids, 4)
    key = _patient_keys(gp, ids, guid=True)
    folder = f"{c.site_id}/emis"

    def name(table: str) -> str:
        return f"{folder}/{org}_{table}_{stamp_text}_{agreement}.csv"

    def patients(frame: pl.DataFrame, deleted: str, dummy: str) -> pl.DataFrame:
        n = frame.height
        left = frame["left"] + 14  # deducted two weeks after leaving
        return _table(
            spec("emis", "Admin_Patient", "5.4").columns,
            n,
            {
                "PatientGuid": frame["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "UsualGpUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "Sex": frame["sex"],
                "DateOfBirth": _days(cal, frame["birth"], EMIS_DATE),
                "DateOfDeath": _days(cal, frame["died"], EMIS_DATE),
                "Title": frame["title"],
                "GivenName": frame["given"],
                "Surname": frame["surname"],
                "DateOfRegistration": _days(cal, frame["registered"], EMIS_DATE),
                "NhsNumber": frame["nhs"],
                "PatientNumber": pl.Series(_serials(ids, n, 10_000, 30)),
                "PatientTypeDescription": "Regular",
                "DummyType": dummy,
                "PersonGuid": _guids(ids, n),
                "DateOfDeactivation": _days(
                    cal, pl.select(pl.when(left < cal.n_days).then(left)).to_series(), EMIS_DATE
                ),
                "Deleted": deleted,
                "SpineSensitive": EMIS_FALSE,
                "IsConfidential": EMIS_FALSE,
                "ProcessingId": "1",
            },
        )

    real = patients(gp.patients, EMIS_FALSE, EMIS_FALSE)
    junk = [
        ("skipped_test_patient", patients(gp.test_patients, EMIS_FALSE, EMIS_TRUE)),
        ("quarantined_nhs_number", patients(gp.bad_patients, EMIS_FALSE, EMIS_FALSE)),
        ("skipped_deleted", patients(gp.deleted_patients, EMIS_TRUE, EMIS_FALSE)),
    ]
    frame, fates = _assemble(q, real, junk, rate)
    files = [_file(name("Admin_Patient"), _csv(frame, crlf=True), real.height, fates)]

    code_cols = spec("emis", "CareRecord_Observation", "5.4").columns
    code_ids = pl.Series([g.emis_code_id for g in GP_CODES])
    units = pl.Series([g.unit or None for g in GP_CODES], dtype=pl.String)
    kinds = pl.Series([g.category if g.category == "Value" else "Observation" for g in GP_CODES])

    def observations(ev: pl.DataFrame, deleted: str) -> pl.DataFrame:
        n = ev.height
        numeric = ev["value"].is_not_nan()
        value = pl.select(pl.when(numeric).then(ev["value"].round(1).cast(pl.String))).to_series()
        day = ev["day"].to_numpy()
        entered = np.maximum(np.minimum(day + ids.integers(0, 3, n), cal.n_days - 1), day)
        return _table(
            code_cols,
            n,
            {
                "ObservationGuid": _guids(ids, n),
                "PatientGuid": ev["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "EffectiveDate": _days(cal, ev["day"], EMIS_DATE),
                "EffectiveDatePrecision": "YMD",
                "EnteredDate": _days(cal, entered, EMIS_DATE),
                "EnteredTime": _stamps(
                    cal, np.zeros(n), ids.integers(8 * 60, 18 * 60, n), "%H:%M:%S"
                ),
                "ClinicianUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "EnteredByUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "CodeId": code_ids.gather(ev["code"]),
                "ConsultationGuid": _guids(ids, n),
                "Value": value,
                "NumericUnit": units.gather(ev["code"]),
                "ObservationType": kinds.gather(ev["code"]),
                "Deleted": deleted,
                "IsConfidential": EMIS_FALSE,
                "ProcessingId": "1",
            },
        )

    real = observations(gp.events, EMIS_FALSE)
    deleted = _pick(
        q, gp.events.filter(pl.col("day") >= 0), _junk_count(q, gp.events.height, rate / 2)
    )
    junk = [
        ("skipped_test_patient", observations(gp.test_events, EMIS_FALSE)),
        ("skipped_deleted", observations(deleted, EMIS_TRUE)),
    ]
    frame, fates = _assemble(q, real, junk, rate)
    files.append(_file(name("CareRecord_Observation"), _csv(frame, crlf=True), real.height, fates))

    coding = _table(
        spec("emis", "Coding_ClinicalCode", "5.4").columns,
        len(GP_CODES),
        {
            "CodeId": code_ids,
            "Term": pl.Series([g.term for g in GP_CODES]),
            "ReadTermId": pl.Series([g.read_term_id or None for g in GP_CODES], dtype=pl.String),
            "SnomedCTConceptId": pl.Series([g.snomed for g in GP_CODES]),
            "SnomedCTDescriptionId": pl.Series(
                _serials(ids, len(GP_CODES), 2_150_000_000_011, 10_000_000)
            ),
            "EmisCodeCategoryDescription": pl.Series([g.category for g in GP_CODES]),
            "ProcessingId": "1",
        },
    )
    files.append(_file(name("Coding_ClinicalCode"), _csv(coding, crlf=True), coding.height, {}))

    drugs = [*FORMULARY, *ACUTE]
    drug_code = pl.Series([str(5_100_000 + 37 * i) for i in range(len(drugs))])
    template_guid = _guids(ids, c.world.medication["template"].max() + 1)  # one per drug record

    def issues(md: pl.DataFrame, deleted: str) -> pl.DataFrame:
        n = md.height
        drug = md["drug"]
        pack = pl.Series([d[2] for d in drugs]).gather(drug)
        cost = pl.Series([d[4] for d in drugs]).gather(drug)
        template = md["template"]
        record = pl.select(
            pl.when(template >= 0)
            .then(template_guid.gather(template.clip(0)))
            .otherwise(_guids(ids, n))
        ).to_series()
        return _table(
            spec("emis", "Prescribing_IssueRecord", "5.4").columns,
            n,
            {
                "IssueRecordGuid": _guids(ids, n),
                "PatientGuid": md["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "DrugRecordGuid": record,
                "EffectiveDate": _days(cal, md["day"], EMIS_DATE),
                "EffectiveDatePrecision": "YMD",
                "EnteredDate": _days(cal, md["day"], EMIS_DATE),
                "EnteredTime": _stamps(
                    cal, np.zeros(n), ids.integers(8 * 60, 18 * 60, n), "%H:%M:%S"
                ),
                "ClinicianUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "EnteredByUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "CodeId": drug_code.gather(drug),
                "Dosage": pl.Series([d[1] for d in drugs]).gather(drug),
                "Quantity": pack,
                "QuantityUnit": pl.Series([d[3] for d in drugs]).gather(drug),
                "CourseDurationInDays": pl.select(
                    pl.when(md["repeat"]).then(pl.lit("28")).otherwise(pl.lit("7"))
                ).to_series(),
                "EstimatedNhsCost": _money(cost),
                "IsConfidential": EMIS_FALSE,
                "Deleted": deleted,
                "ProcessingId": "1",
            },
        )

    real = issues(gp.medication, EMIS_FALSE)
    deleted = _pick(q, gp.medication, _junk_count(q, gp.medication.height, rate / 2))
    junk = [
        ("skipped_test_patient", issues(gp.test_medication, EMIS_FALSE)),
        ("skipped_deleted", issues(deleted, EMIS_TRUE)),
    ]
    frame, fates = _assemble(q, real, junk, rate)
    files.append(_file(name("Prescribing_IssueRecord"), _csv(frame, crlf=True), real.height, fates))
    if report:
        files.append(_report_file(c, gp, folder))
    return files


def _money(values: pl.Series) -> pl.Series:
    pence = (values * 100).round(0).cast(pl.Int64)
    return pl.select(
        pl.concat_str(
            (pence // 100).cast(pl.String), pl.lit("."), (pence % 100).cast(pl.String).str.zfill(2)
        )
    ).to_series()


def _report_file(c: _SiteCtx, gp: _GpData, folder: str) -> _File:
    """An EMIS Web Search and Reports export of GP weights, with preamble and total line."""
    cal, q, rate = c.cal, c.quirks, c.quirk_rate
    ev = gp.events.filter((pl.col("code") == _CODE["weight"]) & (pl.col("day") >= 0))
    ev = ev.join(gp.patients.select("person", "nhs", "birth"), on="person", maintain_order="left")
    ev = ev.sort("day", "person", maintain_order=True)
    real = _table(
        EMIS_REPORT,
        ev.height,
        {
            "NHS Number": _styled_nhs(q, ev["nhs"].to_numpy(), min(1.0, rate * 5)),
            "Date of Birth": _days(cal, ev["birth"], REPORT_BIRTH),
            "Date": _days(cal, ev["day"], REPORT_DATE),
            "Code": GP_CODES[_CODE["weight"]].snomed,
            "Term": GP_CODES[_CODE["weight"]].term,
            "Value": ev["value"].round(1),
            "Units": "kg",
        },
    )
    nhs = ev["nhs"].to_numpy()
    n_bad = _junk_count(q, real.height, rate / 2)
    n_excel = _junk_count(q, real.height, rate / 2)
    source = np.resize(nhs, n_bad + n_excel) if nhs.size else np.zeros(0, dtype=np.int64)
    bad = _pick(q, real, n_bad).with_columns(
        pl.Series("NHS Number", _invalid_nhs(q, source[:n_bad]).astype(str), dtype=pl.String)
    )
    excel = _pick(q, real, n_excel).with_columns(_excel_nhs(source[n_bad:]).alias("NHS Number"))
    frame, fates = _assemble(
        q, real, [("quarantined_nhs_number", bad), ("quarantined_nhs_number", excel)], rate
    )
    run = date.fromordinal(cal.start.toordinal() + cal.n_days - 1).strftime("%d-%b-%Y")
    lines = [
        "Care home residents - weights recorded",
        f"Run date: {run} 23:00",
        f"Population count: {ev['person'].n_unique()}",
    ]
    extra = int(q.integers(0, 3))  # 3 to 5 lines above the header
    if extra == 2:
        lines.append("Search: Registered patients living in a care home")
    if extra >= 1:
        lines.append("")
    body = _csv(frame, crlf=True)
    total = f"Total: {frame.height} rows" + "," * (len(EMIS_REPORT) - 1)
    text = "\r\n".join(lines) + "\r\n" + body + total + "\r\n"
    preamble = sum(1 for line in lines if line.strip()) + 1
    return _file(f"{folder}/weights_report.csv", text, real.height, fates, preamble=preamble)


def _sre_files(c: _SiteCtx, patient_version: str) -> list[_File]:
    cal, ids, q, rate = c.cal, c.ids, c.quirks, c.quirk_rate
    gp = _gp_data(c)
    org = str(int(ids.integers(10_000, 99_999)))
    key = _patient_keys(gp, ids, guid=False)
    day_text = date.fromordinal(cal.start.toordinal() + cal.n_days - 1).strftime("%Y%m%d")
    folder = f"{c.site_id}/systmone"
    staff = _ids("", _serials(ids, 5, 80_000, 500))
    removed_column = patient_version == "90"

    def patients(frame: pl.DataFrame, test: str, removed: str) -> pl.DataFrame:
        n = frame.height
        values = {
            "RowIdentifier": frame["person"].replace_strict(key, return_dtype=pl.String),
            "IDOrganisationVisibleTo": org,
            "Title": frame["title"],
            "FirstName": frame["given"],
            "Surname": frame["surname"],
            "PreviousSurname": frame["previous"].replace("", None),
            "NHSNumber": frame["nhs"],
            "DateBirth": _days(cal, frame["birth"], TPP_DATE),
            "DateDeath": _days(cal, frame["died"], TPP_DATE),
            "Gender": frame["sex"],
            "SpeaksEnglish": TPP_TRUE,
            "TestPatient": test,
            "SpineMatched": TPP_TRUE,
        }
        if removed_column:
            values["RemovedData"] = removed
        return _table(spec("systmone", "SRPatient", patient_version).columns, n, values)

    real = patients(gp.patients, TPP_FLAG_OFF, TPP_FLAG_OFF)
    junk = [
        ("skipped_test_patient", patients(gp.test_patients, TPP_FLAG_ON, TPP_FLAG_OFF)),
        ("quarantined_nhs_number", patients(gp.bad_patients, TPP_FLAG_OFF, TPP_FLAG_OFF)),
    ]
    if removed_column:
        junk.append(("skipped_deleted", patients(gp.deleted_patients, TPP_FLAG_OFF, TPP_FLAG_ON)))
    frame, fates = _assemble(q, real, junk, rate)
    files = [
        _file(
            f"{folder}/SRPatient_{day_text}.csv",
            _csv(frame, crlf=True),
            real.height,
            fates,
            encoding="cp1252",
        )
    ]

    ctv3 = pl.Series([g.ctv3 for g in GP_CODES])
    ctv3_text = pl.Series([g.term for g in GP_CODES])
    snomed = pl.Series([g.snomed for g in GP_CODES])
    unit = pl.Series([g.unit or None for g in GP_CODES], dtype=pl.String)

    def codes(ev: pl.DataFrame) -> pl.DataFrame:
        n = ev.height
        numeric = ev["value"].is_not_nan()
        below = numeric & (ev["code"] == _CODE["crp"]) & (ev["value"] < 5)
        as_text = below & pl.Series(q.random(n) < (0.3 if rate > 0 else 0.0))  # "<5" as text
        value = pl.select(
            pl.when(as_text)
            .then(pl.lit("<5"))
            .when(below)
            .then(pl.lit("5"))
            .when(numeric)
            .then(ev["value"].round(1).cast(pl.String))
        ).to_series()
        comparator = pl.select(pl.when(below & ~as_text).then(pl.lit("<"))).to_series()
        return _table(
            spec("systmone", "SRCode", "91").columns,
            n,
            {
                "RowIdentifier": _ids("", _serials(ids, n, 500_000_000, 60)),
                "IDOrganisationVisibleTo": org,
                "DateEventRecorded": _days(cal, ev["day"], TPP_DATE),
                "DateEvent": _days(cal, ev["day"], TPP_DATE),
                "IDProfileEnteredBy": staff.gather(ids.integers(0, 5, n)),
                "IDDoneBy": staff.gather(ids.integers(0, 5, n)),
                "IDOrganisationDoneAt": org,
                "CTV3Code": ctv3.gather(ev["code"]),
                "CTV3Text": ctv3_text.gather(ev["code"]),
                "SNOMEDCode": snomed.gather(ev["code"]),
                "SNOMEDText": ctv3_text.gather(ev["code"]),
                "NumericComparator": comparator,
                "IsNumeric": pl.select(
                    pl.when(numeric).then(pl.lit(TPP_TRUE)).otherwise(pl.lit(TPP_FALSE))
                ).to_series(),
                "NumericValue": value,
                "NumericUnit": pl.select(
                    pl.when(numeric).then(unit.gather(ev["code"]))
                ).to_series(),
                "IDEvent": _ids("", _serials(ids, n, 900_000_000, 50)),
                "IDPatient": ev["person"].replace_strict(key, return_dtype=pl.String),
                "IDOrganisation": org,
                "IDOrganisationRegisteredAt": org,
            },
        )

    real = codes(gp.events)
    frame, fates = _assemble(q, real, [("skipped_test_patient", codes(gp.test_events))], rate)
    files.append(
        _file(
            f"{folder}/SRCode_{day_text}.csv",
            _csv(frame, crlf=True),
            real.height,
            fates,
            encoding="cp1252",
        )
    )

    drugs = [*FORMULARY, *ACUTE]
    dmd = pl.Series([str(32_000_000 + 1009 * i) + "1000001" for i in range(len(drugs))])

    def medication(md: pl.DataFrame) -> pl.DataFrame:
        n = md.height
        drug = md["drug"]
        quantity = pl.select(
            pl.concat_str(
                pl.Series([str(d[2]) for d in drugs]).gather(drug),
                pl.lit(" "),
                pl.Series([d[3] for d in drugs]).gather(drug),
            )
        ).to_series()
        repeat = md["repeat"]
        flag = pl.select(pl.when(repeat).then(pl.lit(TPP_TRUE)).otherwise(pl.lit(TPP_FALSE)))
        template = pl.select(
            pl.when(md["template"] >= 0).then((md["template"] + 7_000_000).cast(pl.String))
        ).to_series()
        return _table(
            spec("systmone", "SRPrimaryCareMedication", "91").columns,
            n,
            {
                "RowIdentifier": _ids("", _serials(ids, n, 600_000_000, 60)),
                "IDOrganisationVisibleTo": org,
                "DateEventRecorded": _days(cal, md["day"], TPP_DATE),
                "DateEvent": _days(cal, md["day"], TPP_DATE),
                "IDProfileEnteredBy": staff.gather(ids.integers(0, 5, n)),
                "IDDoneBy": staff.gather(ids.integers(0, 5, n)),
                "IDOrganisationDoneAt": org,
                "IDMultiLexDMD": dmd.gather(drug),
                "NameOfMedication": pl.Series([d[0] for d in drugs]).gather(drug),
                "DateMedicationStart": _days(cal, md["day"], TPP_DATE),
                "DateMedicationEnd": _days(
                    cal,
                    md["day"] + pl.select(pl.when(repeat).then(28).otherwise(7)).to_series(),
                    TPP_DATE,
                ),
                "MedicationDosage": pl.Series([d[1] for d in drugs]).gather(drug),
                "MedicationQuantity": quantity,
                "IsSupervised": TPP_FALSE,
                "IsRepeatMedication": flag.to_series(),
                "IsOtherMedication": TPP_FALSE,
                "IsDentalMedication": TPP_FALSE,
                "IsHospitalMedication": TPP_FALSE,
                "IDRepeatTemplate": template,
                "IDPatient": md["person"].replace_strict(key, return_dtype=pl.String),
                "IDOrganisation": org,
                "IDOrganisationRegisteredAt": org,
            },
        )

    real = medication(gp.medication)
    frame, fates = _assemble(
        q, real, [("skipped_test_patient", medication(gp.test_medication))], rate
    )
    files.append(
        _file(
            f"{folder}/SRPrimaryCareMedication_{day_text}.csv",
            _csv(frame, crlf=True),
            real.height,
            fates,
            encoding="cp1252",
        )
    )
    return files


# --------------------------------------------------------------------------------------
# The public entry points


README = """\
SYNTHETIC DATA - NOT REAL PEOPLE

Every file under this folder was generated by connectors/synth.py (Measure for Change,
`m4c synth`) with sites={sites}, homes={homes}, months={months}, seed={seed},
start={start}, intervention_month={intervention_month}, quirk_rate={quirk_rate}.
No record describes a real person, care home, practice or hospital. NHS numbers come
only from the range reserved for test data (999 000 0000 to 999 999 9999); names come
from short lists; CQC location ids, drug codes, CTV3 codes, EMIS CodeIds and HRGs are
made up or illustrative. The same arguments give byte-identical files.

Layout: one folder per site (docs/extracts.md): emis/ or systmone/ (GP bulk extract;
one EMIS site also has weights_report.csv, a Search and Reports export), carehome/<CQC
location id>/ (residents, absences, incidents, observations), hospital/ (inpatient
spells, A&E attendances) and qi_log/ (the QI activity log).

Quirks, at quirk_rate: real rows carry format quirks that must still load (UTF-8 BOM,
Windows-1252 names, several day-first date layouts, "72.5 kg", "<5", NHS numbers
written "999 123 4567", "999-123-4567" or with a leading apostrophe). Junk rows are
added, each with one known fate: exact duplicates, rows deleted at source, test or
dummy patients (skipped); invalid or Excel-damaged NHS numbers and impossible dates
or Excel serial numbers (quarantined); report preamble and total lines (skipped).

truth/expected_files.csv gives the fate of every data row of every file (rows_in
counts the non-blank lines other than the header). truth/expected_counts.csv gives
every measure per site, home and month, computed from the simulation (real rows only);
each event is counted in the home the resident lived in on that day (admission date <=
day < discharge date). Occupied bed days are nights in the home, less nights away on a
hospital_admission absence; residents on roll are counted on the last night of each
month; deaths are stays ending "died", in the month of the discharge date. The full
definitions are in the docstring of connectors.synth.write_extracts.
"""


def write_extracts(
    out: Path,
    *,
    sites: int = 4,
    homes: int = 29,
    months: int = DEFAULT_MONTHS,
    seed: int = 7,
    start: date = DEFAULT_START,
    intervention_month: int = 9,
    quirk_rate: float = 0.02,
) -> SynthSummary:
    """Simulate care-home residents and write the extracts their sites would hand over.

    Parameters
    ----------
    out : Path
        Folder to write (created; must be empty or absent). It becomes an inbox: one
        folder per site (``site_a``...), plus ``truth/`` and ``README.txt``.
    sites : int
        Number of sites (1-26). Sites 1, 3, ... use EMIS; sites 2, 4, ... SystmOne.
    homes : int
        Care homes, spread evenly over the sites (20-50 beds each).
    months : int
        Length of the period, in calendar months from ``start``.
    seed : int
        Random seed: the same arguments give byte-identical files.
    start : date
        First day of the period (the first of a month).
    intervention_month : int
        Months of baseline: rates change from this month (0-based) onwards; at or
        beyond ``months``, never.
    quirk_rate : float
        Share of rows given a format quirk, and rate of junk rows of each kind
        (0 writes clean files).

    Returns
    -------
    SynthSummary
        The files written, the number of residents and the rows of each extract.

    Raises
    ------
    ValueError
        If an argument is out of range.
    FileExistsError
        If ``out`` exists and is not empty.

    Notes
    -----
    ``truth/expected_counts.csv`` has one row per measure, site, home and month (zeros
    included). Each event counts in the home whose stay covered its day (admission
    date <= day < discharge date), so a resident who moved counts in each home in turn:

    * falls, falls_with_harm (harm moderate or worse, or a hospital transfer),
      pressure_ulcers: incidents.csv; dscr_weights, must_screens: observations.csv.
    * gp_weights: GP-coded body weight (SNOMED 27113001) in CareRecord_Observation or
      SRCode, once each (weights_report.csv shows site_a's again).
    * medication_reviews: GP codes 1239511000000100 or 182836005 (one a day at most);
      structured_medication_reviews: 1239511000000100 only. GP-coded falls and pressure
      ulcers are written too but not counted: incidents.csv is the designated source.
    * emergency_admissions: spells with an emergency admission method, by admit date;
      ae_attendances: every attendance, by arrival (admitted or not).
    * deaths: stays ending ``died`` (in the home or while away in hospital), by the
      discharge date; admissions: stays starting in the period (moves included).
    * occupied_bed_days: nights from admission to the night before discharge, less
      nights away on a ``hospital_admission`` absence (to the night before return, or
      to discharge if the resident never came back); residents_on_roll: stays open on
      the last night of the month, away or not.
    * qi_<activity_type>: rows of the QI log, by home and activity date.

    Examples
    --------
    >>> import tempfile
    >>> s = write_extracts(Path(tempfile.mkdtemp()) / "x", sites=2, homes=2, months=2)
    >>> sorted({p.relative_to(s.out).parts[0] for p in s.paths})
    ['README.txt', 'site_a', 'site_b', 'truth']
    """
    _check(sites, homes, months, start, intervention_month, quirk_rate)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(
            f"{out} is not an empty folder; synthetic extracts are written into a new or "
            "empty folder. Remove it or choose another."
        )
    rngs = _streams(seed)
    cal = _calendar(start, months, intervention_month)
    home_table = _homes(rngs["homes"], sites, homes, quirk_rate)
    world = _simulate(rngs, cal, home_table, _site_effects(rngs["homes"], sites))

    files: list[_File] = []
    for s in range(sites):
        ctx = _SiteCtx(s, _site_id(s), world, rngs["ids"], rngs["quirks"], quirk_rate)
        if s % 2 == 0:
            files += _emis_files(ctx, report=s == 0)
        else:
            files += _sre_files(ctx, patient_version="90" if s % 4 == 1 else "91")
        files += _carehome_files(ctx) + _hospital_files(ctx) + _qi_file(ctx)

    paths = []
    for f in files:
        path = out / f.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.data)
        paths.append(path)
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    counts = _expected_counts(world)
    counts.write_csv(truth / "expected_counts.csv")
    _expected_files(files).write_csv(truth / "expected_files.csv")
    (out / "README.txt").write_text(
        README.format(
            sites=sites,
            homes=homes,
            months=months,
            seed=seed,
            start=start.isoformat(),
            intervention_month=intervention_month,
            quirk_rate=quirk_rate,
        ),
        encoding="utf-8",
    )
    paths += [truth / "expected_counts.csv", truth / "expected_files.csv", out / "README.txt"]
    on_roll = counts.filter(pl.col("measure") == "residents_on_roll")
    return SynthSummary(
        out=out,
        paths=tuple(paths),
        residents=world.people.height,
        mean_on_roll=float(on_roll["value"].sum()) / months,
        sites=sites,
        homes=homes,
        months=months,
        rows=MappingProxyType({f.rel: f.rows_in for f in files}),
    )


def _check(
    sites: int,
    homes: int,
    months: int,
    start: date,
    intervention_month: int,
    quirk_rate: float,
) -> None:
    if not 1 <= sites <= 26:
        raise ValueError(f"sites must be 1 to 26 (site_a to site_z), not {sites}")
    if homes < sites:
        raise ValueError(f"homes ({homes}) must be at least sites ({sites}): every site has one")
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    if start.day != 1:
        raise ValueError(f"start must be the first day of a month, not {start.isoformat()}")
    if intervention_month < 0:
        raise ValueError(f"intervention_month must be 0 or more, not {intervention_month}")
    if not 0 <= quirk_rate <= 0.5:
        raise ValueError(f"quirk_rate must be between 0 and 0.5, not {quirk_rate}")


def _expected_files(files: Sequence[_File]) -> pl.DataFrame:
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


def write_templates(folder: Path, *, excel: bool = True) -> tuple[Path, ...]:
    """Write the QI activity log templates: a CSV and an Excel workbook.

    Both hold the header and two example rows; the workbook has a second sheet listing
    the allowed activity types and outcomes (``QI_ACTIVITIES``). The workbook needs the
    ``xlsxwriter`` package (polars ``write_excel``).

    Parameters
    ----------
    folder : Path
        Where to write ``qi_activity_log.csv`` and ``qi_activity_log.xlsx``.
    excel : bool
        Also write the workbook.

    Returns
    -------
    tuple of Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_templates(Path(tempfile.mkdtemp()), excel=False)]
    ['qi_activity_log.csv']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    example = pl.DataFrame(
        [
            ("1-100000001", "R0001", "05/03/2024", "triage_tool", "at_risk"),
            ("1-100000001", None, "12/03/2024", "pdsa_cycle", "adapt"),
        ],
        schema=list(QI_LOG),
        orient="row",
    )
    csv_path = folder / "qi_activity_log.csv"
    csv_path.write_text(example.write_csv(None), encoding="utf-8")
    if not excel:
        return (csv_path,)
    try:
        import xlsxwriter  # noqa: PLC0415  (optional: only the workbook needs it)
    except ImportError as exc:
        raise ImportError(
            "writing qi_activity_log.xlsx needs the xlsxwriter package (polars "
            "write_excel); install it, or pass excel=False for the CSV alone"
        ) from exc
    allowed = pl.DataFrame(
        [(kind, outcome) for kind, outcomes in QI_ACTIVITIES.items() for outcome in outcomes],
        schema=["activity_type", "outcome"],
        orient="row",
    )
    xlsx_path = folder / "qi_activity_log.xlsx"
    with xlsxwriter.Workbook(xlsx_path) as book:
        book.set_properties({"title": "QI activity log", "created": TEMPLATE_DATE})
        example.write_excel(book, worksheet="qi_activity_log", autofit=True)
        allowed.write_excel(book, worksheet="allowed_values", autofit=True)
    return csv_path, xlsx_path
