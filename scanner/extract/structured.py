"""Structured text: CSV/TSV with the header as ``field``, JSON and JSON Lines with the key path as
``field``, and HTML with its text and attribute values (``mailto:`` links, titles, form values).

Every reader here streams: memory follows the size of one batch (or one construct of the format), not
the size of the file, and the work is linear in the file's length even on hostile input — a JSON
document is walked event by event (``ijson``), never built as one object, and HTML goes through the
standard library's parser in chunks with its one quadratic path (unterminated markup at the end of
the input) bounded."""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
from collections.abc import Callable, Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from typing import BinaryIO

import ijson
import numpy as np
import pyarrow as pa

from detectors.base import concat
from scanner.extract import (
    Budget,
    Limits,
    Output,
    Piece,
    Unreadable,
    cells_piece,
    extractor,
    scrubbed,
    text_pieces,
)
from scanner.extract.tables import columns_piece, json_leaves
from scanner.extract.text import decode, iter_line_batches, sniff_encoding
from scanner.findings import json_literals


class _Decoded:
    """A binary stream read as text in pieces, with the encoding rules of :func:`decode` (BOM, UTF-16
    sniffed by its NUL bytes, stray non-UTF-8 bytes as Windows-1252), so a streaming reader sees the
    same characters as one that decoded the whole file at once."""

    def __init__(self, stream: BinaryIO, head: bytes) -> None:
        self.stream = stream
        self.codec, bom = sniff_encoding(head)
        errors = "harava-cp1252" if self.codec == "utf-8" else "replace"
        self.decoder = codecs.getincrementaldecoder(self.codec)(errors=errors)
        self.head: bytes | None = head[bom:]
        self.consumed = len(head)  # bytes of the file read so far

    def _raw(self, size: int) -> bytes | None:
        raw, self.head = self.head, None
        if raw:
            return raw
        raw = self.stream.read(size)
        self.consumed += len(raw)
        return raw or None

    def text(self, size: int) -> str:
        """Up to about ``size`` more bytes of the file as text; '' at its end."""
        while (raw := self._raw(size)) is not None:
            if text := self.decoder.decode(raw):
                return text
        return self.decoder.decode(b"", final=True)

    def utf8(self, size: int) -> bytes:
        """The same as UTF-8 bytes (what the JSON parser takes); ASCII passes through undecoded."""
        while (raw := self._raw(size)) is not None:
            if self.codec == "utf-8" and raw.isascii() and not self.decoder.getstate()[0]:
                return raw
            if text := self.decoder.decode(raw):
                return text.encode("utf-8")
        return self.decoder.decode(b"", final=True).encode("utf-8")


class _Replay:
    """A stream that gives back bytes already read from it first, then the rest of it: a reader can
    change its mind about the format without seeking (archive members cannot seek back)."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        if size < 0:
            out, self.head = self.head + self.rest.read(), b""
            return out
        out, self.head = self.head[:size], self.head[size:]
        return out


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
    has_header = bool(header) and all(h.strip() and not any(c.isdigit() for c in h) for h in header)
    names = [json.dumps(h, ensure_ascii=False) for h in header] if has_header else []
    for batch in iter_line_batches(stream, block_size):

        def locate(group, batch=batch) -> pa.Array:
            rows = np.asarray(group.row, np.int64)
            fields = _fields_of(batch.lines, rows, batch.col0[rows] + np.asarray(group.start, np.int64), delimiter)
            literals = [names[i] if i < len(names) else f'"{i + 1}"' for i in fields.tolist()]
            line = pa.array(batch.line_no[rows])
            column = pa.array(batch.col0[rows] + group.start + 1)
            return concat('{"line": ', line, ', "column": ', column, ', "field": ', pa.array(literals), "}")

        yield Piece(member, batch.lines, locate, batch.nbytes)


class _JsonWalk:
    """The (key path, text) leaves of a JSON text from its parser's events, in ``json_leaves``' path
    syntax (``user.emails[0]``) and text (numbers as Python prints them, no booleans or nulls), without
    recursion: a document is never built, so it may be any size, and nesting deeper than
    ``max_nesting`` is stepped over (``too_deep`` says so) instead of exhausting the stack."""

    def __init__(self, max_nesting: int) -> None:
        self.max_nesting = max_nesting
        self.paths: list[str] = []
        self.texts: list[str] = []
        self.chars = 0  # of the texts and paths collected, to bound a batch by size as well as count
        self.too_deep = False
        # one frame per open container: [is_array, own path, next index (arrays) or current key's path]
        self._stack: list[list] = []
        self._skipping = 0  # depth inside a container beyond the limit

    def take(self) -> tuple[list[str], list[str]]:
        paths, texts = self.paths, self.texts
        self.paths, self.texts, self.chars = [], [], 0
        return paths, texts

    def feed(self, events: list[tuple[str, object]]) -> None:
        """Walk a run of events (the walk resumes where the previous run ended). The hot loop of a
        JSON document, hence inlined: a frame is ``[is_array, own path, next index or key's path]``."""
        stack, paths, texts, limit = self._stack, self.paths, self.texts, self.max_nesting
        chars, skipping = 0, self._skipping
        for event, value in events:
            if skipping:
                skipping += _DEPTH.get(event, 0)
                continue
            kind = _KIND[event]
            if kind == _KEY:
                frame = stack[-1]
                frame[2] = f"{frame[1]}.{value}" if frame[1] else value
                continue
            if kind == _END:
                stack.pop()
                continue
            if not stack:
                path = ""
            elif stack[-1][0]:
                frame = stack[-1]
                path = f"{frame[1]}[{frame[2]}]"
                frame[2] += 1
            else:
                path = stack[-1][2]
            if kind <= _NUMBER:  # integers as they are, other numbers (Decimal) as the float json.loads makes
                text = value if kind == _STRING else str(value) if type(value) is int else str(float(value))
                paths.append(path)
                texts.append(text)
                chars += len(text) + len(path)
            elif kind != _NOTHING:
                if len(stack) >= limit:
                    skipping, self.too_deep = 1, True
                else:
                    stack.append([kind == _ARRAY, path, 0 if kind == _ARRAY else ""])
        self.chars += chars
        self._skipping = skipping


_KEY, _END, _STRING, _NUMBER, _NOTHING, _MAP, _ARRAY = range(7)
_KIND = {
    "map_key": _KEY,
    "end_map": _END,
    "end_array": _END,
    "string": _STRING,
    "number": _NUMBER,
    "boolean": _NOTHING,
    "null": _NOTHING,
    "start_map": _MAP,
    "start_array": _ARRAY,
}
_DEPTH = {"start_map": 1, "start_array": 1, "end_map": -1, "end_array": -1}


def _walk_text(data: bytes, max_nesting: int) -> _JsonWalk:
    """One whole JSON text walked (raises ``ijson.JSONError`` if it is not JSON)."""
    walk = _JsonWalk(max_nesting)
    events = ijson.sendable_list()
    parser = ijson.basic_parse_coro(events)
    parser.send(data)
    parser.close()
    walk.feed(events)
    return walk


def _line_leaves(line: str, limits: Limits) -> tuple[list[tuple[str, str]], bool]:
    """(leaves of one JSON Lines record, whether it was nested too deep). A line that cannot be that deep
    (fewer brackets than the limit) takes the quick standard parser; a deeper one is walked with the
    limit, so no line can exhaust the stack. A line that is not JSON is one leaf: the line as text."""
    if line.count("[") + line.count("{") <= limits.max_nesting:
        try:
            return list(json_leaves(json.loads(line))), False
        except ValueError:
            return [("", line)], False
        except RecursionError:  # a limit set above what the interpreter's stack allows
            pass
    try:
        walk = _walk_text(line.encode("utf-8", errors="surrogatepass"), limits.max_nesting)
    except (ijson.JSONError, ValueError):
        return [("", line)], False
    return list(zip(walk.paths, walk.texts, strict=True)), walk.too_deep


@extractor("jsonl", priority=410, suffixes=("jsonl", "ndjson"))
def jsonl(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """One record a line; a line that is not JSON is scanned as plain text. A record nested deeper than
    ``max_nesting`` is read down to the limit, and the file is reported as partial."""
    deep_lines: list[int] = []
    for batch in iter_line_batches(stream, block_size):
        texts, locations = [], []
        for line_no, line in zip(batch.line_no.tolist(), batch.lines.to_pylist(), strict=True):
            if not line or not line.strip():
                continue
            leaves, too_deep = _line_leaves(line, limits)
            if too_deep:
                deep_lines.append(line_no)
            for path, value in leaves:
                texts.append(value)
                locations.append({"line": line_no, "field": path} if path else {"line": line_no})
        if texts:
            yield cells_piece(member, texts, locations)
    if deep_lines:
        lines = f"line {deep_lines[0]}" if len(deep_lines) == 1 else f"{len(deep_lines)} lines (first {deep_lines[0]})"
        yield Unreadable(
            member, f"{lines} nested deeper than {limits.max_nesting} levels (max_nesting); read down to it", "limit"
        )


_JSON_HEAD = 65536  # a document that breaks within these first bytes is read as text instead
_JSON_READ = 1 << 18  # bytes handed to the parser at a time
_JSON_BATCH = 50_000  # values a piece


class _JsonStream:
    """A JSON document parsed as it is read: parser events go to a :class:`_JsonWalk` after every read,
    so memory is one read's events plus one batch of leaves (and any single string in the document)."""

    def __init__(self, stream: BinaryIO, member: str | None, limits: Limits) -> None:
        self.head = _read_fully(stream, _JSON_HEAD)
        self.source = _Decoded(stream, self.head)
        self.member, self.limits = member, limits
        self.walk = _JsonWalk(limits.max_nesting)
        self.events = ijson.sendable_list()
        self.parser = ijson.basic_parse_coro(self.events)
        self.start = 0  # file offset where the bytes being parsed now began
        self.sent = 0  # file offset up to which pieces were given out (for progress)
        self.reported = False  # whether the too-deep note was given

    def _advance(self) -> bool:
        """Parse one more read (False at the end); ``ijson.JSONError`` (or ``ValueError``) if the
        document breaks in it. The events before the break are walked all the same."""
        self.start = self.source.consumed
        data = self.source.utf8(_JSON_READ)
        try:
            if not data:
                self.parser.close()
                return False
            self.parser.send(data)
            return True
        finally:
            self.walk.feed(self.events)
            del self.events[:]

    def piece(self, upto: int) -> Piece:
        """The leaves collected so far (from the file up to byte ``upto``) as one piece, located
        ``{"field": path}``; the location texts are made for the hits only."""
        paths, texts = self.walk.take()
        path_array = pa.array(paths, pa.large_string())

        def locate(group) -> pa.Array:
            return concat('{"field": ', json_literals(path_array.take(pa.array(group.row))), "}")

        nbytes, self.sent = upto - self.sent, upto
        return Piece(self.member, pa.array(texts, pa.large_string()), locate, nbytes)

    def pieces(self, block_size: int) -> Iterator[Output]:
        """Pieces of about ``_JSON_BATCH`` values, and one note if the nesting went too deep — none of
        it until the head has parsed, so that a document that is not JSON after all is read once."""
        while self._advance():
            if self.source.consumed > _JSON_HEAD:
                yield from self._ready(block_size)
        yield from self._ready(0)

    def _ready(self, block_size: int) -> Iterator[Output]:
        """What is ready to give out: the too-deep note (once), and the leaves when they make a batch
        (all of them when ``block_size`` is 0)."""
        if self.walk.too_deep and not self.reported:
            self.reported = True
            yield Unreadable(
                self.member,
                f"nested deeper than {self.limits.max_nesting} levels (max_nesting); read down to it",
                "limit",
            )
        walk = self.walk
        if walk.texts and (len(walk.texts) >= _JSON_BATCH or walk.chars >= block_size):
            yield self.piece(self.source.consumed)

    def broken(self) -> Iterator[Output]:
        """After a break past the head: what was read, and where it broke."""
        if self.walk.texts:
            yield self.piece(self.start)
        end = self.source.consumed
        where = f"at its end (byte {end})" if self.start == end else f"between bytes {self.start} and {end}"
        yield Unreadable(self.member, f"not valid JSON: it breaks {where}; the values before were read")


def _read_fully(stream: BinaryIO, size: int) -> bytes:
    """``size`` bytes, or fewer at the end only (a raw stream may return less than asked)."""
    parts, left = [], size
    while left > 0 and (part := stream.read(left)):
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


@extractor("json", priority=420, suffixes=("json",))
def json_document(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """A JSON document, value by value with its key path, streamed so that it may be any size or depth.
    One that does not parse as JSON in its first 64 KiB (JSON Lines named .json, a text export) is read
    as text from the start, as before; one that breaks later keeps what was read and says where it
    broke. Nesting deeper than ``max_nesting`` is stepped over and reported once."""
    document = _JsonStream(stream, member, limits)
    try:
        yield from document.pieces(block_size)
    except (ijson.JSONError, ValueError):
        if document.source.consumed <= _JSON_HEAD:
            yield from text_pieces(_Replay(document.head, stream), member, block_size)
        else:
            yield from document.broken()


class _OutOfWork(Exception):
    """The parser's work at the end of the input ran out; ``at`` is where it stopped."""

    def __init__(self, at: int) -> None:
        super().__init__(at)
        self.at = at


class _Html(HTMLParser):
    """Text and the attribute values people hide personal data in, each with its source line.

    ``HTMLParser`` reads complete markup in linear time, but markup left open at the end of the input
    (``<a<a<a…``) makes it retry every ``<`` up to the end: quadratic. :meth:`finish` therefore gives
    that end-of-input work a budget proportional to what is left; when it runs out, the rest is text.
    Ordinary documents, even truncated ones, finish well within it and read exactly as before."""

    ATTRIBUTES = {"href", "title", "alt", "value", "content", "placeholder", "data-email", "data-phone"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.lines: list[int] = []
        self.chars = 0
        self.skip = 0
        self._work: int | None = None  # budget left while finishing, None while reading

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
                self.chars += len(value)

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
                    self.chars += len(piece)

    def take(self) -> tuple[list[str], list[int]]:
        texts, lines = self.texts, self.lines
        self.texts, self.lines, self.chars = [], [], 0
        return texts, lines

    # The constructs ``goahead`` tries; at the end of the input, each that stays open costs up to the rest.
    def _charged(self, i: int, end: int) -> int:
        if end < 0 and self._work is not None:
            self._work -= len(self.rawdata) - i
            if self._work < 0:
                raise _OutOfWork(i)
        return end

    def parse_starttag(self, i: int) -> int:
        return self._charged(i, super().parse_starttag(i))

    def parse_endtag(self, i: int) -> int:
        return self._charged(i, super().parse_endtag(i))

    def parse_comment(self, i: int, report: int = 1) -> int:
        return self._charged(i, super().parse_comment(i, report))

    def parse_pi(self, i: int) -> int:
        return self._charged(i, super().parse_pi(i))

    def parse_html_declaration(self, i: int) -> int:
        return self._charged(i, super().parse_html_declaration(i))

    def finish(self) -> None:
        """What ``close`` does — everything buffered handled as if the input ended here — in linear
        time. Used at the end, and on the way when one construct has buffered more than a reader should
        hold (then it is cut: a tag of 32 MB is read as text)."""
        self._work = 2 * len(self.rawdata) + (1 << 16)
        try:
            self.goahead(1)
        except _OutOfWork as stop:
            rest = self.rawdata[stop.at :]
            if not self.cdata_elem:
                self.handle_data(unescape(rest))
            self.updatepos(stop.at, len(self.rawdata))
            self.rawdata = ""
        finally:
            self._work = None
        if self.cdata_elem and self.rawdata:  # script or style content: skipped anyway, keep only a tail
            keep = self.rawdata[-1024:]
            self.updatepos(0, len(self.rawdata) - len(keep))
            self.rawdata = keep


_HTML_READ = 1 << 16  # characters fed at a time (more while one construct is open)
_HTML_PENDING = 32 << 20  # characters one open construct may buffer before it is cut
_HTML_LINE = 1 << 20  # characters of text without a tag or a newline held back before feeding them
_HTML_BATCH = 50_000  # texts a piece


def html_text(markup: str) -> str:
    """The text of an HTML document (a mail body), a line per text or attribute value."""
    parser = _Html()
    parser.feed(markup)
    parser.finish()
    return "\n".join(parser.texts)


def html_texts(markup: Iterable[str]) -> Iterator[str]:
    """The texts :func:`html_text` gives, for a document that arrives in pieces (a mail part as it is
    decoded): one parser reads them all, so a text or a tag split between two pieces reads as one, and
    memory is a piece and one open construct, not the document."""
    parser = _Html()
    for _ in _html_feed(parser, _Joined(markup).text):
        yield from parser.take()[0]


class _Joined:
    """Pieces of text read ``size`` characters or more at a time (a piece is never split)."""

    def __init__(self, pieces: Iterable[str]) -> None:
        self.pieces = iter(pieces)

    def text(self, size: int) -> str:
        parts, length = [], 0
        while length < size and (piece := next(self.pieces, None)) is not None:
            parts.append(piece)
            length += len(piece)
        return "".join(parts)


def _cut(data: str, new: int) -> int:
    """Where to end what is fed now, so that a run of text is never split between two feeds: before
    the last ``<`` (the text before it is complete), else after the last newline (the parser reports
    text line by line anyway); 0 (feed nothing yet) if the new part has neither."""
    at = data.rfind("<", new)
    if at > 0:
        return at
    at = data.rfind("\n", new)
    return at + 1 if at >= 0 else 0


def _html_feed(parser: _Html, read: Callable[[int], str]) -> Iterator[None]:
    """Feed all the text ``read(size)`` gives ('' at the end), pausing (yielding) after each feed so
    the caller can take the texts. While a construct stays open the reads grow with it, so re-scanning
    it stays linear overall."""
    carry = ""
    while text := read(max(_HTML_READ, len(parser.rawdata), len(carry))):
        data = carry + text
        cut = _cut(data, len(carry))
        if cut == 0 and len(data) < _HTML_LINE:
            carry = data
            continue
        cut = cut or len(data)
        parser.feed(data[:cut])
        carry = data[cut:]
        if len(parser.rawdata) > _HTML_PENDING:
            parser.finish()
        yield
    parser.feed(carry)
    parser.finish()
    yield


@extractor("html", priority=430, suffixes=("html", "htm", "xhtml"))
def html(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text and attribute values, read in chunks; no entity is ever resolved beyond HTML's own
    character references (so an XML external entity in an .xhtml file stays text)."""
    parser = _Html()
    source = _Decoded(stream, stream.read(_HTML_READ))
    try:
        for _ in _html_feed(parser, source.text):
            if len(parser.texts) >= _HTML_BATCH or parser.chars >= block_size:
                texts, lines = parser.take()
                yield cells_piece(member, texts, [{"line": n} for n in lines])
    except Exception as exc:  # html.parser is lenient; this is a safety net
        if parser.texts:
            texts, lines = parser.take()
            yield cells_piece(member, texts, [{"line": n} for n in lines])
        yield Unreadable(member, f"unreadable HTML: {scrubbed(exc)}")
        return
    if parser.texts:
        texts, lines = parser.take()
        yield cells_piece(member, texts, [{"line": n} for n in lines])


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
        yield Unreadable(member, f"corrupt Parquet file: {scrubbed(exc)}")


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
        yield Unreadable(member, f"corrupt Arrow/Feather file: {scrubbed(exc)}")
