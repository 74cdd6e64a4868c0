"""Public SPC API: ``qic()`` (qicharts2 semantics) and ``mdc()`` (Making Data Count).

Examples
--------
>>> import polars as pl
>>> from charts.spc import qic, mdc
>>> d = pl.DataFrame({"month": range(1, 25), "falls": [4, 6, 5, 7] * 3 + [2, 3, 2, 1] * 3})
>>> qic(d, x="month", y="falls").summary.select("longest_run", "runs_signal").row(0)
(12, True)
"""

from charts.errors import SpcInputError, SpcWarning
from charts.mdc import MdcResult, mdc
from charts.qic import QicResult, qic
from charts.rules import RULE_SETS, RuleSet, get_rule_set

__all__ = [
    "RULE_SETS",
    "MdcResult",
    "QicResult",
    "RuleSet",
    "SpcInputError",
    "SpcWarning",
    "get_rule_set",
    "mdc",
    "qic",
]
