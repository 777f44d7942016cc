"""HTML: text and the attribute values people hide personal data in (``mailto:`` links, titles, form
values), each with its source line.

The standard library's parser is fed in chunks, with its one quadratic path (unterminated markup at the
end of the input) bounded, so memory follows one construct and the work stays linear on hostile input."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from html import unescape
from html.parser import HTMLParser
from typing import BinaryIO

from scanner.extract import (
    Budget,
    Limits,
    Output,
    Unreadable,
    cells_piece,
    extractor,
    scrubbed,
)
from scanner.extract.text import DecodedStream


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

    def handle_comment(self, data: str) -> None:
        # Comments are read as text: a page's authors and its programs leave notes and addresses in them.
        self.handle_data(data)

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
    source = DecodedStream(stream, stream.read(_HTML_READ))
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
