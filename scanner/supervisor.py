"""Supervised worker processes: items are scanned outside the main process, one at a time per worker.

Parsers of hostile files run C code (Arrow, libxml2, zlib, PDF and image libraries) that can crash the
process or never return; ``try``/``except`` cannot contain either. So each item is scanned in a worker
process that streams the item's findings batches back over a pipe of its own, batch by batch (memory stays
flat however many findings a file holds), and ends with the item's summary. A worker that dies (a signal,
an exit), runs past ``item_timeout`` or grows past ``max_memory`` (resident memory, looked at every
second) is killed and replaced; its item is reported with the reason, the batches it had already sent are
kept, and the run goes on with the next item. (An address-space rlimit would be simpler, but Arrow's and
the PDF libraries' allocators reserve far more address space than they use.)

Small files travel in groups (:class:`Group`: up to ``GROUP_FILES`` files of at most ``SMALL_FILE``
bytes, of one target): a worker reads them together, runs the engine once over all their text (compiling
its patterns costs milliseconds a call, more than reading a small file), and sends their findings as one
batch with every file's summary, in one message. A group whose worker fails is not reported as such: the
file it was reading (which the worker writes to memory shared with the supervisor) is reported, and the
others go again one by one (all of them if it failed in the engine pass over all), so a poison file is
found and reported alone.

Why not a pool library: pebble's ``ProcessPool`` supervises well but returns one result per task, so a
file's findings would all sit in memory until it ends; and a queue shared by the workers is corrupted when
one of them is killed mid-write. A pipe per worker is neither.
"""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

import pyarrow as pa

from scanner.findings import SCHEMA
from scanner.scan import Coverage, Item, Scanner, ScanOptions, Summary
from scanner.sources.files import FileItem

SMALL_FILE = 64 * 1024  # bytes: a file up to this size is read in a group
GROUP_FILES = 256
GROUP_BYTES = 4 << 20


@dataclass
class Group:
    """Small files one worker reads together; ``members`` are (target, item) pairs."""

    members: list[tuple[str, FileItem]]


def grouped(work: Iterable[tuple[str, Item]]) -> Iterator[tuple[str, Item | Group]]:
    """The work with runs of small files gathered into groups (a lone small file stays an item)."""
    run: list[tuple[str, FileItem]] = []
    size = 0

    def flush() -> Iterator[tuple[str, Item | Group]]:
        nonlocal run, size
        if len(run) == 1:
            yield run[0]
        elif run:
            yield run[0][0], Group(run)
        run, size = [], 0

    for target, item in work:
        if run and target != run[0][0]:  # a group's findings go out as one batch, under one target
            yield from flush()
        if isinstance(item, FileItem) and item.size <= SMALL_FILE:
            run.append((target, item))
            size += item.size
            if len(run) >= GROUP_FILES or size >= GROUP_BYTES:
                yield from flush()
            continue
        yield from flush()
        yield target, item
    yield from flush()


NOT_READING = -2  # a worker's ``reading`` before it starts on a group

#: In place of a findings batch in a message: the batch follows as the next message, in Arrow's IPC format
#: (written and read without copying its buffers, several times cheaper than pickling it).
FOLLOWS = "arrow-ipc"


def _follows(payload: object) -> bool:
    return isinstance(payload, str) and payload == FOLLOWS


def _following(connection: Connection) -> pa.RecordBatch:
    return findings_batch(connection.recv_bytes())


def findings_batch(data: bytes) -> pa.RecordBatch:
    """A findings batch from its Arrow IPC message (``RecordBatch.serialize``), without copying its buffers."""
    return pa.ipc.read_record_batch(pa.py_buffer(data), SCHEMA)


#: What a run reports through: a findings batch of a target; an item done, with its summary; an item that
#: failed (why, the code, its coverage, the summary of what had been read).
OnBatch = Callable[[str, pa.RecordBatch], None]
OnDone = Callable[[str, Item, Summary], None]
OnFailed = Callable[[str, Item, str, str, str, Summary], None]


#: Worker processes are forked: they start at once with everything the parent imported. (Spawned ones would
#: import Presidio, pyarrow and the detectors again, seconds per worker.)
CONTEXT = multiprocessing.get_context("fork")


def _serve(connection: Connection, parents_end: Connection, parent: int, options: ScanOptions, reading) -> None:
    """A worker's life: scan each item sent, stream its batches, then its summary. A group's findings and
    summaries go back in one message at its end; which of its files is being read is written to
    ``reading``, memory shared with the supervisor (no message per file: a small file costs less to read
    than two messages to send and receive)."""
    parents_end.close()  # else the pipe never reports the parent gone
    _die_with(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    faulthandler.disable()  # a crash is reported as the item's failure, not as a stack dump on stderr
    scanner = Scanner(options)
    try:
        while True:
            item = connection.recv()
            if item is None:
                return
            if isinstance(item, Group):
                messages, batches = [], []
                for kind, index, payload in scanner.scan_group([member for _, member in item.members]):
                    if kind == "reading":
                        reading.value = index
                        continue
                    if kind == "batch" and payload.schema.equals(SCHEMA):
                        batches.append(payload.serialize())
                        payload = FOLLOWS
                    messages.append((kind, index, payload))
                connection.send(("group", messages))
                for data in batches:
                    connection.send_bytes(data)
                continue
            summary = Summary()
            for batch in scanner.scan_item(item, summary):
                if batch.schema.equals(SCHEMA):
                    connection.send(("batch", FOLLOWS))
                    connection.send_bytes(batch.serialize())
                else:
                    connection.send(("batch", batch))
            connection.send(("done", summary))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):  # the parent has gone
        return
    finally:
        scanner.close()


MEMORY_CHECK_SECONDS = 1.0
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _resident(pid: int) -> int:
    """Bytes of resident memory of a process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _die_with(parent: int) -> None:
    """A worker must not outlive the run: killed with ``kill -9``, the parent cannot stop it, and a worker
    busy in a long read would go on holding the run's output and history open. Linux ends it with its
    parent (``PR_SET_PDEATHSIG``); elsewhere it notices at its next item, when the pipe is closed."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


_PR_SET_PDEATHSIG = 1


def _why_it_died(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"crashed: the reader died of {name}"
    return f"crashed: the reader exited with status {exitcode}"


@dataclass
class _Worker:
    process: Any
    connection: Connection
    #: shared with the worker: the member of a group being read (-1: the engine over all of them)
    reading: Any
    target: str | None = None
    item: Item | Group | None = None
    started: float = 0.0
    # what has arrived of the current item: if its worker dies, the findings it sent are kept and counted
    received: Summary = field(default_factory=Summary)
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def busy(self) -> bool:
        return self.item is not None


@dataclass
class Supervisor:
    """Runs items through ``workers`` supervised processes; see the module docstring."""

    options: ScanOptions
    workers: int = 1
    item_timeout: float = 300.0
    max_memory: int | None = None  # bytes of resident memory one worker may use
    pool: list[_Worker] = field(default_factory=list)
    interrupted: list[tuple[str, Summary]] = field(default_factory=list)
    #: Gather small files into groups. That looks ahead in the work (up to GROUP_FILES items) before
    #: assigning it: off for a caller that hands items in one at a time and waits for each.
    groups: bool = True
    #: Files of a failed group, to be read again one by one.
    again: deque[tuple[str, Item]] = field(default_factory=deque)
    #: Keep the idle workers when a run ends, for the next run (a cluster worker's tasks, one after another);
    #: :meth:`close` ends them.
    keep: bool = False

    def _start(self) -> _Worker:
        ours, theirs = CONTEXT.Pipe()
        reading = CONTEXT.RawValue("i", NOT_READING)
        args = (theirs, ours, os.getpid(), self.options, reading)
        process = CONTEXT.Process(target=_serve, args=args, daemon=True)
        process.start()
        theirs.close()
        return _Worker(process, ours, reading)

    def _stop(self, worker: _Worker, kill: bool = False) -> None:
        if kill and worker.process.is_alive():
            os.kill(worker.process.pid, signal.SIGKILL)
        worker.process.join(timeout=5)
        worker.connection.close()
        self.pool.remove(worker)

    def run(
        self,
        work: Iterator[tuple[str, Item]],
        on_batch: OnBatch,
        on_done: OnDone,
        on_failed: OnFailed,
    ) -> None:
        """Every item of ``work`` scanned; ``on_failed`` hears of one whose worker crashed or timed out (why,
        the code, the item's coverage and the summary of what it had read)."""
        pending = grouped(work) if self.groups else iter(work)
        exhausted = finished = False
        try:
            while True:
                while len([w for w in self.pool if w.busy]) < self.workers:
                    following = self.again.popleft() if self.again else None if exhausted else next(pending, None)
                    if following is None:
                        exhausted = True
                        break
                    self._assign(*following)
                busy = [w for w in self.pool if w.busy]
                if not busy:
                    finished = True
                    return
                self._wait(busy, on_batch, on_done, on_failed)
        except KeyboardInterrupt:
            # the items being read when the run was stopped: their findings went out, so they count
            self.interrupted = [(w.target, w.received) for w in self.pool if w.busy]
            raise
        finally:
            if not (finished and self.keep):  # kept only idle, after a run that ended well
                self.close()

    def _assign(self, target: str, item: Item | Group) -> None:
        idle = next((w for w in self.pool if not w.busy), None)
        if idle is not None and not idle.process.is_alive():  # died between items
            self._stop(idle)
            idle = None
        if idle is None:
            idle = self._start()
            self.pool.append(idle)
        idle.target, idle.item, idle.started = target, item, time.monotonic()
        idle.received, idle.coverage, idle.reading.value = Summary(), Coverage(), NOT_READING
        with contextlib.suppress(OSError):  # it died just now: reported as crashed when its sentinel is seen
            idle.connection.send(item)

    def _wait(self, busy: list[_Worker], on_batch, on_done, on_failed) -> None:
        deadline = min(w.started for w in busy) + self.item_timeout
        wake = max(0.0, deadline - time.monotonic())
        if self.max_memory is not None:
            wake = min(wake, MEMORY_CHECK_SECONDS)
        ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy], wake)
        for worker in busy:
            if worker.connection in ready or worker.process.sentinel in ready:
                self._receive(worker, on_batch, on_done, on_failed)
        for worker in busy:  # also those that keep sending: a steady stream of findings is no pass
            if not worker.busy or worker not in self.pool:
                continue
            if time.monotonic() - worker.started > self.item_timeout:
                why = f"timeout: still reading after {self.item_timeout:g} s (--item-timeout)"
                self._fail(worker, why, "timeout", on_failed)
            elif self.max_memory is not None and _resident(worker.process.pid) > self.max_memory:
                why = f"too large: the reader used more than {self.max_memory / 2**20:.0f} MiB of memory (--max-memory)"
                self._fail(worker, why, "too-large", on_failed)

    def _receive(self, worker: _Worker, on_batch, on_done, on_failed) -> None:
        """What the worker has sent, for up to a second (so that the limits of every worker are looked at
        between); a worker that died mid-item fails that item."""
        until = time.monotonic() + MEMORY_CHECK_SECONDS
        try:
            while worker.connection.poll():
                if time.monotonic() > until:
                    return  # more is waiting: read on at the next round
                kind, *message = worker.connection.recv()
                if kind == "group":  # every member's ("batch" | "done", member, payload), at once
                    entries = [  # all of it before any of it is reported: a group is reported whole or read again
                        (kind, index, _following(worker.connection) if _follows(payload) else payload)
                        for kind, index, payload in message[0]
                    ]
                    for kind, *member_message in entries:
                        self._took(worker, kind, member_message, on_batch, on_done)
                    worker.target = worker.item = None
                    return
                if _follows(message[-1]):
                    message[-1] = _following(worker.connection)
                if self._took(worker, kind, message, on_batch, on_done):
                    worker.target = worker.item = None
                    return
        except (EOFError, OSError):
            pass
        if not worker.process.is_alive():
            worker.process.join()
            self._fail(worker, _why_it_died(worker.process.exitcode), "crashed", on_failed)

    def _took(self, worker: _Worker, kind: str, message: list, on_batch, on_done) -> bool:
        """One message handled; True when it ends a single item."""
        payload = message[-1]
        target, item = worker.target, worker.item
        if isinstance(item, Group):
            target, item = item.members[message[0]]
        if kind == "batch":
            worker.received.count(payload)
            # error rows are no reading: only findings make a crashed item partial
            worker.coverage.read = worker.coverage.read or payload.column("entity").null_count < len(payload)
            on_batch(target, payload)
            return False
        on_done(target, item, payload)
        return True

    def _fail(self, worker: _Worker, why: str, code: str, on_failed) -> None:
        """The item is reported ``partial`` if its worker had sent findings (they are kept), else
        ``skipped``. Of a group (whose results come back all at once, so nothing of it has been reported),
        the file being read when it failed is reported as failed and the others are read again one by
        one; when it failed in the engine pass over all of them, each is read again alone, so that the
        cause shows itself."""
        target, item, summary, coverage = worker.target, worker.item, worker.received, worker.coverage
        if isinstance(item, Group):
            rest = list(item.members)
            reading = worker.reading.value
            if reading < 0:  # the engine over all of them (or not started)
                self._stop(worker, kill=True)
                self.again.extend(rest)
                return
            (target, item) = rest.pop(reading)
            self.again.extend(rest)
        self._stop(worker, kill=True)
        coverage.gaps += 1
        summary.unread(item.display, why, code)
        summary.covered(coverage)
        on_failed(target, item, why, code, coverage.status, summary)

    def close(self) -> None:
        for worker in list(self.pool):
            if not worker.busy:
                with contextlib.suppress(OSError):
                    worker.connection.send(None)
            self._stop(worker, kill=worker.busy)
