"""The pages in a real browser: Debian's chromium through Playwright, offline.

Each page must load with no console error and no request leaving the machine, every
chart must render (plotly's SVG is there), and a signal's hover text must name its rule.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _open(browser, path):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, outside


def test_every_page_of_a_site_loads_offline_and_renders_its_charts(site_pages, browser):
    out, _, homes = site_pages
    folder = out / homes[0]["site_id"]
    for path in [folder / "index.html", folder / "s1.html", folder / "p2_1.html",
                 out / "index.html", out / "commissioners" / "index.html"]:  # fmt: skip
        page, errors, outside = _open(browser, path)
        charts = page.locator(".js-plotly-plot").count()
        rendered = page.locator(".js-plotly-plot .main-svg").count()
        page.close()
        assert errors == [], (path.name, errors)
        assert outside == [], (path.name, outside)
        if path.name != "index.html" and path.parent.name != "commissioners":
            assert charts >= 1, path
        assert rendered >= charts, path


def test_a_signal_point_names_its_rule_on_hover(site_pages, browser):
    out, _, homes = site_pages
    # the falls charts carry the planted improvements; the pages their signals link to
    paths = [out / site / f"{key}.html" for site in sorted({h["site_id"] for h in homes})
             for key in ("s1", "s2", "p2_1", "p1_1")]  # fmt: skip
    for path in paths:
        page, _, _ = _open(browser, path)
        texts = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(
                   g => g.data.flatMap(t => [].concat(t.customdata || [], t.hovertext || [])))"""
        )
        page.close()
        named = [t for t in texts if isinstance(t, str) and ("in a row" in t or "limit" in t)]
        if named:
            assert any("points in a row" in t or "the upper limit" in t or "the lower limit" in t
                       for t in named)  # fmt: skip
            return
    pytest.fail("no falls or MUST chart of any site has a point whose hover names its rule")
