"""Errors and warnings raised by the SPC engine.

Every message names the column or argument at fault, says what is wrong and how to
fix it, so that a command-line user never has to read a traceback.
"""

from __future__ import annotations


class SpcInputError(ValueError):
    """The data or arguments given to a chart cannot be charted as they are.

    Examples
    --------
    >>> raise SpcInputError("column 'falls' (y) is missing")
    Traceback (most recent call last):
    charts.errors.SpcInputError: column 'falls' (y) is missing
    """


class SpcWarning(UserWarning):
    """The chart was drawn, but something about it needs a reader's attention.

    Raised for trial limits from short series, rows dropped for a missing x or
    facet, and arguments that qicharts2 ignores (``freeze`` together with ``parts``).
    """
