"""What the pages read: a warning on every month of a series is said once, not ringed."""

from __future__ import annotations

import polars as pl

from warehouse.pages.content import _series_wide


def test_a_warning_on_every_month_is_named_once_and_only_own_month_warnings_ring():
    every = ["rows set aside"]
    frame = pl.DataFrame(
        {
            "measure_id": ["S1"] * 4 + ["S1"] * 2,
            "level": ["site"] * 4 + ["home"] * 2,
            "home_id": [None] * 4 + ["1-1"] * 2,
            "dq_warning": [True, True, True, True, True, False],
            "dq_words": [every, every, [*every, "weight implausible"], every,
                         ["weight implausible"], []],
        },
        schema_overrides={"home_id": pl.String},
    )  # fmt: skip
    out = _series_wide(frame)
    assert out["dq_warning"].to_list() == [False, False, True, False, True, False]
    assert out["dq_everywhere"].to_list() == ["rows set aside"] * 4 + ["", ""]
    assert out["dq_words"].to_list() == frame["dq_words"].to_list()  # the hover keeps them all
