"""Readers for the cluster tests, loaded into each Dask worker with ``DASK_DISTRIBUTED__WORKER__PRELOAD``
(spawned workers do not inherit what a test registers in its own process): one that kills its process, as
a C library can on hostile bytes, one that kills the worker itself, one that never returns, and one that
takes its time, so that a worker can be killed mid-run."""

from __future__ import annotations

import os
import signal
import time

from scanner.extract import cells_piece, extractor


@extractor("cluster-crash", priority=5, magic=[b"HARAVA-CLUSTER-CRASH"])
def crash(stream, *args):
    os.kill(os.getpid(), signal.SIGSEGV)
    yield from ()


@extractor("cluster-kill-worker", priority=6, magic=[b"HARAVA-CLUSTER-KILL-WORKER"])
def kill_worker(stream, *args):
    """Kills the Dask worker itself (the process the reader was forked from), as the kernel's OOM killer would."""
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(60)
    yield from ()


@extractor("cluster-hang", priority=7, magic=[b"HARAVA-CLUSTER-HANG"])
def hang(stream, *args):
    time.sleep(3600)
    yield from ()


@extractor("cluster-slow", priority=8, magic=[b"HARAVA-CLUSTER-SLOW"])
def slow(stream, name, member, *args):
    """Half a second, then the second line as a cell."""
    time.sleep(0.5)
    yield cells_piece(member, [stream.read().decode().split("\n")[1]], [{"line": 2}])
