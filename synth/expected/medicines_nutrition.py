"""Projects 1 and 2: medication review and polypharmacy; nutrition and MUST (P1, O1, P2, O2)."""

from __future__ import annotations

import polars as pl

from synth.simulate import World


def expected(world: World) -> pl.DataFrame:
    """The measures of this part of the catalogue, per home and period index."""
    from synth.expected import SCHEMA

    return pl.DataFrame(schema=SCHEMA)
