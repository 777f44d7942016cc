"""What differs between database kinds, each in one class: how to connect read-only, which schemas to
list, how to cast a column to text, how to draw a sample and how to read a result set into Arrow.

Adding a database kind is one :class:`Dialect` subclass here and its backend names in ``DIALECTS``; any
other SQLAlchemy URL gets the generic :class:`Dialect` (a server-side cursor, ``ORDER BY RANDOM()``).
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL

BATCH_ROWS = 50_000
ADBC_BATCH_BYTES = 4 << 20
DRIVERS = {"postgresql": "psycopg", "postgres": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
PACKAGES = {"psycopg": "psycopg[binary]", "pymysql": "PyMySQL"}


class DatabaseError(Exception):
    """The database cannot be scanned at all (driver, connection, authentication); says why."""


def _as_arrow(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # UUIDs, intervals…: their text will do
        return pa.array([None if v is None else str(v) for v in values], pa.large_string())


SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}


class Dialect:
    """A database kind as Harava needs it; the defaults fit any SQLAlchemy backend."""

    text_type: ClassVar[str] = "TEXT"
    random: ClassVar[str] = "RANDOM()"

    def schemas(self, inspector: Any, url: URL) -> list[str | None]:
        """The schemas whose tables belong to the database the URL names."""
        names = inspector.get_schema_names()
        return [s for s in names if s not in SYSTEM_SCHEMAS and not s.startswith("pg_temp")]

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        """The URL with its driver, and ``create_engine`` arguments that make every session read-only."""
        if parsed.drivername in DRIVERS:
            parsed = parsed.set(drivername=f"{self.driver_prefix(parsed)}+{DRIVERS[parsed.drivername]}")
        return parsed, {}

    def driver_prefix(self, parsed: URL) -> str:
        return parsed.drivername

    def engine_created(self, engine: sa.Engine, statement_timeout: float) -> None:
        """Session settings that need a hook on every new connection."""

    def sample_sql(self, engine: sa.Engine, selected: str, quoted: str, view: bool, sample: int) -> tuple[str, str]:
        """(SQL, description) drawing a random sample of ``sample`` rows, by the server's own means."""
        order = f"ORDER BY {self.random} LIMIT {sample}"
        return f"SELECT {selected} FROM {quoted} {order}", order

    def read(self, engine: sa.Engine, sql: str, statement_timeout: float) -> Iterator[list[pa.Array]]:
        """The query's rows as batches of Arrow columns, through a server-side cursor (bounded memory)."""
        with engine.connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(sa.text(sql))
            for chunk in rows.partitions(BATCH_ROWS):
                yield [_as_arrow(column) for column in zip(*chunk, strict=True)]


class SQLite(Dialect):
    """A file opened with ``mode=ro``: never written, never a journal or WAL created."""

    def schemas(self, inspector: Any, url: URL) -> list[str | None]:
        return [None]  # attached databases are not the file's

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        path = parsed.database
        if not path or path == ":memory:":
            raise DatabaseError(f"{url}: give the path of an SQLite file (sqlite:///path/to/file.db)")
        if not Path(path).is_file():
            raise DatabaseError(f"{url}: no such SQLite file: {path}")
        # an SQLite URI: '#', '?' and '%' in a file name must be escaped, or "a #1.db" opens "a " read-write
        uri = f"file:{urllib.parse.quote(str(Path(path).resolve()))}?mode=ro"
        return parsed, {
            "creator": lambda: sqlite3.connect(uri, uri=True, timeout=statement_timeout, check_same_thread=False)
        }


class PostgreSQL(Dialect):
    """Read-only transactions by default and a statement timeout, set as libpq options; results through
    ADBC (libpq's binary COPY straight into Arrow, no Python object per cell) where it is installed."""

    OPTIONS = "-c default_transaction_read_only=on -c statement_timeout={ms}"

    def driver_prefix(self, parsed: URL) -> str:
        return "postgresql"

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        parsed, _ = super().prepare(parsed, url, statement_timeout)
        options = self.OPTIONS.format(ms=int(statement_timeout * 1000))
        return parsed, {"connect_args": {"options": options, "connect_timeout": 10}}

    def sample_sql(self, engine: sa.Engine, selected: str, quoted: str, view: bool, sample: int) -> tuple[str, str]:
        """``TABLESAMPLE BERNOULLI`` at twice the fraction the row estimate suggests, then ``LIMIT``: no full
        scan (views cannot be sampled so, and are drawn from in random order)."""
        if view:
            return super().sample_sql(engine, selected, quoted, view, sample)
        with engine.connect() as conn:
            query = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)")
            estimate = conn.execute(query, {"t": quoted}).scalar() or 0
        percent = 100.0 if estimate <= 0 else min(100.0, max(0.0001, 100.0 * 2 * sample / estimate))
        return (
            f"SELECT {selected} FROM {quoted} TABLESAMPLE BERNOULLI ({percent:.4f}) LIMIT {sample}",
            f"PostgreSQL TABLESAMPLE BERNOULLI ({percent:.4g}%) LIMIT {sample}",
        )

    def read(self, engine: sa.Engine, sql: str, statement_timeout: float) -> Iterator[list[pa.Array]]:
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:
            yield from super().read(engine, sql, statement_timeout)
            return
        uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        uri += ("&" if "?" in uri else "?") + "options="
        uri += urllib.parse.quote(self.OPTIONS.format(ms=int(statement_timeout * 1000)))
        with adbc.connect(uri) as conn, conn.cursor() as cursor:
            # batches of a few MB keep memory flat however large the table
            cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(ADBC_BATCH_BYTES)})
            cursor.execute(sql)
            for batch in cursor.fetch_record_batch():
                yield list(batch.columns)


class MySQL(Dialect):
    """MariaDB and MySQL: ``READ ONLY`` sessions and both servers' statement-time limits; credentials the
    URL leaves out come from ``MYSQL_PWD`` or ``~/.my.cnf``, as with the mysql client (PostgreSQL's libpq
    reads ``PGPASSWORD`` and ``~/.pgpass`` by itself)."""

    text_type = "CHAR"
    random = "RAND()"

    def schemas(self, inspector: Any, url: URL) -> list[str | None]:
        """A MariaDB/MySQL "schema" is a database: the URL's database is the boundary, so ``…/crm`` never
        reports another database's tables under crm's name (and a register never gets them). A URL without
        a database scans every one the user can see."""
        return [url.database] if url.database else super().schemas(inspector, url)

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        parsed, _ = super().prepare(parsed, url, statement_timeout)
        args: dict[str, Any] = {"connect_timeout": 10}
        if parsed.password is None and os.environ.get("MYSQL_PWD"):
            parsed = parsed.set(password=os.environ["MYSQL_PWD"])
        if Path("~/.my.cnf").expanduser().is_file():
            args["read_default_file"] = str(Path("~/.my.cnf").expanduser())
        return parsed, {"connect_args": args}

    def engine_created(self, engine: sa.Engine, statement_timeout: float) -> None:
        @sa.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            for statement in (
                f"SET SESSION max_statement_time = {statement_timeout}",  # MariaDB
                f"SET SESSION max_execution_time = {int(statement_timeout * 1000)}",  # MySQL
            ):
                try:
                    cursor.execute(statement)
                except Exception:  # the other server's variable
                    continue
            cursor.close()


DIALECTS: dict[str, Dialect] = {
    "sqlite": SQLite(),
    "postgresql": PostgreSQL(),
    "postgres": PostgreSQL(),
    "mysql": MySQL(),
    "mariadb": MySQL(),
}


def dialect_of(url: URL) -> Dialect:
    """The dialect of a URL's backend (``postgres://`` and ``mariadb://`` included).

    >>> from sqlalchemy.engine import make_url
    >>> type(dialect_of(make_url("mariadb+pymysql://db.example.fi/crm"))).__name__
    'MySQL'
    """
    return DIALECTS.get(url.get_backend_name(), Dialect())
