"""Running a scan: items from the sources, through the extractors and the engine, to a sink.

Files are spread over worker processes with ``workers > 1``; each worker builds its own engine
once. The parent only writes the findings batches the workers send back and keeps the tally.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field

import pyarrow as pa

from detectors import load_detectors
from scanner.engine import Engine
from scanner.extract import Skipped, Unreadable, extract
from scanner.extract.text import BLOCK_SIZE
from scanner.findings import FindingsBuilder, error_batch
from scanner.sources.database import DatabaseOptions, redact, scan_database
from scanner.sources.files import FileItem, Problem, WalkOptions, describe_os_error, walk

_NOATIME = getattr(os, "O_NOATIME", 0)


@dataclass(frozen=True)
class ScanOptions:
    """Everything a worker needs to rebuild the scanner (must pickle)."""

    key: bytes
    entities: tuple[str, ...] | None = None
    recognizer_files: tuple[str, ...] = ()
    show_values: bool = False
    min_score: float = 0.0
    block_size: int = BLOCK_SIZE


@dataclass
class Summary:
    files: int = 0
    bytes: int = 0
    tables: int = 0
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    findings: Counter[str] = field(default_factory=Counter)
    columns: list[dict[str, object]] = field(default_factory=list)
    seconds: float = 0.0
    reused_files: int = 0  # unchanged since an earlier run: findings carried over, not read again
    reused_bytes: int = 0
    read_seconds: float = 0.0  # time spent reading and scanning files (start-up excluded)

    def add(self, other: Summary) -> None:
        self.files += other.files
        self.bytes += other.bytes
        self.tables += other.tables
        self.rows += other.rows
        self.skipped.update(other.skipped)
        self.errors.extend(other.errors)
        self.findings.update(other.findings)
        self.columns.extend(other.columns)
        self.reused_files += other.reused_files
        self.reused_bytes += other.reused_bytes
        self.read_seconds += other.read_seconds

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "files": self.files,
            "bytes": self.bytes,
            "skipped": dict(self.skipped),
            "errors": [{"source": s, "error": r} for s, r in self.errors],
            "findings": dict(sorted(self.findings.items())),
            "seconds": round(self.seconds, 3),
        }
        if self.tables:
            out.update(tables=self.tables, rows=self.rows, columns=self.columns)
        if self.reused_files:
            out.update(reused_files=self.reused_files, reused_bytes=self.reused_bytes)
        return out


class Scanner:
    """Engine plus findings builder: scans one item into findings batches."""

    def __init__(self, options: ScanOptions) -> None:
        self.options = options
        detectors = load_detectors(options.recognizer_files)
        self.engine = Engine([d.recognizer for d in detectors], options.entities, options.min_score)
        self.builder = FindingsBuilder(options.key, options.show_values)

    def scan_item(
        self, item: FileItem, progress: Callable[[int], None] | None = None
    ) -> tuple[list[pa.RecordBatch], Summary]:
        started = time.perf_counter()
        batches, summary = self._scan_item(item, progress)
        summary.read_seconds = time.perf_counter() - started
        return batches, summary

    def _scan_item(
        self, item: FileItem, progress: Callable[[int], None] | None = None
    ) -> tuple[list[pa.RecordBatch], Summary]:
        summary = Summary()
        batches: list[pa.RecordBatch] = []
        try:
            fd = os.open(item.path, os.O_RDONLY | _NOATIME)
        except PermissionError:  # O_NOATIME needs ownership; retry without it
            try:
                fd = os.open(item.path, os.O_RDONLY)
            except OSError as exc:
                return self._failed(item, exc)
        except OSError as exc:
            return self._failed(item, exc)
        try:
            with os.fdopen(fd, "rb") as stream:
                reported = 0
                for out in extract(stream, item.path, block_size=self.options.block_size):
                    if isinstance(out, Skipped):
                        summary.skipped[out.reason] += 1
                        if out.member is None:  # the file as a whole was left alone
                            return batches, summary
                        continue
                    if isinstance(out, Unreadable):
                        summary.errors.append(
                            (f"{item.display}" + (f" [{out.member}]" if out.member else ""), out.reason)
                        )
                        batches.append(error_batch(item.display, out.member, out.reason))
                        continue
                    hits = self.engine.scan(out.lines)
                    if len(hits):
                        batch = self.builder.build(item.display, out.member, hits, out.locate)
                        batches.append(batch)
                        summary.findings.update(batch.column("entity").to_pylist())
                    if progress and out.member is None:  # decoded bytes: evened out below
                        step = min(out.nbytes, item.size - reported)
                        progress(step)
                        reported += step
                if progress and reported < item.size:
                    progress(item.size - reported)
        except OSError as exc:
            return self._failed(item, exc)
        summary.files = 1
        summary.bytes = item.size
        return batches, summary

    @staticmethod
    def _failed(item: FileItem, exc: OSError) -> tuple[list[pa.RecordBatch], Summary]:
        summary = Summary()
        reason = describe_os_error(exc)
        summary.errors.append((item.display, reason))
        return [error_batch(item.display, None, reason)], summary


_worker: Scanner | None = None


def _init_worker(options: ScanOptions) -> None:
    global _worker
    _worker = Scanner(options)


def _scan_in_worker(item: FileItem) -> tuple[list[pa.RecordBatch], Summary]:
    assert _worker is not None
    return _worker.scan_item(item)


def _problem(problem: Problem, summary: Summary) -> list[pa.RecordBatch]:
    if problem.kind == "skipped":
        summary.skipped[problem.reason] += 1
        return []
    summary.errors.append((problem.display, problem.reason))
    return [error_batch(problem.display, None, problem.reason)]


def run_scan(
    targets: Sequence[str],
    options: ScanOptions,
    write: Callable[[pa.RecordBatch], None],
    *,
    walk_options: WalkOptions | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    items: Sequence[FileItem | Problem] | None = None,
    reuse: Callable[[FileItem], list[pa.RecordBatch] | None] | None = None,
    scanned: Callable[[FileItem], None] | None = None,
) -> Summary:
    """Scan every file under ``targets``; findings go to ``write`` as they are produced.

    ``reuse`` may return the findings of an unchanged file from an earlier run (then it is not read
    again); ``scanned`` hears of every file read or reused, for the next run's comparison.
    """
    started = time.perf_counter()
    summary = Summary()
    listing: Iterator[FileItem | Problem] = (
        iter(items) if items is not None else walk(targets, walk_options or WalkOptions())
    )

    def emit(batches: list[pa.RecordBatch], part: Summary) -> None:
        for batch in batches:
            write(batch)
        if on_error:
            for source, reason in part.errors:
                on_error(source, reason)
        summary.add(part)

    def reused(item: FileItem) -> bool:
        batches = reuse(item) if reuse else None
        if batches is None:
            return False
        part = Summary(files=1, bytes=item.size)
        part.reused_files, part.reused_bytes = 1, item.size
        for batch in batches:
            part.findings.update(e for e in batch.column("entity").to_pylist() if e is not None)
        emit(batches, part)
        if progress:
            progress(item.size)
        if scanned:
            scanned(item)
        return True

    if workers <= 1:
        scanner = Scanner(options)
        for item in listing:
            if isinstance(item, Problem):
                part = Summary()
                emit(_problem(item, part), part)
                continue
            if reused(item):
                continue
            batches, part = scanner.scan_item(item, progress)
            emit(batches, part)
            if scanned and not part.errors:
                scanned(item)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(options,)) as pool:
            pending: dict[Future[tuple[list[pa.RecordBatch], Summary]], FileItem] = {}

            def drain(block_until: int) -> None:
                while len(pending) > block_until:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        item = pending.pop(future)
                        batches, part = future.result()
                        emit(batches, part)
                        if scanned and not part.errors:
                            scanned(item)
                        if progress:
                            progress(item.size)

            for item in listing:
                if isinstance(item, Problem):
                    part = Summary()
                    emit(_problem(item, part), part)
                    continue
                if reused(item):
                    continue
                pending[pool.submit(_scan_in_worker, item)] = item
                drain(4 * workers)
            drain(0)
    summary.seconds = time.perf_counter() - started
    return summary


def run_database_scan(
    url: str,
    options: ScanOptions,
    write: Callable[[pa.RecordBatch], None],
    db: DatabaseOptions,
    on_error: Callable[[str, str], None] | None = None,
) -> Summary:
    """Scan one database; findings go to ``write``. Raises ``DatabaseError`` if it cannot be reached."""
    started = time.perf_counter()
    summary = Summary()

    def counted(batch: pa.RecordBatch) -> None:
        summary.findings.update(e for e in batch.column("entity").to_pylist() if e is not None)
        write(batch)

    def tools() -> tuple[Callable[..., object], FindingsBuilder]:
        scanner = Scanner(options)
        return scanner.engine.scan, scanner.builder

    results, problems = scan_database(url, tools, counted, db)
    source = redact(url)
    summary.errors.extend((f"{source} {table}", reason) for table, reason in problems)
    for result in results:
        summary.tables += 1
        summary.rows += result.rows
        if result.error:
            summary.errors.append((f"{source} {result.table}", result.error))
        for column in result.columns:
            report = column.as_dict()
            if result.sampling:
                report["sampling"] = result.sampling
            summary.columns.append(report)
    if on_error:
        for where, reason in summary.errors:
            on_error(where, reason)
    summary.seconds = time.perf_counter() - started
    return summary
