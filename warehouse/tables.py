"""The staged canonical model, declared once: each table's facts in one place.

A :class:`StagedTable` says what the table holds, the tables it is built from, the
columns (and types) the measures read, the date that places a row in a month, the
source system whose freshness it shows, and the extract tables that feed it. The build
order, the Dagster assets and their dependencies, the data-quality checks' months, the
freshness check and the column check are all derived from ``STAGED_TABLES``; the SQL
that builds each table is ``warehouse/sql/<name>.sql``.

Examples
--------
>>> [t.name for t in STAGED_TABLES][:2]
['stg_person', 'stg_residence_episode']
>>> table("stg_incident").period, table("stg_incident").source
('incident_date', 'carehome')
>>> feeds()["observations"]
'stg_event'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

RAW = "raw_extracts"  # the landed extracts, upstream of every table built from them only


def _columns(text: str) -> tuple[tuple[str, str], ...]:
    """``"name:TYPE name:TYPE"`` as pairs; a bare name is VARCHAR."""
    return tuple((c.partition(":")[0], c.partition(":")[2] or "VARCHAR") for c in text.split())


_KEYS = _columns("file_id:BIGINT source_row:BIGINT")


@dataclass(frozen=True)
class StagedTable:
    """One table of the staged model.

    Attributes
    ----------
    name : str
        Table name (``stg_*``), also the Dagster asset and its SQL file.
    description : str
        What it holds, in a sentence.
    upstream : tuple of str
        Tables (or ``raw_extracts``) it is built from.
    columns : tuple of (str, str)
        Columns and DuckDB types the measures read (checked by ``staged_columns``).
    period : str or None
        Column whose month a row counts in, for the data-quality checks.
    source : str or None
        Source system whose freshness the table shows (``carehome``, ``hospital``...).
    source_column : str or None
        Column naming each row's source system, where the table mixes several.
    extracts : tuple of str
        Extract tables (``load_log.table_name``) whose rows end up here.
    """

    name: str
    description: str
    upstream: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    period: str | None = None
    source: str | None = None
    source_column: str | None = None
    extracts: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fresh(self) -> bool:
        """Whether the table's newest dated row shows how recent its source's extract is."""
        return self.period is not None and (self.source or self.source_column) is not None


# Build order: later tables attribute events to homes through residence episodes.
STAGED_TABLES: tuple[StagedTable, ...] = (
    StagedTable(
        "stg_person",
        "One row per pseudonymised person and site: birth month, sex, death date.",
        (RAW,),
        _columns("site_id pseudo_id birth_month:DATE sex death_date:DATE source_flags"),
        extracts=("Admin_Patient", "SRPatient"),
    ),
    StagedTable(
        "stg_residence_episode",
        "Who lived in which home, from when to when; ends at death.",
        ("stg_person",),
        _columns(
            "pseudo_id home_id site_id start_date:DATE end_date:DATE end_reason "
            "admission_type preferred_place_of_death"
        )
        + _KEYS,
        period="start_date",
        extracts=("residents",),
    ),
    StagedTable(
        "stg_absence",
        "Nights away from the home, such as hospital stays.",
        (RAW,),
        _columns("pseudo_id site_id home_id start_dt:TIMESTAMP end_dt:TIMESTAMP reason") + _KEYS,
        period="start_dt",
        extracts=("absences",),
    ),
    StagedTable(
        "stg_occupied_bed_days",
        "Occupied bed days per home and month, without hospital nights.",
        ("stg_residence_episode", "stg_absence"),
        _columns("site_id home_id month:DATE occupied_bed_days:BIGINT residents:BIGINT"),
    ),
    StagedTable(
        "stg_event",
        "Coded events of every source, mapped to SNOMED CT and attributed to homes.",
        ("stg_residence_episode",),
        _columns(
            "site_id pseudo_id source_system source_record_id event_date:DATE date_precision "
            "concept_id local_code code_system value_num:DOUBLE comparator unit"
        )
        + _KEYS
        + _columns("home_id"),
        period="event_date",
        source_column="source_system",
        extracts=(
            "CareRecord_Observation",
            "Coding_ClinicalCode",
            "SRCode",
            "observations",
            "report",
        ),
    ),
    StagedTable(
        "stg_incident",
        "Care-home incidents (falls, pressure ulcers) with harm.",
        (RAW,),
        _columns(
            "pseudo_id site_id home_id incident_dt:TIMESTAMP incident_date:DATE incident_type "
            "harm_level with_harm:BOOLEAN hospital_transfer:BOOLEAN ambulance_called:BOOLEAN "
            "gp_called:BOOLEAN out_of_hours:BOOLEAN"
        )
        + _KEYS,
        period="incident_date",
        source="carehome",
        extracts=("incidents",),
    ),
    StagedTable(
        "stg_medication_issue",
        "Medication issues from EMIS and SystmOne, attributed to homes.",
        ("stg_residence_episode",),
        _columns(
            "site_id pseudo_id source_system source_record_id issue_date:DATE product_code "
            "product_name is_repeat:BOOLEAN is_hospital:BOOLEAN estimated_cost:DOUBLE"
        )
        + _KEYS
        + _columns("home_id"),
        period="issue_date",
        source_column="source_system",
        extracts=("Prescribing_IssueRecord", "SRPrimaryCareMedication"),
    ),
    StagedTable(
        "stg_hospital_spell",
        "Hospital spells, attributed to the home lived in when admitted.",
        ("stg_residence_episode",),
        _columns(
            "pseudo_id site_id home_id spell_id admit_date:DATE discharge_date:DATE "
            "admission_method emergency:BOOLEAN admission_source discharge_destination "
            "primary_diag_icd10 hrg"
        )
        + _KEYS,
        period="admit_date",
        source="hospital",
        extracts=("inpatient_spells",),
    ),
    StagedTable(
        "stg_ae_attendance",
        "A&E attendances, attributed to the home lived in on arrival.",
        ("stg_residence_episode",),
        _columns(
            "pseudo_id site_id home_id attendance_id arrival_dt:TIMESTAMP arrival_date:DATE "
            "dept_type disposal"
        )
        + _KEYS,
        period="arrival_date",
        source="hospital",
        extracts=("ae_attendances",),
    ),
    StagedTable(
        "stg_qi_activity",
        "The QI activity log: triage, MDT and medication reviews, PDSA cycles.",
        (RAW,),
        _columns("site_id home_id pseudo_id activity_date:DATE activity_type outcome") + _KEYS,
        period="activity_date",
        source="qi_log",
        extracts=("qi_activity",),
    ),
    # The change log, the baseline decisions and the intervention costs are no monthly
    # counts: no period, so no month of a data-quality check and no freshness (an idea
    # started months ago does not make the QI log late).
    StagedTable(
        "stg_change_idea",
        "The QI change log: each change idea, per measure and home (home_id null: all).",
        (RAW,),
        _columns("site_id change_id title home_id measure_id start_date:DATE cycle owner") + _KEYS,
        source="qi_log",
        extracts=("change_log",),
    ),
    StagedTable(
        "stg_baseline_decision",
        "Decisions on the charts' limits (freeze, rebase), per measure and home.",
        (RAW,),
        _columns(
            "site_id measure_id home_id action effective_date:DATE decided_by "
            "decided_on:DATE reason"
        )
        + _KEYS,
        source="qi_log",
        extracts=("baselines",),
    ),
    StagedTable(
        "stg_intervention_cost",
        "What the improvement work cost: each cost line of the sites' costs templates.",
        (RAW,),
        _columns(
            "site_id item category role band hours:DOUBLE cost_gbp:DOUBLE from_date:DATE "
            "to_date:DATE note"
        )
        + _KEYS,
        source="qi_log",
        extracts=("intervention_costs",),
    ),
)
STAGED: tuple[str, ...] = tuple(t.name for t in STAGED_TABLES)


def table(name: str) -> StagedTable:
    """The declaration of the staged table ``name``."""
    for t in STAGED_TABLES:
        if t.name == name:
            return t
    raise KeyError(f"no staged table {name!r}; the staged tables are {', '.join(STAGED)}")


def feeds() -> dict[str, str]:
    """Extract table (as ``load_log`` names it) -> the staged table its rows end up in."""
    return {extract: t.name for t in STAGED_TABLES for extract in t.extracts}


def periods() -> dict[str, str]:
    """Staged table -> the column whose month a row counts in (tables that have one)."""
    return {t.name: t.period for t in STAGED_TABLES if t.period}


def feeds_frame() -> pl.DataFrame:
    """:func:`feeds` as a frame (``extract_table``, ``table_name``), for SQL to join."""
    f = feeds()
    return pl.DataFrame(
        {"extract_table": list(f), "table_name": list(f.values())},
        schema={"extract_table": pl.String, "table_name": pl.String},
    )


def columns_frame() -> pl.DataFrame:
    """Every declared column (``table_name``, ``column_name``, ``data_type``), for SQL."""
    rows = [(t.name, c, kind) for t in STAGED_TABLES for c, kind in t.columns]
    return pl.DataFrame(rows, schema=["table_name", "column_name", "data_type"], orient="row")
