"""Structured text and tables: CSV/TSV line by line with the header as ``field``, Parquet and
Feather/Arrow files column by column. (JSON is in ``jsondoc``, HTML in ``html``.)"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa

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


def _fields_of(lines: pa.Array, rows: np.ndarray, starts: np.ndarray, delimiter: str) -> np.ndarray:
    """The field of each hit (row, character offset): the delimiters of a line are located once however
    many hits it has, so a long line full of values costs its length, not hits × length."""
    fields = np.zeros(len(rows), np.int64)
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    bounds = np.flatnonzero(np.diff(sorted_rows)) + 1
    for chunk in np.split(order, bounds) if len(order) else ():
        delimiters = _unquoted_delimiters(lines[int(rows[chunk[0]])].as_py(), delimiter)
        fields[chunk] = np.searchsorted(delimiters, starts[chunk], side="left")
    return fields


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


_VALUE_LIKE = re.compile(r"@|\d\d\d")


@extractor("csv", priority=400, suffixes=("csv", "tsv"))
def csv_pieces(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Line by line like text (so any size streams), with the column's header as ``field``."""
    head = decode(stream.read(65536))
    stream.seek(0)
    delimiter = _delimiter(head, name)
    lines = head.splitlines()
    header = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
    # A header names every column and holds no value: no "@", no run of digits ("E-mail 2 Address" is a name).
    has_header = bool(header) and all(h.strip() and not _VALUE_LIKE.search(h) for h in header)
    names = [json.dumps(h, ensure_ascii=False) for h in header] if has_header else []
    for batch in iter_line_batches(stream, block_size):

        def locate(group, batch=batch) -> pa.Array:
            rows = np.asarray(group.row, np.int64)
            fields = _fields_of(batch.lines, rows, batch.col0[rows] + np.asarray(group.start, np.int64), delimiter)
            literals = [names[i] if i < len(names) else f'"{i + 1}"' for i in fields.tolist()]
            line = pa.array(batch.line_no[rows])
            column = pa.array(batch.col0[rows] + group.start + 1)
            return concat('{"line": ', line, ', "column": ', column, ', "field": ', pa.array(literals), "}")

        yield Piece(member, batch.lines, locate, batch.nbytes, labels=lines[0] if has_header else None)


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
