"""Run history: what is new since the last run, --fail-on, reports and exports, and no raw values kept."""

from __future__ import annotations

import json
import shutil
import sqlite3
from html.parser import HTMLParser
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tests.test_cli import ROOT, run


def examples(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    config = tmp_path / "examples" / "harava.toml"
    config.write_text(config.read_text("utf-8") + '\n[history]\npath = "history.db"\n', "utf-8")
    return config


def check(config: Path, *options: str) -> tuple[int, dict]:
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress", *options)
    assert code in (0, 1), err
    return code, json.loads(out)


def test_two_runs_show_what_changed_and_fail_on_decides_the_exit(tmp_path):
    config = examples(tmp_path)
    code, first = check(config)
    assert code == 1 and "changes" not in first
    history = config.parent / "history.db"
    assert history.is_file()  # [history] path is relative to the config file

    code, same = check(config, "--since", "last", "--fail-on", "new-undeclared")
    assert code == 0
    assert same["changes"]["new"] == [] and same["changes"]["gone"] == [] and same["changes"]["persisting"] == 83

    share = config.parent / "share"
    (share / "Markkinointi" / "voittajat.txt").write_text("Arvonnan voittaja, hetu 131052-308T\n", "utf-8")
    (share / "Henkilosto" / "muistio.txt").unlink()
    code, changed = check(config, "--since", "last", "--fail-on", "new-undeclared")
    assert code == 1
    new = changed["changes"]["new"]
    assert [(f["register"], f["entity"], f["value"], f["undeclared"]) for f in new] == [
        ("Newsletter register", "FI_PERSONAL_IDENTITY_CODE", "131052-***T", True)
    ]
    assert new[0]["location"] == {"line": 1, "column": 25}
    assert sorted(f["entity"] for f in changed["changes"]["gone"]) == [
        "EMAIL_ADDRESS",
        "FI_PERSONAL_IDENTITY_CODE",
        "IBAN_CODE",
        "PERSON",
        "PHONE_NUMBER",
        "PHONE_NUMBER",
    ]
    assert changed["changes"]["since_run"]["id"] == 2

    assert check(config, "--fail-on", "never")[0] == 0
    code, by_id = check(config, "--since", "1")
    assert code == 1 and by_id["changes"]["since_run"]["id"] == 1
    code, by_date = check(config, "--since", "2000-01-01")
    assert by_date["changes"]["since_run"] is None  # nothing that old: everything is new


def test_history_keeps_masked_values_only(tmp_path):
    config = examples(tmp_path)
    check(config)
    db = sqlite3.connect(config.parent / "history.db")
    values = {v for (v,) in db.execute("SELECT value FROM findings")}
    assert "131171Y***T" in values and "a***@example.fi" in values
    assert not values & {"131171Y906T", "aino.makinen@example.fi", "040 370 9137", "10.30.105.128"}


def test_since_and_new_undeclared_need_a_history():
    code, _, err = run("check", "--config", "examples/harava.toml", "--since", "last", "--no-progress", "--no-history")
    assert code == 2 and "need a history" in err


def test_a_since_run_that_is_not_there_is_said_before_anything_is_scanned(tmp_path):
    import sqlite3

    config = examples(tmp_path)
    check(config)
    code, _, err = run("check", "--config", str(config), "--since", "7", "--no-progress")
    assert code == 2 and "no run 7 in the history" in err and "Traceback" not in err
    with sqlite3.connect(config.parent / "history.db") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)  # no run begun for nothing


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.classes: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.classes += (dict(attrs).get("class") or "").split()


def test_reports_html_json_md_csv_parquet(tmp_path):
    config = examples(tmp_path)
    check(config)
    (config.parent / "share" / "Markkinointi" / "uusi.txt").write_text("puh. 040 765 4321\n", "utf-8")
    check(config)
    history = str(config.parent / "history.db")

    html_file = tmp_path / "report.html"
    code, _, err = run("report", "--history", history, "-o", str(html_file))
    assert code == 0, err
    html = html_file.read_text("utf-8")
    parser = _Tags()
    parser.feed(html)
    assert parser.tags.count("svg") == 3  # trend, entities, top folders
    assert parser.classes.count("card") == 4 and parser.classes.count("bad") == 4
    assert "run 2" in html and "10.30.*.*" in html and "10.30.105.128" not in html
    assert " src=" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")

    code, out, _ = run("report", "1", "--history", history, "--format", "json")
    report = json.loads(out)
    assert report["run"]["id"] == 1 and [t["undeclared"] for t in report["trend"]] == [16]
    code, out, _ = run("report", "--history", history, "--format", "md")
    assert out.startswith("# Harava run 2") and "**undeclared: IP_ADDRESS 4**" in out

    for fmt in ("csv", "parquet"):
        target = tmp_path / f"findings.{fmt}"
        assert run("report", "--history", history, "--format", fmt, "-o", str(target))[0] == 0
        table = pacsv.read_csv(target) if fmt == "csv" else pq.read_table(target)
        assert table.num_rows == 84
        assert table.column_names == [
            "run_id",
            "started",
            "register",
            "source",
            "path",
            "member",
            "location",
            "entity",
            "value",
            "value_hash",
            "undeclared",
        ]
    assert run("report", "--history", str(tmp_path / "empty.db"))[0] == 2


def test_accepted_findings_are_reported_as_accepted(tmp_path):
    config = examples(tmp_path)
    baseline = config.parent / "accepted.toml"
    code, _, err = run("check", "--config", str(config), "--write-accepted", str(baseline), "--no-progress")
    assert code == 1, err
    text = baseline.read_text("utf-8")
    assert text.count("[[accepted]]") == 16 and '"row" = { "id" = 1 }' in text
    assert run("check", "--config", str(config), "--accepted", str(baseline))[0] == 2  # by/why still empty
    reviewed = text.replace('by = ""', 'by = "Kaarina, DPO"').replace('why = ""', 'why = "Reviewed 2026-11-23"')
    # the newsletter's IP address is not accepted: drop its entry
    entries = reviewed.split("[[accepted]]")
    kept = [e for e in entries if "Newsletter register" not in e]
    baseline.write_text("[[accepted]]".join(kept), "utf-8")
    code, report = check(config, "--accepted", str(baseline))
    assert code == 1
    verdicts = {v["name"]: v for v in report["registers"]}
    assert verdicts["Asiakasrekisteri"]["undeclared"] == []
    assert verdicts["Asiakasrekisteri"]["accepted"] == [
        {"entity": "IP_ADDRESS", "count": 4, "by": "Kaarina, DPO", "why": "Reviewed 2026-11-23"}
    ]
    assert [u["entity"] for u in verdicts["Newsletter register"]["undeclared"]] == ["IP_ADDRESS"]


def test_an_item_whose_undeclared_findings_were_accepted_is_not_scored_as_holding_undeclared_data(tmp_path):
    config = examples(tmp_path)
    baseline = config.parent / "accepted.toml"
    assert run("check", "--config", str(config), "--write-accepted", str(baseline), "--no-progress")[0] == 1
    text = baseline.read_text("utf-8").replace('by = ""', 'by = "DPO"').replace('why = ""', 'why = "Reviewed"')
    entries = text.split("[[accepted]]")
    # the support log's IP addresses are accepted; the CRM table's are not
    baseline.write_text("[[accepted]]".join(e for e in entries if "Newsletter" not in e and "crm.db" not in e))
    code, report = check(config, "--accepted", str(baseline))
    verdict = next(v for v in report["registers"] if v["name"] == "Asiakasrekisteri")
    assert [(u["entity"], u["count"]) for u in verdict["undeclared"]] == [("IP_ADDRESS", 2)]
    reasons = {
        Path(i["source"]).name + (f" {i['table']}" if i.get("table") else ""): i["reasons"]
        for i in verdict["risk"]["riskiest"]
    }
    assert "IP addresses × 2, undeclared" in reasons["crm.db tukipyynnot"]
    assert reasons["tukipyynnot.log"] and not any("undeclared" in r for r in reasons["tukipyynnot.log"])
    assert code == 1


def test_unchanged_files_are_not_read_again(tmp_path, monkeypatch):
    import os

    import scanner.scan as scan_module

    config = examples(tmp_path)
    read: list[str] = []
    real = scan_module.Scanner.scan_item

    def counting(self, item, *args):
        if hasattr(item, "path"):  # files; a database's tables are items too
            read.append(Path(item.path).name)
        return real(self, item, *args)

    monkeypatch.setattr(scan_module.Scanner, "scan_item", counting)
    here = ("--workers", "0")  # scanned in this process, where the counting can see it
    code, first = check(config, *here)
    assert code == 1 and len(read) == 10  # every file of the share (logo.png too)
    read.clear()
    code, out, err = run("check", "--config", str(config), "--format", "json", "--no-progress", *here)
    assert read == [] and "11 files" in err and "not read again" in err  # the share's 6 and the SQLite file
    assert json.loads(out)["registers"] == first["registers"]  # carried over exactly

    log = config.parent / "share" / "Asiakaspalvelu" / "tukipyynnot.log"
    with log.open("a", encoding="utf-8") as handle:
        handle.write("2026-11-03T10:00:00Z INFO uusi yhteys osoitteesta 192.0.2.77\n")
    os.utime(log, ns=(log.stat().st_atime_ns, log.stat().st_mtime_ns + 1_000_000_000))
    crm = sqlite3.connect(config.parent / "crm.db")
    crm.execute("INSERT INTO tukipyynnot VALUES (3, 3, 'Uusi pyyntö', '198.51.100.7', NULL)")
    crm.commit()
    crm.close()
    code, changed = check(config, *here)
    assert code == 1 and read == ["tukipyynnot.log"]  # and the database, which changed
    assert {v["name"]: v["found"].get("IP_ADDRESS") for v in changed["registers"]}["Asiakasrekisteri"] == 6

    read.clear()
    code, _, err = run("check", "--config", str(config), "--full", "--no-progress", *here)
    assert code == 1 and len(read) == 10 and "not read again" not in err


def test_retention_from_the_statement_or_the_config_flags_old_files(tmp_path):
    import os

    from scanner.registers.statement import parse_statement

    statements = ROOT / "examples" / "statements"
    assert parse_statement(statements / "asiakasrekisteri.txt").as_dict()["retention"] == {
        "days": 2190,
        "as_written": "kuusi vuotta",
        "line": 49,
        "evidence": "Tietoja säilytetään kuusi vuotta asiakkuuden päättymisestä.",
    }
    assert parse_statement(statements / "personalregister.md").retention[0].days == 3650
    assert parse_statement(statements / "markkinointirekisteri.html").retention is None

    config = examples(tmp_path)
    memo = config.parent / "share" / "Henkilosto" / "muistio.txt"
    old = 1420070400 * 10**9  # 1 January 2015
    os.utime(memo, ns=(old, old))
    code, report = check(config)
    verdicts = {v["name"]: v for v in report["registers"]}
    staff = verdicts["Personalregister"]["retention"]
    assert staff["days"] == 3650 and staff["from"] == "statement line 34: tio år"
    assert [(Path(f["source"]).name, f["modified"], f["findings"]) for f in staff["older_files"]] == [
        ("muistio.txt", "2015-01-01", 6)
    ]
    assert verdicts["Asiakasrekisteri"]["retention"]["older_files"] == []
    assert verdicts["Newsletter register"]["retention"] is None

    text = config.read_text("utf-8").replace(
        'name = "Newsletter register"', 'name = "Newsletter register"\nretention = "2 päivää"'
    )
    config.write_text(text, "utf-8")
    tilaajat = config.parent / "share" / "Markkinointi" / "tilaajat.html"
    os.utime(tilaajat, ns=(old, old))
    code, report = check(config)
    news = {v["name"]: v for v in report["registers"]}["Newsletter register"]["retention"]
    assert news["days"] == 2 and news["from"] == "configuration" and len(news["older_files"]) == 1
    config.write_text(text.replace('retention = "2 päivää"', 'retention = "soon"'), "utf-8")
    code, _, err = run("check", "--config", str(config), "--no-progress")
    assert code == 2 and "retention: must be days" in err


def test_scan_runs_can_be_recorded_too(tmp_path):
    history = tmp_path / "scans.db"
    code, _, err = run("scan", "examples/share", "--history", str(history), "--no-progress")
    assert code == 0 and "Recorded as run 1" in err
    code, out, _ = run("report", "--history", str(history), "--format", "json")
    report = json.loads(out)
    assert report["run"]["config"] == "examples/share" and len(report["findings"]) == 69
    assert {f["value"] for f in report["findings"]} >= {"131171Y***T", "a***@example.fi"}
    assert run("scan", "examples/share", "--history", str(history), "--show-values")[0] == 2


def test_report_renders_in_headless_chromium(tmp_path):
    import os
    import shutil as sh
    import subprocess

    import pytest

    browser = sh.which("chromium") or sh.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed (Debian package chromium); the HTML is still checked above")
    config = examples(tmp_path)
    check(config)
    report = tmp_path / "report.html"
    run("report", "--history", str(config.parent / "history.db"), "-o", str(report))
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", report.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, HOME=str(tmp_path)),
        check=True,
    ).stdout
    parser = _Tags()
    parser.feed(dom)
    assert parser.tags.count("svg") == 3 and parser.classes.count("card") == 4
    shot = tmp_path / "report.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", "--window-size=1200,1600", report.as_uri()],
        capture_output=True,
        timeout=120,
        env=dict(os.environ, HOME=str(tmp_path)),
        check=True,
    )
    assert shot.stat().st_size > 20_000  # a page was drawn, not a blank one


def test_history_in_postgresql(tmp_path):
    import sqlalchemy as sa

    from scanner.history import Finding, History
    from tests.test_database import PG_URL, server

    engine = server(PG_URL)
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS harava_hist CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA harava_hist"))
    url = PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dharava_hist"
    try:
        history = History(url)
        finding = Finding("R", "a.txt", "/a.txt", None, '{"line": 1}', "EMAIL_ADDRESS", "a***@example.fi", "h", True)
        first = history.begin("c.toml", "2026-11-01T00:00:00+00:00")
        history.add_findings(first, [dict(finding.__dict__)])
        history.finish(first, [], [], 1)
        second = history.begin("c.toml", "2026-11-02T00:00:00+00:00")
        history.finish(second, [], [], 0)
        change = history.compare(second, history.resolve("last", before=second))
        assert change.since["id"] == first and [f.entity for f in change.gone] == ["EMAIL_ADDRESS"]
        assert history.resolve("2026-11-01")["id"] == first
    finally:
        with engine.connect() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS harava_hist CASCADE"))


def test_an_sqlite_file_in_a_share_written_through_its_log_is_read_again(tmp_path):
    """A database in write-ahead-log mode may change only its -wal file; that is a change too."""
    config = examples(tmp_path)
    path = config.parent / "share" / "Asiakaspalvelu" / "tuki.db"
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE viestit (teksti TEXT)")
    writer.execute("INSERT INTO viestit VALUES ('kirjoitti aino@example.fi')")
    writer.commit()
    try:
        _, first = check(config)
        assert first["registers"][0]["found"]["EMAIL_ADDRESS"] == 10  # the share's 9 and the database's
        writer.execute("INSERT INTO viestit VALUES ('yhteys osoitteesta 198.51.100.9')")
        writer.commit()  # the writer stays open: the row is in tuki.db-wal only
        _, second = check(config)
        assert second["registers"][0]["found"]["IP_ADDRESS"] == first["registers"][0]["found"]["IP_ADDRESS"] + 1
    finally:
        writer.close()


def test_a_check_that_fails_or_is_interrupted_leaves_the_reviewed_file_and_an_ended_run(tmp_path, monkeypatch):
    """The accepted-findings file someone is reviewing is replaced only by a run that completes; a run that
    fails or is interrupted is recorded as such and is never the run the next one compares with."""
    import scanner.pipeline

    config = examples(tmp_path)
    reviewed = tmp_path / "accepted.toml"
    reviewed.write_text("# reviewed by hand\n", "utf-8")
    broken = (config.parent / "statements" / "asiakasrekisteri.txt").with_suffix(".docx")
    broken.write_bytes(b"PK\x03\x04 not really a document")
    bad = config.parent / "bad.toml"
    bad.write_text(config.read_text("utf-8").replace("asiakasrekisteri.txt", "asiakasrekisteri.docx"), "utf-8")
    code, _, err = run("check", "--config", str(bad), "--write-accepted", str(reviewed), "--no-progress")
    assert code == 2 and "asiakasrekisteri.docx" in err
    assert reviewed.read_text("utf-8") == "# reviewed by hand\n"
    assert not (config.parent / "history.db").exists() or not _runs(config)  # nothing was begun

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(scanner.pipeline, "run", interrupted)
    code, _, _ = run("check", "--config", str(config), "--write-accepted", str(reviewed), "--no-progress")
    assert code == 130 and reviewed.read_text("utf-8") == "# reviewed by hand\n"
    assert _runs(config) == [(130, None)]  # marked interrupted, never finished
    assert [p.name for p in config.parent.iterdir() if "partial" in p.name] == []
    monkeypatch.undo()
    code, after = check(config, "--since", "last")
    assert code == 1 and after["changes"]["since_run"] is None  # the interrupted run is no baseline


def _runs(config: Path) -> list[tuple]:
    with sqlite3.connect(config.parent / "history.db") as db:
        return db.execute("SELECT status, finished FROM runs ORDER BY id").fetchall()


def test_an_output_that_cannot_be_written_is_a_plain_error(tmp_path):
    missing = tmp_path / "ei-ole" / "tulos"
    for args in (
        ("scan", "examples/share", "-o", f"{missing}.jsonl"),
        ("check", "--config", str(ROOT / "examples" / "harava.toml"), "-o", f"{missing}.html", "--format", "html"),
        ("check", "--config", str(ROOT / "examples" / "harava.toml"), "--write-accepted", f"{missing}.toml"),
    ):
        code, _, err = run(*args, "--no-progress")
        assert code == 2 and f"{missing}" in err and "cannot write" in err and "internal error" not in err, args
