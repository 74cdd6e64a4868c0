"""The project's settings: one file, ``m4c.toml``, found from the current folder upwards.

Every key has a default (``TEMPLATE`` is the file with every key commented), so a
project without the file works in the current folder. User data (the inbox, the
warehouse, the output folder, Dagster's home) is relative to the folder of the file,
or to the current folder when there is none; reference data (code lists, rules,
schedules, measure definitions) ships inside the packages. Command-line options
override the file.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "m4c.toml").write_text('''
... [paths]
... inbox = "extracts"
... [[sites.site_a.homes]]
... cqc_id = "1-123"
... name = "Elm House"
... type = "nursing"
... beds = 40
... ''')
>>> s = load_settings(folder)
>>> s.inbox == folder / "extracts", s.warehouse == folder / "data" / "warehouse.duckdb"
(True, True)
>>> s.home_name("site_a", "1-123"), s.home_name("site_a", "1-999")
('Elm House', '1-999')
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

FILE_NAME = "m4c.toml"
CONFIG_VARIABLE = "M4C_CONFIG"  # a settings file to use instead of searching for one
HOME_TYPES = ("nursing", "residential")
PATHS = {  # key of [paths] -> default, relative to the settings file's folder
    "inbox": "data/inbox",
    "warehouse": "data/warehouse.duckdb",
    "out": "out",
    "dagster_home": ".dagster",
}
KEY_VARIABLE = "M4C_PSEUDO_KEY"
REGISTER_SCHEMA = {  # the rows of Settings.register(): the warehouse's ref_home
    "site_id": pl.String,
    "site_name": pl.String,
    "home_id": pl.String,
    "home_name": pl.String,
    "home_type": pl.String,
    "beds": pl.Int64,
}


def register_rows(sites: Sequence[Site]) -> list[dict[str, Any]]:
    """Every home of ``sites`` as a row of :data:`REGISTER_SCHEMA` (the warehouse's ref_home).

    A site that lists no home is a row of its own, with no home.
    """
    return [
        {
            "site_id": s.site_id,
            "site_name": s.name,
            "home_id": h.cqc_id if h else None,
            "home_name": h.name if h else None,
            "home_type": h.type if h else None,
            "beds": h.beds if h else None,
        }
        for s in sites
        for h in (s.homes or (None,))
    ]


class SettingsError(Exception):
    """``m4c.toml`` cannot be read or holds a wrong value; the message names it and the fix."""


@dataclass(frozen=True)
class Home:
    """A care home, known by its CQC location id (its folder in the inbox).

    Attributes
    ----------
    cqc_id : str
        CQC location id, e.g. ``1-466839495``.
    name : str
        The name people use ("Elm House").
    type : str or None
        ``nursing`` or ``residential``.
    beds : int or None
        Registered beds.
    """

    cqc_id: str
    name: str
    type: str | None = None
    beds: int | None = None


@dataclass(frozen=True)
class Site:
    """A site of the collaborative (its folder in the inbox) and its care homes."""

    site_id: str
    name: str
    homes: tuple[Home, ...] = ()


@dataclass(frozen=True)
class Alerts:
    """Where alerts go besides each site's alert log (``[alerts]``; :mod:`warehouse.alerts`).

    Attributes
    ----------
    smtp_host : str or None
        The mail server; None: no email.
    smtp_port : int
        Its port (25).
    smtp_from : str or None
        The sender's address (needed with ``smtp_host``).
    smtp_starttls : bool
        Upgrade the connection with STARTTLS before sending (False).
    smtp_user_env, smtp_password_env : str or None
        Environment variables holding the SMTP user and password (never the file).
    to : tuple of str
        Recipients of every site without its own list.
    site_to : tuple of (site_id, tuple of str)
        Recipients per site (``[alerts.sites.<site_id>] to = [...]``).
    webhook_url : str or None
        An http(s) address each site's alerts are POSTed to as JSON; None: no webhook.
    timeout_seconds : float
        How long to wait for the mail server or the webhook (10).
    """

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str | None = None
    smtp_starttls: bool = False
    smtp_user_env: str | None = None
    smtp_password_env: str | None = None
    to: tuple[str, ...] = ()
    site_to: tuple[tuple[str, tuple[str, ...]], ...] = ()
    webhook_url: str | None = None
    timeout_seconds: float = 10.0

    def recipients(self, site_id: str) -> tuple[str, ...]:
        """The site's own recipients, else the global ``to``.

        >>> Alerts(to=("all@x.org",), site_to=(("site_a", ("a@x.org",)),)).recipients("site_b")
        ('all@x.org',)
        """
        return dict(self.site_to).get(site_id, self.to)

    def credentials(self) -> tuple[str, str] | None:
        """The SMTP user and password from the environment, or None when none is named."""
        if not self.smtp_user_env:
            return None
        return os.environ.get(self.smtp_user_env, ""), os.environ.get(
            self.smtp_password_env or "", ""
        )


@dataclass(frozen=True)
class Settings:
    """Where everything is, and what the project knows of its sites and homes.

    Attributes
    ----------
    file : Path or None
        The settings file read, if any.
    root : Path
        The folder relative paths start from: the file's, or the current folder.
    inbox, warehouse, out, dagster_home : Path
        Absolute paths of the extracts, the DuckDB warehouse, the pages and charts,
        and Dagster's instance (runs, schedules, sensors).
    key_variable : str
        Environment variable holding the pseudonymisation key (never the key itself).
    measures : Path or None
        A measure registry folder to use instead of the packaged catalogue (None).
    sites : tuple of Site
        The sites and homes, for names and bed numbers.
    alerts : Alerts
        Where alerts are sent besides the alert logs (nowhere by default).
    """

    file: Path | None
    root: Path
    inbox: Path
    warehouse: Path
    out: Path
    dagster_home: Path
    key_variable: str = KEY_VARIABLE
    measures: Path | None = None
    sites: tuple[Site, ...] = ()
    alerts: Alerts = Alerts()

    def replace(self, **paths: str | Path | None) -> Settings:
        """These settings with some paths replaced (command-line options); None keeps one."""
        given = {k: Path(v).resolve() for k, v in paths.items() if v is not None}
        return dataclasses.replace(self, **given)

    def site_name(self, site_id: str) -> str:
        """The site's name, or its id when the settings do not name it."""
        return next((s.name for s in self.sites if s.site_id == site_id), site_id)

    def home_name(self, site_id: str, cqc_id: str) -> str:
        """The home's name, or its CQC id when the settings do not name it."""
        for site in self.sites:
            if site.site_id == site_id:
                return next((h.name for h in site.homes if h.cqc_id == cqc_id), cqc_id)
        return cqc_id

    def register(self) -> list[dict[str, Any]]:
        """Every home as a row (site, name, CQC id, name, type, beds): :func:`register_rows`."""
        return register_rows(self.sites)

    def pseudo_key(self) -> bytes:
        """The HMAC key for pseudonyms, from ``key_variable``, or a demo key with a warning.

        A real deployment holds the key outside the analysis environment (the data
        controller's). Without it, a random key is made once and kept beside the
        warehouse, so that reloading links the same people; it suits synthetic data only.
        """
        value = os.environ.get(self.key_variable)
        if value:
            return value.encode()
        local = self.warehouse.with_name(self.warehouse.name + ".demo-key")
        if not local.exists():
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_text(secrets.token_hex(32))
            local.chmod(0o600)
        print(
            f"m4c: warning: {self.key_variable} is not set, so NHS numbers are pseudonymised "
            f"with a demo key kept in {local}. Set {self.key_variable} (held by the data "
            "controller) before loading real data.",
            file=sys.stderr,
        )
        return local.read_text().strip().encode()


def find_settings(start: Path | None = None) -> Path | None:
    """``$M4C_CONFIG``, else the first ``m4c.toml`` in ``start`` (default: here) or above."""
    if os.environ.get(CONFIG_VARIABLE):
        path = Path(os.environ[CONFIG_VARIABLE])
        if not path.is_file():
            raise SettingsError(
                f"{CONFIG_VARIABLE} names {str(path)!r}, which is not a file. Point it at an "
                f"{FILE_NAME}, or unset it to use the one in this folder or above."
            )
        return path.resolve()
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / FILE_NAME).is_file():
            return candidate / FILE_NAME
    return None


def load_settings(
    start: Path | None = None, *, file: Path | None = None, search: bool = True
) -> Settings:
    """The settings of ``file``, or of the file :func:`find_settings` finds, or the defaults.

    With ``search`` false and no ``file``, the defaults, rooted at ``start``.

    Raises
    ------
    SettingsError
        If the file is not valid TOML, has a key it does not know, or a wrong value.
    """
    path = file if file is not None else find_settings(start) if search else None
    if path is None:
        return _settings({}, None, (start or Path.cwd()).resolve())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path} is not valid TOML: {exc}. Correct that line.") from None
    return _settings(data, path.resolve(), path.resolve().parent)


def _settings(data: Mapping[str, Any], file: Path | None, root: Path) -> Settings:
    where = str(file) if file else FILE_NAME
    _known(data, {"paths", "privacy", "measures", "sites", "alerts"}, where)
    paths = _table(data, "paths", where)
    _known(paths, set(PATHS), f"{where} [paths]")
    privacy = _table(data, "privacy", where)
    _known(privacy, {"key_variable"}, f"{where} [privacy]")
    measures = _table(data, "measures", where)
    _known(measures, {"registry"}, f"{where} [measures]")
    registry = measures.get("registry", "")
    if not isinstance(registry, str):
        raise SettingsError(
            f'{where} [measures]: registry must be a folder as text, e.g. registry = "measures", '
            'or "" for the catalogue that ships with m4c.'
        )
    resolved = {
        k: (root / _text(paths, k, default, where)).resolve() for k, default in PATHS.items()
    }
    sites = tuple(
        _site(site_id, value, where) for site_id, value in _table(data, "sites", where).items()
    )
    return Settings(
        file=file,
        root=root,
        key_variable=_text(privacy, "key_variable", KEY_VARIABLE, where),
        measures=(root / registry).resolve() if registry else None,
        sites=sites,
        alerts=_alerts(_table(data, "alerts", where), where),
        **resolved,
    )


ALERT_KEYS = {"smtp_host", "smtp_port", "smtp_from", "smtp_starttls", "smtp_user_env",
              "smtp_password_env", "to", "webhook_url", "timeout_seconds", "sites"}  # fmt: skip


def _alerts(data: Mapping[str, Any], where: str) -> Alerts:
    """The ``[alerts]`` table, checked.

    >>> _alerts({"smtp_host": "mail.x.org", "smtp_from": "m4c@x.org", "to": ["a@x.org"]}, "f")
    ... # doctest: +ELLIPSIS
    Alerts(smtp_host='mail.x.org', smtp_port=25, smtp_from='m4c@x.org', ...)
    >>> _alerts({"smtp_port": 0}, "m4c.toml")
    Traceback (most recent call last):
    ...
    warehouse.settings.SettingsError: m4c.toml [alerts]: smtp_port must be a whole number from 1 to 65535, e.g. smtp_port = 25, not 0.
    """  # noqa: E501
    here = f"{where} [alerts]"
    _known(data, ALERT_KEYS, here)
    text = {}
    for key in ("smtp_host", "smtp_from", "smtp_user_env", "smtp_password_env", "webhook_url"):
        value = data.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise SettingsError(f'{here}: {key} must be text, e.g. {key} = "...", or left out.')
        text[key] = value.strip() if value else None
    port = data.get("smtp_port", 25)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise SettingsError(
            f"{here}: smtp_port must be a whole number from 1 to 65535, e.g. smtp_port = 25, "
            f"not {port!r}."
        )
    starttls = data.get("smtp_starttls", False)
    if not isinstance(starttls, bool):
        raise SettingsError(f"{here}: smtp_starttls must be true or false, not {starttls!r}.")
    timeout = data.get("timeout_seconds", 10)
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise SettingsError(
            f"{here}: timeout_seconds must be a number above 0, e.g. timeout_seconds = 10, "
            f"not {timeout!r}."
        )
    url = text["webhook_url"]
    if url and not url.startswith(("http://", "https://")):
        raise SettingsError(
            f"{here}: webhook_url must start with http:// or https://, e.g. webhook_url = "
            f'"https://hooks.example.org/m4c", not {url!r}.'
        )
    if text["smtp_password_env"] and not text["smtp_user_env"]:
        raise SettingsError(
            f"{here}: smtp_password_env needs smtp_user_env too, e.g. smtp_user_env = "
            '"M4C_SMTP_USER" (the variable holding the user name).'
        )
    to = _addresses(data.get("to", []), here, "to")
    sites = data.get("sites", {})
    if not isinstance(sites, dict):
        raise SettingsError(f"{here}: sites must be tables, e.g. [alerts.sites.site_a].")
    site_to = []
    for site_id, value in sites.items():
        at = f"{where} [alerts.sites.{site_id}]"
        if not isinstance(value, dict):
            raise SettingsError(f'{at} must be a table, e.g. to = ["manager@example.org"].')
        _known(value, {"to"}, at)
        site_to.append((site_id, _addresses(value.get("to", []), at, "to")))
    if (to or any(a for _, a in site_to)) and not text["smtp_host"]:
        raise SettingsError(
            f'{here} lists recipients but no smtp_host; add smtp_host = "mail.example.org" '
            "(and smtp_from), or remove the addresses."
        )
    if text["smtp_host"] and not text["smtp_from"]:
        raise SettingsError(
            f'{here}: smtp_host needs smtp_from, the sender, e.g. smtp_from = "m4c@example.org".'
        )
    return Alerts(
        smtp_port=port, smtp_starttls=starttls, to=to, site_to=tuple(site_to),
        timeout_seconds=float(timeout), **text,
    )  # fmt: skip


def _addresses(value: Any, where: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(
        isinstance(a, str) and "@" in a.strip()[1:-1] and " " not in a.strip() for a in value
    ):
        raise SettingsError(
            f"{where}: {key} must be a list of email addresses, e.g. {key} = "
            f'["manager@example.org"], not {value!r}.'
        )
    return tuple(a.strip() for a in value)


def _site(site_id: str, value: Any, where: str) -> Site:
    here = f"{where} [sites.{site_id}]"
    if not isinstance(value, dict):
        raise SettingsError(f"{here} must be a table with a name and homes.")
    _known(value, {"name", "homes"}, here)
    homes = value.get("homes", [])
    if not isinstance(homes, list):
        raise SettingsError(f"{here}: homes must be a list of [[sites.{site_id}.homes]] tables.")
    out = []
    for i, home in enumerate(homes, start=1):
        at = f"{where} [[sites.{site_id}.homes]] number {i}"
        if not isinstance(home, dict):
            raise SettingsError(f"{at} must be a table.")
        _known(home, {"cqc_id", "name", "type", "beds"}, at)
        for key in ("cqc_id", "name"):
            if not isinstance(home.get(key), str) or not home[key].strip():
                raise SettingsError(f'{at} needs a {key} (text), e.g. {key} = "...".')
        kind = home.get("type")
        if kind is not None and kind not in HOME_TYPES:
            raise SettingsError(f"{at}: type must be one of {', '.join(HOME_TYPES)}, not {kind!r}.")
        beds = home.get("beds")
        if beds is not None and (not isinstance(beds, int) or isinstance(beds, bool) or beds < 1):
            raise SettingsError(f"{at}: beds must be a whole number above 0, not {beds!r}.")
        out.append(Home(home["cqc_id"].strip(), home["name"].strip(), kind, beds))
    ids = [h.cqc_id for h in out]
    if len(set(ids)) != len(ids):
        raise SettingsError(f"{here} lists a CQC id twice; give each home once.")
    return Site(site_id, _text(value, "name", site_id, here), tuple(out))


def _table(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise SettingsError(f"{where}: [{key}] must be a table.")
    return value


def _text(data: Mapping[str, Any], key: str, default: str, where: str) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f'{where}: {key} must be text, e.g. {key} = "{default}".')
    return value


def _known(data: Mapping[str, Any], keys: set[str], where: str) -> None:
    unknown = sorted(set(data) - keys)
    if unknown:
        raise SettingsError(
            f"{where} has no setting {', '.join(map(repr, unknown))}; the settings here are "
            f"{', '.join(sorted(keys))}. Check the spelling (the template, {FILE_NAME} in "
            "the repository, lists every key)."
        )


def template() -> str:
    """The settings file with every key at its default and a comment (no sites yet)."""
    return resources.files("warehouse").joinpath("m4c.template.toml").read_text(encoding="utf-8")


def render_sites(sites: tuple[Site, ...]) -> str:
    """The ``[sites]`` part of a settings file, for sites and homes (the demo's, say).

    Examples
    --------
    >>> print(render_sites((Site("site_a", "North", (Home("1-1", "Elm House", "nursing", 30),)),)))
    [sites.site_a]
    name = "North"
    <BLANKLINE>
    [[sites.site_a.homes]]
    cqc_id = "1-1"
    name = "Elm House"
    type = "nursing"
    beds = 30
    <BLANKLINE>
    """
    lines = []
    for site in sites:
        lines += [f"[sites.{site.site_id}]", f"name = {_quote(site.name)}", ""]
        for h in site.homes:
            lines += [f"[[sites.{site.site_id}.homes]]", f"cqc_id = {_quote(h.cqc_id)}"]
            lines.append(f"name = {_quote(h.name)}")
            if h.type:
                lines.append(f"type = {_quote(h.type)}")
            if h.beds:
                lines.append(f"beds = {h.beds}")
            lines.append("")
    return "\n".join(lines)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
