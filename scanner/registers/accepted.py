"""Accepted findings: what a data protection officer has reviewed and accepted, with who and why.

Like a detect-secrets baseline, an accepted-findings file keeps reviewed findings from being reported
as problems run after run. Each entry matches findings by any of register, entity, value hash, source
and location (the fields it gives); a matching undeclared finding is reported as *accepted*, with the
entry's ``by`` and ``why``, and does not make the register fail::

    [[accepted]]
    register = "Asiakasrekisteri"
    entity = "IP_ADDRESS"
    source = "share/Asiakaspalvelu/tukipyynnot.log"   # relative to this file
    by = "Kaarina Esimerkki, tietosuojavastaava"
    why = "Support logs keep client addresses 30 days; added to the statement in the next revision."
    date = 2026-11-20

``harava check --write-accepted FILE`` writes every current undeclared finding as an entry to review.
"""

from __future__ import annotations

import datetime
import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from scanner.config import ConfigError, is_database_url
from scanner.outfile import OutputFile

FIELDS = ("register", "entity", "value_hash", "source", "location", "by", "why", "date")


@dataclass(frozen=True)
class Accepted:
    register: str | None
    entity: str | None
    value_hash: str | None
    path: str | None  # absolute path or URL
    location: str | None  # canonical JSON
    by: str
    why: str

    def matches(self, register: str, row: dict[str, Any], path: str) -> bool:
        return (
            (self.register is None or self.register == register)
            and (self.entity is None or self.entity == row["entity"])
            and (self.value_hash is None or self.value_hash == row["value_hash"])
            and (self.path is None or self.path == path)
            and (self.location is None or self.location == _canonical(row["location"]))
        )


def _canonical(location: str | dict | None) -> str | None:
    if location is None:
        return None
    value = json.loads(location) if isinstance(location, str) else location
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def load_accepted(path: Path) -> list[Accepted]:
    from scanner.history import item_path

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such accepted-findings file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    entries = data.get("accepted", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{path}: accepted must be an array of tables: [[accepted]]")
    out = []
    for index, entry in enumerate(entries):
        unknown = set(entry) - set(FIELDS)
        if unknown:
            raise ConfigError(f"{path}: accepted[{index}].{sorted(unknown)[0]}: unknown key")
        if not entry.get("by") or not entry.get("why"):
            raise ConfigError(f"{path}: accepted[{index}]: say who accepted it (by) and why (why)")
        source = entry.get("source")
        if source is not None and not is_database_url(source):
            source = str(path.parent / source)
        out.append(
            Accepted(
                entry.get("register"),
                entry.get("entity"),
                entry.get("value_hash"),
                item_path(source) if source else None,
                _canonical(entry.get("location")),
                str(entry["by"]),
                str(entry["why"]),
            )
        )
    return out


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


class AcceptedWriter:
    """Writes every undeclared finding of a run as an entry to review (``by``/``why`` left for the
    reviewer), as the findings stream past — into a temporary file that replaces ``path`` only when the
    run completes, so a failed or interrupted run never truncates a file someone has been reviewing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = OutputFile(path)
        self.handle = self.file.handle
        self.handle.write(
            f"# Undeclared findings of {datetime.date.today().isoformat()}, to review. Keep an entry only\n"
            "# after deciding it is acceptable; fill in by and why. Sources are relative to this file.\n\n"
        )

    def add(self, register: str, batch: pa.RecordBatch, undeclared: np.ndarray | None = None) -> None:
        if undeclared is None or not undeclared.any():
            return
        for row in batch.filter(pa.array(undeclared)).to_pylist():
            self.handle.write(self._entry(register, row))

    def _entry(self, register: str, row: dict[str, Any]) -> str:
        from scanner.history import item_path

        source = row["source"]
        source = os.path.relpath(source, self.path.parent) if not is_database_url(source) else item_path(source)
        lines = [
            "[[accepted]]",
            f"register = {_toml_string(register)}",
            f"entity = {_toml_string(row['entity'])}",
            f"value_hash = {_toml_string(row['value_hash'])}",
            f"source = {_toml_string(source)}",
        ]
        if row["location"]:
            lines.append(f"location = {_inline(json.loads(row['location']))}")
        return "\n".join([*lines, 'by = ""', 'why = ""', "", ""])

    def close(self) -> None:
        self.file.commit()

    def abort(self, why: str, status: int) -> None:
        self.file.discard()


def _inline(value: dict[str, Any]) -> str:
    """A location as a TOML inline table (nested for a database row's key)."""
    parts = [
        f"{json.dumps(k, ensure_ascii=False)} = "
        + (_inline(v) if isinstance(v, dict) else json.dumps(v, ensure_ascii=False))
        for k, v in value.items()
    ]
    return "{ " + ", ".join(parts) + " }"
