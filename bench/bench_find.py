"""``harava find``'s lookup over a large history, with and without the value-hash index.

A history of ``--rows`` findings (10^7 by default; ``--huge``: 10^8, about 25 GB) is written the way an
old Harava left it — without the index — by one SQL statement the database runs itself (a sequence,
random hashes, paths and locations of realistic length, one finding a line of 100 000 files); SQLite by
default, PostgreSQL with ``--url`` (in a schema of its own).
Five findings of one value are planted in it. The lookup ``harava find`` makes
(``History.occurrences``) is timed on that history, then the history is opened as Harava opens it, which
migrates it (creates the index; timed too), and the lookup is timed again::

    python -m bench.bench_find [--rows 10000000] [--huge] [--path FILE.db | --url postgresql://…] [--keep]

Each lookup is timed three times, the best kept (the file is in the page cache for both: the figure
without the index is a scan of the whole table at memory speed, the best it can be).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from scanner.history import History
from scanner.keys import Hasher

PLANTED = 5  # findings of the value looked up
KEY = b"bench-find-key-0123456789-0123456789-01"


ROW = {
    "register": "'Asiakasrekisteri'",
    "source": "'share/Asiakaspalvelu/kansio_' || (i / 10000) || '/muistio_' || (i / 100) || '.txt'",
    "location": """'{"line": ' || (i % 100 + 1) || ', "column": 17}'""",
    "entity": "'FI_PERSONAL_IDENTITY_CODE'",
    "value": "'131052-***T'",
    "score": "0.95",
    "detector": "'hetu'",
    "path": "'/srv/share/Asiakaspalvelu/kansio_' || (i / 10000) || '/muistio_' || (i / 100) || '.txt'",
    "undeclared": "i % 3 = 0",
}
#: a random 32-digit hex hash, in each database's SQL
RANDOM_HASH = {"sqlite": "lower(hex(randomblob(16)))", "postgresql": "md5(random()::text)"}
#: the sequence 0 .. n - 1, in each database's SQL (a table ``n`` with a column ``i``)
SEQUENCE = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last}) ",
    "postgresql": "WITH n(i) AS (SELECT generate_series(0, {last})) ",
}


def fill(url: str, rows: int) -> str:
    """A history of ``rows`` findings without the value-hash index, as before it existed, filled by the
    database itself in one statement; the hash of the value planted in it."""
    History(url)  # the current schema (tables, columns, indexes), then back to an old one
    sought = Hasher(KEY).hashes("FI_PERSONAL_IDENTITY_CODE", ["131052-308T"])[0]
    engine = sa.create_engine(url)
    kind = engine.dialect.name
    columns = ", ".join(["run_id", "value_hash", *ROW])
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX IF EXISTS ix_findings_value_hash"))
        if kind == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode = OFF")
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
        conn.execute(
            sa.text(
                "INSERT INTO runs (id, started, finished, config, status, key_id) VALUES (1,"
                " '2026-11-01T02:00:00+00:00', '2026-11-01T03:00:00+00:00', 'bench.toml', 1, 'bench')"
            )
        )
        for hashes, count in ((RANDOM_HASH[kind], rows - PLANTED), (f"'{sought}'", PLANTED)):
            sequence = SEQUENCE[kind].format(last=count - 1)
            values = ", ".join(["1", hashes, *ROW.values()])
            conn.execute(sa.text(f"{sequence} INSERT INTO findings ({columns}) SELECT {values} FROM n"))
    if kind == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE findings"))
    engine.dispose()
    return sought


def best(history: History, sought: str, times: int = 3) -> tuple[float, int]:
    """The fastest of ``times`` lookups (seconds), and how many findings it found."""
    timings, found = [], 0
    for _ in range(times):
        started = time.perf_counter()
        found = len(history.occurrences([sought]))
        timings.append(time.perf_counter() - started)
    return min(timings), found


def unmigrated(url: str) -> History:
    """The history opened without the migration ``History()`` runs on open (so the old schema stays)."""
    history = object.__new__(History)
    history.key_id, history.subjects = None, {}
    history.engine = sa.create_engine(url)
    return history


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="findings in the history (default 10^7)")
    parser.add_argument("--huge", action="store_true", help="10^8 findings (about 25 GB of disk, 15 minutes to fill)")
    parser.add_argument("--path", type=Path, help="the SQLite history file (default: a temporary one, removed after)")
    parser.add_argument(
        "--url", help=f"a PostgreSQL database instead: the history goes in a schema {SCHEMA}, dropped after"
    )
    parser.add_argument("--keep", action="store_true", help="keep the history (file or schema)")
    args = parser.parse_args()
    rows = 100_000_000 if args.huge else args.rows
    folder = None if args.path or args.url else Path(tempfile.mkdtemp(prefix="bench_find."))
    path = args.path or (folder / "history.db" if folder else None)
    if path is not None:
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = _schema(args.url, create=True)
    try:
        started = time.perf_counter()
        sought = fill(url, rows)
        print(f"history: {rows:,} findings ({_size(url, path)}), filled in {time.perf_counter() - started:.1f} s")
        without, found = best(unmigrated(url), sought)
        started = time.perf_counter()
        history = History(url)  # the migration on open: the value-hash index is created
        migration = time.perf_counter() - started
        with_index, found_too = best(history, sought)
        assert found == found_too == PLANTED, (found, found_too)
        print(f"migration (index created on open): {migration:.1f} s")
        print(f"lookup without the index: {without * 1000:10.1f} ms")
        print(f"lookup with the index:    {with_index * 1000:10.3f} ms")
        print(f"ratio: {without / with_index:,.0f}× faster with the index ({found} findings found)")
    finally:
        if args.keep:
            print(f"kept: {path or url}")
        elif path is not None:
            path.unlink(missing_ok=True)
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        else:
            _schema(args.url, create=False)


SCHEMA = "harava_bench_find"


def _schema(url: str, create: bool) -> str:
    """A schema of the bench's own in a PostgreSQL database (dropped first; created when ``create``), and the
    URL whose connections use it."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        if create:
            conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


def _size(url: str, path: Path | None) -> str:
    if path is not None:
        return f"{path.stat().st_size / 2**30:.2f} GiB"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        size = conn.execute(sa.text("SELECT pg_total_relation_size('findings')")).scalar()
    engine.dispose()
    return f"{size / 2**30:.2f} GiB in PostgreSQL"


if __name__ == "__main__":
    main()
