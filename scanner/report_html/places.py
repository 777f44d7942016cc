"""Where a finding is, in words a person reads aloud: ``crm.db › tukipyynnot.lahetetty_osoitteesta, row id 1``,
``liitteet.zip › 2026/kesa.txt › line 3, column 5``; and the folder it belongs to, relative to what the run
read, so a long share path does not push the rest out of a table's cell.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import posixpath
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from scanner.config import is_database_url

SEPARATOR = " › "
#: Location keys in the order they are read, and how each is said.
_ORDER = ("page", "sheet", "slide", "section", "part", "header", "line", "column", "paragraph", "shape", "row", "cell")


def _scalar(key: str, value: Any) -> str:
    if value is True:
        return key.replace("_", " ")
    return f"{key.replace('_', ' ')} {value}"


def _database_place(location: dict[str, Any]) -> list[str]:
    """``asiakkaat.hetu, row id 17``: the cell as one would look it up."""
    parts = [f"{location.pop('table')}.{location.pop('column')}"]
    key = location.pop("row", None)
    if isinstance(key, dict):
        parts.append("row " + ", ".join(f"{k} {v}" for k, v in key.items()))
    elif "row_number" in location:
        parts.append(f"row {location.pop('row_number')}")
    return parts


def place_words(location: dict[str, Any] | None) -> str:
    """A location as words.

    >>> place_words({"table": "tukipyynnot", "column": "lahetetty_osoitteesta", "row": {"id": 1}})
    'tukipyynnot.lahetetty_osoitteesta, row id 1'
    >>> place_words({"line": 2, "column": 20, "field": "henkilötunnus"})
    'line 2, column 20, field henkilötunnus'
    >>> place_words({"sheet": "Asiakkaat", "row": 3, "column": "B"}), place_words({"line": 4, "page": 2})
    ('sheet Asiakkaat, cell B3', 'page 2, line 4')
    >>> place_words({"table": "loki", "column": "data", "row_number": 17, "field": "user.email"})
    'loki.data, row 17, field user.email'
    """
    if not location:
        return ""
    rest = dict(location)
    parts = []
    if "table" in rest and "column" in rest:
        parts += _database_place(rest)
    elif "sheet" in rest and isinstance(rest.get("column"), str) and "row" in rest:
        parts += [f"sheet {rest.pop('sheet')}", f"cell {rest.pop('column')}{rest.pop('row')}"]
    for key in _ORDER:
        if key in rest:
            parts.append(_scalar(key, rest.pop(key)))
    parts += [
        _scalar(key, value if not isinstance(value, dict | list) else json.dumps(value)) for key, value in rest.items()
    ]
    return ", ".join(parts)


def source_name(source: str) -> str:
    """The file's or the database's own name: ``tukipyynnot.log``, ``crm.db``, ``crm`` (a server's database).

    >>> source_name("share/Asiakaspalvelu/tukipyynnot.log"), source_name("sqlite:///examples/crm.db")
    ('tukipyynnot.log', 'crm.db')
    >>> source_name("postgresql://scanner@db.example.fi/crm")
    'crm'
    """
    if is_database_url(source):
        path = urlsplit(source).path
        return posixpath.basename(path.rstrip("/")) or source
    return os.path.basename(source.rstrip("/\\")) or source


def readable(source: str, member: str | None, location: dict[str, Any] | None) -> str:
    """``crm.db › tukipyynnot.lahetetty_osoitteesta, row id 1``; an archive's member in between.

    >>> readable("a/liitteet.zip", "2026/kesa.txt", {"line": 3, "column": 5})
    'liitteet.zip › 2026/kesa.txt › line 3, column 5'
    """
    return SEPARATOR.join(part for part in (_name(source), member, place_words(location)) if part)


@functools.lru_cache(maxsize=4096)
def _name(source: str) -> str:
    return source_name(source)


def _directory(path: str) -> str | None:
    """The folder a file or an SQLite database lies in (absolute); None for a database server."""
    if path.startswith("sqlite:///"):
        path = path[len("sqlite://") :]
    elif is_database_url(path):
        return None
    return os.path.dirname(path)


class Folders:
    """Folder labels for a run's paths: relative to the parent of the folder all of them share, so
    ``/srv/share/Asiakaspalvelu`` reads ``share/Asiakaspalvelu``; a database server's label is its URL
    without the database (and never a password, which findings do not keep)."""

    def __init__(self, paths: Iterable[str]) -> None:
        directories = {d for d in map(_directory, paths) if d}
        self.root = os.path.commonpath(sorted(directories)) if directories else ""
        self.base = os.path.dirname(self.root) if self.root not in ("", os.sep) else ""
        self._labels: dict[str, str] = {}

    def label(self, path: str) -> str:
        """The folder's label (computed once per path: a run has many findings per file)."""
        label = self._labels.get(path)
        if label is None:
            label = self._labels[path] = self._label(path)
        return label

    def _label(self, path: str) -> str:
        directory = _directory(path)
        if directory is None:
            parts = urlsplit(path)
            return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
        if not self.base:
            return directory
        return os.path.relpath(directory, self.base).replace(os.sep, "/")


def ancestors(label: str) -> list[str]:
    """A folder label and the folders above it, shortest first.

    >>> ancestors("share/Asiakaspalvelu/2026")
    ['share', 'share/Asiakaspalvelu', 'share/Asiakaspalvelu/2026']
    """
    if "://" in label:
        return [label]
    parts = label.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts)) if parts[i] or i == 0]


def local_time(iso: str | None, with_seconds: bool = False, zone: datetime.tzinfo | None = None) -> str:
    """A recorded time (ISO 8601, UTC) in this machine's time zone (or ``zone``), with the date and the
    zone's name: a DPO in Helsinki reads 12:00 EET, not 10:00+00:00.

    >>> from zoneinfo import ZoneInfo
    >>> local_time("2026-11-03T10:00:00+00:00", zone=ZoneInfo("Europe/Helsinki"))
    '2026-11-03 12:00 EET'
    >>> local_time(None)
    '-'
    """
    if not iso:
        return "-"
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M" + (":%S" if with_seconds else "") + " %Z").strip()
