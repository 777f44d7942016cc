"""Streaming: memory does not grow with the size of a file, even one without a single newline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIECE = ("sana " * 2000 + "aino@example.fi ") * 100  # ~1 MB, no newline anywhere


def peak_rss_mb(path: Path, *extra: str) -> float:
    """Peak resident memory of a `harava scan` child process, in MB."""
    arguments = ["scan", str(path), "--format", "jsonl", "-o", "/dev/null", "--no-progress", *extra]
    code = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'scanner', *{arguments!r}], check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return int(done.stdout) / 1024


def test_memory_is_flat_for_a_1_gb_single_line_file(tmp_path):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(PIECE * 40)
    with large.open("w") as out:  # about 1 GB, generated here, without a single newline
        for _ in range(1000):
            out.write(PIECE)
    try:
        grown = peak_rss_mb(large) - peak_rss_mb(small)
    finally:
        large.unlink()
    assert grown < 64, f"memory grew by {grown:.0f} MB for a file 25x larger"


def _folder(path: Path, files: int) -> Path:
    """A folder of 10 MB log files, an e-mail and an IP address in every line of about 1 KB."""
    path.mkdir()
    line = "x" * 960 + " kirjautui {n}@example.fi osoitteesta 192.0.2.{m}\n"
    block = "".join(line.format(n=n, m=n % 250) for n in range(10_000))  # ~10 MB
    for index in range(files):
        (path / f"loki-{index:03}.log").write_text(block)
    return path


def test_scan_into_a_history_keeps_memory_flat(tmp_path):
    """Findings stream into the history as they are found: 20x the findings, the same memory."""
    small, large = _folder(tmp_path / "small", 1), _folder(tmp_path / "large", 20)  # 10 MB and 200 MB
    try:
        base = peak_rss_mb(small, "--history", str(tmp_path / "small.db"))
        grown = peak_rss_mb(large, "--history", str(tmp_path / "large.db")) - base
    finally:
        for path in large.iterdir():
            path.unlink()
    import sqlite3

    recorded = sqlite3.connect(tmp_path / "large.db").execute("SELECT count(*) FROM findings").fetchone()[0]
    assert recorded == 20 * 10_000 * 2  # every finding is in the history
    assert grown < 64, f"memory grew by {grown:.0f} MB for 20x the findings"
