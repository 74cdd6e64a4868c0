"""EMIS Web: the bulk extract and "Search and Reports" CSV exports.

Bulk tables: Admin_Patient, CareRecord_Observation, Coding_ClinicalCode and
Prescribing_IssueRecord.
Events refer to patients by ``PatientGuid``; the loader links them to the pseudonym
of the Admin_Patient row. Codes are EMIS ``CodeId``s, mapped to SNOMED CT through
Coding_ClinicalCode and ``data/reference/emis_codeid_snomed.csv``.

Examples
--------
>>> LAYOUTS["emis", "CareRecord_Observation"].reads["Value"]
('value_num', 'comparator', 'unit')
"""

from __future__ import annotations

import polars as pl

from connectors.base import DELETED, SUMMARY_ROW, Layout, date, is_set, month
from connectors.values import flag, nhs_number, numbers, text


def _true(column: str) -> pl.Expr:
    return flag(column).fill_null(False)


# Admin_Patient: one row per patient; test, dummy, deleted and confidential rows skip.
PATIENTS = Layout(
    table="raw_emis_patient",
    parse={
        "NhsNumber": ("nhs_number", nhs_number("NhsNumber")),
        "DateOfBirth": date("DateOfBirth"),
        "DateOfDeath": date("DateOfDeath"),
        "DateOfRegistration": date("DateOfRegistration"),
    },
    required=("NhsNumber", "DateOfBirth", "PatientGuid"),
    skip={
        DELETED: _true("Deleted"),
        "test patient": is_set("DummyType"),
        "confidential": _true("IsConfidential") | _true("SpineSensitive"),
    },
    select={
        "person_key": pl.col("PatientGuid").str.strip_chars(),
        "nhs": pl.col("NhsNumber"),
        "birth_month": month("DateOfBirth"),
        "sex": text("Sex").str.to_uppercase().str.slice(0, 1),
        "death_date": pl.col("DateOfDeath").dt.date(),
        "registered_date": pl.col("DateOfRegistration").dt.date(),
    },
    pseudonymise=True,
    test_key="PatientGuid",
)

# CareRecord_Observation: coded events with values (weights, MUST, reviews, falls).
OBSERVATIONS = Layout(
    table="raw_emis_observation",
    parse={
        "EffectiveDate": date("EffectiveDate"),
        "Value": ("number", numbers("Value")),
    },
    required=("ObservationGuid", "PatientGuid", "EffectiveDate", "CodeId"),
    skip={DELETED: _true("Deleted"), "confidential": _true("IsConfidential")},
    select={
        "person_key": pl.col("PatientGuid").str.strip_chars(),
        "source_record_id": pl.col("ObservationGuid").str.strip_chars(),
        "event_date": pl.col("EffectiveDate").dt.date(),
        "date_precision": text("EffectiveDatePrecision"),
        "code_id": pl.col("CodeId").str.strip_chars(),
        "value_num": pl.col("Value"),
        "comparator": pl.col("Value__comparator"),
        "unit": pl.coalesce(text("NumericUnit"), pl.col("Value__unit")),
    },
)

# Coding_ClinicalCode: EMIS CodeId to SNOMED CT concept.
CLINICAL_CODES = Layout(
    table="raw_emis_clinical_code",
    parse={},
    required=("CodeId", "SnomedCTConceptId"),
    select={
        "code_id": pl.col("CodeId").str.strip_chars(),
        "concept_id": pl.col("SnomedCTConceptId").str.strip_chars(),
        "term": text("Term"),
    },
)

# Prescribing_IssueRecord: medication issues, with EMIS's estimated NHS cost.
ISSUES = Layout(
    table="raw_emis_issue",
    parse={
        "EffectiveDate": date("EffectiveDate"),
        "EstimatedNhsCost": ("number", numbers("EstimatedNhsCost")),
    },
    required=("IssueRecordGuid", "PatientGuid", "EffectiveDate", "CodeId"),
    skip={DELETED: _true("Deleted"), "confidential": _true("IsConfidential")},
    select={
        "person_key": pl.col("PatientGuid").str.strip_chars(),
        "source_record_id": pl.col("IssueRecordGuid").str.strip_chars(),
        "issue_date": pl.col("EffectiveDate").dt.date(),
        "drug_record_id": text("DrugRecordGuid"),
        "code_id": pl.col("CodeId").str.strip_chars(),
        "estimated_cost": pl.col("EstimatedNhsCost"),
    },
)

# A Search and Reports export: NHS number, date, SNOMED code, value; totals skip.
REPORT = Layout(
    table="raw_emis_report",
    parse={
        "NHS Number": ("nhs_number", nhs_number("NHS Number")),
        "Date": date("Date"),
        "Value": ("number", numbers("Value")),
    },
    required=("NHS Number", "Date", "Code"),
    skip={"total line": pl.col("NHS Number").str.contains(SUMMARY_ROW)},
    select={
        "nhs": pl.col("NHS Number"),
        "event_date": pl.col("Date").dt.date(),
        "concept_id": pl.col("Code").str.strip_chars(),
        "term": text("Term"),
        "value_num": pl.col("Value"),
        "comparator": pl.col("Value__comparator"),
        "unit": pl.coalesce(text("Units"), pl.col("Value__unit")),
    },
    pseudonymise=True,
)

LAYOUTS = {
    ("emis", "Admin_Patient"): PATIENTS,
    ("emis", "CareRecord_Observation"): OBSERVATIONS,
    ("emis", "Coding_ClinicalCode"): CLINICAL_CODES,
    ("emis", "Prescribing_IssueRecord"): ISSUES,
    ("emis_report", "report"): REPORT,
}
