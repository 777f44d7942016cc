"""Databases as sources: SQLite, PostgreSQL, MariaDB/MySQL — any SQLAlchemy URL with a driver.

A database becomes items like a folder does: one :class:`TableItem` per readable table or view,
carrying what is needed to read it where it is (the URL, the table's name, columns and key), never
its rows. Reading an item yields batches of Arrow columns; turning them into text for the engine is
the extractors' job (``scanner.extract.tables``), the same code that reads Parquet.

Read-only throughout: SQLite files are opened with ``mode=ro``, PostgreSQL sessions default to
read-only transactions, MariaDB/MySQL sessions are set ``READ ONLY``; a statement timeout keeps one
slow or locked table from holding up the rest. Tables are streamed in batches (server-side cursors;
PostgreSQL through ADBC, libpq's binary COPY straight into Arrow).

Which columns are read: text, character, JSON (each string leaf, with its key path as ``field``),
PostgreSQL ``inet``/``cidr`` and arrays, all as text. Numeric, binary, date and boolean columns are
skipped unless ``all_columns`` is set (a phone number stored as an integer has lost its leading zero
anyway).
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
BATCH_ROWS = 50_000
ADBC_BATCH_BYTES = 4 << 20
READ_ONLY_PG = "-c default_transaction_read_only=on -c statement_timeout={ms}"
DRIVERS = {"postgresql": "psycopg", "postgres": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
PACKAGES = {"psycopg": "psycopg[binary]", "pymysql": "PyMySQL"}


@dataclass(frozen=True)
class DatabaseOptions:
    """How to scan a database (the ``harava scan`` options that apply to databases)."""

    include: tuple[str, ...] = ()  # schema.table globs
    exclude: tuple[str, ...] = ()
    sample: int | None = None  # rows per table, drawn at random
    all_columns: bool = False  # numeric, date and binary columns too
    statement_timeout: float = 300.0  # seconds


class DatabaseError(Exception):
    """The database cannot be scanned at all (driver, connection, authentication); says why."""


def redact(url: str) -> str:
    """The URL without its password (what findings name as their ``source``).

    >>> redact("postgresql://scanner:s3cret@db.example.fi:5432/crm")
    'postgresql://scanner@db.example.fi:5432/crm'
    """
    try:
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except Exception:
        return re.sub(r"(//[^:/@]+):[^@]*@", r"\1@", url)


def family(url: sa.URL | str) -> str:
    """``sqlite``, ``postgresql`` or ``mysql`` (MariaDB too): what SQL dialect details depend on.

    >>> family("postgres://db.example.fi/crm"), family("mariadb+pymysql://db/crm"), family("sqlite:///x.db")
    ('postgresql', 'mysql', 'sqlite')
    """
    backend = make_url(url).get_backend_name() if isinstance(url, str) else url.get_backend_name()
    return {"postgres": "postgresql", "mariadb": "mysql"}.get(backend, backend)


def sqlite_marker(url: str) -> tuple[int, int] | None:
    """(size, mtime) of an SQLite database and its write-ahead log: any write changes one of them."""
    if not url.startswith("sqlite:///"):
        return None
    path = Path(url[len("sqlite:///") :])
    try:
        info = path.stat()
    except OSError:
        return None
    size, mtime = info.st_size, info.st_mtime_ns
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        size, mtime = size + wal.stat().st_size, max(mtime, wal.stat().st_mtime_ns)
    return size, mtime


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str
    kind: str  # text | json | skip


@dataclass(frozen=True)
class Table:
    schema: str | None
    name: str
    view: bool
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def scanned(self) -> list[Column]:
        return [c for c in self.columns if c.kind != "skip"]


@dataclass(frozen=True)
class TableItem:
    """One table or view of a database, to be read where it is."""

    url: str  # with the password: needed to connect, never shown (``source`` is redacted)
    table: Table
    options: DatabaseOptions

    @property
    def display(self) -> str:
        return redact(self.url)


def _kind(type_: Any, all_columns: bool) -> str:
    name = type(type_).__name__.upper()
    text = str(type_).upper() if not isinstance(type_, sa.types.NullType) else ""
    if "JSON" in name or "JSON" in text:
        return "json"
    if isinstance(type_, sa.types.String | sa.types.Enum) or name in (
        "INET",
        "CIDR",
        "MACADDR",
        "UUID",
        "ARRAY",
        "NULLTYPE",
    ):
        return "text"
    if any(t in text for t in ("CHAR", "TEXT", "CLOB", "INET", "CIDR", "[]")) or text == "":
        return "text"
    return "text" if all_columns else "skip"


def _connect_args(parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
    """The URL with its driver, and the keyword arguments that make the session read-only."""
    kind = family(parsed)
    if parsed.drivername in DRIVERS:
        parsed = parsed.set(drivername=f"{kind if kind != 'mysql' else parsed.drivername}+{DRIVERS[parsed.drivername]}")
    if kind == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise DatabaseError(f"{url}: give the path of an SQLite file (sqlite:///path/to/file.db)")
        if not Path(path).is_file():
            raise DatabaseError(f"{url}: no such SQLite file: {path}")
        uri = f"file:{Path(path).resolve()}?mode=ro"
        return parsed, {
            "creator": lambda: sqlite3.connect(uri, uri=True, timeout=statement_timeout, check_same_thread=False)
        }
    if kind == "postgresql":
        options = READ_ONLY_PG.format(ms=int(statement_timeout * 1000))
        return parsed, {"connect_args": {"options": options, "connect_timeout": 10}}
    if kind == "mysql":
        # Credentials the URL leaves out come from MYSQL_PWD or ~/.my.cnf, as with the mysql client
        # (PostgreSQL's libpq reads PGPASSWORD and ~/.pgpass by itself).
        args: dict[str, Any] = {"connect_timeout": 10}
        if parsed.password is None and os.environ.get("MYSQL_PWD"):
            parsed = parsed.set(password=os.environ["MYSQL_PWD"])
        if Path("~/.my.cnf").expanduser().is_file():
            args["read_default_file"] = str(Path("~/.my.cnf").expanduser())
        return parsed, {"connect_args": args}
    return parsed, {}


def _mysql_read_only(engine: sa.Engine, statement_timeout: float) -> None:
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


def connect(url: str, statement_timeout: float = 300.0) -> sa.Engine:
    """A read-only SQLAlchemy engine for ``url``; raises :class:`DatabaseError` with the reason."""
    try:
        parsed: URL = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"{redact(url)}: not a database URL: {exc}") from None
    parsed, kwargs = _connect_args(parsed, url, statement_timeout)
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
        driver = DRIVERS.get(make_url(url).drivername, parsed.get_driver_name())
        raise DatabaseError(
            f"{redact(url)}: no database driver ({exc}); install it, e.g. pip install {PACKAGES.get(driver, driver)}"
        ) from None
    if family(parsed) == "mysql":
        _mysql_read_only(engine, statement_timeout)
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"{redact(url)}: cannot connect: {message}") from None
    return engine


def _matches(qualified: str, name: str, globs: Sequence[str]) -> bool:
    return any(fnmatchcase(qualified, g) or fnmatchcase(name, g) for g in globs)


def discover(engine: sa.Engine, db: DatabaseOptions = DatabaseOptions()) -> Iterator[Table | tuple[str, str]]:
    """Every table and view the user may read (schema.table globs filter), or (table, why not)."""
    inspector = sa.inspect(engine)
    if family(engine.url) == "sqlite":
        schemas: list[str | None] = [None]
    else:
        schemas = [s for s in inspector.get_schema_names() if s not in SYSTEM_SCHEMAS and not s.startswith("pg_temp")]
    for schema in schemas:
        names = [(n, False) for n in inspector.get_table_names(schema)] + [
            (n, True) for n in inspector.get_view_names(schema)
        ]
        for name, view in sorted(names):
            qualified = f"{schema}.{name}" if schema else name
            if (db.include and not _matches(qualified, name, db.include)) or _matches(qualified, name, db.exclude):
                continue
            try:
                columns = tuple(
                    Column(c["name"], str(c["type"]), _kind(c["type"], db.all_columns))
                    for c in inspector.get_columns(name, schema)
                )
                key = () if view else tuple(inspector.get_pk_constraint(name, schema).get("constrained_columns") or ())
            except sa.exc.DBAPIError as exc:
                yield qualified, reason(exc)
                continue
            yield Table(schema, name, view, columns, key)


def reason(exc: Exception) -> str:
    """A driver's error as one line, classified where the kind is clear."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()[0]
    if re.search(r"permission denied|denied|not authorized|insufficient privilege", text, re.I):
        return f"permission denied: {text}"
    if re.search(r"timeout|canceling statement|max_statement_time|max_execution_time|interrupted", text, re.I):
        return f"statement timeout: {text}"
    return text


def is_driver_error(exc: BaseException) -> bool:
    """Whether an exception is the database's (reported per table) rather than a bug (raised)."""
    if isinstance(exc, sa.exc.DBAPIError):
        return True
    try:
        from adbc_driver_manager import Error as AdbcError
    except ImportError:  # pragma: no cover - ADBC not installed
        return False
    return isinstance(exc, AdbcError)


def select_sql(engine: sa.Engine, item: TableItem) -> tuple[str, str | None]:
    """The query reading the table's key and scanned columns as text, and how it samples (if it does).

    Sampling: PostgreSQL tables use ``TABLESAMPLE BERNOULLI`` at twice the fraction the row estimate
    suggests, then ``LIMIT`` (no full scan); elsewhere (MariaDB/MySQL, SQLite, views) ``ORDER BY
    RAND()/RANDOM()``.
    """
    table, kind = item.table, family(engine.url)
    preparer = engine.dialect.identifier_preparer
    quoted = (preparer.quote_schema(table.schema) + "." if table.schema else "") + preparer.quote(table.name)
    text_type = "CHAR" if kind == "mysql" else "TEXT"
    selected = ", ".join(
        [preparer.quote(k) for k in table.key]
        + [
            # inet as text carries its netmask ("192.0.2.5/32"); abbrev() writes a host address plainly
            f"abbrev({preparer.quote(c.name)})"
            if c.type_name.upper() == "INET"
            else f"CAST({preparer.quote(c.name)} AS {text_type})"
            for c in table.scanned
        ]
    )
    sample = item.options.sample
    if not sample:
        return f"SELECT {selected} FROM {quoted}", None
    if kind == "postgresql" and not table.view:
        with engine.connect() as conn:
            query = sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)")
            estimate = conn.execute(query, {"t": quoted}).scalar() or 0
        percent = 100.0 if estimate <= 0 else min(100.0, max(0.0001, 100.0 * 2 * sample / estimate))
        return (
            f"SELECT {selected} FROM {quoted} TABLESAMPLE BERNOULLI ({percent:.4f}) LIMIT {sample}",
            f"PostgreSQL TABLESAMPLE BERNOULLI ({percent:.4g}%) LIMIT {sample}",
        )
    random = "RAND()" if kind == "mysql" else "RANDOM()"
    return f"SELECT {selected} FROM {quoted} ORDER BY {random} LIMIT {sample}", f"ORDER BY {random} LIMIT {sample}"


def _as_arrow(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # UUIDs, intervals…: their text will do
        return pa.array([None if v is None else str(v) for v in values], pa.large_string())


def read(
    engine: sa.Engine, sql: str, statement_timeout: float, batch_rows: int = BATCH_ROWS
) -> Iterator[list[pa.Array]]:
    """The query's rows as batches of Arrow columns, in bounded memory.

    PostgreSQL goes through ADBC (no Python object per cell) where its driver is installed;
    everything else through a SQLAlchemy server-side cursor.
    """
    if family(engine.url) == "postgresql":
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:
            adbc = None
        if adbc is not None:
            uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            uri += ("&" if "?" in uri else "?") + "options="
            uri += urllib.parse.quote(READ_ONLY_PG.format(ms=int(statement_timeout * 1000)))
            with adbc.connect(uri) as conn, conn.cursor() as cursor:
                # batches of a few MB keep memory flat however large the table
                cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(ADBC_BATCH_BYTES)})
                cursor.execute(sql)
                for batch in cursor.fetch_record_batch():
                    yield list(batch.columns)
            return
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(sa.text(sql))
        for chunk in rows.partitions(batch_rows):
            yield [_as_arrow(column) for column in zip(*chunk, strict=True)]


class Connections:
    """One engine per database URL, kept for the tables that follow (in each worker process)."""

    def __init__(self) -> None:
        self._engines: dict[tuple[str, float], sa.Engine] = {}

    def get(self, url: str, statement_timeout: float) -> sa.Engine:
        key = (url, statement_timeout)
        if key not in self._engines:
            self._engines[key] = connect(url, statement_timeout)
        return self._engines[key]

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
