"""Word, Excel and PDF readers: what each reads, where it says it found it, and what it reports when it
cannot read. The files are built here — Office packages part by part, so that every construct (content
controls, text boxes, merged cells, rich text, strict namespaces) is exactly what the test says — with
synthetic values for fictional people."""

from __future__ import annotations

import io
import json
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest

from scanner.extract import Limits, Piece, Unreadable, extract
from tests.test_formats import HETU, PHONE, scan

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HETU_VALUE = "131052-308T"  # a temporary identity code: synthetic, no person's


def read(data: bytes, name: str, limits: Limits | None = None) -> tuple[list[tuple], list[tuple], int]:
    """Every text the reader hands over as ``(member, location, text)``, the parts it could not read as
    ``(member, reason, code)``, and how many pieces (engine calls) it made."""
    texts, errors, pieces = [], [], 0
    for out in extract(io.BytesIO(data), name, limits=limits or Limits()):
        if isinstance(out, Piece):
            pieces += 1
            rows = np.arange(len(out.lines))
            located = out.locate(SimpleNamespace(row=rows, start=np.zeros(len(rows), np.int64))).to_pylist()
            texts += [
                (out.member, json.loads(loc), text) for loc, text in zip(located, out.lines.to_pylist(), strict=True)
            ]
        elif isinstance(out, Unreadable):
            errors.append((out.member, out.reason, out.code))
    return texts, errors, pieces


# --- Word ---------------------------------------------------------------------------------------------


def run_(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*content: str) -> str:
    return f"<w:p>{''.join(content)}</w:p>"


def cell(*paragraphs: str, properties: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{properties}</w:tcPr>' if properties else ''}{''.join(paragraphs)}</w:tc>"


def table(*rows: list[str]) -> str:
    return "<w:tbl><w:tblPr/>" + "".join(f"<w:tr>{''.join(r)}</w:tr>" for r in rows) + "</w:tbl>"


def word_part(root: str, body: str, namespace: str = W_NS) -> str:
    inner = f"<w:body>{body}</w:body>" if root == "document" else body
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:{root} xmlns:w="{namespace}" '
        f'xmlns:r="{R_NS}" xmlns:mc="{MC_NS}">{inner}</w:{root}>'
    )


def docx(body: str, parts: dict[str, tuple[str, str]] | None = None, namespace: str = W_NS) -> bytes:
    """A Word package: ``body`` inside ``w:body``; ``parts`` maps a relationship id to (type, XML) of a
    header, footer, comments or notes part, stored as ``word/<type><id>.xml``."""
    relations = "".join(
        f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{kind}{rid}.xml"/>'
        for rid, (kind, _) in (parts or {}).items()
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", word_part("document", body, namespace))
        archive.writestr(
            "word/_rels/document.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{relations}</Relationships>',
        )
        for rid, (kind, xml) in (parts or {}).items():
            archive.writestr(f"word/{kind}{rid}.xml", xml)
    return out.getvalue()


def texts_of(data: bytes, name: str = "muistio.docx") -> list[tuple[dict, str]]:
    found, errors, _ = read(data, name)
    assert errors == []
    return [(location, text) for _, location, text in found]


def test_a_paragraph_reads_as_python_docx_reads_it():
    body = para(
        '<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>',  # a tab stop: no text
        run_("Nimi:"),
        '<w:r><w:tab/><w:t>Aino</w:t><w:br/><w:t>Virtanen</w:t><w:br w:type="page"/><w:noBreakHyphen/></w:r>',
        f'<w:hyperlink r:id="rIdX">{run_(" aino@example.fi")}</w:hyperlink>',
    )
    assert texts_of(docx(body)) == [({"paragraph": 1}, "Nimi:\tAino\nVirtanen- aino@example.fi")]


def test_text_python_docx_passed_over_is_read_with_its_paragraph():
    """Content controls, tracked insertions, simple fields and smart tags hold text a reader sees."""
    body = "".join(
        [
            para(run_("Hetu: "), f"<w:sdt><w:sdtPr/><w:sdtContent>{run_(HETU_VALUE)}</w:sdtContent></w:sdt>"),
            para(run_("Puh. "), f'<w:ins w:id="1" w:author="x">{run_("040 123 4567")}</w:ins>'),
            para(f'<w:fldSimple w:instr="MERGEFIELD puhelin">{run_("050 765 4321")}</w:fldSimple>'),
            para("<w:smartTag w:element='x'>" + run_("Aino") + "</w:smartTag>"),
            f"<w:sdt><w:sdtContent>{para(run_('Lomakkeen kenttä'))}</w:sdtContent></w:sdt>",  # a block control
        ]
    )
    assert texts_of(docx(body)) == [
        ({"paragraph": 1}, f"Hetu: {HETU_VALUE}"),
        ({"paragraph": 2}, "Puh. 040 123 4567"),
        ({"paragraph": 3}, "050 765 4321"),
        ({"paragraph": 4}, "Aino"),
        ({"paragraph": 5}, "Lomakkeen kenttä"),  # numbered among the body's paragraphs
    ]


def test_deleted_text_and_field_codes_are_not_read():
    body = para(
        run_("Puhelin "),
        '<w:del w:id="2" w:author="x"><w:r><w:delText>040 000 0000</w:delText></w:r></w:del>',
        '<w:r><w:instrText>HYPERLINK "mailto:x@example.fi"</w:instrText></w:r>',
        run_("050 765 4321"),
    )
    assert texts_of(docx(body)) == [({"paragraph": 1}, "Puhelin 050 765 4321")]


def test_a_text_box_is_read_once_with_its_anchor_paragraph():
    box = para(run_("Laatikossa: eino@example.fi"))
    body = para(
        run_("Ankkuri"),
        "<w:r><mc:AlternateContent>"
        f"<mc:Choice Requires='wps'><w:drawing><w:txbxContent>{box}</w:txbxContent></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><w:txbxContent>{box}</w:txbxContent></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>",
    ) + para(run_("Seuraava"))
    assert texts_of(docx(body)) == [
        ({"paragraph": 1}, "Ankkuri\nLaatikossa: eino@example.fi"),
        ({"paragraph": 2}, "Seuraava"),  # the box's paragraph is not counted among the body's
    ]


def test_table_cells_merged_cells_once_and_nested_tables_in_their_cell():
    span = '<w:gridSpan w:val="2"/>'
    nested = table([cell(para(run_("sisempi 1"))), cell(para(run_("sisempi 2")))])
    body = (
        para(run_("Ennen"))
        + table(
            [cell(para(run_("Nimi")), properties=span), cell(para(run_("Puhelin")))],
            [
                cell(para(run_("Aino")), properties='<w:vMerge w:val="restart"/>'),
                cell(para(run_("a"))),
                cell(para(run_("040 123 4567"))),
            ],
            [
                cell(para(), properties="<w:vMerge/>"),
                cell(para(run_("b"))),
                cell(para(run_("rivi 1")), para(run_("rivi 2")), nested),
            ],
        )
        + para(run_("Jälkeen"))
        + table([cell(para(run_("toinen taulukko")))])
    )
    assert texts_of(docx(body)) == [
        ({"paragraph": 1}, "Ennen"),
        ({"table": 1, "row": 1, "cell": 1}, "Nimi"),
        ({"table": 1, "row": 1, "cell": 3}, "Puhelin"),  # after a cell two columns wide
        ({"table": 1, "row": 2, "cell": 1}, "Aino"),
        ({"table": 1, "row": 2, "cell": 2}, "a"),
        ({"table": 1, "row": 2, "cell": 3}, "040 123 4567"),
        # row 3, cell 1 continues "Aino" downwards: not repeated (python-docx did)
        ({"table": 1, "row": 3, "cell": 2}, "b"),
        ({"table": 1, "row": 3, "cell": 3}, "rivi 1\nrivi 2\nsisempi 1\nsisempi 2"),
        ({"paragraph": 2}, "Jälkeen"),
        ({"table": 2, "row": 1, "cell": 1}, "toinen taulukko"),
    ]


def section(*references: str) -> str:
    return "<w:sectPr>" + "".join(references) + "</w:sectPr>"


def reference(side: str, kind: str, rid: str) -> str:
    return f'<w:{side}Reference w:type="{kind}" r:id="{rid}"/>'


def test_headers_footers_of_every_section_and_kind_then_notes_and_comments():
    parts = {
        "rId1": ("header", word_part("hdr", para(run_("Otsake: aino@example.fi")))),
        "rId2": ("header", word_part("hdr", para(run_("Ensimmäinen sivu")))),
        "rId3": ("footer", word_part("ftr", table([cell(para(run_("Alatunniste 040 123 4567")))]))),
        "rId4": ("footer", word_part("ftr", para(run_("Parilliset")))),
        "rId5": (
            "footnotes",
            word_part("footnotes", '<w:footnote w:id="1">' + para(run_("Alaviite")) + "</w:footnote>"),
        ),
        "rId6": (
            "comments",
            word_part("comments", '<w:comment w:id="0">' + para(run_("Soita Ainolle")) + "</w:comment>"),
        ),
        "rId7": ("endnotes", word_part("endnotes", '<w:endnote w:id="1">' + para(run_("Loppuviite")) + "</w:endnote>")),
    }
    first = section(reference("header", "default", "rId1"), reference("header", "first", "rId2"))
    body = (
        para(f"<w:pPr>{first}</w:pPr>", run_("Osa 1"))
        + para(run_("Osa 2"))
        + section(
            reference("header", "default", "rId1"),
            reference("footer", "default", "rId3"),
            reference("footer", "even", "rId4"),
        )
    )
    assert texts_of(docx(body, parts)) == [
        ({"paragraph": 1}, "Osa 1"),
        ({"paragraph": 2}, "Osa 2"),
        ({"section": 1, "part": "header", "paragraph": 1}, "Otsake: aino@example.fi"),
        ({"section": 1, "part": "first-page header", "paragraph": 1}, "Ensimmäinen sivu"),
        # section 2's default header is section 1's: read once, under the first
        ({"section": 2, "part": "footer", "table": 1, "row": 1, "cell": 1}, "Alatunniste 040 123 4567"),
        ({"section": 2, "part": "even-page footer", "paragraph": 1}, "Parilliset"),
        ({"part": "footnotes", "paragraph": 1}, "Alaviite"),
        ({"part": "endnotes", "paragraph": 1}, "Loppuviite"),
        ({"part": "comments", "paragraph": 1}, "Soita Ainolle"),
    ]


def test_a_strict_open_xml_document_is_read():
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    assert texts_of(docx(para(run_("Tiukka: aino@example.fi")), namespace=strict)) == [
        ({"paragraph": 1}, "Tiukka: aino@example.fi")
    ]


def test_a_whole_document_is_one_piece_unless_it_is_long(monkeypatch):
    parts = {"rId1": ("footer", word_part("ftr", para(run_("Alatunniste"))))}
    body = "".join(para(run_(f"Kappale {n}")) for n in range(1, 8)) + section(reference("footer", "default", "rId1"))
    found, errors, pieces = read(docx(body, parts), "pitka.docx")
    assert (len(found), errors, pieces) == (8, [], 1)  # body and footer: one call of the engine
    monkeypatch.setattr("scanner.extract.documents.CELLS_PER_PIECE", 3)
    again, errors, pieces = read(docx(body, parts), "pitka.docx")
    assert (again, errors, pieces) == (found, [], 3)


def test_a_broken_word_document_keeps_what_was_read_and_says_why():
    parts = {"rId1": ("header", word_part("hdr", para(run_("Otsake"))))}
    body = para(run_("Luettu ennen virhettä")) + section(
        reference("header", "default", "rId1"), reference("footer", "default", "rId9")
    )
    found, errors, _ = read(docx(body, parts), "rikki.docx")
    assert [text for _, _, text in found] == ["Luettu ennen virhettä", "Otsake"]
    assert errors == [(None, "corrupt Word document: KeyError", "corrupt")]  # rId9 names no part

    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx(para(run_("x"))))) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(
                info, data.replace(b"<w:body>", b"<w:body") if info.filename == "word/document.xml" else data
            )
    found, errors, _ = read(broken.getvalue(), "rikki.docx")
    assert found == [] and errors[0][1].startswith("corrupt or encrypted Word document: ")
    assert read(b"PK\x03\x04 not really a zip", "rikki.docx")[1][0][1].startswith("corrupt or encrypted Word document")


def test_a_word_part_declaring_a_dtd_is_refused_by_name():
    data = docx(para(run_("x")))
    forged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(forged, "w") as target:
        for info in source.infolist():
            part = source.read(info)
            if info.filename == "word/document.xml":
                part = part.replace(b"?>\n", b'?>\n<!DOCTYPE w:document [<!ENTITY e "131052-308T">]>').replace(
                    b">x<", b">&e;<"
                )
            target.writestr(info, part)
    found, errors, _ = read(forged.getvalue(), "vaarennetty.docx")
    assert found == []
    assert errors == [(None, "corrupt: word/document.xml declares a DTD, which Office files may not", "corrupt")]


def test_findings_in_a_word_document_are_located_through_the_scanner(tmp_path):
    parts = {"rId1": ("header", word_part("hdr", para(run_("Yhteys 040 123 4567"))))}
    body = para(run_("Sopimus")) + table([cell(para(run_("hetu"))), cell(para(run_(HETU_VALUE)))])
    body += section(reference("header", "default", "rId1"))
    (tmp_path / "sopimus.docx").write_bytes(docx(body, parts))
    found, errors, _ = scan(tmp_path / "sopimus.docx")
    assert errors == []
    assert [(json.loads(location), entity, value) for _, location, entity, value in found] == [
        ({"cell": 2, "row": 1, "table": 1}, HETU, HETU_VALUE),
        ({"paragraph": 1, "part": "header", "section": 1}, PHONE, "040 123 4567"),
    ]


# --- Excel --------------------------------------------------------------------------------------------


S_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(
    sheets: list[tuple[str, str]], strings: list[str] | None = None, chart: bool = False, namespace: str = S_NS
) -> bytes:
    """A workbook by hand: ``sheets`` as (name, the XML inside ``sheetData``), ``strings`` the shared
    strings' ``<si>`` contents; with ``chart``, a chart sheet between them, which holds no cells."""
    entries = [(f"sheet{n}", name, "worksheet") for n, (name, _) in enumerate(sheets, start=1)]
    if chart:
        entries.insert(1, ("chart1", "Kaavio", "chartsheet"))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        listed = "".join(
            f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>' for n, (_, name, _) in enumerate(entries, start=1)
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{namespace}" xmlns:r="{R_NS}"><sheets>{listed}</sheets></workbook>',
        )
        relations = "".join(
            f'<Relationship Id="rId{n}" Type="{REL}/{kind}" Target="/xl/{kind}s/{part}.xml"/>'
            for n, (part, _, kind) in enumerate(entries, start=1)
        )
        if strings is not None:
            relations += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            items = "".join(f"<si>{s}</si>" for s in strings)
            archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{namespace}">{items}</sst>')
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{relations}</Relationships>',
        )
        for n, (_, data) in enumerate(sheets, start=1):
            archive.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f'<?xml version="1.0"?><worksheet xmlns="{namespace}"><sheetData>{data}</sheetData></worksheet>',
            )
        if chart:
            archive.writestr("xl/chartsheets/chart1.xml", f'<chartsheet xmlns="{namespace}"/>')
    return out.getvalue()


def test_every_kind_of_text_cell_with_row_column_and_header():
    strings = [
        "<t>nimi</t>",
        "<t>puhelin</t>",
        '<r><t>Aino </t></r><r><rPr><b/></rPr><t>Virtanen</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh>',
        "<t>  </t>",
    ]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>040 123 4567</t></is></c>'
        '<c r="C2"><v>12.5</v></c><c r="D2" t="e"><v>#DIV/0!</v></c><c r="E2" t="b"><v>1</v></c></row>'
        '<row r="5"><c r="A5" t="str"><f>A2</f><v>Kaavan tulos</v></c><c r="B5" t="s"><v>3</v></c>'
        f'<c r="C5"><v>{HETU_VALUE}</v></c></row>'  # typed as a number, holding text
    )
    found, errors, pieces = read(xlsx([("Asiakkaat", rows)], strings), "asiakkaat.xlsx")
    assert errors == [] and pieces == 1
    assert found == [
        ("Asiakkaat", {"row": 1, "column": "A"}, "nimi"),
        ("Asiakkaat", {"row": 1, "column": "B"}, "puhelin"),
        ("Asiakkaat", {"row": 2, "column": "A", "field": "nimi"}, "Aino Virtanen"),  # rich text, no phonetic guide
        ("Asiakkaat", {"row": 2, "column": "B", "field": "puhelin"}, "040 123 4567"),
        ("Asiakkaat", {"row": 5, "column": "A", "field": "nimi"}, "Kaavan tulos"),
        ("Asiakkaat", {"row": 5, "column": "C"}, HETU_VALUE),
    ]


def test_cells_without_references_and_references_as_openpyxl_reads_them():
    rows = (
        '<row><c t="inlineStr"><is><t>ilman</t></is></c><c t="inlineStr"><is><t>viitettä</t></is></c></row>'
        '<row><c r="c2" t="inlineStr"><is><t>pienet kirjaimet</t></is></c>'
        '<c t="inlineStr"><is><t>seuraava</t></is></c></row>'
        '<row r="7"><c r="$AA$7" t="inlineStr"><is><t>dollarit</t></is></c></row>'
        '<row><c t="inlineStr"><is><t>rivi 8</t></is></c></row>'
    )
    found, errors, _ = read(xlsx([("Taul1", rows)]), "viitteet.xlsx")
    assert errors == []
    assert [(location, text) for _, location, text in found] == [
        ({"row": 1, "column": "A"}, "ilman"),
        ({"row": 1, "column": "B"}, "viitettä"),
        ({"row": 2, "column": "C"}, "pienet kirjaimet"),  # no header above column C
        ({"row": 2, "column": "D"}, "seuraava"),
        ({"row": 7, "column": "AA"}, "dollarit"),
        ({"row": 8, "column": "A", "field": "ilman"}, "rivi 8"),
    ]


def test_sheets_in_order_chart_sheets_passed_over_and_a_strict_workbook():
    first = '<row r="1"><c r="A1" t="inlineStr"><is><t>ensimmäinen</t></is></c></row>'
    second = '<row r="1"><c r="A1" t="inlineStr"><is><t>toinen</t></is></c></row>'
    found, errors, pieces = read(xlsx([("Yksi", first), ("Kaksi", second)], chart=True), "kirja.xlsx")
    assert (errors, pieces) == ([], 2)
    assert [(member, text) for member, _, text in found] == [("Yksi", "ensimmäinen"), ("Kaksi", "toinen")]
    strict = xlsx([("Tiukka", first)], namespace="http://purl.oclc.org/ooxml/spreadsheetml/main")
    assert [text for _, _, text in read(strict, "tiukka.xlsx")[0]] == ["ensimmäinen"]


def test_a_broken_sheet_fails_alone_and_a_broken_workbook_is_named():
    good = '<row r="1"><c r="A1" t="inlineStr"><is><t>luettu</t></is></c></row>'
    bad = '<row r="1"><c r="A1" t="s"><v>7</v></c></row>'  # no shared string 7
    found, errors, _ = read(xlsx([("Rikki", bad), ("Ehjä", good)], strings=["<t>a</t>"]), "osittain.xlsx")
    assert [(member, text) for member, _, text in found] == [("Ehjä", "luettu")]
    assert errors == [("Rikki", "corrupt sheet: IndexError", "corrupt")]

    missing = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx([("Puuttuu", good), ("Ehjä", good)]))) as source,
        zipfile.ZipFile(missing, "w") as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
    found, errors, _ = read(missing.getvalue(), "puuttuva.xlsx")
    assert [member for member, _, _ in found] == ["Ehjä"]
    assert errors == [("Puuttuu", "corrupt sheet: KeyError", "corrupt")]

    no_workbook = io.BytesIO()
    with zipfile.ZipFile(no_workbook, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    assert read(no_workbook.getvalue(), "tyhja.xlsx")[1] == [(None, "corrupt spreadsheet: KeyError", "corrupt")]


def test_a_far_away_cell_costs_nothing_and_a_long_sheet_streams_in_pieces(monkeypatch):
    far = '<row r="1"><c r="A1" t="inlineStr"><is><t>alku</t></is></c><c r="XFD1048576" t="inlineStr"><is><t>loppu</t></is></c></row>'
    found, errors, _ = read(xlsx([("Harva", far)]), "harva.xlsx")
    assert [(location, text) for _, location, text in found] == [
        ({"row": 1, "column": "A"}, "alku"),
        ({"row": 1048576, "column": "XFD"}, "loppu"),
    ]
    monkeypatch.setattr("scanner.extract.documents.CELLS_PER_PIECE", 4)
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>rivi {n}</t></is></c></row>' for n in range(1, 11))
    found, errors, pieces = read(xlsx([("Pitkä", rows)]), "pitka.xlsx")
    assert (len(found), errors, pieces) == (10, [], 3)
    assert found[-1] == ("Pitkä", {"row": 10, "column": "A", "field": "rivi 1"}, "rivi 10")


# --- PDF ----------------------------------------------------------------------------------------------


def pdf(pages: list[list[str]], image_pages: frozenset[int] = frozenset()) -> bytes:
    """A PDF of Helvetica text, one list of lines per page; the pages numbered in ``image_pages`` (from 1)
    draw a picture instead, as a scanned page does."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    font, image = 3, 4
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    objects.append(
        b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8"
        b" /Length 1 >>\nstream\n\x80\nendstream"
    )
    kids = []
    for number, lines in enumerate(pages, start=1):
        if number in image_pages:
            content = b"q 500 0 0 700 50 50 cm /Im1 Do Q"
        else:
            content = ("BT /F1 11 Tf 50 800 Td 14 TL\n" + "".join(f"({escape(t)}) '\n" for t in lines) + "ET").encode(
                "cp1252"
            )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R /Resources << /Font << /F1 %d 0 R >>"
            b" /XObject << /Im1 %d 0 R >> >> >>" % (len(objects), font, image)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_pdf_pages_are_located_by_page_and_line_and_read_in_one_piece():
    pages = [[f"Sivu {n}", f"Rivi kaksi sivulla {n}", f"Puh. 040 123 45{n:02}"] for n in range(1, 31)]
    found, errors, pieces = read(pdf(pages), "raportti.pdf")
    assert errors == [] and pieces == 1  # thirty pages, one call of the engine
    assert [(loc, text.rstrip("\n")) for _, loc, text in found[:3]] == [
        ({"line": 1, "column": 1, "page": 1}, "Sivu 1"),
        ({"line": 2, "column": 1, "page": 1}, "Rivi kaksi sivulla 1"),
        ({"line": 3, "column": 1, "page": 1}, "Puh. 040 123 4501"),
    ]
    assert (found[-1][1], found[-1][2].rstrip("\n")) == ({"line": 3, "column": 1, "page": 30}, "Puh. 040 123 4530")


def test_pdf_hits_are_located_on_their_page(tmp_path):
    (tmp_path / "kirje.pdf").write_bytes(pdf([["Kirje"], ["Otsikko", "Asiakas: aino@example.fi"]]))
    found, errors, _ = scan(tmp_path / "kirje.pdf")
    assert errors == []
    assert [(json.loads(location), value) for _, location, _, value in found] == [
        ({"column": 10, "line": 2, "page": 2}, "aino@example.fi")
    ]


def test_scanned_pages_among_text_pages_are_named():
    found, errors, _ = read(
        pdf([["Teksti"], [], ["Lisää tekstiä"], []], image_pages=frozenset({2, 4})), "sekalainen.pdf"
    )
    assert [loc["page"] for _, loc, _ in found] == [1, 3]
    assert errors == [(None, "2 of 4 pages have pictures but no text (scanned?), not read: pages 2, 4", "no-text")]


def test_encrypted_corrupt_and_too_long_pdfs():
    from pypdf import PdfReader, PdfWriter

    plain = pdf([["Asiakas: aino@example.fi"]])
    for user, expected in (("salasana", "encrypted"), ("", None)):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
        writer.encrypt(user_password=user, owner_password="omistaja", algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
        found, errors, _ = read(out.getvalue(), "salattu.pdf")
        if expected:
            assert (found, errors) == ([], [(None, "encrypted PDF", "encrypted")])
        else:  # only an owner password: readable by anyone, and read
            assert [text.rstrip("\n") for _, _, text in found] == ["Asiakas: aino@example.fi"] and errors == []

    found, errors, _ = read(b"%PDF-1.4\n garbage", "rikki.pdf")
    assert found == [] and errors == [(None, "corrupt PDF: PDFium: not a PDF or damaged", "corrupt")]

    found, errors, _ = read(pdf([["yksi"], ["kaksi"], ["kolme"]]), "pitka.pdf", Limits(max_pages=2))
    assert [loc["page"] for _, loc, _ in found] == [1, 2]
    assert errors == [(None, "more than 2 pages; the rest not read (max_pages)", "limit")]


@pytest.mark.parametrize("block", [64, 1 << 24])
def test_pdf_pieces_of_any_size_locate_the_same(block):
    pages = [[f"Sivu {n} rivi {m}" for m in range(1, 6)] for n in range(1, 5)]
    found = []
    for out in extract(io.BytesIO(pdf(pages)), "sivut.pdf", block_size=block):
        rows = np.arange(len(out.lines))
        located = out.locate(SimpleNamespace(row=rows, start=np.zeros(len(rows), np.int64))).to_pylist()
        found += [
            (json.loads(loc), text.rstrip("\n")) for loc, text in zip(located, out.lines.to_pylist(), strict=True)
        ]
    assert found == [
        ({"line": m, "column": 1, "page": n}, f"Sivu {n} rivi {m}") for n in range(1, 5) for m in range(1, 6)
    ]
