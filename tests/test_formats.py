"""Every supported format, generated here with planted values, and a bad-input suite."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tarfile
import zipfile
from email.message import EmailMessage
from pathlib import Path

from tests.test_cli import jsonl, run
from tests.test_registers import _pdf

HETU, PHONE, EMAIL, IP, YT = (
    "FI_PERSONAL_IDENTITY_CODE",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "FI_BUSINESS_ID",
)


def scan(path: Path) -> tuple[list[tuple], list[tuple], str]:
    """(findings as (member, location, entity, value), errors as (member, reason), stderr)."""
    code, out, err = run("scan", str(path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    found = sorted(
        (
            (r["member"], json.dumps(r["location"], sort_keys=True), r["entity"], r["value"])
            for r in rows
            if not r["error"]
        ),
        key=lambda f: (f[0] or "", *f[1:]),
    )
    errors = sorted(((r["member"], r["error"]) for r in rows if r["error"]), key=lambda e: (e[0] or "", e[1]))
    return found, errors, err


def loc(**location) -> str:
    return json.dumps(location, sort_keys=True)


def ordered(items: list[tuple]) -> list[tuple]:
    return sorted(items, key=lambda f: (f[0] or "", *f[1:]))


def xlsx_bytes() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Asiakkaat"
    sheet.append(["nimi", "hetu", "puhelin", "saldo"])
    sheet.append(["Aino", "131052-308T", "040 123 4567", 12])
    sheet.append(["Eino", None, "ei ole", 3])
    other = book.create_sheet("Muistiinpanot")
    other.append(["Soita numeroon 050 765 4321 tai kirjoita eino@example.fi"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Sopimus")
    document.add_paragraph("Asiakkaan henkilötunnus on 131052-308T.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Y-tunnus", "2077474-0"
    document.sections[0].footer.paragraphs[0].text = "Yhteys: sopimukset@example.fi"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_xlsx_every_sheet_with_row_column_and_header(tmp_path):
    path = tmp_path / "asiakkaat.xlsx"
    path.write_bytes(xlsx_bytes())
    found, errors, _ = scan(path)
    assert errors == []
    assert found == sorted(
        [
            ("Asiakkaat", loc(row=2, column="B", field="hetu"), HETU, "131052-308T"),
            ("Asiakkaat", loc(row=2, column="C", field="puhelin"), PHONE, "040 123 4567"),
            ("Asiakkaat", loc(row=2, column="A", field="nimi"), "PERSON", "Aino"),  # a name column's first name
            ("Asiakkaat", loc(row=3, column="A", field="nimi"), "PERSON", "Eino"),
            ("Muistiinpanot", loc(row=1, column="A"), PHONE, "050 765 4321"),
            ("Muistiinpanot", loc(row=1, column="A"), EMAIL, "eino@example.fi"),
        ]
    )


def test_docx_paragraphs_tables_and_footer(tmp_path):
    path = tmp_path / "sopimus.docx"
    path.write_bytes(docx_bytes())
    found, errors, _ = scan(path)
    assert errors == []
    assert found == ordered(
        [
            (None, loc(paragraph=2), HETU, "131052-308T"),
            (None, loc(table=1, row=1, cell=2), YT, "2077474-0"),
            (None, loc(section=1, part="footer", paragraph=1), EMAIL, "sopimukset@example.fi"),
        ]
    )


def test_pdf_pages_and_a_scan_without_text(tmp_path):
    (tmp_path / "lasku.pdf").write_bytes(_pdf(["Lasku", "Asiakas: aino@example.fi", "Puh. 040 123 4567"]))
    (tmp_path / "skannattu.pdf").write_bytes(_pdf([], image=True))
    (tmp_path / "tyhja.pdf").write_bytes(_pdf([]))  # a blank page is no scan: nothing to report
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    assert sorted(
        (Path(r["source"]).name, json.dumps(r["location"], sort_keys=True), r["value"]) for r in rows if not r["error"]
    ) == sorted(
        [
            ("lasku.pdf", loc(page=1, line=2, column=10), "aino@example.fi"),
            ("lasku.pdf", loc(page=1, line=3, column=6), "040 123 4567"),
        ]
    )
    assert [(Path(r["source"]).name, r["error"]) for r in rows if r["error"]] == [
        ("skannattu.pdf", "PDF has no text layer (a scanned document?); its images were not read")
    ]


def test_csv_in_cp1252_with_semicolons_and_a_header(tmp_path):
    path = tmp_path / "palkat.csv"
    path.write_bytes('nimi;henkilötunnus;sähköposti\nMäkinen;131052-308T;"aino;x"@example.fi\n'.encode("cp1252"))
    found, _, _ = scan(path)
    assert found == [
        (None, loc(line=2, column=1, field="nimi"), "PERSON", "Mäkinen"),
        (None, loc(line=2, column=9, field="henkilötunnus"), HETU, "131052-308T"),
    ]
    path.write_bytes("nimi;hetu;email\nA;010594Y9021;a@example.fi\n".encode("cp1252"))
    assert [f[1] for f in scan(path)[0]] == [loc(line=2, column=15, field="email"), loc(line=2, column=3, field="hetu")]


def test_jsonl_and_json_key_paths(tmp_path):
    (tmp_path / "tapahtumat.jsonl").write_text(
        '{"user": {"email": "a@example.fi"}, "ip": "192.0.2.1"}\nnot json 040 123 4567\n', "utf-8"
    )
    (tmp_path / "asetukset.json").write_text('{"admins": [{"puh": "+358 40 123 4567"}]}', "utf-8")
    code, out, _ = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0
    found = sorted((Path(r["source"]).name, json.dumps(r["location"], sort_keys=True), r["value"]) for r in jsonl(out))
    assert found == sorted(
        [
            ("tapahtumat.jsonl", loc(line=1, field="user.email"), "a@example.fi"),
            ("tapahtumat.jsonl", loc(line=1, field="ip"), "192.0.2.1"),
            ("tapahtumat.jsonl", loc(line=2), "040 123 4567"),
            ("asetukset.json", loc(field="admins[0].puh"), "+358 40 123 4567"),
        ]
    )


def mail_bytes() -> bytes:
    message = EmailMessage()
    message["From"] = "Aino Mäkinen <aino@example.fi>"
    message["To"] = "tuki@example.fi"
    message["Subject"] = "Tilaus"
    message.set_content(
        "Hei,\nhetuni on 131052-308T ja puhelin 040 123 4567.\n", charset="iso-8859-1", cte="quoted-printable"
    )
    message.add_attachment(b"nimi,ip\nEino,192.0.2.9\n", maintype="text", subtype="csv", filename="loki.csv")
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sisalla/asiakas.txt", "Y-tunnus 2077474-0\n")
    message.add_attachment(inner.getvalue(), maintype="application", subtype="zip", filename="liitteet.zip")
    return bytes(message)


def test_mail_headers_body_and_nested_attachments(tmp_path):
    path = tmp_path / "viesti.eml"
    path.write_bytes(mail_bytes())
    found, errors, _ = scan(path)
    assert errors == []
    assert found == ordered(
        [
            (None, loc(header="From"), EMAIL, "aino@example.fi"),
            (None, loc(header="From"), "PERSON", "Aino Mäkinen"),
            (None, loc(header="To"), EMAIL, "tuki@example.fi"),
            (None, loc(part=2, line=2, column=11), HETU, "131052-308T"),
            (None, loc(part=2, line=2, column=34), PHONE, "040 123 4567"),
            ("attachment:loki.csv", loc(line=2, column=1, field="nimi"), "PERSON", "Eino"),
            ("attachment:loki.csv", loc(line=2, column=6, field="ip"), IP, "192.0.2.9"),
            ("attachment:liitteet.zip/sisalla/asiakas.txt", loc(line=1, column=10), YT, "2077474-0"),
        ]
    )


def test_archives_nested_and_compressed(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("syvalla.txt", "puh. 050 765 4321\n")
        archive.writestr("asiakkaat.xlsx", xlsx_bytes())
    outer = tmp_path / "paketti.zip"
    with zipfile.ZipFile(outer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("sisempi.zip", inner.getvalue())
        archive.writestr("muistio.txt", "hetu 131052-308T\n")
    tar_path = tmp_path / "varmuuskopio.tar.gz"
    with tarfile.open(tar_path, "w:gz") as archive:
        data = b"ip 192.0.2.1\n"
        info = tarfile.TarInfo("loki/palvelin.log")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (tmp_path / "vanha.log.gz").write_bytes(gzip.compress(b"a@example.fi\n"))
    (tmp_path / "vanha2.log.bz2").write_bytes(bz2.compress(b"b@example.fi\n"))
    (tmp_path / "vanha3.log.xz").write_bytes(lzma.compress(b"c@example.fi\n"))
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    found = sorted((Path(r["source"]).name, r["member"], r["value"]) for r in jsonl(out) if not r["error"])
    assert found == sorted(
        [
            ("paketti.zip", "sisempi.zip/syvalla.txt", "050 765 4321"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Asiakkaat", "131052-308T"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Asiakkaat", "040 123 4567"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Asiakkaat", "Aino"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Asiakkaat", "Eino"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Muistiinpanot", "050 765 4321"),
            ("paketti.zip", "sisempi.zip/asiakkaat.xlsx/Muistiinpanot", "eino@example.fi"),
            ("paketti.zip", "muistio.txt", "131052-308T"),
            ("varmuuskopio.tar.gz", "varmuuskopio.tar/loki/palvelin.log", "192.0.2.1"),
            ("vanha.log.gz", "vanha.log", "a@example.fi"),
            ("vanha2.log.bz2", "vanha2.log", "b@example.fi"),
            ("vanha3.log.xz", "vanha3.log", "c@example.fi"),
        ]
    )


def _encrypted_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("salainen.txt", "hetu 131052-308T\n")
    data = bytearray(buffer.getvalue())
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set the "encrypted" flag bit
        at = data.find(signature)
        data[at + flag_offset] |= 0x01
    return bytes(data)


def test_bad_inputs_are_reported_and_the_scan_completes(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nollia.txt", b"\0" * (50 << 20))  # 50 MB of zeros in ~50 kB
    (tmp_path / "pommi.zip").write_bytes(bomb.getvalue())
    (tmp_path / "salattu.zip").write_bytes(_encrypted_zip())
    (tmp_path / "rikki.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "rikki.xlsx").write_bytes(xlsx_bytes()[:300])
    (tmp_path / "rikki.pdf").write_bytes(b"%PDF-1.4\n garbage")
    (tmp_path / "rikki.gz").write_bytes(gzip.compress(b"a@example.fi\n" * 1000)[:40])
    (tmp_path / "arkisto.7z").write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\0" * 30)  # truncated
    (tmp_path / "vanha.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 30)
    (tmp_path / "ok.txt").write_text("puh. 040 123 4567\n")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    reasons = {(Path(r["source"]).name, r["member"]): r["error"] for r in rows if r["error"]}
    assert "zip bomb" in reasons[("pommi.zip", "nollia.txt")]
    assert reasons[("salattu.zip", "salainen.txt")] == "encrypted"
    assert reasons[("rikki.zip", None)].startswith("corrupt zip archive")
    assert reasons[("rikki.xlsx", None)].startswith("corrupt spreadsheet")
    assert reasons[("rikki.pdf", None)].startswith("corrupt PDF")
    assert reasons[("rikki.gz", "rikki")].startswith("corrupt")
    assert reasons[("arkisto.7z", None)].startswith("corrupt 7z archive")
    assert reasons[("vanha.doc", None)].startswith("unsupported format: legacy Office")
    assert [Path(r["source"]).name for r in rows if not r["error"]] == ["ok.txt"]
    assert "Could not read 8 items" in err


def test_nesting_deeper_than_the_limit(tmp_path):
    data = b"hetu 131052-308T\n"
    name = "sisin.txt"
    for level in range(7):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        data, name = buffer.getvalue(), f"taso{level}.zip"
    (tmp_path / "syva.zip").write_bytes(data)
    found, errors, _ = scan(tmp_path / "syva.zip")
    assert found == []
    assert len(errors) == 1 and "nested deeper than 5" in errors[0][1]


def test_parquet_and_feather_column_by_column(tmp_path):
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": [1, 2, 3],
            "email": ["a@example.fi", None, "c@example.fi"],
            "note": pa.array(["", "puh. 040 123 4567", "ei mitään"]).dictionary_encode(),
            "amount": [1.5, 2.0, 3.25],
        }
    )
    pq.write_table(table, tmp_path / "asiakkaat.parquet", row_group_size=2)
    feather.write_feather(table, tmp_path / "asiakkaat.feather")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    found = sorted(
        (Path(r["source"]).suffix, json.dumps(r["location"], sort_keys=True), r["value"]) for r in jsonl(out)
    )
    expected = [
        (loc(row=1, field="email"), "a@example.fi"),
        (loc(row=3, field="email"), "c@example.fi"),
        (loc(row=2, field="note"), "040 123 4567"),
    ]
    assert found == sorted([(".parquet", *e) for e in expected] + [(".feather", *e) for e in expected])


def _odf(kind: str, body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        archive.writestr(
            "content.xml",
            (
                '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
                ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
                ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
                ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
                f"<office:body>{body}</office:body></office:document-content>"
            ),
        )
    return buffer.getvalue()


def test_opendocument_text_and_spreadsheet(tmp_path):
    (tmp_path / "muistio.odt").write_bytes(
        _odf("text", ("<office:text><text:h>Muistio</text:h><text:p>Soita: 040 123 4567</text:p></office:text>"))
    )
    (tmp_path / "lista.ods").write_bytes(
        _odf(
            "spreadsheet",
            (
                '<office:spreadsheet><table:table table:name="Jäsenet">'
                "<table:table-row><table:table-cell><text:p>nimi</text:p></table:table-cell>"
                "<table:table-cell><text:p>hetu</text:p></table:table-cell></table:table-row>"
                '<table:table-row><table:table-cell table:number-columns-repeated="1"><text:p>Aino</text:p></table:table-cell>'
                "<table:table-cell><text:p>131052-308T</text:p></table:table-cell></table:table-row>"
                "</table:table></office:spreadsheet>"
            ),
        )
    )
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    found = sorted(
        (Path(r["source"]).name, r["member"] or "", json.dumps(r["location"], sort_keys=True), r["value"])
        for r in jsonl(out)
    )
    assert found == sorted(
        [
            ("muistio.odt", "", loc(paragraph=2), "040 123 4567"),
            ("lista.ods", "Jäsenet", loc(row=2, column="B"), "131052-308T"),
        ]
    )


def test_mbox_messages_are_members(tmp_path):
    first, second = EmailMessage(), EmailMessage()
    first["From"], first["Subject"] = "a@example.fi", "1"
    first.set_content("hetu 131052-308T\nFrom here on the line starts with From\n")
    second["From"], second["Subject"] = "b@example.fi", "2"
    second.set_content("puh. 040 123 4567\n")
    mailbox = b"".join(
        b"From sender@example.fi Mon Nov 23 04:00:00 2026\n" + bytes(m).replace(b"\nFrom ", b"\n>From ") + b"\n"
        for m in (first, second)
    )
    (tmp_path / "saapuneet.mbox").write_bytes(mailbox)
    found, errors, _ = scan(tmp_path / "saapuneet.mbox")
    assert errors == []
    assert sorted((m, e, v) for m, _, e, v in found) == [
        ("message 1", EMAIL, "a@example.fi"),
        ("message 1", HETU, "131052-308T"),
        ("message 2", EMAIL, "b@example.fi"),
        ("message 2", PHONE, "040 123 4567"),
    ]


def test_pptx_xls_rtf(tmp_path):
    import xlwt
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Yhteyshenkilö: aino@example.fi"
    table = slide.shapes.add_table(1, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    table.cell(0, 1).text = "040 123 4567"
    slide.notes_slide.notes_text_frame.text = "hetu 131052-308T"
    deck.save(tmp_path / "esitys.pptx")

    book = xlwt.Workbook()
    sheet = book.add_sheet("Jäsenet")
    for column, value in enumerate(["nimi", "hetu"]):
        sheet.write(0, column, value)
    sheet.write(1, 0, "Aino")
    sheet.write(1, 1, "131052-308T")
    sheet.write(2, 1, 12345)
    book.save(str(tmp_path / "vanha.xls"))

    (tmp_path / "kirje.rtf").write_text(r"{\rtf1\ansi {\b Hei!}\par Soita 050 765 4321.\par}", "ascii")

    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    found = sorted(
        (Path(r["source"]).name, r["member"] or "", json.dumps(r["location"], sort_keys=True), r["value"])
        for r in jsonl(out)
    )
    shape = json.loads(next(f for f in found if f[3] == "040 123 4567")[2])["shape"]
    assert found == sorted(
        [
            ("esitys.pptx", "", loc(slide=1, shape="Title 1"), "aino@example.fi"),
            ("esitys.pptx", "", loc(slide=1, shape=shape, row=1, cell=2), "040 123 4567"),
            ("esitys.pptx", "", loc(slide=1, notes=True), "131052-308T"),
            ("vanha.xls", "Jäsenet", loc(row=2, column="B", field="hetu"), "131052-308T"),
            ("vanha.xls", "Jäsenet", loc(row=2, column="A", field="nimi"), "Aino"),
            ("kirje.rtf", "", loc(line=2, column=7), "050 765 4321"),
        ]
    )


def test_7z_archives_plain_and_encrypted(tmp_path):
    import py7zr

    with py7zr.SevenZipFile(tmp_path / "arkisto.7z", "w") as archive:
        archive.writestr("hetu 131052-308T\n", "kansio/muistio.txt")
    with py7zr.SevenZipFile(tmp_path / "salattu.7z", "w", password="salasana") as archive:
        archive.writestr("hetu 131052-308T\n", "salaisuus.txt")
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    assert [(Path(r["source"]).name, r["member"], r["value"]) for r in rows if not r["error"]] == [
        ("arkisto.7z", "kansio/muistio.txt", "131052-308T")
    ]
    assert [(Path(r["source"]).name, r["error"]) for r in rows if r["error"]] == [("salattu.7z", "encrypted")]


def _samples(tmp_path: Path) -> dict[str, bytes]:
    """One valid file of every binary format, made with the same helpers as above."""
    import py7zr
    import pyarrow as pa
    import pyarrow.feather as feather
    import pyarrow.parquet as pq
    import xlwt
    from pptx import Presentation

    table = pa.table({"email": ["a@example.fi"] * 50})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    samples = {"parquet": buffer.getvalue()}
    buffer = io.BytesIO()
    feather.write_feather(table, buffer)
    samples["feather"] = buffer.getvalue()
    samples["xlsx"], samples["docx"], samples["eml"] = xlsx_bytes(), docx_bytes(), mail_bytes()
    samples["pdf"] = _pdf(["hetu 131052-308T"] * 20)
    samples["odt"] = _odf("text", "<office:text>" + "<text:p>040 123 4567</text:p>" * 30 + "</office:text>")
    deck = Presentation()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "a@example.fi"
    buffer = io.BytesIO()
    deck.save(buffer)
    samples["pptx"] = buffer.getvalue()
    book = xlwt.Workbook()
    book.add_sheet("A").write(0, 0, "a@example.fi")
    buffer = io.BytesIO()
    book.save(buffer)
    samples["xls"] = buffer.getvalue()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:bz2") as archive:
        data = b"a@example.fi\n" * 1000
        info = tarfile.TarInfo("a.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    samples["tar.bz2"] = buffer.getvalue()
    with py7zr.SevenZipFile(tmp_path / "x.7z", "w") as archive:
        archive.writestr(b"a@example.fi\n" * 1000, "a.txt")
    samples["7z"] = (tmp_path / "x.7z").read_bytes()
    (tmp_path / "x.7z").unlink()
    return samples


def test_every_format_truncated_is_reported_never_crashes(tmp_path):
    share = tmp_path / "share"
    share.mkdir()
    samples = _samples(tmp_path)
    for suffix, data in samples.items():
        (share / f"rikki.{suffix}").write_bytes(data[: max(len(data) // 3, 40)])
        (share / f"ehja.{suffix}").write_bytes(data)
    code, out, err = run("scan", str(share), "--format", "jsonl", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    intact = {Path(r["source"]).name for r in rows if not r["error"] and Path(r["source"]).name.startswith("ehja")}
    assert intact == {f"ehja.{s}" for s in samples}  # every intact file yields findings
    broken = {Path(r["source"]).name for r in rows if r["error"]}
    assert {f"rikki.{s}" for s in samples} - {"rikki.eml"} <= broken  # a cut e-mail may still parse
    assert all(r["error"] and len(r["error"]) > 5 for r in rows if r["error"])


def test_highly_compressible_small_files_are_not_bombs(tmp_path):
    data = ("nimi;hetu\n" + "Aino;131052-308T\n" * 5000).encode()  # ~90 kB, compresses over 200:1
    with tarfile.open(tmp_path / "vienti.tar.gz", "w:gz") as archive:
        info = tarfile.TarInfo("vienti/asiakkaat.csv")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    (tmp_path / "vienti.csv.gz").write_bytes(gzip.compress(data))
    code, out, err = run("scan", str(tmp_path), "--format", "jsonl", "--no-progress")
    assert code == 0, err
    rows = jsonl(out)
    assert not [r for r in rows if r["error"]]
    assert len(rows) == 20_000 and {(r["location"]["field"], r["entity"]) for r in rows} == {
        ("hetu", HETU),
        ("nimi", "PERSON"),
    }


def test_an_empty_member_of_a_compressed_tar_is_read_not_reported_corrupt(tmp_path):
    """An empty file inside a .tar.gz (JDK test reports ship them) is empty, not corrupt."""
    path = tmp_path / "raportti.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, data in (("reportdir.dat", b""), ("loki.txt", b"ip 192.0.2.1\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    code, out, err = run("scan", str(path), "--format", "jsonl", "--show-values", "--no-progress")
    assert code == 0 and "corrupt" not in err, err
    assert [(r["member"], r["value"], r["error"]) for r in jsonl(out)] == [("raportti.tar/loki.txt", "192.0.2.1", None)]
