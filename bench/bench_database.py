"""Harava on a 10^6-row table in PostgreSQL, MariaDB and SQLite, against the server's own stream and a
plain row loop with Python ``re``.

    python bench/bench_database.py [--rows 1000000] [--backend postgresql --backend mariadb --backend sqlite]
        [--pg-url postgresql://postgres@127.0.0.1:5432/test] [--mariadb-url mysql://root@127.0.0.1:3306/test]
        [--sample 10000]

Creates (once per row count) the table ``harava_bench.asiakkaat`` in each database, of the same shape
everywhere: names, free text with personal data in one row in ten, phone numbers, e-mail addresses, a JSON
document with an IP address in every row, a number and a date (5 columns scanned as text, 3.1 findings a
row). Then times, in the same run and on the same table:

- the server's own stream: ``psql -c "\\copy (SELECT * FROM t) TO '/dev/null'"``, ``mariadb -e 'SELECT *
  FROM t' > /dev/null``, ``sqlite3 file 'SELECT * FROM t' > /dev/null`` — reading every row and doing
  nothing with it, the floor no scanner goes under;
- the bare regex loop: a server-side-cursor SQLAlchemy loop applying five patterns with Python ``re`` to
  every text cell (no validation, hashing or output, so flattered);
- ``harava scan`` of the whole table (one worker), and ``harava scan --sample N``.

Prints rows/s and Harava's speed as a fraction of each baseline's (above 1: Harava is faster). The figures
of a shared machine move by tens of percent from run to run: compare ratios of one run, not runs.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

SCHEMA = "harava_bench"
BASELINE_PATTERNS = re.compile(
    r"\b\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]\b|\b\d{7}-\d\b|(?:\+358|\b0)\d{1,3}(?:[ -]?\d){4,10}\b"
    r"|[\w.%+-]+@[\w-]+(?:\.[\w-]+)+|\b\d{1,3}(?:\.\d{1,3}){3}\b"
)
HASH_KEY = "bench-key-bench-key-bench-key-bench-key"


def rows_sql(kind: str, rows: int) -> str:
    """The SELECT producing ``rows`` rows of the benchmark table in ``kind``'s SQL (the same values in each)."""
    g = "seq" if kind == "mariadb" else "g"

    def cat(*parts: str) -> str:
        return f"CONCAT({', '.join(parts)})" if kind == "mariadb" else " || ".join(f"({p})" for p in parts)

    def pad7(number: str) -> str:
        text = {"postgresql": f"({number})::text", "mariadb": f"{number}", "sqlite": f"({number})"}[kind]
        return f"substr('0000000' || {text}, -7, 7)" if kind == "sqlite" else f"lpad({text}, 7, '0')"

    note = (
        f"CASE WHEN {g} % 10 = 0 THEN {cat(repr('Soittopyyntö numeroon 050 '), pad7(f'{g} % 9999999'))}"
        f" ELSE {cat(repr('Tilaus toimitettu '), f'{g} % 28 + 1', repr('.11.2026'))} END"
    )
    ip = cat("'10.'", f"{g} % 250", "'.'", f"{g} % 199", "'.7'")
    document = {"postgresql": "jsonb_build_object", "mariadb": "JSON_OBJECT", "sqlite": "json_object"}[kind]
    since = {
        "postgresql": f"DATE '2020-01-01' + ({g} % 1500)::int",
        "mariadb": f"DATE '2020-01-01' + INTERVAL ({g} % 1500) DAY",
        "sqlite": f"date('2020-01-01', '+' || ({g} % 1500) || ' days')",
    }[kind]
    source = {
        "postgresql": f"generate_series(1::bigint, {rows}) g",
        "mariadb": f"seq_1_to_{rows}",  # MariaDB's SEQUENCE engine: in any database
        "sqlite": f"(WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {rows}) SELECT g FROM n)",
    }[kind]
    return (
        f"SELECT {g} AS id, {cat(repr('Asiakas '), g)} AS nimi,"
        f" {cat(repr('04'), f'{g} % 6', repr(' '), pad7(f'{g} * 7919 % 10000000'))} AS puhelin,"
        f" {cat(repr('asiakas'), g, repr('@example.fi'))} AS sahkoposti, {note} AS muistiinpano,"
        f" {document}('kanava', 'verkko', 'ip', {ip}) AS tiedot, {g} % 1000 AS saldo, {since} AS alkaen FROM {source}"
    )


@dataclass
class Backend:
    kind: str
    url: str  # what harava scans
    engine: sa.Engine  # for creating the table and the regex loop
    stream: list[str]  # the server's own stream, output to /dev/null
    env: dict[str, str]


def _count(engine: sa.Engine, table: str) -> int:
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() or 0)
    except sa.exc.DBAPIError:
        return -1


def postgresql(url: str, rows: int) -> Backend:
    parsed = sa.engine.make_url(url)
    engine = sa.create_engine(parsed.set(drivername="postgresql+psycopg"))
    if _count(engine, f"{SCHEMA}.asiakkaat") != rows:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
            conn.execute(sa.text(f"CREATE TABLE {SCHEMA}.asiakkaat AS {rows_sql('postgresql', rows)}"))
            conn.execute(sa.text(f"ALTER TABLE {SCHEMA}.asiakkaat ALTER saldo TYPE numeric"))
            conn.execute(sa.text(f"ALTER TABLE {SCHEMA}.asiakkaat ADD PRIMARY KEY (id)"))
            conn.execute(sa.text(f"ANALYZE {SCHEMA}.asiakkaat"))
    psql = ["psql", "-h", parsed.host or "127.0.0.1", "-p", str(parsed.port or 5432), "-U", parsed.username or ""]
    stream = [*psql, "-d", parsed.database or "", "-c", f"\\copy (SELECT * FROM {SCHEMA}.asiakkaat) TO '/dev/null'"]
    env = dict(os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {}))
    return Backend("postgresql", url, engine, stream, env)


def mariadb(url: str, rows: int) -> Backend:
    parsed = sa.engine.make_url(url).set(database=SCHEMA)
    engine = sa.create_engine(parsed.set(drivername="mysql+pymysql", database="mysql"))
    if _count(engine, f"{SCHEMA}.asiakkaat") != rows:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {SCHEMA}"))
            conn.execute(sa.text(f"CREATE DATABASE {SCHEMA}"))
            conn.execute(
                sa.text(
                    f"CREATE TABLE {SCHEMA}.asiakkaat (id BIGINT PRIMARY KEY, nimi VARCHAR(40), puhelin VARCHAR(20),"
                    " sahkoposti VARCHAR(60), muistiinpano TEXT, tiedot JSON, saldo DECIMAL(10, 0), alkaen DATE)"
                )
            )
            # the seq_1_to_N tables of MariaDB's SEQUENCE engine exist in any database
            conn.execute(sa.text(f"INSERT INTO {SCHEMA}.asiakkaat {rows_sql('mariadb', rows)}"))
            conn.execute(sa.text(f"ANALYZE TABLE {SCHEMA}.asiakkaat"))
    client = ["mariadb", "-h", parsed.host or "127.0.0.1", "-P", str(parsed.port or 3306), "-u", parsed.username or ""]
    stream = [*client, SCHEMA, "-e", "SELECT * FROM asiakkaat"]
    env = dict(os.environ, **({"MYSQL_PWD": parsed.password} if parsed.password else {}))
    return Backend("mariadb", parsed.render_as_string(hide_password=False), engine, stream, env)


def sqlite(folder: Path, rows: int) -> Backend:
    path = folder / f"harava_bench_{rows}.db"
    if not path.exists():
        db = sqlite3.connect(path)
        db.execute(
            "CREATE TABLE asiakkaat (id INTEGER PRIMARY KEY, nimi TEXT, puhelin TEXT, sahkoposti TEXT,"
            " muistiinpano TEXT, tiedot JSON, saldo NUMERIC, alkaen DATE)"
        )
        db.execute(f"INSERT INTO asiakkaat {rows_sql('sqlite', rows)}")
        db.commit()
        db.close()
    engine = sa.create_engine(f"sqlite:///{path}")
    return Backend("sqlite", f"sqlite:///{path}", engine, ["sqlite3", str(path), "SELECT * FROM asiakkaat"], {})


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_harava(backend: Backend, *extra: str) -> tuple[float, float, str]:
    """Wall-clock seconds, CPU seconds of the whole process tree (the harava process and its worker), and
    the summary it printed."""
    include = [] if backend.kind == "sqlite" else ["--include", f"{SCHEMA}.*"]
    cmd = [sys.executable, "-m", "scanner", "scan", backend.url, *include, "--format", "jsonl", "-o", os.devnull]
    env = dict(os.environ, HARAVA_HASH_KEY=HASH_KEY)
    start, cpu = time.perf_counter(), _cpu()
    done = subprocess.run(
        [*cmd, "--no-progress", "--item-timeout", "3600", *extra], capture_output=True, text=True, env=env
    )
    if done.returncode != 0 or "Could not read" in done.stderr:
        raise SystemExit(f"harava failed on {backend.kind}:\n{done.stderr}")
    return time.perf_counter() - start, _cpu() - cpu, done.stderr


def time_stream(backend: Backend) -> float | None:
    if not shutil.which(backend.stream[0]):
        return None
    start = time.perf_counter()
    subprocess.run(backend.stream, stdout=subprocess.DEVNULL, env=backend.env or None, check=True)
    return time.perf_counter() - start


def time_regex_loop(backend: Backend) -> tuple[float, int, int]:
    table = "asiakkaat" if backend.kind == "sqlite" else f"{SCHEMA}.asiakkaat"
    document = {"postgresql": "tiedot::text", "mariadb": "tiedot", "sqlite": "tiedot"}[backend.kind]
    start = time.perf_counter()
    rows = found = 0
    with backend.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=10_000).execute(
            sa.text(f"SELECT id, nimi, puhelin, sahkoposti, muistiinpano, {document} FROM {table}")
        )
        for row in result:
            rows += 1
            for cell in row[1:]:
                if cell is not None:
                    found += len(BASELINE_PATTERNS.findall(cell))
    return time.perf_counter() - start, rows, found


def measure(backend: Backend, rows: int, sample: int) -> None:
    full, full_cpu, summary = time_harava(backend)
    sampled, sampled_cpu, _ = time_harava(backend, "--sample", str(sample))
    stream = time_stream(backend)
    loop, counted, found = time_regex_loop(backend)
    assert counted == rows, (counted, rows)
    findings = summary.split("Findings: ", 1)[1].split()[0] if "Findings: " in summary else "0"
    rate: Callable[[float], float] = lambda seconds: rows / seconds  # noqa: E731
    print(f"--- {backend.kind}: {SCHEMA}.asiakkaat, {rows} rows, 5 of 8 columns scanned as text, JSON included")
    if stream is not None:
        print(
            f"server stream:            {rate(stream):10.0f} rows/s  ({stream:.1f} s: {' '.join(backend.stream[:1])})"
        )
    print(f"bare regex loop:          {rate(loop):10.0f} rows/s  ({loop:.1f} s, {found} unvalidated matches)")
    print(
        f"harava full scan:         {rate(full):10.0f} rows/s  ({full:.1f} s, {full_cpu:.1f} s CPU,"
        f" {findings} validated findings)"
    )
    print(
        f"harava --sample {sample:<9} {sampled:10.2f} s       ({sampled_cpu:.1f} s CPU; the full scan took"
        f" {full / sampled:.0f}x as long)"
    )
    if stream is not None:
        print(f"harava / server stream:   {stream / full:10.3f}")
    print(f"harava / bare regex loop: {loop / full:10.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-url", "--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--mariadb-url", default="mysql://root@127.0.0.1:3306/test")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument(
        "--backend", action="append", choices=["postgresql", "mariadb", "sqlite"], help="default: all three"
    )
    parser.add_argument("--sqlite-dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    makers = {
        "postgresql": lambda: postgresql(args.pg_url, args.rows),
        "mariadb": lambda: mariadb(args.mariadb_url, args.rows),
        "sqlite": lambda: sqlite(args.sqlite_dir, args.rows),
    }
    for kind in args.backend or list(makers):
        measure(makers[kind](), args.rows, args.sample)


if __name__ == "__main__":
    main()
