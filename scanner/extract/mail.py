"""E-mail (.eml) and mailboxes (mbox), read as streams, so that memory does not grow with a message.

A message is read front to back in blocks of about 1 MB. Header blocks — the message's and each MIME
part's — are small, bounded (``HEADER_MAX``) and parsed by the standard library, so header decoding
(RFC 2047 words, RFC 2231 file names, address lists) is exactly what :mod:`email` does. Bodies are never
held whole: a multipart body is split at its boundary lines as they pass, and each leaf is decoded on
the fly (base64 in 4-character quanta, quoted-printable by lines) and handed on as a stream: an
attachment to the extractors again (a ``member`` of its own, held in memory only when its format needs
random access, within ``Limits.max_member``), a text part to the line reader in its charset, an HTML
part to the HTML parser as it is decoded (``html_texts``).

The split follows the standard parser (:mod:`email.feedparser`) rule by rule — the same parts, numbered
the same (``"part": N`` counts every part of the tree in ``walk()`` order), with the same payload edges
(the line end before a boundary belongs to the boundary) — so findings and their locations are the ones
the whole-message parser gave. Nesting is followed with an explicit stack, never recursion, and ends at
``Limits.max_nesting``; broken mail is reported (``corrupt``), never raised.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from email import utils
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from typing import BinaryIO

from scanner.extract import (
    Budget,
    Limits,
    Output,
    Unreadable,
    cells_piece,
    extract,
    extractor,
    join,
    kind_of,
    peekable,
    scrubbed,
    text_pieces,
)
from scanner.extract.html import html_texts
from scanner.extract.mime import decoded

#: Headers read for nothing: message ids (``<44087D8C.9090407@example.ch>`` names a message, not a
#: mailbox), cryptographic signatures and seals (base64 blobs), MIME structure and the mail program. Every other
#: header is read — ``Reply-To``, ``Delivered-To``, ``X-Original-To``, ``Resent-*``, ``List-Post``,
#: ``X-Mailing-List``, ``Authentication-Results``… — since any of them may carry an address.
SKIPPED_HEADERS = frozenset(
    {
        *("message-id", "in-reply-to", "references", "resent-message-id", "content-id", "original-message-id"),
        *("dkim-signature", "x-google-dkim-signature", "domainkey-signature", "arc-seal", "arc-message-signature"),
        *("content-type", "content-transfer-encoding", "content-disposition", "mime-version"),
        *("x-mailer", "user-agent"),  # a program's name and version ("KoivuMail 1.2.0.4" is no IP address)
    }
)
#: Header families of filters' verdicts (Microsoft 365 writes "CIP:255.255.255.255" and the like there).
SKIPPED_PREFIXES = ("x-forefront-", "x-microsoft-antispam")
_TELLTALE = ("From", "To", "Received", "Return-Path", "MIME-Version", "Message-ID", "Subject", "Date")

BLOCK = 1 << 20  # bytes read from the stream at a time
HEADER_MAX = 4 << 20  # bytes of one header block; real ones are a few kB, so more is a broken or hostile file
SMALL_MAX = 16 << 20  # bytes of the rare parts read whole (delivery reports)
LINE_MAX = 1 << 16  # bytes of a line looked at to tell a boundary or a From line (those are short)
_LOOKAHEAD = 1 << 16  # unread bytes buffered before a body is cut at a line (at least a special's length)

_HEADER_LINE = re.compile(rb"From |[\x21-\x39\x3b-\x7e]*:|[\t ]")  # as email.feedparser.headerRE
_LINE_END = re.compile(rb"\r\n|\r|\n")
_LONE_CR = re.compile(rb"\r(?!\n)")
_BOUNDARY_TAIL = rb"(?P<end>--)?[ \t]*(?:\r\n|\r|\n)?\Z"  # after "--boundary", as email.feedparser
_DASHES = (b"--",)
_MBOX_SPECIALS = (b"From ", b">From ")


class _Policy(EmailPolicy):
    """The standard library's ``policy.default``, with each distinct MIME header parsed once: its
    accessors (``get_content_type``, ``get_boundary``, ``get_param``…) parse a part's Content-Type anew
    on every call, and most parts share their Content-Type and Content-Transfer-Encoding. The header
    objects are read, never changed, so one serves every part that has that header. Only these, and only
    short ones, are kept (a parsed header holds its parse tree, some 25 KB); the others are read once."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name") or len(value) > 1000 or name.lower() not in _MIME_HEADERS:
            return super().header_fetch_parse(name, value)
        key = (name, value)
        parsed = _PARSED.get(key)
        if parsed is None:
            if len(_PARSED) >= _PARSED_MAX:  # bounded: a mailbox of distinct headers starts again
                _PARSED.clear()
            parsed = _PARSED[key] = super().header_fetch_parse(name, value)
        return parsed


_MIME_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
_PARSED: dict[tuple[str, str], object] = {}
_PARSED_MAX = 256
_POLICY = _Policy()


def looks_like_mail(head: bytes, suffix: str = "") -> bool:
    """Saved messages often lose their .eml name; three familiar headers among the first lines give
    them away."""
    first = head[:2048].decode("latin-1", errors="replace").splitlines()[:8]
    return sum(1 for line in first if line.split(":", 1)[0] in _TELLTALE) >= 3


@extractor("eml", priority=450, suffixes=("eml",), match=looks_like_mail)
def eml(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """A message: its headers (all that may name people: see ``SKIPPED_HEADERS``), its text parts (``"part": N`` in the
    locations) and its attachments (members ``attachment:NAME``, read by their own formats)."""
    yield from _Walk(_Source(stream), _Context(member, depth, limits, budget, block_size)).run()


# --- reading the stream ---------------------------------------------------------------------------------


class _Source:
    """A byte stream read in blocks, looked at either line by line (headers, boundaries) or in runs of
    whole lines up to the next line that starts specially (``--``, ``From ``), so that the bulk of a body
    passes with one ``bytes.find`` per block instead of a Python step per line. Lines are bounded: one
    longer than asked for comes in pieces, the later ones not at a line start."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._buf = b""
        self._pos = 0
        self._eof = False
        self.line_start = True  # is the next byte the first of a line

    def _fill(self, need: int) -> bool:
        """At least ``need`` unread bytes buffered, if the stream has them."""
        missing = need - (len(self._buf) - self._pos)
        if missing <= 0:
            return True
        if self._eof:
            return False
        parts = [self._buf[self._pos :]]
        while missing > 0:
            more = self._stream.read(max(BLOCK, missing))
            if not more:
                self._eof = True
                break
            parts.append(more)
            missing -= len(more)
        self._buf, self._pos = b"".join(parts), 0
        return missing <= 0

    def _line_end(self, limit: int) -> int:
        while True:
            end = self._buf.find(b"\n", self._pos, self._pos + limit)
            if end >= 0:
                return end + 1
            available = len(self._buf) - self._pos
            if available >= limit or not self._fill(available + 1):
                return self._pos + min(available, limit)

    def peek_line(self, limit: int) -> bytes:
        """The next line with its end (at most ``limit`` bytes of it), left unread; b'' at the end."""
        end = self._line_end(limit)  # first: it may refill the buffer
        return self._buf[self._pos : end]

    def skip(self, size: int) -> None:
        """Consume ``size`` bytes just peeked at."""
        self._pos += size
        self.line_start = size > 0 and self._buf[self._pos - 1] in b"\r\n"

    def skip_line(self) -> bool:
        """Consume one whole line, however long; False at the end."""
        line = self.peek_line(LINE_MAX)
        if not line:
            return False
        self.skip(len(line))
        while not self.line_start and (line := self.peek_line(LINE_MAX)):
            self.skip(len(line))
        return True

    def unread(self, data: bytes) -> None:
        """Put lines back in front (the header parser may give one back)."""
        self._buf, self._pos = data + self._buf[self._pos :], 0
        self.line_start = True

    def run(self, specials: tuple[bytes, ...]) -> bytes:
        """The bytes from here up to the next line that starts with one of ``specials`` (left unread),
        ending at a line end when the buffer holds one; b'' at such a line or at the end."""
        self._fill(_LOOKAHEAD)
        buf, pos = self._buf, self._pos
        if pos >= len(buf) or (self.line_start and buf.startswith(specials, pos)):
            return b""
        hits = [hit for special in specials if (hit := buf.find(b"\n" + special, pos)) >= 0]
        end = min(hits) + 1 if hits else (buf.rfind(b"\n", pos) + 1 or len(buf))
        self._pos = end
        self.line_start = buf[end - 1] == 10
        return buf[pos:end]


class _Chunks(io.RawIOBase):
    """An iterator of byte strings as a readable stream, so that a decoded part is read by the
    extractors the way they read a file. Reads are filled whole, so a peek sees a full head."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._rest = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if not self._rest:
                chunk = next(self._chunks, None)
                if chunk is None:
                    break
                self._rest = memoryview(chunk)
                continue
            size = min(len(view) - filled, len(self._rest))
            view[filled : filled + size] = self._rest[:size]
            self._rest = self._rest[size:]
            filled += size
        return filled


def _stream(chunks: Iterator[bytes]) -> io.BufferedReader:
    return io.BufferedReader(_Chunks(chunks), BLOCK)


# --- the MIME tree ----------------------------------------------------------------------------------------


@dataclass
class _Context:
    member: str | None
    depth: int
    limits: Limits
    budget: Budget
    block_size: int


@dataclass
class _Kind:
    """What a part's headers say about reading it."""

    type: str = "text/plain"
    boundary: str | None = None
    filename: str | None = None
    attachment: bool = False
    cte: str = ""
    codec: str | None = None

    @property
    def maintype(self) -> str:
        return self.type.split("/", 1)[0]


@dataclass(eq=False)
class _Frame:
    """An open multipart: the boundary that separates its parts, and how deep it lies."""

    separator: bytes  # b"--" + boundary
    nesting: int
    digest: bool  # parts of a multipart/digest are messages unless they say otherwise
    pattern: re.Pattern = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = re.compile(re.escape(self.separator) + _BOUNDARY_TAIL)


class _Walk:
    """One message read front to back. The open multiparts are a stack (``frames``); a line that is the
    boundary of any of them ends the part being read, as in the standard parser, so a part that lacks
    its closing boundary ends where its parent's next boundary (or the file) does."""

    def __init__(self, source: _Source, context: _Context) -> None:
        self.src, self.ctx = source, context
        self.frames: list[_Frame] = []
        self.open: dict[bytes, list[_Frame]] = {}  # the same by separator, so a line costs one look-up
        self.number = 0  # parts seen so far, in walk() order: the ``part`` of locations
        self.too_deep = False

    def run(self) -> Iterator[Output]:
        yield from self._entity("text/plain", 0, strip=False, root=True)
        while self.frames:
            yield from self._step()

    # a part: headers, then what its type says

    def _entity(self, default: str, nesting: int, strip: bool, root: bool = False) -> Iterator[Output]:
        """One part (or the message itself) from its headers on. A ``message/*`` part holds a message,
        followed here by looping rather than recursion, so a deep nesting costs no stack. ``strip``: the
        part lies in a multipart, whose boundary owns the line end before it."""
        while True:
            headers = self._headers(default)
            self.number += 1
            if headers is None:
                yield self._problem(f"header block over {HEADER_MAX >> 20} MB; not read", "too-large")
                self._skip()
                return
            part, data = headers
            if root:
                yield from _header_piece(part, self.ctx.member)
                root = False
            if nesting > self.ctx.limits.max_nesting:
                yield from self._too_deep()
                return
            kind, error = _describe(part)
            if error is not None:
                yield self._problem(f"unreadable MIME headers ({scrubbed(error)}); read as plain text")
            if kind.type == "message/delivery-status":
                yield from self._delivery_status(data, strip)
                return
            if kind.maintype != "message":
                break
            default, nesting = "text/plain", nesting + 1
        if kind.maintype == "multipart":
            yield from self._multipart(kind, nesting)
            return
        body = self._body(strip)
        yield from _leaf(self.ctx, kind, self.number, body)
        for _ in body:  # what the reader of the part left (a skipped binary) up to the boundary
            pass

    def _headers(self, default: str) -> tuple[EmailMessage, bytes] | None:
        """The next header block parsed (None if over ``HEADER_MAX``), and its bytes. It ends as in the
        parser: at an empty line (consumed), at a line that is no header (the body's first), at a boundary."""
        lines, size = [], 0
        while (line := self._header_line(max(HEADER_MAX + 1 - size, LINE_MAX))) is not None:
            size += len(line)
            if size > HEADER_MAX:
                return None
            lines.append(line)
        if len(lines) > 1 and lines[-1].startswith(b"From "):  # the parser takes it for the body's first line
            self.src.unread(lines.pop())
        data = b"".join(lines)
        part = BytesParser(policy=_POLICY).parsebytes(data, headersonly=True)
        part.set_default_type(default)
        return part, data

    def _header_line(self, limit: int) -> bytes | None:
        """The next line of a header block, consumed; None where the block ends. A carriage return alone
        ends a line here too, as it does for the parser."""
        line = self.src.peek_line(limit)
        if (alone := _LONE_CR.search(line)) is not None and alone.end() < len(line):
            line = line[: alone.end()]
        if not line or self._ends_part(line):
            return None
        if not _HEADER_LINE.match(line):
            if blank := _LINE_END.match(line):
                self.src.skip(blank.end())
            return None
        self.src.skip(len(line))
        return line

    def _problem(self, reason: str, code: str = "corrupt") -> Unreadable:
        """Something wrong with the part being read (the message itself is part 1)."""
        return Unreadable(self.ctx.member, f"part {self.number}: {reason}", code)

    def _too_deep(self) -> Iterator[Output]:
        if not self.too_deep:
            self.too_deep = True
            limit = self.ctx.limits.max_nesting
            yield self._problem(f"MIME parts nested deeper than {limit} levels not read (max_nesting)", "limit")
        self._skip()

    # multiparts

    def _multipart(self, kind: _Kind, nesting: int) -> Iterator[Output]:
        """Open a multipart: its preamble is passed over up to the first boundary, where ``_step`` goes on.
        Without a boundary, or without its first boundary line, the parser sees no parts in it."""
        separator = None
        with contextlib.suppress(UnicodeEncodeError, AttributeError):  # none, or one no line can match
            separator = b"--" + kind.boundary.encode("ascii", "surrogateescape")
        if separator is None:
            yield self._problem("multipart without a usable boundary; its content was not read")
            self._skip()
            return
        self._push(_Frame(separator, nesting, kind.type == "multipart/digest"))
        self._skip()
        line = self.src.peek_line(LINE_MAX)
        found = self._classify(line)
        if found == "separator":
            return
        self._pop()
        if found == "close":  # an empty multipart
            self.src.skip(len(line))
        else:
            yield self._problem("multipart whose first boundary is missing; its content was not read")
        self._skip()

    def _step(self) -> Iterator[Output]:
        """At a boundary of the innermost open multipart: its next part, or its end (then the epilogue is
        passed over). A line that is an outer boundary, or the end of the file, closes it as is."""
        frame = self.frames[-1]
        line = self.src.peek_line(LINE_MAX)
        found = self._classify(line)
        if found in ("end", "outer"):
            self._pop()
            return
        self.src.skip(len(line))
        if found == "close":
            self._pop()
            self._skip()
            return
        if found != "separator":  # cannot happen: a part ends at a boundary; consumed, so the walk goes on
            return
        while self._classify(line := self.src.peek_line(LINE_MAX)) in ("separator", "close"):
            self.src.skip(len(line))  # repeated boundary lines hold no part, as in the parser
        yield from self._entity("message/rfc822" if frame.digest else "text/plain", frame.nesting + 1, strip=True)

    def _classify(self, line: bytes) -> str:
        """What a line is to the innermost open multipart; an outer boundary comes first, as in the parser
        (where the outer ones end the input of the inner)."""
        if not line:
            return "end"
        top = self.frames[-1]
        matching = self._matching(line)
        if any(frame is not top for frame in matching):
            return "outer"
        if not matching:
            return "other"
        return "close" if top.pattern.match(line).group("end") else "separator"

    def _ends_part(self, line: bytes) -> bool:
        return bool(self._matching(line))

    def _matching(self, line: bytes) -> list[_Frame]:
        """The open multiparts whose boundary ``line`` is: found by its text, whatever the depth."""
        if not line.startswith(b"--") or not self.open:
            return []
        core = line.rstrip(b"\r\n").rstrip(b" \t")
        frames = self.open.get(core, [])
        if core.endswith(b"--"):
            frames = frames + self.open.get(core[:-2], [])
        return [frame for frame in frames if frame.pattern.match(line)]

    def _push(self, frame: _Frame) -> None:
        self.frames.append(frame)
        self.open.setdefault(frame.separator, []).append(frame)

    def _pop(self) -> None:
        frame = self.frames.pop()
        same = self.open[frame.separator]
        same.pop()
        if not same:
            del self.open[frame.separator]

    # bodies

    def _raw(self) -> Iterator[bytes]:
        """The bytes of the current part up to the boundary line that ends it, or the end of the file."""
        while True:
            chunk = self.src.run(_DASHES)
            if chunk:
                yield chunk
                continue
            line = self.src.peek_line(LINE_MAX)
            if not line or self._ends_part(line):
                return
            self.src.skip(len(line))
            yield line

    def _body(self, strip: bool) -> Iterator[bytes]:
        """The part's bytes; inside a multipart without the line end that belongs to the boundary."""
        held = b""
        for chunk in self._raw():
            if held:
                yield held
            if strip:
                cut = len(chunk) - (2 if chunk.endswith(b"\r\n") else 1 if chunk.endswith((b"\n", b"\r")) else 0)
                chunk, held = chunk[:cut], chunk[cut:]
            if chunk:
                yield chunk

    def _skip(self) -> None:
        for _ in self._raw():
            pass

    def _delivery_status(self, data: bytes, strip: bool) -> Iterator[Output]:
        """A delivery report is blocks of headers, which the parser makes parts of their own; such a part
        is small, so it is read whole and parsed by the standard library, numbered and read as before."""
        held, size = [], 0
        for chunk in self._body(strip):
            size += len(chunk)
            if size > SMALL_MAX:
                yield self._problem(f"delivery report over {SMALL_MAX >> 20} MB; not read", "too-large")
                self._skip()
                return
            held.append(chunk)
        report = BytesParser(policy=_POLICY).parsebytes(data + b"\n" + b"".join(held))
        for sub in list(report.walk())[1:]:
            self.number += 1
            if sub.is_multipart():
                continue
            kind, error = _describe(sub)
            if error is not None:
                yield self._problem(f"unreadable MIME headers ({scrubbed(error)}); read as plain text")
            payload = sub.get_payload(decode=True) or b""  # already decoded: no transfer encoding left
            yield from _leaf(self.ctx, replace(kind, cte=""), self.number, iter([payload] if payload else []))


# --- headers ----------------------------------------------------------------------------------------------


def _header_piece(message: EmailMessage, member: str | None) -> Iterator[Output]:
    """The headers that name people, as the standard library decodes them; one it cannot parse (some
    malformed address lists make it fail) is read from its raw text, and reported."""
    texts, locations = [], []
    for header in read_headers(message):
        try:
            values = [_clean(str(value)) for value in message.get_all(header, [])]
        except Exception as exc:  # a fault of the header parser on malformed input
            values = [_raw_header(value) for key, value in message.raw_items() if key.lower() == header.lower()]
            yield Unreadable(member, f"header {header}: unparseable ({scrubbed(exc)}); read as raw text")
        texts.extend(values)
        locations.extend({"header": header} for _ in values)
    if texts:
        yield cells_piece(member, texts, locations)


def read_headers(message: EmailMessage) -> list[str]:
    """The names of the headers to read, in the order of their first appearance, each once."""
    names: dict[str, str] = {}
    for name in message:
        names.setdefault(name.lower(), name)
    return [name for key, name in names.items() if key not in SKIPPED_HEADERS and not key.startswith(SKIPPED_PREFIXES)]


def _raw_header(value: str) -> str:
    try:
        return _clean(str(make_header(decode_header(value))))
    except Exception:  # encoded words that do not decode: the text as it stands
        return _clean(value)


def _clean(text: str) -> str:
    """Text the parser left with undecodable bytes in it (as lone surrogates, which no file can hold)
    read as a text file's would be: UTF-8, else cp1252."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "replace")
        return raw.decode("utf-8", "harava-cp1252")
    return text


def _describe(part: EmailMessage) -> tuple[_Kind, Exception | None]:
    """How to read a part, from the same accessors the standard library uses (file name from
    Content-Disposition or Content-Type, RFC 2231 and RFC 2047 decoded); headers so broken that they
    fail leave the part read as plain text."""
    try:
        filename = part.get_filename()
        filename = _clean(filename) if filename else filename
        return _Kind(
            part.get_content_type(),
            part.get_boundary(),
            filename,
            bool(filename) or part.get_content_disposition() == "attachment",
            str(part.get("content-transfer-encoding", "")).lower(),
            _codec(part),
        ), None
    except Exception as exc:  # a fault of the header parser on malformed input
        return _Kind(), exc


def _codec(part: EmailMessage) -> str | None:
    """The codec of a text part's charset; None when none is declared, it is ASCII or Python does not know
    it: such text is read like a text file (UTF-8, else cp1252), which ASCII is a part of."""
    try:
        charset = part.get_param("charset")
        if isinstance(charset, tuple):
            charset = utils.collapse_rfc2231_value(charset)
        if not charset:
            return None
        found = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(found, "_is_text_encoding", True) or found.name == "ascii":  # base64_codec and the like
        return None
    return found.name


# --- leaves -----------------------------------------------------------------------------------------------


def _leaf(context: _Context, kind: _Kind, number: int, raw: Iterator[bytes]) -> Iterator[Output]:
    """One leaf of the MIME tree: an attachment is a file of its own, a text part is the message body;
    other parts (inline images) are passed over, as before."""
    problems: list[tuple[str, str]] = []
    where = context.member
    if kind.attachment:
        name = kind.filename or f"part{number}"
        where = join(context.member, f"attachment:{name}")
        yield from _attachment(context, decoded(raw, kind.cte, problems, context.limits), name, where)
    elif kind.maintype == "text":
        yield from _text(context, decoded(raw, kind.cte, problems, context.limits), kind, number, problems)
    for reason, code in problems:
        yield Unreadable(where, f"part {number}: {reason}", code)


def _attachment(context: _Context, decoded: Iterator[bytes], name: str, where: str) -> Iterator[Output]:
    """An attachment streams into the extractors; a format that needs random access (zip, PDF, Office)
    is held in memory first, up to ``Limits.max_member``, as an archive member would be."""
    limits = context.limits
    if context.depth + 1 > limits.max_depth:
        yield Unreadable(where, f"nested deeper than {limits.max_depth} containers (max_depth)", "limit")
        return
    stream: BinaryIO = _stream(decoded)
    if kind_of(stream.peek(8192)[:8192], name).random_access:
        held = io.BytesIO()
        while block := stream.read(BLOCK):
            if held.tell() + len(block) > limits.max_member:
                yield Unreadable(where, f"over {limits.max_member} bytes to open in memory (max_member)", "too-large")
                return
            held.write(block)
        held.seek(0)
        stream = held
    else:
        stream = peekable(stream)
    try:
        yield from extract(stream, name, where, context.depth + 1, limits, context.budget, context.block_size)
    except (OSError, EOFError, ValueError) as exc:  # a damaged file its reader gave up on (zipfile: bad seeks)
        yield Unreadable(where, f"corrupt: {scrubbed(exc)}")


def _text(
    context: _Context, decoded: Iterator[bytes], kind: _Kind, number: int, problems: list[tuple[str, str]]
) -> Iterator[Output]:
    """A text part, line by line, in its charset; HTML loses its markup so that only what the reader
    sees is scanned."""
    if kind.type == "text/html":
        data = _html(_texts(decoded, kind.codec), problems)
    elif kind.codec is None:
        data = decoded  # the line reader's own rule: UTF-8, else cp1252
    else:
        data = (text.encode("utf-8", "replace") for text in _texts(decoded, kind.codec))
    yield from text_pieces(_stream(data), context.member, context.block_size, f', "part": {number}')


def _texts(decoded: Iterator[bytes], codec: str | None) -> Iterator[str]:
    """Decoded text, chunk by chunk: a declared charset as the standard library reads it (undecodable
    bytes replaced), none as a text file (UTF-8, else cp1252)."""
    decoder = codecs.getincrementaldecoder(codec or "utf-8")(errors="replace" if codec else "harava-cp1252")
    for chunk in decoded:
        if text := decoder.decode(chunk):
            yield text
    if text := decoder.decode(b"", final=True):
        yield text


def _html(texts: Iterator[str], problems: list[tuple[str, str]]) -> Iterator[bytes]:
    """The text of an HTML part, a line per text or attribute value as ``html_text`` gives it, parsed as
    the part is decoded (one parser for the whole part, so nothing is split), in batches of lines."""
    batch: list[str] = []
    size, separator = 0, ""
    try:
        for text in html_texts(texts):
            batch.append(text)
            size += len(text)
            if size >= BLOCK:
                yield (separator + "\n".join(batch)).encode("utf-8", "replace")
                batch, size, separator = [], 0, "\n"
    except Exception as exc:  # html.parser is lenient; this is a safety net
        problems.append((f"unreadable HTML: {scrubbed(exc)}", "corrupt"))
    if batch:
        yield (separator + "\n".join(batch)).encode("utf-8", "replace")


# --- mailboxes --------------------------------------------------------------------------------------------


def _mbox_head(head: bytes, suffix: str) -> bool:
    """A ``From `` line starts a mailbox only as a whole line in a file named like one (or not named
    at all): a text that merely begins with the word must not be split into messages."""
    return b"\n" in head and suffix in ("mbox", "mbx", "")


@extractor("mbox", priority=230, magic=[b"From "], match=_mbox_head)
def mbox(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """A mailbox: messages split at their ``From `` lines, each read as e-mail (member ``message N``) as
    it streams past, so one huge message costs no more memory than a small one."""
    source = _Source(stream)
    number = 0
    while True:
        message = _MboxMessage(source)
        if message.has_content():
            yield from eml(message, name, join(member, f"message {number}"), depth, limits, budget, block_size)
            message.drain()
        if not source.skip_line():  # the From line that starts the next message
            return
        number += 1


class _MboxMessage:
    """One message of a mailbox as a stream: up to the next ``From `` line that follows an empty line
    (or comes first), with ``>From `` lines unquoted."""

    def __init__(self, source: _Source) -> None:
        self._src = source
        self._started = False  # any of the message read
        self._blank = False  # the last whole line read was empty
        self._done = False
        self._first = b""

    def has_content(self) -> bool:
        self._first = self._next()
        return bool(self._first)

    def drain(self) -> None:
        while self.read():
            pass

    def read(self, size: int = -1) -> bytes:
        if self._first:
            first, self._first = self._first, b""
            return first
        return self._next()

    def _next(self) -> bytes:
        if self._done:
            return b""
        at_line_start = self._src.line_start
        chunk = self._src.run(_MBOX_SPECIALS)
        if not chunk:
            line = self._src.peek_line(LINE_MAX)
            if not line or (line.startswith(b"From ") and (self._blank or not self._started)):
                self._done = True
                return b""
            self._src.skip(len(line))
            chunk = line[1:] if line.startswith(b">From ") else line
        self._note(chunk, at_line_start)
        return chunk

    def _note(self, chunk: bytes, at_line_start: bool) -> None:
        self._started = True
        if not chunk.endswith(b"\n"):
            self._blank = False
            return
        start = chunk.rfind(b"\n", 0, len(chunk) - 1) + 1  # where the last line begins, if in this chunk
        self._blank = (start > 0 or at_line_start) and chunk[start:] in (b"\n", b"\r\n")
