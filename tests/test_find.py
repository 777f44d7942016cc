"""Data-subject search (``harava find``): the places a history recorded a person's values at, grouped by
subject, checked against grep of the examples; rescans after an erasure; the value-hash index and its
migration; known-subject lists; a PostgreSQL history. No raw value is ever written or printed."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.test_cli import ROOT, run

HETU = re.compile(rb"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y]")


def examples(tmp_path: Path) -> Path:
    """A copy of examples/ checked once into tmp_path/h.db; the configuration's path."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    config = tmp_path / "examples" / "harava.toml"
    code, _, err = check(tmp_path, config)
    assert code in (0, 1), err
    return config


def check(tmp_path: Path, config: Path, *options: str) -> tuple[int, str, str]:
    return run("check", "--config", str(config), "--history", "h.db", "--no-progress", *options, cwd=tmp_path)


def find(tmp_path: Path, *args: str, history: str = "h.db") -> tuple[int, dict, str]:
    code, out, err = run("find", *args, "--history", history, "--format", "json", cwd=tmp_path)
    return code, (json.loads(out) if out.strip() else {}), err


def sources(config: Path) -> list[Path]:
    """The files in the configuration's registers' folders."""
    text = config.read_text("utf-8")
    folders = re.findall(r'"(share/[^"]+)"', text)
    return sorted(p for f in folders for p in (config.parent / f).rglob("*") if p.is_file())


def grep(tmp_path: Path, config: Path, value: str) -> set[tuple]:
    """Where ``value`` is written in the examples' sources: (file, line) in the share, (table, column, id)
    in crm.db."""
    places: set[tuple] = set()
    raw = value.encode()
    for path in sources(config):
        data = path.read_bytes()
        for match in re.finditer(re.escape(raw), data):
            places.add((str(path.relative_to(tmp_path)), data.count(b"\n", 0, match.start()) + 1))
    with sqlite3.connect(config.parent / "crm.db") as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cursor = conn.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            for row in cursor:
                places.update((table, n, row[0]) for n, v in zip(names, row, strict=True) if value in str(v))
    return places


def found_places(result: dict, subject: int = 0) -> set[tuple]:
    got = set()
    for place in result["subjects"][subject]["places"]:
        location = place["location"]
        if "table" in location:
            got.add((location["table"], location["column"], location["row"]["id"]))
        else:
            got.add((place["source"], location["line"]))
    return got


def dump(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


def test_every_identity_code_of_the_examples_is_found_exactly_where_grep_finds_it(tmp_path):
    config = examples(tmp_path)
    written = {m.decode() for p in sources(config) for m in HETU.findall(p.read_bytes())}
    assert len(written) >= 3
    history = dump(tmp_path / "h.db")
    for hetu in sorted(written):
        code, result, err = find(tmp_path, hetu)
        assert code == 0, err
        assert result["run"]["id"] == 1
        assert found_places(result) == grep(tmp_path, config, hetu), hetu
        assert all(p["register"] and p["first_run"] == p["last_run"] == 1 for p in result["subjects"][0]["places"])
        assert hetu not in history  # the history holds masked values and hashes only
        assert hetu not in json.dumps(result) and hetu not in err  # and so does the output


def test_several_values_are_one_subject_and_a_phone_is_found_however_written(tmp_path):
    examples(tmp_path)
    code, out, err = run(
        "find", "131171Y906T", "AINO.makinen@example.fi", "+358 40 3709137", "--history", "h.db", cwd=tmp_path
    )
    assert code == 0, err
    assert out.count("Subject ") == 1 and "8 places in run 1" in out
    assert "aino.makinen" not in out and "3709137" not in out  # masked
    _, result, _ = find(tmp_path, "131171Y906T", "aino.makinen@example.fi", "(040) 370 9137")
    [subject] = result["subjects"]
    assert [v["entity"] for v in subject["values"]] == ["FI_PERSONAL_IDENTITY_CODE", "EMAIL_ADDRESS", "PHONE_NUMBER"]
    entities = sorted(p["entity"] for p in subject["places"])
    # the CSV row and the crm.db row hold all three; the support log the address, a ticket the phone number
    assert entities == ["EMAIL_ADDRESS"] * 3 + ["FI_PERSONAL_IDENTITY_CODE"] * 2 + ["PHONE_NUMBER"] * 3
    _, csv_out, _ = run("find", "131171Y906T", "--history", "h.db", "--format", "csv", cwd=tmp_path)
    header, *rows = csv_out.splitlines()
    assert header.startswith("subject,entity,value,source") and len(rows) == 2


def test_a_csv_column_list_makes_a_subject_of_each_row(tmp_path):
    examples(tmp_path)
    listed = tmp_path / "pyynnot.csv"
    listed.write_text(
        "nimi;henkilötunnus;sähköposti\nAino;131171Y906T;aino.makinen@example.fi\n"
        "Väinö;040639V974W;\nNobody;150380-246N;nobody@example.fi\n",
        "utf-8",
    )
    code, result, err = find(tmp_path, "--values-from", f"{listed}:henkilötunnus,sähköposti")
    assert code == 0, err
    subjects = result["subjects"]
    assert [s["given"] for s in subjects] == [f"{listed} row {n}" for n in (2, 3, 4)]
    assert [len(s["values"]) for s in subjects] == [2, 1, 2]
    assert [len(s["places"]) for s in subjects] == [5, 2, 0]  # the third is recorded nowhere
    plain = tmp_path / "lista.txt"
    plain.write_text("# one per line\n131171Y906T\n\n040639V974W\n", "utf-8")
    code, result, err = find(tmp_path, "070137V9118", "--values-from", str(plain))
    assert code == 0, err
    assert [(s["given"], len(s["places"])) for s in result["subjects"]] == [
        ("command line", 1),
        (f"{plain} line 2", 2),
        (f"{plain} line 4", 2),
    ]
    code, _, err = find(tmp_path, "--values-from", f"{listed}:puhelin")
    assert code == 2 and "no column 'puhelin'" in err
    # columns by number: a first row of values is data, not a header; a first row of names is a header
    headerless = tmp_path / "ilman-otsikkoa.csv"
    headerless.write_text("Aino;131171Y906T\nVäinö;040639V974W\n", "utf-8")
    code, result, err = find(tmp_path, "--values-from", f"{headerless}:2")
    assert code == 0, err
    assert [(s["given"], s["values"][0]["given_as"], len(s["places"])) for s in result["subjects"]] == [
        (f"{headerless} row 1", f"{headerless} row 1 column 2", 2),
        (f"{headerless} row 2", f"{headerless} row 2 column 2", 2),
    ]
    code, result, err = find(tmp_path, "--values-from", f"{listed}:2")
    assert code == 0, err
    assert [s["given"] for s in result["subjects"]] == [f"{listed} row {n}" for n in (2, 3, 4)]
    assert result["subjects"][0]["values"][0]["given_as"] == f"{listed} row 2 column henkilötunnus"


def test_values_from_standard_input(tmp_path):
    from click.testing import CliRunner

    from scanner.cli import main

    examples(tmp_path)
    result = CliRunner().invoke(
        main,
        ["find", "--values-from", "-", "--history", str(tmp_path / "h.db"), "--format", "json"],
        input="131171Y906T\n",
    )
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["subjects"][0]["places"]) == 2


def test_a_value_no_detector_accepts_is_an_error_that_never_quotes_it(tmp_path):
    examples(tmp_path)
    code, out, err = run("find", "131171Y906T", "131171Y906X", "--history", "h.db", cwd=tmp_path)
    assert code == 2 and not out
    assert "argument 2 (999999A999A) is not a value any detector accepts" in err
    assert "131171Y906X" not in err
    code, _, err = run("find", "131171Y906T", "--entity", "phone_number", "--history", "h.db", cwd=tmp_path)
    assert code == 2 and "argument 1 (999999A999A) is not a valid PHONE_NUMBER" in err and "906T" not in err
    listed = tmp_path / "lista.txt"
    listed.write_text("131171Y906T\nasiakas 17\n", "utf-8")
    code, _, err = run("find", "--values-from", str(listed), "--history", "h.db", cwd=tmp_path)
    assert code == 2 and f"{listed} line 2 (aaaaaaa 99)" in err and "asiakas" not in err
    code, _, err = run("find", "email_address=131171Y906T", "--history", "h.db", cwd=tmp_path)
    assert code == 2 and "argument 1 (999999A999A) is not a valid EMAIL_ADDRESS" in err
    code, result, err = find(tmp_path, "fi_personal_identity_code=131171Y906T", "aino.makinen@example.fi")
    assert code == 0 and len(result["subjects"][0]["places"]) == 5, err
    code, _, err = run("find", "--history", "h.db", cwd=tmp_path)
    assert code == 2 and "give the VALUEs" in err
    code, _, err = run("find", "131171Y906T", "--history", "nothing.db", cwd=tmp_path)
    assert code == 2 and "no such history" in err and not (tmp_path / "nothing.db").exists()


def test_rescan_after_an_erasure_says_where_the_value_is_still_found(tmp_path):
    config = examples(tmp_path)
    share = config.parent / "share" / "Asiakaspalvelu"
    tickets = share / "tukipyynnot.log"
    tickets.write_bytes(b"".join(line for line in tickets.read_bytes().splitlines(True) if b"aino.makinen" not in line))
    code, result, err = find(tmp_path, "131171Y906T", "aino.makinen@example.fi", "--rescan")
    assert code == 1, err  # still there: the CSV file and the database
    status = {
        (p["source"].rsplit("/", 1)[-1], p["entity"]): p["rescan"]["status"] for p in result["subjects"][0]["places"]
    }
    assert status == {
        ("asiakkaat.csv", "FI_PERSONAL_IDENTITY_CODE"): "present",
        ("asiakkaat.csv", "EMAIL_ADDRESS"): "present",
        ("tukipyynnot.log", "EMAIL_ADDRESS"): "gone",
        ("crm.db", "FI_PERSONAL_IDENTITY_CODE"): "present",
        ("crm.db", "EMAIL_ADDRESS"): "present",
    }
    # the erasure finished: the customer's row deleted, the CSV line removed
    with sqlite3.connect(config.parent / "crm.db") as conn:
        conn.execute("DELETE FROM asiakkaat WHERE hetu = '131171Y906T'")
    rows = share / "asiakkaat.csv"
    rows.write_bytes(b"".join(line for line in rows.read_bytes().splitlines(True) if b"131171Y906T" not in line))
    code, out, err = run(
        "find", "131171Y906T", "aino.makinen@example.fi", "--history", "h.db", "--rescan", cwd=tmp_path
    )
    assert code == 0, err
    assert out.count(" gone") == 5 and "present" not in out
    # a file no longer there is gone too
    rows.unlink()
    code, result, _ = find(tmp_path, "131171Y906T", "--rescan")
    assert code == 0
    notes = {p["rescan"]["note"] for p in result["subjects"][0]["places"]}
    assert "the file is no longer there" in notes


def test_a_value_two_subjects_share_is_found_for_both(tmp_path):
    examples(tmp_path)
    listed = tmp_path / "perhe.csv"
    listed.write_text(
        "hetu;email\n131171Y906T;aino.makinen@example.fi\n040639V974W;aino.makinen@example.fi\n", "utf-8"
    )
    code, result, err = find(tmp_path, "--values-from", f"{listed}:hetu,email")
    assert code == 0, err
    emails = [
        sorted(p["location"].get("line", 0) for p in s["places"] if p["entity"] == "EMAIL_ADDRESS")
        for s in result["subjects"]
    ]
    assert emails[0] == emails[1] and len(emails[0]) == 3  # the shared address's places, under each subject


def test_a_rescan_finds_a_table_whose_name_holds_glob_characters(tmp_path):
    with sqlite3.connect(tmp_path / "kauppa.db") as conn:
        conn.executescript(
            'CREATE TABLE "tilaus[2024]" (id INTEGER PRIMARY KEY, hetu TEXT);'
            "INSERT INTO \"tilaus[2024]\" VALUES (1, '131171Y906T');"
            'CREATE TABLE "tilaus2" (id INTEGER PRIMARY KEY, hetu TEXT);'
        )
    code, _, err = run("scan", "sqlite:///kauppa.db", "--history", "h.db", "--no-progress", cwd=tmp_path)
    assert code == 0, err
    code, result, err = find(tmp_path, "131171Y906T", "--rescan")
    assert code == 1, err
    [place] = result["subjects"][0]["places"]
    assert (place["location"]["table"], place["rescan"]["status"]) == ("tilaus[2024]", "present")


def test_a_value_moved_within_its_file_is_found_there(tmp_path):
    config = examples(tmp_path)
    memo = config.parent / "share" / "Henkilosto" / "muistio.txt"
    memo.write_text("Uusi ensimmäinen rivi.\n" + memo.read_text("utf-8"), "utf-8")
    code, result, err = find(tmp_path, "070137V9118", "--rescan")
    assert code == 1, err
    [place] = result["subjects"][0]["places"]
    assert place["rescan"] == {"status": "moved", "note": "now at 5:15"}


def test_the_last_run_by_default_every_run_on_request(tmp_path):
    config = examples(tmp_path)
    memo = config.parent / "share" / "Henkilosto" / "muistio.txt"
    memo.write_text(memo.read_text("utf-8").replace("070137V9118", "(poistettu)"), "utf-8")
    code, _, err = check(tmp_path, config)
    assert code in (0, 1), err
    code, result, _ = find(tmp_path, "070137V9118")
    assert result["run"]["id"] == 2 and result["subjects"][0]["places"] == []
    _, result, _ = find(tmp_path, "070137V9118", "--all-runs")
    [place] = result["subjects"][0]["places"]
    assert result["run"] is None and (place["first_run"], place["last_run"]) == (1, 1)
    _, result, _ = find(tmp_path, "070137V9118", "--run", "1")
    assert len(result["subjects"][0]["places"]) == 1
    _, result, _ = find(tmp_path, "131171Y906T")  # unchanged files: carried over, seen in both runs
    assert {(p["first_run"], p["last_run"], p["runs_seen"]) for p in result["subjects"][0]["places"]} == {(1, 2, 2)}
    code, _, err = run("find", "131171Y906T", "--history", "h.db", "--run", "7", cwd=tmp_path)
    assert code == 2 and "no run 7" in err


def test_a_run_hashed_with_another_key_is_said_and_a_retired_key_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("HARAVA_HASH_KEY")
    monkeypatch.setenv("HARAVA_KEY_FILE", str(tmp_path / "keys" / "hash.key"))
    config = examples(tmp_path)
    code, _, err = run("key", "rotate", cwd=tmp_path)
    assert code == 0, err
    code, result, err = find(tmp_path, "070137V9118")  # run 1 was hashed with the retired key, kept beside
    assert code == 0, err
    assert len(result["subjects"][0]["places"]) == 1
    for retired in (tmp_path / "keys").glob("*.retired"):
        retired.unlink()
    code, _, err = run("find", "070137V9118", "--history", "h.db", cwd=tmp_path)
    assert code == 2 and "was hashed with key id" in err
    check(tmp_path, config)
    code, result, err = find(tmp_path, "070137V9118", "--all-runs")
    assert code == 0, err
    assert [p["first_run"] for p in result["subjects"][0]["places"]] == [2]
    assert "run 1 was hashed with key id" in result["notes"][0]


def test_an_old_history_gets_the_value_hash_index_and_the_subject_column_on_open(tmp_path):
    from scanner.history import FINDINGS, History

    path = tmp_path / "old.db"
    History(path)
    with sqlite3.connect(path) as conn:  # as a history written before either existed
        conn.execute("DROP INDEX ix_findings_value_hash")
        conn.execute("ALTER TABLE findings DROP COLUMN subject")
        conn.execute("INSERT INTO runs (id, started, finished, status) VALUES (1, '2026-01-01', '2026-01-01', 0)")
        conn.execute(
            "INSERT INTO findings (run_id, register, source, path, location, entity, value, value_hash, undeclared)"
            " VALUES (1, 'R', 'a.txt', '/a.txt', '{\"line\": 1}', 'EMAIL_ADDRESS', 'a***@example.fi', 'h1', 0)"
        )
    history = History(path)
    inspector = sa.inspect(history.engine)
    assert "ix_findings_value_hash" in {i["name"] for i in inspector.get_indexes("findings")}
    assert "subject" in {c["name"] for c in inspector.get_columns("findings")}
    [(run_id, finding)] = history.occurrences(["h1", "h2"])
    assert run_id == 1 and finding.subject is None and finding.value == "a***@example.fi"
    with history.engine.connect() as conn:  # the lookup goes through the index
        plan = conn.execute(
            sa.text(
                "EXPLAIN QUERY PLAN "
                + str(sa.select(FINDINGS).where(FINDINGS.c.value_hash == "h1")).replace(":value_hash_1", "'h1'")
            )
        ).all()
    assert "ix_findings_value_hash" in str(plan)


def test_known_subjects_are_tagged_in_the_check_and_the_history(tmp_path):
    config = examples(tmp_path)
    (config.parent / "tyontekijat.csv").write_text(
        "nimi;hetu\nAino;131171Y906T\nOlli;070137V9118\nEi tunnus;12345\n", "utf-8"
    )
    config.write_text(
        config.read_text("utf-8")
        + '\n[[subjects]]\nname = "Työntekijät"\nvalues_from = "tyontekijat.csv"\ncolumn = "hetu"\n',
        "utf-8",
    )
    code, out, err = check(tmp_path, config, "--format", "json")
    assert code == 1, err
    assert "1 value of the subject list 'Työntekijät' no detector accepts" in err
    subjects = {(s["register"], s["entity"]): s["count"] for s in json.loads(out)["subjects"]}
    assert subjects == {
        ("Asiakasrekisteri", "FI_PERSONAL_IDENTITY_CODE"): 2,  # the CSV file and crm.db
        ("Personalregister", "FI_PERSONAL_IDENTITY_CODE"): 1,
    }
    with sqlite3.connect(tmp_path / "h.db") as conn:
        tagged = conn.execute("SELECT run_id, subject, count(*) FROM findings GROUP BY 1, 2").fetchall()
    assert (2, "Työntekijät", 3) in tagged  # the second run, its files carried over, is tagged as well
    history = dump(tmp_path / "h.db")
    assert "131171Y906T" not in history and "070137V9118" not in history
    code, out, err = check(tmp_path, config)
    assert "Known subjects found:" in out and "FI_PERSONAL_IDENTITY_CODE of Työntekijät ×2" in out
    code, out, err = run("report", "--history", "h.db", "--format", "json", cwd=tmp_path)
    assert sorted({f["subject"] for f in json.loads(out)["findings"]} - {None}) == ["Työntekijät"]
    # without [[subjects]] the check's JSON is as it was
    plain = config.with_name("plain.toml")
    plain.write_text(config.read_text("utf-8").split("[[subjects]]")[0], "utf-8")
    _, out, _ = check(tmp_path, plain, "--format", "json")
    assert "subjects" not in json.loads(out)


def test_a_subject_list_that_is_not_there_is_a_config_error(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    config = tmp_path / "examples" / "harava.toml"
    config.write_text(config.read_text("utf-8") + '\n[[subjects]]\nname = "X"\nvalues_from = "puuttuu.csv"\n', "utf-8")
    code, _, err = check(tmp_path, config)
    assert code == 2 and "subjects[0].values_from: no such file" in err
    config.write_text(config.read_text("utf-8").replace('"puuttuu.csv"', '"statements/asiakasrekisteri.txt"\nlist = 1'))
    code, _, err = check(tmp_path, config)
    assert code == 2 and "subjects[0].list: unknown key" in err


@pytest.fixture
def pg_history():
    """A PostgreSQL history in a schema of its own (and a table of this test's to scan)."""
    from tests.test_database import PG_URL, server

    engine = server(PG_URL)
    statements = [
        "DROP SCHEMA IF EXISTS harava_find CASCADE",
        "DROP SCHEMA IF EXISTS harava_find_src CASCADE",
        "CREATE SCHEMA harava_find",
        "CREATE SCHEMA harava_find_src",
        "CREATE TABLE harava_find_src.asiakkaat (id int PRIMARY KEY, nimi text, hetu text, email text)",
        """INSERT INTO harava_find_src.asiakkaat VALUES (1, 'Aino', '131171Y906T', 'aino.makinen@example.fi'),
           (2, 'Väinö', '040639V974W', NULL), (3, 'Aino taas', NULL, 'aino.makinen@example.fi')""",
    ]
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    yield PG_URL, PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dharava_find"
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS harava_find CASCADE"))
        conn.execute(sa.text("DROP SCHEMA IF EXISTS harava_find_src CASCADE"))


def test_a_postgresql_history_and_a_rescan_of_database_rows_by_key(tmp_path, pg_history):
    source, history = pg_history
    config = examples(tmp_path)
    code, _, err = run("check", "--config", str(config), "--history", history, "--no-progress", cwd=tmp_path)
    assert code in (0, 1), err
    code, result, err = find(tmp_path, "131171Y906T", history=history)
    assert code == 0, err
    assert found_places(result) == grep(tmp_path, config, "131171Y906T")
    code, _, err = run(
        "scan", source, "--include", "harava_find_src.*", "--history", history, "--no-progress", cwd=tmp_path
    )
    assert code == 0, err
    code, result, err = find(tmp_path, "131171Y906T", "aino.makinen@example.fi", "--rescan", history=history)
    assert code == 1, err
    rows = {(p["location"]["column"], p["location"]["row"]["id"]) for p in result["subjects"][0]["places"]}
    assert rows == {("hetu", 1), ("email", 1), ("email", 3)}
    from tests.test_database import server

    with server(source).connect() as conn:
        conn.execute(sa.text("DELETE FROM harava_find_src.asiakkaat WHERE id = 1"))
    code, result, err = find(tmp_path, "131171Y906T", "aino.makinen@example.fi", "--rescan", history=history)
    assert code == 1, err  # row 3 still holds the address
    status = {
        (p["location"]["column"], p["location"]["row"]["id"]): p["rescan"]["status"]
        for p in result["subjects"][0]["places"]
    }
    assert status == {("hetu", 1): "gone", ("email", 1): "gone", ("email", 3): "present"}
    with server(history).connect() as conn:
        values = conn.execute(sa.text("SELECT string_agg(value || value_hash, ' ') FROM findings")).scalar()
        indexes = conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = 'harava_find'")).all()
    assert "131171Y906T" not in values and "aino.makinen" not in values
    assert ("ix_findings_value_hash",) in indexes
