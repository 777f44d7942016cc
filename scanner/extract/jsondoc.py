"""JSON documents and JSON Lines, value by value with the key path as ``field``.

A document is walked event by event (``ijson``), never built as one object, so memory follows one batch
of values, not the file; nesting deeper than ``Limits.max_nesting`` is skipped with a note while the rest
is read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import BinaryIO

import ijson
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
    text_pieces,
)
from scanner.extract.tables import json_leaves
from scanner.extract.text import DecodedStream, Replay, iter_line_batches
from scanner.findings import json_literals


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
        self.source = DecodedStream(stream, self.head)
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
        return Piece(self.member, pa.array(texts, pa.large_string()), locate, nbytes, labels=path_array)

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
            yield from text_pieces(Replay(document.head, stream), member, block_size)
        else:
            yield from document.broken()
