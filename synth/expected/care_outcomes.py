"""Projects 3 and 4 and the system-wide outcomes (P3, O3, P4, O4, S)."""

from __future__ import annotations

import polars as pl

from synth.simulate import World


def expected(world: World) -> pl.DataFrame:
    """The measures of this part of the catalogue, per home and period index."""
    from synth.expected import SCHEMA

    return pl.DataFrame(schema=SCHEMA)
