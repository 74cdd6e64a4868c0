"""Every extract format the connectors read: source, table, schema version and columns.

This module is the single source of truth for file layouts. The connectors detect a
file's source, table and version by matching its header against these specs; the
synthetic-extract generator writes its headers from them. Column lists for the EMIS
and SystmOne bulk extracts follow the public schemas in ``endeavourhealth/Transforms``
(see docs/extracts.md §2.2-2.4); the care-home, hospital and QI-log
layouts are this project's own (docs/extracts.md §2.6 and §4-6).

Examples
--------
>>> spec("systmone", "SRCode", "91").encoding
'cp1252'
>>> [s.version for s in SPECS if s.table == "SRCode"]
['91', '90', '87']
"""

from __future__ import annotations

from dataclasses import dataclass, field

ISO_DATE = "%Y-%m-%d"
TPP_DATE = "%d %b %Y"  # TppCsvToFhirTransformer.DATE_FORMAT "dd MMM yyyy"
DAY_FIRST = ("%d/%m/%Y", "%d-%b-%Y", "%d %b %Y", "%d/%b/%Y", "%d-%m-%Y", "%Y-%m-%d")


@dataclass(frozen=True)
class TableSpec:
    """One version of one table of one source system.

    Attributes
    ----------
    source : str
        Source system: emis, emis_report, systmone, carehome, hospital or qi_log.
    table : str
        Table name as the source calls it (``Admin_Patient``, ``SRCode``, ``residents``).
    version : str
        Schema version, as the source numbers it.
    columns : tuple of str
        The header, in order.
    required : tuple of str
        Columns without which the file is refused whole.
    key : str or None
        Column that identifies a source record (for de-duplication), if any.
    encoding : str
        The encoding the source writes (files are still sniffed).
    date_formats : tuple of str
        strptime formats of its date columns, tried in order (always day first).
    aliases : dict
        Other headings accepted for a column (report exports are laid out by hand).
    """

    source: str
    table: str
    version: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    key: str | None = None
    encoding: str = "utf-8"
    date_formats: tuple[str, ...] = (ISO_DATE,)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)

    @property
    def name(self) -> str:
        """``source/table vVERSION``, as messages and the load log show it."""
        return f"{self.source}/{self.table} v{self.version}"


def _cols(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# --- EMIS bulk extract (endeavourhealth/Transforms emis/csv/schema/**) -------------------
EMIS_PATIENT = _cols("""
    PatientGuid OrganisationGuid UsualGpUserInRoleGuid Sex DateOfBirth DateOfDeath Title
    GivenName MiddleNames Surname DateOfRegistration NhsNumber PatientNumber
    PatientTypeDescription DummyType HouseNameFlatNumber NumberAndStreet Village Town County
    Postcode ResidentialInstituteCode NHSNumberStatus CarerName CarerRelation PersonGuid
    DateOfDeactivation Deleted SpineSensitive IsConfidential EmailAddress HomePhone MobilePhone
    ExternalUsualGPGuid ExternalUsualGP ExternalUsualGPOrganisation ProcessingId
""")
EMIS_OBSERVATION = _cols("""
    ObservationGuid PatientGuid OrganisationGuid EffectiveDate EffectiveDatePrecision EnteredDate
    EnteredTime ClinicianUserInRoleGuid EnteredByUserInRoleGuid ParentObservationGuid CodeId
    ProblemGuid AssociatedText ConsultationGuid Value NumericUnit ObservationType
    NumericRangeLow NumericRangeHigh DocumentGuid Deleted IsConfidential ProcessingId
""")
EMIS_CLINICAL_CODE_53 = _cols("""
    CodeId Term ReadTermId SnomedCTConceptId SnomedCTDescriptionId NationalCode
    NationalCodeCategory NationalDescription EmisCodeCategoryDescription ProcessingId
""")
EMIS_ISSUE_RECORD = _cols("""
    IssueRecordGuid PatientGuid OrganisationGuid DrugRecordGuid EffectiveDate
    EffectiveDatePrecision EnteredDate EnteredTime ClinicianUserInRoleGuid EnteredByUserInRoleGuid
    CodeId Dosage Quantity QuantityUnit ProblemObservationGuid CourseDurationInDays
    EstimatedNhsCost IsConfidential Deleted ProcessingId
""")

# --- SystmOne Strategic Reporting Extract (tpp/csv/schema/**) ---------------------------
SR_PATIENT = _cols("""
    RowIdentifier IDOrganisationVisibleTo Title FirstName MiddleNames Surname PreviousSurname
    NHSNumber DateBirth DateDeath BirthPlace Gender SpeaksEnglish EmailAddress TestPatient SSRef
    SpineMatched
""")
SR_CODE_87 = _cols("""
    RowIdentifier IDOrganisationVisibleTo DateEventRecorded DateEvent IDProfileEnteredBy IDDoneBy
    TextualEventDoneBy IDOrganisationDoneAt CTV3Code CTV3Text NumericComparator IsNumeric
    NumericValue NumericUnit EpisodeType IDTemplate IDEvent IDPatient IDReferralIn IDAppointment
    IDVisit IDOrganisation IDOrganisationRegisteredAt
""")
SR_CODE_91 = (*SR_CODE_87[:10], "SNOMEDCode", "SNOMEDText", *SR_CODE_87[10:])
SR_MEDICATION = _cols("""
    RowIdentifier IDOrganisationVisibleTo DateEventRecorded DateEvent IDProfileEnteredBy IDDoneBy
    TextualEventDoneBy IDOrganisationDoneAt IDMultiLexProduct IDMultiLexPack IDMultiLexDMD
    NameOfMedication DateMedicationStart DateMedicationEnd MedicationDosage MedicationQuantity
    IsSupervised SupervisedDose UnsupervisedDose IsRepeatMedication IsOtherMedication
    IsDentalMedication IsHospitalMedication IDRepeatTemplate IDReferralIn IDEvent IDPatient
    IDOrganisation IDOrganisationRegisteredAt
""")

# --- This project's layouts (docs/extracts.md) -------------------------------------------
RESIDENTS = _cols("""
    home_id resident_local_id nhs_number date_of_birth sex admission_date admission_type
    discharge_date discharge_reason preferred_place_of_death
""")
ABSENCES = _cols("resident_local_id depart_datetime return_datetime reason")
INCIDENTS = _cols("""
    resident_local_id incident_datetime incident_type harm_level hospital_transfer
    ambulance_called gp_called out_of_hours
""")
OBSERVATIONS = _cols("resident_local_id obs_datetime obs_type value unit")
SPELLS = _cols("""
    spell_id nhs_number admit_date discharge_date admission_method admission_source
    discharge_destination primary_diagnosis_icd10 hrg
""")
AE = _cols("attendance_id nhs_number arrival_datetime department_type disposal")
QI_LOG = _cols("home_id resident_id activity_date activity_type outcome")
CHANGE_LOG = _cols("change_id title homes measures start_date cycle owner")
BASELINES = _cols("measure home action date decided_by decided_on reason")
INTERVENTION_COSTS = _cols("item category role band hours cost_gbp from_date to_date note")
EMIS_REPORT = ("NHS Number", "Date of Birth", "Date", "Code", "Term", "Value", "Units")


def _sre(
    table: str, versions: dict[str, tuple[str, ...]], required: tuple[str, ...]
) -> list[TableSpec]:
    """SystmOne SRE tables: cp1252, ``dd MMM yyyy`` dates, keyed by RowIdentifier."""
    return [
        TableSpec(
            "systmone",
            table,
            v,
            cols,
            required,
            key="RowIdentifier",
            encoding="cp1252",
            date_formats=(TPP_DATE,),
        )
        for v, cols in versions.items()
    ]


def _ours(
    source: str,
    table: str,
    cols: tuple[str, ...],
    required: tuple[str, ...],
    key: str | None = None,
) -> TableSpec:
    """A layout of this project's own (version 1): dates day first."""
    return TableSpec(source, table, "1", cols, required, key=key, date_formats=DAY_FIRST)


_EMIS_EVENT = ("PatientGuid", "EffectiveDate", "CodeId", "Deleted")
_ISSUE_REQUIRED = ("IssueRecordGuid", *_EMIS_EVENT)
SPECS: tuple[TableSpec, ...] = (
    TableSpec(
        "emis",
        "Admin_Patient",
        "5.4",
        EMIS_PATIENT,
        ("PatientGuid", "NhsNumber", "DateOfBirth", "Sex", "Deleted"),
        key="PatientGuid",
    ),
    TableSpec(
        "emis",
        "CareRecord_Observation",
        "5.4",
        EMIS_OBSERVATION,
        ("ObservationGuid", *_EMIS_EVENT),
        key="ObservationGuid",
    ),
    TableSpec(
        "emis",
        "Coding_ClinicalCode",
        "5.4",
        (*EMIS_CLINICAL_CODE_53, "ParentCodeId"),
        ("CodeId", "SnomedCTConceptId"),
        key="CodeId",
    ),
    TableSpec(
        "emis",
        "Coding_ClinicalCode",
        "5.3",
        EMIS_CLINICAL_CODE_53,
        ("CodeId", "SnomedCTConceptId"),
        key="CodeId",
    ),
    TableSpec(
        "emis",
        "Prescribing_IssueRecord",
        "5.4",
        EMIS_ISSUE_RECORD,
        _ISSUE_REQUIRED,
        key="IssueRecordGuid",
    ),
    TableSpec(
        "emis",
        "Prescribing_IssueRecord",
        "5.1",
        tuple(c.replace("Clinician", "Clinican") for c in EMIS_ISSUE_RECORD),
        _ISSUE_REQUIRED,
        key="IssueRecordGuid",
    ),
    TableSpec(
        "emis_report",
        "report",
        "1",
        EMIS_REPORT,
        ("NHS Number", "Date", "Code"),
        date_formats=DAY_FIRST,
        aliases={
            "NHS Number": ("NHS number", "NHS No", "NHSNumber"),
            "Date of Birth": ("DOB", "Date of birth"),
            "Date": ("Event Date", "Effective Date", "Date of event"),
            "Code": ("SNOMED Code", "Snomed CT Concept ID", "Code ID"),
            "Units": ("Unit", "Numeric Unit"),
        },
    ),
    *_sre(
        "SRPatient",
        {"91": SR_PATIENT, "90": (*SR_PATIENT, "RemovedData")},
        ("RowIdentifier", "NHSNumber", "DateBirth", "Gender", "TestPatient"),
    ),
    *_sre(
        "SRCode",
        {"91": SR_CODE_91, "90": (*SR_CODE_91, "RemovedData"), "87": SR_CODE_87},
        ("RowIdentifier", "DateEvent", "CTV3Code", "IDPatient"),
    ),
    *_sre(
        "SRPrimaryCareMedication",
        {"91": SR_MEDICATION, "90": (*SR_MEDICATION, "RemovedData")},
        ("RowIdentifier", "DateEvent", "IDPatient", "IsRepeatMedication"),
    ),
    _ours(
        "carehome",
        "residents",
        RESIDENTS,
        ("home_id", "resident_local_id", "nhs_number", "date_of_birth", "admission_date"),
        key="resident_local_id",
    ),
    _ours("carehome", "absences", ABSENCES, ("resident_local_id", "depart_datetime", "reason")),
    _ours(
        "carehome",
        "incidents",
        INCIDENTS,
        ("resident_local_id", "incident_datetime", "incident_type"),
    ),
    _ours(
        "carehome",
        "observations",
        OBSERVATIONS,
        ("resident_local_id", "obs_datetime", "obs_type", "value"),
    ),
    _ours(
        "hospital",
        "inpatient_spells",
        SPELLS,
        ("spell_id", "nhs_number", "admit_date", "admission_method"),
        key="spell_id",
    ),
    _ours(
        "hospital",
        "ae_attendances",
        AE,
        ("attendance_id", "nhs_number", "arrival_datetime"),
        key="attendance_id",
    ),
    _ours("qi_log", "qi_activity", QI_LOG, ("home_id", "activity_date", "activity_type")),
    _ours(
        "qi_log",
        "change_log",
        CHANGE_LOG,
        ("change_id", "title", "homes", "measures", "start_date"),
        key="change_id",
    ),
    _ours(
        "qi_log",
        "baselines",
        BASELINES,
        ("measure", "action", "date", "decided_by", "decided_on"),
    ),
    _ours(
        "qi_log",
        "intervention_costs",
        INTERVENTION_COSTS,
        ("item", "category", "from_date", "to_date"),
    ),
)


def spec(source: str, table: str, version: str) -> TableSpec:
    """The spec of ``source``/``table`` at ``version``."""
    for s in SPECS:
        if (s.source, s.table, s.version) == (source, table, version):
            return s
    raise KeyError(f"no spec for {source}/{table} v{version}")


# Actions of the baseline decisions (baselines.csv, docs/extracts.md §6.2): freeze the
# limits on the points up to the date's month, or start new limits from it.
BASELINE_ACTIONS = ("freeze", "rebase")

# Activities of the QI log (one row per activity), and the outcomes each may record.
QI_ACTIVITIES: dict[str, tuple[str, ...]] = {
    "triage_tool": ("at_risk", "not_at_risk"),
    "mdt_review": ("plan_agreed", "no_change", "referred"),
    "pharmacist_medication_review": ("changes_made", "no_change", "recommendations_sent"),
    "dietetic_review": ("food_first_plan", "ons_started", "referred", "no_action"),
    "admission_mdt_review": ("assessment_complete", "pcsp_complete", "bundle_complete"),
    "pdsa_cycle": ("adopt", "adapt", "abandon"),
}

# The intervention costs template (intervention_costs.csv, docs/extracts.md §6.3): what a
# row may cost. Time is given in hours for the categories of STAFF_TIME (costed at the
# hourly unit cost of its role and band); the others give their cost in pounds.
COST_CATEGORIES = ("staff", "backfill", "coaching", "training", "materials", "travel", "data")
STAFF_TIME = ("staff", "backfill", "coaching")
COST_ROLES = ("pharmacist", "dietitian", "nurse", "gp", "care_worker", "other")
# The Agenda for Change bands with an hourly unit cost (warehouse/roi/unit_costs.toml), by
# role; the other roles have one rate and no band (``other`` none: give its cost_gbp).
COST_BANDS: dict[str, tuple[str, ...]] = {
    "pharmacist": ("6", "7", "8a"),
    "dietitian": ("5", "6", "7"),
    "nurse": ("5", "7"),
}
