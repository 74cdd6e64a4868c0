"""PNGs of plotly figures through one warm Chromium per run.

Kaleido 1.5 starts a browser for every ``write_image`` (about 2.3 s on this project's
machines, docs/stack.md section 4). :func:`png_writer` opens one kaleido browser, with
``TABS`` tabs rendering side by side, on an event loop of its own; it hands back a
function that writes a batch of figures and closes the browser when the block ends,
even on an error. Kaleido reloads a tab's page (and parses plotly.js again) after
every image, which is two thirds of an image's time; its page already purges each
figure's div, so the tabs here are reloaded only after a figure that logged an error.

The browser is Debian's ``chromium`` (``apt-get install chromium``, which gives
``/usr/bin/chromium``), or the one ``BROWSER_PATH`` names. Nothing here downloads a
browser: where none is found, the error says how to install one, not kaleido's advice
to fetch Chrome. MathJax is switched off, so no page asks a CDN for it.

Examples
--------
>>> import tempfile
>>> import plotly.graph_objects as go
>>> fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 2, 5]))
>>> with tempfile.TemporaryDirectory() as folder, png_writer() as write:
...     [p.name for p in write([fig], [Path(folder) / "falls.png"], width=800, height=450)]
['falls.png']
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import kaleido
from plotly.io._utils import validate_coerce_fig_to_dict

DEBIAN_CHROMIUM = "/usr/bin/chromium"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
KNOWN_PATHS = (DEBIAN_CHROMIUM, "/usr/lib/chromium/chromium")  # if PATH is bare
START_TIMEOUT = 60.0  # seconds for the browser to start and render a first, empty figure
FIGURE_TIMEOUT = 90.0  # seconds for one figure (kaleido's own default)
TABS = 2  # figures rendered at once: one per core of the machines this runs on
_LOOP = "png-export"


class WritePngs(Protocol):
    """The batch writer :func:`png_writer` yields."""

    def __call__(
        self,
        figs: Sequence[Any],
        paths: Sequence[Path],
        *,
        width: int = 1600,
        height: int | Sequence[int | None] = 900,
        scale: float = 1,
    ) -> list[Path]:
        """Write ``figs[i]`` as a PNG to ``paths[i]``; return the paths."""
        ...


def find_chromium() -> str:
    """The browser kaleido will drive: ``BROWSER_PATH`` if set, else one on ``PATH``.

    Returns
    -------
    str
        The path of an executable Chromium (or Chrome).

    Raises
    ------
    RuntimeError
        If ``BROWSER_PATH`` names no executable file, or no browser is on ``PATH``;
        the message says to install Debian's chromium (``/usr/bin/chromium``).

    Examples
    --------
    >>> Path(find_chromium()).name in BROWSER_NAMES
    True
    """
    howto = (
        f"Install Debian's Chromium with `apt-get install chromium` (it provides "
        f"{DEBIAN_CHROMIUM}), or set BROWSER_PATH to a Chromium binary; no browser is "
        "downloaded for you."
    )
    if (named := os.environ.get("BROWSER_PATH")) is not None:
        if Path(named).is_file() and os.access(named, os.X_OK):
            return named
        raise RuntimeError(f"PNG export: BROWSER_PATH={named!r} is not an executable file. {howto}")
    for name in BROWSER_NAMES:
        if found := shutil.which(name):
            return found
    for path in KNOWN_PATHS:
        if os.access(path, os.X_OK):
            return path
    raise RuntimeError(f"PNG export: no Chromium found on PATH. {howto}")


class _Kaleido(kaleido.Kaleido):
    """Kaleido whose tabs go back to work without reloading plotly.js after each image.

    Kaleido 1.5 reloads a tab after every figure (``Kaleido._return_kaleido_tab``);
    its page's ``kaleido_scopes.plotly`` purges the figure's div once the image is
    made, so a tab is reloaded here only when the figure logged a JavaScript error.
    """

    async def _return_kaleido_tab(self, tab: Any) -> None:
        if tab.js_logger.log:
            await tab.reload()  # resets the log too
        await self.tabs_ready.put(tab)


@contextmanager
def png_writer(*, browser: str | None = None) -> Iterator[WritePngs]:
    """Open one kaleido browser; yield a function that writes batches of PNGs.

    Parameters
    ----------
    browser : str, optional
        The Chromium to drive; by default :func:`find_chromium`.

    Yields
    ------
    WritePngs
        ``write(figs, paths, *, width=1600, height=900, scale=1) -> list[Path]``: each
        figure (a plotly ``Figure`` or its dict) to the PNG file at the same place in
        ``paths``, ``width * scale`` by ``height * scale`` pixels (``height`` may be a
        list, one per figure), ``TABS`` at a time. Folders are made as needed.

    Raises
    ------
    RuntimeError
        If no browser is found (see :func:`find_chromium`), or if the browser does not
        start or render a first figure within ``START_TIMEOUT`` seconds.

    Notes
    -----
    A tiny figure is rendered before anything is yielded, so a browser that cannot
    start fails here, with its reason, rather than in the first batch. The browser runs
    on an event loop in a thread of its own; the loop and the browser are closed when
    the block ends, so a failed run leaves nothing behind for the next.
    """
    path = browser or find_chromium()
    # Chromium keeps its profile, caches and crash reports under the XDG folders (the
    # user's ~/.config and ~/.cache by default): point them at a folder of this run's own,
    # so exporting PNGs leaves nothing in the user's home.
    scratch = tempfile.TemporaryDirectory(prefix="m4c-chromium-")
    saved = {k: os.environ.get(k) for k in _XDG}
    os.environ.update({k: str(Path(scratch.name) / k.lower()) for k in _XDG})
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name=_LOOP, daemon=True)
    thread.start()

    def run(work: Coroutine[Any, Any, Any], timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(work, loop).result(timeout)

    k = _Kaleido(n=TABS, timeout=FIGURE_TIMEOUT, path=path, mathjax=False)
    try:
        try:
            run(_first_figure(k), START_TIMEOUT)
        except Exception as e:  # the browser's own reason, without advice to fetch Chrome
            reason = _first_line(e) if not isinstance(e, TimeoutError) else (
                f"it rendered no first figure in {START_TIMEOUT:.0f} s")  # fmt: skip
            raise RuntimeError(
                f"PNG export: the browser at {path} stopped: {reason}. Check that it is "
                f"Debian's Chromium (`apt-get install chromium`, {DEBIAN_CHROMIUM})."
            ) from e
        yield partial(_write, run=run, kaleido_=k)
    finally:
        with suppress(Exception):  # closing a browser that never opened
            run(k.close(), START_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(START_TIMEOUT)
        loop.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        scratch.cleanup()


_XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


async def _first_figure(k: _Kaleido) -> None:
    """Open the browser and its tabs, and render a tiny figure."""
    await k.open()
    tiny = {"fig": {"data": [], "layout": {}}, "opts": {"format": "png", "width": 8, "height": 8}}
    await k.write_fig_from_object(tiny, _write=False)


def _write(
    figs: Sequence[Any],
    paths: Sequence[Path],
    *,
    width: int = 1600,
    height: int | Sequence[int | None] = 900,
    scale: float = 1,
    run: Any,
    kaleido_: _Kaleido,
) -> list[Path]:
    """One batch through the open browser: see :func:`png_writer`."""
    out = [Path(p) for p in paths]
    if len(figs) != len(out):
        raise ValueError(
            f"png_writer: {len(figs)} figures but {len(out)} paths; give one path per figure."
        )
    heights = [height] * len(out) if isinstance(height, int) else list(height)
    for folder in {p.parent for p in out}:
        folder.mkdir(parents=True, exist_ok=True)
    specs = [
        {"fig": validate_coerce_fig_to_dict(fig, False), "path": p,
         "opts": {"format": "png", "width": width, "height": h, "scale": scale}}
        for fig, p, h in zip(figs, out, heights, strict=True)
    ]  # fmt: skip
    if specs:
        run(kaleido_.write_fig_from_object(specs, cancel_on_error=True))
    if missing := [str(p) for p in out if not p.is_file()]:
        raise RuntimeError(f"PNG export: kaleido wrote no image to {missing}.")
    return out


def _first_line(error: BaseException) -> str:
    """An error's own message, without the advice to download Chrome that follows it."""
    first = error.args[0] if error.args else error
    return str(first).splitlines()[0].rstrip(".") if str(first) else type(error).__name__
