"""Tables into pieces: Parquet and Arrow files, spreadsheets' columns and database result sets alike.

The non-null cells of every text column of a batch of rows become one Arrow array (JSON columns
contribute each string leaf, with its key path), so the engine runs once per batch whatever the number
of columns. Each cell remembers its row and column, from which ``location`` objects are assembled with
Arrow kernels — no Python object per cell — and per-column statistics are counted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from detectors.base import concat
from scanner.extract import Piece
from scanner.findings import json_literals, string_bytes


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


#: Documents nested deeper than this are parsed by Python's ``json`` (Arrow's reader recurses on the C stack:
#: a document ten thousand levels deep crashed the process), as are those holding control characters (one
#: document a line is how Arrow's reader takes them) and any Arrow cannot render exactly as Python would.
ARROW_JSON_DEPTH = 64
ARROW_JSON_RETRIES = 4  # documents Arrow's reader names and refuses, set aside before the batch goes to Python
ARROW_JSON_BYTES = 1 << 30  # its block size is a 32-bit number


class _Refused(Exception):
    """Arrow's JSON reader refused a batch: ``row`` is the document it named, if it named one."""

    def __init__(self, row: int | None) -> None:
        super().__init__(row)
        self.row = row


def _depth(cells: pa.Array) -> np.ndarray:
    """How deeply each JSON text nests arrays and objects (brackets inside strings do not count)."""
    bare = pc.replace_substring_regex(cells, r'"(?:[^"\\]|\\.)*"', "")
    brackets = pc.cast(pc.replace_substring_regex(bare, r"[^\[\]{}]+", ""), pa.large_binary())
    lengths = pc.binary_length(brackets).to_numpy(zero_copy_only=False).astype(np.int64)
    if not lengths.any():
        return np.zeros(len(cells), np.int64)
    _, offsets, data = brackets.buffers()
    first = int(np.frombuffer(offsets, np.int64, 1, brackets.offset * 8)[0])
    chars = np.frombuffer(data, np.uint8, int(lengths.sum()), first)
    level = np.cumsum(np.where((chars == ord("[")) | (chars == ord("{")), 1, -1))
    starts = np.cumsum(lengths) - lengths
    before = np.concatenate([[0], level])[starts]  # the level where each text begins
    filled = lengths > 0
    deepest = np.zeros(len(cells), np.int64)
    deepest[filled] = np.maximum.reduceat(level, starts[filled]) - before[filled]
    return deepest


def _unfit(cells: pa.Array) -> np.ndarray:
    """Which JSON texts are left to Python: those holding a control character or nothing but spaces, those
    with a list starting with nulls, and those nesting deeper than ``ARROW_JSON_DEPTH`` (measured only
    where there are that many brackets at all; counted from the bytes: a regular expression sorting out
    strings from brackets in every text cost more than Arrow's parse)."""
    binary = pc.cast(cells, pa.large_binary())
    lengths = pc.binary_length(binary).to_numpy(zero_copy_only=False).astype(np.int64)
    unfit = lengths == 0
    filled = np.flatnonzero(~unfit)
    if not len(filled):
        return unfit
    chars = string_bytes(binary)
    starts = (np.cumsum(lengths) - lengths)[filled]
    control, visible, brackets = (  # one byte per byte of text at a time: a row may be a document of megabytes
        np.add.reduceat(marks, starts, dtype=np.int64)
        for marks in (chars < 0x20, chars != 0x20, (chars == ord("[")) | (chars == ord("{")))
    )
    unfit[filled] = (control > 0) | (visible == 0)
    # pyarrow's reader (26.0) makes an invalid array of a list whose first elements are null: [null, 0]
    unfit |= pc.match_substring_regex(cells, r"\[\s*null\s*,").to_numpy(zero_copy_only=False)
    many = filled[(brackets > ARROW_JSON_DEPTH) & ~unfit[filled]]
    if len(many):
        unfit[many] = _depth(cells.take(pa.array(many))) > ARROW_JSON_DEPTH
    return unfit


def _read_json(data: pa.Buffer, schema: pa.Schema | None = None) -> pa.Table:
    options = pajson.ReadOptions(use_threads=False, block_size=max(data.size, 1 << 16))
    parse = pajson.ParseOptions(explicit_schema=schema) if schema is not None else None
    try:
        return pajson.read_json(pa.BufferReader(data), read_options=options, parse_options=parse)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        named = re.search(r"in row (\d+)\s*$", str(exc))
        raise _Refused(int(named.group(1)) if named else None) from None


def _as_text(type_: pa.DataType) -> pa.DataType:
    """``type_`` with dates and times as strings: Arrow's reader takes "2026-01-01" for a timestamp."""
    if pa.types.is_struct(type_):
        return pa.struct([f.with_type(_as_text(f.type)) for f in type_])
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return pa.list_(_as_text(type_.value_type))
    return pa.string() if pa.types.is_temporal(type_) else type_


@dataclass
class _Leaves:
    """Leaves of JSON documents found by walking Arrow's parse: their documents, texts, key paths, and where
    each stands in its document (field and element indices, level by level, for document order)."""

    rows: list[np.ndarray] = field(default_factory=list)
    texts: list[pa.Array] = field(default_factory=list)
    paths: list[pa.Array | str] = field(default_factory=list)
    order: list[list[np.ndarray | int]] = field(default_factory=list)
    inexact: list[np.ndarray] = field(default_factory=list)  # documents holding a leaf Arrow cannot render

    def walk(self, array: pa.Array, rows: np.ndarray, path: pa.Array | str, order: list[np.ndarray | int]) -> None:
        """``json_leaves`` on Arrow arrays: a key path is ``a.b[0]``, a number its digits, booleans and nulls
        are not leaves."""
        type_ = array.type
        if pa.types.is_struct(type_):
            for index, child in enumerate(array.flatten()):
                name = type_.field(index).name
                sub = (f"{path}.{name}" if path else name) if isinstance(path, str) else concat(path, "." + name)
                self.walk(child, rows, sub, [*order, index])
            return
        if pa.types.is_list(type_) or pa.types.is_large_list(type_):
            parents = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
            if not len(parents):
                return
            index = np.arange(len(parents)) - np.searchsorted(parents, parents)
            label = concat("[", pa.array(index), "]")
            sub = concat(path, label) if isinstance(path, str) else concat(path.take(pa.array(parents)), label)
            taken = [o if isinstance(o, int) else o[parents] for o in order]
            self.walk(pc.list_flatten(array), rows[parents], sub, [*taken, index])
            return
        if pa.types.is_boolean(type_) or pa.types.is_null(type_):
            return
        present = np.flatnonzero(array.is_valid().to_numpy(zero_copy_only=False))
        if not len(present):
            return
        if not (pa.types.is_string(type_) or pa.types.is_large_string(type_) or pa.types.is_integer(type_)):
            self.inexact.append(rows[present])  # 1.50 would be "1.5" in Python, 1e3 "1000.0": Python's to say
            return
        self.rows.append(rows[present])
        self.texts.append(pc.cast(array.take(pa.array(present)), pa.large_string()))
        self.paths.append(path if isinstance(path, str) else path.take(pa.array(present)))
        self.order.append([o if isinstance(o, int) else o[present] for o in order])

    def collect(self) -> tuple[np.ndarray, pa.Array, pa.Array, np.ndarray]:
        """(documents, texts, paths) of every leaf in document order, and the documents left to Python."""
        inexact = np.unique(np.concatenate(self.inexact)) if self.inexact else np.empty(0, np.int64)
        if not self.rows:
            return np.empty(0, np.int64), pa.array([], pa.large_string()), pa.array([], pa.large_string()), inexact
        rows = np.concatenate(self.rows)
        texts = pa.concat_arrays(self.texts)
        paths = pa.concat_arrays(
            [
                pa.array([p], pa.large_string()).take(pa.array(np.zeros(len(r), np.int64))) if isinstance(p, str) else p
                for p, r in zip(self.paths, self.rows, strict=True)
            ]
        )
        depth = max(len(o) for o in self.order)
        levels = [
            np.concatenate(
                [
                    np.broadcast_to(o[level] if level < len(o) else -1, len(r))
                    for o, r in zip(self.order, self.rows, strict=True)
                ]
            )
            for level in range(depth)
        ]
        order = np.lexsort([*reversed(levels), rows])
        if len(inexact):
            order = order[~np.isin(rows[order], inexact)]
        taken = pa.array(order)
        return rows[order], texts.take(taken), paths.take(taken), inexact


def _arrow_json(cells: pa.Array) -> tuple[np.ndarray, pa.Array, pa.Array, np.ndarray]:
    """The leaves of JSON texts parsed by Arrow's reader, one document a line, each wrapped in ``{"v": …}``
    so that any JSON value may stand at the top. Raises :class:`_Refused` where the reader fails, or where
    a text would be read as more or less than one document (``1} {"v": 2``)."""
    lines = concat('{"v":', cells, "}\n")
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, np.int64, len(lines) + 1, lines.offset * 8)
    start, end = int(bounds[0]), int(bounds[-1])
    if end - start >= ARROW_JSON_BYTES:
        raise _Refused(None)
    buffer = data.slice(start, end - start)
    table = _read_json(buffer)
    if table.num_rows != len(cells) or table.column_names != ["v"]:
        raise _Refused(None)
    schema = pa.schema([pa.field("v", _as_text(table.schema.field(0).type))])
    if schema != table.schema:
        table = _read_json(buffer, schema)
    try:
        table.validate(full=True)
    except pa.ArrowInvalid:  # the reader's own fault: see _unfit
        raise _Refused(None) from None
    column = table.column(0)
    leaves = _Leaves()
    try:  # (combine_chunks fails on a single chunk of lists of nulls)
        leaves.walk(
            column.chunk(0) if column.num_chunks == 1 else column.combine_chunks(), np.arange(len(cells)), "", []
        )
    except pa.ArrowException:  # anything Arrow cannot do with what its reader made: Python's to read
        raise _Refused(None) from None
    return leaves.collect()


def _json_column(values: pa.Array, present: np.ndarray) -> tuple[pa.Array, np.ndarray, pa.Array]:
    """(texts, rows, key paths) of the leaves of a JSON column's present cells, row by row in document
    order: parsed by Arrow's JSON reader and flattened with Arrow kernels, no Python object per leaf. A
    document Arrow cannot take exactly as Python's ``json`` (a control character, deep nesting, a float, a
    duplicate key, a text that is no JSON at all) goes to :func:`_json_cells`, the same leaves either way."""
    cells = values.take(pa.array(present))
    aside = np.ones(len(cells), bool)
    found = np.empty(0, np.int64), pa.array([], pa.large_string()), pa.array([], pa.large_string())
    if len(cells) and (pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type)):
        aside = _unfit(cells)
        for _ in range(ARROW_JSON_RETRIES + 1):
            chosen = np.flatnonzero(~aside)
            if not len(chosen):
                break
            try:
                rows, texts, paths, inexact = _arrow_json(cells.take(pa.array(chosen)))
            except _Refused as refused:
                if refused.row is None or refused.row >= len(chosen):
                    aside[:] = True
                    break
                aside[chosen[refused.row]] = True
                continue
            aside[chosen[inexact]] = True
            found = present[chosen[rows]], texts, paths
            break
        else:
            aside[:] = True
    if not aside.any():
        return found[1], found[0], found[2]
    leaves, parents, keys = _json_cells(values, present[aside])
    if aside.all():
        return pa.array(leaves, pa.large_string()), np.asarray(parents, np.int64), pa.array(keys, pa.large_string())
    rows = np.concatenate([found[0], np.asarray(parents, np.int64)])
    order = pa.array(np.argsort(rows, kind="stable"))  # the two sets of rows are apart: a merge, row by row
    texts = pa.concat_arrays([found[1], pa.array(leaves, pa.large_string())]).take(order)
    paths = pa.concat_arrays([found[2], pa.array(keys, pa.large_string())]).take(order)
    return texts, rows[order.to_numpy()], paths


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
            leaves, parents, keys = _json_column(values, present)
            texts.append(leaves)
            rows.append(parents)
            paths.append(keys)
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
    width = int(cells.row.max()) + 1 if len(cells.row) else 1
    for group in hits.groups:
        # (column, row) pairs as one number each: np.unique on a 2-D array sorts rows of a structured view,
        # ten times slower (7% of a database scan's time)
        matched = np.unique(cells.column[group.row] * width + cells.row[group.row]) // width
        counts = np.bincount(matched, minlength=len(reports))
        for index in np.flatnonzero(counts).tolist():
            report = reports[index]
            report.matches[group.adapter.entity] = report.matches.get(group.adapter.entity, 0) + int(counts[index])
