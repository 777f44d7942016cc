"""Office documents and PDF: spreadsheets cell by cell, Word documents paragraph by paragraph,
PDF page by page. A PDF without a text layer (a scan) is reported as such, not silently passed.

Each reader imports its library itself: every scan imports this module, few need all of them."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from scanner.extract import (
    Budget,
    Limits,
    Output,
    Piece,
    Unreadable,
    cells_piece,
    extractor,
    join,
    named,
    scrubbed,
    text_pieces,
)
from scanner.extract.containers import ZIP_MAGIC

CELLS_PER_PIECE = 50_000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, .msg and more share this container


def _seekable(stream: BinaryIO) -> BinaryIO:
    return stream if stream.seekable() and not hasattr(stream, "_past_head") else io.BytesIO(stream.read())


@extractor("xlsx", priority=110, magic=ZIP_MAGIC, match=named("xlsx", "xlsm"), random_access=True)
def xlsx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Every text cell of every sheet; ``member`` is the sheet, the location its row, column and header.

    openpyxl finds the sheets and shared strings; the cells are read from the sheet XML here, as they
    stream. openpyxl's own row iterator pads every row to the declared ``<dimension>`` and fills gaps in
    row numbers with empty rows — a few-KB file declaring ``A1:XFD1048576``, or one row numbered
    ``r="10000000000000"``, would keep it busy for days — and it raises (quoting the value) on a cell typed
    as a number that holds text, which this reader simply reads as the text it is."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(_seekable(stream), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        if "encrypt" in str(exc).lower():
            yield Unreadable(member, "encrypted", "encrypted")
        else:
            yield Unreadable(member, f"corrupt spreadsheet: {scrubbed(exc)}")
        return
    try:
        for sheet in workbook.worksheets:
            yield from _xlsx_sheet(sheet, join(member, sheet.title), limits)
    finally:
        workbook.close()


_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _xlsx_sheet(sheet, member: str, limits: Limits) -> Iterator[Output]:
    texts: list[str] = []
    locations: list[dict] = []
    try:
        with sheet._get_source() as source:
            for location, text in _xlsx_cells(source, sheet._shared_strings, limits):
                if location is None:  # what was read before the limit first, then the limit
                    if texts:
                        yield cells_piece(member, texts, locations)
                        texts, locations = [], []
                    yield Unreadable(member, text, "limit")
                    break
                texts.append(text)
                locations.append(location)
                if len(texts) >= CELLS_PER_PIECE:
                    yield cells_piece(member, texts, locations)
                    texts, locations = [], []
    except Exception as exc:  # XML, zip, deflate and openpyxl's own coordinate errors alike
        if texts:
            yield cells_piece(member, texts, locations)
        yield Unreadable(member, f"corrupt sheet: {scrubbed(exc)}")
        return
    if texts:
        yield cells_piece(member, texts, locations)


def _xlsx_cells(source, shared: list, limits: Limits) -> Iterator[tuple[dict | None, str]]:
    """``(location, text)`` of the sheet's text cells in order; ``(None, reason)`` when ``max_cells`` is
    reached. Every ``<c>`` counts against the limit, filled or not, since each costs the same to visit."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

    header: dict[str, str] = {}
    row = column = visited = 0
    rows = None  # <sheetData>: each row is taken out of it once read, so that a sheet streams
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _SHEET_NS + "sheetData":
                rows = element
            continue
        if tag == _SHEET_NS + "row":
            row, column, visited = row + 1, 0, visited + 1  # an empty row costs a visit too
            element.clear()
            if rows is not None and len(rows):
                rows.remove(element)
            continue
        if tag != _SHEET_NS + "c":
            continue
        visited += 1
        if visited > limits.max_cells:
            yield None, f"more than {limits.max_cells} cells in one sheet; the rest not read (max_cells)"
            return
        reference = element.get("r")
        if reference:
            letters, row = coordinate_from_string(reference)
            column = column_index_from_string(letters)
            row -= 1  # the row's own end comes after its cells
        else:
            column += 1
        text = _cell_text(element, shared)
        element.clear()
        if not text or not text.strip():
            continue
        letter, number = get_column_letter(column), row + 1
        if number == 1:
            header[letter] = text.strip()
        location = {"row": number, "column": letter}
        if number > 1 and letter in header:
            location["field"] = header[letter]
        yield location, text


def _cell_text(element, shared: list) -> str | None:
    """The text a cell shows: a shared or inline string, a formula's text result, or — for a cell typed
    as a number or anything else — its stored value when that is not a number at all."""
    kind = element.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in element.iter(_SHEET_NS + "t"))
    value = element.findtext(_SHEET_NS + "v")
    if value is None:
        return None
    if kind == "s":
        index = int(value)
        if not 0 <= index < len(shared):
            raise IndexError("shared string index out of range")
        entry = shared[index]
        return entry if isinstance(entry, str) else str(entry)
    if kind in ("str", "e"):
        return value if kind == "str" else None
    try:
        float(value)
    except ValueError:
        return value  # typed as a number (or a date, or a boolean) but holding text: read what is there
    return None


@extractor("docx", priority=120, magic=ZIP_MAGIC, match=named("docx", "docm"), random_access=True)
def docx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Paragraphs, tables, headers and footers of a Word document."""
    import docx as python_docx

    stream = _seekable(stream)
    if (dtd := _declares_dtd(stream)) is not None:
        yield Unreadable(member, dtd)
        return
    try:
        document = python_docx.Document(stream)
    except Exception as exc:
        yield Unreadable(member, f"corrupt or encrypted Word document: {scrubbed(exc)}")
        return
    texts: list[str] = []
    locations: list[dict] = []
    try:
        _docx_blocks(document, {}, texts, locations)
        for number, section in enumerate(document.sections, start=1):
            for part_name in ("header", "footer"):
                part = getattr(section, part_name)
                if not part.is_linked_to_previous:
                    _docx_blocks(part, {"section": number, "part": part_name}, texts, locations)
    except Exception as exc:  # python-docx follows relationships lazily: a broken part fails mid-walk
        if texts:
            yield cells_piece(member, texts, locations)
        yield Unreadable(member, f"corrupt Word document: {scrubbed(exc)}")
        return
    if texts:
        yield cells_piece(member, texts, locations)


class _TooLarge(Exception):
    pass


def _whole(stream: BinaryIO, limits: Limits) -> bytes:
    """All of a file whose reader needs it in memory at once (.xls, RTF), up to ``max_member``."""
    chunks, size = [], 0
    while chunk := stream.read(1 << 20):  # in pieces: one read of max_member would reserve all of it
        size += len(chunk)
        if size > limits.max_member:
            raise _TooLarge(f"too large to read whole (over {limits.max_member} bytes) (max_member)")
        chunks.append(chunk)
    return b"".join(chunks)


def _declares_dtd(stream: BinaryIO) -> str | None:
    """Why an Office file is not read if one of its XML parts declares a DTD, else None. Office Open XML
    packages may not (ECMA-376 Part 2), so one that does is forged, and the libraries reading Word and
    PowerPoint files keep an entity reference as a node and silently drop the text after it: reading the
    file would miss what it holds without saying so."""

    try:
        with zipfile.ZipFile(stream) as archive:
            for info in archive.infolist():
                if not info.is_dir():
                    with archive.open(info) as part:
                        if _prolog_declares_dtd(part):
                            return f"corrupt: {info.filename} declares a DTD, which Office files may not"
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, zlib.error):
        pass  # the reader says what is wrong with the file
    finally:
        stream.seek(0)
    return None


class _Prolog(Exception):
    pass


def _prolog_declares_dtd(part: BinaryIO) -> bool:
    """Whether an XML part declares a DTD before its first element, however long the comments before it
    (parsed by expat up to that element, never further; a part that is not XML declares none)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    found: list[bool] = []

    def stop(*args: object, dtd: bool) -> None:
        found.append(dtd)
        raise _Prolog

    parser.StartDoctypeDeclHandler = lambda *args: stop(dtd=True)
    parser.StartElementHandler = lambda *args: stop(dtd=False)
    try:
        while chunk := part.read(1 << 16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (_Prolog, expat.ExpatError):
        pass
    return bool(found and found[0])


def _docx_blocks(container, where: dict, texts: list[str], locations: list[dict]) -> None:
    """The body, a header or a footer: paragraphs and tables are numbered apart, as a reader counts them."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    paragraph = table = 0
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            paragraph += 1
            if block.text.strip():
                texts.append(block.text)
                locations.append({**where, "paragraph": paragraph})
        elif isinstance(block, Table):
            table += 1
            _docx_cells(block, {**where, "table": table}, texts, locations)


def _docx_cells(table, where: dict, texts: list[str], locations: list[dict]) -> None:
    for r, row in enumerate(table.rows, start=1):
        for c, cell in enumerate(row.cells, start=1):
            if cell.text.strip():
                texts.append(cell.text)
                locations.append({**where, "row": r, "cell": c})


@extractor("pdf", priority=200, magic=[b"%PDF-"], random_access=True)
def pdf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text page by page; the location names the page and the line on it. Pages that carry pictures but
    no text (scans) are counted and reported as not read: a scanned contract must not look clean."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)  # its messages quote bytes of the file
    try:
        reader = PdfReader(_seekable(stream))
        if reader.is_encrypted and not reader.decrypt(""):
            yield Unreadable(member, "encrypted PDF", "encrypted")
            return
        pages = reader.pages
        count = len(pages)
    except LimitReachedError as exc:  # pypdf's own bounds (a page tree 100 levels deep…)
        yield Unreadable(member, f"PDF beyond pypdf's limits: {scrubbed(exc)}", "limit")
        return
    except (PyPdfError, ValueError, OSError, KeyError, RecursionError, TypeError, AttributeError) as exc:
        yield Unreadable(member, f"corrupt PDF: {scrubbed(exc)}")
        return
    scanned: list[int] = []
    for number in range(1, min(count, limits.max_pages) + 1):
        try:
            page = pages[number - 1]
            text = page.extract_text() or ""
        except Exception as exc:  # a broken content stream on one page
            yield Unreadable(member, f"page {number}: {scrubbed(exc)}")
            continue
        if text.strip():
            yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size, f', "page": {number}')
        elif _has_images(page):
            scanned.append(number)
    if count > limits.max_pages:
        yield Unreadable(member, f"more than {limits.max_pages} pages; the rest not read (max_pages)", "limit")
    if scanned:
        yield Unreadable(member, _scanned_reason(scanned, count), "no-text")


def _has_images(page) -> bool:
    """Whether a page draws a picture: an image XObject (also inside a form XObject) or an inline image
    in its content. A blank page draws none, and is not a scan."""
    try:
        if _draws_image(page.get("/Resources"), 0):
            return True
        content = page.get_contents()
        return content is not None and b"BI" in content.get_data()
    except Exception:  # a broken page: say what can be said, that it had no text
        return True


def _draws_image(resources, depth: int) -> bool:
    resources = resources.get_object() if resources is not None else None
    if not resources or "/XObject" not in resources or depth > 3:
        return False
    objects = resources["/XObject"].get_object()
    for name in objects:
        drawn = objects[name].get_object()
        subtype = drawn.get("/Subtype")
        if subtype == "/Image" or (subtype == "/Form" and _draws_image(drawn.get("/Resources"), depth + 1)):
            return True
    return False


def _scanned_reason(pages: list[int], count: int) -> str:
    if len(pages) == count:
        return "PDF has no text layer (a scanned document?); its images were not read"
    shown = ", ".join(map(str, pages[:10])) + (", …" if len(pages) > 10 else "")
    return f"{len(pages)} of {count} pages have pictures but no text (scanned?), not read: pages {shown}"


_ODF = "{urn:oasis:names:tc:opendocument:xmlns:%s:1.0}"
_TEXT, _TABLE = _ODF % "text", _ODF % "table"


def _is_odf(head: bytes, suffix: str) -> bool:
    """ODF stores its media type uncompressed as the first member, so it shows in the head of the zip."""
    return head[30:38] == b"mimetype" and b"opendocument" in head[38:120]


@extractor("odf", priority=100, magic=ZIP_MAGIC, match=_is_odf, random_access=True)
def odf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """OpenDocument text (.odt: paragraphs and headings) and spreadsheets (.ods: every text cell, the
    sheet as ``member``), read from ``content.xml`` as it streams."""
    from xml.etree.ElementTree import ParseError, iterparse

    try:
        archive = zipfile.ZipFile(_seekable(stream))
        content = archive.open("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        yield Unreadable(member, f"corrupt OpenDocument file: {scrubbed(exc)}")
        return
    found = _OdfContent()
    try:
        for event, element in iterparse(content, events=("start", "end")):
            if event == "start":
                found.start(element)
            else:
                found.end(element)
    except (ParseError, zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        yield Unreadable(member, f"corrupt OpenDocument content: {scrubbed(exc)}")
        return
    finally:
        archive.close()
    yield from _sheet_pieces(member, found.texts, found.locations)


class _OdfContent:
    """Texts of ``content.xml`` as its elements close: cells with their sheet, row and column (repeated
    columns counted, so letters match what the user sees), and paragraphs that are not in a table."""

    def __init__(self) -> None:
        from openpyxl.utils import get_column_letter

        self.column_letter = get_column_letter
        self.texts: list[str] = []
        self.locations: list[dict] = []
        self.sheet: str | None = None
        self.row = self.column = self.paragraph = 0

    def start(self, element) -> None:
        if element.tag == f"{_TABLE}table":
            self.sheet, self.row = element.get(f"{_TABLE}name"), 0
        elif element.tag == f"{_TABLE}table-row":
            self.row, self.column = self.row + 1, 0

    def end(self, element) -> None:
        tag = element.tag
        if tag == f"{_TABLE}table-cell" or tag == f"{_TABLE}covered-table-cell":
            self._cell(element)
        elif tag in (f"{_TEXT}p", f"{_TEXT}h") and self.sheet is None:
            self._paragraph(element)
        elif tag == f"{_TABLE}table":
            self.sheet = None

    def _cell(self, element) -> None:
        self.column += 1
        text = "\n".join("".join(p.itertext()) for p in element.iter(f"{_TEXT}p")).strip()
        if text:
            self.texts.append(text)
            self.locations.append({"sheet": self.sheet, "row": self.row, "column": self.column_letter(self.column)})
        self.column += int(element.get(f"{_TABLE}number-columns-repeated", "1")) - 1
        element.clear()  # a large spreadsheet streams instead of piling up in memory

    def _paragraph(self, element) -> None:
        self.paragraph += 1
        text = "".join(element.itertext()).strip()
        if text:
            self.texts.append(text)
            self.locations.append({"paragraph": self.paragraph})


def _sheet_pieces(member: str | None, texts: list[str], locations: list[dict]) -> Iterator[Piece]:
    """One piece per sheet, the sheet as ``member``; a text document's paragraphs under ``member`` itself."""
    by_sheet: dict[str | None, tuple[list[str], list[dict]]] = {}
    for text, location in zip(texts, locations, strict=True):
        part = location.pop("sheet", None)
        bucket = by_sheet.setdefault(part, ([], []))
        bucket[0].append(text)
        bucket[1].append(location)
    for part, (part_texts, part_locations) in by_sheet.items():
        yield cells_piece(join(member, part) if part else member, part_texts, part_locations)


@extractor("pptx", priority=130, magic=ZIP_MAGIC, match=named("pptx"), random_access=True)
def pptx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text of every shape, table cell and speaker note of every slide."""
    from pptx import Presentation

    stream = _seekable(stream)
    if (dtd := _declares_dtd(stream)) is not None:
        yield Unreadable(member, dtd)
        return
    try:
        presentation = Presentation(stream)
    except Exception as exc:
        yield Unreadable(member, f"corrupt or encrypted presentation: {scrubbed(exc)}")
        return
    texts: list[str] = []
    locations: list[dict] = []
    for number, slide in enumerate(presentation.slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                texts.append(shape.text_frame.text)
                locations.append({"slide": number, "shape": shape.name})
            if getattr(shape, "has_table", False) and shape.has_table:
                for r, row in enumerate(shape.table.rows, start=1):
                    for c, cell in enumerate(row.cells, start=1):
                        if cell.text.strip():
                            texts.append(cell.text)
                            locations.append({"slide": number, "shape": shape.name, "row": r, "cell": c})
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip():
            texts.append(slide.notes_slide.notes_text_frame.text)
            locations.append({"slide": number, "notes": True})
    if texts:
        yield cells_piece(member, texts, locations)


@extractor("xls", priority=290, magic=[OLE2_MAGIC], match=named("xls"), random_access=True)
def xls(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Legacy Excel (.xls, BIFF) with xlrd: every text cell, the sheet as ``member``."""
    import xlrd
    from openpyxl.utils import get_column_letter

    try:
        # xlrd writes its warnings to standard output unless given somewhere else to write them
        book = xlrd.open_workbook(file_contents=_whole(stream, limits), on_demand=True, logfile=io.StringIO())
    except _TooLarge as exc:
        yield Unreadable(member, str(exc), "too-large")
        return
    except Exception as exc:
        if "encrypt" in str(exc).lower():
            yield Unreadable(member, "encrypted", "encrypted")
        else:
            yield Unreadable(member, f"corrupt .xls file: {scrubbed(exc)}")
        return
    for index in range(book.nsheets):
        try:
            sheet = book.sheet_by_index(index)  # sheets are parsed here, lazily
        except Exception as exc:
            yield Unreadable(join(member, f"sheet {index + 1}"), f"corrupt .xls sheet: {scrubbed(exc)}")
            continue
        header = {c: str(v).strip() for c, v in enumerate(sheet.row_values(0))} if sheet.nrows else {}
        texts, locations = [], []
        for r in range(sheet.nrows):
            for c, cell in enumerate(sheet.row(r)):
                if cell.ctype == xlrd.XL_CELL_TEXT and cell.value.strip():
                    location = {"row": r + 1, "column": get_column_letter(c + 1)}
                    if r and header.get(c):
                        location["field"] = header[c]
                    texts.append(cell.value)
                    locations.append(location)
        if texts:
            yield cells_piece(join(member, sheet.name), texts, locations)
        book.unload_sheet(index)


@extractor("ole2", priority=295, magic=[OLE2_MAGIC])
def legacy_office(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Word .doc and Outlook .msg have no reader here; saying so beats scanning their bytes as noise."""
    yield Unreadable(
        member, "unsupported format: legacy Office or Outlook file (OLE2: .doc/.msg)", "unsupported-format"
    )


@extractor("sqlite", priority=297, magic=[b"SQLite format 3\x00"])
def sqlite_member(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """An SQLite database inside an archive or a mail: SQLite reads only files, and nothing is ever written
    to disk, so it is reported unread — never passed over as binary, which would make a verdict look clean.
    (One lying in a share is read as a database.)"""
    yield Unreadable(
        member, "SQLite database inside a container: not read (extract it to scan it)", "unsupported-format"
    )


@extractor("rtf", priority=300, magic=[b"{\\rtf"])
def rtf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Rich Text Format: control words stripped, then line by line."""
    from striprtf.striprtf import rtf_to_text

    from scanner.extract.text import decode

    try:
        text = rtf_to_text(decode(_whole(stream, limits)), errors="ignore")
    except _TooLarge as exc:
        yield Unreadable(member, str(exc), "too-large")
        return
    except Exception as exc:
        yield Unreadable(member, f"corrupt RTF: {scrubbed(exc)}")
        return
    yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size)
