"""The same scan in one process, with ``--workers 2`` and on a two-worker Dask ``LocalCluster``, in one run.

    python bench/bench_cluster.py [--size-mb 100] [--files 20] [--repeat 1]

Splits the bench corpus (``bench/bench_scan.py``'s: half dense, half sparse text) into ``--files`` files
(``--size-mb`` in all), then times ``harava scan`` of them three ways and prints MB/s and the ratio to
one process: ``--workers 1``, ``--workers 2`` and ``--cluster local:2`` (the cluster's start-up included,
as a user meets it), and the cluster's figure without its start-up. It checks that the three found the same findings, and
prints the cluster's cost per task (a round trip of an empty task through the scheduler) and Harava's
tasks for this corpus. Needs ``pip install -e '.[cluster]'``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_scan import HASH_KEY, HERE, in_run_seconds, make_corpus


def split_corpus(source: list[Path], folder: Path, count: int) -> list[Path]:
    """``count`` files cut from the corpus at line ends, dense and sparse alternating."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [path.read_text("utf-8").splitlines(keepends=True) for path in source]
    pieces = max(count // len(lines), 1)
    out = []
    for index in range(pieces):
        for kind, text in enumerate(lines):
            step = len(text) // pieces
            path = folder / f"part_{index:03d}_{kind}.txt"
            if not path.exists():
                path.write_text("".join(text[index * step : (index + 1) * step]), "utf-8")
            out.append(path)
    return out


def scan(folder: Path, *how: str) -> tuple[float, float, str, list[str]]:
    """Wall seconds of the whole run, Harava's own in-run seconds, its summary and its sorted findings."""
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as output:
        command = [sys.executable, "-m", "scanner", "scan", str(folder), "--format", "jsonl", "-o", output.name]
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "--no-progress", *how],
            capture_output=True,
            text=True,
            env=dict(os.environ, HARAVA_HASH_KEY=HASH_KEY),
            check=True,
        )
        wall = time.perf_counter() - started
        found = sorted(Path(output.name).read_text("utf-8").splitlines())
    return wall, in_run_seconds(done.stderr), done.stderr, found


def task_overhead(tasks: int = 500) -> float:
    """Milliseconds per empty task submitted to a two-worker LocalCluster and gathered."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        client.gather(client.map(int, range(20), pure=False))  # the workers warm
        started = time.perf_counter()
        client.gather(client.map(int, range(tasks), pure=False))
        return (time.perf_counter() - started) / tasks * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=100)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--repeat", type=int, default=1, help="keep each way's fastest of N rounds")
    args = parser.parse_args()

    source = make_corpus(args.corpus, args.size_mb)
    folder = args.corpus.parent / f"{args.corpus.name}-split-{args.files}"
    files = split_corpus(source, folder, args.files)
    size = sum(p.stat().st_size for p in files) / 1e6
    ways = {
        "1 process": ("--workers", "1"),
        "--workers 2": ("--workers", "2"),
        "cluster local:2": ("--cluster", "local:2"),
    }
    best: dict[str, tuple[float, float, str, list[str]]] = {}
    for _ in range(max(args.repeat, 1)):
        for name, how in ways.items():
            result = scan(folder, *how)
            if name not in best or result[0] < best[name][0]:
                best[name] = result
    print(f"corpus: {size:.0f} MB in {len(files)} files ({folder}); {os.cpu_count()} CPUs")
    print(f"{'':16} {'MB/s':>8} {'in-run MB/s':>12} {'× 1 process':>12} {'(in-run)':>9}")
    base_wall, base_run = best["1 process"][0], best["1 process"][1]
    for name, (wall, in_run, _, _) in best.items():
        print(f"{name:16} {size / wall:8.1f} {size / in_run:12.1f} {base_wall / wall:12.2f} {base_run / in_run:9.2f}")
    with tempfile.TemporaryDirectory() as tiny:
        Path(tiny, "one.txt").write_text("puh. 040 123 4567\n", "utf-8")
        start_up = min(scan(Path(tiny), "--cluster", "local:2")[1] for _ in range(2)) - scan(Path(tiny))[1]
    steady = best["cluster local:2"][1] - start_up
    print(
        f"the cluster's start-up in the run: {start_up:.2f} s; without it, cluster local:2 reads "
        f"{size / steady:.1f} MB/s ({base_run / steady:.2f}× 1 process)"
    )
    same = len({tuple(found) for *_, found in best.values()}) == 1
    print(f"findings: {len(best['1 process'][3])}, the same in all three: {'yes' if same else 'NO'}")
    print(f"cluster cost per task: {task_overhead():.1f} ms (an empty task's round trip through the scheduler)")


if __name__ == "__main__":
    main()
