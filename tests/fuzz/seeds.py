"""Small valid files of every supported format, built in code, for the fuzz harness to mutate.

Every seed holds one or two of the synthetic values in :data:`RAW_VALUES` (a made-up person at
example.fi), so that the harness can tell whether a reader's error message quotes the data. Seeds that
are packages of other files (zip-based documents, archives, compressed files, a mail with an
attachment) also keep their ``members`` and a ``pack`` function, so a mutation can be made inside a
member — the XML of a spreadsheet, the file inside a gzip — and packed again, reaching the parser
behind the container's checksums.

:func:`all_seeds` builds them once; each seed's ``kind`` is the registered reader it is meant for
(``test_fuzz`` checks that every registered kind has at least one, and that each seed is claimed by it).
"""

from __future__ import annotations

import bz2
import functools
import gzip
import io
import lzma
import os
import sqlite3
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

HETU = "131052-308T"  # a valid synthetic identity code
PHONE = "040 123 4567"
EMAIL = "aino.virtanen@example.fi"
EMAIL_2 = "eino.esimerkki@example.fi"

#: Every raw value a seed may contain, in every spelling a reader could quote it in; an error text
#: holding any of them has leaked the data.
RAW_VALUES: tuple[str, ...] = (HETU, PHONE, "0401234567", "+358401234567", EMAIL, EMAIL_2)

Members = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Seed:
    """One valid file: its ``kind`` (the registered reader meant to read it), the ``name`` it is scanned
    under, and its bytes. ``members``/``pack`` rebuild it from parts; ``focus`` names the members most
    worth mutating (the XML that holds the text)."""

    kind: str
    name: str
    data: bytes
    members: Members = ()
    pack: Callable[[Members], bytes] | None = field(default=None, compare=False)
    focus: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        """The file-name ending to scan a mutant under (``.txt.gz`` keeps both parts)."""
        base = self.name.rsplit("/", 1)[-1]
        return base[base.index(".") :] if "." in base else ""


# --- packing helpers ------------------------------------------------------------------------------------


def pack_zip(members: Members, stored: tuple[str, ...] = ("mimetype",)) -> bytes:
    """Members into a zip, in order; ``stored`` ones uncompressed (ODF's ``mimetype`` must be)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def unpack_zip(data: bytes) -> Members:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def pack_tar(members: Members) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1_704_067_200, 0o644
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def pack_7z(members: Members) -> bytes:
    import py7zr

    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        for name, data in members:
            archive.writestr(data, name)
    return out.getvalue()


def _first(compress: Callable[[bytes], bytes]) -> Callable[[Members], bytes]:
    return lambda members: compress(members[0][1])


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# --- text and structured text ---------------------------------------------------------------------------

TEXT = f"Muistio asiakkaasta\nHenkilötunnus {HETU}, puhelin {PHONE}\nSähköposti {EMAIL}\n".encode()

CSV = f"nimi;hetu;puhelin;sahkoposti\nAino Virtanen;{HETU};{PHONE};{EMAIL}\nEino;;ei ole;{EMAIL_2}\n".encode("cp1252")

TSV = f"nimi\thetu\tpuhelin\nAino Virtanen\t{HETU}\t{PHONE}\n".encode()


def _fill(template: str) -> bytes:
    """A template with ``@HETU@``, ``@PHONE@``, ``@EMAIL@`` and ``@EMAIL2@`` filled in, as UTF-8."""
    for mark, value in (("@HETU@", HETU), ("@PHONE@", PHONE), ("@EMAIL@", EMAIL), ("@EMAIL2@", EMAIL_2)):
        template = template.replace(mark, value)
    return template.encode()


JSON = _fill(
    '{"asiakkaat": [{"nimi": "Aino Virtanen", "hetu": "@HETU@", "yhteys": {"email": "@EMAIL@", "puhelin": ["@PHONE@"]}},'
    ' {"nimi": "Eino", "aktiivinen": true, "saldo": 12.5, "muuta": null}]}'
)

JSONL = _fill(
    '{"id": 1, "hetu": "@HETU@", "tapahtuma": "kirjautui"}\n'
    '{"id": 2, "email": "@EMAIL@", "tiedot": {"puhelin": "@PHONE@"}}\n'
    "ei JSON-riviä mutta tekstiä @EMAIL2@\n"
)

HTML = _fill(
    "<!DOCTYPE html>\n<html><head><title>Yhteystiedot</title><style>p {color: red}</style></head>\n"
    "<body><h1>Asiakas</h1>\n<p>Henkilötunnus: @HETU@ &amp; muuta</p>\n"
    '<a href="mailto:@EMAIL@?subject=Hei">Lähetä viesti</a>\n<a href="tel:0401234567">Soita</a>\n'
    '<form><input value="@PHONE@" placeholder="puhelin"></form>\n'
    "<script>var x = '<p>';</script>\n</body></html>\n"
)

RTF = (
    b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}}{\\colortbl;\\red0\\green0\\blue0;}\n"
    b"\\f0\\fs24 Asiakas \\b Aino Virtanen\\b0\\par\n"
    b"Henkil\\'f6tunnus " + HETU.encode() + b"\\par\n"
    b"{\\*\\generator Muistio;}Puhelin " + PHONE.encode() + b"\\par\n}"
)


# --- e-mail ---------------------------------------------------------------------------------------------


def _mail(attachment: bytes, attachment_name: str = "asiakkaat.csv") -> bytes:
    message = EmailMessage()
    message["From"] = f"Aino Virtanen <{EMAIL}>"
    message["To"] = EMAIL_2
    message["Subject"] = "Asiakkaan tiedot"
    message["Date"] = "Mon, 01 Jan 2024 10:00:00 +0200"
    message["Message-ID"] = "<viesti-1@example.fi>"
    message.set_content(f"Hei,\n\nasiakkaan henkilötunnus on {HETU}.\n")
    message.add_alternative(f"<p>Soita numeroon <b>{PHONE}</b></p>", subtype="html")
    message.add_attachment(attachment, maintype="text", subtype="csv", filename=attachment_name)
    return bytes(message)


def _mail_members(members: Members) -> bytes:
    return _mail(members[0][1], members[0][0])


def _mbox() -> bytes:
    first = (
        f"From: {EMAIL}\nTo: {EMAIL_2}\nSubject: Ensimmäinen\nDate: Mon, 01 Jan 2024 10:00:00 +0200\n\n"
        f"Henkilötunnus {HETU}\n>From the archive\n"
    )
    second = (
        f"From: {EMAIL_2}\nTo: {EMAIL}\nSubject: =?utf-8?b?VG9pbmVu?=\nMIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n'
        f"Puhelin {PHONE} =E4\n"
    )
    return (
        f"From {EMAIL} Mon Jan  1 10:00:00 2024\n{first}\nFrom {EMAIL_2} Mon Jan  1 11:00:00 2024\n{second}"
    ).encode()


# --- Office documents -----------------------------------------------------------------------------------

_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xlsx_members() -> Members:
    """A minimal spreadsheet by hand: shared and inline strings, a number, a header row, two sheets."""
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE_REL}">'
        '<sheets><sheet name="Asiakkaat" sheetId="1" r:id="rId1"/><sheet name="Muistiinpanot" sheetId="2" r:id="rId2"/>'
        "</sheets></workbook>"
    )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_OFFICE_REL}/worksheet" Target="worksheets/sheet2.xml"/>'
        f'<Relationship Id="rId3" Type="{_OFFICE_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    shared = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN}" count="5" uniqueCount="5">'
        f"<si><t>nimi</t></si><si><t>hetu</t></si><si><t>puhelin</t></si><si><t>Aino Virtanen</t></si>"
        f"<si><t>{HETU}</t></si></sst>"
    )
    sheet1 = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
        '<dimension ref="A1:D2"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c>'
        f'<c r="C2" t="inlineStr"><is><t>{PHONE}</t></is></c><c r="D2"><v>12.5</v></c></row>'
        "</sheetData></worksheet>"
    )
    sheet2 = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>Kirjoita {EMAIL}</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    return (
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", rels.encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
        ("xl/sharedStrings.xml", shared.encode()),
        ("xl/worksheets/sheet1.xml", sheet1.encode()),
        ("xl/worksheets/sheet2.xml", sheet2.encode()),
    )


def _openpyxl_xlsx() -> bytes:
    """A spreadsheet as openpyxl writes it (styles, theme, document properties)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Asiakkaat"
    sheet.append(["nimi", "hetu", "puhelin", "saldo"])
    sheet.append(["Aino Virtanen", HETU, PHONE, 12])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx_members() -> Members:
    """A minimal Word document by hand: paragraphs, a table and a footer."""
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>'
        "</Types>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL}">'
        f'<Relationship Id="rId1" Type="{_OFFICE_REL}/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_REL}">'
        f'<Relationship Id="rId7" Type="{_OFFICE_REL}/footer" Target="footer1.xml"/></Relationships>'
    )
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{_W}" xmlns:r="{_OFFICE_REL}">'
        "<w:body><w:p><w:r><w:t>Sopimus</w:t></w:r></w:p>"
        f'<w:p><w:r><w:t xml:space="preserve">Asiakkaan henkilötunnus on </w:t></w:r><w:r><w:t>{HETU}.</w:t></w:r></w:p>'
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid><w:tr>"
        "<w:tc><w:p><w:r><w:t>Puhelin</w:t></w:r></w:p></w:tc>"
        f'<w:tc><w:tcPr><w:gridSpan w:val="1"/></w:tcPr><w:p><w:r><w:t>{PHONE}</w:t></w:r></w:p></w:tc>'
        "</w:tr></w:tbl>"
        '<w:sectPr><w:footerReference w:type="default" r:id="rId7"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'
        "</w:body></w:document>"
    )
    footer = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:ftr xmlns:w="{_W}">'
        f"<w:p><w:r><w:t>Yhteys: {EMAIL}</w:t></w:r></w:p></w:ftr>"
    )
    return (
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", rels.encode()),
        ("word/document.xml", document.encode()),
        ("word/_rels/document.xml.rels", document_rels.encode()),
        ("word/footer1.xml", footer.encode()),
    )


def _pptx() -> bytes:
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = f"Asiakas {HETU}"
    table = slide.shapes.add_table(1, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    table.cell(0, 0).text, table.cell(0, 1).text = "Puhelin", PHONE
    slide.notes_slide.notes_text_frame.text = f"Muista {EMAIL}"
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Asiakkaat")
    for column, text in enumerate(["nimi", "hetu", "puhelin", "saldo"]):
        sheet.write(0, column, text)
    sheet.write(1, 0, "Aino Virtanen")
    sheet.write(1, 1, HETU)
    sheet.write(1, 2, PHONE)
    sheet.write(1, 3, 12.5)
    book.add_sheet("Tyhjä")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_ODF_MIME = {"odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet"}


def _odf_members(kind: str) -> Members:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
    )
    if kind == "odt":
        body = (
            "<office:text><text:h>Muistio</text:h>"
            f"<text:p>Henkilötunnus <text:span>{HETU}</text:span></text:p><text:p>{EMAIL}</text:p></office:text>"
        )
    else:
        body = (
            '<office:spreadsheet><table:table table:name="Asiakkaat">'
            "<table:table-row><table:table-cell><text:p>nimi</text:p></table:table-cell>"
            '<table:table-cell table:number-columns-repeated="2"/>'
            "<table:table-cell><text:p>puhelin</text:p></table:table-cell></table:table-row>"
            f"<table:table-row><table:table-cell><text:p>{HETU}</text:p></table:table-cell>"
            f"<table:covered-table-cell/><table:table-cell><text:p>{PHONE}</text:p></table:table-cell></table:table-row>"
            "</table:table></office:spreadsheet>"
        )
    content = f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ns}><office:body>{body}</office:body></office:document-content>'
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODF_MIME[kind]}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return (
        ("mimetype", _ODF_MIME[kind].encode()),
        ("content.xml", content.encode()),
        ("META-INF/manifest.xml", manifest.encode()),
    )


# --- PDF ------------------------------------------------------------------------------------------------


def _pdf_escape(text: str) -> bytes:
    return text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def pdf(pages: list[list[str]], compress: bool = False) -> bytes:
    """A PDF written by hand: one Helvetica text page per list of lines, a correct cross-reference table."""
    count = len(pages)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(count))
        + b"] /Count %d >>" % count,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, lines in enumerate(pages):
        text = b"BT /F1 12 Tf 72 720 Td 14 TL " + b" ".join(b"(%s) '" % _pdf_escape(line) for line in lines) + b" ET"
        if compress:
            stream = zlib.compress(text)
            head = b"<< /Length %d /Filter /FlateDecode >>" % len(stream)
        else:
            stream = text
            head = b"<< /Length %d >>" % len(stream)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >>"
            b" /Contents %d 0 R >>" % (5 + 2 * index)
        )
        objects.append(head + b"\nstream\n" + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- tables ---------------------------------------------------------------------------------------------


def _table():
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "nimi": pa.array(["Aino Virtanen", None, "Eino"]),
            "hetu": pa.array([HETU, None, "ei tiedossa"]).dictionary_encode(),
            "yhteys": pa.array([EMAIL, PHONE, None], pa.large_string()),
            "saldo": pa.array([12.5, None, 3.0]),
        }
    )


def _parquet(compression: str) -> bytes:
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(_table(), out, compression=compression)
    return out.getvalue()


def _feather(compression: str) -> bytes:
    import pyarrow.feather as feather

    out = io.BytesIO()
    feather.write_feather(_table(), out, compression=compression)
    return out.getvalue()


def _arrow_stream() -> bytes:
    import pyarrow as pa

    out = io.BytesIO()
    table = _table()
    with pa.ipc.new_stream(out, table.schema) as writer:
        writer.write_table(table, max_chunksize=2)
    return out.getvalue()


def _sqlite() -> bytes:
    """A small database file: a table with a key, a view, text and numbers, 512-byte pages."""
    handle, path = tempfile.mkstemp(suffix=".db")
    os.close(handle)
    try:
        connection = sqlite3.connect(path)
        connection.executescript(
            "PRAGMA page_size = 512;"
            "CREATE TABLE asiakkaat (id INTEGER PRIMARY KEY, nimi TEXT, hetu TEXT, sahkoposti TEXT, saldo REAL);"
            "CREATE TABLE loki (aika TEXT, viesti TEXT);"
            "CREATE VIEW tunnukset AS SELECT hetu FROM asiakkaat;"
        )
        connection.execute("INSERT INTO asiakkaat VALUES (1, 'Aino Virtanen', ?, ?, 12.5)", (HETU, EMAIL))
        connection.execute("INSERT INTO asiakkaat VALUES (2, 'Eino', NULL, ?, NULL)", (EMAIL_2,))
        connection.execute("INSERT INTO loki VALUES ('2024-01-01', ?)", (f"soitettu {PHONE}",))
        connection.commit()
        connection.execute("VACUUM")
        connection.close()
        with open(path, "rb") as stream:
            return stream.read()
    finally:
        os.unlink(path)


# --- all of them ----------------------------------------------------------------------------------------


def _packed(kind: str, name: str, members: Members, pack: Callable[[Members], bytes], focus=()) -> Seed:
    return Seed(kind, name, pack(members), members, pack, tuple(focus))


@functools.cache
def all_seeds() -> tuple[Seed, ...]:
    """Every seed, built once per process."""
    xlsx_members = _xlsx_members()
    docx_members = _docx_members()
    pptx_data = _pptx()
    pptx_members = unpack_zip(pptx_data)
    openpyxl_data = _openpyxl_xlsx()
    attachment = CSV
    zip_members = (
        ("muistio.txt", TEXT),
        ("kansio/asiakkaat.csv", CSV),
        ("kansio/tiedot.json", JSON),
    )
    tar_members = (("muistio.txt", TEXT), ("tapahtumat.jsonl", JSONL))
    return (
        Seed("text", "muistio.txt", TEXT),
        Seed("text", "loki", b"2024-01-01 kirjautui " + EMAIL.encode() + b"\r\n\xe4\xe4kk\xf6set " + HETU.encode()),
        Seed("csv", "asiakkaat.csv", CSV),
        Seed("csv", "asiakkaat.tsv", TSV),
        Seed("json", "asiakas.json", JSON),
        Seed("jsonl", "tapahtumat.jsonl", JSONL),
        Seed("html", "yhteystiedot.html", HTML),
        _packed("eml", "viesti.eml", (("asiakkaat.csv", attachment),), _mail_members),
        Seed("mbox", "posti.mbox", _mbox()),
        _packed("xlsx", "asiakkaat.xlsx", xlsx_members, pack_zip, ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")),
        _packed("xlsx", "raportti.xlsx", unpack_zip(openpyxl_data), pack_zip, ("xl/worksheets/sheet1.xml",)),
        Seed("xls", "asiakkaat.xls", _xls()),
        _packed("docx", "sopimus.docx", docx_members, pack_zip, ("word/document.xml", "word/footer1.xml")),
        _packed("pptx", "esitys.pptx", pptx_members, pack_zip, ("ppt/slides/slide1.xml",)),
        _packed("odf", "muistio.odt", _odf_members("odt"), pack_zip, ("content.xml",)),
        _packed("odf", "asiakkaat.ods", _odf_members("ods"), pack_zip, ("content.xml",)),
        Seed("pdf", "lasku.pdf", pdf([["Lasku", f"Asiakas: {EMAIL}", f"Puh. {PHONE}"]])),
        Seed("pdf", "kaksi.pdf", pdf([[f"Henkilotunnus {HETU}"], ["Sivu kaksi", PHONE]], compress=True)),
        Seed("rtf", "muistio.rtf", RTF),
        _packed("zip", "paketti.zip", zip_members, pack_zip, ("kansio/asiakkaat.csv",)),
        _packed("tar", "paketti.tar", tar_members, pack_tar),
        _packed("gzip", "muistio.txt.gz", (("muistio.txt", TEXT),), _first(_gzip)),
        _packed("gzip", "paketti.tgz", (("paketti.tar", pack_tar(tar_members)),), _first(_gzip)),
        _packed("bzip2", "muistio.txt.bz2", (("muistio.txt", TEXT),), _first(bz2.compress)),
        _packed("xz", "asiakkaat.csv.xz", (("asiakkaat.csv", CSV),), _first(lzma.compress)),
        _packed("7z", "paketti.7z", (("muistio.txt", TEXT), ("asiakas.json", JSON)), pack_7z),
        Seed("parquet", "asiakkaat.parquet", _parquet("snappy")),
        Seed("parquet", "raaka.parquet", _parquet("none")),
        Seed("arrow", "asiakkaat.feather", _feather("uncompressed")),
        Seed("arrow", "pakattu.feather", _feather("lz4")),
        Seed("arrow", "virta.arrow", _arrow_stream()),
        Seed("sqlite", "asiakkaat.db", _sqlite()),
        Seed("ole2", "vanha.doc", _xls()),
        Seed("binary", "kuva.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) + HETU.encode()),
    )


def seeds_of(kind: str) -> tuple[Seed, ...]:
    return tuple(s for s in all_seeds() if s.kind == kind)


def seed_kinds() -> tuple[str, ...]:
    """Every kind some seed is for, in the order of :func:`all_seeds`."""
    return tuple(dict.fromkeys(s.kind for s in all_seeds()))
