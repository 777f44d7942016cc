"""How ``--workers`` scales: the same scan with 1 and with N workers, measured in one run.

    python -m bench.bench_workers [--workers 2] [--large-mb 200] [--small-files 5000]

Two corpora: 20 files of 10 MB (half dense with personal data, half sparse; the speed benchmark's
generator) and a folder of 0.5–4 KB files (the small-files benchmark's). For each, ``harava scan`` runs
with ``--workers 1`` and ``--workers N``, JSONL output to a file, and the wall time, the CPU time of the
supervising process and of its workers, and the speed-up are printed. The supervising process writes
every worker's findings, so its share of the CPU bounds the speed-up (Amdahl): it is printed too.

The figures mean something only on an otherwise idle machine with at least N cores: the load average at
the start is printed, and a warning if it is above 0.5.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_scan import make_corpus
from bench.bench_small_files import make_folder

HERE = Path(__file__).resolve().parent

#: Runs the CLI in a child and prints its own CPU time and that of its workers (which it waits for).
_MEASURED = """
import resource, sys
from scanner.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"CPU {own.ru_utime + own.ru_stime:.3f} {workers.ru_utime + workers.ru_stime:.3f}", file=sys.stderr)
"""


def run(folder: Path, workers: int) -> tuple[float, float, float]:
    """(wall, CPU of the supervising process, CPU of its workers) of one ``harava scan``."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-c", _MEASURED, "scan", str(folder), "--workers", str(workers)]
        cmd += ["--format", "jsonl", "--output", str(Path(tmp) / "findings.jsonl"), "--no-progress"]
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"harava scan failed ({done.returncode}):\n{done.stderr[-2000:]}")
    line = next(line for line in done.stderr.splitlines() if line.startswith("CPU "))
    _, own, children = line.split()
    return wall, float(own), float(children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--large-mb", type=int, default=200, help="size of the corpus of 10 MB files")
    parser.add_argument("--small-files", type=int, default=5000)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus_workers")
    parser.add_argument("--folder", type=Path, default=HERE / "small_files")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}, load average at start: {load:.2f}")
    if load > 0.5:
        print("warning: the machine is busy; wall-time ratios will understate the speed-up")
    make_corpus(args.corpus, args.large_mb)
    make_folder(args.folder, args.small_files)
    print("| corpus | workers | wall s | supervisor CPU s | workers CPU s | speed-up |")
    print("|---|---|---|---|---|---|")
    for name, folder in ((f"{args.large_mb // 10} × 10 MB", args.corpus), (f"{args.small_files} small", args.folder)):
        one = None
        for workers in (1, args.workers):
            wall, own, children = run(folder, workers)
            one = one or wall
            print(f"| {name} | {workers} | {wall:.2f} | {own:.2f} | {children:.2f} | {one / wall:.2f}× |")


if __name__ == "__main__":
    main()
