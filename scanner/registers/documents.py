"""Privacy statements as lines of text, whatever the format they were published in.

Statements come as plain text, Markdown, HTML, Word (.docx) and PDF. Each becomes a list of
:class:`Line`: its number (the file's own line for text and Markdown; the position in document order
for the others), its text, and what the format says about it — a heading (Markdown ``#``, HTML
``<h1>``–``<h6>``, a Word heading style) or a "field<TAB>value" row (a two-column table, or a tab
in a text line, as statement generators often produce). Inline HTML inside text files is removed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from scanner.extract.text import decode

SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf")


class StatementError(Exception):
    """The statement cannot be read; the message says which file and why."""


@dataclass
class Line:
    number: int
    text: str
    heading: bool = False  # the format itself marks it as a heading
    field: str | None = None  # "field<TAB>value" rows: the field; ``text`` is the value
    continuation: bool = False  # a tab-indented line continuing the previous field


_TAG = re.compile(r"<[^>]{0,500}>")
_BLOCK_TAG = re.compile(r"</?(?:p|li|ul|ol|br|div|tr|h[1-6])\b[^>]*>", re.IGNORECASE)


def strip_inline_html(text: str) -> str:
    """Tags out, entities decoded; block tags become sentence breaks so list items stay apart."""
    if "<" not in text and "&" not in text:
        return text
    text = _BLOCK_TAG.sub(" ¶ ", text)
    return html.unescape(_TAG.sub(" ", text))


def _text_lines(text: str, markdown: bool) -> list[Line]:
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if raw.startswith("\t") and raw.strip():
            lines.append(Line(number, strip_inline_html(raw.strip()), continuation=True))
            continue
        field, tab, value = raw.partition("\t")
        if tab and field.strip() and len(field) <= 200:
            lines.append(Line(number, strip_inline_html(value.strip()), field=strip_inline_html(field.strip())))
            continue
        stripped = raw.strip()
        if markdown and stripped.startswith("#"):
            lines.append(Line(number, stripped.lstrip("#").strip(), heading=True))
            continue
        lines.append(Line(number, strip_inline_html(stripped)))
    return lines


class _HtmlLines(HTMLParser):
    """Block structure of an HTML page: headings, paragraphs, list items, table rows."""

    BLOCKS = {"p", "div", "li", "br", "section", "article", "header", "footer", "ul", "ol", "table", "dd", "dt"}
    SKIP = {"script", "style", "head", "title", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[Line] = []
        self.buffer: list[str] = []
        self.heading = False
        self.cells: list[str] | None = None
        self.skipping = 0

    def flush(self) -> None:
        text = " ".join("".join(self.buffer).split())
        self.buffer = []
        if self.cells is not None:
            if text:
                self.cells.append(text)
            return
        if text:
            self.lines.append(Line(len(self.lines) + 1, text, heading=self.heading))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading = True
        elif tag == "tr":
            self.flush()
            self.cells = []
        elif tag in ("td", "th") or tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif re.fullmatch(r"h[1-6]", tag):
            self.flush()
            self.heading = False
        elif tag == "tr":
            self.flush()
            cells, self.cells = self.cells or [], None
            if len(cells) >= 2:
                self.lines.append(Line(len(self.lines) + 1, " ".join(cells[1:]), field=cells[0]))
            elif cells:
                self.lines.append(Line(len(self.lines) + 1, cells[0]))
        elif tag in ("td", "th") or tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.buffer.append(data)


def _html_lines(text: str) -> list[Line]:
    parser = _HtmlLines()
    parser.feed(text)
    parser.close()
    parser.flush()
    return parser.lines


def _docx_lines(path: Path) -> list[Line]:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    lines: list[Line] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = " ".join(block.text.split())
            style = (block.style.name if block.style is not None else "") or ""
            if text:
                heading = style.lower().startswith(("heading", "otsikko", "rubrik", "title"))
                lines.append(Line(len(lines) + 1, text, heading=heading))
        elif isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat
                        cells.append(text)
                if len(cells) >= 2:
                    lines.append(Line(len(lines) + 1, " ".join(cells[1:]), field=cells[0]))
                elif cells:
                    lines.append(Line(len(lines) + 1, cells[0]))
    return lines


def _pdf_lines(path: Path) -> list[Line]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    if reader.is_encrypted:
        raise StatementError(f"{path}: the PDF is encrypted")
    text = "\n\n".join(page.extract_text() or "" for page in reader.pages)
    if not text.strip():
        raise StatementError(f"{path}: the PDF has no text layer (a scanned document?)")
    return _text_lines(text, markdown=False)


def read_statement(path: Path) -> list[Line]:
    """The statement's lines; raises :class:`StatementError` for a missing or unreadable file."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise StatementError(f"{path}: unsupported statement format {suffix or '(none)'}; use {', '.join(SUFFIXES)}")
    try:
        if suffix == ".docx":
            return _docx_lines(path)
        if suffix == ".pdf":
            return _pdf_lines(path)
        text = decode(path.read_bytes())
    except FileNotFoundError:
        raise StatementError(f"{path}: no such file") from None
    except StatementError:
        raise
    except Exception as exc:  # a corrupt docx/pdf raises whatever its parser raises
        raise StatementError(f"{path}: cannot read the statement: {type(exc).__name__}: {exc}") from exc
    if suffix in (".html", ".htm") or (suffix in (".txt", ".text") and re.match(r"\s*<(!doctype|html)", text, re.I)):
        return _html_lines(text)
    return _text_lines(text, markdown=suffix in (".md", ".markdown"))
