"""Deterministic synthetic extract sets: what each PEACH-like site would hand over.

:func:`write_extracts` simulates care-home residents (stays, moves between homes,
hospital spells, A&E attendances, deaths, falls, weights, MUST scores, medication
reviews, repeat prescriptions, pressure ulcers, QI activities) and writes what each
site's systems would export, laid out as ``docs/extracts.md`` describes and headed by
the column lists of :mod:`connectors.schemas`.

There is real improvement to find, and something to tell it from (:mod:`synth.plan`).
The last site (``comparison_sites`` of them) is a comparison site: its homes make no
change. Every other site runs one to three change ideas of the PEACH projects (falls
huddles, MUST screening at every weigh, MDT review of residents at risk, pharmacist
medication reviews...), from its start month: ``intervention_month`` for the first
site, a month later for the next. Each change idea plants a rate ratio on the measures
it touches (falls x 0.65, MUST screening about 60% to 90%...) and on no other; each
site writes it to its change log (``qi_log/change_log.csv``), and what the change ideas
cost to its ``qi_log/intervention_costs.csv`` (pharmacist sessions, dietitian hours, MDT
time of GPs and nurses, care-home staff released to take part, QI coaching, training,
materials). Every site's event rates
drift by a secular trend of +0.5% a month, so rates move even where nothing is done.

Quirks are added at ``quirk_rate`` without hiding any real data: format quirks on real
rows (which must still load) and junk rows whose fate is known (skipped or
quarantined). The truth is written beside the extracts, in a folder of its own
(``inbox-truth`` beside ``inbox``, by default), so that the extracts' folder is an
inbox of site folders and nothing else: ``expected_counts.csv`` (every measure per
home and month, from the simulation), ``expected_files.csv`` (the fate of every row
of every file), ``homes.csv`` (each site's and home's name, each home's type and beds),
``sites.csv`` (each site's role, start month and the secular trend),
``planted_effects.csv`` (each change idea's rate ratio on each measure it touches),
``intervention_costs.csv`` (what each site's costs file costs, per category, at the unit
costs' price year) and ``README.txt``.

Everything here is synthetic. NHS numbers come only from the test range 999 000 0000
to 999 999 9999; the names of people, homes and areas are drawn from short lists; drug
and CTV3 codes are illustrative. The same arguments give byte-identical files.

The modules, in the order the work is done: :mod:`synth.world` (calendar, random
streams, rates, homes, each site's levels), :mod:`synth.plan` (site roles, change
ideas, planted effects, trend), :mod:`synth.stays` (who lives in which bed),
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
>>> inbox = Path(tempfile.mkdtemp()) / "inbox"
>>> summary = write_extracts(inbox, sites=1, homes=2, months=3, intervention_month=1)
>>> summary.sites, summary.homes, summary.truth.joinpath("README.txt").is_file()
(1, 2, True)
>>> summary.truth == summary.out.with_name("inbox-truth")
True
>>> (summary.out / "site_a" / "qi_log" / "change_log.csv").read_text().splitlines()[1]
'CI-01,Falls huddles after every fall,all,S1;S2,01/02/2023,PDSA 1,Home manager'
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
