"""The one pipeline: targets → sources' items → (carried over, or scanned in a worker) → sinks.

``harava scan`` and ``harava check`` both run :func:`run`. A target is what the user named — a file, a
folder or a database URL; the sources turn it into items (files; a database's tables) without reading
them. Each item is either carried over from an earlier run (unchanged since) or scanned by a
:class:`~scanner.scan.Scanner`, in this process or in worker processes, and every findings batch goes
to the sink with its target as it is produced (from a worker process: when its item is done).
:func:`check` adds only what judging registers needs: one tally per register, and the verdicts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from detectors import Detector, entities_by_category, entities_of
from scanner.config import Config, RegisterConfig, is_database_url, item_path
from scanner.extract import COVERAGE
from scanner.findings import error_batch
from scanner.registers.accepted import Accepted
from scanner.registers.check import CheckResult, RegisterCoverage, RegisterTally
from scanner.registers.exposed import Assessor
from scanner.registers.statement import parse_statement
from scanner.registers.taxonomy import by_entity
from scanner.scan import Coverage, Item, Scanner, ScanOptions, Summary, coverage_of
from scanner.sinks import CheckSink, Listener, Sink
from scanner.sources.database import DatabaseError, DatabaseOptions, TableItem, redact, sqlite_marker, table_items
from scanner.sources.files import FileItem, Problem, WalkOptions, walk
from scanner.supervisor import Group, Supervisor, grouped

if TYPE_CHECKING:
    from pathlib import Path

    from scanner.cluster import ClusterRunner, ClusterSpec
    from scanner.history import PreviousScan

ITEM_TIMEOUT = 300.0  # seconds one item may take before it is reported and left


@dataclass
class Outcome:
    """What a run did, per target: summaries, the targets that could not be scanned at all, and the
    files read or carried over (for the next run's comparison and the retention check)."""

    summaries: dict[str, Summary] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    # (absolute path or URL, size, mtime, coverage): what a later run may carry over
    files: list[tuple[str, int, int, dict[str, Any] | None]] = field(default_factory=list)
    modified: dict[str, int] = field(default_factory=dict)  # displayed path -> mtime (ns)
    reused_from: int | None = None
    seconds: float = 0.0

    def total(self) -> Summary:
        summary = Summary(seconds=self.seconds)
        for part in self.summaries.values():
            summary.add(part)
        return summary

    @property
    def errors(self) -> list[dict[str, str]]:
        return [{"source": s, "error": e, "code": c} for part in self.summaries.values() for s, e, c in part.errors]


@dataclass(frozen=True)
class Carried:
    """An item unchanged since the previous run, with its findings from then."""

    display: str
    key: str
    marker: tuple[int, int]
    batches: list[pa.RecordBatch]
    coverage: dict[str, Any]  # as it was read then, in the shape of scanner.scan.coverage_of


Work = Item | Problem | Carried


def _database_items(url: str, db: DatabaseOptions, previous: PreviousScan | None) -> Iterator[Work]:
    """A database's tables, or — an SQLite file unchanged since the previous run — its findings then.
    Raises :class:`DatabaseError` when the database cannot be reached at all."""
    marker = sqlite_marker(url)
    if marker is not None and previous is not None:
        carried = previous.carried(item_path(url), marker, redact(url))
        if carried is not None:
            yield Carried(redact(url), item_path(url), marker, carried, previous.coverage_of(item_path(url)))
            return
    yield from table_items(url, db)


def _read_as(part: Summary) -> dict[str, Any] | None:
    """An item's coverage as the history keeps it for carrying over; None for the usual case, read
    completely (a history of a million files need not hold a million copies of it)."""
    if not part.reasons and set(part.coverage) <= {"complete"} and part.coverage.get("complete", 0) <= 1:
        return None
    return coverage_of(part)


def _marker(item: FileItem) -> tuple[int, int]:
    """Size and time of a file, with its SQLite write-ahead log if it has one: a database in a share that
    was written since may have changed only its ``-wal`` file."""
    try:
        wal = os.stat(item.path + "-wal")
    except OSError:
        return item.size, item.mtime_ns
    return item.size + wal.st_size, max(item.mtime_ns, wal.st_mtime_ns)


def _file_items(target: str, walk_options: WalkOptions, previous: PreviousScan | None) -> Iterator[Work]:
    for item in walk([target], walk_options):
        if isinstance(item, FileItem) and previous is not None:
            marker = _marker(item)
            key = os.path.abspath(item.path)
            carried = previous.carried(key, marker, item.display)
            if carried is not None:
                yield Carried(item.display, key, marker, carried, previous.coverage_of(key))
                continue
        yield item


class _Run:
    """The bookkeeping of one run: what each finished item adds to the outcome and the sink."""

    def __init__(
        self,
        sink: Sink,
        progress: Callable[[int], None] | None,
        on_error: Callable[[str, str], None] | None,
    ) -> None:
        self.sink, self.progress, self.on_error = sink, progress, on_error
        self.outcome = Outcome()

    def emit(self, target: str, batches: Sequence[pa.RecordBatch], part: Summary) -> None:
        for batch in batches:
            self.sink(target, batch)
        self.outcome.summaries.setdefault(target, Summary()).add(part)
        if self.on_error:
            for where, why, _ in part.errors:
                self.on_error(where, why)

    def problem(self, target: str, problem: Problem) -> None:
        """An item the sources could not hand on: left alone (a symbolic link: not an item), or not read."""
        part = Summary()
        if problem.kind == "skipped":
            part.skipped[problem.reason] += 1
            self.emit(target, [], part)
            return
        part.unread(problem.display, problem.reason, problem.code)
        part.covered(Coverage(gaps=1))
        row = error_batch(problem.source or problem.display, None, problem.reason, problem.location, problem.code)
        self.emit(target, [row], part)

    def carried(self, target: str, item: Carried) -> None:
        size = item.marker[0]
        part = Summary(files=1, bytes=size, reused_files=1, reused_bytes=size)
        for batch in item.batches:
            part.count(batch)
        part.coverage.update({status: n for status in COVERAGE if (n := item.coverage.get(status, 0))})
        part.reasons.update(item.coverage["reasons"])
        self.emit(target, item.batches, part)
        self.read(item.key, item.display, item.marker, item.coverage)
        if self.progress:
            self.progress(size)

    def read(self, key: str, display: str, marker: tuple[int, int], coverage: dict[str, Any] | None) -> None:
        self.outcome.files.append((key, *marker, coverage))
        self.outcome.modified[display] = marker[1]

    def scanned(self, target: str, item: Item, part: Summary) -> None:
        """A file read without errors may be carried over next time, with its coverage."""
        if isinstance(item, FileItem) and not part.errors:
            self.read(os.path.abspath(item.path), item.display, _marker(item), _read_as(part))


def _work(targets: Sequence[str], walk_options: WalkOptions, db: DatabaseOptions, previous, state: _Run):
    """(target, work) for every item of every target; a database that cannot be reached is noted."""
    for target in targets:
        if not is_database_url(target):
            yield from ((target, w) for w in _file_items(target, walk_options, previous))
            continue
        state.outcome.summaries.setdefault(target, Summary())
        try:
            yield from ((target, w) for w in _database_items(target, db, previous))
        except DatabaseError as exc:
            state.outcome.failed[target] = str(exc)
            state.problem(target, Problem(redact(target), str(exc), code="database-error"))


def _after_database(state: _Run, targets: Sequence[str]) -> None:
    """An SQLite file read without errors is remembered like a file, to be carried over next time."""
    for target in targets:
        marker = sqlite_marker(target) if is_database_url(target) else None
        summary = state.outcome.summaries.get(target)
        complete = summary is not None and not summary.reused_files and not summary.errors
        if marker and complete and target not in state.outcome.failed:
            state.read(item_path(target), redact(target), marker, _read_as(summary))


def run(
    targets: Sequence[str],
    options: ScanOptions,
    sink: Sink,
    *,
    walk_options: WalkOptions | None = None,
    db: DatabaseOptions | None = None,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    previous: PreviousScan | None = None,
    item_timeout: float = ITEM_TIMEOUT,
    max_memory: int | None = None,
    cluster: ClusterSpec | None = None,
    key_file: Path | None = None,
) -> Outcome:
    """Scan every target; findings go to ``sink`` as they are produced. With ``previous`` (an earlier run
    from the history), files and SQLite databases unchanged since are carried over, not read again.

    Items are scanned in ``workers`` supervised processes (``scanner.supervisor``): one that crashes or
    reads longer than ``item_timeout`` seconds or uses more than ``max_memory`` bytes is reported and the run
    goes on. ``workers=0`` scans in
    this process, without that protection (for debugging and tests that look inside). With ``cluster``, the
    items are scanned on a Dask cluster instead (``scanner.cluster``; ``key_file``: where its workers look
    for the hash key when it is not in their environment)."""
    started = time.perf_counter()
    state = _Run(sink, progress, on_error)
    state.outcome.reused_from = previous.run_id if previous else None
    work = _work(targets, walk_options or WalkOptions(), db or DatabaseOptions(), previous, state)
    try:
        if cluster is not None:
            from scanner.cluster import ClusterRunner

            runner = ClusterRunner(cluster, options, key_file, item_timeout, max_memory)
            _run_supervised(state, work, options, runner)
        elif workers == 0:
            _run_here(state, work, options)
        else:
            _run_supervised(state, work, options, Supervisor(options, workers, item_timeout, max_memory))
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM: what was done so far, for the summary said on the way out
        state.outcome.seconds = time.perf_counter() - started
        exc.outcome = state.outcome  # type: ignore[attr-defined]
        raise
    _after_database(state, targets)
    state.outcome.seconds = time.perf_counter() - started
    return state.outcome


def _handled(state: _Run, target: str, item: Work) -> bool:
    """Problems and carried-over items need no scanner."""
    if isinstance(item, Problem):
        state.problem(target, item)
        return True
    if isinstance(item, Carried):
        state.carried(target, item)
        return True
    return False


def _to_read(state: _Run, work: Iterator[tuple[str, Work]]) -> Iterator[tuple[str, Item]]:
    """The items of ``work`` that must be read; problems and carried-over files are dealt with here."""
    for target, item in work:
        if not _handled(state, target, item):
            yield target, item  # type: ignore[misc]


def _run_here(state: _Run, work: Iterator[tuple[str, Work]], options: ScanOptions) -> None:
    """Every item read in this process (``--workers 0``), small files in groups as the workers read them."""
    scanner = Scanner(options)
    try:
        for target, item in grouped(_to_read(state, work)):
            if isinstance(item, Group):
                _group_here(state, scanner, item)
                continue
            part = Summary()
            for batch in scanner.scan_item(item, part, state.progress):
                state.sink(target, batch)
            state.emit(target, [], part)
            state.scanned(target, item, part)
    finally:
        scanner.close()


def _group_here(state: _Run, scanner: Scanner, group: Group) -> None:
    for kind, index, payload in scanner.scan_group([member for _, member in group.members]):
        target, item = group.members[max(index, 0)]
        if kind == "batch":
            state.sink(target, payload)
        elif kind == "done":
            state.emit(target, [], payload)
            state.scanned(target, item, payload)
            if state.progress:
                state.progress(item.size)


def _run_supervised(
    state: _Run, work: Iterator[tuple[str, Work]], options: ScanOptions, supervisor: Supervisor | ClusterRunner
) -> None:
    def done(target: str, item: Item, part: Summary) -> None:
        state.emit(target, [], part)
        state.scanned(target, item, part)
        if state.progress and isinstance(item, FileItem):
            state.progress(item.size)

    def failed(target: str, item: Item, why: str, code: str, coverage: str, part: Summary) -> None:
        location = {"table": item.table.qualified} if isinstance(item, TableItem) else None
        state.emit(target, [error_batch(item.display, None, why, location, code, coverage)], part)
        if state.progress and isinstance(item, FileItem):
            state.progress(item.size)

    try:
        supervisor.run(_to_read(state, work), state.sink, done, failed)
    except KeyboardInterrupt:
        for target, part in supervisor.interrupted:
            state.outcome.summaries.setdefault(target, Summary()).add(part)
        raise


def tallies(
    config: Config, detectors: Sequence[Detector], accepted: list[Accepted] | None = None
) -> list[RegisterTally]:
    """One tally per register, its statement read with the categories ``detectors`` declare (raises
    ``StatementError`` for a statement that cannot be read)."""
    mapping = entities_by_category(detectors)
    categories = by_entity(mapping)
    return [
        RegisterTally(r, parse_statement(r.statement, str(r.statement), mapping=mapping), config, accepted, categories)
        for r in config.registers
    ]


def check(
    config: Config,
    options: ScanOptions,
    tallies: Sequence[RegisterTally],
    *,
    detectors: Sequence[Detector],
    listeners: Sequence[Listener] = (),
    **run_options: Any,
) -> tuple[CheckResult, Outcome]:
    """Scan every register's sources (each once, however many registers list it) and judge every register
    with its tally. ``listeners`` hear each finding per register, marked undeclared or not; ``run_options``
    go to :func:`run`."""
    sources = list(dict.fromkeys(s for r in config.registers for s in r.sources))
    exclude = tuple(config.exclude)
    outcome = run(
        sources,
        options,
        CheckSink(tallies, listeners),
        walk_options=WalkOptions(exclude=exclude),
        db=DatabaseOptions(exclude=exclude),
        **run_options,
    )
    entities = entities_of(detectors)
    verdicts = [t.verdict(entities, outcome.modified, _coverage(config, t.register, outcome)) for t in tallies]
    assessor = Assessor(sources)
    try:
        for tally, verdict in zip(tallies, verdicts, strict=True):
            verdict.risk = assessor.assess(
                tally.register,
                tally.items,
                tally.open_items,
                verdict.retention["days"] if verdict.retention else None,
                tally.categories,
                outcome.modified,
            )
    finally:
        assessor.close()
    incomplete = bool(outcome.failed) or any(v.incomplete for v in verdicts)
    return CheckResult(verdicts, outcome.errors, incomplete=incomplete), outcome


def _coverage(config: Config, register: RegisterConfig, outcome: Outcome) -> RegisterCoverage:
    coverage = RegisterCoverage(accepted=config.accepted_unread(register))
    for source in register.sources:
        summary = outcome.summaries.get(source)
        if summary is not None:
            coverage.items.update(summary.coverage)
            coverage.unread.update(summary.reasons)
        if source in outcome.failed:
            coverage.unreachable.append(source)
    return coverage
