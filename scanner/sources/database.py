"""Databases as sources: SQLite, PostgreSQL, MariaDB/MySQL — any SQLAlchemy URL with a driver.

A database becomes items like a folder does: one :class:`TableItem` per readable table or view,
carrying what is needed to read it where it is (the URL, the table's name, columns and key), never
its rows. Reading an item yields batches of Arrow columns; turning them into text for the engine is
the extractors' job (``scanner.extract.tables``), the same code that reads Parquet.

Read-only throughout, with a statement timeout that keeps one slow or locked table from holding up the
rest; tables are streamed in batches. How each database kind does that is its dialect's business
(``scanner.sources.dialects``).

Which columns are read: text, character, JSON (each string leaf, with its key path as ``field``),
PostgreSQL ``inet``/``cidr`` and arrays, all as text. Numeric, binary, date and boolean columns are
skipped unless ``all_columns`` is set (a phone number stored as an integer has lost its leading zero
anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from scanner.lazy import lazy_module

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import URL
else:
    sa = lazy_module("sqlalchemy")

from scanner.sources.dialects import DRIVERS, PACKAGES, BrokenResult, DatabaseError, dialect_of
from scanner.sources.files import Problem

__all__ = [
    "DRIVERS",
    "Connections",
    "DatabaseError",
    "DatabaseOptions",
    "TableItem",
    "connect",
    "discover",
    "is_driver_error",
    "read",
    "reason",
    "redact",
    "select_sql",
    "sqlite_marker",
    "table_items",
]


@dataclass(frozen=True)
class DatabaseOptions:
    """How to scan a database (the ``harava scan`` options that apply to databases)."""

    include: tuple[str, ...] = ()  # schema.table globs
    exclude: tuple[str, ...] = ()
    sample: int | None = None  # rows per table, drawn at random
    all_columns: bool = False  # numeric, date and binary columns too
    statement_timeout: float = 300.0  # seconds


def redact(url: str) -> str:
    """The URL without its password (what findings name as their ``source``).

    >>> redact("postgresql://scanner:s3cret@db.example.fi:5432/crm")
    'postgresql://scanner@db.example.fi:5432/crm'
    """
    try:
        return sa.engine.make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except Exception:
        return re.sub(r"(//[^:/@]+):[^@]*@", r"\1@", url)


SQLITE_MAGIC = b"SQLite format 3\x00"


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
    shown_as: str | None = None  # an SQLite file found in a share: named by its path, not a URL

    @property
    def display(self) -> str:
        return self.shown_as or redact(self.url)


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


def connect(url: str, statement_timeout: float = 300.0) -> sa.Engine:
    """A read-only SQLAlchemy engine for ``url``; raises :class:`DatabaseError` with the reason."""
    try:
        parsed: URL = sa.engine.make_url(url)
    except Exception as exc:
        raise DatabaseError(f"{redact(url)}: not a database URL: {exc}") from None
    dialect = dialect_of(parsed)
    parsed, kwargs = dialect.prepare(parsed, url, statement_timeout)
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except sa.exc.NoSuchModuleError:
        raise DatabaseError(
            f"{redact(url)}: unknown kind of database {parsed.get_backend_name()!r} (known: sqlite, postgresql,"
            " mysql, mariadb, or any SQLAlchemy dialect installed)"
        ) from None
    except ModuleNotFoundError as exc:
        driver = DRIVERS.get(sa.engine.make_url(url).drivername, parsed.drivername.split("+")[-1])
        raise DatabaseError(
            f"{redact(url)}: no database driver ({exc}); install it, e.g. pip install {PACKAGES.get(driver, driver)}"
        ) from None
    dialect.engine_created(engine, statement_timeout)
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
    inspector, dialect = sa.inspect(engine), dialect_of(engine.url)
    for schema in dialect.schemas(inspector, engine.url):
        names = [(n, False) for n in inspector.get_table_names(schema)] + [
            (n, True) for n in inspector.get_view_names(schema)
        ]
        for name, view in sorted(names):
            qualified = f"{schema}.{name}" if schema else name
            if (db.include and not _matches(qualified, name, db.include)) or _matches(qualified, name, db.exclude):
                continue
            try:
                reflected, key = dialect.columns(inspector, schema, name, view)
            except sa.exc.DBAPIError as exc:
                yield qualified, reason(exc)
                continue
            except UnicodeDecodeError:  # a broken SQLite file: its schema is not text
                yield qualified, "corrupt: its description is not valid text"
                continue
            columns = tuple(Column(c.name, c.type_name, _kind(c.type, db.all_columns)) for c in reflected)
            yield Table(schema, name, view, columns, tuple(key))


def reason(exc: Exception) -> str:
    """A driver's error as one line, classified where the kind is clear, with what it quotes left out: a
    database quotes the value it choked on ("invalid input syntax …: "131052-308T"", a malformed SQLite
    schema quoting a row), and that may be personal data."""
    orig = getattr(exc, "orig", None)
    error = orig if orig is not None else exc
    args = getattr(error, "args", ())
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):  # PyMySQL: (code, message)
        error = args[1]
    raw = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    text = _unquoted(raw)  # classified by the whole message, shown without what it quotes
    if re.search(r"permission denied|denied|not authorized|insufficient privilege", raw, re.I):
        return f"permission denied: {text}"
    if re.search(r"timeout|max_statement_time|maximum statement execution time", raw, re.I):
        return f"statement timeout: {text}"
    return text


def _unquoted(text: str) -> str:
    """``relation "x" does not exist`` → ``relation "…" does not exist``; the same for '…' and (…)."""
    text = re.sub(r'"[^"]*"', '"…"', text)
    text = re.sub(r"'[^']*'", "'…'", text)
    return re.sub(r"\([^()]*\)", "(…)", text)


def is_driver_error(exc: BaseException) -> bool:
    """Whether an exception is the database's (reported per table) rather than a bug (raised)."""
    if isinstance(exc, sa.exc.DBAPIError | BrokenResult):
        return True
    try:
        from adbc_driver_manager import Error as AdbcError
    except ImportError:  # pragma: no cover - ADBC not installed
        return False
    return isinstance(exc, AdbcError)


def select_sql(engine: sa.Engine, item: TableItem) -> tuple[str, str | None]:
    """The query reading the table's key and scanned columns as text, and how it samples (if it does)."""
    table, dialect = item.table, dialect_of(engine.url)

    def quote(name: str) -> str:
        return dialect.quote(engine, name)

    quoted = (quote(table.schema) + "." if table.schema else "") + quote(table.name)
    selected = ", ".join(
        [quote(k) for k in table.key]
        + [
            # inet as text carries its netmask ("192.0.2.5/32"); abbrev() writes a host address plainly
            f"abbrev({quote(c.name)})"
            if c.type_name.upper() == "INET"
            else f"CAST({quote(c.name)} AS {dialect.text_type})"
            for c in table.scanned
        ]
    )
    if not item.options.sample:
        return f"SELECT {selected} FROM {quoted}", None
    return dialect.sample_sql(engine, selected, quoted, table.view, item.options.sample)


def read(engine: sa.Engine, sql: str, statement_timeout: float) -> Iterator[list[pa.Array]]:
    """The query's rows as batches of Arrow columns, in bounded memory, the dialect's fastest way."""
    return dialect_of(engine.url).read(engine, sql, statement_timeout)


def table_items(url: str, db: DatabaseOptions, shown_as: str | None = None) -> list[TableItem | Problem]:
    """The database's tables as items, and those that could not be described as problems. Raises
    :class:`DatabaseError` (its message without the URL) when the database cannot be reached or listed."""
    source = shown_as or redact(url)
    try:
        engine = connect(url, db.statement_timeout)
    except DatabaseError as exc:
        raise DatabaseError(str(exc).removeprefix(f"{url}: ").removeprefix(f"{redact(url)}: ")) from None
    try:
        found = list(discover(engine, db))
    except sa.exc.DBAPIError as exc:
        raise DatabaseError(f"cannot list its tables: {reason(exc)}") from None
    except UnicodeDecodeError:
        raise DatabaseError("cannot list its tables: its schema is not valid text (corrupt)") from None
    finally:
        engine.dispose()
    return [
        TableItem(url, t, db, shown_as)
        if isinstance(t, Table)
        else Problem(f"{source} {t[0]}", t[1], source=source, location={"table": t[0]}, code="database-error")
        for t in found
    ]


class Connections:
    """One engine per database URL, kept for the tables that follow (in each worker process)."""

    def __init__(self) -> None:
        self._engines: dict[tuple[str, float], sa.Engine] = {}

    def get(self, url: str, statement_timeout: float) -> sa.Engine:
        key = (url, statement_timeout)
        if key not in self._engines:
            self._engines[key] = connect(url, statement_timeout)
        return self._engines[key]

    def release(self, url: str) -> None:
        """Close the engines of one database (an SQLite file in a share: one of many, each read once)."""
        for key in [k for k in self._engines if k[0] == url]:
            self._engines.pop(key).dispose()

    def close(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
