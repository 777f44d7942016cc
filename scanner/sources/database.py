"""Databases as sources: SQLite, PostgreSQL, MariaDB/MySQL — any SQLAlchemy URL with a driver.

Read-only throughout: SQLite files are opened with ``mode=ro``, PostgreSQL sessions default to
read-only transactions, MariaDB/MySQL sessions are set ``READ ONLY``; a statement timeout keeps one
slow or locked table from holding up the rest. Tables are streamed in batches of rows (server-side
cursors), and each text-like column of a batch becomes one Arrow string array for the common engine.

Which columns are read: text, character, JSON (each string leaf, with its key path as ``field``),
PostgreSQL ``inet``/``cidr`` and arrays, all as text. Numeric, binary, date and boolean columns are
skipped unless ``all_columns`` is set (a phone number stored as an integer has lost its leading zero
anyway). Column names in Finnish, Swedish and English (``hetu``, ``puhelin``, ``sahkoposti``,
``personbeteckning``, ``email``, ``ip``…) raise the confidence of what is found in them and are
reported even when the column held nothing.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from detectors.base import concat
from scanner.engine import Hits
from scanner.extract.structured import json_leaves
from scanner.findings import FindingsBuilder, error_batch, json_literals

SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
BATCH_ROWS = 50_000
ADBC_BATCH_BYTES = 4 << 20
READ_ONLY_PG = "-c default_transaction_read_only=on -c statement_timeout={ms}"
DRIVERS = {"postgresql": "psycopg", "postgres": "psycopg", "mysql": "pymysql", "mariadb": "pymysql"}
PACKAGES = {"psycopg": "psycopg[binary]", "pymysql": "PyMySQL"}

#: Column-name hints: a name matching the pattern suggests the entity.
HINTS: tuple[tuple[str, str], ...] = (
    (
        "FI_PERSONAL_IDENTITY_CODE",
        r"hetu|henkilotunnus|henkilötunnus|sotu|personbeteckning|personnummer|ssn|social_?security|identity_?code",
    ),
    ("FI_BUSINESS_ID", r"y_?tunnus|ytunnus|business_?id|vat_?(id|number)?|alv|fo_?nummer|org_?nr"),
    ("PHONE_NUMBER", r"puhelin\w*|puh|gsm|matkapuhelin|phone\w*|mobile|mobiili|tel|telefon\w*|puhnro"),
    ("EMAIL_ADDRESS", r"s?ahkoposti\w*|sähköposti\w*|e_?mail\w*|e_?post\w*|mail"),
    ("IP_ADDRESS", r"ip|ip_?addr\w*|ip_?osoite|client_?ip|remote_?addr\w*|source_?ip"),
)
_HINT_RES = [(entity, re.compile(rf"(?:^|_)(?:{pattern})(?:_|$)", re.I)) for entity, pattern in HINTS]


@dataclass(frozen=True)
class DatabaseOptions:
    """How to scan a database (the ``harava scan`` options that apply to databases)."""

    include: tuple[str, ...] = ()  # schema.table globs
    exclude: tuple[str, ...] = ()
    sample: int | None = None  # rows per table, drawn at random
    workers: int = 1  # tables scanned at once, each on its own connection
    all_columns: bool = False  # numeric, date and binary columns too
    statement_timeout: float = 300.0  # seconds


class DatabaseError(Exception):
    """The database cannot be scanned at all (driver, connection, authentication); says why."""


def column_hint(name: str) -> str | None:
    """The entity a column's name suggests, if any.

    >>> column_hint("asiakas_hetu"), column_hint("Sahkoposti"), column_hint("description")
    ('FI_PERSONAL_IDENTITY_CODE', 'EMAIL_ADDRESS', None)
    """
    for entity, pattern in _HINT_RES:
        if pattern.search(name):
            return entity
    return None


def redact(url: str) -> str:
    """The URL without its password (what findings name as their ``source``).

    >>> redact("postgresql://scanner:s3cret@db.example.fi:5432/crm")
    'postgresql://scanner@db.example.fi:5432/crm'
    """
    try:
        return make_url(url)._replace(password=None).render_as_string(hide_password=False)
    except Exception:
        return re.sub(r"(//[^:/@]+):[^@]*@", r"\1@", url)


@dataclass
class Column:
    name: str
    type_name: str
    kind: str  # text | json | skip
    hint: str | None


@dataclass
class Table:
    schema: str | None
    name: str
    view: bool
    columns: list[Column]
    key: list[str]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name


@dataclass
class ColumnReport:
    """Per-column summary, in the spirit of pdscan: how much of the column matched."""

    table: str
    column: str
    rows: int = 0
    matches: dict[str, int] = field(default_factory=dict)
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        entities = sorted(set(self.matches) | ({self.hint} if self.hint else set()))
        return {
            "table": self.table,
            "column": self.column,
            "rows_scanned": self.rows,
            "entities": {
                e: {
                    "rows": self.matches.get(e, 0),
                    "ratio": round(self.matches.get(e, 0) / self.rows, 3) if self.rows else 0.0,
                    "confidence": "high" if self.rows and self.matches.get(e, 0) / self.rows > 0.5 else "low",
                    "name_hint": e == self.hint,
                }
                for e in entities
            },
        }


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
        parsed: URL = make_url(url)
    except Exception as exc:
        raise DatabaseError(f"{redact(url)}: not a database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if parsed.drivername in DRIVERS:
        parsed = parsed.set(
            drivername=f"{'postgresql' if backend == 'postgres' else backend}+{DRIVERS[parsed.drivername]}"
        )
    timeout_ms = int(statement_timeout * 1000)
    kwargs: dict[str, Any] = {}
    if backend == "sqlite":
        path = parsed.database
        if not path or path == ":memory:":
            raise DatabaseError(f"{url}: give the path of an SQLite file (sqlite:///path/to/file.db)")
        if not Path(path).is_file():
            raise DatabaseError(f"{url}: no such SQLite file: {path}")
        uri = f"file:{Path(path).resolve()}?mode=ro"
        kwargs["creator"] = lambda: sqlite3.connect(uri, uri=True, timeout=statement_timeout, check_same_thread=False)
    elif backend in ("postgresql", "postgres"):
        kwargs["connect_args"] = {
            "options": READ_ONLY_PG.format(ms=timeout_ms),
            "connect_timeout": 10,
        }
    elif backend in ("mysql", "mariadb"):
        # Credentials the URL leaves out come from MYSQL_PWD or ~/.my.cnf, as with the mysql client
        # (PostgreSQL's libpq reads PGPASSWORD and ~/.pgpass by itself).
        kwargs["connect_args"] = {"connect_timeout": 10}
        if parsed.password is None and os.environ.get("MYSQL_PWD"):
            parsed = parsed.set(password=os.environ["MYSQL_PWD"])
        if Path("~/.my.cnf").expanduser().is_file():
            kwargs["connect_args"]["read_default_file"] = str(Path("~/.my.cnf").expanduser())
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
        driver = DRIVERS.get(make_url(url).drivername, parsed.get_driver_name())
        raise DatabaseError(
            f"{redact(url)}: no database driver ({exc}); install it, e.g. pip install {PACKAGES.get(driver, driver)}"
        ) from None
    if backend in ("mysql", "mariadb"):

        @sa.event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            for statement in (
                f"SET SESSION max_statement_time = {statement_timeout}",  # MariaDB
                f"SET SESSION max_execution_time = {timeout_ms}",
            ):  # MySQL
                try:
                    cursor.execute(statement)
                except Exception:  # the other server's variable
                    continue
            cursor.close()

    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"{redact(url)}: cannot connect: {message}") from None
    return engine


def discover(
    engine: sa.Engine, include: Sequence[str] = (), exclude: Sequence[str] = (), all_columns: bool = False
) -> tuple[list[Table], list[tuple[str, str]]]:
    """Every table and view the user may read (schema.table globs filter), and what failed."""
    inspector = sa.inspect(engine)
    problems: list[tuple[str, str]] = []
    backend = engine.url.get_backend_name()
    if backend == "sqlite":
        schemas: list[str | None] = [None]
    else:
        schemas = [s for s in inspector.get_schema_names() if s not in SYSTEM_SCHEMAS and not s.startswith("pg_temp")]
    tables = []
    for schema in schemas:
        names = [(n, False) for n in inspector.get_table_names(schema)] + [
            (n, True) for n in inspector.get_view_names(schema)
        ]
        for name, view in sorted(names):
            qualified = f"{schema}.{name}" if schema else name
            if include and not any(fnmatchcase(qualified, g) or fnmatchcase(name, g) for g in include):
                continue
            if exclude and any(fnmatchcase(qualified, g) or fnmatchcase(name, g) for g in exclude):
                continue
            try:
                columns = [
                    Column(c["name"], str(c["type"]), _kind(c["type"], all_columns), column_hint(c["name"]))
                    for c in inspector.get_columns(name, schema)
                ]
                key = [] if view else list(inspector.get_pk_constraint(name, schema).get("constrained_columns") or [])
            except sa.exc.DBAPIError as exc:
                problems.append((qualified, _reason(exc)))
                continue
            tables.append(Table(schema, name, view, columns, key))
    return tables, problems


def _reason(exc: Exception) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()[0]
    if re.search(r"permission denied|denied|not authorized|insufficient privilege", text, re.I):
        return f"permission denied: {text}"
    if re.search(r"timeout|canceling statement|max_statement_time|max_execution_time|interrupted", text, re.I):
        return f"statement timeout: {text}"
    return text


def _sample_sql(engine: sa.Engine, table: Table, columns: str, quoted: str, sample: int) -> tuple[str, str]:
    """(SQL, description) drawing a random sample of ``sample`` rows, by the server's own means.

    PostgreSQL tables: ``TABLESAMPLE BERNOULLI`` at twice the fraction the row estimate suggests, then
    ``LIMIT`` (no full scan); elsewhere (MariaDB/MySQL, SQLite, views): ``ORDER BY RAND()/RANDOM()``.
    """
    backend = engine.url.get_backend_name()
    if backend in ("postgresql", "postgres") and not table.view:
        with engine.connect() as conn:
            estimate = (
                conn.execute(
                    sa.text("SELECT reltuples FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": quoted}
                ).scalar()
                or 0
            )
        percent = 100.0 if estimate <= 0 else min(100.0, max(0.0001, 100.0 * 2 * sample / estimate))
        return (
            f"SELECT {columns} FROM {quoted} TABLESAMPLE BERNOULLI ({percent:.4f}) LIMIT {sample}",
            f"PostgreSQL TABLESAMPLE BERNOULLI ({percent:.4g}%) LIMIT {sample}",
        )
    random = "RAND()" if backend in ("mysql", "mariadb") else "RANDOM()"
    return f"SELECT {columns} FROM {quoted} ORDER BY {random} LIMIT {sample}", f"ORDER BY {random} LIMIT {sample}"


@dataclass
class TableResult:
    table: str
    batches: list[pa.RecordBatch] = field(default_factory=list)
    columns: list[ColumnReport] = field(default_factory=list)
    rows: int = 0
    error: str | None = None
    sampling: str | None = None


def scan_table(
    engine: sa.Engine,
    table: Table,
    scan: Callable[..., Any],
    builder: FindingsBuilder,
    source: str,
    *,
    sample: int | None = None,
    batch_rows: int = BATCH_ROWS,
    statement_timeout: float = 300.0,
) -> TableResult:
    """Stream one table through the engine; a failure is reported in the result, never raised."""
    result = TableResult(table.qualified)
    scanned = [c for c in table.columns if c.kind != "skip"]
    reports = {c.name: ColumnReport(table.qualified, c.name, hint=c.hint) for c in scanned}
    result.columns = list(reports.values())
    if not scanned:
        return result
    preparer = engine.dialect.identifier_preparer
    quoted = (preparer.quote_schema(table.schema) + "." if table.schema else "") + preparer.quote(table.name)
    backend = engine.url.get_backend_name()
    text_type = "CHAR" if backend in ("mysql", "mariadb") else "TEXT"
    selected = [f"{preparer.quote(k)}" for k in table.key] + [
        # inet as text carries its netmask ("192.0.2.5/32"); abbrev() writes a host address plainly
        f"abbrev({preparer.quote(c.name)})"
        if c.type_name.upper() == "INET"
        else f"CAST({preparer.quote(c.name)} AS {text_type})"
        for c in scanned
    ]
    sql = f"SELECT {', '.join(selected)} FROM {quoted}"
    if sample:
        try:
            sql, result.sampling = _sample_sql(engine, table, ", ".join(selected), quoted, sample)
        except sa.exc.DBAPIError as exc:
            result.error = _reason(exc)
            return result
    try:
        offset = 0
        for columns, count in _read(engine, sql, batch_rows, int(statement_timeout * 1000)):
            batch = _scan_batch(scan, builder, source, table, scanned, columns, offset, reports)
            if batch.num_rows:
                result.batches.append(batch)
            offset += count
        result.rows = offset
    except Exception as exc:  # the driver's own error classes: a failed table is reported, not raised
        if not isinstance(exc, sa.exc.DBAPIError) and not _is_driver_error(exc):
            raise
        result.error = _reason(exc)
    return result


def _is_driver_error(exc: Exception) -> bool:
    try:
        from adbc_driver_manager import Error as AdbcError
    except ImportError:  # pragma: no cover - ADBC not installed
        return False
    return isinstance(exc, AdbcError)


def _as_arrow(values: Sequence[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # UUIDs, intervals…: their text will do
        return pa.array([None if v is None else str(v) for v in values], pa.large_string())


def _read(engine: sa.Engine, sql: str, batch_rows: int, timeout_ms: int) -> Iterator[tuple[list[pa.Array], int]]:
    """The query's rows as batches of Arrow columns.

    PostgreSQL goes through ADBC (libpq's binary COPY straight into Arrow, no Python object per cell)
    where its driver is installed; everything else through a SQLAlchemy server-side cursor.
    """
    if engine.url.get_backend_name() in ("postgresql", "postgres"):
        try:
            import adbc_driver_postgresql.dbapi as adbc
        except ImportError:
            adbc = None
        if adbc is not None:
            uri = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            separator = "&" if "?" in uri else "?"
            uri += separator + "options=" + urllib.parse.quote(READ_ONLY_PG.format(ms=timeout_ms))
            with adbc.connect(uri) as conn, conn.cursor() as cursor:
                # batches of a few MB keep memory flat however large the table
                cursor.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(ADBC_BATCH_BYTES)})
                cursor.execute(sql)
                for batch in cursor.fetch_record_batch():
                    yield [batch.column(i) for i in range(batch.num_columns)], batch.num_rows
            return
    with engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(sa.text(sql))
        for chunk in rows.partitions(batch_rows):
            yield [_as_arrow(column) for column in zip(*chunk, strict=True)], len(chunk)


def _scan_batch(
    scan: Callable[..., Any],
    builder: FindingsBuilder,
    source: str,
    table: Table,
    scanned: list[Column],
    columns: list[pa.Array],
    offset: int,
    reports: dict[str, ColumnReport],
) -> pa.RecordBatch:
    """All text of one batch of rows through the engine in one call; locations built column-wise.

    The cells of every scanned column (and each string leaf of JSON columns) go into one Arrow array;
    per cell the engine knows its column's name hint, and each location is assembled from the row's
    key (or number), the column name and the JSON path with Arrow kernels.
    """
    nkey = len(table.key)
    pieces: list[pa.Array] = []
    rows: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    path_pieces: list[pa.Array] = []
    for index, column in enumerate(scanned):
        values = columns[nkey + index]
        present = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
        reports[column.name].rows += len(present)
        if column.kind == "json":
            leaves, parents, paths = [], [], []
            for row, cell in zip(present.tolist(), values.take(pa.array(present)).to_pylist(), strict=True):
                try:
                    document = json.loads(cell) if isinstance(cell, str) else cell
                except ValueError:
                    document = cell
                for path, leaf in json_leaves(document):
                    leaves.append(leaf)
                    parents.append(row)
                    paths.append(path)
            pieces.append(pa.array(leaves, pa.large_string()))
            rows.append(np.asarray(parents, np.int64))
            path_pieces.append(pa.array(paths, pa.large_string()))
        else:
            pieces.append(pc.cast(values.take(pa.array(present)), pa.large_string()))
            rows.append(present.astype(np.int64))
            path_pieces.append(pa.nulls(len(present), pa.large_string()))
        owners.append(np.full(len(rows[-1]), index, np.int64))
    row_of_np = np.concatenate(rows) if rows else np.empty(0, np.int64)
    column_of_np = np.concatenate(owners) if owners else np.empty(0, np.int64)
    cells = pa.concat_arrays(pieces) if pieces else pa.array([], pa.large_string())
    hits = Hits()
    if len(cells):
        hints = np.array([c.hint for c in scanned], dtype=object)[column_of_np]
        hits = scan(cells, hints)
    for group in hits.groups:
        matched = np.unique(np.stack([column_of_np[group.row], row_of_np[group.row]]), axis=1)
        for index, count in zip(*np.unique(matched[0], return_counts=True), strict=True):
            report = reports[scanned[int(index)].name]
            report.matches[group.adapter.entity] = report.matches.get(group.adapter.entity, 0) + int(count)
    if not len(hits):
        return builder.build(source, None, hits, lambda group: pa.array([], pa.string()))

    table_part = '{"table": ' + json.dumps(table.qualified, ensure_ascii=False) + ', "column": '
    column_names = json_literals(pa.array([c.name for c in scanned], pa.large_string()))
    path_array = pa.concat_arrays(path_pieces)
    path_parts = pc.if_else(pc.is_null(path_array), "", concat(', "field": ', json_literals(path_array)))
    key_pieces: list[Any] = []
    for k, name in enumerate(table.key):
        key_pieces += [
            ("" if k == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": ",
            json_literals(pa.array(columns[k])),
        ]

    def locate(group: Any) -> pa.Array:
        row = pa.array(row_of_np[group.row])
        if key_pieces:
            where = [', "row": {', *[p if isinstance(p, str) else p.take(row) for p in key_pieces], "}"]
        else:
            where = [', "row_number": ', pa.array(row_of_np[group.row] + offset + 1)]
        parts = [column_names.take(pa.array(column_of_np[group.row])), path_parts.take(pa.array(group.row))]
        return concat(table_part, *parts, *where, "}").cast(pa.string())

    return builder.build(source, None, hits, locate)


def scan_database(
    url: str,
    scan_factory: Callable[[], tuple[Callable[..., Any], FindingsBuilder]],
    write: Callable[[pa.RecordBatch], None],
    db: DatabaseOptions = DatabaseOptions(),
) -> tuple[list[TableResult], list[tuple[str, str]]]:
    """Scan every readable table of the database; returns per-table results and discovery problems.

    Raises :class:`DatabaseError` when the database cannot be reached at all.
    """
    source = redact(url)
    engine = connect(url, db.statement_timeout)
    try:
        tables, problems = discover(engine, db.include, db.exclude, db.all_columns)
        results: list[TableResult] = []

        def finish(result: TableResult) -> None:
            for batch in result.batches:
                write(batch)
            if result.error:
                write(error_batch(source, None, result.error, {"table": result.table}))
            result.batches = []
            results.append(result)

        for qualified, reason in problems:
            write(error_batch(source, None, reason, {"table": qualified}))
        local = threading.local()  # each thread its own engine and builder (their caches are not shared)

        def job(table: Table) -> TableResult:
            if not hasattr(local, "tools"):
                local.tools = scan_factory()
            scan, builder = local.tools
            return scan_table(
                engine, table, scan, builder, source, sample=db.sample, statement_timeout=db.statement_timeout
            )

        if db.workers <= 1:
            for table in tables:
                finish(job(table))
        else:
            with ThreadPoolExecutor(db.workers) as pool:
                for result in pool.map(job, tables):
                    finish(result)
        return results, problems
    finally:
        engine.dispose()
