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

A sample (``sample``) is drawn without a full scan wherever the table has an integer key (SQLite: its
rowid): :class:`KeyRanges` reads short runs of rows from random points spread over the key's whole range,
by its index. Elsewhere the dialect's fallback says in its description what it costs.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from scanner.lazy import lazy_module

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import URL
else:
    sa = lazy_module("sqlalchemy")

from scanner.sources.dialects import (
    BATCH_BYTES,
    BATCH_ROWS,
    DRIVERS,
    PACKAGES,
    ROWID_NAMES,
    BrokenResult,
    DatabaseError,
    Dialect,
    Run,
    dialect_of,
)
from scanner.sources.files import Problem

__all__ = [
    "DRIVERS",
    "Connections",
    "DatabaseError",
    "DatabaseOptions",
    "KeyRanges",
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


def select_sql(engine: sa.Engine, item: TableItem) -> tuple[str | KeyRanges, str | None]:
    """The query reading the table's key and scanned columns as text — or the plan of a sample drawn as key
    ranges, which :func:`read` runs — and how it samples (None: every row is read)."""
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
    whole = f"SELECT {selected} FROM {quoted}"
    sample = item.options.sample
    if not sample:
        return whole, None
    key = None
    if not table.view:
        types = {c.name: c.type_name for c in table.columns}
        key = dialect.sample_key(engine, quoted, [(k, types.get(k, "")) for k in table.key])
    if key is None:
        return dialect.sample_sql(engine, selected, quoted, table.view, sample)
    bounds = dialect.key_bounds(engine, quoted, key)
    if bounds is None or bounds[1] - bounds[0] < sample:  # no more rows than asked for: all of them
        return whole, None
    name = key if key in ROWID_NAMES else table.key[0]
    plan = KeyRanges(f"SELECT {key}, {selected} FROM {quoted}", key, name, bounds[0], bounds[1], sample)
    return plan, plan.description()


#: Rows read from each random point of a key-range sample: short runs keep the sample spread over the table
#: (neighbouring rows are alike: a day's orders, one import), long ones cost fewer statements (one takes
#: 0.2–1.5 ms here; 10,000 rows are 200 of them).
RUN_ROWS = 50
RUNS = 500  # at most, per round: a larger sample reads longer runs
ROUNDS = 8  # rounds drawing again where runs came back short (gaps in the key): each narrows by up to RUNS


@dataclass(frozen=True)
class KeyRanges:
    """A random sample of ``size`` rows drawn by an integer key between ``low`` and ``high``, through its
    index: no full scan. The range is cut into as many equal strata as there are runs to read, a point is
    drawn at random in each, and up to ``run_rows`` rows are read from each point on in key order — never
    past the next point, so no row is read twice. Where gaps in the key leave runs short, further rounds
    draw new points in the parts of the range not yet read (in proportion to their width) until the sample
    is full or the table has no more rows.

    ``select`` reads the key first: the column the draw follows, dropped before the rows are scanned."""

    select: str
    key: str  # as the SQL names it (quoted)
    name: str  # as the user knows it
    low: int
    high: int
    size: int

    @property
    def run_rows(self) -> int:
        return max(RUN_ROWS, math.ceil(self.size / RUNS))

    def description(self) -> str:
        where = f"{self.name} in {self.low}..{self.high}"
        return f"runs of up to {self.run_rows} rows from random points of {where}, no full scan"

    def rows(self, run: Run, dialect: Dialect, seed: int | None = None) -> Iterator[list[pa.Array]]:
        """The sample's rows, run by run (key column first), as :meth:`Dialect.session`'s ``run`` yields them."""
        pick, spread = random.Random(seed), np.random.default_rng(seed)
        wanted, parts = self.size, [(self.low, self.high + 1)]  # [start, end) not yet read
        for _ in range(ROUNDS):
            if wanted <= 0 or not parts:
                return
            widths = np.array([end - start for start, end in parts], np.float64)
            shares = spread.multinomial(wanted, widths / widths.sum()).tolist()
            left: list[tuple[int, int]] = []
            for (start, end), share in zip(parts, shares, strict=True):
                if share == 0:
                    left.append((start, end))
                    continue
                for point, stop, limit in self._runs(start, end, share, pick, left):
                    got, last = 0, point
                    for columns in run(dialect.limited(self.select, self.key, point, stop, limit)):
                        if len(columns[0]):
                            got, last = got + len(columns[0]), int(columns[0][-1].as_py())
                            yield columns
                    wanted -= got
                    if got == limit and last + 1 < stop:  # a full run: more rows may follow it
                        left.append((last + 1, stop))
            parts = left
        pick.shuffle(parts)
        for start, end in parts:  # keys bunched in a corner of their range: what is left, run by run
            if wanted <= 0:
                return
            for columns in run(dialect.limited(self.select, self.key, start, end, wanted)):
                wanted -= len(columns[0])
                yield columns

    def _runs(
        self, start: int, end: int, share: int, pick: random.Random, left: list[tuple[int, int]]
    ) -> list[tuple[int, int, int]]:
        """(point, end, rows) of the runs drawing ``share`` rows from [start, end): one random point in each
        of as many equal strata; the part before the first point is left (in ``left``) for a later round."""
        count = min(math.ceil(share / self.run_rows), end - start)
        edges = [start + (end - start) * i // count for i in range(count + 1)]
        points = [pick.randrange(edges[i], edges[i + 1]) for i in range(count)]
        if points[0] > start:
            left.append((start, points[0]))
        limits = [share // count + (1 if i < share % count else 0) for i in range(count)]
        return list(zip(points, [*points[1:], end], limits, strict=True))


def _coalesced(batches: Iterator[list[pa.Array]]) -> Iterator[list[pa.Array]]:
    """Small batches (a sample's runs) joined up to ``BATCH_ROWS`` rows or ``BATCH_BYTES``: the engine's
    cost per call (compiling its patterns) is paid per batch, not per run."""
    held: list[list[pa.Array]] = []
    types: list[pa.DataType] = []
    rows = nbytes = 0
    for columns in batches:
        if held and not all(_fits(a.type, t) for a, t in zip(columns, types, strict=True)):
            yield _joined(held, types)
            held, rows, nbytes = [], 0, 0
        types = [
            a.type if not held or pa.types.is_null(t) else t for a, t in zip(columns, types or columns, strict=True)
        ]
        held.append(columns)
        rows += len(columns[0]) if columns else 0
        nbytes += sum(a.nbytes for a in columns)
        if rows >= BATCH_ROWS or nbytes >= BATCH_BYTES:
            yield _joined(held, types)
            held, rows, nbytes = [], 0, 0
    if held:
        yield _joined(held, types)


def _fits(type_: pa.DataType, held: pa.DataType) -> bool:
    """Whether a column of ``type_`` joins one of ``held`` (a column of only nulls comes typeless)."""
    return type_ == held or pa.types.is_null(type_) or pa.types.is_null(held)


def _joined(held: list[list[pa.Array]], types: list[pa.DataType]) -> list[pa.Array]:
    if len(held) == 1:
        return held[0]
    return [
        pa.concat_arrays([pa.nulls(len(c[i]), t) if c[i].type != t else c[i] for c in held])
        for i, t in enumerate(types)
    ]


def read(engine: sa.Engine, query: str | KeyRanges, statement_timeout: float) -> Iterator[list[pa.Array]]:
    """The query's rows as batches of Arrow columns, in bounded memory, the dialect's fastest way; a
    :class:`KeyRanges` sample's rows without the key column it was drawn by."""
    dialect = dialect_of(engine.url)
    if isinstance(query, str):
        yield from dialect.read(engine, query, statement_timeout)
        return
    with dialect.session(engine, statement_timeout) as run:
        for columns in _coalesced(query.rows(run, dialect)):
            yield columns[1:]


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
