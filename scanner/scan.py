"""Scanning one item — a file or a database table — into findings batches.

This is the work a worker process does: open the item where it is, let the extractors turn it into
pieces (Arrow text arrays), run the engine over each piece and build the findings. It knows nothing of
walking, pools, sinks or registers (``scanner.pipeline`` does).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from detectors import column_hint_of, load_detectors
from detectors.base import concat
from scanner.engine import Engine, Hits
from scanner.extract import COVERAGE, Limits, Piece, Skipped, Unreadable, error_name, extract
from scanner.extract.tables import ColumnReport, count_columns, table_piece
from scanner.extract.text import BLOCK_SIZE
from scanner.findings import FindingsBuilder, counts, error_batch, json_literals
from scanner.sources.database import (
    SQLITE_MAGIC,
    Connections,
    DatabaseError,
    DatabaseOptions,
    TableItem,
    is_driver_error,
    read,
    reason,
    select_sql,
    table_items,
)
from scanner.sources.files import FileItem, describe_os_error

_NOATIME = getattr(os, "O_NOATIME", 0)

Item = FileItem | TableItem


@dataclass(frozen=True)
class ScanOptions:
    """Everything a worker needs to rebuild the scanner (must pickle)."""

    key: bytes
    entities: tuple[str, ...] | None = None
    recognizer_files: tuple[str, ...] = ()
    show_values: bool = False
    min_score: float = 0.0
    block_size: int = BLOCK_SIZE
    limits: Limits = field(default_factory=Limits)

    def signature(self, entities: set[str], exclude: Sequence[str]) -> str:
        """What a run's findings depend on besides the items themselves; a change means: read everything."""
        from scanner import __version__

        parts = [
            __version__,
            ",".join(sorted(entities)),
            repr(self.entities),
            repr(self.min_score),
            repr(self.limits),
            ",".join(sorted(exclude)),
            self.key.hex(),
        ]
        parts.extend(Path(path).read_text("utf-8", errors="replace") for path in self.recognizer_files)
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


@dataclass
class Summary:
    files: int = 0
    bytes: int = 0
    tables: int = 0
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (where, reason, code)
    coverage: Counter[str] = field(default_factory=Counter)  # items read complete / partial / skipped
    reasons: Counter[str] = field(default_factory=Counter)  # code -> parts not read (or read in part) for it
    findings: Counter[str] = field(default_factory=Counter)
    columns: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    reused_files: int = 0  # unchanged since an earlier run: findings carried over, not read again
    reused_bytes: int = 0
    read_seconds: float = 0.0  # time spent reading and scanning items (start-up excluded)

    def add(self, other: Summary) -> None:
        for name in ("files", "bytes", "tables", "rows", "reused_files", "reused_bytes", "read_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.skipped.update(other.skipped)
        self.errors.extend(other.errors)
        self.coverage.update(other.coverage)
        self.reasons.update(other.reasons)
        self.findings.update(other.findings)
        self.columns.extend(other.columns)

    def count(self, batch: pa.RecordBatch) -> None:
        self.findings.update(counts(batch.column("entity")))

    def unread(self, where: str, reason: str, code: str) -> None:
        """A part not read, or read in part, for ``code``; an error unless it was left alone on purpose."""
        self.reasons[code] += 1
        if code not in QUIET_CODES:
            self.errors.append((where, reason, code))

    def covered(self, coverage: Coverage) -> None:
        self.coverage[coverage.status] += 1

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "files": self.files,
            "bytes": self.bytes,
            "skipped": dict(self.skipped),
            "coverage": {k: self.coverage[k] for k in COVERAGE if self.coverage[k]},
            "reasons": dict(sorted(self.reasons.items())),
            "errors": [{"source": s, "error": r, "code": c} for s, r, c in self.errors],
            "findings": dict(sorted(self.findings.items())),
            "seconds": round(self.seconds, 3),
        }
        if self.tables:
            out.update(tables=self.tables, rows=self.rows, columns=self.columns)
        if self.reused_files:
            out.update(reused_files=self.reused_files, reused_bytes=self.reused_bytes)
        return out


#: Codes of parts left alone on purpose: counted, never reported as errors.
QUIET_CODES = frozenset({"binary", "sampled"})


@dataclass
class Coverage:
    """How much of one item was read: ``complete`` unless some part was not read; then ``partial`` if
    anything was read, else ``skipped``."""

    read: bool = False
    gaps: int = 0

    @property
    def status(self) -> str:
        if not self.gaps:
            return "complete"
        return "partial" if self.read else "skipped"


class Scanner:
    """Engine plus findings builder (and database connections): scans one item into findings batches."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        detectors = load_detectors(options.recognizer_files)
        self.engine = Engine([d.recognizer for d in detectors], options.entities, options.min_score)
        self.builder = FindingsBuilder(options.key, options.show_values)
        self.connections = Connections()
        self._held: list[tuple[int, str, Piece]] | None = None  # pieces put off for scan_group
        self._held_index = 0

    def close(self) -> None:
        self.connections.close()

    def scan_item(
        self, item: Item, summary: Summary, progress: Callable[[int], None] | None = None
    ) -> Iterator[pa.RecordBatch]:
        """The item's findings batches as they are found; ``summary`` is filled in on the way, its coverage
        once the item ends."""
        started = time.perf_counter()
        coverage = Coverage()
        try:
            if isinstance(item, TableItem):
                yield from self._table(item, summary, coverage)
            else:
                yield from self._file(item, summary, coverage, progress)
        except Exception as exc:  # a reader's bug or a hostile file: this item fails, the run goes on
            if isinstance(item, TableItem):  # named by its table, as a table's other errors are
                where = {"table": item.table.qualified}
                shown = f"{item.display} {item.table.qualified}"
                yield self._failed(shown, failure(exc), summary, coverage, "error", item.display, where)
            else:
                yield self._failed(item.display, failure(exc), summary, coverage, "error")
        finally:
            summary.read_seconds += time.perf_counter() - started
        summary.covered(coverage)

    def scan_group(self, items: Sequence[FileItem]) -> Iterator[tuple[str, int, Any]]:
        """Small files read together: ``("reading", i, None)`` as item ``i`` is read (``-1``: the engine
        over all), then ``("batch", 0, batch)``: the findings and error rows of them all in one batch, and
        ``("done", i, summary)`` for each item.

        A few lines cost the engine as much as a few thousand (its patterns are compiled for each call), so
        the text of all the files goes through one engine pass (:meth:`Engine.scan_many`). Each file is
        still read, counted and reported on its own, and an engine failure falls back to file by file.
        """
        held: list[list[pa.RecordBatch]] = [[] for _ in items]
        summaries = [Summary() for _ in items]
        pieces: list[tuple[int, str, Piece]] = []
        self._held = pieces
        try:
            for index, item in enumerate(items):
                yield "reading", index, None  # so that a file that hangs or crashes its worker is known
                self._held_index = index
                held[index].extend(self.scan_item(item, summaries[index]))
        finally:
            self._held = None
        yield "reading", -1, None  # the engine, over all of them
        started = time.perf_counter()
        together = pieces
        try:
            found = self.engine.scan_many([(p.lines, p.hints, p.labels) for _, _, p in together])
        except Exception:  # one text the engine fails on: the others must not fail with it
            together, found = [], []
        done = {id(piece) for _, _, piece in together}
        results = list(zip(together, found, strict=True))
        for index, source, piece in pieces:
            if id(piece) in done:
                continue
            try:
                results.append(((index, source, piece), self.engine.scan(piece.lines, piece.hints, piece.labels)))
            except Exception as exc:
                held[index].append(self._failed(source, failure(exc), summaries[index], Coverage(), "error"))
        position = {id(piece): k for k, (_, _, piece) in enumerate(pieces)}
        results.sort(key=lambda result: position[id(result[0][2])])  # the files' order, as read one by one
        for (index, _, _), hits in results:
            for group in hits.groups:
                summaries[index].findings[group.adapter.entity] += len(group)
        # One batch for the whole group, built at once: a few rows a file would cost more than the reading.
        found = [(source, piece.member, hits, piece.locate) for (_, source, piece), hits in results if len(hits)]
        batches = [batch for batches in held for batch in batches]
        if found:
            batches.append(self.builder.build_many(found))
        share = (time.perf_counter() - started) / max(len(items), 1)
        if batches:
            yield "batch", 0, pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
        for index, summary in enumerate(summaries):
            summary.read_seconds += share
            yield "done", index, summary

    def _take(self, source: str, piece: Piece) -> pa.RecordBatch | None:
        """A file's piece scanned now, or put off for the rest of its group (scan_group)."""
        if self._held is not None:
            self._held.append((self._held_index, source, piece))
            return None
        return self._piece(source, piece)[1]

    def _piece(self, source: str, piece: Piece) -> tuple[Hits, pa.RecordBatch | None]:
        hits = self.engine.scan(piece.lines, piece.hints, piece.labels)
        if not len(hits):
            return hits, None
        return hits, self.builder.build(source, piece.member, hits, piece.locate)

    def _file(
        self, item: FileItem, summary: Summary, coverage: Coverage, progress: Callable[[int], None] | None
    ) -> Iterator[pa.RecordBatch]:
        try:
            fd = _open(item)
        except OSError as exc:
            yield self._failed(item.display, describe_os_error(exc), summary, coverage, "unreadable")
            return
        try:
            is_sqlite = os.pread(fd, len(SQLITE_MAGIC), 0) == SQLITE_MAGIC
        except OSError:
            is_sqlite = False  # the reading below says what is wrong
        if is_sqlite:
            os.close(fd)
            yield from self._sqlite_file(item, summary, coverage)
            return
        reported = 0
        try:
            with os.fdopen(fd, "rb") as stream:
                for out in extract(stream, item.path, limits=self.options.limits, block_size=self.options.block_size):
                    if isinstance(out, Piece):
                        coverage.read = True
                        batch = self._take(item.display, out)
                        if batch is not None:
                            summary.count(batch)
                            yield batch
                        if progress and out.member is None:  # decoded bytes: evened out below
                            step = min(out.nbytes, item.size - reported)
                            progress(step)
                            reported += step
                        continue
                    batch = self._not_read(item.display, out, summary, coverage)
                    if batch is not None:
                        yield batch
                    if isinstance(out, Skipped) and out.member is None:  # the file as a whole was left alone
                        return
        except OSError as exc:
            yield self._failed(item.display, describe_os_error(exc), summary, coverage, "unreadable")
            return
        if progress and reported < item.size:
            progress(item.size - reported)
        summary.files += 1
        summary.bytes += item.size

    def _not_read(
        self, display: str, out: Skipped | Unreadable, summary: Summary, coverage: Coverage
    ) -> pa.RecordBatch | None:
        """A part of a file the extractors did not read: counted, and an error row unless left alone on
        purpose."""
        if isinstance(out, Skipped):
            summary.skipped[out.reason] += 1
        row = self._failed(display, out.reason, summary, coverage, out.code, member=out.member)
        return None if out.code in QUIET_CODES else row

    def _sqlite_file(self, item: FileItem, summary: Summary, coverage: Coverage) -> Iterator[pa.RecordBatch]:
        """An SQLite database lying in a share is read as the database it is (skipping it as binary would
        let a register whose share holds ``crm.db`` look clean); its findings are named by its path."""
        import sqlalchemy as sa

        url = sa.URL.create("sqlite", database=os.path.abspath(item.path)).render_as_string()
        try:
            items = table_items(url, DatabaseOptions(), shown_as=item.display)
        except DatabaseError as exc:
            yield self._failed(item.display, f"unreadable SQLite database: {exc}", summary, coverage, "database-error")
            return
        try:
            for table in items:
                if isinstance(table, TableItem):
                    yield from self._table(table, summary, coverage)
                else:
                    yield self._failed(
                        table.display, table.reason, summary, coverage, "database-error", item.display, table.location
                    )
        finally:
            self.connections.release(url)
        summary.files += 1
        summary.bytes += item.size

    def _table(self, item: TableItem, summary: Summary, coverage: Coverage) -> Iterator[pa.RecordBatch]:
        table, source = item.table, item.display
        scanned = table.scanned
        recognizers = [a.recognizer for a in self.engine.adapters]
        hints = [column_hint_of(c.name, recognizers) for c in scanned]
        reports = [ColumnReport(table.qualified, c.name, hint=h) for c, h in zip(scanned, hints, strict=True)]
        sampling = None
        if not scanned:
            summary.tables += 1  # nothing in it is text: read, and done
            coverage.read = True
        else:
            try:
                engine = self.connections.get(item.url, item.options.statement_timeout)
                sql, sampling = select_sql(engine, item)
                yield from self._rows(item, engine, sql, hints, reports, summary, coverage)
                held = [c.name for c, r in zip(scanned, reports, strict=True) if r.rows]
                yield from self._column_names(item, held, summary)
                summary.tables += 1  # only a table read to its end counts as scanned
                if sampling:
                    coverage.gaps += 1
                    summary.unread(f"{source} {table.qualified}", f"sampled: {sampling}", "sampled")
            except Exception as exc:  # the driver's own error classes: a failed table is reported, not raised
                if not isinstance(exc, DatabaseError) and not is_driver_error(exc):
                    raise
                why = str(exc) if isinstance(exc, DatabaseError) else reason(exc)
                where = {"table": table.qualified}
                yield self._failed(
                    f"{source} {table.qualified}", why, summary, coverage, "database-error", source, where
                )
        for report in reports:
            summary.columns.append({**report.as_dict(), **({"sampling": sampling} if sampling else {})})

    def _column_names(self, item: TableItem, names: list[str], summary: Summary) -> Iterator[pa.RecordBatch]:
        """Findings in the names of the columns that held data, of the detectors a name speaks for
        (``FOUND_IN_NAMES``: ``ammattiliitto``, ``uskontokunta``), located by table and column."""
        wanted = [a for a in self.engine.adapters if a.found_in_names]
        if not names or not wanted:
            return
        hits = self.engine.scan(pa.array([n.replace("_", " ") for n in names], pa.large_string()))
        found = Hits([g for g in hits.groups if g.adapter in wanted])
        if not len(found):
            return
        head = '{"table": ' + json.dumps(item.table.qualified, ensure_ascii=False) + ', "column": '
        columns = json_literals(pa.array(names, pa.large_string()))

        def locate(group: Any) -> pa.Array:  # as table_piece writes a cell's, less its row
            return concat(head, columns.take(pa.array(group.row)), "}").cast(pa.string())

        batch = self.builder.build(item.display, None, found, locate)
        summary.count(batch)
        yield batch

    def _rows(self, item: TableItem, engine, sql, hints, reports, summary: Summary, coverage: Coverage):
        table, scanned = item.table, item.table.scanned
        offset, nkey = 0, len(table.key)
        json_columns = [c.kind == "json" for c in scanned]
        names = [c.name for c in scanned]
        for columns in read(engine, sql, item.options.statement_timeout):
            coverage.read = True
            key = dict(zip(table.key, columns[:nkey], strict=True))
            piece = table_piece(table.qualified, names, columns[nkey:], json_columns, hints, key, offset)
            hits, batch = self._piece(item.display, piece)
            count_columns(reports, columns[nkey:], piece.cells, hits)
            if batch is not None:
                summary.count(batch)
                yield batch
            offset += len(columns[0]) if columns else 0
        summary.rows += offset

    @staticmethod
    def _failed(
        display: str,
        reason: str,
        summary: Summary,
        coverage: Coverage,
        code: str,
        source: str | None = None,
        location: dict | None = None,
        member: str | None = None,
    ) -> pa.RecordBatch:
        """An item, a table or a ``member`` of it that could not be read: in the summary as ``display``
        (with the member), in the output as a row of ``source`` (default: ``display``) at ``location``. The
        row's coverage is ``partial`` when the item had been read in part before it (a limit reached, a
        document's pages after others), else ``skipped``."""
        coverage.gaps += 1
        summary.unread(display + (f" [{member}]" if member else ""), reason, code)
        part = coverage.read and (code == "limit" or member is None)
        return error_batch(source or display, member, reason, location, code, "partial" if part else "skipped")


def coverage_of(summary: Summary) -> dict[str, Any]:
    """A run's coverage as the history keeps it: items per status, parts not read per code."""
    return {**{k: summary.coverage[k] for k in COVERAGE}, "reasons": dict(sorted(summary.reasons.items()))}


def failure(exc: BaseException) -> str:
    """Why an item failed, by the error's type alone: a parser's message may quote the bytes it choked on,
    and those may be personal data (``HARAVA_DEBUG=1`` re-raises instead)."""
    if os.environ.get("HARAVA_DEBUG"):
        raise exc
    return f"failed while reading: {error_name(exc)} (its message is withheld: it may quote the data)"


def _open(item: FileItem) -> int:
    """Read-only, without touching the access time where the file's owner allows it, and only if it is
    still the regular file that was listed: one swapped for a symbolic link is not followed, and one
    swapped for a FIFO or a device neither blocks the run nor is read."""
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if item.follow else os.O_NOFOLLOW)
    try:
        fd = os.open(item.path, flags | _NOATIME)
    except PermissionError:  # O_NOATIME needs ownership; retry without it
        fd = os.open(item.path, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "no longer a regular file (replaced after it was listed)")
    return fd
