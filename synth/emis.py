"""The EMIS writer: a bulk extract (``emis/``), and at one site a Search and Reports export.

Files are named ``<org>_<table>_<timestamp>_<agreement>.csv``, UTF-8 with CRLF line
ends, headed by the column lists of :mod:`connectors.schemas` (version 5.4): patients,
observations, the clinical code table and prescription issues.
``weights_report.csv`` is a report export of GP weights, with a preamble and a total
line to skip.

Examples
--------
>>> _money(pl.Series([1.5, 53.2, 0.056])).to_list()
['1.50', '53.20', '0.06']
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from connectors.schemas import EMIS_REPORT, spec
from synth.codes import ACUTE, CODE, FORMULARY, GP_CODES
from synth.files import (
    ExtractFile,
    SiteCtx,
    csv_text,
    date_text,
    datetime_text,
    extract_file,
    text_frame,
)
from synth.gp import GpData, gp_data, patient_keys
from synth.ids import guids, invalid_nhs, serials
from synth.quirks import assemble, excel_nhs, junk_count, pick, styled_nhs

EMIS_DATE = "%Y-%m-%d"  # EmisCsvToFhirTransformer DATE_FORMAT_YYYY_MM_DD
REPORT_DATE, REPORT_BIRTH = "%d-%b-%Y", "%d/%m/%Y"  # docs/extracts.md §2.3 (inferred layout)
EMIS_TRUE, EMIS_FALSE = "true", "false"


def emis_files(c: SiteCtx, report: bool) -> list[ExtractFile]:
    """The site's EMIS extract: four tables, and the weights report if ``report``."""
    cal, ids, q, rate = c.cal, c.ids, c.quirks, c.quirk_rate
    gp = gp_data(c)
    org = str(int(ids.integers(100, 1000)))
    org_guid = guids(ids, 1)[0]
    agreement = guids(ids, 1, lower=True)[0]
    stamp = cal.start.toordinal() + cal.n_days - 1
    stamp_text = date.fromordinal(stamp).strftime("%Y%m%d") + "230000"
    clinicians = guids(ids, 4)
    key = patient_keys(gp, ids, guid=True)
    folder = f"{c.site_id}/emis"

    def name(table: str) -> str:
        return f"{folder}/{org}_{table}_{stamp_text}_{agreement}.csv"

    def patients(frame: pl.DataFrame, deleted: str, dummy: str) -> pl.DataFrame:
        n = frame.height
        left = frame["left"] + 14  # deducted two weeks after leaving
        return text_frame(
            spec("emis", "Admin_Patient", "5.4").columns,
            n,
            {
                "PatientGuid": frame["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "UsualGpUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "Sex": frame["sex"],
                "DateOfBirth": date_text(cal, frame["birth"], EMIS_DATE),
                "DateOfDeath": date_text(cal, frame["died"], EMIS_DATE),
                "Title": frame["title"],
                "GivenName": frame["given"],
                "Surname": frame["surname"],
                "DateOfRegistration": date_text(cal, frame["registered"], EMIS_DATE),
                "NhsNumber": frame["nhs"],
                "PatientNumber": pl.Series(serials(ids, n, 10_000, 30)),
                "PatientTypeDescription": "Regular",
                "DummyType": dummy,
                "PersonGuid": guids(ids, n),
                "DateOfDeactivation": date_text(
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
    frame, fates = assemble(q, real, junk, rate)
    files = [extract_file(name("Admin_Patient"), csv_text(frame, crlf=True), real.height, fates)]

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
        return text_frame(
            code_cols,
            n,
            {
                "ObservationGuid": guids(ids, n),
                "PatientGuid": ev["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "EffectiveDate": date_text(cal, ev["day"], EMIS_DATE),
                "EffectiveDatePrecision": "YMD",
                "EnteredDate": date_text(cal, entered, EMIS_DATE),
                "EnteredTime": datetime_text(
                    cal, np.zeros(n), ids.integers(8 * 60, 18 * 60, n), "%H:%M:%S"
                ),
                "ClinicianUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "EnteredByUserInRoleGuid": clinicians.gather(ids.integers(0, 4, n)),
                "CodeId": code_ids.gather(ev["code"]),
                "ConsultationGuid": guids(ids, n),
                "Value": value,
                "NumericUnit": units.gather(ev["code"]),
                "ObservationType": kinds.gather(ev["code"]),
                "Deleted": deleted,
                "IsConfidential": EMIS_FALSE,
                "ProcessingId": "1",
            },
        )

    real = observations(gp.events, EMIS_FALSE)
    deleted = pick(
        q, gp.events.filter(pl.col("day") >= 0), junk_count(q, gp.events.height, rate / 2)
    )
    junk = [
        ("skipped_test_patient", observations(gp.test_events, EMIS_FALSE)),
        ("skipped_deleted", observations(deleted, EMIS_TRUE)),
    ]
    frame, fates = assemble(q, real, junk, rate)
    files.append(
        extract_file(name("CareRecord_Observation"), csv_text(frame, crlf=True), real.height, fates)
    )

    coding = text_frame(
        spec("emis", "Coding_ClinicalCode", "5.4").columns,
        len(GP_CODES),
        {
            "CodeId": code_ids,
            "Term": pl.Series([g.term for g in GP_CODES]),
            "ReadTermId": pl.Series([g.read_term_id or None for g in GP_CODES], dtype=pl.String),
            "SnomedCTConceptId": pl.Series([g.snomed for g in GP_CODES]),
            "SnomedCTDescriptionId": pl.Series(
                serials(ids, len(GP_CODES), 2_150_000_000_011, 10_000_000)
            ),
            "EmisCodeCategoryDescription": pl.Series([g.category for g in GP_CODES]),
            "ProcessingId": "1",
        },
    )
    files.append(
        extract_file(name("Coding_ClinicalCode"), csv_text(coding, crlf=True), coding.height, {})
    )

    drugs = [*FORMULARY, *ACUTE]
    drug_code = pl.Series([str(5_100_000 + 37 * i) for i in range(len(drugs))])
    template_guid = guids(ids, c.world.medication["template"].max() + 1)  # one per drug record

    def issues(md: pl.DataFrame, deleted: str) -> pl.DataFrame:
        n = md.height
        drug = md["drug"]
        pack = pl.Series([d[2] for d in drugs]).gather(drug)
        cost = pl.Series([d[4] for d in drugs]).gather(drug)
        template = md["template"]
        record = pl.select(
            pl.when(template >= 0)
            .then(template_guid.gather(template.clip(0)))
            .otherwise(guids(ids, n))
        ).to_series()
        return text_frame(
            spec("emis", "Prescribing_IssueRecord", "5.4").columns,
            n,
            {
                "IssueRecordGuid": guids(ids, n),
                "PatientGuid": md["person"].replace_strict(key, return_dtype=pl.String),
                "OrganisationGuid": org_guid,
                "DrugRecordGuid": record,
                "EffectiveDate": date_text(cal, md["day"], EMIS_DATE),
                "EffectiveDatePrecision": "YMD",
                "EnteredDate": date_text(cal, md["day"], EMIS_DATE),
                "EnteredTime": datetime_text(
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
    deleted = pick(q, gp.medication, junk_count(q, gp.medication.height, rate / 2))
    junk = [
        ("skipped_test_patient", issues(gp.test_medication, EMIS_FALSE)),
        ("skipped_deleted", issues(deleted, EMIS_TRUE)),
    ]
    frame, fates = assemble(q, real, junk, rate)
    files.append(
        extract_file(
            name("Prescribing_IssueRecord"), csv_text(frame, crlf=True), real.height, fates
        )
    )
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


def _report_file(c: SiteCtx, gp: GpData, folder: str) -> ExtractFile:
    """An EMIS Web Search and Reports export of GP weights, with preamble and total line."""
    cal, q, rate = c.cal, c.quirks, c.quirk_rate
    ev = gp.events.filter((pl.col("code") == CODE["weight"]) & (pl.col("day") >= 0))
    ev = ev.join(gp.patients.select("person", "nhs", "birth"), on="person", maintain_order="left")
    ev = ev.sort("day", "person", maintain_order=True)
    real = text_frame(
        EMIS_REPORT,
        ev.height,
        {
            "NHS Number": styled_nhs(q, ev["nhs"].to_numpy(), min(1.0, rate * 5)),
            "Date of Birth": date_text(cal, ev["birth"], REPORT_BIRTH),
            "Date": date_text(cal, ev["day"], REPORT_DATE),
            "Code": GP_CODES[CODE["weight"]].snomed,
            "Term": GP_CODES[CODE["weight"]].term,
            "Value": ev["value"].round(1),
            "Units": "kg",
        },
    )
    nhs = ev["nhs"].to_numpy()
    n_bad = junk_count(q, real.height, rate / 2)
    n_excel = junk_count(q, real.height, rate / 2)
    source = np.resize(nhs, n_bad + n_excel) if nhs.size else np.zeros(0, dtype=np.int64)
    bad = pick(q, real, n_bad).with_columns(
        pl.Series("NHS Number", invalid_nhs(q, source[:n_bad]).astype(str), dtype=pl.String)
    )
    excel = pick(q, real, n_excel).with_columns(excel_nhs(source[n_bad:]).alias("NHS Number"))
    frame, fates = assemble(
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
    body = csv_text(frame, crlf=True)
    total = f"Total: {frame.height} rows" + "," * (len(EMIS_REPORT) - 1)
    text = "\r\n".join(lines) + "\r\n" + body + total + "\r\n"
    preamble = sum(1 for line in lines if line.strip()) + 1
    return extract_file(f"{folder}/weights_report.csv", text, real.height, fates, preamble=preamble)
