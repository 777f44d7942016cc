"""What differs between database kinds, each in one class: how to connect read-only, which schemas to
list, how to describe a table and quote its names, how to cast a column to text, how to draw a sample and
how to read a result set into Arrow.

Adding a database kind is one :class:`Dialect` subclass here and its backend names in ``DIALECTS``; any
other SQLAlchemy URL gets the generic :class:`Dialect` (a server-side cursor; samples drawn as ranges of an
integer key, or ``ORDER BY RANDOM()``).
"""

from __future__ import annotations

import os
import re
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import pyarrow as pa

from scanner.lazy import lazy_module

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import URL
else:
    sa = lazy_module("sqlalchemy")

#: How much of a table is scanned at once: about this many bytes of text, and never more than ``BATCH_ROWS``
#: rows. The engine's working memory is fifty to a hundred times the text of a batch full of findings (a worker
#: reading 4 MB batches of a CRM table peaked at ~390 MB, with 2 MB at ~310, with 1 MB at ~260); smaller
#: batches cost time on wide rows (30 kB notes: 1 MB took twice the CPU of 4 MB).
BATCH_BYTES = 2 << 20
BATCH_ROWS = 50_000
FIRST_ROWS = 16  # rows read before the width of a row is known (a row may be a document of megabytes)
DRIVERS = {"postgresql": "psycopg", "postgres": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
PACKAGES = {"psycopg": "psycopg[binary]", "pymysql": "PyMySQL"}


class DatabaseError(Exception):
    """The database cannot be scanned at all (driver, connection, authentication); says why."""


class BrokenResult(Exception):
    """A result set that broke off while it was being read: the connection was closed or the statement
    cancelled (a statement timeout, ``pg_terminate_backend``) after its first rows had arrived. The driver's
    own message, reported for the table like any error of the driver's."""


def _as_arrow(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # UUIDs, intervals…: their text will do
        return pa.array([None if v is None else str(v) for v in values], pa.large_string())


@dataclass(frozen=True)
class Reflected:
    """A column as the database describes it: its name, its type as written, and as a SQLAlchemy type."""

    name: str
    type_name: str
    type: Any


SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}

#: A column type whose values are whole numbers, as PostgreSQL, MariaDB/MySQL and SQLAlchemy write it
#: (``INTEGER``, ``BIGINT``, ``int(11) unsigned``, ``SERIAL``): a key a sample can draw ranges of.
INTEGER_TYPE = re.compile(r"^\s*(?:(?:TINY|SMALL|MEDIUM|BIG)?INT(?:EGER)?|INT[248]|(?:SMALL|BIG)?SERIAL)\b", re.I)

#: The names SQLite answers to for a rowid table's row id (a column may take any one of them over).
ROWID_NAMES = ("rowid", "_rowid_", "oid")

#: The fewest pages a PostgreSQL page sample expects to draw (so that it draws none once in millions).
MIN_PAGES = 16

#: A function running one statement in an open session, yielding its rows as batches of Arrow columns.
Run = Callable[[str], Iterator[list[pa.Array]]]


class Dialect:
    """A database kind as Harava needs it; the defaults fit any SQLAlchemy backend.

    The SQL built here goes to the driver as it is, never through SQLAlchemy's ``text()`` or a paramstyle: a
    column may be called ``a:b`` (a bind parameter to ``text()``) or ``osuus %`` (a placeholder to psycopg and
    PyMySQL when parameters are bound).
    """

    text_type: ClassVar[str] = "TEXT"
    random: ClassVar[str] = "RANDOM()"

    def quote(self, engine: sa.Engine, name: str) -> str:
        """``name`` as a quoted identifier, whatever characters it holds (a quote character is doubled).

        SQLAlchemy's ``identifier_preparer.quote()`` also doubles ``%`` for drivers whose paramstyle is
        ``format`` or ``pyformat``: right for statements it sends with parameters, wrong for SQL sent as it
        is (``"p%"`` would name a column ``p%%``), so it is not used.

        >>> from sqlalchemy.engine import make_url
        >>> engine = sa.create_engine(make_url("sqlite://"))
        >>> Dialect().quote(engine, 'a "b" %c')
        '"a ""b"" %c"'
        """
        dialect = engine.dialect
        if dialect.requires_name_normalize:  # a case-folding backend: "asiakkaat" stands for ASIAKKAAT
            name = dialect.denormalize_name(name) or name
        prep = dialect.identifier_preparer
        return prep.initial_quote + name.replace(prep.escape_quote, prep.escape_to_quote) + prep.final_quote

    def columns(self, inspector: Any, schema: str | None, name: str, view: bool) -> tuple[list[Reflected], list[str]]:
        """The table's columns in order, and its primary key's columns (none for a view)."""
        columns = [Reflected(c["name"], str(c["type"]), c["type"]) for c in inspector.get_columns(name, schema)]
        key = [] if view else list(inspector.get_pk_constraint(name, schema).get("constrained_columns") or ())
        return columns, key

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

    def sample_key(self, engine: sa.Engine, quoted: str, key: Sequence[tuple[str, str]]) -> str | None:
        """The quoted integer column a sample of the table draws ranges of — the first of its primary key
        (``key``: each column's name and type), the order of its index — or None: no such key."""
        if key and INTEGER_TYPE.match(key[0][1]):
            return self.quote(engine, key[0][0])
        return None

    def key_bounds(self, engine: sa.Engine, quoted: str, key: str) -> tuple[int, int] | None:
        """The smallest and largest value of the key (read from its index), None for an empty table."""
        with engine.connect() as conn:
            raw = conn.execution_options(no_parameters=True)  # SQL as it is: a name may hold "%s" or "?"
            low, high = raw.exec_driver_sql(f"SELECT MIN({key}), MAX({key}) FROM {quoted}").one()
        return None if low is None or high is None else (int(low), int(high))

    def sample_sql(self, engine: sa.Engine, selected: str, quoted: str, view: bool, sample: int) -> tuple[str, str]:
        """(SQL, description) drawing ``sample`` rows at random of a table without an integer key, or of a
        view: every row is read and sorted, a full scan, as the description says."""
        order = f"ORDER BY {self.random} LIMIT {sample}"
        why = "a view" if view else "no integer key to draw ranges of"
        return f"SELECT {selected} FROM {quoted} {order}", f"{order}: a full scan ({why})"

    def limited(self, select: str, key: str, start: int, end: int, rows: int) -> str:
        """``select`` restricted to the keys in [start, end), the first ``rows`` of them in key order."""
        return f"{select} WHERE {key} >= {start} AND {key} < {end} ORDER BY {key} LIMIT {rows}"

    @contextmanager
    def session(self, engine: sa.Engine, statement_timeout: float) -> Iterator[Run]:
        """One connection for several statements (a sample's key ranges): yields a function running one
        and yielding its rows as batches of Arrow columns (see :meth:`read`)."""
        with engine.connect() as conn:
            options = {"stream_results": True, "yield_per": FIRST_ROWS, "no_parameters": True}  # SQL as it is
            raw = conn.execution_options(**options)

            def run(sql: str) -> Iterator[list[pa.Array]]:
                rows = raw.exec_driver_sql(sql)
                cursor = rows.cursor
                fetch = self.fetcher(rows, sql)
                try:
                    size = FIRST_ROWS
                    while chunk := fetch(size):
                        columns = [_as_arrow(column) for column in zip(*chunk, strict=True)]
                        del chunk
                        yield columns
                        size = _next_size(size, columns)
                except sa.exc.DBAPIError as exc:
                    if exc.connection_invalidated:
                        self.connection_lost(cursor)
                    raise

            yield run

    def fetcher(self, rows: Any, sql: str) -> Callable[[int], Sequence[Sequence[Any]]]:
        """How a result's rows are fetched, ``size`` at a time: through SQLAlchemy, which turns the driver's
        errors into its own (and a lost connection into an invalidated one)."""
        return rows.fetchmany

    def read(self, engine: sa.Engine, sql: str, statement_timeout: float) -> Iterator[list[pa.Array]]:
        """The query's rows as batches of Arrow columns, through a server-side cursor: each batch about
        ``BATCH_BYTES`` of text, however wide the rows (a fixed number of rows made one batch of a table of
        30 KB notes 2.3 GB of memory)."""
        with self.session(engine, statement_timeout) as run:
            yield from run(sql)

    def connection_lost(self, cursor: Any) -> None:
        """The server-side cursor of a read whose connection was lost (killed, a server restart)."""


def no_sqlite_file(url: str, path: str) -> str:
    """The error for a missing SQLite file: the path tried, and the URL with one slash more or less —
    ``sqlite:///x.db`` is relative to the current folder, ``sqlite:////x.db`` absolute, and the two are
    easily taken for each other.

    >>> no_sqlite_file("sqlite:////srv/crm.db", "/srv/crm.db")  # doctest: +ELLIPSIS
    'sqlite:////srv/crm.db: no such SQLite file: /srv/crm.db (an absolute path); for srv/crm.db in the current folder (.../srv/crm.db) write three slashes: sqlite:///srv/crm.db'
    """
    scheme = url.split(":///", 1)[0]
    if os.path.isabs(path):
        other = path.lstrip("/")
        tried = f"{path} (an absolute path)"
        hint = f"for {other} in the current folder ({os.path.abspath(other)}) write three slashes: {scheme}:///{other}"
    else:
        other = "/" + path
        tried = f"{path} in the current folder ({os.path.abspath(path)})"
        hint = f"for the absolute path {other} write four slashes: {scheme}:///{other}"
    exists = " (that file exists)" if Path(other).is_file() else ""
    return f"{url}: no such SQLite file: {tried}; {hint}{exists}"


class SQLite(Dialect):
    """A file opened with ``mode=ro``: never written, never a journal or WAL created."""

    def schemas(self, inspector: Any, url: URL) -> list[str | None]:
        return [None]  # attached databases are not the file's

    def fetcher(self, rows: Any, sql: str) -> Callable[[int], Sequence[Sequence[Any]]]:
        """Straight from sqlite3's cursor: SQLAlchemy's rows cost 1.4 µs each on top of its 2.3 (a tenth of
        the time a scan spent reading). Its errors are made SQLAlchemy's as it would (no connection to lose).
        Not where SQLAlchemy has already taken rows from the cursor into a buffer of its own."""
        if type(rows.cursor_strategy) is not sa.engine.cursor.CursorFetchStrategy:
            return rows.fetchmany
        cursor = rows.cursor

        def fetch(size: int) -> list[tuple[Any, ...]]:
            try:
                return cursor.fetchmany(size)
            except sqlite3.Error as exc:
                raise sa.exc.DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc

        return fetch

    def sample_key(self, engine: sa.Engine, quoted: str, key: Sequence[tuple[str, str]]) -> str | None:
        """The rowid, whatever the primary key (an ``INTEGER PRIMARY KEY`` is the rowid itself, and a column
        of any other declared type may hold text): under whichever of its three names no column has taken.
        None for a ``WITHOUT ROWID`` table."""
        with engine.connect() as conn:
            raw = conn.execution_options(no_parameters=True)  # SQL as it is: a name may hold "?"
            names = {row[1].lower() for row in raw.exec_driver_sql(f"PRAGMA table_info({quoted})")}
            for name in ROWID_NAMES:
                if name not in names:
                    try:
                        raw.exec_driver_sql(f"SELECT {name} FROM {quoted} LIMIT 0").all()
                    except sa.exc.DBAPIError:  # no such column: WITHOUT ROWID
                        return None
                    return name
        return None

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        path = parsed.database
        if not path or path == ":memory:":
            raise DatabaseError(f"{url}: give the path of an SQLite file (sqlite:///path/to/file.db)")
        if not Path(path).is_file():
            raise DatabaseError(no_sqlite_file(url, path))
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
        """A table without an integer key: ``TABLESAMPLE SYSTEM`` — whole pages drawn at random, the others
        never read — at twice the fraction the row estimate suggests, then ``sample`` of those rows in
        random order. (``BERNOULLI`` draws rows, but reads every page: a full scan. A bare ``LIMIT`` after
        either would keep the rows of the first pages only.) Views cannot be sampled so."""
        if view:
            return super().sample_sql(engine, selected, quoted, view, sample)
        with engine.connect() as conn:
            query = sa.text("SELECT reltuples, relpages FROM pg_class WHERE oid = CAST(:t AS regclass)")
            estimate, pages = conn.execute(query, {"t": quoted}).one()
        estimate, pages = estimate or 0, pages or 0
        percent = 100.0
        if estimate > 0 and pages > 0:
            # Twice the rows wanted, and never fewer than MIN_PAGES pages: the number of pages drawn varies
            # (each is drawn or not), and a table of few, full pages could otherwise yield none.
            percent = min(100.0, max(100.0 * 2 * sample / estimate, 100.0 * MIN_PAGES / pages))
        why = ""
        if estimate <= 0 or pages <= 0:
            why = ": a full scan (no row estimate: the table was never analysed)"
        elif percent >= 100.0:
            why = f": a full scan (a table of {pages} pages)"
        return (
            f"SELECT {selected} FROM {quoted} TABLESAMPLE SYSTEM ({percent:.4f}) ORDER BY random() LIMIT {sample}",
            f"PostgreSQL TABLESAMPLE SYSTEM ({percent:.4g}% of the pages, no integer key to draw ranges of),"
            f" then {sample} of their rows at random" + why,
        )

    @contextmanager
    def session(self, engine: sa.Engine, statement_timeout: float) -> Iterator[Run]:
        """Through ADBC where it is installed: libpq's binary COPY straight into Arrow batches."""
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:  # pragma: no cover - ADBC is a dependency
            with super().session(engine, statement_timeout) as run:
                yield run
            return
        uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        uri += ("&" if "?" in uri else "?") + "options="
        uri += urllib.parse.quote(self.OPTIONS.format(ms=int(statement_timeout * 1000)))
        with adbc.connect(uri) as conn, conn.cursor() as cursor:
            # batches of about BATCH_BYTES keep memory flat however large the table and wide its rows
            cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(BATCH_BYTES)})

            def run(sql: str) -> Iterator[list[pa.Array]]:
                cursor.execute(sql)
                yield from _batches(cursor.fetch_record_batch())

            yield run


def _str(value: Any) -> str:
    """Text from information_schema, which some MySQL drivers return as bytes."""
    return value.decode("utf-8") if isinstance(value, bytes | bytearray) else str(value)


def _next_size(size: int, columns: Sequence[pa.Array]) -> int:
    """Rows for the next batch, from the width of the rows of the last one.

    >>> _next_size(1000, [pa.array(["x" * 1000] * 1000)])  # 1 kB rows: two thousand to BATCH_BYTES
    2088
    >>> _next_size(16, [pa.array(["x"] * 16)]), _next_size(10, [pa.array(["x" * 10**6] * 10)])  # 8x at most
    (128, 2)
    """
    nbytes = sum(column.nbytes for column in columns)
    rows = len(columns[0]) if columns else size
    return max(1, min(BATCH_ROWS, 8 * size, BATCH_BYTES * rows // max(nbytes, 1)))


def _batches(reader: pa.RecordBatchReader) -> Iterator[list[pa.Array]]:
    """The reader's batches as columns. Past the first batch, the driver's errors reach Arrow's stream
    interface, which raises them as a bare ``OSError`` or ``ArrowException``: they become
    :class:`BrokenResult`, the driver's error they are, not a reader's bug whose message is withheld."""
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:
            raise BrokenResult(str(exc).strip() or type(exc).__name__) from exc
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

    COLUMNS = (
        "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :name ORDER BY ORDINAL_POSITION"
    )
    KEY = (
        "SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
        " WHERE TABLE_SCHEMA = :schema AND TABLE_NAME = :name AND CONSTRAINT_NAME = 'PRIMARY'"
        " ORDER BY ORDINAL_POSITION"
    )
    # MariaDB's JSON is LONGTEXT checked by json_valid(`column`); MySQL's CHECK_CONSTRAINTS has no TABLE_NAME
    # (and its JSON is a type of its own)
    CHECKS = (
        "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
        " WHERE CONSTRAINT_SCHEMA = :schema AND TABLE_NAME = :name"
    )
    JSON_CHECK = re.compile(r"\s*json_valid\(`((?:[^`]|``)*)`\)\s*", re.I)

    def columns(self, inspector: Any, schema: str | None, name: str, view: bool) -> tuple[list[Reflected], list[str]]:
        """From ``information_schema``, not SQLAlchemy's reflection: that parses ``SHOW CREATE TABLE`` line by
        line, leaves a backtick in a name doubled (a column ``hetu`x`` would be read as ``hetu``x``, which
        does not exist, and the whole table fail) and drops, with only a warning, a column whose name holds
        a line break. Types SQLAlchemy does not know are read as text, as its reflection would. A MariaDB
        JSON column (text that must pass ``json_valid``) is JSON, read leaf by leaf like MySQL's."""
        known = inspector.dialect.ischema_names
        with inspector.bind.connect() as conn:
            where = {"schema": schema or conn.exec_driver_sql("SELECT DATABASE()").scalar(), "name": name}
            rows = conn.execute(sa.text(self.COLUMNS), where).all()
            key = [] if view else list(conn.execute(sa.text(self.KEY), where).scalars())
            try:
                checks = [
                    self.JSON_CHECK.fullmatch(_str(c)) for c in conn.execute(sa.text(self.CHECKS), where).scalars()
                ]
            except sa.exc.DBAPIError:  # MySQL, or a server without the view
                checks = []
        json_columns = {m.group(1).replace("``", "`") for m in checks if m}
        columns = [
            Reflected(_str(column), "JSON", known.get("json", sa.types.JSON)())
            if _str(column) in json_columns
            else Reflected(_str(column), _str(full).upper(), known.get(_str(data_type).lower(), sa.types.NullType)())
            for column, data_type, full in rows
        ]
        return columns, [_str(k) for k in key]

    def prepare(self, parsed: URL, url: str, statement_timeout: float) -> tuple[URL, dict[str, Any]]:
        parsed, _ = super().prepare(parsed, url, statement_timeout)
        args: dict[str, Any] = {"connect_timeout": 10}
        if parsed.password is None and os.environ.get("MYSQL_PWD"):
            parsed = parsed.set(password=os.environ["MYSQL_PWD"])
        if Path("~/.my.cnf").expanduser().is_file():
            args["read_default_file"] = str(Path("~/.my.cnf").expanduser())
        return parsed, {"connect_args": args}

    def connection_lost(self, cursor: Any) -> None:
        """PyMySQL's unbuffered cursor still means to read the rest of its result when it is collected, from
        the socket that is gone: the ``AttributeError`` of that, twice, would be printed on stderr
        ("Exception ignored in: SSCursor.close") as if the scan had crashed. Nothing more will come."""
        result = getattr(cursor, "_result", None)
        if getattr(result, "unbuffered_active", False):
            result.unbuffered_active = False

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
