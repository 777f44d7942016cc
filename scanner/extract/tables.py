"""Tables into pieces: Parquet and Arrow files, spreadsheets' columns and database result sets alike.

The non-null cells of every text column of a batch of rows become one Arrow array (JSON columns
contribute each string leaf, with its key path), so the engine runs once per batch whatever the number
of columns. Each cell remembers its row and column, from which ``location`` objects are assembled with
Arrow kernels — no Python object per cell — and per-column statistics are counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import concat
from scanner.extract import Piece
from scanner.findings import json_literals


def json_leaves(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(key path, text) of every scalar in a JSON document: ``user.emails[0]``."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_leaves(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, bool):
        yield path, str(value)


@dataclass
class Cells:
    """The cells of a batch of rows as one array, with where each came from."""

    texts: pa.Array  # large_string
    row: np.ndarray  # 0-based row within the batch
    column: np.ndarray  # index into the batch's columns
    path: pa.Array | None  # JSON key path of each cell (null for plain cells); None without JSON columns


def _json_cells(values: pa.Array, present: np.ndarray) -> tuple[list[str], list[int], list[str]]:
    leaves, rows, paths = [], [], []
    for row, cell in zip(present.tolist(), values.take(pa.array(present)).to_pylist(), strict=True):
        try:
            found = list(json_leaves(json.loads(cell) if isinstance(cell, str) else cell))
        except ValueError:  # not JSON after all: the cell as text
            found = list(json_leaves(cell))
        except RecursionError:  # nested deeper than the interpreter's stack (PostgreSQL takes thousands of
            found = [("", str(cell))]  # levels): the cell is scanned as text, whole, its key paths unknown
        for path, leaf in found:
            leaves.append(leaf)
            rows.append(row)
            paths.append(path)
    return leaves, rows, paths


def flatten(columns: Sequence[pa.Array], json_columns: Sequence[bool] | None = None) -> Cells:
    """Every non-null cell of ``columns`` (JSON ones leaf by leaf) in one array."""
    json_columns = json_columns or [False] * len(columns)
    texts: list[pa.Array] = []
    rows: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    paths: list[pa.Array] = []
    for index, (values, is_json) in enumerate(zip(columns, json_columns, strict=True)):
        present = np.flatnonzero(pc.is_valid(values).to_numpy(zero_copy_only=False))
        if is_json:
            leaves, parents, keys = _json_cells(values, present)
            texts.append(pa.array(leaves, pa.large_string()))
            rows.append(np.asarray(parents, np.int64))
            paths.append(pa.array(keys, pa.large_string()))
        else:
            texts.append(pc.cast(values.take(pa.array(present)), pa.large_string()))
            rows.append(present.astype(np.int64))
            paths.append(pa.nulls(len(present), pa.large_string()))
        owners.append(np.full(len(rows[-1]), index, np.int64))
    return Cells(
        pa.concat_arrays(texts) if texts else pa.array([], pa.large_string()),
        np.concatenate(rows) if rows else np.empty(0, np.int64),
        np.concatenate(owners) if owners else np.empty(0, np.int64),
        pa.concat_arrays(paths) if any(json_columns) else None,
    )


def columns_piece(member: str | None, columns: dict[str, pa.Array], offset: int = 0) -> Piece | None:
    """Text columns of a table file (Parquet, Arrow), located by ``{"row": …, "field": column}``."""
    if not columns:
        return None
    cells = flatten(list(columns.values()))
    field_names = json_literals(pa.array(list(columns), pa.large_string()))

    def locate(group: Any) -> pa.Array:
        row = pa.array(cells.row[group.row] + offset + 1)
        return concat('{"row": ', row, ', "field": ', field_names.take(pa.array(cells.column[group.row])), "}")

    labels = pa.array(list(columns), pa.large_string()).take(pa.array(cells.column))
    return Piece(member, cells.texts, locate, cells.texts.nbytes, cells=cells, labels=labels)


def table_piece(
    table: str,
    names: Sequence[str],
    columns: Sequence[pa.Array],
    json_columns: Sequence[bool],
    hints: Sequence[str | None],
    key: dict[str, pa.Array],
    offset: int,
) -> Piece:
    """A batch of a database table's rows, located by ``{"table", "column", "field"?, "row": {key}}``
    (or ``"row_number"`` when the table has no primary key); each cell carries its column's name hint."""
    cells = flatten(columns, json_columns)
    head = '{"table": ' + json.dumps(table, ensure_ascii=False) + ', "column": '
    column_names = json_literals(pa.array(list(names), pa.large_string()))
    if cells.path is None:
        path_parts: pa.Array | None = None
    else:
        path_parts = pc.if_else(pc.is_null(cells.path), "", concat(', "field": ', json_literals(cells.path)))
    key_parts: list[Any] = []
    for k, (name, values) in enumerate(key.items()):
        key_parts += [("" if k == 0 else ", ") + json.dumps(name, ensure_ascii=False) + ": ", json_literals(values)]

    def locate(group: Any) -> pa.Array:
        row = pa.array(cells.row[group.row])
        if key_parts:
            where = [', "row": {', *[p if isinstance(p, str) else p.take(row) for p in key_parts], "}"]
        else:
            where = [', "row_number": ', pa.array(cells.row[group.row] + offset + 1)]
        parts = [column_names.take(pa.array(cells.column[group.row]))]
        if path_parts is not None:
            parts.append(path_parts.take(pa.array(group.row)))
        return concat(head, *parts, *where, "}").cast(pa.string())

    per_cell = np.array(list(hints), dtype=object)[cells.column] if any(hints) else None
    return Piece(None, cells.texts, locate, cells.texts.nbytes, hints=per_cell, cells=cells)


@dataclass
class ColumnReport:
    """Per-column summary, in the spirit of pdscan: how much of the column matched."""

    table: str
    column: str
    rows: int = 0
    matches: dict[str, int] = field(default_factory=dict)
    hint: str | None = None

    def as_dict(self) -> dict[str, Any]:
        entities = sorted(set(self.matches) | ({self.hint} if self.hint else set()))
        return {
            "table": self.table,
            "column": self.column,
            "rows_scanned": self.rows,
            "entities": {
                e: {
                    "rows": self.matches.get(e, 0),
                    "ratio": round(self.matches.get(e, 0) / self.rows, 3) if self.rows else 0.0,
                    "confidence": "high" if self.rows and self.matches.get(e, 0) / self.rows > 0.5 else "low",
                    "name_hint": e == self.hint,
                }
                for e in entities
            },
        }


def count_columns(reports: Sequence[ColumnReport], columns: Sequence[pa.Array], cells: Cells, hits: Any) -> None:
    """Add a batch to the column reports: non-null rows per column, and rows with each entity."""
    for report, values in zip(reports, columns, strict=True):
        report.rows += len(values) - values.null_count
    for group in hits.groups:
        matched = np.unique(np.stack([cells.column[group.row], cells.row[group.row]]), axis=1)
        for index, count in zip(*np.unique(matched[0], return_counts=True), strict=True):
            report = reports[int(index)]
            report.matches[group.adapter.entity] = report.matches.get(group.adapter.entity, 0) + int(count)
