"""Walking files and folders: what to scan, what to skip, and why — without ever writing anything.

Globs (``--include``/``--exclude``) match a path relative to the folder given, or its base name;
a folder matching an exclude glob is not entered. Files named explicitly are always scanned.
Symbolic links are not followed (a link could lead out of the share or into a loop); they are
listed as skipped. Unreadable folders are reported and the walk goes on.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any


@dataclass(frozen=True)
class FileItem:
    """A regular file to scan; ``display`` is the path as the user would write it."""

    display: str
    path: str
    size: int
    mtime_ns: int = 0
    follow: bool = False  # the path may be a symbolic link (--follow-symlinks)


@dataclass(frozen=True)
class Problem:
    """An item not scanned: ``error`` (could not be read) or ``skipped`` (not ours to read). ``source``
    and ``location`` place it in the findings when ``display`` alone does not (a database's table)."""

    display: str
    reason: str
    kind: str = "error"
    source: str | None = None
    location: dict[str, Any] | None = None
    code: str = "unreadable"  # why, in one word (scanner.extract.CODES)


def _matches(rel: str, globs: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatchcase(rel, g) or fnmatchcase(name, g) for g in globs)


def describe_os_error(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, FileNotFoundError):
        return "vanished during the scan"
    if exc.errno == errno.ELOOP:
        return "replaced by a symbolic link after it was listed (not followed)"
    return exc.strerror or str(exc)


@dataclass(frozen=True)
class WalkOptions:
    """How to walk a share (the ``harava scan`` options that apply to files)."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_size: int | None = None  # bytes; larger files are reported, not read
    skip_hidden: bool = False  # dot-files and dot-folders
    follow_symlinks: bool = False  # loops are detected and reported


def walk(targets: Sequence[str], options: WalkOptions = WalkOptions()) -> Iterator[FileItem | Problem]:
    """Yield every file under ``targets`` in a stable (sorted) order, or why it is not scanned."""
    for target in targets:
        try:
            info = os.stat(target) if options.follow_symlinks else os.lstat(target)
        except OSError as exc:
            yield Problem(target, describe_os_error(exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk_dir(target, "", options, {(info.st_dev, info.st_ino)})
        else:
            yield from _entry(target, info, options)


def _entry(display: str, info: os.stat_result, options: WalkOptions) -> Iterator[FileItem | Problem]:
    if stat.S_ISREG(info.st_mode):
        if options.max_file_size is not None and info.st_size > options.max_file_size:
            yield Problem(
                display,
                f"too large ({info.st_size} bytes; --max-file-size is {options.max_file_size})",
                code="too-large",
            )
        else:
            yield FileItem(display, display, info.st_size, info.st_mtime_ns, options.follow_symlinks)
    elif stat.S_ISLNK(info.st_mode):
        yield Problem(display, "symbolic link (not followed)", "skipped")
    else:
        yield Problem(display, "not a regular file", "skipped")


def _walk_dir(
    root: str, rel: str, options: WalkOptions, ancestors: set[tuple[int, int]]
) -> Iterator[FileItem | Problem]:
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
        if (options.exclude and _matches(child, options.exclude)) or (
            options.skip_hidden and entry.name.startswith(".")
        ):
            continue
        try:
            info = entry.stat(follow_symlinks=options.follow_symlinks)
        except OSError as exc:
            reason = "broken symbolic link" if entry.is_symlink() else describe_os_error(exc)
            yield Problem(display, reason)
            continue
        if stat.S_ISDIR(info.st_mode):
            identity = (info.st_dev, info.st_ino)
            if identity in ancestors:  # a link back up the tree
                yield Problem(display, "symbolic link loop (not followed again)", "skipped")
                continue
            yield from _walk_dir(root, child, options, ancestors | {identity})
        elif not stat.S_ISREG(info.st_mode) or not options.include or _matches(child, options.include):
            yield from _entry(display, info, options)
