"""EMIS Web: the bulk extract and "Search and Reports" CSV exports.

Bulk tables: Admin_Patient, CareRecord_Observation, Coding_ClinicalCode and
Prescribing_IssueRecord.
Events refer to patients by ``PatientGuid``; the loader links them to the pseudonym
of the Admin_Patient row. Codes are EMIS ``CodeId``s, mapped to SNOMED CT through
Coding_ClinicalCode and ``data/reference/emis_codeid_snomed.csv``.
"""

from __future__ import annotations

import polars as pl

from connectors.base import (
    DELETED,
    SUMMARY_ROW,
    Context,
    Layout,
    Parsed,
    apply,
    date,
    is_set,
    month,
    with_pseudonyms,
)
from connectors.reading import RawFile
from connectors.values import flag, nhs_number, numbers, text


def _true(column: str) -> pl.Expr:
    return flag(column).fill_null(False)


def patients(raw: RawFile, ctx: Context) -> Parsed:
    """Admin_Patient: one row per patient; test, dummy, deleted and confidential rows skip."""
    layout = Layout(
        table="raw_emis_patient",
        parse={
            "NhsNumber": ("nhs_number", nhs_number("NhsNumber")),
            "DateOfBirth": date(raw, "DateOfBirth"),
            "DateOfDeath": date(raw, "DateOfDeath"),
            "DateOfRegistration": date(raw, "DateOfRegistration"),
        },
        required=("NhsNumber", "DateOfBirth", "PatientGuid"),
        skip={
            DELETED: _true("Deleted"),
            "test patient": is_set("DummyType"),
            "confidential": _true("IsConfidential") | _true("SpineSensitive"),
        },
        select={
            "site_id": pl.lit(ctx.site_id),
            "person_key": pl.col("PatientGuid").str.strip_chars(),
            "nhs": pl.col("NhsNumber"),
            "birth_month": month("DateOfBirth"),
            "sex": text("Sex").str.to_uppercase().str.slice(0, 1),
            "death_date": pl.col("DateOfDeath").dt.date(),
            "registered_date": pl.col("DateOfRegistration").dt.date(),
        },
    )
    return with_pseudonyms(apply(raw, layout), ctx, key_column="PatientGuid")


def observations(raw: RawFile, ctx: Context) -> Parsed:
    """CareRecord_Observation: coded events with values (weights, MUST, reviews, falls)."""
    layout = Layout(
        table="raw_emis_observation",
        parse={
            "EffectiveDate": date(raw, "EffectiveDate"),
            "Value": ("number", numbers("Value")),
        },
        required=("ObservationGuid", "PatientGuid", "EffectiveDate", "CodeId"),
        skip={DELETED: _true("Deleted"), "confidential": _true("IsConfidential")},
        select={
            "site_id": pl.lit(ctx.site_id),
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
    return apply(raw, layout)


def clinical_codes(raw: RawFile, ctx: Context) -> Parsed:
    """Coding_ClinicalCode: EMIS CodeId to SNOMED CT concept."""
    layout = Layout(
        table="raw_emis_clinical_code",
        parse={},
        required=("CodeId", "SnomedCTConceptId"),
        select={
            "site_id": pl.lit(ctx.site_id),
            "code_id": pl.col("CodeId").str.strip_chars(),
            "concept_id": pl.col("SnomedCTConceptId").str.strip_chars(),
            "term": text("Term"),
        },
    )
    return apply(raw, layout)


def issues(raw: RawFile, ctx: Context) -> Parsed:
    """Prescribing_IssueRecord: medication issues, with EMIS's estimated NHS cost."""
    layout = Layout(
        table="raw_emis_issue",
        parse={
            "EffectiveDate": date(raw, "EffectiveDate"),
            "EstimatedNhsCost": ("number", numbers("EstimatedNhsCost")),
        },
        required=("IssueRecordGuid", "PatientGuid", "EffectiveDate", "CodeId"),
        skip={DELETED: _true("Deleted"), "confidential": _true("IsConfidential")},
        select={
            "site_id": pl.lit(ctx.site_id),
            "person_key": pl.col("PatientGuid").str.strip_chars(),
            "source_record_id": pl.col("IssueRecordGuid").str.strip_chars(),
            "issue_date": pl.col("EffectiveDate").dt.date(),
            "drug_record_id": text("DrugRecordGuid"),
            "code_id": pl.col("CodeId").str.strip_chars(),
            "estimated_cost": pl.col("EstimatedNhsCost"),
        },
    )
    return apply(raw, layout)


def report(raw: RawFile, ctx: Context) -> Parsed:
    """A Search and Reports export: NHS number, date, SNOMED code, value; totals skip."""
    layout = Layout(
        table="raw_emis_report",
        parse={
            "NHS Number": ("nhs_number", nhs_number("NHS Number")),
            "Date": date(raw, "Date"),
            "Value": ("number", numbers("Value")),
        },
        required=("NHS Number", "Date", "Code"),
        skip={"total line": pl.col("NHS Number").str.contains(SUMMARY_ROW)},
        select={
            "site_id": pl.lit(ctx.site_id),
            "nhs": pl.col("NHS Number"),
            "event_date": pl.col("Date").dt.date(),
            "concept_id": pl.col("Code").str.strip_chars(),
            "term": text("Term"),
            "value_num": pl.col("Value"),
            "comparator": pl.col("Value__comparator"),
            "unit": pl.coalesce(text("Units"), pl.col("Value__unit")),
        },
    )
    return with_pseudonyms(apply(raw, layout), ctx)


TABLES = {
    ("emis", "Admin_Patient"): patients,
    ("emis", "CareRecord_Observation"): observations,
    ("emis", "Coding_ClinicalCode"): clinical_codes,
    ("emis", "Prescribing_IssueRecord"): issues,
    ("emis_report", "report"): report,
}
