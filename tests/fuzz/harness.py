"""What the fuzz test and the long runs share: mutations of seeds, two ways to scan a mutant (in this
process under a timer, or in a supervised worker process), the invariants, and the bookkeeping.

Mutations draw every choice from a :class:`Chooser`, so the same code serves Hypothesis (whose draws
make failures reproducible) and a plain random loop. Each scan ends in a :class:`Result`: the error
texts of its error rows, and whether the reader crashed, hung or raised. :func:`problems` turns a result
into the invariant violations; :func:`catch_all` picks out the rows written by the scanner's last-resort
handler ("failed while reading: …"), which are counted, not failed: each marks a reader without its own
handling for some broken input. :func:`diagnose` re-reads such an input with ``HARAVA_DEBUG=1`` in a
forked child to learn where the error came from.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import queue
import re
import select
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tests.fuzz.seeds import RAW_VALUES, Seed

T = TypeVar("T")

CATCH_ALL = "failed while reading:"
PROJECT = Path(__file__).resolve().parents[2]
REGRESSIONS = Path(__file__).resolve().parent / "regressions"


# --- choices --------------------------------------------------------------------------------------------


class Chooser(Protocol):
    def integer(self, low: int, high: int) -> int: ...  # both ends included

    def blob(self, max_size: int) -> bytes: ...


class RandomChooser:
    def __init__(self, rng) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def blob(self, max_size: int) -> bytes:
        return self.rng.randbytes(self.rng.randint(1, max_size))


class DataChooser:
    """Choices drawn from Hypothesis' ``st.data()``."""

    def __init__(self, data) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))

    def blob(self, max_size: int) -> bytes:
        return self.data.draw(self.st.binary(min_size=1, max_size=max_size))


def choice(chooser: Chooser, options: Sequence[T]) -> T:
    return options[chooser.integer(0, len(options) - 1)]


# --- mutations ------------------------------------------------------------------------------------------

INTERESTING_BYTES = (0x00, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A, 0x22, 0x3C, 0x5C)
INTERESTING_INTS = (0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 40, -(1 << 63))

#: Fragments that mean something to one parser or another, and the raw values themselves (a value
#: moved into a place where a parser complains about it is how an error message comes to quote it).
TOKENS: tuple[bytes, ...] = (
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # a lone surrogate in UTF-8
    b"-1",
    b"0",
    b"99999999999999999999",
    b"1e400",
    b"NaN",
    b"<",
    b">",
    b"</",
    b"/>",
    b"&",
    b"&#0;",
    b"&#xD800;",
    b"&amp;",
    b"&undefined;",
    b"]]>",
    b"<![CDATA[",
    b"<!--",
    b'<!DOCTYPE a [<!ENTITY e "eee">]>',
    b'"',
    b"'",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b";",
    b"\t",
    b"\r\n",
    b"\n\n",
    b'="',
    b' t="n"',
    b' t="s"',
    b' t="d"',
    b' t="e"',
    b' r="XFD1048576"',
    b' r="A0"',
    b' table:number-columns-repeated="16384"',
    b' w:val="-5"',
    b"<v>",
    b"</v>",
    b"xmlns:x=",
    b"=?utf-8?b?",
    b"=?x-unknown?q?",
    b"\nContent-Type: multipart/mixed; boundary=b\n",
    b"\nContent-Transfer-Encoding: base64\n",
    b'; charset="x-unknown"',
    b"\n--b\n",
    b"From ",
    b"obj",
    b"endobj",
    b"stream\n",
    b"endstream",
    b" 0 R",
    b"<<",
    b">>",
    b"/Length 99999",
    b"/Filter /FlateDecode",
    b"/Type /Page",
    b"/Kids [",
    b"xref",
    b"trailer",
    b"startxref",
    b"\\u-1",
    b"\\bin99999",
    b"\\'",
    b"{\\*",
    b"\\ud800",
    *(value.encode() for value in RAW_VALUES),
)


def _position(data: bytes, chooser: Chooser, end: bool = False) -> int:
    return chooser.integer(0, len(data) if end else max(len(data) - 1, 0))


def flip(data: bytes, chooser: Chooser) -> bytes:
    if not data:
        return insert(data, chooser)
    at = _position(data, chooser)
    return data[:at] + bytes([data[at] ^ (1 << chooser.integer(0, 7))]) + data[at + 1 :]


def set_byte(data: bytes, chooser: Chooser) -> bytes:
    if not data:
        return insert(data, chooser)
    at = _position(data, chooser)
    return data[:at] + bytes([choice(chooser, INTERESTING_BYTES)]) + data[at + 1 :]


def set_integer(data: bytes, chooser: Chooser) -> bytes:
    """An interesting number over the bytes at some place: a length, a count, an offset."""
    width = choice(chooser, (1, 2, 4, 8))
    value = choice(chooser, INTERESTING_INTS) % (1 << (8 * width))
    packed = value.to_bytes(width, choice(chooser, ("little", "big")))
    at = _position(data, chooser)
    return data[:at] + packed + data[at + width :]


def insert(data: bytes, chooser: Chooser) -> bytes:
    at = _position(data, chooser, end=True)
    added = choice(chooser, TOKENS) if chooser.integer(0, 1) == 0 else chooser.blob(16)
    return data[:at] + added + data[at:]


def delete(data: bytes, chooser: Chooser) -> bytes:
    if not data:
        return data
    at = _position(data, chooser)
    return data[:at] + data[at + chooser.integer(1, min(64, len(data) - at)) :]


def truncate(data: bytes, chooser: Chooser) -> bytes:
    return data[: _position(data, chooser)]


def duplicate(data: bytes, chooser: Chooser) -> bytes:
    """A chunk of the file again somewhere else (or many times over: a repeated record)."""
    if not data:
        return data
    start = _position(data, chooser)
    chunk = data[start : start + chooser.integer(1, 256)] * choice(chooser, (1, 2, 16))
    at = _position(data, chooser, end=True)
    return data[:at] + chunk + data[at:]


BYTE_OPS = (flip, set_byte, insert, delete, truncate, duplicate, set_integer)


def splice(data: bytes, chooser: Chooser, others: Sequence[bytes]) -> bytes:
    """The head of this file and the tail of another."""
    other = choice(chooser, others)
    return data[: _position(data, chooser, end=True)] + other[_position(other, chooser, end=True) :]


def mutate_bytes(data: bytes, chooser: Chooser, others: Sequence[bytes] = (), most: int = 4) -> bytes:
    for _ in range(chooser.integer(1, most)):
        index = chooser.integer(0, len(BYTE_OPS) if others else len(BYTE_OPS) - 1)
        data = splice(data, chooser, others) if index == len(BYTE_OPS) else BYTE_OPS[index](data, chooser)
    return data


def mutate_member(seed: Seed, chooser: Chooser) -> bytes:
    """One member of a package changed (the sheet's XML, the file in the gzip) and the package rebuilt."""
    members = list(seed.members)
    focus = [i for i, (name, _) in enumerate(members) if name in seed.focus]
    index = choice(chooser, focus) if focus and chooser.integer(0, 2) else chooser.integer(0, len(members) - 1)
    name, data = members[index]
    others = [d for n, d in members if n != name]
    members[index] = (name, mutate_bytes(data, chooser, others, most=3))
    assert seed.pack is not None
    return seed.pack(tuple(members))


def mutate(seed: Seed, chooser: Chooser, pool: Sequence[Seed]) -> bytes:
    """A mutant of ``seed``: its bytes changed, or (packages) one member changed and packed again.
    Splicing takes tails from seeds of the same kind, and now and then of any kind."""
    if seed.members and seed.pack is not None and chooser.integer(0, 1):
        return mutate_member(seed, chooser)
    same = [s.data for s in pool if s.kind == seed.kind and s is not seed]
    others = [*same, choice(chooser, pool).data] if pool else same
    return mutate_bytes(seed.data, chooser, others)


# --- scanning -------------------------------------------------------------------------------------------


@dataclass
class Result:
    """What scanning one input came to: error texts, and ``failure`` if it crashed, hung or raised."""

    kind: str
    errors: list[str] = field(default_factory=list)
    failure: str | None = None
    seconds: float = 0.0
    findings: int = 0


def _error_texts(batch) -> list[str]:
    return [e for e in batch.column("error").to_pylist() if e]


def _options():
    from scanner.scan import ScanOptions

    return ScanOptions(key=b"k" * 32)


def _item(path: str):
    from scanner.sources.files import FileItem

    return FileItem(path, path, os.path.getsize(path))


class Overran(BaseException):
    """Raised by the timer into a scan that runs past its bound (not an ``Exception``, so that no
    reader's handler or the scanner's catch-all can swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Overran` in this (main) thread after ``seconds``; a stack dump and exit if even
    that does not come back within six times as long (a C call that never returns)."""
    import faulthandler

    def expire(signum, frame):
        raise Overran(f"still reading after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds * 6, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


class Workspace:
    """A private folder the mutants are written to, each under the name it is to be scanned by."""

    def __init__(self, folder: Path | None = None) -> None:
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            self.folder = str(folder)
            return
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.folder = tempfile.mkdtemp(prefix="harava-fuzz-", dir=base)
        atexit.register(self.close)  # also when the run is cut short (forked children leave by os._exit)

    def write(self, data: bytes, suffix: str) -> str:
        for stale in os.listdir(self.folder):
            os.unlink(os.path.join(self.folder, stale))
        path = os.path.join(self.folder, f"mutant{suffix}")
        with open(path, "wb") as stream:
            stream.write(data)
        return path

    def close(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


class InProcess:
    """Scans in this process with the real :class:`~scanner.scan.Scanner`, under :func:`time_limit`:
    for readers written in Python, whose failures are exceptions."""

    def __init__(self, bound: float = 10.0) -> None:
        from scanner.scan import Scanner

        self.bound, self.scanner, self.workspace = bound, Scanner(_options()), Workspace()

    def scan(self, kind: str, data: bytes, suffix: str) -> Result:
        return self.scan_path(kind, self.workspace.write(data, suffix))

    def scan_path(self, kind: str, path: str) -> Result:
        from scanner.scan import Summary

        result, started = Result(kind), time.perf_counter()
        try:
            with time_limit(self.bound):
                for batch in self.scanner.scan_item(_item(path), Summary()):
                    result.errors += _error_texts(batch)
                    result.findings += batch.num_rows
        except Overran as exc:
            result.failure = f"timeout: {exc} (in process)"
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # the scanner's catch-all let something through
            result.failure = f"raised: {type(exc).__name__} out of Scanner.scan_item"
        result.seconds = time.perf_counter() - started
        return result

    def close(self) -> None:
        self.scanner.close()
        self.workspace.close()


class Supervised:
    """Scans in a worker process of the real :class:`~scanner.supervisor.Supervisor` (one worker, kept
    between inputs, replaced when it dies): for readers backed by C code, whose failures may be a
    crash. The supervisor runs in a thread of its own and is fed one input at a time."""

    def __init__(self, bound: float = 10.0) -> None:
        self.bound, self.workspace = bound, Workspace()
        self._errors: list[str] = []
        self._findings = 0
        self._start()

    def _start(self) -> None:
        self._inbox: queue.Queue = queue.Queue()
        self._outbox: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._serve, name="fuzz-supervisor", daemon=True)
        self._thread.start()

    def _items(self) -> Iterator[tuple[str, Any]]:
        while (item := self._inbox.get()) is not None:
            yield "fuzz", item

    def _serve(self) -> None:
        from scanner.supervisor import Supervisor

        def batch(target, batch) -> None:
            self._errors += _error_texts(batch)
            self._findings += batch.num_rows

        def done(target, item, *summary) -> None:
            self._outbox.put(None)

        def failed(target, item, why, *code_and_summary) -> None:
            self._outbox.put(why)

        try:
            # fed one input at a time, each awaited: no grouping (it would wait for more inputs first)
            supervisor = Supervisor(_options(), workers=1, item_timeout=self.bound, groups=False)
            supervisor.run(self._items(), batch, done, failed)
        except BaseException as exc:  # handed to the waiting test
            self._outbox.put(f"supervisor failed: {type(exc).__name__}: {exc}")

    def scan(self, kind: str, data: bytes, suffix: str) -> Result:
        return self.scan_path(kind, self.workspace.write(data, suffix))

    def scan_path(self, kind: str, path: str) -> Result:
        result, started = Result(kind), time.perf_counter()
        self._errors, self._findings = [], 0
        if not self._thread.is_alive():  # it failed on an earlier input (that input's result says why)
            self._start()
        self._inbox.put(_item(path))
        try:
            why = self._outbox.get(timeout=self.bound + 60)
        except queue.Empty:
            why = "supervisor failed: no answer"
            self._inbox.put(None)
        result.errors, result.findings, result.failure = list(self._errors), self._findings, why
        result.seconds = time.perf_counter() - started
        return result

    def close(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=30)
        self.workspace.close()


# --- invariants -----------------------------------------------------------------------------------------


def leaks(texts: Sequence[str], values: Sequence[str] = RAW_VALUES) -> list[str]:
    """The raw values some error text quotes."""
    return sorted({v for v in values for t in texts if v in t})


def catch_all(result: Result) -> list[str]:
    return [e for e in result.errors if CATCH_ALL in e]


def problems(result: Result) -> list[str]:
    """Violated invariants: a crash, a hang, an exception out of the scanner, or a leaked value."""
    found = []
    if result.failure:
        found.append(result.failure)
    for value in leaks(result.errors + ([result.failure] if result.failure else [])):
        found.append(f"leak: an error text quotes {value!r}")
    return found


# --- where an error comes from --------------------------------------------------------------------------


def _short(filename: str) -> str:
    """``scanner/extract/documents.py``, ``openpyxl/reader/excel.py``, ``zipfile.py``: the path from the
    package folder, the standard library or the project."""
    path = Path(filename)
    parts = path.parts
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "/".join(parts[parts.index(marker) + 1 :])
    with contextlib.suppress(ValueError):
        return str(path.relative_to(PROJECT))
    if "lib" in parts and len(parts) > parts.index("lib") + 2:  # the standard library
        return "/".join(parts[parts.index("lib") + 2 :])
    return path.name


def _is_project(filename: str) -> bool:
    return any(filename.startswith(str(PROJECT / part) + os.sep) for part in ("scanner", "detectors"))


@dataclass(frozen=True)
class Diagnosis:
    """Why reading an input failed: the exception type (or ``crash SIGSEGV``, ``hang``), the innermost
    frame it happened in, and the innermost frame of the project's own code on the way (where handling
    belongs)."""

    error: str
    frame: str
    project_frame: str

    def signature(self, kind: str) -> str:
        return f"{kind} {self.error} @ {self.frame}"


def _diagnose_here(path: str) -> dict[str, str] | None:
    from scanner.scan import Scanner, Summary

    os.environ["HARAVA_DEBUG"] = "1"
    scanner = Scanner(_options())
    try:
        for _ in scanner.scan_item(_item(path), Summary()):
            pass
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        own = [f for f in frames if _is_project(f.filename)]
        kind = type(exc)
        name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        return {
            "error": name,
            "frame": f"{_short(frames[-1].filename)}:{frames[-1].name}" if frames else "?",
            "project_frame": f"{_short(own[-1].filename)}:{own[-1].name}" if own else "?",
        }
    return None


_DUMP_LINE = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+ in (?P<name>\S+)')


def _from_dump(dump: str, error: str) -> Diagnosis | None:
    """The innermost frames of the main thread in a faulthandler dump (most recent call first)."""
    frames = [m for m in (_DUMP_LINE.match(line) for line in dump.splitlines()) if m]
    if not frames:
        return None
    own = [m for m in frames if _is_project(m["file"])]
    project = f"{_short(own[0]['file'])}:{own[0]['name']}" if own else "?"
    return Diagnosis(error, f"{_short(frames[0]['file'])}:{frames[0]['name']}", project)


def diagnose(path: str, timeout: float = 30.0) -> Diagnosis | None:
    """Why reading ``path`` fails, learnt in a forked child that reads it again with ``HARAVA_DEBUG=1``
    (so the catch-all re-raises) and faulthandler on (so a crash or a hang past ``timeout`` leaves a
    stack). None if it reads cleanly this time."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile() as dump:
        pid = os.fork()
        if pid == 0:  # the child: never returns into the caller's code
            _diagnose_child(path, timeout, read_end, write_end, dump)
        os.close(write_end)
        answer = _read_all(read_end, timeout + 10)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        dump.seek(0)
        stack = dump.read().decode("utf-8", "replace")
    with contextlib.suppress(ValueError, TypeError):
        found = json.loads(answer or b"null")
        if found:
            return Diagnosis(**found)
        if answer:
            return None  # read to its end without an error
    if "Timeout" in stack:
        return _from_dump(stack, "hang")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) != signal.SIGKILL:
        return _from_dump(stack, f"crash {signal.Signals(os.WTERMSIG(status)).name}") or Diagnosis(
            f"crash {signal.Signals(os.WTERMSIG(status)).name}", "?", "?"
        )
    return _from_dump(stack, "died") if stack else None


def _diagnose_child(path: str, timeout: float, read_end: int, write_end: int, dump) -> None:
    import faulthandler

    code = 0
    try:
        os.close(read_end)
        faulthandler.enable(file=dump, all_threads=False)
        faulthandler.dump_traceback_later(timeout, exit=True, file=dump)
        os.write(write_end, json.dumps(_diagnose_here(path)).encode())
    except BaseException:  # the child reports by its exit status
        code = 1
    finally:
        os._exit(code)


def _read_all(fd: int, timeout: float) -> bytes:
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


# --- bookkeeping ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Per kind: inputs read, catch-all rows, invariant violations, and the catch-all's signatures."""

    inputs: int = 0
    catch_all: int = 0
    violations: int = 0
    seconds: float = 0.0
    signatures: Counter[str] = field(default_factory=Counter)
    where: dict[str, str] = field(default_factory=dict)  # signature -> project frame


class Stats:
    def __init__(self) -> None:
        self.kinds: dict[str, Tally] = defaultdict(Tally)
        self.diagnosed: Counter[tuple[str, str]] = Counter()

    def add(self, result: Result, path: str | None = None, diagnose_at_most: int = 3) -> list[Diagnosis]:
        """Count ``result``; the first few catch-all rows of each (kind, error type) are diagnosed."""
        tally = self.kinds[result.kind]
        tally.inputs += 1
        tally.seconds += result.seconds
        tally.violations += bool(problems(result))
        found = []
        for text in catch_all(result):
            tally.catch_all += 1
            key = (result.kind, text)
            if path is None or self.diagnosed[key] >= diagnose_at_most:
                tally.signatures[f"{result.kind} {text.split(':', 1)[1].split('(')[0].strip()}"] += 1
                continue
            self.diagnosed[key] += 1
            diagnosis = diagnose(path)
            if diagnosis is not None:
                tally.signatures[diagnosis.signature(result.kind)] += 1
                tally.where[diagnosis.signature(result.kind)] = diagnosis.project_frame
                found.append(diagnosis)
        return found

    def lines(self) -> list[str]:
        out = [f"{'kind':8} {'inputs':>6} {'catch-all':>9} {'violations':>10} {'s/input':>8}"]
        for kind, t in sorted(self.kinds.items()):
            per = t.seconds / t.inputs if t.inputs else 0.0
            out.append(f"{kind:8} {t.inputs:6} {t.catch_all:9} {t.violations:10} {per:8.3f}")
        for t in (self.kinds[k] for k in sorted(self.kinds)):
            for signature, count in t.signatures.most_common():
                where = t.where.get(signature)
                out.append(f"  {count:5}x {signature}" + (f"  (through {where})" if where else ""))
        return out


#: What the fuzz test counted in this process, for the terminal summary.
STATS = Stats()


# --- regressions ----------------------------------------------------------------------------------------


def regression_name(kind: str, data: bytes, suffix: str) -> str:
    return f"{kind}-{hashlib.sha256(data).hexdigest()[:10]}{suffix}"


def regressions(folder: Path = REGRESSIONS) -> list[Path]:
    """The stored inputs (their side-files, ``<name>.json``, say why each was kept)."""
    if not folder.is_dir():
        return []
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    names = {p.name for p in files}
    return sorted(p for p in files if not (p.name.endswith(".json") and p.name[: -len(".json")] in names))


def note_of(path: Path) -> dict[str, Any]:
    side = path.with_name(path.name + ".json")
    return json.loads(side.read_text("utf-8")) if side.exists() else {}


def kind_of_regression(path: Path) -> str:
    return path.name.split("-", 1)[0]


def suffix_of_regression(path: Path) -> str:
    rest = path.name.split("-", 1)[1] if "-" in path.name else path.name
    return rest[rest.index(".") :] if "." in rest else ""


def emit(line: str) -> None:
    """Progress of a long run, on standard output (the readers' own chatter goes to standard error)."""
    print(line, file=sys.stdout, flush=True)
