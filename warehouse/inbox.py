"""The inbox's layout: where each extract goes, and what to say about a file out of place.

An inbox holds one folder per site; in each, one folder per source system:
``emis/`` (the EMIS bulk extract and EMIS search reports), ``systmone/``, ``carehome/<CQC
location id>/``, ``hospital/`` and ``qi_log/`` (docs/extracts.md). Every file under the
inbox is either loaded or reported: a file at the top of the inbox, in a folder that
names no source, or whose header belongs to another source than its folder is refused
with where it should go. Hidden files (``.DS_Store``, ``.gitkeep``) are listed as
ignored.

Examples
--------
>>> misplaced(("site_a", "hospital", "incidents.csv"), "carehome", "incidents")
'this looks like a care-home incidents file; put it in inbox/site_a/carehome/<CQC location id>/'
>>> misplaced(("site_a", "hospital", "ae_attendances.csv"), "hospital", "ae_attendances") is None
True
"""

from __future__ import annotations

from pathlib import Path

# Source system (connectors.schemas.TableSpec.source) -> its folder under a site.
FOLDERS = {
    "emis": "emis",
    "emis_report": "emis",
    "systmone": "systmone",
    "carehome": "carehome",
    "hospital": "hospital",
    "qi_log": "qi_log",
}
LABELS = {
    "emis": "EMIS Web",
    "emis_report": "EMIS Web search report",
    "systmone": "SystmOne",
    "carehome": "care-home",
    "hospital": "hospital",
    "qi_log": "QI activity log",
}
SUFFIXES = (".csv", ".txt", ".xlsx")
HOME = "<CQC location id>"


class InboxError(Exception):
    """The inbox folder itself is wrong (missing, or one site's folder); says how to fix it."""


def is_hidden(rel: tuple[str, ...]) -> bool:
    """Whether any part of a path under the inbox starts with a dot (``.DS_Store``)."""
    return any(part.startswith(".") for part in rel)


def discover(inbox: Path) -> list[Path]:
    """Every file under ``inbox``, hidden ones included, sorted by path."""
    return sorted(p for p in inbox.rglob("*") if p.is_file())


def check(inbox: Path) -> None:
    """Refuse an inbox that is missing, or that is one site's folder rather than the inbox.

    Raises
    ------
    InboxError
        If ``inbox`` is not a folder, or its sub-folders are named as sources are
        (``carehome``, ``emis``...), which means it is a site's folder.
    """
    if not inbox.is_dir():
        raise InboxError(
            f"cannot find the inbox folder {str(inbox)!r}. Give the folder that holds one "
            "folder per site (--inbox, or [paths] inbox in m4c.toml)."
        )
    sources = sorted(
        p.name for p in inbox.iterdir() if p.is_dir() and p.name in set(FOLDERS.values())
    )
    if sources:
        raise InboxError(
            f"{str(inbox)!r} looks like one site's folder, not the inbox: it holds "
            f"{', '.join(sources)}, which are source folders. Point --inbox at the folder "
            f"above it ({str(inbox.parent)!r}), which holds one folder per site, or move "
            f"this folder into an inbox as <inbox>/{inbox.name}/."
        )


def where(site: str | None, source: str) -> str:
    """The folder a file of ``source`` belongs in, for a site (or ``<site>``)."""
    folder = FOLDERS[source]
    return f"inbox/{site or '<site>'}/{folder}/" + (f"{HOME}/" if folder == "carehome" else "")


def describe(source: str, table: str) -> str:
    """A file of this kind in words: "a care-home incidents file"."""
    words = f"{LABELS[source]} {table.replace('_', ' ')} file"
    return ("an " if words[0].lower() in "aeiou" else "a ") + words


def misplaced(rel: tuple[str, ...], source: str, table: str) -> str | None:
    """Why a file identified as ``source``/``table`` is in the wrong place, or None.

    ``rel`` is its path under the inbox, split: site, source folder, (home,) file name.
    """
    site = rel[0] if len(rel) > 1 else None
    folder = rel[1] if len(rel) > 2 else None
    wanted = FOLDERS[source]
    in_home = len(rel) == 4 if wanted == "carehome" else True  # carehome/<home>/<file>
    if site is not None and folder == wanted and in_home:
        return None
    return f"this looks like {describe(source, table)}; put it in {where(site, source)}"


def outside(rel: tuple[str, ...]) -> str:
    """A sentence for a file that is not where any extract goes, else nothing.

    Examples
    --------
    >>> outside(("notes.csv",))
    " It is also outside every site's folder: extracts go in inbox/<site>/<source>/."
    >>> outside(("site_a", "emis", "notes.csv"))
    ''
    """
    folder = rel[1] if len(rel) > 2 else None
    if len(rel) > 1 and folder in FOLDERS.values():
        return ""
    place = "outside every site's folder" if len(rel) == 1 else "in a folder that names no source"
    return f" It is also {place}: extracts go in inbox/<site>/<source>/."


def unplaced(rel: tuple[str, ...]) -> str | None:
    """Why a file cannot be loaded from where it is whatever it holds, or None.

    Examples
    --------
    >>> unplaced(("notes.pdf",))
    'it is not a CSV, TXT or XLSX file, so it holds no extract to load. Remove it from the inbox.'
    """
    if Path(rel[-1]).suffix.lower() not in SUFFIXES:
        return (
            "it is not a CSV, TXT or XLSX file, so it holds no extract to load. Remove it "
            "from the inbox."
        )
    return None
