"""Office documents and PDF: spreadsheets cell by cell, Word documents paragraph by paragraph,
PDF page by page. A PDF without a text layer (a scan) is reported as such, not silently passed.

Each reader imports its library itself: every scan imports this module, few need all of them."""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from detectors.base import concat
from scanner.extract import (
    Budget,
    Limits,
    Output,
    Piece,
    Unreadable,
    _safe_array,
    cells_piece,
    extractor,
    join,
    named,
    scrubbed,
    text_pieces,
)
from scanner.extract.containers import ZIP_MAGIC
from scanner.extract.text import iter_line_batches

CELLS_PER_PIECE = 50_000
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc, .msg and more share this container


def _seekable(stream: BinaryIO) -> BinaryIO:
    return stream if stream.seekable() and not hasattr(stream, "_past_head") else io.BytesIO(stream.read())


@extractor("xlsx", priority=110, magic=ZIP_MAGIC, match=named("xlsx", "xlsm"), random_access=True)
def xlsx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Every text cell of every sheet; ``member`` is the sheet, the location its row, column and header.

    The workbook, its shared strings and each sheet are read from their XML here, the sheet as it
    streams (a row is dropped once read, so a sheet of any length needs the memory of one row).
    openpyxl, which read the workbook and the shared strings before, spent most of the time building
    objects nobody used; its own row iterator pads every row to the declared ``<dimension>`` and fills
    gaps in row numbers with empty rows — a few-KB file declaring ``A1:XFD1048576``, or one row numbered
    ``r="10000000000000"``, would keep it busy for days — and it raises (quoting the value) on a cell
    typed as a number that holds text, which this reader simply reads as the text it is. (python-calamine
    is faster still, but it builds each sheet as one dense grid: a 5 KB file with a cell at XFD1048576
    makes it ask for 550 GB and abort the process.)"""
    try:
        archive = zipfile.ZipFile(_seekable(stream))
        ns, sheets, strings = _workbook(archive)
        shared = _shared_strings(archive, strings, ns) if strings else []
    except Exception as exc:  # zip, XML and missing parts alike
        if "encrypt" in str(exc).lower():
            yield Unreadable(member, "encrypted", "encrypted")
        else:
            yield Unreadable(member, f"corrupt spreadsheet: {scrubbed(exc)}")
        return
    try:
        for title, part in sheets:
            yield from _Sheet(join(member, title), shared, limits, ns).read(archive, part)
    finally:
        archive.close()


#: SpreadsheetML's namespaces: transitional (what Excel writes) and strict.
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_STRICT = "{http://purl.oclc.org/ooxml/spreadsheetml/main}"


def _workbook(archive: zipfile.ZipFile) -> tuple[str, list[tuple[str, str]], str | None]:
    """The workbook's namespace, its worksheets in order as ``(title, part)`` (chart sheets hold no
    cells), and the shared strings' part if there is one."""
    from xml.etree.ElementTree import fromstring

    main = _main_part(archive, "xl/workbook.xml")
    root = fromstring(archive.read(main))
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    if ns not in (_SHEET_NS, _SHEET_STRICT):
        raise ValueError("not a SpreadsheetML workbook")
    relations = _relationships(archive, main)
    sheets = []
    for sheet in root.iter(ns + "sheet"):
        kind, part = relations.get(sheet.get(_R_ID) or sheet.get(_R_ID_STRICT) or "", ("", ""))
        if kind == "worksheet":
            sheets.append((sheet.get("name", ""), part))
    strings = next((part for kind, part in relations.values() if kind == "sharedStrings"), None)
    return ns, sheets, strings


#: The plain path (:func:`_plain_sheet_data`, :func:`_plain_shared_strings`): parts written the way
#: spreadsheet programs write them are read from a regular expression's matches rather than a parser's events.
#: The largest part (uncompressed) it reads whole; a larger one streams through the parser.
PLAIN_PART_MAX = 64 << 20
PLAIN_CHUNK = 1 << 20  # bytes of rows matched at a time
_WS = rb"[ \t\n]*+"
#: Character data without markup: the five named entities and character references (checked to name
#: characters XML allows: :func:`_references_allowed`), no ``]]>`` (a loop unrolled for speed).
_CHARS = rb"[^<&\]]*+(?:(?:\](?!\]>)|&(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)[^<&\]]*+)*+"
_REFERENCE = re.compile(rb"&#(x?)([0-9a-fA-F]+);")
_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _references_allowed(data: bytes) -> bool:
    """Whether every character reference in ``data`` names a character XML allows (the parser refuses
    ``&#0;``, a surrogate, U+FFFE)."""
    for hexadecimal, digits in _REFERENCE.findall(data) if b"&#" in data else ():
        code = int(digits, 16 if hexadecimal else 10)
        if not (
            code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
        ):
            return False
    return True


_ATTRIBUTES = rb'(?:[ \t\n]+(?!xmlns)[A-Za-z_][\w.:-]*="[^"<&]*")*+'
_PROLOG = rb'(?:<\?xml version="1\.0"(?: encoding="(?:UTF|utf)-8")?(?: standalone="(?:yes|no)")?[ \t\n]*\?>)?[ \t\n]*'


def _plain_cell(group: bytes) -> bytes:
    """A cell as spreadsheet programs write it: its reference, a style, a type, a formula, a value or an
    inline string of plain text — and no other attribute or child (rich inline text, a prefix: the parser
    reads those). ``group`` opens the six groups: ``b"("`` to capture column, row, type, whether it has a
    ``<v>``, the value in it and the inline string, ``b"(?:"`` not to."""
    return (
        b'<c r="' + group + rb"[A-Z]{1,3})" + group + rb'[1-9][0-9]{0,6})"(?: s="[0-9]{1,9}")?'
        rb'(?: t="' + group + rb'[A-Za-z]{1,9})")?'
        rb'(?:/>|>(?:<f/>|<f(?: [A-Za-z]+="[^"<&]*")*+(?:/>|>' + _CHARS + rb"</f>))?"
        rb"(?:(?:" + group + rb"<v)(?:/>|>" + group + _CHARS + rb")</v>))"
        rb'|<is>(?:<t(?: xml:space="preserve")?>' + group + _CHARS + rb")</t>|<t/>)</is>)?</c>)"
    )


_PLAIN_CELL = re.compile(_plain_cell(b"("))
#: A ``<sheetData>`` made of nothing but rows of such cells (possessive: no backtracking, any length).
_PLAIN_ROWS = re.compile(
    rb"(?:"
    + _WS
    + rb"<row"
    + _ATTRIBUTES
    + _WS
    + rb"(?:/>|>(?:"
    + _WS
    + _plain_cell(b"(?:")
    + rb")*+"
    + _WS
    + rb"</row>))*+"
    + _WS
)
#: Bytes no plain part holds: carriage returns (which XML turns into line feeds), control characters XML
#: forbids.
_NOT_PLAIN = bytes(c for c in range(32) if c not in (9, 10))


def _not_plain(data: bytes) -> bool:
    """Whether a part holds what the plain path leaves to the parser: a DTD, comments or CDATA (``<!``),
    characters XML forbids (some control characters, U+FFFE, U+FFFF), carriage returns."""
    return (
        len(data.translate(None, _NOT_PLAIN)) != len(data)
        or b"<!" in data
        or b"\xef\xbf\xbe" in data
        or b"\xef\xbf\xbf" in data
    )


_PLAIN_HEAD = re.compile(_PROLOG + rb"<worksheet" + _ATTRIBUTES.replace(b"(?!xmlns)", b"") + _WS + rb">")
_SHEET_TAGS = re.compile(rb"<(?:[\w.-]+:)?(?:c|row|sheetData|v|is)[ \t\n/>]")


def _plain_si(capture: bool) -> bytes:
    """A shared string as workbooks hold it: plain text, or runs of formatted text (no phonetic guide);
    ``capture``: with two groups, the plain text and the runs."""
    text = rb'<t(?: xml:space="preserve")?>' + _CHARS + rb"</t>|<t/>"
    run = rb'<r>(?:<rPr>(?:<[A-Za-z]+(?: [A-Za-z]+="[^"<&]*")*/>)*+</rPr>)?(?:' + text + rb")</r>"
    if capture:
        text = rb'<t(?: xml:space="preserve")?>(' + _CHARS + rb")</t>|<t/>"
        return rb"<si>(?:" + text + rb"|((?:" + run + rb")++))</si>"
    return rb"<si>(?:" + text + rb"|(?:" + run + rb")++)</si>"


_PLAIN_SI = re.compile(_plain_si(True).decode())
# A run's text; its properties are self-closing elements only (as the validator above allows), so that the
# match cannot run on past an empty run's </r> into the next run's properties.
_PLAIN_RUN_TEXT = re.compile(
    r'<r>(?:<rPr>(?:<[A-Za-z]+(?: [A-Za-z]+="[^"<&]*")*/>)*</rPr>)?(?:<t(?: xml:space="preserve")?>([^<]*)</t>|<t/>)</r>'
)
_PLAIN_SST = re.compile(
    (_PROLOG + rb"<sst" + _ATTRIBUTES.replace(b"(?!xmlns)", b"") + _WS + rb">(?:" + _WS + _plain_si(False)).decode()
    + r")*+[ \t\n]*+</sst>[ \t\n]*",
    re.ASCII,
)


def _shared_strings(archive: zipfile.ZipFile, part: str, ns: str) -> list[str]:
    """The shared strings' texts, as openpyxl gives them: the plain text, then the rich text runs'
    (phonetic guides left out), each read and dropped as it ends."""
    from xml.etree.ElementTree import iterparse

    plain = _plain_shared_strings(archive, part, ns)
    if plain is not None:
        return plain
    item, text, run = ns + "si", ns + "t", ns + "r"
    strings: list[str] = []
    root = None
    with archive.open(part) as source:
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if root is None:
                    root = element
                continue
            if element.tag != item:
                continue
            if len(element) == 1 and element[0].tag == text:  # plain text: most strings
                value = element[0].text or ""
            else:
                found = [child.text or "" for child in element if child.tag == text]
                found += [t.text or "" for child in element if child.tag == run for t in child if t.tag == text]
                value = "".join(found)
            strings.append(value.replace("x005F_", "") if "x005F_" in value else value)  # as openpyxl does
            element.clear()
            if len(root) and root[-1] is element:
                del root[-1]
    return strings


def _plain_shared_strings(archive: zipfile.ZipFile, part: str, ns: str) -> list[str] | None:
    """The shared strings of a plain part — UTF-8, the transitional namespace as the default one, each
    string plain text or runs of formatted text, nothing else — read from one regular expression's
    matches, as :func:`_shared_strings` reads them; None for any other part, which the parser reads."""
    try:
        if ns != _SHEET_NS or archive.getinfo(part).file_size > PLAIN_PART_MAX:
            return None
        data = archive.read(part)
        if _not_plain(data) or not _references_allowed(data):
            return None
        text = data.decode("utf-8")
        root = _PLAIN_SST.fullmatch(text)
        if root is None or 'xmlns="' + _SHEET_NS[1:-1] + '"' not in text[: text.index(">", text.index("<sst")) + 1]:
            return None
    except Exception:  # anything odd: the parser reads it, and says what is wrong
        return None
    strings = []
    for plain, runs in _PLAIN_SI.findall(text):
        if runs:
            plain = "".join(_PLAIN_RUN_TEXT.findall(runs))
        if "&" in plain:
            plain = _unescaped(plain)
        strings.append(plain.replace("x005F_", "") if "x005F_" in plain else plain)
    return strings


class _Sheet:
    """One sheet's text cells as they stream, with their row, column letter and the header above.

    Every ``<c>`` and every ``<row>`` counts against ``max_cells``, filled or not, since each costs the
    same to visit; what was read before the limit is kept. Locations are written only for the cells the
    engine finds something in."""

    def __init__(self, member: str, shared: list[str], limits: Limits, ns: str) -> None:
        self.member, self.shared, self.limits, self.ns = member, shared, limits, ns
        self.texts: list[str] = []
        self.numbers: list[int] = []
        self.letters: list[str] = []
        self.fields: list[str | None] = []
        self.header: dict[str, str] = {}
        self.row = self.column = self.visited = 0  # rows ended, the last cell's column, elements visited
        self.indexes: dict[str, int] = {}  # column letters → number, and back
        self.names: dict[int, str] = {}
        self.names_of: dict[bytes, str] = {}  # column letters as bytes (the plain path) → as text

    def read(self, archive: zipfile.ZipFile, part: str) -> Iterator[Output]:
        plain = _plain_sheet_data(archive, part, self.ns, self.limits.max_cells)
        try:
            if plain is not None:
                yield from self._plain(*plain)
            else:
                with archive.open(part) as source:
                    yield from self._cells(source)
        except Exception as exc:  # XML, zip, deflate and coordinate errors alike: what was read counts
            yield from self._flush()
            yield Unreadable(self.member, f"corrupt sheet: {scrubbed(exc)}")
            return
        yield from self._flush()

    def _plain(self, data: bytes, start: int, end: int) -> Iterator[Output]:
        """The cells of a plain ``<sheetData>`` (``data[start:end]``: :func:`_plain_sheet_data`), as
        :meth:`_cell` reads them (the same texts, positions, headers and errors, in the same order), from
        one regular expression's matches instead of a parser's events: every cell has its reference, so
        rows need no counting. The matches are taken some rows at a time (``PLAIN_CHUNK`` bytes of them),
        so that memory does not grow with the sheet beyond the part itself."""
        shared = [text if text and not text.isspace() else None for text in self.shared]  # None: no text
        header: dict[bytes, str] = {}  # column letters → the text above, once row 1 has been read
        found: list[tuple[str, bytes, bytes, str | None]] = []  # text, row, column, header
        add = found.append
        try:
            for column, row, kind, has_value, value, inline in _plain_cells(data, start, end):
                if kind == b"s":
                    if not has_value:
                        continue  # no <v>: nothing to look up
                    try:
                        index = int(value)
                    except ValueError:  # what int() makes of the text the parser gives, or its ValueError
                        index = int(_unescaped(value.decode("utf-8")))
                    if index < 0:
                        raise IndexError("shared string index out of range")
                    text = shared[index]
                    if text is None:
                        continue
                else:
                    text = _plain_text(kind, has_value, value, inline)
                    if not text or text.isspace():
                        continue
                if row == b"1":
                    header[column] = text.strip()
                    add((text, row, column, None))
                else:
                    add((text, row, column, header.get(column)))
                if len(found) >= CELLS_PER_PIECE:
                    yield from self._plain_flush(found)
                    found.clear()
        except Exception:  # a bad shared string index: what was read before counts, as with the parser
            yield from self._plain_flush(found)
            raise
        yield from self._plain_flush(found)

    def _plain_flush(self, found: list[tuple[str, bytes, bytes, str | None]]) -> Iterator[Output]:
        names = self.names_of
        for column in {column for _, _, column, _ in found}.difference(names):
            names[column] = column.decode("ascii")
        self.texts = [text for text, _, _, _ in found]
        self.numbers = [int(row) for _, row, _, _ in found]
        self.letters = [names[column] for _, _, column, _ in found]
        self.fields = [field for _, _, _, field in found]
        yield from self._flush()

    def _cells(self, source) -> Iterator[Output]:
        from xml.etree.ElementTree import iterparse

        cell, row, data = self.ns + "c", self.ns + "row", self.ns + "sheetData"
        rows = None  # <sheetData>: each row is taken out of it once read, so that a sheet streams
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == data:
                    rows = element
                continue
            if tag == cell:
                self.visited += 1
                if self.visited > self.limits.max_cells:
                    yield from self._flush()
                    limit = self.limits.max_cells
                    reason = f"more than {limit} cells in one sheet; the rest not read (max_cells)"
                    yield Unreadable(self.member, reason, "limit")
                    return
                self._cell(element)
                element.clear()
                if len(self.texts) >= CELLS_PER_PIECE:
                    yield from self._flush()
            elif tag == row:
                self.row, self.column, self.visited = self.row + 1, 0, self.visited + 1  # an empty row costs a visit
                element.clear()
                if rows is not None and len(rows) and rows[-1] is element:
                    del rows[-1]

    def _cell(self, element) -> None:
        reference = element.get("r")
        if reference:
            letters = reference.rstrip("0123456789")
            digits = reference[len(letters) :]
            index = self.indexes.get(letters)
            if index is not None and digits and digits[0] != "0":  # a column seen before: the usual case
                number = int(digits)
                self.column = index
            else:
                letters, number = self._position(reference)
            self.row = number - 1  # the row's own end comes after its cells
        else:
            self.column += 1
            letters, number = self._letter(self.column), self.row + 1
        if element.get("t") == "s":  # a shared string: most text cells
            value = element.findtext(self.ns + "v")
            if value is None:
                return
            index = int(value)
            if not 0 <= index < len(self.shared):
                raise IndexError("shared string index out of range")
            text = self.shared[index]
        else:
            text = _cell_text(element, self.ns)
        if not text or text.isspace():
            return
        if number == 1:
            self.header[letters] = text.strip()
        self.texts.append(text)
        self.numbers.append(number)
        self.letters.append(letters)
        self.fields.append(self.header.get(letters) if number > 1 else None)

    def _position(self, reference: str) -> tuple[str, int]:
        """``"B12"`` → ``("B", 12)`` as openpyxl reads it (lower case and ``$`` allowed), the column's
        number kept; a ``ValueError`` as openpyxl raises it (no row 0, no column past ZZZ)."""
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        letters, number = coordinate_from_string(reference)
        letters = letters.upper()
        self.column = self.indexes[letters] = column_index_from_string(letters)
        return letters, number

    def _letter(self, column: int) -> str:
        letter = self.names.get(column)
        if letter is None:
            from openpyxl.utils.cell import get_column_letter

            letter = self.names[column] = get_column_letter(column)
            self.indexes[letter] = column
        return letter

    def _flush(self) -> Iterator[Piece]:
        if self.texts:
            yield _sheet_piece(self.member, self.texts, self.numbers, self.letters, self.fields)
            self.texts, self.numbers, self.letters, self.fields = [], [], [], []


def _plain_cells(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, ...]]:
    """The cells of ``data[start:end]``, rows of plain cells, matched some rows at a time: each stretch
    ends after a ``</row>`` (or at the end), where no cell can be cut."""
    while start < end:
        stop = data.find(b"</row>", min(start + PLAIN_CHUNK, end), end)
        stop = end if stop < 0 else stop + 6
        yield from _PLAIN_CELL.findall(data, start, stop)
        start = stop


def _plain_sheet_data(archive: zipfile.ZipFile, part: str, ns: str, max_cells: int) -> tuple[bytes, int, int] | None:
    """The part and where the inside of its ``<sheetData>`` starts and ends, when the sheet is *plain* — what Excel, LibreOffice and
    the libraries that write workbooks write: UTF-8, the transitional namespace as the default one, no
    DTD, comments, CDATA or carriage returns, and within ``<sheetData>`` only rows of cells that each
    carry their reference, an optional style, type and formula, and their value — else None, and the
    sheet is read by the parser (:meth:`_Sheet._cells`), which reads anything.

    A plain sheet is read from one regular expression's matches (:meth:`_Sheet._plain`), some 10× faster
    than a parser's events, with the same result: every byte of ``<sheetData>`` is checked to belong to
    a row or cell of that form, the rest of the part is parsed (it is small), and a sheet whose rows and
    cells exceed ``max_cells`` goes to the parser, which stops at the limit as before. The part is read
    whole, so only one of up to ``PLAIN_PART_MAX`` bytes: a larger one streams. An absurd reference costs
    nothing here either: it is a number, never a grid."""
    from xml.etree.ElementTree import fromstring

    try:
        if ns != _SHEET_NS or archive.getinfo(part).file_size > PLAIN_PART_MAX:
            return None
        data = archive.read(part)  # a CRC or deflate error: the parser reads up to it, and reports it
        if _not_plain(data) or data.count(b"<sheetData") != 1 or not _references_allowed(data):
            return None
        data.decode("utf-8")  # the parser rejects a part that is not UTF-8
        if (start := data.find(b"<sheetData/>")) >= 0:  # an empty sheet
            head, tail = data[:start], data[start + 12 :]
            start = end = 0
        else:
            end = data.index(b"</sheetData>", data.index(b"<sheetData>"))
            start = data.index(b"<sheetData>") + 11
            head, tail = data[: start - 11], data[end + 12 :]
        root = _PLAIN_HEAD.match(head)
        if root is None or b'xmlns="' + _SHEET_NS[1:-1].encode() + b'"' not in root.group():
            return None
        if _SHEET_TAGS.search(head) or _SHEET_TAGS.search(tail):
            return None  # cells or rows outside <sheetData>, which the parser would read too
        fromstring(head + b"<sheetData/>" + tail)  # the rest is well-formed
        if data.count(b"<c ", start, end) + data.count(b"<row", start, end) > max_cells:
            return None
        if not _PLAIN_ROWS.fullmatch(data, start, end):
            return None
    except Exception:  # anything odd: the parser reads it, and says what is wrong
        return None
    return data, start, end


def _plain_text(kind: bytes, has_value: bytes, raw: bytes, inline: bytes) -> str | None:
    """The text of a cell that is not a shared string, as :func:`_cell_text` reads it, from what its
    ``<v>`` or inline string holds."""
    if kind == b"inlineStr":
        return _unescaped(inline.decode("utf-8")) if b"&" in inline else inline.decode("utf-8")
    if not has_value or kind == b"e":
        return None  # no value, or an error value: no text
    if kind != b"str":
        try:
            float(raw)
            return None
        except ValueError:
            pass
    text = raw.decode("utf-8")
    if b"&" in raw:
        text = _unescaped(text)
    if kind == b"str":
        return text
    try:
        float(text)
    except ValueError:
        return text
    return None


def _unescaped(text: str) -> str:
    """Character data with its references replaced: XML's five named entities and character references
    (the only ones a plain part holds)."""
    return _ENTITY.sub(_entity, text)


def _entity(found: re.Match) -> str:
    named, decimal, hexadecimal = found.groups()
    return _NAMED[named] if named else chr(int(decimal) if decimal else int(hexadecimal, 16))


def _sheet_piece(member: str, texts: list[str], numbers: list[int], letters: list[str], fields: list) -> Piece:
    """A sheet's cells for the engine: the column headers as labels, and ``{"row", "column", "field"}``
    written only for the cells hits are found in, in a few kernel calls (each distinct header written as
    JSON once)."""
    labels = _safe_array([field or "" for field in fields]) if any(fields) else None
    rows, columns = np.array(numbers, np.int64), pa.array(letters, pa.large_string())

    def locate(group) -> pa.Array:
        taken = pa.array(group.row)
        number, column = pa.array(rows[group.row]), columns.take(taken)
        if labels is None:
            return concat('{"row": ', number, ', "column": "', column, '"}')
        named = labels.take(taken).dictionary_encode()
        written = [
            f', "field": {json.dumps(name, ensure_ascii=False)}' if name else ""
            for name in named.dictionary.to_pylist()
        ]
        field = pa.array(written, pa.large_string()).take(named.indices)
        return concat('{"row": ', number, ', "column": "', column, '"', field, "}")

    return Piece(member, _safe_array(texts), locate, sum(map(len, texts)), labels=labels)


def _cell_text(element, ns: str) -> str | None:
    """The text a cell that is not a shared string shows: an inline string, a formula's text result,
    or — for a cell typed as a number or anything else — its stored value when that is not a number."""
    kind = element.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in element.iter(ns + "t"))
    value = element.findtext(ns + "v")
    if value is None or kind == "e":
        return None
    if kind == "str":
        return value
    try:
        float(value)
    except ValueError:
        return value  # typed as a number (or a date, or a boolean) but holding text: read what is there
    return None


@extractor("docx", priority=120, magic=ZIP_MAGIC, match=named("docx", "docm"), random_access=True)
def docx(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Paragraphs, tables, headers and footers, footnotes, endnotes and comments of a Word document.

    The XML parts are streamed (``iterparse``), each paragraph or table row read and dropped as it ends,
    instead of building python-docx's object tree of the whole document: 5–10× faster, and memory does
    not grow with the document. Paragraph and table numbers count the blocks of the body as a reader
    sees them; text in content controls, tracked insertions, fields and text boxes is read with the
    paragraph it belongs to (python-docx read none of it)."""
    try:
        archive = zipfile.ZipFile(_seekable(stream))
        main, parts = _word_parts(archive)
    except Exception as exc:  # not a zip, no main part, broken relationships
        yield Unreadable(member, f"corrupt or encrypted Word document: {scrubbed(exc)}")
        return
    texts: list[str] = []
    locations: list[dict] = []
    sections: list[dict[str, str]] = []
    flushed = False
    try:
        for part, where in _word_reading(main, sections, parts):
            for _full in _word_part(archive, part, where, sections if part == main else None, texts, locations):
                yield cells_piece(member, texts.copy(), locations.copy())
                texts.clear()
                locations.clear()
                flushed = True
    except _Forged as exc:
        yield from _word_rest(member, texts, locations)
        yield Unreadable(member, str(exc))
        return
    except Exception as exc:  # XML, zip and deflate errors alike: what was read before counts
        kind = "corrupt Word document" if texts or flushed or sections else "corrupt or encrypted Word document"
        yield from _word_rest(member, texts, locations)
        yield Unreadable(member, f"{kind}: {scrubbed(exc)}")
        return
    finally:
        archive.close()
    yield from _word_rest(member, texts, locations)


def _word_rest(member: str | None, texts: list[str], locations: list[dict]) -> Iterator[Piece]:
    """What is left to hand over: one piece for a whole document, header and footer included, unless it
    is long (each piece costs the engine a call of its own)."""
    if texts:
        yield cells_piece(member, texts, locations)


def _word_reading(main: str, sections: list[dict[str, str]], parts: dict[str, str]) -> Iterator[tuple[str, dict]]:
    """The parts to read with their place in the document: the body (which fills ``sections``), then each
    section's headers and footers, footnotes, endnotes and comments — each part once: a header shared by
    sections is read under the first."""
    yield main, {}
    read = {main}
    for part, where in _word_extras(sections, parts):
        if part not in read:
            read.add(part)
            yield part, where


_W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_R_ID_STRICT = "{http://purl.oclc.org/ooxml/officeDocument/relationships}id"
#: The relationship types of the parts read besides the body (transitional and strict names end alike).
_WORD_NOTES = ("footnotes", "endnotes", "comments")
#: How a header or footer reference's ``w:type`` is named in a location.
_HEADER_KINDS = {"default": "", "first": "first-page ", "even": "even-page "}
#: The elements handed over by the parser, in both namespaces, and those a paragraph's text is made of.
_WORD_BLOCKS = tuple(f"{{{ns}}}{name}" for ns in (_W_MAIN, _W_STRICT) for name in ("p", "tbl", "tr", "sectPr"))
_WORD_TEXT = {
    f"{{{ns}}}": tuple(f"{{{ns}}}{name}" for name in ("t", "tab", "ptab", "br", "cr", "noBreakHyphen", "p"))
    for ns in (_W_MAIN, _W_STRICT)
}


def _main_part(archive: zipfile.ZipFile, default: str) -> str:
    """The package's main part (the workbook, the document) as its root relationship names it."""
    import posixpath
    from xml.etree.ElementTree import fromstring

    if "_rels/.rels" in archive.NameToInfo:
        for relation in fromstring(archive.read("_rels/.rels")).iter(_REL_NS):
            if relation.get("Type", "").endswith("/officeDocument") and relation.get("Target"):
                return posixpath.normpath(relation.get("Target", "")).lstrip("/")
    return default


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships within the package: id → (type's last word, part name)."""
    import posixpath
    from xml.etree.ElementTree import fromstring

    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", base + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels in archive.NameToInfo:
        for relation in fromstring(archive.read(rels)).iter(_REL_NS):
            target = relation.get("Target", "")
            if relation.get("TargetMode") == "External" or not target:
                continue
            name = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[relation.get("Id", "")] = (relation.get("Type", "").rsplit("/", 1)[-1], posixpath.normpath(name))
    return found


def _word_parts(archive: zipfile.ZipFile) -> tuple[str, dict[str, str]]:
    """The main document part's name, and its relationships: id (and ``notes:kind``) → part name."""
    main = _main_part(archive, "word/document.xml")
    archive.getinfo(main)  # KeyError: a package without its document
    parts: dict[str, str] = {}
    for identifier, (kind, part) in _relationships(archive, main).items():
        parts[identifier] = part
        if kind in _WORD_NOTES:
            parts.setdefault(f"notes:{kind}", part)
    return main, parts


def _word_extras(sections: list[dict[str, str]], parts: dict[str, str]) -> Iterator[tuple[str, dict]]:
    """The parts read after the body, with their place: each section's headers, then its footers, then
    footnotes, endnotes and comments. A reference to a part the package lacks is a ``KeyError``."""
    for number, references in enumerate(sections, start=1):
        for side in ("header", "footer"):
            for kind, label in _HEADER_KINDS.items():
                if (identifier := references.get(f"{side}:{kind}")) is not None:
                    yield parts[identifier], {"section": number, "part": label + side}
    for kind in _WORD_NOTES:
        if (part := parts.get(f"notes:{kind}")) is not None:
            yield part, {"part": kind}


def _word_part(
    archive: zipfile.ZipFile,
    part: str,
    where: dict,
    sections: list[dict[str, str]] | None,
    texts: list[str],
    locations: list[dict],
) -> Iterator[None]:
    """Reads one part into ``texts`` and ``locations`` as it streams, yielding whenever they hold
    ``CELLS_PER_PIECE`` (the caller hands them over and empties them); ``sections`` collects the header
    and footer references of each section (the main part only).

    lxml's ``iterparse`` hands over only the elements that matter (paragraphs, tables, rows, section
    properties), so Python sees a few events per paragraph instead of every run and property; entities
    are never resolved, and a part that declares a DTD is refused (:meth:`_WordPart.first`)."""
    from lxml.etree import iterparse

    reader = _WordPart(where, sections, texts, locations)
    with archive.open(part) as source:
        events = iterparse(
            source, events=("start", "end"), tag=_WORD_BLOCKS, resolve_entities=False, no_network=True, load_dtd=False
        )
        for event, element in events:
            if not reader.w:
                reader.first(element, part)
            if event == "start":
                reader.start(element)
                continue
            reader.end(element)
            if len(texts) >= CELLS_PER_PIECE:
                yield


class _Forged(Exception):
    """An Office part that breaks the rules of the format in a way that would hide text: the message
    says which part, and is the whole reason reported."""


class _WordPart:
    """One WordprocessingML part read as its blocks start and end: the top-level paragraphs and tables
    are counted apart, as a reader counts them; a paragraph is read when it ends, a table row when it
    ends (a cell's text is its paragraphs', nested tables' too, joined by line breaks), and each is then
    dropped, so that a long document streams."""

    def __init__(
        self, where: dict, sections: list[dict[str, str]] | None, texts: list[str], locations: list[dict]
    ) -> None:
        self.where, self.sections, self.texts, self.locations = where, sections, texts, locations
        self.w = ""
        self.paragraph = self.table = self.row = 0
        self.in_paragraph = self.in_table = 0  # open <w:p> and <w:tbl>: only the outermost are blocks

    def first(self, element, part: str) -> None:
        """The namespace of the part (transitional or strict), and no DTD: an entity reference would be
        kept as a node, and the text after it silently lost."""
        if element.getroottree().docinfo.doctype:
            raise _Forged(f"corrupt: {part} declares a DTD, which Office files may not")
        self.w = element.tag[: element.tag.index("}") + 1]

    def start(self, element) -> None:
        tag = element.tag
        if tag == self.w + "p":
            self.in_paragraph += 1
        elif tag == self.w + "tbl":
            if not self.in_table and not self.in_paragraph:
                self.table, self.row = self.table + 1, 0
            self.in_table += 1

    def end(self, element) -> None:
        tag, w = element.tag, self.w
        if tag == w + "p":
            self.in_paragraph -= 1
            if self.in_paragraph or self.in_table:
                return  # a text box's paragraph, or a cell's: read with what holds it
            self.paragraph += 1
            text = _word_text(element, w)
            if text.strip():
                self.texts.append(text)
                self.locations.append({**self.where, "paragraph": self.paragraph})
        elif tag == w + "tbl":
            self.in_table -= 1
            if self.in_table or self.in_paragraph:
                return
        elif tag == w + "tr" and self.in_table == 1 and not self.in_paragraph:
            self.row += 1
            _word_row(element, w, {**self.where, "table": self.table, "row": self.row}, self.texts, self.locations)
        elif tag == w + "sectPr":
            parent = element.getparent()
            if self.sections is not None and not self.in_table and parent.tag != w + "sectPrChange":
                self.sections.append(_word_section(element, w))
            return  # read within its paragraph, which is dropped when it ends
        else:
            return
        element.clear()  # a block read is dropped
        if (parent := element.getparent()) is not None:
            parent.remove(element)


def _word_section(section, w: str) -> dict[str, str]:
    """A section's header and footer references: ``"header:default"`` → relationship id."""
    found: dict[str, str] = {}
    for child in section:
        for side in ("header", "footer"):
            if child.tag == f"{w}{side}Reference":
                identifier = child.get(_R_ID) or child.get(_R_ID_STRICT)
                kind = child.get(w + "type", "default")
                if identifier and kind in _HEADER_KINDS:
                    found.setdefault(f"{side}:{kind}", identifier)
    return found


def _word_row(row, w: str, where: dict, texts: list[str], locations: list[dict]) -> None:
    """The cells of one table row, each at its first grid column (a cell spanning columns counts them
    all, so numbers match the columns a reader sees). A merged cell's text is read once, where it is
    written: python-docx repeated it at every grid column and row the cell covers."""
    wrapped = next(row.iterchildren(w + "sdt", w + "customXml"), None) is not None
    column = 0
    for cell in _word_children(row, w) if wrapped else row.iterchildren(w + "tc"):
        column += 1
        text = _word_text(cell, w)
        if text.strip():
            texts.append(text)
            locations.append({**where, "cell": column})
        if len(cell) and cell[0].tag == w + "tcPr":  # a cell's properties come first
            for grid in cell[0].iterchildren(w + "gridSpan"):
                value = grid.get(w + "val", "1")
                column += int(value) - 1 if value.isdigit() and 0 < int(value) < 1 << 16 else 0


def _word_children(row, w: str) -> Iterator:
    """The cells of a row wrapped in content controls or custom XML too, in order."""
    wrappers = (w + "sdt", w + "sdtContent", w + "customXml")
    pending = [row.iterchildren(w + "tc", *wrappers)]
    while pending:
        for child in pending[-1]:
            if child.tag == w + "tc":
                yield child
            else:
                pending.append(child.iterchildren(w + "tc", *wrappers))
                break
        else:
            pending.pop()


def _word_text(block, w: str) -> str:
    """A paragraph's text as python-docx gives it (``w:t``; tabs, line breaks and non-breaking hyphens
    as characters), plus what python-docx passes over: runs inside content controls, tracked insertions,
    simple fields and smart tags, and the paragraphs of text boxes. Each paragraph after the first
    starts a new line, so that a table cell's text is its paragraphs' (nested tables' too) joined by line
    breaks, as python-docx gives it. Deleted text and field codes are other elements; the fallback copy
    of a text box is not read twice."""
    t, tab, ptab, br, cr, hyphen, nested = _WORD_TEXT[w]
    parts: list[str] = []
    skipped: set | None = None
    first = True
    for element in block.iter(*_WORD_TEXT[w], _MC_FALLBACK):
        if skipped is not None and element in skipped:
            continue
        tag = element.tag
        if tag == t:
            parts.append(element.text or "")
        elif tag == tab:
            if element.getparent().tag != w + "tabs":  # a tab stop of the paragraph's properties is no text
                parts.append("\t")
        elif tag == br:
            parts.append("\n" if element.get(w + "type", "textWrapping") == "textWrapping" else "")
        elif tag in (cr, ptab):
            parts.append("\n" if tag == cr else "\t")
        elif tag == hyphen:
            parts.append("-")
        elif tag == nested:
            if first:
                first = False
            else:
                parts.append("\n")
        else:  # mc:Fallback: the same text box again, for older readers
            skipped = (skipped or set()) | set(element.iter())
    return "".join(parts)


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
    packages may not (ECMA-376 Part 2), so one that does is forged, and python-pptx keeps an entity
    reference as a node and silently drops the text after it: reading the file would miss what it holds
    without saying so. (The Word reader checks the parts it reads itself, as it parses them.)"""

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


@extractor("pdf", priority=200, magic=[b"%PDF-"], random_access=True)
def pdf(
    stream: BinaryIO, name: str, member: str | None, depth: int, limits: Limits, budget: Budget, block_size: int
) -> Iterator[Output]:
    """Text page by page; the location names the page and the line on it. Pages that carry pictures but
    no text (scans) are counted and reported as not read: a scanned contract must not look clean.

    Read with PDFium (Chromium's PDF library, through pypdfium2): five times pypdf's speed for the same
    words, a table row kept on one line. The file is read through its stream, never copied whole."""
    import pypdfium2
    from pypdfium2 import raw

    try:
        document = pypdfium2.PdfDocument(_seekable(stream))
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            yield Unreadable(member, "encrypted PDF", "encrypted")
        else:
            yield Unreadable(member, f"corrupt PDF: {_PDFIUM_ERRORS.get(code, 'PDFium could not open it')}")
        return
    except (ValueError, OSError) as exc:
        yield Unreadable(member, f"corrupt PDF: {scrubbed(exc)}")
        return
    try:
        count = len(document)
        scanned: list[int] = []
        pages = _Pages(member, block_size)
        for number in range(1, min(count, limits.max_pages) + 1):
            try:
                text, pictures = _pdf_page(document, number - 1)
            except Exception as exc:  # a broken page
                yield Unreadable(member, f"page {number}: {scrubbed(exc)}")
                continue
            if text.strip():
                yield from pages.add(number, text)
            elif pictures:
                scanned.append(number)
        yield from pages.flush()
        if count > limits.max_pages:
            yield Unreadable(member, f"more than {limits.max_pages} pages; the rest not read (max_pages)", "limit")
        if scanned:
            yield Unreadable(member, _scanned_reason(scanned, count), "no-text")
    finally:
        document.close()


class _Pages:
    """Pages' text gathered into pieces of about ``block_size`` bytes, each line located by its page:
    every piece costs the engine a call of its own (its patterns are compiled for each, some 25 ms), so
    a long PDF must not be one call per page."""

    def __init__(self, member: str | None, block_size: int) -> None:
        self.member, self.block_size = member, block_size
        self.texts: list[str] = []
        self.numbers: list[int] = []  # each page's number, and its first line among the texts gathered
        self.firsts: list[int] = []
        self.lines = self.size = 0

    def add(self, number: int, text: str) -> Iterator[Piece]:
        if not text.endswith("\n"):
            text += "\n"
        self.texts.append(text)
        self.numbers.append(number)
        self.firsts.append(self.lines + 1)
        self.lines += text.count("\n")
        self.size += len(text)
        if self.size >= self.block_size:
            yield from self.flush()

    def flush(self) -> Iterator[Piece]:
        if not self.texts:
            return
        data = "".join(self.texts).encode("utf-8")
        where = _PageLines(np.array(self.numbers), np.array(self.firsts))
        self.texts, self.numbers, self.firsts, self.lines, self.size = [], [], [], 0, 0
        for batch in iter_line_batches(io.BytesIO(data), self.block_size):
            yield Piece(self.member, batch.lines, where.of(batch.line_no, batch.col0), batch.nbytes)


class _PageLines:
    """Which page each line of gathered pages is on, and its line there."""

    def __init__(self, numbers: np.ndarray, firsts: np.ndarray) -> None:
        self.numbers, self.firsts = numbers, firsts

    def of(self, line_no: np.ndarray, col0: np.ndarray):
        """Locations ``{"line", "column", "page"}`` (1-based, the line counted on its page) for hits."""

        def locate(group) -> pa.Array:
            lines = line_no[group.row]
            page = np.searchsorted(self.firsts, lines, side="right") - 1
            line = pa.array(lines - self.firsts[page] + 1)
            column = pa.array(col0[group.row] + group.start + 1)
            return concat('{"line": ', line, ', "column": ', column, ', "page": ', pa.array(self.numbers[page]), "}")

        return locate


#: PDFium's reasons for not opening a file (its own codes, never text from the file).
_PDFIUM_ERRORS = {1: "PDFium: unknown error", 2: "PDFium: file not found", 3: "PDFium: not a PDF or damaged"}
_PDFIUM_ERRORS[6] = "PDFium: page not found or content error"


def _pdf_page(document, index: int) -> tuple[str, bool]:
    """A page's text (PDFium's line ends made ``\\n``; text outside the visible page box counts too: it
    is in the file), and, when it has none, whether it draws a picture — an image, also inside a form
    XObject, or an inline image. A blank page draws none, and is not a scan."""
    from pypdfium2 import raw

    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
        finally:
            textpage.close()
        if text.strip():
            return text.replace("\r\n", "\n").replace("\r", "\n"), False
        try:
            pictures = next(page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4), None) is not None
        except Exception:  # a broken page: say what can be said, that it had no text
            pictures = True
        return text, pictures
    finally:
        page.close()


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
