"""Walking files and folders: what to scan, what to skip, and why — without ever writing anything.

Globs (``--include``/``--exclude``) match a path relative to the folder given, or its base name;
a folder matching an exclude glob is not entered. Files named explicitly are always scanned.
Symbolic links are not followed (a link could lead out of the share or into a loop); they are
listed as skipped. Unreadable folders are reported and the walk goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase


@dataclass(frozen=True)
class FileItem:
    """A regular file to scan; ``display`` is the path as the user would write it."""

    display: str
    path: str
    size: int


@dataclass(frozen=True)
class Problem:
    """An item not scanned: ``error`` (could not be read) or ``skipped`` (not ours to read)."""

    display: str
    reason: str
    kind: str = "error"


def _matches(rel: str, globs: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatchcase(rel, g) or fnmatchcase(name, g) for g in globs)


def describe_os_error(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    return exc.strerror or str(exc)


def walk(
    targets: Sequence[str], include: Sequence[str] = (), exclude: Sequence[str] = ()
) -> Iterator[FileItem | Problem]:
    """Yield every file under ``targets`` in a stable (sorted) order, or why it is not scanned."""
    for target in targets:
        try:
            info = os.lstat(target)
        except OSError as exc:
            yield Problem(target, describe_os_error(exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(target, "", include, exclude)
        elif stat.S_ISREG(info.st_mode):
            yield FileItem(target, target, info.st_size)
        elif stat.S_ISLNK(info.st_mode):
            yield Problem(target, "symbolic link (not followed)", "skipped")
        else:
            yield Problem(target, "not a regular file", "skipped")


def _walk_dir(root: str, rel: str, include: Sequence[str], exclude: Sequence[str]) -> Iterator[FileItem | Problem]:
    folder = os.path.join(root, rel) if rel else root
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Problem(folder, describe_os_error(exc))
        return
    for entry in entries:
        child = f"{rel}/{entry.name}" if rel else entry.name
        display = os.path.join(root, child)
        if exclude and _matches(child, exclude):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError as exc:
            yield Problem(display, describe_os_error(exc))
            continue
        if stat.S_ISLNK(info.st_mode):
            yield Problem(display, "symbolic link (not followed)", "skipped")
        elif stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(root, child, include, exclude)
        elif not stat.S_ISREG(info.st_mode):
            yield Problem(display, "not a regular file", "skipped")
        elif not include or _matches(child, include):
            yield FileItem(display, display, info.st_size)
