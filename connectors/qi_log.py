"""The QI activity log: the activities no clinical system records, kept by hand.

One row per activity (triage-tool completion, MDT review, pharmacist medication
review, dietetic review, admission MDT review, PDSA cycle), from the template in
``data/templates/``. Residents are named by the home's resident_local_id.
"""

from __future__ import annotations

import polars as pl

from connectors.base import Context, Layout, Parsed, apply, date
from connectors.reading import RawFile
from connectors.schemas import QI_ACTIVITIES
from connectors.values import text

OUTCOMES = tuple(sorted({o for outcomes in QI_ACTIVITIES.values() for o in outcomes}))


def activities(raw: RawFile, ctx: Context) -> Parsed:
    """qi_activity_log.csv: one row per activity."""
    resident = text("resident_id")
    layout = Layout(
        table="raw_qi_activity",
        parse={"activity_date": date(raw, "activity_date")},
        required=("home_id", "activity_date", "activity_type"),
        allowed={"activity_type": tuple(QI_ACTIVITIES), "outcome": OUTCOMES},
        dedupe=False,
        select={
            "site_id": pl.lit(ctx.site_id),
            "home_id": text("home_id"),
            "person_key": pl.when(resident.is_not_null()).then(
                pl.concat_str(text("home_id"), pl.lit("/"), resident)
            ),
            "activity_date": pl.col("activity_date").dt.date(),
            "activity_type": text("activity_type").str.to_lowercase(),
            "outcome": text("outcome").str.to_lowercase(),
        },
    )
    return apply(raw, layout)


TABLES = {("qi_log", "qi_activity"): activities}
