"""Projects 3 and 4 and the system-wide outcomes (P3, O3, P4, O4, S), from the world.

Each measure is counted here again from the simulation's own records, with the
definitions its declaration gives (``warehouse/measures/catalogue/<key>.toml``), never
through the extracts or the SQL:

* a resident is a simulated person and a home a home index; an event counts in the
  home of the stay it belongs to, a QI-log row in the home that logged it;
* occupied bed days are the nights in ``world.present``; residents in a month, the
  people with at least one of those nights;
* the data end on the calendar's last day: follow-up windows (7 days after a triage,
  7 working days or 30 days after an admission) count only when they end by then;
* a home's incident log covers the months from its first to its last incident: where
  it is absent the falls measures fall back to the GP's fall codes, the others have no
  value;
* a death (a stay ending ``died``) was in hospital when a spell of the person was under
  way on the day: discharged that day through death, or not discharged;
* a preferred place of death is the stay's (``stays["preferred_place"]``, None where
  the home recorded none); it is met when it is where the resident died.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from synth.codes import CODE, EMERGENCY_METHODS
from synth.expected import SCHEMA
from synth.simulate import World

# the declarations' parameters (warehouse/measures/catalogue/*.toml [params])
TRIAGE_REVIEW_DAYS = 7  # P3.2 window_days
COHORT_DAYS = 90  # O3.1 cohort_days
WORKING_DAYS = 7  # P4.1-P4.3 window_working_days
MIN_STAY_DAYS = 7  # P4.1-P4.3 min_stay_days
FOLLOW_UP_DAYS = 30  # O4.1 follow_up_days
FIRST_DAYS = 30  # O4.2 first_days
WITHIN_DAYS = 90  # O4.3, O4.3b within_days
HARM = ("moderate", "severe", "death")
PLACES = ("care_home", "hospital")  # the places a death on the roll can be in


def expected(world: World) -> pl.DataFrame:
    """The measures of this part of the catalogue, per home and period index."""
    t = _Truth(world)
    frames = [
        t.p3(),
        t.o3(),
        t.p4(),
        t.o4(),
        t.system(),
    ]
    return pl.concat([f.select(list(SCHEMA)).cast(SCHEMA) for f in frames])


class _Truth:
    """The world's records as frames keyed by home and period, and the grids of periods."""

    def __init__(self, w: World) -> None:
        self.w = w
        cal = w.cal
        self.n = cal.n_days
        self.stays = w.stays.select("stay", "person", "home", "start", "end", "reason")
        # the period of each day: month index, and the index of its quarter's first month
        # (none where the quarter is not wholly inside the calendar)
        m = np.arange(cal.months)
        in_quarter = np.array([(d.month - 1) % 3 for d in cal.month_dates])
        first = m - in_quarter
        whole = (first >= 0) & (first + 2 < cal.months)
        self.month_of = cal.month_of_day
        self.quarter_of_month = np.where(whole, first, -1)
        self.quarter_of = np.where(whole, first, -1)[cal.month_of_day]
        # nights in the home: OBD and residents per home and month
        stay_home = w.stays["home"].to_numpy()
        p, d = np.nonzero(w.present >= 0)
        self.nights = pl.DataFrame(
            {"person": p, "day": d, "stay": w.present[p, d].astype(np.int64)}
        ).with_columns(home=pl.Series(stay_home[w.present[p, d]]))
        self.grid = (
            self.on_days(self.nights)
            .group_by("home", "month")
            .agg(obd=pl.len(), residents=pl.col("person").n_unique())
        )
        self.quarters = (
            self.grid.select(
                "home", quarter=pl.Series(self.quarter_of_month[self.grid["month"].to_numpy()])
            )
            .filter(pl.col("quarter") >= 0)
            .unique()
        )
        self.incidents = self.with_stay(w.incidents)
        self.log_months = (
            self.on_days(self.incidents)
            .group_by("home")
            .agg(lo=pl.col("month").min(), hi=pl.col("month").max())
        )
        qi = w.qi.filter(pl.col("stay").is_not_null()).join(
            self.stays.select("stay", "person"), on="stay"
        )
        self.qi = qi.select("home", "person", "day", "type", "outcome")
        self.triage = (
            self.qi.filter((pl.col("type") == "triage_tool") & (pl.col("outcome") == "at_risk"))
            .select("home", "person", "day")
            .unique()
        )
        spells = self.with_stay(w.spells.drop("home", "person").rename({"admit": "day"}))
        self.spells = spells.with_row_index("spell")
        self.emergency = self.spells.filter(pl.col("method").is_in(EMERGENCY_METHODS))
        self.deaths = self.place_of_death(
            self.stays.filter(
                (pl.col("reason") == "died") & pl.col("end").is_between(0, self.n - 1)
            )
        )

    # ----------------------------------------------------------------------------------
    # helpers

    def with_stay(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Records with their stay's person, home, start and end (the stay's home wins)."""
        return frame.drop("home", "person", strict=False).join(self.stays, on="stay")

    def on_days(self, frame: pl.DataFrame, day: str = "day") -> pl.DataFrame:
        """Records dated inside the calendar, with the month and quarter of ``day``."""
        inside = frame.filter(pl.col(day).is_between(0, self.n - 1))
        at = inside[day].to_numpy()
        return inside.with_columns(
            month=pl.Series(self.month_of[at], dtype=pl.Int64),
            quarter=pl.Series(self.quarter_of[at], dtype=pl.Int64).replace(-1, None),
        )

    def rows(
        self,
        measure: str,
        counted: pl.DataFrame,
        *,
        period: str = "month",
        denominator: str | None = None,
        log: bool = False,
    ) -> pl.DataFrame:
        """Every home-period with bed days, its numerator and denominator (zeros kept).

        ``counted`` has home, ``period`` and a numerator (and a denominator column, or
        ``denominator`` names one of the grid's: obd, residents). ``log`` (months only)
        leaves the numerator empty where the home's incident log is absent.
        """
        grid = self.grid if period == "month" else self.quarters
        out = grid.join(counted, on=["home", period], how="left").with_columns(
            pl.col("numerator").fill_null(0).cast(pl.Float64)
        )
        if denominator is not None:
            out = out.with_columns(denominator=pl.col(denominator).cast(pl.Float64))
        elif "denominator" in counted.columns:
            out = out.with_columns(pl.col("denominator").fill_null(0).cast(pl.Float64))
        else:
            out = out.with_columns(denominator=pl.lit(None, dtype=pl.Float64))
        if log:
            out = out.join(self.log_months, on="home", how="left").with_columns(
                numerator=pl.when(pl.col(period).is_between(pl.col("lo"), pl.col("hi"))).then(
                    "numerator"
                )
            )
        return out.select(
            measure_id=pl.lit(measure),
            home="home",
            period_idx=period,
            numerator="numerator",
            denominator="denominator",
        )

    def place_of_death(self, died: pl.DataFrame) -> pl.DataFrame:
        """Deaths (stays ending ``died``) with their place: hospital or the care home."""
        under_way = (
            died.select("stay", "person", "end")
            .join(self.spells.select("person", "day", "discharge", "outcome"), on="person")
            .filter(
                (pl.col("day") <= pl.col("end"))
                & (
                    ((pl.col("discharge") == pl.col("end")) & (pl.col("outcome") == "died"))
                    | pl.col("discharge").is_null()
                )
            )
            .select("stay")
            .unique()
        )
        return died.with_columns(
            place=pl.when(pl.col("stay").is_in(under_way["stay"].implode()))
            .then(pl.lit(PLACES[1]))
            .otherwise(pl.lit(PLACES[0]))
        )

    def deadline(self, day: pl.Series, working_days: int) -> pl.Series:
        """The day index of the ``working_days``-th weekday after each day (numpy busdays)."""
        origin = np.datetime64(self.w.cal.start, "D")
        dates = origin + day.to_numpy().astype("timedelta64[D]")
        due = np.busday_offset(dates, working_days, roll="backward")
        return pl.Series((due - origin).astype(np.int64))

    # ----------------------------------------------------------------------------------
    # Project 3 (docs/domain.md §2.5)

    def p3(self) -> pl.DataFrame:
        triage = self.on_days(self.triage)
        p3_1 = triage.group_by("home", "month").agg(numerator=pl.col("person").n_unique())

        reviews = self.qi.filter(pl.col("type") == "mdt_review")
        review_days = reviews.select("person", rday="day").unique()
        judged = triage.filter(pl.col("day") + TRIAGE_REVIEW_DAYS <= self.n - 1)
        seen = (
            judged.join(review_days, on="person")
            .filter(pl.col("rday").is_between("day", pl.col("day") + TRIAGE_REVIEW_DAYS))
            .select("home", "person", "day")
            .unique()
            .with_columns(reviewed=pl.lit(value=True))
        )
        p3_2 = (
            judged.join(seen, on=["home", "person", "day"], how="left")
            .group_by("home", "month")
            .agg(numerator=pl.col("reviewed").sum(), denominator=pl.len())
        )

        per_review = reviews.group_by("home", "person", "day").agg(
            planned=(pl.col("outcome") == "plan_agreed").any()
        )
        p3_3 = (
            self.on_days(per_review)
            .group_by("home", "month")
            .agg(numerator=pl.col("planned").sum(), denominator=pl.len())
        )

        home_id = dict(enumerate(self.w.homes.home_id))
        first_home = (
            reviews.select("person", "day", "home")
            .unique()
            .with_columns(hid=pl.col("home").replace_strict(home_id, return_dtype=pl.String))
            .sort("person", "day", "hid")
            .unique(["person", "day"], keep="first", maintain_order=True)
        )
        tdays = self.triage.select("person", tday="day").unique().sort("tday")
        answered = (
            first_home.sort("day")
            .join_asof(
                tdays,
                left_on="day",
                right_on="tday",
                by="person",
                strategy="backward",
                check_sortedness=False,
            )
            .filter(pl.col("tday").is_not_null())
            .sort("person", "tday", "day", "hid")
            .unique(["person", "tday"], keep="first", maintain_order=True)
        )
        p3_4 = (
            self.on_days(answered)
            .group_by("home", "month")
            .agg(numerator=(pl.col("day") - pl.col("tday")).sum(), denominator=pl.len())
        )
        return pl.concat(
            [
                self.rows("P3.1", p3_1),
                self.rows("P3.2", p3_2),
                self.rows("P3.3", p3_3),
                self.rows("P3.4", p3_4),
            ]
        )

    # ----------------------------------------------------------------------------------
    # outcomes of project 3 (docs/domain.md §2.5)

    def o3(self) -> pl.DataFrame:
        tdays = self.triage.select("person", tday="day").unique()
        cohort = (
            self.emergency.join(tdays, on="person")
            .filter(pl.col("tday").is_between(pl.col("day") - COHORT_DAYS, "day"))
            .select("spell", "home", "day")
            .unique()
        )
        o3_1 = self.on_days(cohort).group_by("home", "month").agg(numerator=pl.len())

        called = self.on_days(self.incidents.filter(pl.col("ambulance") == "Y"))
        o3_3 = called.group_by("home", "month").agg(numerator=pl.len())
        preferred = self.w.stays.select("stay", "preferred_place")  # O3.4 (= S11)
        stated = self.on_days(self.deaths.join(preferred, on="stay"), "end").filter(
            pl.col("preferred_place").is_not_null()
        )
        o3_4 = stated.group_by("home", "quarter").agg(
            numerator=(pl.col("preferred_place") == pl.col("place")).sum(),
            denominator=pl.len(),
        )
        return pl.concat(
            [
                self.rows("O3.1", o3_1),
                self.rows("O3.3", o3_3, denominator="obd", log=True),
                self.rows("O3.4", o3_4, period="quarter"),
            ]
        )

    # ----------------------------------------------------------------------------------
    # Project 4 (docs/domain.md §2.6)

    def admissions(self) -> pl.DataFrame:
        """Stays that began inside the calendar, with the month of their start."""
        return self.on_days(self.stays.rename({"start": "day"})).rename({"day": "start"})

    def p4(self) -> pl.DataFrame:
        adm = self.admissions()
        adm = adm.with_columns(due=self.deadline(adm["start"], WORKING_DAYS))
        judged = adm.filter(
            (pl.col("end").is_null() | (pl.col("end") - pl.col("start") >= MIN_STAY_DAYS))
            & (pl.col("due") <= self.n - 1)
        )
        reviews = self.qi.filter(pl.col("type") == "admission_mdt_review").select(
            "home", "person", rday="day", outcome="outcome"
        )
        found = (
            judged.select("stay", "home", "person", "start", "due")
            .join(reviews, on=["home", "person"])
            .filter(pl.col("rday").is_between("start", "due"))
            .group_by("stay")
            .agg(
                assessed=pl.len() > 0,
                planned=pl.col("outcome").is_in(["pcsp_complete", "bundle_complete"]).any(),
                bundled=(pl.col("outcome") == "bundle_complete").any(),
            )
        )
        flags = judged.join(found, on="stay", how="left").with_columns(
            pl.col("assessed", "planned", "bundled").fill_null(value=False)
        )
        frames = [
            self.rows(
                measure,
                flags.group_by("home", "month").agg(
                    numerator=pl.col(flag).sum(), denominator=pl.len()
                ),
            )
            for measure, flag in (("P4.1", "assessed"), ("P4.2", "planned"), ("P4.3", "bundled"))
        ]

        first = (
            self.stays.join(reviews, on=["home", "person"])
            .filter(
                (pl.col("rday") >= pl.col("start"))
                & (pl.col("end").is_null() | (pl.col("rday") <= pl.col("end")))
            )
            .group_by("stay", "home", "start")
            .agg(day=pl.col("rday").min())
        )
        p4_4 = (
            self.on_days(first)
            .group_by("home", "month")
            .agg(numerator=(pl.col("day") - pl.col("start")).sum(), denominator=pl.len())
        )
        frames.append(self.rows("P4.4", p4_4))
        return pl.concat(frames)

    # ----------------------------------------------------------------------------------
    # outcomes of project 4 (docs/domain.md §2.6)

    def o4(self) -> pl.DataFrame:
        adm = self.admissions().filter(pl.col("start") + FOLLOW_UP_DAYS <= self.n - 1)
        readmitted = (
            adm.select("stay", "person", "start")
            .join(self.emergency.select("person", admit="day"), on="person")
            .filter(pl.col("admit").is_between("start", pl.col("start") + FOLLOW_UP_DAYS))
            .select("stay")
            .unique()
        )
        o4_1 = adm.group_by("home", "month").agg(
            numerator=pl.col("stay").is_in(readmitted["stay"].implode()).sum(),
            denominator=pl.len(),
        )

        early = pl.col("day") - pl.col("start") < FIRST_DAYS
        nights = self.nights.join(self.stays.select("stay", "start"), on="stay").filter(early)
        exposure = self.on_days(nights).group_by("home", "month").agg(denominator=pl.len())
        falls = self.on_days(
            self.incidents.filter(
                (pl.col("type") == "fall") & early & (pl.col("day") >= pl.col("start"))
            )
        )
        o4_2 = exposure.join(
            falls.group_by("home", "month").agg(numerator=pl.len()),
            on=["home", "month"],
            how="full",
            coalesce=True,
        )

        soon = self.on_days(self.deaths, "end").filter(
            pl.col("end") - pl.col("start") <= WITHIN_DAYS
        )
        o4_3 = soon.group_by("home", "quarter").agg(numerator=pl.len())
        o4_3b = soon.group_by("home", "quarter").agg(
            numerator=(pl.col("place") == "hospital").sum(), denominator=pl.len()
        )
        return pl.concat(
            [
                self.rows("O4.1", o4_1),
                self.rows("O4.2", o4_2, log=True),
                self.rows("O4.3", o4_3, period="quarter"),
                self.rows("O4.3b", o4_3b, period="quarter"),
            ]
        )

    # ----------------------------------------------------------------------------------
    # system-wide outcomes (docs/domain.md §2.7)

    def gp_people(self, code: str) -> pl.DataFrame:
        """People with a GP event of ``code`` per home and month (once a person-day)."""
        gp = self.w.gp_events.filter(
            (pl.col("code") == CODE[code]) & pl.col("stay").is_not_null()
        ).select("stay", "day")
        gp = gp.join(self.stays.select("stay", "person", "home"), on="stay")
        return self.on_days(gp).select("home", "month", "person", "day").unique()

    def log_or_gp(self, logged: pl.DataFrame, gp: pl.DataFrame) -> pl.DataFrame:
        """The incident log's numerator where it covers the home-month, else the GP's.

        Both frames hold home, month and numerator.
        """
        return (
            self.grid.select("home", "month")
            .join(self.log_months, on="home", how="left")
            .with_columns(logged=pl.col("month").is_between("lo", "hi").fill_null(value=False))
            .join(logged, on=["home", "month"], how="left")
            .join(gp, on=["home", "month"], how="left", suffix="_gp")
            .select(
                "home",
                "month",
                numerator=pl.when("logged")
                .then(pl.col("numerator").fill_null(0))
                .otherwise(pl.col("numerator_gp").fill_null(0)),
            )
        )

    def system(self) -> pl.DataFrame:
        inc = self.on_days(self.incidents)
        falls = inc.filter(pl.col("type") == "fall")
        logged = falls.group_by("home", "month").agg(numerator=pl.len())
        gp_falls = self.gp_people("fall").group_by("home", "month").agg(numerator=pl.len())
        s1 = self.log_or_gp(logged, gp_falls)
        harmed = falls.filter(pl.col("harm").is_in(HARM) | (pl.col("transfer") == "Y"))
        s2 = harmed.group_by("home", "month").agg(numerator=pl.len())
        s3 = self.on_days(self.emergency).group_by("home", "month").agg(numerator=pl.len())
        s4 = (
            self.on_days(self.with_stay(self.w.ae))
            .group_by("home", "month")
            .agg(numerator=pl.len())
        )

        ulcers = inc.filter(pl.col("type") == "pressure_ulcer")
        logged_pu = ulcers.group_by("home", "month").agg(numerator=pl.col("person").n_unique())
        gp_pu = (
            self.gp_people("pressure_ulcer")
            .group_by("home", "month")
            .agg(numerator=pl.col("person").n_unique())
        )
        s6b = self.log_or_gp(logged_pu, gp_pu)
        s12 = (
            self.on_days(self.deaths, "end")
            .group_by("home", "quarter")
            .agg(numerator=(pl.col("place") == "hospital").sum(), denominator=pl.len())
        )
        return pl.concat(
            [
                self.rows("S1", s1, denominator="obd"),
                self.rows("S2", s2, denominator="obd", log=True),
                self.rows("S3", s3, denominator="obd"),
                self.rows("S4", s4, denominator="obd"),
                self.rows("S6b", s6b, denominator="residents"),
                self.rows("S12", s12, period="quarter"),
            ]
        )
