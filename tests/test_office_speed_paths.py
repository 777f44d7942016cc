"""The fast paths of the office readers give exactly what the general ones give.

A sheet written the way spreadsheet programs write it is read from a regular expression's matches
(``_plain_sheet_data``, ``_plain_shared_strings``) instead of the XML parser's events; anything else —
inline strings, comments, a DTD, carriage returns, absurd references, cells outside ``<sheetData>`` —
goes to the parser. Every case here is read both ways and must come out the same: texts, locations,
headers, pieces and errors; the cases that should take the fast path are checked to take it.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scanner.extract.documents as documents
from scanner.extract import Limits, Piece, Unreadable, extract
from tests.test_documents import xlsx


def read(data: bytes, name: str = "kirja.xlsx", limits: Limits | None = None) -> tuple[list, list, int]:
    """``(member, location text, text, label)`` of every text, ``(member, reason, code)`` of every part not
    read, and the number of pieces."""
    texts, errors, pieces = [], [], 0
    for out in extract(io.BytesIO(data), name, limits=limits or Limits()):
        if isinstance(out, Piece):
            pieces += 1
            rows = np.arange(len(out.lines))
            located = out.locate(SimpleNamespace(row=rows, start=np.zeros(len(rows), np.int64))).to_pylist()
            labels = out.labels.to_pylist() if out.labels is not None else [None] * len(rows)
            texts += list(zip([out.member] * len(rows), located, out.lines.to_pylist(), labels, strict=True))
        elif isinstance(out, Unreadable):
            errors.append((out.member, out.reason, out.code))
    return texts, errors, pieces


def both(monkeypatch, data: bytes, name: str = "kirja.xlsx", limits: Limits | None = None) -> tuple[tuple, int]:
    """What the readers give with the fast paths and without them (asserted equal), and how many sheets
    the fast path read."""
    plain = documents._plain_sheet_data
    taken = []

    def spy(*args):
        rows = plain(*args)
        taken.append(rows is not None)
        return rows

    monkeypatch.setattr(documents, "_plain_sheet_data", spy)
    fast = read(data, name, limits)
    monkeypatch.setattr(documents, "_plain_sheet_data", lambda *args: None)
    monkeypatch.setattr(documents, "_plain_shared_strings", lambda *args: None)
    general = read(data, name, limits)
    monkeypatch.undo()
    assert fast == general
    return fast, sum(taken)


def test_a_workbook_as_excel_writes_it_takes_the_fast_path(monkeypatch, tmp_path):
    import xlsxwriter

    path = tmp_path / "asiakkaat.xlsx"
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    dated = book.add_format({"num_format": "d.m.yyyy"})
    sheet = book.add_worksheet("Asiakkaat")
    sheet.write_row(0, 0, ["nimi", "hetu", 'lainaus "x"', "rivit\nkaksi", " reunat ", "a & b < c"])
    sheet.write_row(1, 0, ["Aino Virtanen", "131052-308T", "040 123 4567", "yksi\ntoinen", "  tila  ", "x > y"])
    sheet.write_datetime(1, 6, datetime.datetime(2024, 5, 1), dated)
    sheet.write_number(1, 7, 12.5)
    sheet.write_boolean(1, 8, True)
    sheet.write_formula(1, 9, '="teksti "&A2', None, "teksti Aino Virtanen")
    sheet.write_formula(1, 10, "=1/0", None, "#DIV/0!")
    sheet.write_rich_string(2, 0, "rikas ", bold, "teksti", " loppu")
    sheet.write_string(2, 1, "_x000D_ ja x005F_ pysyvät")
    sheet.write_string(2, 5, "\t")
    sheet.write_string(40, 27, "kaukana")
    book.add_worksheet("Tyhjä")
    book.add_worksheet("Muistiinpanot").write_string(0, 0, "Soita 050 765 4321 tai aino@example.fi")
    book.close()
    (texts, errors, pieces), fast = both(monkeypatch, path.read_bytes())
    assert fast == 3 and errors == [] and pieces == 2
    by_text = {text: json.loads(location) for _, location, text, _ in texts}
    assert by_text["Aino Virtanen"] == {"row": 2, "column": "A", "field": "nimi"}
    assert by_text["teksti Aino Virtanen"] == {"row": 2, "column": "J"}
    assert by_text["rikas teksti loppu"] == {"row": 3, "column": "A", "field": "nimi"}
    assert by_text["kaukana"] == {"row": 41, "column": "AB"}
    assert by_text["x > y"]["field"] == "a & b < c" and by_text["yksi\ntoinen"]["field"] == "rivit\nkaksi"
    assert "  tila  " in by_text and "#DIV/0!" not in by_text and "\t" not in by_text
    for _, location, _, _ in texts:  # written as json.dumps writes them, byte for byte
        assert location == json.dumps(json.loads(location), ensure_ascii=False)


def test_a_workbook_openpyxl_writes_takes_the_fast_path(monkeypatch, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Rekisteri"
    sheet.append(["nimi", "puhelin", "summa"])
    sheet.append(["Eino Mäkinen", "+358 40 765 4321", 12])
    sheet.append(['"lainaus" & \\kenoviiva', None, "=A2"])
    path = tmp_path / "rekisteri.xlsx"
    book.save(path)
    (texts, errors, _), fast = both(monkeypatch, path.read_bytes())
    assert fast == 1 and errors == []
    assert [(json.loads(location), text) for _, location, text, _ in texts] == [
        ({"row": 1, "column": "A"}, "nimi"),
        ({"row": 1, "column": "B"}, "puhelin"),
        ({"row": 1, "column": "C"}, "summa"),
        ({"row": 2, "column": "A", "field": "nimi"}, "Eino Mäkinen"),
        ({"row": 2, "column": "B", "field": "puhelin"}, "+358 40 765 4321"),
        ({"row": 3, "column": "A", "field": "nimi"}, '"lainaus" & \\kenoviiva'),
    ]


STRINGS = ["<t>otsikko</t>", "<t>arvo</t>", '<t xml:space="preserve"> väli </t>', "<t>a &amp; b &lt;c&gt;</t>"]
STRINGS += ['<r><rPr><b/><sz val="11"/></rPr><t>rik</t></r><r><t>as</t></r>', "<t/>", "<t>x005F_x</t>"]
# an empty run with properties before a plain one: the properties of one run never swallow the next run
STRINGS += ['<r><rPr><b/></rPr><t/></r><r><t>131052-</t></r><r><rPr><b/></rPr><t>308T</t></r>']

#: (sheetData, whether the fast path reads it)
CASES = {
    "runs around an empty one": ('<row r="1"><c r="A1" t="s"><v>7</v></c></row>', True),
    "kinds of cells": (
        '<row r="1" spans="1:9"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2" t="s"><v>4</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>3</v></c>'
        '<c r="D2" t="s"><v>5</v></c><c r="E2" t="s"><v>6</v></c><c r="F2" t="str"><f>A1&amp;"x"</f><v>a&amp;b</v></c>'
        '<c r="G2" t="e"><v>#N/A</v></c><c r="H2" t="b"><v>1</v></c><c r="I2" t="d"><v>2024-01-02T00:00:00</v></c>'
        '<c r="J2"><v>not a number</v></c><c r="K2" t="n"><v> 12 </v></c><c r="L2"><v>1_000</v></c>'
        '<c r="M2"><v>nan</v></c><c r="N2" t="str"><v/></c><c r="O2" t="s"/><c r="P2" t="inlineStr"><v>x</v></c>'
        '<c r="Q2"><f t="shared" ref="Q2:Q3" si="0">A1</f><v>١٢</v></c><c r="R2" t="str"><v>  </v></c></row>',
        True,
    ),
    "header row after the others": (
        '<row r="2"><c r="A2" t="s"><v>1</v></c></row><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="A3" t="s"><v>1</v></c></row>',
        True,
    ),
    "a far cell": ('<row r="1048576"><c r="XFD1048576" t="s"><v>1</v></c></row>', True),
    "empty rows": ('<row r="1"/><row r="2" ht="15" customHeight="1">\n  <c r="B2" t="s"><v>1</v></c>\n</row>', True),
    "index out of range": ('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>70</v></c></row>', True),
    "negative index": ('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>-1</v></c></row>', True),
    "empty index": ('<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v></v></c></row>', True),
    "inline strings": (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>otsake</t></is></c><c r="B1" t="inlineStr"><is><t/></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> M&#228;ki &amp; &#x1F600; </t></is></c>'
        '<c r="B2" t="s"><is><t>ei tekstiä</t></is></c><c r="C2" t="inlineStr"><v>ei tätäkään</v></c></row>',
        True,
    ),
    "rich inline string": ('<row r="1"><c r="A1" t="inlineStr"><is><r><t>sis</t></r></is></c></row>', False),
    "cell without reference": ('<row r="1"><c t="s"><v>1</v></c><c t="s"><v>0</v></c></row>', False),
    "lower-case reference": ('<row r="1"><c r="b1" t="s"><v>1</v></c></row>', False),
    "absurd row": ('<row r="10000000000000"><c r="A10000000000000" t="s"><v>1</v></c></row>', False),
    "comment": ('<row r="1"><!-- huom --><c r="A1" t="s"><v>1</v></c></row>', False),
    "cdata": ('<row r="1"><c r="A1" t="str"><v><![CDATA[a<b]]></v></c></row>', False),
    "carriage return": ('<row r="1"><c r="A1" t="str"><v>a\r\nb</v></c></row>', False),
    "character references": ('<row r="1"><c r="A1" t="str"><v>a&#10;b&#xD;c&#xe4;</v></c></row>', True),
    "a character XML forbids": ('<row r="1"><c r="A1" t="str"><v>a&#1;b</v></c></row>', False),
    "a surrogate": ('<row r="1"><c r="A1" t="str"><v>a&#xD800;b</v></c></row>', False),
    "an unknown entity": ('<row r="1"><c r="A1" t="str"><v>a&nbsp;b</v></c></row>', False),
    "attribute order": ('<row r="1"><c r="A1" t="s" s="1"><v>1</v></c></row>', False),
    "namespace on a row": ('<row r="1" xmlns="urn:muu"><c r="A1" t="s"><v>1</v></c></row>', False),
    "prefixed cell": ('<row r="1"><x:c xmlns:x="urn:muu" r="A1" t="s"><x:v>1</x:v></x:c></row>', False),
    "broken": ('<row r="1"><c r="A1" t="s"><v>1</v></c>', False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_case_reads_the_same_both_ways(monkeypatch, case):
    rows, fast = CASES[case]
    (_, errors, _), taken = both(monkeypatch, xlsx([("Taulu", rows), ("Toinen", rows)], strings=STRINGS))
    assert taken == (2 if fast else 0)
    if case.endswith("index"):
        assert errors and all(reason.startswith("corrupt sheet: ") for _, reason, _ in errors)


def test_what_the_fast_path_reads_from_the_kinds_of_cells(monkeypatch):
    (texts, errors, _), _ = both(monkeypatch, xlsx([("Taulu", CASES["kinds of cells"][0])], strings=STRINGS))
    assert errors == []
    assert [(json.loads(location)["column"], text) for _, location, text, _ in texts] == [
        ("A", "otsikko"),
        ("B", "rikas"),  # rich text: its runs
        ("A", "arvo"),
        ("B", " väli "),
        ("C", "a & b <c>"),
        ("E", "x"),  # x005F_ taken out, as openpyxl does
        ("F", "a&b"),
        ("I", "2024-01-02T00:00:00"),  # a date typed as text: read as what is there
        ("J", "not a number"),  # typed as a number, holding text; Q2's Arabic-Indic digits are a number
    ]


def test_a_sheet_outside_the_fast_path_forms(monkeypatch):
    cells = '<row r="1"><c r="A1" t="s"><v>1</v></c></row>'
    for head, tail in [
        ('<!DOCTYPE worksheet [<!ENTITY e "x">]>', ""),  # a DTD
        ("", '<extLst><c r="B1" t="s"><v>0</v></c></extLst>'),  # a cell outside sheetData
        ("", "<pageMargins"),  # broken after the cells
    ]:
        data = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(xlsx([("Taulu", cells)], strings=STRINGS))) as source,
            zipfile.ZipFile(data, "w") as target,
        ):
            for info in source.infolist():
                part = source.read(info)
                if info.filename == "xl/worksheets/sheet1.xml":
                    part = part.replace(b"<worksheet", head.encode() + b"<worksheet").replace(
                        b"</sheetData>", b"</sheetData>" + tail.encode()
                    )
                target.writestr(info, part)
        _, taken = both(monkeypatch, data.getvalue())
        assert taken == 0


def test_limits_and_pieces_are_the_same(monkeypatch):
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>1</v></c><c r="B{n}"><v>{n}</v></c></row>' for n in range(1, 31))
    data = xlsx([("Pitkä", rows)], strings=STRINGS)
    (texts, errors, _), taken = both(monkeypatch, data, limits=Limits(max_cells=20))
    assert taken == 0 and errors[0][2] == "limit"  # past the limit: the parser, which stops at it
    monkeypatch.setattr(documents, "CELLS_PER_PIECE", 7)
    (texts, errors, pieces), taken = both(monkeypatch, data)
    assert taken == 1 and errors == [] and (len(texts), pieces) == (30, 5)
    monkeypatch.setattr(documents, "CELLS_PER_PIECE", 7)  # (both() undid it)
    monkeypatch.setattr(documents, "PLAIN_CHUNK", 50)  # the rows matched a few at a time: the same cells
    assert both(monkeypatch, data) == ((texts, errors, pieces), 1)


CELL = st.tuples(
    st.sampled_from(["A", "B", "C", "AA", "XFD"]),
    st.sampled_from([1, 1, 2, 3, 17, 1048576]),
    st.sampled_from(['t="s"', 't="str"', 't="n"', "", 't="e"', 't="b"', 't="inlineStr"']),
    st.one_of(
        st.none(),
        st.sampled_from(["0", "1", "3", "6", "9", "-1", " 2", "1.5", "1e3", "", "nan"]),
        st.text(alphabet="aä 0&<>\"'\n\t.-", max_size=6).map(
            lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        ),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL, max_size=5), max_size=6))
def test_any_plain_sheet_reads_the_same_both_ways(monkeypatch, rows):
    xml = ""
    for number, cells in enumerate(rows, start=1):
        inner = "".join(
            f'<c r="{col}{row}"{" " + kind if kind else ""}' + ("/>" if value is None else f"><v>{value}</v></c>")
            for col, row, kind, value in cells
        )
        xml += f'<row r="{number}">{inner}</row>'
    (_, _, _), taken = both(monkeypatch, xlsx([("Satunnainen", xml)], strings=STRINGS))
    assert taken == 1


def test_mime_headers_parsed_once_read_the_same_and_the_cache_stays_small():
    import scanner.extract.mail as mail

    def message(n: int) -> bytes:
        return (
            f"From: Aino <aino{n}@example.fi>\nTo: eino@example.fi\nSubject: viesti {n}\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed; boundary="raja{n}"\n\n--raja{n}\n'
            'Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
            f"Soita 040 123 45{n % 100:02} =C3=A4\n--raja{n}\n"
            f'Content-Type: text/csv; name="lista{n}.csv"\nContent-Disposition: attachment; filename="lista{n}.csv"\n\n'
            f"nimi;puhelin\nAino;040 765 43{n % 100:02}\n--raja{n}--\n"
        ).encode()

    def texts(data: bytes) -> list:
        return [
            (out.member, out.lines.to_pylist()) if isinstance(out, Piece) else (out.member, out.reason)
            for out in extract(io.BytesIO(data), "viesti.eml")
        ]

    first = texts(message(1))
    assert ("attachment:lista1.csv", ["Aino", "040 765 4301"]) in first  # the CSV's cells under its header
    assert (None, ["Soita 040 123 4501 ä"]) in first
    assert texts(message(1)) == first  # its Content-Type headers now from the cache
    for n in range(2, 400):
        texts(message(n))
    assert 0 < len(mail._PARSED) <= mail._PARSED_MAX
    mail._PARSED.clear()
    assert texts(message(1)) == first
