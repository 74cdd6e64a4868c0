"""The truth: what a perfect pipeline should find in the synthetic extracts.

``expected_counts.csv`` holds every measure per site, home and month, counted from the
simulated world (real rows only); ``expected_files.csv`` the fate of every row of every
file; ``homes.csv`` the names, types and beds of the homes; ``sites.csv`` each site's
role (intervention or comparison), start month and the secular trend;
``planted_effects.csv`` the effects the change ideas planted (:mod:`synth.plan`);
``intervention_costs.csv`` what each site's costs file costs, per category, at the unit
costs' price year (:func:`synth.qi_log.expected_intervention_costs`); ``README.txt``
says what all this is. They are written beside the extracts, never
inside: an inbox holds sites.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl

from connectors.schemas import QI_ACTIVITIES
from synth.codes import CODE, EMERGENCY_METHODS
from synth.expected import expected_measures
from synth.files import ExtractFile
from synth.plan import Plan
from synth.qi_log import expected_intervention_costs
from synth.quirks import FATES
from synth.simulate import World
from synth.world import Calendar, site_id_of
from warehouse.roi.unit_costs import load_unit_costs
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
start={start}, intervention_month={intervention_month}, quirk_rate={quirk_rate},
comparison_sites={comparison_sites}.
No record describes a real person, care home, practice or hospital. NHS numbers come
only from the range reserved for test data (999 000 0000 to 999 999 9999); the names
of people, homes and areas come from short lists; CQC location ids, drug codes, CTV3
codes, EMIS CodeIds and HRGs are made up or illustrative. The same arguments give
byte-identical files.

The extracts: one folder per site (docs/extracts.md): emis/ or systmone/ (GP bulk
extract; one EMIS site also has weights_report.csv, a Search and Reports export),
carehome/<CQC location id>/ (residents, absences, incidents, observations), hospital/
(inpatient spells, A&E attendances) and qi_log/ (the QI activity log, the change log:
change_log.csv, one row per change idea, with no rows at a comparison site, and at each
site that runs change ideas intervention_costs.csv, what the work cost).

The improvement work: the comparison sites (the last comparison_sites of the sites;
none if there is only one site) make no change. Every other site is an intervention
site and runs one to three change ideas of the PEACH projects, all from its start
month: intervention_month for the first site, a month later for the next, and so on,
within the period. From the first day of that month a change idea changes its site's
rates, and so the measures it touches, by a planted rate ratio; every other measure of
the site keeps its rate. Every site's rates of falls, pressure ulcers, emergency
admissions and A&E attendances (S1-S4, O2.4) drift by the secular trend, multiplied by
{trend} each month from the first month, intervention site or not, so rates move even
where nothing is done. The QI activities of a project (triage and MDT reviews,
pharmacist reviews, dietetic reviews, admission MDT reviews) rise at the sites running
it from the start month; PDSA cycles at every intervention site. Fewer emergency
admissions also mean fewer deaths in hospital and fewer nights away.

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
stays ending "died", in the month of the discharge date. The GP extracts also hold,
as a GP record would, the medication reviews of the 365 days before the period and the
acute issues of the 84 days before it of the residents already in the homes at its
start (so the 12-month and 84-day look-backs are whole from the first month);
expected_counts.csv counts the period's months only. homes.csv names each site
and home (home_id is the CQC location id, the home's folder under carehome/) with its
type (nursing or residential) and beds. The full definitions are in the docstring of
synth.write_extracts.

sites.csv gives each site's role (intervention or comparison), the first day of its
start month (empty if no change idea starts in the period) and secular_trend, the
monthly multiplier of every site's event rates. planted_effects.csv has one row per
intervention site and measure a change idea touches (measure_id is the catalogue's, as
in the change log): change_id (as in the site's change log), start_month (the first day
of the month the effect starts, the change log's start_date), rate_ratio (the planted
rate from the start month over the rate before it, the secular trend aside), and before
and after, the planted share where it is the measure's own unit (P2.1, P2.4). The
planted rate is the rate of events per resident-day for S1-S4 and O2.4; the monthly
chance of any coded medication review for P1.1, of an SMR for P1.2 and P1.3 (so the
12-month coverage of P1.1 and P1.2 rises over the year after the start); the chance of
a MUST score a resident-month for P2.1, of a triage for P3.1 (the share found at risk
stays), of a dietetic review after a MUST score of 2 or more for P2.3 and of an MDT
review after an admission for P4.1 (both within 10 days, with the same delays before
and after).

intervention_costs.csv gives, per site that runs change ideas and per cost category
(staff, backfill, coaching, training, materials, travel, data), the hours its
qi_log/intervention_costs.csv gives and what they cost in pounds at the price year of
warehouse/roi/unit_costs.toml ({price_year}): each line's hours at the unit cost of its
role and band (GP time at gp_minute x 60, care-home staff at care_worker_hour), or the
pounds the line gives. The lines run from the site's start month to the end of the
period, a row per quarter (one-off costs once): the costs of each change idea it runs
(pharmacist sessions, dietitian hours, GP, nurse and pharmacist time at MDTs, care-home
staff released to take part, training and materials) and of its programme (QI coaching,
data, travel). The comparison sites have no costs file.
"""


def sites_frame(plan: Plan, cal: Calendar) -> pl.DataFrame:
    """Each site's role, the first day of its start month (None if never) and the trend.

    Examples
    --------
    >>> from datetime import date
    >>> import numpy as np
    >>> from synth.plan import make_plan
    >>> from synth.world import draw_site_effects, make_calendar
    >>> cal = make_calendar(date(2023, 1, 1), months=6, intervention_month=3)
    >>> base = draw_site_effects(np.random.default_rng(0), sites=2)
    >>> sites_frame(make_plan(cal, base, 1, np.array([0, 1])), cal).rows()
    [('site_a', 'intervention', '2023-04-01', 1.005), ('site_b', 'comparison', None, 1.005)]
    """
    return pl.DataFrame(
        {
            "site_id": [site_id_of(s) for s in range(len(plan.roles))],
            "role": list(plan.roles),
            "start_month": [
                None if m is None else cal.month_dates[m].isoformat() for m in plan.start_month
            ],
            "secular_trend": [plan.trend] * len(plan.roles),
        },
        schema={
            "site_id": pl.String,
            "role": pl.String,
            "start_month": pl.String,
            "secular_trend": pl.Float64,
        },
    )


def planted_frame(plan: Plan, cal: Calendar) -> pl.DataFrame:
    """One row per intervention site and planted measure: change, start, ratio, shares.

    Examples
    --------
    >>> from datetime import date
    >>> import numpy as np
    >>> from synth.plan import make_plan
    >>> from synth.world import draw_site_effects, make_calendar
    >>> cal = make_calendar(date(2023, 1, 1), months=6, intervention_month=3)
    >>> base = draw_site_effects(np.random.default_rng(0), sites=2)
    >>> planted_frame(make_plan(cal, base, 1, np.array([0, 1])), cal).row(0)
    ('site_a', 'S1', 'CI-01', '2023-04-01', 0.65, None, None)
    """
    return pl.DataFrame(
        [
            (
                site_id_of(e.site),
                e.measure_id,
                e.change_id,
                cal.month_dates[e.start_month].isoformat(),
                e.rate_ratio,
                e.before,
                e.after,
            )
            for e in plan.planted
        ],
        schema={
            "site_id": pl.String,
            "measure_id": pl.String,
            "change_id": pl.String,
            "start_month": pl.String,
            "rate_ratio": pl.Float64,
            "before": pl.Float64,
            "after": pl.Float64,
        },
        orient="row",
    )


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
    """Write the truth into ``folder``: counts, fates, homes, sites, effects, costs, README.

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
    measures = folder / "expected_measures.csv"
    expected_measures(world).write_csv(measures)
    paths = (*paths, measures)
    planted = (folder / "sites.csv", folder / "planted_effects.csv")
    sites_frame(world.plan, world.cal).write_csv(planted[0])
    planted_frame(world.plan, world.cal).write_csv(planted[1])
    costs = folder / "intervention_costs.csv"
    expected_intervention_costs(world).write_csv(costs)
    paths = (*paths, *planted, costs)
    readme = folder / "README.txt"
    price_year = load_unit_costs().price_year
    text = README.format(**arguments, trend=world.plan.trend, price_year=price_year)
    readme.write_text(text, encoding="utf-8")
    return counts, (*paths, readme)
