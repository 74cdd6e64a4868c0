"""PNGs of plotly figures through one warm Chromium per run.

Kaleido 1.5 starts a browser for every ``write_image`` (about 2.3 s on this project's
machines); with one kaleido server kept warm, each further image takes about 0.2 to 0.4 s
(docs/stack.md section 4). :func:`png_writer` starts that server once, hands back a
function that writes a batch of figures, and stops the server when the block ends,
even on an error.

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

import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import kaleido
import plotly.io as pio

DEBIAN_CHROMIUM = "/usr/bin/chromium"
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
KNOWN_PATHS = (DEBIAN_CHROMIUM, "/usr/lib/chromium/chromium")  # if PATH is bare
START_TIMEOUT = 60.0  # seconds for the browser to start and render a first, empty figure
_KOPTS_WARNING = "The kopts argument is ignored if using a server"  # cosmetic, docs/stack.md
_POLL = 0.05
_HELPER = "png-export"


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


@contextmanager
def png_writer(*, browser: str | None = None) -> Iterator[WritePngs]:
    """Start one warm kaleido server; yield a function that writes batches of PNGs.

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
        list, one per figure, ``None`` for the figure's own), in one call to
        :func:`plotly.io.write_images`. Folders are made as needed.

    Raises
    ------
    RuntimeError
        If no browser is found (see :func:`find_chromium`), if another kaleido server
        is already running in this process (there is one per process), or if the
        browser does not start.

    Notes
    -----
    The server is started and a tiny figure rendered before anything is yielded, so a
    browser that cannot start fails here, with its reason, rather than hanging the
    first batch. Every batch runs while the server's thread is watched: kaleido's
    sync server never answers a request once its thread has died.
    """
    path = browser or find_chromium()
    # Chromium keeps its profile, caches and crash reports under the XDG folders (the
    # user's ~/.config and ~/.cache by default): point them at a folder of this run's own,
    # so exporting PNGs leaves nothing in the user's home.
    scratch = tempfile.TemporaryDirectory(prefix="m4c-chromium-")
    saved = {k: os.environ.get(k) for k in _XDG}
    os.environ.update({k: str(Path(scratch.name) / k.lower()) for k in _XDG})
    try:
        with _png_writer(path) as write:
            yield write
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        scratch.cleanup()


_XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


@contextmanager
def _png_writer(path: str) -> Iterator[WritePngs]:
    """:func:`png_writer` once the browser's folders are set."""
    mathjax = pio.defaults.mathjax
    before = set(threading.enumerate())
    server: list[threading.Thread] = []  # the kaleido server's thread, once started
    failure: list[BaseException] = []
    hook = threading.excepthook

    def record(args: threading.ExceptHookArgs) -> None:
        """Keep the server thread's error for our message; pass any other on."""
        thread = args.thread
        ours = (thread in server) if server else (thread is not None and thread not in before)
        if ours and thread is not None and thread.name != _HELPER:
            failure.append(args.exc_value)  # type: ignore[arg-type]
        else:
            hook(args)

    threading.excepthook = record  # set first: the server thread can fail at once
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kaleido.start_sync_server(path=path, mathjax=False)
        if any("already open" in str(w.message) for w in caught):
            raise RuntimeError(
                "PNG export: a kaleido server is already running in this process; use "
                "the one png_writer yields rather than starting a second."
            )
        server.extend(t for t in threading.enumerate() if t not in before)
        watch = _Watch(server, failure, path)
        try:
            pio.defaults.mathjax = False  # no CDN MathJax in the page kaleido renders
            watch(
                lambda: kaleido.calc_fig_sync(
                    {"data": [], "layout": {}}, opts={"format": "png", "width": 8, "height": 8}
                ),
                timeout=START_TIMEOUT,
            )
            yield partial(_write, watch=watch)
        finally:
            pio.defaults.mathjax = mathjax
            kaleido.stop_sync_server(silence_warnings=True)
    finally:
        threading.excepthook = hook


def _write(
    figs: Sequence[Any],
    paths: Sequence[Path],
    *,
    width: int = 1600,
    height: int | Sequence[int | None] = 900,
    scale: float = 1,
    watch: _Watch,
) -> list[Path]:
    """One batch through the warm server: see :func:`png_writer`."""
    out = [Path(p) for p in paths]
    if len(figs) != len(out):
        raise ValueError(
            f"png_writer: {len(figs)} figures but {len(out)} paths; give one path per figure."
        )
    if not out:
        return []
    for folder in {p.parent for p in out}:
        folder.mkdir(parents=True, exist_ok=True)
    for p in out:
        p.unlink(missing_ok=True)  # kaleido returns a figure's error rather than raising it
    watch(
        lambda: pio.write_images(
            list(figs),
            out,
            format="png",
            width=width,
            height=height if isinstance(height, int) else list(height),
            scale=scale,
        )
    )
    if missing := [str(p) for p in out if not p.is_file()]:
        raise RuntimeError(f"PNG export: kaleido wrote no image to {missing}.")
    return out


@dataclass(frozen=True)
class _Watch:
    """Runs a call to the kaleido server while watching the server's thread.

    Kaleido's sync server never answers once its thread has died (a browser that
    closes at start does that), so each call runs in a helper thread and this one
    raises if the server dies first.
    """

    server: list[threading.Thread]
    failure: list[BaseException]
    browser: str

    def __call__(self, call: Callable[[], Any], *, timeout: float | None = None) -> Any:
        """``call()``'s result, or its error, or a RuntimeError if the server died."""
        result: list[Any] = []
        error: list[BaseException] = []

        def run() -> None:
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=_KOPTS_WARNING, category=UserWarning)
                    result.append(call())
            except BaseException as e:  # handed to the caller's thread below
                error.append(e)

        helper = threading.Thread(target=run, name=_HELPER, daemon=True)
        helper.start()
        waited = 0.0
        while helper.is_alive():
            helper.join(_POLL)
            waited += _POLL
            if helper.is_alive() and not all(t.is_alive() for t in self.server):
                reason = f": {_first_line(self.failure[0])}" if self.failure else ""
                raise RuntimeError(
                    f"PNG export: the browser at {self.browser} stopped{reason}. Check that "
                    f"it is Debian's Chromium (`apt-get install chromium`, {DEBIAN_CHROMIUM})."
                )
            if timeout is not None and waited > timeout:
                raise RuntimeError(
                    f"PNG export: the browser at {self.browser} did not render a first "
                    f"figure in {timeout:.0f} s."
                )
        if error:
            raise error[0]
        return result[0]


def _first_line(error: BaseException) -> str:
    """An error's own message, without the advice to download Chrome that follows it."""
    first = error.args[0] if error.args else error
    return str(first).rstrip(".")
