"""The pages: one folder per site holding only its own homes, escaped, offline, complete."""

from __future__ import annotations

import csv
import re

from pptx import Presentation

from tests.warehouse.pages.conftest import FORMULA, SCRIPT
from warehouse.measures import load_registry
from warehouse.pages.render import style as style_text


def _site_homes(homes):
    by_site: dict[str, set[str]] = {}
    for h in homes:
        by_site.setdefault(h["site_id"], set()).add(h["home_name"])
    return by_site


def test_every_folder_and_page_is_written(site_pages):
    out, result, homes = site_pages
    sites = sorted({h["site_id"] for h in homes})
    assert (out / "index.html").is_file()
    assert (out / "commissioners" / "index.html").is_file()
    for site in sites:
        folder = out / site
        assert (folder / "index.html").is_file()
        assert (folder / "plotly.min.js").stat().st_size > 1_000_000
        assert (folder / "s1.html").is_file()
        assert (folder / "s1.csv").is_file()
        assert (folder / "charts" / "s1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(result.decks) == len(sites)
    assert len(result.pngs) >= 30 * len(sites)


def test_pages_load_plotly_from_beside_them_never_a_cdn(site_pages):
    out, _, _ = site_pages
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "cdn.plot.ly" not in text, page
        assert re.findall(r'src="(https?:[^"]*)"', text) == [], page


def test_a_site_folder_holds_no_other_sites_homes(site_pages):
    out, _, homes = site_pages
    by_site = _site_homes(homes)
    for site, own in by_site.items():
        others = set().union(*(v for k, v in by_site.items() if k != site)) - own
        others_ids = {h["home_id"] for h in homes if h["site_id"] != site}
        for path in (out / site).rglob("*"):
            if path.suffix not in {".html", ".csv"}:
                continue
            text = path.read_text(encoding="utf-8")
            leaked = [n for n in others if n and n in text] + [i for i in others_ids if i in text]
            assert leaked == [], (path, leaked)


def test_names_are_escaped_in_pages_and_csv(site_pages):
    out, _, homes = site_pages
    script_site = next(h["site_id"] for h in homes if h["home_name"] == SCRIPT)
    dashboard = (out / script_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; House" in dashboard
    for page in out.rglob("*.html"):
        assert "<script>alert(1)</script>" not in page.read_text(encoding="utf-8"), page
    formula_site = next(h["site_id"] for h in homes if h["home_name"] == FORMULA)
    with (out / formula_site / "s1.csv").open(encoding="utf-8") as f:
        names = {row["home_name"] for row in csv.DictReader(f)}
    assert "'" + FORMULA in names
    assert FORMULA not in names


def test_the_deck_has_a_slide_per_measure_with_its_sentence(site_pages):
    out, _, homes = site_pages
    site = homes[0]["site_id"]
    deck = Presentation(str(out / site / f"{site}_qi_meeting.pptx"))
    slides = list(deck.slides)
    pages = [p for p in (out / site).glob("*.html") if p.name != "index.html"]
    assert len(slides) == len(pages) + 1
    text = " ".join(shape.text_frame.text for shape in slides[1].shapes if shape.has_text_frame)
    assert "Rules:" in text or "rules" in text.lower()


def test_every_measure_with_points_has_a_page(site_pages):
    out, _, homes = site_pages
    site = homes[0]["site_id"]
    keys = {p.stem for p in (out / site).glob("*.html")} - {"index"}
    assert keys >= {m.key for m in load_registry() if m.id in {"S1", "S3", "P2.1", "O2.4"}}


def test_commissioners_pages_show_no_small_counts(site_pages):
    out, _, _ = site_pages
    text = (out / "commissioners" / "index.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num">([^<]*)</td>', text)
    counts = [c for c in cells if re.fullmatch(r"[\d,]+", c)]
    assert counts, "the resource tables have counts"
    for c in counts:
        n = int(c.replace(",", ""))
        assert n == 0 or (n >= 10 and n % 5 == 0), c


def test_points_csv_names_its_files_by_id_from_the_sites_files_csv(site_pages):
    out, _, homes = site_pages
    site = homes[0]["site_id"]
    with (out / site / "files.csv").open(encoding="utf-8") as f:
        files = {row["file_id"]: row for row in csv.DictReader(f)}
    with (out / site / "s1.csv").open(encoding="utf-8") as f:
        points = list(csv.DictReader(f))
    named = {i for row in points for i in row["file_ids"].split()}
    assert named
    assert named <= files.keys()
    assert all(int(r["rows_in"]) == int(r["rows_loaded"]) + int(r["rows_quarantined"])
               + int(r["rows_skipped"]) for r in files.values())  # fmt: skip
    assert not any(f["file"].startswith(site) for f in files.values())  # inside the site's inbox
    site_rows = [r for r in points if r["level"] == "site" and r["value"]]
    assert any(files[i]["file"].startswith("carehome/") for i in site_rows[0]["file_ids"].split())
    assert all(len(r["value"].split(".")[-1]) <= 4 for r in site_rows)


def test_the_shared_style_reaches_every_page_as_written(site_pages):
    out, _, _ = site_pages
    style = style_text()
    assert "th.rot > div" in style
    assert '"Segoe UI"' in style
    for page in [out / "index.html", *out.glob("*/index.html"), *out.glob("*/s1.html")]:
        text = page.read_text(encoding="utf-8")
        assert f"<style>{style}</style>" in text, page  # not HTML-escaped: > and " intact
