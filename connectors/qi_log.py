"""The QI log: what sites keep by hand beside their records (docs/extracts.md §6).

Three spreadsheets, in the site's ``qi_log/`` folder:

* ``qi_activity_log.csv``: one row per activity no clinical system records (triage-tool
  completion, MDT review, pharmacist medication review, dietetic review, admission MDT
  review, PDSA cycle), from the template in ``data/templates/``. Residents are named by
  the home's resident_local_id.
* ``change_log.csv``: the change ideas tested, each with the homes and the measures it
  is meant to move (``;``-separated lists); the charts annotate them.
* ``baselines.csv``: the team's decisions on a chart's limits: ``freeze`` them on the
  points up to a month, or ``rebase`` (new limits) from a month.

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

import polars as pl

from connectors.base import Layout, date
from connectors.schemas import BASELINE_ACTIONS, QI_ACTIVITIES
from connectors.values import text

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

LAYOUTS = {
    ("qi_log", "qi_activity"): ACTIVITIES,
    ("qi_log", "change_log"): CHANGES,
    ("qi_log", "baselines"): BASELINES,
}
