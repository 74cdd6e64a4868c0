"""The QI activity log: the activities no clinical system records, kept by hand.

One row per activity (triage-tool completion, MDT review, pharmacist medication
review, dietetic review, admission MDT review, PDSA cycle), from the template in
``data/templates/``. Residents are named by the home's resident_local_id.

Examples
--------
>>> sorted(LAYOUTS["qi_log", "qi_activity"].reads)
['activity_date', 'activity_type', 'home_id', 'outcome', 'resident_id']
"""

from __future__ import annotations

import polars as pl

from connectors.base import Layout, date
from connectors.schemas import QI_ACTIVITIES
from connectors.values import text

OUTCOMES = tuple(sorted({o for outcomes in QI_ACTIVITIES.values() for o in outcomes}))
_RESIDENT = text("resident_id")

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

LAYOUTS = {("qi_log", "qi_activity"): ACTIVITIES}
