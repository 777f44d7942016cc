"""Streaming: memory does not grow with the size of a file, even one without a single newline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIECE = ("sana " * 2000 + "aino@example.fi ") * 100  # ~1 MB, no newline anywhere


def peak_rss_mb(path: Path) -> float:
    """Peak resident memory of a `harava scan` child process, in MB."""
    code = (
        "import resource, subprocess, sys\n"
        f"subprocess.run([sys.executable, '-m', 'scanner', 'scan', {str(path)!r}, '--format', 'jsonl',"
        " '-o', '/dev/null', '--no-progress'], check=True)\n"
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
