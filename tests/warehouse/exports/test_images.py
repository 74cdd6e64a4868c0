"""PNG export through one warm kaleido server, with Debian's chromium."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest
from PIL import Image

from warehouse.exports import images
from warehouse.exports.images import find_chromium, png_writer


def _figure(title: str) -> go.Figure:
    return go.Figure(
        go.Scatter(x=list(range(12)), y=[5, 6, 4, 7, 5, 6, 3, 3, 2, 3, 2, 2], mode="lines+markers"),
        layout={"title": {"text": title}},
    )


def test_two_figures_through_one_server_are_pngs_of_the_asked_size(tmp_path):
    falls, pressure = tmp_path / "a" / "falls.png", tmp_path / "b" / "pressure.png"
    with png_writer() as write:
        assert write([_figure("Falls"), _figure("Pressure ulcers")], [falls, pressure],
                     width=640, height=360) == [falls, pressure]  # fmt: skip
        sharp = write([_figure("Falls").to_dict()], [tmp_path / "sharp.png"], width=320,
                      height=180, scale=2)  # fmt: skip
        assert write([], []) == []
        with pytest.raises(ValueError, match="2 figures but 1 paths"):
            write([_figure("x"), _figure("y")], [tmp_path / "x.png"])
    for path, size in ((falls, (640, 360)), (pressure, (640, 360)), (sharp[0], (640, 360))):
        with Image.open(path) as png:
            assert (png.format, png.size) == ("PNG", size)
            darkest, lightest = png.convert("L").getextrema()
            assert darkest < 100 < lightest  # a drawn chart, not a blank page


def test_no_chromium_is_a_clear_error_not_advice_to_download_chrome(monkeypatch, tmp_path):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(images, "KNOWN_PATHS", (str(tmp_path / "chromium"),))
    with pytest.raises(RuntimeError) as error, png_writer():
        pass
    message = str(error.value)
    assert "apt-get install chromium" in message
    assert "/usr/bin/chromium" in message
    assert "get_chrome()" not in message


def test_a_browser_path_that_is_not_a_file_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match=r"BROWSER_PATH=.*nowhere.*apt-get install chromium"):
        find_chromium()


def test_a_failed_start_or_a_failing_batch_stops_the_server_for_the_next_run(tmp_path):
    closes = tmp_path / "closes"
    closes.write_text("#!/bin/sh\nexit 1\n")
    closes.chmod(0o755)
    with (
        pytest.raises(RuntimeError, match=r"stopped.*apt-get install chromium"),
        png_writer(browser=str(closes)),
    ):
        pass  # a browser that closes at once fails here rather than hanging
    with pytest.raises(KeyError), png_writer():
        raise KeyError("a chart failed")
    with png_writer() as write:
        write([_figure("after")], [tmp_path / "after.png"], width=200, height=100)
    with Image.open(tmp_path / "after.png") as png:
        assert png.size == (200, 100)


def test_debians_chromium_is_found():
    assert find_chromium().endswith("chromium")
