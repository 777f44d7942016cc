"""Structured text: CSV/TSV with the header as ``field``, JSON and JSON Lines with the key path as
``field``, and HTML with its text and attribute values (``mailto:`` links, titles, form values)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import BinaryIO

import pyarrow as pa

from detectors.base import concat
from scanner.extract import Budget, Limits, Output, Piece, Unreadable, cells_piece, extractor
from scanner.extract.tables import columns_piece, json_leaves
from scanner.extract.text import decode, iter_line_batches


def _field_of(line: str, start: int, delimiter: str) -> int:
    """The 0-based field a character offset falls in, quotes respected."""
    field, quoted = 0, False
    for ch in line[:start]:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            field += 1
    return field


@extractor("csv", priority=400, suffixes=("csv", "tsv"))
def csv_pieces(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Line by line like text (so any size streams), with the column's header as ``field``."""
    head = decode(stream.read(65536))
    stream.seek(0)
    first = head.splitlines()[0] if head.splitlines() else ""
    counts = {d: first.count(d) for d in ",;\t|"}
    delimiter = (
        max(counts, key=lambda d: counts[d])
        if any(counts.values())
        else ("\t" if name.lower().endswith(".tsv") else ",")
    )
    if sum(1 for n in counts.values() if n == counts[delimiter]) > 1:  # a tie: let the sniffer look at more rows
        with contextlib.suppress(csv.Error):
            delimiter = csv.Sniffer().sniff("\n".join(head.splitlines()[:50]), delimiters=",;\t|").delimiter
    lines = head.splitlines()
    header = next(csv.reader([lines[0]], delimiter=delimiter)) if lines else []
    has_header = bool(header) and all(h.strip() and not any(c.isdigit() for c in h) for h in header)
    for batch in iter_line_batches(stream, block_size):
        texts = batch.lines

        def locate(group, texts=texts, batch=batch) -> pa.Array:
            rows = group.row
            fields = []
            for row, start in zip(rows.tolist(), group.start.tolist(), strict=True):
                index = _field_of(texts[row].as_py(), start + int(batch.col0[row]), delimiter)
                name_ = header[index] if has_header and index < len(header) else str(index + 1)
                fields.append(json.dumps(name_, ensure_ascii=False))
            line = pa.array(batch.line_no[rows])
            column = pa.array(batch.col0[rows] + group.start + 1)
            return concat('{"line": ', line, ', "column": ', column, ', "field": ', pa.array(fields), "}")

        yield Piece(member, texts, locate, batch.nbytes)


@extractor("jsonl", priority=410, suffixes=("jsonl", "ndjson"))
def jsonl(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """One record a line; a line that is not JSON is scanned as plain text."""
    for batch in iter_line_batches(stream, block_size):
        texts, locations = [], []
        for line_no, line in zip(batch.line_no.tolist(), batch.lines.to_pylist(), strict=True):
            if not line or not line.strip():
                continue
            try:
                leaves = list(json_leaves(json.loads(line)))
            except ValueError:
                leaves = [("", line)]
            for path, value in leaves:
                texts.append(value)
                locations.append({"line": line_no, "field": path} if path else {"line": line_no})
        if texts:
            yield cells_piece(member, texts, locations)


@extractor("json", priority=420, suffixes=("json",))
def json_document(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """A JSON document, value by value with its key path; one that does not parse is read as text."""
    data = stream.read()
    try:
        document = json.loads(decode(data))
    except ValueError:
        from scanner.extract import text_pieces

        yield from text_pieces(io.BytesIO(data), member, block_size)
        return
    texts, locations = [], []
    for path, value in json_leaves(document):
        texts.append(value)
        locations.append({"field": path})
    if texts:
        yield cells_piece(member, texts, locations)


class _Html(HTMLParser):
    """Text and the attribute values people hide personal data in, each with its source line."""

    ATTRIBUTES = {"href", "title", "alt", "value", "content", "placeholder", "data-email", "data-phone"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lines: list[int] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        for attribute, value in attrs:
            if value and attribute in self.ATTRIBUTES:
                for prefix in ("mailto:", "tel:", "callto:"):
                    if value.lower().startswith(prefix):
                        value = value[len(prefix) :].split("?", 1)[0]
                self.texts.append(value)
                self.lines.append(self.getpos()[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip = max(self.skip - 1, 0)

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            line = self.getpos()[0]
            for offset, piece in enumerate(data.split("\n")):
                if piece.strip():
                    self.texts.append(piece)
                    self.lines.append(line + offset)


def html_text(markup: str) -> str:
    parser = _Html()
    parser.feed(markup)
    parser.close()
    return "\n".join(parser.texts)


@extractor("html", priority=430, suffixes=("html", "htm", "xhtml"))
def html(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    parser = _Html()
    try:
        parser.feed(decode(stream.read()))
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is a safety net
        yield Unreadable(member, f"unreadable HTML: {exc}")
        return
    if parser.texts:
        yield cells_piece(member, parser.texts, [{"line": n} for n in parser.lines])


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
    except (pa.ArrowException, OSError) as exc:
        yield Unreadable(member, f"corrupt Parquet file: {exc}")


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
    except (pa.ArrowException, OSError) as exc:
        yield Unreadable(member, f"corrupt Arrow/Feather file: {exc}")
