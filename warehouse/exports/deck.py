"""A PowerPoint deck per site for the monthly QI meeting: one slide per measure.

:func:`write_deck` writes a 16:9 deck with python-pptx: a title slide, then for each
:class:`Slide` the measure's title, its chart (a PNG from
:func:`warehouse.exports.images.png_writer`) scaled to fit, the plain sentence that
says what the chart shows beneath it in 22 pt, the rule set in small type, and the
speaker notes. Type sizes are chosen for a projector at the back of a meeting room.

Examples
--------
>>> import tempfile
>>> from PIL import Image
>>> with tempfile.TemporaryDirectory() as folder:
...     chart = Path(folder) / "falls.png"
...     Image.new("RGB", (1600, 900), "white").save(chart)
...     slide = Slide(
...         title="Falls per 1,000 occupied bed days",
...         image=chart,
...         sentence="The last 7 months are all below the average: a real improvement.",
...         rules="Rule set: NHS Making Data Count",
...     )
...     deck = write_deck(Path(folder) / "hillcrest.pptx", title="Hillcrest",
...                       subtitle="QI meeting, March 2024", slides=[slide])
...     len(Presentation(deck).slides)
2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)  # 16:9
MARGIN = Inches(0.5)
TITLE_PT, SUBTITLE_PT, SENTENCE_PT, RULES_PT = 32, 24, 22, 12
INK, GREY = RGBColor(0x21, 0x2B, 0x32), RGBColor(0x5F, 0x6B, 0x73)  # NHS dark grey, mid grey
_TITLE_SLIDE, _TITLE_ONLY = 0, 5  # layouts of python-pptx's default template

# Where things sit on a measure slide (top, height), top to bottom.
_TITLE_BOX = (Inches(0.3), Inches(0.85))
_CHART_BOX = (Inches(1.2), Inches(4.45))
_SENTENCE_BOX = (Inches(5.72), Inches(1.05))
_RULES_BOX = (Inches(6.82), Inches(0.45))


@dataclass(frozen=True)
class Slide:
    """One measure's slide.

    Attributes
    ----------
    title : str
        The measure's name, as the slide's title.
    image : pathlib.Path
        Its chart as a PNG (or JPEG); scaled to fit, keeping its shape.
    sentence : str
        The plain sentence saying what the chart shows, shown beneath it; also the
        picture's alternative text.
    rules : str
        The rule set the chart was read with, in small type at the foot.
    notes : str
        Speaker notes.

    Examples
    --------
    >>> Slide("Falls", Path("falls.png"), "No change.", "Rule set: MDC").notes
    ''
    """

    title: str
    image: Path
    sentence: str
    rules: str
    notes: str = ""


def write_deck(path: Path, *, title: str, subtitle: str, slides: Sequence[Slide]) -> Path:
    """A 16:9 deck: a title slide, then one slide per measure.

    Parameters
    ----------
    path : pathlib.Path
        The ``.pptx`` file to write; its folder is made if missing.
    title : str
        The deck's title (the site's name).
    subtitle : str
        The line under it (the meeting, the month the data run to).
    slides : sequence of Slide
        The measures, in order.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    FileNotFoundError
        If a slide's image does not exist.
    """
    for slide in slides:
        if not Path(slide.image).is_file():
            raise FileNotFoundError(f"write_deck: the chart {slide.image} of {slide.title!r}.")
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    _title_slide(deck, title, subtitle)
    for slide in slides:
        _measure_slide(deck, slide)
    path.parent.mkdir(parents=True, exist_ok=True)
    deck.save(path)
    return path


def _place(shape, top: int, height: int) -> None:
    """Set a shape across the slide between the margins."""
    shape.left, shape.top = MARGIN, top
    shape.width, shape.height = WIDTH - 2 * MARGIN, height


def _text(frame, text: str, size: int, *, color=INK, bold=False, align=PP_ALIGN.LEFT) -> None:
    """Replace a text frame's text with one paragraph in the given type."""
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.text = text
    paragraph = frame.paragraphs[0]
    paragraph.alignment = align
    for run in paragraph.runs:
        run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, color


def _title_slide(deck, title: str, subtitle: str) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_SLIDE])
    head, sub = slide.placeholders[0], slide.placeholders[1]
    _place(head, Inches(2.3), Inches(1.5))
    _place(sub, Inches(3.9), Inches(1.2))
    _text(head.text_frame, title, 44, bold=True, align=PP_ALIGN.CENTER)
    _text(sub.text_frame, subtitle, SUBTITLE_PT, color=GREY, align=PP_ALIGN.CENTER)


def _measure_slide(deck, item: Slide) -> None:
    slide = deck.slides.add_slide(deck.slide_layouts[_TITLE_ONLY])
    head = slide.shapes.title
    _place(head, *_TITLE_BOX)
    _text(head.text_frame, item.title, TITLE_PT, bold=True)

    top, height = _CHART_BOX
    picture = slide.shapes.add_picture(str(item.image), MARGIN, top)
    box_width = WIDTH - 2 * MARGIN
    scale = min(box_width / picture.width, height / picture.height)
    picture.width, picture.height = (
        Emu(int(picture.width * scale)),
        Emu(int(picture.height * scale)),
    )
    picture.left = Emu(int((WIDTH - picture.width) / 2))
    picture.top = Emu(int(top + (height - picture.height) / 2))
    picture._element.nvPicPr.cNvPr.set("descr", f"Chart: {item.title}. {item.sentence}")

    for text, box, size, color in (
        (item.sentence, _SENTENCE_BOX, SENTENCE_PT, INK),
        (item.rules, _RULES_BOX, RULES_PT, GREY),
    ):
        shape = slide.shapes.add_textbox(MARGIN, box[0], WIDTH - 2 * MARGIN, box[1])
        _text(shape.text_frame, text, size, color=color)
    if item.notes:
        slide.notes_slide.notes_text_frame.text = item.notes
