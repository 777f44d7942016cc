"""Many small files: CPU per file of ``harava scan`` against a plain Python loop, measured in one run.

A share is mostly small files. The baseline reads each file and runs one ``re.finditer`` of a phone and
an e-mail pattern over it — no validation, hashing or output — which is the least any scanner does per
file. Harava's figure is the CPU time of the whole ``harava scan`` process tree (the supervisor and its
worker), start-up included, with JSONL output to /dev/null::

    python -m bench.bench_small_files [--files 20000] [--folder PATH] [--workers 1]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import synth

HERE = Path(__file__).resolve().parent
BASELINE = re.compile(r"(?:\+358|\b0)\d{1,3}[ \-]?\d{3}[ \-]?\d{2,4}|[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def make_folder(folder: Path, files: int, seed: int = 2026) -> list[Path]:
    """``files`` files of 0.5–4 KB of Finnish office text, a finding in about one line of five."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(files):
        path = folder / f"muistio_{n:06}.txt"
        paths.append(path)
        if path.exists():
            continue
        target, lines = rng.randint(500, 4000), []
        while sum(len(line) + 1 for line in lines) < target:
            line = " ".join(rng.choice(synth.WORDS) for _ in range(rng.randint(5, 14)))
            if rng.random() < 0.2:
                first, last = synth.person(rng)
                line += rng.choice([f" puh. {synth.phone(rng)}", f" {first.lower()}.{last.lower()}@example.fi"])
            lines.append(line)
        path.write_text("\n".join(lines) + "\n", "utf-8")
    return paths


def baseline(paths: list[Path]) -> tuple[float, int]:
    """CPU seconds of the plain loop, and its matches."""
    started, found = time.process_time(), 0
    for path in paths:
        found += sum(1 for _ in BASELINE.finditer(path.read_text("utf-8")))
    return time.process_time() - started, found


def harava(folder: Path, workers: int) -> tuple[float, float, str]:
    """CPU seconds (user + system, the process tree), wall seconds, and Harava's own summary."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "scanner", "scan", str(folder), "--format", "jsonl", "-o", os.devnull]
    cmd += ["--no-progress", "--workers", str(workers)]
    env = dict(os.environ, HARAVA_HASH_KEY="bench-key-bench-key-bench-key-bench-key")
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--folder", type=Path, default=HERE / "small_files")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    paths = make_folder(args.folder, args.files)
    size = sum(p.stat().st_size for p in paths)
    base_cpu, base_found = baseline(paths)
    cpu, wall, summary = harava(args.folder, args.workers)
    n = len(paths)
    print(f"folder: {n} files, {size / 1e6:.1f} MB ({args.folder})")
    print(f"{'':22} {'CPU ms/file':>12} {'wall s':>8}  findings")
    print(f"{'plain Python loop':22} {base_cpu / n * 1000:12.2f} {'':>8}  {base_found} matches (unvalidated)")
    findings = summary.split("Findings: ", 1)[1].split()[0] if "Findings: " in summary else "?"
    print(f"{'harava scan':22} {cpu / n * 1000:12.2f} {wall:8.1f}  {findings}")
    print(f"Harava / loop: {base_cpu / cpu:.2f}x the loop's speed (target: ≥ 1x and ≤ 1 ms CPU per file)")


if __name__ == "__main__":
    main()
