"""The QI log: what sites keep by hand beside their records (docs/extracts.md §6).

Four spreadsheets, in the site's ``qi_log/`` folder:

* ``qi_activity_log.csv``: one row per activity no clinical system records (triage-tool
  completion, MDT review, pharmacist medication review, dietetic review, admission MDT
  review, PDSA cycle), from the template in ``data/templates/``. Residents are named by
  the home's resident_local_id.
* ``change_log.csv``: the change ideas tested, each with the homes and the measures it
  is meant to move (``;``-separated lists); the charts annotate them.
* ``baselines.csv``: the team's decisions on a chart's limits: ``freeze`` them on the
  points up to a month, or ``rebase`` (new limits) from a month.
* ``intervention_costs.csv``: what the improvement work cost, for the return on
  investment: staff, backfill and coaching hours (by role and band), and training,
  materials, travel and data in pounds, each over the period it covers.

Measure ids are kept as text: the measures engine checks them against its catalogue.

Examples
--------
>>> sorted(LAYOUTS["qi_log", "qi_activity"].reads)
['activity_date', 'activity_type', 'home_id', 'outcome', 'resident_id']
>>> d = pl.DataFrame({"homes": ["all", "1-101; 1-102;", "Elm House"]})
>>> parsed = d.select(id_list("homes", CQC_ID, HOME, everything="all")).unnest("homes")
>>> parsed.select("value", "everything").rows()
[(['all'], True), (['1-101', '1-102'], False), (['Elm House'], False)]
>>> parsed["problem"][2][:49]
"holds 'Elm House', which is not a CQC location id"
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from connectors.base import Layout, date
from connectors.schemas import (
    BASELINE_ACTIONS,
    COST_BANDS,
    COST_CATEGORIES,
    COST_ROLES,
    QI_ACTIVITIES,
    STAFF_TIME,
)
from connectors.values import dates, numbers, text

if TYPE_CHECKING:
    from connectors.reading import RawFile

OUTCOMES = tuple(sorted({o for outcomes in QI_ACTIVITIES.values() for o in outcomes}))
_RESIDENT = text("resident_id")
CQC_ID = r"^1-\d+$"  # docs/extracts.md §4: "1-" and digits, as the home's folder
HOME = "CQC location id (1- and digits, the name of the home's folder under carehome/)"
MEASURE_ID = r"^[^\s,;]+$"  # one id (S1, P2.1); the measures engine checks it exists
MEASURE = "measure id of the catalogue (S1, P2.1, O1.2)"


def id_list(
    column: str, pattern: str, what: str, *, everything: str | None = None, many: bool = True
) -> pl.Expr:
    """A ``;``-separated list of ids, each matching ``pattern``, as a parsed struct.

    ``value`` holds the ids, stripped, without empty items or repeats; ``everything``
    is true where the whole value is the word ``everything`` (``all`` homes), in any
    case; ``problem`` names the first item that is not a ``what``, or says that the list
    has none, or (``many`` false) more than one.
    """
    raw = text(column)
    items = (
        raw.str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.unique(maintain_order=True)
    )
    whole = raw.str.to_lowercase() == everything if everything else pl.lit(value=False)
    bad = items.list.eval(pl.element().filter(~pl.element().str.contains(pattern))).list.first()
    problem = (
        pl.when(raw.is_null() | whole.fill_null(value=False))
        .then(None)
        .when(items.list.len() == 0)
        .then(pl.lit(f"holds no {what}"))
        .when(bad.is_not_null())
        .then(pl.concat_str(pl.lit("holds '"), bad, pl.lit(f"', which is not a {what}")))
        .when(pl.lit(not many) & (items.list.len() > 1))
        .then(pl.lit(f"holds more than one {what}: give each its own row"))
    )
    return pl.struct(
        items.alias("value"),
        whole.fill_null(value=False).alias("everything"),
        problem.alias("problem"),
    ).alias(column)


def _homes(column: str) -> pl.Expr:
    """The homes of a parsed ``id_list``; null for ``all`` (or none named): every home."""
    named = pl.col(column).list.len() > 0
    return pl.when(named & ~pl.col(f"{column}__everything")).then(pl.col(column))


# qi_activity_log.csv: one row per activity.
ACTIVITIES = Layout(
    table="raw_qi_activity",
    parse={"activity_date": date("activity_date")},
    required=("home_id", "activity_date", "activity_type"),
    allowed={"activity_type": tuple(QI_ACTIVITIES), "outcome": OUTCOMES},
    dedupe=False,
    select={
        "home_id": text("home_id"),
        "person_key": pl.when(_RESIDENT.is_not_null()).then(
            pl.concat_str(text("home_id"), pl.lit("/"), _RESIDENT)
        ),
        "activity_date": pl.col("activity_date").dt.date(),
        "activity_type": text("activity_type").str.to_lowercase(),
        "outcome": text("outcome").str.to_lowercase(),
    },
)

# change_log.csv: one row per change idea; homes `all` or CQC ids, measures ids, `;` lists.
CHANGES = Layout(
    table="raw_qi_change_idea",
    parse={
        "homes": ("home_id", id_list("homes", CQC_ID, HOME, everything="all")),
        "measures": ("measure_id", id_list("measures", MEASURE_ID, MEASURE)),
        "start_date": date("start_date"),
    },
    required=("change_id", "title", "homes", "measures", "start_date"),
    unique=("change_id",),
    select={
        "change_id": text("change_id"),
        "title": text("title"),
        "home_ids": _homes("homes"),
        "measure_ids": pl.col("measures"),
        "start_date": pl.col("start_date").dt.date(),
        "cycle": text("cycle"),
        "owner": text("owner"),
    },
)

# baselines.csv: one row per decision on a measure's limits; home blank or `all`: every home.
BASELINES = Layout(
    table="raw_qi_baseline",
    parse={
        "measure": ("measure_id", id_list("measure", MEASURE_ID, MEASURE, many=False)),
        "home": ("home_id", id_list("home", CQC_ID, HOME, everything="all")),
        "date": date("date"),
        "decided_on": date("decided_on"),
    },
    required=("measure", "action", "date", "decided_by", "decided_on"),
    allowed={"action": BASELINE_ACTIONS},
    unique=("measure", "home", "action", "date"),
    select={
        "measure_id": pl.col("measure").list.first(),
        "home_ids": _homes("home"),
        "action": text("action").str.to_lowercase(),
        "effective_date": pl.col("date").dt.date(),
        "decided_by": text("decided_by"),
        "decided_on": pl.col("decided_on").dt.date(),
        "reason": text("reason"),
    },
)

# intervention_costs.csv: one row per cost line (docs/extracts.md §6.3). A row's checks
# look at its other columns: a staff row needs a role and hours (or its cost), an hourly
# rate needs a band the role has a unit cost for, a training row needs its cost.
_CATEGORY = text("category").str.to_lowercase()
_ROLE = text("role").str.to_lowercase()
_TIMED = _CATEGORY.is_in(STAFF_TIME)  # time costed at an hourly rate, unless cost_gbp says
_NO_COST = text("cost_gbp").is_null()
_AFC_BAND = r"^([1-9]|8[a-d])$"  # Agenda for Change: bands 1 to 9, 8 split into 8a-8d
_HOURS = ("h", "hr", "hrs", "hour", "hours")
_POUNDS = ("gbp", "pounds")


def _struct(column: str, value: pl.Expr, problem: pl.Expr) -> pl.Expr:
    return pl.struct(value.alias("value"), problem.alias("problem")).alias(column)


def _band_text() -> pl.Expr:
    """The band as written, lower case, without a leading "Band" ("Band 8A" is ``8a``)."""
    b = text("band").str.to_lowercase().str.replace(r"^band\s*", "").str.strip_chars()
    return pl.when(b != "").then(b)


def _role() -> pl.Expr:
    """The role: one of COST_ROLES; a staff, backfill or coaching row must name one."""
    problem = (
        pl.when(_ROLE.is_not_null() & ~_ROLE.is_in(COST_ROLES))
        .then(pl.lit(f"must be one of: {', '.join(COST_ROLES)}"))
        .when(_ROLE.is_null() & _TIMED)
        .then(
            pl.format(
                "is empty, but a {} row needs the role of whoever gave the time ({})",
                _CATEGORY,
                pl.lit(", ".join(COST_ROLES)),
            )
        )
        .when((_ROLE == "other") & _TIMED & _NO_COST)
        .then(pl.lit("is other, which has no hourly unit cost: give the row's cost in cost_gbp"))
    )
    return _struct("role", _ROLE, problem)


def _band() -> pl.Expr:
    """The band: one with an hourly unit cost where the row's time is costed by it."""
    band, banded = _band_text(), _ROLE.is_in(list(COST_BANDS))
    offered = _ROLE.replace_strict(
        {r: f"{', '.join(b[:-1])} or {b[-1]}" for r, b in COST_BANDS.items()},
        default=None,
        return_dtype=pl.String,
    )
    priced = pl.concat_str(_ROLE, pl.lit(":"), band).is_in(
        [f"{r}:{b}" for r, bands in COST_BANDS.items() for b in bands]
    )
    costed = banded & _TIMED & _NO_COST  # the hours are priced at the band's rate
    problem = (
        pl.when(band.is_not_null() & ~band.str.contains(_AFC_BAND))
        .then(pl.lit("is not an Agenda for Change band (1 to 9, or 8a to 8d)"))
        .when(band.is_not_null() & _ROLE.is_in(("gp", "care_worker")))
        .then(
            pl.format(
                "is given for a {}, but only pharmacist, dietitian and nurse rows have a "
                "band: leave it empty",
                _ROLE,
            )
        )
        .when(costed & band.is_null())
        .then(
            pl.format(
                "is empty, but a {}'s hourly cost depends on the band: give {}", _ROLE, offered
            )
        )
        .when(costed & ~priced)
        .then(
            pl.format(
                "{} has no hourly unit cost for a {}: give {}, or the row's cost in cost_gbp",
                band,
                _ROLE,
                offered,
            )
        )
    )
    return _struct("band", band, problem)


def _amount(column: str, units: tuple[str, ...], missing: pl.Expr, need: pl.Expr) -> pl.Expr:
    """A number of hours or pounds: plain, 0 or more, present where ``missing`` says."""
    n = numbers(column)
    value, unit = n.struct.field("value"), n.struct.field("unit").str.to_lowercase()
    problem = pl.coalesce(
        n.struct.field("problem"),
        pl.when(value.is_not_null() & n.struct.field("comparator").is_not_null()).then(
            pl.lit("is not a plain number: write it without <, > or =")
        ),
        pl.when(unit.is_not_null() & ~unit.is_in(units)).then(
            pl.format("is in {}: write the number alone", n.struct.field("unit"))
        ),
        pl.when(value < 0).then(pl.lit("is negative: give 0 or more")),
        pl.when(text(column).is_null() & missing).then(need),
    )
    return _struct(column, value, problem)


def _hours() -> pl.Expr:
    need = pl.format(
        "is empty, but a {} row needs the hours given (or, if its cost is known, cost_gbp)",
        _CATEGORY,
    )
    return _amount("hours", _HOURS, _TIMED & _NO_COST, need)


def _cost() -> pl.Expr:
    untimed = _CATEGORY.is_in(COST_CATEGORIES) & ~_TIMED
    need = pl.format("is empty, but a {} row needs its cost in pounds", _CATEGORY)
    return _amount("cost_gbp", _POUNDS, untimed, need)


def _to_date(raw: RawFile) -> pl.Expr:
    """The period's last day: a date, and not before its first (``from_date``)."""
    formats = raw.spec.date_formats
    end = dates("to_date", formats, raw.rows.get_column("to_date"))
    start = dates("from_date", formats, raw.rows.get_column("from_date"))
    before = end.struct.field("value") < start.struct.field("value")
    problem = pl.coalesce(
        end.struct.field("problem"),
        pl.when(before).then(
            pl.lit("is before from_date: a period ends on or after its first day (swap them?)")
        ),
    )
    return _struct("to_date", end.struct.field("value"), problem)


COSTS = Layout(
    table="raw_qi_intervention_cost",
    parse={
        "role": ("role", _role()),
        "band": ("band", _band()),
        "hours": ("hours", _hours()),
        "cost_gbp": ("cost", _cost()),
        "from_date": date("from_date"),
        "to_date": ("date", _to_date),
    },
    required=("item", "category", "from_date", "to_date"),
    allowed={"category": COST_CATEGORIES},
    select={
        "item": text("item"),
        "category": _CATEGORY,
        "role": pl.col("role"),
        "band": pl.col("band"),
        "hours": pl.col("hours"),
        "cost_gbp": pl.col("cost_gbp"),
        "from_date": pl.col("from_date").dt.date(),
        "to_date": pl.col("to_date").dt.date(),
        "note": text("note"),
    },
)

LAYOUTS = {
    ("qi_log", "qi_activity"): ACTIVITIES,
    ("qi_log", "change_log"): CHANGES,
    ("qi_log", "baselines"): BASELINES,
    ("qi_log", "intervention_costs"): COSTS,
}
