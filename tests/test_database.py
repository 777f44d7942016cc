"""Databases: SQLite files here, and the PostgreSQL and MariaDB servers of the machine.

Server tests skip with the reason when a server is unreachable — except under CI=true, where an
unreachable server is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_cli import ROOT, jsonl, run

PG_URL = os.environ.get("HARAVA_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get("HARAVA_TEST_MARIADB", "mysql://root@127.0.0.1:3306/test")


def server(url: str):
    """A SQLAlchemy engine for a test server, or skip (fail under CI=true) with the reason."""
    import sqlalchemy as sa

    from scanner.sources.database import DRIVERS

    parsed = sa.engine.make_url(url)
    parsed = parsed.set(drivername=f"{parsed.get_backend_name()}+{DRIVERS[parsed.drivername]}")
    engine = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as exc:
        reason = f"database server {url} unreachable: {str(exc).splitlines()[0]}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return engine


def findings(*args: str) -> list[tuple]:
    code, out, err = run("scan", *args, "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    return sorted(
        (json.dumps(r["location"], sort_keys=True), r["entity"], r["value"]) for r in jsonl(out) if not r["error"]
    )


def loc(**location) -> str:
    return json.dumps(location, sort_keys=True)


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    path = tmp_path / "crm.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE asiakkaat (id INTEGER PRIMARY KEY, nimi TEXT, hetu TEXT, gsm TEXT, muuta TEXT, tiedot JSON,
                                saldo INTEGER, kuva BLOB);
        INSERT INTO asiakkaat VALUES (7, 'Aino', '131052-308T', '040 123 4567', 'ei mitään', NULL, 5, x'00');
        INSERT INTO asiakkaat VALUES (8, 'Eino', NULL, NULL, 'soita 050 765 4321', '{"laskutus": {"email": "e@example.fi",
                                      "ip": ["192.0.2.7"]}}', 401234567, NULL);
        CREATE TABLE loki (rivi TEXT);
        INSERT INTO loki VALUES ('kirjautui 10.0.0.1'), ('ei mitään'), ('y-tunnus 2077474-0');
        CREATE VIEW v_yhteys AS SELECT nimi, gsm FROM asiakkaat;
        """
    )
    db.commit()
    db.close()
    return path


def test_sqlite_exact_findings_and_locations(crm):
    assert findings(f"sqlite:///{crm}") == sorted(
        [
            (loc(table="asiakkaat", column="hetu", row={"id": 7}), "FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
            (loc(table="asiakkaat", column="gsm", row={"id": 7}), "PHONE_NUMBER", "040 123 4567"),
            (loc(table="asiakkaat", column="muuta", row={"id": 8}), "PHONE_NUMBER", "050 765 4321"),
            (
                loc(table="asiakkaat", column="tiedot", field="laskutus.email", row={"id": 8}),
                "EMAIL_ADDRESS",
                "e@example.fi",
            ),
            (loc(table="asiakkaat", column="tiedot", field="laskutus.ip[0]", row={"id": 8}), "IP_ADDRESS", "192.0.2.7"),
            (loc(table="loki", column="rivi", row_number=1), "IP_ADDRESS", "10.0.0.1"),
            (loc(table="loki", column="rivi", row_number=3), "FI_BUSINESS_ID", "2077474-0"),
            (loc(table="v_yhteys", column="gsm", row_number=1), "PHONE_NUMBER", "040 123 4567"),
            # a single first name counts in a column named for names
            (loc(table="asiakkaat", column="nimi", row={"id": 7}), "PERSON", "Aino"),
            (loc(table="asiakkaat", column="nimi", row={"id": 8}), "PERSON", "Eino"),
            (loc(table="v_yhteys", column="nimi", row_number=1), "PERSON", "Aino"),
            (loc(table="v_yhteys", column="nimi", row_number=2), "PERSON", "Eino"),
        ]
    )


def test_an_sqlite_file_in_a_share_is_read_as_a_database(crm, tmp_path):
    """A CRM's database file lying in a folder holds personal data: never skipped as a binary file. Its name
    may hold characters that mean something in a URL or an SQLite URI: it is still opened read-only."""
    import shutil
    import zipfile

    share = tmp_path / "jako"
    share.mkdir()
    shutil.copy(crm, share / "asiakkaat #1?%20.sqlite")
    with zipfile.ZipFile(share / "vanhat.zip", "w") as archive:
        archive.write(crm, "crm.db")
    before = hashlib.sha256((share / "asiakkaat #1?%20.sqlite").read_bytes()).hexdigest()
    code, out, err = run("scan", str(share), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    in_file = sorted((json.dumps(r["location"], sort_keys=True), r["entity"], r["value"]) for r in rows if r["entity"])
    assert in_file == findings(f"sqlite:///{crm}")  # the same findings as scanning it by its URL
    assert {r["source"] for r in rows if r["entity"]} == {str(share / "asiakkaat #1?%20.sqlite")}
    assert [(r["member"], r["error"]) for r in rows if r["error"]] == [
        ("crm.db", "SQLite database inside a container: not read (extract it to scan it)")
    ]
    assert (
        "binary" not in err and hashlib.sha256((share / "asiakkaat #1?%20.sqlite").read_bytes()).hexdigest() == before
    )
    assert sorted(p.name for p in share.iterdir()) == ["asiakkaat #1?%20.sqlite", "vanhat.zip"]  # nothing written


def test_sqlite_is_opened_read_only_and_left_untouched(crm):
    before = hashlib.sha256(crm.read_bytes()).hexdigest(), crm.stat().st_mtime_ns
    findings(f"sqlite:///{crm}")
    assert (hashlib.sha256(crm.read_bytes()).hexdigest(), crm.stat().st_mtime_ns) == before
    assert sorted(p.name for p in crm.parent.iterdir()) == ["crm.db"]  # no journal, no WAL


def test_sqlite_column_summary_hints_and_skipped_columns(crm):
    code, out, err = run("scan", f"sqlite:///{crm}", "--format", "json", "--no-progress")
    assert code == 0
    summary = json.loads(out)["summary"]
    assert summary["tables"] == 3 and summary["rows"] == 7
    columns = {(c["table"], c["column"]): c for c in summary["columns"]}
    assert ("asiakkaat", "saldo") not in columns and ("asiakkaat", "kuva") not in columns  # numeric, binary
    gsm = columns[("asiakkaat", "gsm")]
    assert gsm["rows_scanned"] == 1
    assert gsm["entities"]["PHONE_NUMBER"] == {"rows": 1, "ratio": 1.0, "confidence": "high", "name_hint": True}
    assert columns[("loki", "rivi")]["entities"]["IP_ADDRESS"]["confidence"] == "low"  # 1 of 3 rows
    assert "asiakkaat.gsm" in err and "name hint" in err


def test_sqlite_all_columns_include_exclude_and_sample(crm):
    assert ("asiakkaat", "saldo") in {
        (c["table"], c["column"])
        for c in json.loads(run("scan", f"sqlite:///{crm}", "--all-columns", "--format", "json")[1])["summary"][
            "columns"
        ]
    }
    only_log = findings(f"sqlite:///{crm}", "--include", "loki")
    assert {json.loads(f[0])["table"] for f in only_log} == {"loki"}
    no_views = findings(f"sqlite:///{crm}", "--exclude", "v_*")
    assert "v_yhteys" not in {json.loads(f[0])["table"] for f in no_views}
    code, out, _ = run("scan", f"sqlite:///{crm}", "--sample", "1", "--format", "json")
    assert code == 0
    columns = json.loads(out)["summary"]["columns"]
    assert all(c["rows_scanned"] <= 1 for c in columns)
    sampling = {c["table"]: c["sampling"] for c in columns}
    assert sampling["asiakkaat"] == "runs of up to 50 rows from random points of rowid in 7..8, no full scan"
    assert sampling["loki"] == "runs of up to 50 rows from random points of rowid in 1..3, no full scan"
    assert sampling["v_yhteys"] == "ORDER BY RANDOM() LIMIT 1: a full scan (a view)"


# --- JSON columns: parsed by Arrow, the leaves Python's json would give ---------------------------------

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2026-01-01", "2026-01-01 10:00:00", "131052-308T", "040 123 4567", "e@example.fi"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "", "ä.x", "[0]"]), inner, max_size=3)
    ),
    max_leaves=12,
)
json_cells = st.one_of(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    json_values.map(lambda v: json.dumps(v, indent=1)),  # line breaks: Python's to read
    st.sampled_from(["not json", "", " ", '{"a": 1, "a": 2}', "[" * 100 + "]" * 100, '{"a": 1.50}', "1, 2"]),
    st.none(),
)


def python_leaves(cells: list[str | None]) -> list[tuple[int, str, str]]:
    import numpy as np
    import pyarrow as pa

    from scanner.extract.tables import _json_cells

    values = pa.array(cells, pa.large_string())
    texts, rows, paths = _json_cells(values, np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False)))
    return list(zip(rows, paths, texts, strict=True))


def arrow_leaves(cells: list[str | None]) -> list[tuple[int, str, str]]:
    import numpy as np
    import pyarrow as pa

    from scanner.extract.tables import _json_column

    values = pa.array(cells, pa.large_string())
    texts, rows, paths = _json_column(values, np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False)))
    return list(zip(rows.tolist(), paths.to_pylist(), texts.to_pylist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(json_cells, max_size=12))
def test_json_columns_give_the_leaves_python_gives(cells):
    """Any batch of documents, valid or not: the same (row, key path, text) leaves as Python's json, row by
    row. Within a row, documents whose keys come in different orders in different rows may list their
    leaves in another order (Arrow's reader merges them into one order of fields)."""
    expected, got = python_leaves(cells), arrow_leaves(cells)
    assert sorted(got) == sorted(expected)
    assert [row for row, _, _ in got] == sorted(row for row, _, _ in got)


def test_json_columns_of_one_shape_keep_document_order():
    """Rows of one shape (as a table's JSON column mostly holds): the very sequence Python gives, so the engine
    sees each leaf after the same neighbour as before; and the leaves are found by Arrow, not Python."""
    from unittest import mock

    import scanner.extract.tables as tables

    cells = [
        json.dumps({"laskutus": {"email": f"e{i}@example.fi", "ip": ["192.0.2.7", f"10.0.0.{i}"]}, "n": i, "x": None})
        for i in range(50)
    ] + [None, json.dumps({"laskutus": {"email": "z@example.fi"}, "tags": [{"a": "1"}, {"a": "2", "b": True}]})]
    with mock.patch.object(tables, "_json_cells", wraps=tables._json_cells) as python:
        got = arrow_leaves(cells)
    assert got == python_leaves(cells) and len(got) == 50 * 4 + 3
    assert python.call_args is None  # no document went to Python


def test_json_columns_with_floats_and_dates_read_exactly():
    """Arrow would write 1.50 as "1.5" (as Python does) but 1.0 as "1", and reads "2026-01-01" as a
    timestamp: a float's document goes to Python, a date stays the text it was."""
    cells = ['{"d": "2026-01-01", "s": "a"}', '{"d": "2026-01-02T10:00:00", "f": 1.0}', '{"f": 1.50, "i": 10}']
    assert (
        arrow_leaves(cells)
        == python_leaves(cells)
        == [
            (0, "d", "2026-01-01"),
            (0, "s", "a"),
            (1, "d", "2026-01-02T10:00:00"),
            (1, "f", "1.0"),
            (2, "f", "1.5"),
            (2, "i", "10"),
        ]
    )


def test_database_errors_are_precise_and_exit_2(tmp_path):
    code, _, err = run("scan", f"sqlite:///{tmp_path}/missing.db")
    assert code == 2 and "no such SQLite file" in err
    assert not (tmp_path / "missing.db").exists()  # never created
    code, _, err = run("scan", "foo://scanner:hunter2@db.example.fi/crm")
    assert code == 2 and "unknown kind of database 'foo'" in err and "hunter2" not in err and "internal" not in err
    code, _, err = run("scan", "mssql+pyodbc://scanner:hunter2@db.example.fi/crm")
    assert code == 2 and "no database driver" in err and "hunter2" not in err
    code, _, err = run("scan", "postgresql://scanner:hunter2@127.0.0.1:1/crm")
    assert code == 2 and "cannot connect" in err and "hunter2" not in err
    assert "postgresql://scanner@127.0.0.1:1/crm" in err


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg():
    import sqlalchemy as sa

    engine = server(PG_URL)
    with engine.connect() as conn:
        for statement in [
            "DROP SCHEMA IF EXISTS harava_t CASCADE",
            "CREATE SCHEMA harava_t",
            """CREATE TABLE harava_t.asiakkaat (id int PRIMARY KEY, nimi text, hetu varchar(11), puhelin text,
               ip inet, verkko cidr, tiedot jsonb, tagit text[], saldo numeric, syntynyt date)""",
            """INSERT INTO harava_t.asiakkaat VALUES
               (17, 'Aino', '131052-308T', '040 123 4567', '192.0.2.5', '10.1.0.0/16',
                '{"laskutus": {"sahkoposti": "laskut@example.fi"}}', ARRAY['vip', 'puh 09 4257 1234'], 1, '1952-10-13'),
               (18, 'Eino', NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL)""",
            "CREATE TABLE harava_t.muistio (teksti text)",
            "INSERT INTO harava_t.muistio VALUES ('Y-tunnus 2077474-0, puh. 040 765 1111')",
            "CREATE VIEW harava_t.v_yhteys AS SELECT nimi, puhelin FROM harava_t.asiakkaat",
            "CREATE TABLE harava_t.salainen (id int PRIMARY KEY, hetu text)",
            "INSERT INTO harava_t.salainen VALUES (1, '010594Y9021')",
            "DROP OWNED BY harava_t_reader CASCADE"
            if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = 'harava_t_reader'")).scalar()
            else "SELECT 1",
            "DROP ROLE IF EXISTS harava_t_reader",
            "CREATE ROLE harava_t_reader LOGIN",
            "GRANT USAGE ON SCHEMA harava_t TO harava_t_reader",
            "GRANT SELECT ON harava_t.asiakkaat, harava_t.muistio, harava_t.v_yhteys TO harava_t_reader",
        ]:
            conn.execute(sa.text(statement))
    yield engine
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS harava_t CASCADE"))
        conn.execute(sa.text("DROP OWNED BY harava_t_reader CASCADE"))
        conn.execute(sa.text("DROP ROLE IF EXISTS harava_t_reader"))


def reader_url() -> str:
    return PG_URL.replace("//postgres@", "//harava_t_reader@")


def test_postgresql_exact_findings_and_an_unreadable_table(pg):
    code, out, err = run(
        "scan", reader_url(), "--include", "harava_t.*", "--format", "jsonl", "--show-values", "--no-progress"
    )
    assert code == 0, err
    rows = jsonl(out)
    got = sorted((json.dumps(r["location"], sort_keys=True), r["entity"], r["value"]) for r in rows if not r["error"])
    t = "harava_t.asiakkaat"
    assert got == sorted(
        [
            (loc(table=t, column="hetu", row={"id": 17}), "FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
            (loc(table=t, column="puhelin", row={"id": 17}), "PHONE_NUMBER", "040 123 4567"),
            (loc(table=t, column="ip", row={"id": 17}), "IP_ADDRESS", "192.0.2.5"),
            (loc(table=t, column="verkko", row={"id": 17}), "IP_ADDRESS", "10.1.0.0/16"),
            (
                loc(table=t, column="tiedot", field="laskutus.sahkoposti", row={"id": 17}),
                "EMAIL_ADDRESS",
                "laskut@example.fi",
            ),
            (loc(table=t, column="tagit", row={"id": 17}), "PHONE_NUMBER", "09 4257 1234"),
            (loc(table="harava_t.muistio", column="teksti", row_number=1), "FI_BUSINESS_ID", "2077474-0"),
            (loc(table="harava_t.muistio", column="teksti", row_number=1), "PHONE_NUMBER", "040 765 1111"),
            (loc(table="harava_t.v_yhteys", column="puhelin", row_number=1), "PHONE_NUMBER", "040 123 4567"),
            (loc(table=t, column="nimi", row={"id": 17}), "PERSON", "Aino"),
            (loc(table=t, column="nimi", row={"id": 18}), "PERSON", "Eino"),
            (loc(table="harava_t.v_yhteys", column="nimi", row_number=1), "PERSON", "Aino"),
            (loc(table="harava_t.v_yhteys", column="nimi", row_number=2), "PERSON", "Eino"),
        ]
    )
    errors = [r for r in rows if r["error"]]
    assert [(r["location"], r["error"].split(":")[0]) for r in errors] == [
        ({"table": "harava_t.salainen"}, "permission denied")
    ]
    assert {r["source"] for r in rows} == {reader_url()}
    code, out, _ = run("scan", reader_url(), "--include", "harava_t.*", "--format", "json", "--no-progress")
    assert json.loads(out)["summary"]["tables"] == 3  # the unreadable fourth is not counted as scanned


def test_postgresql_session_is_read_only(pg):
    import sqlalchemy as sa

    from scanner.sources.database import connect

    engine = connect(PG_URL)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
        conn.execute(sa.text("INSERT INTO harava_t.muistio VALUES ('x')"))


def test_postgresql_sample_names_the_method(pg):
    """By key ranges where the table has an integer key, else by pages (``TABLESAMPLE SYSTEM``); a view is
    read whole and drawn from in random order. A table of no more rows than asked for is read whole."""
    code, out, _ = run(
        "scan", PG_URL, "--include", "harava_t.*", "--exclude", "*.iso", "--sample", "1", "--format", "json"
    )
    assert code == 0
    summary = json.loads(out)["summary"]
    sampling = {c["table"]: c.get("sampling") for c in summary["columns"]}
    assert sampling["harava_t.asiakkaat"] == "runs of up to 50 rows from random points of id in 17..18, no full scan"
    assert sampling["harava_t.muistio"].startswith("PostgreSQL TABLESAMPLE SYSTEM (100% of the pages")
    assert sampling["harava_t.v_yhteys"] == "ORDER BY RANDOM() LIMIT 1: a full scan (a view)"
    assert all(c["rows_scanned"] <= 1 for c in summary["columns"])
    code, out, _ = run("scan", PG_URL, "--include", "harava_t.asiakkaat", "--sample", "2", "--format", "json")
    assert all("sampling" not in c and c["rows_scanned"] <= 2 for c in json.loads(out)["summary"]["columns"])


def test_postgresql_million_rows_stream_in_bounded_memory(pg):
    import sqlalchemy as sa

    with pg.connect() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE harava_t.iso AS SELECT g AS id, 'asiakas ' || g AS nimi,"
                " CASE WHEN g % 1000 = 0 THEN '040 ' || lpad((g % 9999999)::text, 7, '0') END AS puhelin,"
                " md5(g::text) AS tunniste FROM generate_series(1, 1000000) g"
            )
        )
        conn.execute(sa.text("ALTER TABLE harava_t.iso ADD PRIMARY KEY (id)"))

    def peak(table: str) -> tuple[float, list[dict]]:
        code = (
            "import resource, subprocess, sys\n"
            f"done = subprocess.run([sys.executable, '-m', 'scanner', 'scan', {PG_URL!r}, '--include', {table!r},"
            " '--format', 'jsonl', '--no-progress'], capture_output=True, text=True, check=True)\n"
            "print(done.stdout, end='')\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        *lines, rss = done.stdout.splitlines()
        return int(rss) / 1024, [json.loads(line) for line in lines]

    small, _ = peak("harava_t.muistio")
    large, rows = peak("harava_t.iso")
    assert len(rows) == 1000 and rows[-1]["location"]["row"] == {"id": 1000000}
    assert large - small < 150, f"a million rows took {large - small:.0f} MB more than one row"


# --- MariaDB / MySQL ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mariadb():
    import sqlalchemy as sa

    engine = server(MARIADB_URL)
    with engine.connect() as conn:
        for statement in [
            "DROP DATABASE IF EXISTS harava_t",
            "CREATE DATABASE harava_t",
            "CREATE TABLE harava_t.asiakkaat (id INT PRIMARY KEY, hetu CHAR(11), sahkoposti VARCHAR(80), muuta TEXT,"
            " saldo DECIMAL(10,2))",
            "INSERT INTO harava_t.asiakkaat VALUES (3, '131052-308T', 'aino@example.fi', 'ip 192.0.2.9', 1.5),"
            " (4, NULL, NULL, 'ei mitään', 0)",
            "CREATE TABLE harava_t.loki (rivi TEXT)",
            "INSERT INTO harava_t.loki VALUES ('puh. 050 765 4321')",
            "CREATE VIEW harava_t.v AS SELECT sahkoposti FROM harava_t.asiakkaat",
        ]:
            conn.execute(sa.text(statement))
    yield engine
    with engine.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS harava_t"))


def in_database(url: str, name: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.mark.parametrize("scheme", ["mysql", "mariadb"])
def test_mariadb_exact_findings(mariadb, scheme):
    url = in_database(MARIADB_URL.replace("mysql://", f"{scheme}://", 1), "harava_t")
    assert findings(url) == sorted(
        [
            (loc(table="harava_t.asiakkaat", column="hetu", row={"id": 3}), "FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
            (loc(table="harava_t.asiakkaat", column="sahkoposti", row={"id": 3}), "EMAIL_ADDRESS", "aino@example.fi"),
            (loc(table="harava_t.asiakkaat", column="muuta", row={"id": 3}), "IP_ADDRESS", "192.0.2.9"),
            (loc(table="harava_t.loki", column="rivi", row_number=1), "PHONE_NUMBER", "050 765 4321"),
            (loc(table="harava_t.v", column="sahkoposti", row_number=1), "EMAIL_ADDRESS", "aino@example.fi"),
        ]
    )


def test_mariadb_the_urls_database_is_the_boundary(mariadb):
    """`…/test` is the test database only: harava_t's identity code is never reported under its name."""
    with mariadb.connect() as conn:
        import sqlalchemy as sa

        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS test.harava_naapuri (teksti TEXT)"))
        conn.execute(sa.text("INSERT INTO test.harava_naapuri VALUES ('aino@example.fi')"))
    try:
        found = findings(in_database(MARIADB_URL, "test"), "--include", "*harava*")
        assert found == [
            (loc(table="test.harava_naapuri", column="teksti", row_number=1), "EMAIL_ADDRESS", "aino@example.fi")
        ]
    finally:
        with mariadb.connect() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS test.harava_naapuri"))


def test_mariadb_session_is_read_only(mariadb):
    import sqlalchemy as sa

    from scanner.sources.database import connect

    engine = connect(MARIADB_URL)
    with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError, match="READ ONLY"):
        conn.execute(sa.text("INSERT INTO harava_t.loki VALUES ('x')"))


# --- registers with database sources --------------------------------------------------------


def test_check_reads_the_example_sqlite_database():
    code, out, _ = run("check", "--config", "examples/harava.toml", "--format", "json", "--no-progress")
    assert code == 1
    customers = json.loads(out)["registers"][0]
    assert "sqlite:///examples/crm.db" in customers["sources"]
    db_examples = [e for u in customers["undeclared"] for e in u["examples"] if e["source"].startswith("sqlite")]
    assert customers["found"]["IP_ADDRESS"] == 4
    assert customers["undeclared"][0]["count"] == 4
    assert db_examples == [
        {
            "source": "sqlite:///examples/crm.db",
            "member": None,
            "value": "10.30.*.*",
            "location": {"table": "tukipyynnot", "column": "lahetetty_osoitteesta", "row": {"id": 1}},
        }
    ]


def test_example_database_matches_its_script(tmp_path):
    rebuilt = tmp_path / "crm.db"
    sqlite3.connect(rebuilt).executescript((ROOT / "examples" / "crm.sql").read_text("utf-8"))
    dump = lambda path: list(sqlite3.connect(path).iterdump())  # noqa: E731
    assert dump(ROOT / "examples" / "crm.db") == dump(rebuilt)


def test_postgresql_locked_table_times_out_and_the_rest_is_scanned(pg):
    import sqlalchemy as sa

    locker = pg.connect().execution_options(isolation_level="READ COMMITTED")
    transaction = locker.begin()
    locker.execute(sa.text("LOCK TABLE harava_t.muistio IN ACCESS EXCLUSIVE MODE"))
    try:
        code, out, err = run(
            "scan",
            PG_URL,
            "--include",
            "harava_t.muistio",
            "--include",
            "harava_t.asiakkaat",
            "--statement-timeout",
            "1",
            "--format",
            "jsonl",
            "--no-progress",
        )
    finally:
        transaction.rollback()
        locker.close()
    assert code == 0, err
    rows = jsonl(out)
    assert [(r["location"], r["error"].split(":")[0]) for r in rows if r["error"]] == [
        ({"table": "harava_t.muistio"}, "statement timeout")
    ]
    assert {r["location"]["table"] for r in rows if not r["error"]} == {"harava_t.asiakkaat"}


def test_postgresql_parallel_tables_give_the_same_findings(pg):
    one = findings(PG_URL, "--include", "harava_t.*", "--exclude", "harava_t.iso")
    four = findings(PG_URL, "--include", "harava_t.*", "--exclude", "harava_t.iso", "--workers", "4")
    assert one == four and len(one) > 5


def test_many_sqlite_files_in_a_share_do_not_exhaust_file_handles(tmp_path):
    """Each database file is closed when it has been read: a share of 120 of them scans under 64 handles."""
    import sqlite3
    import subprocess
    import sys

    share = tmp_path / "jako"
    share.mkdir()
    for n in range(120):
        with sqlite3.connect(share / f"kanta{n:03}.db") as db:
            db.execute("CREATE TABLE yhteys (email TEXT)")
            db.execute("INSERT INTO yhteys VALUES (?)", (f"asiakas{n}@example.fi",))
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
        "from scanner.cli import main\n"
        f"main([{'scan'!r}, {str(share)!r}, '--format', 'jsonl', '--no-progress'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len([r for r in jsonl(done.stdout) if r["entity"] == "EMAIL_ADDRESS"]) == 120, done.stderr
