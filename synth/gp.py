"""A site's GP records, real and junk, before the EMIS or SystmOne writer lays them out.

Both GP systems export the same patients, coded events and medication issues; junk
patients are added here, once per site: test patients (with a few events and issues
of their own), patients with NHS numbers that fail modulus 11, and deleted records.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from synth.codes import CODE
from synth.files import SiteCtx
from synth.ids import guids, id_text, invalid_nhs, nhs_numbers, serials
from synth.quirks import junk_count, pick


@dataclass(frozen=True)
class GpData:
    """A site's GP records, real and junk, before they are laid out for EMIS or SystmOne."""

    patients: pl.DataFrame  # person, nhs, names, birth, death, registered, left, key
    events: pl.DataFrame  # person, day, code, value
    medication: pl.DataFrame  # person, day, drug, template, repeat
    test_patients: pl.DataFrame
    test_events: pl.DataFrame
    test_medication: pl.DataFrame
    bad_patients: pl.DataFrame  # invalid NHS numbers
    deleted_patients: pl.DataFrame


def gp_data(c: SiteCtx) -> GpData:
    """The site's GP records, with test, invalid and deleted patients added (quirk stream)."""
    w, q, rate = c.world, c.quirks, c.quirk_rate
    people = c.people()
    mine = people["person"].implode()
    events = w.gp_events.filter(pl.col("person").is_in(mine))
    medication = w.medication.filter(pl.col("person").is_in(mine))
    n_test = (junk_count(q, people.height, rate / 4) + 1) if rate > 0 else 0
    n_bad = junk_count(q, people.height, rate / 4)
    n_deleted = junk_count(q, people.height, rate / 4)
    extra = n_test + n_bad + n_deleted
    nhs = nhs_numbers(q, people.height + extra + 16)
    nhs = nhs[~np.isin(nhs, w.people["nhs"].to_numpy())][:extra]
    fake = pick(q, people, extra).with_columns(
        person=pl.Series(-1 - np.arange(extra)),
        nhs=pl.Series(nhs, dtype=pl.Int64),
    )
    test = fake[:n_test].with_columns(
        given=pl.Series(["Test", "Dummy", "Training"] * (n_test // 3 + 1))[:n_test],
        surname=pl.lit("Patient"),
    )
    bad = fake[n_test : n_test + n_bad]
    bad = bad.with_columns(nhs=pl.Series(invalid_nhs(q, bad["nhs"].to_numpy()), dtype=pl.Int64))
    deleted = fake[n_test + n_bad :]
    # A few events and issues for each test patient (copies of real ones, re-assigned).
    k_events = q.integers(2, 7, n_test)
    t_events = pick(q, events.filter(pl.col("code") != CODE["care_home"]), int(k_events.sum()))
    owner = np.repeat(test["person"].to_numpy(), k_events)[: t_events.height]
    t_events = t_events.with_columns(person=pl.Series(owner))
    k_meds = q.integers(0, 10, n_test)
    t_meds = pick(q, medication, int(k_meds.sum()))
    owner = np.repeat(test["person"].to_numpy(), k_meds)[: t_meds.height]
    t_meds = t_meds.with_columns(person=pl.Series(owner), template=pl.lit(-1))
    return GpData(people, events, medication, test, t_events, t_meds, bad, deleted)


def patient_keys(gp: GpData, rng: np.random.Generator, *, guid: bool) -> dict[int, str]:
    """Each patient's key in the GP system: a GUID (EMIS) or a number (SystmOne)."""
    persons = [
        *gp.patients["person"].to_list(),
        *gp.test_patients["person"].to_list(),
        *gp.bad_patients["person"].to_list(),
        *gp.deleted_patients["person"].to_list(),
    ]
    if guid:
        keys = guids(rng, len(persons)).to_list()
    else:
        keys = id_text("", serials(rng, len(persons), 1_200_000, 900)).to_list()
    return dict(zip(persons, keys, strict=True))
