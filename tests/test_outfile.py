"""Output files appear whole or not at all, without replacing what is not a plain file."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from scanner.outfile import OutputFile


def test_a_regular_file_is_replaced_only_on_commit(tmp_path: Path) -> None:
    target = tmp_path / "findings.jsonl"
    target.write_text("old\n")
    out = OutputFile(target)
    out.handle.write("new\n")
    assert target.read_text() == "old\n"  # still the old one while the run goes on
    out.commit()
    assert target.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.jsonl"]


def test_a_discarded_file_leaves_the_old_one(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    out = OutputFile(target)
    out.handle.write("half")
    out.discard()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_symbolic_link_is_followed_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "latest.json"
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    out = OutputFile(link)
    out.handle.write("new")
    out.commit()
    assert link.is_symlink()
    assert real.read_text() == "new"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_a_named_pipe_is_written_to_and_stays_a_pipe(tmp_path: Path) -> None:
    """Like ``-o /dev/null`` or ``-o /dev/stdout``: a rename over it would put a plain file in its place."""
    pipe = tmp_path / "findings.pipe"
    os.mkfifo(pipe)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_text()))
    reader.start()
    out = OutputFile(pipe)
    out.handle.write('{"entity": "EMAIL_ADDRESS"}\n')
    out.commit()
    reader.join(timeout=10)
    assert received == ['{"entity": "EMAIL_ADDRESS"}\n']
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["findings.pipe"]


def test_the_null_device_is_written_to_in_place() -> None:
    """Opened directly: no hidden partial file is created beside it (``/dev`` is not writable for most)."""
    out = OutputFile(os.devnull)
    assert out.partial is None
    out.handle.write("x")
    out.discard()
    assert not stat.S_ISREG(os.stat(os.devnull).st_mode)
