"""Every connector's layout, by source and table: what each file is read into.

Reading a file needs them (:func:`connectors.reading.read_extract` refuses a file that
lacks a column its layout reads), and so does parsing it (:func:`connectors.parse_batch`).

Examples
--------
>>> sorted(LAYOUTS)[:2]
[('carehome', 'absences'), ('carehome', 'incidents')]
>>> from connectors.schemas import spec
>>> reads(spec("systmone", "SRCode", "87"))["NumericValue"]
('value_num', 'comparator', 'unit')
>>> "SNOMEDCode" in reads(spec("systmone", "SRCode", "87"))  # a column of v91 only
False
"""

from __future__ import annotations

import functools

from connectors import carehome, emis, hospital, qi_log, systmone
from connectors.base import Layout
from connectors.schemas import TableSpec

LAYOUTS: dict[tuple[str, str], Layout] = {
    **emis.LAYOUTS,
    **systmone.LAYOUTS,
    **carehome.LAYOUTS,
    **hospital.LAYOUTS,
    **qi_log.LAYOUTS,
}


@functools.cache
def reads(table: TableSpec) -> dict[str, tuple[str, ...]]:
    """The columns of ``table`` (this version) its layout reads, in header order, with what for.

    A column that only another version has (SNOMEDCode, only from SRCode v91) is not
    read from this one.
    """
    used = LAYOUTS[table.source, table.table].reads
    return {c: used[c] for c in table.columns if c in used}
