"""The care-home minimum extract: residents, absences, incidents, observations.

Each home's files sit in a folder named by its CQC location id. Residents carry the NHS
number; the other files refer to them by the home's ``resident_local_id``, which the
loader links to the resident's pseudonym within the same home.

Examples
--------
>>> LAYOUTS["carehome", "observations"].reads["unit"]
('unit',)
"""

from __future__ import annotations

import polars as pl

from connectors.base import Layout, date, home, month
from connectors.values import flag, nhs_number, numbers, text

ADMISSION_TYPES = ("permanent", "respite", "step_down")
DISCHARGE_REASONS = ("died", "transfer_other_home", "hospital_not_returned", "home")
ABSENCE_REASONS = ("hospital_admission", "ae_only", "other")
INCIDENT_TYPES = ("fall", "pressure_ulcer", "other")
HARM_LEVELS = ("none", "low", "moderate", "severe", "death")
OBS_TYPES = ("weight_kg", "must_score", "bmi", "waterlow")


def _key(where: pl.Expr) -> pl.Expr:
    """A resident's key within the site: ``<home>/<resident_local_id>``."""
    return pl.concat_str(where, pl.lit("/"), pl.col("resident_local_id").str.strip_chars())


def _located() -> dict[str, pl.Expr]:
    """Where a row of a home's absences, incidents or observations comes from."""
    return {"home_id": home(), "person_key": _key(home())}


def _lower(column: str, *, keep: tuple[str, ...] = ()) -> pl.Expr:
    return text(column, keep=keep).str.to_lowercase()


# residents.csv: one row per stay in the home.
RESIDENTS = Layout(
    table="raw_carehome_resident",
    parse={
        "nhs_number": ("nhs_number", nhs_number("nhs_number")),
        "date_of_birth": date("date_of_birth"),
        "admission_date": date("admission_date"),
        "discharge_date": date("discharge_date"),
    },
    required=("home_id", "resident_local_id", "nhs_number", "date_of_birth", "admission_date"),
    allowed={
        "admission_type": ADMISSION_TYPES,
        "discharge_reason": DISCHARGE_REASONS,
        "sex": ("m", "f", "u"),
    },
    select={
        "home_id": text("home_id"),
        "person_key": _key(pl.coalesce(home(), text("home_id"))),
        "nhs": pl.col("nhs_number"),
        "birth_month": month("date_of_birth"),
        "sex": text("sex").str.to_uppercase(),
        "admission_date": pl.col("admission_date").dt.date(),
        "admission_type": _lower("admission_type"),
        "discharge_date": pl.col("discharge_date").dt.date(),
        "discharge_reason": _lower("discharge_reason"),
        "preferred_place_of_death": _lower("preferred_place_of_death"),
    },
    pseudonymise=True,
)


# absences.csv: nights away, such as hospital stays (not occupied bed days).
ABSENCES = Layout(
    table="raw_carehome_absence",
    parse={
        "depart_datetime": date("depart_datetime"),
        "return_datetime": date("return_datetime"),
    },
    required=("resident_local_id", "depart_datetime", "reason"),
    allowed={"reason": ABSENCE_REASONS},
    select={
        **_located(),
        "start_dt": pl.col("depart_datetime"),
        "end_dt": pl.col("return_datetime"),
        "reason": _lower("reason"),
    },
)


# incidents.csv: falls, pressure ulcers and other incidents, with harm.
INCIDENTS = Layout(
    table="raw_carehome_incident",
    parse={"incident_datetime": date("incident_datetime")},
    required=("resident_local_id", "incident_datetime", "incident_type"),
    allowed={"incident_type": INCIDENT_TYPES, "harm_level": HARM_LEVELS},
    select={
        **_located(),
        "incident_dt": pl.col("incident_datetime"),
        "incident_type": _lower("incident_type"),
        # "none" is a harm level, not a missing value (docs/extracts.md §4)
        "harm_level": _lower("harm_level", keep=("none",)),
        "hospital_transfer": flag("hospital_transfer"),
        "ambulance_called": flag("ambulance_called"),
        "gp_called": flag("gp_called"),
        "out_of_hours": flag("out_of_hours"),
    },
)


# observations.csv: weights, MUST scores, BMI, Waterlow (numbers may carry units).
OBSERVATIONS = Layout(
    table="raw_carehome_observation",
    parse={
        "obs_datetime": date("obs_datetime"),
        "value": ("number", numbers("value")),
    },
    required=("resident_local_id", "obs_datetime", "obs_type", "value"),
    allowed={"obs_type": OBS_TYPES},
    select={
        **_located(),
        "obs_dt": pl.col("obs_datetime"),
        "obs_type": _lower("obs_type"),
        "value_num": pl.col("value"),
        "comparator": pl.col("value__comparator"),
        "unit": pl.coalesce(text("unit"), pl.col("value__unit")),
    },
)


LAYOUTS = {
    ("carehome", "residents"): RESIDENTS,
    ("carehome", "absences"): ABSENCES,
    ("carehome", "incidents"): INCIDENTS,
    ("carehome", "observations"): OBSERVATIONS,
}
