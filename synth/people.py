"""The people: sex, age, names, frailty, weight and an NHS number for each resident.

Names are drawn from short lists, some with Windows-1252 characters beyond ASCII, so
that every site's SystmOne extract (written in cp1252) has some.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.ids import nhs_numbers
from synth.world import YEAR

# Synthetic names, some with Windows-1252 characters (SystmOne writes cp1252).
FEMALE = (
    "Margaret", "Dorothy", "Joan", "Betty", "Eileen", "Doris", "Irene", "Gladys", "Mavis",
    "Sheila", "Brenda", "Maureen", "Patricia", "Barbara", "Jean", "Mary", "Edna", "Winifred",
    "Zoë", "Siân", "Bronwyn", "Renée", "Chloë", "Rhiannon", "Áine", "Niamh", "Gwenllïan",
    "Ffion", "Hélène",
)  # fmt: skip
MALE = (
    "Arthur", "Harold", "Kenneth", "Stanley", "Albert", "Peter", "John", "Dennis", "Ronald",
    "Derek", "Alan", "George", "Frank", "Leonard", "Walter", "Norman", "Dafydd", "Seán",
    "Ciarán", "José", "Noël", "Søren", "Emrys",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Williams", "Brown", "Taylor", "Davies", "Evans", "Thomas", "Roberts",
    "Wilson", "Hughes", "Walker", "Wright", "Robinson", "Thompson", "White", "Edwards", "Green",
    "Hall", "Wood", "Jackson", "Clarke", "Turner", "Hill", "Moore", "Cooper", "Ward", "Morris",
    "King", "Watson", "Harris", "Lewis", "Baker", "Patel", "Khan", "Nowak", "O'Brien",
    "O’Neill", "D'Arcy", "Brontë", "Müller", "Gruffydd", "Llewellyn", "Ní Bhriain",
    "Ó Ceallaigh", "Ffrench-Davies",
)  # fmt: skip
NON_ASCII_GIVEN = {"F": "Zoë", "M": "Seán"}


def draw_people(
    rng: np.random.Generator,
    site: np.ndarray,
    frailty: np.ndarray,
    stays: pl.DataFrame,
) -> pl.DataFrame:
    """The people, one row each: who they are, their risks and weights, and their dates.

    ``site`` and ``frailty`` are per person (from :class:`synth.stays.Occupancy`);
    ``registered`` is the start of the first stay, ``died`` the end of a stay that ended
    in death, and ``left`` the end of the last stay for those who left alive.
    """
    n = site.size
    sex = np.where(rng.random(n) < 0.68, "F", "M")
    age_days = np.clip(rng.normal(85, 7.5, n), 66, 104) * YEAR
    birth = (-age_days).astype(np.int64)
    female = sex == "F"
    given = np.where(
        female,
        np.array(FEMALE)[rng.integers(0, len(FEMALE), n)],
        np.array(MALE)[rng.integers(0, len(MALE), n)],
    )
    surname = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    previous = np.where(
        female & (rng.random(n) < 0.3), np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)], ""
    )
    title = np.where(
        female, np.array(["Mrs", "Miss", "Ms"])[rng.choice(3, n, p=[0.65, 0.25, 0.1])], "Mr"
    )
    for s in np.unique(site):  # every site has at least one name beyond ASCII
        mine = np.flatnonzero(site == s)
        if not any(not x.isascii() for x in [*given[mine], *surname[mine]]):
            given[mine[0]] = NON_ASCII_GIVEN[sex[mine[0]]]
    first_stay = stays.group_by("person").agg(pl.col("start").min()).sort("person")
    ends = stays.group_by("person").agg(
        died=pl.col("end").filter(pl.col("reason") == "died").min(),
        last_end=pl.col("end").max(),
        open=pl.col("end").is_null().any(),
    )
    frame = pl.DataFrame(
        {
            "person": np.arange(n),
            "site": site,
            "sex": sex,
            "birth": birth,
            "given": given,
            "surname": surname,
            "previous": previous,
            "title": title,
            "frailty": frailty,
            "fall_risk": rng.gamma(1.5, 1 / 1.5, n),
            "weight0": np.clip(rng.normal(66, 13, n), 38, 125),
            "slope": rng.normal(-0.12, 0.25, n),  # kg per month
            "height": np.where(female, rng.normal(1.60, 0.06, n), rng.normal(1.73, 0.07, n)),
            "nhs": nhs_numbers(rng, n),
        }
    )
    return (
        frame.join(
            first_stay.rename({"start": "registered"}),
            on="person",
            how="left",
            maintain_order="left",
        )
        .join(ends, on="person", how="left", maintain_order="left")
        .with_columns(
            left=pl.when(~pl.col("open") & pl.col("died").is_null()).then(pl.col("last_end")),
        )
        .drop("last_end", "open")
        .sort("person")
    )
