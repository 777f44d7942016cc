"""Office documents and PDF: spreadsheets cell by cell, Word documents paragraph by paragraph,
PDF page by page. A PDF without a text layer (a scan) is reported as such, not silently passed."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

from openpyxl.utils import get_column_letter

from scanner.extract import Budget, Limits, Output, Unreadable, cells_piece, join, text_pieces

CELLS_PER_PIECE = 50_000


def _seekable(stream: BinaryIO) -> BinaryIO:
    return stream if stream.seekable() and not hasattr(stream, "_past_head") else io.BytesIO(stream.read())


def xlsx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Every text cell of every sheet; ``member`` is the sheet, the location its row, column and header."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(_seekable(stream), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        reason = "encrypted" if "encrypt" in str(exc).lower() else f"corrupt spreadsheet: {type(exc).__name__}: {exc}"
        yield Unreadable(member, reason)
        return
    try:
        for sheet in workbook.worksheets:
            sheet_member = join(member, sheet.title)
            header: dict[int, str] = {}
            texts: list[str] = []
            locations: list[dict] = []
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                for column_number, value in enumerate(row, start=1):
                    if value is None:
                        continue
                    if row_number == 1 and isinstance(value, str):
                        header[column_number] = value.strip()
                    text = value if isinstance(value, str) else None
                    if not text:
                        continue
                    location = {"row": row_number, "column": get_column_letter(column_number)}
                    if column_number in header and row_number > 1:
                        location["field"] = header[column_number]
                    texts.append(text)
                    locations.append(location)
                if len(texts) >= CELLS_PER_PIECE:
                    yield cells_piece(sheet_member, texts, locations)
                    texts, locations = [], []
            if texts:
                yield cells_piece(sheet_member, texts, locations)
    finally:
        workbook.close()


def docx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Paragraphs, tables, headers and footers of a Word document."""
    import docx as python_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = python_docx.Document(_seekable(stream))
    except Exception as exc:
        yield Unreadable(member, f"corrupt or encrypted Word document: {type(exc).__name__}: {exc}")
        return
    texts: list[str] = []
    locations: list[dict] = []

    def blocks(container, where: dict) -> None:
        paragraph = table = 0
        for block in container.iter_inner_content():
            if isinstance(block, Paragraph):
                paragraph += 1
                if block.text.strip():
                    texts.append(block.text)
                    locations.append({**where, "paragraph": paragraph})
            elif isinstance(block, Table):
                table += 1
                for r, row in enumerate(block.rows, start=1):
                    for c, cell in enumerate(row.cells, start=1):
                        if cell.text.strip():
                            texts.append(cell.text)
                            locations.append({**where, "table": table, "row": r, "cell": c})

    blocks(document, {})
    for number, section in enumerate(document.sections, start=1):
        for part_name in ("header", "footer"):
            part = getattr(section, part_name)
            if not part.is_linked_to_previous:
                blocks(part, {"section": number, "part": part_name})
    if texts:
        yield cells_piece(member, texts, locations)


def pdf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text page by page; the location names the page and the line on it."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(_seekable(stream))
        if reader.is_encrypted and not reader.decrypt(""):
            yield Unreadable(member, "encrypted PDF")
            return
        pages = list(reader.pages)
    except (PdfReadError, ValueError, OSError, KeyError) as exc:
        yield Unreadable(member, f"corrupt PDF: {exc}")
        return
    any_text = False
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # a broken content stream on one page
            yield Unreadable(member, f"page {number}: {type(exc).__name__}: {exc}")
            continue
        if not text.strip():
            continue
        any_text = True
        yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size, f', "page": {number}')
    if pages and not any_text:
        yield Unreadable(member, "PDF has no text layer (a scanned document?); its images were not read")


_ODF = "{urn:oasis:names:tc:opendocument:xmlns:%s:1.0}"
_TEXT, _TABLE = _ODF % "text", _ODF % "table"


def odf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """OpenDocument text (.odt: paragraphs and headings) and spreadsheets (.ods: every text cell, the
    sheet as ``member``), read from ``content.xml`` as it streams."""
    import zipfile
    from xml.etree.ElementTree import ParseError, iterparse

    try:
        archive = zipfile.ZipFile(_seekable(stream))
        content = archive.open("content.xml")
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        yield Unreadable(member, f"corrupt OpenDocument file: {exc}")
        return
    texts: list[str] = []
    locations: list[dict] = []
    sheet: str | None = None
    row = column = paragraph = 0
    try:
        for event, element in iterparse(content, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == f"{_TABLE}table":
                    sheet, row = element.get(f"{_TABLE}name"), 0
                elif tag == f"{_TABLE}table-row":
                    row, column = row + 1, 0
                continue
            if tag == f"{_TABLE}table-cell" or tag == f"{_TABLE}covered-table-cell":
                column += 1
                text = "\n".join("".join(p.itertext()) for p in element.iter(f"{_TEXT}p")).strip()
                if text:
                    texts.append(text)
                    locations.append({"sheet": sheet, "row": row, "column": get_column_letter(column)})
                column += int(element.get(f"{_TABLE}number-columns-repeated", "1")) - 1
                element.clear()
            elif tag in (f"{_TEXT}p", f"{_TEXT}h") and sheet is None:
                paragraph += 1
                text = "".join(element.itertext()).strip()
                if text:
                    texts.append(text)
                    locations.append({"paragraph": paragraph})
            elif tag == f"{_TABLE}table":
                sheet = None
    except ParseError as exc:
        yield Unreadable(member, f"corrupt OpenDocument content: {exc}")
        return
    finally:
        archive.close()
    by_sheet: dict[str | None, tuple[list[str], list[dict]]] = {}
    for text, location in zip(texts, locations, strict=True):
        part = location.pop("sheet", None)
        bucket = by_sheet.setdefault(part, ([], []))
        bucket[0].append(text)
        bucket[1].append(location)
    for part, (part_texts, part_locations) in by_sheet.items():
        yield cells_piece(join(member, part) if part else member, part_texts, part_locations)


def pptx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text of every shape, table cell and speaker note of every slide."""
    from pptx import Presentation

    try:
        presentation = Presentation(_seekable(stream))
    except Exception as exc:
        yield Unreadable(member, f"corrupt or encrypted presentation: {type(exc).__name__}: {exc}")
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


def xls(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Legacy Excel (.xls, BIFF) with xlrd: every text cell, the sheet as ``member``."""
    import xlrd

    try:
        # xlrd writes its warnings to standard output unless given somewhere else to write them
        book = xlrd.open_workbook(file_contents=stream.read(), on_demand=True, logfile=io.StringIO())
    except Exception as exc:
        reason = "encrypted" if "encrypt" in str(exc).lower() else f"corrupt .xls file: {type(exc).__name__}: {exc}"
        yield Unreadable(member, reason)
        return
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
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


def rtf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Rich Text Format: control words stripped, then line by line."""
    from striprtf.striprtf import rtf_to_text

    from scanner.extract.text import decode

    try:
        text = rtf_to_text(decode(stream.read()), errors="ignore")
    except Exception as exc:
        yield Unreadable(member, f"corrupt RTF: {type(exc).__name__}: {exc}")
        return
    yield from text_pieces(io.BytesIO(text.encode("utf-8")), member, block_size)
