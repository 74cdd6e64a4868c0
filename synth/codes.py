"""The codes the synthetic records carry: GP clinical codes, medicines, hospital coding.

SNOMED CT concepts are real (docs/domain.md §2.2); CTV3 codes, EMIS CodeIds, dm+d
identifiers and HRGs are illustrative. ``GP_CODES`` is what the reference code lists in
``warehouse/reference`` must cover.

Examples
--------
>>> GP_CODES[CODE["weight"]].snomed
'27113001'
"""

from __future__ import annotations

from dataclasses import dataclass

# NHS Data Dictionary admission methods of an emergency admission (docs/domain.md §1.5).
EMERGENCY_METHODS = ("21", "22", "23", "24", "25", "28", "2A", "2B", "2C", "2D")


@dataclass(frozen=True)
class GpCode:
    """A GP clinical code: its key here, SNOMED CT concept and term, CTV3 and EMIS codes."""

    key: str
    snomed: str
    term: str
    ctv3: str
    emis_code_id: str
    read_term_id: str
    category: str
    unit: str = ""


# SNOMED CT concepts from docs/domain.md §2.2; CTV3 codes and EMIS CodeIds are illustrative.
GP_CODES = (
    GpCode("weight", "27113001", "Body weight", "22A..", "253677", "22A..00", "Value", "kg"),
    GpCode("smr", "1239511000000100", "Structured medication review", "Y3a6f", "1902431",
           "", "Procedure"),
    GpCode("medication_review", "182836005", "Review of medication", "8B3V.", "312009",
           "8B3V.00", "Procedure"),
    GpCode("fall", "1912002", "Fall", "16D..", "271645", "16D..00", "Observation"),
    GpCode("pressure_ulcer", "399912005", "Pressure ulcer", "M271.", "299804", "M271.00",
           "Observation"),
    GpCode("crp", "55235003", "C-reactive protein measurement", "44CS.", "1003581", "44CS.00",
           "Value", "mg/L"),
    GpCode("care_home", "248171000000108", "Lives in care home", "13F6.", "1781002",
           "13F6.00", "Observation"),
)  # fmt: skip
CODE = {c.key: i for i, c in enumerate(GP_CODES)}

# Repeat medicines common in care homes: name, dose, pack, unit, cost of the pack (GBP).
# The dm+d identifiers and EMIS CodeIds written for them are illustrative.
FORMULARY = (
    ("Paracetamol 500mg tablets", "Two tablets four times a day", 112, "tablet", 1.81),
    ("Omeprazole 20mg gastro-resistant capsules", "One capsule daily", 28, "capsule", 0.92),
    ("Lansoprazole 30mg gastro-resistant capsules", "One capsule daily", 28, "capsule", 1.05),
    ("Amlodipine 5mg tablets", "One tablet daily", 28, "tablet", 0.78),
    ("Ramipril 2.5mg capsules", "One capsule daily", 28, "capsule", 0.95),
    ("Bisoprolol 2.5mg tablets", "One tablet daily", 28, "tablet", 0.83),
    ("Atorvastatin 20mg tablets", "One tablet at night", 28, "tablet", 0.89),
    ("Simvastatin 40mg tablets", "One tablet at night", 28, "tablet", 0.76),
    ("Furosemide 40mg tablets", "One tablet in the morning", 28, "tablet", 0.71),
    ("Bumetanide 1mg tablets", "One tablet in the morning", 28, "tablet", 1.94),
    ("Sertraline 50mg tablets", "One tablet daily", 28, "tablet", 1.12),
    ("Citalopram 20mg tablets", "One tablet daily", 28, "tablet", 0.88),
    ("Mirtazapine 15mg tablets", "One tablet at night", 28, "tablet", 1.21),
    ("Donepezil 10mg tablets", "One tablet at night", 28, "tablet", 1.33),
    ("Memantine 10mg tablets", "One tablet twice a day", 56, "tablet", 1.98),
    ("Levothyroxine 50microgram tablets", "One tablet in the morning", 28, "tablet", 1.06),
    ("Metformin 500mg tablets", "One tablet twice a day", 56, "tablet", 1.14),
    ("Gliclazide 80mg tablets", "One tablet twice a day", 56, "tablet", 1.31),
    ("Calcium carbonate 1.5g / Colecalciferol 10microgram chewable tablets",
     "One tablet twice a day", 56, "tablet", 3.65),
    ("Alendronic acid 70mg tablets", "One tablet weekly", 4, "tablet", 0.92),
    ("Senna 7.5mg tablets", "Two tablets at night", 56, "tablet", 1.22),
    ("Lactulose 3.3g/5ml oral solution", "15ml twice a day", 500, "ml", 3.10),
    ("Macrogol compound oral powder sachets", "One sachet daily", 30, "sachet", 4.46),
    ("Docusate sodium 100mg capsules", "One capsule twice a day", 56, "capsule", 3.98),
    ("Apixaban 5mg tablets", "One tablet twice a day", 56, "tablet", 53.20),
    ("Edoxaban 60mg tablets", "One tablet daily", 28, "tablet", 49.00),
    ("Clopidogrel 75mg tablets", "One tablet daily", 28, "tablet", 1.07),
    ("Aspirin 75mg dispersible tablets", "One tablet daily", 28, "tablet", 0.72),
    ("Tamsulosin 400microgram modified-release capsules", "One capsule daily", 28, "capsule",
     1.35),
    ("Finasteride 5mg tablets", "One tablet daily", 28, "tablet", 1.23),
    ("Quetiapine 25mg tablets", "One tablet at night", 28, "tablet", 1.40),
    ("Risperidone 500microgram tablets", "One tablet twice a day", 56, "tablet", 1.72),
    ("Zopiclone 3.75mg tablets", "One tablet at night when required", 14, "tablet", 0.98),
    ("Morphine sulfate 10mg/5ml oral solution", "2.5ml when required", 100, "ml", 1.97),
    ("Codeine phosphate 30mg tablets", "One tablet four times a day when required", 56,
     "tablet", 1.41),
    ("Gabapentin 300mg capsules", "One capsule three times a day", 84, "capsule", 2.07),
    ("Pregabalin 75mg capsules", "One capsule twice a day", 56, "capsule", 1.95),
    ("Prednisolone 5mg tablets", "One tablet in the morning", 28, "tablet", 1.01),
    ("Salbutamol 100micrograms/dose inhaler", "Two puffs when required", 1, "inhaler", 1.50),
    ("Oxybutynin 5mg tablets", "One tablet twice a day", 56, "tablet", 1.74),
    ("Ferrous fumarate 210mg tablets", "One tablet twice a day", 56, "tablet", 2.27),
    ("Folic acid 5mg tablets", "One tablet daily", 28, "tablet", 0.86),
    ("Colecalciferol 800unit capsules", "One capsule daily", 30, "capsule", 2.95),
    ("Digoxin 125microgram tablets", "One tablet daily", 28, "tablet", 1.16),
    ("Fortisip Compact liquid", "One bottle twice a day", 56, "bottle", 79.52),
    ("Ensure Plus milkshake style liquid", "One bottle twice a day", 56, "bottle", 76.16),
    ("Cetraben emollient cream", "Apply twice a day", 500, "gram", 5.99),
)  # fmt: skip
ACUTE = (
    ("Amoxicillin 500mg capsules", "One capsule three times a day", 15, "capsule", 1.19),
    ("Nitrofurantoin 100mg modified-release capsules", "One capsule twice a day", 6,
     "capsule", 5.07),
    ("Doxycycline 100mg capsules", "One capsule daily", 5, "capsule", 1.63),
    ("Trimethoprim 200mg tablets", "One tablet twice a day", 6, "tablet", 0.98),
)  # fmt: skip

# Hospital coding (ICD-10 without the dot, illustrative HRGs).
DIAGNOSES = (
    ("J189", "DZ11V"),
    ("N390", "LA04S"),
    ("J441", "DZ65K"),
    ("I509", "EB03E"),
    ("A419", "WJ06E"),
    ("E86X", "KC05H"),
    ("R55X", "EB08E"),
)
FALL_DIAGNOSIS = ("S720", "HT12B")
ELECTIVE_DIAGNOSIS = ("H259", "BZ34C")
