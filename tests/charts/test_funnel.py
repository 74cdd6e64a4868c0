"""Funnel plots: limits checked by hand, the over-dispersion factor from a worked example."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import polars as pl
import pytest

from charts.errors import SpcInputError
from charts.figures import PALETTE
from charts.funnel import MIN_UNITS, Z95, Z998, funnel, funnel_figure

SPREAD = [10, 12, 15, 18, 20, 20, 22, 25, 28, 30]  # out of 100 each: pooled p = 0.2


def homes(numerators: list[float], denominators: list[float] | None = None) -> pl.DataFrame:
    n = len(numerators)
    return pl.DataFrame(
        {
            "home": [f"Home {chr(65 + i)}" for i in range(n)],
            "screened": numerators,
            "residents": denominators or [100] * n,
        }
    )


def p_funnel(frame: pl.DataFrame, **kwargs) -> object:
    return funnel(frame, unit="home", numerator="screened", denominator="residents", chart="p",
                  **kwargs)  # fmt: skip


def test_binomial_limits_at_n_100_and_p_0_2_by_hand():
    f = p_funnel(homes([20] * 12))
    assert f.centre == pytest.approx(0.2)
    assert abs(Z95 - 1.959964) < 1e-6
    assert abs(Z998 - 3.090232) < 1e-6
    row = f.units.row(0, named=True)
    se = math.sqrt(0.2 * 0.8 / 100)  # 0.04
    assert se == pytest.approx(0.04)
    assert row["lower95"] == pytest.approx(0.2 - 1.959964 * 0.04, abs=1e-6)  # 0.121601
    assert row["upper95"] == pytest.approx(0.278399, abs=1e-6)
    assert row["lower998"] == pytest.approx(0.076391, abs=1e-6)
    assert row["upper998"] == pytest.approx(0.323609, abs=1e-6)
    assert not f.adjusted
    assert f.phi == 1.0
    assert f.tau2 == 0.0


def test_poisson_limits_of_a_rate_per_1000():
    frame = pl.DataFrame({"home": ["A", "B"], "falls": [10, 10], "bed_days": [1000, 1000]})
    f = funnel(frame, unit="home", numerator="falls", denominator="bed_days", chart="u",
               multiplier=1000)  # fmt: skip
    row = f.units.row(0, named=True)
    assert row["value"] == pytest.approx(10.0)
    assert row["upper95"] == pytest.approx(1000 * (0.01 + Z95 * math.sqrt(0.01 / 1000)))
    assert row["lower998"] == pytest.approx(1000 * (0.01 - Z998 * math.sqrt(0.01 / 1000)))


def test_the_over_dispersion_factor_from_a_hand_worked_example():
    # z = (y - 20) / 4: -2.5, -2, -1.25, -0.5, 0, 0, 0.5, 1.25, 2, 2.5. Winsorised at the 10th
    # and 90th percentiles (-2.05, 2.05, linear interpolation): sum of z^2 = 20.03, phi = 2.003
    # > 1 + 2 sqrt(2/10) = 1.894. w = 1 / 0.0016 = 625 each: tau^2 = (10 x 2.003 - 9) /
    # (6250 - 625) = 11.03 / 5625.
    f = p_funnel(homes(SPREAD))
    assert f.phi_estimate == pytest.approx(2.003)
    assert f.adjusted
    assert f.phi == pytest.approx(2.003)
    assert f.tau2 == pytest.approx(11.03 / 5625)
    assert f.note == "adjusted for over-dispersion (phi = 2.00)"
    upper = f.units.get_column("upper95")[0]
    assert upper == pytest.approx(0.2 + Z95 * math.sqrt(0.0016 + 11.03 / 5625))


def test_no_adjustment_with_too_few_units_or_when_asked_or_when_phi_is_small():
    few = p_funnel(homes(SPREAD[: MIN_UNITS - 1]))
    assert not few.adjusted
    assert few.phi == 1.0
    assert few.note == "not adjusted for over-dispersion: fewer than 10 units"
    assert few.phi_estimate > 1  # over-dispersed, but too few homes to say by how much
    off = p_funnel(homes(SPREAD), overdispersion=False)
    assert not off.adjusted
    assert off.tau2 == 0.0
    calm = p_funnel(homes([18, 19, 20, 21, 22, 20, 19, 21, 20, 20]))
    assert not calm.adjusted
    assert calm.note.startswith("not adjusted: no over-dispersion found (phi = 0.")


def test_each_unit_is_read_against_the_limits_at_its_own_size():
    frame = homes([20] * 10 + [45, 2, 30])
    f = p_funnel(frame, overdispersion=False)
    outside = dict(f.units.select("home", "outside").iter_rows())
    assert outside["Home K"] == "above"  # 0.45 against an upper limit near 0.33
    assert outside["Home L"] == "below"
    assert outside["Home M"] == ""  # 0.30: beyond the 95% limit (0.293), inside 99.8% (0.340)
    assert dict(f.units.select("home", "outside95").iter_rows())["Home M"] == "above"


def test_rows_of_a_unit_are_summed_and_empty_ones_left_out():
    frame = pl.DataFrame({"home": ["A", "A", "B", "C"], "screened": [10, 10, 30, 0],
                          "residents": [50, 50, 100, 0]})  # fmt: skip
    f = p_funnel(frame)
    assert f.units.select("home", "numerator", "denominator").rows() == [
        ("A", 20.0, 100.0),
        ("B", 30.0, 100.0),
    ]
    assert f.centre == pytest.approx(0.25)


def test_proportion_limits_stay_within_0_and_1():
    f = p_funnel(homes([1, 1], [5, 5]))
    assert f.curve.get_column("lower998").min() >= 0
    assert f.curve.get_column("upper998").max() <= 1


def test_bad_arguments_say_what_to_do():
    with pytest.raises(SpcInputError, match="use 'p' for proportions"):
        funnel(homes([1]), unit="home", numerator="screened", denominator="residents", chart="c")
    with pytest.raises(SpcInputError, match="'beds' is missing"):
        funnel(homes([1]), unit="home", numerator="screened", denominator="beds", chart="p")


def test_the_figure_marks_units_outside_by_shape_colour_and_name_knowing_the_direction():
    frame = homes([20] * 10 + [45, 2], [100] * 12)
    f = p_funnel(frame, overdispersion=False)
    fig = funnel_figure(f, title="MUST screening", unit_label="residents screened",
                        improvement="increase", labels="Residents")  # fmt: skip
    markers = {t.name: t for t in fig.data if "markers" in (t.mode or "")}
    better = markers["Better: beyond the 99.8% limit"]
    assert list(better.marker.symbol) == ["triangle-up"]
    assert better.marker.color == PALETTE["improvement"]
    assert list(better.text) == ["Home K"]
    concern = markers["Concern: beyond the 99.8% limit"]
    assert list(concern.marker.symbol) == ["triangle-down"]
    assert "Below the 99.8% limit: a concern" in concern.customdata[0]
    assert concern.customdata[0].startswith("<b>Home L</b><br>0.02 residents screened (2 of 100)")
    within = markers["Within the limits"]
    assert list(within.marker.symbol) == ["circle"] * 10
    assert "95% limits" in {t.name for t in fig.data if t.showlegend}
    assert fig.layout.title.subtitle.text.endswith(
        "95% and 99.8% limits, not adjusted for over-dispersion"
    )
    assert fig.layout.xaxis.title.text == "Residents"
    assert fig.layout.yaxis.title.text == "residents screened (higher is better)"
    flipped = funnel_figure(f, title="Falls", unit_label="falls", improvement="decrease",
                            labels="Bed days")  # fmt: skip
    names = {t.name for t in flipped.data}
    assert {"Concern: beyond the 99.8% limit", "Better: beyond the 99.8% limit"} <= names


def test_the_subtitle_names_the_adjustment():
    f = p_funnel(homes(SPREAD))
    fig = funnel_figure(f, title="t", unit_label="u", improvement="neutral", labels="n")
    assert "adjusted for over-dispersion (phi = 2.00)" in fig.layout.title.subtitle.text


def test_each_limit_is_one_curve_above_and_below_the_centre_and_the_figure_is_valid():
    f = p_funnel(homes(SPREAD))
    fig = funnel_figure(f, title="t", unit_label="u", improvement="increase", labels="n")
    (outer,) = [t for t in fig.data if t.name == "99.8% limits"]
    gap = outer.y.index(None)
    upper, lower = outer.y[:gap], outer.y[gap + 1 :]
    assert len(upper) == len(lower) == f.curve.height
    assert all(u > f.centre > lo for u, lo in zip(upper, lower, strict=True))
    assert outer.x[:gap] == outer.x[gap + 1 :]
    assert list(upper) == pytest.approx(f.curve.get_column("upper998").to_list(), abs=1e-3)
    (centre,) = fig.layout.shapes
    assert centre.y0 == centre.y1 == pytest.approx(f.centre)
    # built without plotly's validation: rebuilt with it, an unknown property would raise
    assert go.Figure(fig.to_dict()).to_dict()["data"] == fig.to_dict()["data"]
