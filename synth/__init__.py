"""Deterministic synthetic extract sets: what each PEACH-like site would hand over.

:func:`write_extracts` simulates care-home residents (stays, moves between homes,
hospital spells, A&E attendances, deaths, falls, weights, MUST scores, medication
reviews, repeat prescriptions, pressure ulcers, QI activities) and writes what each
site's systems would export, laid out as ``docs/extracts.md`` describes and headed by
the column lists of :mod:`connectors.schemas`. Rates change after the intervention
month, so there is real improvement to find.

Quirks are added at ``quirk_rate`` without hiding any real data: format quirks on real
rows (which must still load) and junk rows whose fate is known (skipped or
quarantined). The truth is written beside the extracts, in a folder of its own
(``inbox-truth`` beside ``inbox``, by default), so that the extracts' folder is an
inbox of site folders and nothing else: ``expected_counts.csv`` (every measure per
home and month, from the simulation), ``expected_files.csv`` (the fate of every row
of every file), ``homes.csv`` (each site's and home's name, each home's type and beds)
and ``README.txt``.

Everything here is synthetic. NHS numbers come only from the test range 999 000 0000
to 999 999 9999; the names of people, homes and areas are drawn from short lists; drug
and CTV3 codes are illustrative. The same arguments give byte-identical files.

The modules, in the order the work is done: :mod:`synth.world` (calendar, random
streams, rates, homes, site effects), :mod:`synth.stays` (who lives in which bed),
:mod:`synth.people`, :mod:`synth.names` (sites' and homes' names and types),
:mod:`synth.home_events` and :mod:`synth.nhs_events` (what happens), all brought
together by :mod:`synth.simulate`; then :mod:`synth.quirks` (format quirks and junk
rows), one writer per source system as in :mod:`connectors` (:mod:`synth.emis`,
:mod:`synth.systmone`, :mod:`synth.carehome`, :mod:`synth.hospital`,
:mod:`synth.qi_log`, sharing :mod:`synth.files` and :mod:`synth.gp`), and
:mod:`synth.truth`. :mod:`synth.extracts` runs them all.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> summary = write_extracts(Path(tempfile.mkdtemp()) / "inbox", sites=1, homes=2, months=3)
>>> summary.sites, summary.homes, summary.truth.joinpath("README.txt").is_file()
(1, 2, True)
>>> summary.truth == summary.out.with_name("inbox-truth")
True
"""

from synth.codes import GP_CODES
from synth.extracts import FolderNotEmptyError, SynthSummary, write_extracts
from synth.ids import nhs_check_digit
from synth.qi_log import write_templates
from synth.quirks import FATES
from synth.truth import MEASURES
from synth.world import DEFAULT_END, DEFAULT_MONTHS, DEFAULT_START

__all__ = [
    "DEFAULT_END",
    "DEFAULT_MONTHS",
    "DEFAULT_START",
    "FATES",
    "GP_CODES",
    "MEASURES",
    "FolderNotEmptyError",
    "SynthSummary",
    "nhs_check_digit",
    "write_extracts",
    "write_templates",
]
