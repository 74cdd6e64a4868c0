"""The care-home writer: ``carehome/<CQC location id>/`` with four files per home.

``residents.csv`` (one row per stay), ``absences.csv``, ``incidents.csv`` and
``observations.csv``, each home with its own way of numbering residents and writing
dates (docs/extracts.md), a UTF-8 byte-order mark in some, weights now and then
written ``72.5 kg``, and junk rows: bad NHS numbers, impossible dates, Excel serials.
With quirks, about half the homes also export their last months' incidents again
(``incidents_<yyyy-mm>.csv``), some with a revised harm level or the time written with
or without seconds: every row loads, and each incident still counts once.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from connectors.schemas import ABSENCES, INCIDENTS, OBSERVATIONS, RESIDENTS
from synth.files import (
    ExtractFile,
    SiteCtx,
    csv_text,
    date_text,
    datetime_text,
    extract_file,
    text_frame,
)
from synth.ids import id_text
from synth.quirks import (
    assemble,
    bad_nhs_rows,
    impossible_dates,
    junk_count,
    pick,
    revised,
    styled_nhs,
)
from synth.world import CAREHOME_DATES, CAREHOME_TIMES

RESENT_MONTHS = 2  # a home's incidents of its last months, exported again
RESENT_HOMES = 0.5  # the share of homes that do so (with quirks)

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0: serial 45352 is 2024-03-01


def carehome_files(c: SiteCtx) -> list[ExtractFile]:
    """The four files of each care home of the site."""
    w, cal, q, rate = c.world, c.cal, c.quirks, c.quirk_rate
    homes = w.homes
    people = w.people.select("person", "nhs", "birth", "sex")
    files = []
    for h in np.flatnonzero(homes.site == c.site):
        home_id = homes.home_id[h]
        date_fmt = CAREHOME_DATES[homes.date_style[h]]
        stamp_fmt = date_fmt + CAREHOME_TIMES[homes.time_style[h]]
        base, (prefix, width) = int(homes.id_base[h]), homes.id_style[h]
        stays = (
            w.stays.filter(pl.col("home") == h)
            .sort("start", "stay")
            .join(people, on="person", how="left", maintain_order="left")
        )
        local = id_text(prefix, base + np.arange(stays.height), width)
        local_of = dict(zip(stays["stay"].to_list(), local.to_list(), strict=True))
        real = text_frame(
            RESIDENTS,
            stays.height,
            {
                "home_id": home_id,
                "resident_local_id": local,
                "nhs_number": styled_nhs(q, stays["nhs"].to_numpy(), rate),
                "date_of_birth": date_text(cal, stays["birth"], date_fmt),
                "sex": stays["sex"],
                "admission_date": date_text(cal, stays["start"], date_fmt),
                "admission_type": stays["kind"],
                "discharge_date": date_text(cal, stays["end"], date_fmt),
                "discharge_reason": stays["reason"],
                "preferred_place_of_death": stays["preferred_place"],
            },
        )
        junk_ids = id_text(prefix, base + stays.height + 50 + np.arange(stays.height + 8), width)
        junk = bad_nhs_rows(
            q, real, "resident_local_id", "nhs_number", stays["nhs"].to_numpy(), junk_ids, rate
        )
        frame, fates = assemble(q, real, junk, rate)
        folder = f"{c.site_id}/carehome/{home_id}"
        files.append(
            extract_file(
                f"{folder}/residents.csv", csv_text(frame), real.height, fates, bom=homes.bom[h]
            )
        )

        ab = w.absences.filter(pl.col("stay").is_in(stays["stay"].implode()))
        real = text_frame(
            ABSENCES,
            ab.height,
            {
                "resident_local_id": ab["stay"].replace_strict(local_of, return_dtype=pl.String),
                "depart_datetime": datetime_text(
                    cal, ab["depart_day"], ab["depart_min"], stamp_fmt
                ),
                "return_datetime": datetime_text(
                    cal, ab["return_day"], ab["return_min"], stamp_fmt
                ),
                "reason": ab["reason"],
            },
        )
        frame, fates = assemble(q, real, [], rate)
        files.append(
            extract_file(
                f"{folder}/absences.csv", csv_text(frame), real.height, fates, bom=homes.bom[h]
            )
        )

        inc = w.incidents.filter(pl.col("stay").is_in(stays["stay"].implode()))
        real = text_frame(
            INCIDENTS,
            inc.height,
            {
                "resident_local_id": inc["stay"].replace_strict(local_of, return_dtype=pl.String),
                "incident_datetime": datetime_text(cal, inc["day"], inc["minute"], stamp_fmt),
                "incident_type": inc["type"],
                "harm_level": inc["harm"],
                "hospital_transfer": inc["transfer"],
                "ambulance_called": inc["ambulance"],
                "gp_called": inc["gp"],
                "out_of_hours": inc["ooh"],
            },
        )
        frame, fates = assemble(q, real, [], rate)
        files.append(
            extract_file(
                f"{folder}/incidents.csv", csv_text(frame), real.height, fates, bom=homes.bom[h]
            )
        )
        if rate > 0:
            style = {"date_fmt": date_fmt, "time_style": homes.time_style[h], "bom": homes.bom[h]}
            files += _incidents_again(c, real, inc, folder, **style)

        obs = w.observations.filter(pl.col("stay").is_in(stays["stay"].implode()))
        is_weight = obs["type"] == "weight_kg"
        value = obs["value"].round(1)
        text_value = pl.Series(
            np.where(
                obs["type"].is_in(["must_score", "waterlow"]).to_numpy(),
                value.cast(pl.Int64, strict=False).cast(pl.String).to_numpy(),
                value.cast(pl.String).to_numpy(),
            )
        )
        as_text = pl.Series(q.random(obs.height) < rate) & is_weight  # "72.5 kg"
        unit = pl.select(
            pl.when(is_weight & ~as_text)
            .then(pl.lit("kg"))
            .when(obs["type"] == "bmi")
            .then(pl.lit("kg/m2"))
        ).to_series()
        real = text_frame(
            OBSERVATIONS,
            obs.height,
            {
                "resident_local_id": obs["stay"].replace_strict(local_of, return_dtype=pl.String),
                "obs_datetime": datetime_text(cal, obs["day"], obs["minute"], stamp_fmt),
                "obs_type": obs["type"],
                "value": pl.select(
                    pl.when(as_text)
                    .then(pl.concat_str(text_value, pl.lit(" kg")))
                    .otherwise(text_value)
                ).to_series(),
                "unit": unit,
            },
        )
        n_impossible = junk_count(q, obs.height, rate / 2)
        n_serial = junk_count(q, obs.height, rate / 2)
        impossible = pick(q, real, n_impossible).with_columns(
            obs_datetime=impossible_dates(q, cal, n_impossible, date_fmt)
        )
        serial_day = (cal.start - EXCEL_EPOCH).days + q.integers(0, cal.n_days, n_serial)
        serial = pick(q, real, n_serial).with_columns(
            obs_datetime=pl.Series(serial_day.astype(str), dtype=pl.String)
        )
        frame, fates = assemble(
            q, real, [("quarantined_date", impossible), ("quarantined_date", serial)], rate
        )
        files.append(
            extract_file(
                f"{folder}/observations.csv", csv_text(frame), real.height, fates, bom=homes.bom[h]
            )
        )
    return files


def _incidents_again(
    c: SiteCtx,
    real: pl.DataFrame,
    inc: pl.DataFrame,
    folder: str,
    *,
    date_fmt: str,
    time_style: int,
    bom: bool,
) -> list[ExtractFile]:
    """At some homes, the incidents of the last ``RESENT_MONTHS`` months exported again.

    ``real`` holds the rows of incidents.csv, ``inc`` the incidents they were written
    from. The file is named for the last month (``incidents_2024-06.csv``), so it loads
    after ``incidents.csv`` and its rows win (docs/extracts.md §8). Half its rows have
    their harm level revised within its class and half their time written in the home's
    other layout (``CAREHOME_TIMES``: with seconds if the home writes none, without if it
    does), so the same incident reaches the warehouse in two versions. A stream of its
    own (spawned: the other quirks' draws stay as they were) decides.
    """
    rng = c.quirks.spawn(1)[0]
    cal = c.cal
    day = inc["day"].to_numpy()
    month = cal.month_of_day[np.clip(day, 0, cal.n_days - 1)]
    recent = (day >= 0) & (day < cal.n_days) & (month >= cal.months - RESENT_MONTHS)
    if rng.random() >= RESENT_HOMES or not recent.any():
        return []
    rows, again = real.filter(pl.Series(recent)), inc.filter(pl.Series(recent))
    retimed = datetime_text(cal, again["day"], again["minute"], date_fmt + " %H:%M")
    if not CAREHOME_TIMES[time_style].endswith("%S"):  # the same minute, with seconds
        seconds = id_text("", rng.integers(0, 60, again.height), 2)
        retimed = pl.select(pl.concat_str(retimed, pl.lit(":"), seconds)).to_series()
    frame = revised(rng, rows, retimed, harm_rate=0.5, time_rate=0.5)
    name = f"{folder}/incidents_{cal.month_dates[-1].strftime('%Y-%m')}.csv"
    return [extract_file(name, csv_text(frame), frame.height, {}, bom=bom)]
