"""Extractors: any file (or archive member, or mail attachment) into pieces of text for the engine.

Each format registers its reader with :func:`extractor`, declaring how its files are recognised (magic
bytes, names, a sniff of the first bytes); the registry, tried in an explicit priority order, decides
the kind of every file, so adding a format touches one module. Each extractor yields :class:`Piece` objects — an Arrow string array
plus a function that turns the engine's hits into ``location`` objects — or says why something could
not be read (:class:`Unreadable`) or was left alone (:class:`Skipped`). Containers (zip, tar,
gzip/bzip2/xz, e-mail) hand their members back to :func:`extract`, so nesting works to the depth the
limits allow. Nothing is ever written to disk.
"""

from __future__ import annotations

import io
import json
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields, replace
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa

from detectors.base import concat
from scanner.extract.text import BLOCK_SIZE, iter_line_batches, looks_binary


@dataclass(frozen=True)
class Limits:
    """Named bounds on the work one item may cost, so that a hostile or absurd file (a zip bomb, an endless
    nesting, a sheet claiming a billion cells) ends in a named limit rather than exhausting the machine or
    running into the item timeout. Each can be set with ``--limit NAME=VALUE`` or a ``[limits]`` table;
    an item that hits one is reported ``partial`` (what was read before it counts) with code ``limit``
    or ``too-large``."""

    max_depth: int = 5  # containers within containers (archives, attachments)
    max_members: int = 100_000  # members of one archive
    max_total: int = 8 << 30  # bytes unpacked from one top-level file
    max_ratio: int = 200  # unpacked size / packed size of one member ...
    ratio_floor: int = 16 << 20  # ... once it unpacks to more than this (small repetitive files are fine)
    max_member: int = 1 << 30  # bytes of one member held in memory (formats that need random access)
    max_nesting: int = 500  # levels of nesting inside one document: JSON values, MIME parts
    max_cells: int = 20_000_000  # cells (filled or not) visited in one sheet of a spreadsheet
    max_pages: int = 50_000  # pages of one PDF

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def with_values(self, values: dict[str, int]) -> Limits:
        """These limits with some replaced by name; a name that is not a limit or a value below 1 is a
        ``ValueError`` whose message lists the names."""
        for name, value in values.items():
            if name not in self.names():
                raise ValueError(f"unknown limit {name!r}; the limits are: {', '.join(self.names())}")
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"limit {name} must be a whole number of at least 1, not {value!r}")
        return replace(self, **values)


#: Why an item, or part of it, was not read — the ``code`` of an error row, counted in the summary and
#: kept in the history. ``check`` treats every code as a gap in what it could judge except those a
#: configuration accepts (by default ``binary`` and ``sampled``).
CODES: dict[str, str] = {
    "binary": "content no reader understands (pictures, programs) was left alone",
    "unsupported-format": "a known format Harava cannot read (legacy Office, Outlook .msg)",
    "encrypted": "encrypted or password-protected",
    "corrupt": "broken: the reader for its format gave up",
    "no-text": "a document without a text layer (a scanned PDF): its images were not read",
    "too-large": "larger than a size limit (or a compression bomb)",
    "limit": "a limit on work per item was reached (named in the reason)",
    "timeout": "reading took longer than --item-timeout",
    "crashed": "the worker reading it died (a crash in a native library, or out of memory)",
    "error": "an unexpected error while reading it (a fault in Harava or a library)",
    "unreadable": "the operating system refused to read it (permissions, vanished, not a regular file)",
    "database-error": "the database refused or failed the read",
    "sampled": "a database table read by sampling, as asked",
}

#: Coverage of an item: read to its end, read in part (some members or a limit), or not read at all.
COVERAGE = ("complete", "partial", "skipped")


def error_name(exc: BaseException) -> str:
    """``RecursionError``, ``zlib.error``: the type, qualified where the bare name says little."""
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def scrubbed(exc: BaseException) -> str:
    """An exception as text that cannot quote the data: parsers' messages often do (openpyxl quotes the
    cell it could not convert), so only the type is kept, and the message only for errors whose text is
    about the container, not its content."""
    safe = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, zlib.error, EOFError, lzma.LZMAError)
    name = error_name(exc)
    if isinstance(exc, safe) and str(exc):
        return f"{name}: {exc}"
    return name


@dataclass
class Piece:
    """Text for the engine: ``lines`` (an Arrow string array of lines or cells) and ``locate``, which turns
    a group of hits into ``location`` JSON texts. ``hints`` names, per element, an entity the text is known
    to be about (a database column called ``puhelin``); ``labels`` is what the text is labelled with — a
    CSV header above every line, or per element a JSON key, a sheet's column header, a mail header's name —
    where a context word counts as one beside the value; ``cells`` says which row and column of a table each
    element came from, for per-column statistics."""

    member: str | None
    lines: pa.Array
    locate: Callable[..., pa.Array]
    nbytes: int = 0
    hints: np.ndarray | None = None
    cells: Any = None  # scanner.extract.tables.Cells
    labels: pa.Array | str | None = None


@dataclass
class Unreadable:
    """A part that could not be read; with ``member`` None and nothing read yet, the whole item."""

    member: str | None
    reason: str
    code: str = "corrupt"  # one of CODES


@dataclass
class Skipped:
    """A part left alone on purpose (``binary``); with ``member`` None, the whole item."""

    member: str | None
    reason: str
    code: str = "binary"


Output = Piece | Unreadable | Skipped


class Budget:
    """Bytes unpacked so far from one top-level file, against ``Limits.max_total``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.unpacked = 0

    def take(self, size: int) -> bool:
        self.unpacked += size
        return self.unpacked <= self.limits.max_total


def join(member: str | None, part: str) -> str:
    return f"{member}/{part}" if member else part


@dataclass(frozen=True)
class LineLocations:
    """Locations ``{"line": …, "column": …}`` (1-based) for hits in line batches; ``extra`` adds constant
    keys (``, "page": 3``). A class, not a closure, so that the locations of many small files' hits can
    be written in one kernel call (:func:`locations`)."""

    line_no: np.ndarray
    col0: np.ndarray
    extra: str = ""

    def __call__(self, group) -> pa.Array:
        return locations([(self, group)])

    @staticmethod
    def many(parts: list[tuple[Callable[..., pa.Array], Any]]) -> pa.Array:
        return locations(parts)


def line_locate(line_no: np.ndarray, col0: np.ndarray, extra: str = "") -> LineLocations:
    return LineLocations(line_no, col0, extra)


def locations(parts: list[tuple[Callable[..., pa.Array], Any]]) -> pa.Array:
    """The ``location`` texts of several (locate, hit group) pairs, in order; line locations sharing their
    ``extra`` keys are written together."""
    if parts and all(isinstance(loc, LineLocations) and loc.extra == parts[0][0].extra for loc, _ in parts):
        line = np.concatenate([loc.line_no[group.row] for loc, group in parts])
        column = np.concatenate([loc.col0[group.row] + group.start + 1 for loc, group in parts])
        extra = parts[0][0].extra
        return concat('{"line": ', pa.array(line), ', "column": ', pa.array(column), extra + "}")
    return pa.concat_arrays([locate(group).cast(pa.large_string()) for locate, group in parts])


def cells_piece(member: str | None, texts: list[str], locations: list[dict]) -> Piece:
    """Pieces of documents (cells, paragraphs, headers): each text with its own location object.

    A location is written as JSON only for the texts the engine finds something in: most paragraphs and
    cells hold nothing, and writing every location cost a fifth of reading a Word document. The lists are
    kept, not copied: callers hand over lists they no longer change."""

    def locate(group) -> pa.Array:
        return pa.array([json.dumps(locations[i], ensure_ascii=False) for i in group.row.tolist()], pa.large_string())

    named = [str(loc.get("field") or loc.get("header") or "") for loc in locations]
    labels = _safe_array(named) if any(named) else None
    return Piece(member, _safe_array(texts), locate, sum(len(t) for t in texts), labels=labels)


def _safe_array(texts: list[str]) -> pa.Array:
    """Texts as an Arrow array; lone surrogates (broken UTF-16 in a header, a cell) kept as U+FFFD."""
    try:
        return pa.array(texts, pa.large_string())
    except UnicodeEncodeError:
        return pa.array([t.encode("utf-8", "replace").decode("utf-8") for t in texts], pa.large_string())


def text_pieces(stream: BinaryIO, member: str | None, block_size: int = BLOCK_SIZE, extra: str = "") -> Iterator[Piece]:
    """Text line by line; ``extra`` adds constant keys to every location (``, "page": 3``)."""
    for batch in iter_line_batches(stream, block_size):
        yield Piece(member, batch.lines, line_locate(batch.line_no, batch.col0, extra), batch.nbytes)


Reader = Callable[[BinaryIO, str, str | None, int, Limits, Budget, int], Iterator[Output]]
Predicate = Callable[[bytes, str], bool]


@dataclass(frozen=True)
class Magic:
    """Bytes a format's files carry at a fixed offset: ``%PDF-`` at 0, tar's ``ustar`` at 257."""

    prefix: bytes
    at: int = 0

    def found(self, head: bytes) -> bool:
        return head[self.at : self.at + len(self.prefix)] == self.prefix


@dataclass(frozen=True)
class Format:
    """One registered extractor and the rule that hands it a file; see :func:`extractor`."""

    kind: str
    read: Reader
    priority: int
    magic: tuple[Magic, ...] = ()
    suffixes: tuple[str, ...] = ()
    match: Predicate | None = None
    container: bool = False
    random_access: bool = False

    def claims(self, head: bytes, suffix: str) -> bool:
        if suffix in self.suffixes:
            return True
        if not self.magic and self.match is None:
            return False
        if self.magic and not any(m.found(head) for m in self.magic):
            return False
        return self.match is None or self.match(head, suffix)


_formats: dict[str, Format] = {}
_trial_order: tuple[Format, ...] = ()


def extractor(
    kind: str,
    *,
    priority: int,
    magic: Iterable[bytes | Magic] = (),
    suffixes: Iterable[str] = (),
    match: Predicate | None = None,
    container: bool = False,
    random_access: bool = False,
) -> Callable[[Reader], Reader]:
    """Register a reader for the files of one ``kind``, so that a new format is one decorated function.

    A file goes to the first format, by ascending ``priority``, that claims it. A format claims a file
    whose name ends in one of its ``suffixes`` (the name alone is enough: ``.csv``), or whose content
    passes every content test it declares: one of its ``magic`` signatures (``bytes`` at offset 0, or a
    :class:`Magic` elsewhere) and ``match(head, suffix)``, for the rules a prefix cannot say (an ODF
    ``mimetype`` member, a zip named ``.xlsx``, e-mail headers). ``head`` is the first 8 KiB, ``suffix``
    the lower-case file-name extension without the dot ('' if none).

    Priorities are unique, so the order is always one somebody chose; the built-in bands: 100–199 zip
    and the formats built on it (the more specific first), 200–399 other content signatures, 400–899
    names and text sniffing, 900 and up the last resorts (binary, then text, which takes anything).

    ``container`` formats hold other files and count against ``Limits.max_depth``; ``random_access``
    ones need a seekable stream, so inside an archive a member of that kind is held in memory, up to
    ``Limits.max_member``.
    """
    signatures = tuple(m if isinstance(m, Magic) else Magic(m) for m in magic)
    names = tuple(s.lower().lstrip(".") for s in suffixes)

    def register(read: Reader) -> Reader:
        if kind in _formats:
            raise ValueError(f"an extractor for {kind!r} is already registered")
        clash = next((f.kind for f in _formats.values() if f.priority == priority), None)
        if clash is not None:
            raise ValueError(f"priority {priority} of {kind!r} is already {clash!r}'s")
        _formats[kind] = Format(kind, read, priority, signatures, names, match, container, random_access)
        _reorder()
        return read

    return register


def unregister(kind: str) -> None:
    """Take a format out again (tests, plugins being unloaded)."""
    del _formats[kind]
    _reorder()


def _reorder() -> None:
    global _trial_order
    _trial_order = tuple(sorted(_formats.values(), key=lambda f: f.priority))
    _shortlists.clear()


#: The formats that may claim a file, by (suffix, first byte, which signatures past offset 0 are found):
#: a superset of the claimers, in trial order, so that a file's format is settled by trying two or three
#: formats rather than every one (which cost more than reading a small file).
_shortlists: dict[tuple[str, bytes, tuple[bool, ...]], tuple[Format, ...]] = {}


def _shortlist(head: bytes, suffix: str) -> tuple[Format, ...]:
    far = tuple(m.found(head) for f in _trial_order for m in f.magic if m.at)
    key = (suffix, head[:1], far)
    listed = _shortlists.get(key)
    if listed is None:
        if len(_shortlists) > 4096:  # many odd suffixes: start again rather than grow
            _shortlists.clear()
        listed = _shortlists[key] = tuple(f for f in _trial_order if _may_claim(f, head, suffix))
    return listed


def _may_claim(format: Format, head: bytes, suffix: str) -> bool:
    if suffix in format.suffixes:
        return True
    if not format.magic:
        return format.match is not None
    return any(m.found(head) if m.at else m.prefix[:1] == head[:1] for m in format.magic)


def formats() -> tuple[Format, ...]:
    """Every registered format, in the order they are tried."""
    return _trial_order


def named(*suffixes: str) -> Predicate:
    """A ``match`` for formats that share a signature and differ by name only (zip: .xlsx, .docx)."""
    return lambda head, suffix: suffix in suffixes


def _suffix(name: str) -> str:
    lower = name.lower()
    return lower.rsplit(".", 1)[-1] if "." in lower.rsplit("/", 1)[-1] else ""


def kind_of(head: bytes, name: str) -> Format:
    """The format of a file that starts with ``head`` and is called ``name``."""
    suffix = _suffix(name)
    for candidate in _shortlist(head, suffix):
        if candidate.claims(head, suffix):
            return candidate
    return _formats["text"]


def extract(
    stream: BinaryIO,
    name: str,
    member: str | None = None,
    depth: int = 0,
    limits: Limits | None = None,
    budget: Budget | None = None,
    block_size: int = BLOCK_SIZE,
) -> Iterator[Output]:
    """Everything readable in ``stream`` (a file named ``name``), piece by piece."""
    limits = limits or Limits()
    budget = budget or Budget(limits)
    found = kind_of(_peek(stream, 8192), name)
    if found.container and depth >= limits.max_depth:
        yield Unreadable(member, f"nested deeper than {limits.max_depth} containers (max_depth)", "limit")
        return
    yield from found.read(stream, name, member, depth, limits, budget, block_size)


@extractor("binary", priority=900, match=lambda head, suffix: looks_binary(head))
def skip_binary(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Bytes no reader understands are left alone: scanning them as text finds only noise."""
    yield Skipped(member, "binary file")


@extractor("text", priority=1000, match=lambda head, suffix: True)
def plain_text(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Whatever no other format claims is read as text, so an unknown export is still scanned."""
    yield from text_pieces(stream, member, block_size)


def _peek(stream: BinaryIO, size: int) -> bytes:
    if stream.seekable():
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return head
    raise TypeError("extract() needs a seekable stream or a peekable wrapper")


def peekable(stream: BinaryIO) -> BinaryIO:
    """Any readable stream as one :func:`extract` can peek into (seekable ones stay as they are)."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    return _SeekHead(stream.read(8192), stream)


class _SeekHead(io.RawIOBase):
    """A stream that can go back to its start as long as only the peeked head was read."""

    def __init__(self, head: bytes, body: BinaryIO) -> None:
        super().__init__()
        self._head, self._body, self._position = head, body, 0
        self._buffer = io.BytesIO(head)
        self._past_head = False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != 0 or offset > len(self._head) or self._past_head:
            raise io.UnsupportedOperation("only the head of this stream can be re-read")
        self._buffer.seek(offset)
        self._position = offset
        return offset

    def readinto(self, buffer) -> int:
        data = self._buffer.read(len(buffer))
        if not data:
            data = self._body.read(len(buffer))
            # only bytes beyond the head make going back impossible (an empty member has none)
            self._past_head = self._past_head or bool(data)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


# The built-in formats register themselves when imported; they import the names above, hence last.
from scanner.extract import containers, documents, html, jsondoc, mail, structured  # noqa: E402, F401
