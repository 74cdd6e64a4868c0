"""Alerts people receive: new special-cause signals and failed data-quality gates, per site.

:func:`collect_alerts` reads the warehouse: every *new* signal (``signals.new``, first
seen in this run) of a site or one of its homes, said once per series (its ``summary``),
and every check of the latest data-quality run that reached ERROR for the site (or for
every site), one alert per check. Signals of the whole collaborative belong to no
site and are not sent. :func:`write_logs` appends them to ``<out>/<site_id>/alerts.log``;
:func:`send_email` and :func:`send_webhook` deliver them, one message per site, where
``[alerts]`` of the settings says (docs/operations.md). A delivery that fails is
recorded with its reason (:class:`Delivery`) and never raises: alerts must not stop
a run, and the log is always written first.

No alert carries a person's details: signals and checks speak of measures, homes and
months, and :func:`safe` blanks anything shaped like an NHS number.

Examples
--------
>>> safe("Falls at Elm: 943 476 5919 and 9434765919 in June 2024.")
'Falls at Elm: [removed] and [removed] in June 2024.'
>>> months_in_words([dt.date(2024, 1, 1), dt.date(2024, 2, 1), dt.date(2024, 3, 1)])
'January 2024 to March 2024 (3 months)'
>>> months_in_words([None])
'every month'
"""

from __future__ import annotations

import datetime as dt
import json
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import duckdb
import polars as pl

from warehouse.settings import Alerts

ALERT_SCHEMA = {"site_id": pl.String, "site_name": pl.String, "kind": pl.String,
                "key": pl.String, "text": pl.String}  # fmt: skip
SPECIAL_CAUSE = ("improvement", "concern", "neutral")
LOG_NAME = "alerts.log"
_NHS_NUMBER = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
_SITE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Delivery:
    """One message to one site's recipients: sent, or failed and why."""

    channel: str  # "email" or "webhook"
    site_id: str
    alerts: int
    ok: bool
    reason: str = ""


def safe(text: str) -> str:
    """``text`` on one line, with anything shaped like an NHS number removed."""
    return _NHS_NUMBER.sub("[removed]", " ".join(text.split()))


def months_in_words(periods: Sequence[dt.date | None]) -> str:
    """The months of ``periods``: one, a few, or the first to the last and how many."""
    if any(p is None for p in periods) or not periods:
        return "every month"
    months = sorted(set(periods))
    words = [m.strftime("%B %Y") for m in months]
    if len(words) <= 2:
        return " and ".join(words)
    return f"{words[0]} to {words[-1]} ({len(words)} months)"


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    query = "SELECT count(*) FROM duckdb_tables() WHERE table_name = $1"
    return con.execute(query, [table]).fetchall()[0][0] > 0


def _site_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not _exists(con, "ref_home"):
        return {}
    rows = con.sql(
        "SELECT site_id, any_value(nullif(trim(site_name), '')) FROM ref_home "
        "WHERE site_id IS NOT NULL GROUP BY ALL"
    ).fetchall()
    return {site: name or site for site, name in rows}


def _signal_alerts(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    if not _exists(con, "signals"):
        return []
    rows = con.execute(
        """SELECT site_id, summary, string_agg(signal_key, ',' ORDER BY signal_key) AS key
           FROM signals
           WHERE new AND site_id IS NOT NULL AND list_contains($1, direction)
           GROUP BY site_id, measure_id, level, home_id, summary
           ORDER BY site_id, measure_id, level DESC, home_id NULLS FIRST""",
        [list(SPECIAL_CAUSE)],
    ).fetchall()
    return [{"site_id": s, "kind": "signal", "key": k, "text": safe(t)} for s, t, k in rows]


def _quality_alerts(con: duckdb.DuckDBPyConnection, sites: dict[str, str]) -> list[dict[str, str]]:
    if not _exists(con, "dq_results"):
        return []
    failed = con.execute(
        """SELECT site_id, "check", coalesce(table_name, '') AS table_name,
                  count(*) AS problems, list(DISTINCT period) AS periods
           FROM dq_results
           WHERE status = 'fail' AND severity = $1
           GROUP BY ALL ORDER BY site_id NULLS FIRST, "check", table_name""",
        ["ERROR"],
    ).fetchall()
    known = sorted(set(sites) | {r[0] for r in failed if r[0] is not None})
    out = []
    for site, check, table, problems, periods in failed:
        for site_id in [site] if site is not None else known:  # null: every site
            where = f" in {table}" if table else ""
            text = (
                f"Data quality at {sites.get(site_id, site_id)}: {problems} "
                f"problem{'s stop' if problems != 1 else ' stops'} charts for "
                f"{months_in_words(periods)} (check {check}{where}). "
                f"See data_quality/{site_id}.html."
            )
            key = f"{check}|{table or 'all'}|{site_id}"
            out.append({"site_id": site_id, "kind": "data_quality", "key": key, "text": safe(text)})
    return out


def collect_alerts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every alert of this run, one row each (:data:`ALERT_SCHEMA`), by site, signals first."""
    sites = _site_names(con)
    rows = [*_signal_alerts(con), *_quality_alerts(con, sites)]
    for row in rows:
        row["site_name"] = sites.get(row["site_id"], row["site_id"])
    frame = pl.DataFrame(rows, schema=ALERT_SCHEMA, orient="row")
    return frame.sort("site_id", maintain_order=True)


def _site_folder(out: Path, site_id: str) -> Path:
    if not _SITE_ID.fullmatch(site_id) or ".." in site_id:
        raise ValueError(f"{site_id!r} is not a site id that can name a folder.")
    return out / site_id


def write_logs(
    alerts: pl.DataFrame, folder: Path, *, at: dt.datetime | None = None
) -> dict[str, Path]:
    """Append each site's alerts to ``<folder>/<site_id>/alerts.log``, one line each.

    A line is the ISO time, the kind and the text, separated by tabs. Returns the log
    of each site that had alerts.
    """
    stamp = (at or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    logs = {}
    for (site_id,), rows in alerts.group_by("site_id", maintain_order=True):
        path = _site_folder(folder, site_id) / LOG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{stamp}\t{kind}\t{safe(text)}\n" for kind, text in rows.select("kind", "text").rows()
        ]
        with path.open("a", encoding="utf-8") as log:
            log.writelines(lines)
        logs[site_id] = path
    return logs


def subject(rows: pl.DataFrame, site_name: str) -> str:
    """The subject of a site's message.

    >>> subject(pl.DataFrame({"kind": ["signal", "signal", "data_quality"]}), "Hillcrest")
    'Measure for Change: 2 new signals at Hillcrest, 1 data-quality problem'
    """
    n = rows.filter(pl.col("kind") == "signal").height
    dq = rows.height - n
    text = f"Measure for Change: {n} new signal{'s' if n != 1 else ''} at {site_name}"
    return text + (f", {dq} data-quality problem{'s' if dq != 1 else ''}" if dq else "")


def _per_site(alerts: pl.DataFrame):
    for (site_id,), rows in alerts.group_by("site_id", maintain_order=True):
        yield site_id, rows["site_name"][0], rows


def send_email(alerts: pl.DataFrame, settings: Alerts) -> list[Delivery]:
    """One message per site with alerts to its recipients; nothing when no ``smtp_host``."""
    if not settings.smtp_host:
        return []
    done = []
    for site_id, name, rows in _per_site(alerts):
        to = settings.recipients(site_id)
        if not to:
            continue
        message = EmailMessage()
        message["Subject"] = subject(rows, name)
        message["From"] = settings.smtp_from
        message["To"] = ", ".join(to)
        body = "\n\n".join(rows["text"]) + f"\n\nThe pages: {site_id}/index.html\n"
        message.set_content(body)
        try:
            with smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds
            ) as smtp:
                if settings.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if login := settings.credentials():
                    smtp.login(*login)
                smtp.send_message(message)
            done.append(Delivery("email", site_id, rows.height, True))
        except (OSError, smtplib.SMTPException) as exc:
            done.append(Delivery("email", site_id, rows.height, False, _reason(exc)))
    return done


def send_webhook(alerts: pl.DataFrame, url: str | None, *, timeout: float = 10) -> list[Delivery]:
    """One JSON POST per site with alerts: ``{"site_id", "site_name", "alerts": [...]}``."""
    if not url:
        return []
    done = []
    for site_id, name, rows in _per_site(alerts):
        body = {"site_id": site_id, "site_name": name,
                "alerts": rows.select("kind", "key", "text").to_dicts()}  # fmt: skip
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "m4c-alerts"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
            done.append(Delivery("webhook", site_id, rows.height, True))
        except (OSError, ValueError) as exc:  # URLError, HTTPError and timeouts are OSErrors
            done.append(Delivery("webhook", site_id, rows.height, False, _reason(exc)))
    return done


def _reason(exc: Exception) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{type(exc.reason).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def deliver(alerts: pl.DataFrame, settings: Alerts) -> list[Delivery]:
    """Email and webhook, as the settings say; every outcome, none raising."""
    return [
        *send_email(alerts, settings),
        *send_webhook(alerts, settings.webhook_url, timeout=settings.timeout_seconds),
    ]
