"""Structured text and tables: CSV/TSV line by line with the header as ``field``, Parquet and
Feather/Arrow files column by column. (JSON is in ``jsondoc``, HTML in ``html``.)"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from detectors.base import concat
from scanner.extract import (
    Budget,
    Limits,
    Output,
    Piece,
    Unreadable,
    extractor,
    scrubbed,
)
from scanner.extract.tables import columns_piece
from scanner.extract.text import decode, iter_line_batches


def _unquoted_delimiters(line: str, delimiter: str) -> np.ndarray:
    """Character offsets of the delimiters of a line that are not inside double quotes (a quote
    toggles), found in one vectorised pass."""
    if line.isascii():
        chars = np.frombuffer(line.encode("ascii"), np.uint8)
    else:
        chars = np.frombuffer(line.encode("utf-32-le", errors="surrogatepass"), np.uint32)
    quotes = (chars == ord('"')).astype(np.uint8)
    inside = np.bitwise_xor.accumulate(quotes) if len(quotes) else quotes  # odd quotes up to here
    return np.flatnonzero((chars == ord(delimiter)) & (inside == 0))


def _delimiter(head: str, name: str) -> str:
    """The delimiter the first line uses most (the sniffer breaks a tie); a file without any: by name."""
    lines = head.splitlines()
    first = lines[0] if lines else ""
    counts = {d: first.count(d) for d in ",;\t|"}
    delimiter = (
        max(counts, key=lambda d: counts[d])
        if any(counts.values())
        else ("\t" if name.lower().endswith(".tsv") else ",")
    )
    if sum(1 for n in counts.values() if n == counts[delimiter]) > 1:  # a tie: let the sniffer look at more rows
        with contextlib.suppress(csv.Error):
            delimiter = csv.Sniffer().sniff("\n".join(lines[:50]), delimiters=",;\t|").delimiter
    return delimiter


#: A cell that holds a value rather than a column's name: an "@" or a run of digits.
VALUE_LIKE = re.compile(r"@|\d\d\d")


@dataclass
class CsvCells:
    """The non-empty cells of a batch of CSV lines, each with where it stands: line (index into the
    batch), field (0-based column) and the character offset of its first character in the line."""

    texts: pa.Array
    line: np.ndarray
    field: np.ndarray
    start: np.ndarray


def csv_cells(lines: pa.Array, delimiter: str) -> CsvCells:
    """Lines cut at their delimiters, vectorised; only a line where a delimiter stands inside quotes (a
    part with an odd number of quotes) is cut again in Python. Spaces around a cell and one pair of
    enclosing quotes are left out, so that a cell is its value: ``"Matti"`` is a first name.

    >>> cells = csv_cells(pa.array(['Matti;"Virtanen";"Katu 1; B"\\n', ';x'], pa.large_string()), ";")
    >>> cells.texts.to_pylist(), cells.line.tolist(), cells.field.tolist(), cells.start.tolist()
    (['Matti', 'Virtanen', 'Katu 1; B', 'x'], [0, 0, 0, 1], [0, 1, 2, 1], [0, 7, 18, 1])
    """
    body = pc.utf8_rtrim(lines.cast(pa.large_string()), characters="\r\n")
    parts = pc.split_pattern(body, delimiter)
    offsets = parts.offsets.to_numpy()
    offsets = offsets - offsets[0]
    flat = parts.flatten()
    counts = np.diff(offsets)
    line = np.repeat(np.arange(len(parts), dtype=np.int64), counts)
    field = np.arange(len(flat), dtype=np.int64) - np.repeat(offsets[:-1], counts)
    length = pc.utf8_length(flat).to_numpy(zero_copy_only=False).astype(np.int64)
    passed = np.cumsum(length + 1) - (length + 1)
    start = passed - np.repeat(passed[offsets[:-1]], counts)
    odd = pc.bit_wise_and(pc.count_substring(flat, '"'), 1).to_numpy(zero_copy_only=False).astype(bool)
    if odd.any():  # a delimiter inside quotes: those lines cut where the quotes allow
        careful = np.unique(line[odd])
        keep = ~np.isin(line, careful)
        texts, lines_, fields, starts = [flat.filter(pa.array(keep))], [line[keep]], [field[keep]], [start[keep]]
        extra: list[str] = []
        extra_at: list[tuple[int, int, int]] = []
        for row in careful.tolist():
            text = body[row].as_py()
            bounds = [-1, *_unquoted_delimiters(text, delimiter).tolist(), len(text)]
            for index in range(len(bounds) - 1):
                extra.append(text[bounds[index] + 1 : bounds[index + 1]])
                extra_at.append((row, index, bounds[index] + 1))
        at = np.array(extra_at, np.int64).reshape(-1, 3)
        texts.append(pa.array(extra, pa.large_string()))
        lines_.append(at[:, 0])
        fields.append(at[:, 1])
        starts.append(at[:, 2])
        line, field, start = np.concatenate(lines_), np.concatenate(fields), np.concatenate(starts)
        order = np.lexsort((field, line))
        flat = pa.concat_arrays(texts).take(pa.array(order))
        line, field, start = line[order], field[order], start[order]
    # spaces around, then one pair of enclosing quotes
    left = pc.utf8_ltrim(flat, characters=" \t")
    lead = pc.utf8_length(flat).to_numpy(zero_copy_only=False) - pc.utf8_length(left).to_numpy(zero_copy_only=False)
    trimmed = pc.utf8_rtrim(left, characters=" \t")
    enclosed = pc.and_(
        pc.and_(pc.starts_with(trimmed, '"'), pc.ends_with(trimmed, '"')), pc.greater(pc.utf8_length(trimmed), 1)
    )
    texts = pc.if_else(enclosed, pc.utf8_slice_codeunits(trimmed, 1, -1), trimmed)
    start = start + lead + enclosed.to_numpy(zero_copy_only=False)
    present = np.flatnonzero(pc.utf8_length(texts).to_numpy(zero_copy_only=False) > 0)
    return CsvCells(texts.take(pa.array(present)), line[present], field[present], start[present])


@extractor("csv", priority=400, suffixes=("csv", "tsv"))
def csv_pieces(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Cell by cell, a batch of lines at a time (so any size streams), each cell labelled with its column's
    header: a context word in the header counts for every cell under it, and a column of first names is
    one (as in a spreadsheet), where the line as one text would give a name beside a surname no context."""
    head = decode(stream.read(65536))
    stream.seek(0)
    delimiter = _delimiter(head, name)
    lines = head.splitlines()
    header = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
    # A header names every column and holds no value: no "@", no run of digits ("E-mail 2 Address" is a name).
    has_header = bool(header) and all(h.strip() and not VALUE_LIKE.search(h) for h in header)
    names = [json.dumps(h, ensure_ascii=False) for h in header] if has_header else []
    header_labels = pa.array([*(h.strip() for h in header), None], pa.large_string()) if has_header else None
    for batch in iter_line_batches(stream, block_size):
        cells = csv_cells(batch.lines, delimiter)
        if not len(cells.texts):
            continue

        def locate(group, batch=batch, cells=cells) -> pa.Array:
            at = np.asarray(group.row, np.int64)
            rows = cells.line[at]
            literals = [names[i] if i < len(names) else f'"{i + 1}"' for i in cells.field[at].tolist()]
            line = pa.array(batch.line_no[rows])
            column = pa.array(batch.col0[rows] + cells.start[at] + np.asarray(group.start, np.int64) + 1)
            return concat('{"line": ', line, ', "column": ', column, ', "field": ', pa.array(literals), "}")

        labels = None
        if header_labels is not None:
            labels = header_labels.take(pa.array(np.minimum(cells.field, len(header_labels) - 1)))
        yield Piece(member, cells.texts, locate, batch.nbytes, labels=labels)


def _text_columns(batch: pa.RecordBatch) -> dict[str, pa.Array]:
    """String columns (dictionary-encoded ones too) of a batch; numbers and binaries are not text."""
    out = {}
    for field, column in zip(batch.schema, batch.columns, strict=True):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            out[field.name] = column
    return out


def _table_pieces(batches: Iterator[pa.RecordBatch], member: str | None) -> Iterator[Output]:
    offset = 0
    for batch in batches:
        batch.validate(full=True)  # Arrow's kernels trust offsets; a file's may point anywhere (SIGSEGV)
        piece = columns_piece(member, _text_columns(batch), offset)
        if piece is not None:
            yield piece
        offset += batch.num_rows


@extractor("parquet", priority=210, magic=[b"PAR1"], random_access=True)
def parquet(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Column by column, batch by batch: the cells go to the engine as the Arrow arrays they are."""
    import pyarrow.parquet as pq

    try:
        yield from _table_pieces(pq.ParquetFile(stream).iter_batches(batch_size=65_536), member)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # names that are not UTF-8, too
        yield Unreadable(member, f"corrupt Parquet file: {scrubbed(exc)}")
    except MemoryError:  # lengths in the file that ask for more memory than there is
        yield Unreadable(member, "too large: its lengths ask for more memory than there is", "too-large")


@extractor("arrow", priority=220, magic=[b"ARROW1"], suffixes=("feather", "arrow", "ipc"), random_access=True)
def arrow_ipc(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Feather v2 / Arrow IPC files (and streams)."""
    import pyarrow.ipc as ipc

    try:
        try:
            reader = ipc.open_file(stream)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
        except pa.ArrowInvalid:
            stream.seek(0)
            batches = iter(ipc.open_stream(stream))
        yield from _table_pieces(batches, member)
    except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # names that are not UTF-8, too
        yield Unreadable(member, f"corrupt Arrow/Feather file: {scrubbed(exc)}")
    except MemoryError:  # lengths in the file that ask for more memory than there is
        yield Unreadable(member, "too large: its lengths ask for more memory than there is", "too-large")
