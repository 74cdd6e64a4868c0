"""Alerts: each site's log holds its own alerts; email and webhook reach 127.0.0.1 only."""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import threading
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import dagster as dg
import polars as pl
import pytest
from aiosmtpd.controller import Controller

from assets import ASSETS
from assets.resources import resources_for
from expectations.validate import validate
from synth import write_extracts
from warehouse.alerts import collect_alerts, send_email, send_webhook, write_logs
from warehouse.connection import connect
from warehouse.landing import ingest
from warehouse.measures import compute
from warehouse.measures.signals import compute_signals
from warehouse.measures.spc_results import compute_spc
from warehouse.settings import Alerts, SettingsError, load_settings, register_rows
from warehouse.staging import build_all

START = dt.date(2023, 1, 1)
RUN = dt.datetime(2030, 1, 1)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Two sites with a planted change; site_b's first home sends an empty residents list."""
    root = tmp_path_factory.mktemp("alerts")
    inbox = root / "inbox"
    summary = write_extracts(inbox, sites=2, homes=4, months=14, seed=11, start=START,
                             intervention_month=6, quirk_rate=0)  # fmt: skip
    home = sorted(p.name for p in (inbox / "site_b" / "carehome").iterdir())[0]
    residents = inbox / "site_b" / "carehome" / home / "residents.csv"
    residents.write_text(residents.read_text().splitlines()[0] + "\n")
    path = root / "w.duckdb"
    with connect(path) as con:
        ingest(inbox, con, key=b"alerts")
        build_all(con, homes=register_rows(summary.register))
        validate(con, run_date=dt.date(2024, 3, 15))
        compute(con)
        compute_spc(con)
        compute_signals(con, run_at=RUN)
        first = collect_alerts(con)
        signals = con.sql("SELECT * FROM signals").pl()
        compute_signals(con, run_at=RUN + dt.timedelta(days=1))
        second = collect_alerts(con)
    return root, path, first, second, signals


def expected_signals(signals: pl.DataFrame, site: str) -> set[str]:
    """The summaries of a site's new special-cause signals, each said once."""
    new = signals.filter(pl.col("new") & (pl.col("site_id") == site))
    return set(
        new.filter(pl.col("direction").is_in(["improvement", "concern", "neutral"]))["summary"]
    )


def test_each_log_holds_its_sites_alerts_only(built, tmp_path):
    _, _, first, _, signals = built
    logs = write_logs(first, tmp_path, at=RUN)
    assert sorted(logs) == ["site_a", "site_b"]
    for site, path in logs.items():
        assert path == tmp_path / site / "alerts.log"
        lines = path.read_text().splitlines()
        stamp, kinds, texts = zip(*(line.split("\t") for line in lines), strict=True)
        assert set(stamp) == {"2030-01-01T00:00:00"}
        sig = {t for k, t in zip(kinds, texts, strict=True) if k == "signal"}
        assert sig == expected_signals(signals, site)
        assert kinds.count("signal") == len(sig) > 0
        other = "site_b" if site == "site_a" else "site_a"
        assert not sig & expected_signals(signals, other)
    b = (tmp_path / "site_b" / "alerts.log").read_text()
    a = (tmp_path / "site_a" / "alerts.log").read_text()
    assert "data_quality\tData quality at " in b
    name_b = first.filter(pl.col("site_id") == "site_b")["site_name"][0]
    assert (f"Data quality at {name_b}: 1 problem stops charts for every month (check "
            "rows_set_aside in stg_incident). See data_quality/site_b.html.") in b  # fmt: skip
    assert first.filter(pl.col("kind") == "data_quality")["key"].to_list() == [
        f"rows_set_aside|{t}|site_b" for t in ("stg_absence", "stg_event", "stg_incident",
                                                 "stg_qi_activity")
    ]  # fmt: skip
    assert "data_quality" not in a
    write_logs(first, tmp_path, at=RUN)  # a second run appends
    assert len((tmp_path / "site_a" / "alerts.log").read_text().splitlines()) == 2 * len(
        a.splitlines()
    )


def test_a_second_run_finds_no_new_signals(built):
    *_, first, second, _ = built
    assert first.filter(pl.col("kind") == "signal").height > 0
    assert second.filter(pl.col("kind") == "signal").is_empty()
    # the data-quality gate still fails: it is said again
    assert second.filter(pl.col("kind") == "data_quality").equals(
        first.filter(pl.col("kind") == "data_quality")
    )


def test_alerts_carry_no_person(built):
    *_, first, _, _ = built
    text = " ".join(first["text"])
    assert not re.search(r"\d{10}|\d{3} \d{3} \d{4}", text)
    assert "birth" not in text.lower()


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = message_from_bytes(envelope.content, policy=email_policy)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


@pytest.fixture
def smtp():
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_email_sends_one_message_per_site_to_its_recipients(built, smtp):
    *_, first, _, _ = built
    controller, handler = smtp
    settings = Alerts(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_from="m4c@test",
                      to=("all@test",), site_to=(("site_b", ("b@test",)),),
                      timeout_seconds=5)  # fmt: skip
    done = send_email(first, settings)
    assert [(d.channel, d.site_id, d.ok) for d in done] == [
        ("email", "site_a", True),
        ("email", "site_b", True),
    ]
    by_to = {tuple(to): m for to, m in handler.messages}
    assert sorted(by_to) == [("all@test",), ("b@test",)]
    n_a = first.filter((pl.col("site_id") == "site_a") & (pl.col("kind") == "signal")).height
    site_a = by_to[("all@test",)]
    name_a = first.filter(pl.col("site_id") == "site_a")["site_name"][0]
    assert site_a["Subject"] == f"Measure for Change: {n_a} new signals at {name_a}"
    body = site_a.get_content()
    for text in first.filter(pl.col("site_id") == "site_a")["text"]:
        assert text in " ".join(body.split())
    assert "data-quality problem" in by_to[("b@test",)]["Subject"]


def test_the_webhook_receives_each_sites_json(built):
    *_, first, _, _ = built
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received.append((self.headers["Content-Type"], json.loads(self.rfile.read(length))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        done = send_webhook(first, url, timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert [(d.site_id, d.ok) for d in done] == [("site_a", True), ("site_b", True)]
    assert [r[0] for r in received] == ["application/json"] * 2
    bodies = {r[1]["site_id"]: r[1] for r in received}
    assert set(bodies["site_b"]) == {"site_id", "site_name", "alerts"}
    expected = first.filter(pl.col("site_id") == "site_b").select("kind", "key", "text")
    assert bodies["site_b"]["alerts"] == expected.to_dicts()


def test_unreachable_servers_are_recorded_and_logs_still_written(built, tmp_path):
    _, path, *_ = built
    port = free_port()  # closed: nothing listens
    (tmp_path / "m4c.toml").write_text(
        f'[paths]\nwarehouse = "{path}"\nout = "out"\n'
        f'[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\nsmtp_from = "m4c@test"\n'
        f'to = ["all@test"]\nwebhook_url = "http://127.0.0.1:{port}/hook"\ntimeout_seconds = 2\n'
    )
    settings = load_settings(tmp_path)
    with dg.instance_for_test() as instance:
        result = dg.materialize(ASSETS, selection=["alerts"], instance=instance,
                                resources=resources_for(settings))  # fmt: skip
    assert result.success
    meta = result.asset_materializations_for_node("alerts")[0].metadata
    assert meta["delivered"].value == 0
    # the warehouse is after its second run: only site_b's failed gate is left to say
    assert meta["alerts_per_site"].value == {"site_b": 4}
    assert meta["failed"].value == 2  # email and webhook
    (email, webhook) = meta["failures"].value
    assert email.startswith("email site_b: ConnectionRefusedError")
    assert webhook.startswith("webhook site_b: ConnectionRefusedError")
    assert len((tmp_path / "out" / "site_b" / "alerts.log").read_text().splitlines()) == 4
    assert not (tmp_path / "out" / "site_a").exists()


@pytest.mark.parametrize(
    ("alerts", "says"),
    [
        ('smtp_port = "25"', "smtp_port must be a whole number"),
        ('to = ["a@x.org"]', "lists recipients but no smtp_host"),
        ('smtp_host = "mail.x.org"', "smtp_host needs smtp_from"),
        ('webhook_url = "ftp://x"', "webhook_url must start with http://"),
        ("timeout_seconds = 0", "timeout_seconds must be a number above 0"),
        ('smtp_password = "secret"', "has no setting 'smtp_password'"),
        ('[alerts.sites.site_a]\nto = "a@x.org"', "to must be a list of email addresses"),
    ],
)
def test_bad_alert_settings_are_refused_with_the_fix(tmp_path, alerts, says):
    (tmp_path / "m4c.toml").write_text(f"[alerts]\n{alerts}\n")
    with pytest.raises(SettingsError, match=r"m4c\.toml") as error:
        load_settings(tmp_path)
    assert says in str(error.value)
