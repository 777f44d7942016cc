"""Extractors: any file (or archive member, or mail attachment) into pieces of text for the engine.

The kind of a file is decided by its content (magic bytes) first and its name second. Each extractor
yields :class:`Piece` objects — an Arrow string array plus a function that turns the engine's hits into
``location`` objects — or says why something could not be read (:class:`Unreadable`) or was left alone
(:class:`Skipped`). Containers (zip, tar, gzip/bzip2/xz, e-mail) hand their members back to
:func:`extract`, so nesting works to the depth the limits allow. Nothing is ever written to disk.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute

from detectors.base import concat
from scanner.extract.text import BLOCK_SIZE, iter_line_batches, looks_binary


@dataclass(frozen=True)
class Limits:
    """Bounds that keep a hostile file (a zip bomb, an endless nesting) from exhausting the machine."""

    max_depth: int = 5  # containers within containers
    max_members: int = 100_000  # members of one archive
    max_total: int = 8 << 30  # bytes unpacked from one top-level file
    max_ratio: int = 200  # unpacked size / packed size of one member ...
    ratio_floor: int = 16 << 20  # ... once it unpacks to more than this (small repetitive files are fine)
    max_member: int = 1 << 30  # bytes of one member held in memory (formats that need random access)


@dataclass
class Piece:
    member: str | None
    lines: pa.Array
    locate: Callable[..., pa.Array]
    nbytes: int = 0


@dataclass
class Unreadable:
    member: str | None
    reason: str


@dataclass
class Skipped:
    member: str | None
    reason: str


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


def line_locate(line_no: np.ndarray, col0: np.ndarray, extra: str = "") -> Callable[..., pa.Array]:
    """Locations ``{"line": …, "column": …}`` (1-based) for hits in line batches."""

    def locate(group) -> pa.Array:
        line = pa.array(line_no[group.row])
        column = pa.array(col0[group.row] + group.start + 1)
        return concat('{"line": ', line, ', "column": ', column, extra, "}")

    return locate


def cells_piece(member: str | None, texts: list[str], locations: list[dict]) -> Piece:
    """Pieces of documents (cells, paragraphs, headers): each text with its own location object."""
    encoded = pa.array([json.dumps(loc, ensure_ascii=False) for loc in locations], pa.large_string())

    def locate(group) -> pa.Array:
        return encoded.take(pa.array(group.row))

    return Piece(member, pa.array(texts, pa.large_string()), locate, sum(len(t) for t in texts))


def columns_piece(member: str | None, columns: dict[str, pa.Array], offset: int = 0) -> Piece | None:
    """Text columns of a table (Parquet, Arrow): the non-null cells of all columns in one array, located
    by ``{"row": …, "field": column}`` — built with Arrow kernels, no Python per cell."""
    pieces, rows, owners = [], [], []
    names = list(columns)
    for index, name in enumerate(names):
        values = columns[name]
        present = np.flatnonzero(pa.compute.is_valid(values).to_numpy(zero_copy_only=False))
        pieces.append(pa.compute.cast(values.take(pa.array(present)), pa.large_string()))
        rows.append(present + offset + 1)
        owners.append(np.full(len(present), index, np.int64))
    if not pieces:
        return None
    cells = pa.concat_arrays(pieces)
    row = np.concatenate(rows)
    owner = np.concatenate(owners)
    field = pa.array([json.dumps(n, ensure_ascii=False) for n in names], pa.large_string())

    def locate(group) -> pa.Array:
        return concat('{"row": ', pa.array(row[group.row]), ', "field": ', field.take(pa.array(owner[group.row])), "}")

    return Piece(member, cells, locate, cells.nbytes)


def text_pieces(stream: BinaryIO, member: str | None, block_size: int = BLOCK_SIZE, extra: str = "") -> Iterator[Piece]:
    """Text line by line; ``extra`` adds constant keys to every location (``, "page": 3``)."""
    for batch in iter_line_batches(stream, block_size):
        yield Piece(member, batch.lines, line_locate(batch.line_no, batch.col0, extra), batch.nbytes)


def _kind(head: bytes, name: str) -> str:
    lower = name.lower()
    suffix = lower.rsplit(".", 1)[-1] if "." in lower.rsplit("/", 1)[-1] else ""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if head[30:38] == b"mimetype" and b"opendocument" in head[38:120]:
            return "odf"
        return {"xlsx": "xlsx", "xlsm": "xlsx", "docx": "docx", "docm": "docx", "pptx": "pptx"}.get(suffix, "zip")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or suffix in ("feather", "arrow", "ipc"):
        return "arrow"
    if head.startswith(b"From ") and b"\n" in head and suffix in ("mbox", "mbx", ""):
        return "mbox"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls" if suffix == "xls" else "unsupported:legacy Office or Outlook file (OLE2: .doc/.msg)"
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if suffix in ("csv", "tsv"):
        return "csv"
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix == "json":
        return "json"
    if suffix in ("html", "htm", "xhtml"):
        return "html"
    if suffix == "eml" or _looks_like_mail(head):
        return "eml"
    if looks_binary(head):
        return "binary"
    return "text"


def _looks_like_mail(head: bytes) -> bool:
    first = head[:2048].decode("latin-1", errors="replace").splitlines()[:8]
    headers = sum(
        1
        for line in first
        if line.split(":", 1)[0]
        in ("From", "To", "Received", "Return-Path", "MIME-Version", "Message-ID", "Subject", "Date")
    )
    return headers >= 3


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
    from scanner.extract import containers, documents, mail, structured

    limits = limits or Limits()
    budget = budget or Budget(limits)
    head = _peek(stream, 8192)
    kind = _kind(head, name)
    if kind.startswith("unsupported:"):
        yield Unreadable(member, f"unsupported format: {kind.split(':', 1)[1]}")
        return
    if kind == "binary":
        yield Skipped(member, "binary file")
        return
    if kind in ("zip", "tar", "gzip", "bzip2", "xz", "7z"):
        if depth >= limits.max_depth:
            yield Unreadable(member, f"nested deeper than {limits.max_depth} containers")
            return
        yield from containers.EXTRACTORS[kind](stream, name, member, depth, limits, budget, block_size)
        return
    handler: dict[str, Callable[..., Iterator[Output]]] = {
        "xlsx": documents.xlsx,
        "docx": documents.docx,
        "pdf": documents.pdf,
        "eml": mail.eml,
        "csv": structured.csv_pieces,
        "jsonl": structured.jsonl,
        "json": structured.json_document,
        "html": structured.html,
        "parquet": structured.parquet,
        "arrow": structured.arrow_ipc,
        "odf": documents.odf,
        "pptx": documents.pptx,
        "xls": documents.xls,
        "rtf": documents.rtf,
        "mbox": mail.mbox,
    }
    if kind in handler:
        yield from handler[kind](stream, name, member, depth, limits, budget, block_size)
    else:
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
            self._past_head = True
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)
