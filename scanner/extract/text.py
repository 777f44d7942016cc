"""Text-like files as a stream of line batches, in bounded memory, whatever their encoding.

A file is read in blocks of a few MB, cut at the last newline; each block becomes one Arrow
``large_string`` array whose elements are the lines (newline included), built zero-copy over the
block's bytes. Lines longer than a block (a 1 GB single-line JSON) are cut at white space and carry
their column offset on, so memory never grows with the file.

Encodings: a BOM decides (UTF-8, UTF-16, UTF-32); UTF-16 without a BOM is recognised by its NUL
bytes; everything else is read as UTF-8, and any byte sequence that is not valid UTF-8 is decoded
as Windows-1252 (the legacy Finnish default, a superset of Latin-1 for printable text), per block,
so a UTF-8 file with a few stray cp1252 bytes loses nothing either.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa

BLOCK_SIZE = 8 << 20  # bytes: dense text holds a finding per ~170 bytes, and a block's findings are built at once
_CUT_WINDOW = 4096  # how far back from a block's end a forced cut looks for white space


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252; its five undefined bytes as Latin-1."""
    assert isinstance(error, UnicodeDecodeError)
    chunk = error.object[error.start : error.end]
    return "".join(
        bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
        for b in chunk
    ), error.end


codecs.register_error("harava-cp1252", _cp1252_fallback)


@dataclass
class LineBatch:
    """Lines of one block: ``line_no[i]`` is 1-based, ``col0[i]`` the column the line piece starts at."""

    lines: pa.LargeStringArray
    line_no: np.ndarray
    col0: np.ndarray
    nbytes: int


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length) for the first bytes of a file; ``utf-8`` means UTF-8 with cp1252 fallback."""
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return codec, len(bom)
    sample = head[:4096]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > 3 * max(even, 1):
            return "utf-16-le", 0
        if even > 3 * max(odd, 1):
            return "utf-16-be", 0
    return "utf-8", 0


def decode(data: bytes) -> str:
    """A whole small file's text, with the same encoding rules as the streaming reader."""
    codec, bom = sniff_encoding(data)
    if codec == "utf-8":
        return data[bom:].decode("utf-8", errors="harava-cp1252")
    return data[bom:].decode(codec, errors="replace")


def looks_binary(head: bytes) -> bool:
    """NUL bytes in the first block (and no UTF-16/32 signature) mean a binary file."""
    return b"\0" in head[:8192] and sniff_encoding(head)[0] == "utf-8"


def _utf8_blocks(stream: BinaryIO, block_size: int) -> Iterator[bytes]:
    """The file as UTF-8 bytes, block by block (blocks may split a character; the caller rejoins)."""
    head = stream.read(block_size)
    codec, bom = sniff_encoding(head)
    if codec == "utf-8":
        if head[bom:]:
            yield head[bom:]
        while block := stream.read(block_size):
            yield block
        return
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    text = decoder.decode(head[bom:])
    while True:
        if text:
            yield text.encode("utf-8", errors="surrogatepass")
        block = stream.read(block_size)
        if not block:
            break
        text = decoder.decode(block)
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8", errors="surrogatepass")


def _as_utf8(block: bytes) -> bytes:
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("utf-8", errors="harava-cp1252").encode("utf-8")
    return block


def _forced_cut(data: bytes) -> int:
    """Where to cut a line longer than a block: after white space near the end, or between characters."""
    window_start = max(len(data) - _CUT_WINDOW, 0)
    for ws in (b" ", b"\t", b","):
        at = data.rfind(ws, window_start)
        if at >= 0:
            return at + 1
    cut = len(data) - 1
    while cut > 0 and 0x80 <= data[cut] < 0xC0:  # never inside a UTF-8 sequence
        cut -= 1
    return cut or len(data)


def _char_count(data: bytes) -> int:
    arr = np.frombuffer(data, np.uint8)
    return int(np.count_nonzero((arr & 0xC0) != 0x80))


def iter_line_batches(stream: BinaryIO, block_size: int = BLOCK_SIZE) -> Iterator[LineBatch]:
    """Yield the lines of a binary stream in batches of roughly ``block_size`` bytes."""
    carry = b""
    line_no, col = 1, 0
    blocks = _utf8_blocks(stream, block_size)
    finished = False
    while not finished:
        raw = next(blocks, None)
        if raw is None:
            finished = True
            data, carry = carry, b""
            if not data:
                break
            cut = len(data)
        else:
            data = carry + raw if carry else raw
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) < block_size:
                    carry = data
                    continue
                cut = _forced_cut(data)
            carry = data[cut:]
        block = _as_utf8(data[:cut])
        newline_at = np.flatnonzero(np.frombuffer(block, np.uint8) == 10)
        whole = block.endswith(b"\n")
        count = len(newline_at) + (0 if whole else 1)
        offsets = np.empty(count + 1, np.int64)  # 0, the end of each line, (the end of an unfinished one)
        offsets[0] = 0
        offsets[1 : len(newline_at) + 1] = newline_at + 1
        offsets[-1] = len(block)
        lines = pa.LargeStringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(block))
        col0 = np.zeros(count, np.int64)
        col0[0] = col
        yield LineBatch(lines, np.arange(line_no, line_no + count, dtype=np.int64), col0, cut)
        newlines = count if block.endswith(b"\n") else count - 1
        if block.endswith(b"\n"):
            col = 0
        else:
            last = block[offsets[-2] :]
            col = (col if newlines == 0 else 0) + _char_count(last)
        line_no += newlines


class DecodedStream:
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


class Replay:
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
