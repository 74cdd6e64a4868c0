"""Public SPC API: ``qic()`` (qicharts2 semantics) and ``mdc()`` (Making Data Count).

Examples
--------
>>> from charts.spc import qic, mdc
"""

from charts.qic import QicResult, qic

__all__ = ["QicResult", "qic"]
