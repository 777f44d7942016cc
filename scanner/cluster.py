"""The same scan on a Dask cluster (``--cluster``), for shares and databases one machine cannot get through.

The driver (this process) walks the sources as a local run does and sends **batches of items** to the
cluster: up to ``BATCH_ITEMS`` items (a group of small files counts as one) or ``BATCH_BYTES`` of files,
with at most ``IN_FLIGHT`` batches per worker under way. A worker opens the items itself — a file by its
path (the share mounted at the same path on every worker; relative paths are made absolute first), a table
by its database URL — so no file's bytes pass through the scheduler; it returns the findings as Arrow IPC
with each item's summary, which the driver hands to the same sinks as a local run (outputs, history,
register comparison).

Failures: in each task, the items are read by a supervised process forked from the worker
(``scanner.supervisor``; kept from task to task), so a reader that crashes, hangs past ``--item-timeout`` or grows past
``--max-memory`` costs its item, reported as a local run reports it, and the worker goes on. A worker
that dies itself (the machine's OOM killer, a killed process) has its batches run again by the scheduler;
one that keeps dying on a batch (Dask's ``KilledWorker``) is split and sent again item by item, a group of
small files file by file, and an item that still kills its worker is reported ``crashed`` alone. A lost
scheduler ends the run (:class:`ClusterError`, exit 2).

The hash key never travels with a task (Dask may show task arguments in its dashboard and logs): each
worker reads its own, from ``HARAVA_HASH_KEY`` or the key file (``HARAVA_KEY_FILE``, the config's
``key_file`` or the default path), and checks it by its id against the driver's before it reads anything.

Nothing here is imported without ``--cluster``; ``dask[distributed]`` is the optional extra
``harava[cluster]``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import itertools
import os
import pickle
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from scanner.findings import SCHEMA
from scanner.scan import Coverage, Item, ScanOptions, Summary, failure
from scanner.sources.database import TableItem
from scanner.sources.files import FileItem
from scanner.supervisor import Group, OnBatch, OnDone, OnFailed, Supervisor, findings_batch, grouped

BATCH_ITEMS = 64  # items per task (a group of small files is one): a task costs the scheduler ~2 ms
BATCH_BYTES = 8 << 20  # of files per task: under a second of reading, so that the last tasks leave no worker idle long
IN_FLIGHT = 2  # batches per worker under way: one running, one waiting, so that no worker idles
#: Local clusters: how often a batch may kill a worker before the scheduler gives up on it (``KilledWorker``)
#: and the batch is split. A remote scheduler keeps its own ``distributed.scheduler.allowed-failures``.
ALLOWED_FAILURES = 1
WORKERS_TIMEOUT = 60  # seconds a scheduler may have no worker before the run ends


class ClusterError(Exception):
    """The cluster cannot be used: no Dask, no scheduler at the address, the scheduler lost, or workers
    whose hash key is another than this machine's."""

    quotes_no_data = True  # the message names addresses and keys' ids, never scanned text: shown as it is


@dataclass(frozen=True)
class ClusterSpec:
    """``local:N`` (a ``LocalCluster`` of N processes on this machine) or a scheduler's address."""

    address: str | None = None
    processes: int | None = None

    def __str__(self) -> str:
        return self.address or f"local:{self.processes}"


def parse_cluster(text: str) -> ClusterSpec:
    """What ``--cluster`` (or ``[cluster] address``) names.

    >>> parse_cluster("local:2"), parse_cluster("tcp://10.0.0.5:8786").address
    (ClusterSpec(address=None, processes=2), 'tcp://10.0.0.5:8786')
    >>> parse_cluster("scheduler:8786")
    Traceback (most recent call last):
        ...
    ValueError: 'scheduler:8786': expected local:N or a scheduler address such as tcp://host:8786
    """
    text = text.strip()
    if text == "local":
        return ClusterSpec(processes=os.cpu_count() or 1)
    if text.startswith("local:"):
        count = text.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise ValueError(f"{text!r}: local:N needs a number of processes, 1 or more")
        return ClusterSpec(processes=int(count))
    if "://" in text and text.split("://", 1)[1]:
        return ClusterSpec(address=text)
    raise ValueError(f"{text!r}: expected local:N or a scheduler address such as tcp://host:8786")


# --- on the workers ------------------------------------------------------------------------------------

_SUPERVISORS: dict[tuple[bytes, int], Supervisor] = {}


@dataclass(frozen=True)
class TaskOptions:
    """What a task carries: the scan options without the key, the key's id and where to look for it, and
    the limits each item is read under."""

    options: ScanOptions
    key_id: str
    key_file: str | None
    item_timeout: float
    max_memory: int | None


def _worker_key(expected: str, key_file: str | None) -> bytes:
    """This worker's hash key, read (never made: a new random key would only fail the check) and checked."""
    from scanner.keys import ENV_KEY, ENV_KEY_FILE, key_id, key_source, load_key

    source = key_source(Path(key_file) if key_file else None)
    if not source.from_environment and not source.path.exists():
        raise ClusterError(
            f"no hash key on worker {_here()}: give it the run's key in {ENV_KEY}, or its key file "
            f"({source.path}, or the path in {ENV_KEY_FILE})"
        )
    key = load_key(source.path if not source.from_environment else None)
    if key_id(key) != expected:
        raise ClusterError(
            f"worker {_here()} has another hash key (id {key_id(key)}) than the run's ({expected}): its value "
            "hashes would not match; give every worker the same key"
        )
    return key


def _here() -> str:
    import socket

    return f"{socket.gethostname()} (pid {os.getpid()})"


def _wire(batch: pa.RecordBatch) -> bytes | pa.RecordBatch:
    """A findings batch as Arrow IPC bytes (an error row of another shape as it is)."""
    return batch.serialize().to_pybytes() if batch.schema.equals(SCHEMA) else batch


def _unwire(payload: bytes | pa.RecordBatch) -> pa.RecordBatch:
    return findings_batch(payload) if isinstance(payload, bytes) else payload


def _supervisor(task: TaskOptions) -> Supervisor:
    """This worker thread's supervisor for these options, kept from task to task with its reading process
    (forked once, its scanner warm), as a local run's workers are; the worker's key is read and checked when
    it is made."""
    key = (pickle.dumps(task), threading.get_ident())
    supervisor = _SUPERVISORS.get(key)
    if supervisor is None:
        options = dataclasses.replace(task.options, key=_worker_key(task.key_id, task.key_file))
        supervisor = Supervisor(options, 1, task.item_timeout, task.max_memory, groups=False, keep=True)
        _SUPERVISORS[key] = supervisor
    return supervisor


def _may_start_processes() -> None:
    """Dask starts its workers as daemon processes, and ``multiprocessing`` forbids a daemon to start any: a
    daemon killed would orphan them. The supervisor's readers end with their parent whatever ends it
    (``PR_SET_PDEATHSIG``), so the rule's reason does not hold for them."""
    import multiprocessing

    process = multiprocessing.current_process()
    if process.daemon:
        process._config["daemon"] = False  # type: ignore[attr-defined]


def scan_batch(task: TaskOptions, members: list[tuple[str, Item | Group]]) -> list[tuple[str, str, Any, Any]]:
    """A task: the items read as a local run reads them, by a supervised process forked from this worker
    (:class:`scanner.supervisor.Supervisor`), so that a crash, a hang or a memory hog costs its item, not
    the worker, and is reported as a local run reports it. Returns ``(kind, target, item, payload)``:
    ``batch`` (findings), ``done`` (a summary) and ``failed`` (why, code, coverage, summary)."""
    _may_start_processes()
    out: list[tuple[str, str, Any, Any]] = []
    supervisor = _supervisor(task)
    supervisor.run(
        iter(members),
        lambda target, batch: out.append(("batch", target, None, _wire(batch))),
        lambda target, item, summary: out.append(("done", target, item, summary)),
        lambda target, item, *failure: out.append(("failed", target, item, failure)),
    )
    return out


# --- on the driver -------------------------------------------------------------------------------------


def _size(item: Item | Group) -> int:
    if isinstance(item, Group):
        return sum(file.size for _, file in item.members)
    return item.size if isinstance(item, FileItem) else 0


def _portable(item: Item | Group) -> Item | Group:
    """The item as a worker elsewhere must see it: a relative path (``examples/share``, an SQLite file named
    ``sqlite:///crm.db``) made absolute, as the driver resolves it."""
    if isinstance(item, Group):
        return Group([(target, _portable(file)) for target, file in item.members])  # type: ignore[misc]
    if isinstance(item, FileItem) and not os.path.isabs(item.path):
        return dataclasses.replace(item, path=os.path.abspath(item.path))
    if isinstance(item, TableItem) and item.url.startswith("sqlite"):
        from sqlalchemy.engine import make_url

        url = make_url(item.url)
        if url.database and url.database != ":memory:" and not os.path.isabs(url.database):
            absolute = url.set(database=os.path.abspath(url.database))
            url = absolute.render_as_string(hide_password=False)
            return dataclasses.replace(item, url=url, shown_as=item.display)  # still named as the user did
    return item


@dataclass
class _Batch:
    members: list[tuple[str, Item | Group]]


class ClusterRunner:
    """Runs the work on a cluster, reporting as :class:`scanner.supervisor.Supervisor` does."""

    def __init__(
        self,
        spec: ClusterSpec,
        options: ScanOptions,
        key_file: Path | None = None,
        item_timeout: float = 300.0,
        max_memory: int | None = None,
    ) -> None:
        from scanner.keys import key_id

        self.spec = spec
        self.task = TaskOptions(
            dataclasses.replace(options, key=b""),
            key_id(options.key),
            str(key_file) if key_file else None,
            item_timeout,
            max_memory,
        )
        # as a Supervisor's: items stopped mid-read. A task's findings come back only when it ends, so a stopped
        # run has none of them to count.
        self.interrupted: list[tuple[str, Summary]] = []
        self.again: deque[_Batch] = deque()

    @contextlib.contextmanager
    def _client(self) -> Iterator[Any]:
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError("--cluster needs Dask: pip install 'harava[cluster]'") from None
        if self.spec.processes is not None:
            with (
                dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}),
                LocalCluster(
                    n_workers=self.spec.processes,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=50,
                ) as cluster,
                Client(cluster) as client,
            ):
                yield client
            return
        import logging

        for name in ["distributed", *logging.root.manager.loggerDict]:  # its reconnection tracebacks: the error says it
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
        try:  # how long to try: dask's distributed.comm.timeouts.connect (30 s unless configured)
            client = Client(self.spec.address, timeout=dask.config.get("distributed.comm.timeouts.connect"))
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {self.spec.address}: {exc}") from None
        with client:
            yield client

    def run(
        self,
        work: Iterator[tuple[str, Item]],
        on_batch: OnBatch,
        on_done: OnDone,
        on_failed: OnFailed,
    ) -> None:
        from distributed import as_completed

        with self._client() as client:
            try:
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
            except TimeoutError:
                raise ClusterError(
                    f"the Dask scheduler at {self.spec} has no workers (waited {WORKERS_TIMEOUT} s)"
                ) from None
            batches = self._batches(grouped(work))
            running = as_completed()
            under_way: dict[Any, _Batch] = {}
            numbers = itertools.count()

            def submit(batch: _Batch) -> None:
                key = f"harava-{os.getpid()}-{next(numbers)}"  # unique: Dask would reuse a known key's result
                future = client.submit(scan_batch, self.task, batch.members, pure=False, key=key)
                under_way[future] = batch
                running.add(future)

            def fill() -> None:
                workers = max(len(client.scheduler_info().get("workers", {})), 1)  # workers come and go
                while len(under_way) < IN_FLIGHT * workers:
                    following = self.again.popleft() if self.again else next(batches, None)
                    if following is None:
                        return
                    submit(following)

            fill()
            for future in running:
                batch = under_way.pop(future)
                self._finished(future, batch, on_batch, on_done, on_failed)
                fill()

    def _batches(self, work: Iterator[tuple[str, Item | Group]]) -> Iterator[_Batch]:
        members: list[tuple[str, Item | Group]] = []
        size = 0
        for target, item in work:
            members.append((target, _portable(item)))
            size += _size(item)
            if len(members) >= BATCH_ITEMS or size >= BATCH_BYTES:
                yield _Batch(members)
                members, size = [], 0
        if members:
            yield _Batch(members)

    def _finished(self, future: Any, batch: _Batch, on_batch, on_done, on_failed) -> None:
        from distributed import KilledWorker

        try:
            results = future.result()
        except (asyncio.CancelledError, concurrent.futures.CancelledError) as exc:  # the scheduler lost it
            raise ClusterError(
                f"lost the Dask scheduler at {self.spec}: the run's tasks were cancelled ({type(exc).__name__}; the"
                " scheduler stopped, or the connection to it broke)"
            ) from None
        except KilledWorker:
            self._split(
                batch, on_failed, "crashed", "crashed: the reader killed its worker (the cluster gave up on it)"
            )
            return
        except ClusterError:
            raise
        except (OSError, TimeoutError) as exc:  # the scheduler is gone
            raise ClusterError(f"lost the Dask scheduler at {self.spec}: {exc}") from None
        except Exception as exc:  # a failure inside the task: the batch's items one by one, to find its own
            self._split(batch, on_failed, "error", failure(exc))  # by its type: its message may quote the data
            return
        for kind, target, item, payload in results:
            if kind == "batch":
                on_batch(target, _unwire(payload))
            elif kind == "done":
                on_done(target, item, payload)
            else:
                on_failed(target, item, *payload)

    def _split(self, batch: _Batch, on_failed, code: str, why: str) -> None:
        """A failed batch: its items (a group's files) again one by one; a single item is reported."""
        members: list[tuple[str, Item | Group]] = []
        for target, item in batch.members:
            if isinstance(item, Group):
                members.extend(item.members)
            else:
                members.append((target, item))
        if len(members) > 1:
            self.again.extend(_Batch([member]) for member in members)
            return
        target, item = members[0]
        summary, coverage = Summary(), Coverage(gaps=1)
        summary.unread(item.display, why, code)
        summary.covered(coverage)
        on_failed(target, item, why, code, coverage.status, summary)
