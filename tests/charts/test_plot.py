"""The plotly figures and the HTML page: signals visible, rule set named, offline."""

from __future__ import annotations

import re

import polars as pl
import pytest

from charts.explain import explain_qic
from charts.plot import DATA, MDC_COLOURS, SIGNAL, mdc_figure, qic_figure, report_html
from charts.spc import mdc, qic
from tests.charts.helpers import quietly

HOME_A = [5, 6, 4, 5, 6, 5, 4, 30, 5, 6, 5, 4, 6, 5]  # one month far above the rest
HOME_B = [6, 7, 6, 7, 6, 7, 6, 3, 2, 3, 2, 3, 2, 3]  # a sustained fall


@pytest.fixture
def falls():
    return pl.DataFrame(
        {
            "home": ["A"] * 14 + ["B"] * 14,
            "month": list(range(1, 15)) * 2,
            "falls": [*HOME_A, *HOME_B],
            "bed_days": [900] * 28,
        }
    )


def u_chart(falls, **kwargs):
    return quietly(
        qic,
        falls,
        x="month",
        y="falls",
        n="bed_days",
        chart="u",
        facets="home",
        multiply=1000,
        **kwargs,
    )


def test_qic_figure_has_a_panel_per_facet_and_names_its_rules(falls):
    r = u_chart(falls, parts=[8])
    fig = qic_figure(r)
    assert fig.layout.title.text == "U chart of falls / bed_days × 1000"
    assert "Anhøj run rules" in fig.layout.title.subtitle.text
    assert "qicharts2-0.8.1" in fig.layout.title.subtitle.text
    data = [t for t in fig.data if t.name == "falls"]
    assert len(data) == 2
    assert [a.text for a in fig.layout.annotations] == ["A", "B"]
    assert len(fig.layout.shapes) == 2  # one part boundary per panel


def test_signals_are_coloured(falls):
    r = quietly(qic, falls.filter(pl.col("home") == "A"), x="month", y="falls", chart="c")
    data = next(t for t in qic_figure(r).data if t.name == "falls")
    colours = list(data.marker.color)
    assert colours[7] == SIGNAL  # 30 falls: beyond the upper limit
    assert colours.count(SIGNAL) == 1
    assert set(colours) == {SIGNAL, DATA}


def test_runs_signal_dashes_the_centre_line(falls):
    r = quietly(qic, falls.filter(pl.col("home") == "B"), x="month", y="falls")
    cl = [t for t in qic_figure(r).data if t.name and t.name.startswith("Centre line")]
    assert [(t.name, t.line.dash, t.line.color) for t in cl] == [
        ("Centre line (runs signal)", "dash", SIGNAL)
    ]


def test_freeze_marks_the_end_of_the_baseline(falls):
    r = quietly(qic, falls, x="month", y="falls", chart="c", facets="home", freeze=7)
    fig = qic_figure(r)
    assert [a.text for a in fig.layout.annotations].count("end of baseline ") == 2


def test_mdc_figure_colours_points_by_type_and_shows_icons(falls):
    r = quietly(mdc, falls, x="month", y="falls", facet="home", improvement="decrease", target=5.0)
    fig = mdc_figure(r)
    b = next(t for t in fig.data if t.name == "falls" and t.xaxis == "x2")
    kinds = r.points.filter(pl.col("home") == "B")["point_type"].to_list()
    assert list(b.marker.color) == [MDC_COLOURS[k] for k in kinds]
    assert "special_cause_improvement" in kinds
    assert fig.layout.annotations[1].text.startswith("B — improvement ↓")
    assert "NHSRplotthedots 0.2.2" in fig.layout.title.subtitle.text


def test_report_page_is_self_contained_and_explains(falls):
    r = quietly(qic, falls, x="month", y="falls", chart="c", facets="home")
    page = report_html(qic_figure(r), explain_qic(r), r.rules, title="Falls")
    assert "<h2>What the chart shows</h2>" in page
    assert "outside the control limits" in page or "above the upper control limit" in page
    assert "rule set anhoej, version qicharts2-0.8.1" in page
    assert not re.search(r"<script[^>]+src=", page)  # plotly.js is embedded, no CDN


def test_a_target_is_drawn_and_returned(falls):
    r = u_chart(falls, target=5.0)
    assert r.points["target"].unique().to_list() == [5.0]
    targets = [t for t in qic_figure(r).data if t.name == "Target"]
    assert len(targets) == 2
    assert set(targets[0].y) == {5.0}
