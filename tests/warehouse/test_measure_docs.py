"""docs/measures.md describes the catalogue as declared (its section is written from it)."""

from pathlib import Path

from warehouse.measures import load_registry
from warehouse.measures.document import END, START, catalogue_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "measures.md"


def test_the_catalogue_section_of_the_docs_is_current():
    text = DOCS.read_text(encoding="utf-8")
    section = START + text.split(START, 1)[1].split(END, 1)[0] + END
    assert section == catalogue_markdown(load_registry()), (
        "docs/measures.md is out of date: run `uv run python -m warehouse.measures.document "
        "docs/measures.md`"
    )
