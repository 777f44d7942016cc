"""Harava's speed against Presidio (and datafog-core), measured in the same run on the same synthetic corpus.

    python bench/bench_scan.py [--size-mb 100] [--presidio-mb 2] [--workers 1] [--repeat 1]
                               [--datafog /tmp/datafog-venv/bin/python] [--against REV]

Generates (once, reproducibly) a corpus of mixed Finnish prose, CSV rows and log lines — half the
files dense with personal data (a value in 43% of lines, about one per 200 bytes), half sparse (a
value in 3% of lines) — then times ``harava scan``
over all of it and Presidio's ``AnalyzerEngine`` (offline: no-op NLP engine; FI-configured pattern
recognizers) over a slice of it, and prints MB/s for both and the ratio per core.

With one worker (the default) the whole run is pinned to one CPU (``--no-one-core`` to not), so
Harava's supervisor, its worker and Arrow's threads share the one core the baselines get.
``--repeat N`` measures each kind of file N times over, Harava and the baselines in turn, and keeps
each one's fastest run, for a shared, noisy machine.

``--against REV`` also times the Harava of git revision ``REV`` (checked out in a temporary worktree)
in the same rounds and prints the change in speed and findings: how much a set of new detectors costs,
e.g. ``--against 6acf5e1`` (the five detectors before the register-vocabulary ones were added).

``--datafog PYTHON`` also runs ``bench/datafog_run.py`` in that interpreter, which needs datafog-core
(Rust regexes; e-mail, phone, US SSN and IP address), over the dense files Harava reads, and prints its
MB/s and findings beside Harava's. It gets the same work as far as it can do it: it validates what its
detectors validate (IP octets, SSN area and group numbers, North American phone numbering), writes each
finding as a JSON line with the HMAC-SHA256 of its value, and is timed in-process like Harava, but
it has no detector for identity codes or business IDs and finds only the phone numbers written with
``+358``. Make its environment apart from Harava's, e.g.::

    python3 -m venv /tmp/datafog-venv && /tmp/datafog-venv/bin/pip install datafog-core
    python bench/bench_scan.py --size-mb 100 --presidio-mb 2 --datafog /tmp/datafog-venv/bin/python

(or ``pip install -e '.[bench]'`` and ``--datafog "$(command -v python)"``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import synth

HERE = Path(__file__).resolve().parent
HASH_KEY = "bench-key-bench-key-bench-key-bench-key"


def make_corpus(folder: Path, size_mb: int, seed: int = 2026) -> list[Path]:
    """Files of ~10 MB each, alternating dense and sparse; reused when already there."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    count = max(size_mb // 10, 2)
    for index in range(count):
        dense = index % 2 == 0
        path = folder / f"{'dense' if dense else 'sparse'}_{index:03d}.txt"
        files.append(path)
        if path.exists() and path.stat().st_size >= 10_000_000 * size_mb // (count * 10):
            continue
        rng = random.Random(seed + index)
        target = size_mb * 1_000_000 // count
        written = 0
        with path.open("w", encoding="utf-8") as out:
            while written < target:
                chunk = "\n".join(synth.line(rng, rng.random() < (0.43 if dense else 0.03)) for _ in range(2000)) + "\n"
                out.write(chunk)
                written += len(chunk.encode())
    return files


def children_cpu() -> float:
    """CPU seconds (user and system) of every child process that has ended, their children included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_harava(folder: Path, include: str, workers: int, code: Path | None = None) -> tuple[float, int, str, float]:
    """Wall time of a whole ``harava scan`` run (start-up included), its own in-run summary, and the CPU
    seconds of all its processes. ``code``: a checkout of another revision to run instead of this one."""
    cmd = [
        sys.executable,
        "-m",
        "scanner",
        "scan",
        str(folder),
        "--include",
        include,
        "--format",
        "jsonl",
        "-o",
        os.devnull,
        "--no-progress",
        "--workers",
        str(workers),
    ]
    env = dict(os.environ, HARAVA_HASH_KEY=HASH_KEY)
    if code is not None:  # ``python -m`` looks in the working folder first
        env["PYTHONPATH"] = str(code)
    cpu = children_cpu()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=code)
    wall = time.perf_counter() - start
    size = sum(p.stat().st_size for p in folder.glob(include))
    return wall, size, done.stderr.strip(), children_cpu() - cpu


def harava_fixed_cpu(workers: int, runs: int = 3) -> float:
    """The CPU seconds of a ``harava scan`` of a one-line file: start-up, imports, workers, pattern set-up.
    Taken off a run's CPU time, it leaves what the scan itself costs, as datafog_run.py and Presidio count."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "one.txt").write_text("puh. 040 123 4567\n", encoding="utf-8")
        return min(time_harava(Path(folder), "*.txt", workers)[3] for _ in range(runs))


def in_run_seconds(summary: str) -> float:
    """The scan time Harava reports itself (without interpreter start-up and imports)."""
    return float(summary.split(" in ", 1)[1].split(" s ", 1)[0])


def entity_counts(summary: str) -> dict[str, int]:
    """Findings per entity from Harava's summary (the indented lines after ``Findings:``)."""
    tail = summary.split("Findings: ", 1)[1].splitlines()[1:]
    return {name: int(count) for name, count in (line.split() for line in tail if line.startswith("  "))}


def time_datafog(python: str, files: list[Path]) -> dict:
    """``bench/datafog_run.py`` in the interpreter ``python``: its own summary (bytes, seconds, findings)."""
    cmd = [python, str(HERE / "datafog_run.py"), *map(str, files), "--hash-key", HASH_KEY]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def pin_to_one_core() -> int:
    """Pin this process (and so every process it starts) to one of the CPUs it may use."""
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def fastest(runs: int, measures: list[tuple[Callable[[], Any], Callable[[Any], float]]]) -> list[Any]:
    """Each measure's fastest result of ``runs``: every round calls all of them in turn (so a busy spell on
    a shared machine slows them alike); a measure is ``(call, seconds of a result)``."""
    best: list[Any] = [None] * len(measures)
    for _ in range(max(runs, 1)):
        for index, (call, seconds) in enumerate(measures):
            result = call()
            if best[index] is None or seconds(result) < seconds(best[index]):
                best[index] = result
    return best


def presidio_engine():
    import logging

    # Presidio's e-mail recognizer has tldextract fetch the public-suffix list; offline, that
    # fails once (slowly, with a traceback) and falls back to the bundled snapshot.
    logging.getLogger("tldextract").setLevel(logging.CRITICAL)
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NoOpNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        FiPersonalIdentityCodeRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )

    registry = RecognizerRegistry(supported_languages=["fi"])
    registry.add_recognizer(FiPersonalIdentityCodeRecognizer(supported_language="fi"))
    registry.add_recognizer(EmailRecognizer(supported_language="fi"))
    registry.add_recognizer(IpRecognizer(supported_language="fi"))
    registry.add_recognizer(PhoneRecognizer(supported_regions=["FI"], supported_language="fi"))
    registry.add_recognizer(
        PatternRecognizer(
            "FI_BUSINESS_ID", supported_language="fi", patterns=[Pattern("ytunnus", r"\b\d{7}-\d\b", 0.5)]
        )
    )
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=NoOpNlpEngine(models=[{"lang_code": "fi", "model_name": "none"}]),
        supported_languages=["fi"],
    )


def time_presidio(engine, files: list[Path], slice_mb: float) -> tuple[float, int, int, float]:
    """Presidio over the first ``slice_mb`` of the given files, in 100-line texts."""
    limit = int(slice_mb * 1_000_000)
    texts: list[str] = []
    size = 0
    for path in files:
        with path.open(encoding="utf-8") as handle:
            chunk: list[str] = []
            for line in handle:
                chunk.append(line)
                size += len(line.encode())
                if len(chunk) == 100:
                    texts.append("".join(chunk))
                    chunk = []
                if size >= limit:
                    break
            if chunk:
                texts.append("".join(chunk))
        if size >= limit:
            break
    start, cpu = time.perf_counter(), time.process_time()
    found = sum(len(engine.analyze(text, language="fi")) for text in texts)
    return time.perf_counter() - start, size, found, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--presidio-mb", type=float, default=2.0, help="how much of each kind Presidio reads")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument(
        "--one-core",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="pin the run to one CPU (default: when --workers is 1)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="keep each measurement's fastest of N rounds")
    parser.add_argument("--datafog", metavar="PYTHON", help="a Python with datafog-core: compare on the dense files")
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also time the Harava of git revision REV (checked out apart) in the same rounds, e.g. the revision "
        "before some detectors were added, and print how much slower or faster this one is",
    )
    args = parser.parse_args()

    one_core = args.workers == 1 if args.one_core is None else args.one_core
    cores = f"pinned to CPU {pin_to_one_core()}" if one_core else f"{len(os.sched_getaffinity(0))} CPUs"
    files = make_corpus(args.corpus, args.size_mb)
    presidio = presidio_engine()
    presidio.analyze("warm up 040 123 4567", language="fi")
    print(f"corpus: {sum(p.stat().st_size for p in files) / 1e6:.0f} MB in {len(files)} files ({args.corpus}); {cores}")
    fixed_cpu = harava_fixed_cpu(args.workers)
    with contextlib.ExitStack() as stack:
        other = stack.enter_context(checkout(args.against)) if args.against else None
        compare(args, files, presidio, fixed_cpu, other)


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A detached worktree of ``rev`` of this repository, removed afterwards."""
    repo = HERE.parent
    with tempfile.TemporaryDirectory(prefix="harava-rev-") as folder:
        where = Path(folder, "code")
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "-q", str(where), rev], check=True)
        try:
            yield where
        finally:
            subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(where)], check=False)


def compare(args: argparse.Namespace, files: list[Path], presidio: Any, fixed_cpu: float, other: Path | None) -> None:
    print(
        f"{'':8} {'harava MB/s':>12} {'(whole run)':>12} {'(CPU)':>7} {'presidio MB/s':>14} {'(CPU)':>7} "
        f"{'ratio/core':>11} {'(CPU)':>7} {'findings':>9}"
    )
    datafog = None
    against: list[str] = []
    for kind in ("dense", "sparse", "all"):
        include = "*.txt" if kind == "all" else f"{kind}_*.txt"
        presidio_files = [p for p in files if p.name.startswith(kind)][:1] if kind != "all" else files[:2]
        measures = [
            (lambda include=include: time_harava(args.corpus, include, args.workers), lambda r: in_run_seconds(r[2])),
            (lambda some=presidio_files: time_presidio(presidio, some, args.presidio_mb), lambda r: r[0]),
        ]
        if kind == "dense" and args.datafog:  # the same dense files Harava reads, in the same rounds
            dense_files = [p for p in files if p.name.startswith("dense")]
            measures.append((lambda dense=dense_files: time_datafog(args.datafog, dense), lambda r: r["seconds"]))
        if other is not None:
            measures.append(
                (
                    lambda include=include: time_harava(args.corpus, include, args.workers, other),
                    lambda r: in_run_seconds(r[2]),
                )
            )
        (wall, size, summary, cpu), (p_seconds, p_size, _p_found, p_cpu), *rest = fastest(args.repeat, measures)
        in_run = size / 1e6 / in_run_seconds(summary)
        in_cpu = size / 1e6 / max(cpu - fixed_cpu, 1e-3)
        p_speed, p_cpu_speed = p_size / 1e6 / p_seconds, p_size / 1e6 / p_cpu
        findings = summary.split("Findings: ", 1)[1].split()[0]
        print(
            f"{kind:8} {in_run:12.1f} {size / 1e6 / wall:12.1f} {in_cpu:7.1f} {p_speed:14.2f} {p_cpu_speed:7.2f} "
            f"{in_run / args.workers / p_speed:10.0f}x {in_cpu / p_cpu_speed:6.0f}x {findings:>9}"
        )
        if other is not None:
            then = rest.pop()
            then_speed = then[1] / 1e6 / in_run_seconds(then[2])
            then_findings = then[2].split("Findings: ", 1)[1].split()[0]
            against.append(
                f"{kind:8} {then_speed:12.1f} {in_run:12.1f} {in_run / then_speed - 1:+8.0%} {then_findings:>15} {findings:>9}"
            )
        if rest:
            datafog = rest[0], in_run, in_cpu, entity_counts(summary)
    print(
        "harava MB/s is the scan as Harava times it; 'whole run' adds interpreter start-up and imports; (CPU) is\n"
        f"MB per CPU second, the fixed cost of a run taken off ({fixed_cpu:.2f} s for Harava), steadier than wall\n"
        "time on a busy machine."
    )
    if against:
        print(f"\nagainst {args.against}, timed in the same rounds:")
        print(f"{'':8} {'then MB/s':>12} {'now MB/s':>12} {'speed':>8} {'findings then':>15} {'now':>9}")
        print("\n".join(against))
    if datafog:
        report_datafog(*datafog, args.workers)


def report_datafog(run: dict, harava_speed: float, harava_cpu: float, harava_found: dict, workers: int) -> None:
    megabytes = run["bytes"] / 1e6
    speed, cpu_speed = megabytes / run["seconds"], megabytes / run["cpu_seconds"]
    print(
        f"\ndatafog-core {run['version']} on the dense files ({megabytes:.0f} MB), reading, scanning, hashing and "
        f"writing JSONL: {speed:.1f} MB/s ({cpu_speed:.1f} per CPU second; "
        f"{megabytes / run['scan_seconds']:.1f} MB/s in its scan calls alone)\n"
        f"harava/datafog-core: {harava_speed / workers / speed:.2f}x per core ({harava_cpu / cpu_speed:.2f}x per CPU second)"
    )
    theirs = ", ".join(f"{name} {count}" for name, count in sorted(run["findings"].items()))
    ours = ", ".join(f"{name} {count}" for name, count in sorted(harava_found.items()))
    print(f"  datafog-core findings: {theirs} (no Finnish IDs; phones only with +358)")
    print(f"  harava findings:       {ours}")


if __name__ == "__main__":
    main()
