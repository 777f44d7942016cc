"""XML attacks against every reader that parses XML: external entities (general and parameter), the
billion laughs and the quadratic blow-up, in HTML, xlsx (sheet and shared strings), docx, pptx, odt, ods
and plain .xml/.svg files.

Whatever a reader does with them, the run ends by itself, no entity is ever resolved (a file elsewhere on
the disk never reaches the findings), the hostile file is read without expanding or reported by name, and
the ordinary file next to it is still read.

One scan reads a share holding every hostile file, a control copy of each document with the secret's
identity code written in plain text (proof that the same reader would report it if an entity were
resolved) and an ordinary text file; the cases then look at the rows naming their own file."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
HETU = "131052-308T"  # only ever in the secret files and the controls
MARK = "MERKKI"  # where a builder's document puts its text
TEXT = f"Yhteyshenkilö: {MARK} (tuki@example.fi)"  # the address shows that the rest of a file was read
BOUND = 60  # seconds the whole scan may take; a hang would cost --item-timeout per file
ITEM_TIMEOUT = "20"

READERS = ("html", "xlsx-sheet", "xlsx-strings", "docx", "pptx", "odt", "ods", "xml", "svg")
ATTACKS = ("external", "parameter", "billion-laughs", "quadratic")
SUFFIX = {"xlsx-sheet": "xlsx", "xlsx-strings": "xlsx", "odt": "odt", "ods": "ods"}


# --- the attacks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    subset: str  # the internal DTD subset, between the brackets
    reference: str  # what takes the place of the document's text


def attack(kind: str, secrets: Path) -> Attack:
    if kind == "external":  # the secret file's content as the entity's replacement text
        return Attack(f'<!ENTITY e SYSTEM "{(secrets / "salainen.txt").as_uri()}">', "&e;")
    if kind == "parameter":  # an external DTD, read through a parameter entity, declares the entity
        return Attack(f'<!ENTITY % p SYSTEM "{(secrets / "salainen.dtd").as_uri()}"> %p;', "&e;")
    if kind == "billion-laughs":  # 10 levels of 10 references: 3 * 10^9 bytes if expanded
        levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
        return Attack("".join(levels), "&l9;")
    if kind == "quadratic":  # one entity of 100 KB referenced 100,000 times: 10^10 bytes if expanded
        return Attack(f'<!ENTITY a "{"A" * 100_000}">', "&a;" * 100_000)
    raise ValueError(kind)


def hostile(xml: bytes, found: Attack) -> bytes:
    """``xml`` with the attack's DOCTYPE after its XML declaration (if any) and its text replaced."""
    text = xml.decode("utf-8")
    declaration = re.match(r"<\?xml[^>]*\?>\s*", text)
    at = declaration.end() if declaration else 0
    assert text.count(MARK) == 1, text
    text = text[:at] + f"<!DOCTYPE x [{found.subset}]>" + text[at:].replace(MARK, found.reference)
    return text.encode("utf-8")


def control(xml: bytes) -> bytes:
    return xml.replace(MARK.encode(), HETU.encode())


# --- valid documents, each with MARK in the XML part an attack goes into --------------------------------


def _zip_replacing(data: bytes, part: str, change) -> bytes:
    """The zip ``data`` with ``part`` passed through ``change``; member order and compression kept (ODF
    needs its uncompressed ``mimetype`` first)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, change(content) if info.filename == part else content)
    assert part in source.namelist(), (part, source.namelist())
    return out.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = TEXT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_shared_strings() -> bytes:
    """openpyxl writes its strings inline; Excel writes them once in sharedStrings.xml, cells by index."""
    data = _xlsx()
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{main}" count="1" uniqueCount="1">'
        f"<si><t>{TEXT}</t></si></sst>"
    ).encode()
    relation = (
        '<Relationship Id="rIdStrings" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    override = (
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    data = _zip_replacing(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(rb'<c r="A1" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="A1" t="s"><v>0</v></c>', x),
    )
    data = _zip_replacing(
        data,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace(b"</Relationships>", relation.encode() + b"</Relationships>"),
    )
    data = _zip_replacing(
        data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", override.encode() + b"</Types>")
    )
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pptx() -> bytes:
    import pptx
    from pptx.util import Inches

    presentation = pptx.Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[6])  # blank
    slide.shapes.add_textbox(Inches(1), Inches(1), Inches(6), Inches(1)).text_frame.text = TEXT
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


_ODF_NS = " ".join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{p}:1.0"' for p in ("office", "text", "table"))


def _odf(kind: str, body: str) -> bytes:
    """A minimal OpenDocument file: the uncompressed ``mimetype`` first, a manifest, ``content.xml``."""
    media = f"application/vnd.oasis.opendocument.{kind}"
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODF_NS} office:version="1.3">'
        f"<office:body>{body}</office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{media}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), media, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()


def _odt() -> bytes:
    return _odf("text", f"<office:text><text:p>{TEXT}</text:p></office:text>")


def _ods() -> bytes:
    cell = f'<table:table-cell office:value-type="string"><text:p>{TEXT}</text:p></table:table-cell>'
    return _odf(
        "spreadsheet",
        f'<office:spreadsheet><table:table table:name="Taulukko1"><table:table-row>{cell}'
        "</table:table-row></table:table></office:spreadsheet>",
    )


# reader: (how to build a valid file, the zip part holding the text or None for a plain XML file)
BUILDERS = {
    "html": (lambda: f"<html><body><p>{TEXT}</p></body></html>\n".encode(), None),
    "xlsx-sheet": (_xlsx, "xl/worksheets/sheet1.xml"),
    "xlsx-strings": (_xlsx_shared_strings, "xl/sharedStrings.xml"),
    "docx": (_docx, "word/document.xml"),
    "pptx": (_pptx, "ppt/slides/slide1.xml"),
    "odt": (_odt, "content.xml"),
    "ods": (_ods, "content.xml"),
    "xml": (
        lambda: f'<?xml version="1.0" encoding="UTF-8"?>\n<henkilot><nimi>{TEXT}</nimi></henkilot>\n'.encode(),
        None,
    ),
    "svg": (lambda: f'<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">{TEXT}</text></svg>\n'.encode(), None),
}


def build(reader: str, change) -> bytes:
    make, part = BUILDERS[reader]
    return change(make()) if part is None else _zip_replacing(make(), part, change)


def file_name(reader: str, kind: str) -> str:
    return f"{reader}-{kind}.{SUFFIX.get(reader, reader.split('-')[0])}"


# --- one scan of the whole share ----------------------------------------------------------------------


@dataclass
class Scan:
    code: int | None  # None: still running at BOUND seconds, killed
    seconds: float
    peak_mb: float  # resident memory of the scan and its workers at their largest
    rows: list[dict]
    err: str
    share: Path


def _run_bounded(arguments: list[str], cwd: Path, env: dict[str, str]) -> tuple[int | None, float, str, str]:
    """A `harava` child process stopped (with its workers) at BOUND seconds: its exit status (None if it
    had to be stopped), peak memory in MB, standard output and standard error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", *arguments],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers too can be stopped at the bound
    )
    output: dict[str, bytes] = {}
    readers = [
        threading.Thread(target=lambda n=n, s=s: output.__setitem__(n, s.read()))
        for n, s in (("out", process.stdout), ("err", process.stderr))
    ]
    for thread in readers:
        thread.start()
    deadline = time.monotonic() + BOUND
    code: int | None = None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)  # rusage: the scan and the workers it reaped
        if pid:
            code = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            _, _, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    process.returncode = code if code is not None else -9  # reaped here, not by Popen
    for thread in readers:
        thread.join()
    return code, usage.ru_maxrss / 1024, output["out"].decode("utf-8"), output["err"].decode("utf-8")


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    base = tmp_path_factory.mktemp("xml")
    secrets = base / "muualla"  # outside the share: only an entity could bring it in
    secrets.mkdir()
    (secrets / "salainen.txt").write_text(HETU, "utf-8")
    (secrets / "salainen.dtd").write_text(f'<!ENTITY e "{HETU}">\n', "utf-8")
    share = base / "jako"
    (share / "vihamieliset").mkdir(parents=True)
    (share / "vertailu").mkdir()
    for reader in READERS:
        for kind in ATTACKS:
            found = attack(kind, secrets)
            data = build(reader, lambda xml, found=found: hostile(xml, found))
            (share / "vihamieliset" / file_name(reader, kind)).write_bytes(data)
        (share / "vertailu" / file_name(reader, "selvakielinen")).write_bytes(build(reader, control))
    (share / "tavallinen.txt").write_text("puh. 040 123 4567, aino.virtanen@example.fi\n", "utf-8")

    env = dict(os.environ, HARAVA_HASH_KEY=TEST_KEY, XDG_CONFIG_HOME=str(base), PYTHONPATH=str(ROOT))
    env.pop("HARAVA_DEBUG", None)
    arguments = [
        "scan",
        str(share),
        "--format",
        "jsonl",
        "--show-values",
        "--no-progress",
        "--item-timeout",
        ITEM_TIMEOUT,
    ]
    started = time.monotonic()
    code, peak_mb, out, err = _run_bounded(arguments, base, env)
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return Scan(code, time.monotonic() - started, peak_mb, rows, err, share)


def rows_of(scan: Scan, name: str) -> list[dict]:
    return [r for r in scan.rows if Path(r["source"]).name == name]


# --- the run as a whole -------------------------------------------------------------------------------


def test_the_scan_ends_by_itself_with_status_0_and_no_traceback(scan):
    assert scan.code is not None, f"still running after {BOUND} s"
    assert scan.code == 0, scan.err
    assert "Traceback" not in scan.err, scan.err
    assert HETU not in scan.err


def test_the_ordinary_file_next_to_them_is_still_read(scan):
    assert sorted((r["entity"], r["value"]) for r in rows_of(scan, "tavallinen.txt")) == [
        ("EMAIL_ADDRESS", "aino.virtanen@example.fi"),
        ("PHONE_NUMBER", "040 123 4567"),
    ]


@pytest.mark.parametrize("reader", READERS)
def test_each_reader_reports_the_identity_code_written_in_plain_text(scan, reader):
    """The control: had an entity been resolved, this reader would have reported the secret."""
    rows = rows_of(scan, file_name(reader, "selvakielinen"))
    assert sorted((r["entity"], r["value"], r["error"]) for r in rows) == [
        ("EMAIL_ADDRESS", "tuki@example.fi", None),
        ("FI_PERSONAL_IDENTITY_CODE", HETU, None),
    ]


# --- each reader against each attack ------------------------------------------------------------------


CASES = [pytest.param(reader, kind, id=f"{reader}-{kind}") for reader in READERS for kind in ATTACKS]


@pytest.mark.parametrize(("reader", "kind"), CASES)
def test_an_xml_attack_is_neither_resolved_nor_expanded(scan, reader, kind):
    name = file_name(reader, kind)
    assert (scan.share / "vihamieliset" / name).exists()
    rows = rows_of(scan, name)
    leaked = [r for r in rows if r["entity"] == "FI_PERSONAL_IDENTITY_CODE" or HETU in json.dumps(r)]
    assert not leaked, f"{name}: the entity was resolved: {leaked}"
    failed = [r for r in rows if r["error"]]
    assert all(r["entity"] is None for r in failed)
    # an error names its file (the row's source) and is the reader giving up, not the supervisor stopping a
    # reader that was expanding (timeout) or a worker that died expanding (out of memory)
    stopped = [
        r for r in failed if r["error"].startswith(("timeout", "crashed")) or r.get("code") in ("timeout", "crashed")
    ]
    assert not stopped, f"{name}: {stopped}"
    # read without expanding (the rest of its text was read: the address beside the entity is found) or
    # reported; never passed over in silence
    found = [r["value"] for r in rows if r["entity"] == "EMAIL_ADDRESS"]
    assert failed or found == ["tuki@example.fi"], f"{name}: neither read nor reported: {rows}"
    assert name in scan.err if failed else True  # a file that could not be read is named on standard error


def test_reading_them_never_took_the_memory_an_expansion_would(scan):
    """The billion laughs is 3 GB expanded, the quadratic blow-up 10 GB; the scan and its workers stay far
    below either (an expansion cut short by a time limit would still show here)."""
    assert scan.peak_mb < 1500, f"peak {scan.peak_mb:.0f} MB"
