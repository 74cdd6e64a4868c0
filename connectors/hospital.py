"""Hospital activity from the local trust: inpatient spells and A&E attendances.

Examples
--------
>>> LAYOUTS["hospital", "ae_attendances"].reads["nhs_number"]
('pseudo_id',)
"""

from __future__ import annotations

import polars as pl

from connectors.base import Layout, date
from connectors.values import nhs_number, text

# NHS Data Dictionary admission methods meaning an emergency admission
# (docs/domain.md §1.5, unverified).
EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")

# inpatient_spells.csv: one row per hospital spell.
SPELLS = Layout(
    table="raw_hospital_spell",
    parse={
        "nhs_number": ("nhs_number", nhs_number("nhs_number")),
        "admit_date": date("admit_date"),
        "discharge_date": date("discharge_date"),
    },
    required=("spell_id", "nhs_number", "admit_date", "admission_method"),
    select={
        "source_record_id": pl.col("spell_id").str.strip_chars(),
        "nhs": pl.col("nhs_number"),
        "admit_date": pl.col("admit_date").dt.date(),
        "discharge_date": pl.col("discharge_date").dt.date(),
        "admission_method": text("admission_method").str.to_uppercase(),
        "emergency": text("admission_method").str.to_uppercase().is_in(EMERGENCY_METHODS),
        "admission_source": text("admission_source"),
        "discharge_destination": text("discharge_destination"),
        "primary_diag_icd10": text("primary_diagnosis_icd10"),
        "hrg": text("hrg"),
    },
    pseudonymise=True,
)

# ae_attendances.csv: one row per A&E attendance.
AE = Layout(
    table="raw_hospital_ae",
    parse={
        "nhs_number": ("nhs_number", nhs_number("nhs_number")),
        "arrival_datetime": date("arrival_datetime"),
    },
    required=("attendance_id", "nhs_number", "arrival_datetime"),
    select={
        "source_record_id": pl.col("attendance_id").str.strip_chars(),
        "nhs": pl.col("nhs_number"),
        "arrival_dt": pl.col("arrival_datetime"),
        "dept_type": text("department_type").str.zfill(2),
        "disposal": text("disposal"),
    },
    pseudonymise=True,
)

LAYOUTS = {("hospital", "inpatient_spells"): SPELLS, ("hospital", "ae_attendances"): AE}
