"""Databases at their worst: names no one should give a column, a connection killed mid-read, a JSON
document nested past any stack, and a table of ten million rows.

Everything these tests create is named ``harava_faults_<pid>…`` (the pid keeps two runs apart) and dropped
at the end. Server tests skip when a server is unreachable, and fail under CI=true (``tests.test_database``).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.test_cli import ROOT, jsonl
from tests.test_database import MARIADB_URL, PG_URL, findings, in_database, loc, server

RUN = f"harava_faults_{os.getpid()}"


def execute(engine, *statements: str) -> None:
    """Statements sent as they are: no parameter markers, so a name may hold ``%`` or ``:``."""
    with engine.connect() as conn:
        raw = conn.execution_options(no_parameters=True)
        for statement in statements:
            raw.exec_driver_sql(statement)


def scan(*args: str) -> subprocess.Popen:
    """``harava scan`` as a process of its own, as a user would run it."""
    command = [sys.executable, "-m", "scanner", "scan", *args, "--format", "jsonl", "--no-progress"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(probe: Callable[[], object], seconds: float, what: str) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"never saw {what} in {seconds:g} s")


def no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr


# --- names with quote characters, spaces, % and : ---------------------------------------------------

# Each column's name and the value planted in it (one row, id 1); the key column is called k"e`y.
ODD_COLUMNS = {
    "hetu`x": ("131052-308T", "FI_PERSONAL_IDENTITY_CODE"),
    "puh elin": ("040 123 4567", "PHONE_NUMBER"),
    'sähkö"posti': ("aino@example.fi", "EMAIL_ADDRESS"),
    "osuus %s": ("eino@example.fi", "EMAIL_ADDRESS"),
    "a:b": ("onni@example.fi", "EMAIL_ADDRESS"),
    "rivi\nvaihto": ("siiri@example.fi", "EMAIL_ADDRESS"),
}
ODD_KEY = 'k"e`y'


def odd_findings(table: str) -> list[tuple]:
    return sorted(
        (loc(table=table, column=column, row={ODD_KEY: 1}), entity, value)
        for column, (value, entity) in ODD_COLUMNS.items()
    )


def odd_table_sql(quote: Callable[[str], str], table: str, text: str) -> list[str]:
    columns = ", ".join(f"{quote(c)} {text}" for c in ODD_COLUMNS)
    values = ", ".join(f"'{value}'" for value, _ in ODD_COLUMNS.values())
    return [
        f"CREATE TABLE {table} ({quote(ODD_KEY)} INT PRIMARY KEY, {columns})",
        f"INSERT INTO {table} VALUES (1, {values})",
    ]


def backticks(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def double_quotes(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@pytest.fixture
def mariadb_odd():
    engine = server(MARIADB_URL)
    database = f"{RUN}_q`d"
    quoted = backticks(database)
    execute(engine, f"DROP DATABASE IF EXISTS {quoted}", f"CREATE DATABASE {quoted}")
    try:
        execute(
            engine,
            *odd_table_sql(backticks, f"{quoted}.harava_faults_tick", "TEXT"),
            *odd_table_sql(backticks, f"{quoted}.{backticks('harava_faults_t`ick %s')}", "VARCHAR(40)"),
            f"CREATE VIEW {quoted}.{backticks('harava_faults_v`w')} AS SELECT {backticks('hetu`x')}"
            f" FROM {quoted}.harava_faults_tick",
        )
        yield database
    finally:
        execute(engine, f"DROP DATABASE IF EXISTS {quoted}")


def test_mariadb_names_with_backticks_quotes_spaces_percent_and_line_breaks(mariadb_odd):
    """SQLAlchemy's MySQL reflection leaves a backtick in a column's name doubled (``hetu``x``, which does
    not exist: the whole table failed) and drops a column whose name holds a line break; the names come
    from information_schema instead, and every identifier is quoted for SQL sent as it is."""
    database = mariadb_odd
    got = findings(in_database(MARIADB_URL, database))
    view = f"{database}.harava_faults_v`w"
    assert got == sorted(
        odd_findings(f"{database}.harava_faults_tick")
        + odd_findings(f"{database}.harava_faults_t`ick %s")
        + [(loc(table=view, column="hetu`x", row_number=1), "FI_PERSONAL_IDENTITY_CODE", "131052-308T")]
    )
    sampled = findings(in_database(MARIADB_URL, database), "--sample", "5", "--include", "*tick")
    assert sampled == odd_findings(f"{database}.harava_faults_tick")


@pytest.fixture
def pg_odd():
    engine = server(PG_URL)
    schema = f'{RUN}_q"s'
    quoted = double_quotes(schema)
    second = double_quotes('harava_faults_t"ick %s')
    execute(engine, f"DROP SCHEMA IF EXISTS {quoted} CASCADE", f"CREATE SCHEMA {quoted}")
    try:
        execute(
            engine,
            *odd_table_sql(double_quotes, f"{quoted}.harava_faults_tick", "text"),
            *odd_table_sql(double_quotes, f"{quoted}.{second}", "varchar(40)"),
            f"ALTER TABLE {quoted}.harava_faults_tick ADD COLUMN {double_quotes('tie`dot')} jsonb",
            f"""UPDATE {quoted}.harava_faults_tick SET {double_quotes("tie`dot")} = '{{"e:%s": "urho@example.fi"}}'""",
        )
        yield schema
    finally:
        execute(engine, f"DROP SCHEMA IF EXISTS {quoted} CASCADE")


def test_postgresql_names_with_double_quotes_percent_colons_and_line_breaks(pg_odd):
    """psycopg's paramstyle made SQLAlchemy's quoting double a ``%`` (column "osuus %%s" does not exist);
    ``text()`` would take ``:b`` for a parameter. Read through ADBC, sampled through TABLESAMPLE."""
    schema = pg_odd
    table = f"{schema}.harava_faults_tick"
    json_finding = (
        loc(table=table, column="tie`dot", field="e:%s", row={ODD_KEY: 1}),
        "EMAIL_ADDRESS",
        "urho@example.fi",
    )
    expected = sorted([*odd_findings(table), json_finding, *odd_findings(f'{schema}.harava_faults_t"ick %s')])
    assert findings(PG_URL, "--include", f"{schema}.*") == expected
    assert findings(PG_URL, "--include", f"{schema}.*", "--sample", "5") == expected


def test_sqlite_names_with_quotes_brackets_percent_and_line_breaks(tmp_path):
    path = tmp_path / "oudot.db"
    db = sqlite3.connect(path)
    for statement in [
        *odd_table_sql(double_quotes, "harava_faults_tick", "TEXT"),
        *odd_table_sql(double_quotes, double_quotes('harava_faults_t"ick [x] %s'), "TEXT"),
    ]:
        db.execute(statement)
    db.commit()
    db.close()
    expected = sorted(odd_findings("harava_faults_tick") + odd_findings('harava_faults_t"ick [x] %s'))
    assert findings(f"sqlite:///{path}") == expected


# --- a connection killed in the middle of a table ---------------------------------------------------

BIG_ROWS = 2_000_000
LATER_TABLE_TEXT = "soita 040 765 1111 tai aino@example.fi"
LATER_FINDINGS = {"PHONE_NUMBER", "EMAIL_ADDRESS"}


@pytest.fixture(scope="module")
def pg_big():
    """A table that takes seconds to read (built by the server: quick), and a small one read after it."""
    engine = server(PG_URL)
    schema = f"{RUN}_kill"
    execute(
        engine,
        f"DROP SCHEMA IF EXISTS {schema} CASCADE",
        f"CREATE SCHEMA {schema}",
        f"CREATE UNLOGGED TABLE {schema}.a_iso AS SELECT g AS id, 'asiakas ' || g || ' kirjoitti viestin ' || g"
        f" AS viesti, md5(g::text) AS tunniste FROM generate_series(1, {BIG_ROWS}) g",
        f"CREATE TABLE {schema}.b_pieni (teksti text)",
        f"INSERT INTO {schema}.b_pieni VALUES ('{LATER_TABLE_TEXT}')",
    )
    yield engine, schema
    execute(engine, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def interrupted(out: str, table: str) -> list[dict]:
    """The error rows of a scan that lost ``table``; the table read after it was scanned all the same."""
    rows = jsonl(out)
    later = {r["entity"] for r in rows if not r["error"] and r["location"]["table"].endswith(".b_pieni")}
    assert later == LATER_FINDINGS
    errors = [r for r in rows if r["error"]]
    assert [r["location"] for r in errors] == [{"table": table}]
    return errors


def test_postgresql_backend_terminated_mid_read(pg_big):
    """``pg_terminate_backend`` once the first rows have arrived: past the first batch, ADBC's error comes
    through Arrow's stream as a bare OSError, which was reported as a reader's bug, its message withheld,
    and under the database's name instead of the table's."""
    import sqlalchemy as sa

    engine, schema = pg_big
    process = scan(PG_URL, "--include", f"{schema}.*")
    copying = sa.text(
        "SELECT a.pid FROM pg_stat_activity a JOIN pg_stat_progress_copy p ON p.pid = a.pid"
        " WHERE a.query LIKE :query AND p.tuples_processed > 100000"
    )
    try:
        with engine.connect() as conn:
            pid = wait_for(
                lambda: conn.execute(copying, {"query": f"%{schema}%a_iso%"}).scalar(), 600, "the table being read"
            )
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        out, err = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, err
    (error,) = interrupted(out, f"{schema}.a_iso")
    # libpq's words depend on whether the server's last message was read before the socket closed
    assert re.search("terminating connection due to administrator command|closed the connection", error["error"])
    no_traceback(err)


def test_postgresql_statement_timeout_mid_read(pg_big):
    """A statement timeout that strikes while the table streams is the table's "statement timeout" (0.5 s: 2,000,000
    rows take longer on any machine), and the table after it is read all the same."""
    _, schema = pg_big
    process = scan(PG_URL, "--include", f"{schema}.*", "--statement-timeout", "0.5")
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    (error,) = interrupted(out, f"{schema}.a_iso")
    assert error["error"].startswith("statement timeout: ")
    no_traceback(err)


MARIADB_BIG_ROWS = 1_000_000


@pytest.fixture(scope="module")
def mariadb_big():
    engine = server(MARIADB_URL)
    database = f"{RUN}_kill"
    execute(
        engine,
        f"DROP DATABASE IF EXISTS {database}",
        f"CREATE DATABASE {database}",
        f"CREATE TABLE {database}.a_iso (viesti TEXT, tunniste CHAR(32)) SELECT CONCAT('asiakas ', seq,"
        f" ' kirjoitti viestin ', seq) AS viesti, MD5(seq) AS tunniste FROM {database}.seq_1_to_{MARIADB_BIG_ROWS}",
        f"CREATE TABLE {database}.b_pieni (teksti TEXT)",
        f"INSERT INTO {database}.b_pieni VALUES ('{LATER_TABLE_TEXT}')",
    )
    yield engine, database
    execute(engine, f"DROP DATABASE IF EXISTS {database}")


def test_mariadb_connection_killed_mid_read(mariadb_big):
    """``KILL`` once rows are streaming: the table is reported, the next one read, and PyMySQL's unbuffered
    cursor, collected after its connection was lost, no longer prints "Exception ignored … AttributeError"."""
    import sqlalchemy as sa

    engine, database = mariadb_big
    process = scan(in_database(MARIADB_URL, database))
    reading = sa.text(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE :query AND TIME_MS > 500"
        " AND ID <> CONNECTION_ID()"  # rows stream from the start (EXAMINED_ROWS is counted at the end)
    )
    try:
        with engine.connect() as conn:
            thread = wait_for(
                lambda: conn.execute(reading, {"query": f"SELECT %{database}%a_iso%"}).scalar(), 600, "the read"
            )
            conn.execute(sa.text(f"KILL {int(thread)}"))
        out, err = process.communicate(timeout=600)
    finally:
        process.kill()
    assert process.returncode == 0, err
    (error,) = interrupted(out, f"{database}.a_iso")
    assert "Lost connection" in error["error"]
    no_traceback(err)


def test_mariadb_lost_connection_leaves_nothing_to_collect(mariadb_big, monkeypatch):
    """The same in this process, deterministically: when the killed read's cursor is garbage-collected,
    PyMySQL no longer tries to read the rest of the result from the closed socket (an AttributeError in
    ``__del__``, printed on stderr whenever the collector happened to run before the worker exited)."""
    import gc

    import sqlalchemy as sa

    from scanner.sources.database import connect, read

    engine, database = mariadb_big
    unraisable: list = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    scanner = connect(in_database(MARIADB_URL, database))
    sql = f"SELECT viesti FROM {database}.a_iso"
    batches = read(scanner, sql, 300)
    next(batches)
    with engine.connect() as conn:
        thread = conn.execute(
            sa.text("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = :sql"), {"sql": sql}
        ).scalar()
        conn.execute(sa.text(f"KILL {int(thread)}"))
    with pytest.raises(sa.exc.DBAPIError):
        for _ in batches:
            pass
    del batches
    gc.collect()
    scanner.dispose()
    assert [u.exc_value for u in unraisable] == []


def test_sqlite_page_broken_mid_table(tmp_path):
    """A page of an SQLite file overwritten half-way through a table: the rows before it are scanned, the
    table is reported with SQLite's own words (read from sqlite3's cursor, not through SQLAlchemy), and the
    next table is read."""
    path = tmp_path / "rikki.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE a_iso (id INTEGER PRIMARY KEY, teksti TEXT)")
    db.executemany(
        "INSERT INTO a_iso VALUES (?, ?)", [(i, f"asiakas{i}@example.fi " + "x" * 200) for i in range(20_000)]
    )
    db.execute("CREATE TABLE b_pieni (teksti TEXT)")
    db.execute(f"INSERT INTO b_pieni VALUES ('{LATER_TABLE_TEXT}')")
    db.commit()
    db.close()
    pages = path.stat().st_size // 4096
    with path.open("r+b") as file:
        file.seek(pages // 2 * 4096)
        file.write(b"\xff" * 4096)
    process = scan(f"sqlite:///{path}")
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    rows = jsonl(out)
    (error,) = [r for r in rows if r["error"]]
    assert error["location"] == {"table": "a_iso"} and error["error"] == "database disk image is malformed"
    assert {r["entity"] for r in rows if r["location"]["table"] == "b_pieni"} == LATER_FINDINGS
    assert 1000 < sum(1 for r in rows if r["location"]["table"] == "a_iso" and r["entity"]) < 20_000
    no_traceback(err)


# --- a JSON document nested deeper than the interpreter's stack ---------------------------------------

DEEP = '{"a": ' * 1500 + '"syvällä aino@example.fi"' + "}" * 1500
DEEP_ROWS = [
    (1, DEEP, "puh 040 123 4567"),
    (2, '{"email": "eino@example.fi"}', "hetu 131052-308T"),
    (3, "[" * 5000 + "]" * 5000, None),
    (4, '{"ip": "192.0.2.7"}', None),
]


def deep_expected(table: str) -> list[tuple]:
    """Every row's findings; the deep document's leaf is found in its text, without a key path."""
    return sorted(
        [
            (loc(table=table, column="tieto", field="", row={"id": 1}), "EMAIL_ADDRESS", "aino@example.fi"),
            (loc(table=table, column="muuta", row={"id": 1}), "PHONE_NUMBER", "040 123 4567"),
            (loc(table=table, column="tieto", field="email", row={"id": 2}), "EMAIL_ADDRESS", "eino@example.fi"),
            (loc(table=table, column="muuta", row={"id": 2}), "FI_PERSONAL_IDENTITY_CODE", "131052-308T"),
            (loc(table=table, column="tieto", field="ip", row={"id": 4}), "IP_ADDRESS", "192.0.2.7"),
        ]
    )


@pytest.fixture
def pg_deep():
    import sqlalchemy as sa

    engine = server(PG_URL)
    schema = f"{RUN}_deep"
    execute(
        engine,
        f"DROP SCHEMA IF EXISTS {schema} CASCADE",
        f"CREATE SCHEMA {schema}",
        f"CREATE TABLE {schema}.tiedot (id int PRIMARY KEY, tieto jsonb, muuta text)",
    )
    with engine.connect() as conn:
        insert = sa.text(f"INSERT INTO {schema}.tiedot VALUES (:id, CAST(:tieto AS jsonb), :muuta)")
        conn.execute(insert, [{"id": i, "tieto": t, "muuta": m} for i, t, m in DEEP_ROWS])
        kept = conn.execute(sa.text(f"SELECT tieto::text FROM {schema}.tiedot WHERE id = 1")).scalar()
    assert kept == DEEP  # PostgreSQL takes the document whole (its limit is the server's stack, thousands deep)
    try:
        yield schema
    finally:
        execute(engine, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def test_postgresql_jsonb_nested_1500_deep(pg_deep):
    """PostgreSQL takes jsonb thousands of levels deep; Python's json parser stops at its recursion limit.
    The RecursionError failed the whole table (every row's findings lost, the error under the database's
    name); the document is now scanned as text."""
    assert findings(PG_URL, "--include", f"{pg_deep}.*") == deep_expected(f"{pg_deep}.tiedot")


def test_sqlite_json_nested_1500_deep(tmp_path):
    path = tmp_path / "syva.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE tiedot (id INTEGER PRIMARY KEY, tieto JSON, muuta TEXT)")
    db.executemany("INSERT INTO tiedot VALUES (?, ?, ?)", DEEP_ROWS)
    db.commit()
    db.close()
    assert findings(f"sqlite:///{path}") == deep_expected("tiedot")


# --- memory -----------------------------------------------------------------------------------------


@dataclass
class Peak:
    """Peak memory of a scan's process tree (the harava process and its forked workers), in MB."""

    rss: float  # the tree's resident sets added up (pages workers share with their parent counted twice)
    pss: float  # the tree's proportional set sizes added up: shared pages divided among their sharers
    largest: float  # getrusage(RUSAGE_CHILDREN).ru_maxrss: the largest single process, not the tree
    processes: int


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            tree.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(name))
    return tree


def _descendants(root: int) -> Iterator[int]:
    tree = _children()
    todo = list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        yield pid
        todo.extend(tree.get(pid, []))


def _kb(path: str, field: str) -> int:
    try:
        with open(path) as lines:
            return next((int(line.split()[1]) for line in lines if line.startswith(field)), 0)
    except OSError:
        return 0


def peak_memory(*args: str) -> tuple[Peak, str]:
    """Runs ``harava`` with ``args`` under a small wrapper and samples its process tree every 50 ms.

    ``ru_maxrss`` of RUSAGE_CHILDREN is the largest *single* waited-for descendant (Linux getrusage(2)),
    so the sum over the tree is sampled from /proc; the wrapper reports ru_maxrss as a cross-check."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.call([sys.executable, '-m', 'scanner', *sys.argv[1:]])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", wrapper, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = {"rss": 0, "pss": 0, "processes": 0}

    def sample() -> None:
        while process.poll() is None:
            pids = list(_descendants(process.pid))
            peak["rss"] = max(peak["rss"], sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids))
            peak["pss"] = max(peak["pss"], sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
            peak["processes"] = max(peak["processes"], len(pids))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, err = process.communicate()
    sampler.join()
    assert process.returncode == 0, err
    *messages, largest = err.splitlines()
    return Peak(peak["rss"] / 1024, peak["pss"] / 1024, int(largest) / 1024, peak["processes"]), "\n".join(messages)


def personal_rows(rows: int, every: int) -> str:
    """``rows`` rows of synthetic customer data: an e-mail address in every ``every``-th row, a phone number
    in every tenth of those and a valid identity code (born 13.10.1952) in every hundredth; text in all."""
    return f"""SELECT g AS id,
        CASE WHEN g % {every} = 0 THEN 'asiakas' || g || '@example.fi' END AS sahkoposti,
        CASE WHEN g % {every * 10} = 0 THEN '040 ' || substr(lpad((g % 10000000)::text, 7, '0'), 1, 3) || ' '
             || substr(lpad((g % 10000000)::text, 7, '0'), 4) END AS puhelin,
        CASE WHEN g % {every * 100} = 0 THEN '131052-' || lpad((2 + g % 898)::text, 3, '0')
             || substr('0123456789ABCDEFHJKLMNPRSTUVWXY', (('131052' || lpad((2 + g % 898)::text, 3, '0'))::bigint
             % 31)::int + 1, 1) END AS hetu,
        'asiakas ' || g || ' soitti ' || md5(g::text) AS muistio
        FROM generate_series(1, {rows}) g"""


def expected_findings(rows: int, every: int) -> int:
    return rows // every + rows // (every * 10) + rows // (every * 100)


@pytest.fixture
def pg_memory():
    engine = server(PG_URL)
    schema = f"{RUN}_mem"
    execute(engine, f"DROP SCHEMA IF EXISTS {schema} CASCADE", f"CREATE SCHEMA {schema}")
    try:
        yield engine, schema
    finally:
        execute(engine, f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def scan_memory(schema: str, table: str, output: Path, *extra: str) -> tuple[Peak, int]:
    arguments = ["--include", f"{schema}.{table}", "--format", "jsonl", "--no-progress", "-o", str(output)]
    peak, messages = peak_memory("scan", PG_URL, *arguments, *extra)
    with output.open("rb") as lines:
        count = sum(1 for _ in lines)
    assert "Could not read" not in messages, messages
    print(f"{table}: {peak}, {count} findings")  # the figures, for -s
    return peak, count


def test_postgresql_million_rows_memory_of_the_process_tree(pg_memory, tmp_path):
    """Every process of the scan together, at 10 rows and at 10^6 (111,000 findings): the growth is the
    working memory of a batch in the worker and in the parent, not a function of the table's size."""
    engine, schema = pg_memory
    execute(
        engine,
        f"CREATE UNLOGGED TABLE {schema}.pieni AS {personal_rows(10, 1)}",
        f"CREATE UNLOGGED TABLE {schema}.miljoona AS {personal_rows(1_000_000, 10)}",
    )
    small, count = scan_memory(schema, "pieni", tmp_path / "pieni.jsonl")
    assert count == 10 + 1 + 0
    large, count = scan_memory(schema, "miljoona", tmp_path / "miljoona.jsonl")
    assert count == expected_findings(1_000_000, 10)
    assert large.pss - small.pss < 150, f"10^6 rows: {large} against 10 rows: {small}"
    assert large.rss < 1024


def notes(path: Path, rows: int) -> str:
    """An SQLite file of ``rows`` customer notes of 30 kB, an e-mail address at the start of each."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE muistiot (id INTEGER PRIMARY KEY, teksti TEXT)")
    db.execute(
        "INSERT INTO muistiot WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
        " SELECT i, 'asiakas' || i || '@example.fi ' || replace(hex(zeroblob(10000)), '00', 'ab ') FROM n",
        (rows,),
    )
    db.commit()
    db.close()
    return f"sqlite:///{path}"


def test_wide_rows_are_read_in_batches_of_bytes_not_of_rows(tmp_path):
    """A batch was 50,000 rows whatever their width: 6,000 notes of 30 kB (180 MB) were one batch, and the
    worker grew by gigabytes. Batches are now about ``BATCH_BYTES`` of text."""

    def peak(rows: int) -> Peak:
        url = notes(tmp_path / f"muistiot{rows}.db", rows)
        output = tmp_path / f"muistiot{rows}.jsonl"
        found, messages = peak_memory("scan", url, "--format", "jsonl", "--no-progress", "-o", str(output))
        with output.open("rb") as lines:
            assert sum(1 for _ in lines) == rows, messages
        print(f"{rows} notes: {found}")  # the figures, for -s
        return found

    small, large = peak(10), peak(6000)
    assert large.pss - small.pss < 150, f"6,000 notes: {large} against 10: {small}"


@pytest.mark.slow
def test_postgresql_ten_million_rows_stay_under_a_gigabyte(pg_memory, tmp_path):
    """10^7 rows, an e-mail address in each (11.1 million findings, some 4 GB of JSON Lines): the tree's
    resident memory, shared pages counted in each process, stays under 1 GB. The read is one statement and
    one item of an hour or so: both time limits are lifted."""
    engine, schema = pg_memory
    execute(engine, f"CREATE UNLOGGED TABLE {schema}.kymmenen_miljoonaa AS {personal_rows(10_000_000, 1)}")
    limits = ("--statement-timeout", "86400", "--item-timeout", "86400")
    peak, count = scan_memory(schema, "kymmenen_miljoonaa", tmp_path / "out.jsonl", *limits)
    assert count == expected_findings(10_000_000, 1)
    assert peak.rss < 1024, peak
    assert json.loads((tmp_path / "out.jsonl").open().readline())["location"]["table"].endswith("kymmenen_miljoonaa")


def test_rusage_children_is_the_largest_process_not_the_tree():
    """What the memory tests' cross-check measures: two children of 100 MB each give a ru_maxrss of about
    100 MB, not 200 (so the tree's sum is sampled from /proc)."""
    child = "b = bytearray(100 << 20); b[::4096] = b'x' * len(b[::4096])"
    code = (
        "import resource, subprocess, sys\n"
        f"for _ in range(2): subprocess.run([sys.executable, '-c', {child!r}], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    largest = int(done.stdout)
    assert 100 << 10 < largest < 160 << 10
