"""The site deck, read back with python-pptx."""

from __future__ import annotations

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Pt

from warehouse.exports.deck import Slide, write_deck

SENTENCES = (
    "The last 7 months are all below the average: a real improvement, beginning when the "
    "falls huddles started.",
    "No change: the points vary about the average as they always have.",
)


@pytest.fixture
def deck(tmp_path):
    wide, square = tmp_path / "falls.png", tmp_path / "ulcers.png"
    Image.new("RGB", (1600, 900), "white").save(wide)
    Image.new("RGB", (800, 800), "white").save(square)
    slides = [
        Slide("Falls per 1,000 occupied bed days", wide, SENTENCES[0],
              "Rule set: NHS Making Data Count", notes="Ask the huddle leads to speak."),
        Slide("Pressure ulcers", square, SENTENCES[1], "Rule set: Anhøj run chart rules"),
    ]  # fmt: skip
    path = write_deck(tmp_path / "out" / "hillcrest.pptx", title="Hillcrest",
                      subtitle="Monthly QI meeting, March 2024", slides=slides)  # fmt: skip
    return path, Presentation(path)


def _texts(slide):
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_a_title_slide_then_one_16_by_9_slide_per_measure(deck):
    path, prs = deck
    assert path.name == "hillcrest.pptx"
    assert path.is_file()
    assert len(prs.slides) == 3
    assert round(prs.slide_width / prs.slide_height, 3) == round(16 / 9, 3)
    assert _texts(prs.slides[0]) == ["Hillcrest", "Monthly QI meeting, March 2024"]
    assert [s.shapes.title.text for s in list(prs.slides)[1:]] == [
        "Falls per 1,000 occupied bed days",
        "Pressure ulcers",
    ]


def test_each_measure_slide_has_its_chart_fitted_and_its_sentence_beneath(deck):
    _, prs = deck
    for slide, sentence, shape in zip(list(prs.slides)[1:], SENTENCES, (16 / 9, 1), strict=True):
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.width / picture.height == pytest.approx(shape, rel=1e-3)
        assert picture.left >= 0
        assert picture.left + picture.width <= prs.slide_width
        assert picture.top + picture.height <= prs.slide_height
        said = next(s for s in slide.shapes if s.has_text_frame and s.text_frame.text == sentence)
        assert said.top >= picture.top + picture.height  # beneath the chart
        assert said.top + said.height <= prs.slide_height
        assert all(r.font.size >= Pt(20) for p in said.text_frame.paragraphs for r in p.runs)
        assert sentence in picture._element.nvPicPr.cNvPr.get("descr")  # alt text


def test_the_rule_set_in_small_type_and_the_speaker_notes(deck):
    _, prs = deck
    falls, ulcers = list(prs.slides)[1:]
    rules = next(
        s for s in falls.shapes if s.has_text_frame and s.text_frame.text.startswith("Rule")
    )
    assert rules.text_frame.text == "Rule set: NHS Making Data Count"
    assert rules.text_frame.paragraphs[0].runs[0].font.size < Pt(20)
    assert falls.notes_slide.notes_text_frame.text == "Ask the huddle leads to speak."
    assert "Rule set: Anhøj run chart rules" in _texts(ulcers)
    assert not ulcers.has_notes_slide or ulcers.notes_slide.notes_text_frame.text == ""


def test_a_missing_chart_is_an_error_before_anything_is_written(tmp_path):
    slide = Slide("Falls", tmp_path / "missing.png", "No change.", "Rule set: MDC")
    with pytest.raises(FileNotFoundError, match=r"missing\.png"):
        write_deck(tmp_path / "d.pptx", title="t", subtitle="s", slides=[slide])
    assert not (tmp_path / "d.pptx").exists()
