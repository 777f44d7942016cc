"""Long fuzz runs of the file readers, keeping every input worth a regression test.

    python -m tests.fuzz.long_run --minutes 30 --formats xlsx,pdf
    python -m tests.fuzz.long_run --minutes 25 --formats all --engine random

Two engines:

``atheris`` (when the package is installed): coverage-guided. For each format a child process runs
libFuzzer over the seeds of ``seeds.py`` with the format's libraries instrumented, mutating both bytes
and (for packages: Office files, archives, compressed files) the members inside, and reading each input
with the real scanner in that process with ``HARAVA_DEBUG=1``, so an error the catch-all would have
hidden surfaces with its traceback. A crash, a hang past ``--bound`` or a blown memory limit ends the
child (libFuzzer keeps the input); it is started again on the corpus grown so far.

``random``: a plain loop of the same mutations, with the inputs that behave in a new way (new error
texts) kept as parents of further mutants.

Either way every candidate is read once more through the real supervisor (a worker process, killed past
``--bound``), and an input is stored in ``tests/fuzz/regressions/`` when it

* crashes the worker, or is still being read after ``--bound`` seconds,
* leaks a raw value of the seeds into an error text, or
* triggers the scanner's catch-all ("failed while reading: …").

Inputs are grouped by failure signature (the exception type and the frame it was raised in; for a crash
or a hang, the frame the stack dump shows); at most ``--keep`` of each, the smallest, each under
``--max-size`` bytes, are stored as ``<kind>-<hash><suffix>`` with a side-file ``<name>.json`` saying
why. A summary per format is printed at the end. Every input derives from the synthetic seeds.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz import harness
from tests.fuzz.seeds import RAW_VALUES, Seed, all_seeds, seed_kinds, unpack_zip

#: Libraries whose code reads each kind (instrumented for coverage); the extractors always are.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "xlsx": ("xml.etree", "zipfile"),
    "docx": ("lxml", "zipfile"),
    "pptx": ("pptx",),
    "odf": ("xml.etree", "zipfile"),
    "zip": ("zipfile",),
    "pdf": ("pypdfium2",),
    "xls": ("xlrd",),
    "rtf": ("striprtf",),
    "eml": ("email",),
    "mbox": ("email",),
    "html": ("html",),
    "csv": ("csv",),
    "json": ("json",),
    "jsonl": ("json",),
    "tar": ("tarfile",),
    "7z": ("py7zr", "multivolumefile"),
    "gzip": ("gzip",),
    "bzip2": ("bz2",),
    "xz": ("lzma",),
    "sqlite": ("sqlalchemy.dialects.sqlite", "scanner.sources"),
    "parquet": ("pyarrow.parquet",),
    "arrow": ("pyarrow.ipc",),
}
#: Share of the time per kind (relative): rich formats get more than a magic check.
WEIGHTS: dict[str, float] = {"binary": 0.2, "ole2": 0.2, "text": 0.5, "json": 0.6, "jsonl": 0.6, "gzip": 0.6}
WEIGHTS |= {"bzip2": 0.5, "xz": 0.5, "xlsx": 2.0, "docx": 1.5, "pptx": 1.5, "pdf": 2.0, "xls": 1.5, "eml": 1.5}
MAX_LEN = 49_152


# --- keeping what was found -----------------------------------------------------------------------------


@dataclass
class Finding:
    """Why one input is worth keeping: its reasons and the signature it is grouped by."""

    reasons: list[str]
    signature: str
    where: str = "?"
    open: bool = False  # a crash, a hang or a leak: the replay fails (xfail) until it is fixed


def classify(kind: str, result: harness.Result, path: str, bound: float) -> Finding | None:
    """What is wrong with reading ``path``, if anything (a catch-all row, a crash, a hang, a leak)."""
    reasons, open_ = [], False
    if result.failure:
        reasons.append(result.failure)
        open_ = True
    for value in harness.leaks(result.errors):
        text = next(e for e in result.errors if value in e)
        reasons.append(f"leak: an error text quotes a raw value: {_masked(text)[:160]}")
        open_ = True
    caught = harness.catch_all(result)
    reasons += [f"catch-all: {text}" for text in caught]
    if not reasons:
        return None
    diagnosis = harness.diagnose(path, timeout=bound * 1.5) if (caught or result.failure) else None
    if reasons[0].startswith("leak"):
        signature = f"{kind} leak: {re.sub(r'[0-9]+', 'N', _masked(reasons[0].split(': ', 2)[-1]))[:80]}"
    elif diagnosis is not None:
        signature = diagnosis.signature(kind)
    else:
        signature = f"{kind} {reasons[0].split(':', 1)[0]}"
    return Finding(reasons, signature, diagnosis.project_frame if diagnosis else "?", open_)


def _masked(text: str) -> str:
    for value in RAW_VALUES:
        text = text.replace(value, "<raw value>")
    return text


class Keeper:
    """Stores findings in the regressions folder: per signature at most ``keep`` inputs, the smallest,
    none larger than ``max_size``; signatures already stored there count."""

    def __init__(self, folder: Path, keep: int, max_size: int) -> None:
        self.folder, self.keep, self.max_size = folder, keep, max_size
        self.stored: dict[str, list[Path]] = defaultdict(list)
        self.seen: Counter[str] = Counter()
        self.examples: dict[str, Finding] = {}
        folder.mkdir(parents=True, exist_ok=True)
        for path in harness.regressions(folder):
            note = harness.note_of(path)
            if note.get("signature"):
                self.stored[note["signature"]].append(path)

    def consider(self, kind: str, data: bytes, suffix: str, finding: Finding) -> Path | None:
        self.seen[finding.signature] += 1
        self.examples.setdefault(finding.signature, finding)
        if len(data) > self.max_size or _raw_value_outside_seeds(data):
            return None
        kept = self.stored[finding.signature]
        path = self.folder / harness.regression_name(kind, data, suffix)
        if path in kept:
            return None
        if len(kept) >= self.keep:
            largest = max(kept, key=lambda p: p.stat().st_size)
            if largest.stat().st_size <= len(data) * 2:
                return None
            self._remove(largest)
            kept.remove(largest)
        path.write_bytes(data)
        note = {
            "kind": kind,
            "signature": finding.signature,
            "why": finding.reasons[:5],
            "where": finding.where,
            "open": finding.open,
            "size": len(data),
            "found": time.strftime("%Y-%m-%d"),
        }
        path.with_name(path.name + ".json").write_text(json.dumps(note, indent=1, ensure_ascii=False) + "\n", "utf-8")
        kept.append(path)
        harness.emit(f"kept {path.name}: {finding.signature} ({finding.reasons[0][:100]})")
        return path

    @staticmethod
    def _remove(path: Path) -> None:
        path.unlink(missing_ok=True)
        path.with_name(path.name + ".json").unlink(missing_ok=True)


_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _raw_value_outside_seeds(data: bytes) -> bool:
    """A guard against storing anything but mutants of the synthetic seeds: an input holding a valid
    identity code (its check character right) other than the seeds' own is not stored. (A mutation
    that happens to turn the seed's code into another valid one costs one lost input, nothing more.)"""
    for code in re.findall(rb"(\d{6})[-+A-FU-Y](\d{3})([0-9A-Y])", data):
        digits, check = code[0] + code[1], code[2].decode()
        if _CHECK[int(digits) % 31] == check and digits + check.encode() != b"131052308T":
            return True
    return False


# --- verifying candidates -------------------------------------------------------------------------------


@dataclass
class Tally:
    inputs: int = 0
    candidates: int = 0
    kept: int = 0
    coverage: str = ""
    signatures: Counter[str] = field(default_factory=Counter)


def verify(
    runner: harness.Supervised, keeper: Keeper, tally: Tally, kind: str, data: bytes, suffix: str, bound: float
) -> None:
    """Read one candidate through the real supervisor; keep it if something is wrong."""
    tally.candidates += 1
    result = runner.scan(kind, data, suffix)
    path = os.path.join(runner.workspace.folder, f"mutant{suffix}")
    finding = classify(kind, result, path, bound)
    if finding is None:
        return
    tally.signatures[finding.signature] += 1
    if keeper.consider(kind, data, suffix, finding) is not None:
        tally.kept += 1


# --- the random engine ----------------------------------------------------------------------------------


def _behaviour(result: harness.Result) -> tuple:
    return (result.failure, tuple(sorted({re.sub(r"\d+", "N", e) for e in result.errors})), result.findings > 0)


def random_engine(kind: str, seconds: float, runner, keeper: Keeper, tally: Tally, bound: float, rng) -> None:
    """Mutants of the seeds (and of earlier mutants that behaved in a new way) until the time is up."""
    seeds = [s for s in all_seeds() if s.kind == kind]
    pool = all_seeds()
    corpus: list[tuple[Seed, bytes]] = []
    behaviours: set[tuple] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        chooser = harness.RandomChooser(rng)
        if corpus and rng.random() < 0.5:
            seed, parent = rng.choice(corpus)
            data = harness.mutate_bytes(parent, chooser, [s.data for s in seeds])
        else:
            seed = rng.choice(seeds)
            data = harness.mutate(seed, chooser, pool)
        data = data[:MAX_LEN]
        result = runner.scan(kind, data, seed.suffix)
        tally.inputs += 1
        behaviour = _behaviour(result)
        if behaviour not in behaviours and len(corpus) < 500:
            behaviours.add(behaviour)
            corpus.append((seed, data))
        path = os.path.join(runner.workspace.folder, f"mutant{seed.suffix}")
        finding = classify(kind, result, path, bound)
        if finding is not None:
            tally.candidates += 1
            tally.signatures[finding.signature] += 1
            if keeper.consider(kind, data, seed.suffix, finding) is not None:
                tally.kept += 1


# --- the atheris engine ---------------------------------------------------------------------------------


def atheris_available() -> bool:
    try:
        importlib.import_module("atheris")
    except ImportError:
        return False
    return True


def atheris_engine(kind: str, seconds: float, runner, keeper: Keeper, tally: Tally, bound: float, work: Path) -> None:
    """libFuzzer children on the kind's seeds, restarted after each crash or hang; then every candidate
    they kept is verified through the supervisor. Every input is read under the file-name ending of the
    kind's first seed (readers of the kinds with several endings decide by content, not by name)."""
    suffix = next(s.suffix for s in all_seeds() if s.kind == kind)
    folder = work / kind
    for sub in ("corpus", "artifacts", "candidates"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for seed in all_seeds():
        if seed.kind == kind:
            (folder / "corpus" / seed.name).write_bytes(seed.data)
    _run_children(kind, suffix, seconds, folder, bound, tally)
    for sub in ("candidates", "artifacts"):
        for path in harness.regressions(folder / sub):
            verify(runner, keeper, tally, kind, path.read_bytes(), suffix, bound)


def _run_children(kind: str, suffix: str, seconds: float, folder: Path, bound: float, tally: Tally) -> None:
    deadline, quick = time.monotonic() + seconds, 0
    log = folder / "libfuzzer.log"
    while (left := deadline - time.monotonic()) > 15 and quick < 3:
        started = time.monotonic()
        command = [
            sys.executable,
            "-m",
            "tests.fuzz.long_run",
            "--child",
            kind,
            "--suffix",
            suffix,
            "--bound",
            str(bound),
            "--work",
            str(folder),
            "--",
            f"-max_total_time={int(left)}",
            f"-timeout={int(bound)}",
            "-rss_limit_mb=3072",
            f"-max_len={MAX_LEN}",
            f"-artifact_prefix={folder / 'artifacts'}/",
            "-print_final_stats=1",
            "-close_fd_mask=1",
            str(folder / "corpus"),
        ]
        with open(log, "ab") as out:
            _supervise_child(subprocess.Popen(command, stdout=out, stderr=out, cwd=harness.PROJECT), left + 60)
        quick = quick + 1 if time.monotonic() - started < 20 else 0
    text = log.read_text("utf-8", "replace") if log.exists() else ""
    tally.inputs += sum(int(n) for n in re.findall(r"stat::number_of_executed_units:\s*(\d+)", text))
    coverage = re.findall(r"cov: (\d+) ft: (\d+)", text)
    if coverage:
        tally.coverage = f"cov {coverage[-1][0]}, features {coverage[-1][1]}"


def _supervise_child(process: subprocess.Popen, seconds: float) -> None:
    """Wait for a libFuzzer child; past its time (a slow start on a busy machine) it is asked to stop
    (SIGINT: libFuzzer prints its statistics), then killed."""
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _structured(kind: str, data: bytes) -> Seed | None:
    """A package input taken apart again, so a member can be mutated and the package rebuilt."""
    import bz2
    import gzip
    import lzma

    from tests.fuzz import seeds

    with contextlib.suppress(Exception):
        if data[:2] == b"PK":
            return Seed(kind, "x", data, unpack_zip(data), seeds.pack_zip)
        openers = {b"\x1f\x8b": (gzip.decompress, seeds._gzip), b"BZ": (bz2.decompress, bz2.compress)}
        openers[b"\xfd7"] = (lzma.decompress, lzma.compress)
        if data[:2] in openers:
            unpack, pack = openers[data[:2]]
            return Seed(kind, "x", data, (("inner", unpack(data)),), lambda m, pack=pack: pack(m[0][1]))
    return None


def child(kind: str, suffix: str, bound: float, work: Path, libfuzzer_args: list[str]) -> None:
    """One libFuzzer process for ``kind`` (see the module docstring); never returns."""
    import atheris

    with atheris.instrument_imports(include=[*LIBRARIES.get(kind, ()), "scanner.extract"]):
        for name in LIBRARIES.get(kind, ()):
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        from scanner.scan import Scanner, Summary

    os.environ["HARAVA_DEBUG"] = "1"
    scanner, workspace = Scanner(harness._options()), harness.Workspace(work / "workspace")
    candidates, seen = work / "candidates", Counter()
    for path in harness.regressions(candidates):
        seen[harness.note_of(path).get("signature")] += 1
    pool = [s for s in all_seeds() if s.kind == kind] or list(all_seeds())

    def keep(data: bytes, signature: str, why: str) -> None:
        if seen[signature] >= 3:
            return
        seen[signature] += 1
        name = harness.regression_name(kind, data, suffix)
        (candidates / name).write_bytes(data)
        (candidates / f"{name}.json").write_text(json.dumps({"signature": signature, "why": why}), "utf-8")

    def one_input(data: bytes) -> None:
        path = workspace.write(data, suffix)
        errors: list[str] = []
        try:
            for batch in scanner.scan_item(harness._item(path), Summary()):
                errors += harness._error_texts(batch)
        except Exception as exc:
            keep(data, f"{type(exc).__name__} @ {_innermost(exc)}", "exception")
        for value in harness.leaks(errors):
            keep(data, f"leak {value}", "leak")

    def mutator(data: bytes, max_size: int, seed: int) -> bytes:
        rng = random.Random(seed)
        chooser = harness.RandomChooser(rng)
        structured = _structured(kind, data) if rng.random() < 0.5 else None
        if structured is not None and structured.members:
            return harness.mutate_member(structured, chooser)[:max_size]
        if rng.random() < 0.5:
            return atheris.Mutate(data, max_size)
        return harness.mutate_bytes(data, chooser, [s.data for s in pool])[:max_size]

    atheris.Setup([sys.argv[0], *libfuzzer_args], one_input, custom_mutator=mutator)
    atheris.Fuzz()


def _innermost(exc: BaseException) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    return f"{harness._short(frames[-1].filename)}:{frames[-1].name}" if frames else "?"


# --- the run --------------------------------------------------------------------------------------------


def _limit_memory(megabytes: int) -> None:
    """Workers inherit an address-space limit: a reader that allocates without bound fails with a
    MemoryError (a catch-all row) instead of taking the machine down."""
    if megabytes > 0:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, resource.RLIM_INFINITY))


def _plan(kinds: list[str], minutes: float) -> dict[str, float]:
    total = sum(WEIGHTS.get(k, 1.0) for k in kinds)
    return {k: minutes * 60 * WEIGHTS.get(k, 1.0) / total for k in kinds}


def _report(tallies: dict[str, Tally], keeper: Keeper, engine: str, seconds: float) -> None:
    print(f"\nfuzz long run ({engine}), {seconds / 60:.1f} minutes")
    print(f"{'kind':8} {'inputs':>8} {'checked':>7} {'kept':>5}  coverage")
    for kind, t in tallies.items():
        print(f"{kind:8} {t.inputs:8} {t.candidates:7} {t.kept:5}  {t.coverage}")
    print("\nfailure signatures (times seen; where the project's code let it through):")
    for signature, count in keeper.seen.most_common():
        example = keeper.examples[signature]
        flag = "FAILS" if example.open else "catch-all"
        print(f"  {count:6}x [{flag}] {signature}  (through {example.where})")
    print(f"\nstored in {keeper.folder}: {sum(len(v) for v in keeper.stored.values())} inputs")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.long_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="total time, shared among the formats")
    parser.add_argument("--formats", default="all", help="comma-separated kinds (seeds.py), or 'all'")
    parser.add_argument("--engine", choices=("auto", "atheris", "random"), default="auto")
    parser.add_argument("--bound", type=float, default=10.0, help="seconds one input may take")
    parser.add_argument("--keep", type=int, default=3, help="inputs stored per failure signature")
    parser.add_argument("--max-size", type=int, default=50_000, help="largest input stored, in bytes")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address-space limit of the readers")
    parser.add_argument("--out", type=Path, default=harness.REGRESSIONS)
    parser.add_argument("--random-seed", type=int, default=None)
    parser.add_argument(
        "--verify", type=Path, help="instead of fuzzing: check every file in this folder as an input of --formats"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--suffix", default="", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args(argv)
    if args.child:
        child(args.child, args.suffix, args.bound, args.work, [a for a in rest if a != "--"])
        return 0
    kinds = list(seed_kinds()) if args.formats == "all" else [k.strip() for k in args.formats.split(",") if k.strip()]
    unknown = set(kinds) - set(seed_kinds())
    if unknown:
        parser.error(f"no seeds for {sorted(unknown)}; the kinds are {', '.join(seed_kinds())}")
    engine = "atheris" if args.engine != "random" and atheris_available() else "random"
    if args.engine == "atheris" and engine != "atheris":
        parser.error("atheris is not installed (pip install atheris), or use --engine random")
    if args.verify:
        if len(kinds) != 1:
            parser.error("--verify needs one kind in --formats")
        return verify_folder(kinds[0], args)
    return run(kinds, engine, args)


def verify_folder(kind: str, args) -> int:
    """Every file of a folder (a libFuzzer run's artifacts, say) checked as an input of ``kind``."""
    keeper, runner, tally = Keeper(args.out, args.keep, args.max_size), harness.Supervised(args.bound), Tally()
    suffix = next(s.suffix for s in all_seeds() if s.kind == kind)
    try:
        for path in harness.regressions(args.verify):
            verify(runner, keeper, tally, kind, path.read_bytes(), suffix, args.bound)
    finally:
        runner.close()
    _report({kind: tally}, keeper, "verify", 0.0)
    return 0


def run(kinds: list[str], engine: str, args) -> int:
    _limit_memory(args.memory_mb)
    started = time.monotonic()
    keeper = Keeper(args.out, args.keep, args.max_size)
    runner = harness.Supervised(args.bound)
    rng = random.Random(args.random_seed)
    tallies: dict[str, Tally] = {}
    work = Path(tempfile.mkdtemp(prefix="harava-fuzz-run-"))
    chatter = _quiet_readers(work.with_name(work.name + ".stderr.log"))
    try:
        for kind, seconds in _plan(kinds, args.minutes).items():
            coverage_guided = engine == "atheris" and seconds >= 45  # a shorter slice would be spent starting up
            harness.emit(f"{kind}: {seconds:.0f} s ({'atheris' if coverage_guided else 'random'})")
            tally = tallies[kind] = Tally()
            if coverage_guided:
                atheris_engine(kind, seconds, runner, keeper, tally, args.bound, work)
            else:
                random_engine(kind, seconds, runner, keeper, tally, args.bound, rng)
    except KeyboardInterrupt:
        harness.emit("interrupted: the summary of what ran")
    finally:
        runner.close()
        shutil.rmtree(work, ignore_errors=True)
        os.dup2(chatter, 2)
    _report(tallies, keeper, engine, time.monotonic() - started)
    return 0


def _quiet_readers(log: Path) -> int:
    """Standard error (the readers' warnings, libraries' log lines) into ``log``; the old one returned."""
    saved = os.dup(2)
    sys.stderr.flush()
    with open(log, "ab") as stream:
        os.dup2(stream.fileno(), 2)
    harness.emit(f"the readers' standard error goes to {log}")
    return saved


if __name__ == "__main__":
    sys.exit(main())
