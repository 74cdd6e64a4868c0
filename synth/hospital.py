"""The hospital writer: ``hospital/`` with inpatient spells and A&E attendances.

One layout of dates per site (day first or ISO); spell and attendance ids numbered by
site; junk rows with bad or Excel-damaged NHS numbers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from connectors.schemas import AE, SPELLS
from synth.files import (
    ExtractFile,
    SiteCtx,
    csv_text,
    date_text,
    datetime_text,
    extract_file,
    text_frame,
)
from synth.ids import id_text, serials
from synth.quirks import assemble, bad_nhs_rows, styled_nhs

HOSPITAL_DATES = ("%d/%m/%Y", "%Y-%m-%d")


def hospital_files(c: SiteCtx) -> list[ExtractFile]:
    """The site's inpatient spells and A&E attendances of its residents."""
    w, cal, q, rate = c.world, c.cal, c.quirks, c.quirk_rate
    homes = w.homes
    people = w.people.select("person", "nhs")
    fmt = HOSPITAL_DATES[c.site % len(HOSPITAL_DATES)]
    mine = pl.Series(np.flatnonzero(homes.site == c.site)).implode()
    spells = w.spells.filter(pl.col("home").is_in(mine))
    spells = spells.join(people, on="person", maintain_order="left").sort(
        "admit", "stay", maintain_order=True
    )
    ids = serials(c.ids, spells.height + 64, 4_000_000)
    prefix = f"S{c.site_id[-1].upper()}"
    real = text_frame(
        SPELLS,
        spells.height,
        {
            "spell_id": id_text(prefix, ids[: spells.height]),
            "nhs_number": styled_nhs(q, spells["nhs"].to_numpy(), rate),
            "admit_date": date_text(cal, spells["admit"], fmt),
            "discharge_date": date_text(cal, spells["discharge"], fmt),
            "admission_method": spells["method"],
            "admission_source": spells["source"],
            "discharge_destination": spells["destination"],
            "primary_diagnosis_icd10": spells["icd10"],
            "hrg": spells["hrg"],
        },
    )
    junk_ids = id_text(prefix, ids[spells.height :])
    frame, fates = assemble(
        q,
        real,
        bad_nhs_rows(q, real, "spell_id", "nhs_number", spells["nhs"].to_numpy(), junk_ids, rate),
        rate,
    )
    folder = f"{c.site_id}/hospital"
    files = [extract_file(f"{folder}/inpatient_spells.csv", csv_text(frame), real.height, fates)]

    ae = w.ae.filter(pl.col("home").is_in(mine)).join(people, on="person", maintain_order="left")
    ae = ae.sort("day", "minute", "stay", maintain_order=True)
    ids = serials(c.ids, ae.height + 64, 7_000_000)
    real = text_frame(
        AE,
        ae.height,
        {
            "attendance_id": id_text(f"A{c.site_id[-1].upper()}", ids[: ae.height]),
            "nhs_number": styled_nhs(q, ae["nhs"].to_numpy(), rate),
            "arrival_datetime": datetime_text(cal, ae["day"], ae["minute"], fmt + " %H:%M"),
            "department_type": "01",
            "disposal": ae["disposal"],
        },
    )
    junk_ids = id_text(f"A{c.site_id[-1].upper()}", ids[ae.height :])
    frame, fates = assemble(
        q,
        real,
        bad_nhs_rows(q, real, "attendance_id", "nhs_number", ae["nhs"].to_numpy(), junk_ids, rate),
        rate,
    )
    files.append(extract_file(f"{folder}/ae_attendances.csv", csv_text(frame), real.height, fates))
    return files
