"""Write a synthetic extract set: simulate, lay out each site's files, write the truth.

See :func:`write_extracts`; the package docstring (:mod:`synth`) tells the whole story.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType

import polars as pl

from synth.carehome import carehome_files
from synth.emis import emis_files
from synth.files import ExtractFile, SiteCtx
from synth.hospital import hospital_files
from synth.names import draw_register
from synth.plan import make_plan
from synth.qi_log import qi_log_files
from synth.simulate import simulate
from synth.systmone import systmone_files
from synth.truth import write_truth
from synth.world import (
    DEFAULT_MONTHS,
    DEFAULT_START,
    draw_homes,
    draw_site_effects,
    make_calendar,
    site_id_of,
    streams,
)
from warehouse.settings import Site


@dataclass(frozen=True)
class SynthSummary:
    """What :func:`write_extracts` wrote.

    Attributes
    ----------
    out : Path
        The extracts' folder: an inbox, with one folder per site and nothing else.
    truth : Path
        The truth's folder, beside ``out``: expected_counts.csv, expected_files.csv,
        homes.csv, sites.csv, planted_effects.csv and README.txt (among others).
    paths : tuple of Path
        Every file written, extracts first, then the truth's files (README.txt last).
    residents : int
        Distinct real residents (people) over the period.
    mean_on_roll : float
        Residents on roll at the end of a month, averaged over the months.
    sites, homes, months : int
        Size of the simulation.
    rows : Mapping
        Data rows of each extract (path relative to ``out``, as in expected_files.csv).
    register : tuple of warehouse.settings.Site
        The sites and their homes, named, each with its type and beds (as homes.csv).
    """

    out: Path
    truth: Path
    paths: tuple[Path, ...]
    residents: int
    mean_on_roll: float
    sites: int
    homes: int
    months: int
    rows: Mapping[str, int]
    register: tuple[Site, ...]


class FolderNotEmptyError(FileExistsError, ValueError):
    """A folder :func:`write_extracts` was to write exists and is not an empty folder."""


def write_extracts(
    out: Path,
    *,
    truth: Path | None = None,
    sites: int = 4,
    homes: int = 29,
    months: int = DEFAULT_MONTHS,
    seed: int = 7,
    start: date = DEFAULT_START,
    intervention_month: int = 7,
    quirk_rate: float = 0.02,
    comparison_sites: int = 1,
) -> SynthSummary:
    """Simulate care-home residents and write the extracts their sites would hand over.

    Parameters
    ----------
    out : Path
        Folder for the extracts (created; must be empty or absent). It becomes an
        inbox: one folder per site (``site_a``...) and nothing else.
    truth : Path, optional
        Folder for the truth (created; must be empty or absent, and not inside
        ``out``): expected_counts.csv, expected_files.csv, expected_measures.csv,
        homes.csv, sites.csv, planted_effects.csv, intervention_costs.csv and README.txt.
        By default beside ``out``, named after it: ``inbox`` gives ``inbox-truth``.
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
        Months of baseline: the first intervention site starts its change ideas in this
        month (0-based), the next one a month later, and so on, up to the last month of
        the period; at or beyond ``months``, no site changes anything.
    quirk_rate : float
        Share of rows given a format quirk, and rate of junk rows of each kind
        (0 writes clean files).
    comparison_sites : int
        How many sites, the last ones, make no change (their rates move only with the
        secular trend). With one site there is none: the site is an intervention site.

    Returns
    -------
    SynthSummary
        The folders and files written, the number of residents, the rows of each
        extract, and the names, types and beds of the sites' homes.

    Raises
    ------
    ValueError
        If an argument is out of range, or if ``truth`` is ``out`` or inside it (or
        the other way round).
    FolderNotEmptyError
        If ``out`` or ``truth`` exists and is not an empty folder; it is a ValueError
        and a FileExistsError.

    Notes
    -----
    Each intervention site runs one to three change ideas (:data:`synth.plan.PACKAGES`,
    in turn), each listed in its ``qi_log/change_log.csv`` and planting an effect on
    the measures it touches from the first day of its start month: a rate ratio, in
    ``planted_effects.csv``. The comparison sites' change logs have no rows. Each site
    that runs change ideas also writes what they cost (``qi_log/intervention_costs.csv``:
    staff, backfill and coaching hours, training, materials, travel and data, from its
    start month), priced in the truth's ``intervention_costs.csv``. Every
    site's rates of falls, pressure ulcers, emergency admissions and A&E attendances
    drift by the secular trend, :data:`synth.plan.SECULAR_TREND` a month.

    ``expected_counts.csv`` (in ``truth``) has one row per measure, site, home and month (zeros
    included). Each event counts in the home whose stay covered its day (admission
    date <= day < discharge date), so a resident who moved counts in each home in turn:

    * falls, falls_with_harm (harm moderate or worse, or a hospital transfer),
      pressure_ulcers: incidents.csv; dscr_weights, must_screens: observations.csv.
    * gp_weights: GP-coded body weight (SNOMED 27113001) in CareRecord_Observation or
      SRCode, once each (weights_report.csv shows site_a's again).
    * medication_reviews: GP codes 1239511000000100 or 182836005 (one a day at most);
      structured_medication_reviews: 1239511000000100 only. GP-coded falls and pressure
      ulcers are written too but not counted: incidents.csv is the designated source.
      The GP extracts also hold the record before the period of the residents already
      in the homes at its start (their reviews of the 365 days before, their acute
      issues of the 84 days before), as a bulk extract would; only the period's months
      are counted here.
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
    >>> sorted(p.name for p in s.out.iterdir()), s.truth.name
    (['site_a', 'site_b'], 'x-truth')
    >>> sorted(p.name for p in s.truth.iterdir())  # doctest: +NORMALIZE_WHITESPACE
    ['README.txt', 'expected_counts.csv', 'expected_files.csv', 'expected_measures.csv',
     'homes.csv', 'intervention_costs.csv', 'planted_effects.csv', 'sites.csv']
    >>> pl.read_csv(s.truth / "sites.csv")["role"].to_list()
    ['intervention', 'comparison']
    >>> sorted(p.name for p in (s.out / "site_b" / "qi_log").iterdir())  # the comparison site
    ['baselines.csv', 'change_log.csv', 'qi_activity_log.csv']
    >>> pl.read_csv(s.truth / "intervention_costs.csv").columns  # no idea starts in 2 months
    ['site_id', 'category', 'hours', 'cost']
    >>> [(site.site_id, len(site.homes)) for site in s.register]
    [('site_a', 1), ('site_b', 1)]
    """
    _check(sites, homes, months, start, intervention_month, quirk_rate, comparison_sites)
    out = Path(out)
    truth = out.with_name(out.name + "-truth") if truth is None else Path(truth)
    _check_folders(out, truth)
    rngs = streams(seed)
    cal = make_calendar(start, months, intervention_month)
    home_table = draw_homes(rngs["homes"], sites, homes, quirk_rate)
    base = draw_site_effects(rngs["homes"], sites)
    plan = make_plan(cal, base, min(comparison_sites, sites - 1), home_table.site)
    world = simulate(rngs, cal, home_table, plan)
    register = draw_register(rngs["names"], home_table)

    files: list[ExtractFile] = []
    for s in range(sites):
        ctx = SiteCtx(s, site_id_of(s), world, rngs["ids"], rngs["quirks"], quirk_rate)
        if s % 2 == 0:
            files += emis_files(ctx, report=s == 0)
        else:
            files += systmone_files(ctx, patient_version="90" if s % 4 == 1 else "91")
        files += carehome_files(ctx) + hospital_files(ctx) + qi_log_files(ctx)

    paths = []
    for f in files:
        path = out / f.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.data)
        paths.append(path)
    arguments = {
        "sites": sites,
        "homes": homes,
        "months": months,
        "seed": seed,
        "start": start.isoformat(),
        "intervention_month": intervention_month,
        "quirk_rate": quirk_rate,
        "comparison_sites": comparison_sites,
    }
    counts, truth_paths = write_truth(truth, world, files, register, arguments)
    on_roll = counts.filter(pl.col("measure") == "residents_on_roll")
    return SynthSummary(
        out=out,
        truth=truth,
        paths=(*paths, *truth_paths),
        residents=world.people.height,
        mean_on_roll=float(on_roll["value"].sum()) / months,
        sites=sites,
        homes=homes,
        months=months,
        rows=MappingProxyType({f.rel: f.rows_in for f in files}),
        register=register,
    )


def _check_folders(out: Path, truth: Path) -> None:
    inbox, answers = out.resolve(), truth.resolve()
    if inbox == answers or inbox in answers.parents or answers in inbox.parents:
        raise ValueError(
            f"the truth ({truth}) must be written beside the extracts ({out}), not in them "
            "nor around them: an inbox holds site folders only. Choose another folder for "
            "the truth, or leave truth unset for the default, "
            f"{out.with_name(out.name + '-truth')}."
        )
    for folder, what in ((out, "synthetic extracts are"), (truth, "their truth is")):
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise FolderNotEmptyError(
                f"{folder} is not an empty folder; {what} written into a new or empty "
                "folder. Remove it or choose another."
            )


def _check(
    sites: int,
    homes: int,
    months: int,
    start: date,
    intervention_month: int,
    quirk_rate: float,
    comparison_sites: int,
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
    if comparison_sites < 0 or (sites > 1 and comparison_sites >= sites):
        raise ValueError(
            f"comparison_sites must be 0 to {max(sites - 1, 0)} (at least one site makes a "
            f"change), not {comparison_sites}"
        )
