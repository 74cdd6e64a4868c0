"""The SystmOne writer: an SRE bulk extract (``systmone/``), in Windows-1252.

``SRPatient``, ``SRCode`` and ``SRPrimaryCareMedication``, one file each named with the
extract date, CRLF line ends. Sites 2, 6, ... write SRPatient at version 90 (with
``RemovedData``), sites 4, 8, ... at version 91; SRCode always carries SNOMEDCode
(version 91). CRP values below 5 are written ``<5`` or ``5`` with the comparator ``<``.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from connectors.schemas import spec
from synth.codes import ACUTE, CODE, FORMULARY, GP_CODES
from synth.files import ExtractFile, SiteCtx, csv_text, date_text, extract_file, text_frame
from synth.gp import gp_data, patient_keys
from synth.ids import id_text, serials
from synth.quirks import assemble

TPP_DATE = "%d %b %Y"  # TppCsvToFhirTransformer DATE_FORMAT "dd MMM yyyy"
TPP_TRUE, TPP_FALSE = "true", "false"  # IsNumeric, IsRepeatMedication... (CsvCell.getBoolean)
TPP_FLAG_ON, TPP_FLAG_OFF = "1", "0"  # TestPatient, RemovedData


def systmone_files(c: SiteCtx, patient_version: str) -> list[ExtractFile]:
    """The site's SystmOne extract, with SRPatient at ``patient_version`` (90 or 91)."""
    cal, ids, q, rate = c.cal, c.ids, c.quirks, c.quirk_rate
    gp = gp_data(c)
    org = str(int(ids.integers(10_000, 99_999)))
    key = patient_keys(gp, ids, guid=False)
    day_text = date.fromordinal(cal.start.toordinal() + cal.n_days - 1).strftime("%Y%m%d")
    folder = f"{c.site_id}/systmone"
    staff = id_text("", serials(ids, 5, 80_000, 500))
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
            "DateBirth": date_text(cal, frame["birth"], TPP_DATE),
            "DateDeath": date_text(cal, frame["died"], TPP_DATE),
            "Gender": frame["sex"],
            "SpeaksEnglish": TPP_TRUE,
            "TestPatient": test,
            "SpineMatched": TPP_TRUE,
        }
        if removed_column:
            values["RemovedData"] = removed
        return text_frame(spec("systmone", "SRPatient", patient_version).columns, n, values)

    real = patients(gp.patients, TPP_FLAG_OFF, TPP_FLAG_OFF)
    junk = [
        ("skipped_test_patient", patients(gp.test_patients, TPP_FLAG_ON, TPP_FLAG_OFF)),
        ("quarantined_nhs_number", patients(gp.bad_patients, TPP_FLAG_OFF, TPP_FLAG_OFF)),
    ]
    if removed_column:
        junk.append(("skipped_deleted", patients(gp.deleted_patients, TPP_FLAG_OFF, TPP_FLAG_ON)))
    frame, fates = assemble(q, real, junk, rate)
    files = [
        extract_file(
            f"{folder}/SRPatient_{day_text}.csv",
            csv_text(frame, crlf=True),
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
        below = numeric & (ev["code"] == CODE["crp"]) & (ev["value"] < 5)
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
        return text_frame(
            spec("systmone", "SRCode", "91").columns,
            n,
            {
                "RowIdentifier": id_text("", serials(ids, n, 500_000_000, 60)),
                "IDOrganisationVisibleTo": org,
                "DateEventRecorded": date_text(cal, ev["day"], TPP_DATE),
                "DateEvent": date_text(cal, ev["day"], TPP_DATE),
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
                "IDEvent": id_text("", serials(ids, n, 900_000_000, 50)),
                "IDPatient": ev["person"].replace_strict(key, return_dtype=pl.String),
                "IDOrganisation": org,
                "IDOrganisationRegisteredAt": org,
            },
        )

    real = codes(gp.events)
    frame, fates = assemble(q, real, [("skipped_test_patient", codes(gp.test_events))], rate)
    files.append(
        extract_file(
            f"{folder}/SRCode_{day_text}.csv",
            csv_text(frame, crlf=True),
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
        return text_frame(
            spec("systmone", "SRPrimaryCareMedication", "91").columns,
            n,
            {
                "RowIdentifier": id_text("", serials(ids, n, 600_000_000, 60)),
                "IDOrganisationVisibleTo": org,
                "DateEventRecorded": date_text(cal, md["day"], TPP_DATE),
                "DateEvent": date_text(cal, md["day"], TPP_DATE),
                "IDProfileEnteredBy": staff.gather(ids.integers(0, 5, n)),
                "IDDoneBy": staff.gather(ids.integers(0, 5, n)),
                "IDOrganisationDoneAt": org,
                "IDMultiLexDMD": dmd.gather(drug),
                "NameOfMedication": pl.Series([d[0] for d in drugs]).gather(drug),
                "DateMedicationStart": date_text(cal, md["day"], TPP_DATE),
                "DateMedicationEnd": date_text(
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
    frame, fates = assemble(
        q, real, [("skipped_test_patient", medication(gp.test_medication))], rate
    )
    files.append(
        extract_file(
            f"{folder}/SRPrimaryCareMedication_{day_text}.csv",
            csv_text(frame, crlf=True),
            real.height,
            fates,
            encoding="cp1252",
        )
    )
    return files
