"""Files Harava writes for the user — findings, reports, accepted-findings files — appear whole or not at all.

Each is written beside its destination under a hidden temporary name and moved into place (an atomic
rename) only when the run that writes it completes; a run that fails or is interrupted removes it. A file
that looks complete therefore is, and a file someone is reviewing is never truncated by a failed run.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any


class OutputFile:
    """A file being written aside; :meth:`commit` puts it in place, :meth:`discard` removes it."""

    def __init__(self, path: str | Path, binary: bool = False) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(f".{self.path.name}.partial")
        self.handle: IO[Any] = self.partial.open("wb") if binary else self.partial.open("w", encoding="utf-8")

    def commit(self) -> None:
        self.handle.close()
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        self.handle.close()
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
