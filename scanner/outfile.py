"""Files Harava writes for the user — findings, reports, accepted-findings files — appear whole or not at all.

Each is written beside its destination under a hidden temporary name and moved into place (an atomic
rename) only when the run that writes it completes; a run that fails or is interrupted removes it. A file
that looks complete therefore is, and a file someone is reviewing is never truncated by a failed run.

A destination that is not a regular file — ``/dev/null``, ``/dev/stdout``, a named pipe — is written to
directly: renaming over it would replace the device or the pipe with a plain file (and needs a writable
``/dev``). A symbolic link is followed, so the file it points to is replaced, not the link.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO, Any


class OutputFile:
    """A file being written aside; :meth:`commit` puts it in place, :meth:`discard` removes it."""

    def __init__(self, path: str | Path, binary: bool = False) -> None:
        try:
            special = not stat.S_ISREG(os.stat(path).st_mode)
        except FileNotFoundError:
            special = False
        self.path = Path(path) if special else Path(os.path.realpath(path))
        self.partial: Path | None = None if special else self.path.with_name(f".{self.path.name}.partial")
        where = self.path if self.partial is None else self.partial
        self.handle: IO[Any] = where.open("wb") if binary else where.open("w", encoding="utf-8")

    def commit(self) -> None:
        self.handle.close()
        if self.partial is not None:
            os.replace(self.partial, self.path)

    def discard(self) -> None:
        self.handle.close()
        if self.partial is not None:
            self.partial.unlink(missing_ok=True)


def write_text(path: str | Path, text: str) -> None:
    """A whole text file, put in place at once."""
    out = OutputFile(path)
    try:
        out.handle.write(text)
    except BaseException:
        out.discard()
        raise
    out.commit()
