"""Disclosure control: exact hand-made tables, then properties of random ones.

The properties check, by linear algebra independent of the module's own check, that no
hidden cell of a random two-way table (row totals and a total row) can be worked out
from the published cells and the relations.
"""

import numpy as np
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from warehouse.disclosure import BASE, HIDDEN, NOTE, THRESHOLD, Disclosed, disclose


def hidden_cells(out: Disclosed) -> set[tuple[int, str, str]]:
    return set(out.hidden.iter_rows())


def two_way(interior: list[list[float]], groups: list[str] | None = None) -> pl.DataFrame:
    """Sites x parts with a row total column and a total row (per group, if given)."""
    parts = [f"p{j}" for j in range(len(interior[0]))]
    sites = pl.DataFrame(interior, schema=parts, orient="row").with_columns(
        total=pl.sum_horizontal(parts), is_total=pl.lit(value=False)
    )
    if groups is None:
        sites = sites.with_columns(site=pl.int_range(pl.len()).cast(pl.String))
        return pl.concat(
            [
                sites,
                sites.select(pl.col([*parts, "total"]).sum(), is_total=True, site=pl.lit("All")),
            ],
            how="diagonal_relaxed",
        ).select("site", *parts, "total", "is_total")
    sites = sites.with_columns(group=pl.Series(groups))
    totals = sites.group_by("group", maintain_order=True).agg(pl.col([*parts, "total"]).sum())
    return pl.concat([sites, totals.with_columns(is_total=True)], how="diagonal_relaxed").select(
        "group", *parts, "total", "is_total"
    )


def disclose_two_way(frame: pl.DataFrame, **kwargs) -> Disclosed:
    parts = [c for c in frame.columns if c.startswith("p")]
    return disclose(
        frame,
        [*parts, "total"],
        totals={"total": parts},
        total_rows="is_total",
        **kwargs,
    )


# ---------------------------------------------------------------------------- exact cases


def test_primary_suppression_and_rounding_of_single_cells():
    values = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 7.4, 7.5, 7.6, 0.3, 1234, None, 12.5, 17.5]
    out = disclose(pl.DataFrame({"n": values}, schema={"n": pl.Float64}), ["n"])
    assert out.frame["n"].dtype == pl.Int64
    assert out.frame["n"].to_list() == [
        0,
        *[None] * 7,
        10,
        10,
        15,
        None,
        10,
        10,
        None,
        1235,
        None,
        15,
        20,
    ]
    assert out.hidden.rows() == [(i, "n", "small") for i in (1, 2, 3, 4, 5, 6, 7, 11, 14)]
    assert out.hidden.schema == pl.Schema(
        {"row": pl.Int64, "column": pl.String, "reason": pl.String}
    )
    assert out.text()["n"].to_list() == [
        "0",
        *[HIDDEN] * 7,
        "10",
        "10",
        "15",
        HIDDEN,
        "10",
        "10",
        HIDDEN,
        "1,235",
        None,
        "15",
        "20",
    ]


def test_threshold_and_base_are_the_hes_rule_and_can_be_changed():
    assert (THRESHOLD, BASE, HIDDEN) == (7, 5, "*")
    assert "1 to 7" in NOTE
    assert "nearest 5" in NOTE
    out = disclose(pl.DataFrame({"n": [4, 5, 6, 14]}), ["n"], threshold=5, base=10)
    assert out.frame["n"].to_list() == [None, None, 10, 10]


def test_a_row_total_with_one_small_part_hides_the_other_part():
    frame = pl.DataFrame({"before": [3, 40], "after": [20, 50], "total": [23, 90]})
    out = disclose(frame, ["before", "after", "total"], totals={"total": ["before", "after"]})
    assert out.frame.rows() == [(None, None, 25), (40, 50, 90)]
    assert hidden_cells(out) == {(0, "before", "small"), (0, "after", "secondary")}


def test_the_smallest_part_is_hidden_and_ties_go_to_the_first_column():
    frame = pl.DataFrame({"a": [3, 3], "b": [12, 12], "c": [9, 12], "d": [20, 12]})
    frame = frame.with_columns(total=pl.sum_horizontal("a", "b", "c", "d"))
    out = disclose(frame, frame.columns, totals={"total": ["a", "b", "c", "d"]})
    assert hidden_cells(out) == {
        (0, "a", "small"),
        (0, "c", "secondary"),  # 9 is the smallest published part of row 0
        (1, "a", "small"),
        (1, "b", "secondary"),  # 12, 12, 12: the first column
    }


def test_a_zero_part_is_hidden_before_the_total():
    # A's 3 hides A's b (row), then B's a (column a), leaving row B with its 20 hidden
    # and only a zero part and the total to choose from: the zero goes.
    frame = pl.DataFrame(
        {"a": [3, 20, 23], "b": [10, 0, 10], "total": [13, 20, 33], "is_total": [0, 0, 1]}
    ).with_columns(pl.col("is_total").cast(pl.Boolean))
    out = disclose(frame, ["a", "b", "total"], totals={"total": ["a", "b"]}, total_rows="is_total")
    assert hidden_cells(out) == {
        (0, "a", "small"),
        (0, "b", "secondary"),
        (1, "a", "secondary"),
        (1, "b", "secondary"),
    }
    assert out.frame["total"].to_list() == [15, 20, 35]


def test_a_collaborative_total_row_beneath_its_sites():
    frame = pl.DataFrame(
        {
            "site": ["A", "B", "C", "Collaborative"],
            "falls": [3, 10, 15, 28],
            "is_total": [False, False, False, True],
        }
    )
    out = disclose(frame, ["falls"], total_rows="is_total")
    assert out.frame["falls"].to_list() == [None, None, 15, 30]
    assert out.frame["site"].to_list() == frame["site"].to_list()
    assert hidden_cells(out) == {(0, "falls", "small"), (1, "falls", "secondary")}


def test_a_two_way_table_cascades():
    # A's 3 hides A's after (its row), which exposes the after column; the before column
    # hides B's before, which exposes row B, which hides B's after.
    frame = two_way([[3, 12], [9, 20], [30, 40]])
    out = disclose_two_way(frame)
    assert hidden_cells(out) == {
        (0, "p0", "small"),
        (0, "p1", "secondary"),
        (1, "p0", "secondary"),
        (1, "p1", "secondary"),
    }
    assert out.frame.select("p0", "p1", "total").rows() == [
        (None, None, 15),
        (None, None, 30),
        (30, 40, 70),
        (40, 70, 115),  # the total row rounded from 42, 72 and 114, not summed
    ]
    assert not worked_out(frame, out)


def test_two_blocks_joined_by_one_cell_need_more_than_the_one_hidden_cell_rule():
    # Every row and column has two or more small cells, yet row 1 and column 2 meet in
    # a cell (1, 2) that the sums around rows 0-1 and columns 0-1 give away.
    interior = [
        [2, 3, 9, 30],
        [4, 5, 6, 20],
        [30, 40, 2, 3],
        [50, 60, 4, 5],
    ]
    frame = two_way(interior)
    small = {(i, f"p{j}") for i in range(4) for j in range(4) if interior[i][j] <= 7}
    assert worked_out(frame, cells=small) == {(1, "p2")}
    out = disclose_two_way(frame)
    assert {(r, c) for r, c, why in out.hidden.iter_rows() if why == "small"} == small
    assert {(r, c) for r, c, why in out.hidden.iter_rows() if why == "secondary"} == {(0, "p2")}
    assert not worked_out(frame, out)


def test_groups_are_independent_tables():
    frame = pl.DataFrame(
        {
            "resource": ["x", "x", "x", "y", "y", "y"],
            "n": [3, 10, 13, 20, 30, 50],
            "is_total": [False, False, True, False, False, True],
        }
    )
    out = disclose(frame, ["n"], total_rows="is_total", groups=["resource"])
    assert out.frame["n"].to_list() == [None, None, 15, 20, 30, 50]
    assert hidden_cells(out) == {(0, "n", "small"), (1, "n", "secondary")}
    with pytest.raises(ValueError, match="2 total rows"):
        disclose(frame, ["n"], total_rows="is_total")


def test_rates_come_from_rounded_counts_and_hide_with_them():
    frame = pl.DataFrame(
        {
            "home": ["A", "B", "C", "D"],
            "falls": [12, 3, 20, 9],
            "bed_days": [48, 40, 5, 0],
            "rate": [250.0, 75.0, 4000.0, None],
        }
    )
    out = disclose(frame, ["falls", "bed_days"], rates={"rate": ("falls", "bed_days", 1000)})
    assert out.frame["rate"].to_list() == [200.0, None, None, None]  # 10 / 50, not 12 / 48
    assert hidden_cells(out) == {
        (1, "falls", "small"),
        (1, "rate", "rate"),
        (2, "bed_days", "small"),
        (2, "rate", "rate"),
    }
    assert out.text().rows() == [
        ("A", "10", "50", "200.0"),
        ("B", HIDDEN, "40", HIDDEN),
        ("C", "20", HIDDEN, HIDDEN),
        ("D", "10", "0", None),
    ]


def test_rates_are_written_to_one_place_with_separators():
    frame = pl.DataFrame({"n": [10, 2000], "d": [80, 10], "r": [0.0, 0.0]})
    out = disclose(frame, ["n", "d"], rates={"r": ("n", "d", 1)})
    assert out.text()["r"].to_list() == ["0.1", "200.0"]
    out = disclose(frame, ["n", "d"], rates={"r": ("n", "d", 1000)})
    assert out.text()["r"].to_list() == ["125.0", "200,000.0"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"counts": ["nope"]}, r"count column 'nope' is not in the frame; its columns are \["),
        ({"counts": ["n"], "totals": {"t": ["n"]}}, "total column 't' is not in the frame"),
        ({"counts": ["n"], "total_rows": "flag"}, "total_rows column 'flag' is not in"),
        ({"counts": ["n"], "groups": ["g"]}, "group column 'g' is not in the frame"),
        ({"counts": ["n"], "rates": {"r": ("n", "d", 1)}}, "rate column 'r' is not in"),
        ({"counts": ["n"], "rates": {"s": ("n", "d", 1)}}, "rate column 'd' is not in"),
        ({"counts": ["n"], "rates": {"s": ("n", "m", 1)}}, "rate 's' uses 'm', which is not a"),
        ({"counts": ["n"], "totals": {"n": ["m"]}}, "total 'n' uses 'm', which is not a count"),
        ({"counts": ["site"]}, "count column 'site' is String, not a number"),
        ({"counts": ["n"], "total_rows": "m"}, "total_rows column 'm' is not Boolean"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    frame = pl.DataFrame({"site": ["A", "B"], "n": [1, 2], "m": [3, 4], "s": [0.5, 0.5]})
    with pytest.raises(ValueError, match=message):
        disclose(frame, **kwargs)


def test_a_negative_count_is_named_by_column_and_row():
    frame = pl.DataFrame({"n": [1, 2], "m": [3, -4]})
    with pytest.raises(ValueError, match=r"'m' has a negative value \(-4\) at row 1"):
        disclose(frame, ["n", "m"])


def test_nulls_stay_null_and_are_not_hidden():
    frame = pl.DataFrame({"a": [None, 3], "b": [20, 30], "total": [20, 33]})
    out = disclose(frame, ["a", "b", "total"], totals={"total": ["a", "b"]})
    assert out.frame.rows() == [(None, 20, 20), (None, None, 35)]
    assert hidden_cells(out) == {(1, "a", "small"), (1, "b", "secondary")}
    assert out.text().row(0) == (None, "20", "20")


# ----------------------------------------------------------------------------- properties


def relations(frame: pl.DataFrame) -> list[dict[tuple[int, str], int]]:
    """Each relation of a two_way frame as {cell: +1 total / -1 part}."""
    parts = [c for c in frame.columns if c.startswith("p")]
    counts = [*parts, "total"]
    out = [{(i, "total"): 1, **{(i, p): -1 for p in parts}} for i in range(frame.height)]
    keys = frame["group"].to_list() if "group" in frame.columns else [None] * frame.height
    flags = frame["is_total"].to_list()
    for key in dict.fromkeys(keys):
        rows = [i for i in range(frame.height) if keys[i] == key]
        for c in counts:
            out.append({(i, c): 1 if flags[i] else -1 for i in rows})
    return out


def worked_out(frame: pl.DataFrame, out: Disclosed | None = None, cells=None) -> set:
    """Hidden cells whose unit vector lies in the row space of the restricted relations.

    With the hidden cells as unknowns and every published cell known (unrounded), a cell
    is determined iff adding its unit vector to the relation matrix does not raise the rank.
    """
    if cells is None:
        cells = {(r, c) for r, c, why in out.hidden.iter_rows() if why != "rate"}
    unknowns = sorted(cells)
    at = {cell: j for j, cell in enumerate(unknowns)}
    matrix = np.zeros((len(relations(frame)), len(unknowns)))
    for i, relation in enumerate(relations(frame)):
        for cell, sign in relation.items():
            if cell in at:
                matrix[i, at[cell]] = sign
    rank = np.linalg.matrix_rank(matrix)
    return {
        cell
        for cell, j in at.items()
        if np.linalg.matrix_rank(np.vstack([matrix, np.eye(len(unknowns))[j]])) == rank
    }


count = st.one_of(st.integers(1, 7), st.integers(0, 40), st.just(0))
interiors = st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(count, min_size=cols, max_size=cols), min_size=1, max_size=5)
)


def check_published(frame: pl.DataFrame, out: Disclosed) -> None:
    counts = [c for c in frame.columns if c.startswith("p") or c == "total"]
    assert out.frame.shape == frame.shape
    assert out.frame.columns == frame.columns
    assert out.frame.drop(counts).equals(frame.drop(counts))
    hidden = {(r, c) for r, c, _ in out.hidden.iter_rows()}
    for c in counts:
        for i, (given_, shown) in enumerate(zip(frame[c], out.frame[c], strict=True)):
            if (i, c) in hidden:
                assert shown is None
                continue
            assert shown % BASE == 0
            assert not 1 <= shown <= THRESHOLD
            assert shown == int(np.floor(given_ / BASE + 0.5)) * BASE  # each cell on its own
            assert not 0 < given_ < THRESHOLD + 0.5  # every small count is hidden


@given(interiors)
def test_no_hidden_cell_of_a_two_way_table_can_be_worked_out(interior):
    frame = two_way(interior)
    out = disclose_two_way(frame)
    check_published(frame, out)
    assert worked_out(frame, out) == set()


@given(
    interiors.flatmap(
        lambda rows: st.tuples(
            st.just(rows), st.lists(st.sampled_from("xyz"), min_size=len(rows), max_size=len(rows))
        )
    )
)
def test_no_hidden_cell_of_grouped_tables_can_be_worked_out(interior_and_groups):
    interior, groups = interior_and_groups
    frame = two_way(interior, groups)
    out = disclose_two_way(frame, groups=["group"])
    check_published(frame, out)
    assert worked_out(frame, out) == set()


@given(st.lists(st.floats(0, 60, allow_nan=False), min_size=2, max_size=6))
def test_expected_events_as_floats_are_hidden_rounded_and_protected(expected):
    frame = two_way([[e, 10 + e] for e in expected])
    out = disclose_two_way(frame)
    check_published(frame, out)
    assert worked_out(frame, out) == set()
