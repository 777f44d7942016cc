"""``--sample N`` on SQLite, PostgreSQL and MariaDB: drawn as runs of rows from random points of an integer
key (SQLite: the rowid) through its index — no full scan, no ``ORDER BY RAND()`` over the whole table —
spread over the whole key range, gaps and all; a table without such a key falls back, and says so.

Everything made here is named ``harava_sample_<pid>`` and dropped at the end. Server tests skip when a
server is unreachable, and fail under CI=true (``tests.test_database``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.test_cli import jsonl, run
from tests.test_database import MARIADB_URL, PG_URL, in_database, server

RUN = f"harava_sample_{os.getpid()}"
EVEN_ROWS = 20_000
# keys in two bunches far apart and one far beyond them: most of the key range is empty
GAPS = [*range(1, 501), *range(500_000, 501_000), 10**12]
ODD_KEY = 'k"e`y %s:x?'


@dataclass
class Backend:
    """A database holding the test tables: ``even`` (keys 1..EVEN_ROWS), ``gaps`` (GAPS), ``keyless`` (no
    primary key), ``odd`` (an odd key name) — each with an e-mail address in every row."""

    kind: str
    url: str
    prefix: str  # of a table's name in a finding's location
    explain: Callable[[str], str]  # the server's plan of a statement, as text


def emails(key: int) -> str:
    return f"asiakas{key}@example.fi"


def _sqlite(folder: Path) -> Backend:
    path = folder / f"{RUN}.db"
    db = sqlite3.connect(path)
    db.executescript(
        f"""
        CREATE TABLE even (id INTEGER PRIMARY KEY, email TEXT);
        INSERT INTO even WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {EVEN_ROWS})
            SELECT k, 'asiakas' || k || '@example.fi' FROM n;
        CREATE TABLE gaps (id INTEGER PRIMARY KEY, email TEXT);
        CREATE TABLE keyless (tunnus TEXT PRIMARY KEY, email TEXT) WITHOUT ROWID;
        CREATE TABLE "{ODD_KEY.replace('"', '""')}" ("{ODD_KEY.replace('"', '""')}" TEXT PRIMARY KEY, email TEXT);
        """
    )
    db.executemany("INSERT INTO gaps VALUES (?, ?)", [(k, emails(k)) for k in GAPS])
    db.executemany("INSERT INTO keyless VALUES (?, ?)", [(f"t{k}", emails(k)) for k in range(1, 2001)])
    odd = ODD_KEY.replace('"', '""')
    db.executemany(f'INSERT INTO "{odd}" VALUES (?, ?)', [(f"k{k:05}", emails(k)) for k in range(1, 2001)])
    db.commit()
    db.close()

    def explain(sql: str) -> str:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))

    return Backend("sqlite", f"sqlite:///{path}", "", explain)


def _execute(engine, *statements: str) -> None:
    with engine.connect() as conn:
        raw = conn.execution_options(no_parameters=True)
        for statement in statements:
            raw.exec_driver_sql(statement)


def _plan(engine, prefix: str, sql: str) -> str:
    with engine.connect() as conn:
        rows = conn.execution_options(no_parameters=True).exec_driver_sql(f"EXPLAIN {sql}").all()
    return " ".join(" ".join(str(v) for v in row) for row in rows)


@pytest.fixture(scope="module", params=["sqlite", "postgresql", "mariadb"])
def backend(request, tmp_path_factory) -> Iterator[Backend]:
    if request.param == "sqlite":
        yield _sqlite(tmp_path_factory.mktemp("sampling"))
        return
    if request.param == "postgresql":
        engine = server(PG_URL)
        odd = '"' + ODD_KEY.replace('"', '""') + '"'
        _execute(
            engine,
            f"DROP SCHEMA IF EXISTS {RUN} CASCADE",
            f"CREATE SCHEMA {RUN}",
            f"CREATE TABLE {RUN}.even AS SELECT g AS id, 'asiakas' || g || '@example.fi' AS email"
            f" FROM generate_series(1, {EVEN_ROWS}) g",
            f"ALTER TABLE {RUN}.even ADD PRIMARY KEY (id)",
            f"CREATE TABLE {RUN}.gaps (id bigint PRIMARY KEY, email text)",
            f"INSERT INTO {RUN}.gaps SELECT k, 'asiakas' || k || '@example.fi' FROM unnest(ARRAY{GAPS}::bigint[]) k",
            f"CREATE TABLE {RUN}.keyless AS SELECT 'asiakas' || g || '@example.fi' AS email"
            " FROM generate_series(1, 20000) g",  # over a hundred pages: a page sample reads few of them
            f"CREATE TABLE {RUN}.keyless_small AS SELECT 'asiakas' || g || '@example.fi' AS email"
            " FROM generate_series(1, 2000) g",
            f"CREATE TABLE {RUN}.{odd} ({odd} int PRIMARY KEY, email text)",
            f"INSERT INTO {RUN}.{odd} SELECT g, 'asiakas' || g || '@example.fi' FROM generate_series(1, 2000) g",
            f"ANALYZE {RUN}.even",
            f"ANALYZE {RUN}.gaps",
            f"ANALYZE {RUN}.keyless",
            f"ANALYZE {RUN}.keyless_small",
        )
        try:
            yield Backend("postgresql", PG_URL, f"{RUN}.", lambda sql: _plan(engine, RUN, sql))
        finally:
            _execute(engine, f"DROP SCHEMA IF EXISTS {RUN} CASCADE")
        return
    engine = server(MARIADB_URL)
    odd = "`" + ODD_KEY.replace("`", "``") + "`"
    _execute(
        engine,
        f"DROP DATABASE IF EXISTS {RUN}",
        f"CREATE DATABASE {RUN}",
        f"CREATE TABLE {RUN}.even (id INT PRIMARY KEY, email VARCHAR(60))"
        f" SELECT seq AS id, CONCAT('asiakas', seq, '@example.fi') AS email FROM {RUN}.seq_1_to_{EVEN_ROWS}",
        f"CREATE TABLE {RUN}.gaps (id BIGINT UNSIGNED PRIMARY KEY, email VARCHAR(60))",
        f"INSERT INTO {RUN}.gaps VALUES " + ", ".join(f"({k}, '{emails(k)}')" for k in GAPS),
        f"CREATE TABLE {RUN}.keyless (email VARCHAR(60))"
        f" SELECT CONCAT('asiakas', seq, '@example.fi') AS email FROM {RUN}.seq_1_to_2000",
        f"CREATE TABLE {RUN}.{odd} ({odd} INT PRIMARY KEY, email VARCHAR(60))"
        f" SELECT seq AS {odd}, CONCAT('asiakas', seq, '@example.fi') AS email FROM {RUN}.seq_1_to_2000",
    )
    try:
        yield Backend("mariadb", in_database(MARIADB_URL, RUN), f"{RUN}.", lambda sql: _plan(engine, RUN, sql))
    finally:
        _execute(engine, f"DROP DATABASE IF EXISTS {RUN}")


def sampled(backend: Backend, table: str, size: int) -> tuple[list[int], dict]:
    """The row keys a ``--sample`` scan of one table found an e-mail address in, and its column summary."""
    include = backend.prefix + table
    code, out, err = run(
        "scan",
        backend.url,
        "--include",
        include,
        "--sample",
        str(size),
        "--format",
        "jsonl",
        "--show-values",
        "--no-progress",
    )
    assert code == 0, err
    rows = jsonl(out)
    assert not [r for r in rows if r["error"] and r["code"] != "sampled"], err
    keys = [int(r["value"].removeprefix("asiakas").removesuffix("@example.fi")) for r in rows if r["entity"]]
    code, out, err = run("scan", backend.url, "--include", include, "--sample", str(size), "--format", "json")
    (column,) = [c for c in json.loads(out)["summary"]["columns"] if c["column"] == "email"]
    return keys, column


def test_a_sample_is_spread_over_the_whole_key_range(backend):
    keys, column = sampled(backend, "even", 2000)
    assert len(keys) == len(set(keys)) == 2000 == column["rows_scanned"]  # no row read twice
    tenths = np.histogram(keys, bins=10, range=(1, EVEN_ROWS + 1))[0]
    assert tenths.min() >= 150 and tenths.max() <= 250, tenths  # 200 expected in each tenth
    runs = np.count_nonzero(np.diff(np.sort(keys)) > 1) + 1
    assert runs >= 30, runs  # 40 runs of 50 rows (two may touch)
    key = "rowid" if backend.kind == "sqlite" else "id"
    assert column["sampling"] == f"runs of up to 50 rows from random points of {key} in 1..{EVEN_ROWS}, no full scan"
    again, _ = sampled(backend, "even", 2000)
    assert set(again) != set(keys)  # drawn anew each time


def test_gaps_in_the_key_still_give_a_full_sample_of_distinct_rows(backend):
    keys, column = sampled(backend, "gaps", 1000)
    assert len(keys) == len(set(keys)) == 1000 and set(keys) <= set(GAPS)
    assert column["sampling"].endswith(f"in 1..{10**12}, no full scan")
    assert sum(k <= 500 for k in keys) > 100 and sum(500_000 <= k < 501_000 for k in keys) > 100  # both bunches
    everything, column = sampled(backend, "gaps", len(GAPS))
    assert sorted(everything) == GAPS and column["sampling"].endswith("no full scan")


def test_no_more_rows_than_the_sample_are_all_read_and_not_called_a_sample(backend):
    keys, column = sampled(backend, "even", EVEN_ROWS)
    assert sorted(keys) == list(range(1, EVEN_ROWS + 1)) and "sampling" not in column


def test_a_table_without_an_integer_key_falls_back_and_says_so(backend):
    keys, column = sampled(backend, "keyless", 100)
    assert len(set(keys)) == 100
    if backend.kind == "postgresql":  # pages at random: the others are never read
        assert column["sampling"].startswith("PostgreSQL TABLESAMPLE SYSTEM (")
        assert "no integer key to draw ranges of" in column["sampling"] and "full scan" not in column["sampling"]
    else:
        random = "RAND()" if backend.kind == "mariadb" else "RANDOM()"
        assert column["sampling"] == f"ORDER BY {random} LIMIT 100: a full scan (no integer key to draw ranges of)"


def test_a_small_table_without_a_key_is_read_whole_by_postgresql_and_says_so(backend):
    """A page sample of a table of a dozen pages could draw none of them: it is read whole."""
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL's page sample")
    for _ in range(3):  # no draw comes up short
        keys, column = sampled(backend, "keyless_small", 100)
        assert len(set(keys)) == 100
    assert column["sampling"].startswith("PostgreSQL TABLESAMPLE SYSTEM (100% of the pages")
    assert "a full scan (a table of" in column["sampling"]


def test_odd_key_and_table_names_are_quoted(backend):
    keys, column = sampled(backend, ODD_KEY, 500)
    assert len(set(keys)) == 500
    if backend.kind != "sqlite":  # SQLite's text key: the rowid is drawn by
        assert column["sampling"] == f"runs of up to 50 rows from random points of {ODD_KEY} in 1..2000, no full scan"


def test_every_statement_of_a_sample_reads_by_the_key_index(backend):
    """The statements a sample sends, as the server plans them: each a range of the key's index, none a
    scan of the table."""
    from scanner.sources.database import Connections, DatabaseOptions, KeyRanges, read, select_sql, table_items
    from scanner.sources.dialects import dialect_of

    options = DatabaseOptions(include=(backend.prefix + "even",), sample=1000)
    (item,) = table_items(backend.url, options)
    connections = Connections()
    try:
        engine = connections.get(backend.url, 300)
        plan, _ = select_sql(engine, item)
        assert isinstance(plan, KeyRanges)
        dialect, sent = dialect_of(engine.url), []
        session = dialect.session

        def spying(*args):
            context = session(*args)

            class Spy:
                def __enter__(self):
                    run = context.__enter__()
                    return lambda sql: (sent.append(sql), run(sql))[1]

                def __exit__(self, *exc):
                    return context.__exit__(*exc)

            return Spy()

        dialect.session = spying
        try:
            rows = sum(len(columns[0]) for columns in read(engine, plan, 300))
        finally:
            del dialect.session
    finally:
        connections.close()
    assert rows == 1000 and 20 <= len(sent) <= 40
    for sql in sent[:3]:
        found = backend.explain(sql)
        if backend.kind == "sqlite":
            assert "SEARCH" in found and "SCAN" not in found, found
        elif backend.kind == "postgresql":
            assert "Index" in found and "Seq Scan" not in found, found
        else:
            assert " range " in f" {found} " and "ALL" not in found.split(), found


def test_postgresql_sample_leaves_the_table_unscanned(backend):
    """The server's own count of sequential scans of the table does not move; its index scans do."""
    if backend.kind != "postgresql":
        pytest.skip("PostgreSQL counts scans per table")
    import sqlalchemy as sa

    engine = server(PG_URL)
    query = sa.text(
        "SELECT seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE schemaname = :s AND relname = 'even'"
    )

    def counts() -> tuple[int, int]:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
            return tuple(conn.execute(query, {"s": RUN}).one())

    seq_before, index_before = counts()
    sampled(backend, "even", 1000)
    deadline = time.monotonic() + 10
    while counts()[1] == index_before and time.monotonic() < deadline:  # statistics arrive within a second
        time.sleep(0.2)
    seq_after, index_after = counts()
    assert seq_after == seq_before and index_after > index_before


BIG_ROWS = 10_000_000


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def big(request, tmp_path) -> Iterator[tuple[str, str]]:
    """A table of 10^7 rows (a key and an e-mail address): (URL, table to include)."""
    if request.param == "sqlite":
        path = tmp_path / "iso.db"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE iso (id INTEGER PRIMARY KEY, email TEXT)")
            db.execute(
                f"INSERT INTO iso WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {BIG_ROWS})"
                " SELECT k, 'asiakas' || k || '@example.fi' FROM n"
            )
        yield f"sqlite:///{path}", "iso"
    elif request.param == "postgresql":
        engine = server(PG_URL)
        _execute(
            engine,
            f"DROP SCHEMA IF EXISTS {RUN}_iso CASCADE",
            f"CREATE SCHEMA {RUN}_iso",
            f"CREATE UNLOGGED TABLE {RUN}_iso.iso AS SELECT g AS id, 'asiakas' || g || '@example.fi' AS email"
            f" FROM generate_series(1, {BIG_ROWS}) g",
            f"ALTER TABLE {RUN}_iso.iso ADD PRIMARY KEY (id)",
            f"ANALYZE {RUN}_iso.iso",
        )
        try:
            yield PG_URL, f"{RUN}_iso.iso"
        finally:
            _execute(engine, f"DROP SCHEMA IF EXISTS {RUN}_iso CASCADE")
    else:
        engine = server(MARIADB_URL)
        _execute(
            engine,
            f"DROP DATABASE IF EXISTS {RUN}_iso",
            f"CREATE DATABASE {RUN}_iso",
            f"CREATE TABLE {RUN}_iso.iso (id INT PRIMARY KEY, email VARCHAR(60)) SELECT seq AS id,"
            f" CONCAT('asiakas', seq, '@example.fi') AS email FROM {RUN}_iso.seq_1_to_{BIG_ROWS}",
        )
        try:
            yield in_database(MARIADB_URL, f"{RUN}_iso"), f"{RUN}_iso.iso"
        finally:
            _execute(engine, f"DROP DATABASE IF EXISTS {RUN}_iso")


@pytest.mark.slow
def test_a_sample_of_ten_million_rows_takes_seconds(big):
    """``--sample 10000`` of 10^7 rows: a couple of hundred index lookups, seconds on every backend, where
    reading the table (or sorting it by RAND()) takes minutes."""
    url, table = big
    started = time.perf_counter()
    code, out, err = run("scan", url, "--include", table, "--sample", "10000", "--format", "json", "--no-progress")
    took = time.perf_counter() - started
    assert code == 0, err
    (column,) = json.loads(out)["summary"]["columns"]
    assert column["rows_scanned"] == 10_000 and column["sampling"].endswith(f"in 1..{BIG_ROWS}, no full scan")
    assert column["entities"]["EMAIL_ADDRESS"]["rows"] == 10_000
    print(f"{url}: --sample 10000 of 10^7 rows in {took:.1f} s")  # the figure, for -s
    assert took < 60, took
