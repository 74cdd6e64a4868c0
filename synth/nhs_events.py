"""What the NHS records: hospital spells and A&E, GP-coded events, repeat medication.

Hospital spells and A&E attendances come from the stays (:mod:`synth.stays`); here they
get their codes, the absences the home records for them and the falls that caused
some. The GP codes weights, medication reviews (structured or not), some falls and
pressure ulcers, CRP tests and residence in a care home; repeat medicines are issued
every 28 days while the resident is on the roll, and some are stopped at reviews.

A GP bulk extract carries the patient's whole record, so the residents already in the
homes at the start also have the medication reviews and acute issues of the months
before day 0 (:func:`draw_gp_history`, from a stream of its own), at their site's rates
before any change: the look-backs of P1.1 and P1.2 (365 days), O1.1 and O1.2 (84 days)
are whole from the first month.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.codes import ACUTE, CODE, DIAGNOSES, ELECTIVE_DIAGNOSIS, FALL_DIAGNOSIS, FORMULARY
from synth.home_events import At, measured_weight
from synth.plan import Plan
from synth.world import RATES, Calendar, HomeTable, add_months, site_shares

REVIEW_HISTORY_DAYS = 365  # medication reviews before day 0: P1.1 and P1.2 look back 365 days
ACUTE_HISTORY_DAYS = 84  # acute issues before day 0: O1.1 and O1.2 look back 84 days
ACUTE_CHANCE = 0.08  # chance of an acute issue a resident-month
GP_SCHEMA = {
    "person": pl.Int64,
    "stay": pl.Int64,
    "day": pl.Int64,
    "code": pl.Int64,
    "value": pl.Float64,
}


def draw_hospital_absences(
    rng: np.random.Generator,
    stays: pl.DataFrame,
    spells: pl.DataFrame,
    visits: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Absences, A&E attendances and the falls that sent residents to hospital.

    Every spell is an absence from the home (``hospital_admission``, with no return if
    the resident did not come back); a visit to A&E without admission is an absence
    of a few hours (``ae_only``). Admissions through A&E are attendances too.
    """
    ns, nv = spells.height, visits.height
    depart = rng.integers(8 * 60, 22 * 60, ns)
    back = rng.integers(11 * 60, 19 * 60, ns)
    spell_abs = spells.select(
        "stay",
        depart_day="admit",
        depart_min=pl.Series(depart),
        return_day=pl.when(pl.col("outcome") == "returned").then(pl.col("discharge")),
        return_min=pl.Series(back),
        reason=pl.lit("hospital_admission"),
    )
    v_depart = rng.integers(8 * 60, 18 * 60, nv)
    v_back = np.minimum(v_depart + rng.integers(150, 420, nv), 23 * 60 + 45)
    visit_abs = visits.select(
        "stay",
        depart_day="day",
        depart_min=pl.Series(v_depart),
        return_day="day",
        return_min=pl.Series(v_back),
        reason=pl.lit("ae_only"),
    )
    absences = pl.concat([spell_abs, visit_abs]).with_columns(pl.col("return_day").cast(pl.Int64))
    person = stays.select("stay", "person", "home")
    ae = pl.concat(
        [
            spells.filter("via_ae").select(
                "stay",
                day="admit",
                minute=pl.Series(depart).filter(spells["via_ae"]) + 35,
                disposal=pl.lit("01"),
            ),
            visits.select("stay", "day", minute=pl.Series(v_depart) + 35, disposal="disposal"),
        ]
    ).join(person, on="stay", maintain_order="left")
    falls = pl.concat(
        [
            spells.filter("fall").select(
                "stay",
                day="admit",
                minute=pl.Series(depart).filter(spells["fall"]) - 25,
                harm=pl.lit("severe"),
            ),
            visits.filter("fall").select(
                "stay",
                "day",
                minute=pl.Series(v_depart).filter(visits["fall"]) - 25,
                harm=pl.lit("moderate"),
            ),
        ]
    )
    sev = rng.random(falls.height)
    falls = falls.with_columns(
        harm=pl.when(pl.Series(sev) < 0.4)
        .then(pl.when(pl.col("harm") == "severe").then(pl.lit("moderate")).otherwise(pl.lit("low")))
        .otherwise("harm"),
        transfer=pl.lit("Y"),
        ambulance=pl.lit("Y"),
        gp=pl.lit("N"),
    )
    return absences, ae.sort("stay", "day", maintain_order=True), falls


def draw_gp_events(
    rng: np.random.Generator,
    at: At,
    people: pl.DataFrame,
    plan: Plan,
    stays: pl.DataFrame,
    incidents: pl.DataFrame,
    pharmacist: pl.DataFrame,
) -> pl.DataFrame:
    """Coded GP events: weights, medication reviews, falls, pressure ulcers, CRP, residence."""
    person_of = stays["person"].to_numpy()
    frames = []

    def add(code: str, person, stay, day, value=None) -> None:
        frames.append(_coded(code, person, stay, day, value))

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < np.array([e.gp_weights for e in plan.effects])[at.site[i]]]
    d = at.take(i)
    add(
        "weight",
        d["person"],
        d["stay"],
        d["day"],
        measured_weight(people, d["person"], d["day"], rng.normal(0, 0.8, i.size)),
    )

    i = at.one_per_stay_month(rng)
    rate = site_shares(plan.effects, "medication_review")[at.site[i], at.post[i].astype(int)]
    i = i[rng.random(i.size) < rate]
    share = site_shares(plan.effects, "smr_share")[at.site[i], at.post[i].astype(int)]
    smr = rng.random(i.size) < share
    d = at.take(i)
    add("smr", d["person"][smr], d["stay"][smr], d["day"][smr])
    add("medication_review", d["person"][~smr], d["stay"][~smr], d["day"][~smr])
    coded = rng.random(pharmacist.height) < RATES.pharmacist_coded  # coded by the practice
    ph = pharmacist.filter(pl.Series(coded))
    add("smr", ph["person"].to_numpy(), ph["stay"].to_numpy(), ph["day"].to_numpy())

    for kind, code, chance in (("fall", "fall", 0.5), ("pressure_ulcer", "pressure_ulcer", 0.4)):
        inc = incidents.filter((pl.col("type") == kind) & (pl.col("gp") == "Y"))
        inc = inc.filter(pl.Series(rng.random(inc.height) < chance))
        stay = inc["stay"].to_numpy()
        add(code, person_of[stay], stay, inc["day"].to_numpy())

    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < 0.04]
    d = at.take(i)
    add("crp", d["person"], d["stay"], d["day"], np.round(rng.lognormal(2.0, 1.1, i.size), 0))

    reg = people.select("person", "registered")
    add(
        "care_home", reg["person"].to_numpy(), np.full(reg.height, -1), reg["registered"].to_numpy()
    )
    return (
        pl.concat(frames)
        .with_columns(stay=pl.when(pl.col("stay") >= 0).then("stay"))
        .sort("person", "day", "code", maintain_order=True)
        .unique(["person", "day", "code"], keep="first", maintain_order=True)
        .pipe(_one_review_a_day)
    )


def _coded(code: str, person, stay, day, value=None) -> pl.DataFrame:
    """GP events of ``code``: person, stay, day and value (NaN if none), one row each."""
    n = np.asarray(day).size
    return pl.DataFrame(
        {
            "person": person,
            "stay": stay,
            "day": day,
            "code": np.full(n, CODE[code]),
            "value": np.full(n, np.nan) if value is None else value,
        },
        schema=GP_SCHEMA,
    )


def days_before(cal: Calendar, days: int) -> np.ndarray:
    """Day indexes of the calendar months covering the ``days`` before day 0, and of day 0.

    The first month is cut at ``-days``; each month runs to the next index.

    Examples
    --------
    >>> from datetime import date
    >>> from synth.world import make_calendar
    >>> days_before(make_calendar(date(2023, 3, 1), 3, 1), 40).tolist()
    [-40, -28, 0]
    """
    k = np.arange(days // 28 + 2, -1, -1)
    bounds = np.array([(add_months(cal.start, -int(j)) - cal.start).days for j in k])
    return np.r_[-days, bounds[bounds > -days]]


def nights_before(
    rng: np.random.Generator, stays: pl.DataFrame, bounds: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One random night per stay and month before day 0 (months ``bounds``): stay and day.

    Only the stays begun before day 0 have such nights, and only from their start.

    Examples
    --------
    >>> stays = pl.DataFrame({"stay": [0, 1, 2], "start": [-50, -10, 3]})
    >>> stay, day = nights_before(np.random.default_rng(0), stays, np.array([-40, -28, 0]))
    >>> stay.tolist()  # stay 0 in both months, stay 1 from its start, stay 2 not yet begun
    [0, 0, 1]
    >>> bool(-40 <= day[0] < -28 <= day[1] < 0 and -10 <= day[2] < 0)
    True
    """
    early = stays.filter(pl.col("start") < 0)
    stay, start = early["stay"].to_numpy(), early["start"].to_numpy()
    lo = np.maximum(bounds[None, :-1], start[:, None])
    hi = np.broadcast_to(bounds[None, 1:], lo.shape)
    ok = hi > lo
    row, _ = np.nonzero(ok)
    lo, hi = lo[ok], hi[ok]
    return stay[row], lo + (rng.random(lo.size) * (hi - lo)).astype(np.int64)


def draw_gp_history(
    rng: np.random.Generator,
    cal: Calendar,
    stays: pl.DataFrame,
    homes: HomeTable,
    plan: Plan,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The GP record before day 0 of the residents then in the homes: reviews and acutes.

    Medication reviews in the :data:`REVIEW_HISTORY_DAYS` before day 0, and acute issues
    in the :data:`ACUTE_HISTORY_DAYS` before it, as in the period: for each stay begun
    before day 0, one night a calendar month from the stay's start, with the chances of
    its site before any change (a GP review, structured or not, and a pharmacist's
    review the practice codes as an SMR; an acute issue). Each counts in the home of that
    stay. Returns GP events (as :func:`draw_gp_events`) and issues (as
    :func:`draw_medication`). Repeat issues need no history: every repeat medicine is
    issued in the period's first 28 days, so an 84-day look-back holds it from the start.
    """
    person_of, home_of = stays["person"].to_numpy(), stays["home"].to_numpy()
    bounds = days_before(cal, REVIEW_HISTORY_DAYS)

    stay, day = nights_before(rng, stays, bounds)
    site = homes.site[home_of[stay]]
    keep = rng.random(stay.size) < site_shares(plan.effects, "medication_review")[site, 0]
    stay, day, site = stay[keep], day[keep], site[keep]
    smr = rng.random(stay.size) < site_shares(plan.effects, "smr_share")[site, 0]
    p_stay, p_day = nights_before(rng, stays, bounds)
    pharmacist = site_shares(plan.effects, "pharmacist")[homes.site[home_of[p_stay]], 0]
    coded = rng.random(p_stay.size) < RATES.pharmacist_coded * pharmacist
    p_stay, p_day = p_stay[coded], p_day[coded]
    reviews = (
        pl.concat(
            [
                _coded("smr", person_of[stay[smr]], stay[smr], day[smr]),
                _coded("medication_review", person_of[stay[~smr]], stay[~smr], day[~smr]),
                _coded("smr", person_of[p_stay], p_stay, p_day),
            ]
        )
        .sort("person", "day", "code", maintain_order=True)
        .unique(["person", "day", "code"], keep="first", maintain_order=True)
        .pipe(_one_review_a_day)
    )

    stay, day = nights_before(rng, stays, days_before(cal, ACUTE_HISTORY_DAYS))
    keep = rng.random(stay.size) < ACUTE_CHANCE
    stay, day = stay[keep], day[keep]
    acute = pl.DataFrame(
        {
            "person": person_of[stay],
            "day": day,
            "drug": len(FORMULARY) + rng.integers(0, len(ACUTE), stay.size),
            "template": np.full(stay.size, -1),
            "repeat": np.zeros(stay.size, dtype=bool),
            "stay": stay,
        },
        schema_overrides={"person": pl.Int64, "day": pl.Int64, "stay": pl.Int64},
    )
    return reviews, acute


def _one_review_a_day(gp: pl.DataFrame) -> pl.DataFrame:
    """A structured review and a plain one on the same day are one review: the SMR."""
    review = pl.col("code") == CODE["medication_review"]
    smr_days = gp.filter(pl.col("code") == CODE["smr"]).select("person", "day")
    clash = gp.filter(review).join(
        smr_days, on=["person", "day"], how="semi", maintain_order="left"
    )
    return gp.join(clash, on=["person", "day", "code"], how="anti", maintain_order="left")


def draw_medication(
    rng: np.random.Generator, on_roll: np.ndarray, gp_events: pl.DataFrame, at: At
) -> pl.DataFrame:
    """Repeat issues every 28 days (8-12 medicines each), some stopped at reviews; acutes."""
    n_people, n = on_roll.shape
    n_drugs = len(FORMULARY)
    count = rng.integers(8, 13, n_people)
    choice = np.argsort(rng.random((n_people, n_drugs)), axis=1)
    keep = np.arange(n_drugs)[None, :] < count[:, None]
    pair_person, pair_slot = np.nonzero(keep)
    pair_drug = choice[pair_person, pair_slot]
    offsets = np.r_[0, np.cumsum(count)[:-1]]
    stop = np.full(pair_person.size, n, dtype=np.int64)
    reviews = gp_events.filter(pl.col("code").is_in([CODE["smr"], CODE["medication_review"]]))
    r_person = reviews["person"].to_numpy()
    stopped = rng.random(r_person.size) < 0.5  # about half of reviews stop a medicine
    r_person, r_day = r_person[stopped], reviews["day"].to_numpy()[stopped]
    pair = offsets[r_person] + (rng.random(r_person.size) * count[r_person]).astype(np.int64)
    np.minimum.at(stop, pair, r_day + 1)

    rolled = on_roll >= 0
    has_roll = rolled.any(axis=1)
    first = np.where(has_roll, rolled.argmax(axis=1), n)
    anchor = first[pair_person] + rng.integers(0, 28, pair_person.size)
    cycles = n // 28 + 2
    k = np.arange(cycles)
    day = (anchor[:, None] + 28 * k[None, :]).ravel()
    pair_of = np.repeat(np.arange(pair_person.size), cycles)
    ok = day < np.minimum(stop[pair_of], n)
    ok[ok] &= on_roll[pair_person[pair_of[ok]], day[ok]] >= 0
    pair_of, day = pair_of[ok], day[ok]
    repeats = pl.DataFrame(
        {
            "person": pair_person[pair_of],
            "day": day,
            "drug": pair_drug[pair_of],
            "template": pair_of,
            "repeat": np.ones(day.size, dtype=bool),
        }
    )
    i = at.one_per_stay_month(rng)
    i = i[rng.random(i.size) < ACUTE_CHANCE]
    acute = pl.DataFrame(
        {
            "person": at.person[i],
            "day": at.day[i],
            "drug": n_drugs + rng.integers(0, len(ACUTE), i.size),
            "template": np.full(i.size, -1),
            "repeat": np.zeros(i.size, dtype=bool),
        }
    )
    stay = on_roll[
        np.r_[repeats["person"].to_numpy(), acute["person"].to_numpy()],
        np.r_[repeats["day"].to_numpy(), acute["day"].to_numpy()],
    ]
    return (
        pl.concat([repeats, acute])
        .with_columns(stay=pl.Series(stay.astype(np.int64)))
        .unique(["person", "day", "drug"], keep="first", maintain_order=True)
        .sort("person", "day", "drug", maintain_order=True)
    )


def draw_spell_rows(
    rng: np.random.Generator, stays: pl.DataFrame, spells: pl.DataFrame, homes: HomeTable
) -> pl.DataFrame:
    """Hospital spells with their codes: method, source, destination, diagnosis, HRG."""
    n = spells.height
    source = np.array(homes.source_code)
    home = stays["home"].to_numpy()[spells["stay"].to_numpy()]
    diag = rng.integers(0, len(DIAGNOSES), n)
    elsewhere = np.where(rng.random(n) < 0.5, "19", source[rng.integers(0, source.size, n)])
    outcome = spells["outcome"].to_numpy()
    elective = spells["method"].to_numpy() == "11"
    fall = spells["fall"].to_numpy()
    icd = np.select(
        [fall, elective],
        [FALL_DIAGNOSIS[0], ELECTIVE_DIAGNOSIS[0]],
        np.array([d[0] for d in DIAGNOSES])[diag],
    )
    hrg = np.select(
        [fall, elective],
        [FALL_DIAGNOSIS[1], ELECTIVE_DIAGNOSIS[1]],
        np.array([d[1] for d in DIAGNOSES])[diag],
    )
    dest = np.select(
        [outcome == "returned", outcome == "died", outcome == "not_returned"],
        [source[home], "79", elsewhere],
        "",
    )
    return spells.with_columns(
        source=pl.Series(source[home]),
        destination=pl.Series(dest).replace("", None),
        icd10=pl.Series(icd),
        hrg=pl.Series(hrg),
        home=pl.Series(home),
    ).join(stays.select("stay", "person"), on="stay", maintain_order="left")
