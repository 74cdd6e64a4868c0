"""SystmOne (TPP) Strategic Reporting Extract: SRPatient, SRCode, SRPrimaryCareMedication.

Files are Windows-1252 with ``dd MMM yyyy`` dates. Events refer to patients by
``IDPatient`` (SRPatient's ``RowIdentifier``); codes are CTV3 with SNOMED CT alongside
from version 91. Rows flagged ``RemovedData`` were deleted at source.

Examples
--------
>>> LAYOUTS["systmone", "SRCode"].reads["RemovedData"]
("skip rule 'deleted at source'",)
"""

from __future__ import annotations

import polars as pl

from connectors.base import DELETED, Layout, date, is_set, month
from connectors.values import flag, nhs_number, numbers, text


def _removed() -> pl.Expr:
    return is_set("RemovedData")


# SRPatient: one row per patient; ``TestPatient`` rows skip.
PATIENTS = Layout(
    table="raw_sr_patient",
    parse={
        "NHSNumber": ("nhs_number", nhs_number("NHSNumber")),
        "DateBirth": date("DateBirth"),
        "DateDeath": date("DateDeath"),
    },
    required=("RowIdentifier", "NHSNumber", "DateBirth"),
    skip={DELETED: _removed(), "test patient": is_set("TestPatient")},
    select={
        "person_key": pl.col("RowIdentifier").str.strip_chars(),
        "nhs": pl.col("NHSNumber"),
        "birth_month": month("DateBirth"),
        "sex": text("Gender").str.to_uppercase().str.slice(0, 1),
        "death_date": pl.col("DateDeath").dt.date(),
    },
    pseudonymise=True,
    test_key="RowIdentifier",
)

# SRCode: coded events, with a separate ``NumericComparator``.
CODES = Layout(
    table="raw_sr_code",
    parse={
        "DateEvent": date("DateEvent"),
        "NumericValue": ("number", numbers("NumericValue")),
    },
    required=("RowIdentifier", "IDPatient", "DateEvent", "CTV3Code"),
    skip={DELETED: _removed()},
    select={
        "person_key": pl.col("IDPatient").str.strip_chars(),
        "source_record_id": pl.col("RowIdentifier").str.strip_chars(),
        "event_date": pl.col("DateEvent").dt.date(),
        "ctv3_code": pl.col("CTV3Code").str.strip_chars(),
        "concept_id": text("SNOMEDCode"),
        "value_num": pl.col("NumericValue"),
        "comparator": pl.coalesce(text("NumericComparator"), pl.col("NumericValue__comparator")),
        "unit": pl.coalesce(text("NumericUnit"), pl.col("NumericValue__unit")),
    },
)

# SRPrimaryCareMedication: issues; hospital and "other" medication are flagged.
MEDICATION = Layout(
    table="raw_sr_medication",
    parse={"DateEvent": date("DateEvent")},
    required=("RowIdentifier", "IDPatient", "DateEvent"),
    skip={DELETED: _removed()},
    select={
        "person_key": pl.col("IDPatient").str.strip_chars(),
        "source_record_id": pl.col("RowIdentifier").str.strip_chars(),
        "issue_date": pl.col("DateEvent").dt.date(),
        "dmd_code": text("IDMultiLexDMD"),
        "product_name": text("NameOfMedication"),
        "is_repeat": flag("IsRepeatMedication"),
        "is_hospital": flag("IsHospitalMedication"),
        "is_other": flag("IsOtherMedication"),
    },
)

LAYOUTS = {
    ("systmone", "SRPatient"): PATIENTS,
    ("systmone", "SRCode"): CODES,
    ("systmone", "SRPrimaryCareMedication"): MEDICATION,
}
